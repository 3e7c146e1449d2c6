"""The chain solver against known optima and independent methods (docs/solver.md, "Chains").

* exact recovery: random products on chainable supports, the bit-reversed DFT and the
  Hadamard matrix lie in the butterfly set, so the error must vanish (≤ 1e-12 relative);
* the split optima e_ℓ agree with the generic two-factor solver on ``butterfly_split``
  (a different code path: rank-one structure, classes, stacked SVDs);
* the interval: ``lower ≤ error`` always; ``lower ≤`` the error of every element of the
  set found by the local method; ``E* = ‖C‖`` when A = B + C with B in the set and C
  outside the total support; one split is exact; the sequential trees satisfy
  ``error² = Σ f_ℓ²`` and ``error ≤ √(N−1) · lower``.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import hadamard

from closure_check.approximation.chain import (
    METHOD_CHAIN_ALS,
    METHOD_HIERARCHICAL,
    TREES,
    alternating_least_squares_chain,
    solve_chain,
    split_order,
)
from closure_check.approximation.solve import solve
from closure_check.chains.chainable import chainable_architecture
from closure_check.core.support import ChainSupport
from closure_check.families import (
    butterfly_chain,
    butterfly_split,
    deformable_butterfly,
    kaleidoscope,
    monarch_chain,
)

ROUNDING = 1e-12  # relative; every quantity here is floating point


def random_product(chain: ChainSupport, seed: int, complex_: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    product = np.eye(chain.shape[0])
    for factor in chain.factors:
        mask = factor.toarray()
        values = rng.standard_normal(mask.shape)
        if complex_:
            values = values + 1j * rng.standard_normal(mask.shape)
        product = product @ (values * mask)
    return product


def bit_reversed_dft(L: int) -> np.ndarray:
    n = 2**L
    order = [int(format(i, f"0{L}b")[::-1], 2) for i in range(n)]
    return np.fft.fft(np.eye(n))[:, order]


def check_factors(chain: ChainSupport, result) -> np.ndarray:
    """Every factor inside its support; returns the dense product."""
    product = np.eye(chain.shape[0])
    for factor, support in zip(result.factors, chain.factors):
        dense = factor.toarray()
        assert dense.shape == support.shape
        assert not np.any(dense[support.toarray() == 0])
        product = product @ dense
    return product


CHAINABLE = [
    *(pytest.param(butterfly_chain(L), id=f"butterfly-{L}") for L in range(3, 7)),
    pytest.param(monarch_chain(4), id="monarch-16"),
    pytest.param(deformable_butterfly([(1, 2, 2, 6), (2, 3, 3, 2), (6, 2, 2, 1)]), id="deformable-12"),
    pytest.param(deformable_butterfly([(1, 2, 3, 4), (3, 2, 2, 2), (6, 2, 5, 1)]), id="deformable-rect"),
]


@pytest.mark.parametrize("chain", CHAINABLE)
@pytest.mark.parametrize("tree", TREES)
@pytest.mark.parametrize("complex_", [False, True])
def test_random_products_are_recovered(chain: ChainSupport, tree: str, complex_: bool) -> None:
    assert chainable_architecture(chain) is not None
    A = random_product(chain, seed=chain.length, complex_=complex_)
    result = solve_chain(A, chain, tree=tree)
    product = check_factors(chain, result)
    assert result.method == METHOD_HIERARCHICAL
    assert result.error == pytest.approx(np.linalg.norm(A - product), rel=1e-9, abs=1e-12 * result.norm)
    assert result.error <= ROUNDING * result.norm
    assert max(result.split_errors) <= ROUNDING * result.norm
    assert np.iscomplexobj(result.factors[0].data) == complex_


@pytest.mark.parametrize("L", range(2, 9))
@pytest.mark.parametrize("tree", TREES)
def test_dft_and_hadamard_are_butterflies(L: int, tree: str) -> None:
    chain = butterfly_chain(L)
    for A in (bit_reversed_dft(L), hadamard(2**L).astype(float)):
        result = solve_chain(A, chain, tree=tree)
        assert len(result.factors) == L
        assert result.error <= ROUNDING * result.norm


def test_the_plain_dft_is_not_a_butterfly() -> None:
    """Without the bit reversal the DFT is far from the set: the lower bound says so."""
    A = np.fft.fft(np.eye(16))
    result = solve_chain(A, butterfly_chain(4))
    assert result.lower_bound > 0.5 * result.norm
    assert result.lower_bound <= result.error * (1 + ROUNDING)


@pytest.mark.parametrize("L", [3, 4, 5])
def test_split_errors_agree_with_the_two_factor_solver(L: int) -> None:
    A = np.random.default_rng(L).standard_normal((2**L, 2**L))
    result = solve_chain(A, butterfly_chain(L))
    for ell, e in enumerate(result.split_errors, start=1):
        two_factor = solve(A, butterfly_split(L, ell))
        assert two_factor.optimal
        assert e == pytest.approx(two_factor.error, rel=1e-10)


@pytest.mark.parametrize("chain", CHAINABLE)
@pytest.mark.parametrize("tree", TREES)
def test_interval_on_gaussian_targets(chain: ChainSupport, tree: str) -> None:
    rng = np.random.default_rng(7)
    A = rng.standard_normal(chain.shape) + 1j * rng.standard_normal(chain.shape)
    result = solve_chain(A, chain, tree=tree)
    check_factors(chain, result)
    assert 0 < result.lower_bound <= result.error * (1 + ROUNDING)
    assert max(result.split_errors) <= result.lower_bound
    if tree in ("left-to-right", "right-to-left"):
        f = np.array([f for _, f in result.performed])
        assert [ell for ell, _ in result.performed] == list(split_order(chain.length, tree))
        assert result.error**2 <= np.sum(f**2) * (1 + 1e-10)
        assert result.error <= result.guarantee * result.lower_bound * (1 + 1e-10)
        assert result.guarantee == pytest.approx(np.sqrt(chain.length - 1))
    else:
        assert result.guarantee is None


def test_sequential_error_is_the_root_sum_of_the_split_errors() -> None:
    """Full-rank blocks (butterfly: 2 × m blocks of rank ≤ 1): Pythagoras holds with equality."""
    A = np.random.default_rng(3).standard_normal((32, 32))
    for tree in ("left-to-right", "right-to-left"):
        result = solve_chain(A, butterfly_chain(5), tree=tree)
        f = np.array([f for _, f in result.performed])
        assert result.error == pytest.approx(np.sqrt(np.sum(f**2)), rel=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_lower_bound_is_below_every_element_found_by_the_local_method(seed: int) -> None:
    chain = butterfly_chain(3)
    A = np.random.default_rng(100 + seed).standard_normal((8, 8))
    result = solve_chain(A, chain, tree="balanced")
    for start in range(3):
        local = alternating_least_squares_chain(A, chain, seed=start, iterations=60)
        assert local.method == METHOD_CHAIN_ALS and not local.optimal
        assert result.lower_bound <= local.error * (1 + ROUNDING)


def test_optimum_known_from_the_total_support() -> None:
    """A = B + C, B in the set, C outside S_τ: E* = ‖C‖, and the interval pins it."""
    chain = deformable_butterfly([(2, 2, 2, 2), (4, 2, 2, 1)])
    architecture = chainable_architecture(chain)
    assert architecture is not None and architecture.total == (2, 4, 4, 1)
    B = random_product(chain, seed=1)
    total = (B != 0)
    C = np.where(total, 0.0, np.random.default_rng(2).standard_normal(B.shape))
    assert np.any(C)
    for tree in TREES:
        result = solve_chain(B + C, chain, tree=tree)
        assert result.error == pytest.approx(np.linalg.norm(C), rel=1e-10)
        assert result.lower_bound == pytest.approx(np.linalg.norm(C), rel=1e-10)


def test_one_split_is_exact() -> None:
    chain = monarch_chain(3)
    A = np.random.default_rng(5).standard_normal((9, 9))
    result = solve_chain(A, chain)
    assert result.optimal and len(result.split_errors) == 1
    assert result.error == pytest.approx(result.split_errors[0], rel=1e-10)
    assert result.error == pytest.approx(solve(A, chain.to_two_factor()).error, rel=1e-10)


def test_single_factor_is_the_masked_matrix() -> None:
    chain = deformable_butterfly([(2, 2, 2, 2)])
    A = np.random.default_rng(0).standard_normal(chain.shape)
    result = solve_chain(A, chain)
    mask = chain.factors[0].toarray() == 1
    assert result.optimal and result.error == pytest.approx(np.linalg.norm(A[~mask]))


def test_split_orders() -> None:
    assert split_order(5, "left-to-right") == (1, 2, 3, 4)
    assert split_order(5, "right-to-left") == (4, 3, 2, 1)
    assert split_order(5, "balanced") == (2, 1, 3, 4)
    assert split_order(8, "balanced") == (4, 2, 1, 3, 6, 5, 7)
    for n in range(1, 10):
        assert sorted(split_order(n, "balanced")) == list(range(1, n))
    with pytest.raises(ValueError, match="tree"):
        split_order(3, "random")


def test_non_chainable_chain_gets_the_local_method() -> None:
    chain = kaleidoscope(2)
    assert chainable_architecture(chain) is None
    A = np.random.default_rng(1).standard_normal((4, 4))
    result = solve_chain(A, chain, iterations=30)
    check_factors(chain, result)
    assert result.method == METHOD_CHAIN_ALS and not result.optimal
    assert result.lower_bound == 0.0 and result.guarantee is None and result.published_bound is None
    history = np.array(result.history)
    assert np.all(np.diff(history) <= 1e-9 * history[0])


def test_bad_input() -> None:
    chain = butterfly_chain(3)
    with pytest.raises(ValueError, match="shape"):
        solve_chain(np.zeros((4, 4)), chain)
    with pytest.raises(ValueError, match="NaN"):
        solve_chain(np.full((8, 8), np.nan), chain)
    with pytest.raises(ValueError, match="tree"):
        solve_chain(np.zeros((8, 8)), chain, tree="upside-down")


# --------------------------------------------------------------------------- the kernels


PAIRS = [((1, 2, 2, 4), (2, 2, 2, 2)), ((2, 3, 4, 2), (4, 2, 3, 2)), ((1, 2, 2, 6), (2, 3, 3, 2)), ((1, 3, 6, 1), (3, 2, 2, 1))]


@pytest.mark.parametrize("left, right", PAIRS)
def test_orthonormalisation_keeps_the_product_and_makes_isometries(left, right) -> None:
    from closure_check.approximation import kronecker as ks
    from closure_check.families import kronecker_pattern

    rng = np.random.default_rng(0)
    S_left, S_right = kronecker_pattern(*left).toarray(), kronecker_pattern(*right).toarray()
    X = ks.values_of(rng.standard_normal(S_left.shape) * S_left, left)[0]
    Y = ks.values_of(rng.standard_normal(S_right.shape) * S_right + 0j, right)[0]
    product = (ks.to_sparse(X, left) @ ks.to_sparse(Y, right)).toarray()
    Q, Y2 = ks.left_orthonormalize(X, left, Y, right)
    X3, V = ks.right_orthonormalize(X, left, Y, right)
    for a, b in ((Q, Y2), (X3, V)):
        assert np.allclose((ks.to_sparse(a, left) @ ks.to_sparse(b, right)).toarray(), product, atol=1e-12)
    # Lemma C2: Z ↦ Q Z and Z ↦ Z V preserve the norm on Σ(S_ρ) and Σ(S_λ) (full-rank blocks here)
    Z = rng.standard_normal(S_right.shape) * S_right
    assert np.linalg.norm(ks.to_sparse(Q, left).toarray() @ Z) == pytest.approx(np.linalg.norm(Z), rel=1e-12)
    W = rng.standard_normal(S_left.shape) * S_left
    assert np.linalg.norm(W @ ks.to_sparse(V, right).toarray()) == pytest.approx(np.linalg.norm(W), rel=1e-12)


@pytest.mark.parametrize("left, right", PAIRS)
def test_split_is_the_two_factor_optimum(left, right) -> None:
    """The Kronecker kernel and the generic exact solver agree on every chainable pair."""
    from closure_check.approximation import kronecker as ks
    from closure_check.core.support import TwoFactorSupport
    from closure_check.families import kronecker_pattern

    S_left, S_right = kronecker_pattern(*left), kronecker_pattern(*right)
    A = np.random.default_rng(1).standard_normal((S_left.shape[0], S_right.shape[1]))
    values, outside = ks.values_of(A, ks.fuse(left, right))
    piece = ks.split(values, left, right, residual=True)
    X, Y = ks.to_sparse(piece.left, left).toarray(), ks.to_sparse(piece.right, right).toarray()
    assert not np.any(X[S_left.toarray() == 0]) and not np.any(Y[S_right.toarray() == 0])
    error = np.linalg.norm(A - X @ Y)
    assert error == pytest.approx(np.sqrt(outside + piece.residual), rel=1e-10)
    assert error == pytest.approx(np.sqrt(outside + piece.discarded), rel=1e-10)
    generic = solve(A, TwoFactorSupport(S_left, S_right.T))
    assert generic.optimal and error == pytest.approx(generic.error, rel=1e-10)


@pytest.mark.parametrize("patterns", [
    [(1, 2, 2, 8), (2, 2, 2, 4), (4, 2, 2, 2), (8, 2, 2, 1)],
    [(1, 2, 3, 4), (3, 2, 2, 2), (6, 2, 5, 1)],
    [(1, 3, 3, 9), (3, 3, 3, 3), (9, 3, 3, 1)],
])
def test_the_projected_optimum_stays_in_the_chain_set(patterns) -> None:
    """Lemma C3, numerically: for block-orthonormal U ⊆ S_{π_1}, Φ(A') = mask_{ρ_1}(Uᴴ A') is in
    P(π_2, …, π_N) for every A' in P(π_1, …, π_N) (and the mirror with V ⊆ S_{π_N})."""
    from closure_check.approximation import kronecker as ks
    from closure_check.families import kronecker_pattern

    chain = deformable_butterfly(patterns)
    rng = np.random.default_rng(len(patterns))
    A_in = random_product(chain, seed=11, complex_=True)
    G = rng.standard_normal(chain.shape) + 1j * rng.standard_normal(chain.shape)
    first, rest = tuple(patterns[0]), patterns[1:]
    fused_rest = rest[0]
    for p in rest[1:]:
        fused_rest = ks.fuse(fused_rest, tuple(p))
    values, _ = ks.values_of(G, ks.fuse(first, fused_rest))
    U = ks.to_sparse(ks.split(values, first, fused_rest, orthonormal="left").left, first).toarray()
    projected = (U.conj().T @ A_in) * kronecker_pattern(*fused_rest).toarray()
    result = solve_chain(projected, deformable_butterfly(rest))
    assert result.error <= ROUNDING * np.linalg.norm(projected)
    assert np.linalg.norm(projected) > 1e-3 * np.linalg.norm(A_in)
    # mirror: V ⊆ S_{π_N} with orthonormal block rows, Ψ(A') = mask_{λ_{N−1}}(A' Vᴴ)
    last, head = tuple(patterns[-1]), patterns[:-1]
    fused_head = tuple(head[0])
    for p in head[1:]:
        fused_head = ks.fuse(fused_head, tuple(p))
    V = ks.to_sparse(ks.split(values, fused_head, last, orthonormal="right").right, last).toarray()
    mirrored = (A_in @ V.conj().T) * kronecker_pattern(*fused_head).toarray()
    result = solve_chain(mirrored, deformable_butterfly(head))
    assert result.error <= ROUNDING * np.linalg.norm(mirrored)
