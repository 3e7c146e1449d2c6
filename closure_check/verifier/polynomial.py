"""Polynomials over ℚ in named variables, as ``{monomial: Fraction}`` dicts (no zeros).

A monomial is a sorted tuple of ``(variable, exponent)`` pairs, ``()`` for 1.  The JSON
form is a list of terms ``[coefficient, {variable: exponent}]``.

>>> f = parse_polynomial([["1", {"x_0_0": 1, "y_1_0": 1}], ["-1", {}]], "f")
>>> show(multiply(f, f))
'x_0_0^2*y_1_0^2 - 2*x_0_0*y_1_0 + 1'
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from .parse import Malformed, integer, rational

__all__ = ["Monomial", "Polynomial", "add", "monomial", "multiply", "parse_polynomial", "show"]

Monomial = tuple[tuple[str, int], ...]
Polynomial = dict[Monomial, Fraction]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")


def monomial(powers: dict[str, int]) -> Monomial:
    """The monomial ``Π v^e`` (zero exponents dropped)."""
    return tuple(sorted((v, e) for v, e in powers.items() if e))


def parse_polynomial(obj: Any, where: str) -> Polynomial:
    """Read ``[[coefficient, {variable: exponent}], …]``; like monomials are added."""
    if not isinstance(obj, list):
        raise Malformed(f"{where} should be a list of [coefficient, {{variable: exponent}}] terms")
    poly: Polynomial = {}
    for index, term in enumerate(obj):
        at = f"{where}[{index}]"
        if not isinstance(term, list) or len(term) != 2 or not isinstance(term[1], dict):
            raise Malformed(f"{at} should be [coefficient, {{variable: exponent}}]")
        coefficient = rational(term[0], at)
        for name, exponent in term[1].items():
            if not _NAME.fullmatch(name):
                raise Malformed(f"{at}: {name!r} is not a variable name")
            integer(exponent, f"{at}.{name}", 0, 10**6)
        key = monomial(term[1])
        poly[key] = poly.get(key, Fraction(0)) + coefficient
    return {m: c for m, c in poly.items() if c}


def add(a: Polynomial, b: Polynomial) -> Polynomial:
    """``a + b``."""
    total = dict(a)
    for m, c in b.items():
        total[m] = total.get(m, Fraction(0)) + c
    return {m: c for m, c in total.items() if c}


def multiply(a: Polynomial, b: Polynomial) -> Polynomial:
    """``a · b``."""
    total: Polynomial = {}
    for m1, c1 in a.items():
        for m2, c2 in b.items():
            powers = dict(m1)
            for v, e in m2:
                powers[v] = powers.get(v, 0) + e
            key = monomial(powers)
            total[key] = total.get(key, Fraction(0)) + c1 * c2
    return {m: c for m, c in total.items() if c}


def show(a: Polynomial, limit: int = 300) -> str:
    """``a`` written out (higher degree first), cut after ``limit`` characters."""
    if not a:
        return "0"
    text = ""
    for m in sorted(a, key=lambda m: (-sum(e for _, e in m), m)):
        c = a[m]
        size = abs(c)
        body = "*".join(v if e == 1 else f"{v}^{e}" for v, e in m)
        body = (str(size) if size != 1 else "") + ("*" if body and size != 1 else "") + body or "1"
        text += (("-" if c < 0 else "") + body) if not text else (f" {'-' if c < 0 else '+'} {body}")
    return text if len(text) <= limit else text[:limit] + " …"
