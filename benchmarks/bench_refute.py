"""The refutation search on open 3×4 parts: effort and CPU per part, against the unfiltered search.

The peer, measured in the same run, is the same search with its structure-derived parts
switched off (no rank-bound, closure-equation or evident-product filter, no sign-scaling
pruning, no curve-first round): the candidate loop as it was before them.  Each part gets the
share of a default check (effort 5 for the curve search).  Reported per part: the verdict,
the nominal seconds spent and the CPU seconds (``resource.getrusage``, child processes
included), then the ratios new/peer over the parts both refute.

    python3 benchmarks/bench_refute.py
"""

from __future__ import annotations

import resource
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

# Open 3×4 patterns (rules only, ≤ 3 units): refuted by both searches, then only by the new one.
PATTERNS = [
    "I=101/011/011 J=111/011/010/010",
    "I=111/011/001 J=111/111/111/011",
    "I=011/111/100 J=001/001/111/110",
    "I=111/111/011 J=100/110/101/011",
    "I=111/111/111 J=001/110/111/111",
    "I=101/011/110 J=001/001/111/110",
    "I=101/011/111 J=001/001/111/110",
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


def run(text: str) -> tuple[bool, float, float]:
    effort, start = Effort(5.0), cpu()
    outcome = engine.refute_part(*open_part(text), effort)
    return outcome is not None, effort.spent, cpu() - start


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
    ]
    for owner, name, replacement in targets:
        if on:
            saved[(owner, name)] = owner.__dict__[name]
            setattr(owner, name, replacement)
        else:
            setattr(owner, name, saved[(owner, name)])


def main() -> None:
    rows = []
    for text in PATTERNS:
        peer_mode(True)
        old = run(text)
        peer_mode(False)
        new = run(text)
        rows.append((text, old, new))
        print(f"{text}: peer {'NOT CLOSED' if old[0] else 'unknown':10} effort {old[1]:6.3f} cpu {old[2]:6.2f} | "
              f"new {'NOT CLOSED' if new[0] else 'unknown':10} effort {new[1]:6.3f} cpu {new[2]:6.2f}", flush=True)
    both = [(old, new) for _, old, new in rows if old[0] and new[0]]
    if both:
        print(f"refuted by both: {len(both)}; effort new/peer {sum(n[1] for _, n in both) / sum(o[1] for o, _ in both):.3f}, "
              f"CPU new/peer {sum(n[2] for _, n in both) / sum(o[2] for o, _ in both):.3f}")
    print(f"refuted: peer {sum(o[0] for _, o, _ in rows)}, new {sum(n[0] for _, _, n in rows)} of {len(rows)}")


if __name__ == "__main__":
    main()
