"""Benchmark: ``check`` (rules + algebraic stage) against the authors' z3 sentence.

For every pattern of ``enumerate_patterns(rows, cols, units)``, times
``closure_check.decide.check(support, budget)`` and tabulates how each verdict was
reached (rule, curve + Nullstellensatz, Zariski criterion, unknown), next to the
baseline -- the authors' closedness sentence posed to z3 with a 20 s limit
(``closure_check.algebra.baseline``).  With ``--live-baseline`` the baseline runs in the same
process on the same patterns; otherwise its stored run in ``benchmarks/results/`` is
read (produced by ``benchmarks/run_baseline.py`` on this machine).  Disagreements
between definite verdicts are printed and make the script exit 1.

Run:  python benchmarks/bench_engine.py --rows 3 --cols 3 --units 3 [--budget 5] [--live-baseline]
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from closure_check.algebra.baseline import baseline_verdict
from closure_check.core.canonical import canonical_form
from closure_check.core.enumerate import enumerate_patterns
from closure_check.core.support import TwoFactorSupport
from closure_check.decide import check

RESULTS = Path(__file__).parent / "results"


def how_decided(result) -> str:
    if result.verdict.value == "unknown":
        return "unknown"
    if result.records:
        return "Zariski criterion (z3)"
    if result.certificate is not None and result.certificate.identity is not None:
        return "curve + Nullstellensatz"
    return "rules"


def stored_baseline(rows: int, cols: int) -> dict:
    path = RESULTS / f"baseline_{rows}x{cols}.jsonl"
    table = {}
    for line in path.read_text().splitlines():
        record = json.loads(line)
        I = np.array([[int(c) for c in row] for row in record["I"]])
        J = np.array([[int(c) for c in row] for row in record["J"]])
        table[canonical_form(TwoFactorSupport(I, J))] = (record["verdict"], record["seconds"])
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3)
    parser.add_argument("--cols", type=int, default=3)
    parser.add_argument("--units", type=int, default=3)
    parser.add_argument("--budget", type=float, default=5.0, help="effort of each check (nominal seconds of counted work, docs/algebra.md §4)")
    parser.add_argument("--baseline-seconds", type=float, default=20.0)
    parser.add_argument("--live-baseline", action="store_true", help="run the baseline now instead of reading its stored run")
    options = parser.parse_args()

    stored = None if options.live_baseline else stored_baseline(options.rows, options.cols)
    ours_times, base_times = [], []
    ours_how, base_counts = collections.Counter(), collections.Counter()
    disagreements = []
    for support in enumerate_patterns(options.rows, options.cols, options.units):
        start = time.perf_counter()
        result = check(support, budget=options.budget)
        ours_times.append(time.perf_counter() - start)
        ours_how[how_decided(result)] += 1
        if stored is None:
            reference = baseline_verdict(support, options.baseline_seconds)
            base_verdict, base_seconds = reference.verdict, reference.seconds
        else:
            base_verdict, base_seconds = stored[canonical_form(support)]
        base_times.append(base_seconds)
        base_counts[base_verdict] += 1
        if "unknown" not in (base_verdict, result.verdict.value) and base_verdict != result.verdict.value:
            disagreements.append((support.I.toarray().tolist(), support.J.toarray().tolist(), result.verdict.value, base_verdict))

    count = len(ours_times)
    print(f"{count} patterns, {options.rows}×{options.cols}, ≤ {options.units} units")
    print(f"{'':34} {'check (budget ' + format(options.budget, 'g') + ' s)':>22} {'authors z3 sentence':>22}")
    decided_ours = count - ours_how["unknown"]
    print(f"{'decided':34} {decided_ours:>22} {count - base_counts['unknown']:>22}")
    for how in ("rules", "curve + Nullstellensatz", "Zariski criterion (z3)"):
        print(f"{'  by ' + how:34} {ours_how[how]:>22} {'':>22}")
    print(f"{'unknown':34} {ours_how['unknown']:>22} {base_counts['unknown']:>22}")
    print(f"{'total seconds':34} {sum(ours_times):>22.1f} {sum(base_times):>22.1f}")
    print(f"{'median seconds':34} {statistics.median(ours_times):>22.4f} {statistics.median(base_times):>22.4f}")
    print(f"ratio of total times (check / baseline): {sum(ours_times) / sum(base_times):.3f}")
    source = "run now" if stored is None else "stored run (benchmarks/results/)"
    print(f"baseline: {source}, {options.baseline_seconds:g} s limit")
    for item in disagreements:
        print("DISAGREEMENT", item)
    sys.exit(1 if disagreements else 0)


if __name__ == "__main__":
    main()
