"""Benchmark: start-up of the command line, against importing numpy and scipy.sparse.

Timed in the same run, interleaved round by round so that machine load hits every
command alike, each a fresh ``python3`` process:

* *floor* -- ``python3 -c "import numpy, scipy.sparse"``: the least any command that
  reads a sparse support must spend before it starts;
* ``closure-check --help``;
* ``closure-check check cases/lu2.sup`` (the 2×2 LU file of the README).

The median of ``--repeat`` rounds is reported with its ratio to the floor.  Targets
(issue 12): ``--help`` within 1.2× the floor, ``check`` on the LU file within 1.5×.
The heavy libraries each command loaded are listed too (``-X importtime``): neither
``--help`` nor the LU check should load networkx, z3, flint, matplotlib or an engine.

Run:  python benchmarks/bench_startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = "from cli.main import main; main()"
COMMANDS = {
    "floor: import numpy, scipy.sparse": [sys.executable, "-c", "import numpy, scipy.sparse"],
    "closure-check --help": [sys.executable, "-c", CLI, "--help"],
    "closure-check check cases/lu2.sup": [sys.executable, "-c", CLI, "check", "cases/lu2.sup"],
}
TARGETS = {"closure-check --help": 1.2, "closure-check check cases/lu2.sup": 1.5}
HEAVY = ("networkx", "z3", "flint", "matplotlib", "sympy", "scipy.sparse.csgraph",
         "closure_check.two_factor.engine", "closure_check.chains.engine", "closure_check.algebra.zariski")


def run_once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def heavy_modules(argv: list[str]) -> list[str]:
    """The heavy modules a command imports, read from ``python3 -X importtime``."""
    trace = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], cwd=ROOT, capture_output=True, text=True).stderr
    loaded = {line.rsplit("|", 1)[-1].strip() for line in trace.splitlines() if line.startswith("import time:")}
    return [name for name in HEAVY if name in loaded]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="rounds (median reported)")
    options = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():
        run_once(argv)  # warm the file cache
    for _ in range(options.repeat):
        for name, argv in COMMANDS.items():
            times[name].append(run_once(argv))
    floor = statistics.median(times[next(iter(COMMANDS))])
    print(f"{'command':38} {'median s':>9} {'ratio':>6} {'target':>7}  heavy modules loaded")
    met = True
    for name, argv in COMMANDS.items():
        median = statistics.median(times[name])
        ratio = median / floor
        target = TARGETS.get(name)
        met &= target is None or ratio <= target
        shown = f"{target:.1f}×" if target else "—"
        print(f"{name:38} {median:9.3f} {ratio:5.2f}× {shown:>7}  {', '.join(heavy_modules(argv)) or '—'}")
    print("targets met" if met else "TARGETS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
