"""Benchmark: the landscape certificate of E1 (issue 21) against the search it rests on.

In one process, repeated ``--repeat`` times (median reported), CPU time
(``time.process_time``) and wall time:

* ``search`` -- 40 seeded L-BFGS starts on E1's target (the reference: floats only);
* ``certify`` -- :func:`certify_minimum` on the spurious run (slice, Newton, Krawczyk and
  interval LDLᵀ in arb, exact lower point);
* ``landscape`` -- the whole ``landscape(E1, A)`` (search + certification);
* ``verify`` -- the independent verifier on the certificate's JSON (exact rational intervals);
* ``no-target`` -- ``landscape(E1)`` without a target (seeded search over small targets).

Ratios are to ``search`` in the same run.  Issue 21's target: E1 certified in ≤ 10 s with
a target.

Run:  python benchmarks/bench_landscape.py [--repeat 3]   (from the repository root)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np

from closure_check.core.support import TwoFactorSupport
from closure_check.landscape import landscape
from closure_check.landscape.certify import certify_minimum
from closure_check.landscape.loss import Parameters
from closure_check.landscape.search import random_starts
from closure_check.verifier import verify_certificate

E1 = TwoFactorSupport.from_dense([[1, 1], [1, 0], [0, 1]], [[1, 1], [1, 0], [0, 1]])
TARGET = [[1, 1, 1], [1, 0, 0], [1, 0, 0]]


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    params = Parameters.of(E1)
    A = np.array(TARGET, dtype=float)
    exact = [[Fraction(v) for v in row] for row in TARGET]
    samples: dict[str, list[tuple[float, float]]] = {}
    for _ in range(repeat):
        runs, wall, cpu = timed(lambda: random_starts(params, A, 40, 0))
        samples.setdefault("search", []).append((wall, cpu))
        best = min(runs, key=lambda run: run.loss)
        spurious = next(run for run in runs if abs(run.loss - 1.3246610) < 1e-5)
        _, wall, cpu = timed(lambda s=spurious, b=best: certify_minimum(params, exact, s.theta, b.theta))
        samples.setdefault("certify", []).append((wall, cpu))
        result, wall, cpu = timed(lambda: landscape(E1, TARGET))
        samples.setdefault("landscape", []).append((wall, cpu))
        cert = json.loads(json.dumps(result.certificate_json("e1")))
        report, wall, cpu = timed(lambda c=cert: verify_certificate(c))
        assert report.ok, report.problems
        samples.setdefault("verify", []).append((wall, cpu))
        found, wall, cpu = timed(lambda: landscape(E1))
        samples.setdefault("no-target", []).append((wall, cpu))
    reference = statistics.median(cpu for _, cpu in samples["search"])
    print(f"E1 landscape, median of {repeat}; ratios of CPU time to `search` (40 L-BFGS starts) in this run")
    print(f"{'step':<11} {'wall s':>8} {'cpu s':>8} {'cpu ratio':>10}")
    for name, values in samples.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        print(f"{name:<11} {wall:>8.3f} {cpu:>8.3f} {cpu / reference:>10.2f}")
    print(f"no-target: spurious minimum found at target {found.targets_tried}, L ≈ {found.minimum.approximate_loss:.10g}")


if __name__ == "__main__":
    main()
