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

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from .laurent import Laurent, add, lowest, multiply, parse_laurent
from .parse import Malformed, cell, field, rational
from .pattern import Pattern
from .report import VerificationReport, cell_text

__all__ = ["check_curve", "check_limit", "laurent_product", "parse_laurent_entries", "parse_limit"]

Cell = tuple[int, int]


def _cell_map(
    obj: Any, where: str, shape: tuple[int, int], key: str, value: str, kind: type, parse: Callable[[Any, str], Any]
) -> dict[Cell, Any]:
    """Read ``[{key: [a, b], value: …}, …]`` (each ``value`` read by ``parse``): its nonzero entries."""
    if not isinstance(obj, list):
        raise Malformed(f"{where} should be a list of {{{key}, {value}}}")
    entries: dict[Cell, Any] = {}
    for index, item in enumerate(obj):
        at = f"{where}[{index}]"
        position = cell(field(item, key, list, at), shape, f"{at}.{key}")
        if position in entries:
            raise Malformed(f"{at}: {key} {position} listed twice")
        entries[position] = parse(field(item, value, kind, at), f"{at}.{value}")
    return {position: v for position, v in entries.items() if v}


def parse_limit(obj: Any, shape: tuple[int, int], where: str = "limit") -> dict[Cell, Fraction]:
    """Read ``[{"cell": [i, j], "value": "p/q"}, …]``: the nonzero entries of A, absent cells 0."""
    return _cell_map(obj, where, shape, "cell", "value", str, rational)


def parse_laurent_entries(obj: Any, where: str, shape: tuple[int, int]) -> dict[Cell, Laurent]:
    """Read ``[{"entry": [a, b], "laurent": {…}}, …]``: a matrix of the given shape (nonzero entries)."""
    return _cell_map(obj, where, shape, "entry", "laurent", dict, parse_laurent)


def laurent_product(factors: list[dict[Cell, Laurent]]) -> dict[Cell, Laurent]:
    """``F_1(t) ⋯ F_N(t)`` expanded exactly (nonzero entries)."""
    current = dict(factors[0])
    for factor in factors[1:]:
        by_row: dict[int, list[tuple[int, Laurent]]] = {}
        for (k, j), value in factor.items():
            by_row.setdefault(k, []).append((j, value))
        step: dict[Cell, Laurent] = {}
        for (i, k), left in current.items():
            for j, right in by_row.get(k, []):
                step[(i, j)] = add(step.get((i, j), {}), multiply(left, right))
        current = {at: value for at, value in step.items() if value}
    return current


def check_limit(
    product: dict[Cell, Laurent], limit: dict[Cell, Fraction], shape: tuple[int, int], name: str,
    report: VerificationReport, constant_term: str = "constant term",
) -> None:
    """Check that the curve ``product`` (written ``name``) is ``A + O(t)`` on every cell.

    A cell where no product term lands and A is 0 satisfies this trivially, so only the
    cells of ``product`` and ``limit`` are compared.  ``constant_term`` starts the
    message about a wrong constant term.
    """
    before = len(report.problems)
    for at in sorted(set(product) | set(limit)):
        value = product.get(at, {})
        low = lowest(value)
        if low is not None and low < 0:
            report.fail(f"entry {cell_text(at)} of {name} keeps t^{low}")
        constant, target = value.get(0, Fraction(0)), limit.get(at, Fraction(0))
        if constant != target:
            report.fail(f"{constant_term} at {cell_text(at)} is {constant}, limit says {target}")
    if len(report.problems) == before:
        report.passed(f"{name} = A + O(t) on all {shape[0]}×{shape[1]} cells (exact expansion): A is in the closure of P")


def check_curve(cert: dict, pattern: Pattern, report: VerificationReport) -> dict[Cell, Fraction]:
    """Check ``supp X(t) ⊆ I``, ``supp Y(t) ⊆ J`` and ``X(t)Y(t)ᵀ = A + O(t)``; return A."""
    limit = parse_limit(field(cert, "limit", list, ""), pattern.shape)
    curve = field(cert, "curve", dict, "")
    X = parse_laurent_entries(field(curve, "X", list, "curve"), "curve.X", (pattern.m, pattern.r))
    Y = parse_laurent_entries(field(curve, "Y", list, "curve"), "curve.Y", (pattern.n, pattern.r))
    before = len(report.problems)
    for entry in sorted(X):
        if not pattern.in_I(*entry):
            report.fail(f"X(t) entry {cell_text(entry)} outside I")
    for entry in sorted(Y):
        if not pattern.in_J(*entry):
            report.fail(f"Y(t) entry {cell_text(entry)} outside J")
    if len(report.problems) == before:
        report.passed(f"X(t), Y(t) respect I, J ({len(X)} + {len(Y)} nonzero Laurent entries)")
    product = laurent_product([X, {(k, j): value for (j, k), value in Y.items()}])
    check_limit(product, limit, pattern.shape, "X(t)Y(t)ᵀ", report)
    return limit
