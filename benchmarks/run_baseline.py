"""Benchmark: the authors' z3 sentence (the baseline) on every small pattern.

Runs :func:`closure_check.algebra.baseline.baseline_verdict` on every pattern of
``enumerate_patterns(rows, cols, units)`` in a pool of ``--jobs`` worker processes,
appends one JSON line per pattern as it finishes (``I`` and ``J`` as lists of 0/1
strings, the baseline's verdict, seconds and detail, and the combinatorial verdict of
``closure_check.decide.check``), then prints a summary: counts, total and median
time, and agreement with ``check`` wherever both are definite.  A disagreement means a
bug somewhere; it is printed loudly and the exit code is 1.

Run:  python benchmarks/run_baseline.py --rows 2 --cols 3 --units 3 --seconds 20 --jobs 2 \\
          -o benchmarks/results/baseline_2x3.jsonl
      python benchmarks/run_baseline.py --summarize benchmarks/results/baseline_2x3.jsonl
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from closure_check.algebra.baseline import baseline_verdict
from closure_check.core.enumerate import enumerate_patterns
from closure_check.core.support import TwoFactorSupport
from closure_check.decide import check

DEFINITE = ("closed", "not-closed")


def rows_of(matrix) -> list[str]:
    return ["".join(str(int(v)) for v in row) for row in np.asarray(matrix.toarray())]


def run_one(index: int, support: TwoFactorSupport, seconds: float) -> dict:
    result = baseline_verdict(support, seconds=seconds)
    return {
        "index": index,
        "shape": list(support.shape),
        "units": support.rank,
        "I": rows_of(support.I),
        "J": rows_of(support.J),
        "verdict": result.verdict,
        "seconds": round(result.seconds, 4),
        "detail": result.detail,
        "check": check(support).verdict.value,
    }


def summarize(records: list[dict], out=sys.stdout) -> int:
    """Print the summary of ``records``; return the number of disagreements with ``check``."""
    counts = {v: sum(r["verdict"] == v for r in records) for v in ("closed", "not-closed", "unknown")}
    times = [r["seconds"] for r in records]
    print(f"patterns: {len(records)}", file=out)
    print(
        f"baseline: closed {counts['closed']}, not-closed {counts['not-closed']}, unknown {counts['unknown']}",
        file=out,
    )
    if times:
        print(f"time: total {sum(times):.1f} s, median {statistics.median(times):.3f} s, max {max(times):.1f} s", file=out)
    check_counts = {v: sum(r["check"] == v for r in records) for v in ("closed", "not-closed", "unknown")}
    print(
        f"check:    closed {check_counts['closed']}, not-closed {check_counts['not-closed']}, "
        f"unknown {check_counts['unknown']}",
        file=out,
    )
    both = [r for r in records if r["verdict"] in DEFINITE and r["check"] in DEFINITE]
    disagree = [r for r in both if r["verdict"] != r["check"]]
    print(f"both definite: {len(both)}, agree: {len(both) - len(disagree)}, disagree: {len(disagree)}", file=out)
    only_baseline = sum(r["verdict"] in DEFINITE and r["check"] not in DEFINITE for r in records)
    only_check = sum(r["check"] in DEFINITE and r["verdict"] not in DEFINITE for r in records)
    print(f"decided by baseline only: {only_baseline}; by check only: {only_check}", file=out)
    for r in disagree:
        print(
            f"!!! DISAGREEMENT: I={r['I']} J={r['J']}: baseline {r['verdict']} ({r['detail']}), check {r['check']}",
            file=out,
        )
    return len(disagree)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2)
    parser.add_argument("--cols", type=int, default=3)
    parser.add_argument("--units", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0, help="z3 time limit per pattern")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("-o", "--output", type=Path, help="JSONL file, one line appended per pattern")
    parser.add_argument("--summarize", type=Path, help="only print the summary of an existing JSONL file")
    options = parser.parse_args()

    if options.summarize:
        records = [json.loads(line) for line in options.summarize.read_text().splitlines() if line.strip()]
        return 1 if summarize(records) else 0

    patterns = list(enumerate_patterns(options.rows, options.cols, options.units))
    print(
        f"{len(patterns)} patterns {options.rows}×{options.cols}, ≤{options.units} units; "
        f"z3 limit {options.seconds} s, {options.jobs} jobs",
        flush=True,
    )
    output = None
    if options.output:
        options.output.parent.mkdir(parents=True, exist_ok=True)
        output = options.output.open("w")
    records = []
    start = time.perf_counter()
    try:
        with ProcessPoolExecutor(options.jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(run_one, index, s, options.seconds) for index, s in enumerate(patterns)]
            for future in as_completed(futures):
                record = future.result()
                records.append(record)
                if output:
                    output.write(json.dumps(record) + "\n")
                    output.flush()
                if record["verdict"] in DEFINITE and record["check"] in DEFINITE and record["verdict"] != record["check"]:
                    print(f"!!! DISAGREEMENT on I={record['I']} J={record['J']}", flush=True)
    finally:
        if output:
            output.close()
    print(f"wall-clock: {time.perf_counter() - start:.1f} s", flush=True)
    return 1 if summarize(records) else 0


if __name__ == "__main__":
    sys.exit(main())
