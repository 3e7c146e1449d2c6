"""Is ``P_{I_1..I_N} = {W_1 ⋯ W_N : supp W_ℓ ⊆ I_ℓ}`` closed?  Chains of any length.

:func:`check_chain` decides a chain (``docs/theory.md`` §6) and returns the package's one
result type, :class:`~closure_check.result.CheckResult`:

1. one factor: a linear space, CLOSED (one-factor lemma);
2. two factors: a partial-permutation factor makes it a linear space (CLOSED);
   otherwise :func:`closure_check.two_factor.check.check_two_factor` on ``(I_1, I_2ᵀ)``;
3. longer chains: the exact reductions of :mod:`closure_check.chains.reduce` (the same
   set of products, so the same verdict); one factor left is CLOSED, two factors go to
   :func:`closure_check.two_factor.check.check_two_factor`;
4. the chainable Kronecker-sparse rule (:mod:`closure_check.chains.chainable`) on the
   original chain and on the reduced one;
5. three or more factors left: the Jordan sandwich lemma on the original chain
   (:mod:`closure_check.chains.sandwich`, a rule: it runs at effort 0 too);
6. then, with effort left: the chain algebraic engine
   ``closure_check.chains.engine.decide_chain`` on the reduced chain.

A NOT CLOSED verdict on the reduced problem is a verdict on the original chain (equal
sets).  Its certificate carries a curve on the *original* chain, lifted through the
reductions (:func:`closure_check.chains.reduce.lift_curve`) and re-verified with
:meth:`ChainCurve.defects`, with ``lemma = "chain reduction"``, the steps and the
reduced certificate.  After a full-pair merge no lift exists: the engine is asked for a
curve on the original chain when it has at most :data:`MAX_ORIGINAL_VARIABLES`
variables; otherwise the certificate keeps the curve of the reduced chain (the chain
obtained by replaying ``reduction`` with :func:`closure_check.chains.reduce.apply_step`)
and its ``argument`` says so.

>>> from closure_check.families import butterfly_chain
>>> result = check_chain(butterfly_chain(4))
>>> result.verdict.value
'closed'
>>> from closure_check.core.support import ChainSupport
>>> result = check_chain(ChainSupport.from_dense([[[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]]))
>>> result.verdict.value, result.certificate.defects(result.support)
('not-closed', [])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from closure_check.certificates.chain import ChainCurve, ChainNotClosedCertificate
from closure_check.certificates.two_factor import NotClosedCertificate
from closure_check.chains.chainable import ChainableArchitecture, chainable_architecture
from closure_check.chains.reduce import (
    ChainReduction,
    is_partial_permutation,
    kronecker_fixpoint,
    lift_curve,
    reduce_chain,
)
from closure_check.core.budget import DEFAULT_EFFORT, Effort, as_effort
from closure_check.core.case import Verdict
from closure_check.core.support import ChainSupport
from closure_check.result import CheckResult
from closure_check.two_factor.check import check_two_factor

if TYPE_CHECKING:
    from closure_check.algebra.real import EngineRecord

__all__ = ["MAX_ORIGINAL_VARIABLES", "check_chain"]

MAX_ORIGINAL_VARIABLES = 40
"""After a full-pair merge, the engine is asked for a curve on the original chain only if
it has at most this many free entries."""


# --------------------------------------------------------------------------- helpers


def _closed(chain: ChainSupport, reasons: list[str], steps: tuple, **extra: Any) -> CheckResult:
    return CheckResult(Verdict.CLOSED, tuple(reasons), steps=steps, support=chain, **extra)


def _pair_curve(certificate: NotClosedCertificate) -> ChainCurve:
    """The two-factor curve ``X(t), Y(t)`` as the chain ``W_1 = X``, ``W_2 = Yᵀ``."""
    curve = certificate.curve
    return ChainCurve(
        factors=(dict(curve.x), {(unit, column): value for (column, unit), value in curve.y.items()}),
        limit=dict(curve.limit),
    )


def _engine(chain: ChainSupport, seconds: float) -> CheckResult:
    from closure_check.chains.engine import decide_chain

    return decide_chain(chain, seconds)


def _not_closed(
    reduction: ChainReduction,
    reasons: list[str],
    curve: ChainCurve,
    reduced_certificate: object,
    budget: Effort,
    reduced: object,
    records: tuple[EngineRecord, ...] = (),
) -> CheckResult:
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
            return CheckResult(
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
        return CheckResult(
            Verdict.NOT_CLOSED, tuple(reasons), steps=steps, certificate=certificate, records=records, **extra
        )
    if budget.remaining() > 0 and chain.nnz <= MAX_ORIGINAL_VARIABLES:
        direct = _engine(chain, budget)
        if direct.verdict is Verdict.NOT_CLOSED and direct.certificate is not None and not direct.certificate.defects(chain):
            return CheckResult(
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
    return CheckResult(Verdict.NOT_CLOSED, tuple(reasons), steps=steps, certificate=certificate, records=records, **extra)


def _two_factors(reduction: ChainReduction, reasons: list[str], budget: Effort) -> CheckResult:
    """Decide a chain whose reduced form has two factors, by the two-factor classifier."""
    reduced = reduction.reduced
    result = check_two_factor(reduced.to_two_factor(), budget)
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
    return CheckResult(
        Verdict.UNKNOWN,
        tuple(reasons),
        steps=reduction.steps,
        reduced=result,
        records=result.records,
        undecided=result.undecided,
        support=reduction.original,
    )


def _pair_chain(chain: ChainSupport, budget: Effort) -> CheckResult:
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


def _chainable(
    chain: ChainSupport, reduction: ChainReduction, reasons: list[str], architecture: ChainableArchitecture | None
) -> CheckResult | None:
    """CLOSED by the chainable rule on the original chain (``architecture``), else on the reduced one."""
    if architecture is not None:
        return _closed(chain, [architecture.reason()], ())
    if reduction.steps and reduction.reduced.length >= 2:
        architecture = chainable_architecture(reduction.reduced)
        if architecture is not None:
            return _closed(chain, reasons + ["reduced chain: " + architecture.reason()], reduction.steps)
    return None


def _sandwich(chain: ChainSupport) -> CheckResult | None:
    """NOT CLOSED by the Jordan sandwich lemma on the original chain (curve and identity on it), or None."""
    from closure_check.chains.sandwich import find_sandwich

    found = find_sandwich(chain)
    if found is None:
        return None
    reason = f"the limit A of an exact Laurent curve of products is outside P: {found.certificate.argument}"
    return CheckResult(Verdict.NOT_CLOSED, (reason,), certificate=found.certificate, support=chain)


def _engine_reduced(reduction: ChainReduction, reasons: list[str], budget: Effort) -> CheckResult:
    """Three or more factors left: the chain algebraic engine on the reduced chain."""
    chain, steps = reduction.original, reduction.steps
    result = _engine(reduction.reduced, budget)
    reasons = reasons + [f"reduced chain: {reason}" if steps else reason for reason in result.reasons]
    if result.verdict is Verdict.CLOSED:  # the engine's proof is about the reduced chain: the chain after `steps`
        return _closed(chain, reasons, steps, reduced=result if steps else None, records=result.records, proof=result.proof)
    if result.verdict is Verdict.NOT_CLOSED and result.certificate is not None:
        if not steps:
            return CheckResult(
                Verdict.NOT_CLOSED,
                tuple(reasons),
                certificate=result.certificate,
                records=result.records,
                support=chain,
                proof=result.proof,
            )
        return _not_closed(reduction, reasons, result.certificate.curve, result.certificate, budget, result, result.records)
    return CheckResult(
        Verdict.UNKNOWN,
        tuple(reasons),
        steps=steps,
        reduced=result if steps else None,
        records=result.records,
        undecided=result.undecided or (f"the chain engine did not decide the reduced chain {reduction.reduced!r}",),
        support=chain,
        proof=result.proof,
    )


def check_chain(chain: ChainSupport, budget: float | Effort = DEFAULT_EFFORT) -> CheckResult:
    """Decide closedness of ``P_{I_1..I_N}`` by the proved chain rules, then the engine.

    Parameters
    ----------
    chain
        The supports ``I_1, …, I_N`` (chain convention ``W_1 ⋯ W_N``).
    budget
        Effort for the algebraic stages, in nominal seconds of counted work (or an
        :class:`~closure_check.core.budget.Effort`), shared by all of them: the two-factor
        engine (:func:`closure_check.two_factor.check.check_two_factor`) and the chain
        engine (``closure_check.chains.engine.decide_chain``, imported only when it is
        needed); 0 runs the combinatorial rules only.

    Returns
    -------
    CheckResult
        Never a verdict without its lemma; NOT CLOSED comes with a certificate whose
        curve is verified on the original chain whenever the reductions allow a lift
        (module docstring).  UNKNOWN says what is left.
    """
    budget = as_effort(budget)
    if chain.length == 1:
        return _closed(chain, ["one factor: P = {W : supp W ⊆ I_1} is a linear space, closed (one-factor lemma)"], ())
    if chain.length == 2:
        return _pair_chain(chain, budget)
    # Kronecker-sparse factors are recognised by arithmetic first: when the chain is chainable
    # and the reductions provably take no step on it, the verdict and its proof are those of
    # the sparse path below, found in O(nnz) without a single sparse product
    architecture = chainable_architecture(chain)
    if architecture is not None and kronecker_fixpoint(architecture.patterns):
        return _closed(chain, [architecture.reason()], ())
    reduction = reduce_chain(chain)
    reduced = reduction.reduced
    reasons = list(reduction.reasons())
    if reduced.length == 1:
        reasons.append("one factor left: a linear space, closed (one-factor lemma)")
        return _closed(chain, reasons, reduction.steps)
    two_factor = _two_factors(reduction, reasons, budget) if reduced.length == 2 else None
    if two_factor is not None and two_factor.verdict is not Verdict.UNKNOWN:
        return two_factor
    chainable = _chainable(chain, reduction, reasons, architecture)
    if chainable is not None:
        return chainable
    if two_factor is not None:
        return two_factor
    sandwich = _sandwich(chain)
    if sandwich is not None:
        return sandwich
    if budget.remaining() <= 0:
        left = f"{reduced.length} factors left after the reductions: {reduced!r}"
        return CheckResult(
            Verdict.UNKNOWN,
            tuple(reasons),
            steps=reduction.steps,
            undecided=(f"{left}; no chain rule applies and the chain engine was not run (effort 0)",),
            support=chain,
        )
    return _engine_reduced(reduction, reasons, budget)
