"""Census of small patterns: class counts, verdict tallies, the stored baseline side by side."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from cli.batch_cmd import census as census_command
from closure_check.census import census_markdown, load_baseline, run_census
from closure_check.core.canonical import canonical_form
from closure_check.core.support import TwoFactorSupport

BASELINE_2X3 = Path(__file__).resolve().parent.parent / "benchmarks" / "results" / "baseline_2x3.jsonl"


def test_census_2x2_counts_every_class_once_and_decides_all():
    result = run_census(2, 2, 3, budget=5, jobs=2)
    assert len(result.entries) == 33  # as enumerate_patterns(2, 2, 3) in tests/test_classify.py
    counts = result.counts()
    assert counts["unknown"] == 0 and counts["failed"] == 0
    assert counts["closed"] + counts["not-closed"] == 33 and counts["not-closed"] >= 2  # LU and its mirror
    assert sum(result.method_counts().values()) == 33
    assert result.lemma_counts()["local-LU lemma"][1] >= 1
    text = census_markdown(result)
    assert "| closed |" in text and "| lemma / criterion |" in text and "authors' sentence" not in text


def test_census_2x3_agrees_with_the_stored_baseline():
    result = run_census(2, 3, 3, budget=5, jobs=2, baseline=BASELINE_2X3)
    assert len(result.entries) == 176
    assert len(result.joined) == 176  # every class found in the stored run by canonical form
    assert result.disagreements() == []
    assert result.counts()["failed"] == 0
    text = census_markdown(result)
    assert "disagreements: 0" in text and "| total seconds |" in text


def test_baseline_join_is_by_canonical_form_and_skips_torn_lines(tmp_path):
    lines = BASELINE_2X3.read_text().splitlines()[:3]
    record = json.loads(lines[0])
    # the same pattern with rows, columns and units relabelled
    swapped = dict(record, I=[row[::-1] for row in record["I"][::-1]], J=[row[::-1] for row in record["J"][::-1]])
    path = tmp_path / "baseline.jsonl"
    path.write_text("\n".join([json.dumps(swapped), *lines[1:], '{"I": ["1'] ) + "\n")
    table = load_baseline([path], 2, 3)
    assert len(table) == 3
    original = canonical_form(TwoFactorSupport(np.array([[int(c) for c in row] for row in record["I"]]),
                                               np.array([[int(c) for c in row] for row in record["J"]])), transpose=False)
    assert table[original].verdict == record["verdict"]
    assert load_baseline([path], 3, 3) == {}


def test_census_command_writes_markdown_and_exits_0(tmp_path):
    output = tmp_path / "census.md"
    result = CliRunner().invoke(census_command, ["--rows", "1", "--cols", "3", "--units", "3", "--budget", "0",
                                                 "-j", "1", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert output.read_text().startswith("## 1×3, at most 3 units")


def test_census_lists_the_lu_pattern_and_writes_it_with_a_verified_certificate(tmp_path):
    from closure_check.families import lu
    from closure_check.io import read_case
    from closure_check.verifier import verify_certificate

    out = tmp_path / "out"
    result = CliRunner().invoke(census_command, ["--rows", "2", "--cols", "2", "--units", "2", "-j", "2",
                                                 "--list", "not-closed", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("I=")]
    assert len(lines) == 1 and "local-LU lemma" in lines[0]
    lu_form = canonical_form(lu(2), transpose=True)
    case = read_case(out / "not-closed-0001.sup")
    assert case.expect is not None and case.expect.value == "not-closed"
    assert canonical_form(case.support, transpose=True) == lu_form
    certificate = json.loads((out / "not-closed-0001.json").read_text())
    assert certificate["verdict"] == "not-closed"
    report = verify_certificate(certificate)
    assert report.ok, report
    assert sorted(p.name for p in out.iterdir()) == ["not-closed-0001.json", "not-closed-0001.sup"]


def test_census_out_needs_list(tmp_path):
    result = CliRunner().invoke(census_command, ["--rows", "2", "--cols", "2", "--units", "2",
                                                 "--out", str(tmp_path / "x")])
    assert result.exit_code == 2


def test_exact_counts_only_patterns_with_that_many_units():
    # 2×2: 8 classes with at most 2 units, 1 with one unit (the full block), so 7 with exactly 2
    exact = run_census(2, 2, 2, budget=0, jobs=1, exact=True)
    at_most = run_census(2, 2, 2, budget=0, jobs=1)
    assert (len(exact.entries), len(at_most.entries)) == (7, 8)
    assert all(len(e.I[0]) == 2 for e in exact.entries) and sorted(len(e.I[0]) for e in at_most.entries)[0] == 1
    text = census_markdown(exact)
    assert "## 2×2, exactly 2 units" in text and "--units 2 --exact --budget 0" in text and "median" in text
    result = CliRunner().invoke(census_command, ["--rows", "2", "--cols", "2", "--units", "2", "--exact", "--budget", "0", "-j", "1"])
    assert result.exit_code == 0 and "exactly 2 units" in result.output and "7 patterns" in result.output
