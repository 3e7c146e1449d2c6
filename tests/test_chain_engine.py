"""The chain engine: verdicts on chains decided directly, every proof checked independently.

* NOT CLOSED: the Laurent curve has no defect and the Nullstellensatz identity re-expands
  against the system ``W_1⋯W_N = A`` built afresh.
* CLOSED by the fixed-factor, bottleneck or orbit lemma: random rational targets (of
  rank ≤ 1 for the bottleneck lemma) are factored exactly by the constructive argument,
  with factors respecting the supports.
* Cross-checks: a chain with a permutation-pattern factor is a two-factor set
  (permutation-factor lemma, ``docs/theory.md §6``), compared with
  :func:`closure_check.decide.check`; two-factor chains likewise; the Zariski-closure
  criterion run on its own agrees wherever it answers.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from closure_check.algebra import chain_system
from closure_check.chains.census import chain_census_2x2, chain_classes, criterion_of
from closure_check.chains.engine import (
    BOTTLENECK_LEMMA,
    FIXED_FACTOR_LEMMA,
    NULLSTELLENSATZ_LEMMA,
    ORBIT_LEMMA,
    SUPPORT_LEMMA,
    ZARISKI_CRITERION,
    bottleneck_proof,
    chain_elimination_ideal,
    chain_zariski_closed,
    decide_chain,
    find_chain_curve,
    fixed_factor_proof,
    orbit_proof,
    product_of,
)
from closure_check.core.budget import Effort
from closure_check.core.case import Verdict
from closure_check.core.support import ChainSupport, TwoFactorSupport
from closure_check.decide import check
from closure_check.result import CheckResult

UPPER, LOWER, DIAG = [[1, 1], [0, 1]], [[1, 0], [1, 1]], [[1, 0], [0, 1]]
L3 = np.tril(np.ones((3, 3), dtype=np.int8))
U3, D3 = L3.T, np.eye(3, dtype=np.int8)


def assert_certificate_sound(chain: ChainSupport, result: CheckResult) -> None:
    """A NOT CLOSED verdict: exact curve to A, and an identity proving A ∉ P."""
    certificate = result.certificate
    assert result.verdict is Verdict.NOT_CLOSED and certificate is not None
    assert certificate.lemma == NULLSTELLENSATZ_LEMMA
    assert certificate.curve.defects(chain) == []
    assert certificate.identity.defects(chain_system(chain, certificate.limit)) == []


def random_target(rng: random.Random, cells: list[tuple[int, int]], sparsity: float) -> dict[tuple[int, int], Fraction]:
    """Random rationals on ``cells``, each cell left out with probability ``sparsity``."""
    return {cell: Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for cell in cells if rng.random() > sparsity}


def assert_factors(chain: ChainSupport, factors: tuple[dict, ...], target: dict) -> None:
    """The factors respect the supports and multiply exactly to the target."""
    assert product_of(factors) == {cell: v for cell, v in target.items() if v != 0}
    for factor, support in zip(factors, chain.factors):
        dense = support.toarray()
        assert all(dense[a, b] for (a, b), v in factor.items() if v != 0)


def two_factor_equivalent(chain: ChainSupport) -> TwoFactorSupport | None:
    """For three factors, one with a permutation pattern Π: the two-factor support with the
    same P (permutation-factor lemma): ``(Π I_2, I_3)``, ``(I_1 Π, I_3)`` or ``(I_1, I_2 Π)``."""
    f = [m.toarray().astype(np.int64) for m in chain.factors]
    for level, pattern in enumerate(f):
        square = pattern.shape[0] == pattern.shape[1]
        if square and (pattern.sum(axis=0) == 1).all() and (pattern.sum(axis=1) == 1).all():
            if level == 0:
                return ChainSupport((pattern @ f[1], f[2])).to_two_factor()
            if level == 1:
                return ChainSupport((f[0] @ pattern, f[2])).to_two_factor()
            return ChainSupport((f[0], f[1] @ pattern)).to_two_factor()
    return None


# --------------------------------------------------------------------------------------
# MATH.md §3 and the 3×3 chains


def test_math_md_claim_diag_upper_lower_is_not_closed():
    chain = ChainSupport.from_dense([DIAG, UPPER, LOWER])
    result = decide_chain(chain, 10)
    assert_certificate_sound(chain, result)
    # D·U·L is the two-factor set U·L (permutation-factor lemma): the rules agree
    assert check(two_factor_equivalent(chain)).verdict is Verdict.NOT_CLOSED


def test_math_md_claim_upper_lower_upper_is_closed_twice_over():
    chain = ChainSupport.from_dense([UPPER, LOWER, UPPER])
    result = decide_chain(chain, 10)
    assert result.verdict is Verdict.CLOSED and criterion_of(result) == ORBIT_LEMMA
    cells, generators = chain_elimination_ideal(chain)
    assert generators == []  # the Zariski closure is every 2×2 matrix
    attempt = orbit_proof(chain, cells, generators, Effort(10))
    assert attempt.proof.defects(chain) == [] and len(attempt.proof.factorisations) == 7
    assert chain_zariski_closed(chain, cells, generators, 20).closed is True  # independent engine (effort 20)
    # its consecutive pair L·U is not closed: the obstruction is not local
    assert check(ChainSupport.from_dense([LOWER, UPPER])).verdict is Verdict.NOT_CLOSED


@pytest.mark.parametrize(
    "factors, verdict, criterion",
    [
        ((L3, U3, L3), Verdict.CLOSED, ORBIT_LEMMA),
        ((U3, L3, U3), Verdict.CLOSED, ORBIT_LEMMA),
        ((D3, L3, U3), Verdict.NOT_CLOSED, NULLSTELLENSATZ_LEMMA),
        ((L3, L3, U3), Verdict.NOT_CLOSED, NULLSTELLENSATZ_LEMMA),
    ],
)
def test_three_by_three_chains(factors, verdict, criterion):
    chain = ChainSupport(factors)
    result = decide_chain(chain, 20)
    assert result.verdict is verdict and criterion_of(result) == criterion
    if verdict is Verdict.NOT_CLOSED:
        assert_certificate_sound(chain, result)


# --------------------------------------------------------------------------------------
# Constructive halves of the CLOSED lemmas


@pytest.mark.parametrize(
    "factors",
    [
        [[[1, 1], [1, 1]], UPPER, LOWER],
        [[[1, 1], [0, 0]], [[1, 1], [1, 1]], [[1, 0], [0, 1]]],
        [[[1, 1, 0], [0, 1, 1]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]], [[1, 0], [0, 1], [1, 1]]],
    ],
)
def test_fixed_factor_proof_factors_random_targets(factors):
    chain = ChainSupport.from_dense(factors)
    proof = fixed_factor_proof(chain)
    assert proof is not None and proof.defects(chain) == []
    rng = random.Random(7)
    for sparsity in (0.0, 0.5, 0.9):
        for _ in range(10):
            target = random_target(rng, list(proof.cells), sparsity)
            assert_factors(chain, proof.factor(chain, target), target)
    assert criterion_of(decide_chain(chain, 5)) == FIXED_FACTOR_LEMMA


@pytest.mark.parametrize(
    "factors",
    [
        (UPPER, LOWER, UPPER),
        (LOWER, UPPER, LOWER),
        (DIAG, UPPER, LOWER, UPPER),  # frame k = 2: D·U fills the upper triangle
        (UPPER, LOWER, UPPER, DIAG),  # frame k' = 2
        (L3, U3, L3),
        (U3, L3, U3),
    ],
)
def test_orbit_proof_factors_random_targets(factors):
    chain = ChainSupport.from_dense(factors)
    cells, generators = chain_elimination_ideal(chain)
    proof = orbit_proof(chain, cells, generators, Effort(30)).proof
    assert proof is not None and proof.defects(chain) == []
    rng = random.Random(11)
    for sparsity in (0.0, 0.4, 0.7, 0.9):  # sparse targets are singular: every orbit is met
        for _ in range(15):
            target = random_target(rng, list(cells), sparsity)
            assert_factors(chain, proof.factor(chain, target), target)


@pytest.mark.parametrize(
    "factors",
    [
        [[[0, 1], [0, 1]], [[0, 0], [1, 1]], [[0, 1], [1, 0]]],
        [[[1, 0], [1, 0], [0, 0]], [[1, 1, 0], [0, 0, 0]], [[1, 1, 1], [0, 1, 1], [1, 0, 0]]],
    ],
)
def test_bottleneck_proof_factors_random_rank_one_targets(factors):
    chain = ChainSupport.from_dense(factors)
    proof = bottleneck_proof(chain)
    assert proof is not None and proof.defects(chain) == []
    assert fixed_factor_proof(chain) is None and criterion_of(decide_chain(chain, 5)) == BOTTLENECK_LEMMA
    rows, cols = sorted(i for i, _ in proof.left.cells), sorted(j for _, j in proof.right.cells)
    rng = random.Random(5)
    for sparsity in (0.0, 0.5):
        for _ in range(10):
            x, y = random_target(rng, [(i, 0) for i in rows], sparsity), random_target(rng, [(0, j) for j in cols], sparsity)
            target = {(i, j): x[(i, 0)] * y[(0, j)] for (i, _) in x for (_, j) in y}
            assert_factors(chain, proof.factor(chain, target), target)
    with pytest.raises(ValueError):
        proof.factor(chain, {(rows[0], cols[0]): 1, (rows[-1], cols[-1]): 1, (rows[0], cols[-1]): 0})


def test_orbit_proof_defects_catch_a_missing_or_wrong_factorisation():
    chain = ChainSupport.from_dense([UPPER, LOWER, UPPER])
    cells, generators = chain_elimination_ideal(chain)
    proof = orbit_proof(chain, cells, generators, Effort(10)).proof
    ones, factors = proof.factorisations[-1]
    assert replace(proof, factorisations=proof.factorisations[:-1]).defects(chain) != []
    doubled = ({cell: 2 * v for cell, v in factors[0].items()},) + factors[1:]
    assert replace(proof, factorisations=proof.factorisations[:-1] + ((ones, doubled),)).defects(chain) != []
    assert replace(proof, row_order=proof.row_order[::-1]).defects(chain) != []
    # D·U·L: the frame exists (D·U fills the upper triangle), but the anti-identity is no product
    diag = ChainSupport.from_dense([DIAG, UPPER, LOWER])
    attempt = orbit_proof(diag, *chain_elimination_ideal(diag), Effort(10))
    assert attempt.proof is None
    anti = {(0, 1): Fraction(1), (1, 0): Fraction(1)}
    assert any(limit == anti and not identity.defects(chain_system(diag, anti)) for limit, identity in attempt.outside)


# --------------------------------------------------------------------------------------
# The census of three 2×2 factors, and cross-checks


def test_census_of_three_2x2_factors(exhaustive):
    census = chain_census_2x2(seconds=5.0, stride=1 if exhaustive else 6)
    counts = census.counts()
    assert counts["unknown"] == (0, 0)
    assert census.zero_factor_chains == 721 and census.zero_factor_classes == 78
    assert sum(chains for _, chains in counts.values()) <= 3375
    if exhaustive:
        assert len(census.entries) == 192
        assert sum(chains for _, chains in counts.values()) == 3375
        assert counts["not-closed"] == (3, 80)
    by_key = {entry.key: entry for entry in census.entries}
    for chain_class in chain_classes():
        entry = by_key.get(chain_class.key)
        if entry is None:
            continue
        chain = chain_class.chain()
        if entry.verdict == Verdict.NOT_CLOSED.value:
            assert_certificate_sound(chain, decide_chain(chain, 10))
        reference = two_factor_equivalent(chain)
        if reference is not None:
            answer = check(reference, budget=5).verdict
            assert answer is Verdict.UNKNOWN or answer.value == entry.verdict, chain_class.key


def test_zariski_criterion_agrees_where_it_answers(exhaustive):
    classes = [c for c in chain_classes() if not c.zero_factor]
    sample = classes if exhaustive else classes[::12]
    for chain_class in sample:
        chain = chain_class.chain()
        cells, generators = chain_elimination_ideal(chain)
        if not cells:
            continue
        answer = chain_zariski_closed(chain, cells, generators, 10 if exhaustive else 2).closed
        if answer is not None:
            verdict = decide_chain(chain, 5).verdict
            assert verdict is (Verdict.CLOSED if answer else Verdict.NOT_CLOSED), chain_class.key


def test_two_factor_chains_agree_with_the_rules():
    patterns = [np.array(bits).reshape(2, 2) for bits in itertools.product((0, 1), repeat=4)]
    for left, right in itertools.product(patterns, repeat=2):
        chain = ChainSupport((left, right))
        result, reference = decide_chain(chain, 5), check(chain)
        assert reference.verdict is not Verdict.UNKNOWN
        assert result.verdict is reference.verdict, (left.tolist(), right.tolist())
        if result.verdict is Verdict.NOT_CLOSED:
            assert_certificate_sound(chain, result)


def test_random_chains_with_a_permutation_factor_agree_with_the_rules(exhaustive):
    rng = np.random.default_rng(3)
    for _ in range(60 if exhaustive else 12):
        dims = [int(rng.integers(1, 4)) for _ in range(4)]
        level = int(rng.integers(0, 3))
        dims[level + 1] = dims[level]  # the permutation factor is square
        factors = [rng.integers(0, 2, size=(dims[k], dims[k + 1])) for k in range(3)]
        factors[level] = np.eye(dims[level], dtype=np.int64)[rng.permutation(dims[level])]
        chain = ChainSupport(tuple(np.asarray(f, dtype=np.int8) for f in factors))
        result = decide_chain(chain, 10)
        reference = check(two_factor_equivalent(chain), budget=5).verdict
        assert result.verdict is not Verdict.UNKNOWN
        assert reference is Verdict.UNKNOWN or result.verdict is reference, [f.tolist() for f in factors]
        if result.verdict is Verdict.NOT_CLOSED:
            assert_certificate_sound(chain, result)


# --------------------------------------------------------------------------------------
# Small cases and budgets


def test_empty_support_and_single_factor_are_closed():
    no_path = ChainSupport.from_dense([[[1, 0], [1, 0]], [[0, 0], [1, 1]], UPPER])
    result = decide_chain(no_path, 5)
    assert result.verdict is Verdict.CLOSED and criterion_of(result) == SUPPORT_LEMMA
    single = ChainSupport.from_dense([UPPER])
    assert criterion_of(decide_chain(single, 5)) == FIXED_FACTOR_LEMMA


def test_no_curve_to_a_point_outside_the_closure():
    # W1 W2 W3 with a single inner path: rank ≤ 1, closed; the identity is no limit
    chain = ChainSupport.from_dense([[[1, 0], [1, 0]], [[1, 0], [0, 0]], [[1, 1], [0, 0]]])
    assert find_chain_curve(chain, {(0, 0): Fraction(1), (1, 1): Fraction(1)}, degree=1, seconds=5) is None


def test_out_of_budget_is_unknown_with_what_was_tried():
    chain = ChainSupport.from_dense([DIAG, UPPER, LOWER])
    start = time.monotonic()
    result = decide_chain(chain, 0.05)
    assert time.monotonic() - start < 2.0
    assert result.verdict is Verdict.UNKNOWN and result.certificate is None
    assert any(FIXED_FACTOR_LEMMA in line for line in result.undecided)
    assert any(NULLSTELLENSATZ_LEMMA in line for line in result.undecided)


def test_zariski_verdicts_carry_their_engine_record():
    # no lemma applies: no factor has |S| = 9 entries, two inner indices carry paths,
    # and the rows of W1 ({1}, {1}, {0}) are not nested however far the prefix goes
    chain = ChainSupport.from_dense([[[0, 1], [0, 1], [1, 0]], [[1, 0], [0, 1]], [[1, 0, 0], [1, 1, 1]]])
    result = decide_chain(chain, 20)
    assert result.verdict is Verdict.CLOSED and criterion_of(result) == ZARISKI_CRITERION
    assert result.records and result.records[0].result == "unsat"
    assert check(two_factor_equivalent(chain)).verdict is Verdict.CLOSED  # W2 is the identity pattern
