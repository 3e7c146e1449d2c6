"""Chainable Kronecker-sparse chains: closed (``docs/theory.md`` §6, "Chainable chains").

A *Kronecker-sparse pattern* ``(a, b, c, d)`` of positive integers is the support
``S_{(a,b,c,d)} = I_a ⊗ 1_{b×c} ⊗ I_d`` (size ``abd × acd``) [ZRG, BF]; it is
:func:`closure_check.families.kronecker_pattern`.  Following [BF], two consecutive
patterns ``π = (a, b, c, d)``, ``π' = (a', b', c', d')`` are *chainable* when

* ``a c d = a' b' d'`` (the factors fit),
* ``a`` divides ``a'`` and ``d'`` divides ``d``, and
* ``a'`` divides ``a c`` (equivalently ``d`` divides ``b' d'``); the quotient
  ``r = a c / a' = b' d' / d`` is the *rank* of the pair,

and a chain is chainable when every consecutive pair is.  These are the conditions of
the authors' implementation (``lazylinop.butterfly.Chain``, which cites [BF]; the
stored copy of the paper available here did not include the statement's number).  The
chainable Kronecker-sparse lemma (proved in ``docs/theory.md`` §6, independently of
[BF]) shows that the products of a chainable chain are exactly the matrices supported
on the pattern of the whole chain whose blocks at each split ℓ have rank at most
``r_ℓ`` -- the generalised complementary-low-rank property of [BF] -- hence a closed
set (the factorisation problem always has an optimum, as [BF] states).

The rule decides only when every factor's support *equals* (not merely lies in) a
Kronecker-sparse pattern.  :func:`kronecker_parameters` recovers every ``(a, b, c, d)``
giving a 0/1 matrix: it is unique unless ``b = c = 1`` (the pattern is then an
identity ``I_n`` and every ``a d = n`` fits), so :func:`chainable_architecture` runs a
small dynamic programme over the candidates of each factor.

Square dyadic butterflies, Monarch and the deformable butterflies of ``cases/chains``
are chainable; Kaleidoscope chains ``B B*`` of size ``2^L ≥ 4`` are not (``a`` halves
after the middle).

>>> from closure_check.families import butterfly_chain, kaleidoscope
>>> chainable_architecture(butterfly_chain(3)).patterns
((1, 2, 2, 4), (2, 2, 2, 2), (4, 2, 2, 1))
>>> chainable_architecture(kaleidoscope(2)) is None
True

References
----------
[BF] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with error
guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506 (chainability: its
Definition 4.12; the rule rests on the self-contained proof of ``docs/theory.md`` §6).  [ZRG] L. Zheng, E. Riccietti, R. Gribonval, "Efficient
identification of butterfly sparse matrix factorizations", SIAM J. Math. Data Sci. 2023,
arXiv:2110.01230.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from closure_check.core.support import ChainSupport, SupportMatrix

__all__ = [
    "ChainableArchitecture",
    "Pattern",
    "chainable_architecture",
    "kronecker_parameters",
    "pair_chainable",
]

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


@dataclass(frozen=True)
class ChainableArchitecture:
    """A chainable choice of patterns for every factor of a chain.

    Attributes
    ----------
    patterns
        ``(a_ℓ, b_ℓ, c_ℓ, d_ℓ)`` with ``I_ℓ = I_{a_ℓ} ⊗ 1_{b_ℓ×c_ℓ} ⊗ I_{d_ℓ}`` exactly.
    """

    patterns: tuple[Pattern, ...]

    @property
    def ranks(self) -> tuple[int, ...]:
        """``r_ℓ = a_ℓ c_ℓ / a_{ℓ+1}``, the rank bound of the blocks at split ℓ."""
        return tuple(p[0] * p[2] // q[0] for p, q in zip(self.patterns, self.patterns[1:]))

    @property
    def total(self) -> Pattern:
        """The pattern of the whole product, ``(a_1, b_1 d_1 / d_N, a_N c_N / a_1, d_N)``."""
        (a1, b1, _, d1), (aN, _, cN, dN) = self.patterns[0], self.patterns[-1]
        return (a1, b1 * d1 // dN, aN * cN // a1, dN)

    def reason(self) -> str:
        """The CLOSED argument in one sentence, naming the lemma."""
        return (
            f"every I_ℓ is exactly a Kronecker-sparse pattern (a,b,c,d) = {list(self.patterns)} and consecutive "
            f"patterns are chainable: P is the set of matrices supported on the pattern {self.total} whose blocks "
            f"at split ℓ have rank ≤ r_ℓ = {list(self.ranks)}, a closed set (chainable Kronecker-sparse lemma; "
            f"[BF] arXiv:2411.04506)"
        )


def chainable_architecture(chain: ChainSupport) -> ChainableArchitecture | None:
    """A chainable choice of Kronecker-sparse patterns for the chain, or None.

    Every factor must equal a Kronecker-sparse pattern; among the candidates of each
    factor (several only for identity factors), a left-to-right dynamic programme keeps
    those reachable through chainable pairs.
    """
    candidates = [kronecker_parameters(factor) for factor in chain.factors]
    if not all(candidates):
        return None
    paths: dict[Pattern, tuple[Pattern, ...]] = {p: (p,) for p in candidates[0]}
    for options in candidates[1:]:
        paths = {
            q: path + (q,)
            for q in options
            for p, path in paths.items()
            if pair_chainable(p, q)
        }
        if not paths:
            return None
    return ChainableArchitecture(next(iter(paths.values())))
