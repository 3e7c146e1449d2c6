"""Certificates of non-closedness produced by the combinatorial rules.

A certificate for "``P_{I,J}`` is not closed" (``docs/theory.md`` §4) consists of

* the limit ``A`` (exact rationals; absent cells are 0);
* a curve ``X(t), Y(t)`` of Laurent polynomials with ``supp X(t) ⊆ I``,
  ``supp Y(t) ⊆ J``, such that ``X(t) Y(t)ᵀ = A + (terms in t^e, e > 0)``: every
  negative power cancels and the constant term is ``A``, so ``X(t)Y(t)ᵀ → A`` as
  ``t → 0⁺`` while every point of the curve lies in ``P``;
* the proof that ``A ∉ P``: a set of *obstruction cells* that only the listed units
  cover, and the lemma whose argument shows that those units cannot produce ``A`` on
  those cells.

:meth:`Curve.defects` re-derives the first two items by exact expansion; the independent verifier of the certificate issue re-checks everything
without this module.

A curve can be evaluated: :meth:`Curve.at` gives ``X(t)`` and ``Y(t)``,
:meth:`Curve.product_at` the product and :meth:`Curve.error_at` its distance to ``A``, as
dicts of nonzero entries -- exact Fractions for an int or Fraction ``t``, floats for a
float ``t``.  The 2×2 LU curve of the seed talk, ``X(t) = [[t, 0], [1, −1/t]]``,
``Y(t) = [[1, 0], [1/t, 1]]``:

>>> one, t, inv = Laurent.constant(1), Laurent.monomial(1), Laurent.monomial(-1)
>>> curve = Curve(
...     x={(0, 0): t, (1, 0): one, (1, 1): -inv},
...     y={(0, 0): one, (1, 0): inv, (1, 1): one},
...     limit={(0, 1): Fraction(1), (1, 0): Fraction(1)},
... )
>>> X, Y = curve.at(Fraction(1, 3))
>>> X
{(0, 0): Fraction(1, 3), (1, 0): Fraction(1, 1), (1, 1): Fraction(-3, 1)}
>>> Y
{(0, 0): Fraction(1, 1), (1, 0): Fraction(3, 1), (1, 1): Fraction(1, 1)}
>>> curve.product_at(Fraction(1, 3))              # [[t, 1], [1, 0]] at t = 1/3
{(0, 0): Fraction(1, 3), (0, 1): Fraction(1, 1), (1, 0): Fraction(1, 1)}
>>> curve.error_at(1e-3)                          # X(t)Y(t)ᵀ − A, floats
{(0, 0): 0.001}
>>> curve.at(1e-3)[0][(1, 1)]                     # while X(t) diverges
-1000.0
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from numbers import Real
from typing import TYPE_CHECKING, Iterable, Mapping, Union

from closure_check.core.laurent import Laurent
from closure_check.core.support import TwoFactorSupport

if TYPE_CHECKING:
    from closure_check.algebra.nullstellensatz import NullstellensatzCertificate

__all__ = ["Cell", "Curve", "NotClosedCertificate", "evaluate", "multiply"]

Cell = tuple[int, int]

Value = Union[Fraction, float]


def evaluate(entries: Mapping[Cell, Laurent], t: Real) -> dict[Cell, Value]:
    """The nonzero entries of a Laurent matrix at ``t``, in sorted order.

    Exact (Fractions) for an int or Fraction ``t``, floats for a float ``t``
    (:meth:`~closure_check.core.laurent.Laurent.at`).
    """
    values = {cell: entries[cell].at(t) for cell in sorted(entries)}
    return {cell: value for cell, value in values.items() if value != 0}


def multiply(left: Mapping[Cell, Value], right: Mapping[Cell, Value]) -> dict[Cell, Value]:
    """The product of two sparse matrices given as dicts of entries (nonzero entries, sorted).

    >>> multiply({(0, 0): 2, (1, 0): 1}, {(0, 1): Fraction(1, 2)})
    {(0, 1): Fraction(1, 1), (1, 1): Fraction(1, 2)}
    """
    by_row: dict[int, list[tuple[int, Value]]] = {}
    for (a, b), value in right.items():
        by_row.setdefault(a, []).append((b, value))
    result: dict[Cell, Value] = {}
    for (i, k), value in left.items():
        for j, other in by_row.get(k, ()):
            result[(i, j)] = result.get((i, j), 0) + value * other
    return {cell: result[cell] for cell in sorted(result) if result[cell] != 0}


def _minus_limit(product: Mapping[Cell, Laurent], limit: Mapping[Cell, Fraction]) -> dict[Cell, Laurent]:
    cells: Iterable[Cell] = sorted(set(product) | set(limit))
    difference = {cell: product.get(cell, Laurent()) - Fraction(limit.get(cell, 0)) for cell in cells}
    return {cell: value for cell, value in difference.items() if not value.is_zero()}


class CurveValues:
    """What a curve (two factors or a chain) offers once it has ``product()`` (the exact
    product, defined by each curve) and ``limit``: the expansion (computed once),
    ``deviation()`` and their values at a given ``t``."""

    limit: dict[Cell, Fraction]

    @cached_property
    def _expanded(self) -> dict[Cell, Laurent]:
        return self.product()

    def deviation(self) -> dict[Cell, Laurent]:
        """Exact product minus ``A`` as cell → Laurent polynomial (nonzero entries).

        For a valid curve every exponent is positive: this is what tends to 0.
        """
        return _minus_limit(self._expanded, self.limit)

    def product_at(self, t: Real) -> dict[Cell, Value]:
        """Nonzero entries of the product at ``t`` (exact for an int or Fraction ``t``, float for a float).

        Evaluated from the exact expansion, in which the negative powers have already
        cancelled: floats stay accurate for small ``t``.
        """
        return evaluate(self._expanded, t)

    def error_at(self, t: Real) -> dict[Cell, Value]:
        """Nonzero entries of the product minus ``A`` at ``t`` (exact or float, as :meth:`product_at`)."""
        return evaluate(self.deviation(), t)


@dataclass(frozen=True)
class Curve(CurveValues):
    """A Laurent curve ``X(t), Y(t)`` and the limit ``A`` its product tends to.

    Attributes
    ----------
    x, y
        Nonzero entries of ``X(t)`` (row, unit) → Laurent and of ``Y(t)``
        (column, unit) → Laurent.
    limit
        Nonzero entries of ``A``: cell → rational.
    """

    x: dict[Cell, Laurent]
    y: dict[Cell, Laurent]
    limit: dict[Cell, Fraction]

    def product(self) -> dict[Cell, Laurent]:
        """Exact ``X(t) Y(t)ᵀ`` as cell → Laurent polynomial (nonzero entries)."""
        rows_of_unit: dict[int, list[tuple[int, Laurent]]] = {}
        for (i, k), value in self.x.items():
            rows_of_unit.setdefault(k, []).append((i, value))
        result: dict[Cell, Laurent] = {}
        for (j, k), value in self.y.items():
            for i, x_value in rows_of_unit.get(k, []):
                result[(i, j)] = result.get((i, j), Laurent()) + x_value * value
        return {cell: value for cell, value in result.items() if not value.is_zero()}

    def at(self, t: Real) -> tuple[dict[Cell, Value], dict[Cell, Value]]:
        """``X(t)`` and ``Y(t)``: their nonzero entries (row, unit) → value and (column, unit) → value.

        Exact Fractions for an int or Fraction ``t``, floats for a float ``t``; never a
        dense matrix.  ``t = 0`` raises ZeroDivisionError when a factor has a negative power.
        """
        return evaluate(self.x, t), evaluate(self.y, t)

    def defects(self, support: TwoFactorSupport) -> list[str]:
        """What is wrong with the curve (empty if nothing).

        Checks that ``X(t)``, ``Y(t)`` respect ``I``, ``J`` and that ``X(t)Y(t)ᵀ`` has no
        negative power of t and constant term ``A``.
        """
        I, J = support.I.tocsr(), support.J.tocsr()
        problems = [f"X(t) has an entry at ({i},{k}) outside I" for (i, k) in self.x if not I[i, k]]
        problems += [f"Y(t) has an entry at ({j},{k}) outside J" for (j, k) in self.y if not J[j, k]]
        product = self._expanded
        for cell in sorted(set(product) | set(self.limit)):
            value = product.get(cell, Laurent())
            lowest = value.min_exponent()
            if lowest is not None and lowest < 0:
                problems.append(f"entry {cell} of X(t)Y(t)ᵀ keeps the power t^{lowest}")
            if value.coefficient(0) != self.limit.get(cell, Fraction(0)):
                problems.append(
                    f"entry {cell}: constant term {value.coefficient(0)} but the limit says "
                    f"{self.limit.get(cell, Fraction(0))}"
                )
        return problems


@dataclass(frozen=True)
class NotClosedCertificate:
    """Limit point, Laurent curve and obstruction for a non-closed ``P_{I,J}``.

    Attributes
    ----------
    shape, rank
        ``(m, n)`` and r.
    curve
        The curve of products and its limit A.
    lemma
        Name of the lemma of ``docs/theory.md`` that proves ``A ∉ P``.
    obstruction_cells
        The cells on which the lemma's argument runs.
    obstruction_units
        The only units whose rectangles contain those cells.
    argument
        The argument in words.
    identity
        For the Nullstellensatz lemma: the verified identity ``Σ c_i f_i = c ≠ 0`` for
        the system ``X Yᵀ = A`` over ``obstruction_units`` (all other units emptied).
    roles
        Extra data of a combinatorial lemma's argument that the cells and units do not
        determine (the free-factor lemma: its orientation and deficient set of units).
    """

    shape: tuple[int, int]
    rank: int
    curve: Curve
    lemma: str
    obstruction_cells: tuple[Cell, ...]
    obstruction_units: tuple[int, ...]
    argument: str
    identity: NullstellensatzCertificate | None = None
    roles: dict | None = None

    @property
    def limit(self) -> dict[Cell, Fraction]:
        """Nonzero entries of the limit A."""
        return self.curve.limit

    def defects(self, support: TwoFactorSupport) -> list[str]:
        """What is wrong with the curve part of this certificate (empty if nothing)."""
        return self.curve.defects(support)
