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

from closure_check.certificates.two_factor import Cell, Curve
from closure_check.core.budget import Effort
from closure_check.core.laurent import Laurent
from closure_check.two_factor.reduce import ComponentReduction, Part

__all__ = ["PartCurve", "PartProblem", "divergent_curve_limits", "lift_curve", "part_problem_of"]

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
        units, 0 for the others, give A on the visible cells: A ∈ P, skip it).  A depth-first
        search over the assignments of the nonzero cells."""
        if any(v != 1 for v in limit.values()) or len(limit) > EVIDENT_MAX_NONZEROS:
            return False
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

        return assign(0, {})


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
