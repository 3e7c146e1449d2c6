"""The closure half of a NOT CLOSED certificate: ``X(t) Y(t)ᵀ → A`` as ``t → 0⁺``.

*Laurent curve lemma* (``docs/theory.md`` §5): if ``X(t)``, ``Y(t)`` have Laurent
polynomial entries, ``supp X(t) ⊆ I``, ``supp Y(t) ⊆ J``, and
``X(t) Y(t)ᵀ = A + Σ_{e>0} t^e B_e``, then every ``X(t)Y(t)ᵀ`` (t > 0) is in P and they
tend to A, so A is in the closure of P.

:func:`check_curve` re-derives this: it checks the supports, expands every entry of
``X(t) Y(t)ᵀ`` exactly, and compares it with A.  A cell where no product term lands and
A is 0 satisfies both conditions trivially, so only the cells where a term lands or A is
nonzero are expanded; together they cover every cell of the m×n product.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .laurent import Laurent, add, lowest, multiply, parse_laurent
from .parse import Malformed, cell, field, rational
from .pattern import Pattern
from .report import VerificationReport

__all__ = ["check_curve", "parse_limit"]

Cell = tuple[int, int]


def parse_limit(obj: Any, pattern: Pattern) -> dict[Cell, Fraction]:
    """Read ``[{"cell": [i, j], "value": "p/q"}, …]``: A, absent cells 0."""
    if not isinstance(obj, list):
        raise Malformed("limit should be a list of {cell, value}")
    limit: dict[Cell, Fraction] = {}
    for index, item in enumerate(obj):
        where = f"limit[{index}]"
        at = cell(field(item, "cell", list, where), pattern.shape, f"{where}.cell")
        if at in limit:
            raise Malformed(f"{where}: cell {at} listed twice")
        limit[at] = rational(field(item, "value", str, where), f"{where}.value")
    return {at: v for at, v in limit.items() if v}


def _entries(obj: Any, where: str, side: int, r: int) -> dict[Cell, Laurent]:
    if not isinstance(obj, list):
        raise Malformed(f"{where} should be a list of {{entry, laurent}}")
    entries: dict[Cell, Laurent] = {}
    for index, item in enumerate(obj):
        at = f"{where}[{index}]"
        entry = cell(field(item, "entry", list, at), (side, r), f"{at}.entry")
        if entry in entries:
            raise Malformed(f"{at}: entry {entry} listed twice")
        entries[entry] = parse_laurent(field(item, "laurent", dict, at), f"{at}.laurent")
    return {e: v for e, v in entries.items() if v}


def _pair(at: Cell) -> str:
    return f"({at[0]},{at[1]})"


def check_curve(cert: dict, pattern: Pattern, report: VerificationReport) -> dict[Cell, Fraction]:
    """Check ``supp X(t) ⊆ I``, ``supp Y(t) ⊆ J`` and ``X(t)Y(t)ᵀ = A + O(t)``; return A."""
    limit = parse_limit(field(cert, "limit", list, ""), pattern)
    curve = field(cert, "curve", dict, "")
    X = _entries(field(curve, "X", list, "curve"), "curve.X", pattern.m, pattern.r)
    Y = _entries(field(curve, "Y", list, "curve"), "curve.Y", pattern.n, pattern.r)
    before = len(report.problems)
    for entry in sorted(X):
        if entry not in pattern.I:
            report.fail(f"X(t) entry {_pair(entry)} outside I")
    for entry in sorted(Y):
        if entry not in pattern.J:
            report.fail(f"Y(t) entry {_pair(entry)} outside J")
    if len(report.problems) == before:
        report.passed(f"X(t), Y(t) respect I, J ({len(X)} + {len(Y)} nonzero Laurent entries)")

    columns_of_unit: dict[int, list[tuple[int, Laurent]]] = {}
    for (j, k), value in Y.items():
        columns_of_unit.setdefault(k, []).append((j, value))
    product: dict[Cell, Laurent] = {}
    for (i, k), x_value in X.items():
        for j, y_value in columns_of_unit.get(k, []):
            product[(i, j)] = add(product.get((i, j), {}), multiply(x_value, y_value))
    before = len(report.problems)
    for at in sorted(set(product) | set(limit)):
        value = product.get(at, {})
        low = lowest(value)
        if low is not None and low < 0:
            report.fail(f"entry {_pair(at)} of X(t)Y(t)ᵀ keeps t^{low}")
        constant, target = value.get(0, Fraction(0)), limit.get(at, Fraction(0))
        if constant != target:
            report.fail(f"constant term at {_pair(at)} is {constant}, limit says {target}")
    if len(report.problems) == before:
        report.passed(
            f"X(t)Y(t)ᵀ = A + O(t) on all {pattern.m}×{pattern.n} cells (exact expansion): A is in the closure of P"
        )
    return limit
