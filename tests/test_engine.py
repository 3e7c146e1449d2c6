"""The algebraic stage: refutations found by curve search, checked independently."""

from __future__ import annotations

from fractions import Fraction

from closure_check.case import Verdict
from closure_check.classify import check
from closure_check.curves import find_curve
from closure_check.enumerate import enumerate_patterns
from closure_check.families import lu
from test_classify import assert_certificate_sound


def test_curve_search_recovers_the_lu_limit():
    curve = find_curve(lu(3), {(0, 2): Fraction(1), (2, 0): Fraction(1)}, degree=1)
    assert curve is not None and curve.defects(lu(3)) == []


def test_no_curve_to_a_point_outside_the_closure():
    # the rank-one 2×2 set is closed: the identity (rank 2) is not a limit
    support = enumerate_patterns(2, 2, 1).__next__()
    assert find_curve(support, {(0, 0): Fraction(1), (1, 1): Fraction(1)}, degree=2) is None


def test_engine_only_adds_sound_not_closed_verdicts():
    """On 2×3 patterns: the engine never changes a decided verdict, and its refutations check out."""
    added = 0
    for support in enumerate_patterns(2, 3, 3):
        rules_only, with_engine = check(support), check(support, budget=2.0)
        if rules_only.verdict is not Verdict.UNKNOWN:
            assert with_engine.verdict is rules_only.verdict
            continue
        assert with_engine.verdict in (Verdict.UNKNOWN, Verdict.NOT_CLOSED)
        if with_engine.verdict is Verdict.NOT_CLOSED:
            added += 1
            assert_certificate_sound(support, with_engine)
    assert added >= 1
