"""Exact reductions of a chain ``P_{I_1..I_N} = {W_1 ⋯ W_N : supp W_ℓ ⊆ I_ℓ}``.

Each reduction replaces the chain by a shorter or thinner one with *the same set of
products* (``docs/theory.md`` §6, "Chains"), so closedness, and every closure point,
is unchanged.  :func:`reduce_chain` applies them to a fixpoint, in this order of
preference:

1. **empty inner index** -- if column k of ``I_ℓ`` or row k of ``I_{ℓ+1}`` is empty, the
   inner index k contributes nothing: delete column k of ``I_ℓ`` and row k of
   ``I_{ℓ+1}`` (empty-inner-index lemma);
2. **partial permutation** -- if ``I_ℓ`` has at most one nonzero per row and per column,
   ``{W_{ℓ-1} W_ℓ}`` is the linear space of matrices supported on
   ``bool(I_{ℓ-1} I_ℓ)`` (and likewise ``{W_ℓ W_{ℓ+1}}``): merge factor ℓ into its left
   neighbour (into the right one when ℓ = 1) (partial-permutation lemma);
3. **full pair** -- if :func:`closure_check.two_factor.fullspace.full_space_proof` proves that the
   two-factor problem ``(I_ℓ, I_{ℓ+1}ᵀ)`` produces every matrix supported on
   ``bool(I_ℓ I_{ℓ+1})``, merge the pair into one factor with that support (full-pair
   lemma).

A chain reduced to one factor is a linear space, hence closed (one-factor lemma).

Step format
-----------
Each step is a plain JSON-able dict with a ``"rule"`` key; factor levels ℓ are 1-based
as in the papers, indices 0-based, and every step refers to the chain *before* it (the
chain obtained by replaying the previous steps from the original):

* ``{"rule": "empty-inner-index", "level": ℓ, "indices": [k, …], "empty": [s, …]}`` --
  the inner indices k (sorted) between ``W_ℓ`` and ``W_{ℓ+1}`` are deleted: column k
  of ``I_ℓ`` and row k of ``I_{ℓ+1}``.  ``s`` says which line is empty:
  ``"column of I_ℓ"`` or ``"row of I_ℓ+1"``.
* ``{"rule": "partial-permutation", "level": ℓ, "into": "left" | "right"}`` -- ``I_ℓ``
  has at most one nonzero per row and per column; factors ℓ−1 and ℓ ("left") or ℓ and
  ℓ+1 ("right") are replaced by one factor, the boolean product of their supports.
* ``{"rule": "full-pair", "level": ℓ, "proof": [text, …], "fixed": [f, …]}`` --
  factors ℓ and ℓ+1 are replaced by one factor with support ``bool(I_ℓ I_{ℓ+1})``.
  The pair splits into independent components (no shared row, column or inner
  index); ``proof`` holds one full-space proof per component and ``fixed`` the fixed
  factor that ends it, if any: ``{"side": "x" | "y", "units": [[rows, cols], …],
  "cells": [[i, j], …], "values": [[unit, line, value], …]}`` (the problem reached by
  the proof's restrictions; one exact rank computation re-checks it), or ``null``.

:func:`apply_step` replays one step on a chain after re-checking its hypothesis, so an
independent verifier can recompute the reduced chain from the original.

Lifting
-------
A Laurent curve of the reduced chain (``closure_check.certificates.chain.ChainCurve``)
lifts to the original chain with exactly the same product (:func:`lift_curve`): a
deleted inner index gets zero entries; a merged partial permutation ``W_ℓ`` gets the
constant entries 1 on ``I_ℓ`` while its neighbour's columns (left merge) or rows
(right merge) are copied from the merged factor.  A full-pair merge has no explicit
lift in general (the proof of fullness is not constructive): after one,
:attr:`ChainReduction.liftable` is False.  ``lift_curve(..., full_pairs=True)`` tries
the *fixed-factor lift* (``docs/theory.md`` §6): in each component of the pair, every
unit k holds one of its two vectors (column k of ``W_ℓ`` or row k of ``W_{ℓ+1}``) at
constant rationals, which makes ``W_ℓ W_{ℓ+1} = M(t)`` a linear system in the other
entries; when it is solvable (always if it has full row rank), exact elimination gives
Laurent-polynomial entries with exactly the merged factor as product.  When no choice tried works the
lift raises :class:`ChainReductionError` (it is not a proof that no lift exists).

>>> from closure_check.core.support import ChainSupport
>>> diag_upper_lower = ChainSupport.from_dense([[[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]])
>>> reduction = reduce_chain(diag_upper_lower)
>>> reduction.steps
({'rule': 'partial-permutation', 'level': 1, 'into': 'right'},)
>>> reduction.reduced.factors[0].toarray().tolist()
[[1, 1], [0, 1]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from random import Random
from typing import Any

import numpy as np

from closure_check.certificates.chain import Cell, ChainCurve
from closure_check.core.components import connected_components
from closure_check.core.laurent import Laurent
from closure_check.core.support import (
    ChainSupport,
    SupportMatrix,
    as_support_matrix,
    product_support,
)
from closure_check.two_factor.fullspace import MAX_CELLS, FixedFactor, full_space_proof

__all__ = [
    "ChainReduction",
    "ChainReductionError",
    "Step",
    "apply_step",
    "is_partial_permutation",
    "kronecker_fixpoint",
    "lift_curve",
    "reduce_chain",
]

Step = dict[str, Any]
Factor = dict[Cell, Laurent]


class ChainReductionError(ValueError):
    """A step whose hypothesis fails, or a curve that cannot be lifted exactly."""


@dataclass(frozen=True)
class ChainReduction:
    """The reductions applied to a chain and the chains they pass through.

    Attributes
    ----------
    chains
        ``chains[0]`` is the original chain, ``chains[i + 1]`` the chain after
        ``steps[i]``; the last one is the reduced chain.
    steps
        The steps in the format of the module docstring.
    """

    chains: tuple[ChainSupport, ...]
    steps: tuple[Step, ...]

    @property
    def original(self) -> ChainSupport:
        """The chain before any step."""
        return self.chains[0]

    @property
    def reduced(self) -> ChainSupport:
        """The chain after every step: the same set of products as the original."""
        return self.chains[-1]

    @property
    def liftable(self) -> bool:
        """Whether curves of the reduced chain lift exactly (no full-pair step)."""
        return all(step["rule"] != "full-pair" for step in self.steps)

    def reasons(self) -> tuple[str, ...]:
        """One sentence per step, naming its lemma."""
        return tuple(_describe(step) for step in self.steps)


# --------------------------------------------------------------------------- hypotheses


def is_partial_permutation(support: SupportMatrix) -> bool:
    """True if the 0/1 matrix has at most one nonzero in every row and every column."""
    rows_ok = bool(np.all(np.diff(support.indptr) <= 1))
    return rows_ok and bool(np.all(np.bincount(support.indices, minlength=1) <= 1))


def _empty_inner_indices(chain: ChainSupport, level: int) -> tuple[list[int], list[str]]:
    """Inner indices between ``W_level`` and ``W_level+1`` whose column or row is empty."""
    left, right = chain.factors[level - 1], chain.factors[level]
    column_counts = np.bincount(left.indices, minlength=left.shape[1])
    row_counts = np.diff(right.indptr)
    indices = np.flatnonzero((column_counts == 0) | (row_counts == 0))
    sides = ["column of I_ℓ" if column_counts[k] == 0 else "row of I_ℓ+1" for k in indices]
    return indices.tolist(), sides


def _pair_units(left: SupportMatrix, right: SupportMatrix) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Unit k of the two-factor problem ``(I_ℓ, I_{ℓ+1}ᵀ)``: (rows of column k, columns of row k)."""
    by_column = left.tocsc()
    return [
        (
            tuple(by_column.indices[by_column.indptr[k]:by_column.indptr[k + 1]].tolist()),
            tuple(right.indices[right.indptr[k]:right.indptr[k + 1]].tolist()),
        )
        for k in range(left.shape[1])
    ]


def _pair_components(left: SupportMatrix, right: SupportMatrix) -> tuple[int, np.ndarray]:
    """Connected components of the graph rows — inner indices — columns of the pair.

    Returns the number of components and the label of every vertex, ordered as the
    rows of ``I_ℓ``, then the inner indices, then the columns of ``I_{ℓ+1}``.
    """
    m, r = left.shape
    n = right.shape[1]
    left_rows = np.repeat(np.arange(m, dtype=np.int64), np.diff(left.indptr))
    right_rows = np.repeat(np.arange(r, dtype=np.int64), np.diff(right.indptr))
    ends_a = np.concatenate([left_rows, m + right_rows])
    ends_b = np.concatenate([m + left.indices.astype(np.int64), m + r + right.indices.astype(np.int64)])
    return connected_components(m + r + n, ends_a, ends_b)


def _fixed_json(fixed: FixedFactor | None) -> dict[str, Any] | None:
    if fixed is None:
        return None
    return {
        "side": fixed.side,
        "units": [[list(rows), list(cols)] for rows, cols in fixed.units],
        "cells": [list(cell) for cell in fixed.cells],
        "values": [[unit, line, value] for (unit, line), value in fixed.values],
    }


def _full_pair_proof(chain: ChainSupport, level: int) -> tuple[list[str], list[dict[str, Any] | None]] | None:
    """Full-space proofs, one per component, that ``(I_ℓ, I_{ℓ+1}ᵀ)`` fills ``bool(I_ℓ I_{ℓ+1})``.

    A component can only be full if the dimension of its set, at most
    ``Σ_k (|R_k| + |C_k| − 1)`` over its units (a rank-one matrix on ``R×C`` has
    ``|R| + |C| − 1`` degrees of freedom), reaches its number of cells; components
    failing this count are rejected without a search, so large structured chains
    (butterflies) cost one sparse product and one component labelling per pair.
    """
    left, right = chain.factors[level - 1], chain.factors[level]
    m, r = left.shape
    count, labels = _pair_components(left, right)
    product = product_support(left, right).tocoo()
    cells_per = np.bincount(labels[product.row], minlength=count)
    unit_sizes = np.bincount(left.indices, minlength=r) + np.diff(right.indptr) - 1
    dimension_per = np.bincount(labels[m:m + r], weights=unit_sizes, minlength=count)
    if np.any(dimension_per < cells_per) or np.any(cells_per > MAX_CELLS):
        return None
    units = _pair_units(left, right)
    cell_order = np.argsort(labels[product.row], kind="stable")
    unit_labels = labels[m:m + r]
    unit_order = np.argsort(unit_labels, kind="stable")
    cell_starts = np.concatenate(([0], np.cumsum(cells_per)))
    unit_starts = np.concatenate(([0], np.cumsum(np.bincount(unit_labels, minlength=count))))
    texts: list[str] = []
    fixed: list[dict[str, Any] | None] = []
    for component in np.flatnonzero(cells_per):
        chosen = cell_order[cell_starts[component]:cell_starts[component + 1]]
        cells = list(zip(product.row[chosen].tolist(), product.col[chosen].tolist()))
        members = [units[k] for k in unit_order[unit_starts[component]:unit_starts[component + 1]]]
        proof = full_space_proof(members, cells)
        if proof is None:
            return None
        texts.append(f"on the {len(cells)} cell(s) of rows {sorted({i for i, _ in cells})}: {proof.text()}")
        fixed.append(_fixed_json(proof.fixed))
    return texts, fixed


# --------------------------------------------------------------------------- operations


def _delete_inner(chain: ChainSupport, level: int, indices: Sequence[int]) -> ChainSupport:
    """Delete inner indices (columns of ``I_level``, rows of ``I_level+1``)."""
    factors = list(chain.factors)
    keep = np.setdiff1d(np.arange(factors[level - 1].shape[1]), np.asarray(indices, dtype=np.int64))
    factors[level - 1] = as_support_matrix(factors[level - 1][:, keep])
    factors[level] = as_support_matrix(factors[level][keep, :])
    return ChainSupport(tuple(factors))


def _merge(chain: ChainSupport, first: int) -> ChainSupport:
    """Replace factors ``first`` and ``first + 1`` (1-based) by their boolean product."""
    factors = list(chain.factors)
    merged = product_support(factors[first - 1], factors[first])
    return ChainSupport(tuple(factors[: first - 1] + [merged] + factors[first + 1:]))


def _merge_partial_permutation(chain: ChainSupport, level: int, into: str) -> ChainSupport:
    return _merge(chain, level - 1 if into == "left" else level)


def apply_step(chain: ChainSupport, step: Step) -> ChainSupport:
    """Re-check the hypothesis of ``step`` on ``chain`` and return the chain after it.

    Raises
    ------
    ChainReductionError
        If the step is malformed or its hypothesis does not hold on ``chain``.
    """
    rule, level = step.get("rule"), step.get("level")
    if not isinstance(level, int) or not 1 <= level <= chain.length:
        raise ChainReductionError(f"step {step!r}: level must be a factor of the chain (1..{chain.length})")
    if rule == "empty-inner-index":
        if level >= chain.length:
            raise ChainReductionError(f"step {step!r}: there is no inner index after the last factor")
        empty, _ = _empty_inner_indices(chain, level)
        indices = step.get("indices")
        if not isinstance(indices, list) or not indices or not set(indices) <= set(empty):
            raise ChainReductionError(f"step {step!r}: these inner indices are not all empty")
        return _delete_inner(chain, level, indices)
    if rule == "partial-permutation":
        into = step.get("into")
        if into not in ("left", "right") or not 1 <= (level - 1 if into == "left" else level + 1) <= chain.length:
            raise ChainReductionError(f"step {step!r}: no neighbour on that side")
        if not is_partial_permutation(chain.factors[level - 1]):
            raise ChainReductionError(f"step {step!r}: I_{level} is not a partial permutation")
        return _merge_partial_permutation(chain, level, into)
    if rule == "full-pair":
        if level >= chain.length or _full_pair_proof(chain, level) is None:
            raise ChainReductionError(f"step {step!r}: no full-space proof for factors {level} and {level + 1}")
        return _merge(chain, level)
    raise ChainReductionError(f"unknown reduction rule in step {step!r}")


def _next_step(chain: ChainSupport) -> tuple[Step, ChainSupport] | None:
    """The first applicable step (rules in the order of the module docstring)."""
    for level in range(1, chain.length):
        indices, sides = _empty_inner_indices(chain, level)
        if indices:
            step = {"rule": "empty-inner-index", "level": level, "indices": indices, "empty": sides}
            return step, _delete_inner(chain, level, indices)
    if chain.length >= 2:
        for level in range(1, chain.length + 1):
            if is_partial_permutation(chain.factors[level - 1]):
                into = "left" if level > 1 else "right"
                step = {"rule": "partial-permutation", "level": level, "into": into}
                return step, _merge_partial_permutation(chain, level, into)
    for level in range(1, chain.length):
        proof = _full_pair_proof(chain, level)
        if proof is not None:
            texts, fixed = proof
            return {"rule": "full-pair", "level": level, "proof": texts, "fixed": fixed}, _merge(chain, level)
    return None


def kronecker_fixpoint(patterns: Sequence[tuple[int, int, int, int]]) -> bool:
    """True if :func:`reduce_chain` takes no step on a chain whose factors *equal* these patterns.

    ``patterns`` must be chainable (:func:`closure_check.chains.chainable.pair_chainable`
    for each consecutive pair).  Decided from the parameters alone, in O(N), with the
    answer :func:`reduce_chain` would reach by its sparse computations
    (``docs/theory.md`` §6, "Reductions of a chainable chain"):

    * no inner index is empty: every column of ``S_(a,b,c,d)`` has b ≥ 1 nonzeros and
      every row c ≥ 1;
    * no factor is a partial permutation unless ``b = c = 1`` (then this returns False
      and the caller takes the sparse path);
    * for a chainable pair ``(a,b,c,d), (a',b',c',d')`` of rank ``r = a c / a'``, the pair
      graph has ``a d'`` components, each with ``(a'/a)(d/d') r`` units of ``b + c' − 1``
      degrees of freedom and ``(b d/d')(a' c'/a)`` cells (the chainable pair lemma: the
      product is dense on each component), so :func:`_full_pair_proof` rejects the pair by
      its dimension count iff ``r (b + c' − 1) < b c'``, or by its cell budget iff a
      component has more than ``MAX_CELLS`` cells.  When neither rejects it, this returns
      False (a full-space proof may exist: the caller takes the sparse path).
    """
    if any(b == c == 1 for _, b, c, _ in patterns):
        return False
    for (a, b, c, d), (a2, _, c2, d2) in zip(patterns, patterns[1:]):
        rank = a * c // a2
        cells = (b * d // d2) * (a2 * c2 // a)
        if rank * (b + c2 - 1) >= b * c2 and cells <= MAX_CELLS:
            return False
    return True


def reduce_chain(chain: ChainSupport) -> ChainReduction:
    """Apply the exact reductions to a fixpoint.

    Every step keeps the set of products (``docs/theory.md`` §6), so the reduced chain
    is closed iff the original is, and has the same closure.  The length decreases at
    every merge and the inner dimensions at every deletion, so the loop ends.
    """
    chains = [chain]
    steps: list[Step] = []
    while (found := _next_step(chains[-1])) is not None:
        step, after = found
        steps.append(step)
        chains.append(after)
    return ChainReduction(tuple(chains), tuple(steps))


# --------------------------------------------------------------------------- lifting


def _lift_empty(step: Step, after: tuple[Factor, ...], before: ChainSupport) -> tuple[Factor, ...]:
    level = step["level"]
    keep = np.setdiff1d(np.arange(before.factors[level - 1].shape[1]), np.asarray(step["indices"])).tolist()
    factors = list(after)
    factors[level - 1] = {(i, keep[k]): value for (i, k), value in after[level - 1].items()}
    factors[level] = {(keep[k], j): value for (k, j), value in after[level].items()}
    return tuple(factors)


def _relabel(entries: Factor, source: dict[int, int], axis: int) -> Factor:
    """Move every entry's row (axis 0) or column (axis 1) through ``source``."""
    moved: Factor = {}
    for cell, value in entries.items():
        if cell[axis] not in source:
            raise ChainReductionError(f"entry {cell} of the merged factor lies outside its support")
        moved[(source[cell[0]], cell[1]) if axis == 0 else (cell[0], source[cell[1]])] = value
    return moved


def _lift_partial_permutation(step: Step, after: tuple[Factor, ...], before: ChainSupport) -> tuple[Factor, ...]:
    level, into = step["level"], step["into"]
    permutation = before.factors[level - 1].tocoo()
    pairs = list(zip(permutation.row.tolist(), permutation.col.tolist()))
    ones: Factor = {pair: Laurent.constant(1) for pair in pairs}
    if into == "left":
        # W' = W_{ℓ-1} W_ℓ: column j of W' is column k_j of W_{ℓ-1}, where I_ℓ[k_j, j] = 1.
        position = level - 2
        lifted = (_relabel(after[position], {j: k for k, j in pairs}, 1), ones)
    else:
        # W' = W_ℓ W_{ℓ+1}: row i of W' is row k_i of W_{ℓ+1}, where I_ℓ[i, k_i] = 1.
        position = level - 1
        lifted = (ones, _relabel(after[position], dict(pairs), 0))
    return tuple(after[:position]) + lifted + tuple(after[position + 1:])


FIXED_VALUE_SEEDS = (None, 1, 2)
"""Constants tried for the fixed vectors of the fixed-factor lift: all ones (``None``),
then seeded pseudo-random integers (1..9, then 1..2^20)."""
RANDOM_SIDES = 4
"""Seeded pseudo-random choices of the fixed side per unit, after the four systematic ones."""


def _side_choices(units: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> list[tuple[bool, ...]]:
    """Which vector each unit holds fixed: True = row k of ``W_{ℓ+1}`` (column k of ``W_ℓ`` solved for).

    All rows fixed, all columns fixed, the longer vector solved for (ties either way),
    then :data:`RANDOM_SIDES` seeded choices; duplicates removed.
    """
    choices = [
        tuple(True for _ in units),
        tuple(False for _ in units),
        tuple(len(rows) >= len(cols) for rows, cols in units),
        tuple(len(rows) > len(cols) for rows, cols in units),
    ]
    rng = Random(0)
    choices += [tuple(rng.random() < 0.5 for _ in units) for _ in range(RANDOM_SIDES)]
    return list(dict.fromkeys(choices))


def _fixed_values(count: int, seed: int | None) -> list[Fraction]:
    if seed is None:
        return [Fraction(1)] * count
    rng, top = Random(seed), (9 if seed == 1 else 2**20)
    return [Fraction(rng.randint(1, top)) for _ in range(count)]


def _solve_exactly(equations: list[dict[int, Fraction]], targets: list[Laurent]) -> dict[int, Laurent] | None:
    """Unknowns u with ``Σ_v equations[c][v] u_v = targets[c]`` for every c, exact, or None.

    Gauss–Jordan elimination of ``[E | I]`` gives ``T E = R`` in reduced row echelon form
    (``T`` invertible).  The system is solvable iff ``(T m)_r = 0`` for every zero row r
    of R (always, when E has full row rank); then ``u_{p_r} = (T m)_r`` at the pivot
    column ``p_r`` of each nonzero row, every other unknown 0, solves ``E u = m``.
    """
    rows = [(dict(eq), {c: Fraction(1)}) for c, eq in enumerate(equations)]
    pivots: list[int] = []
    for r in range(len(rows)):
        candidates = [(min(rows[s][0]), s) for s in range(r, len(rows)) if rows[s][0]]
        if not candidates:
            break
        column, s = min(candidates)
        rows[r], rows[s] = rows[s], rows[r]
        left, right = rows[r]
        scale = 1 / left[column]
        rows[r] = ({v: a * scale for v, a in left.items()}, {c: a * scale for c, a in right.items()})
        for other in range(len(rows)):
            factor = rows[other][0].get(column) if other != r else None
            if factor:
                rows[other] = (_axpy(rows[other][0], rows[r][0], -factor), _axpy(rows[other][1], rows[r][1], -factor))
        pivots.append(column)

    def combination(r: int) -> Laurent:
        return sum((targets[c] * a for c, a in rows[r][1].items()), Laurent())

    if any(not combination(r).is_zero() for r in range(len(pivots), len(rows))):
        return None
    return {column: combination(r) for r, column in enumerate(pivots)}


def _axpy(target: dict[int, Fraction], source: dict[int, Fraction], factor: Fraction) -> dict[int, Fraction]:
    """``target + factor · source`` on sparse vectors, zeros dropped."""
    result = dict(target)
    for key, value in source.items():
        total = result.get(key, Fraction(0)) + factor * value
        if total:
            result[key] = total
        else:
            result.pop(key, None)
    return result


def _lift_component(
    units: list[tuple[tuple[int, ...], tuple[int, ...]]],
    members: list[int],
    cells: list[Cell],
    merged: Factor,
) -> tuple[Factor, Factor] | None:
    """Entries of ``W_ℓ`` and ``W_{ℓ+1}`` on one component with product ``merged`` on ``cells``."""
    for fix_rows in _side_choices([units[k] for k in members]):
        fixed_lines = [
            (k, line) for k, fixed in zip(members, fix_rows) for line in (units[k][1] if fixed else units[k][0])
        ]
        unknowns = [
            (k, line) for k, fixed in zip(members, fix_rows) for line in (units[k][0] if fixed else units[k][1])
        ]
        index = {key: v for v, key in enumerate(unknowns)}
        sides = dict(zip(members, fix_rows))
        for seed in FIXED_VALUE_SEEDS:
            values = dict(zip(fixed_lines, _fixed_values(len(fixed_lines), seed)))
            equations: dict[Cell, dict[int, Fraction]] = {cell: {} for cell in cells}
            for k in members:
                rows, cols = units[k]
                for i in rows:
                    for j in cols:
                        # W_ℓ[i, k] W_{ℓ+1}[k, j]: the fixed entry times the unknown one.
                        const, unknown = ((k, j), (k, i)) if sides[k] else ((k, i), (k, j))
                        equations[(i, j)][index[unknown]] = values[const]
            solution = _solve_exactly([equations[cell] for cell in cells], [merged.get(c, Laurent()) for c in cells])
            if solution is None:
                continue
            left: Factor = {}
            right: Factor = {}
            for (k, line), value in values.items():
                target, cell = (right, (k, line)) if sides[k] else (left, (line, k))
                target[cell] = Laurent.constant(value)
            for v, value in solution.items():
                k, line = unknowns[v]
                if not value.is_zero():
                    target, cell = (left, (line, k)) if sides[k] else (right, (k, line))
                    target[cell] = value
            return left, right
    return None


def _lift_full_pair(step: Step, after: tuple[Factor, ...], before: ChainSupport) -> tuple[Factor, ...]:
    """Undo a full-pair merge by the fixed-factor lift, component by component (exact)."""
    level = step["level"]
    left, right = before.factors[level - 1], before.factors[level]
    m = left.shape[0]
    merged = after[level - 1]
    product = product_support(left, right).tocoo()
    allowed = set(zip(product.row.tolist(), product.col.tolist()))
    outside = [cell for cell, value in merged.items() if cell not in allowed and not value.is_zero()]
    if outside:
        raise ChainReductionError(f"entry {outside[0]} of the merged factor lies outside bool(I_{level} I_{level + 1})")
    _, labels = _pair_components(left, right)
    units = _pair_units(left, right)
    lifted_left: Factor = {}
    lifted_right: Factor = {}
    members_of: dict[int, list[int]] = {}
    for k in range(left.shape[1]):
        members_of.setdefault(int(labels[m + k]), []).append(k)
    cells_of: dict[int, list[Cell]] = {}
    for cell in sorted(allowed):
        cells_of.setdefault(int(labels[cell[0]]), []).append(cell)
    for component, cells in cells_of.items():
        members = members_of.get(component, [])
        solved = _lift_component(units, members, cells, merged)
        if solved is None:
            raise ChainReductionError(
                f"the fixed-factor lift found no solvable choice for the full pair at chain level {level} "
                f"on the component of rows {sorted({i for i, _ in cells})}"
            )
        lifted_left.update(solved[0])
        lifted_right.update(solved[1])
    check = ChainCurve(factors=(lifted_left, lifted_right), limit={}).product()
    if check != {cell: value for cell, value in merged.items() if not value.is_zero()}:
        raise ChainReductionError(f"the fixed-factor lift at level {level} does not reproduce the merged factor")
    return tuple(after[: level - 1]) + (lifted_left, lifted_right) + tuple(after[level:])


def lift_curve(reduction: ChainReduction, curve: ChainCurve, *, full_pairs: bool = False) -> ChainCurve:
    """Lift a curve of the reduced chain to the original chain, with the same product.

    With ``full_pairs`` a full-pair merge is undone by the fixed-factor lift (module
    docstring); without it a full-pair step is refused.

    Raises
    ------
    ChainReductionError
        If a step is a full-pair merge and ``full_pairs`` is False, or the fixed-factor
        lift finds no solvable choice, or the curve does not have as many factors as the
        reduced chain (or has an entry outside a merged factor's support).
    """
    if not full_pairs and not reduction.liftable:
        raise ChainReductionError("a full-pair merge has no explicit lift of curves")
    if len(curve.factors) != reduction.reduced.length:
        raise ChainReductionError(
            f"the curve has {len(curve.factors)} factors, the reduced chain {reduction.reduced.length}"
        )
    factors = tuple(curve.factors)
    for step, before in zip(reversed(reduction.steps), reversed(reduction.chains[:-1])):
        if step["rule"] == "empty-inner-index":
            factors = _lift_empty(step, factors, before)
        elif step["rule"] == "full-pair":
            factors = _lift_full_pair(step, factors, before)
        else:
            factors = _lift_partial_permutation(step, factors, before)
    return ChainCurve(factors=factors, limit=dict(curve.limit))


# --------------------------------------------------------------------------- text


def _describe(step: Step) -> str:
    level = step["level"]
    if step["rule"] == "empty-inner-index":
        return (
            f"inner index/indices {step['indices']} between W{level} and W{level + 1} have an empty column of "
            f"I_{level} or an empty row of I_{level + 1}: deleted (empty-inner-index lemma)"
        )
    if step["rule"] == "partial-permutation":
        other = level - 1 if step["into"] == "left" else level + 1
        first, second = sorted((level, other))
        return (
            f"I_{level} has at most one nonzero per row and per column, so W{first}W{second} ranges over every "
            f"matrix supported on bool(I_{first} I_{second}): the two factors are merged (partial-permutation lemma)"
        )
    return (
        f"the pair (I_{level}, I_{level + 1}ᵀ) produces every matrix supported on bool(I_{level} I_{level + 1}) "
        f"(full-space lemma on each of its {len(step['proof'])} component(s)): W{level} and W{level + 1} are "
        f"merged (full-pair lemma)"
    )
