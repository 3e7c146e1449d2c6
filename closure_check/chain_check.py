"""Is ``P_{I_1..I_N} = {W_1 ⋯ W_N : supp W_ℓ ⊆ I_ℓ}`` closed?  Chains of any length.

:class:`ChainCheckResult` is the result type shared by the chain reductions, the chain
engine, the chain certificates and the ReLU module (``docs/theory.md`` §6).
:func:`check_chain` decides a chain:

1. one factor: a linear space, CLOSED (one-factor lemma);
2. two factors: a partial-permutation factor makes it a linear space (CLOSED);
   otherwise :func:`closure_check.classify.check` on ``(I_1, I_2ᵀ)``;
3. longer chains: the exact reductions of :mod:`closure_check.chain_reduce` (the same
   set of products, so the same verdict); one factor left is CLOSED, two factors go to
   :func:`closure_check.classify.check`;
4. the chainable Kronecker-sparse rule (:mod:`closure_check.chainable`) on the
   original chain and on the reduced one;
5. three or more factors left and ``budget > 0``: the chain algebraic engine
   ``closure_check.chain_engine.decide_chain`` on the reduced chain.

A NOT CLOSED verdict on the reduced problem is a verdict on the original chain (equal
sets).  Its certificate carries a curve on the *original* chain, lifted through the
reductions (:func:`closure_check.chain_reduce.lift_curve`) and re-verified with
:meth:`ChainCurve.defects`, with ``lemma = "chain reduction"``, the steps and the
reduced certificate.  After a full-pair merge no lift exists: the engine is asked for a
curve on the original chain when it has at most :data:`MAX_ORIGINAL_VARIABLES`
variables; otherwise the certificate keeps the curve of the reduced chain (the chain
obtained by replaying ``reduction`` with :func:`closure_check.chain_reduce.apply_step`)
and its ``argument`` says so.

>>> from closure_check.families import butterfly_chain
>>> result = check_chain(butterfly_chain(4))
>>> result.verdict.value
'closed'
>>> from closure_check.support import ChainSupport
>>> result = check_chain(ChainSupport.from_dense([[[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]]))
>>> result.verdict.value, result.certificate.defects(result.support)
('not-closed', [])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from closure_check.algebra.real import EngineRecord
from closure_check.case import Verdict
from closure_check.certificate import NotClosedCertificate
from closure_check.chain_certificate import ChainCurve, ChainNotClosedCertificate
from closure_check.chain_reduce import (
    ChainReduction,
    is_partial_permutation,
    lift_curve,
    reduce_chain,
)
from closure_check.chainable import chainable_architecture
from closure_check.classify import CheckResult, check
from closure_check.solve import Tractability
from closure_check.support import ChainSupport

__all__ = ["MAX_ORIGINAL_VARIABLES", "ChainCheckResult", "check_chain"]

MAX_ORIGINAL_VARIABLES = 40
"""After a full-pair merge, the engine is asked for a curve on the original chain only if
it has at most this many free entries."""


@dataclass(frozen=True)
class ChainCheckResult:
    """Verdict on a chain, with its justification.

    Attributes
    ----------
    verdict
        CLOSED, NOT CLOSED or UNKNOWN.
    reasons
        The argument in words, one sentence per step, each naming its lemma.
    steps
        The exact reductions applied (``closure_check.chain_reduce``), as plain JSON-able
        dicts with a ``"rule"`` key; a verifier replays them on the pattern.
    certificate
        For NOT CLOSED: limit, Laurent curve of the chain's factors and the proof that
        the limit is outside ``P``.
    reduced
        When the reductions end in a two-factor problem: the
        :class:`~closure_check.classify.CheckResult` of that problem (its CLOSED
        argument, or the certificate the chain certificate lifts).
    records
        Engine records behind verdicts an engine criterion decided.
    undecided
        For UNKNOWN: what was tried and what is left.
    support
        The chain decided.
    proof
        The chain engine's checkable proof of a CLOSED verdict, about the chain after
        ``steps`` (``closure_check.chain_engine.FixedFactorProof``, ``BottleneckProof``
        or ``OrbitProof``): :mod:`closure_check.chain_certjson` writes it as it is.
        None when another argument decided (or for other verdicts).
    """

    verdict: Verdict
    reasons: tuple[str, ...]
    steps: tuple[dict[str, Any], ...] = field(default=())
    certificate: ChainNotClosedCertificate | None = None
    reduced: Any = None
    records: tuple[EngineRecord, ...] = ()
    undecided: tuple[str, ...] = ()
    support: ChainSupport | None = field(default=None, repr=False, compare=False)
    proof: Any = field(default=None, repr=False, compare=False)

    @property
    def engine_record(self) -> bool:
        """The verdict is CLOSED and rests on an engine record (the two-factor or the chain
        Zariski-closure criterion: z3's unsat, trusted, not a checkable certificate).  Shown
        as ``CLOSED (engine record)``; the verdict value stays ``closed``."""
        return self.verdict is Verdict.CLOSED and bool(self.records)

    @property
    def tractability(self) -> Tractability:
        """Always NOT_KNOWN: no exact polynomial-time solver is known for chains.

        (For chainable Kronecker-sparse chains the hierarchical algorithm of [BF] is
        within a constant factor of the optimum, which is not an exact solver.)
        """
        return Tractability.NOT_KNOWN

    def certificate_json(self, name: str = "") -> dict:
        """The verdict and its justification as a chain certificate (``docs/certificates.md``)."""
        from closure_check.chain_certjson import chain_certificate_json

        if self.support is None:
            raise ValueError("this result does not carry its chain")
        return chain_certificate_json(self.support, self, name=name)


# --------------------------------------------------------------------------- helpers


def _closed(chain: ChainSupport, reasons: list[str], steps: tuple, **extra: Any) -> ChainCheckResult:
    return ChainCheckResult(Verdict.CLOSED, tuple(reasons), steps=steps, support=chain, **extra)


def _pair_curve(certificate: NotClosedCertificate) -> ChainCurve:
    """The two-factor curve ``X(t), Y(t)`` as the chain ``W_1 = X``, ``W_2 = Yᵀ``."""
    curve = certificate.curve
    return ChainCurve(
        factors=(dict(curve.x), {(unit, column): value for (column, unit), value in curve.y.items()}),
        limit=dict(curve.limit),
    )


def _engine(chain: ChainSupport, seconds: float) -> ChainCheckResult:
    from closure_check.chain_engine import decide_chain

    return decide_chain(chain, seconds)


def _not_closed(
    reduction: ChainReduction,
    reasons: list[str],
    curve: ChainCurve,
    reduced_certificate: object,
    budget: float,
    reduced: object,
    records: tuple[EngineRecord, ...] = (),
) -> ChainCheckResult:
    """NOT CLOSED on the original chain from a certificate of the reduced chain.

    ``curve`` is the reduced certificate's curve on the reduced chain.  The verdict holds
    because the reduced set equals the original one; the certificate's curve is lifted
    when the steps allow it, else asked of the engine on the original chain when small,
    else kept on the reduced chain.
    """
    chain, steps = reduction.original, reduction.steps
    extra: dict[str, Any] = {"reduced": reduced, "support": chain}
    if reduction.liftable:
        lifted = lift_curve(reduction, curve)
        defects = lifted.defects(chain)
        if defects:
            return ChainCheckResult(
                Verdict.UNKNOWN,
                tuple(reasons),
                steps=steps,
                undecided=("the lifted curve does not verify on the original chain: " + "; ".join(defects),),
                records=records,
                **extra,
            )
        argument = (
            "the limit is outside the reduced problem's set (reduced certificate), which equals P by the "
            "reductions; the curve is lifted to the original chain"
        )
        certificate = ChainNotClosedCertificate(lifted, "chain reduction", argument, reduction=steps, reduced=reduced_certificate)
        return ChainCheckResult(
            Verdict.NOT_CLOSED, tuple(reasons), steps=steps, certificate=certificate, records=records, **extra
        )
    if budget > 0 and chain.nnz <= MAX_ORIGINAL_VARIABLES:
        direct = _engine(chain, budget)
        if direct.verdict is Verdict.NOT_CLOSED and direct.certificate is not None and not direct.certificate.defects(chain):
            return ChainCheckResult(
                Verdict.NOT_CLOSED,
                tuple(reasons) + direct.reasons,
                steps=steps,
                certificate=direct.certificate,
                records=records + direct.records,
                **extra,
            )
    argument = (
        "the limit is outside the reduced problem's set (reduced certificate), which equals P by the "
        "reductions; a full-pair merge has no explicit lift, so the curve given is on the reduced chain "
        "(replay `reduction` from the original chain to obtain it)"
    )
    certificate = ChainNotClosedCertificate(curve, "chain reduction", argument, reduction=steps, reduced=reduced_certificate)
    return ChainCheckResult(Verdict.NOT_CLOSED, tuple(reasons), steps=steps, certificate=certificate, records=records, **extra)


def _two_factors(reduction: ChainReduction, reasons: list[str], budget: float) -> ChainCheckResult:
    """Decide a chain whose reduced form has two factors, by the two-factor classifier."""
    reduced = reduction.reduced
    result: CheckResult = check(reduced.to_two_factor(), budget)
    where = "the reduced chain" if reduction.steps else "the chain"
    reasons = reasons + [
        f"two factors: in the two-factor problem (I, J) = (I_1, I_2ᵀ) of {where}, {reason}" for reason in result.reasons
    ]
    if result.verdict is Verdict.CLOSED:
        return _closed(reduction.original, reasons, reduction.steps, reduced=result, records=result.records)
    if result.verdict is Verdict.NOT_CLOSED:
        assert result.certificate is not None
        curve = _pair_curve(result.certificate)
        return _not_closed(reduction, reasons, curve, result.certificate, budget, result)
    return ChainCheckResult(
        Verdict.UNKNOWN,
        tuple(reasons),
        steps=reduction.steps,
        reduced=result,
        records=result.records,
        undecided=result.undecided,
        support=reduction.original,
    )


def _pair_chain(chain: ChainSupport, budget: float) -> ChainCheckResult:
    """Two factors: the partial-permutation rule, else the two-factor classifier."""
    for level in (1, 2):
        if is_partial_permutation(chain.factors[level - 1]):
            step = {"rule": "partial-permutation", "level": level, "into": "right" if level == 1 else "left"}
            reason = (
                f"I_{level} has at most one nonzero per row and per column, so W1W2 ranges over every matrix "
                f"supported on bool(I_1 I_2): a linear space, closed (partial-permutation lemma)"
            )
            return _closed(chain, [reason], (step,))
    return _two_factors(ChainReduction((chain,), ()), [], budget)


def _chainable(chain: ChainSupport, reduction: ChainReduction, reasons: list[str]) -> ChainCheckResult | None:
    """CLOSED by the chainable rule on the original chain, else on the reduced one."""
    architecture = chainable_architecture(chain)
    if architecture is not None:
        return _closed(chain, [architecture.reason()], ())
    if reduction.steps and reduction.reduced.length >= 2:
        architecture = chainable_architecture(reduction.reduced)
        if architecture is not None:
            return _closed(chain, reasons + ["reduced chain: " + architecture.reason()], reduction.steps)
    return None


def _engine_reduced(reduction: ChainReduction, reasons: list[str], budget: float) -> ChainCheckResult:
    """Three or more factors left: the chain algebraic engine on the reduced chain."""
    chain, steps = reduction.original, reduction.steps
    result = _engine(reduction.reduced, budget)
    reasons = reasons + [f"reduced chain: {reason}" if steps else reason for reason in result.reasons]
    if result.verdict is Verdict.CLOSED:  # the engine's proof is about the reduced chain: the chain after `steps`
        return _closed(chain, reasons, steps, reduced=result if steps else None, records=result.records, proof=result.proof)
    if result.verdict is Verdict.NOT_CLOSED and result.certificate is not None:
        if not steps:
            return ChainCheckResult(
                Verdict.NOT_CLOSED,
                tuple(reasons),
                certificate=result.certificate,
                records=result.records,
                support=chain,
                proof=result.proof,
            )
        return _not_closed(reduction, reasons, result.certificate.curve, result.certificate, budget, result, result.records)
    return ChainCheckResult(
        Verdict.UNKNOWN,
        tuple(reasons),
        steps=steps,
        reduced=result if steps else None,
        records=result.records,
        undecided=result.undecided or (f"the chain engine did not decide the reduced chain {reduction.reduced!r}",),
        support=chain,
        proof=result.proof,
    )


def check_chain(chain: ChainSupport, budget: float = 0.0) -> ChainCheckResult:
    """Decide closedness of ``P_{I_1..I_N}`` by the proved chain rules, then the engine.

    Parameters
    ----------
    chain
        The supports ``I_1, …, I_N`` (chain convention ``W_1 ⋯ W_N``).
    budget
        Seconds for the algebraic stages: the two-factor engine
        (:func:`closure_check.classify.check`) and the chain engine
        (``closure_check.chain_engine.decide_chain``, imported only when it is needed);
        0 runs the combinatorial rules only.

    Returns
    -------
    ChainCheckResult
        Never a verdict without its lemma; NOT CLOSED comes with a certificate whose
        curve is verified on the original chain whenever the reductions allow a lift
        (module docstring).  UNKNOWN says what is left.
    """
    if chain.length == 1:
        return _closed(chain, ["one factor: P = {W : supp W ⊆ I_1} is a linear space, closed (one-factor lemma)"], ())
    if chain.length == 2:
        return _pair_chain(chain, budget)
    reduction = reduce_chain(chain)
    reduced = reduction.reduced
    reasons = list(reduction.reasons())
    if reduced.length == 1:
        reasons.append("one factor left: a linear space, closed (one-factor lemma)")
        return _closed(chain, reasons, reduction.steps)
    two_factor = _two_factors(reduction, reasons, budget) if reduced.length == 2 else None
    if two_factor is not None and two_factor.verdict is not Verdict.UNKNOWN:
        return two_factor
    chainable = _chainable(chain, reduction, reasons)
    if chainable is not None:
        return chainable
    if two_factor is not None:
        return two_factor
    if budget <= 0:
        left = f"{reduced.length} factors left after the reductions: {reduced!r}"
        return ChainCheckResult(
            Verdict.UNKNOWN,
            tuple(reasons),
            steps=reduction.steps,
            undecided=(f"{left}; no chain rule applies and the chain engine was not run (budget 0)",),
            support=chain,
        )
    return _engine_reduced(reduction, reasons, budget)
