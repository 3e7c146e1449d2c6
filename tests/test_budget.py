"""Budgets: every failure of a call is an outcome, never an exception or a hang."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from closure_check.core.budget import Budget, BudgetExhausted, Deadline, run_with_budget


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke up"


def _allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def _fail() -> None:
    raise ValueError("the engine gave up on purpose")


def _square(value: int, *, offset: int = 0) -> int:
    return value * value + offset


def _unpicklable() -> object:
    return lambda: None


def _abort() -> None:
    os.abort()


def _spawn_grandchild(path: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    Path(path).write_text(str(child.pid))
    time.sleep(60)


def _nested() -> int:
    return run_with_budget(_square, 4, seconds=10, memory_mb=256).value


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def test_normal_call_returns_its_value() -> None:
    outcome = run_with_budget(_square, 7, seconds=10, memory_mb=256, offset=1)
    assert outcome.status == "ok" and outcome.ok and outcome.value == 50 and outcome.detail == ""


def test_sleeping_past_the_limit_times_out_quickly() -> None:
    start = time.monotonic()
    outcome = run_with_budget(_sleep, 30, seconds=0.5, memory_mb=256)
    elapsed = time.monotonic() - start
    assert outcome.status == "timeout" and outcome.value is None
    assert 0.5 <= elapsed < 3.0 and outcome.seconds >= 0.5


def test_allocating_too_much_is_memory() -> None:
    outcome = run_with_budget(_allocate, 4096, seconds=10, memory_mb=256)
    assert outcome.status == "memory" and outcome.value is None
    assert run_with_budget(_allocate, 16, seconds=10, memory_mb=256).value == 16 * 1024 * 1024


def test_raising_is_crashed_with_the_error_text() -> None:
    outcome = run_with_budget(_fail, seconds=10, memory_mb=256)
    assert outcome.status == "crashed" and "ValueError: the engine gave up on purpose" in outcome.detail


def test_death_by_signal_and_unpicklable_values_are_crashed() -> None:
    aborted = run_with_budget(_abort, seconds=10, memory_mb=256)
    assert aborted.status == "crashed" and "SIGABRT" in aborted.detail
    unpicklable = run_with_budget(_unpicklable, seconds=10, memory_mb=256)
    assert unpicklable.status == "crashed" and "could not be sent back" in unpicklable.detail


def test_timeout_kills_the_childs_children() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "pid")
        outcome = run_with_budget(_spawn_grandchild, path, seconds=1.5, memory_mb=512)
        assert outcome.status == "timeout"
        pid = int(Path(path).read_text())
        for _ in range(50):
            if not _alive(pid):
                break
            time.sleep(0.05)
        assert not _alive(pid)


def test_nested_budgets_and_determinism() -> None:
    assert run_with_budget(_nested, seconds=10, memory_mb=512).value == 16
    outcomes = [run_with_budget(_square, 12, seconds=10, memory_mb=256) for _ in range(3)]
    assert {(o.status, o.value) for o in outcomes} == {("ok", 144)}
    failures = [run_with_budget(_fail, seconds=10, memory_mb=256) for _ in range(2)]
    assert failures[0].status == failures[1].status == "crashed"
    assert failures[0].detail.splitlines()[0] == failures[1].detail.splitlines()[0]


def test_deadlines() -> None:
    assert Deadline(None).remaining() == float("inf") and not Deadline(None).expired()
    expired = Budget(seconds=0.0).deadline()
    assert expired.expired()
    with pytest.raises(BudgetExhausted, match="Gröbner"):
        expired.check("Gröbner")
    Deadline(60).check()


def _sleep_long() -> None:
    time.sleep(30)


def _nested_sleep() -> object:
    return run_with_budget(_sleep_long, seconds=30)


def test_a_nested_budget_is_killed_with_the_outer_one():
    """The inner child shares the outer group: the outer timeout ends both, promptly."""
    start = time.monotonic()
    outcome = run_with_budget(_nested_sleep, seconds=1.0)
    assert outcome.status == "timeout"
    assert time.monotonic() - start < 3.0
