"""The support pattern of a chain certificate: ``I_1, …, I_N`` as sets of nonzero positions.

Factor ℓ is ``r_{ℓ-1} × r_ℓ`` and ``P = {W_1 ⋯ W_N : supp W_ℓ ⊆ I_ℓ}``; the JSON form is
``{"dims": [r_0, …, r_N], "factors": [[[a, b], …] per factor]}``.

>>> lu = parse_chain({"dims": [2, 2, 2], "factors": [[[0, 0], [1, 0], [1, 1]], [[0, 0], [0, 1], [1, 1]]]})
>>> lu.length, lu.shape, sorted(boolean_product(*lu.factors))
(2, (2, 2), [(0, 0), (0, 1), (1, 0), (1, 1)])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..parse import Malformed, field, integer
from ..pattern import MAX_SIDE, Pattern, parse_pairs

__all__ = ["ChainPattern", "Entries", "boolean_product", "parse_chain", "same_as_two_factor"]

Entries = frozenset[tuple[int, int]]

MAX_FACTORS = 10**4


@dataclass(frozen=True)
class ChainPattern:
    """``dims = (r_0, …, r_N)`` and ``factors[ℓ-1]``, the nonzero positions ``(a, b)`` of ``I_ℓ``."""

    dims: tuple[int, ...]
    factors: tuple[Entries, ...]

    @property
    def length(self) -> int:
        """The number N of factors."""
        return len(self.factors)

    @property
    def shape(self) -> tuple[int, int]:
        """``(r_0, r_N)``, the shape of the product."""
        return (self.dims[0], self.dims[-1])

    def describe(self) -> str:
        """``'N = 3 factors, dims 2×2×3×2'``."""
        return f"N = {self.length} factor{'s' if self.length != 1 else ''}, dims {'×'.join(map(str, self.dims))}"


def parse_chain(obj: Any, where: str = "chain") -> ChainPattern:
    """Read ``{"dims", "factors"}``; raise :class:`Malformed` on any inconsistency.

    Checked: at least one factor, ``len(dims) = N + 1``, every position of factor ℓ
    inside ``r_{ℓ-1} × r_ℓ``, no position listed twice.
    """
    if not isinstance(obj, dict):
        raise Malformed(f"{where} is not a JSON object")
    raw_dims = field(obj, "dims", list, where)
    raw_factors = field(obj, "factors", list, where)
    if not 1 <= len(raw_factors) <= MAX_FACTORS:
        raise Malformed(f"{where}.factors: a chain has 1 to {MAX_FACTORS} factors, got {len(raw_factors)}")
    if len(raw_dims) != len(raw_factors) + 1:
        raise Malformed(f"{where}.dims has {len(raw_dims)} entries for {len(raw_factors)} factors (needs N + 1)")
    dims = tuple(integer(d, f"{where}.dims[{p}]", 0, MAX_SIDE) for p, d in enumerate(raw_dims))
    factors = tuple(
        parse_pairs(raw, f"{where}.factors[{p}]", (dims[p], dims[p + 1]), "row, column")
        for p, raw in enumerate(raw_factors)
    )
    return ChainPattern(dims, factors)


def boolean_product(left: Entries, right: Entries) -> Entries:
    """Support of the boolean product: ``(i, j)`` iff some k has ``(i, k) ∈ left``, ``(k, j) ∈ right``.

    It contains the support of every product ``U V`` with ``supp U ⊆ left``,
    ``supp V ⊆ right``.
    """
    by_row: dict[int, list[int]] = {}
    for k, j in right:
        by_row.setdefault(k, []).append(j)
    return frozenset((i, j) for i, k in left for j in by_row.get(k, ()))


def same_as_two_factor(chain: ChainPattern, pattern: Pattern) -> str | None:
    """Why the two-factor ``pattern`` is not the chain ``W_1 W_2`` as ``(I, J) = (I_1, I_2ᵀ)`` (None if it is)."""
    if chain.length != 2:
        return f"the chain has {chain.length} factors, a two-factor pattern needs 2"
    if (pattern.m, pattern.r, pattern.n) != chain.dims:
        return f"pattern {pattern.m}×{pattern.n} with r = {pattern.r}, the chain has dims {'×'.join(map(str, chain.dims))}"
    if pattern.I != chain.factors[0]:
        return "its I is not W_1's support"
    if pattern.J != frozenset((b, a) for a, b in chain.factors[1]):
        return "its J is not the transpose of W_2's support"
    return None
