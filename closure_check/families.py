"""Named families of supports: dense, LU, banded, random, butterfly, Monarch, ….

Each builder returns a :class:`~closure_check.core.support.TwoFactorSupport` (convention
``X Yᵀ``: ``I`` is m×r, ``J`` is n×r) or a :class:`~closure_check.core.support.ChainSupport`
(convention ``W_1 W_2 ⋯ W_N``, factor ℓ of size ``r_{ℓ-1} × r_ℓ``), built directly as
sparse 0/1 matrices, so that patterns with tens of millions of nonzeros are cheap.

Kronecker-sparse patterns follow [ZRG, BF]: a quadruple ``(a, b, c, d)`` of positive
integers denotes the support ``I_a ⊗ 1_{b×c} ⊗ I_d``, of size ``abd × acd`` with ``abcd``
nonzeros.  The square dyadic butterfly of size
``N = 2^L`` is the chain whose factor ℓ = 1, …, L is ``(2^{ℓ-1}, 2, 2, 2^{L-ℓ})``
[Dao 2019, ZRG]; Monarch of size ``n = m²`` is ``(1, m, m, m), (m, m, m, 1)``
[Dao 2022]; a deformable butterfly is any chain of such quadruples whose sizes fit.

:data:`FAMILIES` registers every family under a command-line name, and
:func:`build_family` turns a name and string arguments into a
:class:`~closure_check.core.case.Case`.

>>> butterfly_chain(2).dims
(4, 4, 4)
>>> kronecker_pattern(2, 1, 2, 1).toarray().tolist()
[[1, 1, 0, 0], [0, 0, 1, 1]]
>>> lu(2).I.toarray().tolist()
[[1, 0], [1, 1]]
>>> case = build_family("butterfly-split", ["3", "1"])
>>> case.name, case.support.shape, case.support.rank
('butterfly-split-L3-l1', (8, 8), 8)

References
----------
[ZRG] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly
sparse matrix factorizations", SIAM J. Math. Data Sci. 2023, arXiv:2110.01230.
[BF] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with
error guarantees", arXiv:2411.04506.
[Dao 2019] T. Dao, A. Gu, M. Eichhorn, A. Rudra, C. Ré, "Learning fast algorithms for
linear transforms using butterfly factorizations", ICML 2019, arXiv:1903.05895.
[Dao 2020] T. Dao, N. Sohoni, A. Gu, M. Eichhorn, A. Blonder, M. Leszczynski, A. Rudra,
C. Ré, "Kaleidoscope: an efficient, learnable representation for all structured linear
maps", ICLR 2020, arXiv:2012.14966.
[Mishra 2021] A. Mishra, J. A. Latorre, J. Pool, D. Stosic, D. Stosic, G. Venkatesh, C. Yu,
P. Micikevicius, "Accelerating sparse deep neural networks", arXiv:2104.08378.
[Dao 2022] T. Dao, B. Chen, N. Sohoni, A. Desai, M. Poli, J. Grogan, A. Liu, A. Rao,
A. Rudra, C. Ré, "Monarch: expressive structured matrices for efficient and accurate
training", ICML 2022, arXiv:2204.00595.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from closure_check.core.case import Case, Support
from closure_check.core.support import (
    ChainSupport,
    SupportError,
    SupportMatrix,
    TwoFactorSupport,
    size_problem,
)

__all__ = [
    "kronecker_pattern",
    "dense",
    "diagonal",
    "block_diagonal",
    "lu",
    "banded",
    "random_k_sparse",
    "n_of_m",
    "sparse_lowrank",
    "butterfly_chain",
    "butterfly_split",
    "monarch",
    "monarch_chain",
    "deformable_butterfly",
    "kaleidoscope",
    "Family",
    "FamilyError",
    "FAMILIES",
    "build_family",
]


# --------------------------------------------------------------------------- helpers


def _integer(value: object, name: str, minimum: int) -> int:
    """Return ``value`` as an ``int`` ``≥ minimum``, or raise a one-line SupportError."""
    if isinstance(value, bool):
        raise SupportError(f"{name} must be an integer, got {value!r}")
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise SupportError(f"{name} must be an integer, got {value!r}") from None
    if number.bit_length() > 200:
        raise SupportError(f"{name} is too large (more than 60 digits)")
    if number < minimum:
        kind = {0: "a non-negative integer", 1: "a positive integer"}.get(minimum, f"an integer ≥ {minimum}")
        raise SupportError(f"{name} must be {kind}, got {number}")
    return number


def _check_size(what: str, shapes: Sequence[tuple[int, int]], nnz: int) -> None:
    """Refuse, before anything is allocated, a support beyond the limits of :mod:`closure_check.core.support`.

    ``shapes`` are the factors' ``(rows, cols)`` and ``nnz`` their nonzeros in all,
    computed from the arguments alone (Python integers: no overflow).
    """
    problem = size_problem(shapes, nnz)
    if problem:
        raise SupportError(f"{what} would have {problem} (docs/formats.md, Limits)")


def _power_of_two(L: int, name: str = "L") -> int:
    """``2**L``, refusing an exponent whose power could not be a dimension (before computing it)."""
    if L > 62:
        raise SupportError(
            f"{name} = {L} would give matrices of 2^{L} rows, more than the limit of rows and "
            "columns in all (docs/formats.md, Limits)"
        )
    return 2**L


_SHUFFLE_BLOCK = 10**7
"""Entries shuffled at once by :func:`_many_subsets` (bounds its scratch memory)."""


def _index_dtype(*bounds: int) -> type:
    """Smallest of int32/int64 holding every bound (SciPy's choice for index arrays)."""
    return np.int32 if max(bounds, default=0) < np.iinfo(np.int32).max else np.int64


def _csr(indptr: np.ndarray, indices: np.ndarray, shape: tuple[int, int]) -> SupportMatrix:
    """Canonical 0/1 ``csr_array`` from row pointers and (sorted, distinct) column indices."""
    dtype = _index_dtype(indices.size, shape[1])
    matrix = sp.csr_array(
        (np.ones(indices.size, dtype=np.int8), indices.astype(dtype, copy=False), indptr.astype(dtype, copy=False)),
        shape=shape,
    )
    matrix.has_sorted_indices = True
    matrix.has_canonical_format = True
    return matrix


def _row_ranges(starts: np.ndarray, stops: np.ndarray, n_cols: int) -> SupportMatrix:
    """0/1 matrix whose row i is 1 exactly on the columns ``starts[i] ≤ j < stops[i]``."""
    lengths = (stops - starts).astype(np.int64)
    indptr = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    offsets = np.arange(indptr[-1], dtype=np.int64) - np.repeat(indptr[:-1], lengths)
    return _csr(indptr, np.repeat(starts.astype(np.int64), lengths) + offsets, (lengths.size, n_cols))


def _ones_block_diagonal(rows: Sequence[int], cols: Sequence[int]) -> SupportMatrix:
    """``blockdiag(1_{rows[0]×cols[0]}, 1_{rows[1]×cols[1]}, …)``."""
    rows_arr = np.asarray(rows, dtype=np.int64)
    cols_arr = np.asarray(cols, dtype=np.int64)
    col_offsets = np.concatenate(([0], np.cumsum(cols_arr)))
    starts = np.repeat(col_offsets[:-1], rows_arr)
    return _row_ranges(starts, starts + np.repeat(cols_arr, rows_arr), int(col_offsets[-1]))


# --------------------------------------------------------------------------- patterns


def kronecker_pattern(a: int, b: int, c: int, d: int) -> SupportMatrix:
    """The Kronecker-sparse support ``I_a ⊗ 1_{b×c} ⊗ I_d``.

    Parameters
    ----------
    a, b, c, d
        Positive integers.

    Returns
    -------
    scipy.sparse.csr_array
        Canonical int8 0/1 matrix of size ``abd × acd`` with ``abcd`` nonzeros: entry
        ``(α b d + β d + δ, α' c d + γ d + δ')`` is 1 iff ``α = α'`` and ``δ = δ'``.

    Raises
    ------
    SupportError
        If an argument is not a positive integer.

    Notes
    -----
    Built row by row without any dense intermediate: row ``(α, β, δ)`` holds the c
    columns ``α c d + γ d + δ``, γ = 0, …, c−1, already sorted.  Time and memory are
    O(abcd).

    References
    ----------
    [ZRG] Zheng, Riccietti, Gribonval, arXiv:2110.01230, Definition of "(a,b,c,d)"
    supports; [BF] Le, Zheng, Riccietti, Gribonval, arXiv:2411.04506.
    """
    a, b, c, d = (_integer(v, name, 1) for v, name in zip((a, b, c, d), "abcd"))
    n_rows, n_cols, nnz = a * b * d, a * c * d, a * b * c * d
    _check_size(f"the pattern ({a}, {b}, {c}, {d})", [(n_rows, n_cols)], nnz)
    dtype = _index_dtype(nnz, n_cols)
    alpha = np.arange(a, dtype=dtype).reshape(a, 1, 1, 1) * dtype(c * d)
    delta = np.arange(d, dtype=dtype).reshape(1, 1, d, 1)
    gamma = np.arange(c, dtype=dtype).reshape(1, 1, 1, c) * dtype(d)
    indices = np.empty((a, b, d, c), dtype=dtype)
    np.add(alpha + delta, gamma, out=indices)  # broadcast over β
    indptr = np.arange(0, nnz + 1, c, dtype=dtype)
    return _csr(indptr, indices.reshape(-1), (n_rows, n_cols))


def dense(m: int, n: int, r: int) -> TwoFactorSupport:
    """Dense factors: ``I = 1_{m×r}``, ``J = 1_{n×r}``, so ``P`` is the rank-≤ r matrices.

    Raises
    ------
    SupportError
        If an argument is not a positive integer.

    Notes
    -----
    All r units share the full rectangle, so ``P`` is the set of m×n matrices of rank
    ≤ r, which is closed (``docs/theory.md``, "Structural lemma").
    """
    m, n, r = _integer(m, "m", 1), _integer(n, "n", 1), _integer(r, "r", 1)
    _check_size(f"the dense factors {m} x {r} and {n} x {r}", [(m, r), (n, r)], (m + n) * r)
    return TwoFactorSupport(kronecker_pattern(1, m, r, 1), kronecker_pattern(1, n, r, 1))


def diagonal(n: int) -> TwoFactorSupport:
    """``I = J = identity_n``: ``P`` is the space of n×n diagonal matrices.

    Raises
    ------
    SupportError
        If n is not a positive integer.
    """
    n = _integer(n, "n", 1)
    _check_size(f"the diagonal factors {n} x {n}", [(n, n), (n, n)], 2 * n)
    identity = kronecker_pattern(n, 1, 1, 1)
    return TwoFactorSupport(identity, identity)


def block_diagonal(blocks: Sequence[tuple[int, int, int]]) -> TwoFactorSupport:
    """Independent dense blocks: ``I = blockdiag(1_{m_b×r_b})``, ``J = blockdiag(1_{n_b×r_b})``.

    Parameters
    ----------
    blocks
        Non-empty sequence of triples ``(m_b, n_b, r_b)`` of positive integers.

    Returns
    -------
    TwoFactorSupport
        ``P`` is the set of block-diagonal matrices whose block b (m_b×n_b) has rank
        ≤ r_b; sizes ``m = Σ m_b``, ``n = Σ n_b``, ``r = Σ r_b``.

    Raises
    ------
    SupportError
        If ``blocks`` is empty or a block is not a triple of positive integers.
    """
    if isinstance(blocks, (str, bytes)) or len(blocks) == 0:
        raise SupportError("blocks must be a non-empty sequence of (m, n, r) triples")
    triples = []
    for index, block in enumerate(blocks):
        if isinstance(block, (str, bytes)) or len(block) != 3:
            raise SupportError(f"block {index} must be a triple (m, n, r), got {block!r}")
        triples.append(tuple(_integer(v, f"block {index} {name}", 1) for v, name in zip(block, ("m", "n", "r"))))
    m_sizes, n_sizes, r_sizes = zip(*triples)
    m, n, r = sum(m_sizes), sum(n_sizes), sum(r_sizes)
    _check_size(f"the block-diagonal factors {m} x {r} and {n} x {r}", [(m, r), (n, r)], sum((a + b) * c for a, b, c in triples))
    return TwoFactorSupport(_ones_block_diagonal(m_sizes, r_sizes), _ones_block_diagonal(n_sizes, r_sizes))


def lu(n: int) -> TwoFactorSupport:
    """LU pattern: ``I = J = `` lower-triangular n×n with diagonal, so ``X Yᵀ = L U``.

    Raises
    ------
    SupportError
        If n is not a positive integer.

    Notes
    -----
    Each factor has ``n(n+1)/2`` nonzeros.  For n ≥ 2 the set of products ``L U`` is not
    closed: it contains every matrix with nonzero leading principal minors, hence is
    dense, but no matrix whose leading 2×2 block is the anti-identity is a product L U.

    References
    ----------
    [SIMAX] Le, Riccietti, Gribonval, arXiv:2112.00386.
    """
    n = _integer(n, "n", 1)
    _check_size(f"the lower-triangular factors {n} x {n}", [(n, n), (n, n)], n * (n + 1))
    rows = np.arange(n, dtype=np.int64)
    lower = _row_ranges(np.zeros(n, dtype=np.int64), rows + 1, n)
    return TwoFactorSupport(lower, lower)


def banded(n: int, bandwidth: int) -> TwoFactorSupport:
    """Banded factors: ``I = J = {(i, k) : |i − k| ≤ bandwidth}``, both n×n.

    Parameters
    ----------
    n
        Positive integer, the size.
    bandwidth
        Non-negative integer w; each factor has ``n(2w+1) − w(w+1)`` nonzeros when
        ``w < n`` (and ``n²`` when ``w ≥ n − 1``).

    Raises
    ------
    SupportError
        If n is not positive or the bandwidth is negative.
    """
    n, bandwidth = _integer(n, "n", 1), _integer(bandwidth, "bandwidth", 0)
    _check_size(f"the banded factors {n} x {n}", [(n, n), (n, n)], 2 * n * min(2 * bandwidth + 1, n))
    rows = np.arange(n, dtype=np.int64)
    band = _row_ranges(np.maximum(rows - bandwidth, 0), np.minimum(rows + bandwidth + 1, n), n)
    return TwoFactorSupport(band, band)


def _distinct(rows: np.ndarray, width: int, sentinel: int) -> tuple[np.ndarray, np.ndarray]:
    """Sort each row, keep one copy of each value, pad with ``sentinel``, cut to ``width``.

    Returns the new rows and, for each, its number of distinct values below ``sentinel``.
    """
    rows.sort(axis=1)
    repeated = np.zeros(rows.shape, dtype=bool)
    repeated[:, 1:] = rows[:, 1:] == rows[:, :-1]
    rows[repeated] = sentinel
    rows.sort(axis=1)
    rows = rows[:, :width]
    return rows, np.count_nonzero(rows < sentinel, axis=1)


def _few_subsets(rng: np.random.Generator, size: int, count: int, k: int) -> np.ndarray:
    """``count × k`` array whose rows are independent uniform k-subsets of ``range(size)``, sorted.

    Each row draws uniform values with replacement until it has seen k distinct ones:
    a first batch of k, then, as often as needed, as many as are still missing.  How
    many values are drawn depends only on how many distinct values were seen, so the law
    of the resulting set is invariant under every permutation of ``range(size)``; being
    supported on k-subsets, it is uniform.  For ``k < size/8`` each batch misses less
    than 1/8 of what it draws, so O(log k) batches suffice.
    """
    rows, found = _distinct(rng.integers(0, size, size=(count, k), dtype=np.int64), k, size)
    pending = np.flatnonzero(found < k)
    while pending.size:
        missing = k - found[pending]
        fresh = rng.integers(0, size, size=(pending.size, int(missing.max())), dtype=np.int64)
        fresh[np.arange(fresh.shape[1]) >= missing[:, None]] = size
        merged, merged_found = _distinct(np.concatenate((rows[pending], fresh), axis=1), k, size)
        rows[pending] = merged
        found[pending] = merged_found
        pending = pending[merged_found < k]
    return rows


def _many_subsets(rng: np.random.Generator, size: int, count: int, k: int) -> np.ndarray:
    """Same law as :func:`_few_subsets`: the first k entries of uniform random permutations.

    Shuffles ``range(size)`` once per row, a bounded number of rows at a time, so the
    work is O(count · size) and the memory O(count · k + _SHUFFLE_BLOCK).
    """
    rows = np.empty((count, k), dtype=np.int64)
    identity = np.arange(size, dtype=_index_dtype(size))
    step = max(1, _SHUFFLE_BLOCK // size)
    for start in range(0, count, step):
        stop = min(count, start + step)
        shuffled = rng.permuted(np.broadcast_to(identity, (stop - start, size)), axis=1)
        rows[start:stop] = np.sort(shuffled[:, :k], axis=1)
    return rows


def _k_subsets(rng: np.random.Generator, size: int, count: int, k: int) -> SupportMatrix:
    """``size × count`` 0/1 matrix whose columns are independent uniform k-subsets."""
    # Below size/8 each refill of _few_subsets misses at most about 1/8 of what it
    # draws, so it needs few rounds; above, shuffling costs at most 8 times the output.
    rows = _few_subsets(rng, size, count, k) if 8 * k < size else _many_subsets(rng, size, count, k)
    indptr = np.arange(0, count * k + 1, k, dtype=np.int64) if k else np.zeros(count + 1, dtype=np.int64)
    by_column = sp.csc_array((np.ones(count * k, dtype=np.int8), rows.reshape(-1), indptr), shape=(size, count))
    return by_column.tocsr()


def random_k_sparse(m: int, n: int, r: int, k: int, seed: int) -> TwoFactorSupport:
    """Random supports with exactly k nonzeros per column of ``I`` (m×r) and ``J`` (n×r).

    Parameters
    ----------
    m, n, r
        Positive integers.
    k
        Nonzeros per column, ``0 ≤ k ≤ min(m, n)``.
    seed
        Non-negative integer for :func:`numpy.random.default_rng`; the same arguments
        always give the same support.

    Returns
    -------
    TwoFactorSupport
        Column j of ``I`` is a uniformly random k-subset of the m rows, independently
        over j; then the same for ``J`` with n rows.

    Raises
    ------
    SupportError
        If an argument is out of range.

    Notes
    -----
    Vectorized over the columns.  When ``k < m/8`` each column draws rows with
    replacement until it holds k distinct ones, all columns at once (expected time
    O(r k log k)); otherwise each column keeps the first k entries of a random
    permutation of the m rows (time O(r m) ≤ O(8 r k)).  Memory O(r k).
    """
    m, n, r = _integer(m, "m", 1), _integer(n, "n", 1), _integer(r, "r", 1)
    k, seed = _integer(k, "k", 0), _integer(seed, "seed", 0)
    if k > min(m, n):
        raise SupportError(f"k must be at most min(m, n) = {min(m, n)}, got {k}")
    _check_size(f"the random factors {m} x {r} and {n} x {r}", [(m, r), (n, r)], 2 * r * k)
    rng = np.random.default_rng(seed)
    return TwoFactorSupport(_k_subsets(rng, m, r, k), _k_subsets(rng, n, r, k))


def _n_of_m_rows(rng: np.random.Generator, rows: int, cols: int, n: int, m: int) -> SupportMatrix:
    """``rows × cols`` 0/1 matrix: in each row, exactly n ones in every group of m consecutive columns."""
    groups = cols // m
    picked = np.sort(np.argsort(rng.random((rows, groups, m)), axis=2)[:, :, :n], axis=2)
    indices = (picked + (np.arange(groups) * m)[None, :, None]).reshape(rows, groups * n)
    indptr = np.arange(0, rows * groups * n + 1, groups * n, dtype=np.int64)
    return _csr(indptr, indices.reshape(-1), (rows, cols))


def n_of_m(n: int, m: int, rows: int, cols: int, seed: int) -> ChainSupport:
    """Two consecutive N:M-sparse layers: ``y = W_2 W_1 x``, x and y in ℝ^rows, cols hidden neurons.

    Parameters
    ----------
    n, m
        ``1 ≤ n ≤ m``: every group of m consecutive weights along a row (the layer's input
        dimension, as NVIDIA's 2:4 sparse tensor cores prune [Mishra 2021]) keeps exactly n.
    rows, cols
        ``W_2`` is ``rows × cols`` (out × in) and ``W_1`` is ``cols × rows``; m must divide
        both.
    seed
        Seed of :func:`numpy.random.default_rng`; each group's n positions are uniform.

    Returns
    -------
    ChainSupport
        ``(M_2, M_1)``, the chain convention of the network's linear map ``W_2 W_1``
        (``docs/formats.md``, Pruning masks), a ``rows × rows`` product.

    >>> chain = n_of_m(2, 4, 4, 8, 0)
    >>> chain.dims, [int(f.sum(axis=1).max()) for f in chain.factors]
    ((4, 8, 4), [4, 2])
    """
    n, m = _integer(n, "N", 1), _integer(m, "M", 1)
    rows, cols, seed = _integer(rows, "rows", 1), _integer(cols, "cols", 1), _integer(seed, "seed", 0)
    if n > m:
        raise SupportError(f"N must be at most M, got N = {n} > M = {m}")
    if rows % m or cols % m:
        raise SupportError(f"M = {m} must divide rows = {rows} and cols = {cols}")
    _check_size(f"the N:M layers {rows} x {cols} and {cols} x {rows}", [(rows, cols), (cols, rows)], 2 * rows * cols * n // m)
    rng = np.random.default_rng(seed)
    outer = _n_of_m_rows(rng, rows, cols, n, m)
    return ChainSupport((outer, _n_of_m_rows(rng, cols, rows, n, m)))


def sparse_lowrank(m: int, n: int, r: int, k: int, seed: int) -> TwoFactorSupport:
    """Sparse plus low rank: ``{L + S : rank L ≤ r, supp S ⊆ Ω}`` on m × n, with k random cells Ω.

    The robust-PCA / matrix-rigidity set (Pixelfly and Scatterbrain train such sums).  As
    a two-factor support: r units on the full rectangle ``[m] × [n]`` (one dense class of
    multiplicity r) and one unit ``{i} × {j}`` for each cell ``(i, j) ∈ Ω`` (a complete
    class: it produces any value there).  Definition: ``docs/theory.md``, §1
    "Sparse plus low rank".

    Parameters
    ----------
    m, n, r
        Positive integers.
    k
        Number of sparse cells, ``0 ≤ k ≤ m n``; Ω is a uniform k-subset of the cells.
    seed
        Seed of :func:`numpy.random.default_rng`.

    >>> s = sparse_lowrank(3, 3, 1, 2, 0)
    >>> s.rank, int(s.I.sum()), int(s.J.sum())
    (3, 5, 5)
    """
    m, n, r = _integer(m, "m", 1), _integer(n, "n", 1), _integer(r, "r", 1)
    k, seed = _integer(k, "k", 0), _integer(seed, "seed", 0)
    if k > m * n:
        raise SupportError(f"k must be at most m·n = {m * n}, got {k}")
    _check_size(f"the sparse-plus-low-rank factors {m} x {r + k} and {n} x {r + k}", [(m, r + k), (n, r + k)], (m + n) * r + 2 * k)
    cells = np.sort(np.random.default_rng(seed).choice(m * n, size=k, replace=False))

    def side(size: int, lines: np.ndarray) -> SupportMatrix:
        dense = sp.csr_array(np.ones((size, r), dtype=np.int8))
        cells_part = sp.csr_array((np.ones(k, dtype=np.int8), (lines, np.arange(k))), shape=(size, k))
        return sp.hstack([dense, cells_part], format="csr").astype(np.int8)

    return TwoFactorSupport(side(m, cells // n), side(n, cells % n))


def _butterfly_factors(L: int) -> list[SupportMatrix]:
    return [kronecker_pattern(2 ** (ell - 1), 2, 2, 2 ** (L - ell)) for ell in range(1, L + 1)]


def butterfly_chain(L: int) -> ChainSupport:
    """Square dyadic butterfly of size ``N = 2^L``: L factors, factor ℓ ``(2^{ℓ-1}, 2, 2, 2^{L-ℓ})``.

    Raises
    ------
    SupportError
        If L is not a positive integer.

    Notes
    -----
    Every factor is N×N with 2N nonzeros.  The chain is "chainable" [ZRG]: any product
    of consecutive factors ``W_i ⋯ W_j`` has support ``(2^{i-1}, 2^{j-i+1}, 2^{j-i+1},
    2^{L-j})``, and the set of products is closed [BF].

    References
    ----------
    [Dao 2019] arXiv:1903.05895; [ZRG] arXiv:2110.01230; [BF] arXiv:2411.04506.
    """
    L = _integer(L, "L", 1)
    size = _power_of_two(L)
    _check_size(f"the butterfly of size 2^{L} ({L} factors of {size} x {size})", [(size, size)] * L, 2 * L * size)
    return ChainSupport(tuple(_butterfly_factors(L)))


def butterfly_split(L: int, ell: int) -> TwoFactorSupport:
    """Two-factor problem ``(W_1 ⋯ W_ell)(W_{ell+1} ⋯ W_L)`` of the hierarchical algorithm.

    Parameters
    ----------
    L
        Integer ≥ 2: the butterfly has size ``N = 2^L``.
    ell
        Split point, ``1 ≤ ell ≤ L − 1``.

    Returns
    -------
    TwoFactorSupport
        ``I = I_1 ⊗ 1_{2^ell × 2^ell} ⊗ I_{2^{L-ell}}`` and ``J`` the transpose of
        ``I_{2^ell} ⊗ 1_{2^{L-ell} × 2^{L-ell}} ⊗ I_1``: the boolean products of the
        butterfly factors on each side of the split (:func:`butterfly_chain`).

    Raises
    ------
    SupportError
        If L or ell is out of range.

    Notes
    -----
    The rectangles of the N units are pairwise disjoint or identical, which makes the
    split closed [BF].  The transpose of ``I_a ⊗ 1_{b×c} ⊗ I_d``
    is ``I_a ⊗ 1_{c×b} ⊗ I_d``, which gives ``J`` directly.

    References
    ----------
    [ZRG] arXiv:2110.01230; [BF] arXiv:2411.04506.
    """
    L = _integer(L, "L", 2)
    ell = _integer(ell, "ell", 1)
    if ell > L - 1:
        raise SupportError(f"ell must be between 1 and L - 1 = {L - 1}, got {ell}")
    size = _power_of_two(L)
    left, right = 2**ell, 2 ** (L - ell)
    _check_size(f"the split of the butterfly of size 2^{L} ({size} x {size} factors)", [(size, size)] * 2, size * (left + right))
    return TwoFactorSupport(kronecker_pattern(1, left, left, right), kronecker_pattern(left, right, right, 1))


def monarch_chain(m: int) -> ChainSupport:
    """Monarch pattern of size ``n = m²``: the chain ``(1, m, m, m), (m, m, m, 1)``.

    Raises
    ------
    SupportError
        If m is not a positive integer.

    References
    ----------
    [Dao 2022] arXiv:2204.00595; as Kronecker-sparse patterns [BF] arXiv:2411.04506.
    """
    m = _integer(m, "m", 1)
    _check_size(f"Monarch of size {m}^2 ({m * m} x {m * m} factors)", [(m * m, m * m)] * 2, 2 * m**3)
    return ChainSupport((kronecker_pattern(1, m, m, m), kronecker_pattern(m, m, m, 1)))


def monarch(m: int) -> TwoFactorSupport:
    """:func:`monarch_chain` as a two-factor support: ``I = W_1``, ``J = W_2ᵀ``.

    Raises
    ------
    SupportError
        If m is not a positive integer.
    """
    return monarch_chain(m).to_two_factor()


def deformable_butterfly(patterns: Sequence[tuple[int, int, int, int]]) -> ChainSupport:
    """Deformable butterfly: one Kronecker-sparse factor ``(a, b, c, d)`` per pattern.

    Parameters
    ----------
    patterns
        Non-empty sequence of quadruples of positive integers; factor ℓ is
        ``I_a ⊗ 1_{b×c} ⊗ I_d`` (``abd × acd``), so consecutive patterns must satisfy
        ``a_ℓ c_ℓ d_ℓ = a_{ℓ+1} b_{ℓ+1} d_{ℓ+1}``.

    Raises
    ------
    SupportError
        If ``patterns`` is empty, a pattern is not four positive integers, or
        consecutive sizes do not match.

    References
    ----------
    [BF] arXiv:2411.04506; [ZRG] arXiv:2110.01230.
    """
    if isinstance(patterns, (str, bytes)) or len(patterns) == 0:
        raise SupportError("patterns must be a non-empty sequence of (a, b, c, d) quadruples")
    checked: list[tuple[int, int, int, int]] = []
    for index, pattern in enumerate(patterns, start=1):
        if isinstance(pattern, (str, bytes)) or len(pattern) != 4:
            raise SupportError(f"pattern {index} must be a quadruple (a, b, c, d), got {pattern!r}")
        a, b, c, d = (_integer(v, f"pattern {index} {name}", 1) for v, name in zip(pattern, "abcd"))
        if checked:
            pa, _, pc, pd = checked[-1]
            if pa * pc * pd != a * b * d:
                raise SupportError(
                    f"pattern {index - 1} {checked[-1]} has {pa * pc * pd} columns but pattern "
                    f"{index} {(a, b, c, d)} has {a * b * d} rows: a·c·d must equal the next a·b·d"
                )
        checked.append((a, b, c, d))
    _check_size(
        f"the deformable butterfly of {len(checked)} factors",
        [(a * b * d, a * c * d) for a, b, c, d in checked],
        sum(a * b * c * d for a, b, c, d in checked),
    )
    return ChainSupport(tuple(kronecker_pattern(*pattern) for pattern in checked))


def kaleidoscope(L: int) -> ChainSupport:
    """Kaleidoscope ``B B*`` pattern of size ``2^L``: the butterfly chain, then its reverse.

    Returns
    -------
    ChainSupport
        2L factors ``W_1, …, W_L, W_L, …, W_1`` with ``W_ℓ`` the butterfly factors of
        :func:`butterfly_chain`.  ``B*`` has the factors ``W_L ᵀ, …, W_1 ᵀ``, and each
        butterfly factor pattern is symmetric.

    Raises
    ------
    SupportError
        If L is not a positive integer.

    Notes
    -----
    This chain is *not* "chainable" in the sense of [ZRG, BF]: along the second half the
    number a of diagonal blocks halves from one factor to the next instead of doubling,
    and the two middle factors ``W_L W_L`` have the boolean product ``W_L``.  The
    closedness and error guarantees proved for chainable patterns [BF] therefore do not
    apply.  For L ≥ 2 the chain is **not** closed: the first factor mixes the top bit and
    the middle factors keep it, which gives a frame of the Jordan sandwich lemma
    (``docs/theory.md`` §6, :mod:`closure_check.chains.sandwich`).

    References
    ----------
    [Dao 2020] Dao et al., "Kaleidoscope: an efficient, learnable representation for all
    structured linear maps", ICLR 2020, arXiv:2012.14966.
    """
    L = _integer(L, "L", 1)
    size = _power_of_two(L)
    _check_size(f"Kaleidoscope of size 2^{L} ({2 * L} factors of {size} x {size})", [(size, size)] * (2 * L), 4 * L * size)
    factors = _butterfly_factors(L)
    return ChainSupport(tuple(factors + factors[::-1]))


def _kronecker_chain(a: int, b: int, c: int, d: int) -> ChainSupport:
    return ChainSupport((kronecker_pattern(a, b, c, d),))


# --------------------------------------------------------------------------- registry


class FamilyError(ValueError):
    """Unknown family name, or arguments that do not describe a member of the family."""


@dataclass(frozen=True)
class Family:
    """A family as the command line sees it.

    Parameters
    ----------
    name
        Command-line name, e.g. ``"butterfly-split"``.
    builder
        The function building the support.
    arguments
        Names of the integer arguments (``builder(*ints)``); when ``repeated``, names of
        the comma-separated fields of each argument (``builder([tuple, …])``).
    summary
        One line for help text.
    label
        Format string for the case name, filled with the integers (of one argument
        when ``repeated``; those labels are then joined by ``-``).
    repeated
        Whether the family takes one or more comma-separated tuples.
    """

    name: str
    builder: Callable[..., Support]
    arguments: tuple[str, ...]
    summary: str
    label: str
    repeated: bool = False

    @property
    def usage(self) -> str:
        """Synopsis such as ``"lu n"`` or ``"block-diagonal m,n,r [m,n,r ...]"``."""
        if self.repeated:
            field = ",".join(self.arguments)
            return f"{self.name} {field} [{field} ...]"
        return " ".join((self.name,) + self.arguments)


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family("dense", dense, ("m", "n", "r"), "I = 1_{m×r}, J = 1_{n×r}: matrices of rank ≤ r",
               "dense-{0}x{1}-r{2}"),
        Family("diagonal", diagonal, ("n",), "I = J = identity_n: diagonal matrices", "diagonal{0}"),
        Family("block-diagonal", block_diagonal, ("m", "n", "r"),
               "dense blocks m_b×n_b of rank ≤ r_b on the diagonal", "{0}x{1}r{2}", repeated=True),
        Family("lu", lu, ("n",), "I = J = lower-triangular n×n: products L U", "lu{0}"),
        Family("banded", banded, ("n", "bandwidth"), "I = J = band |i − k| ≤ bandwidth, n×n",
               "banded{0}-w{1}"),
        Family("random", random_k_sparse, ("m", "n", "r", "k", "seed"),
               "k random nonzeros per column of I (m×r) and J (n×r)", "random-{0}x{1}-r{2}-k{3}-s{4}"),
        Family("nm", n_of_m, ("N", "M", "rows", "cols", "seed"),
               "two N:M layers y = W_2 W_1 x (W_2 rows×cols, W_1 cols×rows; N of every M consecutive inputs kept)",
               "nm-{0}of{1}-{2}x{3}-s{4}"),
        Family("sparse-lowrank", sparse_lowrank, ("m", "n", "r", "k", "seed"),
               "rank ≤ r on m×n plus k random free cells (robust PCA / rigidity)", "sparse-lowrank-{0}x{1}-r{2}-k{3}-s{4}"),
        Family("kronecker", _kronecker_chain, ("a", "b", "c", "d"),
               "one factor I_a ⊗ 1_{b×c} ⊗ I_d", "kronecker-{0}-{1}-{2}-{3}"),
        Family("butterfly", butterfly_chain, ("L",), "square dyadic butterfly chain of size 2^L",
               "butterfly-L{0}"),
        Family("butterfly-split", butterfly_split, ("L", "ell"),
               "two-factor split (W_1⋯W_ell)(W_ell+1⋯W_L) of the butterfly", "butterfly-split-L{0}-l{1}"),
        Family("monarch", monarch, ("m",), "Monarch (1,m,m,m)(m,m,m,1) of size m² as X Yᵀ", "monarch{0}"),
        Family("deformable-butterfly", deformable_butterfly, ("a", "b", "c", "d"),
               "chain of Kronecker-sparse factors (a,b,c,d)", "{0}.{1}.{2}.{3}", repeated=True),
        Family("kaleidoscope", kaleidoscope, ("L",), "Kaleidoscope B B* chain of size 2^L (2L factors)",
               "kaleidoscope-L{0}"),
    )
}

_INTEGER = re.compile(r"([+-]?[0-9]{1,60})(?:[eE]\+?([0-9]{1,3}))?")
"""An argument: decimal digits, optionally times a power of ten (``1e8``); at most 60
digits and exponent 999, so it converts at once (the size checks then refuse it)."""


def _parse_integers(family: Family, text: str, fields: Sequence[str]) -> tuple[int, ...]:
    parts = text.split(",") if family.repeated else [text]
    if len(parts) != len(fields):
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise FamilyError(
            f"{family.name}: argument {shown!r} must be {len(fields)} comma-separated integers "
            f"{','.join(fields)} (usage: {family.usage})"
        )
    values = []
    for part, field in zip(parts, fields):
        match = _INTEGER.fullmatch(part.strip())
        if not match:
            shown = part if len(part) <= 40 else part[:40] + "..."
            raise FamilyError(f"{family.name}: {field} must be an integer, got {shown!r} (usage: {family.usage})")
        values.append(int(match.group(1)) * 10 ** int(match.group(2) or 0))
    return tuple(values)


def build_family(name: str, args: Sequence[str]) -> Case:
    """Build the member of family ``name`` described by command-line strings ``args``.

    Parameters
    ----------
    name
        A key of :data:`FAMILIES`.
    args
        Integer arguments as strings; for a ``repeated`` family (``block-diagonal``,
        ``deformable-butterfly``) one or more comma-separated tuples such as ``"2,3,1"``.

    Returns
    -------
    Case
        The support with a name such as ``"lu3"`` or ``"butterfly-split-L4-l2"``, the
        source ``"family lu(3), closure-check families"`` and no expected verdict.
        ``kronecker a b c d`` gives a one-factor chain.

    Raises
    ------
    FamilyError
        If the family is unknown or the arguments are missing, malformed or out of range;
        the one-line message includes the usage.
    """
    family = FAMILIES.get(name)
    if family is None:
        raise FamilyError(f"unknown family {name!r}; known families: {', '.join(FAMILIES)}")
    if family.repeated:
        if not args:
            raise FamilyError(f"{family.name} takes one or more arguments (usage: {family.usage})")
        tuples = [_parse_integers(family, text, family.arguments) for text in args]
        call_args: tuple = (tuples,)
        label = family.name + "-" + "-".join(family.label.format(*values) for values in tuples)
        shown = ", ".join("(" + ", ".join(map(str, values)) + ")" for values in tuples)
    else:
        count = len(family.arguments)
        if len(args) != count:
            raise FamilyError(
                f"{family.name} takes {count} argument{'s' if count != 1 else ''}: "
                f"{' '.join(family.arguments)}, got {len(args)} (usage: {family.usage})"
            )
        call_args = tuple(
            _parse_integers(family, text, (field,))[0] for text, field in zip(args, family.arguments)
        )
        label = family.label.format(*call_args)
        shown = ", ".join(map(str, call_args))
    try:
        support = family.builder(*call_args)
    except SupportError as error:
        raise FamilyError(f"{family.name}: {error} (usage: {family.usage})") from error
    return Case(support=support, name=label, source=f"family {family.name}({shown}), closure-check families")
