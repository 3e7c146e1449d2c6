"""Certificates of non-closedness for chains ``P_{I_1..I_N} = {W_1 ⋯ W_N}``.

The chain analogue of :mod:`closure_check.certificates.two_factor` (``docs/theory.md`` §6):

* the limit ``A`` (exact rationals; absent cells are 0);
* a curve ``W_1(t), …, W_N(t)`` of Laurent polynomials with ``supp W_ℓ(t) ⊆ I_ℓ`` and
  ``W_1(t)⋯W_N(t) = A + (terms in t^e, e > 0)``: every negative power cancels and the
  constant term is ``A``, so the product tends to ``A`` as ``t → 0⁺`` while every point
  of the curve lies in ``P``;
* the proof that ``A ∉ P``: a Nullstellensatz identity for the system
  ``W_1⋯W_N = A`` (no complex solution), or a chain of exact reductions
  (``closure_check.chains.reduce``) ending in a two-factor certificate.

:meth:`ChainCurve.defects` re-derives the first two items by exact expansion;
:meth:`ChainCurve.at`, :meth:`ChainCurve.product_at` and :meth:`ChainCurve.error_at`
evaluate the curve at ``t`` (exact for an int or Fraction, floats for a float), as
for two factors.

>>> from closure_check.core.laurent import Laurent
>>> from closure_check.core.support import ChainSupport
>>> one, t, inv = Laurent.constant(1), Laurent.monomial(1), Laurent.monomial(-1)
>>> # LU at the anti-identity, as a chain L·U (W_1 lower, W_2 upper)
>>> curve = ChainCurve(
...     factors=({(0, 0): t, (1, 0): one, (1, 1): one}, {(0, 0): one, (0, 1): inv, (1, 1): -inv}),
...     limit={(0, 1): 1, (1, 0): 1},
... )
>>> curve.defects(ChainSupport(([[1, 0], [1, 1]], [[1, 1], [0, 1]])))
[]
>>> W1, W2 = curve.at(Fraction(1, 4))
>>> W2
{(0, 0): Fraction(1, 1), (0, 1): Fraction(4, 1), (1, 1): Fraction(-4, 1)}
>>> curve.product_at(Fraction(1, 4))        # [[t, 1], [1, 0]] at t = 1/4
{(0, 0): Fraction(1, 4), (0, 1): Fraction(1, 1), (1, 0): Fraction(1, 1)}
>>> curve.error_at(0.01)
{(0, 0): 0.01}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Real
from typing import TYPE_CHECKING, Any

from closure_check.certificates.two_factor import CurveValues, Value, evaluate
from closure_check.core.laurent import Laurent
from closure_check.core.support import ChainSupport

if TYPE_CHECKING:
    from closure_check.algebra.nullstellensatz import NullstellensatzCertificate

__all__ = ["Cell", "ChainCurve", "ChainNotClosedCertificate"]

Cell = tuple[int, int]


@dataclass(frozen=True)
class ChainCurve(CurveValues):
    """A Laurent curve ``W_1(t), …, W_N(t)`` and the limit ``A`` its product tends to.

    Attributes
    ----------
    factors
        For each factor ℓ, its nonzero entries (row, column) → Laurent polynomial.
    limit
        Nonzero entries of ``A``: cell → rational.
    """

    factors: tuple[dict[Cell, Laurent], ...]
    limit: dict[Cell, Fraction]

    def product(self) -> dict[Cell, Laurent]:
        """Exact ``W_1(t) ⋯ W_N(t)`` as cell → Laurent polynomial (nonzero entries)."""
        current: dict[Cell, Laurent] = dict(self.factors[0])
        for factor in self.factors[1:]:
            by_row: dict[int, list[tuple[int, Laurent]]] = {}
            for (a, b), value in factor.items():
                by_row.setdefault(a, []).append((b, value))
            step: dict[Cell, Laurent] = {}
            for (i, k), left in current.items():
                for j, right in by_row.get(k, []):
                    step[(i, j)] = step.get((i, j), Laurent()) + left * right
            current = {cell: value for cell, value in step.items() if not value.is_zero()}
        return current

    def at(self, t: Real) -> tuple[dict[Cell, Value], ...]:
        """``W_1(t), …, W_N(t)``: for each factor its nonzero entries (row, column) → value.

        Exact Fractions for an int or Fraction ``t``, floats for a float ``t``; never a
        dense matrix.  ``t = 0`` raises ZeroDivisionError when a factor has a negative power.
        """
        return tuple(evaluate(factor, t) for factor in self.factors)

    def defects(self, chain: ChainSupport) -> list[str]:
        """What is wrong with the curve (empty if nothing).

        Checks the number of factors, that ``W_ℓ(t)`` respects ``I_ℓ``, and that the
        product has no negative power of t and constant term ``A``.
        """
        if len(self.factors) != chain.length:
            return [f"the curve has {len(self.factors)} factors, the chain {chain.length}"]
        problems = []
        for level, (factor, support) in enumerate(zip(self.factors, chain.factors), start=1):
            dense = support.toarray()
            for (a, b) in factor:
                if not (0 <= a < dense.shape[0] and 0 <= b < dense.shape[1]) or not dense[a, b]:
                    problems.append(f"W{level}(t) has an entry at ({a},{b}) outside I_{level}")
        product = self._expanded
        for cell in sorted(set(product) | set(self.limit)):
            value = product.get(cell, Laurent())
            lowest = value.min_exponent()
            if lowest is not None and lowest < 0:
                problems.append(f"entry {cell} of W_1(t)⋯W_N(t) keeps the power t^{lowest}")
            if value.coefficient(0) != Fraction(self.limit.get(cell, 0)):
                problems.append(
                    f"entry {cell}: constant term {value.coefficient(0)} but the limit says "
                    f"{Fraction(self.limit.get(cell, 0))}"
                )
        return problems


@dataclass(frozen=True)
class ChainNotClosedCertificate:
    """Limit point, Laurent curve and the proof that the limit is outside ``P``.

    Attributes
    ----------
    curve
        The curve of products and its limit A (in the original chain).
    lemma
        Name of the lemma of ``docs/theory.md`` that proves ``A ∉ P``:
        ``"chain Nullstellensatz lemma"`` or ``"chain reduction"``.
    argument
        The argument in words.
    identity
        For the Nullstellensatz lemma: the verified identity ``Σ c_i f_i = c ≠ 0`` for
        the system ``W_1⋯W_N = A``.
    reduction
        For ``"chain reduction"``: the exact reduction steps, as plain data
        (``closure_check.chains.reduce``), from the chain to the reduced problem.
    reduced
        For ``"chain reduction"``: the certificate for the reduced problem (a
        :class:`~closure_check.certificates.two_factor.NotClosedCertificate` of a two-factor
        problem, or a :class:`ChainNotClosedCertificate`).
    """

    curve: ChainCurve
    lemma: str
    argument: str
    identity: NullstellensatzCertificate | None = None
    reduction: tuple[dict[str, Any], ...] = field(default=())
    reduced: Any = None

    @property
    def limit(self) -> dict[Cell, Fraction]:
        """Nonzero entries of the limit A."""
        return self.curve.limit

    def defects(self, chain: ChainSupport) -> list[str]:
        """What is wrong with the curve part of this certificate (empty if nothing)."""
        return self.curve.defects(chain)
