"""The combinatorial classifier: is ``P_{I,J}`` closed?  Decided by proved rules only.

Pipeline (``docs/theory.md`` §3–4):

1. build the rank-one-support structure (drop empty units, classes of equal
   rectangles, overlap components) -- structural and direct-sum lemmas;
2. a component with a single class is closed (determinantal lemma) -- this is the
   disjoint-or-identical family of [SIMAX; ICASSP Thm 1];
3. every other component is reduced to its fixpoint (absorption, projection, merge)
   and split into parts; each part is decided by :func:`closure_check.two_factor.rules.decide_part`,
   and, within the time budget, parts left open go to the algebraic stage
   (:func:`closure_check.two_factor.engine.refute_part`), which can only refute closedness;
4. the verdict: NOT CLOSED as soon as a part is not closed (its certificate is a
   certificate for the whole ``P``); CLOSED if every part is; otherwise UNKNOWN, listing
   the undecided parts for the algebraic engine.

>>> from closure_check.families import lu, butterfly_split
>>> check_two_factor(lu(3)).verdict.value
'not-closed'
>>> result = check_two_factor(butterfly_split(6, 3))
>>> result.verdict.value, result.tractability.value
('closed', 'disjoint-or-identical')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from closure_check.core.budget import DEFAULT_EFFORT, Effort
from closure_check.core.case import Verdict
from closure_check.core.graph import RankOneStructure, StructureTooLarge
from closure_check.core.support import TwoFactorSupport
from closure_check.result import CheckResult
from closure_check.two_factor.reduce import (
    ComponentReduction,
    ComponentTooLarge,
    Part,
    ReductionStep,
    reduce_component,
)
from closure_check.two_factor.rules import decide_part
from closure_check.two_factor.tractability import tractability

if TYPE_CHECKING:
    from closure_check.algebra.real import EngineRecord

__all__ = ["check_two_factor"]


def _unknown(reason: str) -> CheckResult:
    return CheckResult(Verdict.UNKNOWN, (reason,), undecided=(reason,))


def check_two_factor(support: TwoFactorSupport, budget: float | Effort = DEFAULT_EFFORT) -> CheckResult:
    """Decide closedness of ``P_{I,J}`` by the proved combinatorial rules, then the engine.

    Parameters
    ----------
    support
        A two-factor support (chains go through :func:`closure_check.decide.check`).
    budget
        The effort of the algebraic stage, in nominal seconds of counted work (or an
        :class:`~closure_check.core.budget.Effort`), for the whole check: shared by the
        parts the rules leave open, in order, each getting an equal share of what is left;
        0 runs the rules only.  The verdict depends on it, not on the machine.

    Returns
    -------
    CheckResult
        Never a verdict without its lemma; UNKNOWN when the rules do not decide.
    """
    try:
        structure = RankOneStructure.build(support)
    except StructureTooLarge as error:
        return _unknown(str(error))

    reasons: list[str] = []
    empty = structure.empty_units.size
    if empty:
        reasons.append(f"{empty} empty unit(s) dropped: they contribute only 0 (structural lemma)")
    class_counts = np.bincount(structure.class_component, minlength=structure.n_components)
    single = int(np.count_nonzero(class_counts == 1))
    if structure.n_classes == 0:
        reasons.append("no non-empty unit: P = {0}, closed")
    if single:
        reasons.append(
            f"{single} overlap component(s) consist of a single class: rank ≤ μ on a rectangle, "
            f"closed (determinantal lemma)"
        )
    if structure.n_components > 1:
        reasons.append(
            f"P is the direct sum of its {structure.n_components} overlap components: closed iff each is "
            f"(direct-sum lemma)"
        )

    steps: list[ReductionStep] = []
    records: list[EngineRecord] = []
    sections: list[tuple[int, Any]] = []
    peelings: list[tuple[int, Any]] = []
    hub_rows: list[tuple[int, Any]] = []
    reductions: dict[int, ComponentReduction] = {}
    undecided: list[str] = []
    open_parts: list[tuple[int, ComponentReduction, Part]] = []
    for component in np.flatnonzero(class_counts > 1):
        try:
            reduction = reductions[int(component)] = reduce_component(structure, int(component))
        except ComponentTooLarge as error:
            undecided.append(str(error))
            continue
        steps.extend(reduction.steps)
        if not reduction.parts:
            reasons.append(
                f"component {component}: every class is absorbed, it is the linear space of matrices "
                f"supported on its cells, closed (absorption lemma)"
            )
        for part in reduction.parts:
            outcome = decide_part(structure, reduction, part)
            if outcome is None:
                open_parts.append((int(component), reduction, part))
                continue
            reasons.append(f"component {component}: {outcome.text} ({outcome.lemma})")
            if outcome.section is not None:
                sections.append((int(component), outcome.section))
            if outcome.peeling is not None:
                peelings.append((int(component), outcome.peeling))
            if outcome.hub_row is not None:
                hub_rows.append((int(component), outcome.hub_row))
            if outcome.verdict is Verdict.NOT_CLOSED:
                return CheckResult(
                    Verdict.NOT_CLOSED, tuple(reasons), certificate=outcome.certificate, steps=tuple(steps), support=support
                )
    effort = budget if isinstance(budget, Effort) else Effort(budget)
    for index, (component, reduction, part) in enumerate(open_parts):
        outcome = None
        if effort.remaining() > 0 and not effort.out_of_time():
            from closure_check.two_factor.engine import decide_open_part

            outcome = decide_open_part(structure, reduction, part, effort.share(1 / (len(open_parts) - index)))
        if outcome is None:
            undecided.append(f"component {component}, part [{_listing(part)}]: {_tried(effort)}")
            continue
        if outcome.verdict is Verdict.UNKNOWN:  # the engines disagree: an error, reported loudly
            reasons.append(f"component {component}: {outcome.text} ({outcome.lemma})")
            undecided.append(f"component {component}, part [{_listing(part)}]: {outcome.text}")
            continue
        reasons.append(f"component {component}: {outcome.text} ({outcome.lemma})")
        records.extend(outcome.records)
        if outcome.section is not None:
            sections.append((component, outcome.section))
        if outcome.verdict is Verdict.NOT_CLOSED:
            return CheckResult(
                Verdict.NOT_CLOSED,
                tuple(reasons),
                certificate=outcome.certificate,
                steps=tuple(steps),
                support=support,
                limit=effort.limit(),
            )
    if undecided:
        return CheckResult(
            Verdict.UNKNOWN,
            tuple(reasons),
            undecided=tuple(undecided),
            steps=tuple(steps),
            support=support,
            limit=effort.limit(),
        )
    return CheckResult(
        Verdict.CLOSED,
        tuple(reasons),
        tractability=tractability(structure, reductions=reductions),
        steps=tuple(steps),
        records=tuple(records),
        sections=tuple(sections),
        peelings=tuple(peelings),
        hub_rows=tuple(hub_rows),
        support=support,
        structure=structure,
        limit=effort.limit(),
    )


def _listing(part: Part) -> str:
    return "; ".join(
        f"{list(map(int, b.rows))}×{list(map(int, b.cols))} μ={b.multiplicity}" + (" (masked)" if b.masked else "")
        for b in part.classes
    )



def _tried(effort: Effort) -> str:
    """What was tried on a part left open, in words."""
    if effort.seconds == 0:
        return "no rule applies (the algebraic stage was not run: effort 0)"
    from closure_check.two_factor.engine import MAX_NONZEROS, MAX_ZERO_ONE_CELLS, MAX_ZERO_ONE_NONZEROS

    tried = (
        f"no rule applies; within the check's effort of {effort.seconds:g} nominal s (shared by its open parts) "
        f"the curve search found no certified limit outside P (every 0/1 candidate on ≤ {MAX_ZERO_ONE_CELLS} visible "
        f"cells, else those with ≤ {MAX_ZERO_ONE_NONZEROS} nonzeros, ±1 candidates with ≤ {MAX_NONZEROS} nonzeros, "
        f"those breaking a rank bound or a closure equation skipped, curves of degree ≤ 2; then limits of divergent curves of degree ≤ 2), the Zariski-closure criterion "
        f"did not prove it closed, and the authors' sentence, used as a search, gave no certifiable limit point"
    )
    if effort.limit():
        tried += "; a wall-clock safety net stopped part of this work (limit: time)"
    return tried

