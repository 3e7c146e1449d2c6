"""The algebraic stage: parts the combinatorial rules leave open (``docs/theory.md`` §5).

For a part no rule decides, in order, each drawing on one :class:`~closure_check.core.budget.Effort`
(work counted in nominal seconds, the same on every machine; ``docs/algebra.md``):

1. :func:`refute_part` -- candidate limits A supported on the part's visible cells:
   structured ones first (equal private lines, shown not to be products by the rank-m
   obstruction, with an explicit curve), then sparsest first (every 0/1 matrix on up to 12
   visible cells, then ±1 entries on up to 4), each kept only if :func:`certify_limit` finds both halves of a
   certificate: a Nullstellensatz identity ``Σ c_i f_i = c ≠ 0`` for ``X Yᵀ = A`` over the
   units of the part's overlap component (so ``A ∉ P`` by the direct-sum lemma, A being
   zero outside the component), and a Laurent curve converging to A, checked exactly.
   Both halves are independently checkable by expansion.
2. :func:`sections_stage` -- the section lemma's wide search (:data:`closure_check.two_factor.sections.WIDE`; the
   rules ran the quick one), then the outside-first search of the free-block lemma
   (:mod:`closure_check.two_factor.free_block`), then its deep searches (:data:`~closure_check.two_factor.sections.DEEP`)
   with the part's closure equations added to F: CLOSED with explicit factors on every case of
   a decision tree over the target, a proof the certificate carries and the verifier re-checks.
3. :func:`prove_part_closed` -- the Zariski-closure criterion on the part's masked
   problem (:mod:`closure_check.algebra.zariski`): CLOSED backed by z3's answer to an ∃∀ sentence,
   re-decided by QEPCAD B (:mod:`closure_check.algebra.qepcad`), both kept as engine records;
   a disagreement of the two is reported as UNKNOWN, never as a verdict.
4. :func:`refute_with_sentence` -- the authors' sentence used as a search: a rational
   witness A from z3 goes to :func:`certify_limit`; nothing rests on z3 itself.

A part none of these decides stays UNKNOWN.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

from closure_check.algebra import (
    NullstellensatzCertificate,
    complex_infeasibility,
    membership_system,
)
from closure_check.algebra.baseline import baseline_verdict
from closure_check.algebra.qepcad import zariski_qepcad
from closure_check.algebra.zariski import part_problem, zariski_closed
from closure_check.certificates.two_factor import Cell, Curve, NotClosedCertificate
from closure_check.core.budget import (
    CANDIDATE_SECONDS,
    BudgetExhausted,
    Effort,
    as_effort,
    run_with_budget,
)
from closure_check.core.case import Verdict
from closure_check.core.graph import RankOneStructure
from closure_check.core.support import TwoFactorSupport
from closure_check.two_factor.curves import candidate_limits, find_curve
from closure_check.two_factor.limits import (
    PartCurve,
    PartProblem,
    divergent_curve_limits,
    lift_curve,
    pair_curve,
    part_problem_of,
    structured_candidates,
)
from closure_check.two_factor.reduce import ComponentReduction, Part
from closure_check.two_factor.rules import RuleOutcome, free_block_outcome, part_units_and_cells, section_outcome

__all__ = [
    "MAX_NONZEROS",
    "MAX_ZERO_ONE_CELLS",
    "MAX_ZERO_ONE_NONZEROS",
    "certify_limit",
    "decide_open_part",
    "component_support",
    "no_complex_factorisation",
    "prove_part_closed",
    "refute_part",
    "refute_with_sentence",
]

MAX_NONZEROS = 4
"""Candidates with entries ±1 have at most this many nonzeros."""

MAX_ZERO_ONE_NONZEROS = 5
"""On parts with more visible cells than :data:`MAX_ZERO_ONE_CELLS`, 0/1 candidates have at most
this many nonzeros (the filters make most of them cheap; an open 4×4 part needs five)."""

MAX_ZERO_ONE_CELLS = 12
"""Parts with at most this many visible cells try every 0/1 candidate (2^cells of them)."""


def component_support(support: TwoFactorSupport, units: frozenset[int]) -> TwoFactorSupport:
    """``(I, J)`` with every unit outside ``units`` emptied (unit numbers unchanged)."""
    keep = np.zeros(support.rank, dtype=np.int8)
    keep[sorted(units)] = 1
    scale = sp.diags_array(keep, dtype=np.int8)
    return TwoFactorSupport(support.I @ scale, support.J @ scale)


def no_complex_factorisation(
    support: TwoFactorSupport, limit: dict[Cell, Fraction], effort: Effort | float
) -> NullstellensatzCertificate | None:
    """A verified identity ``Σ c_i f_i = c ≠ 0`` for ``X Yᵀ = A``, or None.

    None when the system has a complex solution or the effort runs out.
    """
    try:
        return complex_infeasibility(membership_system(support, limit), effort)
    except BudgetExhausted:
        return None


def _component_units(structure: RankOneStructure, part: Part) -> frozenset[int]:
    """The units of the overlap component that contains ``part``."""
    component = structure.class_component[structure.unit_class[part.classes[0].units[0]]]
    in_component = (structure.unit_class >= 0) & (structure.class_component[structure.unit_class] == component)
    return frozenset(int(k) for k in np.flatnonzero(in_component))


REFUTE_SHARE, SECTIONS_SHARE, ZARISKI_SHARE = 0.5, 0.5, 0.6
"""Of a part's effort, the curve search may spend half; the section lemma's wide searches half
of what is left (:func:`sections_stage`; each stops at its 2000 steps, about a nominal second); the Zariski criterion
60% of what is left then; the authors' sentence the rest (unspent effort flows to the next
stage)."""


def decide_open_part(
    structure: RankOneStructure, reduction: ComponentReduction, part: Part, effort: Effort
) -> RuleOutcome | None:
    """The algebraic stage on one open part: the four steps of the module docstring, in order."""
    from closure_check.two_factor.sections import WIDE

    return (
        refute_part(structure, reduction, part, effort.share(REFUTE_SHARE))
        or sections_stage(reduction, part, effort.share(SECTIONS_SHARE))
        or prove_part_closed(structure, reduction, part, effort.share(ZARISKI_SHARE))
        or refute_with_sentence(structure, part, effort.share())
    )


CLOSURE_SECTIONS_SHARE = 0.5
"""Of the section stage's effort, the minors-only search may spend half; the outside-first
search (:data:`FREE_BLOCK_SHARE` of what is left), the closure equations
(:data:`EQUATIONS_SHARE` of what is left then) and the search with them the rest."""

FREE_BLOCK_SHARE = 0.5
"""Of what the wide search leaves, the outside-first (free-block) search may spend half."""


def sections_stage(reduction: ComponentReduction, part: Part, effort: Effort) -> RuleOutcome | None:
    """The section lemma in the algebraic stage: the wide search with the minors alone as F,
    then the outside-first (free-block) search, then the deep one (:data:`~closure_check.two_factor.sections.DEEP`) with the part's closure
    equations (polynomials vanishing on its closure; none when the closure is everything) added
    to F -- :func:`~closure_check.two_factor.sections.section_proof` keeps only those that
    vanish on the products by its own expansion."""
    from closure_check.two_factor.sections import DEEP, MAX_CELLS, WIDE

    outcome = section_outcome(reduction, part, WIDE, effort.share(CLOSURE_SECTIONS_SHARE))
    if outcome is not None or effort.expired():
        return outcome
    outcome = free_block_outcome(reduction, part, effort.share(FREE_BLOCK_SHARE))
    if outcome is not None or effort.expired():
        return outcome
    problem = part_problem_of(reduction, part)
    if len(problem.cells) > MAX_CELLS:
        return None
    offered = [_cell_polynomial(equation) for equation in problem.closure_equations(effort.share(EQUATIONS_SHARE))]
    if effort.expired():
        return None
    return section_outcome(reduction, part, DEEP, effort.share(), offered)


def _cell_polynomial(equation: dict) -> dict[tuple[tuple[Cell, int], ...], int]:
    """A closure equation of :meth:`PartProblem.closure_equations` as {((cell, exponent), …): coefficient}."""
    cells = equation["cells"]
    return {tuple((cell, power) for cell, power in zip(cells, monomial) if power): int(coefficient)
            for monomial, coefficient in equation["terms"].items()}


def prove_part_closed(
    structure: RankOneStructure, reduction: ComponentReduction, part: Part, effort: Effort | float
) -> RuleOutcome | None:
    """CLOSED by the Zariski-closure criterion on the part's masked problem, or None.

    The part's set is ``Q = π_V(Σ_c D(S_c, μ_c))`` on its visible cells V (its classes
    written as μ_c rank-one units each); the component is closed iff all its parts are
    (direct-sum lemma), so a proof for Q decides the part.  Working on Q rather than the
    whole component leaves out the absorbed classes and the hidden cells.

    z3's unsat is re-decided by QEPCAD B on the same sentence
    (:func:`~closure_check.algebra.qepcad.zariski_qepcad`): the outcome records both
    engines.  QEPCAD answering TRUE is a disagreement: the outcome is then UNKNOWN (never a
    verdict) with the disagreement in its text.  When QEPCAD is not installed or does not
    finish within its fixed space, the verdict rests on z3 alone and says so.
    """
    units, cells = part_units_and_cells(reduction, part)
    result = zariski_closed(part_problem(units, cells), effort)
    if not result.closed:
        return None
    closure = " = 0, ".join(result.equations) + " = 0" if result.equations else "all matrices on the visible cells"
    second = zariski_qepcad(result.problem, result.generators, effort)
    records = (result.record,) + ((second.record,) if second.record is not None else ())
    claim = (
        f"the Zariski closure of the part's products on its {len(cells)} visible cells is {{{closure}}}; "
        f"z3 {result.record.version} (nlqsat) proves every real point of it is a product"
    )
    if second.status == "true":
        return RuleOutcome(
            Verdict.UNKNOWN,
            "ENGINE DISAGREEMENT",
            f"{claim}, but QEPCAD B {second.record.version} answers TRUE to the same sentence (some real point "
            f"of the closure is not a product): the two engines disagree, no verdict is drawn (an error: please report it)",
            records=records,
        )
    if second.status == "false":
        confirmation = (
            f"; QEPCAD B {second.record.version} (Hong's projection) answers FALSE to the same sentence, "
            f"confirming it; so the part equals that closed set (engine records of two independent engines, "
            f"not a checkable certificate)"
        )
    else:
        why = "is not installed" if second.status == "not installed" else f"did not answer ({second.status})"
        confirmation = (
            f", so the part equals that closed set (engine record of a single engine, not a checkable certificate: "
            f"QEPCAD B, the second engine, {why})"
        )
    return RuleOutcome(Verdict.CLOSED, "Zariski-closure criterion", claim + confirmation, records=records)


def certify_limit(
    structure: RankOneStructure,
    part: Part,
    limit: dict[Cell, Fraction],
    effort: Effort | float,
    max_degree: int = 3,
    curve_seconds: float | None = None,
) -> RuleOutcome | None:
    """NOT CLOSED for a proposed limit A, if both halves of a certificate are found.

    Asks for a Nullstellensatz identity (A ∉ P) and a Laurent curve of degree
    ``1..max_degree`` converging to A (each curve search at most ``curve_seconds`` of
    effort), over the units of the part's component, all within ``effort``.
    """
    units = _component_units(structure, part)
    support = component_support(structure.support, units)
    return _certify(structure, units, support, limit, as_effort(effort), max_degree, curve_seconds)


def _certify(
    structure: RankOneStructure,
    units: frozenset[int],
    support: TwoFactorSupport,
    limit: dict[Cell, Fraction],
    effort: Effort,
    max_degree: int,
    curve_seconds: float | None,
) -> RuleOutcome | None:
    """:func:`certify_limit` with the component's units and restricted support given."""
    identity = no_complex_factorisation(support, limit, effort)
    if identity is None:
        return None
    for degree in range(1, max_degree + 1):
        if effort.expired():
            return None
        curve = find_curve(support, limit, degree, effort.share(1.0, cap=curve_seconds), units)
        if curve is not None:
            return _outcome(structure.support, curve, units, identity)
    return None


def refute_with_sentence(structure: RankOneStructure, part: Part, effort: Effort | float) -> RuleOutcome | None:
    """Use the authors' z3 sentence as a *search* for a limit point, then certify it.

    z3's witness A (when rational) is handed to :func:`certify_limit`; the verdict rests
    on the certificate, not on z3.  Half of ``effort`` goes to the search.
    """
    effort = as_effort(effort)
    support = component_support(structure.support, _component_units(structure, part))
    answer = baseline_verdict(support, effort=effort.share(0.5))
    if answer.witness is None:
        return None
    return certify_limit(structure, part, answer.witness, effort)


def refute_part(
    structure: RankOneStructure, reduction: ComponentReduction, part: Part, effort: Effort | float
) -> RuleOutcome | None:
    """Search a certified limit point outside P for an undecided part, within ``effort``.

    Runs in a child process with a memory limit and a wall-clock safety net
    (:func:`closure_check.core.budget.run_with_budget`): flint's Gröbner step cannot be
    interrupted in-process.  Returns a NOT CLOSED outcome with its certificate, or None
    (nothing found within the effort, or the child ran out of memory or hit the net).
    """
    effort = as_effort(effort)
    outcome = run_with_budget(
        _search_candidates, structure, reduction, part, effort, seconds=effort.safety(), effort=effort
    )
    return outcome.value if outcome.status == "ok" else None


def _search_candidates(
    structure: RankOneStructure, reduction: ComponentReduction, part: Part, effort: Effort
) -> RuleOutcome | None:
    """The candidate loop of :func:`refute_part`, in the current process.

    In order: structured candidates that the rank-m obstruction shows are not products
    (:func:`_structured`), 0/1 candidates, ±1 candidates, limits of divergent curves of degree 1
    then 2 (:func:`~closure_check.two_factor.limits.divergent_curve_limits`).
    Listed candidates that break a rank bound, do not vanish on a closure equation, or are
    evidently products are skipped for :data:`FILTER_SECONDS` each
    (:class:`~closure_check.two_factor.limits.PartProblem`).
    """
    units = _component_units(structure, part)
    support = component_support(structure.support, units)
    problem = part_problem_of(reduction, part)
    bounds = problem.rank_bounds()
    equations = problem.closure_equations(effort.share(EQUATIONS_SHARE))
    cells = list(problem.cells)
    every_zero_one = len(cells) if len(cells) <= MAX_ZERO_ONE_CELLS else MAX_ZERO_ONE_NONZEROS

    def listed(values: tuple[int, ...], nonzeros: int) -> RuleOutcome | None:
        for limit in candidate_limits(cells, values, nonzeros):
            if effort.expired():
                return None
            if (
                (len(values) > 1 and not _has_cycle(limit))
                or problem.rank_violation(limit, bounds)
                or problem.equation_violation(limit, equations)
                or problem.evident_product(limit)
            ):
                effort.charge(FILTER_SECONDS)
                continue
            effort.charge(CANDIDATE_SECONDS)
            outcome = _certify(structure, units, support, limit, effort.share(1.0, cap=2.0), max_degree=2, curve_seconds=CURVE_SECONDS)
            if outcome is not None:
                return outcome
        return None

    return (
        _structured(structure, reduction, problem, units, support, bounds, equations, effort.share(STRUCTURED_SHARE))
        or listed((1,), every_zero_one)
        or listed((1, -1), MAX_NONZEROS)
        or _curve_first(structure, reduction, problem, units, support, effort)
    )


EQUATIONS_SHARE = 0.1
"""Of the search's effort, the partial elimination giving the closure equations may take this share."""

CURVE_SECONDS = 0.5
"""Effort of one z3 curve search for a listed candidate (degree 1, then 2).  A candidate that is
no limit spends all of it.  Measured on the open parts: 0.2 refutes one more 4×4 part and loses
a 3×4 one (its curve takes z3 longer), so 0.5 is kept."""

FILTER_SECONDS = 2e-4
"""Nominal seconds charged for a listed candidate skipped by a filter (rank bound, evident
product, or a ±1 sign pattern equivalent to the 0/1 one by scaling rows and columns)."""

CURVE_CANDIDATE_SECONDS = 5e-4
"""Nominal seconds charged for each curve-first limit, times the square of its number of
nonzeros, on top of its Gröbner basis: their entries are larger than ±1, and flint's
Buchberger on them takes longer than the basis-length charge
(:data:`~closure_check.core.budget.GROEBNER_COSTS`) says (measured: 5–10 CPU ms a limit of
4–5 nonzeros on 3×3 and 3×4 parts, about 50 ms for 10 nonzeros)."""

CURVE_DRAWS = {1: 60, 2: 60}
"""Draws of Y per degree of the curve-first search (each gives a handful of limits)."""


STRUCTURED_SHARE = 0.5
"""Of the search's effort, the structured round (:func:`_structured`) may spend half; what it
leaves flows to the 0/1 round."""

STRUCTURED_MAX_UNITS = 4
"""The structured round runs on parts of at most this many units (its test looks at every pair
of subsets of them)."""

LIST_SECONDS = 1e-5
"""Nominal seconds charged for each 0/1 candidate the structured round scores (measured: about 7 CPU µs)."""

RANK_SECONDS = 5e-5
"""Nominal seconds charged for the rank (modulo a prime) of each structured candidate (measured:
about 30 CPU µs)."""

PAIR_SECONDS = 5e-4
"""Nominal seconds charged, on top of :data:`FILTER_SECONDS`, for each structured candidate of
rank m offered to :func:`~closure_check.two_factor.limits.pair_curve` (measured: about 0.5 CPU ms)."""

OBSTRUCTION_SECONDS = 1.5e-3
"""Nominal seconds charged for each rank-m obstruction test (measured: 1–2 CPU ms on the open
4×4 parts)."""

STRUCTURED_IDENTITY_SECONDS = 1.0
"""Effort of the Nullstellensatz search for a structured candidate that has a curve and that the
obstruction shows is not a product (so an identity exists)."""


def _structured(
    structure: RankOneStructure,
    reduction: ComponentReduction,
    problem: PartProblem,
    units: frozenset[int],
    support: TwoFactorSupport,
    bounds: list,
    equations: list,
    effort: Effort,
) -> RuleOutcome | None:
    """The structured round: 0/1 candidates of at most :data:`MAX_ZERO_ONE_NONZEROS` nonzeros
    with two equal private lines (:func:`~closure_check.two_factor.limits.structured_candidates`),
    each tested by the filters, then, at rank m (the number of units), by the rank-m obstruction
    (:meth:`~closure_check.two_factor.limits.PartProblem.rank_obstruction`: a candidate breaking
    it is not a product, over ℂ either) once it has a curve through one cancelling pair
    (:func:`~closure_check.two_factor.limits.pair_curve`, explicit, no search; tried first, it
    is the cheaper test).  A candidate with
    both goes to the Nullstellensatz search; its curve is lifted and checked exactly.  Parts with
    hidden cells or more than :data:`STRUCTURED_MAX_UNITS` units are skipped.
    """
    if problem.hidden or len(problem.units) > STRUCTURED_MAX_UNITS:
        return None
    effort.charge(LIST_SECONDS * sum(math.comb(len(problem.cells), n) for n in range(1, MAX_ZERO_ONE_NONZEROS + 1)))
    for limit in structured_candidates(problem, MAX_ZERO_ONE_NONZEROS):
        if effort.expired():
            return None
        effort.charge(RANK_SECONDS)
        if problem.rank(limit) != len(problem.units):
            continue
        effort.charge(FILTER_SECONDS)
        if problem.rank_violation(limit, bounds) or problem.equation_violation(limit, equations):
            continue
        effort.charge(PAIR_SECONDS)
        candidate = pair_curve(problem, limit)
        if candidate is None:
            continue
        effort.charge(OBSTRUCTION_SECONDS)
        if not problem.rank_obstruction(limit):
            continue
        outcome = _certified_limit(structure, reduction, problem, units, support, candidate,
                                   effort.share(1.0, cap=STRUCTURED_IDENTITY_SECONDS))
        if outcome is not None:
            return outcome
    return None


def _has_cycle(limit: dict[Cell, Fraction]) -> bool:
    """True when the nonzero cells, as edges between rows and columns, contain a cycle.

    Without one, scaling rows and columns by ±1 turns the signs into all ones (the support
    is a forest), and ``D₁ P D₂ = P`` for diagonal ``D₁``, ``D₂``: the 0/1 candidate on the
    same cells decides the same question, so a ±1 candidate is worth trying only with a cycle.
    """
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for i, j in limit:
        a, b = root(("r", i)), root(("c", j))
        if a == b:
            return True
        parent[a] = b
    return False


def _curve_first(
    structure: RankOneStructure,
    reduction: ComponentReduction,
    problem: PartProblem,
    units: frozenset[int],
    support: TwoFactorSupport,
    effort: Effort,
) -> RuleOutcome | None:
    """Limits of divergent curves (already limits by construction), each kept if A ∉ P.

    Each limit costs :data:`CURVE_CANDIDATE_SECONDS` times its nonzeros squared plus its
    Nullstellensatz search (at most 0.5 nominal s); the part's curve is lifted to the whole
    support and checked exactly.
    """
    for degree, draws in CURVE_DRAWS.items():
        for candidate in divergent_curve_limits(problem, degree, draws):
            if effort.expired():
                return None
            effort.charge(CURVE_CANDIDATE_SECONDS * len(candidate.limit) ** 2)
            if problem.evident_product(candidate.limit):
                continue
            outcome = _certified_limit(structure, reduction, problem, units, support, candidate,
                                       effort.share(1.0, cap=0.5))
            if outcome is not None:
                return outcome
    return None


def _certified_limit(structure: RankOneStructure, reduction: ComponentReduction, problem: PartProblem,
                     units: frozenset[int], support: TwoFactorSupport, candidate: PartCurve,
                     effort: Effort) -> RuleOutcome | None:
    """NOT CLOSED from a part's curve ``candidate``: a Nullstellensatz
    identity showing its limit is no product (within ``effort``), and the curve lifted to the
    whole support, checked exactly; None if either fails."""
    identity = no_complex_factorisation(support, candidate.limit, effort)
    if identity is None:
        return None
    curve = lift_curve(reduction, problem, candidate)
    if curve.defects(structure.support):
        return None
    return _outcome(structure.support, curve, units, identity)


def _outcome(
    support: TwoFactorSupport, curve: Curve, units: frozenset[int], identity: NullstellensatzCertificate
) -> RuleOutcome:
    cells = tuple(sorted(curve.limit))
    argument = (
        "the system X Yᵀ = A over the units " + ",".join(map(str, sorted(units)))
        + f" satisfies the identity Σ c_i f_i = {identity.constant} (cofactors of degree ≤ {identity.degree},"
        " checked by expansion): no complex solution, hence no real one (weak Nullstellensatz)"
    )
    certificate = NotClosedCertificate(
        shape=support.shape,
        rank=support.rank,
        curve=curve,
        lemma="Nullstellensatz",
        identity=identity,
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
