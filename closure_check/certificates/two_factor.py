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
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from closure_check.core.laurent import Laurent
from closure_check.core.support import TwoFactorSupport

if TYPE_CHECKING:
    from closure_check.algebra.nullstellensatz import NullstellensatzCertificate

__all__ = ["Cell", "Curve", "NotClosedCertificate"]

Cell = tuple[int, int]


@dataclass(frozen=True)
class Curve:
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

    def defects(self, support: TwoFactorSupport) -> list[str]:
        """What is wrong with the curve (empty if nothing).

        Checks that ``X(t)``, ``Y(t)`` respect ``I``, ``J`` and that ``X(t)Y(t)ᵀ`` has no
        negative power of t and constant term ``A``.
        """
        I, J = support.I.tocsr(), support.J.tocsr()
        problems = [f"X(t) has an entry at ({i},{k}) outside I" for (i, k) in self.x if not I[i, k]]
        problems += [f"Y(t) has an entry at ({j},{k}) outside J" for (j, k) in self.y if not J[j, k]]
        product = self.product()
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
    """

    shape: tuple[int, int]
    rank: int
    curve: Curve
    lemma: str
    obstruction_cells: tuple[Cell, ...]
    obstruction_units: tuple[int, ...]
    argument: str
    identity: NullstellensatzCertificate | None = None

    @property
    def limit(self) -> dict[Cell, Fraction]:
        """Nonzero entries of the limit A."""
        return self.curve.limit

    def defects(self, support: TwoFactorSupport) -> list[str]:
        """What is wrong with the curve part of this certificate (empty if nothing)."""
        return self.curve.defects(support)
