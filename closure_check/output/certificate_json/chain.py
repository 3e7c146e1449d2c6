"""Chain certificates as JSON: the verdict of :func:`closure_check.chains.check.check_chain`.

The same format and version as the two-factor certificates of
:mod:`closure_check.output.certificate_json.two_factor` (``docs/certificates.md``), marked ``"kind": "chain"``; the
schema is in ``docs/certificates.md ("Chain certificates")``:

* ``chain``: ``dims`` ``[r_0, …, r_N]`` and ``factors``, the nonzeros ``[a, b]`` of every
  ``I_ℓ``; ``verdict``, ``reasons``, ``steps`` (the exact reductions of
  :mod:`closure_check.chains.reduce`, as they are);
* NOT CLOSED: ``limit``, ``curve`` (``{"W": [entries of W_ℓ(t)]}``) and ``proof``: a
  Nullstellensatz identity for ``W_1 ⋯ W_N = A``, or reduction steps and the full
  certificate of the reduced problem (two-factor or chain);
* CLOSED: ``proof``, the argument closing the chain after ``steps``: the reduced
  problem's full certificate, one factor, an empty product support, the chain engine's
  own proof object (``CheckResult.proof``: the chain fixed-factor lemma with its
  fixed factors, the chain bottleneck lemma with both halves' fixed-factor proofs, the
  chain orbit lemma with its prefix and suffix proofs, generators and factorisations),
  the chainable Kronecker patterns or the chain Zariski-closure criterion (engine
  records);
* UNKNOWN: ``undecided``.

It does not raise for a result of ``check_chain`` or ``decide_chain``: a proof the
format cannot state is written as far as it goes (``"lemma": "unstated"`` when nothing
can be), and the verifier says what it does not accept.

>>> from closure_check.core.support import ChainSupport
>>> from closure_check.chains.check import check_chain
>>> lu = ChainSupport.from_dense([[[1, 0], [1, 1]], [[1, 1], [0, 1]]])
>>> cert = chain_certificate_json(lu, check_chain(lu), name="lu2-chain")
>>> cert["kind"], cert["verdict"], cert["proof"]["lemma"], cert["proof"]["reduced"]["proof"]["lemma"]
('chain', 'not-closed', 'chain reduction', 'local-LU lemma')
>>> from closure_check.verifier import verify_certificate
>>> verify_certificate(cert).ok
True
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np

from closure_check.certificates.chain import Cell, ChainNotClosedCertificate
from closure_check.certificates.two_factor import NotClosedCertificate
from closure_check.chains.chainable import chainable_architecture
from closure_check.chains.engine import (
    BOTTLENECK_LEMMA,
    FIXED_FACTOR_LEMMA,
    ORBIT_LEMMA,
    SUPPORT_LEMMA,
    ZARISKI_CRITERION,
    BottleneckProof,
    FixedFactorProof,
    OrbitProof,
)
from closure_check.chains.reduce import apply_step
from closure_check.core.case import Verdict
from closure_check.core.support import ChainSupport
from closure_check.output.certificate_json.two_factor import (
    COMPACT_ABOVE,
    COMPACT_VERSION,
    certificate_header,
    certificate_json,
    identity_json,
    laurent_entries_json,
    limit_json,
    rational_text,
    side_json,
)
from closure_check.result import CheckResult

__all__ = ["CHAIN_LEMMA_REFERENCES", "KIND", "UNSTATED", "chain_certificate_json"]

KIND = "chain"

UNSTATED = "unstated"
"""``proof.lemma`` of a verdict whose result carries no argument the format can state
(the verifier rejects it, naming why)."""

#: Where each lemma a chain certificate names is stated and proved.
CHAIN_LEMMA_REFERENCES: dict[str, str] = {
    "chain Nullstellensatz lemma": "docs/theory.md §5, Weak Nullstellensatz, for the system W_1⋯W_N = A",
    "chain reduction": "docs/theory.md §6, chain reductions (empty-inner-index, partial-permutation, full-pair lemmas)",
}


def _plain(value: Any) -> Any:
    """``value`` with tuples as lists and integer scalars (numpy's too) as ``int``: JSON data."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Integral) and not isinstance(value, bool):
        return int(value)
    return value


def _chain_json(chain: ChainSupport, compact: bool = False) -> dict[str, Any]:
    """``dims`` and the factors: lists of ``[row, column]`` pairs, or (``compact``) encoded (:func:`side_json`)."""
    return {"dims": [int(d) for d in chain.dims], "factors": [side_json(factor, compact) for factor in chain.factors]}


def _replay(chain: ChainSupport, steps: tuple[dict[str, Any], ...]) -> ChainSupport:
    """The chain after ``steps`` (each re-checked by :func:`closure_check.chains.reduce.apply_step`)."""
    for step in steps:
        chain = apply_step(chain, step)
    return chain


def _is_two_factor(sub: CheckResult) -> bool:
    """Whether a reduced problem's result is about two factors (its pattern, else its certificate)."""
    if sub.kind is not None:
        return sub.kind == "two-factor"
    return isinstance(sub.certificate, NotClosedCertificate)


def _sub_certificate(chain: ChainSupport, sub: CheckResult) -> dict[str, Any]:
    """The full certificate of a reduced problem: two-factor or chain, as ``sub`` is."""
    if _is_two_factor(sub):
        return certificate_json(chain.to_two_factor(), sub, name="reduced")
    return chain_certificate_json(chain, sub, name="reduced")


def _reduced_not_closed(certificate: ChainNotClosedCertificate, result: CheckResult, after: ChainSupport) -> dict[str, Any]:
    """The reduced certificate of a ``"chain reduction"`` proof, for the reduced chain ``after``.

    ``result.reduced`` is used when it is the result the certificate lifts (its reasons
    and engine records go with it); otherwise the reduced certificate alone is wrapped.
    """
    sub = result.reduced
    if sub is None or sub.certificate is not certificate.reduced:
        sub = CheckResult(Verdict.NOT_CLOSED, (certificate.argument,), certificate=certificate.reduced)
    return _sub_certificate(after, sub)


def _not_closed_json(chain: ChainSupport, result: CheckResult) -> dict[str, Any]:
    """``limit``, ``curve`` and ``proof``, as far as the result's certificate goes.

    The curve is left out only for a ``"chain reduction"`` proof whose curve lies on the
    reduced chain; a proof without a form here keeps its lemma and argument (the
    verifier rejects it), a result without a certificate gets ``"lemma": "unstated"``.
    """
    certificate = result.certificate
    if certificate is None:
        return {"proof": {"lemma": UNSTATED, "argument": "a NOT CLOSED result without a certificate"}}
    curve = certificate.curve
    out: dict[str, Any] = {"limit": limit_json(curve.limit)}
    reduction = certificate.identity is None and certificate.lemma == "chain reduction"
    if not reduction or not certificate.defects(chain):  # a reduction's curve may lie on the reduced chain
        out["curve"] = {"W": [laurent_entries_json(factor) for factor in curve.factors]}
    proof: dict[str, Any] = {
        "lemma": certificate.lemma,
        "reference": CHAIN_LEMMA_REFERENCES.get(certificate.lemma, "docs/theory.md §6"),
        "argument": certificate.argument,
    }
    if certificate.identity is not None:
        # the identity in the encoding of two-factor certificates, over the variables w{ℓ}_a_b
        proof["identity"] = identity_json(certificate.identity, require_cells=True)
    elif reduction:
        proof["steps"] = _plain(certificate.reduction)
        proof["reduced"] = _reduced_not_closed(certificate, result, _replay(chain, certificate.reduction))
    out["proof"] = proof
    return out


def _rational_entries(factor: dict[Cell, Any]) -> list[dict[str, Any]]:
    """``[{"entry": [a, b], "value": rational}, …]`` over the nonzero entries of a rational factor."""
    return [{"entry": [int(a), int(b)], "value": rational_text(v)} for (a, b), v in sorted(factor.items()) if v]


def _fixed_factor_json(proof: FixedFactorProof) -> dict[str, Any]:
    """``free`` (1-based, within the proof's chain), ``fixed`` (one list per factor) and ``rank`` = |S|."""
    return {
        "free": proof.free + 1,
        "fixed": [_rational_entries(values) for values in proof.fixed],
        "rank": len(proof.cells),
    }


def _bottleneck_json(proof: BottleneckProof) -> dict[str, Any]:
    """The inner index every path goes through, R and C, and both halves' fixed-factor proofs."""
    return {
        "lemma": BOTTLENECK_LEMMA,
        "level": proof.level + 1,
        "index": int(proof.index),
        "rows": sorted(int(i) for i, _ in proof.left.cells),
        "cols": sorted(int(j) for _, j in proof.right.cells),
        "left": _fixed_factor_json(proof.left),
        "right": _fixed_factor_json(proof.right),
    }


def _orbit_json(proof: OrbitProof) -> dict[str, Any]:
    """The prefix and suffix (lengths and fixed-factor proofs), generators and factorisations."""
    return {
        "lemma": ORBIT_LEMMA,
        "prefix": {"length": len(proof.prefix.fixed), **_fixed_factor_json(proof.prefix)},
        "suffix": {"length": len(proof.suffix.fixed), **_fixed_factor_json(proof.suffix)},
        "generators": [
            [[rational_text(c), {f"a_{i}_{j}": e for (i, j), e in zip(proof.cells, exponents) if e}]
             for exponents, c in sorted(generator.items())]
            for generator in proof.generators
        ],
        "factorisations": [
            {"ones": [[int(i), int(j)] for i, j in sorted(ones)], "factors": [_rational_entries(f) for f in factors]}
            for ones, factors in proof.factorisations
        ],
    }


def _engine_proof_json(proof: Any) -> dict[str, Any] | None:
    """The chain engine's proof object (``CheckResult.proof``) as JSON; None for anything else."""
    if isinstance(proof, FixedFactorProof):
        return {"lemma": FIXED_FACTOR_LEMMA, **_fixed_factor_json(proof)}
    if isinstance(proof, BottleneckProof):
        return _bottleneck_json(proof)
    if isinstance(proof, OrbitProof):
        return _orbit_json(proof)
    return None


def _has_path(chain: ChainSupport) -> bool:
    """Whether some path ``i → k_1 → ⋯ → j`` runs through allowed entries (the product support is not empty).

    The inner indices reached from some row are pushed factor by factor: ``O(nnz)``, never
    the product support itself (dense for a butterfly).
    """
    reached = np.asarray(chain.factors[0].sum(axis=0)).ravel() > 0
    for factor in chain.factors[1:]:
        reached = np.asarray(factor.T.astype(np.int64) @ reached.astype(np.int64)).ravel() > 0
    return bool(reached.any())


def _closed_proof(chain: ChainSupport, result: CheckResult) -> dict[str, Any]:
    """What closes the chain after ``result.steps``.

    By precedence: the reduced problem's own certificate, one factor, an empty product
    support, the engine's proof object (``result.proof``, about the chain after the
    steps), chainable Kronecker patterns, engine records; otherwise ``"unstated"``.
    """
    after = _replay(chain, result.steps)
    if result.reduced is not None and result.reduced.verdict is Verdict.CLOSED:
        return {"lemma": "chain reduction", "reduced": _sub_certificate(after, result.reduced)}
    if after.length == 1:
        return {"lemma": "one factor"}
    if not _has_path(after):
        return {"lemma": SUPPORT_LEMMA}
    engine = _engine_proof_json(result.proof)
    if engine is not None:
        return engine
    architecture = chainable_architecture(after)
    if architecture is not None:
        return {
            "lemma": "chainable Kronecker theorem",
            "reference": "Le, Zheng, Riccietti, Gribonval, SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506, "
                         "Definition 4.12 (chainability); proof in docs/theory.md §6",
            "patterns": [list(pattern) for pattern in architecture.patterns],
        }
    if result.records:
        return {"lemma": ZARISKI_CRITERION, "records": [record.as_dict() for record in result.records]}
    return {"lemma": UNSTATED, "argument": "a CLOSED result with no argument a chain certificate can state"}


def chain_certificate_json(
    chain: ChainSupport, result: CheckResult, name: str = "", compact: bool | None = None
) -> dict[str, Any]:
    """The certificate of ``result`` for ``chain`` as a JSON-able dict (``"kind": "chain"``).

    Parameters
    ----------
    chain
        The chain ``result`` was computed for.
    result
        What :func:`closure_check.chains.check.check_chain` returned for it.
    name
        A label for the certificate (e.g. the case name).
    compact
        Write the factors in the compact encodings of version 2 (Kronecker parameters,
        or column index arrays); None (default): iff the chain has more than
        :data:`COMPACT_ABOVE` nonzeros.

    Returns
    -------
    dict
        Keys ``format``, ``version``, ``kind``, ``name``, ``producer``, ``chain``,
        ``verdict``, ``reasons``, ``steps``, and by verdict: ``limit``, ``curve``,
        ``proof`` (NOT CLOSED); ``proof`` (CLOSED); ``undecided`` (UNKNOWN).  See
        ``docs/certificates.md ("Chain certificates")``.  A verdict without an argument the
        format can state gets what can be written (``"lemma": "unstated"`` when
        nothing can): the certificate is written, and the verifier rejects it.
    """
    if compact is None:
        compact = sum(int(factor.nnz) for factor in chain.factors) > COMPACT_ABOVE
    cert: dict[str, Any] = {
        **certificate_header(name, KIND),
        "chain": _chain_json(chain, compact),
        "verdict": result.verdict.value,
        "reasons": list(result.reasons),
        "steps": _plain(result.steps),
    }
    if result.verdict is Verdict.NOT_CLOSED:
        cert.update(_not_closed_json(chain, result))
    elif result.verdict is Verdict.CLOSED:
        cert["proof"] = _closed_proof(chain, result)
    else:
        cert["undecided"] = list(result.undecided)
    if compact:
        cert["version"] = COMPACT_VERSION
    return cert
