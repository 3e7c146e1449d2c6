"""Children die with their parent: ``kill -9`` of ``check`` or ``batch`` leaves no process behind.

Each test starts the real CLI of this checkout on a pattern whose engine search runs
for over a minute (``--budget 30``), waits until the engine's child processes exist,
sends ``SIGKILL`` to the CLI process alone (not its group), and asserts that within
2 s none of its descendants -- recorded before the kill, or started by them since --
is alive (a zombie waiting for its new parent to reap it counts as dead).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG is Linux")

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from cli.main import main; main()"]

# rules leave it open and the algebraic stage searches for over a minute at --budget 30
SLOW = """name: slow
I:
1 1 0 1
1 1 0 1
1 1 1 0
0 1 1 0
J:
0 1 0 0
1 0 1 1
1 1 1 1
1 0 1 0
"""

Process = tuple[int, str]
"""A process: its pid and start time (so that a reused pid is not mistaken for it)."""


def _table() -> dict[Process, int]:
    """Every live process, with its parent's pid (zombies left out)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X"):
            table[(int(entry), fields[19])] = int(fields[1])
    return table


def _descendants(roots: set[int], table: dict[Process, int]) -> dict[Process, int]:
    """The processes below ``roots`` (pids), each with its depth (1: a child of a root)."""
    found: dict[Process, int] = {}
    frontier = {pid: 0 for pid in roots}
    while frontier:
        below = {}
        for process, parent in table.items():
            if parent in frontier and process not in found:
                found[process] = frontier[parent] + 1
                below[process[0]] = found[process]
        frontier = below
    return found


def _kill_and_watch(command: list[str], depth: int, wanted: int = 1, limit: float = 30.0) -> float:
    """Run ``command``; once ``wanted`` descendants at ``depth`` or deeper exist, SIGKILL it.

    Returns the seconds from the kill to the death of the last descendant; fails if one
    is still alive 2 s after the kill.
    """
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    recorded: set[Process] = set()
    try:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and process.poll() is None:
            below = _descendants({process.pid}, _table())
            recorded |= set(below)
            if sum(d >= depth for d in below.values()) >= wanted:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the command ended before it could be killed"
        assert sum(d >= depth for d in below.values()) >= wanted, f"no {wanted} descendants at depth {depth} in {limit} s"
        os.kill(process.pid, signal.SIGKILL)  # the parent alone: no chance to clean up
        killed = time.monotonic()
        process.wait(5)
        last = killed
        while True:
            table = _table()
            alive = {p for p in recorded if p in table}
            alive |= set(_descendants({pid for pid, _ in recorded}, table))  # started since
            recorded |= alive
            now = time.monotonic()
            if not alive:
                return last - killed
            last = now
            if now - killed > 2.0:
                break
            time.sleep(0.01)
        pytest.fail(f"{len(alive)} descendant(s) alive 2 s after the parent was killed: {sorted(p for p, _ in alive)}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
        table = _table()
        for pid, start in recorded:  # ours: clean up after a failure
            if (pid, start) in table:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def test_kill_of_check_ends_its_engine_child(tmp_path):
    case = tmp_path / "slow.sup"
    case.write_text(SLOW)
    seconds = _kill_and_watch([*CLI, "check", str(case), "--budget", "30"], depth=1)
    assert seconds < 1.0


def test_kill_of_batch_ends_workers_cases_and_nested_engine_calls(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("a", "b", "c"):
        (cases / f"{name}.sup").write_text(SLOW)
    command = [*CLI, "batch", str(cases), "-j", "2", "--budget", "30", "--case-seconds", "120",
               "--results", str(tmp_path / "results.jsonl")]
    # depth 1: the pool's workers, 2: each case's budgeted child, 3: the engine's child inside it
    seconds = _kill_and_watch(command, depth=3, wanted=2)
    assert seconds < 1.0
