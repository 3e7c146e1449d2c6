"""Hub-row lemma (docs/theory.md §4): exact replay of its factorisation on seeded and degenerate
targets, its layout, and the rule on the 3×4 pattern it decides."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from itertools import product
from pathlib import Path

import pytest

from closure_check.two_factor.hub_row import hub_row_factors, hub_row_layout

PATTERN_UNITS = [((0, 2), (0, 2, 3)), ((1, 2), (1, 2, 3)), ((0, 1, 2), (0, 1, 2, 3))]
"""I=101/011/111 J=101/011/111/111: U0 misses column 1, U1 misses column 0, U2 is the box."""

ROWS, COLS = range(3), range(4)


def _target(rows: list[list[int]]) -> dict[tuple[int, int], Fraction]:
    return {(i, j): Fraction(v) for i, row in enumerate(rows) for j, v in enumerate(row)}


def _replay(units, target) -> list:
    """Factor ``target`` by the lemma and check, exactly, supports and the product."""
    layout = hub_row_layout(units)
    assert layout is not None
    factors = hub_row_factors(layout, units, target)
    assert len(factors) == len(units)
    for (x, y), (rows, cols) in zip(factors, units):
        assert set(x) <= set(rows) and set(y) <= set(cols)
    cells = {(i, j) for rows, cols in units for i in rows for j in cols}
    for i, j in cells:
        assert sum(x.get(i, 0) * y.get(j, 0) for x, y in factors) == target.get((i, j), 0), (i, j)
    return factors


def _alpha(factors) -> tuple[Fraction, Fraction]:
    """The grid point the proof chose: U_r's x is e_r + α_r e_2."""
    return factors[0][0].get(2, Fraction(0)), factors[1][0].get(2, Fraction(0))


def test_layout_of_the_pattern_and_its_transpose():
    layout = hub_row_layout(PATTERN_UNITS)
    assert (layout.transposed, layout.full, layout.hub, layout.lines) == (False, 2, 2, ((0, 0), (1, 1)))
    flipped = hub_row_layout([(c, r) for r, c in PATTERN_UNITS])
    assert flipped is not None and flipped.transposed


@pytest.mark.parametrize("units", [
    [((0, 2), (2, 3)), ((1, 2), (1, 2, 3)), ((0, 1, 2), (0, 1, 2, 3))],  # U0 misses two columns
    [((0, 2), (0, 2, 3)), ((1, 2), (1, 2, 3)), ((0, 1, 2), (0, 1, 2))],  # no unit on the whole box
    [((0, 2), (0, 2, 3)), ((0, 1, 2), (0, 1, 2, 3))],  # row 1 has no unit of its own
])
def test_layout_refuses_outside_the_hypothesis(units):
    assert hub_row_layout(units) is None


def test_replay_on_seeded_sparse_targets():
    rng = random.Random(16)
    for _ in range(1500):
        _replay(PATTERN_UNITS, _target([[rng.choice((0, 0, 0, 1, -1, 2)) for _ in COLS] for _ in ROWS]))


def test_replay_on_every_small_first_two_columns():
    """α depends only on columns 0 and 1 (the missing columns): all 3^6 of them in {−1,0,1},
    which include every rank ≤ 1 case, zero rows and zero columns; the rest seeded."""
    rng = random.Random(7)
    for first in product((-1, 0, 1), repeat=6):
        rows = [[first[i], first[3 + i], rng.randint(-2, 2), rng.randint(-2, 2)] for i in ROWS]
        _replay(PATTERN_UNITS, _target(rows))


@pytest.mark.parametrize("rows", [
    [[0, 0, 0, 0]] * 3,  # zero
    [[0, 0, 0, 0], [1, 2, 3, 4], [5, 6, 7, 8]],  # zero row 0
    [[1, 2, 3, 4], [0, 0, 0, 0], [5, 6, 7, 8]],  # zero row 1
    [[1, 2, 3, 4], [5, 6, 7, 8], [0, 0, 0, 0]],  # zero hub row
    [[1, 2, 3, 4], [2, 4, 6, 8], [3, 6, 9, 12]],  # rank 1
    [[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 1, 1]],  # rank 2
    [[1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0]],  # columns 0, 1 equal, rank 1
    [[2, 1, 5, 0], [4, 2, 1, 1], [6, 3, 0, 2]],  # columns 0, 1 proportional, A00 A11 = A01 A10
    [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]],  # only the two cells no small unit covers
])
def test_replay_on_degenerate_targets(rows):
    _replay(PATTERN_UNITS, _target(rows))


def test_later_grid_points_are_reached():
    """Targets whose first grid points vanish on a missing column force α off (0, 0)."""
    # w_1 = A21 − α0 A01 − α1 A11 vanishes for α0 = 0 (A21 = A11 = 0); w_0 = A20 − α0 A00 − α1 A10
    # vanishes on α1 = α0 − 1 (A10 = 1, A00 = A20 = −1): (0, *) and (1, 0) fail, (1, 1) is taken.
    factors = _replay(PATTERN_UNITS, _target([[-1, 1, 0, 0], [1, 0, 0, 0], [-1, 0, 0, 0]]))
    assert _alpha(factors) == (1, 1)
    # w_1 = 0 on α1 = α0, w_0 = 0 on α0 + α1 = 1: (0, 0), (0, 1) fail, (0, 2) is taken.
    factors = _replay(PATTERN_UNITS, _target([[1, 1, 0, 0], [1, -1, 0, 0], [1, 0, 0, 0]]))
    assert _alpha(factors) == (0, 2)


def test_replay_transposed_and_larger():
    rng = random.Random(3)
    transposed = [(c, r) for r, c in PATTERN_UNITS]
    # 4 rows, hub 3, three spokes (one missing no column), and an extra unit that takes 0.
    larger = [((0, 3), (1, 2, 3)), ((1, 3), (0, 2, 3)), ((2, 3), (0, 1, 2, 3)), ((0, 1, 2, 3), (0, 1, 2, 3)),
              ((0, 1), (0,))]
    for _ in range(300):
        _replay(transposed, _target([[rng.choice((0, 1, -1)) for _ in ROWS] for _ in COLS]))
        _replay(larger, _target([[rng.choice((0, 0, 1, -1)) for _ in range(4)] for _ in range(4)]))


def test_stored_not_closed_patterns_are_never_recognised():
    """A pattern whose rectangles satisfy the hypothesis fills its box, so is closed: no stored
    NOT CLOSED 3×4 pattern may be recognised."""
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "results" / "frontier_3x4.jsonl"
    seen = 0
    for line in path.read_text().splitlines()[1:]:
        record = json.loads(line)
        if record.get("verdict") != "not-closed":
            continue
        I, J = record["I"], record["J"]
        units = [(tuple(i for i, row in enumerate(I) if row[k] == "1"), tuple(j for j, row in enumerate(J) if row[k] == "1"))
                 for k in range(len(I[0]))]
        assert hub_row_layout(units) is None, record
        seen += 1
    assert seen > 0


def test_check_decides_the_pattern_by_the_rules():
    from closure_check.core.support import TwoFactorSupport
    from closure_check.decide import check

    I, J = ["101", "011", "111"], ["101", "011", "111", "111"]
    for rows, cols in ((I, J), (J, I)):
        support = TwoFactorSupport.from_dense([[int(c) for c in r] for r in rows], [[int(c) for c in r] for r in cols])
        result = check(support, budget=0)
        assert result.verdict.value == "closed"
        assert any("hub-row lemma" in reason for reason in result.reasons)


def _accepts(proof: dict) -> bool:
    from closure_check.verifier import VerificationReport
    from closure_check.verifier.hub_row import check_hub_row_proof
    from closure_check.verifier.parse import Malformed

    report = VerificationReport()
    try:
        check_hub_row_proof(proof, report)
    except Malformed:
        return False
    return report.ok


def test_certificate_carries_the_proof_and_the_verifier_checks_it():
    from closure_check.core.support import TwoFactorSupport
    from closure_check.two_factor.check import check_two_factor
    from closure_check.verifier import verify_certificate

    support = TwoFactorSupport.from_dense([[1, 0, 1], [0, 1, 1], [1, 1, 1]], [[1, 0, 1], [0, 1, 1], [1, 1, 1], [1, 1, 1]])
    cert = json.loads(json.dumps(check_two_factor(support, 0).certificate_json()))
    (proof,) = cert["hub_rows"]
    report = verify_certificate(cert)
    assert report.ok and "hub-row lemma" in report.trusted
    assert _accepts(proof)
    tampered = []
    for key, value in (("hub", 0), ("full", 0), ("transposed", True), ("lines", [[0, 0]]), ("lines", [[0, 0], [0, 0]]),
                       ("lines", [[0, 1], [1, 0]])):
        bad = json.loads(json.dumps(proof))
        bad[key] = value
        tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    bad["units"][0][1] = [2, 3]  # U0 misses two columns
    tampered.append(bad)
    assert not any(_accepts(t) for t in tampered)
    # the hypothesis holds but unit 0 fits no unit of the pattern left free: the certificate is rejected
    bad_cert = json.loads(json.dumps(cert))
    bad_cert["hub_rows"][0]["units"][0] = [[0, 2], [0, 1, 2]]
    assert _accepts(bad_cert["hub_rows"][0])
    assert not verify_certificate(bad_cert).ok
