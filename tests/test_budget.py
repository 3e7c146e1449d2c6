"""Budgets: every failure of a call is an outcome, never an exception or a hang."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from closure_check.core.budget import Budget, BudgetExhausted, Effort, run_with_budget

ROOT = Path(__file__).resolve().parent.parent


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


def test_efforts() -> None:
    assert Effort(None).remaining() == float("inf") and not Effort(None).expired()
    expired = Budget(seconds=0.0).effort()
    assert expired.expired()
    with pytest.raises(BudgetExhausted, match="Gröbner"):
        expired.check("Gröbner")
    Effort(60).check()


def test_effort_is_counted_not_timed() -> None:
    """Effort is work counted, never read from a clock: sleeping spends none of it, and a
    share charges its parent without being able to spend more than it was given."""
    effort = Effort(1.0)
    time.sleep(0.05)
    assert effort.remaining() == 1.0
    share = effort.share(0.5)
    with pytest.raises(BudgetExhausted):
        while True:
            share.check("loop")
    assert share.expired() and not effort.expired()
    assert abs(effort.remaining() - 0.5) < 2e-4


def test_groebner_limits_follow_the_effort() -> None:
    """flint's basis-length limit shrinks with the effort left and the charge follows the
    length returned, so one Buchberger run never takes much more than what is left."""
    from closure_check.core.budget import GROEBNER_COSTS

    cost, power = GROEBNER_COSTS["degrevlex"]
    small, large = Effort(0.01).groebner_limits((2000, 20000, 8192)), Effort(10.0).groebner_limits((2000, 20000, 8192))
    assert small[0] == int((0.01 / cost) ** (1 / power)) < large[0] <= 2000
    assert Effort(None).groebner_limits((2000, 20000, 8192)) == (2000, 20000, 8192)
    effort = Effort(1.0)
    effort.charge_groebner(small[0])
    assert effort.spent <= 0.01 + 1e-12


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


# a caller of nested budgeted calls, to be killed with SIGKILL while both children sleep
KILLED_CALLER = """
import os, sys, time
from pathlib import Path
from closure_check.core import budget
if sys.argv[2] == "watcher":
    budget._PRCTL = False  # as without prctl: the polling thread
def inner(folder):
    Path(folder, "inner").write_text(str(os.getpid()))
    time.sleep(60)
def outer(folder):
    Path(folder, "outer").write_text(str(os.getpid()))
    return budget.run_with_budget(inner, folder, seconds=60)
budget.run_with_budget(outer, sys.argv[1], seconds=60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("mechanism", ["pdeathsig", "watcher"])
def test_budgeted_children_die_with_a_killed_caller(tmp_path, mechanism) -> None:
    """kill -9 of the caller ends its budgeted child, and that child's own, in a chain."""
    caller = subprocess.Popen([sys.executable, "-c", KILLED_CALLER, str(tmp_path), mechanism], cwd=ROOT,
                              start_new_session=True)
    pids: list[int] = []
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (tmp_path / "inner").exists() and caller.poll() is None:
            time.sleep(0.02)
        time.sleep(0.05)  # the pid is written; let the write finish
        pids = [int((tmp_path / name).read_text()) for name in ("outer", "inner")]
        caller.kill()
        caller.wait(5)
        limit = time.monotonic() + 2.0
        while time.monotonic() < limit and any(_alive(pid) for pid in pids):
            time.sleep(0.02)
        assert not [pid for pid in pids if _alive(pid)], "a budgeted child outlived its killed caller"
    finally:
        if caller.poll() is None:
            caller.kill()
            caller.wait(5)
        for pid in pids:
            if _alive(pid):
                os.kill(pid, 9)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_die_with_parent_arms_pdeathsig_and_catches_a_parent_already_gone() -> None:
    probe = "import os; from closure_check.core.budget import die_with_parent; print(die_with_parent({}))"
    armed = subprocess.run([sys.executable, "-c", probe.format("os.getppid()")], cwd=ROOT, capture_output=True,
                           text=True, timeout=30, check=True)
    assert armed.stdout.strip() == "pdeathsig"
    orphan = subprocess.run([sys.executable, "-c", probe.format("-1")], cwd=ROOT, capture_output=True, text=True,
                            timeout=30, check=False)
    assert orphan.returncode == -9 and orphan.stdout == ""
