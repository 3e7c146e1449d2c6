"""Chain certificates (``"kind": "chain"``): producer, independent verifier, mutations.

Every chain certificate the library writes must verify; every mutation of a valid one
must be rejected with a message naming what failed; the verifier must never raise and
must stay independent of the deciding code (stdlib and its own modules only).
"""

from __future__ import annotations

import copy
import glob
import itertools
import json
import random
import shutil
import subprocess
import sys
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from closure_check.algebra.nullstellensatz import complex_infeasibility
from closure_check.algebra.system import chain_system
from closure_check.certificates.chain import ChainCurve, ChainNotClosedCertificate
from closure_check.chains.check import check_chain
from closure_check.chains.engine import (
    BottleneckProof,
    FixedFactorProof,
    OrbitProof,
    decide_chain,
)
from closure_check.core.case import Verdict
from closure_check.core.laurent import Laurent
from closure_check.core.support import ChainSupport, TwoFactorSupport
from closure_check.decide import check
from closure_check.families import butterfly_chain, kronecker_pattern, lu
from closure_check.io import read_case
from closure_check.output.certificate_json.chain import UNSTATED, chain_certificate_json
from closure_check.output.certificate_json.two_factor import (
    certificate_json,
    certificate_text,
)
from closure_check.result import CheckResult
from closure_check.verifier import verify_certificate

ROOT = Path(__file__).parent.parent
VERIFIER = ROOT / "closure_check" / "verifier"
CHAIN_CASES = sorted(glob.glob(str(ROOT / "cases" / "chains" / "*.sup")))

ONE, T, INV = Laurent.constant(1), Laurent.monomial(1), Laurent.monomial(-1)
ANTI_IDENTITY = {(0, 1): Fraction(1), (1, 0): Fraction(1)}
LOWER, UPPER, DIAG = [[1, 0], [1, 1]], [[1, 1], [0, 1]], [[1, 0], [0, 1]]
LU_CHAIN = ChainSupport.from_dense([LOWER, UPPER])
DLU_CHAIN = ChainSupport.from_dense([DIAG, LOWER, UPPER])
# every path goes through inner index 1 between W2 and W3 (W2 has one column)
BOTTLENECK_CHAIN = ChainSupport.from_dense([[[0, 1], [1, 0]], [[0, 1], [0, 1]], [[1, 1], [1, 1]]])
# the orbit lemma needs the prefix diag·upper (diag alone has rows {0}, {1}: not nested)
DULU_CHAIN = ChainSupport.from_dense([DIAG, UPPER, LOWER, UPPER])


def as_json(cert: dict) -> dict:
    """The certificate as it comes back from a file."""
    return json.loads(certificate_text(cert))


def lu_curve() -> ChainCurve:
    """``[[t,0],[1,1]] · [[1,t⁻¹],[0,−t⁻¹]] = [[t,1],[1,0]] → A``, the anti-identity."""
    return ChainCurve(
        factors=({(0, 0): T, (1, 0): ONE, (1, 1): ONE}, {(0, 0): ONE, (0, 1): INV, (1, 1): -INV}),
        limit=dict(ANTI_IDENTITY),
    )


def dlu_curve() -> ChainCurve:
    """``diag(t⁻¹, 1) · [[t²,0],[1,1]] · [[1,t⁻¹],[0,−t⁻¹]] = [[t,1],[1,0]] → A``."""
    return ChainCurve(
        factors=(
            {(0, 0): INV, (1, 1): ONE},
            {(0, 0): Laurent.monomial(2), (1, 0): ONE, (1, 1): ONE},
            {(0, 0): ONE, (0, 1): INV, (1, 1): -INV},
        ),
        limit=dict(ANTI_IDENTITY),
    )


def nullstellensatz_cert(chain: ChainSupport, curve: ChainCurve, name: str) -> dict:
    """A NOT CLOSED chain certificate whose proof is an identity found for ``W_1⋯W_N = A``."""
    assert curve.defects(chain) == []
    identity = complex_infeasibility(chain_system(chain, curve.limit), budget=30)
    assert identity is not None and identity.verify()
    certificate = ChainNotClosedCertificate(
        curve, "chain Nullstellensatz lemma", "W_1⋯W_N = A has no complex solution", identity=identity
    )
    result = CheckResult(Verdict.NOT_CLOSED, ("the identity refutes A ∈ P (chain Nullstellensatz lemma)",),
                              certificate=certificate, support=chain)
    return as_json(chain_certificate_json(chain, result, name=name))


def reduction_cert() -> dict:
    """DLU: merge the diagonal W_1 into W_2 (partial permutation), then the two-factor LU certificate."""
    steps = ({"rule": "partial-permutation", "level": 1, "into": "right"},)
    two_factor = check(lu(2))
    certificate = ChainNotClosedCertificate(
        dlu_curve(), "chain reduction", "A is outside the reduced LU problem", reduction=steps,
        reduced=two_factor.certificate,
    )
    result = CheckResult(Verdict.NOT_CLOSED, ("reduced to LU",), steps=steps, certificate=certificate,
                              reduced=two_factor, support=DLU_CHAIN)
    return as_json(chain_certificate_json(DLU_CHAIN, result, name="dlu-reduction"))


def chain_cert(chain: ChainSupport, budget: float = 0.0, name: str = "") -> dict:
    return as_json(chain_certificate_json(chain, check_chain(chain, budget=budget), name=name))


@pytest.fixture(scope="module")
def lu_ns() -> dict:
    return nullstellensatz_cert(LU_CHAIN, lu_curve(), "lu2-chain-nullstellensatz")


@pytest.fixture(scope="module")
def dlu_ns() -> dict:
    return nullstellensatz_cert(DLU_CHAIN, dlu_curve(), "dlu-chain-nullstellensatz")


@pytest.fixture(scope="module")
def dlu_reduction() -> dict:
    return reduction_cert()


@pytest.fixture(scope="module")
def butterfly() -> dict:
    return chain_cert(butterfly_chain(3), name="butterfly-N8")


def assert_rejected(cert: dict, fragment: str) -> None:
    report = verify_certificate(cert)
    assert not report.ok, "the mutated certificate was accepted"
    assert any(fragment in problem for problem in report.problems), report.problems


# ----------------------------------------------------------------------------- valid certificates


def test_lu_chain_nullstellensatz_certificate_verifies(lu_ns):
    report = verify_certificate(lu_ns)
    assert report.ok, report.problems
    assert report.verdict == "not-closed" and report.trusted == []
    assert lu_ns["kind"] == "chain" and lu_ns["version"] == 1
    assert lu_ns["chain"] == {"dims": [2, 2, 2], "factors": [[[0, 0], [1, 0], [1, 1]], [[0, 0], [0, 1], [1, 1]]]}
    assert any("chain Nullstellensatz identity re-derived" in line for line in report.checked)
    assert {"entry": [0, 1], "laurent": {"-1": "1"}} in lu_ns["curve"]["W"][1]


def test_three_factor_nullstellensatz_certificate_verifies(dlu_ns):
    report = verify_certificate(dlu_ns)
    assert report.ok, report.problems
    assert report.trusted == []
    assert len(dlu_ns["curve"]["W"]) == 3
    variables = {name for eq in dlu_ns["proof"]["identity"]["equations"] for _, powers in eq["f"] for name in powers}
    assert variables == set(dlu_ns["proof"]["identity"]["variables"]) and all(v[0] == "w" for v in variables)


def test_three_factor_reduction_certificate_verifies(dlu_reduction):
    report = verify_certificate(dlu_reduction)
    assert report.ok, report.problems
    assert report.trusted == []
    reduced = dlu_reduction["proof"]["reduced"]
    assert "kind" not in reduced and reduced["pattern"]["I"] == [[0, 0], [1, 0], [1, 1]]
    assert any("A ∉ P' ⊇ P" in line for line in report.checked)


def test_lu_chain_from_check_chain_verifies():
    cert = chain_cert(LU_CHAIN, name="lu2-chain")
    report = verify_certificate(cert)
    assert report.ok, report.problems
    assert cert["proof"]["lemma"] == "chain reduction" and cert["proof"]["steps"] == []
    assert cert["proof"]["reduced"]["proof"]["lemma"] == "local-LU lemma"


def test_closed_one_factor_certificates_verify():
    for chain in (ChainSupport.from_dense([LOWER]), ChainSupport.from_dense([DIAG, UPPER])):
        cert = chain_cert(chain)
        report = verify_certificate(cert)
        assert report.ok, report.problems
        assert cert["proof"] == {"lemma": "one factor"} and report.trusted == []


def test_closed_kronecker_certificate_verifies_and_rests_on_the_paper(butterfly):
    report = verify_certificate(butterfly)
    assert report.ok, report.problems
    assert butterfly["proof"]["patterns"] == [[1, 2, 2, 4], [2, 2, 2, 2], [4, 2, 2, 1]]
    assert len(report.trusted) == 1 and "chainable Kronecker theorem" in report.trusted[0]


def test_closed_reduced_two_factor_certificate_verifies():
    cert = chain_cert(ChainSupport.from_dense([[[1, 1], [1, 1]], [[1, 1], [1, 1]]]))
    report = verify_certificate(cert)
    assert report.ok, report.problems
    assert cert["proof"]["lemma"] == "chain reduction" and cert["proof"]["reduced"]["verdict"] == "closed"
    assert "structural lemma" in report.trusted


def test_full_pair_step_rests_on_the_full_space_lemma_only_when_equality_is_needed():
    closed = chain_cert(ChainSupport.from_dense([[[0, 0], [0, 1]], [[0, 0], [1, 1]], [[0, 1], [1, 1]]]))
    assert closed["verdict"] == "closed" and closed["steps"][-1]["rule"] == "full-pair"
    report = verify_certificate(closed)
    assert report.ok, report.problems
    assert any("full-space lemma" in line for line in report.trusted)
    # without a claim (or in a NOT CLOSED proof) only P ⊆ P' is used, which every merge gives
    report = verify_certificate(closed | {"verdict": "unknown", "undecided": []})
    assert report.ok and report.trusted == []


def test_not_closed_without_a_lifted_curve_rests_on_the_full_space_lemma():
    chain = ChainSupport.from_dense([[[0, 1], [1, 1]], [[0, 1], [1, 1]], [[1, 1], [0, 1]]])
    cert = chain_cert(chain)
    assert cert["verdict"] == "not-closed" and "curve" not in cert
    assert cert["proof"]["steps"][0]["rule"] == "full-pair"
    report = verify_certificate(cert)
    assert report.ok, report.problems
    assert any("full-space lemma" in line for line in report.trusted)
    del cert["proof"]["steps"][0]
    assert not verify_certificate(cert).ok


def test_engine_record_proof_is_trusted(butterfly):
    cert = copy.deepcopy(butterfly)
    record = {"engine": "z3", "version": "4.12", "query": "(check-sat)", "result": "unsat"}
    cert["proof"] = {"lemma": "chain Zariski-closure criterion", "records": [record]}
    report = verify_certificate(cert)
    assert report.ok and any("z3 4.12 answered unsat" in line for line in report.trusted)
    cert["proof"]["records"][0]["result"] = "sat"
    assert_rejected(cert, "answered 'sat'")


@pytest.fixture(scope="module")
def orbit() -> dict:
    cert = chain_cert(ChainSupport.from_dense([[[0, 1], [1, 1]]] * 3), budget=5, name="orbit")
    assert cert["proof"]["lemma"] == "chain orbit lemma"
    return cert


@pytest.fixture(scope="module")
def fixed_factor() -> dict:
    chain = ChainSupport.from_dense([LOWER, [[1, 1], [1, 1]], UPPER])
    cert = as_json(chain_certificate_json(chain, decide_chain(chain, 10), name="lower-full-upper"))
    assert cert["proof"]["lemma"] == "chain fixed-factor lemma"
    return cert


def test_orbit_lemma_certificate_verifies_and_rests_on_the_lemma(orbit):
    report = verify_certificate(orbit)
    assert report.ok, report.problems
    assert len(report.trusted) == 1 and report.trusted[0].startswith("chain orbit lemma")
    assert any("7 partial permutation(s)" in line for line in report.checked)


def test_fixed_factor_certificate_is_checked_completely(fixed_factor):
    report = verify_certificate(fixed_factor)
    assert report.ok, report.problems
    assert report.trusted == []
    assert any("rank |S| = 4" in line for line in report.checked)


@pytest.fixture(scope="module")
def bottleneck() -> dict:
    cert = as_json(chain_certificate_json(BOTTLENECK_CHAIN, decide_chain(BOTTLENECK_CHAIN, 5), name="bottleneck"))
    assert cert["proof"]["lemma"] == "chain bottleneck lemma"
    return cert


@pytest.fixture(scope="module")
def long_prefix_orbit() -> dict:
    cert = as_json(chain_certificate_json(DULU_CHAIN, decide_chain(DULU_CHAIN, 5), name="diag-upper-lower-upper"))
    assert cert["proof"]["lemma"] == "chain orbit lemma"
    return cert


def test_bottleneck_certificate_verifies_and_rests_on_the_lemma_only(bottleneck):
    proof = bottleneck["proof"]
    assert (proof["level"], proof["index"], proof["rows"], proof["cols"]) == (2, 1, [0, 1], [0, 1])
    assert len(proof["left"]["fixed"]) == 2 and len(proof["right"]["fixed"]) == 1
    assert proof["left"]["rank"] == proof["right"]["rank"] == 2
    report = verify_certificate(bottleneck)
    assert report.ok, report.problems
    assert len(report.trusted) == 1 and report.trusted[0].startswith("chain bottleneck lemma")
    assert any("rank ≤ 1 supported on R×C = [0, 1]×[0, 1]" in line for line in report.checked)


def test_bottleneck_mutations_are_rejected(bottleneck):
    mutations = {
        "a path goes through index 1 between W2 and W3, not only through index 0": ("index", 0),
        "a path goes through index 0 between W1 and W2, not only through index 1": ("level", 1),
        "proof.rows is [0], but x = (W1⋯W2)[:, 1] is supported on rows [0, 1]": ("rows", [0]),
        "proof.index: 2 is out of range [0, 2)": ("index", 2),
    }
    for fragment, (key, value) in mutations.items():
        cert = copy.deepcopy(bottleneck)
        cert["proof"][key] = value
        assert_rejected(cert, fragment)
    cert = copy.deepcopy(bottleneck)
    cert["proof"]["left"]["rank"] = 1
    assert_rejected(cert, "proof.left.rank says 1, but the linear map W1 ↦ x = (W1⋯W2)[:, 1] with the fixed factors has rank 2")
    cert = copy.deepcopy(bottleneck)
    cert["proof"]["right"]["rank"] = 3
    assert_rejected(cert, "proof.right.rank says 3, but the linear map W3 ↦ yᵀ = W3[1, :] with the fixed factors has rank 2")
    cert = copy.deepcopy(bottleneck)
    cert["proof"]["left"]["fixed"][1] = []
    assert_rejected(cert, "proof.left: the linear map W1 ↦ x = (W1⋯W2)[:, 1] with the fixed factors has rank 0 < |R| = 2")
    cert = copy.deepcopy(bottleneck)
    cert["proof"]["left"]["fixed"][0] = [{"entry": [0, 1], "value": "1"}]
    assert_rejected(cert, "proof.left.fixed gives values to W1, the free factor")
    cert = copy.deepcopy(bottleneck)
    cert["chain"]["factors"][1].append([0, 0])   # now index 0 carries paths too
    assert_rejected(cert, "a path goes through index 0 between W2 and W3")


def test_orbit_certificate_with_a_longer_prefix_verifies(long_prefix_orbit):
    proof = long_prefix_orbit["proof"]
    assert proof["prefix"]["length"] == 2 and proof["suffix"]["length"] == 1
    assert proof["prefix"]["rank"] == 3 and len(proof["prefix"]["fixed"]) == 2
    report = verify_certificate(long_prefix_orbit)
    assert report.ok, report.problems
    assert len(report.trusted) == 1 and report.trusted[0].startswith("chain orbit lemma")
    assert any("the first 2 and of the last 1 factor(s) fill their supports" in line for line in report.checked)


def test_orbit_prefix_and_suffix_mutations_are_rejected(long_prefix_orbit, orbit):
    cert = copy.deepcopy(long_prefix_orbit)
    cert["proof"]["prefix"]["length"] = 1
    assert_rejected(cert, "proof.prefix.fixed lists 2 factors, 1 expected")
    cert = copy.deepcopy(long_prefix_orbit)   # a consistent prefix of length 1: I_1 = diag is not nested
    cert["proof"]["prefix"] = {"length": 1, "free": 1, "fixed": [[]], "rank": 2}
    assert_rejected(cert, "the row patterns of I_1 are not nested: the orbit lemma does not apply")
    cert = copy.deepcopy(long_prefix_orbit)
    del cert["proof"]["prefix"]   # absent means length 1
    assert_rejected(cert, "the row patterns of I_1 are not nested")
    cert = copy.deepcopy(long_prefix_orbit)
    cert["proof"]["prefix"]["rank"] = 4
    assert_rejected(cert, "proof.prefix.rank says 4, but the linear map W2 ↦ W1⋯W2 with the fixed factors has rank 3")
    cert = copy.deepcopy(long_prefix_orbit)
    cert["proof"]["prefix"]["fixed"][0] = []
    assert_rejected(cert, "proof.prefix: the linear map W2 ↦ W1⋯W2 with the fixed factors has rank 0 < |S'| = 3")
    cert = copy.deepcopy(long_prefix_orbit)
    cert["proof"]["suffix"] = {"length": 3, "free": 1, "fixed": [[], [], []]}
    assert_rejected(cert, "proof.prefix.length + proof.suffix.length = 2 + 3 > N = 4: the prefix and the suffix overlap")
    # a certificate written before prefixes and suffixes were stated still reads as length 1
    cert = copy.deepcopy(orbit)
    del cert["proof"]["prefix"], cert["proof"]["suffix"]
    report = verify_certificate(cert)
    assert report.ok, report.problems


def test_engine_results_carry_their_proof_and_the_certificate_writes_it():
    fixed = ChainSupport.from_dense([LOWER, [[1, 1], [1, 1]], UPPER])
    for chain, kind in ((fixed, FixedFactorProof), (BOTTLENECK_CHAIN, BottleneckProof), (DULU_CHAIN, OrbitProof)):
        result = decide_chain(chain, 5)
        assert isinstance(result.proof, kind) and result.proof.defects(chain) == []
    result = decide_chain(fixed, 5)
    cert = chain_certificate_json(fixed, result)
    assert cert["proof"]["free"] == result.proof.free + 1 and cert["proof"]["rank"] == len(result.proof.cells)
    # nothing is recomputed: without the proof object the argument is not stated, and the verifier says so
    cert = as_json(chain_certificate_json(fixed, replace(result, proof=None)))
    assert cert["proof"]["lemma"] == UNSTATED
    assert_rejected(cert, "proof.lemma is 'unstated': the producer wrote no checkable argument for this verdict")


def test_check_chain_passes_the_engine_proof_through():
    direct = check_chain(ChainSupport.from_dense([[[0, 1], [1, 1]]] * 3), budget=5)
    assert direct.steps == () and isinstance(direct.proof, OrbitProof)
    reduced = check_chain(DULU_CHAIN, budget=5)   # the diagonal factor is merged first
    assert reduced.steps and reduced.reduced.kind == "chain"
    assert reduced.proof is reduced.reduced.proof and isinstance(reduced.proof, OrbitProof)
    cert = as_json(chain_certificate_json(DULU_CHAIN, reduced))
    assert cert["proof"]["reduced"]["proof"]["lemma"] == "chain orbit lemma"
    assert verify_certificate(cert).ok


def test_results_without_a_writable_proof_give_a_certificate_the_verifier_rejects():
    closed = CheckResult(Verdict.CLOSED, ("trust me",), support=DULU_CHAIN)
    assert_rejected(as_json(chain_certificate_json(DULU_CHAIN, closed)), "proof.lemma is 'unstated'")
    open_ = CheckResult(Verdict.NOT_CLOSED, ("trust me",), support=DLU_CHAIN)
    assert_rejected(as_json(chain_certificate_json(DLU_CHAIN, open_)), "a NOT CLOSED result without a certificate")
    wrong = ChainNotClosedCertificate(lu_curve(), "chain magic lemma", "no identity")
    result = CheckResult(Verdict.NOT_CLOSED, ("magic",), certificate=wrong, support=LU_CHAIN)
    assert_rejected(as_json(chain_certificate_json(LU_CHAIN, result)), "proof.lemma: unknown lemma 'chain magic lemma'")


def test_support_lemma_certificate_verifies():
    chain = ChainSupport.from_dense([[[1, 0]], [[0], [1]]])
    cert = as_json(chain_certificate_json(chain, decide_chain(chain, 5)))
    assert cert["proof"] == {"lemma": "chain support lemma"}
    report = verify_certificate(cert)
    assert report.ok and report.trusted == []
    cert["chain"]["factors"][1] = [[0, 0]]
    assert_rejected(cert, "proof says S is empty, but the chain reaches 1 cell(s)")


def test_unknown_chain_certificate_claims_nothing():
    chain = ChainSupport.from_dense([[[0, 1], [1, 1]]] * 3)
    cert = chain_cert(chain)
    report = verify_certificate(cert)
    assert cert["verdict"] == "unknown" and report.ok and report.trusted == []
    assert any("claims nothing" in line for line in report.checked)


def test_two_factor_certificates_are_unchanged():
    cert = as_json(certificate_json(lu(2), check(lu(2))))
    assert "kind" not in cert and verify_certificate(cert).ok
    assert_rejected(dict(cert, kind="two-factor"), "unknown certificate kind 'two-factor'")
    assert_rejected(dict(cert, kind="chain"), "chain is missing")


# ----------------------------------------------------------------------------- mutations


def test_changed_curve_coefficient_is_rejected(dlu_ns):
    cert = copy.deepcopy(dlu_ns)
    entry = next(e for e in cert["curve"]["W"][2] if e["entry"] == [1, 1])
    entry["laurent"] = {"-1": "-2"}
    assert_rejected(cert, "entry (1,1) of W_1(t)⋯W_N(t) keeps t^-1")


def test_curve_entry_outside_the_support_is_rejected(dlu_ns):
    cert = copy.deepcopy(dlu_ns)
    cert["curve"]["W"][0].append({"entry": [0, 1], "laurent": {"1": "1"}})
    assert_rejected(cert, "W1(t) entry (0,1) outside I_1")


def test_curve_with_a_missing_factor_is_rejected(dlu_ns):
    cert = copy.deepcopy(dlu_ns)
    del cert["curve"]["W"][0]
    assert_rejected(cert, "curve.W has 2 factors, the chain 3")


def test_wrong_limit_is_rejected(dlu_ns, dlu_reduction):
    for base in (dlu_ns, dlu_reduction):
        cert = copy.deepcopy(base)
        cert["limit"][0]["value"] = "2"
        assert_rejected(cert, "constant term of W_1(t)⋯W_N(t) at (0,1) is 1, limit says 2")


def test_broken_cofactor_is_rejected(dlu_ns):
    cert = copy.deepcopy(dlu_ns)
    equation = next(eq for eq in cert["proof"]["identity"]["equations"] if eq["c"])
    equation["c"][0][0] = "12345"
    assert_rejected(cert, "Nullstellensatz identity expands to")


def test_equation_not_of_the_chain_system_is_rejected(dlu_ns):
    cert = copy.deepcopy(dlu_ns)
    equation = cert["proof"]["identity"]["equations"][0]
    equation["f"] = equation["f"] + [["1", {"w1_0_0": 2}]]
    assert_rejected(cert, f"the equation for cell ({equation['cell'][0]},{equation['cell'][1]}) is")
    cert = copy.deepcopy(dlu_ns)
    del cert["proof"]["identity"]["equations"][0]
    assert_rejected(cert, "the identity has no equation for cell")


def test_zero_nullstellensatz_constant_is_rejected(lu_ns):
    cert = copy.deepcopy(lu_ns)
    cert["proof"]["identity"]["constant"] = "0"
    assert_rejected(cert, "the Nullstellensatz constant is 0")


def test_bogus_reduction_steps_are_rejected(dlu_reduction):
    bogus = {
        "I_2 is not a partial permutation": {"rule": "partial-permutation", "level": 2, "into": "left"},
        "inner index 0 between W1 and W2 is used": {"rule": "empty-inner-index", "level": 1, "indices": [0]},
        "unknown reduction rule 'shrink'": {"rule": "shrink", "level": 1},
    }
    for fragment, step in bogus.items():
        cert = copy.deepcopy(dlu_reduction)
        cert["proof"]["steps"] = [step]
        assert_rejected(cert, fragment)
    cert = copy.deepcopy(dlu_reduction)
    cert["proof"]["steps"][0]["into"] = "left"
    assert_rejected(cert, "proof.steps[0].level: 1 is out of range [2, 4)")


def test_wrong_side_of_an_empty_inner_index_is_rejected():
    chain = ChainSupport.from_dense([[[1, 0], [1, 0]], [[1, 1], [1, 1]], [[1, 1], [1, 1]]])
    cert = chain_cert(chain)
    assert cert["steps"][0] == {"rule": "empty-inner-index", "level": 1, "indices": [1], "empty": ["column of I_ℓ"]}
    assert verify_certificate(cert).ok
    cert["steps"][0]["empty"] = ["row of I_ℓ+1"]
    assert_rejected(cert, "steps[0] (empty-inner-index): row 1 of I_2 is said to be empty but has 2 entries")


def test_missing_reduction_step_is_rejected(dlu_reduction):
    cert = copy.deepcopy(dlu_reduction)
    cert["proof"]["steps"] = []
    assert_rejected(cert, "its pattern is not the reduced chain as (I_1, I_2ᵀ): the chain has 3 factors")


def test_bogus_top_level_step_is_rejected():
    cert = chain_cert(ChainSupport.from_dense([DIAG, UPPER]))
    cert["steps"][0] = {"rule": "partial-permutation", "level": 2, "into": "left"}
    assert_rejected(cert, "steps[0] (partial-permutation): I_2 is not a partial permutation")


def test_reduced_certificate_for_another_problem_is_rejected(dlu_reduction):
    other = TwoFactorSupport.from_dense([[1, 0, 0], [1, 1, 0]], [[1, 0, 0], [1, 1, 0]])
    cert = copy.deepcopy(dlu_reduction)
    cert["proof"]["reduced"] = as_json(certificate_json(other, check(other)))
    assert verify_certificate(cert["proof"]["reduced"]).ok
    assert_rejected(cert, "proof.reduced is about another problem: its pattern is not the reduced chain")


def test_reduced_certificate_with_another_limit_is_rejected(dlu_reduction):
    cert = copy.deepcopy(dlu_reduction)
    reduced = cert["proof"]["reduced"]
    next(e for e in reduced["curve"]["Y"] if e["entry"] == [0, 0])["laurent"] = {"0": "2"}
    next(c for c in reduced["limit"] if c["cell"] == [1, 0])["value"] = "2"
    assert verify_certificate(reduced).ok
    assert_rejected(cert, "proof.reduced proves another limit")


def test_broken_reduced_certificate_is_rejected(dlu_reduction):
    cert = copy.deepcopy(dlu_reduction)
    cert["proof"]["reduced"]["proof"]["roles"]["unit"] = 1
    assert_rejected(cert, "proof.reduced: ")
    cert = copy.deepcopy(dlu_reduction)
    cert["proof"]["reduced"]["verdict"] = "unknown"
    cert["proof"]["reduced"]["undecided"] = []
    assert_rejected(cert, "proof.reduced says 'unknown', the chain certificate needs 'not-closed'")


def test_wrong_kronecker_pattern_is_rejected(butterfly):
    cert = copy.deepcopy(butterfly)
    cert["proof"]["patterns"][1] = [2, 2, 2, 1]
    assert_rejected(cert, "Kronecker pattern of factor 2: W2 is 8×8, the pattern [2, 2, 2, 1] gives 4×4")
    cert = copy.deepcopy(butterfly)
    cert["proof"]["patterns"][0] = [1, 2, 2, 4][::-1]
    assert_rejected(cert, "Kronecker pattern of factor 1")
    cert = copy.deepcopy(butterfly)
    cert["chain"]["factors"][0][0] = [0, 1]
    assert_rejected(cert, "I_1 has a 1 at (0,1), outside I_1 ⊗ 1_2×2 ⊗ I_4")


def test_kronecker_patterns_that_are_not_chainable_are_rejected():
    chain = ChainSupport((kronecker_pattern(2, 2, 2, 1), kronecker_pattern(1, 2, 2, 2)))
    cert = as_json(chain_certificate_json(chain, CheckResult(Verdict.UNKNOWN, (), support=chain)))
    cert.update(verdict="closed", proof={"lemma": "chainable Kronecker theorem", "patterns": [[2, 2, 2, 1], [1, 2, 2, 2]]})
    assert_rejected(cert, "not chainable: needs a | a' (2 | 1)")


def test_orbit_mutations_are_rejected(orbit):
    cert = copy.deepcopy(orbit)
    missing = cert["proof"]["factorisations"].pop()
    assert_rejected(cert, f"the partial permutation {[tuple(c) for c in missing['ones']]} lies on the stated zero set")
    cert = copy.deepcopy(orbit)
    cert["proof"]["generators"] = [[["1", {"a_0_0": 1}]]]
    assert_rejected(cert, "generator 0 (a_0_0) does not vanish on W_1⋯W_N")
    cert["proof"]["generators"] = [[["1", {"a_5_0": 1}]]]
    assert_rejected(cert, "generator 0 uses a_5_0, not the entry a_i_j of a cell of S")
    cert = copy.deepcopy(orbit)
    cert["proof"]["factorisations"][-1]["factors"][0][0]["value"] = "2"
    assert_rejected(cert, "the factors do not multiply to the partial permutation")
    cert = copy.deepcopy(orbit)
    cert["chain"]["factors"][0] = [[0, 1], [1, 0]]
    assert_rejected(cert, "proof.factorisations")


def test_fixed_factor_mutations_are_rejected(fixed_factor):
    cert = copy.deepcopy(fixed_factor)
    free = cert["proof"]["free"]
    other = 0 if free != 1 else 1
    cert["proof"]["fixed"][other] = []
    assert_rejected(cert, f"the linear map W{free} ↦ W_1⋯W_N with the fixed factors has rank 0 < |S| = 4")
    cert = copy.deepcopy(fixed_factor)
    cert["proof"]["fixed"][free - 1] = [{"entry": [0, 0], "value": "1"}]
    assert_rejected(cert, f"proof.fixed gives values to W{free}, the free factor")
    cert = copy.deepcopy(fixed_factor)
    cert["chain"]["factors"][other] = cert["chain"]["factors"][other][:1]
    assert_rejected(cert, f"proof.fixed[{other}]: entry")


def test_one_factor_claim_with_two_factors_left_is_rejected(butterfly):
    cert = copy.deepcopy(butterfly)
    cert["proof"] = {"lemma": "one factor"}
    assert_rejected(cert, "proof says one factor, but the chain after the steps has 3")


def test_unknown_lemma_kind_and_chain_errors_are_rejected(lu_ns):
    assert_rejected(dict(lu_ns, kind="tree"), "unknown certificate kind 'tree'")
    cert = copy.deepcopy(lu_ns)
    cert["proof"]["lemma"] = "chain magic"
    assert_rejected(cert, "proof.lemma: unknown lemma 'chain magic'")
    cert = copy.deepcopy(lu_ns)
    cert["chain"]["dims"] = [2, 2]
    assert_rejected(cert, "chain.dims has 2 entries for 2 factors")
    cert = copy.deepcopy(lu_ns)
    cert["chain"]["factors"][0].append([0, 0])
    assert_rejected(cert, "chain.factors[0] lists [0, 0] twice")
    cert = copy.deepcopy(lu_ns)
    del cert["curve"]
    assert_rejected(cert, "curve is missing")


# ----------------------------------------------------------------------------- robustness


def _paths(obj, prefix=()):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            yield prefix + (index,)
            yield from _paths(value, prefix + (index,))


def test_corrupted_fields_give_problems_not_exceptions(
    dlu_ns, dlu_reduction, butterfly, orbit, fixed_factor, bottleneck, long_prefix_orbit
):
    replacements = (None, "0.5", -1, True, {"a": 1}, [], [[0, 0]], 10**9, "1")
    rejected = total = 0
    for base in (dlu_ns, dlu_reduction, butterfly, orbit, fixed_factor, bottleneck, long_prefix_orbit):
        for path in list(_paths(base)):
            for replacement in (*replacements, "delete"):
                cert = copy.deepcopy(base)
                target = cert
                for key in path[:-1]:
                    target = target[key]
                if replacement == "delete":
                    del target[path[-1]]
                else:
                    target[path[-1]] = replacement
                report = verify_certificate(cert)   # never raises
                total += 1
                rejected += not report.ok
    assert rejected > 0.8 * total


def test_random_corruption_never_raises(dlu_reduction, lu_ns):
    generator = random.Random(7)
    values = (None, 0, 1, -3, 2.5, "", "x", "-1/0", "3/4", [], {}, [1, 2], {"rule": "full-pair"}, True)
    for base in (dlu_reduction, lu_ns):
        paths = list(_paths(base))
        for _ in range(400):
            cert = copy.deepcopy(base)
            for path in generator.sample(paths, 3):
                target = cert
                try:
                    for key in path[:-1]:
                        target = target[key]
                    target[path[-1]] = generator.choice(values)
                except (KeyError, IndexError, TypeError):
                    continue
            verify_certificate(cert)   # never raises


def test_systems_too_large_to_expand_are_refused(lu_ns):
    cert = copy.deepcopy(lu_ns)
    cert["chain"] = {"dims": [2] * 22, "factors": [[[a, b] for a in range(2) for b in range(2)]] * 21}
    cert["curve"]["W"] = [[] for _ in range(21)]
    cert["limit"] = []
    assert_rejected(cert, "index paths, more than 1000000: its system is too large to check")


def test_malformed_top_level_values_are_reported():
    base = {"format": "closure-check-certificate", "version": 1, "kind": "chain"}
    for extra in ({}, {"verdict": "closed"}, {"verdict": "closed", "reasons": [], "steps": [], "chain": None},
                  {"verdict": "closed", "reasons": [], "steps": 3, "chain": {"dims": [1, 1], "factors": [[]]}}):
        assert not verify_certificate(base | extra).ok


# ----------------------------------------------------------------------------- independence


def test_chain_verifier_runs_when_copied_out(tmp_path, dlu_reduction):
    shutil.copytree(VERIFIER, tmp_path / "standalone_verifier", ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import standalone_verifier as v; "
        "r = v.verify_certificate(json.load(sys.stdin)); "
        "print(r.ok, any(n.startswith('closure_check') for n in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], input=json.dumps(dlu_reduction),
        capture_output=True, text=True, timeout=60, check=True, cwd=tmp_path,
    )
    assert done.stdout.split() == ["True", "False"]


# ----------------------------------------------------------------------------- end to end


@pytest.mark.parametrize("path", CHAIN_CASES, ids=lambda p: Path(p).stem)
def test_every_chain_case_certificate_verifies(path):
    case = read_case(path)
    cert = chain_cert(case.support, budget=5, name=case.name)
    report = verify_certificate(cert)
    assert report.ok, report.problems
    assert cert["verdict"] == case.expect.value if case.expect is not None else True


SAMPLE_FACTORS = [LOWER, UPPER, [[0, 1], [1, 1]], [[1, 1], [1, 0]], DIAG, [[1, 1], [1, 1]]]


def test_three_factor_two_by_two_chains_certify_and_verify():
    lemmas = set()
    for factors in itertools.product(SAMPLE_FACTORS, repeat=3):
        chain = ChainSupport.from_dense(list(factors))
        cert = chain_cert(chain, budget=5)
        report = verify_certificate(cert)
        assert report.ok, (factors, report.problems)
        lemmas.add((cert["verdict"], cert["proof"]["lemma"]))
    assert lemmas == {
        ("closed", "one factor"), ("closed", "chain orbit lemma"),
        ("not-closed", "chain Nullstellensatz lemma"), ("not-closed", "chain reduction"),
    }


ALL_THREE_FACTOR_CHAINS = [tuple(key) for key in itertools.product((0, 1), repeat=12)]
SAMPLE_SIZE = 300


def _two_by_two_chain(key: tuple[int, ...]) -> ChainSupport:
    return ChainSupport(tuple(np.array(key, dtype=np.int8).reshape(3, 2, 2)))


def _unverified(chain: ChainSupport, result: CheckResult) -> list[str]:
    """The verifier's problems with the certificate of ``result`` (writing it must not raise)."""
    return verify_certificate(as_json(chain_certificate_json(chain, result))).problems


@pytest.mark.exhaustive
def test_every_three_factor_two_by_two_chain_certifies_and_verifies(exhaustive):
    """All 4096 chains of three 2×2 supports with ``--exhaustive``, else a seeded sample:
    the certificates of decide_chain and of check_chain both verify."""
    keys = ALL_THREE_FACTOR_CHAINS if exhaustive else random.Random(2024).sample(ALL_THREE_FACTOR_CHAINS, SAMPLE_SIZE)
    failures, lemmas = [], set()
    for key in keys:
        chain = _two_by_two_chain(key)
        for how, result in (("decide_chain", decide_chain(chain, 5)), ("check_chain", check_chain(chain, budget=5))):
            problems = _unverified(chain, result)
            if problems:
                failures.append((key, how, result.verdict.value, problems[:2]))
            if how == "decide_chain" and result.verdict is Verdict.CLOSED:
                lemmas.add(result.reasons[-1].rsplit("(", 1)[-1].rstrip(")"))
    assert failures == [], f"{len(failures)} of {2 * len(keys)} certificates do not verify: {failures[:5]}"
    assert {"chain bottleneck lemma", "chain fixed-factor lemma", "chain support lemma"} <= lemmas


L3 = np.tril(np.ones((3, 3), dtype=np.int8))
U3, D3 = L3.T.copy(), np.eye(3, dtype=np.int8)
THREE_BY_THREE = {
    "lower-upper-lower": (L3, U3, L3),
    "upper-lower-upper": (U3, L3, U3),
    "diag-lower-upper": (D3, L3, U3),
    "diag-upper-lower": (D3, U3, L3),
}


@pytest.mark.parametrize("name", sorted(THREE_BY_THREE))
def test_three_by_three_chains_certify_and_verify(name):
    chain = ChainSupport(THREE_BY_THREE[name])
    for result in (decide_chain(chain, 5), check_chain(chain, budget=5)):
        assert result.verdict is not Verdict.UNKNOWN
        assert _unverified(chain, result) == [], (name, result.reasons)
