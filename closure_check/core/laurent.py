"""Laurent polynomials in t with rational coefficients, exact.

Non-closedness certificates are curves ``X(t), Y(t)`` whose entries are Laurent
polynomials: ``Σ_e c_e t^e`` with finitely many nonzero ``c_e ∈ ℚ`` and exponents of
either sign (``docs/theory.md``, "Closure points come from Laurent curves").

>>> t = Laurent.monomial(1)
>>> (t + Laurent.monomial(-1)) * (t - Laurent.monomial(-1))
Laurent('t^-2·(-1) + t^2')
>>> (Laurent.constant(2) * t).coefficient(1)
Fraction(2, 1)
>>> (t - Laurent.monomial(-1)).at(Fraction(1, 2)), (t - Laurent.monomial(-1)).at(0.5)
(Fraction(-3, 2), -1.5)
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Rational, Real
from typing import Mapping, Union

__all__ = ["Laurent"]

Scalar = Union[int, Fraction]


class Laurent:
    """An exact Laurent polynomial ``Σ_e c_e t^e`` (immutable)."""

    __slots__ = ("_terms",)

    def __init__(self, terms: Mapping[int, Scalar] | None = None) -> None:
        self._terms: dict[int, Fraction] = {
            int(e): Fraction(c) for e, c in (terms or {}).items() if c != 0
        }

    @classmethod
    def constant(cls, value: Scalar) -> "Laurent":
        """The constant ``value``."""
        return cls({0: value})

    @classmethod
    def monomial(cls, exponent: int, coefficient: Scalar = 1) -> "Laurent":
        """``coefficient · t^exponent``."""
        return cls({exponent: coefficient})

    @property
    def terms(self) -> dict[int, Fraction]:
        """Exponent → nonzero coefficient (a copy)."""
        return dict(self._terms)

    def coefficient(self, exponent: int) -> Fraction:
        """Coefficient of ``t^exponent`` (0 if absent)."""
        return self._terms.get(exponent, Fraction(0))

    def is_zero(self) -> bool:
        """True for the zero polynomial."""
        return not self._terms

    def min_exponent(self) -> int | None:
        """Lowest exponent with a nonzero coefficient; None for zero."""
        return min(self._terms) if self._terms else None

    def at(self, t: Real) -> Fraction | float:
        """The value at ``t``: exact (a Fraction) for an int or Fraction ``t``, a float otherwise.

        Raises
        ------
        ZeroDivisionError
            At ``t = 0`` when a negative power is present.
        """
        if isinstance(t, Rational):
            t = Fraction(t)
            if t == 0 and any(e < 0 for e in self._terms):
                raise ZeroDivisionError("a Laurent polynomial with a negative power has no value at t = 0")
            return sum((c * t**e for e, c in self._terms.items()), Fraction(0))
        t = float(t)
        if t == 0 and any(e < 0 for e in self._terms):
            raise ZeroDivisionError("a Laurent polynomial with a negative power has no value at t = 0")
        return sum((float(c) * t**e for e, c in self._terms.items()), 0.0)

    def _coerce(self, other: object) -> "Laurent":
        if isinstance(other, Laurent):
            return other
        if isinstance(other, (int, Fraction)):
            return Laurent.constant(other)
        return NotImplemented  # type: ignore[return-value]

    def __add__(self, other: object) -> "Laurent":
        other = self._coerce(other)
        if other is NotImplemented:
            return NotImplemented
        terms = dict(self._terms)
        for e, c in other._terms.items():
            terms[e] = terms.get(e, Fraction(0)) + c
        return Laurent(terms)

    __radd__ = __add__

    def __neg__(self) -> "Laurent":
        return Laurent({e: -c for e, c in self._terms.items()})

    def __sub__(self, other: object) -> "Laurent":
        other = self._coerce(other)
        if other is NotImplemented:
            return NotImplemented
        return self + (-other)

    def __rsub__(self, other: object) -> "Laurent":
        return (-self) + other

    def __mul__(self, other: object) -> "Laurent":
        other = self._coerce(other)
        if other is NotImplemented:
            return NotImplemented
        terms: dict[int, Fraction] = {}
        for e1, c1 in self._terms.items():
            for e2, c2 in other._terms.items():
                terms[e1 + e2] = terms.get(e1 + e2, Fraction(0)) + c1 * c2
        return Laurent(terms)

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        other = self._coerce(other)
        if other is NotImplemented:
            return NotImplemented
        return self._terms == other._terms

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._terms.items())))

    def __str__(self) -> str:
        if not self._terms:
            return "0"
        pieces = []
        for e in sorted(self._terms):
            c = self._terms[e]
            if e == 0:
                pieces.append(str(c))
            else:
                power = "t" if e == 1 else f"t^{e}"
                pieces.append(power if c == 1 else f"{power}·({c})")
        return " + ".join(pieces)

    def __repr__(self) -> str:
        return f"Laurent('{self}')"
