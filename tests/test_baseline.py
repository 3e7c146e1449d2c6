"""The baseline: the authors' z3 sentence, cross-checked against the classifier.

The baseline decides nothing in the library; these tests check that it is posed as the
authors pose it, that it never blocks (time limit, hard kill), and that wherever it and
:func:`closure_check.decide.check` both answer, they agree — a disagreement would be
a bug in one of them (or in z3).
"""

from __future__ import annotations

import random
import time

import pytest
import z3

from closure_check.algebra import baseline
from closure_check.algebra.baseline import (
    BaselineResult,
    baseline_verdict,
    closedness_sentence,
)
from closure_check.core.enumerate import enumerate_patterns
from closure_check.core.support import ChainSupport, SupportError, TwoFactorSupport
from closure_check.decide import check
from closure_check.families import dense, diagonal, lu

DEFINITE = ("closed", "not-closed")
QUICK_SECONDS = 3.0


def assert_agrees(support: TwoFactorSupport, seconds: float) -> BaselineResult:
    result = baseline_verdict(support, seconds=seconds)
    assert result.verdict in ("closed", "not-closed", "unknown")
    combinatorial = check(support).verdict.value
    if result.verdict in DEFINITE and combinatorial in DEFINITE:
        assert result.verdict == combinatorial, (
            f"DISAGREEMENT on I={support.I.toarray().tolist()} J={support.J.toarray().tolist()}: "
            f"baseline {result.verdict} ({result.detail}), check {combinatorial}"
        )
    return result


def test_sentence_keeps_every_entry_as_a_variable() -> None:
    support = lu(2)
    sentence = closedness_sentence(support)
    assert z3.is_and(sentence) and sentence.num_args() == 2
    outside, limit = sentence.children()
    m, n, r = 2, 2, 2
    # ∀X1,Y1: all m·r + n·r entries, zeros imposed by equalities (the authors' encoding)
    assert outside.is_forall() and outside.num_vars() == (m + n) * r
    # ∀ε ∃X2,Y2
    assert limit.is_forall() and limit.num_vars() == 1
    inner = limit.body()
    assert z3.is_quantifier(inner) and inner.is_exists() and inner.num_vars() == (m + n) * r


def test_sentence_accepts_two_factor_chains_only() -> None:
    chain = lu(2).to_chain()
    assert closedness_sentence(chain).eq(closedness_sentence(lu(2)))
    three = ChainSupport.from_dense([[[1]], [[1]], [[1]]])
    with pytest.raises(SupportError):
        closedness_sentence(three)


def test_lu_2x2_is_never_called_closed() -> None:
    result = baseline_verdict(lu(2), seconds=10.0)
    assert result.verdict in ("not-closed", "unknown")
    assert result.verdict != "closed"


def test_answers_are_deterministic() -> None:
    first = baseline_verdict(lu(2), seconds=10.0)
    second = baseline_verdict(lu(2), seconds=10.0)
    assert (first.verdict, first.detail) == (second.verdict, second.detail)


def test_diagonal_is_closed() -> None:
    assert baseline_verdict(diagonal(2), seconds=10.0).verdict == "closed"


def test_timeout_gives_unknown_within_the_limit() -> None:
    # the dense rank-one 2×2 set is closed, but z3 does not prove it from the sentence
    limit = 0.5
    start = time.perf_counter()
    result = baseline_verdict(dense(2, 2, 1), seconds=limit)
    elapsed = time.perf_counter() - start
    assert result.verdict == "unknown"
    assert elapsed < limit + 2.0
    assert result.seconds <= elapsed


def _stuck(support: TwoFactorSupport, seconds: float) -> tuple[str, str]:
    time.sleep(60.0)  # a z3 that ignores its own timeout
    return "closed", "never reached"


def test_hard_kill_does_not_wait_for_a_stuck_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(baseline, "_decide", _stuck)
    start = time.perf_counter()
    result = baseline_verdict(diagonal(2), seconds=0.5)
    assert result.verdict == "unknown" and result.detail.startswith("timeout")
    assert time.perf_counter() - start < 0.5 + baseline.GRACE_SECONDS + 2.0


def _broken(support: TwoFactorSupport, seconds: float) -> tuple[str, str]:
    raise ValueError("solver exploded")


def test_errors_in_the_subprocess_give_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(baseline, "_decide", _broken)
    result = baseline_verdict(diagonal(2), seconds=5.0)
    assert result.verdict == "unknown" and "solver exploded" in result.detail


@pytest.mark.parametrize("shape", [(1, 2), (2, 2)])
def test_cross_check_small(shape: tuple[int, int]) -> None:
    results = [assert_agrees(s, QUICK_SECONDS) for s in enumerate_patterns(*shape, 3)]
    # the sentence does answer most of these
    assert sum(r.verdict in DEFINITE for r in results) >= len(results) // 2


def test_cross_check_sample_2x3() -> None:
    patterns = list(enumerate_patterns(2, 3, 3))
    sample = random.Random(2024).sample(patterns, 10)
    for support in sample:
        assert_agrees(support, QUICK_SECONDS)


@pytest.mark.exhaustive
def test_cross_check_all_2x3(exhaustive: bool) -> None:
    if not exhaustive:
        pytest.skip("all 2×3 patterns with ≤3 units at 20 s each: run with --exhaustive")
    for support in enumerate_patterns(2, 3, 3):
        assert_agrees(support, 20.0)
