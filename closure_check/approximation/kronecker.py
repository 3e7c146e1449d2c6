"""Kronecker-sparse factors as stacks of dense blocks, and their exact two-factor splits.

A matrix ``W`` supported in the Kronecker-sparse pattern ``π = (a, b, c, d)``,
``S_π = I_a ⊗ 1_{b×c} ⊗ I_d`` (``closure_check.families.kronecker_pattern``), is stored
as its *values* ``T`` of shape ``(a, d, b, c)``:

    W[(α b + β) d + δ, (α c + γ) d + δ] = T[α, δ, β, γ].

For a chainable pair ``(λ, ρ) = ((a, b, c, d), (a', b', c', d'))`` with ``s = a'/a``,
``t = d/d'`` and rank ``r = a c / a'`` (``docs/theory.md`` §6, chainable pair lemma), a
product ``X Y`` with ``X ⊆ S_λ``, ``Y ⊆ S_ρ`` is supported in ``S_{λ∘ρ}``, ``λ∘ρ =
(a, b t, s c', d')``, and on each block ``(α, δ, τ, σ)`` (b × c') it is a product of a
b × r and an r × c' matrix; the blocks partition ``S_{λ∘ρ}``.  So the two-factor problem
``min ‖M − X Y‖_F`` is the disjoint-or-identical case of ``docs/solver.md`` (Theorem 1):
one rank-r truncated SVD per block, all blocks of one shape, factored by one stacked
``numpy.linalg.svd`` call (:func:`split`).  Everything here is floating point.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> M = rng.standard_normal((1, 1, 4, 4))          # a dense 4 × 4 matrix, pattern (1, 4, 4, 1)
>>> piece = split(M, (1, 2, 2, 2), (2, 2, 2, 1), orthonormal="left", residual=True)
>>> piece.left.shape, piece.right.shape            # values of the two butterfly factors
((1, 2, 2, 2), (2, 1, 2, 2))
>>> bool(abs(piece.residual - piece.discarded) < 1e-12)
True

References
----------
[BF] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with error
guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.  [ZRG] L. Zheng,
E. Riccietti, R. Gribonval, "Efficient identification of butterfly sparse matrix
factorizations", SIAM J. Math. Data Sci. 2023, arXiv:2110.01230.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import scipy.sparse as sp

__all__ = [
    "Pattern",
    "Split",
    "fuse",
    "left_orthonormalize",
    "right_orthonormalize",
    "single_threaded",
    "split",
    "split_energy",
    "to_sparse",
    "values_of",
]

Pattern = tuple[int, int, int, int]


def single_threaded() -> AbstractContextManager[object]:
    """Limit BLAS/LAPACK to one thread (``threadpoolctl``) while stacks of small blocks are factored.

    Stacked calls run one small LAPACK problem after the other; a multi-threaded BLAS
    then only adds synchronisation, which on a loaded 2-core machine made 4096 SVDs of
    64 × 64 blocks 20-40× slower.  Without ``threadpoolctl`` this does nothing.
    """
    controller = _controller()
    return nullcontext() if controller is None else controller.limit(limits=1)


@lru_cache(maxsize=1)
def _controller() -> object | None:
    """One ``threadpoolctl.ThreadpoolController`` (scanning the loaded libraries costs ~2 ms)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return None
    return ThreadpoolController()


def fuse(left: Pattern, right: Pattern) -> Pattern:
    """The pattern ``λ∘ρ = (a, b d/d', a' c'/a, d')`` of the products of a chainable pair."""
    a, b, _, d = left
    a2, _, c2, d2 = right
    return (a, b * d // d2, a2 * c2 // a, d2)


def _pair(left: Pattern, right: Pattern) -> tuple[int, int, int]:
    """``(s, t, r) = (a'/a, d/d', a c/a')`` of a chainable pair."""
    a, _, c, d = left
    a2, _, _, d2 = right
    return a2 // a, d // d2, a * c // a2


def values_of(A: np.ndarray, pattern: Pattern) -> tuple[np.ndarray, float]:
    """The values of ``A`` on ``S_π`` (a read-only view) and the energy ``Σ |A|²`` outside it.

    The outside energy is summed over the outside cells themselves (no subtraction of
    norms, so it is 0 up to rounding only when A vanishes there).
    """
    a, b, c, d = pattern
    six = A.reshape(a, b, d, a, c, d)
    values = np.einsum("xbyxcy->xybc", six)  # a view: the callers never write into it
    if a == 1 and d == 1:
        return values, 0.0
    energy = np.einsum("xbyzcw->xyzw", np.abs(six) ** 2)
    energy[np.arange(a)[:, None], np.arange(d)[None, :], np.arange(a)[:, None], np.arange(d)[None, :]] = 0.0
    return values, float(np.sum(energy))


def to_sparse(values: np.ndarray, pattern: Pattern) -> sp.csr_array:
    """The matrix of ``values`` on ``S_π`` (``abd × acd``), as a ``csr_array``."""
    a, b, c, d = pattern
    alpha = np.arange(a).reshape(a, 1, 1, 1)
    delta = np.arange(d).reshape(1, d, 1, 1)
    beta = np.arange(b).reshape(1, 1, b, 1)
    gamma = np.arange(c).reshape(1, 1, 1, c)
    rows = np.broadcast_to((alpha * b + beta) * d + delta, values.shape).ravel()
    cols = np.broadcast_to((alpha * c + gamma) * d + delta, values.shape).ravel()
    return sp.csr_array((values.ravel(), (rows, cols)), shape=(a * b * d, a * c * d))


def _blocks(values: np.ndarray, left: Pattern, right: Pattern) -> np.ndarray:
    """The blocks of the pair, shape ``(a, d', t, s, b, c')``, from the values of ``λ∘ρ``."""
    a, b, _, _ = left
    _, _, c2, d2 = right
    s, t, _ = _pair(left, right)
    return values.reshape(a, d2, b, t, s, c2).transpose(0, 1, 3, 4, 2, 5)


@dataclass(frozen=True)
class Split:
    """An exact split ``M ≈ X Y`` of a Kronecker-sparse matrix along a chainable pair.

    Attributes
    ----------
    left, right
        Values of ``X`` on ``S_λ`` and of ``Y`` on ``S_ρ``.
    residual
        ``‖M − X Y‖²_F`` on ``S_{λ∘ρ}``, summed from the block residuals (None unless
        asked for: it costs a product and a difference of every block).
    discarded
        ``Σ_blocks Σ_{i>r} σ_i²``, the Eckart–Young value of the same quantity.
    """

    left: np.ndarray
    right: np.ndarray
    residual: float | None
    discarded: float


def _pad(array: np.ndarray, axis: int, size: int) -> np.ndarray:
    missing = size - array.shape[axis]
    if missing <= 0:
        return array
    widths = [(0, 0)] * array.ndim
    widths[axis] = (0, missing)
    return np.pad(array, widths)


def _left_values(block_left: np.ndarray, left: Pattern) -> np.ndarray:
    """``X6[α, τ, δ, β, σ, ρ] = L[α, δ, τ, σ, β, ρ]`` reshaped to ``(a, d, b, c)``."""
    a, b, c, d = left
    return block_left.transpose(0, 2, 1, 4, 3, 5).reshape(a, d, b, c)


def _right_values(block_right: np.ndarray, right: Pattern) -> np.ndarray:
    """``Y6[α, σ, δ, ρ, τ, γ] = R[α, δ, τ, σ, ρ, γ]`` reshaped to ``(a', d', b', c')``."""
    a2, b2, c2, d2 = right
    return block_right.transpose(0, 3, 1, 4, 2, 5).reshape(a2, d2, b2, c2)


def split(
    values: np.ndarray,
    left: Pattern,
    right: Pattern,
    orthonormal: Literal["left", "right"] = "left",
    residual: bool = False,
) -> Split:
    """Best ``X ⊆ S_λ``, ``Y ⊆ S_ρ`` with ``X Y`` closest to the matrix of ``values`` on ``S_{λ∘ρ}``.

    Parameters
    ----------
    values
        Values of ``M`` on ``S_{λ∘ρ}`` (:func:`fuse`), shape ``(a, d', b t, s c')``.
    left, right
        A chainable pair ``λ``, ``ρ`` (not checked here).
    orthonormal
        ``"left"``: each block of ``X`` is ``U_r`` (orthonormal columns) and of ``Y`` is
        ``Σ_r V_rᴴ``; ``"right"``: ``U_r Σ_r`` and ``V_rᴴ`` (orthonormal rows).
    residual
        Also sum ``‖M − X Y‖²`` from the block residuals (a check of ``discarded``).

    Notes
    -----
    By the chainable pair lemma the problem separates over the blocks; on each,
    Eckart–Young makes the rank-r truncated SVD optimal, for real and complex M alike.
    When ``r`` exceeds a block's smaller side the block is fitted exactly and the units
    beyond it are 0.  Cost: one SVD per block, ``O(a d' t s · b c' min(b, c'))``.
    """
    _, _, r = _pair(left, right)
    blocks = _blocks(values, left, right)
    with single_threaded():
        U, sigma, Vh = np.linalg.svd(blocks, full_matrices=False)
        keep = min(r, sigma.shape[-1])
        if orthonormal == "left":
            block_left = U[..., :keep]
            block_right = sigma[..., :keep, None] * Vh[..., :keep, :]
        else:
            block_left = U[..., :keep] * sigma[..., None, :keep]
            block_right = Vh[..., :keep, :]
        energy = None
        if residual:
            difference = (blocks - block_left @ block_right).ravel()
            energy = float(np.vdot(difference, difference).real)
    discarded = float(np.sum(sigma[..., keep:] ** 2))
    return Split(
        left=_left_values(_pad(block_left, -1, r), left),
        right=_right_values(_pad(block_right, -2, r), right),
        residual=energy,
        discarded=discarded,
    )


def split_energy(values: np.ndarray, left: Pattern, right: Pattern) -> float:
    """``min ‖M − X Y‖²_F`` on ``S_{λ∘ρ}`` from the singular values alone: ``Σ_blocks Σ_{i>r} σ_i²``."""
    _, _, r = _pair(left, right)
    with single_threaded():
        sigma = np.linalg.svd(_blocks(values, left, right), compute_uv=False)
    return float(np.sum(sigma[..., r:] ** 2))


def left_orthonormalize(
    left_values: np.ndarray, left: Pattern, right_values: np.ndarray, right: Pattern
) -> tuple[np.ndarray, np.ndarray]:
    """Rewrite ``X Y`` as ``Q (R Y)`` with every b × r block of ``Q`` of orthonormal columns.

    The blocks of ``X ⊆ S_λ`` in the pair ``(λ, ρ)`` are ``X[(α,·,τ,δ), (α,σ,·,τ,δ)]``
    (b × r); a QR factorisation ``Q R`` of each (Q padded by zero columns when b < r),
    with ``R`` multiplied into rows ``(α,σ,·,τ,δ)`` of Y, leaves the product unchanged and
    ``Y`` inside ``S_ρ`` (those rows share their support, chainable pair lemma).
    """
    a, b, _, d = left
    a2, b2, c2, d2 = right
    s, t, r = _pair(left, right)
    blocks = left_values.reshape(a, d, b, s, r).transpose(0, 1, 3, 2, 4)  # (a, d, s, b, r)
    with single_threaded():
        Q, R = np.linalg.qr(blocks)
    Q, R = _pad(Q, -1, r), _pad(R, -2, r)
    new_left = Q.transpose(0, 1, 3, 2, 4).reshape(a, d, b, s * r)
    R6 = R.reshape(a, t, d2, s, r, r)
    Y6 = right_values.reshape(a, s, d2, r, t, c2)
    new_right = np.einsum("atdsij,asdjtg->asditg", R6, Y6, optimize=True).reshape(a2, d2, b2, c2)
    return new_left, new_right


def right_orthonormalize(
    left_values: np.ndarray, left: Pattern, right_values: np.ndarray, right: Pattern
) -> tuple[np.ndarray, np.ndarray]:
    """Rewrite ``X Y`` as ``(X L) Q`` with every r × c' block of ``Q`` of orthonormal rows.

    The mirror of :func:`left_orthonormalize`: the blocks of ``Y ⊆ S_ρ`` are
    ``Y[(α,σ,·,τ,δ), (α,σ,·,δ)]`` (r × c'); ``L Q`` is the conjugate transpose of a QR
    factorisation of the block's conjugate transpose.
    """
    a, b, c, d = left
    a2, b2, c2, d2 = right
    s, t, r = _pair(left, right)
    blocks = right_values.reshape(a2, d2, r, t, c2).transpose(0, 1, 3, 2, 4)  # (a', d', t, r, c')
    with single_threaded():
        Qh, Rh = np.linalg.qr(np.conj(np.swapaxes(blocks, -1, -2)))
    Q = np.conj(np.swapaxes(_pad(Qh, -1, r), -1, -2))  # (…, r, c')
    L = np.conj(np.swapaxes(_pad(Rh, -2, r), -1, -2))  # (…, r, r)
    new_right = Q.transpose(0, 1, 3, 2, 4).reshape(a2, d2, b2, c2)
    L6 = L.reshape(a, s, d2, t, r, r)
    X6 = left_values.reshape(a, t, d2, b, s, r)
    new_left = np.einsum("atdbsj,asdtji->atdbsi", X6, L6, optimize=True).reshape(a, d, b, c)
    return new_left, new_right
