"""The combinatorial classifier: is ``P_{I,J}`` closed?  Decided by proved rules only.

Pipeline (``docs/theory.md`` §3–4):

1. build the rank-one-support structure (drop empty units, classes of equal
   rectangles, overlap components) -- structural and direct-sum lemmas;
2. a component with a single class is closed (determinantal lemma) -- this is the
   disjoint-or-identical family of [SIMAX; ICASSP Thm 1];
3. every other component is reduced to its fixpoint (absorption, projection, merge)
   and split into parts; each part is decided by :func:`closure_check.rules.decide_part`,
   and, within the time budget, parts left open go to the algebraic stage
   (:func:`closure_check.engine.refute_part`), which can only refute closedness;
4. the verdict: NOT CLOSED as soon as a part is not closed (its certificate is a
   certificate for the whole ``P``); CLOSED if every part is; otherwise UNKNOWN, listing
   the undecided parts for the algebraic engine.

>>> from closure_check.families import lu, butterfly_split
>>> check(lu(3)).verdict.value
'not-closed'
>>> result = check(butterfly_split(6, 3))
>>> result.verdict.value, result.tractability.value
('closed', 'disjoint-or-identical')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from closure_check.algebra.real import EngineRecord
from closure_check.case import Support, Verdict
from closure_check.certificate import NotClosedCertificate
from closure_check.graph import RankOneStructure, StructureTooLarge
from closure_check.reduce import ComponentReduction, ComponentTooLarge, ReductionStep, reduce_component
from closure_check.engine import MAX_NONZEROS, MAX_ZERO_ONE_CELLS, prove_part_closed, refute_part, refute_with_sentence
from closure_check.rules import decide_part
from closure_check.solve import Tractability, tractability
from closure_check.support import ChainSupport, TwoFactorSupport

if TYPE_CHECKING:
    from closure_check.chain_check import ChainCheckResult

__all__ = ["CheckResult", "check"]


@dataclass(frozen=True)
class CheckResult:
    """Verdict with its justification.

    Attributes
    ----------
    verdict
        CLOSED, NOT CLOSED or UNKNOWN.
    tractability
        The tractable family the instance belongs to, if any.
    reasons
        The argument in words, one sentence per step, each naming its lemma.
    certificate
        For NOT CLOSED: limit, Laurent curve and obstruction.
    undecided
        For UNKNOWN: the parts no rule decides (descriptions), to hand to the engine.
    records
        The engine records behind verdicts decided by an engine criterion.
    steps
        The reductions applied, as (lemma, text).
    support
        The pattern decided, in two-factor form (for :meth:`certificate_json` and the
        Jupyter displays ``_repr_markdown_`` / ``_repr_latex_``).
    """

    verdict: Verdict
    tractability: Tractability
    reasons: tuple[str, ...]
    certificate: NotClosedCertificate | None = None
    undecided: tuple[str, ...] = ()
    steps: tuple[ReductionStep, ...] = field(default=())
    records: tuple[EngineRecord, ...] = ()
    support: TwoFactorSupport | None = field(default=None, repr=False, compare=False)

    @property
    def engine_record(self) -> bool:
        """The verdict is CLOSED and rests on an engine record (the Zariski-closure
        criterion: z3's unsat, trusted, not a checkable certificate).  Shown as
        ``CLOSED (engine record)``; the verdict value stays ``closed``."""
        return self.verdict is Verdict.CLOSED and bool(self.records)

    def certificate_json(self, name: str = "") -> dict:
        """The verdict and its justification as a certificate (``docs/certificates.md``)."""
        from closure_check.certjson import certificate_json

        if self.support is None:
            raise ValueError("this result does not carry its support")
        return certificate_json(self.support, self, name=name)

    def _repr_markdown_(self) -> str:
        from closure_check.proof_text import render_certificate_markdown

        return render_certificate_markdown(self.certificate_json())

    def _repr_latex_(self) -> str:
        from closure_check.proof_text import render_certificate_latex

        return render_certificate_latex(self.certificate_json())


def _unknown(reason: str) -> CheckResult:
    return CheckResult(Verdict.UNKNOWN, Tractability.NOT_KNOWN, (reason,), undecided=(reason,))


def check(support: Support, budget: float = 0.0) -> "CheckResult | ChainCheckResult":
    """Decide closedness of ``P`` by the proved combinatorial rules, then the engine.

    Parameters
    ----------
    support
        A two-factor support, or a chain of two factors (converted with
        ``I = I_1``, ``J = I_2ᵀ``).  A chain of any other length goes to
        :func:`closure_check.chain_check.check_chain`, which returns a
        :class:`~closure_check.chain_check.ChainCheckResult`.
    budget
        Seconds the algebraic stage (:func:`closure_check.engine.refute_part`) may
        spend on each part the rules leave open; 0 runs the rules only.

    Returns
    -------
    CheckResult
        Never a verdict without its lemma; UNKNOWN when the rules do not decide.
    """
    if isinstance(support, ChainSupport):
        if support.length != 2:
            from closure_check.chain_check import check_chain

            return check_chain(support, budget=budget)
        support = support.to_two_factor()
    assert isinstance(support, TwoFactorSupport)
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
    reductions: dict[int, ComponentReduction] = {}
    undecided: list[str] = []
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
            if outcome is None and budget > 0:
                outcome = (
                    refute_part(structure, reduction, part, budget)
                    or prove_part_closed(structure, reduction, part, budget)
                    or refute_with_sentence(structure, part, budget)
                )
            if outcome is None:
                listing = "; ".join(
                    f"{list(map(int, b.rows))}×{list(map(int, b.cols))} μ={b.multiplicity}"
                    + (" (masked)" if b.masked else "")
                    for b in part.classes
                )
                tried = "no rule applies"
                if budget > 0:
                    tried += (
                        f"; the curve search found no certified limit outside P within {budget:g} s "
                        f"(every 0/1 candidate on ≤ {MAX_ZERO_ONE_CELLS} visible cells, ±1 candidates with ≤ {MAX_NONZEROS} "
                        f"nonzeros, curves of degree ≤ 2); the "
                        f"Zariski-closure criterion did not prove it closed within {budget:g} s; the authors' "
                        f"sentence, used as a search, gave no certifiable limit point within {budget:g} s"
                    )
                undecided.append(f"component {component}, part [{listing}]: {tried}")
                continue
            reasons.append(f"component {component}: {outcome.text} ({outcome.lemma})")
            if outcome.record is not None:
                records.append(outcome.record)
            if outcome.verdict is Verdict.NOT_CLOSED:
                return CheckResult(
                    Verdict.NOT_CLOSED,
                    Tractability.NOT_KNOWN,
                    tuple(reasons),
                    certificate=outcome.certificate,
                    steps=tuple(steps),
                    support=support,
                )
    if undecided:
        return CheckResult(
            Verdict.UNKNOWN,
            Tractability.NOT_KNOWN,
            tuple(reasons),
            undecided=tuple(undecided),
            steps=tuple(steps),
            support=support,
        )
    return CheckResult(
        Verdict.CLOSED,
        tractability(structure, reductions=reductions),
        tuple(reasons),
        steps=tuple(steps),
        records=tuple(records),
        support=support,
    )

