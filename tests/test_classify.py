"""The combinatorial classifier: known verdicts, certificates, and cross-checks.

Every NOT CLOSED verdict is checked three ways: its Laurent curve expands exactly to
the limit (certificate self-check), the obstruction cells are covered only by the
obstruction units (re-derived from the support), and a Gröbner basis — a method that
shares no code with the rules — shows the limit has no factorisation even over ℂ.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from groebner_oracle import has_no_complex_solution

from closure_check.core.case import Verdict
from closure_check.core.enumerate import enumerate_patterns, rectangles_to_support
from closure_check.core.support import TwoFactorSupport
from closure_check.decide import check
from closure_check.families import (
    block_diagonal,
    butterfly_split,
    dense,
    diagonal,
    lu,
    monarch,
)
from closure_check.result import Tractability

R = rectangles_to_support


def assert_certificate_sound(support: TwoFactorSupport, result) -> None:
    certificate = result.certificate
    assert certificate is not None
    assert certificate.defects(support) == []
    I, J = support.I.toarray(), support.J.toarray()
    for i, j in certificate.obstruction_cells:
        covering = {k for k in range(support.rank) if I[i, k] and J[j, k]}
        assert covering <= set(certificate.obstruction_units), (i, j, covering)
    assert has_no_complex_solution(support, certificate.limit) is True
    if certificate.identity is not None:
        assert certificate.identity.defects() == []


MATH_TABLE = [
    (R(2, 2, [((0, 1), (0, 1))]), Verdict.CLOSED, "determinantal lemma"),
    (R(2, 2, [((0, 1), (0, 1)), ((1,), (1,))]), Verdict.NOT_CLOSED, "local-LU lemma"),
    (R(3, 3, [((0,), (0, 1, 2)), ((0, 1, 2), (1,))]), Verdict.CLOSED, "absorption lemma"),
    (R(3, 3, [((0, 1), (0, 1)), ((1, 2), (1, 2))]), Verdict.NOT_CLOSED, "local-LU lemma"),
    (R(2, 3, [((0, 1), (0, 1)), ((0, 1), (1, 2))]), Verdict.NOT_CLOSED, "shared-rows lemma"),
]


@pytest.mark.parametrize("support, verdict, lemma", MATH_TABLE)
def test_math_reference_table(support, verdict, lemma):
    result = check(support)
    assert result.verdict is verdict
    assert any(lemma in reason for reason in result.reasons)
    if verdict is Verdict.NOT_CLOSED:
        assert_certificate_sound(support, result)


def test_lu2_certificate_is_the_anti_identity():
    result = check(lu(2))
    assert {cell: int(v) for cell, v in result.certificate.limit.items()} == {(0, 1): 1, (1, 0): 1}


@pytest.mark.parametrize("n", range(2, 7))
def test_lu_n_is_not_closed_with_a_sound_certificate(n):
    result = check(lu(n))
    assert result.verdict is Verdict.NOT_CLOSED
    assert_certificate_sound(lu(n), result)


@pytest.mark.parametrize(
    "support",
    [dense(3, 4, 2), diagonal(5), block_diagonal([(2, 3, 1), (1, 2, 2)]), butterfly_split(5, 2), monarch(3)],
    ids=["dense", "diagonal", "block-diagonal", "butterfly-split", "monarch"],
)
def test_disjoint_families_are_closed_and_tractable(support):
    result = check(support)
    assert result.verdict is Verdict.CLOSED
    assert result.tractability is Tractability.DISJOINT_OR_IDENTICAL


def test_complete_row_and_column_reduce_to_a_linear_space():
    result = check(MATH_TABLE[2][0])
    assert result.verdict is Verdict.CLOSED
    assert result.tractability is Tractability.REDUCTION_THEN_DISJOINT


def test_cross_is_closed():
    support = R(3, 3, [((0, 1), (0, 1, 2)), ((0, 1, 2), (0, 1))])
    result = check(support)
    assert result.verdict is Verdict.CLOSED and any("cross lemma" in r for r in result.reasons)


def test_nested_pair_is_closed():
    support = R(2, 3, [((0, 1), (0, 1)), ((0, 1), (0, 1, 2))])
    result = check(support)
    assert result.verdict is Verdict.CLOSED and any("nested-pair lemma" in r for r in result.reasons)


def test_masked_rank_one_with_biclique_blocks_is_closed():
    # a 3×3 rank-one unit whose cells (0,1),(0,2),(1,0),(2,0) are absorbed by complete
    # single-cell units: the visible cells {0}×{0} and {1,2}×{1,2} are two bicliques
    cells = [((0,), (1,)), ((0,), (2,)), ((1,), (0,)), ((2,), (0,))]
    support = R(3, 3, [((0, 1, 2), (0, 1, 2))] + cells)
    result = check(support)
    assert result.verdict is Verdict.CLOSED and any("masked block lemma" in r for r in result.reasons)
    assert result.tractability is Tractability.REDUCTION_THEN_DISJOINT


def small_patterns(exhaustive: bool):
    shapes = [(1, 2), (2, 2), (2, 3), (3, 3)]
    for m, n in shapes:
        patterns = list(enumerate_patterns(m, n, 3))
        if not exhaustive and (m, n) == (3, 3):
            patterns = patterns[::4]
        yield from patterns


def relabel(support: TwoFactorSupport, rng: np.random.Generator) -> TwoFactorSupport:
    I, J = support.I.toarray(), support.J.toarray()
    rows, cols, units = (rng.permutation(k) for k in (I.shape[0], J.shape[0], I.shape[1]))
    moved = TwoFactorSupport(I[np.ix_(rows, units)], J[np.ix_(cols, units)])
    return moved.transpose() if rng.random() < 0.5 else moved


def test_every_small_pattern_verdict_is_sound_and_invariant(exhaustive):
    """All patterns up to 3×3 with ≤ 3 units (a quarter of the 3×3 ones unless --exhaustive)."""
    rng = np.random.default_rng(0)
    counts = {verdict: 0 for verdict in Verdict}
    for support in small_patterns(exhaustive):
        result = check(support)
        counts[result.verdict] += 1
        if result.verdict is Verdict.NOT_CLOSED:
            assert_certificate_sound(support, result)
        else:
            assert result.certificate is None
        assert check(relabel(support, rng)).verdict is result.verdict
    assert counts[Verdict.NOT_CLOSED] > 0 and counts[Verdict.CLOSED] > 0


def width_two_claim(first, second) -> bool:
    """MATH.md's unverified width-2 rule: True means "not closed"."""
    (S1, T1), (S2, T2) = [(set(r), set(c)) for r, c in (first, second)]

    def a(Sa, Ta, Sb, Tb):
        return bool(Sa - Sb) and bool(Ta - Tb)

    return (
        a(S1, T1, S2, T2) or a(S2, T2, S1, T1)
        or (len(S1 & S2) >= 2 and bool(T1 - T2) and bool(T2 - T1))
        or (len(T1 & T2) >= 2 and bool(S1 - S2) and bool(S2 - S1))
    )


def test_rules_decide_every_two_unit_pattern_as_the_width_two_claim_says(exhaustive):
    """Every pair of distinct overlapping units is decided, and agrees with the claim.

    Grids up to 3×4 (and 4×4 with --exhaustive).
    """
    decided = 0
    for m, n in [(2, 2), (2, 3), (3, 3), (3, 4)] + ([(4, 4)] if exhaustive else []):
        rects = [
            (r, c)
            for r in itertools.chain.from_iterable(itertools.combinations(range(m), k) for k in range(1, m + 1))
            for c in itertools.chain.from_iterable(itertools.combinations(range(n), k) for k in range(1, n + 1))
        ]
        for first, second in itertools.combinations(rects, 2):
            if not (set(first[0]) & set(second[0]) and set(first[1]) & set(second[1])):
                continue
            result = check(R(m, n, [first, second]))
            assert result.verdict is not Verdict.UNKNOWN, (first, second)
            decided += 1
            assert (result.verdict is Verdict.NOT_CLOSED) == width_two_claim(first, second), (first, second)
    assert decided > 500


def test_results_display_their_proof_in_jupyter():
    from closure_check.families import butterfly_split, lu

    not_closed = check(lu(2))
    assert r"\begin{pmatrix} 0 & 1 \\ 1 & 0 \end{pmatrix}" in not_closed._repr_markdown_()
    assert "not closed" in not_closed._repr_latex_()
    closed = check(butterfly_split(4, 2))
    assert "closed" in closed._repr_markdown_() and "determinantal lemma" in closed._repr_markdown_()
