"""Closure points from Laurent curves (``docs/theory.md``, "Laurent curve lemma").

A is in the closure of ``P_{I,J}`` iff some curve ``X(t), Y(t)`` of Laurent polynomials
respecting the supports has ``X(t) Y(t)ᵀ = A + O(t)``.  Multiplying every ``X`` entry by
``t^D`` and every ``Y`` entry by ``t^{-D}`` leaves the product unchanged, so it suffices to
search

    X(t) = Σ_{e=0}^{d} X_e t^e,   Y(t) = Σ_{e=0}^{d} Y_{-e} t^{-e},

for ``d = 1, 2, …``: the coefficients of ``t^s`` for ``s < 0`` must vanish and the constant
term must be A -- a system of bilinear equations in the ``X_e``, ``Y_{-e}``.
:func:`find_curve` solves it with z3 (``QF_NRA``) under a time limit and returns the
curve only after checking it exactly with rational arithmetic; z3 is used as a search
engine here, never as a proof.

>>> from fractions import Fraction
>>> from closure_check.families import lu
>>> curve = find_curve(lu(2), {(0, 1): Fraction(1), (1, 0): Fraction(1)}, degree=1)
>>> curve is not None and curve.defects(lu(2)) == []
True
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Iterator

import z3

from closure_check.certificates.two_factor import Cell, Curve
from closure_check.core.budget import Effort, as_effort
from closure_check.core.laurent import Laurent
from closure_check.core.support import TwoFactorSupport

__all__ = ["find_curve", "candidate_limits"]


def _rational(value: z3.ExprRef) -> Fraction | None:
    if z3.is_rational_value(value):
        return Fraction(value.numerator_as_long(), value.denominator_as_long())
    return None


def find_curve(
    support: TwoFactorSupport,
    limit: dict[Cell, Fraction],
    degree: int = 1,
    seconds: float | Effort = 2.0,
    units: frozenset[int] | None = None,
) -> Curve | None:
    """A curve of the given degree whose product tends to ``limit``, or None.

    Parameters
    ----------
    support
        The pair ``(I, J)``.
    limit
        The target A, as nonzero cells.
    degree
        d: X has the powers ``t^0..t^d``, Y the powers ``t^{-d}..t^0``.
    seconds
        Effort (nominal seconds, or an :class:`~closure_check.core.budget.Effort` to
        charge): z3's resource limit, deterministic.
    units
        Restrict the curve to these units (all others stay 0).

    Returns
    -------
    Curve | None
        A curve checked exactly (rational coefficients), or None if z3 finds none in
        time, finds none at all, or returns irrational coefficients.
    """
    I, J = support.I.tocoo(), support.J.tocoo()
    keep = (lambda k: True) if units is None else (lambda k: k in units)
    x_entries = [(int(i), int(k)) for i, k in zip(I.row, I.col) if keep(int(k))]
    y_entries = [(int(j), int(k)) for j, k in zip(J.row, J.col) if keep(int(k))]
    x = {(e, entry): z3.Real(f"x{e}_{entry[0]}_{entry[1]}") for e in range(degree + 1) for entry in x_entries}
    y = {(e, entry): z3.Real(f"y{e}_{entry[0]}_{entry[1]}") for e in range(degree + 1) for entry in y_entries}
    y_by_unit: dict[int, list[int]] = {}
    for j, k in y_entries:
        y_by_unit.setdefault(k, []).append(j)
    rows = sorted({i for i, _ in x_entries})
    cols = sorted({j for j, _ in y_entries})
    effort = as_effort(seconds)
    solver = z3.SolverFor("QF_NRA")
    solver.set("rlimit", effort.z3_rlimit())
    solver.set("random_seed", 0)
    for i in rows:
        for j in cols:
            shared = [k for (row, k) in x_entries if row == i and j in y_by_unit.get(k, [])]
            for s in range(-degree, 1):
                terms = [
                    x[(e, (i, k))] * y[(e - s, (j, k))]
                    for k in shared
                    for e in range(0, degree + 1)
                    if 0 <= e - s <= degree
                ]
                target = limit.get((i, j), Fraction(0)) if s == 0 else Fraction(0)
                rhs = z3.Q(target.numerator, target.denominator)
                solver.add((z3.Sum(terms) if terms else z3.RealVal(0)) == rhs)
    if any(cell not in {(i, j) for i in rows for j in cols} for cell, value in limit.items() if value != 0):
        return None
    answer = solver.check()
    effort.charge_z3(solver)
    if answer != z3.sat:
        return None
    model = solver.model()
    x_poly: dict[Cell, Laurent] = {}
    y_poly: dict[Cell, Laurent] = {}
    for target, variables, sign in ((x_poly, x, 1), (y_poly, y, -1)):
        for (e, entry), variable in variables.items():
            value = _rational(model.eval(variable, model_completion=True))
            if value is None:
                return None
            if value:
                target[entry] = target.get(entry, Laurent()) + Laurent.monomial(sign * e, value)
    curve = Curve(
        {k: v for k, v in x_poly.items() if not v.is_zero()},
        {k: v for k, v in y_poly.items() if not v.is_zero()},
        {cell: Fraction(v) for cell, v in limit.items() if v != 0},
    )
    return curve if not curve.defects(support) else None


def candidate_limits(cells: list[Cell], values: tuple[int, ...] = (1, -1), max_nonzeros: int | None = None) -> Iterator[dict[Cell, Fraction]]:
    """Candidate limits on ``cells``: sparse first, entries from ``values``.

    Non-closedness witnesses known here (LU's anti-identity, the 2×3 example) are
    sparse 0/1 matrices, so candidates are listed by increasing number of nonzeros.
    """
    top = len(cells) if max_nonzeros is None else min(max_nonzeros, len(cells))
    for count in range(1, top + 1):
        for chosen in itertools.combinations(cells, count):
            for signs in itertools.product(values, repeat=count):
                if signs[0] != values[0]:
                    continue  # A and -A are limits together: fix the first sign
                yield {cell: Fraction(v) for cell, v in zip(chosen, signs)}
