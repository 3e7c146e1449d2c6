"""Chain certificates (``"kind": "chain"``): ``P = {W_1 ⋯ W_N : supp W_ℓ ⊆ I_ℓ}``.

A chain certificate has the keys of every certificate (``format``, ``version``,
``verdict``, ``reasons``, ``name``, ``producer``), ``"kind": "chain"``, the pattern
``chain`` (:mod:`.pattern`) instead of ``pattern``, and ``steps``: exact reductions
(:mod:`.steps`), replayed on the pattern with every condition checked.

NOT CLOSED (``limit``, ``curve``, ``proof``):

* A is in the closure of P: :func:`.curve.check_chain_curve` expands
  ``W_1(t) ⋯ W_N(t)`` exactly;
* A ∉ P, by ``proof.lemma``:

  - ``"chain Nullstellensatz lemma"``: the system ``W_1 ⋯ W_N = A`` is rebuilt and the
    identity ``Σ c_i f_i = c ≠ 0`` expanded (:func:`.curve.check_chain_identity`);
  - ``"chain reduction"``: ``proof.steps`` replayed from the chain give a chain C' with
    ``P ⊆ P_{C'}``; ``proof.reduced``, a complete certificate (two-factor, or chain), is
    verified on its own, says NOT CLOSED, is about C' (a two-factor pattern as
    ``(I, J) = (I_1, I_2ᵀ)``) and about the same limit A.  So ``A ∉ P_{C'} ⊇ P``.

    When a full-pair merge leaves no curve on the original chain, ``curve`` is absent:
    the reduced certificate's curve puts A in the closure of ``P_{C'}``, which is the
    closure of P because the steps keep the set of products (``P_{C'} = P``; a
    full-pair step then rests on the full-space lemma, in ``report.trusted``).

CLOSED (``proof``): the top-level ``steps`` replayed give C' with ``P_{C'} = P`` (a
full-pair step rests on the full-space lemma), and ``proof.lemma`` closes C': either
``"chain reduction"`` -- ``proof.reduced`` is a complete CLOSED certificate about C',
verified on its own (the lemmas it rests on are added to ``report.trusted``) -- or one
of the arguments of :mod:`.closed` (one factor, chain support lemma, chain
fixed-factor lemma, chain bottleneck lemma, chain orbit lemma, chainable Kronecker
theorem, chain Zariski-closure criterion).

``"lemma": "unstated"`` (either verdict) is what the producer writes when its result
carried no argument it can state: always rejected, with the producer's ``argument``.

UNKNOWN (``undecided``, a list of strings): the certificate claims nothing; its steps
are still replayed.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..curve import parse_limit
from ..parse import Malformed, field
from ..pattern import parse_pattern
from ..report import VerificationReport
from .closed import CLOSING_LEMMAS, check_closing_argument
from .curve import Cell, check_chain_curve, check_chain_identity
from .pattern import ChainPattern, parse_chain, same_as_two_factor
from .steps import replay_steps

__all__ = ["CLOSED_LEMMAS", "KIND", "NOT_CLOSED_LEMMAS", "check_chain_certificate"]

KIND = "chain"
UNSTATED = "unstated"
NOT_CLOSED_LEMMAS = ("chain Nullstellensatz lemma", "chain reduction")
CLOSED_LEMMAS = ("chain reduction", *CLOSING_LEMMAS)

Verify = Callable[[Any], VerificationReport]


def _strings(value: Any, where: str) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Malformed(f"{where} should be a list of strings")


def _common(cert: dict) -> None:
    """Keys whose text is informational: their form is checked, not their content."""
    for key in ("name", "producer"):
        if key in cert:
            field(cert, key, str, "")
    _strings(field(cert, "reasons", list, ""), "reasons")


def _proof(cert: dict, lemmas: tuple[str, ...]) -> tuple[dict, str]:
    """``cert["proof"]`` and its lemma, which must be one of ``lemmas``."""
    proof = field(cert, "proof", dict, "")
    lemma = field(proof, "lemma", str, "proof")
    for key in ("argument", "reference"):
        if key in proof:
            field(proof, key, str, "proof")
    if lemma == UNSTATED:
        why = f" ({proof['argument']})" if "argument" in proof else ""
        raise Malformed(f"proof.lemma is {UNSTATED!r}: the producer wrote no checkable argument for this verdict{why}")
    if lemma not in lemmas:
        raise Malformed(f"proof.lemma: unknown lemma {lemma!r} for this verdict (expected one of {', '.join(lemmas)})")
    return proof, lemma


# ----------------------------------------------------------------------------- reduced certificates


def _problem_mismatch(reduced: dict, target: ChainPattern) -> str | None:
    """Why the (already verified) certificate ``reduced`` is not about the chain ``target``."""
    if "kind" in reduced:
        theirs = parse_chain(reduced["chain"], "proof.reduced.chain", reduced["version"])
        if theirs != target:
            return f"its chain ({theirs.describe()}) is not the reduced chain ({target.describe()})"
        return None
    reason = same_as_two_factor(target, parse_pattern(reduced["pattern"], reduced["version"]))
    return f"its pattern is not the reduced chain as (I_1, I_2ᵀ): {reason}" if reason else None


def _check_reduced(reduced: dict, target: ChainPattern, verdict: str, A: dict[Cell, Fraction] | None,
                   report: VerificationReport, verify: Verify) -> bool:
    """``reduced`` verifies on its own, states ``verdict``, is about ``target`` and (NOT CLOSED) the limit A."""
    nested = verify(reduced)
    for problem in nested.problems:
        report.fail(f"proof.reduced: {problem}")
    if not nested.ok:
        return False
    if nested.verdict != verdict:
        report.fail(f"proof.reduced says {nested.verdict!r}, the chain certificate needs {verdict!r}")
        return False
    mismatch = _problem_mismatch(reduced, target)
    if mismatch:
        report.fail(f"proof.reduced is about another problem: {mismatch}")
        return False
    if A is not None and parse_limit(reduced["limit"], target.shape, "proof.reduced.limit") != A:
        report.fail("proof.reduced proves another limit than the chain certificate's A")
        return False
    for lemma in nested.trusted:
        report.trust(lemma)
    report.passed(
        f"proof.reduced ({'chain' if 'kind' in reduced else 'two-factor'} certificate, {verdict}) verifies on its own "
        f"and is about the reduced chain{' and A' if A is not None else ''}: [{'; '.join(nested.checked)}]"
    )
    return True


# ----------------------------------------------------------------------------- NOT CLOSED


def _not_closed(cert: dict, chain: ChainPattern, report: VerificationReport, verify: Verify) -> None:
    proof, lemma = _proof(cert, NOT_CLOSED_LEMMAS)
    lifted = "curve" in cert
    if lifted:
        A = check_chain_curve(cert, chain, report)
    elif lemma == "chain reduction":
        A = parse_limit(field(cert, "limit", list, ""), chain.shape)
    else:
        raise Malformed("curve is missing (only a chain reduction proof leaves the curve to its reduced certificate)")
    if lemma == "chain Nullstellensatz lemma":
        check_chain_identity(proof, chain, A, report)
        return
    target = replay_steps(field(proof, "steps", list, "proof"), chain, report, "proof.steps", equality=not lifted)
    reduced = field(proof, "reduced", dict, "proof")
    if target is None or not _check_reduced(reduced, target, "not-closed", A, report, verify):
        return
    report.passed("each step gives P ⊆ P' (a merged support is the boolean product), so A ∉ P' ⊇ P")
    if not lifted:
        report.passed("the reduced certificate's curve puts A in the closure of P', and P' = P by the steps")


# ----------------------------------------------------------------------------- CLOSED


def _closed(cert: dict, reduced: ChainPattern | None, report: VerificationReport, verify: Verify) -> None:
    proof, lemma = _proof(cert, CLOSED_LEMMAS)
    if reduced is None:
        return  # a step failed its condition: reported, nothing to close
    if lemma == "chain reduction":
        _check_reduced(field(proof, "reduced", dict, "proof"), reduced, "closed", None, report, verify)
    else:
        check_closing_argument(lemma, proof, reduced, report)
    if report.ok and report.trusted:
        report.passed("a CLOSED verdict rests on what report.trusted lists, which the verifier cannot re-prove")


# ----------------------------------------------------------------------------- entry point


def check_chain_certificate(cert: dict, report: VerificationReport, verify: Verify) -> None:
    """Check a chain certificate (format and version already checked) into ``report``.

    ``verify`` checks a nested complete certificate (``verify_certificate`` itself: the
    reduced certificate of a ``"chain reduction"`` proof).  Raises :class:`Malformed`
    on a malformed field; every other problem is reported.
    """
    kind = field(cert, "kind", str, "")
    if kind != KIND:
        raise Malformed(f"unknown certificate kind {kind!r} (this verifier reads {KIND!r}; two-factor certificates have no kind)")
    verdict = field(cert, "verdict", str, "")
    report.verdict = verdict
    _common(cert)
    chain = parse_chain(field(cert, "chain", dict, ""), "chain", cert["version"])
    report.passed(f"chain pattern: {chain.describe()}")
    reduced = replay_steps(field(cert, "steps", list, ""), chain, report, "steps", equality=verdict == "closed")
    if verdict == "not-closed":
        _not_closed(cert, chain, report, verify)
    elif verdict == "closed":
        _closed(cert, reduced, report, verify)
    elif verdict == "unknown":
        _strings(field(cert, "undecided", list, ""), "undecided")
        report.passed("verdict unknown: the certificate claims nothing")
    else:
        report.fail(f"unknown verdict {verdict!r} (expected closed, not-closed or unknown)")
