"""The landscape census: every small pattern, BENIGN / certified spurious / unknown / none found.

Every pattern class with m ≤ n up to ``rows × cols`` and at most ``units`` units
(:func:`closure_check.core.enumerate.enumerate_patterns`: all rows and columns used, one
pattern per class of row, column and unit relabelling, and transpose when m = n) goes
through :func:`closure_check.landscape.landscape` without a target.  Sizes with m > n
are left out: transposing swaps X and Y, and ``‖A − X Yᵀ‖ = ‖Aᵀ − Y Xᵀ‖``, so the
landscape of ``(J, I)`` for ``Aᵀ`` is that of ``(I, J)`` for A.

A certified entry is a theorem (re-checkable with its certificate); a NONE FOUND entry
is only the outcome of the stated search effort.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from closure_check.core.enumerate import enumerate_patterns
from closure_check.core.support import TwoFactorSupport
from closure_check.landscape.check import landscape
from closure_check.landscape.result import LandscapeVerdict

__all__ = ["CensusEntry", "LandscapeCensus", "landscape_census"]


@dataclass(frozen=True)
class CensusEntry:
    """One pattern class and its landscape answer."""

    m: int
    n: int
    I: tuple[str, ...]
    J: tuple[str, ...]
    verdict: LandscapeVerdict
    target: tuple[tuple[Fraction, ...], ...] | None
    value: float | None
    seconds: float


@dataclass(frozen=True)
class LandscapeCensus:
    """The entries, the effort and the total time."""

    entries: tuple[CensusEntry, ...]
    rows: int
    cols: int
    units: int
    targets: int
    starts: int
    seed: int
    seconds: float

    def counts(self) -> dict[tuple[int, int], Counter]:
        out: dict[tuple[int, int], Counter] = {}
        for entry in self.entries:
            out.setdefault((entry.m, entry.n), Counter())[entry.verdict] += 1
        return out

    def markdown(self) -> str:
        order = (LandscapeVerdict.BENIGN, LandscapeVerdict.SPURIOUS, LandscapeVerdict.UNKNOWN, LandscapeVerdict.NONE_FOUND)
        lines = [
            (f"Patterns m×n with m ≤ n ≤ {self.cols}, m ≤ {self.rows}, at most {self.units} units, one per class; "
             f"without a target: at most {self.targets} targets with entries in {{−1, 0, 1}}, {self.starts} starts "
             f"each, seed {self.seed}. Total time {self.seconds:.0f} s."),
            "",
            "| size | classes | BENIGN (theorem) | SPURIOUS (certified) | UNKNOWN | NONE FOUND |",
            "|---|---|---|---|---|---|",
        ]
        total: Counter = Counter()
        for (m, n), counts in sorted(self.counts().items()):
            total.update(counts)
            lines.append(f"| {m}×{n} | {sum(counts.values())} | " + " | ".join(str(counts[v]) for v in order) + " |")
        lines.append(f"| all | {sum(total.values())} | " + " | ".join(f"**{total[v]}**" for v in order) + " |")
        spurious = [e for e in self.entries if e.verdict is LandscapeVerdict.SPURIOUS]
        if spurious:
            lines += ["", "Certified spurious minima (pattern I; J, the target found, the spurious value L ≈):", ""]
            for e in spurious:
                target = "; ".join(" ".join(str(v) for v in row) for row in e.target)
                lines.append(f"- {e.m}×{e.n}  I = {' '.join(e.I)}  J = {' '.join(e.J)}  A = [{target}]  L ≈ {e.value:.10g}")
        return "\n".join(lines) + "\n"


def _rows(matrix) -> tuple[str, ...]:
    return tuple("".join(str(int(v)) for v in row) for row in matrix.toarray())


def landscape_census(rows: int, cols: int, units: int, targets: int = 24, starts: int = 8, seed: int = 0,
                     progress=None) -> LandscapeCensus:
    """Run :func:`~closure_check.landscape.landscape` on every pattern class (module docstring).

    ``progress``, if given, is called with each entry as it is decided (the library never prints).
    """
    begin = time.perf_counter()
    entries = []
    for m in range(1, rows + 1):
        for n in range(m, cols + 1):
            for support in enumerate_patterns(m, n, units):
                entries.append(_one(support, m, n, targets, starts, seed))
                if progress is not None:
                    progress(entries[-1])
    return LandscapeCensus(tuple(entries), rows, cols, units, targets, starts, seed, time.perf_counter() - begin)


def _one(support: TwoFactorSupport, m: int, n: int, targets: int, starts: int, seed: int) -> CensusEntry:
    begin = time.perf_counter()
    result = landscape(support, starts=starts, seed=seed, targets=targets)
    value = result.minimum.approximate_loss if result.minimum is not None else None
    return CensusEntry(m, n, _rows(support.I), _rows(support.J), result.verdict, result.target, value,
                       time.perf_counter() - begin)
