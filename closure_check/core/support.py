"""Support patterns: the two-factor pair ``(I, J)`` and the N-factor chain.

A *support* is a 0/1 matrix; a factor "respects" it when its nonzero entries lie where
the support has a 1.  Two conventions are used in the literature and both are kept
here, each in its own type, so that no function has to guess:

* :class:`TwoFactorSupport` -- the papers' convention ``X Yᵀ`` [SIMAX, NeurIPS]:
  ``I`` is m×r, ``J`` is n×r, and ``P_{I,J} = {X Yᵀ : supp X ⊆ I, supp Y ⊆ J}``.
  Column k of ``I`` and ``J`` is *unit* k.
* :class:`ChainSupport` -- the chain convention ``W_1 W_2 ⋯ W_N`` with ``W_ℓ`` of size
  ``r_{ℓ-1} × r_ℓ``, and ``P_{I_1..I_N} = {W_1 ⋯ W_N : supp W_ℓ ⊆ I_ℓ}``.

With two factors ``W_1 = X`` and ``W_2 = Yᵀ``, so ``I_1 = I`` and ``I_2 = Jᵀ``
(``docs/theory.md``, "Objects"); :meth:`TwoFactorSupport.to_chain` and
:meth:`ChainSupport.to_two_factor` convert exactly.

Factors are stored as canonical ``scipy.sparse.csr_array`` of dtype ``int8`` (sorted
indices, no duplicates, every stored value 1), so patterns with millions of nonzeros
fit, and two supports compare equal exactly when their patterns do.

>>> import numpy as np
>>> lu = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
>>> lu.shape, lu.rank
((2, 2), 2)
>>> lu.to_chain().factors[1].toarray().tolist()
[[1, 1], [0, 1]]

References
----------
[SIMAX] Q.-T. Le, E. Riccietti, R. Gribonval, SIAM J. Matrix Anal. Appl. 44(2), 2023,
arXiv:2112.00386.  [NeurIPS] the same authors, NeurIPS 2023, arXiv:2306.02666.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = [
    "MAX_DIMENSIONS",
    "MAX_NONZEROS",
    "SupportError",
    "TwoFactorSupport",
    "ChainSupport",
    "DIMENSIONS_PER_NONZERO",
    "as_support_matrix",
    "product_support",
    "size_problem",
]

SupportMatrix = sp.csr_array

MAX_DIMENSIONS = 10**7
"""Largest number of rows and columns of a support, added up over its factors, unless it
has many nonzeros too (:data:`DIMENSIONS_PER_NONZERO`).

A CSR factor stores ``rows + 1`` offsets however few nonzeros it has, and deciding a
support keeps a few arrays per row and column of every factor (about 80 bytes each), so
this bounds the memory a support costs beyond its nonzeros to under a gigabyte.  File
readers and :mod:`closure_check.families` check it before allocating anything
(``docs/formats.md``, "Limits")."""

DIMENSIONS_PER_NONZERO = 2
"""Past :data:`MAX_DIMENSIONS`, a support may have up to this many rows and columns per
nonzero: its memory then follows its nonzeros (a 20-factor butterfly chain of size 2^20
has 4.2·10^7 rows and columns and as many nonzeros), while a declared shape far beyond
its nonzeros (10^8 × 2 with one nonzero) is still refused before anything is allocated."""

MAX_NONZEROS = 2 * 10**8
"""Largest number of nonzeros of a support, added up over its factors (same checks)."""


def _count(value: int) -> str:
    """``value`` in a message; absurd sizes as a power of ten (str() refuses > 4300 digits)."""
    if value.bit_length() > 200:
        return f"more than 10^{int(value.bit_length() * 0.30103)}"
    return str(value)


def size_problem(shapes: Iterable[tuple[int, int]], nnz: int = 0) -> str | None:
    """Why factors of these ``(rows, cols)`` shapes and ``nnz`` nonzeros in all exceed the limits.

    Returns ``None`` when they fit: ``Σ (rows + cols) ≤ max(``:data:`MAX_DIMENSIONS`,
    :data:`DIMENSIONS_PER_NONZERO` ``· nnz)`` and ``nnz ≤`` :data:`MAX_NONZEROS`.  Python
    integers, so any declared size is safe to pass.

    >>> size_problem([(10**8, 2), (2, 2)])
    '100000006 rows and columns in all, more than the limit of 10000000'
    >>> size_problem([(3, 3)], nnz=9) is None
    True
    >>> size_problem([(2**20, 2**20)] * 20, nnz=20 * 2**21) is None  # memory follows the nonzeros
    True
    """
    total = sum(int(m) + int(n) for m, n in shapes)
    limit = max(MAX_DIMENSIONS, DIMENSIONS_PER_NONZERO * int(nnz))
    if total > limit:
        return f"{_count(total)} rows and columns in all, more than the limit of {_count(limit)}"
    if nnz > MAX_NONZEROS:
        return f"{_count(int(nnz))} nonzeros in all, more than the limit of {MAX_NONZEROS}"
    return None


class SupportError(ValueError):
    """A support is not a valid 0/1 pattern, or factors do not fit together."""


def as_support_matrix(data: object, what: str = "support") -> SupportMatrix:
    """Return ``data`` as a canonical 0/1 ``csr_array`` of dtype int8.

    Accepts a nested sequence, a NumPy array or a SciPy sparse matrix/array.  Every
    entry must be 0 or 1 (a sparse input must not store duplicate entries).

    Raises
    ------
    SupportError
        If the input is not two-dimensional or holds an entry other than 0 and 1.
    """
    if sp.issparse(data):
        matrix = sp.csr_array(data, copy=True)
        if matrix.ndim != 2:
            raise SupportError(f"{what} must be a matrix, got {matrix.ndim} dimensions")
        if not np.all((matrix.data == 0) | (matrix.data == 1)):
            raise SupportError(f"{what} has an entry other than 0 and 1")
        matrix.sum_duplicates()
        if np.any(matrix.data > 1):
            raise SupportError(f"{what} has a duplicate entry")
    else:
        array = np.asarray(data)
        if array.ndim != 2:
            raise SupportError(f"{what} must be a matrix, got {array.ndim} dimensions")
        if array.dtype == object or not np.all((array == 0) | (array == 1)):
            raise SupportError(f"{what} has an entry other than 0 and 1")
        matrix = sp.csr_array(array.astype(np.int8))
    matrix.eliminate_zeros()
    matrix.sort_indices()
    matrix.data = np.ones(matrix.nnz, dtype=np.int8)
    return matrix


def _index_bytes(matrix: SupportMatrix) -> bytes:
    """The column indices as int64 bytes, whatever index dtype SciPy chose (for hashing)."""
    return matrix.indices.astype(np.int64, copy=False).tobytes()


def _same_pattern(a: SupportMatrix, b: SupportMatrix) -> bool:
    return (
        a.shape == b.shape
        and a.nnz == b.nnz
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
    )


def _require_canonical(matrix: object, what: str) -> None:
    """The O(1) part of the :meth:`TwoFactorSupport.from_canonical` contract: type and dtype."""
    if not isinstance(matrix, sp.csr_array) or matrix.dtype != np.int8:
        raise TypeError(f"{what} must be an int8 csr_array in canonical form, got {type(matrix).__name__}")


def _check_chain(factors: tuple[SupportMatrix, ...]) -> None:
    if not factors:
        raise SupportError("a chain needs at least one factor")
    for index in range(len(factors) - 1):
        left, right = factors[index], factors[index + 1]
        if left.shape[1] != right.shape[0]:
            raise SupportError(
                f"W{index + 1} has {left.shape[1]} columns but W{index + 2} has "
                f"{right.shape[0]} rows: inner dimensions must agree"
            )


@dataclass(frozen=True, eq=False)
class TwoFactorSupport:
    """Supports ``(I, J)`` of ``X`` (m×r) and ``Y`` (n×r) in the product ``X Yᵀ``.

    Parameters
    ----------
    I, J
        0/1 matrices with the same number of columns r (the number of units).

    Raises
    ------
    SupportError
        If an entry is not 0/1 or the column counts differ.
    """

    I: SupportMatrix
    J: SupportMatrix

    def __post_init__(self) -> None:
        object.__setattr__(self, "I", as_support_matrix(self.I, "I"))
        object.__setattr__(self, "J", as_support_matrix(self.J, "J"))
        self._check_units()

    def _check_units(self) -> None:
        if self.I.shape[1] != self.J.shape[1]:
            raise SupportError(
                f"I has {self.I.shape[1]} columns and J has {self.J.shape[1]}: "
                "X Yᵀ needs the same number r of columns in both"
            )

    @classmethod
    def from_canonical(cls, I: SupportMatrix, J: SupportMatrix) -> "TwoFactorSupport":
        """Wrap factors already in the form :func:`as_support_matrix` returns, without a second pass.

        For readers and builders that have just validated fresh arrays in one linear pass
        (:mod:`closure_check.io`): the caller guarantees that ``I`` and ``J`` are int8
        ``csr_array`` with sorted indices, no duplicates and every stored value 1, and hands
        them over (nobody modifies them afterwards).  Nothing is copied or re-validated;
        only the types and the numbers of columns are checked.

        Raises
        ------
        SupportError
            If the column counts differ.
        """
        _require_canonical(I, "I")
        _require_canonical(J, "J")
        support = object.__new__(cls)
        object.__setattr__(support, "I", I)
        object.__setattr__(support, "J", J)
        support._check_units()
        return support

    @classmethod
    def from_dense(cls, I: Sequence[Sequence[int]], J: Sequence[Sequence[int]]) -> "TwoFactorSupport":
        """Build from nested lists or arrays of 0/1 entries."""
        return cls(np.asarray(I), np.asarray(J))

    @property
    def shape(self) -> tuple[int, int]:
        """Shape ``(m, n)`` of the product ``X Yᵀ``."""
        return (self.I.shape[0], self.J.shape[0])

    @property
    def rank(self) -> int:
        """Number r of units (columns of ``I`` and ``J``)."""
        return self.I.shape[1]

    @property
    def nnz(self) -> int:
        """``nnz(I) + nnz(J)``: the number of free parameters."""
        return self.I.nnz + self.J.nnz

    def to_chain(self) -> "ChainSupport":
        """The same set as a chain ``W_1 W_2`` with ``I_1 = I``, ``I_2 = Jᵀ``."""
        return ChainSupport((self.I, self.J.T))

    def transpose(self) -> "TwoFactorSupport":
        """Supports of ``(X Yᵀ)ᵀ = Y Xᵀ``, i.e. ``(J, I)``."""
        return TwoFactorSupport(self.J, self.I)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TwoFactorSupport):
            return NotImplemented
        return _same_pattern(self.I, other.I) and _same_pattern(self.J, other.J)

    def __hash__(self) -> int:
        # int64 bytes: equal supports (``__eq__`` compares values, not index dtypes) hash equally
        return hash((self.I.shape, self.J.shape, _index_bytes(self.I), _index_bytes(self.J)))

    def __repr__(self) -> str:
        m, n = self.shape
        return f"TwoFactorSupport(m={m}, n={n}, r={self.rank}, nnz={self.nnz})"


@dataclass(frozen=True, eq=False)
class ChainSupport:
    """Supports ``I_1, …, I_N`` of the chain ``W_1 W_2 ⋯ W_N``.

    Parameters
    ----------
    factors
        0/1 matrices; factor ℓ is ``r_{ℓ-1} × r_ℓ``, so the column count of each factor
        equals the row count of the next.

    Raises
    ------
    SupportError
        If there is no factor, an entry is not 0/1, or inner dimensions disagree.
    """

    factors: tuple[SupportMatrix, ...]

    def __post_init__(self) -> None:
        factors = tuple(
            as_support_matrix(f, f"W{index}") for index, f in enumerate(self.factors, start=1)
        )
        _check_chain(factors)
        object.__setattr__(self, "factors", factors)

    @classmethod
    def from_canonical(cls, factors: Sequence[SupportMatrix]) -> "ChainSupport":
        """Wrap factors already in the form :func:`as_support_matrix` returns, without a second pass.

        The contract of :meth:`TwoFactorSupport.from_canonical`: nothing is copied or
        re-validated, only the types and the inner dimensions are checked.

        Raises
        ------
        SupportError
            If there is no factor or inner dimensions disagree.
        """
        factors = tuple(factors)
        for index, factor in enumerate(factors, start=1):
            _require_canonical(factor, f"W{index}")
        _check_chain(factors)
        chain = object.__new__(cls)
        object.__setattr__(chain, "factors", factors)
        return chain

    @classmethod
    def from_dense(cls, factors: Iterable[Sequence[Sequence[int]]]) -> "ChainSupport":
        """Build from nested lists or arrays of 0/1 entries."""
        return cls(tuple(np.asarray(f) for f in factors))

    @property
    def length(self) -> int:
        """Number N of factors."""
        return len(self.factors)

    @property
    def shape(self) -> tuple[int, int]:
        """Shape ``(r_0, r_N)`` of the product."""
        return (self.factors[0].shape[0], self.factors[-1].shape[1])

    @property
    def dims(self) -> tuple[int, ...]:
        """``(r_0, r_1, …, r_N)``."""
        return (self.factors[0].shape[0],) + tuple(f.shape[1] for f in self.factors)

    @property
    def nnz(self) -> int:
        """Total number of free parameters."""
        return sum(f.nnz for f in self.factors)

    def to_two_factor(self) -> TwoFactorSupport:
        """For N = 2: the pair ``(I, J) = (I_1, I_2ᵀ)``.

        Raises
        ------
        SupportError
            If the chain does not have exactly two factors.
        """
        if self.length != 2:
            raise SupportError(f"only a chain of 2 factors is a two-factor support, this one has {self.length}")
        return TwoFactorSupport(self.factors[0], self.factors[1].T)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChainSupport):
            return NotImplemented
        return self.length == other.length and all(
            _same_pattern(a, b) for a, b in zip(self.factors, other.factors)
        )

    def __hash__(self) -> int:
        return hash(tuple((f.shape, _index_bytes(f)) for f in self.factors))

    def __repr__(self) -> str:
        return f"ChainSupport(N={self.length}, dims={self.dims}, nnz={self.nnz})"


def product_support(left: SupportMatrix, right: SupportMatrix) -> SupportMatrix:
    """Support of the boolean product: entry (i, j) is 1 iff some k has both 1s.

    This is the largest support a product ``W_1 W_2`` of respecting factors can have;
    generic factors attain it.
    """
    product = (left.astype(np.int64) @ right.astype(np.int64)).tocsr()
    product.data = np.ones_like(product.data)
    return as_support_matrix(product)

