"""Kronecker-sparse patterns ``S_(a,b,c,d) = I_a ⊗ 1_{b×c} ⊗ I_d``: recognition and chainable pairs.

Recognition reads the parameters of a canonical 0/1 support by arithmetic on its CSR
arrays, in O(nnz) and without building any pattern (``docs/theory.md`` §6,
"Kronecker-sparse patterns", recognition lemma); :func:`pair_chainable` is the
chainability condition of [BF] on two consecutive patterns ("Chainable pairs and
chains").  Used by the chainable rule (:mod:`closure_check.chains.chainable`) and by the
rank-one-support structure, which reads the classes of a chainable pair
``(I, J) = (S_π, S_π'ᵀ)`` from the parameters (:mod:`closure_check.core.graph`).

>>> from closure_check.families import kronecker_pattern
>>> kronecker_parameters(kronecker_pattern(2, 3, 2, 2))
((2, 3, 2, 2),)
>>> pair_chainable((1, 2, 2, 2), (2, 2, 2, 1))
True

References
----------
[BF] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, SIAM J. Matrix Anal. Appl. 46(4), 2025,
arXiv:2411.04506.  [ZRG] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01230.
"""

from __future__ import annotations

import numpy as np

from closure_check.core.support import SupportMatrix

__all__ = ["Pattern", "kronecker_parameters", "pair_chainable"]

Pattern = tuple[int, int, int, int]


def _divisors(n: int) -> list[int]:
    small = [k for k in range(1, int(n**0.5) + 1) if n % k == 0]
    return sorted(set(small + [n // k for k in small]))


_CHUNK = 1 << 20
"""Nonzeros compared at a time by :func:`_equals_pattern` (bounded scratch space)."""


def _equals_pattern(support: SupportMatrix, pattern: Pattern) -> bool:
    """Whether ``support`` is exactly ``S_(a,b,c,d)``, compared by arithmetic in O(nnz).

    Row ``i = (α b + β) d + η`` of the pattern holds the c columns ``α c d + γ d + η``,
    γ < c, in increasing order (``docs/theory.md``, "Kronecker-sparse patterns"); the
    support is canonical (sorted rows), so it equals the pattern iff it has the shape,
    c nonzeros in every row, and those columns, row by row.  No pattern is built.
    """
    a, b, c, d = pattern
    m, n = a * b * d, a * c * d
    if support.shape != (m, n) or support.nnz != m * c:
        return False
    indptr, indices = support.indptr, support.indices
    if not np.array_equal(np.diff(indptr), np.broadcast_to(np.asarray(c, dtype=indptr.dtype), (m,))):
        return False
    # rows (α, β) hold the d × c grid α c d + [η + γ d]: compare block by block, minus α c d
    grid = (np.arange(d, dtype=indices.dtype)[:, None] + np.arange(c, dtype=indices.dtype)[None, :] * d)[None]
    by_block = indices.reshape(a * b, d, c)
    step = max(1, _CHUNK // (d * c))
    for start in range(0, a * b, step):
        stop = min(start + step, a * b)
        offsets = ((np.arange(start, stop, dtype=np.int64) // b) * (c * d)).astype(indices.dtype)
        if not np.array_equal(by_block[start:stop] - offsets[:, None, None], np.broadcast_to(grid, (stop - start, d, c))):
            return False
    return True


def _constant(counts: np.ndarray) -> int | None:
    """The common value of ``counts`` if they are all equal and positive."""
    if counts.size == 0 or counts[0] < 1 or np.any(counts != counts[0]):
        return None
    return int(counts[0])


def kronecker_parameters(support: SupportMatrix) -> tuple[Pattern, ...]:
    """Every ``(a, b, c, d)`` with ``support == I_a ⊗ 1_{b×c} ⊗ I_d`` exactly.

    Row ``(α, β, δ)`` of the pattern holds the c columns ``α c d + γ d + δ`` and column
    ``(α, γ, δ)`` the b rows ``α b d + β d + δ``: so c and b are the (constant) numbers
    of nonzeros per row and per column, and when ``c ≥ 2`` the first two nonzeros of row
    0 are columns 0 and d (when ``c = 1 < b``, the first two of column 0 are rows 0 and
    d); then ``a = m / (b d)``.  Each candidate is confirmed by comparing with the
    pattern it names, entry for entry.  When ``b = c = 1`` the pattern is ``I_n`` for
    every split ``a d = n``, and all of them are returned.

    Parameters
    ----------
    support
        A canonical 0/1 ``csr_array`` (:func:`closure_check.core.support.as_support_matrix`).

    Returns
    -------
    tuple
        The quadruples, empty if the support is no Kronecker-sparse pattern.
    """
    m, n = support.shape
    c = _constant(np.diff(support.indptr))
    if c is None:
        return ()
    if c >= 2:
        # a = n / (c d) and b = m / (a d); the comparison below confirms b as well
        d = int(support.indices[1] - support.indices[0])
        if d < 1 or n % (c * d) or m % (n // (c * d) * d):
            return ()
        a = n // (c * d)
        pattern = (a, m // (a * d), c, d)
        return (pattern,) if _equals_pattern(support, pattern) else ()
    b = _constant(np.bincount(support.indices, minlength=n)) if n else None
    if b is None:
        return ()
    if b == 1:
        if not _equals_pattern(support, (1, 1, 1, m)):
            return ()
        return tuple((a, 1, 1, m // a) for a in _divisors(m))
    by_column = support.tocsc()
    d = int(by_column.indices[1] - by_column.indices[0])
    if d < 1 or m % (b * d) or n % (c * d) or m // (b * d) != n // (c * d):
        return ()
    pattern = (m // (b * d), b, c, d)
    return (pattern,) if _equals_pattern(support, pattern) else ()


def pair_chainable(left: Pattern, right: Pattern) -> bool:
    """Whether two consecutive Kronecker-sparse patterns are chainable (module docstring)."""
    a, _, c, d = left
    a2, b2, _, d2 = right
    return a * c * d == a2 * b2 * d2 and a2 % a == 0 and d % d2 == 0 and (a * c) % a2 == 0
