"""Approximation of a matrix by a chain ``W_1 ⋯ W_N`` of sparse factors, with a certified interval.

For a *chainable* Kronecker-sparse chain (:func:`closure_check.chains.chainable.chainable_architecture`)
:func:`solve_chain` runs the hierarchical algorithm [ZRG; BF, Algorithm 6.2]: the splits
``ℓ = 1, …, N−1`` are performed in the order of a tree, each one an *exact* two-factor
problem (one truncated SVD per block, :func:`closure_check.approximation.kronecker.split`)
on the current factor that spans ℓ, after the other factors have been orthonormalised so
that the current one is the centre [BF, Algorithm 6.2; the authors' ``GBfactorize``].
With the answer come (``docs/solver.md``, "Chains"):

* the error ``‖A − Â‖_F``, measured on the product of the factors;
* the exact optimum ``e_ℓ`` of the two-factor problem of ``A`` at every split ℓ; by the
  grouping lemma C1 ``max_ℓ e_ℓ ≤ E*``, the best error over the chain set;
* for the sequential trees (``left-to-right``, ``right-to-left``) the errors ``f_ℓ`` of
  the splits as performed, with ``‖A − Â‖² ≤ Σ f_ℓ²`` and ``f_ℓ ≤ E*`` (Theorem C, from
  the block isometry and projected-optimum lemmas C2, C3), hence ``‖A − Â‖ ≤ √(N−1) · E*``;
* the bound ``Σ_ℓ 2^{N−1−ℓ} e_ℓ`` that [BF, Theorem 7.2] publishes for its Algorithm 6.2,
  reported as published (not proved here).

So ``E* ∈ [lower_bound, error]`` for every chainable chain.  Other chains get
:func:`alternating_least_squares_chain`, a local method without guarantee (two-factor
chains go to :func:`closure_check.approximation.solve.solve`, exact on its tractable
families).  All arithmetic is floating point.

>>> import numpy as np
>>> from closure_check.families import butterfly_chain
>>> from scipy.linalg import hadamard
>>> result = solve_chain(hadamard(16).astype(float), butterfly_chain(4))
>>> bool(result.error < 1e-12), len(result.factors), round(result.guarantee, 6)
(True, 4, 1.732051)

References
----------
[BF] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with error
guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.  [ZRG] L. Zheng,
E. Riccietti, R. Gribonval, "Efficient identification of butterfly sparse matrix
factorizations", SIAM J. Math. Data Sci. 2023, arXiv:2110.01230.  [TT] I. Oseledets,
"Tensor-train decomposition", SIAM J. Sci. Comput. 33(5), 2011 (the same √(N−1) argument
for TT-SVD).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from closure_check.approximation import kronecker as ks
from closure_check.approximation.solve import finite_matrix
from closure_check.approximation.solve import solve as solve_two_factor
from closure_check.chains.chainable import chainable_architecture
from closure_check.core.support import ChainSupport

__all__ = [
    "METHOD_CHAIN_ALS",
    "METHOD_HIERARCHICAL",
    "TREES",
    "ChainApproximation",
    "alternating_least_squares_chain",
    "solve_chain",
    "split_order",
]

TREES: tuple[str, ...] = ("left-to-right", "right-to-left", "balanced")
SEQUENTIAL = ("left-to-right", "right-to-left")

METHOD_HIERARCHICAL = "hierarchical (exact splits, orthonormalised)"
METHOD_CHAIN_ALS = "alternating least squares on the factors (local, not guaranteed)"

#: Largest ``m · n · nnz(W_k)`` for which the local method builds its least-squares matrices.
MAX_ALS_CELLS = 20_000_000


@dataclass(frozen=True, eq=False)
class ChainApproximation:
    """Factors ``W_1, …, W_N`` with ``A ≈ W_1 ⋯ W_N`` and what is known about ``E*``.

    Attributes
    ----------
    factors
        ``scipy.sparse.csr_array`` factors, each inside its support (float64 or complex128).
    error
        ``‖A − W_1 ⋯ W_N‖_F``, measured on the product.
    norm
        ``‖A‖_F``.
    lower_bound
        A number ``≤ E* = inf ‖A − B‖_F`` over the chain set (0 when none is known):
        ``max_ℓ e_ℓ``, and for the sequential trees also ``max_ℓ f_ℓ``.
    split_errors
        ``e_ℓ``, ℓ = 1, …, N−1: the exact optimum of the two-factor problem of ``A`` at
        split ℓ (empty when the chain is not chainable).
    performed
        ``(ℓ, f_ℓ)`` in the order the splits were performed: the optimum of each split on
        the factor it cut, ``sqrt(Σ_blocks Σ_{i>r} σ_i²)`` (Eckart–Young).
    guarantee
        A constant ``C`` with ``error ≤ C · E*`` proved in ``docs/solver.md``
        (``√(N−1)`` for the sequential trees), else None.
    published_bound
        ``Σ_ℓ 2^{N−1−ℓ} e_ℓ``, the bound [BF, Theorem 7.2] states for its Algorithm 6.2;
        a published claim, not proved here (None when not chainable).
    tree
        The split order used, or None outside the hierarchical algorithm.
    optimal
        True when ``error`` is proved to be ``E*`` (up to rounding): one exact split
        (``N = 2``, chainable or on a tractable two-factor family) or ``N = 1``.
    method
        :data:`METHOD_HIERARCHICAL`, :data:`METHOD_CHAIN_ALS`, or the method of the
        two-factor solver.
    history
        For the local method, the error before the first sweep and after each one.
    factor_norms
        For the local method, ``Π_ℓ ‖W_ℓ‖_F`` before the first sweep and after each one:
        a steady growth while the error decreases is the sign of a minimising sequence
        that diverges (a set that is not closed).
    """

    factors: tuple[sp.csr_array, ...]
    error: float
    norm: float
    lower_bound: float
    split_errors: tuple[float, ...]
    performed: tuple[tuple[int, float], ...]
    guarantee: float | None
    published_bound: float | None
    tree: str | None
    method: str
    optimal: bool
    history: tuple[float, ...] = ()
    factor_norms: tuple[float, ...] = ()

    @property
    def ratio(self) -> float:
        """``error / lower_bound ≥ error / E*`` (1 when both are 0, ∞ when only the bound is 0)."""
        if self.error == 0.0:
            return 1.0
        return self.error / self.lower_bound if self.lower_bound > 0 else float("inf")


def split_order(n_factors: int, tree: str) -> tuple[int, ...]:
    """The splits ``ℓ`` (between ``W_ℓ`` and ``W_{ℓ+1}``) in the order the tree performs them.

    ``left-to-right`` peels ``W_1``, then ``W_2``, …; ``right-to-left`` peels ``W_N`` first;
    ``balanced`` cuts every interval of factors in its middle, depth first, left first.

    Raises
    ------
    ValueError
        If ``tree`` is not one of :data:`TREES`.
    """
    if tree == "left-to-right":
        return tuple(range(1, n_factors))
    if tree == "right-to-left":
        return tuple(range(n_factors - 1, 0, -1))
    if tree == "balanced":
        order: list[int] = []

        def cut(start: int, stop: int) -> None:  # factors start+1 … stop
            if stop - start < 2:
                return
            middle = (start + stop) // 2
            order.append(middle)
            cut(start, middle)
            cut(middle, stop)

        cut(0, n_factors)
        return tuple(order)
    raise ValueError(f"tree must be one of {', '.join(TREES)}, got {tree!r}")


@dataclass
class _Piece:
    """A current factor: the fused pattern of factors ``start+1 … stop`` and its values."""

    start: int
    stop: int
    values: np.ndarray
    gauge: str | None  # "left", "right" or None (orthonormal w.r.t. its neighbours)


def _fused(patterns: tuple[ks.Pattern, ...], start: int, stop: int) -> ks.Pattern:
    pattern = patterns[start]
    for nxt in patterns[start + 1:stop]:
        pattern = ks.fuse(pattern, nxt)
    return pattern


def _hierarchical(
    A: np.ndarray, patterns: tuple[ks.Pattern, ...], order: tuple[int, ...]
) -> tuple[list[np.ndarray], list[tuple[int, float]]]:
    """Run the splits in ``order``; return the factor values and the ``(ℓ, f_ℓ)``."""
    N = len(patterns)
    values, _ = ks.values_of(A, _fused(patterns, 0, N))
    pieces = [_Piece(0, N, values, None)]
    performed: list[tuple[int, float]] = []
    for step, ell in enumerate(order):
        j = next(i for i, p in enumerate(pieces) if p.start < ell < p.stop)
        pattern_of = [_fused(patterns, p.start, p.stop) for p in pieces]
        for i in range(j):  # everything left of the centre: orthonormal columns
            if pieces[i].gauge != "left":
                pieces[i].values, pieces[i + 1].values = ks.left_orthonormalize(
                    pieces[i].values, pattern_of[i], pieces[i + 1].values, pattern_of[i + 1]
                )
                pieces[i].gauge, pieces[i + 1].gauge = "left", None
        for i in range(len(pieces) - 1, j, -1):  # everything right of it: orthonormal rows
            if pieces[i].gauge != "right":
                pieces[i - 1].values, pieces[i].values = ks.right_orthonormalize(
                    pieces[i - 1].values, pattern_of[i - 1], pieces[i].values, pattern_of[i]
                )
                pieces[i].gauge, pieces[i - 1].gauge = "right", None
        centre = pieces[j]
        left, right = _fused(patterns, centre.start, ell), _fused(patterns, ell, centre.stop)
        following = order[step + 1] if step + 1 < len(order) else None
        side = "right" if following is not None and following < ell else "left"
        cut = ks.split(centre.values, left, right, orthonormal=side)
        performed.append((ell, float(np.sqrt(cut.discarded))))
        pieces[j:j + 1] = [
            _Piece(centre.start, ell, cut.left, "left" if side == "left" else None),
            _Piece(ell, centre.stop, cut.right, "right" if side == "right" else None),
        ]
    return [p.values for p in pieces], performed


def _error(A: np.ndarray, factors: tuple[sp.csr_array, ...], chunk: int = 256) -> float:
    """``‖A − W_1 ⋯ W_N‖_F``, measured without storing the product or ``A − Â`` whole.

    The product ``W_ℓ ⋯ W_N`` is formed sparse from the right while it has at most a
    quarter of its cells nonzero (for a butterfly, ``2^{N−ℓ+1}`` per column); the
    remaining factors are applied to blocks of ``chunk`` dense columns, each compared with
    the same columns of ``A``.  Cost ``O(Σ_ℓ nnz(W_ℓ ⋯ W_N))`` sparse, then
    ``O(Σ nnz(W_ℓ))`` per column for the dense part.
    """
    product = sp.csr_array(factors[-1])
    rest = list(factors[-2::-1])
    while rest and 4 * product.nnz <= product.shape[0] * product.shape[1]:
        product = sp.csr_array(rest.pop(0) @ product)
    product = product.tocsc()
    energy = 0.0
    for start in range(0, A.shape[1], chunk):
        block = product[:, start:start + chunk].toarray()
        for factor in rest:
            block = factor @ block
        difference = A[:, start:start + chunk] - block
        energy += float(np.vdot(difference, difference).real)
    return float(np.sqrt(energy))


def _split_errors(A: np.ndarray, patterns: tuple[ks.Pattern, ...]) -> tuple[float, ...]:
    """``e_ℓ = sqrt(outside energy + Σ_blocks Σ_{i>r_ℓ} σ_i²)`` for ℓ = 1 … N−1."""
    N = len(patterns)
    values, outside = ks.values_of(A, _fused(patterns, 0, N))
    return tuple(
        float(np.sqrt(outside + ks.split_energy(values, _fused(patterns, 0, ell), _fused(patterns, ell, N))))
        for ell in range(1, N)
    )


def _check(A: object, chain: ChainSupport) -> np.ndarray:
    array = np.asarray(A)
    if array.ndim != 2 or array.shape != chain.shape:
        raise ValueError(f"A has shape {array.shape}, the chain needs {chain.shape}")
    return finite_matrix(array)


def solve_chain(
    A: np.ndarray,
    chain: ChainSupport,
    *,
    tree: str = "left-to-right",
    bounds: bool = True,
    seed: int = 0,
    iterations: int = 200,
    tol: float = 1e-10,
) -> ChainApproximation:
    """Approximate ``A`` by ``W_1 ⋯ W_N`` with ``supp W_ℓ ⊆ I_ℓ``.

    Parameters
    ----------
    A
        Real or complex matrix of the chain's shape.
    chain
        The supports ``I_1, …, I_N``.
    tree
        Split order of the hierarchical algorithm (:func:`split_order`); chainable chains only.
    bounds
        Compute the split optima ``e_ℓ`` of ``A`` (one SVD of every block at every split,
        usually the dominant cost); without them ``lower_bound`` rests on the ``f_ℓ``
        alone (sequential trees) and ``published_bound`` is None.
    seed, iterations, tol
        For the local method (:func:`alternating_least_squares_chain`).

    Returns
    -------
    ChainApproximation

    Raises
    ------
    ValueError
        If ``A`` is not a finite real or complex matrix of the chain's shape, ``tree``
        is unknown, or a non-chainable chain is too large for the local method.

    Notes
    -----
    Chainable chains: every split is the disjoint-or-identical two-factor problem of a
    chainable pair, solved exactly; between splits the factors left of the next centre
    are given orthonormal block columns and those right of it orthonormal block rows
    (QR), which leaves the product unchanged.  ``docs/solver.md`` ("Chains") proves the
    grouping lemma (``e_ℓ ≤ E*``) and, for the sequential trees, ``‖A − Â‖² ≤ Σ f_ℓ²``
    with ``f_ℓ ≤ E*``.  Cost: for the sequential trees on the square dyadic butterfly of
    size n, ``O(n² log n)`` for the factors; the bounds ``e_ℓ`` cost one SVD of every
    block at every split, ``O(n^{2.5})``.
    """
    A = _check(A, chain)
    if tree not in TREES:
        raise ValueError(f"tree must be one of {', '.join(TREES)}, got {tree!r}")
    norm = float(np.linalg.norm(A))
    architecture = chainable_architecture(chain)
    if architecture is None:
        if chain.length == 2:
            return _two_factor(A, chain, norm, seed, iterations, tol)
        return alternating_least_squares_chain(A, chain, seed=seed, iterations=iterations, tol=tol)
    patterns = architecture.patterns
    N = len(patterns)
    values, performed = _hierarchical(A, patterns, split_order(N, tree))
    factors = tuple(ks.to_sparse(v, p) for v, p in zip(values, patterns))
    error = _error(A, factors)
    if N == 1:  # the set is the linear space of the support: the masked A is the optimum
        return ChainApproximation(factors, error, norm, error, (), (), 1.0, None, tree, METHOD_HIERARCHICAL, True)
    split_errors = _split_errors(A, patterns) if bounds else ()
    lower = max(split_errors, default=0.0)
    sequential = tree in SEQUENTIAL
    if sequential:
        lower = max(lower, max(f for _, f in performed))
    published = (
        float(sum(2.0 ** (N - 1 - ell) * e for ell, e in enumerate(split_errors, start=1))) if split_errors else None
    )
    return ChainApproximation(
        factors=factors,
        error=error,
        norm=norm,
        lower_bound=lower,
        split_errors=split_errors,
        performed=tuple(performed),
        guarantee=float(np.sqrt(N - 1)) if sequential else None,
        published_bound=published,
        tree=tree,
        method=METHOD_HIERARCHICAL,
        optimal=N == 2,
    )


def _two_factor(A: np.ndarray, chain: ChainSupport, norm: float, seed: int, iterations: int, tol: float) -> ChainApproximation:
    """A two-factor chain that is not chainable: the two-factor solver (exact on its families)."""
    solution = solve_two_factor(A, chain.to_two_factor(), seed=seed, iterations=iterations, tol=tol, sparse=True)
    factors = (sp.csr_array(solution.X), sp.csr_array(solution.Y.T))
    lower = solution.error if solution.optimal else 0.0
    return ChainApproximation(
        factors, solution.error, norm, lower, (), (), 1.0 if solution.optimal else None, None,
        None, solution.method, solution.optimal, solution.history,
    )


# --------------------------------------------------------------------------- local method


def _dense_product(factors: list[np.ndarray], start: int, stop: int, size: int, dtype: np.dtype) -> np.ndarray:
    product = np.eye(size, dtype=dtype)
    for factor in factors[start:stop]:
        product = product @ factor
    return product


def alternating_least_squares_chain(
    A: np.ndarray,
    chain: ChainSupport,
    *,
    seed: int = 0,
    iterations: int = 200,
    tol: float = 1e-10,
) -> ChainApproximation:
    """Local method: exact least squares in one factor at a time, the others fixed.

    For fixed ``P = W_1 ⋯ W_{k−1}`` and ``Q = W_{k+1} ⋯ W_N`` the map ``W_k ↦ P W_k Q`` is
    linear in the entries of ``W_k`` on its support, so the best ``W_k`` is a linear
    least-squares problem (``numpy.linalg.lstsq`` on the ``m n × nnz(I_k)`` matrix of the
    products ``P[:, u] Q[v, :]``).  A sweep updates ``W_1, …, W_N``; the error never
    increases (up to rounding) but the result is at best a stationary point: *not
    guaranteed*.  When the chain set is not closed the error may tend to an infimum
    that is not attained while the factors grow without bound.

    Raises
    ------
    ValueError
        If ``A`` does not fit, or ``m · n · nnz(I_k)`` exceeds :data:`MAX_ALS_CELLS`.
    """
    A = _check(A, chain)
    m, n = chain.shape
    largest = max(f.nnz for f in chain.factors)
    if m * n * largest > MAX_ALS_CELLS:
        raise ValueError(
            f"the local method builds {m}·{n}·{largest} coefficients, more than {MAX_ALS_CELLS}: chain too large"
        )
    rng = np.random.default_rng(seed)
    masks = [f.toarray().astype(bool) for f in chain.factors]
    factors = [np.where(mask, rng.standard_normal(mask.shape), 0.0).astype(A.dtype) for mask in masks]
    dims = chain.dims

    def error() -> float:
        return float(np.linalg.norm(A - _dense_product(factors, 0, len(factors), m, A.dtype)))

    def size() -> float:
        return float(np.prod([np.linalg.norm(f) for f in factors]))

    history, sizes = [error()], [size()]
    for _ in range(iterations):
        if history[-1] == 0.0:
            break
        for k, mask in enumerate(masks):
            P = _dense_product(factors, 0, k, dims[0], A.dtype)
            Q = _dense_product(factors, k + 1, len(factors), dims[k + 1], A.dtype)
            u, v = np.nonzero(mask)
            design = (P[:, u][:, None, :] * Q[v, :].T[None, :, :]).reshape(m * n, u.size)
            coefficients = np.linalg.lstsq(design, A.reshape(-1), rcond=None)[0]
            factors[k] = np.zeros(mask.shape, dtype=A.dtype)
            factors[k][u, v] = coefficients
        history.append(error())
        sizes.append(size())
        if history[-2] - history[-1] <= tol * history[-2]:
            break
    return ChainApproximation(
        factors=tuple(sp.csr_array(f) for f in factors),
        error=history[-1],
        norm=float(np.linalg.norm(A)),
        lower_bound=0.0,
        split_errors=(),
        performed=(),
        guarantee=None,
        published_bound=None,
        tree=None,
        method=METHOD_CHAIN_ALS,
        optimal=False,
        history=tuple(history),
        factor_norms=tuple(sizes),
    )
