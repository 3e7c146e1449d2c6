"""The refutation search on open parts: effort and CPU per part, against two peers.

Both peers are measured in the same run.  The first is the same search with its
structure-derived parts switched off (no rank-bound, closure-equation or evident-product
filter, no sign-scaling pruning, no curve-first or structured round): the candidate loop as it
was before them.  The second ("before") is the search without its structured round only (the
search as it was before that round).  Each part gets the share of a default check (effort 5
for the search).  Reported per part: the verdict, the nominal seconds spent and the CPU seconds
(``resource.getrusage``, child processes included; before and new: the least of
:data:`REPEATS` interleaved runs), then the ratios new/peer over the parts both refute, and the
median ratios new/before (CPU and effort) over the parts both refute.

    python3 benchmarks/bench_refute.py
"""

from __future__ import annotations

import resource
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from closure_check.core.budget import Effort  # noqa: E402
from closure_check.core.graph import RankOneStructure  # noqa: E402
from closure_check.core.support import TwoFactorSupport  # noqa: E402
from closure_check.two_factor import engine, limits  # noqa: E402
from closure_check.two_factor.reduce import reduce_component  # noqa: E402
from closure_check.two_factor.rules import decide_part  # noqa: E402

# Open 3×4 patterns (rules only, ≤ 3 units): refuted by both searches, then only by the new one;
# then two open 4×4 patterns only the structured round refutes at this effort.
PATTERNS = [
    "I=101/011/011 J=111/011/010/010",
    "I=111/011/001 J=111/111/111/011",
    "I=011/111/100 J=001/001/111/110",
    "I=111/111/011 J=100/110/101/011",
    "I=111/111/111 J=001/110/111/111",
    "I=101/011/110 J=001/001/111/110",
    "I=101/011/111 J=001/001/111/110",
    "I=101/011/111/111 J=111/111/111/110",
    "I=101/011/111/111 J=101/011/111/111",
]


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def open_part(text: str):
    I, J = (part[2:].split("/") for part in text.split())
    support = TwoFactorSupport.from_dense([[int(c) for c in r] for r in I], [[int(c) for c in r] for r in J])
    structure = RankOneStructure.build(support)
    counts = np.bincount(structure.class_component, minlength=structure.n_components)
    for component in np.flatnonzero(counts > 1):
        reduction = reduce_component(structure, int(component))
        for part in reduction.parts:
            if decide_part(structure, reduction, part) is None:
                return structure, reduction, part
    raise ValueError(f"{text}: no open part")


REPEATS = 3
"""The before and new searches run this many times each, interleaved; the least CPU is kept (the
effort is the same every time: it does not depend on the machine)."""


def run(text: str) -> tuple[bool, float, float]:
    effort, start = Effort(5.0), cpu()
    outcome = engine.refute_part(*open_part(text), effort)
    return outcome is not None, effort.spent, cpu() - start


def least(results: list[tuple[bool, float, float]]) -> tuple[bool, float, float]:
    return min(results, key=lambda result: result[2])


def peer_mode(on: bool) -> None:
    """Switch the structure-derived parts of the search off (on=True) or back on."""
    saved = peer_mode.__dict__.setdefault("saved", {})
    targets = [
        (limits.PartProblem, "rank_violation", lambda self, limit, bounds: False),
        (limits.PartProblem, "equation_violation", staticmethod(lambda limit, equations: False)),
        (limits.PartProblem, "evident_product", lambda self, limit: False),
        (limits.PartProblem, "closure_equations", lambda self, effort, max_length=0: []),
        (engine, "_has_cycle", lambda limit: True),
        (engine, "_curve_first", lambda *args: None),
        (engine, "_structured", lambda *args: None),
    ]
    for owner, name, replacement in targets:
        if on:
            saved[(owner, name)] = owner.__dict__[name]
            setattr(owner, name, replacement)
        else:
            setattr(owner, name, saved[(owner, name)])


def before_mode(on: bool) -> None:
    """Switch the structured round off (on=True) or back on."""
    saved = before_mode.__dict__.setdefault("saved", {})
    if on:
        saved["round"] = engine._structured
        engine._structured = lambda *args: None
    else:
        engine._structured = saved["round"]


def verdict(result: tuple[bool, float, float]) -> str:
    return f"{'NOT CLOSED' if result[0] else 'unknown':10} effort {result[1]:6.3f} cpu {result[2]:6.2f}"


def main() -> None:
    rows, befores = [], []
    for text in PATTERNS:
        peer_mode(True)
        old = run(text)
        peer_mode(False)
        befores_, news = [], []
        for _ in range(REPEATS):
            before_mode(True)
            befores_.append(run(text))
            before_mode(False)
            news.append(run(text))
        before, new = least(befores_), least(news)
        rows.append((text, old, new))
        befores.append((before, new))
        print(f"{text}: peer {verdict(old)} | before {verdict(before)} | new {verdict(new)}", flush=True)
    both = [(old, new) for _, old, new in rows if old[0] and new[0]]
    if both:
        print(f"refuted by both: {len(both)}; effort new/peer {sum(n[1] for _, n in both) / sum(o[1] for o, _ in both):.3f}, "
              f"CPU new/peer {sum(n[2] for _, n in both) / sum(o[2] for o, _ in both):.3f}")
    ratios = sorted(n[2] / b[2] for b, n in befores if b[0] and n[0])
    efforts = sorted(n[1] / b[1] for b, n in befores if b[0] and n[0])
    if ratios:
        print(f"refuted by before and new: {len(ratios)}; median CPU new/before {statistics.median(ratios):.3f} "
              f"(range {ratios[0]:.3f}..{ratios[-1]:.3f}), median effort new/before {statistics.median(efforts):.3f} "
              f"(range {efforts[0]:.3f}..{efforts[-1]:.3f})")
    print(f"refuted: peer {sum(o[0] for _, o, _ in rows)}, before {sum(b[0] for b, _ in befores)}, "
          f"new {sum(n[0] for _, _, n in rows)} of {len(rows)}")


if __name__ == "__main__":
    main()
