"""Reading fields of a JSON certificate; every malformed field raises one message naming it.

>>> rational("-3/4", "limit[0].value")
Fraction(-3, 4)
>>> try:
...     rational("0.5", "limit[0].value")
... except Malformed as error:
...     print(error)
limit[0].value: '0.5' is not a rational "p" or "p/q"
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

__all__ = ["Malformed", "cell", "field", "index_list", "integer", "rational"]

_RATIONAL = re.compile(r"-?[0-9]{1,4000}(/[0-9]{1,4000})?")


class Malformed(ValueError):
    """A field of the certificate is missing or has the wrong form."""


def _show(value: Any, limit: int = 40) -> str:
    if isinstance(value, int) and value.bit_length() > 10_000:  # repr() refuses > 4300 digits
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def field(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``obj[key]``, which must exist and be of type ``kind``."""
    if not isinstance(obj, dict):
        raise Malformed(f"{where or 'the certificate'} is not a JSON object")
    if key not in obj:
        raise Malformed(f"{where + '.' if where else ''}{key} is missing")
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise Malformed(f"{where + '.' if where else ''}{key} should be a {name}, got {_show(value)}")
    return value


def integer(value: Any, where: str, low: int = 0, high: int | None = None) -> int:
    """An integer with ``low ≤ value < high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed(f"{where}: {_show(value)} is not an integer")
    if value < low or (high is not None and value >= high):
        bound = f"[{low}, {high})" if high is not None else f"≥ {low}"
        raise Malformed(f"{where}: {_show(value)} is out of range {bound}")
    return value


def rational(value: Any, where: str) -> Fraction:
    """A rational written ``"p"`` or ``"p/q"`` (q ≠ 0)."""
    if not isinstance(value, str) or not _RATIONAL.fullmatch(value):
        raise Malformed(f'{where}: {_show(value)} is not a rational "p" or "p/q"')
    numerator, _, denominator = value.partition("/")
    if denominator and int(denominator) == 0:
        raise Malformed(f"{where}: {value!r} has denominator 0")
    return Fraction(int(numerator), int(denominator or 1))


def cell(value: Any, shape: tuple[int, int], where: str) -> tuple[int, int]:
    """A pair ``[a, b]`` with ``0 ≤ a < shape[0]``, ``0 ≤ b < shape[1]``."""
    if not isinstance(value, list) or len(value) != 2:
        raise Malformed(f"{where}: {_show(value)} is not a pair [a, b]")
    return integer(value[0], where, 0, shape[0]), integer(value[1], where, 0, shape[1])


def index_list(value: Any, where: str, high: int) -> list[int]:
    """A list of distinct integers in ``[0, high)``."""
    if not isinstance(value, list):
        raise Malformed(f"{where} should be a list, got {_show(value)}")
    items = [integer(v, f"{where}[{p}]", 0, high) for p, v in enumerate(value)]
    if len(set(items)) != len(items):
        raise Malformed(f"{where} lists an index twice")
    return items
