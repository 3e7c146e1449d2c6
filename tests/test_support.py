"""Supports: validation and the conversion between the two conventions."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from closure_check.core.support import (
    ChainSupport,
    SupportError,
    TwoFactorSupport,
    as_support_matrix,
    product_support,
)


def test_conversion_is_I1_equals_I_and_I2_equals_J_transpose():
    I = np.array([[1, 0, 1], [0, 1, 1]])
    J = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 1], [0, 0, 1]])
    chain = TwoFactorSupport(I, J).to_chain()
    assert chain.length == 2 and chain.dims == (2, 3, 4)
    assert np.array_equal(chain.factors[0].toarray(), I)
    assert np.array_equal(chain.factors[1].toarray(), J.T)
    assert chain.to_two_factor() == TwoFactorSupport(I, J)


def test_factors_respecting_I_J_are_exactly_chain_factors_respecting_I1_I2():
    rng = np.random.default_rng(0)
    for _ in range(20):
        I = (rng.random((4, 3)) < 0.5).astype(int)
        J = (rng.random((5, 3)) < 0.5).astype(int)
        chain = TwoFactorSupport(I, J).to_chain()
        X, Y = rng.standard_normal(I.shape) * I, rng.standard_normal(J.shape) * J
        W1, W2 = X, Y.T
        assert np.all((W1 != 0) <= (chain.factors[0].toarray() == 1))
        assert np.all((W2 != 0) <= (chain.factors[1].toarray() == 1))
        assert np.array_equal(W1 @ W2, X @ Y.T)


@pytest.mark.parametrize("bad", [[[1, 2]], [[0.5, 1]], [[-1, 0]], [[1, 0], [1, np.nan]]])
def test_entries_other_than_0_and_1_are_rejected(bad):
    with pytest.raises(SupportError, match="other than 0 and 1"):
        TwoFactorSupport(np.array(bad), np.ones((2, np.array(bad).shape[1])))


def test_duplicate_sparse_entry_is_rejected():
    duplicated = sp.coo_array((np.ones(2), ([0, 0], [1, 1])), shape=(2, 2))
    with pytest.raises(SupportError):
        TwoFactorSupport(duplicated, np.eye(2))


def test_column_counts_must_agree():
    with pytest.raises(SupportError, match="I has 2 columns and J has 3"):
        TwoFactorSupport(np.ones((2, 2)), np.ones((2, 3)))


def test_chain_inner_dimensions_must_agree():
    with pytest.raises(SupportError, match="W1 has 3 columns but W2 has 2 rows"):
        ChainSupport((np.ones((2, 3)), np.ones((2, 2))))
    with pytest.raises(SupportError):
        ChainSupport(())


def test_only_two_factor_chains_convert():
    with pytest.raises(SupportError, match="has 3"):
        ChainSupport((np.eye(2), np.eye(2), np.eye(2))).to_two_factor()


def test_equality_is_pattern_equality_and_zeros_are_dropped():
    a = TwoFactorSupport(sp.csr_array(np.array([[1, 0], [0, 1]])), np.eye(2, dtype=int))
    b = TwoFactorSupport.from_dense([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    explicit_zero = sp.csr_array((np.array([1, 0, 1]), np.array([0, 1, 1]), np.array([0, 2, 3])), shape=(2, 2))
    assert a == b == TwoFactorSupport(explicit_zero, np.eye(2)) and hash(a) == hash(b)
    assert a != TwoFactorSupport.from_dense([[1, 1], [0, 1]], [[1, 0], [0, 1]])


def test_product_support_is_boolean_product():
    left = np.array([[1, 0], [0, 0], [1, 1]])
    right = np.array([[0, 1, 0], [1, 0, 0]])
    assert product_support(sp.csr_array(left), sp.csr_array(right)).toarray().tolist() == [
        [0, 1, 0], [0, 0, 0], [1, 1, 0]
    ]


def test_equal_supports_hash_equally_whatever_the_index_dtype():
    # issue 20 audit: __eq__ compares index values, so __hash__ must not see the index dtype
    small = sp.csr_array(np.array([[1, 0], [1, 1]], dtype=np.int8))
    wide = sp.csr_array((small.data, small.indices.astype(np.int64), small.indptr.astype(np.int64)), shape=small.shape)
    assert small.indices.dtype != wide.indices.dtype
    a, b = TwoFactorSupport(small, small), TwoFactorSupport(wide, wide)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    c, d = ChainSupport((small, small)), ChainSupport((wide, wide))
    assert c == d and hash(c) == hash(d) and len({c, d}) == 1


def test_from_canonical_takes_validated_factors_as_they_are_and_checks_dimensions():
    I = as_support_matrix([[1, 0], [1, 1]])
    J = as_support_matrix([[1, 1], [0, 1], [1, 0]])
    support = TwoFactorSupport.from_canonical(I, J)
    assert support == TwoFactorSupport(I, J) and support.I is I
    with pytest.raises(SupportError, match="same number r of columns"):
        TwoFactorSupport.from_canonical(I, as_support_matrix([[1], [0]]))
    with pytest.raises(TypeError, match="canonical form"):
        TwoFactorSupport.from_canonical(I.astype(np.int64), J)
    chain = ChainSupport.from_canonical([I, as_support_matrix(J.toarray().T)])
    assert chain == ChainSupport((I, J.toarray().T)) and chain.factors[0] is I
    with pytest.raises(SupportError, match="inner dimensions must agree"):
        ChainSupport.from_canonical([I, J])
    with pytest.raises(SupportError, match="at least one factor"):
        ChainSupport.from_canonical([])
