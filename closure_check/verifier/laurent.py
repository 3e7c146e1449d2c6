"""Laurent polynomials ``Σ_e c_e t^e`` over ℚ, as ``{exponent: Fraction}`` dicts (no zeros).

The JSON form is ``{"e": "c_e"}`` with decimal exponents and rational coefficients.

>>> a = parse_laurent({"1": "1", "-1": "-1"}, "x")
>>> show(multiply(a, a))
't^-2 - 2 + t^2'
>>> lowest(multiply(a, a))
-2
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from .parse import Malformed, rational

__all__ = ["Laurent", "add", "lowest", "multiply", "parse_laurent", "show"]

Laurent = dict[int, Fraction]

_EXPONENT = re.compile(r"-?[0-9]{1,18}")


def parse_laurent(obj: Any, where: str) -> Laurent:
    """Read ``{"exponent": "coefficient"}``; zero coefficients are dropped."""
    if not isinstance(obj, dict):
        raise Malformed(f"{where} should be an object {{exponent: coefficient}}")
    terms: Laurent = {}
    for key, value in obj.items():
        if not _EXPONENT.fullmatch(key):
            raise Malformed(f"{where}: exponent {key!r} is not an integer")
        exponent = int(key)
        if exponent in terms:
            raise Malformed(f"{where}: exponent {exponent} appears twice")
        coefficient = rational(value, f"{where}[{key}]")
        if coefficient:
            terms[exponent] = coefficient
    return terms


def add(a: Laurent, b: Laurent) -> Laurent:
    """``a + b``."""
    total = dict(a)
    for e, c in b.items():
        total[e] = total.get(e, Fraction(0)) + c
    return {e: c for e, c in total.items() if c}


def multiply(a: Laurent, b: Laurent) -> Laurent:
    """``a · b``."""
    total: Laurent = {}
    for e1, c1 in a.items():
        for e2, c2 in b.items():
            total[e1 + e2] = total.get(e1 + e2, Fraction(0)) + c1 * c2
    return {e: c for e, c in total.items() if c}


def lowest(a: Laurent) -> int | None:
    """The lowest exponent with a nonzero coefficient (None for 0)."""
    return min(a) if a else None


def show(a: Laurent) -> str:
    """``a`` written out, increasing powers: ``'t^-1 + 2 - 1/2 t'``."""
    if not a:
        return "0"
    text = ""
    for e in sorted(a):
        c = a[e]
        sign = "-" if c < 0 else "+"
        size = abs(c)
        power = "" if e == 0 else ("t" if e == 1 else f"t^{e}")
        body = str(size) if not power else (power if size == 1 else f"{size} {power}")
        text += (f"{'-' if sign == '-' else ''}{body}" if not text else f" {sign} {body}")
    return text
