"""A CLOSED verdict resting on an engine record reads ``CLOSED (engine record)`` everywhere.

The Zariski-closure criterion (``docs/theory.md`` §5) decides CLOSED on z3's unsat, which is
trusted, not checked.  No pattern of the census needs it any more, so the tests make the rules
and the refutation search step aside (monkeypatch) and let the criterion decide a part whose
products fill its visible cells: the record is z3's real answer.  A rule-decided CLOSED verdict
never carries the label.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from closure_check.batch import (
    ENGINE_RECORD_CLOSED,
    RECORD_KEYS,
    run_batch,
    summary_table,
    write_report,
)
from closure_check.census import CensusEntry, CensusResult, census_markdown
from closure_check.chains.census import ChainCensus, ChainCensusEntry
from closure_check.chains.check import check_chain
from closure_check.core.case import Case, Verdict
from closure_check.core.support import TwoFactorSupport
from closure_check.decide import check
from closure_check.io import write_case
from closure_check.output.proof_text import (
    render_certificate_latex,
    render_certificate_markdown,
    rests_on_engine_record,
)
from closure_check.output.terminal import (
    ENGINE_RECORD_LABEL,
    render_check,
    verdict_label,
)
from closure_check.two_factor import check as two_factor_check
from closure_check.two_factor import engine as two_factor_engine

# one part, five visible cells, every matrix on them a product: the full-space lemma proves
# it (budget 0); with the rules set aside the Zariski-closure criterion proves it
PATTERN = TwoFactorSupport.from_dense([[1, 1, 1], [0, 1, 1]], [[1, 1, 0], [0, 1, 1], [0, 0, 1]])


@pytest.fixture
def engine_only(monkeypatch):
    """Rules, refutation search and section search decide nothing: open parts go to the Zariski criterion."""
    monkeypatch.setattr(two_factor_check, "decide_part", lambda *args: None)
    monkeypatch.setattr(two_factor_engine, "refute_part", lambda *args: None)
    monkeypatch.setattr(two_factor_engine, "section_outcome", lambda *args: None)
    monkeypatch.setattr(two_factor_engine, "free_block_outcome", lambda *args: None)


def test_a_rule_decided_closed_verdict_is_plain_closed():
    result = check(PATTERN, budget=0)
    assert result.verdict is Verdict.CLOSED and not result.records and not result.engine_record
    assert verdict_label(result) == "CLOSED"
    text = render_check("p", result, None)
    assert text.startswith("p: CLOSED ") and ENGINE_RECORD_LABEL not in text
    assert not rests_on_engine_record(result.certificate_json())


def test_the_zariski_criterion_gives_closed_engine_record_in_text_and_certificate(engine_only):
    result = check(PATTERN, budget=10)
    assert result.verdict is Verdict.CLOSED and result.verdict.value == "closed"
    assert result.engine_record and [r.result for r in result.records][:1] == ["unsat"]
    text = render_check("p", result, Verdict.CLOSED)
    assert text.startswith(f"p: {ENGINE_RECORD_LABEL}") and "expect: closed (agrees)" in text
    assert "! engine record: z3 nlqsat" in text and "answered unsat" in text
    cert = json.loads(json.dumps(result.certificate_json(name="p")))
    assert cert["verdict"] == "closed" and rests_on_engine_record(cert)
    for rendered in (render_certificate_markdown(cert), render_certificate_latex(cert)):
        assert "CLOSED (engine record)" in rendered


def test_check_json_has_an_engine_record_field(engine_only, tmp_path):
    path = tmp_path / "p.sup"
    write_case(Case(PATTERN, name="p"), path)
    out = CliRunner().invoke(main, ["check", str(path), "--json", "--budget", "10"])
    assert out.exit_code == 0, out.output
    record = json.loads(out.output)
    assert record["verdict"] == "closed" and record["engine_record"] is True
    plain = CliRunner().invoke(main, ["check", str(path), "--json", "--budget", "0"])
    assert json.loads(plain.output)["engine_record"] is False
    text = CliRunner().invoke(main, ["check", str(path), "--budget", "10"])
    assert f"{path}: {ENGINE_RECORD_LABEL}" in text.output


def test_a_chain_decided_by_the_two_factor_criterion_carries_the_label(engine_only):
    chain = PATTERN.to_chain()  # two factors, neither a partial permutation: the two-factor classifier
    result = check_chain(chain, budget=10)
    assert result.verdict is Verdict.CLOSED and result.engine_record and result.records
    assert render_check("c", result, None).startswith(f"c: {ENGINE_RECORD_LABEL}")
    cert = json.loads(json.dumps(result.certificate_json(name="c")))
    assert cert["proof"]["lemma"] == "chain reduction" and rests_on_engine_record(cert)
    assert "CLOSED (engine record)" in render_certificate_markdown(cert)
    assert not check_chain(chain, budget=0).engine_record


def test_batch_records_counts_and_reports_name_the_engine_record(engine_only, tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    write_case(Case(PATTERN, name="p", expect=Verdict.CLOSED), cases / "p.sup")
    (cases / "rank_one.sup").write_text("expect: closed\nI:\n1\n1\nJ:\n1\n1\n")
    summary = run_batch([cases], jobs=1, budget=10, case_seconds=60, memory_mb=2048,
                        results=tmp_path / "results.jsonl", resume=False)
    by_name = {Path(r["file"]).name: r for r in summary.records}
    assert by_name["p.sup"]["verdict"] == "closed" and by_name["p.sup"]["engine_record"] is True
    assert by_name["rank_one.sup"]["engine_record"] is False and by_name["p.sup"]["agrees"] is True
    assert list(by_name["p.sup"]) == list(RECORD_KEYS)
    counts = summary.counts()
    assert counts["closed"] == 2 and counts[ENGINE_RECORD_CLOSED] == 1 and summary.engine_record_closed == 1
    assert ["closed", "(engine", "record)", "1"] in [line.split() for line in summary_table(summary).splitlines()]
    markdown = write_report(summary, tmp_path / "r.md").read_text()
    assert "| &nbsp;&nbsp;closed (engine record) | 1 |" in markdown and "| closed (engine record) |" in markdown
    rows = list(csv.DictReader(write_report(summary, tmp_path / "r.csv").read_text().splitlines()))
    assert {Path(r["file"]).name: r["engine_record"] for r in rows} == {"p.sup": "true", "rank_one.sup": "false"}


def _entry(I, J, verdict, engine_record=False, reasons=("x (determinantal lemma)",)):
    return CensusEntry(I=I, J=J, status="ok", verdict=verdict, tractability="not-known", reasons=reasons,
                       seconds=0.0, engine_record=engine_record)


def test_census_counts_engine_record_verdicts_apart():
    entries = (
        _entry(("11",), ("1",), "closed"),
        _entry(("11", "01"), ("1", "1"), "closed", True, ("component 0: … (Zariski-closure criterion)",)),
        _entry(("10", "11"), ("10", "11"), "not-closed", reasons=("… (local-LU lemma)",)),
    )
    result = CensusResult(2, 2, 3, 5.0, entries, 0.0)
    assert result.counts() == {"closed": 2, ENGINE_RECORD_CLOSED: 1, "not-closed": 1, "unknown": 0, "failed": 0}
    assert result.method_counts()["engine: Zariski-closure criterion"] == 1
    text = census_markdown(result)
    assert "| &nbsp;&nbsp;of which closed (engine record) | 1 |" in text
    assert "- I=11/01 J=1/1 — closed (engine record), z3 alone (single engine)" in text
    assert "| &nbsp;&nbsp;of which closed (engine record) | 0 |" in census_markdown(CensusResult(2, 2, 3, 5.0, entries[:1], 0.0))


def test_chain_census_counts_engine_record_verdicts_apart():
    census = ChainCensus((
        ChainCensusEntry((0,), 4, "closed", "chain fixed-factor lemma", 0.0),
        ChainCensusEntry((1,), 8, "closed", "chain Zariski-closure criterion", 0.0, True),
    ), 0, 0, 5.0)
    assert census.engine_record_counts() == (1, 8) and census.counts()["closed"] == (2, 12)
