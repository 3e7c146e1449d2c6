"""QEPCAD B as the second engine of the Zariski-closure criterion (``docs/algebra.md`` §5).

Known answers first (the rank-one 2×2 matrices are exactly the zero set of the determinant;
the products of LU's masked part are not all of ℝ³), then the criterion's CLOSED verdicts
carrying both engines' records, a disagreement turned into UNKNOWN, and the single-engine
record when QEPCAD is missing.  The three 2×4 patterns the criterion decides are confirmed
in the exhaustive run (QEPCAD takes 10–80 s on each).
"""

from __future__ import annotations

import shutil

import pytest

from closure_check.algebra import qepcad
from closure_check.algebra.real import EngineRecord
from closure_check.algebra.zariski import ZariskiResult, elimination_ideal, part_problem
from closure_check.census import _support
from closure_check.core.case import Verdict
from closure_check.core.support import TwoFactorSupport
from closure_check.decide import check
from closure_check.two_factor import check as two_factor_check
from closure_check.two_factor import engine as two_factor_engine

needs_qepcad = pytest.mark.skipif(shutil.which("qepcad") is None, reason="qepcad is not installed")

RANK_ONE = part_problem([((0, 1), (0, 1))], [(0, 0), (0, 1), (1, 0), (1, 1)])
DETERMINANT = {(1, 0, 0, 1): 1, (0, 1, 1, 0): -1}  # a00·a11 − a01·a10, cells in the order above
LU = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
# one part whose products fill its five visible cells (tests/test_engine_record.py)
FULL = TwoFactorSupport.from_dense([[1, 1, 1], [0, 1, 1]], [[1, 1, 0], [0, 1, 1], [0, 0, 1]])
# the three 2×4 patterns with ≤ 3 units (I rows, J rows) the Zariski criterion decides CLOSED at effort 10
CENSUS_2X4 = [
    (("111", "011"), ("011", "001", "001", "110")),
    (("111", "011"), ("111", "011", "001", "001")),
    (("111", "011"), ("110", "011", "011", "001")),
]


def test_the_input_states_the_sentence_with_disjunctions_of_inequations():
    text = qepcad.zariski_input(RANK_ONE, [DETERMINANT])
    assert "(a11,a12,a21,a22,x11,x21,y11,y21)\n0\n" in text
    assert "(Ea11)(Ea12)(Ea21)(Ea22)(Ax11)(Ax21)(Ay11)(Ay21)" in text
    assert "a11 a22 - a12 a21 = 0 /\\ [x11 y11 /= a11 \\/ x11 y21 /= a12 \\/ x21 y11 /= a21 \\/ x21 y21 /= a22]" in text
    assert "~" not in text and "proj-operator (h,h,h,h,h,h,h)" in text


@needs_qepcad
def test_known_answers_rank_one_is_the_determinant_zero_set():
    closed = qepcad.zariski_qepcad(RANK_ONE, [DETERMINANT])
    assert closed.status == "false" and closed.record.engine == "QEPCAD B" and closed.record.result == "FALSE"
    wrong = qepcad.zariski_qepcad(RANK_ONE, [])  # the whole plane of 2×2 matrices is not rank ≤ 1
    assert wrong.status == "true"


@needs_qepcad
def test_a_fixed_space_too_small_is_reported_not_answered():
    problem = part_problem([((0, 1), (0, 1, 2)), ((0, 1), (1, 2, 3))], [(0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (1, 2), (1, 3)])
    answer = qepcad.run_qepcad(qepcad.zariski_input(problem, []), cells=20_000)
    assert answer.status == "space" and answer.record.result == "space"


@pytest.fixture
def engine_only(monkeypatch):
    """Rules, refutation search and section search decide nothing: open parts go to the Zariski criterion."""
    monkeypatch.setattr(two_factor_check, "decide_part", lambda *args: None)
    monkeypatch.setattr(two_factor_engine, "refute_part", lambda *args: None)
    monkeypatch.setattr(two_factor_engine, "section_outcome", lambda *args: None)
    monkeypatch.setattr(two_factor_engine, "free_block_outcome", lambda *args: None)


@needs_qepcad
def test_a_criterion_verdict_names_both_engines(engine_only):
    result = check(FULL, budget=10)
    assert result.verdict is Verdict.CLOSED and result.engine_record
    assert [(r.engine, r.result) for r in result.records] == [("z3 nlqsat", "unsat"), ("QEPCAD B", "FALSE")]
    assert result.records[1].version == qepcad.qepcad_version() and "/=" in result.records[1].query
    assert "QEPCAD B" in result.reasons[-1] and "confirming it" in result.reasons[-1]


@needs_qepcad
def test_engines_that_disagree_give_unknown_never_a_verdict(engine_only, monkeypatch):
    """A deliberately wrong sentence: z3 made to answer unsat on LU's part, whose products
    are not all of ℝ³ (E01 + E10 is missing); QEPCAD, asked the same, answers TRUE."""

    def wrong(problem, effort):
        record = EngineRecord("z3 nlqsat", "test", "NRA", "(wrong)", "unsat")
        return ZariskiResult(True, (), record, "nlqsat answered unsat", problem, ())

    monkeypatch.setattr(two_factor_engine, "zariski_closed", wrong)
    result = check(LU, budget=10)
    assert result.verdict is Verdict.UNKNOWN
    assert any("ENGINE DISAGREEMENT" in reason and "answers TRUE" in reason for reason in result.reasons)
    assert any("disagree" in part for part in result.undecided)


def test_without_qepcad_the_record_says_single_engine(engine_only, monkeypatch):
    monkeypatch.setattr(qepcad, "QEPCAD_PROGRAM", "no-such-qepcad-program")
    result = check(FULL, budget=10)
    assert result.verdict is Verdict.CLOSED and [r.engine for r in result.records] == ["z3 nlqsat"]
    assert "single engine" in result.reasons[-1] and "not installed" in result.reasons[-1]


def test_the_sentence_has_the_elimination_generators_z3_was_given():
    names, generators = elimination_ideal(RANK_ONE)
    assert generators == [DETERMINANT] or generators == [{m: -c for m, c in DETERMINANT.items()}]


@needs_qepcad
@pytest.mark.exhaustive
@pytest.mark.parametrize("I, J", CENSUS_2X4)
def test_the_three_2x4_criterion_verdicts_are_confirmed_by_qepcad(I, J, exhaustive):
    if not exhaustive:
        pytest.skip("QEPCAD takes 10-80 s on each: run with --exhaustive")
    result = check(_support(I, J), budget=10)
    assert result.verdict is Verdict.CLOSED
    assert [(r.engine, r.result) for r in result.records] == [("z3 nlqsat", "unsat"), ("QEPCAD B", "FALSE")]
