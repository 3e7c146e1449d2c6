"""Benchmark: read + check of a large ``.npz`` support against ``numpy.load`` of the same file.

The floor of any check is reading its input: the least a method can spend is
``numpy.load`` of the archive (decompressing every member).  For each pattern the
support is written once with :func:`closure_check.io.write_case` (the project's
compressed ``.npz`` format, ``docs/formats.md``); then, in the same run,

* *load* -- ``numpy.load(path)`` and every member materialised (the floor);
* *read+check* -- ``read_case(path)`` (every validation of the reader) then
  ``closure_check.decide.check`` on the support (budget 0: the proved rules only).

**Time**: each in one child process per pattern, after one untimed run of each (file
cache warm, lazy imports done), interleaved ``--repeat`` times; the median is reported.

**Peak memory**: each in its own fresh child process.  The child imports everything
either side may need (numpy, scipy.sparse and ``scipy.sparse.csgraph``, the readers and
the deciders), then resets the kernel's high-water mark of its resident set (writing
``5`` to ``/proc/self/clear_refs``), runs the action once and reports ``VmHWM`` (peak
resident set, from ``/proc/self/status``) minus the resident set just before the action.
So the figure is the extra memory the action held at its peak, all allocators included
(numpy, scipy's C++ sparse tools, Python objects), imports excluded.  Where the
high-water mark cannot be reset, ``ru_maxrss`` minus the resident set before is used
(then import-time peaks may show on the smallest rows).

Targets (issue 18): read+check within 4× the load time and 4× its peak memory on every
row; the 2^20 butterfly chain within 2× its load time.

Run:  python3 benchmarks/bench_floor.py [--repeat 3] [--rows SUBSTRING ...] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's closure_check, not an installed one

#: (label, factory expression in closure_check.families, time target)
ROWS: list[tuple[str, str, float]] = [
    ("butterfly split 2^12", "butterfly_split(12, 6)", 4.0),
    ("butterfly split 2^14", "butterfly_split(14, 7)", 4.0),
    ("butterfly split 2^16", "butterfly_split(16, 8)", 4.0),
    ("Monarch m=64", "monarch(64)", 4.0),
    ("Monarch m=256", "monarch(256)", 4.0),
    ("random 5-sparse 10^5", "random_k_sparse(10_000, 10_000, 10_000, 5, seed=0)", 4.0),
    ("random 5-sparse 10^6", "random_k_sparse(100_000, 100_000, 100_000, 5, seed=0)", 4.0),
    ("random 5-sparse 10^7", "random_k_sparse(1_000_000, 1_000_000, 1_000_000, 5, seed=0)", 4.0),
    ("butterfly chain 2^16", "butterfly_chain(16)", 4.0),
    ("butterfly chain 2^18", "butterfly_chain(18)", 4.0),
    ("butterfly chain 2^20", "butterfly_chain(20)", 2.0),
]
"""The 2^20 chain (20 factors of 2^20 × 2^20) has 4.2·10^7 rows and columns in all, beyond
the limit of 10^7 (``docs/formats.md``, "Limits"): it cannot be written or read, and its
row is reported as skipped."""
MEMORY_TARGET = 4.0

# ----------------------------------------------------------------------------- child side

_PRELOAD = (
    "numpy",
    "scipy.sparse",
    "scipy.sparse.csgraph",
    "closure_check.io",
    "closure_check.io.npz",
    "closure_check.decide",
    "closure_check.chains.check",
)


def _preload() -> None:
    import importlib

    for name in _PRELOAD:
        importlib.import_module(name)


def _load(path: str) -> object:
    import numpy as np

    with np.load(path) as archive:
        return {key: archive[key] for key in archive.files}


def _read_check(path: str) -> object:
    from closure_check.decide import check
    from closure_check.io import read_case

    return check(read_case(path).support)


ACTIONS: dict[str, Callable[[str], object]] = {"load": _load, "read+check": _read_check}


def _resident_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def child_memory(action: str, path: str) -> dict[str, object]:
    """Peak extra resident memory (bytes) of one ``action`` in this fresh process."""
    import gc
    import resource

    _preload()
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        method = "VmHWM after clear_refs minus VmRSS before"
        before = _resident_kb("VmRSS")
        ACTIONS[action](path)
        peak = _resident_kb("VmHWM")
    except OSError:
        method = "ru_maxrss minus VmRSS before"
        before = _resident_kb("VmRSS")
        ACTIONS[action](path)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"bytes": max(peak - before, 0) * 1024, "method": method}


def child_time(path: str, repeat: int) -> dict[str, object]:
    """Median times of both actions, interleaved, after one untimed run of each."""
    _preload()
    result = _read_check(path)
    _load(path)
    times: dict[str, list[float]] = {name: [] for name in ACTIONS}
    for _ in range(repeat):
        for name, action in ACTIONS.items():
            start = time.perf_counter()
            action(path)
            times[name].append(time.perf_counter() - start)
    return {
        "verdict": result.verdict.value,
        "tractability": result.tractability.value,
        "times": times,
        "median": {name: statistics.median(values) for name, values in times.items()},
    }


# ----------------------------------------------------------------------------- parent side


def _child(argv: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, *argv], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {argv} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_row(expression: str, folder: Path) -> tuple[Path, int]:
    """Write the pattern of ``expression`` as ``.npz``; return the path and its nonzeros."""
    from closure_check import families
    from closure_check.core.case import Case
    from closure_check.io import write_case

    support = eval(expression, vars(families))  # noqa: S307 -- our own fixed table
    path = folder / "support.npz"
    write_case(Case(support, expression), path)
    return path, int(support.nnz)


def main() -> None:
    from closure_check.core.support import SupportError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (median reported)")
    parser.add_argument("--rows", nargs="*", default=None, help="only rows whose label contains one of these")
    parser.add_argument("--out", type=Path, default=None, help="also write the table and JSON lines here")
    options = parser.parse_args()
    rows = [row for row in ROWS if not options.rows or any(part in row[0] for part in options.rows)]
    header = (
        f"{'pattern':22} {'nnz':>10} {'verdict':>7} {'load s':>7} {'r+c s':>7} {'time×':>6} "
        f"{'load MB':>8} {'r+c MB':>8} {'mem×':>6}  targets"
    )
    lines = [header]
    print(header, flush=True)
    records = []
    with tempfile.TemporaryDirectory() as folder:
        for label, expression, time_target in rows:
            try:
                path, nnz = write_row(expression, Path(folder))
            except SupportError as error:
                line = f"{label:22} skipped: {error}"
                print(line, flush=True)
                lines.append(line)
                continue
            timing = _child(["--child-time", str(path), str(options.repeat)])
            memory = {name: _child(["--child-memory", name, str(path)]) for name in ACTIONS}
            load_s, check_s = timing["median"]["load"], timing["median"]["read+check"]
            load_b, check_b = memory["load"]["bytes"], memory["read+check"]["bytes"]
            time_ratio = check_s / load_s
            memory_ratio = check_b / max(load_b, 1)
            met = f"time {'ok' if time_ratio <= time_target else 'MISSED'} (<{time_target:g}×), " + (
                f"memory {'ok' if memory_ratio <= MEMORY_TARGET else 'MISSED'} (<{MEMORY_TARGET:g}×)"
            )
            line = (
                f"{label:22} {nnz:>10} {timing['verdict']:>7} {load_s:>7.3f} {check_s:>7.3f} {time_ratio:>6.2f} "
                f"{load_b / 1e6:>8.1f} {check_b / 1e6:>8.1f} {memory_ratio:>6.2f}  {met}"
            )
            print(line, flush=True)
            lines.append(line)
            records.append({
                "row": label, "pattern": expression, "nnz": nnz, "verdict": timing["verdict"],
                "tractability": timing["tractability"], "times": timing["times"],
                "time_ratio": time_ratio, "load_bytes": load_b, "check_bytes": check_b,
                "memory_ratio": memory_ratio, "memory_method": memory["load"]["method"],
            })
            path.unlink()
    if options.out is not None:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        text = [f"# python3 benchmarks/bench_floor.py --repeat {options.repeat}  (commit {commit}, "
                f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", *lines, ""]
        text += [json.dumps(record) for record in records]
        options.out.write_text("\n".join(text) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-time":
        print(json.dumps(child_time(sys.argv[2], int(sys.argv[3]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-memory":
        print(json.dumps(child_memory(sys.argv[2], sys.argv[3])))
    else:
        main()
