"""Parts whose products fill every visible cell (``docs/theory.md``, "Full-space lemma").

A part left by the reductions is a list of rank-one *units* ``x_k y_kᵀ`` with
``supp x_k ⊆ R_k``, ``supp y_k ⊆ C_k`` and a set V of visible cells; the set studied is
``Q = {π_V(Σ_k x_k y_kᵀ)}``.  If ``Q = ℝ^V`` it is closed.  :func:`full_space_proof`
looks for a proof of ``Q = ℝ^V`` built from three exact facts:

* **fixed factor** -- if for one rational ``X₀`` respecting the supports the *linear* map
  ``Y ↦ π_V(X₀ Yᵀ)`` is onto ``ℝ^V`` (exact rank over ℚ), then ``Q = ℝ^V``; likewise with
  a fixed ``Y₀``;
* **absorption** -- a group of μ units with the same rectangle whose visible cells span
  rows R', columns C' with ``μ ≥ min(|R'|, |C'|)`` produces every matrix on ``R'×C'``
  (complete-classes lemma): if the other units fill the remaining cells, Q is full;
* **nested pair** -- two groups of units forming a nested pair whose rank conditions
  (nested-pair lemma) are empty on their rectangle;
* **restriction** -- shrinking a unit's rectangle to one of its rows (or columns) can
  only shrink Q, so if the restricted problem is full, so is Q; a unit restricted to one
  line is complete and is absorbed at once.

The search is a bounded depth-first search over restrictions; it is deterministic
(seeded integer choices of ``X₀``/``Y₀``) and each proof lists its steps, with the fixed
factor used, so that anyone can re-check it with one exact rank computation.

>>> proof = full_space_proof([((0, 1), (0, 1)), ((0, 1), (0, 2)), ((0, 1), (1, 2))],
...                          {(i, j) for i in range(2) for j in range(3)})
>>> proof is not None
True
>>> full_space_proof([((0, 1), (0, 1))], {(0, 0), (0, 1), (1, 0), (1, 1)}) is None
True
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import flint

__all__ = ["FixedFactor", "FullSpaceProof", "Unit", "full_space_proof"]

Cell = tuple[int, int]
Unit = tuple[tuple[int, ...], tuple[int, ...]]

MAX_NODES = 400
"""Problems visited by the restriction search before it gives up."""

MAX_CELLS = 144
"""Parts with more visible cells are not searched (the rule stays off the fast path of
large patterns; the search branches over every unit's rows and columns)."""


@dataclass(frozen=True)
class FixedFactor:
    """A fixed factor making the remaining map linear and onto.

    ``side`` is ``"x"`` (``X₀`` fixed, Y free) or ``"y"``; ``values`` maps (unit index,
    line) to the fixed entry; ``units`` and ``cells`` are the problem it applies to.
    """

    side: str
    units: tuple[Unit, ...]
    cells: tuple[Cell, ...]
    values: tuple[tuple[tuple[int, int], int], ...]


@dataclass(frozen=True)
class FullSpaceProof:
    """Steps showing ``Q = ℝ^V``, in order, and the fixed factor that ends it (if any)."""

    steps: tuple[str, ...]
    fixed: FixedFactor | None

    def text(self) -> str:
        """The proof in one paragraph."""
        return "; ".join(self.steps)


def _covered(unit: Unit, cells: frozenset[Cell]) -> frozenset[Cell]:
    rows, cols = unit
    return frozenset((i, j) for i in rows for j in cols if (i, j) in cells)


def linear_map_rank(units: Sequence[Unit], cells: Sequence[Cell], side: str, values: dict[tuple[int, int], int]) -> int:
    """Exact rank of ``Y ↦ π_V(X₀ Yᵀ)`` (side "x") or ``X ↦ π_V(X Y₀ᵀ)`` (side "y")."""
    index = {cell: n for n, cell in enumerate(cells)}
    entries: list[tuple[int, int, int]] = []
    column = 0
    for k, (rows, cols) in enumerate(units):
        fixed_lines, free_lines = (rows, cols) if side == "x" else (cols, rows)
        for free in free_lines:
            for fixed in fixed_lines:
                cell = (fixed, free) if side == "x" else (free, fixed)
                if cell in index:
                    entries.append((index[cell], column, values[(k, fixed)]))
            column += 1
    matrix = flint.fmpz_mat(len(cells), max(column, 1))
    for row, col, value in entries:
        matrix[row, col] = value
    return matrix.rank()


def _fixed_factor(units: tuple[Unit, ...], cells: frozenset[Cell], seed: int) -> FixedFactor | None:
    ordered = tuple(sorted(cells))
    generator = random.Random(seed)
    for side in ("x", "y"):
        free = sum(len(cols if side == "x" else rows) for rows, cols in units)
        if free < len(ordered):
            continue
        for _ in range(2):
            values = {
                (k, line): generator.choice([v for v in range(-30, 31) if v])
                for k, (rows, cols) in enumerate(units)
                for line in (rows if side == "x" else cols)
            }
            if linear_map_rank(units, ordered, side, values) == len(ordered):
                return FixedFactor(side, units, ordered, tuple(sorted(values.items())))
    return None


def _absorb(units: tuple[Unit, ...], cells: frozenset[Cell]) -> tuple[tuple[Unit, ...], frozenset[Cell], list[str]]:
    """Drop units covering no cell and absorb complete groups, to a fixpoint."""
    steps: list[str] = []
    changed = True
    while changed:
        changed = False
        units = tuple(unit for unit in units if _covered(unit, cells))
        for unit, mu in sorted(Counter(units).items()):
            covered = _covered(unit, cells)
            rows = {i for i, _ in covered}
            cols = {j for _, j in covered}
            if mu >= min(len(rows), len(cols)):
                remaining = list(units)
                for _ in range(mu):
                    remaining.remove(unit)
                units, cells = tuple(remaining), cells - covered
                steps.append(
                    f"{mu} unit(s) on {sorted(rows)}×{sorted(cols)} are complete there and fill its "
                    f"{len(covered)} visible cell(s) (absorption)"
                )
                changed = True
                break
    return units, cells, steps


def _full_nested_pair(units: tuple[Unit, ...], cells: frozenset[Cell]) -> str | None:
    """The step text if the units are a nested pair whose set is the whole rectangle.

    Two groups of μ1, μ2 units on ``R×C1`` and ``R×C2`` with ``C1 ⊊ C2``, every cell of
    ``R×C2`` visible: by the nested-pair lemma the set is
    ``{M : rank M ≤ μ1 + μ2, rank M[:, C2∖C1] ≤ μ2}``, all of ``ℝ^{R×C2}`` when
    ``μ1 + μ2 ≥ min(|R|, |C2|)`` and ``μ2 ≥ min(|R|, |C2∖C1|)``.  Likewise transposed.
    """
    groups = sorted(Counter(units).items())
    if len(groups) != 2:
        return None
    for axis, word in ((0, "rows"), (1, "columns")):
        (first, mu_first), (second, mu_second) = groups
        if first[axis] != second[axis]:
            continue
        other = 1 - axis
        small, mu_small, large, mu_large = first, mu_first, second, mu_second
        if len(small[other]) > len(large[other]):
            small, mu_small, large, mu_large = second, mu_second, first, mu_first
        inner, outer = set(small[other]), set(large[other])
        if not inner < outer:
            continue
        rectangle = {(i, j) for i in large[0] for j in large[1]}
        if cells != rectangle:
            continue
        shared, difference = len(large[axis]), len(outer - inner)
        if mu_small + mu_large >= min(shared, len(outer)) and mu_large >= min(shared, difference):
            return (
                f"the {mu_small}+{mu_large} units on {list(small[0])}×{list(small[1])} and "
                f"{list(large[0])}×{list(large[1])} are a nested pair with equal {word} whose rank "
                f"conditions are empty there (nested-pair lemma)"
            )
    return None


def full_space_proof(units: Iterable[Unit], cells: Iterable[Cell], seed: int = 0) -> FullSpaceProof | None:
    """A proof that ``π_V(Σ_k x_k y_kᵀ)`` fills ``ℝ^V``, or None if none is found.

    Parameters
    ----------
    units
        ``(rows, cols)`` of each rank-one unit (repeat a rectangle μ times for a class).
    cells
        The visible cells V (at most :data:`MAX_CELLS`; larger parts get None).
    seed
        Seed of the integer choices of the fixed factor.
    """
    cells = frozenset(cells)
    if len(cells) > MAX_CELLS:
        return None
    budget = [MAX_NODES]
    seen: set[tuple[tuple[Unit, ...], frozenset[Cell]]] = set()

    def search(current: tuple[Unit, ...], visible: frozenset[Cell]) -> FullSpaceProof | None:
        current, visible, steps = _absorb(current, visible)
        if not visible:
            return FullSpaceProof(tuple(steps) + ("no visible cell is left",), None)
        key = (tuple(sorted(current)), visible)
        if key in seen or budget[0] <= 0:
            return None
        seen.add(key)
        budget[0] -= 1
        nested = _full_nested_pair(current, visible)
        if nested is not None:
            return FullSpaceProof(tuple(steps) + (nested,), None)
        fixed = _fixed_factor(current, visible, seed)
        if fixed is not None:
            what = "X₀" if fixed.side == "x" else "Y₀"
            return FullSpaceProof(
                tuple(steps) + (f"with a fixed integer {what} the remaining linear map onto the {len(visible)} "
                                f"visible cell(s) has full rank (fixed-factor step)",),
                fixed,
            )
        for k, (rows, cols) in enumerate(current):
            others = current[:k] + current[k + 1:]
            lines = [((i,), cols, f"row {i}") for i in rows] + [(rows, (j,), f"column {j}") for j in cols]
            for new_rows, new_cols, word in lines:
                proof = search(others + ((new_rows, new_cols),), visible)
                if proof is not None:
                    step = f"restrict the unit on {list(rows)}×{list(cols)} to its {word} (restriction)"
                    return FullSpaceProof(tuple(steps) + (step,) + proof.steps, proof.fixed)
        return None

    return search(tuple((tuple(r), tuple(c)) for r, c in units), cells)
