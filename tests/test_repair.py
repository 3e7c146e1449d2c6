"""Repairs: every repair is re-checked CLOSED; minimality against an independent brute force."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner

from cli.main import main
from closure_check.core.case import Verdict
from closure_check.core.enumerate import enumerate_patterns
from closure_check.core.support import TwoFactorSupport
from closure_check.decide import check
from closure_check.families import lu
from closure_check.repair import repair


def _not_closed(m: int, n: int, units: int) -> list[TwoFactorSupport]:
    return [p for p in enumerate_patterns(m, n, units) if check(p).verdict is Verdict.NOT_CLOSED]


def _apply(support: TwoFactorSupport, changes, value: int) -> TwoFactorSupport:
    I, J = support.I.toarray(), support.J.toarray()
    for change in changes:
        (I if change.matrix == "I" else J)[change.row, change.col] = value
    return TwoFactorSupport(sp.csr_array(I), sp.csr_array(J))


def _brute_force(support: TwoFactorSupport, mode: str, max_changes: int):
    """Smallest size with a CLOSED change and all CLOSED changes of that size, by plain enumeration."""
    target = 0 if mode == "add" else 1
    positions = [("I", i, k) for i, k in np.argwhere(support.I.toarray() == target)]
    positions += [("J", j, k) for j, k in np.argwhere(support.J.toarray() == target)]
    undecided = False  # an UNKNOWN candidate smaller than the size returned
    for size in range(1, max_changes + 1):
        closed, undecided_here = set(), False
        for subset in combinations(positions, size):
            I, J = support.I.toarray(), support.J.toarray()
            for name, a, b in subset:
                (I if name == "I" else J)[a, b] = 1 - target
            verdict = check(TwoFactorSupport(I, J)).verdict
            undecided_here |= verdict is Verdict.UNKNOWN
            if verdict is Verdict.CLOSED:
                closed.add(frozenset((name, int(a), int(b)) for name, a, b in subset))
        if closed:
            return size, closed, undecided
        undecided |= undecided_here
    return None, set(), False


def test_lu_2x2_add_one_entry_or_remove_the_corner():
    added = repair(lu(2), "add", max_changes=2)
    assert added.original.verdict is Verdict.NOT_CLOSED and added.size == 1 and added.minimal
    assert [c.describe() for c in added.repairs] == ["add I[0,1]", "add J[0,1]"]
    removed = repair(lu(2), "remove", max_changes=2)
    assert removed.size == 1 and {"remove I[1,1]", "remove J[1,1]"} <= {c.describe() for c in removed.repairs}


def test_closed_support_needs_no_repair():
    result = repair(TwoFactorSupport.from_dense([[1, 1]], [[1, 1]]), "add")
    assert result.size == 0 and result.repairs == () and result.checked == 0


@pytest.mark.parametrize("shape", [(2, 2, 2), (2, 2, 3), (2, 3, 2), (2, 3, 3)])
@pytest.mark.parametrize("mode", ["add", "remove"])
def test_every_repair_is_closed_and_minimal(shape, mode):
    patterns = _not_closed(*shape)
    assert patterns
    for support in patterns:
        result = repair(support, mode, max_changes=2)
        for candidate in result.repairs:
            rebuilt = _apply(support, candidate.changes, 1 if mode == "add" else 0)
            assert rebuilt == candidate.support
            assert check(rebuilt).verdict is Verdict.CLOSED
        size, closed, undecided = _brute_force(support, mode, 2)
        assert result.size == size
        assert {frozenset((c.matrix, c.row, c.col) for c in cand.changes) for cand in result.repairs} == closed
        assert not result.heuristic and result.minimal == (size is not None and not undecided)


@pytest.mark.exhaustive
def test_repairs_of_2x3_patterns_with_four_units(exhaustive):
    if not exhaustive:
        pytest.skip("every 2x3 pattern with up to four units (--exhaustive)")
    for support in _not_closed(2, 3, 4):
        for mode in ("add", "remove"):
            result = repair(support, mode, max_changes=2)
            assert all(check(c.support).verdict is Verdict.CLOSED for c in result.repairs)
            assert result.size == _brute_force(support, mode, 2)[0]


def test_heuristic_is_labelled():
    result = repair(lu(4), "add", max_changes=2, max_candidates=5)
    assert result.heuristic and not result.minimal
    assert all(check(c.support).verdict is Verdict.CLOSED for c in result.repairs)


def test_cli_repair(tmp_path):
    path = tmp_path / "lu2.sup"
    path.write_text("I:\n10\n11\nJ:\n10\n11\n")
    out = CliRunner().invoke(main, ["repair", str(path)])
    assert out.exit_code == 0 and "add I[0,1]: CLOSED" in out.output and "minimal among changes of size ≤ 2" in out.output
    out = CliRunner().invoke(main, ["repair", str(path), "--remove", "--max", "1"])
    assert out.exit_code == 0 and "remove I[1,1]: CLOSED" in out.output
    bad = CliRunner().invoke(main, ["repair", str(tmp_path / "missing.sup")])
    assert bad.exit_code == 2 and bad.output.count("\n") == 1
