"""Generate ``docs/census.md``: every small pattern decided by ``check``, next to the baseline.

Runs :func:`closure_check.census.run_census` on the shapes 1×2, 1×3, 2×2, 2×3 and 3×3
with at most 3 units and an effort of 10 nominal seconds per pattern (the default of `check`), joins the stored runs of
the authors' z3 sentence (``benchmarks/results/baseline_MxN.jsonl``, 20 s limit, made by
``benchmarks/run_baseline.py``) where they exist, and writes the tables.  Exits 1 if a
definite verdict disagrees with the baseline.

Run:  python benchmarks/run_census.py [--jobs 2] [--budget 10] [--shapes 1x2,1x3,2x2,2x3,3x3] [-o docs/census.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from closure_check.census import census_markdown, run_census

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
FRONTIER = "# The frontier past 3×3"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="1x2,1x3,2x2,2x3,3x3", help="comma-separated MxN")
    parser.add_argument("--units", type=int, default=3)
    parser.add_argument("--budget", type=float, default=10.0, help="effort of each check (nominal seconds of counted work, docs/algebra.md §4)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "census.md")
    options = parser.parse_args()

    start = time.monotonic()
    sections, disagreements = [], 0
    for shape in options.shapes.split(","):
        rows, cols = (int(k) for k in shape.lower().split("x"))
        stored = RESULTS / f"baseline_{rows}x{cols}.jsonl"
        baseline = stored if stored.exists() else None
        result = run_census(rows, cols, options.units, budget=options.budget, jobs=options.jobs, baseline=baseline)
        text = census_markdown(result)
        if baseline is not None:
            text = text.replace(f"`{stored}`", f"`{stored.relative_to(ROOT)}`")
        sections.append(text)
        disagreements += len(result.disagreements())
        print(f"{rows}×{cols}: {len(result.entries)} patterns, {result.counts()}, {result.seconds:.1f} s", flush=True)
    total = time.monotonic() - start
    header = [
        "# Census of small patterns",
        "",
        f"Every M×N pattern with at most {options.units} units that uses all rows and columns, once per",
        "isomorphism class (row, column and unit permutations; transpose too when M = N), decided by",
        f"`closure_check.decide.check` with an effort of {options.budget:g} nominal s per pattern, the rules in",
        "the worker processes and the patterns with open parts in budgeted children.  A NOT CLOSED verdict is",
        "credited to the lemma of the part it refutes,",
        "a CLOSED verdict to every lemma its reasons name.",
        "",
        "The baseline columns are the authors' closedness sentence handed to z3 (`closure_check/algebra/baseline.py`),",
        "read from the stored 20 s runs in `benchmarks/results/`, joined by canonical form; they are",
        "regenerated with",
        "",
        "    python benchmarks/run_baseline.py --rows 2 --cols 3 --units 3 --seconds 20 --jobs 2 \\",
        "        -o benchmarks/results/baseline_2x3.jsonl",
        "",
        "(likewise `--rows 3 --cols 3`).  Shapes without a stored run show `check` alone.",
        "",
        f"Total wall-clock time {total:.1f} s with {options.jobs} worker process(es) on {platform.machine()} "
        + f"({os.cpu_count()} CPUs), Python {platform.python_version()}.  Regenerate with",
        "",
        f"    python benchmarks/run_census.py --jobs {options.jobs} --budget {options.budget:g}",
        "",
        "or one shape at a time with `closure-check census --rows M --cols N --units 3 "
        + "--baseline benchmarks/results/baseline_MxN.jsonl`.",
        "",
    ]
    options.output.parent.mkdir(parents=True, exist_ok=True)
    kept = ""  # the frontier section (benchmarks/run_frontier.py) stays as it is
    if options.output.exists():
        old = options.output.read_text(encoding="utf-8")
        if FRONTIER in old:
            kept = "\n" + old[old.index(FRONTIER):]
    options.output.write_text("\n".join(header) + "\n" + "\n".join(sections) + kept, encoding="utf-8")
    print(f"wrote {options.output} in {total:.1f} s; disagreements with the baseline: {disagreements}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
