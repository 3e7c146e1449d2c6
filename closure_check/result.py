"""The one result type of every check: two factors or chains, the same fields.

A :class:`CheckResult` carries a verdict (``docs/theory.md`` §1–§7) and everything that
justifies it: the reasons in words, the reductions applied, the certificate of a NOT
CLOSED verdict, the proof object of an engine-decided CLOSED verdict, the engine records,
and for UNKNOWN what is left.  Two-factor checks (:mod:`closure_check.two_factor.check`)
and chain checks (:mod:`closure_check.chains.check`) build it; the single dispatch point
is :func:`closure_check.decide.check`.

The result knows how to show itself: :meth:`CheckResult.certificate_json` writes the
versioned certificate (``docs/certificates.md``) and the Jupyter hooks render it as a
proposition with its proof.  Those writers sit above the deciders in the data flow
(they read the deciders' proof objects), so they are imported when asked for -- the
only imports in the package that point upwards (``tests/test_layout.py`` lists them).

>>> from closure_check.core.case import Verdict
>>> result = CheckResult(Verdict.CLOSED, ("rank ≤ 1 on a block (determinantal lemma)",))
>>> result.tractability.value, result.kind
('not-known', None)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from closure_check.core.case import Verdict
from closure_check.core.support import ChainSupport, TwoFactorSupport

if TYPE_CHECKING:
    from closure_check.algebra.real import EngineRecord
    from closure_check.certificates.chain import ChainNotClosedCertificate
    from closure_check.certificates.two_factor import NotClosedCertificate

__all__ = ["CheckResult", "Tractability", "Verdict"]


class Tractability(str, Enum):
    """Which closed-form FSMF solver applies to a support, if any (``docs/solver.md``).

    ``NOT_KNOWN`` is not a hardness statement: neither theorem applies.  Chains are always
    ``NOT_KNOWN``: no exact polynomial-time solver is known for them (for chainable
    Kronecker-sparse chains the hierarchical algorithm of [BF] is within a constant
    factor of the optimum, which is not an exact solver).
    """

    DISJOINT_OR_IDENTICAL = "disjoint-or-identical"
    REDUCTION_THEN_DISJOINT = "reduction-then-disjoint"
    NOT_KNOWN = "not-known"


@dataclass(frozen=True)
class CheckResult:
    """Verdict with its justification, for two factors and for chains.

    Attributes
    ----------
    verdict
        CLOSED, NOT CLOSED or UNKNOWN.
    reasons
        The argument in words, one sentence per step, each naming its lemma.
    tractability
        The tractable family the instance belongs to, if any (two factors only).
    certificate
        For NOT CLOSED: limit, Laurent curve and obstruction --
        a :class:`~closure_check.certificates.two_factor.NotClosedCertificate` for two
        factors, a :class:`~closure_check.certificates.chain.ChainNotClosedCertificate`
        for chains.
    steps
        The reductions applied: two factors as
        :class:`~closure_check.two_factor.reduce.ReductionStep` (lemma, text); chains as
        plain JSON-able dicts with a ``"rule"`` key, which a verifier replays.
    reduced
        Chains: the result of the reduced problem when the reductions end in a smaller
        one (its CLOSED argument, or the certificate the chain certificate lifts).
    records
        The engine records behind verdicts decided by an engine criterion.
    undecided
        For UNKNOWN: the parts no rule decides and what was tried.
    support
        The pattern decided (for :meth:`certificate_json` and the Jupyter displays).
    proof
        Chains: the chain engine's checkable proof of a CLOSED verdict, about the chain
        after ``steps`` (``FixedFactorProof``, ``BottleneckProof`` or ``OrbitProof`` of
        :mod:`closure_check.chains.engine`); None when another argument decided.
    structure
        Two factors, CLOSED: the :class:`~closure_check.core.graph.RankOneStructure` the
        verdict was read from, so that the certificate writer does not build it again.
    sections
        Two factors, CLOSED: ``(component, SectionProof)`` for every part decided by the
        section lemma (:mod:`closure_check.two_factor.sections`), ``(component, FreeFactor)``
        for one decided by the free-factor lemma (:mod:`closure_check.two_factor.free_factor`);
        the certificate carries them and the verifier re-checks them.
    peelings
        Two factors, CLOSED: ``(component, PeelingProof)`` for every part decided by the
        rank-one peeling lemma (:mod:`closure_check.two_factor.peeling`); the certificate
        carries them and the verifier re-checks every step's hypotheses.
    hub_rows
        Two factors, CLOSED: ``(component, proof)`` for every part decided by the hub-row
        lemma (:mod:`closure_check.two_factor.hub_row`, the proof JSON-ready); the certificate
        carries them and the verifier re-checks the lemma's hypothesis.
    limit
        ``"time"`` when a wall-clock safety net (or the command's time limit) stopped
        some of the engine's work: the verdict is still proved, but another machine
        could have decided more.  None when only the effort, counted in work, limited it.
    """

    verdict: Verdict
    reasons: tuple[str, ...]
    tractability: Tractability = Tractability.NOT_KNOWN
    certificate: "NotClosedCertificate | ChainNotClosedCertificate | None" = None
    steps: tuple[Any, ...] = field(default=())
    reduced: "CheckResult | None" = None
    records: "tuple[EngineRecord, ...]" = ()
    undecided: tuple[str, ...] = ()
    support: TwoFactorSupport | ChainSupport | None = field(default=None, repr=False, compare=False)
    proof: Any = field(default=None, repr=False, compare=False)
    structure: Any = field(default=None, repr=False, compare=False)
    sections: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    peelings: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    hub_rows: tuple[Any, ...] = field(default=(), repr=False, compare=False)

    @property
    def engine_record(self) -> bool:
        """The verdict is CLOSED and rests on an engine record (the two-factor or the chain
        Zariski-closure criterion: z3's unsat, trusted, not a checkable certificate).  Shown
        as ``CLOSED (engine record)``; the verdict value stays ``closed``."""
        return self.verdict is Verdict.CLOSED and bool(self.records)
    limit: str | None = None

    @property
    def kind(self) -> str | None:
        """``"two-factor"`` or ``"chain"``: the kind of pattern decided (None if unknown)."""
        if isinstance(self.support, ChainSupport):
            return "chain"
        if isinstance(self.support, TwoFactorSupport):
            return "two-factor"
        return None

    def certificate_json(self, name: str = "") -> dict:
        """The verdict and its justification as a certificate (``docs/certificates.md``)."""
        from closure_check.output.certificate_json import result_json

        return result_json(self, name=name)

    def _repr_markdown_(self) -> str:
        from closure_check.output.proof_text import render_certificate_markdown

        return render_certificate_markdown(self.certificate_json())

    def _repr_latex_(self) -> str:
        # what a notebook's MathJax renders: $$ blocks, no environments (certify --format
        # latex keeps the proposition and proof environments, for papers)
        from closure_check.output.proof_text import render_certificate_mathjax

        return render_certificate_mathjax(self.certificate_json())
