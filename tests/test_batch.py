"""Batch runs: every outcome recorded, failures isolated, reports, resume after a kill, dask."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.batch_cmd import batch as batch_command
from closure_check import batch
from closure_check.batch import (
    RECORD_KEYS,
    BatchSummary,
    discover,
    read_results,
    run_batch,
    summary_table,
    write_report,
)
from closure_check.core.budget import run_with_budget
from closure_check.core.case import Case, Verdict
from closure_check.families import lu
from closure_check.io import write_case

ROOT = Path(__file__).resolve().parent.parent

LU2 = "expect: not-closed\nI:\n1 0\n1 1\nJ:\n1 0\n1 1\n"
WRONG = "name: wrong\nexpect: closed\nI:\n1 0\n1 1\nJ:\n1 0\n1 1\n"
RANK_ONE = "expect: closed\nI:\n1\n1\nJ:\n1\n1\n"
MALFORMED = "I:\n1 0\n1 2\nJ:\n1 0\n"
# the test hook below makes the child die on a 4×4 pattern and hang on a 5×5 one
CRASH = "name: crash\nI:\n1\n1\n1\n1\nJ:\n1\n1\n1\n1\n"
HANG = "name: hang\nI:\n1\n1\n1\n1\n1\nJ:\n1\n1\n1\n1\n1\n"
PID_FILE: list[Path] = []
_real_decide = batch._decide


def _sleep_and_tell(path: str) -> None:
    Path(path).write_text(str(os.getpid()))
    time.sleep(60)


def _test_decide(support, budget):
    """A test hook for ``batch._decide``: the default pool forks, so its workers see it."""
    if support.shape == (4, 4):
        os._exit(3)  # a real death of the child process, no Python exception
    if support.shape == (5, 5):  # hangs in a nested budgeted call, as the engine's searches do
        return run_with_budget(_sleep_and_tell, str(PID_FILE[0]), seconds=120, memory_mb=256)
    return _real_decide(support, budget)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def comparable(record: dict) -> tuple:
    return tuple(record[k] for k in RECORD_KEYS if k not in ("seconds", "error"))


def test_every_outcome_is_recorded_and_failures_do_not_stop_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "_decide", _test_decide)
    monkeypatch.setattr(sys.modules[__name__], "PID_FILE", [tmp_path / "hang.pid"])
    cases = write(tmp_path / "cases", {
        "lu2.sup": LU2, "wrong.sup": WRONG, "malformed.sup": MALFORMED, "hang.sup": HANG,
        "crash.sup": CRASH, "sub/rank_one.sup": RANK_ONE,
        "certs/lu2.cert.json": "{not a case}", "notes.md": "ignored",
    })
    write_case(Case(lu(3), name="lu3", expect=Verdict.NOT_CLOSED), cases / "lu3.mtx")
    results = tmp_path / "results.jsonl"
    seen = []
    start = time.monotonic()
    summary = run_batch([cases], jobs=2, budget=5, case_seconds=1.5, memory_mb=1024, results=results,
                        resume=False, progress=lambda done, total, record: seen.append((done, total, record)))
    by_name = {Path(r["file"]).name: r for r in summary.records}
    assert sorted(by_name) == ["crash.sup", "hang.sup", "lu2.sup", "lu3.I.mtx", "malformed.sup", "rank_one.sup", "wrong.sup"]
    assert by_name["lu2.sup"]["status"] == "ok" and by_name["lu2.sup"]["agrees"] is True
    assert by_name["lu3.I.mtx"]["verdict"] == "not-closed" and by_name["lu3.I.mtx"]["name"] == "lu3"
    assert by_name["rank_one.sup"]["file"] == os.path.join(str(cases), "sub", "rank_one.sup")
    assert by_name["rank_one.sup"]["tractability"] == "disjoint-or-identical"
    wrong = by_name["wrong.sup"]
    assert (wrong["verdict"], wrong["expect"], wrong["agrees"]) == ("not-closed", "closed", False)
    assert any("local-LU lemma" in reason for reason in wrong["reasons"])
    bad = by_name["malformed.sup"]
    assert bad["status"] == "bad-input" and "bad entry '2'" in bad["error"] and "\n" not in bad["error"]
    assert by_name["hang.sup"]["status"] == "timeout" and by_name["hang.sup"]["verdict"] is None
    assert by_name["hang.sup"]["seconds"] < 1.5 + 2 and time.monotonic() - start < 10
    assert not _alive(int((tmp_path / "hang.pid").read_text())), "the nested child outlived its case"
    assert by_name["crash.sup"]["status"] == "crashed" and "exit code 3" in by_name["crash.sup"]["error"]
    assert summary.counts() == {
        "cases": 7, "decided": 4, "closed": 1, "closed (engine record)": 0, "not-closed": 3, "unknown": 0,
        "mismatched": 1, "failed": 3,
        "network yes": 0, "network no": 0, "network open": 0, "bad-input": 1, "crashed": 1, "timeout": 1, "memory": 0,
        "time-limited": 0,
    }
    assert seen[0] == (0, 7, None) and [d for d, _, _ in seen[1:]] == list(range(1, 8))
    on_disk = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(r["file"] for r in on_disk) == sorted(r["file"] for r in summary.records)
    assert all(list(r) == list(RECORD_KEYS) for r in on_disk)


def test_discover_skips_certs_and_counts_a_matrix_market_set_once(tmp_path):
    cases = write(tmp_path, {"a.sup": LU2, "certs/c.json": "{}", "deep/certs/d.sup": LU2, "deep/b.json": "{}"})
    write_case(Case(lu(2)), cases / "m.mtx")
    write_case(Case(lu(3)), cases / "deep" / "n.mtx")
    found = [Path(f).relative_to(tmp_path).as_posix() for f in discover([tmp_path])]
    assert found == ["a.sup", "deep/b.json", "deep/n.I.mtx", "m.I.mtx"]
    assert discover([tmp_path / "a.sup", tmp_path, str(tmp_path / "certs" / "c.json")])[0] == str(tmp_path / "a.sup")
    assert len(discover([tmp_path, tmp_path])) == 4
    with pytest.raises(Exception, match="no such file"):
        discover([tmp_path / "missing"])


def test_cli_exit_codes_and_reports_parse_back(tmp_path):
    runner = CliRunner()
    good = write(tmp_path / "good", {"lu2.sup": LU2, "rank_one.sup": RANK_ONE})
    mixed = write(tmp_path / "mixed", {"lu2.sup": LU2, "wrong.sup": WRONG, "malformed.sup": MALFORMED})
    common = ["-j", "2", "--budget", "0", "--case-seconds", "30"]

    result = runner.invoke(batch_command, [str(good), *common, "--results", str(tmp_path / "good.jsonl")])
    assert result.exit_code == 0, result.output
    assert "mismatched" in result.output

    reports = {}
    for name in ("report.md", "report.json", "report.csv"):
        result = runner.invoke(batch_command, [str(mixed), *common, "--results", str(tmp_path / "mixed.jsonl"),
                                               "--report", str(tmp_path / name)])
        assert result.exit_code == 1, result.output
        assert "MISMATCH" in result.output and "BAD-INPUT" in result.output
        reports[name] = (tmp_path / name).read_text()
    document = json.loads(reports["report.json"])
    assert document["summary"]["mismatched"] == 1 and document["summary"]["bad-input"] == 1
    assert {Path(r["file"]).name for r in document["records"]} == {"lu2.sup", "wrong.sup", "malformed.sup"}
    rows = list(csv.DictReader(reports["report.csv"].splitlines()))
    assert list(rows[0]) == list(RECORD_KEYS) and len(rows) == 3
    wrong = next(r for r in rows if r["file"].endswith("wrong.sup"))
    assert (wrong["agrees"], wrong["verdict"]) == ("false", "not-closed") and "local-LU lemma" in wrong["reasons"]
    assert "| file | name | status |" in reports["report.md"] and "wrong.sup" in reports["report.md"]

    missing = runner.invoke(batch_command, [str(tmp_path / "nowhere"), "--results", str(tmp_path / "x.jsonl")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    unknown_format = runner.invoke(batch_command, [str(good), "--report", str(tmp_path / "report.txt")])
    assert unknown_format.exit_code == 2


def test_fail_on_error_exits_3_when_a_case_got_no_answer(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "_decide", _test_decide)
    monkeypatch.setattr(sys.modules[__name__], "PID_FILE", [tmp_path / "hang.pid"])
    runner = CliRunner()
    bad = write(tmp_path / "bad", {"lu2.sup": LU2, "malformed.sup": MALFORMED})
    crashed = write(tmp_path / "crashed", {"lu2.sup": LU2, "crash.sup": CRASH})
    hang = write(tmp_path / "hang", {"hang.sup": HANG})
    mixed = write(tmp_path / "mixed", {"wrong.sup": WRONG, "malformed.sup": MALFORMED})
    good = write(tmp_path / "good", {"lu2.sup": LU2, "rank_one.sup": RANK_ONE})

    def status(folder: Path, *extra: str, results: str = "r.jsonl", seconds: str = "30") -> int:
        arguments = [str(folder), "-j", "2", "--budget", "0", "--case-seconds", seconds,
                     "--results", str(tmp_path / results), *extra]
        result = runner.invoke(batch_command, arguments)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result.exit_code

    assert status(bad) == 0  # without the flag failures are only counted
    assert status(bad, "--fail-on-error", results="bad.jsonl") == 3  # bad-input
    assert status(crashed, "--fail-on-error") == 3  # the child died
    assert status(hang, "--fail-on-error", seconds="1") == 3  # ran out of its time
    assert status(mixed, "--fail-on-error") == 1  # a disagreement wins
    assert status(good, "--fail-on-error") == 0
    result = runner.invoke(batch_command, [str(bad), "--resume", "--fail-on-error", "--results", str(tmp_path / "bad.jsonl")])
    assert result.exit_code == 3 and "resumed from results" in result.output  # a failure read back still counts


def test_report_formats_from_suffix_or_explicit(tmp_path):
    summary = BatchSummary((batch._record("a.sup", status="ok", verdict="closed", reasons=["x (determinantal lemma)"]),), 1.0)
    write_report(summary, tmp_path / "r.out", "json")
    assert json.loads((tmp_path / "r.out").read_text())["summary"]["closed"] == 1
    with pytest.raises(ValueError):
        write_report(summary, tmp_path / "r.out")


def test_resume_ignores_a_torn_last_line_and_redoes_that_case(tmp_path):
    cases = write(tmp_path / "cases", {"a.sup": LU2, "b.sup": RANK_ONE, "c.sup": WRONG})
    results = tmp_path / "results.jsonl"
    first = run_batch([cases / "a.sup"], jobs=1, budget=0, case_seconds=30, memory_mb=1024, results=results, resume=False)
    assert len(first.records) == 1
    with results.open("a") as handle:  # a kill in the middle of the next line
        handle.write('{"file": "' + str(cases / "b.sup") + '", "name": "b", "sta')
    assert [r["file"] for r in read_results(results)] == [str(cases / "a.sup")]
    summary = run_batch([cases], jobs=2, budget=0, case_seconds=30, memory_mb=1024, results=results, resume=True)
    assert summary.resumed == 1 and len(summary.records) == 3
    lines = results.read_text().splitlines()
    assert sorted(json.loads(line)["file"] for line in lines) == sorted(str(cases / n) for n in ("a.sup", "b.sup", "c.sup"))


# the CLI in a subprocess, each case slowed to 0.3 s so that the kill lands mid-batch
SLOW_CLI = """
import sys, time
from closure_check import batch
real = batch._decide
def slow(support, budget):
    time.sleep(0.3)
    return real(support, budget)
batch._decide = slow
from cli.batch_cmd import batch as command
command(sys.argv[1:], prog_name="closure-check batch")
"""


def test_resume_after_sigkill_loses_and_repeats_nothing(tmp_path):
    files = {f"lu2_{k}.sup": LU2 for k in range(5)} | {f"rank_one_{k}.sup": RANK_ONE for k in range(5)}
    cases = write(tmp_path / "cases", files)
    results = tmp_path / "results.jsonl"
    command = [sys.executable, "-c", SLOW_CLI, str(cases), "--budget", "0", "--case-seconds", "30", "--results", str(results)]
    process = subprocess.Popen([*command, "-j", "1"], cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if results.exists() and results.read_bytes().count(b"\n") >= 2:
                break
            time.sleep(0.01)
        assert process.poll() is None, "the batch ended before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and its pool, no chance to clean up
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    before = read_results(results)
    assert 2 <= len(before) < 10
    rerun = subprocess.run([*command, "-j", "2", "--resume"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                           check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert "resumed from results" in rerun.stdout
    records = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(r["file"] for r in records) == sorted(discover([cases]))  # each case exactly once
    assert all(r["status"] == "ok" and r["agrees"] is True for r in records)
    assert records[: len(before)] == before  # what was written before the kill is kept as it was


def test_dask_cluster_gives_the_local_results(tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    cases = write(tmp_path / "cases", {"lu2.sup": LU2, "wrong.sup": WRONG, "malformed.sup": MALFORMED,
                                       "rank_one.sup": RANK_ONE})
    options = {"jobs": 2, "budget": 1, "case_seconds": 30, "memory_mb": 1024, "resume": False}
    local = run_batch([cases], results=tmp_path / "local.jsonl", **options)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = run_batch([cases], results=tmp_path / "dask.jsonl", executor=client, **options)
        via_executor = run_batch([cases], results=tmp_path / "dask2.jsonl", executor=client.get_executor(), **options)
    assert [comparable(r) for r in remote.records] == [comparable(r) for r in local.records]
    assert [comparable(r) for r in via_executor.records] == [comparable(r) for r in local.records]
    assert remote.counts() == local.counts()


def test_batch_answers_relu_specifications(tmp_path: Path) -> None:
    """``.relu`` files are networks: their answer (yes/no/open) is compared with ``expect:``."""
    lu_network = "layer 1:\n11\n01\nlayer 2:\n10\n11\n"
    (tmp_path / "lu.relu").write_text("expect: no\n" + lu_network)
    (tmp_path / "wrong.relu").write_text("expect: yes\n" + lu_network)
    (tmp_path / "scalar.relu").write_text("expect: yes\nlayer 1:\n11\n01\nlayer 2:\n11\n")
    (tmp_path / "broken.relu").write_text("layer 1:\n12\n")
    summary = run_batch([tmp_path], jobs=1, budget=5, case_seconds=60, memory_mb=1024,
                        results=tmp_path / "results.jsonl", resume=False)
    by_name = {Path(r["file"]).name: r for r in summary.records}
    assert (by_name["lu.relu"]["verdict"], by_name["lu.relu"]["agrees"]) == ("no", True)
    assert (by_name["wrong.relu"]["verdict"], by_name["wrong.relu"]["agrees"]) == ("no", False)
    assert (by_name["scalar.relu"]["verdict"], by_name["scalar.relu"]["agrees"]) == ("yes", True)
    assert by_name["broken.relu"]["status"] == "bad-input" and "broken.relu:2" in by_name["broken.relu"]["error"]
    counts = summary.counts()
    assert (counts["network no"], counts["network yes"], counts["decided"], counts["mismatched"]) == (2, 1, 3, 1)
    assert "network no" in summary_table(summary)


def test_certificates_are_written_verify_and_are_named_in_the_records(tmp_path):
    from closure_check.verifier import verify_certificate

    cases = tmp_path / "cases"
    (cases / "a").mkdir(parents=True)
    (cases / "b").mkdir()
    (cases / "a" / "lu2.sup").write_text(LU2)
    (cases / "b" / "lu2.sup").write_text(LU2)  # the same stem: the names must not clash
    (cases / "rank_one.sup").write_text(RANK_ONE)
    (cases / "broken.sup").write_text(MALFORMED)
    certs = tmp_path / "certs"
    results = tmp_path / "results.jsonl"
    result = CliRunner().invoke(batch_command, [str(cases), "-j", "2", "--results", str(results),
                                                "--certificates", str(certs)])
    assert result.exit_code == 0, result.output
    records = {Path(r["file"]).relative_to(cases).as_posix(): r for r in read_results(results)}
    assert all(list(r) == list(RECORD_KEYS) for r in records.values())
    assert records["broken.sup"]["certificate"] is None
    named = [records[k]["certificate"] for k in ("a/lu2.sup", "b/lu2.sup", "rank_one.sup")]
    assert len(set(named)) == 3 and Path(named[2]).name == "rank_one.json"
    assert sorted(p.name for p in certs.iterdir()) == sorted(Path(n).name for n in named)
    for name, key in zip(named, ("a/lu2.sup", "b/lu2.sup", "rank_one.sup")):
        certificate = json.loads(Path(name).read_text())
        assert certificate["verdict"] == records[key]["verdict"]
        report = verify_certificate(certificate)
        assert report.ok, report


def test_no_certificates_unless_asked(tmp_path):
    (tmp_path / "lu2.sup").write_text(LU2)
    summary = run_batch([tmp_path / "lu2.sup"], jobs=1, budget=0, case_seconds=30, memory_mb=1024,
                        results=tmp_path / "r.jsonl", resume=False)
    assert summary.records[0]["certificate"] is None
