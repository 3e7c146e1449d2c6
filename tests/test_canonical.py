"""Canonical forms: equal exactly for isomorphic supports."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from closure_check.core.canonical import canonical_form
from closure_check.core.support import TwoFactorSupport


def isomorphic_by_brute_force(a: TwoFactorSupport, b: TwoFactorSupport, transpose: bool) -> bool:
    candidates = [b, b.transpose()] if transpose else [b]
    A_I, A_J = a.I.toarray(), a.J.toarray()
    for c in candidates:
        if c.I.shape != a.I.shape or c.J.shape != a.J.shape:
            continue
        B_I, B_J = c.I.toarray(), c.J.toarray()
        r = A_I.shape[1]
        for units in itertools.permutations(range(r)):
            I_u, J_u = B_I[:, units], B_J[:, units]
            # rows of I and rows of J may be permuted independently: compare sorted rows
            if sorted(map(tuple, I_u)) == sorted(map(tuple, A_I)) and sorted(map(tuple, J_u)) == sorted(map(tuple, A_J)):
                return True
    return False


def relabel(support: TwoFactorSupport, rng: np.random.Generator) -> TwoFactorSupport:
    I, J = support.I.toarray(), support.J.toarray()
    rows, cols, units = (rng.permutation(k) for k in (I.shape[0], J.shape[0], I.shape[1]))
    return TwoFactorSupport(I[np.ix_(rows, units)], J[np.ix_(cols, units)])


@pytest.mark.parametrize("seed", range(200))
def test_relabelled_and_transposed_supports_have_equal_forms(seed):
    rng = np.random.default_rng(seed)
    m, n, r = rng.integers(1, 7, size=3)
    support = TwoFactorSupport((rng.random((m, r)) < 0.5).astype(int), (rng.random((n, r)) < 0.5).astype(int))
    assert canonical_form(relabel(support, rng)) == canonical_form(support)
    assert canonical_form(relabel(support.transpose(), rng)) == canonical_form(support)
    assert canonical_form(support.transpose(), transpose=False) == canonical_form(
        relabel(support.transpose(), rng), transpose=False
    )


def test_form_agrees_with_brute_force_isomorphism_on_all_small_pairs():
    rng = np.random.default_rng(5)
    supports = []
    for _ in range(120):
        m, n, r = rng.integers(1, 4, size=3)
        supports.append(TwoFactorSupport((rng.random((m, r)) < 0.5).astype(int), (rng.random((n, r)) < 0.5).astype(int)))
    disagreements = []
    for a, b in itertools.combinations(supports, 2):
        for transpose in (False, True):
            same_form = canonical_form(a, transpose) == canonical_form(b, transpose)
            if same_form != isomorphic_by_brute_force(a, b, transpose):
                disagreements.append((a, b, transpose))
    assert not disagreements


def test_non_isomorphic_supports_with_equal_invariants_differ():
    # rows–units incidence: one 8-cycle versus two 4-cycles; every row and unit has
    # degree 2, every rectangle is 2×1, J is the identity in both.
    cycle = np.array([[1, 0, 0, 1], [1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]])
    two_squares = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]])
    eye = np.eye(4, dtype=int)
    a, b = TwoFactorSupport(cycle, eye), TwoFactorSupport(two_squares, eye)
    assert sorted(a.I.sum(axis=0)) == sorted(b.I.sum(axis=0)) and sorted(a.I.sum(axis=1)) == sorted(b.I.sum(axis=1))
    assert canonical_form(a) != canonical_form(b)


def test_lu_and_its_transpose_are_isomorphic_but_not_to_upper_lower():
    lu = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
    ul = TwoFactorSupport.from_dense([[1, 1], [0, 1]], [[1, 0], [1, 1]])   # X upper, Yᵀ upper
    assert canonical_form(lu) == canonical_form(lu.transpose())
    assert canonical_form(lu) != canonical_form(ul)


def test_canonical_representative_round_trips():
    rng = np.random.default_rng(2)
    for _ in range(50):
        m, n, r = rng.integers(1, 6, size=3)
        support = TwoFactorSupport((rng.random((m, r)) < 0.5).astype(int), (rng.random((n, r)) < 0.5).astype(int))
        form = canonical_form(support)
        assert canonical_form(form.to_support()) == form
