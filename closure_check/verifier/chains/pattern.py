"""The support pattern of a chain certificate: ``I_1, …, I_N`` as sets of nonzero positions.

Factor ℓ is ``r_{ℓ-1} × r_ℓ`` and ``P = {W_1 ⋯ W_N : supp W_ℓ ⊆ I_ℓ}``; the JSON form is
``{"dims": [r_0, …, r_N], "factors": [[[a, b], …] per factor]}``, a factor being also
encoded, in version 2, by its Kronecker parameters or its column index arrays.

>>> lu = parse_chain({"dims": [2, 2, 2], "factors": [[[0, 0], [1, 0], [1, 1]], [[0, 0], [0, 1], [1, 1]]]})
>>> lu.length, lu.shape, sorted(boolean_product(*lu.factors))
(2, (2, 2), [(0, 0), (0, 1), (1, 0), (1, 1)])
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain, repeat
from typing import Any

from ..parse import Malformed, field, integer
from ..pattern import (
    MAX_SIDE,
    Pattern,
    Side,
    kronecker_parameters,
    kronecker_side,
    parse_pairs,
    parse_side,
    side_from_pairs,
)

__all__ = ["ChainPattern", "Entries", "boolean_product", "parse_chain", "same_as_two_factor"]

Entries = frozenset[tuple[int, int]]

MAX_FACTORS = 10**4


class ChainPattern:
    """``dims = (r_0, …, r_N)`` and ``factors[ℓ-1]``, the nonzero positions ``(a, b)`` of ``I_ℓ``.

    ``kronecker[ℓ-1]`` is ``(a, b, c, d)`` when the certificate gave ``I_ℓ`` by its
    Kronecker parameters (version 2), else None.  The positions of encoded factors are
    expanded only if something asks for ``factors``: a chainable Kronecker-sparse chain
    is checked from its parameters alone.
    """

    def __init__(self, dims: tuple[int, ...], factors: tuple[Entries, ...] | None = None,
                 kronecker: tuple[tuple[int, int, int, int] | None, ...] | None = None,
                 expand: Callable[[], tuple[Entries, ...]] | None = None):
        self.dims = tuple(dims)
        self._factors = None if factors is None else tuple(factors)
        self._expand = expand
        self.kronecker = kronecker if kronecker is not None else (None,) * (len(self.dims) - 1)

    @property
    def factors(self) -> tuple[Entries, ...]:
        """The supports ``I_1, …, I_N`` as sets of positions."""
        if self._factors is None:
            assert self._expand is not None
            self._factors = self._expand()
        return self._factors

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChainPattern) and self.dims == other.dims and self.factors == other.factors

    __hash__ = None  # type: ignore[assignment]

    @property
    def length(self) -> int:
        """The number N of factors."""
        return len(self.dims) - 1

    @property
    def shape(self) -> tuple[int, int]:
        """``(r_0, r_N)``, the shape of the product."""
        return (self.dims[0], self.dims[-1])

    def describe(self) -> str:
        """``'N = 3 factors, dims 2×2×3×2'``."""
        return f"N = {self.length} factor{'s' if self.length != 1 else ''}, dims {'×'.join(map(str, self.dims))}"


def _entries(side: Side) -> Entries:
    """The positions ``(row, column)`` of a factor read column by column."""
    return frozenset(chain.from_iterable(zip(side.of(k), repeat(k)) for k in range(side.r)))


def parse_chain(obj: Any, where: str = "chain", version: int = 1) -> ChainPattern:
    """Read ``{"dims", "factors"}``; raise :class:`Malformed` on any inconsistency.

    Checked: at least one factor, ``len(dims) = N + 1``, every position of factor ℓ
    inside ``r_{ℓ-1} × r_ℓ``, no position listed twice.  A factor is a list of
    ``[row, column]`` pairs or (version 2) a ``columns`` or ``kronecker`` encoding
    (:func:`..pattern.parse_side`, with the factor's columns in the place of units).
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
    pending: list[Entries | Side | tuple[int, int, int, int]] = []
    for p, raw in enumerate(raw_factors):
        at = f"{where}.factors[{p}]"
        if isinstance(raw, list):
            pending.append(parse_pairs(raw, at, (dims[p], dims[p + 1]), "row, column"))
        elif isinstance(raw, dict) and raw.get("encoding") == "kronecker" and version >= 2:
            pending.append(kronecker_parameters(raw, at, dims[p], dims[p + 1]))  # expanded on demand
        else:
            pending.append(parse_side(raw, at, dims[p], dims[p + 1], version, "row, column"))
    if all(isinstance(item, frozenset) for item in pending):
        return ChainPattern(dims, tuple(pending))  # type: ignore[arg-type]
    kronecker = tuple(item if isinstance(item, tuple) else None for item in pending)

    def expand() -> tuple[Entries, ...]:
        return tuple(
            item if isinstance(item, frozenset) else _entries(kronecker_side(item) if isinstance(item, tuple) else item)
            for item in pending
        )

    return ChainPattern(dims, kronecker=kronecker, expand=expand)


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
    if pattern.I != side_from_pairs(chain.factors[0], pattern.m, pattern.r):
        return "its I is not W_1's support"
    if pattern.J != side_from_pairs(frozenset((b, a) for a, b in chain.factors[1]), pattern.n, pattern.r):
        return "its J is not the transpose of W_2's support"
    return None
