"""Benchmark: the four frontier censuses of issue 16 in one command, the authors' sentence beside them.

The sets: 2×4 with at most 3 units (460 classes), 3×3 with exactly 4 units (4159), 3×4 with at
most 3 units (1824), 4×4 with at most 3 units (2631).  Each is decided by
:func:`closure_check.census.run_census` (the rules in the worker processes, the patterns with
open parts at the full effort in budgeted children), at the default effort unless ``--budget``
says otherwise.  With ``--baseline-sample K`` the authors' z3 sentence
(:func:`closure_check.algebra.baseline.baseline_verdict`, ``--baseline-seconds`` each) is also
posed on K classes of each set drawn with ``--baseline-seed``, and set beside ``check`` on the
same classes: verdict counts, agreement, total and median seconds, and the ratio of the median
times (the sentence's over ``check``'s, both measured in this run).

Writes the markdown tables (``-o``, default ``benchmarks/results/frontier.md``: one summary
table, the baseline table, then every set's census section with its lemmas and its unknown
patterns and what was tried on them) and the raw results, one JSON line per pattern, under
``--results`` (``frontier_<set>.jsonl``: a first line with the run's parameters and times, then
the patterns; ``frontier_baseline_<set>.jsonl``; a sampled run adds ``_sample<N>_seed<S>`` to the
names, another effort ``_budget<E>``).  ``--stored`` reads the censuses back from there instead of
running them: the tables again, or the sentence run on its own.  Exits 1 if a definite verdict of ``check`` disagrees
with a definite answer of the sentence.

Run:  python benchmarks/run_frontier.py --jobs 2 [--baseline-sample 25 --baseline-seconds 20]
      python benchmarks/run_frontier.py --jobs 2 --sets 2x4 --sample 50 --seed 1 --budget 0   # quick
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from closure_check.algebra.baseline import baseline_verdict
from closure_check.census import (
    DEFINITE,
    BaselineEntry,
    CensusEntry,
    CensusResult,
    census_markdown,
    run_census,
    sample_classes,
)
from closure_check.core.budget import DEFAULT_EFFORT
from closure_check.core.support import TwoFactorSupport

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"

#: name, rows, cols, units, exactly that many units
SETS = {
    "2x4": ("2×4, ≤ 3 units", 2, 4, 3, False),
    "3x3e4": ("3×3, exactly 4 units", 3, 3, 4, True),
    "3x4": ("3×4, ≤ 3 units", 3, 4, 3, False),
    "4x4": ("4×4, ≤ 3 units", 4, 4, 3, False),
}


def _support(I: tuple[str, ...], J: tuple[str, ...]) -> TwoFactorSupport:
    return TwoFactorSupport.from_dense([[int(c) for c in row] for row in I], [[int(c) for c in row] for row in J])


def run_baseline(result: CensusResult, sample: int, seed: int, seconds: float, jobs: int) -> CensusResult:
    """``result`` with the sentence's answers on ``sample`` of its entries (drawn with ``seed``) joined."""
    chosen = sample_classes(list(range(len(result.entries))), sample, seed)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        # z3 runs in its own child, killed past the limit (baseline_verdict)
        futures = {k: pool.submit(baseline_verdict, _support(result.entries[k].I, result.entries[k].J), seconds)
                   for k in chosen}
        answers = {k: future.result() for k, future in futures.items()}
    entries = list(result.entries)
    for k, answer in answers.items():
        entries[k] = dataclasses.replace(entries[k], baseline=BaselineEntry(answer.verdict, round(answer.seconds, 4), answer.detail))
    return dataclasses.replace(result, entries=tuple(entries))


def join_stored_baseline(result: CensusResult, path: Path) -> CensusResult:
    """``result`` with the sentence's answers read back from an earlier run (``frontier_baseline_<set>.jsonl``).

    The sentence does not depend on this project's code, so a stored run of it stays valid when the
    censuses are run again; entries are matched by their representative (the enumeration is deterministic).
    """
    stored = {(tuple(r["I"]), tuple(r["J"])): r for r in
              (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())}
    entries = tuple(
        dataclasses.replace(e, baseline=BaselineEntry(stored[(e.I, e.J)]["verdict"], stored[(e.I, e.J)]["seconds"],
                                                      stored[(e.I, e.J)]["detail"]))
        if (e.I, e.J) in stored else e
        for e in result.entries)
    return dataclasses.replace(result, entries=entries)


def _entry_record(entry) -> dict:
    record = {key: getattr(entry, key) for key in ("I", "J", "status", "verdict", "tractability", "reasons", "seconds",
                                                 "rules_seconds", "engine", "engine_record", "undecided", "error")}
    record["deciding"] = entry.deciding
    return record


def read_stored(path: Path, key: str) -> CensusResult:
    """A census read back from its raw results (``frontier_<set>.jsonl``; certificates are not stored)."""
    header, *records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    _, rows, cols, units, exact = SETS[key]
    entries = tuple(CensusEntry(
        I=tuple(r["I"]), J=tuple(r["J"]), status=r["status"], verdict=r["verdict"], tractability=r["tractability"],
        reasons=tuple(r["reasons"]), seconds=r["seconds"], error=r["error"], engine_record=r["engine_record"],
        undecided=tuple(r["undecided"]), engine=r["engine"], rules_seconds=r["rules_seconds"]) for r in records)
    return CensusResult(rows, cols, units, header["budget"], entries, header["wall_seconds"], exact=exact,
                        classes=header["classes"], sample=header["sample"], seed=header["seed"],
                        enumeration_seconds=header["enumeration_seconds"])


def _write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms" if values else "—"


def summary_table(results: dict[str, CensusResult], total_seconds: float) -> list[str]:
    """One row per set and a row for all of them: the frontier table of ``docs/census.md``."""
    lines = [
        ("| set | classes | decided | closed | of which engine record | not closed | unknown | failed "
         "| to the engine after the rules | `check` time, total | of which engine | median | wall clock | of which enumeration |"),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    every = []
    for key, result in results.items():
        counts = result.counts()
        seconds = [e.seconds for e in result.entries]
        every += seconds
        engine = [e for e in result.entries if e.engine]
        decided = f"{len(result.entries)}" + (f" of {result.classes} (sample)" if result.sample is not None else "")
        lines.append(
            f"| {SETS[key][0]} | {result.classes} | {decided} | {counts['closed']} | {counts['closed (engine record)']} "
            f"| {counts['not-closed']} | {counts['unknown']} | {counts['failed']} | {len(engine)} "
            f"| {sum(seconds):.1f} s | {sum(e.seconds for e in engine):.1f} s | {_ms(seconds)} "
            f"| {result.seconds:.1f} s | {result.enumeration_seconds:.1f} s |")
    totals = {name: sum(r.counts()[name] for r in results.values())
              for name in ("closed", "closed (engine record)", "not-closed", "unknown", "failed")}
    lines.append(
        f"| all | {sum(r.classes or 0 for r in results.values())} | {sum(len(r.entries) for r in results.values())} "
        f"| {totals['closed']} | {totals['closed (engine record)']} | {totals['not-closed']} | {totals['unknown']} "
        f"| {totals['failed']} | {sum(e.engine for r in results.values() for e in r.entries)} | {sum(every):.1f} s "
        f"| {sum(e.seconds for r in results.values() for e in r.entries if e.engine):.1f} s | {_ms(every)} "
        f"| {total_seconds:.1f} s | {sum(r.enumeration_seconds for r in results.values()):.1f} s |")
    return lines


def baseline_table(results: dict[str, CensusResult]) -> list[str]:
    """``check`` and the sentence on the same sampled classes, set by set."""
    lines = [
        ("| set | sample | `check`: closed / not closed / unknown | sentence: closed / not closed / unknown "
         "| both definite | agree | disagree | decided only by `check` | only by the sentence "
         "| `check` total / median | sentence total / median | ratio of medians (sentence / `check`) |"),
        "|---|---:|---|---|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for key, result in results.items():
        joined = result.joined
        if not joined:
            continue
        ours = [e.verdict if e.status == "ok" else "unknown" for e in joined]
        theirs = [e.baseline.verdict for e in joined]
        both = [(a, b) for a, b in zip(ours, theirs) if a in DEFINITE and b in DEFINITE]
        agree = sum(a == b for a, b in both)
        mine = [e.seconds for e in joined]
        sentence = [e.baseline.seconds for e in joined]
        ratio = statistics.median(sentence) / max(statistics.median(mine), 1e-9)

        def tally(verdicts: list[str]) -> str:
            return " / ".join(str(sum(v == kind for v in verdicts)) for kind in ("closed", "not-closed")) + \
                f" / {sum(v not in DEFINITE for v in verdicts)}"

        lines.append(
            f"| {SETS[key][0]} | {len(joined)} | {tally(ours)} | {tally(theirs)} | {len(both)} | {agree} "
            f"| {len(both) - agree} | {sum(a in DEFINITE and b not in DEFINITE for a, b in zip(ours, theirs))} "
            f"| {sum(b in DEFINITE and a not in DEFINITE for a, b in zip(ours, theirs))} "
            f"| {sum(mine):.1f} s / {statistics.median(mine) * 1000:.1f} ms "
            f"| {sum(sentence):.1f} s / {statistics.median(sentence):.2f} s | {ratio:.0f}× |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    parser.add_argument("--budget", type=float, default=DEFAULT_EFFORT,
                        help="effort of each check, nominal s (docs/algebra.md §4); 0: the rules only")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=None, help="decide only this many classes of each set")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample")
    parser.add_argument("--baseline-sample", type=int, default=0, help="pose the authors' sentence on this many classes of each set")
    parser.add_argument("--baseline-seconds", type=float, default=20.0, help="z3 time limit of the sentence per pattern")
    parser.add_argument("--baseline-seed", type=int, default=25, help="seed of --baseline-sample")
    parser.add_argument("--case-seconds", type=float, default=300.0, help="wall-clock limit of the child deciding one pattern")
    parser.add_argument("--results", type=Path, default=RESULTS, help="directory of the raw results")
    parser.add_argument("-o", "--output", type=Path, default=None, help="markdown tables (default: RESULTS/frontier[suffix].md)")
    parser.add_argument("--baseline-stored", action="store_true",
                        help="join the sentence's answers stored by an earlier --baseline-sample run instead of posing it again")
    parser.add_argument("--stored", action="store_true",
                        help="read the censuses back from RESULTS instead of running them (tables again, or the sentence alone)")
    options = parser.parse_args(argv)
    keys = [k.strip() for k in options.sets.split(",") if k.strip()]
    unknown = [k for k in keys if k not in SETS]
    if unknown:
        print(f"run_frontier.py: unknown set(s) {', '.join(unknown)}; expected some of {', '.join(SETS)}", file=sys.stderr)
        return 2
    suffix = f"_sample{options.sample}_seed{options.seed}" if options.sample else ""
    suffix += f"_budget{options.budget:g}" if options.budget != DEFAULT_EFFORT else ""

    start = time.monotonic()
    results: dict[str, CensusResult] = {}
    for key in keys:
        _, rows, cols, units, exact = SETS[key]
        if options.stored:
            results[key] = read_stored(options.results / f"frontier_{key}{suffix}.jsonl", key)
            continue
        result = run_census(rows, cols, units, budget=options.budget, jobs=options.jobs, exact=exact,
                            case_seconds=options.case_seconds, sample=options.sample, seed=options.seed)
        _write_jsonl(options.results / f"frontier_{key}{suffix}.jsonl",
                     [{"set": key, "classes": result.classes, "sample": result.sample, "seed": result.seed,
                       "budget": result.budget, "jobs": options.jobs, "wall_seconds": round(result.seconds, 3),
                       "enumeration_seconds": round(result.enumeration_seconds, 3)}]
                     + [_entry_record(e) for e in result.entries])
        results[key] = result
        print(f"{SETS[key][0]}: {len(result.entries)} of {result.classes} classes, {result.counts()}, "
              f"{result.seconds:.1f} s (enumeration {result.enumeration_seconds:.1f} s), "
              f"median {_ms([e.seconds for e in result.entries])}", flush=True)
    census_seconds = sum(r.seconds for r in results.values()) if options.stored else time.monotonic() - start

    if options.baseline_stored:
        for key in keys:
            stored = options.results / f"frontier_baseline_{key}{suffix}.jsonl"
            shown = stored.relative_to(ROOT) if stored.resolve().is_relative_to(ROOT) else stored
            results[key] = dataclasses.replace(join_stored_baseline(results[key], stored), baseline_files=(str(shown),))
    elif options.baseline_sample:
        for key in keys:
            results[key] = run_baseline(results[key], options.baseline_sample, options.baseline_seed,
                                        options.baseline_seconds, options.jobs)
            joined = results[key].joined
            stored = options.results / f"frontier_baseline_{key}{suffix}.jsonl"
            _write_jsonl(stored, [{"I": list(e.I), "J": list(e.J), "shape": [len(e.I), len(e.J)], "verdict": e.baseline.verdict,
                                   "seconds": e.baseline.seconds, "detail": e.baseline.detail, "check": e.verdict,
                                   "check_seconds": e.seconds} for e in joined])
            shown = stored.relative_to(ROOT) if stored.resolve().is_relative_to(ROOT) else stored
            results[key] = dataclasses.replace(results[key], baseline_files=(str(shown),))
            print(f"{SETS[key][0]}: sentence on {len(joined)} classes, "
                  f"{sum(e.baseline.seconds for e in joined):.1f} s", flush=True)
    disagreements = sum(len(r.disagreements()) for r in results.values())

    command = "python benchmarks/run_frontier.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = [
        "# The frontier censuses (benchmark)",
        "",
        (f"`{command.strip()}`: effort {options.budget:g} nominal s per pattern, {options.jobs} worker process(es) "
         f"on {platform.machine()} ({os.cpu_count()} CPUs, shared), Python {platform.python_version()}, "
         f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.  The rules decide each pattern in the worker; "
         "only the patterns they leave open go on to the engine, at the full effort, in a budgeted child."),
        "",
        *summary_table(results, census_seconds),
        "",
    ]
    if options.baseline_stored:
        lines += [
            ("The authors' sentence (`closure_check/algebra/baseline.py`, z3, per pattern) as stored by an earlier "
             "`--baseline-sample` run (`frontier_baseline_<set>.jsonl`, its limit and sample there), joined with "
             f"`check` of this run on the same classes; disagreements: {disagreements}."),
            "",
            *baseline_table(results),
            "",
        ]
    elif options.baseline_sample:
        lines += [
            (f"The authors' sentence (`closure_check/algebra/baseline.py`, z3, {options.baseline_seconds:g} s per pattern) "
             f"on {options.baseline_sample} classes of each set drawn with seed {options.baseline_seed} "
             f"(`random.Random({options.baseline_seed}).sample` of the classes decided above), beside `check` "
             f"on the same classes, both timed in this run; disagreements: {disagreements}."),
            "",
            *baseline_table(results),
            "",
        ]
    for result in results.values():
        lines.append(census_markdown(result, heading="###"))
    output = options.output or options.results / f"frontier{suffix}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {output}; census wall clock {census_seconds:.1f} s; disagreements with the sentence: {disagreements}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
