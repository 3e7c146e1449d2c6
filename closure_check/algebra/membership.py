"""Is ``A`` in ``P``?  Exact membership with a proof, within a budget.

``A ∈ P_{I,J}`` iff the polynomial system ``X Yᵀ = A`` (``closure_check.algebra.system``)
has a real solution.  :func:`is_member` decides it in two exact steps, each run in a
child process under a time and memory budget (:func:`closure_check.core.budget.run_with_budget`):

1. **over ℂ** — :func:`~closure_check.algebra.nullstellensatz.complex_infeasibility`:
   a Gröbner basis {1} test, then cofactors ``Σ c_i f_i = c ≠ 0``.  A certificate means
   *not a member* (no complex, hence no real solution); it is re-verified here, in the
   calling process, against the system before it is reported.
2. **over ℝ** (only when complex solutions exist, or step 1 ran out of budget) —
   :func:`~closure_check.algebra.real.real_solution` with z3's nlsat: a real point
   means *member* (re-verified here by exact substitution when rational); z3's unsat
   means *not a member*, recorded as an engine record, not a certificate.

Anything else — budgets exhausted, z3's unknown — gives ``"unknown"`` with the list of
what was tried.

>>> from closure_check.core.support import TwoFactorSupport
>>> lu = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
>>> result = is_member(lu, {(0, 1): 1, (1, 0): 1}, seconds=10)
>>> result.answer, result.method
('not-member', 'Nullstellensatz certificate (extended Buchberger over ℤ (5 basis elements)), cofactor degree 2')
>>> is_member(lu, {(0, 0): 1, (1, 1): 1}, seconds=10).answer
'member'
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from closure_check.algebra.nullstellensatz import (
    NullstellensatzCertificate,
    complex_infeasibility,
)
from closure_check.algebra.real import EngineRecord, RealAnswer, real_solution
from closure_check.algebra.system import (
    PolynomialSystem,
    chain_system,
    membership_system,
)
from closure_check.core.budget import (
    BudgetExhausted,
    BudgetOutcome,
    Effort,
    as_effort,
    run_with_budget,
)
from closure_check.core.support import ChainSupport, TwoFactorSupport

__all__ = ["COMPLEX_SHARE", "MembershipResult", "decide_system", "is_member", "is_member_chain"]

COMPLEX_SHARE = 0.5
"""Fraction of the budget the complex step may use before z3 gets the rest."""

_MARGIN = 0.05  # nominal seconds below which a step is not started



@dataclass(frozen=True)
class MembershipResult:
    """Answer to "is A in P?" with its proof.

    Attributes
    ----------
    answer
        ``"member"``, ``"not-member"`` or ``"unknown"``.
    proof
        For ``"not-member"``: a :class:`NullstellensatzCertificate` (checkable) or an
        :class:`EngineRecord` (z3's unsat; a record, not a certificate).  For
        ``"member"``: the :class:`RealAnswer` holding the verified real point.
        None for ``"unknown"``.
    method
        How the answer was obtained, in words.
    seconds
        Wall-clock time of the whole decision.
    attempts
        Every step tried, with its outcome (budget exhaustion included).
    factors
        For ``"member"``: the factors read back from the point, ``(X, Y)`` or
        ``(W_1, …, W_N)`` (Fractions, or z3 text for algebraic entries).
    """

    answer: str
    proof: NullstellensatzCertificate | RealAnswer | EngineRecord | None
    method: str
    seconds: float
    attempts: tuple[str, ...] = ()
    factors: tuple[np.ndarray, ...] | None = field(default=None, compare=False)

    @property
    def certified(self) -> bool:
        """True iff the proof can be checked without trusting an engine.

        A Nullstellensatz certificate, or a rational real point.
        """
        if isinstance(self.proof, NullstellensatzCertificate):
            return True
        return isinstance(self.proof, RealAnswer) and self.proof.exact and self.proof.verified


def _complex_step(system: PolynomialSystem, effort: Effort) -> tuple[str, object]:
    try:
        certificate = complex_infeasibility(system, effort)
    except BudgetExhausted as error:
        return ("exhausted", str(error))
    return ("certificate", certificate) if certificate is not None else ("complex solution", None)


def decide_system(
    system: PolynomialSystem, *, seconds: float | Effort = 10.0, memory_mb: int = 2048, isolate: bool = True
) -> MembershipResult:
    """Does ``system`` have a real solution?  The engine behind :func:`is_member`.

    Parameters
    ----------
    system
        Any :class:`PolynomialSystem` (two factors, chain, or raw polynomials).
    seconds
        Effort in nominal seconds of counted work (or an :class:`Effort` to charge): the
        answer depends on it, not on the machine; each engine child also has a
        wall-clock safety net (:meth:`~closure_check.core.budget.Effort.safety`).
    memory_mb
        Memory budget of each engine child process (MiB beyond what it inherits).
    isolate
        Run each engine in a child process (the default, with hard limits).  With
        False the engines run in-process with cooperative deadlines only.

    Returns
    -------
    MembershipResult
        ``"member"`` when a real solution was found, ``"not-member"`` when there is
        none, ``"unknown"`` when the budget ran out.
    """
    start = time.monotonic()
    deadline = as_effort(seconds)
    attempts: list[str] = []

    def run(slot: Effort, function, *args):
        """Run an engine on ``slot`` (charged to ``deadline``), in a child with a safety net."""
        if isolate:
            return run_with_budget(
                function, *args, slot, seconds=slot.safety(), memory_mb=memory_mb, effort=slot
            )
        begin = time.monotonic()
        return BudgetOutcome("ok", function(*args, slot), "", time.monotonic() - begin)

    # 1. over ℂ
    outcome = run(deadline.share(COMPLEX_SHARE), _complex_step, system)
    if outcome.ok:
        kind, payload = outcome.value
        if kind == "certificate":
            defects = payload.defects(system)
            if not defects:
                attempts.append(f"complex step: certificate found, verified ({outcome.seconds:.3f} s)")
                return MembershipResult(
                    "not-member",
                    payload,
                    f"Nullstellensatz certificate ({payload.method}), cofactor degree {payload.degree}",
                    time.monotonic() - start,
                    tuple(attempts),
                )
            attempts.append("complex step: the certificate FAILED verification: " + "; ".join(defects))
        elif kind == "complex solution":
            attempts.append(f"complex step: a complex solution exists ({outcome.seconds:.3f} s)")
        else:
            attempts.append(f"complex step: {payload}")
    else:
        attempts.append(f"complex step: {outcome.status} after {outcome.seconds:.3f} s: {outcome.detail.splitlines()[0] if outcome.detail else ''}")

    # 2. over ℝ
    if deadline.remaining() <= _MARGIN:
        attempts.append("real step: no effort left")
        return MembershipResult("unknown", None, "effort exhausted", time.monotonic() - start, tuple(attempts))
    outcome = run(deadline.share(), real_solution, system)
    if not outcome.ok:
        attempts.append(f"real step: {outcome.status} after {outcome.seconds:.3f} s: {outcome.detail.splitlines()[0] if outcome.detail else ''}")
        return MembershipResult("unknown", None, "effort exhausted", time.monotonic() - start, tuple(attempts))
    answer: RealAnswer = outcome.value
    record = answer.record
    attempts.append(f"real step: z3 {record.result if record else '?'} ({outcome.seconds:.3f} s)")
    if answer.status == "solution":
        if answer.exact and not system.is_solution([Fraction(v) for v in answer.point]):
            attempts.append("real step: the rational point FAILED exact substitution")
            return MembershipResult("unknown", None, "engine answer failed verification", time.monotonic() - start, tuple(attempts))
        method = "real point from z3, " + ("rational, verified by exact substitution" if answer.exact else "algebraic, verified by z3's exact arithmetic")
        return MembershipResult("member", answer, method, time.monotonic() - start, tuple(attempts), system.factors(answer.point))
    if answer.status == "no real solution":
        return MembershipResult("not-member", record, "z3 QF_NRA: unsat (engine record, not a certificate)", time.monotonic() - start, tuple(attempts))
    if record is not None and record.reason:
        attempts[-1] += f": {record.reason}"
    return MembershipResult("unknown", None, "z3 QF_NRA: unknown", time.monotonic() - start, tuple(attempts))


def is_member(
    support: TwoFactorSupport,
    A: object,
    *,
    hidden: object = frozenset(),
    seconds: float = 10.0,
    memory_mb: int = 2048,
    isolate: bool = True,
) -> MembershipResult:
    """Is ``A`` in ``P_{I,J}`` (on the visible cells)?  Exact, with a proof.

    Parameters
    ----------
    support
        The supports ``(I, J)`` (papers' convention ``X Yᵀ``).
    A
        Target: mapping cell → rational (absent = 0) or a dense m×n array.
    hidden
        Cells without an equation (masked problems): the question is then whether
        ``A`` agrees on the visible cells with some element of ``P``.
    seconds, memory_mb, isolate
        Budget; see :func:`decide_system`.

    Returns
    -------
    MembershipResult
    """
    return decide_system(membership_system(support, A, hidden), seconds=seconds, memory_mb=memory_mb, isolate=isolate)


def is_member_chain(
    chain: ChainSupport,
    A: object,
    *,
    hidden: object = frozenset(),
    seconds: float = 10.0,
    memory_mb: int = 2048,
    isolate: bool = True,
) -> MembershipResult:
    """Is ``A`` in ``P_{I_1..I_N}`` (chain convention ``W_1 ⋯ W_N``)?  See :func:`is_member`."""
    return decide_system(chain_system(chain, A, hidden), seconds=seconds, memory_mb=memory_mb, isolate=isolate)
