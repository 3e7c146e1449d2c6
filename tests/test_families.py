"""Tests for closure_check.families: every family against closed formulas or literal matrices."""

from __future__ import annotations

import itertools
import time
import tracemalloc
from collections import Counter

import numpy as np
import pytest
import scipy.linalg

from closure_check.core.case import Case
from closure_check.core.support import (
    ChainSupport,
    SupportError,
    TwoFactorSupport,
    product_support,
)
from closure_check.families import (
    FAMILIES,
    FamilyError,
    banded,
    block_diagonal,
    build_family,
    butterfly_chain,
    butterfly_split,
    deformable_butterfly,
    dense,
    diagonal,
    kaleidoscope,
    kronecker_pattern,
    n_of_m,
    sparse_lowrank,
    lu,
    monarch,
    monarch_chain,
    random_k_sparse,
)


def _array(matrix) -> np.ndarray:
    return matrix.toarray()


def _is_canonical(matrix) -> bool:
    copy = matrix.copy()
    copy.sum_duplicates()
    copy.sort_indices()
    return (
        matrix.dtype == np.int8
        and bool(np.all(matrix.data == 1))
        and np.array_equal(copy.indices, matrix.indices)
        and np.array_equal(copy.indptr, matrix.indptr)
    )


# --------------------------------------------------------------------------- kronecker


KRONECKER_SIZES = [(1, 1, 1, 1), (1, 2, 3, 1), (2, 1, 1, 3), (2, 3, 2, 2), (3, 2, 4, 1), (1, 4, 2, 3), (2, 2, 2, 2)]


@pytest.mark.parametrize("a,b,c,d", KRONECKER_SIZES)
def test_kronecker_pattern_equals_kron_of_dense(a, b, c, d):
    expected = np.kron(np.kron(np.eye(a, dtype=int), np.ones((b, c), dtype=int)), np.eye(d, dtype=int))
    pattern = kronecker_pattern(a, b, c, d)
    assert pattern.shape == (a * b * d, a * c * d)
    assert pattern.nnz == a * b * c * d
    assert np.array_equal(_array(pattern), expected)
    assert _is_canonical(pattern)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2", None])
def test_kronecker_pattern_rejects_bad_arguments(bad):
    with pytest.raises(SupportError, match="^c must be"):
        kronecker_pattern(2, 2, bad, 2)


def test_kronecker_pattern_accepts_numpy_integers():
    assert kronecker_pattern(np.int64(2), 1, 1, np.int32(1)).shape == (2, 2)


# --------------------------------------------------------------------------- two-factor families


@pytest.mark.parametrize("m,n,r", [(1, 1, 1), (2, 3, 1), (3, 2, 4), (5, 5, 5)])
def test_dense(m, n, r):
    support = dense(m, n, r)
    assert support.shape == (m, n) and support.rank == r
    assert np.array_equal(_array(support.I), np.ones((m, r)))
    assert np.array_equal(_array(support.J), np.ones((n, r)))
    assert support.nnz == (m + n) * r


@pytest.mark.parametrize("n", [1, 2, 7])
def test_diagonal(n):
    support = diagonal(n)
    assert np.array_equal(_array(support.I), np.eye(n)) and np.array_equal(_array(support.J), np.eye(n))
    assert support.nnz == 2 * n


@pytest.mark.parametrize("blocks", [[(1, 1, 1)], [(2, 3, 1), (1, 1, 2)], [(3, 1, 2), (1, 4, 1), (2, 2, 2)]])
def test_block_diagonal(blocks):
    support = block_diagonal(blocks)
    expected_I = scipy.linalg.block_diag(*[np.ones((m, r)) for m, _, r in blocks])
    expected_J = scipy.linalg.block_diag(*[np.ones((n, r)) for _, n, r in blocks])
    assert np.array_equal(_array(support.I), expected_I)
    assert np.array_equal(_array(support.J), expected_J)
    assert support.shape == (sum(b[0] for b in blocks), sum(b[1] for b in blocks))
    assert support.rank == sum(b[2] for b in blocks)
    assert support.I.nnz == sum(m * r for m, _, r in blocks)
    assert support.J.nnz == sum(n * r for _, n, r in blocks)


@pytest.mark.parametrize("blocks", [[], [(1, 2)], [(1, 0, 1)], "123"])
def test_block_diagonal_rejects_bad_blocks(blocks):
    with pytest.raises(SupportError):
        block_diagonal(blocks)


def test_lu_two_by_two_literal():
    assert lu(2) == TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
    assert _array(lu(2).to_chain().factors[1]).tolist() == [[1, 1], [0, 1]]


@pytest.mark.parametrize("n", [1, 2, 3, 6, 50])
def test_lu(n):
    support = lu(n)
    assert support.I.nnz == support.J.nnz == n * (n + 1) // 2
    assert np.array_equal(_array(support.I), np.tril(np.ones((n, n))))
    assert np.array_equal(_array(support.to_chain().factors[1]), np.triu(np.ones((n, n))))


@pytest.mark.parametrize("n,w", [(1, 0), (5, 0), (5, 1), (5, 2), (6, 3), (7, 6), (4, 10)])
def test_banded(n, w):
    support = banded(n, w)
    i, k = np.indices((n, n))
    assert np.array_equal(_array(support.I), (np.abs(i - k) <= w).astype(int))
    assert np.array_equal(_array(support.I), _array(support.J))
    expected_nnz = n * (2 * w + 1) - w * (w + 1) if w < n else n * n
    assert support.I.nnz == expected_nnz


def test_banded_zero_is_diagonal_and_rejects_negative():
    assert banded(4, 0) == diagonal(4)
    with pytest.raises(SupportError, match="bandwidth"):
        banded(4, -1)


@pytest.mark.parametrize("m,n,r,k", [(1, 1, 1, 1), (5, 3, 4, 2), (10, 20, 30, 3), (100, 7, 50, 7), (6, 6, 40, 5)])
def test_random_k_sparse_exactly_k_per_column(m, n, r, k):
    support = random_k_sparse(m, n, r, k, seed=1)
    assert support.shape == (m, n) and support.rank == r
    assert support.I.nnz == support.J.nnz == k * r
    assert np.all(support.I.sum(axis=0) == k) and np.all(support.J.sum(axis=0) == k)
    assert _is_canonical(support.I) and _is_canonical(support.J)


def test_random_k_sparse_is_deterministic_per_seed():
    assert random_k_sparse(30, 40, 50, 4, seed=7) == random_k_sparse(30, 40, 50, 4, seed=7)
    assert random_k_sparse(30, 40, 50, 4, seed=7) != random_k_sparse(30, 40, 50, 4, seed=8)


def test_random_k_sparse_extremes():
    empty = random_k_sparse(3, 4, 5, 0, seed=0)
    assert empty.nnz == 0 and empty.shape == (3, 4) and empty.rank == 5
    full = random_k_sparse(3, 3, 5, 3, seed=0)
    assert full == dense(3, 3, 5)


@pytest.mark.parametrize("m,k", [(4, 2), (5, 4), (6, 1), (17, 2)])
def test_random_k_sparse_columns_are_uniform_subsets(m, k):
    # Each of the C(m, k) subsets must appear with frequency close to 1 / C(m, k)
    # (bounds are 6 standard deviations, for a fixed seed).  (17, 2) uses repeated
    # draws with replacement, the others random permutations.
    r = 20000
    columns = random_k_sparse(m, m, r, k, seed=3).I.tocsc()
    counts = Counter(tuple(columns.indices[columns.indptr[j]:columns.indptr[j + 1]]) for j in range(r))
    subsets = list(itertools.combinations(range(m), k))
    assert set(counts) == set(subsets)
    p = 1 / len(subsets)
    sigma = np.sqrt(r * p * (1 - p))
    assert all(abs(counts[s] - r * p) < 6 * sigma for s in subsets)


@pytest.mark.parametrize("m,k", [(50, 6), (100, 12), (33, 4), (10, 5), (12, 11)])
def test_random_k_sparse_rows_are_equally_likely(m, k):
    # Each row lies in a uniform k-subset with probability k/m; the count over r
    # columns is Binomial(r, k/m).  Covers draws with replacement refilled several
    # times (k < m/8) and random permutations (k ≥ m/8).  Bounds are 5 standard
    # deviations.
    r = 20000
    support = random_k_sparse(m, m, r, k, seed=5)
    p = k / m
    sigma = np.sqrt(r * p * (1 - p))
    for factor in (support.I, support.J):
        counts = np.asarray(factor.sum(axis=1)).ravel()
        assert np.all(np.abs(counts - r * p) < 5 * sigma)


@pytest.mark.parametrize("args,word", [((3, 5, 2, 4, 0), "k"), ((5, 3, 2, 4, 0), "k"), ((3, 3, 2, -1, 0), "k"),
                                        ((3, 3, 0, 1, 0), "r"), ((3, 3, 2, 1, -5), "seed")])
def test_random_k_sparse_rejects_bad_arguments(args, word):
    with pytest.raises(SupportError, match=f"^{word} must"):
        random_k_sparse(*args)


# --------------------------------------------------------------------------- butterfly and friends


BUTTERFLY_8 = [
    [[1, 0, 0, 0, 1, 0, 0, 0],
     [0, 1, 0, 0, 0, 1, 0, 0],
     [0, 0, 1, 0, 0, 0, 1, 0],
     [0, 0, 0, 1, 0, 0, 0, 1],
     [1, 0, 0, 0, 1, 0, 0, 0],
     [0, 1, 0, 0, 0, 1, 0, 0],
     [0, 0, 1, 0, 0, 0, 1, 0],
     [0, 0, 0, 1, 0, 0, 0, 1]],
    [[1, 0, 1, 0, 0, 0, 0, 0],
     [0, 1, 0, 1, 0, 0, 0, 0],
     [1, 0, 1, 0, 0, 0, 0, 0],
     [0, 1, 0, 1, 0, 0, 0, 0],
     [0, 0, 0, 0, 1, 0, 1, 0],
     [0, 0, 0, 0, 0, 1, 0, 1],
     [0, 0, 0, 0, 1, 0, 1, 0],
     [0, 0, 0, 0, 0, 1, 0, 1]],
    [[1, 1, 0, 0, 0, 0, 0, 0],
     [1, 1, 0, 0, 0, 0, 0, 0],
     [0, 0, 1, 1, 0, 0, 0, 0],
     [0, 0, 1, 1, 0, 0, 0, 0],
     [0, 0, 0, 0, 1, 1, 0, 0],
     [0, 0, 0, 0, 1, 1, 0, 0],
     [0, 0, 0, 0, 0, 0, 1, 1],
     [0, 0, 0, 0, 0, 0, 1, 1]],
]


def test_butterfly_chain_of_size_8_literal():
    chain = butterfly_chain(3)
    assert chain.length == 3
    for factor, expected in zip(chain.factors, BUTTERFLY_8):
        assert _array(factor).tolist() == expected
    assert chain == ChainSupport.from_dense(BUTTERFLY_8)


@pytest.mark.parametrize("L", [1, 2, 3, 4, 6])
def test_butterfly_chain_sizes(L):
    chain = butterfly_chain(L)
    N = 2**L
    assert chain.length == L and chain.dims == (N,) * (L + 1)
    assert all(f.nnz == 2 * N for f in chain.factors)
    assert all(np.all(f.sum(axis=0) == 2) and np.all(f.sum(axis=1) == 2) for f in chain.factors)


def test_butterfly_chain_product_is_full():
    # The butterfly product has every entry free: the product support is all ones.
    chain = butterfly_chain(4)
    product = chain.factors[0]
    for factor in chain.factors[1:]:
        product = product_support(product, factor)
    assert product.nnz == 16 * 16


@pytest.mark.parametrize("L,ell", [(L, ell) for L in range(2, 6) for ell in range(1, L)])
def test_butterfly_split_is_product_of_chain_factors(L, ell):
    factors = butterfly_chain(L).factors
    left, right = factors[0], factors[ell]
    for factor in factors[1:ell]:
        left = product_support(left, factor)
    for factor in factors[ell + 1:]:
        right = product_support(right, factor)
    split = butterfly_split(L, ell)
    assert split == TwoFactorSupport(left, right.T)
    assert split.shape == (2**L, 2**L) and split.rank == 2**L
    assert split.I.nnz == 2**L * 2**ell and split.J.nnz == 2**L * 2 ** (L - ell)


@pytest.mark.parametrize("L,ell", [(1, 1), (3, 0), (3, 3), (0, 1)])
def test_butterfly_split_rejects_bad_split(L, ell):
    with pytest.raises(SupportError):
        butterfly_split(L, ell)


@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_monarch(m):
    chain = monarch_chain(m)
    n = m * m
    assert chain.dims == (n, n, n)
    assert chain.factors[0].nnz == chain.factors[1].nnz == m**3
    assert np.array_equal(_array(chain.factors[0]), np.kron(np.ones((m, m)), np.eye(m)))
    assert np.array_equal(_array(chain.factors[1]), np.kron(np.eye(m), np.ones((m, m))))
    two = monarch(m)
    assert two == chain.to_two_factor() and two.to_chain() == chain
    # (1_m ⊗ I_m)(I_m ⊗ 1_m) = 1_m ⊗ 1_m: every entry of a Monarch matrix is free.
    assert product_support(*chain.factors).nnz == n * n


def test_deformable_butterfly_builds_each_pattern():
    patterns = [(1, 2, 3, 2), (3, 2, 2, 1), (2, 3, 1, 1)]
    chain = deformable_butterfly(patterns)
    assert chain == ChainSupport(tuple(kronecker_pattern(*p) for p in patterns))
    assert chain.dims == (4, 6, 6, 2)
    assert deformable_butterfly([(2 ** (ell - 1), 2, 2, 2 ** (4 - ell)) for ell in range(1, 5)]) == butterfly_chain(4)
    assert deformable_butterfly([(1, 3, 3, 3), (3, 3, 3, 1)]) == monarch_chain(3)


def test_deformable_butterfly_rejects_mismatch():
    with pytest.raises(SupportError, match=r"pattern 1 \(1, 2, 2, 2\) has 4 columns but pattern 2 \(1, 2, 2, 1\) has 2 rows"):
        deformable_butterfly([(1, 2, 2, 2), (1, 2, 2, 1)])
    with pytest.raises(SupportError):
        deformable_butterfly([])
    with pytest.raises(SupportError, match="pattern 2 b"):
        deformable_butterfly([(1, 1, 1, 1), (1, 0, 1, 1)])
    with pytest.raises(SupportError, match="quadruple"):
        deformable_butterfly([(1, 1, 1)])


@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_kaleidoscope(L):
    chain = kaleidoscope(L)
    butterfly = butterfly_chain(L).factors
    assert chain.length == 2 * L
    assert chain == ChainSupport(butterfly + butterfly[::-1])
    # B* = W_L^T ⋯ W_1^T and each butterfly factor pattern is symmetric.
    assert all(np.array_equal(_array(f), _array(f).T) for f in butterfly)
    assert chain == ChainSupport(butterfly + tuple(f.T for f in reversed(butterfly)))


# --------------------------------------------------------------------------- registry


VALID = {
    "dense": (["2", "3", "1"], dense(2, 3, 1), "dense-2x3-r1"),
    "diagonal": (["4"], diagonal(4), "diagonal4"),
    "block-diagonal": (["2,3,1", "1,1,2"], block_diagonal([(2, 3, 1), (1, 1, 2)]), "block-diagonal-2x3r1-1x1r2"),
    "lu": (["3"], lu(3), "lu3"),
    "banded": (["5", "1"], banded(5, 1), "banded5-w1"),
    "random": (["6", "7", "8", "2", "9"], random_k_sparse(6, 7, 8, 2, 9), "random-6x7-r8-k2-s9"),
    "kronecker": (["2", "1", "3", "2"], ChainSupport((kronecker_pattern(2, 1, 3, 2),)), "kronecker-2-1-3-2"),
    "butterfly": (["3"], butterfly_chain(3), "butterfly-L3"),
    "butterfly-split": (["4", "2"], butterfly_split(4, 2), "butterfly-split-L4-l2"),
    "monarch": (["3"], monarch(3), "monarch3"),
    "deformable-butterfly": (["1,2,2,2", "2,2,2,1"], deformable_butterfly([(1, 2, 2, 2), (2, 2, 2, 1)]),
                             "deformable-butterfly-1.2.2.2-2.2.2.1"),
    "kaleidoscope": (["2"], kaleidoscope(2), "kaleidoscope-L2"),
    "nm": (["2", "4", "4", "8", "0"], n_of_m(2, 4, 4, 8, 0), "nm-2of4-4x8-s0"),
    "sparse-lowrank": (["3", "3", "1", "2", "0"], sparse_lowrank(3, 3, 1, 2, 0), "sparse-lowrank-3x3-r1-k2-s0"),
}


def test_registry_names():
    assert set(FAMILIES) == set(VALID)
    assert all(family.name == name for name, family in FAMILIES.items())
    assert all(family.summary and "\n" not in family.summary for family in FAMILIES.values())


@pytest.mark.parametrize("name", sorted(VALID))
def test_build_family_matches_direct_call(name):
    args, expected, label = VALID[name]
    case = build_family(name, args)
    assert isinstance(case, Case)
    assert type(case.support) is type(expected) and case.support == expected
    assert case.name == label
    assert case.expect is None
    assert case.source.startswith(f"family {name}(") and case.source.endswith("), closure-check families")


def test_build_family_source_text():
    assert build_family("lu", ["3"]).source == "family lu(3), closure-check families"
    assert build_family("block-diagonal", ["1,2,3"]).source == "family block-diagonal((1, 2, 3)), closure-check families"


def test_family_usage():
    assert FAMILIES["lu"].usage == "lu n"
    assert FAMILIES["random"].usage == "random m n r k seed"
    assert FAMILIES["block-diagonal"].usage == "block-diagonal m,n,r [m,n,r ...]"


@pytest.mark.parametrize(
    "name,args,fragment",
    [
        ("nope", ["1"], "unknown family 'nope'"),
        ("lu", [], "lu takes 1 argument: n, got 0"),
        ("lu", ["2", "3"], "lu takes 1 argument: n, got 2"),
        ("butterfly-split", ["4"], "butterfly-split takes 2 arguments: L ell"),
        ("lu", ["x"], "lu: n must be an integer, got 'x'"),
        ("lu", ["2.5"], "must be an integer"),
        ("lu", ["0"], "lu: n must be a positive integer, got 0"),
        ("butterfly-split", ["4", "4"], "ell must be between 1 and L - 1 = 3"),
        ("random", ["3", "3", "3", "4", "0"], "k must be at most"),
        ("block-diagonal", [], "block-diagonal takes one or more arguments"),
        ("block-diagonal", ["1,2"], "must be 3 comma-separated integers m,n,r"),
        ("block-diagonal", ["1,a,2"], "n must be an integer, got 'a'"),
        ("deformable-butterfly", ["1,2,2,2", "1,2,2,1"], "has 4 columns but pattern 2"),
        ("kronecker", ["1", "2", "3"], "kronecker takes 4 arguments: a b c d"),
        ("nm", ["3", "2", "4", "4", "0"], "N must be at most M"),
        ("nm", ["2", "4", "6", "8", "0"], "M = 4 must divide"),
        ("sparse-lowrank", ["2", "2", "1", "5", "0"], "k must be at most m·n = 4"),
    ],
)
def test_build_family_errors_are_one_line_with_usage(name, args, fragment):
    with pytest.raises(FamilyError) as info:
        build_family(name, args)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    if name in FAMILIES:
        assert f"(usage: {FAMILIES[name].usage})" in message
    else:
        assert "lu" in message and "butterfly-split" in message
    assert isinstance(info.value, ValueError)


# --- sizes are estimated before anything is built (issue 13) -------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: butterfly_chain(40),
        lambda: butterfly_chain(10**30),
        lambda: kaleidoscope(63),
        lambda: butterfly_split(10**6, 3),
        lambda: lu(10**24),
        lambda: dense(10**8, 10**8, 10**8),
        lambda: dense(1000, 1000, 10**6),  # dimensions fit, 2*10^9 nonzeros do not
        lambda: diagonal(2 * 10**8),  # 4·10^8 nonzeros (10^7 is fine now: its memory follows its 2·10^7 nonzeros)
        lambda: banded(10**8, 1),
        lambda: random_k_sparse(10**9, 10, 10, 1, 0),
        lambda: monarch(10**4),
        lambda: kronecker_pattern(10**5, 10**5, 1, 1),
        lambda: block_diagonal([(10**6, 10**6, 10**6)] * 3),
        lambda: deformable_butterfly([(1, 10**6, 10**6, 1)] * 2),
        lambda: lu(10**5000),
    ],
)
def test_too_large_families_are_refused_before_allocating(build):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(SupportError, match=r"limit|too large"):
            build()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20 and time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    "name, args, fragment",
    [
        ("butterfly", ["40"], "2^40"),
        ("dense", ["1e8", "1e8", "1e8"], "dense factors 100000000 x 100000000"),
        ("lu", ["1000000000000000000000000"], "nonzeros in all, more than the limit of 200000000"),
        ("lu", ["1" * 100_001], "must be an integer, got '1111"),
        ("lu", ["1e999"], "too large (more than 60 digits)"),
    ],
)
def test_build_family_refuses_sizes_with_one_line(name, args, fragment):
    with pytest.raises(FamilyError) as caught:
        build_family(name, args)
    message = str(caught.value)
    assert fragment in message and "\n" not in message and len(message) < 400


def test_exponent_notation_is_an_integer():
    assert build_family("lu", ["2e0"]).support == lu(2)
    assert build_family("dense", ["1E1", "3", "2"]).support == dense(10, 3, 2)


# --------------------------------------------------------------------------- N:M and sparse plus low rank


@pytest.mark.parametrize(("n", "m", "rows", "cols", "seed"), [(2, 4, 8, 12, 0), (1, 2, 4, 6, 5), (4, 4, 4, 8, 1), (3, 8, 16, 8, 2)])
def test_n_of_m_keeps_n_in_every_group(n, m, rows, cols, seed):
    chain = n_of_m(n, m, rows, cols, seed)
    assert chain.dims == (rows, cols, rows)
    for factor in chain.factors:
        dense = factor.toarray()
        groups = dense.reshape(dense.shape[0], -1, m).sum(axis=2)
        assert (groups == n).all()
    assert n_of_m(n, m, rows, cols, seed) == chain  # seeded
    if n < m:
        assert n_of_m(n, m, rows, cols, seed + 1) != chain


@pytest.mark.parametrize(("m", "n", "r", "k", "seed"), [(3, 4, 2, 5, 0), (5, 5, 1, 0, 3), (2, 3, 3, 6, 1)])
def test_sparse_lowrank_is_one_dense_class_plus_single_cells(m, n, r, k, seed):
    from closure_check.core.graph import RankOneStructure

    support = sparse_lowrank(m, n, r, k, seed)
    assert support.rank == r + k
    I, J = support.I.toarray(), support.J.toarray()
    assert (I[:, :r] == 1).all() and (J[:, :r] == 1).all()
    cells = {(int(np.flatnonzero(I[:, c])[0]), int(np.flatnonzero(J[:, c])[0])) for c in range(r, r + k)}
    assert len(cells) == k and all(I[:, c].sum() == 1 and J[:, c].sum() == 1 for c in range(r, r + k))
    structure = RankOneStructure.build(support)
    assert int(structure.complete.sum()) == k + (1 if r >= min(m, n) else 0)


@pytest.mark.parametrize(("m", "n", "seed"), [(2, 2, 0), (2, 5, 1), (4, 3, 2), (6, 6, 7)])
def test_rank_one_plus_one_free_cell_is_not_closed(m, n, seed):
    """docs/theory.md §1, sparse plus low rank: SL(1, {cell}) is not closed (local-LU lemma)."""
    from closure_check.decide import check

    result = check(sparse_lowrank(m, n, 1, 1, seed))
    assert result.verdict.value == "not-closed" and result.certificate.lemma == "local-LU lemma"
