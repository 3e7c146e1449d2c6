"""Same input, same effort, same answer: verdicts do not depend on the machine's load.

The effort of a check is work counted (z3's resource counter, flint basis lengths, loop
steps; ``docs/algebra.md`` §4), never read from a clock, and the wall clock is only a
safety net far away (``10·e + 5`` s per engine child).  So deciding the same open parts

* on a quiet machine,
* with a CPU hog on every core beside it, and
* in ``batch`` with one worker and with two

gives identical verdicts, identical reasons and no ``limit``.  CI decides a sample of the
open parts of ``tests/data/open_parts.json`` (random 3×4 and 4×4 patterns the rules leave
open); ``pytest -m exhaustive --exhaustive tests/test_determinism.py`` decides all 48.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from closure_check.batch import run_batch
from closure_check.core.support import TwoFactorSupport
from closure_check.decide import check

DATA = Path(__file__).parent / "data" / "open_parts.json"
EFFORT = 2.0
SAMPLE = (0, 2, 3, 5, 7, 11, 13)
"""Decided NOT CLOSED at this effort (2, 3, 5, 7) or left UNKNOWN (0, 11, 13): both kinds."""


def _matrix(text: str) -> list[list[int]]:
    return [[int(c) for c in row.strip()] for row in text.split("/")]


def _patterns(indices: tuple[int, ...] | None) -> list[TwoFactorSupport]:
    patterns = json.loads(DATA.read_text())["patterns"]
    chosen = patterns if indices is None else [patterns[k] for k in indices]
    return [TwoFactorSupport.from_dense(_matrix(p["I"]), _matrix(p["J"])) for p in chosen]


def _answer(support: TwoFactorSupport) -> tuple:
    result = check(support, budget=EFFORT)
    return result.verdict.value, result.reasons, result.undecided, result.limit


@contextmanager
def _cpu_hogs() -> Iterator[None]:
    """A busy loop on every core for the duration of the block."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def _support_text(name: str, I: np.ndarray, J: np.ndarray) -> str:
    """A support file in the text format (docs/formats.md)."""
    def rows(matrix: np.ndarray) -> str:
        return "\n".join(" ".join(str(int(v)) for v in row) for row in matrix)

    return f"name: {name}\nI:\n{rows(I)}\nJ:\n{rows(J)}\n"


def _case_file(folder: Path, index: int, support: TwoFactorSupport) -> None:
    text = _support_text(f"open {index}", support.I.toarray(), support.J.toarray())
    (folder / f"open_{index:02d}.sup").write_text(text)


def _batch_verdicts(folder: Path, jobs: int, results: Path) -> dict[str, tuple]:
    summary = run_batch([folder], jobs=jobs, budget=EFFORT, case_seconds=600, memory_mb=2048, results=results, resume=False)
    return {Path(r["file"]).name: (r["status"], r["verdict"], tuple(r["reasons"]), r["limit"]) for r in summary.records}


def _same_everywhere(supports: list[TwoFactorSupport], tmp_path: Path) -> None:
    quiet = [_answer(s) for s in supports]
    assert all(limit is None for *_, limit in quiet), "the safety net fired on a quiet machine"
    assert {verdict for verdict, *_ in quiet} >= {"not-closed"}
    with _cpu_hogs():
        loaded = [_answer(s) for s in supports]
    assert loaded == quiet

    folder = tmp_path / "cases"
    folder.mkdir()
    for index, support in enumerate(supports):
        _case_file(folder, index, support)
    one = _batch_verdicts(folder, 1, tmp_path / "j1.jsonl")
    two = _batch_verdicts(folder, 2, tmp_path / "j2.jsonl")
    assert one == two
    expected = {f"open_{i:02d}.sup": ("ok", verdict, tuple(reasons), None) for i, (verdict, reasons, _, _) in enumerate(quiet)}
    assert one == expected


def test_same_verdicts_under_load_and_with_one_or_two_workers(tmp_path: Path) -> None:
    _same_everywhere(_patterns(SAMPLE), tmp_path)


@pytest.mark.exhaustive
def test_same_verdicts_on_all_open_parts(tmp_path: Path, exhaustive: bool) -> None:
    if not exhaustive:
        pytest.skip("all 48 open parts, four times each (several minutes): run with --exhaustive")
    _same_everywhere(_patterns(None), tmp_path)


def _cpu_seconds_of(arguments: list[str]) -> float:
    """CPU seconds (user + system) of a CLI run and every process it started."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", "from cli.main import main; main()", *arguments],
                   cwd=Path(__file__).resolve().parent.parent, capture_output=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def test_one_effort_for_the_whole_check(tmp_path: Path) -> None:
    """``--budget 2`` bounds the whole check, not each part or stage: four open parts
    (the direct sum of four open patterns) cost at most 2 s of work beyond the rules-only
    run plus 1 s, counted in CPU seconds of the command and its children (the wall clock of
    a shared machine would measure the neighbours too)."""
    from scipy.linalg import block_diag

    patterns = _patterns((1, 4, 6, 11))
    I = block_diag(*[s.I.toarray() for s in patterns])
    J = block_diag(*[s.J.toarray() for s in patterns])
    path = tmp_path / "four_open_parts.sup"
    path.write_text(_support_text("four open parts", I, J))
    assert len(check(TwoFactorSupport(I, J), budget=0).undecided) == 4
    rules_only = _cpu_seconds_of(["check", "--budget", "0", str(path)])
    with_effort = _cpu_seconds_of(["check", "--budget", "2", str(path)])
    assert with_effort <= rules_only + 2.0 + 1.0, (rules_only, with_effort)


def test_a_time_limit_that_fires_says_so(tmp_path: Path) -> None:
    """``--time-limit`` caps the whole command; the answer it cut short says ``limit: time``
    (JSON ``"limit": "time"``, a line in the text), and stays a proved verdict or UNKNOWN."""
    # a 4×5 pattern with four units no lemma decides and the engine leaves UNKNOWN at effort 10
    # (3 s; every frontier pattern of docs/census.md is now decided): at effort 50 the 1 s limit
    # fires first
    support = TwoFactorSupport.from_dense([[1, 1, 1, 1], [1, 1, 1, 0], [0, 1, 1, 1], [1, 1, 0, 1]],
                                          [[1, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 0], [1, 1, 1, 1], [0, 1, 0, 1]])
    result = check(support, budget=50, time_limit=1.0)
    assert result.limit == "time" and result.verdict.value == "unknown"
    assert any("limit: time" in line for line in result.undecided)
    path = tmp_path / "open.sup"
    path.write_text(_support_text("open", support.I.toarray(), support.J.toarray()))
    cli = [sys.executable, "-c", "from cli.main import main; main()"]
    done = subprocess.run([*cli, "check", "--json", "--budget", "50", "--time-limit", "1", str(path)],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=60)
    assert json.loads(done.stdout)["limit"] == "time"
    text = subprocess.run([*cli, "check", "--budget", "50", "--time-limit", "1", str(path)],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=60)
    assert "limit: time" in text.stdout
    assert check(support, budget=0.5).limit is None
