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

from closure_check.core.kronecker import Pattern, kronecker_parameters, pair_chainable
from closure_check.core.support import ChainSupport

__all__ = [
    "ChainableArchitecture",
    "Pattern",
    "chainable_architecture",
    "kronecker_parameters",
    "pair_chainable",
]

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
