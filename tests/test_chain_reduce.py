"""The chain reductions keep the set of products, and curves lift exactly.

Every claim is re-checked by an independent exact computation:

* each step maps points both ways: integer factors of the chain before a step give
  factors of the chain after it (deleting zero lines, multiplying merged factors) with
  the same product, and integer factors after it are rebuilt into factors before it
  (zero lines, the partial-permutation construction) with the same product; for a
  full-pair merge, random integer targets on ``bool(I_ℓ I_{ℓ+1})`` are shown to be
  products by the exact membership procedure (``closure_check.algebra.membership``);
* NOT CLOSED verdicts: the certificate's curve is re-expanded on the original chain
  (or on the replayed reduced chain after a full-pair merge) and, in the exhaustive
  run, the limit is shown outside ``P`` of the *original* chain by the membership
  procedure;
* replaying the JSON steps with :func:`apply_step` reproduces every chain.

The exhaustive part runs over all 16³ chains of three 2×2 supports (``--exhaustive``);
the default run takes every 7th chain.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import types
from fractions import Fraction

import numpy as np
import pytest

from closure_check.algebra.membership import is_member, is_member_chain
from closure_check.certificates.chain import ChainCurve, ChainNotClosedCertificate
from closure_check.chains.check import check_chain
from closure_check.chains.reduce import (
    ChainReduction,
    ChainReductionError,
    apply_step,
    is_partial_permutation,
    lift_curve,
    reduce_chain,
)
from closure_check.core.case import Verdict
from closure_check.core.laurent import Laurent
from closure_check.core.support import ChainSupport, TwoFactorSupport, product_support
from closure_check.decide import check
from closure_check.families import kaleidoscope
from closure_check.result import CheckResult

SUPPORTS_2x2 = [np.array(bits, dtype=np.int8).reshape(2, 2) for bits in itertools.product([0, 1], repeat=4)]
ALL_CHAINS = list(itertools.product(range(16), repeat=3))


def chains(exhaustive: bool) -> list[ChainSupport]:
    chosen = ALL_CHAINS if exhaustive else ALL_CHAINS[::7]
    return [ChainSupport(tuple(SUPPORTS_2x2[k] for k in triple)) for triple in chosen]


# --------------------------------------------------------------------------- exact helpers


def random_factors(chain: ChainSupport, rng: random.Random) -> list[np.ndarray]:
    """Integer factors respecting the supports (object arrays: exact Python ints)."""
    factors = []
    for support in chain.factors:
        dense = support.toarray()
        factor = np.zeros(dense.shape, dtype=object)
        for a, b in zip(*np.nonzero(dense)):
            factor[a, b] = rng.randint(-4, 4)
        factors.append(factor)
    return factors


def product(factors: list[np.ndarray]) -> np.ndarray:
    result = factors[0]
    for factor in factors[1:]:
        result = result.dot(factor)
    return result


def respects(factors: list[np.ndarray], chain: ChainSupport) -> bool:
    return len(factors) == chain.length and all(
        f.shape == s.shape and not np.any((f != 0) & (s.toarray() == 0)) for f, s in zip(factors, chain.factors)
    )


def forward(step: dict, factors: list[np.ndarray]) -> list[np.ndarray]:
    """Factors of the chain after ``step`` with the same product (P_before ⊆ P_after)."""
    level = step["level"]
    factors = list(factors)
    if step["rule"] == "empty-inner-index":
        keep = [k for k in range(factors[level - 1].shape[1]) if k not in step["indices"]]
        factors[level - 1] = factors[level - 1][:, keep]
        factors[level] = factors[level][keep, :]
        return factors
    first = level - 1 if step["rule"] == "partial-permutation" and step["into"] == "left" else level
    return factors[: first - 1] + [factors[first - 1].dot(factors[first])] + factors[first + 1:]


def backward(step: dict, factors: list[np.ndarray], before: ChainSupport) -> list[np.ndarray]:
    """Factors of the chain before ``step`` with the same product (P_after ⊆ P_before)."""
    level = step["level"]
    factors = list(factors)
    if step["rule"] == "empty-inner-index":
        width = before.factors[level - 1].shape[1]
        keep = [k for k in range(width) if k not in step["indices"]]
        left = np.zeros((factors[level - 1].shape[0], width), dtype=object)
        right = np.zeros((width, factors[level].shape[1]), dtype=object)
        left[:, keep] = factors[level - 1]
        right[keep, :] = factors[level]
        return factors[: level - 1] + [left, right] + factors[level + 1:]
    assert step["rule"] == "partial-permutation"
    permutation = before.factors[level - 1].toarray().astype(object)
    if step["into"] == "left":
        merged = factors[level - 2]
        neighbour = np.zeros((merged.shape[0], permutation.shape[0]), dtype=object)
        for k, j in zip(*np.nonzero(permutation)):
            neighbour[:, k] = merged[:, j]
        return factors[: level - 2] + [neighbour, permutation] + factors[level - 1:]
    merged = factors[level - 1]
    neighbour = np.zeros((permutation.shape[1], merged.shape[1]), dtype=object)
    for i, k in zip(*np.nonzero(permutation)):
        neighbour[k, :] = merged[i, :]
    return factors[: level - 1] + [permutation, neighbour] + factors[level:]


_FULL_PAIRS: dict[bytes, bool] = {}


def pair_is_full(before: ChainSupport, level: int) -> bool:
    """Random integer targets on bool(I_ℓ I_ℓ+1) are products W_ℓ W_ℓ+1 (exact membership)."""
    left, right = before.factors[level - 1], before.factors[level]
    key = left.toarray().tobytes() + b"|" + right.toarray().tobytes() + bytes(left.shape + right.shape)
    if key not in _FULL_PAIRS:
        pair = TwoFactorSupport(left, right.T)
        cells = list(zip(*product_support(left, right).nonzero()))
        rng = random.Random(len(cells))
        answers = [
            is_member(pair, {(int(i), int(j)): rng.randint(-5, 5) for i, j in cells}, seconds=20, isolate=False).answer
            for _ in range(3)
        ]
        _FULL_PAIRS[key] = answers == ["member"] * 3
    return _FULL_PAIRS[key]


def assert_step_keeps_set(step: dict, before: ChainSupport, after: ChainSupport, rng: random.Random) -> None:
    for _ in range(2):
        original = random_factors(before, rng)
        image = forward(step, original)
        assert respects(image, after), step
        assert np.array_equal(product(image), product(original)), step
    if step["rule"] == "full-pair":
        assert pair_is_full(before, step["level"]), step
        return
    for _ in range(2):
        reduced = random_factors(after, rng)
        rebuilt = backward(step, reduced, before)
        assert respects(rebuilt, before), step
        assert np.array_equal(product(rebuilt), product(reduced)), step


# --------------------------------------------------------------------------- set equality


def test_every_step_keeps_the_set_of_products(exhaustive: bool) -> None:
    rng = random.Random(7)
    for chain in chains(exhaustive):
        reduction = reduce_chain(chain)
        for step, before, after in zip(reduction.steps, reduction.chains, reduction.chains[1:]):
            assert_step_keeps_set(step, before, after, rng)


def test_replaying_the_json_steps_gives_the_same_chains(exhaustive: bool) -> None:
    for chain in chains(exhaustive):
        reduction = reduce_chain(chain)
        steps = json.loads(json.dumps(reduction.steps))
        current = chain
        for step, expected in zip(steps, reduction.chains[1:]):
            current = apply_step(current, step)
            assert current == expected
        assert current == reduction.reduced


def test_fixpoint_leaves_no_applicable_rule(exhaustive: bool) -> None:
    for chain in chains(exhaustive):
        reduced = reduce_chain(chain).reduced
        if reduced.length >= 2:
            assert not any(is_partial_permutation(f) for f in reduced.factors)
        for f, g in zip(reduced.factors, reduced.factors[1:]):
            assert np.all(f.toarray().any(axis=0)) and np.all(g.toarray().any(axis=1))


# --------------------------------------------------------------------------- verdicts


def assert_not_closed_certificate(result: CheckResult, chain: ChainSupport, membership: bool) -> None:
    certificate = result.certificate
    assert isinstance(certificate, ChainNotClosedCertificate)
    assert certificate.lemma == "chain reduction"
    reduction = reduce_chain(chain)
    assert certificate.reduction == reduction.steps
    assert result.reduced.verdict is Verdict.NOT_CLOSED
    if reduction.liftable:
        assert certificate.curve.defects(chain) == []
    else:
        assert "reduced chain" in certificate.argument
        assert certificate.curve.defects(reduction.reduced) == []
    if membership:
        answer = is_member_chain(chain, certificate.limit, seconds=20, isolate=False).answer
        assert answer == "not-member", (chain, certificate.limit)


def test_verdicts_of_chains_reduced_to_at_most_two_factors(exhaustive: bool) -> None:
    for chain in chains(exhaustive):
        reduction = reduce_chain(chain)
        result = check_chain(chain, budget=0)
        assert result.steps == reduction.steps
        if reduction.reduced.length == 1:
            assert result.verdict is Verdict.CLOSED
        elif reduction.reduced.length == 2:
            expected = check(reduction.reduced.to_two_factor(), budget=0).verdict
            assert result.verdict is expected
            if expected is Verdict.NOT_CLOSED:
                assert_not_closed_certificate(result, chain, membership=exhaustive)
        else:
            assert result.verdict is Verdict.UNKNOWN and result.undecided


def test_not_closed_limits_are_outside_the_original_set() -> None:
    """A sample of the NOT CLOSED verdicts, with the exact membership check."""
    found = 0
    for chain in chains(False):
        result = check_chain(chain, budget=0)
        if result.verdict is Verdict.NOT_CLOSED:
            assert_not_closed_certificate(result, chain, membership=True)
            found += 1
    assert found >= 5


@pytest.mark.exhaustive
def test_census_of_the_three_factor_2x2_chains(exhaustive: bool) -> None:
    """How far the reductions alone go (numbers quoted in docs/theory.md §6)."""
    if not exhaustive:
        pytest.skip("the census needs all 4096 chains (--exhaustive)")
    lengths = [reduce_chain(chain).reduced.length for chain in chains(True)]
    assert (lengths.count(1), lengths.count(2), lengths.count(3)) == (3640, 440, 16)


def test_diag_upper_lower_is_not_closed_and_upper_lower_upper_is_left_open() -> None:
    """MATH.md §3: diag·upper·lower is not closed; upper·lower·upper needs more than the rules."""
    diag, upper, lower = [[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]
    result = check_chain(ChainSupport.from_dense([diag, upper, lower]), budget=0)
    assert result.verdict is Verdict.NOT_CLOSED
    assert result.certificate.defects(result.support) == []
    assert check_chain(ChainSupport.from_dense([upper, lower, upper]), budget=0).verdict is Verdict.UNKNOWN


# --------------------------------------------------------------------------- lifting


def random_curve(chain: ChainSupport, rng: random.Random) -> ChainCurve:
    factors = []
    for support in chain.factors:
        coo = support.tocoo()
        factors.append({
            (int(a), int(b)): Laurent({e: rng.randint(-2, 2) for e in (-1, 0, 1)})
            for a, b in zip(coo.row, coo.col)
        })
    factors = tuple({cell: value for cell, value in f.items() if not value.is_zero()} for f in factors)
    return ChainCurve(factors=factors, limit={})


def test_lifted_curves_have_the_same_product_and_respect_the_original_supports() -> None:
    rng = random.Random(3)
    tried = 0
    for chain in chains(False):
        reduction = reduce_chain(chain)
        if not reduction.steps or not reduction.liftable:
            continue
        curve = random_curve(reduction.reduced, rng)
        lifted = lift_curve(reduction, curve)
        assert lifted.product() == curve.product()
        # respecting the supports: only the limit mismatch may be reported
        assert all("outside" not in problem for problem in lifted.defects(chain))
        tried += 1
    assert tried > 100


def test_a_full_pair_merge_refuses_to_lift() -> None:
    reduction = reduce_chain(kaleidoscope(2))
    assert [step["rule"] for step in reduction.steps] == ["full-pair"]
    assert not reduction.liftable
    with pytest.raises(ChainReductionError):
        lift_curve(reduction, random_curve(reduction.reduced, random.Random(0)))


def test_the_fixed_factor_lift_undoes_full_pair_merges_exactly() -> None:
    """``full_pairs=True``: every lift it returns has exactly the reduced curve's product."""
    rng = random.Random(5)
    lifted_count = 0
    for chain in chains(False):
        reduction = reduce_chain(chain)
        if reduction.liftable:
            continue
        curve = random_curve(reduction.reduced, rng)
        lifted = lift_curve(reduction, curve, full_pairs=True)
        assert len(lifted.factors) == chain.length and lifted.product() == curve.product()
        assert all("outside" not in problem for problem in lifted.defects(chain))
        lifted_count += 1
    assert lifted_count > 50


def test_the_fixed_factor_lift_mixes_sides_per_unit() -> None:
    """Row 0 meets only unit 0 (its row of W_2 must be solved for), column 2 only unit 1
    (its column of W_1 must be solved for): neither all-rows nor all-columns works."""
    left = [[1, 0, 0, 0], [1, 1, 1, 1], [0, 1, 0, 0]]
    right = [[1, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]]
    chain = ChainSupport.from_dense([left, right, [[1], [1], [1]]])
    steps = ({"rule": "full-pair", "level": 1},)
    reduced = apply_step(chain, steps[0])
    curve = random_curve(reduced, random.Random(8))
    lifted = lift_curve(ChainReduction((chain, reduced), steps), curve, full_pairs=True)
    assert lifted.product() == curve.product()
    assert all("outside" not in problem for problem in lifted.defects(chain))


def test_the_fixed_factor_lift_reports_a_pair_it_cannot_lift() -> None:
    """I_1 = [[1,1],[0,1],[1,1]], I_2 full 2×2: a full pair with 6 cells, at most 5 unknowns."""
    chain = ChainSupport.from_dense([[[1, 1], [0, 1], [1, 1]], [[1, 1], [1, 1]], [[1, 0, 1], [0, 1, 1]]])
    reduction = reduce_chain(chain)
    assert [step["rule"] for step in reduction.steps] == ["full-pair"] and reduction.steps[0]["level"] == 1
    with pytest.raises(ChainReductionError, match="no solvable choice"):
        lift_curve(reduction, random_curve(reduction.reduced, random.Random(1)), full_pairs=True)
    zero = ChainCurve(factors=({}, {}), limit={})
    assert lift_curve(reduction, zero, full_pairs=True).product() == {}


# --------------------------------------------------------------------------- particular rules


def test_a_zero_inner_dimension_reduces_to_the_zero_space() -> None:
    chain = ChainSupport.from_dense([[[1, 1], [1, 0]], [[0, 0], [0, 0]], [[1, 1], [0, 1]]])
    reduction = reduce_chain(chain)
    assert reduction.reduced.length == 1 and reduction.reduced.nnz == 0
    assert reduction.reduced.shape == chain.shape
    assert check_chain(chain).verdict is Verdict.CLOSED


def test_two_factor_chains_use_the_partial_permutation_rule_then_classify() -> None:
    identity_times_dense = ChainSupport.from_dense([[[1, 0], [0, 1]], [[1, 1], [1, 1]]])
    result = check_chain(identity_times_dense)
    assert result.verdict is Verdict.CLOSED and "partial-permutation lemma" in result.reasons[0]
    lu = ChainSupport.from_dense([[[1, 0], [1, 1]], [[1, 1], [0, 1]]])
    result = check_chain(lu)
    assert result.verdict is Verdict.NOT_CLOSED and result.certificate.defects(lu) == []
    assert result.reduced.verdict is Verdict.NOT_CLOSED


def test_the_kaleidoscope_middle_pair_is_full() -> None:
    for L in (2, 3, 4):
        reduction = reduce_chain(kaleidoscope(L))
        step = reduction.steps[0]
        assert step["rule"] == "full-pair" and step["level"] == L
        assert len(step["proof"]) == 2 ** (L - 1)
        assert pair_is_full(reduction.chains[0], L)


def test_apply_step_rejects_false_hypotheses() -> None:
    chain = ChainSupport.from_dense([[[1, 1], [0, 1]], [[1, 0], [1, 1]], [[1, 1], [0, 1]]])
    for step in (
        {"rule": "empty-inner-index", "level": 1, "indices": [0]},
        {"rule": "partial-permutation", "level": 2, "into": "left"},
        {"rule": "full-pair", "level": 1, "proof": [], "fixed": []},
        {"rule": "partial-permutation", "level": 1, "into": "left"},
        {"rule": "no-such-rule", "level": 1},
        {"rule": "empty-inner-index", "level": 3, "indices": [0]},
    ):
        with pytest.raises(ChainReductionError):
            apply_step(chain, step)


# --------------------------------------------------------------------------- the chain engine hook


def install_engine(monkeypatch: pytest.MonkeyPatch, decide) -> list[ChainSupport]:
    """A stand-in ``closure_check.chains.engine`` (the real one is written separately)."""
    calls: list[ChainSupport] = []

    def decide_chain(chain: ChainSupport, seconds: float) -> CheckResult:
        calls.append(chain)
        return decide(chain)

    module = types.ModuleType("closure_check.chains.engine")
    module.decide_chain = decide_chain
    monkeypatch.setitem(sys.modules, "closure_check.chains.engine", module)
    return calls


def constant_curve_result(chain: ChainSupport) -> CheckResult:
    """NOT CLOSED with a constant curve: plumbing only (its limit is of course in P)."""
    factors = tuple({(int(a), int(b)): Laurent.constant(1) for a, b in zip(*f.nonzero())} for f in chain.factors)
    partial = ChainCurve(factors=factors, limit={})
    limit = {cell: value.coefficient(0) for cell, value in partial.product().items()}
    curve = ChainCurve(factors=factors, limit=limit)
    certificate = ChainNotClosedCertificate(curve, "chain Nullstellensatz lemma", "stub")
    return CheckResult(Verdict.NOT_CLOSED, ("stub engine",), certificate=certificate, support=chain)


def test_budget_zero_never_calls_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = install_engine(monkeypatch, constant_curve_result)
    upper, lower = [[1, 1], [0, 1]], [[1, 0], [1, 1]]
    result = check_chain(ChainSupport.from_dense([upper, lower, upper]), budget=0)
    assert result.verdict is Verdict.UNKNOWN and calls == []


def test_engine_curves_are_lifted_to_the_original_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = install_engine(monkeypatch, constant_curve_result)
    diag, upper, lower = [[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]
    chain = ChainSupport.from_dense([diag, upper, lower, upper])
    result = check_chain(chain, budget=1.0)
    assert [c.length for c in calls] == [3]
    assert result.verdict is Verdict.NOT_CLOSED
    assert result.certificate.lemma == "chain reduction"
    assert result.certificate.defects(chain) == []
    assert result.certificate.reduced.curve.defects(calls[0]) == []


def test_after_a_full_pair_merge_a_small_original_goes_to_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = install_engine(monkeypatch, constant_curve_result)
    # Kaleidoscope N = 4 is decided by the Jordan sandwich lemma before the engine: switch it off
    monkeypatch.setattr("closure_check.chains.sandwich.find_sandwich", lambda chain: None)
    chain = kaleidoscope(2)
    result = check_chain(chain, budget=1.0)
    assert [c.length for c in calls] == [3, 4]
    assert result.verdict is Verdict.NOT_CLOSED and result.certificate.defects(chain) == []


def test_engine_verdicts_closed_and_unknown_pass_through(monkeypatch: pytest.MonkeyPatch) -> None:
    upper, lower = [[1, 1], [0, 1]], [[1, 0], [1, 1]]
    chain = ChainSupport.from_dense([upper, lower, upper])
    install_engine(monkeypatch, lambda c: CheckResult(Verdict.CLOSED, ("stub closed",), support=c))
    assert check_chain(chain, budget=1.0).verdict is Verdict.CLOSED
    install_engine(monkeypatch, lambda c: CheckResult(Verdict.UNKNOWN, ("stub",), undecided=("left",), support=c))
    result = check_chain(chain, budget=1.0)
    assert result.verdict is Verdict.UNKNOWN and result.undecided == ("left",)


def test_fraction_limits_survive_lifting() -> None:
    chain = ChainSupport.from_dense([[[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]])
    reduction = reduce_chain(chain)
    half = Laurent.constant(Fraction(1, 2))
    curve = ChainCurve(factors=({(0, 0): half}, {(0, 0): half}), limit={(0, 0): Fraction(1, 4)})
    assert lift_curve(reduction, curve).defects(chain) == []
