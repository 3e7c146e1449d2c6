"""Hub-row proofs (``hub_rows``): the hub-row lemma's hypothesis re-derived from the units alone.

A CLOSED part decided by the hub-row lemma (``docs/theory.md`` §4) carries its units
``[rows, cols]``, ``transposed`` (the lemma applied to the transposed units), ``full`` (the
index of the unit on the whole box), ``hub`` (the row s) and ``lines`` (pairs ``[r, k]``).
The lemma itself (every matrix on the box is a product) is mathematics and is cited; this
module re-checks its hypothesis, in the (possibly transposed) units: with R, C the rows and
columns of all units, unit ``full`` is ``R × C``; s ∈ R; the lines list every row ``r ∈ R ∖ {s}``
exactly once, each with a unit k ≠ ``full`` whose rows are exactly ``{r, s}`` and whose
columns miss at most one column of C.

Standard library only.

>>> report = VerificationReport()
>>> proof = {"units": [[[0, 2], [0, 2, 3]], [[1, 2], [1, 2, 3]], [[0, 1, 2], [0, 1, 2, 3]]],
...          "transposed": False, "full": 2, "hub": 2, "lines": [[0, 0], [1, 1]]}
>>> check_hub_row_proof(proof, report) is not None, report.ok
(True, True)
>>> proof["units"][0][1] = [2, 3]   # unit 0 now misses two columns
>>> check_hub_row_proof(proof, report), report.ok
(None, False)
"""

from __future__ import annotations

from typing import Any

from .parse import Malformed, field, integer
from .report import VerificationReport

__all__ = ["check_hub_row_proof"]

MAX_UNITS = 64


def _units(proof: Any, where: str) -> list[tuple[frozenset[int], frozenset[int]]]:
    if not isinstance(proof, dict):
        raise Malformed(f"{where} should be an object")
    raw = field(proof, "units", list, where)
    if not raw or len(raw) > MAX_UNITS:
        raise Malformed(f"{where}.units: 1 to {MAX_UNITS} units expected")
    units = []
    for k, unit in enumerate(raw):
        at = f"{where}.units[{k}]"
        if not isinstance(unit, list) or len(unit) != 2 or not all(isinstance(side, list) and side for side in unit):
            raise Malformed(f"{at} should be [rows, cols], both non-empty lists")
        units.append((frozenset(integer(v, at, 0) for v in unit[0]), frozenset(integer(v, at, 0) for v in unit[1])))
    return units


def _problem(proof: dict, units: list[tuple[frozenset[int], frozenset[int]]], where: str) -> str | None:
    """Why the hypothesis fails, or None when it holds."""
    if field(proof, "transposed", bool, where):
        units = [(cols, rows) for rows, cols in units]
    rows = frozenset().union(*(r for r, _ in units))
    cols = frozenset().union(*(c for _, c in units))
    full = integer(field(proof, "full", int, where), f"{where}.full", 0, len(units))
    hub = integer(field(proof, "hub", int, where), f"{where}.hub", 0)
    if units[full] != (rows, cols):
        return f"unit {full} is not the whole {len(rows)}×{len(cols)} box"
    if hub not in rows:
        return f"the hub {hub} is not a row of the box"
    lines = field(proof, "lines", list, where)
    seen: set[int] = set()
    for index, line in enumerate(lines):
        at = f"{where}.lines[{index}]"
        if not isinstance(line, list) or len(line) != 2:
            raise Malformed(f"{at} should be [row, unit]")
        row, k = integer(line[0], at, 0), integer(line[1], at, 0, len(units))
        if row in seen or row == hub or row not in rows:
            return f"{at}: row {row} is the hub, repeated or not in the box"
        seen.add(row)
        if k == full or units[k][0] != frozenset((row, hub)):
            return f"{at}: unit {k} is not a unit on rows {{{row}, {hub}}} other than the box unit"
        if len(cols - units[k][1]) > 1:
            return f"{at}: unit {k} misses {len(cols - units[k][1])} columns (at most 1 allowed)"
    if seen != rows - {hub}:
        return f"rows {sorted(rows - {hub} - seen)} have no unit through the hub"
    return None


def check_hub_row_proof(proof: Any, report: VerificationReport, where: str = "hub_row") -> list[tuple[set[int], set[int]]] | None:
    """Re-check one hub-row proof's hypothesis; record the outcome in ``report``.  Returns the
    part's units (for the caller's checks against the pattern) when it holds, else None."""
    units = _units(proof, where)
    problem = _problem(proof, units, where)
    if problem is not None:
        report.fail(f"{where}: {problem}")
        return None
    report.passed(f"{where}: a unit on the whole box and a unit through the hub row for every other row, each "
                  f"missing at most one column: every matrix on the box is a product (hub-row lemma)")
    return [(set(r), set(c)) for r, c in units]
