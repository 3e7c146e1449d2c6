"""The algebraic stage: refutations found by curve search, checked independently."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
from test_classify import assert_certificate_sound

from closure_check.core.canonical import canonical_form
from closure_check.core.case import Verdict
from closure_check.core.enumerate import enumerate_patterns
from closure_check.core.support import TwoFactorSupport
from closure_check.decide import check
from closure_check.families import lu
from closure_check.two_factor.curves import find_curve


def test_curve_search_recovers_the_lu_limit():
    curve = find_curve(lu(3), {(0, 2): Fraction(1), (2, 0): Fraction(1)}, degree=1)
    assert curve is not None and curve.defects(lu(3)) == []


def test_no_curve_to_a_point_outside_the_closure():
    # the rank-one 2×2 set is closed: the identity (rank 2) is not a limit
    support = enumerate_patterns(2, 2, 1).__next__()
    assert find_curve(support, {(0, 0): Fraction(1), (1, 1): Fraction(1)}, degree=2) is None


def recorded_baseline(name: str) -> dict:
    """The authors' z3 sentence, 20 s per pattern, as recorded by benchmarks/run_baseline.py."""
    path = Path(__file__).parent.parent / "benchmarks" / "results" / name
    verdicts = {}
    for line in path.read_text().splitlines():
        record = json.loads(line)
        I = np.array([[int(c) for c in row] for row in record["I"]])
        J = np.array([[int(c) for c in row] for row in record["J"]])
        verdicts[canonical_form(TwoFactorSupport(I, J))] = record["verdict"]
    return verdicts


def test_engine_keeps_rule_verdicts_and_agrees_with_the_authors_sentence():
    """All 2×3 patterns: the engine never overturns a rule, its certificates check out,
    and wherever the recorded baseline is definite, the verdicts agree."""
    baseline = recorded_baseline("baseline_2x3.jsonl")
    added = 0
    for support in enumerate_patterns(2, 3, 3):
        rules_only, with_engine = check(support, budget=0), check(support, budget=5.0)
        if rules_only.verdict is not Verdict.UNKNOWN:
            assert with_engine.verdict is rules_only.verdict
        elif with_engine.verdict is not Verdict.UNKNOWN:
            added += 1
        if with_engine.verdict is Verdict.NOT_CLOSED:
            assert_certificate_sound(support, with_engine)
        reference = baseline[canonical_form(support)]
        if reference != "unknown" and with_engine.verdict is not Verdict.UNKNOWN:
            assert with_engine.verdict.value == reference, support
    assert added >= 1


def test_zariski_criterion_agrees_with_the_rules_on_a_full_part():
    # units {0}×{0}, {0,1}×{0,1}, {0,1}×{1,2}: the first is absorbed, leaving two masked
    # single units; P is every 2×3 matrix.  Once decided only by the Zariski criterion, it
    # is now proved by the rules (free-multiplier elimination with a pivot row); the
    # criterion, run directly, still finds the same closed set
    from closure_check.algebra.zariski import zariski_closed

    support = TwoFactorSupport.from_dense([[1, 1, 1], [0, 1, 1]], [[1, 1, 0], [0, 1, 1], [0, 0, 1]])
    ruled = check(support)
    assert ruled.verdict is Verdict.CLOSED and not ruled.records
    result = zariski_closed(support, 10.0)
    assert result.closed is True and result.equations == () and result.record.result == "unsat"


def test_zariski_criterion_never_claims_lu_closed():
    from closure_check.algebra.zariski import zariski_closed

    result = zariski_closed(lu(2), 10.0)
    assert result.closed is False          # the anti-identity: on Z (all 2×2), not a product


def test_a_witness_of_the_authors_sentence_is_certified_not_trusted():
    from closure_check.core.graph import RankOneStructure
    from closure_check.two_factor.engine import certify_limit
    from closure_check.two_factor.reduce import reduce_component

    support = TwoFactorSupport.from_dense([[1, 1, 1], [0, 1, 1]], [[1, 1, 1], [0, 1, 0], [0, 0, 1]])
    structure = RankOneStructure.build(support)
    part = reduce_component(structure, 0).parts[0]
    witness = {(0, 1): Fraction(-1, 2), (0, 2): Fraction(-3), (1, 0): Fraction(-1)}   # z3's model
    outcome = certify_limit(structure, part, witness, 10.0)
    assert outcome is not None and outcome.certificate.defects(support) == []
    assert outcome.certificate.identity.defects() == []
    # a point of P (the product of the all-ones factors) is not certified as a limit outside P
    inside = {(i, j): Fraction(int(v)) for (i, j), v in np.ndenumerate(
        support.I.toarray() @ support.J.toarray().T) if v}
    assert certify_limit(structure, part, inside, 5.0) is None
