"""Kaleidoscope ``B B*``: the Jordan sandwich lemma against the chain engine without it.

For N = 4, 8, 16 (``families.kaleidoscope``): ``check_chain`` at effort 0 (the lemma is a
rule), the independent verifier on the certificate it writes, and — the peer, in the same
run — ``check_chain`` with the lemma switched off at ``--effort`` (the chain engine on the
reduced chain; UNKNOWN before the lemma existed).  Prints one line per size with the ratios.

Run:  python benchmarks/bench_kaleidoscope.py [--effort 10] [--peer-max 8]
"""

from __future__ import annotations

import argparse
import json
import time

from closure_check.chains import engine, sandwich
from closure_check.chains.check import check_chain
from closure_check.families import kaleidoscope
from closure_check.output.certificate_json.chain import chain_certificate_json
from closure_check.verifier import verify_certificate


def _without_lemma(chain, effort: float):
    """``check_chain`` with the sandwich search returning nothing (the state before the lemma)."""
    original = sandwich.find_sandwich
    sandwich.find_sandwich = engine.find_sandwich = lambda *args, **kwargs: None
    try:
        return check_chain(chain, effort)
    finally:
        sandwich.find_sandwich = engine.find_sandwich = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--effort", type=float, default=10.0, help="effort of the peer (chain engine) per size")
    parser.add_argument("--peer-max", type=int, default=8, help="run the peer up to this size")
    options = parser.parse_args()
    print("| N | verdict | lemma | check s | verify s | certificate KiB | peer verdict | peer s | peer / check |")
    print("|---:|---|---|---:|---:|---:|---|---:|---:|")
    for L in (2, 3, 4):
        chain = kaleidoscope(L)
        start = time.perf_counter()
        result = check_chain(chain, 0)
        checked = time.perf_counter() - start
        document = json.loads(json.dumps(chain_certificate_json(chain, result, name=f"kaleidoscope-{2 ** L}")))
        start = time.perf_counter()
        report = verify_certificate(document)
        verified = time.perf_counter() - start
        assert report.ok, report.problems
        lemma = "Jordan sandwich lemma" if result.reasons and "Jordan sandwich" in result.reasons[-1] else "?"
        peer = "not run"
        peer_seconds = ratio = ""
        if 2 ** L <= options.peer_max:
            start = time.perf_counter()
            peer = _without_lemma(chain, options.effort).verdict.value
            elapsed = time.perf_counter() - start
            peer_seconds, ratio = f"{elapsed:.2f}", f"{elapsed / checked:.0f}x"
        size = len(json.dumps(document)) // 1024
        print(f"| {2 ** L} | {result.verdict.value} | {lemma} | {checked:.2f} | {verified:.2f} | {size} | {peer} | "
              f"{peer_seconds} | {ratio} |")


if __name__ == "__main__":
    main()
