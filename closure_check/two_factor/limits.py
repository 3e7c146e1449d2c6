"""Candidate limits for the refutation search, derived from the part's structure
(``docs/theory.md`` §5, "Rank-bound lemma", "Divergent-curve limits", "Lifting a part's curve").

:func:`closure_check.two_factor.engine.refute_part` looks for a matrix A in the closure of
P but not in P.  This module gives it three things, all exact:

* :class:`PartProblem` -- the part's masked problem: its rank-one units (each class's
  rectangle once per unit, with the unit's number in the support), its visible cells and
  the hidden cells of its rectangles.
* Two cheap *filters* that only skip candidates, never decide: :meth:`PartProblem.rank_violation`
  (a necessary condition for A to be in the closure: on a fully visible submatrix the rank
  of A is at most the number of units meeting it, rank-bound lemma) and
  :meth:`PartProblem.evident_product` (a sufficient condition for A ∈ P: A is an
  all-ones pattern splitting into rectangles, one inside each of some units, explicit factors).
* :func:`divergent_curve_limits` -- *curve-first* candidates: Laurent curves of degree d
  on the part's units whose negative powers vanish on every visible cell by construction
  (Y drawn with small integer entries on sparse supports, X from the exact integer
  nullspace of the linear equations the cancellation imposes), so their constant term A is a
  limit of products before anything is asked of it; :func:`lift_curve` turns such a part
  curve into a curve of the whole support (the absorbed classes cancel whatever the part's
  units produce on the hidden cells, "Realising hidden cells").  The limits have entries
  beyond ±1 and as many nonzeros as the curve gives; only A ∉ P (a Nullstellensatz
  identity) is left to find.
* *Structured* candidates: :func:`structured_candidates` lists first the 0/1 candidates with
  two equal private rows or columns (the limit of a cancelling pair of units), :func:`pair_curve`
  builds such a limit's degree-1 curve explicitly, and :meth:`PartProblem.rank_obstruction`
  shows a candidate of rank m (the number of units) is not a product by linear algebra alone
  (rank-m obstruction lemma), so that only its Nullstellensatz identity is left to find.

The draws use :class:`random.Random` with a fixed seed (the Mersenne Twister, the same
sequence on every platform and Python version), so the candidates, and the verdicts, are
the same on every machine.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator

import flint
import numpy as np

from closure_check.certificates.two_factor import Cell, Curve
from closure_check.core.budget import Effort
from closure_check.core.laurent import Laurent
from closure_check.two_factor.reduce import ComponentReduction, Part

__all__ = [
    "PartCurve",
    "PartProblem",
    "divergent_curve_limits",
    "lift_curve",
    "pair_curve",
    "part_problem_of",
    "structured_candidates",
]

CURVE_SEED = 20261203
"""Seed of the deterministic draws of :func:`divergent_curve_limits`."""

RANK_BOUND_SUBMATRICES = 20_000
"""Largest number of square submatrices of one side that :meth:`PartProblem.rank_bounds` looks at."""

EQUATIONS_MAX_LENGTH = 200
"""Basis length at which :meth:`PartProblem.closure_equations` stops its Buchberger run."""

EVIDENT_MAX_NONZEROS = 8
""":meth:`PartProblem.evident_product` looks at candidates with at most this many nonzeros
(its search is exponential in them; a larger candidate simply goes to the Gröbner test)."""

Y_VALUES = (-2, -1, 1, 1, 2, 3)
"""Values drawn for the entries of Y's coefficients (small, 1 twice as likely)."""


OBSTRUCTION_PRIME = 2**61 - 1
"""The prime modulo which :meth:`PartProblem.rank_obstruction` does its linear algebra."""


def _echelon(vectors: list[list[int]]) -> list[list[int]]:
    """A reduced row-echelon basis (pivot entries 1) of the span of ``vectors`` over GF(p),
    p = :data:`OBSTRUCTION_PRIME`."""
    p = OBSTRUCTION_PRIME
    basis: list[tuple[int, list[int]]] = []
    for vector in vectors:
        v = [x % p for x in vector]
        for pivot, row in basis:
            if v[pivot]:
                factor = v[pivot]
                v = [(a - factor * b) % p for a, b in zip(v, row)]
        lead = next((n for n, x in enumerate(v) if x), None)
        if lead is None:
            continue
        inverse = pow(v[lead], p - 2, p)
        v = [(x * inverse) % p for x in v]
        basis = [(pivot, [(a - row[lead] * b) % p for a, b in zip(row, v)] if row[lead] else row) for pivot, row in basis]
        basis.append((lead, v))
    return [row for _, row in sorted(basis)]


def _annihilator(vectors: list[list[int]], n: int) -> list[list[int]]:
    """A basis of ``{z ∈ GF(p)^n : zᵀv = 0 for every v in vectors}``."""
    rows = _echelon(vectors)
    pivots = [next(c for c, x in enumerate(row) if x) for row in rows]
    basis = []
    for c in range(n):
        if c in pivots:
            continue
        z = [0] * n
        z[c] = 1
        for pivot, row in zip(pivots, rows):
            z[pivot] = (-row[c]) % OBSTRUCTION_PRIME
        basis.append(z)
    return basis


def _side_obstructed(columns: list[list[int]], rows: list[set[int]], cols: list[set[int]]) -> bool:
    """One side of :meth:`PartProblem.rank_obstruction`: A by its columns (vectors over the
    rows), unit k with rows ``rows[k]`` and columns ``cols[k]``; True when one of the lemma's
    conditions (1)–(3) fails for some T.  ``v[k]`` spans ``V_k = C(A) ∩ F^{R_k}`` (the
    annihilator of C(A)'s annihilator and of the coordinates outside ``R_k``), ``off_u[k]`` is the
    annihilator of ``U_k = C(A_{:,C_kᶜ})``, and ``d`` spans ``D_T`` (the annihilator of the sum of
    the ``off_u[k]``, ``k ∈ T``)."""
    n, m = len(columns[0]), len(rows)
    unit = [[int(i == r) for i in range(n)] for r in range(n)]
    off_v = _annihilator(columns, n)
    v = [_annihilator(off_v + [unit[r] for r in range(n) if r not in rows[k]], n) for k in range(m)]
    off_u = [_annihilator([columns[j] for j in range(len(columns)) if j not in cols[k]], n) for k in range(m)]
    for size in range(1, m + 1):
        for T in itertools.combinations(range(m), size):
            d = _annihilator([z for k in T for z in off_u[k]], n)
            if len(d) > m - size or len(_echelon([x for k in T for x in v[k]] + d)) - len(d) < size:
                return True
            rest = [k for k in range(m) if k not in T]
            for count in range(1, len(rest) + 1):
                for S in itertools.combinations(rest, count):
                    spanned = [x for k in S for x in v[k]]
                    if len(_echelon(spanned + d)) > len(_echelon(spanned)) + m - size - count:
                        return True
    return False


@dataclass(frozen=True)
class PartProblem:
    """A part's masked problem: units ``(unit number, rows, cols)`` (global indices), visible cells, hidden cells."""

    units: tuple[tuple[int, tuple[int, ...], tuple[int, ...]], ...]
    cells: tuple[Cell, ...]
    hidden: frozenset[Cell]

    def covering(self, cell: Cell) -> list[int]:
        """Positions (in :attr:`units`) of the units whose rectangle contains ``cell``."""
        i, j = cell
        return [p for p, (_, rows, cols) in enumerate(self.units) if i in rows and j in cols]

    def rank_bounds(self) -> list[tuple[tuple[int, ...], tuple[int, ...], int]]:
        """``(rows, cols, b)`` for every submatrix without hidden cells on which the units meeting
        it are fewer than its size: a limit A, taken as 0 off the visible cells, has
        ``rank A[rows, cols] ≤ b`` there (rank-bound lemma).

        Only minimal useful submatrices are kept: square ones of side ``b + 1``; sides with more
        than :data:`RANK_BOUND_SUBMATRICES` row-and-column choices are not listed (the list
        only filters, so leaving some out costs candidates, never soundness).
        """
        all_rows = sorted({i for i, _ in self.cells})
        all_cols = sorted({j for _, j in self.cells})
        bounds = []
        for side in range(2, min(len(all_rows), len(all_cols)) + 1):
            if math.comb(len(all_rows), side) * math.comb(len(all_cols), side) > RANK_BOUND_SUBMATRICES:
                continue
            for rows in itertools.combinations(all_rows, side):
                for cols in itertools.combinations(all_cols, side):
                    if any((i, j) in self.hidden for i in rows for j in cols):
                        continue  # the part's units are free there; elsewhere off V they give 0
                    meeting = sum(
                        1 for _, r, c in self.units if any(i in r for i in rows) and any(j in c for j in cols)
                    )
                    if meeting == side - 1:
                        bounds.append((rows, cols, meeting))
        return bounds

    def rank_violation(self, limit: dict[Cell, Fraction], bounds: list[tuple[tuple[int, ...], tuple[int, ...], int]]) -> bool:
        """True when A breaks one of ``bounds`` (then A is not a limit of products: skip it)."""
        for rows, cols, _ in bounds:
            if any(limit.get((i, j), 0) != 0 for i in rows for j in cols):
                entries = [[limit.get((i, j), Fraction(0)) for j in cols] for i in rows]
                matrix = flint.fmpq_mat([[flint.fmpq(v.numerator, v.denominator) for v in line] for line in entries])
                if matrix.det() != 0:
                    return True
        return False

    def rank(self, limit: dict[Cell, Fraction]) -> int:
        """The rank of the integer matrix A (0 off its cells), modulo :data:`OBSTRUCTION_PRIME`."""
        n = 1 + max(i for i, _ in self.cells)
        p = 1 + max(j for _, j in self.cells)
        entries = [0] * (n * p)
        for (i, j), value in limit.items():
            entries[i * p + j] = int(value) % OBSTRUCTION_PRIME
        return flint.nmod_mat(n, p, entries, OBSTRUCTION_PRIME).rank()

    def rank_obstruction(self, limit: dict[Cell, Fraction]) -> bool:
        """True when A (0 off its cells) has rank m, the number of units, and breaks one of the
        conditions every member of the part's set of rank m meets (rank-m obstruction lemma,
        ``docs/theory.md`` §5): then A ∉ P, over ℂ as well.  Only for parts without hidden cells
        (the caller checks) and integer A.

        The linear algebra is done modulo :data:`OBSTRUCTION_PRIME`: it agrees with the rational
        one unless the prime divides one of the minors involved.  The answer only orders the
        search (a candidate still needs its Nullstellensatz identity), so such an error would cost
        order, never soundness.
        """
        if self.rank(limit) != len(self.units):
            return False
        n = 1 + max(i for i, _ in self.cells)
        p = 1 + max(j for _, j in self.cells)
        matrix = [[int(limit.get((i, j), 0)) for j in range(p)] for i in range(n)]
        rows = [set(r) for _, r, _ in self.units]
        cols = [set(c) for _, _, c in self.units]
        columns = [[matrix[i][j] for i in range(n)] for j in range(p)]
        return _side_obstructed(columns, rows, cols) or _side_obstructed(matrix, cols, rows)

    def closure_equations(self, effort: Effort, max_length: int = EQUATIONS_MAX_LENGTH) -> list[dict[Cell, object]]:
        """Polynomials in the visible cells vanishing on the closure of the part's set
        (ideal-member lemma): the elements free of the factor variables among those of a
        lexicographic Buchberger run on ``a_ij − Σ_k x_ik y_jk`` (visible cells), stopped at
        ``max_length`` basis elements if it gets there (its elements are in the ideal all the
        same).  Each is returned as a flint polynomial with its cell order; charged to ``effort``
        like the Zariski eliminations (:data:`~closure_check.core.budget.GROEBNER_COSTS`, lex).
        """
        x_entries = [(i, p) for p, (_, rows, _) in enumerate(self.units) for i in rows]
        y_entries = [(j, p) for p, (_, _, cols) in enumerate(self.units) for j in cols]
        cells = list(self.cells)
        offset = len(x_entries) + len(y_entries)
        context = flint.fmpz_mpoly_ctx.get(("v", offset + len(cells)), "lex")
        gens = context.gens()
        x = {entry: gens[n] for n, entry in enumerate(x_entries)}
        y = {entry: gens[len(x_entries) + n] for n, entry in enumerate(y_entries)}
        equations = []
        for n, cell in enumerate(cells):
            poly = gens[offset + n]
            for p in self.covering(cell):
                poly -= x[(cell[0], p)] * y[(cell[1], p)]
            equations.append(poly)
        limits = effort.groebner_limits((max_length, 1 << 30, 1 << 30), "lex")
        basis, _ = flint.fmpz_mpoly_vec(equations, context).buchberger_naive(limits=limits)
        effort.charge_groebner(len(basis), "lex")
        kept = []
        for poly in basis:
            terms = {tuple(int(e) for e in monomial): int(c) for monomial, c in poly.to_dict().items()}
            if terms and not any(any(monomial[:offset]) for monomial in terms):
                kept.append({"cells": cells, "terms": {monomial[offset:]: c for monomial, c in terms.items()}})
        return kept

    @staticmethod
    def equation_violation(limit: dict[Cell, Fraction], equations: list[dict[Cell, object]]) -> bool:
        """True when A does not vanish on one of ``equations`` (then A is not a limit: skip it)."""
        for equation in equations:
            values = [limit.get(cell, Fraction(0)) for cell in equation["cells"]]
            total = Fraction(0)
            for monomial, coefficient in equation["terms"].items():
                term = Fraction(coefficient)
                for value, power in zip(values, monomial):
                    if power:
                        term *= value**power
                        if not term:
                            break
                total += term
            if total:
                return True
        return False

    def evident_product(self, limit: dict[Cell, Fraction]) -> bool:
        """True when A is all ones on its nonzero cells and these split into rectangles
        ``R'×C'``, each inside a different unit's rectangle, such that every visible cell of
        ``R'×C'`` is a nonzero of A assigned to it (then ``x = 1_{R'}``, ``y = 1_{C'}`` for those
        units, 0 for the others, give A on the visible cells: A ∈ P, skip it)."""
        return self.evident_groups(limit) is not None

    def evident_groups(self, limit: dict[Cell, Fraction]) -> dict[int, list[Cell]] | None:
        """The split of :meth:`evident_product` (position in :attr:`units` → its nonzero cells),
        or None; a depth-first search over the assignments of the nonzero cells."""
        if any(v != 1 for v in limit.values()) or len(limit) > EVIDENT_MAX_NONZEROS:
            return None
        cells = sorted(limit)
        visible = set(self.cells)

        def box(group: list[Cell]) -> list[Cell]:
            rows, cols = {i for i, _ in group}, {j for _, j in group}
            return [(i, j) for i in rows for j in cols if (i, j) in visible]

        def assign(index: int, groups: dict[int, list[Cell]]) -> bool:
            if index == len(cells):
                return all(set(box(group)) == set(group) for group in groups.values())
            for unit in self.covering(cells[index]):
                group = groups.setdefault(unit, [])
                group.append(cells[index])
                if all(cell in limit for cell in box(group)) and assign(index + 1, groups):
                    return True
                group.pop()
            return False

        groups: dict[int, list[Cell]] = {}
        return {unit: group for unit, group in groups.items() if group} if assign(0, groups) else None


def part_problem_of(reduction: ComponentReduction, part: Part) -> PartProblem:
    """The :class:`PartProblem` of a part of a reduced component (global indices)."""
    units = []
    cells: set[Cell] = set()
    hidden: set[Cell] = set()
    for block in part.classes:
        rows, cols = tuple(int(i) for i in block.rows), tuple(int(j) for j in block.cols)
        units.extend((int(unit), rows, cols) for unit in block.units)
        visible = reduction.visible_block(block)
        for a, i in enumerate(rows):
            for b, j in enumerate(cols):
                (cells if visible[a, b] else hidden).add((i, j))
    return PartProblem(tuple(units), tuple(sorted(cells)), frozenset(hidden))


def _private_pairs(sets: list[set[int]]) -> set[tuple[int, int]]:
    """Pairs ``(r, r')``, ``r < r'``, of lines private to two units: r in unit k's set and not l's, r' the other way."""
    pairs = set()
    for a, b in itertools.permutations(range(len(sets)), 2):
        pairs.update((min(r, s), max(r, s)) for r in sets[a] - sets[b] for s in sets[b] - sets[a])
    return pairs


def structured_candidates(problem: PartProblem, max_nonzeros: int) -> list[dict[Cell, Fraction]]:
    """The 0/1 matrices on the visible cells with at most ``max_nonzeros`` nonzeros in which two
    rows private to two units (a row of unit k outside unit l's rows and one of unit l outside
    unit k's) are equal and nonzero, or two such columns are: the limit ``(e_r + e_r') bᵀ`` of a
    cancelling pair ``x_k y_kᵀ + x_l y_lᵀ`` of a degree-1 curve (``docs/theory.md`` §5,
    "Structured candidates").  Most such pairs first, then fewest nonzeros, then the order of
    :func:`~closure_check.two_factor.curves.candidate_limits`.  Only an order: every candidate
    still goes through the filters and the certificate.
    """
    row_pairs = _private_pairs([set(rows) for _, rows, _ in problem.units])
    col_pairs = _private_pairs([set(cols) for _, _, cols in problem.units])
    if not row_pairs and not col_pairs:
        return []
    cells = problem.cells
    # line masks: a candidate's row i is the bitmask of its columns there (and the other way)
    row_weight = np.zeros((len(cells), 1 + max(i for i, _ in cells)), dtype=np.int64)
    col_weight = np.zeros((len(cells), 1 + max(j for _, j in cells)), dtype=np.int64)
    for n, (i, j) in enumerate(cells):
        row_weight[n, i] = 1 << j
        col_weight[n, j] = 1 << i
    scored = []
    offset = 0
    for count in range(1, min(max_nonzeros, len(cells)) + 1):
        chosen = np.array(list(itertools.combinations(range(len(cells)), count)), dtype=np.int64)
        rows, cols = row_weight[chosen].sum(axis=1), col_weight[chosen].sum(axis=1)
        score = np.zeros(len(chosen), dtype=np.int64)
        for masks, pairs in ((rows, row_pairs), (cols, col_pairs)):
            for r, t in pairs:
                score += (masks[:, r] != 0) & (masks[:, r] == masks[:, t])
        scored.extend((-int(score[n]), count, offset + n, chosen[n]) for n in np.flatnonzero(score))
        offset += len(chosen)
    scored.sort(key=lambda entry: entry[:3])
    return [{cells[int(n)]: Fraction(1) for n in chosen} for *_, chosen in scored]


def pair_curve(problem: PartProblem, limit: dict[Cell, Fraction]) -> "PartCurve | None":
    """A degree-1 curve on the part's units converging to A through one cancelling pair, or None.

    Looks for units k, l sharing a row i and a column j such that A's row i lies in
    ``C_k ∪ C_l``, A's column j (without the cell (i, j)) lies in ``R_k ∪ R_l``, and A without
    row i and column j is an evident product of the other units.  Then ``w`` = row i of A,
    ``v`` = column j of A without (i, j), and ``x_k = e_i + t v|_{R_k}``,
    ``y_k = t⁻¹ e_j + w|_{C_k}``, ``x_l = −e_i + t v|_{R_l∖R_k}``,
    ``y_l = t⁻¹ e_j − w|_{C_l∖C_k}``, the other units constant, give ``A + O(t)``
    (``docs/theory.md`` §5, "Structured candidates").  Only for parts without hidden cells
    and 0/1 A; the caller checks the curve exactly.
    """
    if problem.hidden:
        return None
    for (k, (unit_k, rows_k, cols_k)), (l, (unit_l, rows_l, cols_l)) in itertools.combinations(enumerate(problem.units), 2):
        for i in sorted(set(rows_k) & set(rows_l)):
            row = {j: v for (a, j), v in limit.items() if a == i}
            if not set(row) <= set(cols_k) | set(cols_l):
                continue
            for j in sorted(set(cols_k) & set(cols_l)):
                column = {a: v for (a, b), v in limit.items() if b == j and a != i}
                if not set(column) <= set(rows_k) | set(rows_l):
                    continue
                rest = {cell: v for cell, v in limit.items() if cell[0] != i and cell[1] != j}
                others = PartProblem(tuple(u for n, u in enumerate(problem.units) if n not in (k, l)), problem.cells, problem.hidden)
                groups = others.evident_groups(rest) if rest else {}
                if groups is None:
                    continue
                one = Laurent.constant(1)
                x: dict[Cell, Laurent] = {(i, unit_k): one, (i, unit_l): -one}
                y: dict[Cell, Laurent] = {(j, unit_k): Laurent.monomial(-1, 1), (j, unit_l): Laurent.monomial(-1, 1)}
                for a, value in column.items():
                    key = (a, unit_k) if a in rows_k else (a, unit_l)
                    x[key] = x.get(key, Laurent()) + Laurent.monomial(1, value)
                for b, value in row.items():
                    key, sign = ((b, unit_k), 1) if b in cols_k else ((b, unit_l), -1)
                    y[key] = y.get(key, Laurent()) + Laurent.constant(sign * value)
                for position, group in groups.items():
                    unit = others.units[position][0]
                    x.update({(a, unit): one for a in {a for a, _ in group}})
                    y.update({(b, unit): one for b in {b for _, b in group}})
                return PartCurve(x, y, dict(limit))
    return None


@dataclass(frozen=True)
class PartCurve:
    """A Laurent curve on a part's units (keys ``(row, unit)``, ``(col, unit)``) and its limit on the visible cells."""

    x: dict[Cell, Laurent]
    y: dict[Cell, Laurent]
    limit: dict[Cell, Fraction]


def divergent_curve_limits(problem: PartProblem, degree: int, draws: int, seed: int = CURVE_SEED) -> Iterator[PartCurve]:
    """Limits of Laurent curves on the part's units, ``draws`` draws of Y at ``degree`` d.

    ``X(t) = Σ_{e=0}^{d} X_e t^e`` and ``Y(t) = Σ_{f=0}^{d} Y_f t^{-f}``.  Each draw picks the
    supports of the ``Y_f`` (``Y_0`` dense-ish, the diverging ``Y_f`` sparse) and small
    integer values, then the coefficients of ``t^s``, ``s < 0``, of ``X(t)Y(t)ᵀ`` on the
    visible cells are linear in the ``X_e``: every integer vector of their nullspace gives
    a curve whose product is ``A + O(t)`` on the visible cells (Laurent curve lemma, hidden
    cells aside).  Yielded per draw: each nullspace basis vector, three signed sums of two or
    three of them, and one combination of all of them with weights in −3..3 (a generic point
    of the draw's limits); distinct nonzero limits only, each once.
    """
    rng = random.Random(seed * 7 + degree)
    x_entries = [(i, p) for p, (_, rows, _) in enumerate(problem.units) for i in rows]
    y_entries = [(j, p) for p, (_, _, cols) in enumerate(problem.units) for j in cols]
    position = {(e, entry): n for n, (e, entry) in enumerate((e, entry) for e in range(degree + 1) for entry in x_entries)}
    size = len(position)
    covering = {cell: problem.covering(cell) for cell in problem.cells}
    seen: set[tuple[tuple[Cell, Fraction], ...]] = set()
    for _ in range(draws):
        y: dict[tuple[int, Cell], int] = {}
        for f in range(degree + 1):
            density = 0.8 if f == 0 else 0.4
            for entry in y_entries:
                if rng.random() < density:
                    y[(f, entry)] = rng.choice(Y_VALUES)
        rows = []
        for i, j in problem.cells:
            for s in range(-degree, 0):
                row = [0] * size
                for p in covering[(i, j)]:
                    for e in range(degree + 1):
                        value = y.get((e - s, (j, p)), 0)
                        if value:
                            row[position[(e, (i, p))]] += value
                if any(row):
                    rows.append(row)
        if rows:
            kernel, dimension = flint.fmpz_mat(rows).nullspace()
            basis = [[int(kernel[n, c]) for n in range(size)] for c in range(dimension)]
        else:
            basis = [[int(n == c) for n in range(size)] for c in range(size)]
        if not basis:
            continue
        vectors = list(basis)
        for _ in range(3):
            chosen = rng.sample(basis, min(len(basis), rng.choice((2, 3))))
            signs = [rng.choice((-1, 1)) for _ in chosen]
            vectors.append([sum(s * v[n] for s, v in zip(signs, chosen)) for n in range(size)])
        weights = [rng.randint(-3, 3) for _ in basis]
        vectors.append([sum(w * v[n] for w, v in zip(weights, basis)) for n in range(size)])
        for z in vectors:
            limit: dict[Cell, Fraction] = {}
            for i, j in problem.cells:
                value = sum(
                    z[position[(e, (i, p))]] * y.get((e, (j, p)), 0) for p in covering[(i, j)] for e in range(degree + 1)
                )
                if value:
                    limit[(i, j)] = Fraction(value)
            key = tuple(sorted(limit.items()))
            if not limit or key in seen:
                continue
            seen.add(key)
            x_curve: dict[Cell, Laurent] = {}
            for (e, (i, p)), n in position.items():
                if z[n]:
                    cell = (i, problem.units[p][0])
                    x_curve[cell] = x_curve.get(cell, Laurent()) + Laurent.monomial(e, z[n])
            y_curve: dict[Cell, Laurent] = {}
            for (f, (j, p)), value in y.items():
                cell = (j, problem.units[p][0])
                y_curve[cell] = y_curve.get(cell, Laurent()) + Laurent.monomial(-f, value)
            yield PartCurve(x_curve, y_curve, limit)


def lift_curve(reduction: ComponentReduction, problem: PartProblem, curve: PartCurve) -> Curve:
    """The part's curve as a curve of the whole support converging to the same A.

    The part's units produce some Laurent matrix ``H(t)`` on the hidden cells; every hidden
    cell was first hidden by one absorbed class, complete on a rectangle ``R×C`` holding it
    with ``μ ≥ |R|`` or ``μ ≥ |C|``: with ``|R| ≤ μ`` its s-th unit gets ``x = e_{R[s]}`` and
    ``y =`` minus row ``R[s]`` of H on the cells it hid (or the transposed choice), which
    produces exactly ``−H`` on those cells and 0 elsewhere ("Realising hidden cells").  Every
    other unit stays 0.  So the lifted product is A + O(t) on the part's visible cells and 0
    on every other cell: the caller checks the result with :meth:`Curve.defects`.
    """
    unit_of = {unit for unit, _, _ in problem.units}
    product: dict[Cell, Laurent] = {}
    columns: dict[int, list[tuple[int, Laurent]]] = {}
    for (j, unit), value in curve.y.items():
        columns.setdefault(unit, []).append((j, value))
    for (i, unit), value in curve.x.items():
        for j, other in columns.get(unit, []):
            if (i, j) in problem.hidden:
                product[(i, j)] = product.get((i, j), Laurent()) + value * other
    x = dict(curve.x)
    y = dict(curve.y)
    for index, absorbed in enumerate(reduction.absorbed):
        if unit_of & {int(u) for u in absorbed.units}:
            raise ValueError("an absorbed class shares a unit with the part")
        local_rows, local_cols = reduction.local(absorbed.rows, absorbed.cols)
        share = {
            (int(i), int(j)): -product[(int(i), int(j))]
            for i, a in zip(absorbed.rows, local_rows)
            for j, b in zip(absorbed.cols, local_cols)
            if int(reduction.absorbed_by[a, b]) == index and not product.get((int(i), int(j)), Laurent()).is_zero()
        }
        if not share:
            continue
        by_rows = len(absorbed.rows) <= len(absorbed.cols)
        lines = absorbed.rows if by_rows else absorbed.cols
        for s, line in enumerate(lines):
            unit = int(absorbed.units[s])
            entries = {cell: value for cell, value in share.items() if cell[0 if by_rows else 1] == int(line)}
            if not entries:
                continue
            if by_rows:
                x[(int(line), unit)] = Laurent.constant(1)
                y.update({(j, unit): value for (_, j), value in entries.items()})
            else:
                y[(int(line), unit)] = Laurent.constant(1)
                x.update({(i, unit): value for (i, _), value in entries.items()})
    return Curve(x, y, dict(curve.limit))
