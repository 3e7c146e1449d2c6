"""Repairs: the smallest changes of a support that make its set of products closed.

For a support whose set P is not closed, a *repair* is a set of support entries to add
(``mode="add"``: zero entries of ``I``, ``J`` or the chain factors become 1) or to remove
(``mode="remove"``: 1 entries become 0) such that the changed support's P is **CLOSED**,
proved by :func:`closure_check.decide.check` as every verdict is (its lemmas, or an
engine record when a budget lets the algebraic stage run; the result carries which).

**Search.**  Candidates are enumerated by increasing size k = 1, 2, …, ``max_changes``;
every candidate of a size is checked, so all repairs of the smallest size are listed.
Positions are ordered by the certificate of the original verdict: entries on the
obstruction's units, rows and columns first (``NotClosedCertificate.obstruction_cells``,
``obstruction_units``: the local-LU corner, the shared rows).  When a size has more than
``max_candidates`` candidates, only the subsets of the ``guided`` best-ranked positions
are tried at that size and beyond, and the result is labelled a **heuristic**.

**What is claimed.**  ``minimal`` is True only when the search was exhaustive up to the
size found and every smaller candidate got a definite NOT CLOSED: the repairs are then
*minimal among changes of size ≤ max_changes* (and, having been found, of any size).
An UNKNOWN candidate (smaller, or of the same size) is reported and never counted as a
repair; a smaller UNKNOWN candidate means minimality is **not established**.

>>> from closure_check.families import lu
>>> added = repair(lu(2), "add", max_changes=2)
>>> added.size, added.minimal, [c.describe() for c in added.repairs]
(1, True, ['add I[0,1]', 'add J[0,1]'])
>>> removed = repair(lu(2), "remove", max_changes=1)
>>> "remove I[1,1]" in [c.describe() for c in removed.repairs]
True
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb
from typing import Literal

import numpy as np
import scipy.sparse as sp

from closure_check.certificates.two_factor import NotClosedCertificate
from closure_check.core.case import Support, Verdict
from closure_check.core.support import ChainSupport, TwoFactorSupport
from closure_check.decide import check
from closure_check.result import CheckResult

__all__ = ["Change", "Candidate", "RepairResult", "repair"]

Mode = Literal["add", "remove"]

MAX_CANDIDATES = 20_000
"""Largest number of candidates of one size searched exhaustively."""
GUIDED = 16
"""Positions the heuristic keeps (the best ranked by the obstruction)."""


@dataclass(frozen=True, order=True)
class Change:
    """One entry: ``matrix`` (``"I"``, ``"J"``, or ``"W1"``, ``"W2"``, … for a chain), row, column."""

    matrix: str
    row: int
    col: int


@dataclass(frozen=True)
class Candidate:
    """A set of changes, the changed support and its verdict."""

    mode: str
    changes: tuple[Change, ...]
    support: Support
    result: CheckResult

    def describe(self) -> str:
        return ", ".join(f"{self.mode} {c.matrix}[{c.row},{c.col}]" for c in self.changes)


@dataclass(frozen=True)
class RepairResult:
    """What :func:`repair` found.

    Attributes
    ----------
    original
        The verdict on the unchanged support.
    repairs
        Every candidate of the smallest size found whose verdict is CLOSED.
    size
        That size, or None (no repair of size ≤ ``max_changes`` was found).
    unknown
        Candidates of size ≤ ``size`` (all sizes searched when none was found) whose
        verdict was UNKNOWN.
    minimal
        The search was exhaustive up to ``size`` and no smaller candidate is UNKNOWN.
    heuristic
        Some size was searched only among the :data:`GUIDED` best-ranked positions.
    checked
        Number of candidates checked.
    """

    mode: str
    max_changes: int
    original: CheckResult
    repairs: tuple[Candidate, ...]
    size: int | None
    unknown: tuple[Candidate, ...]
    minimal: bool
    heuristic: bool
    checked: int


def _matrices(support: Support) -> list[tuple[str, np.ndarray]]:
    if isinstance(support, TwoFactorSupport):
        return [("I", support.I.toarray()), ("J", support.J.toarray())]
    return [(f"W{k}", f.toarray()) for k, f in enumerate(support.factors, start=1)]


def _rebuild(support: Support, matrices: list[np.ndarray]) -> Support:
    if isinstance(support, TwoFactorSupport):
        return TwoFactorSupport(sp.csr_array(matrices[0]), sp.csr_array(matrices[1]))
    return ChainSupport(tuple(sp.csr_array(m) for m in matrices))


def _rank(positions: list[Change], certificate: object) -> list[Change]:
    """Positions touching the obstruction first: its units, then its rows (I) and columns (J)."""
    if not isinstance(certificate, NotClosedCertificate):
        return positions
    units = set(certificate.obstruction_units)
    rows = {i for i, _ in certificate.obstruction_cells}
    cols = {j for _, j in certificate.obstruction_cells}

    def score(change: Change) -> int:
        line = rows if change.matrix == "I" else cols
        return 2 * (change.col in units) + (change.row in line)

    return sorted(positions, key=lambda c: -score(c))


def repair(
    support: Support,
    mode: Mode = "add",
    max_changes: int = 2,
    budget: float = 0.0,
    max_candidates: int = MAX_CANDIDATES,
) -> RepairResult:
    """The smallest sets of entries to add (or remove) that make P closed.

    Parameters
    ----------
    support
        A two-factor support or a chain.
    mode
        ``"add"`` (zero entries become 1) or ``"remove"`` (1 entries become 0).
    max_changes
        Largest number K of changed entries tried.
    budget
        Seconds of algebraic stage per check (0: the proved rules only).
    max_candidates
        Largest number of candidates of one size searched exhaustively; beyond it the
        heuristic (subsets of the :data:`GUIDED` best-ranked positions).

    Returns
    -------
    RepairResult
        For a support that is already CLOSED: size 0 and no candidate.

    Raises
    ------
    ValueError
        For an unknown mode or a negative ``max_changes``.
    """
    if mode not in ("add", "remove"):
        raise ValueError(f"mode must be 'add' or 'remove', got {mode!r}")
    if max_changes < 0:
        raise ValueError(f"max_changes must be non-negative, got {max_changes}")
    original = check(support, budget=budget)
    if original.verdict is Verdict.CLOSED:
        return RepairResult(mode, max_changes, original, (), 0, (), True, False, 0)
    named = _matrices(support)
    target = 0 if mode == "add" else 1
    positions = [Change(name, int(i), int(j)) for name, m in named for i, j in np.argwhere(m == target)]
    positions = _rank(positions, original.certificate)
    index = {name: k for k, (name, _) in enumerate(named)}
    unknown: list[Candidate] = []
    heuristic, checked, smaller_unknown = False, 0, False
    for size in range(1, max_changes + 1):
        pool = positions
        if comb(len(positions), size) > max_candidates:
            heuristic, pool = True, positions[:GUIDED]
        found: list[Candidate] = []
        for changes in combinations(pool, size):
            matrices = [m.copy() for _, m in named]
            for change in changes:
                matrices[index[change.matrix]][change.row, change.col] = 1 - target
            changed = _rebuild(support, matrices)
            result = check(changed, budget=budget)
            checked += 1
            candidate = Candidate(mode, tuple(sorted(changes)), changed, result)
            if result.verdict is Verdict.CLOSED and not result.engine_record:
                found.append(candidate)
            elif result.verdict is not Verdict.NOT_CLOSED or result.engine_record:
                unknown.append(candidate)
        if found:
            found.sort(key=lambda c: c.changes)
            minimal = not heuristic and not smaller_unknown
            return RepairResult(mode, max_changes, original, tuple(found), size, tuple(unknown), minimal, heuristic, checked)
        smaller_unknown = bool(unknown)
    return RepairResult(mode, max_changes, original, (), None, tuple(unknown), False, heuristic, checked)
