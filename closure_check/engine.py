"""The algebraic stage: parts the combinatorial rules leave open (``docs/theory.md`` §5).

For an undecided part, candidate limits A supported on the part's visible cells are
tried, sparsest first.  A candidate is kept only if the system ``X Yᵀ = A`` for the
units of the part's overlap component has no complex solution (then ``A ∉ P`` by the
direct-sum lemma, A being zero outside the component) -- a Gröbner basis equal to {1}; then
a Laurent curve converging to A is searched (:func:`closure_check.curves.find_curve`)
and checked exactly.  Success gives NOT CLOSED with a certificate whose two halves are
independently checkable: the curve by exact expansion, ``A ∉ P`` by the Gröbner basis
(to be replaced by an explicit Nullstellensatz identity).

The stage never returns CLOSED by itself: a part it cannot refute stays UNKNOWN.
Every call is bounded by ``seconds``.
"""

from __future__ import annotations

import time
from fractions import Fraction

import flint
import numpy as np

from closure_check.case import Verdict
from closure_check.certificate import Cell, NotClosedCertificate
from closure_check.curves import candidate_limits, find_curve
from closure_check.graph import RankOneStructure
from closure_check.reduce import ComponentReduction, Part
from closure_check.rules import RuleOutcome
from closure_check.support import TwoFactorSupport

__all__ = ["refute_part", "no_complex_factorisation"]

MAX_NONZEROS = 4
GROEBNER_LIMITS = (400, 4000, 4096)


def no_complex_factorisation(support: TwoFactorSupport, limit: dict[Cell, Fraction], units: frozenset[int]) -> bool:
    """True if ``X Yᵀ = A`` (only ``units`` nonzero) has a Gröbner basis {1} over ℚ.

    False when the basis is not {1} or the size limits stop the computation first.
    """
    I, J = support.I.tocoo(), support.J.tocoo()
    x_entries = [(int(i), int(k)) for i, k in zip(I.row, I.col) if int(k) in units]
    y_entries = [(int(j), int(k)) for j, k in zip(J.row, J.col) if int(k) in units]
    ctx = flint.fmpz_mpoly_ctx.get(("v", max(len(x_entries) + len(y_entries), 1)), "degrevlex")
    gens = ctx.gens()
    x = {entry: gens[n] for n, entry in enumerate(x_entries)}
    y = {entry: gens[len(x_entries) + n] for n, entry in enumerate(y_entries)}
    y_by_unit: dict[int, list[int]] = {}
    for j, k in y_entries:
        y_by_unit.setdefault(k, []).append(j)
    cells = {(i, j) for (i, k) in x_entries for j in y_by_unit.get(k, [])}
    if any(cell not in cells for cell in limit):
        return True
    equations = []
    for (i, j) in sorted(cells):
        value = Fraction(limit.get((i, j), 0))
        poly = ctx.from_dict({}) - value.numerator
        for (row, k) in x_entries:
            if row == i and (j, k) in y:
                poly += value.denominator * x[(i, k)] * y[(j, k)]
        equations.append(poly)
    basis, complete = flint.fmpz_mpoly_vec(equations, ctx).buchberger_naive(limits=GROEBNER_LIMITS)
    return bool(complete) and any(p.is_constant() and p != 0 for p in basis)


def _visible_cells(reduction: ComponentReduction, part: Part) -> list[Cell]:
    cells = set()
    for block in part.classes:
        visible = reduction.visible_block(block)
        for a, b in zip(*visible.nonzero()):
            cells.add((int(block.rows[a]), int(block.cols[b])))
    return sorted(cells)


def refute_part(
    structure: RankOneStructure, reduction: ComponentReduction, part: Part, seconds: float
) -> RuleOutcome | None:
    """Search a certified limit point outside P for an undecided part, within ``seconds``.

    Returns a NOT CLOSED outcome with its certificate, or None (nothing found in time).
    """
    deadline = time.monotonic() + seconds
    support = structure.support
    component = structure.class_component[structure.unit_class[part.classes[0].units[0]]]
    units = frozenset(int(k) for k in np.flatnonzero(structure.class_component[structure.unit_class] == component)
                      if structure.unit_class[k] >= 0)
    for values in ((1,), (1, -1)):
        for limit in candidate_limits(_visible_cells(reduction, part), values, MAX_NONZEROS):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if not no_complex_factorisation(support, limit, units):
                continue
            for degree in (1, 2):
                curve = find_curve(support, limit, degree, min(0.5, max(remaining, 0.05)), units)
                if curve is not None:
                    return _outcome(support, curve, units)
    return None


def _outcome(support: TwoFactorSupport, curve, units: frozenset[int]) -> RuleOutcome:
    cells = tuple(sorted(curve.limit))
    argument = (
        "the system X Yᵀ = A over the units " + ",".join(map(str, sorted(units)))
        + " has Gröbner basis {1} over ℚ (python-flint): no complex solution, hence no real one"
    )
    certificate = NotClosedCertificate(
        shape=support.shape,
        rank=support.rank,
        curve=curve,
        lemma="Nullstellensatz",
        obstruction_cells=cells,
        obstruction_units=tuple(sorted(units)),
        argument=argument,
    )
    limit = " + ".join(f"{v}·E[{i},{j}]" if v != 1 else f"E[{i},{j}]" for (i, j), v in sorted(curve.limit.items()))
    return RuleOutcome(
        Verdict.NOT_CLOSED,
        "Laurent curve lemma + Nullstellensatz",
        f"A = {limit} is the limit of an exact Laurent curve of products, and {argument}",
        certificate,
    )
