"""The FSMF solvers against closed forms written out independently (docs/solver.md).

Every exact instance below lists its blocks by hand (or, for the Kronecker families,
reads them off the columns of ``I`` and ``J`` without the structure module), computes
``sqrt(energy outside the rectangles + discarded singular values²)`` with numpy's SVD,
and checks that :func:`solve` reaches it with factors that respect the supports.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from closure_check.approximation.solve import (
    METHOD_ALS,
    METHOD_DISJOINT,
    METHOD_REDUCTION,
    Solution,
    alternating_least_squares,
    solve,
)
from closure_check.core.graph import RankOneStructure
from closure_check.core.support import TwoFactorSupport
from closure_check.families import block_diagonal, butterfly_split, dense, diagonal, lu
from closure_check.result import Tractability
from closure_check.two_factor.tractability import tractability

Block = tuple[list[int], list[int], int]  # rows, columns, rank kept


def closed_form(A: np.ndarray, rectangles: list[tuple[list[int], list[int]]], blocks: list[Block]) -> float:
    """sqrt(Σ A² outside the rectangles + Σ_blocks Σ_{i>μ} σ_i(A[block])²)."""
    covered = np.zeros(A.shape, dtype=bool)
    for rows, cols in rectangles:
        covered[np.ix_(rows, cols)] = True
    energy = float(np.sum(np.abs(A[~covered]) ** 2))
    for rows, cols, mu in blocks:
        sigma = np.linalg.svd(A[np.ix_(rows, cols)], compute_uv=False)
        energy += float(np.sum(sigma[mu:] ** 2))
    return float(np.sqrt(energy))


def unit_rectangles(support: TwoFactorSupport) -> dict[tuple[tuple[int, ...], tuple[int, ...]], int]:
    """Non-empty unit rectangles read from the dense columns, with multiplicities."""
    I, J = support.I.toarray(), support.J.toarray()
    counts: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    for k in range(support.rank):
        rows, cols = tuple(np.flatnonzero(I[:, k])), tuple(np.flatnonzero(J[:, k]))
        if rows and cols:
            counts[(rows, cols)] = counts.get((rows, cols), 0) + 1
    return counts


def disjoint_closed_form(A: np.ndarray, support: TwoFactorSupport) -> float:
    """Closed form of the disjoint-or-identical family, by brute force over the units."""
    counts = unit_rectangles(support)
    rectangles = [(list(r), list(c)) for r, c in counts]
    return closed_form(A, rectangles, [(list(r), list(c), mu) for (r, c), mu in counts.items()])


def support_of(units: list[tuple[list[int], list[int]]], m: int, n: int) -> TwoFactorSupport:
    """The support whose unit k has rectangle ``units[k]``."""
    I, J = np.zeros((m, len(units)), dtype=int), np.zeros((n, len(units)), dtype=int)
    for k, (rows, cols) in enumerate(units):
        I[rows, k], J[cols, k] = 1, 1
    return TwoFactorSupport(I, J)


def check_solution(A: np.ndarray, support: TwoFactorSupport, solution: Solution) -> None:
    """Factors respect the supports and the reported error is the recomputed one."""
    I, J = support.I.toarray(), support.J.toarray()
    assert solution.X.shape == I.shape and solution.Y.shape == J.shape
    assert not np.any(solution.X[I == 0]) and not np.any(solution.Y[J == 0])
    assert solution.error == pytest.approx(np.linalg.norm(A - solution.X @ solution.Y.T), rel=1e-12, abs=1e-12)


# --------------------------------------------------------------------------- instances

# Family 2, rectangles {0}×{0,1,2} and {0,1,2}×{1}: both complete; the optimum is the
# energy outside their union, rows {1,2} × columns {0,2}.
ROW_AND_COLUMN = [([0], [0, 1, 2]), ([0, 1, 2], [1])]

# Family 2, a complete row {0}×{0..3} over a rank-one class {0,1,2}×{0,1,2}: its
# visible cells are the rectangle {1,2}×{0,1,2}, where rank 1 is kept.
VISIBLE_RECTANGLE = [([0, 1, 2], [0, 1, 2]), ([0], [0, 1, 2, 3])]

# Family 2, a rank-one 3×3 class with complete classes {0}×{1,2} and {1,2}×{0}: its
# visible cells are the two bicliques {0}×{0} and {1,2}×{1,2}; it is masked, and the
# unit x yᵀ also reaches the hidden cells, which the complete classes correct.
TWO_BICLIQUES = [([0, 1, 2], [0, 1, 2]), ([0], [1, 2]), ([1, 2], [0])]

# Family 2 with μ = 2: a rank-2 6×6 class whose off-diagonal 3×3 blocks are hidden by
# complete classes of multiplicity 3; rank 2 is kept on each diagonal block.
RANK_TWO_BICLIQUES = (
    [(list(range(6)), list(range(6)))] * 2
    + [([0, 1, 2], [3, 4, 5])] * 3
    + [([3, 4, 5], [0, 1, 2])] * 3
)


def reduction_instances() -> list[tuple[str, TwoFactorSupport, object]]:
    """(name, support, closed form A ↦ optimum) for the reduction-then-disjoint family."""
    return [
        (
            "row-and-column",
            support_of(ROW_AND_COLUMN, 3, 3),
            lambda A: closed_form(A, ROW_AND_COLUMN, []),
        ),
        (
            "visible-rectangle",
            support_of(VISIBLE_RECTANGLE, 4, 4),
            lambda A: closed_form(A, VISIBLE_RECTANGLE, [([1, 2], [0, 1, 2], 1)]),
        ),
        (
            "two-bicliques",
            support_of(TWO_BICLIQUES, 3, 3),
            lambda A: closed_form(A, TWO_BICLIQUES, [([0], [0], 1), ([1, 2], [1, 2], 1)]),
        ),
        (
            "rank-two-bicliques",
            support_of(RANK_TWO_BICLIQUES, 6, 6),
            lambda A: closed_form(A, RANK_TWO_BICLIQUES, [([0, 1, 2], [0, 1, 2], 2), ([3, 4, 5], [3, 4, 5], 2)]),
        ),
    ]


def disjoint_instances() -> list[tuple[str, TwoFactorSupport]]:
    return [
        ("block-diagonal", block_diagonal([(3, 4, 2), (2, 5, 1), (4, 3, 3)])),
        ("butterfly-split-L4", butterfly_split(4, 2)),
        ("butterfly-split-L5", butterfly_split(5, 1)),
        ("diagonal", diagonal(5)),
        ("dense", dense(5, 4, 2)),
    ]


def all_exact_instances() -> list[tuple[str, TwoFactorSupport, object]]:
    disjoint = [
        (name, support, lambda A, support=support: disjoint_closed_form(A, support))
        for name, support in disjoint_instances()
    ]
    return disjoint + reduction_instances()


EXACT = all_exact_instances()


def target(support: TwoFactorSupport, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(support.shape)


# --------------------------------------------------------------------------- tractability


def test_tractability_classifies_the_reference_supports() -> None:
    assert tractability(RankOneStructure.build(lu(2))) is Tractability.NOT_KNOWN
    assert tractability(RankOneStructure.build(butterfly_split(4, 2))) is Tractability.DISJOINT_OR_IDENTICAL
    row_and_column = support_of(ROW_AND_COLUMN, 3, 3)
    assert tractability(RankOneStructure.build(row_and_column)) is Tractability.REDUCTION_THEN_DISJOINT
    assert Tractability.REDUCTION_THEN_DISJOINT.value == "reduction-then-disjoint"


@pytest.mark.parametrize("name, support", disjoint_instances(), ids=[n for n, _ in disjoint_instances()])
def test_disjoint_supports_are_family_one(name: str, support: TwoFactorSupport) -> None:
    assert tractability(RankOneStructure.build(support)) is Tractability.DISJOINT_OR_IDENTICAL


@pytest.mark.parametrize("name, support, _", reduction_instances(), ids=[n for n, *_ in reduction_instances()])
def test_reduction_supports_are_family_two(name: str, support: TwoFactorSupport, _: object) -> None:
    assert tractability(RankOneStructure.build(support)) is Tractability.REDUCTION_THEN_DISJOINT


def test_a_masked_class_with_a_path_is_not_known() -> None:
    # The rank-one class {0,1,2}×{0,1,2} with the complete cell {1}×{1} hidden keeps
    # visible cells that are not disjoint bicliques (row 0 meets rows 1 and 2).
    support = support_of([([0, 1, 2], [0, 1, 2]), ([1], [1])], 3, 3)
    assert tractability(RankOneStructure.build(support)) is Tractability.NOT_KNOWN
    assert tractability(RankOneStructure.build(support), max_cells=4) is Tractability.NOT_KNOWN


def test_a_component_over_budget_is_not_known() -> None:
    support = support_of(ROW_AND_COLUMN, 3, 3)
    assert tractability(RankOneStructure.build(support), max_cells=8) is Tractability.NOT_KNOWN


# --------------------------------------------------------------------------- exact solver


@pytest.mark.parametrize("name, support, optimum", EXACT, ids=[n for n, *_ in EXACT])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_solver_reaches_the_closed_form(name: str, support: TwoFactorSupport, optimum, seed: int) -> None:
    A = target(support, seed)
    solution = solve(A, support)
    check_solution(A, support, solution)
    expected = optimum(A)
    assert solution.optimal
    assert solution.error == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert solution.predicted_error == pytest.approx(expected, rel=1e-9, abs=1e-12)
    family = tractability(RankOneStructure.build(support))
    assert solution.method == (METHOD_DISJOINT if family is Tractability.DISJOINT_OR_IDENTICAL else METHOD_REDUCTION)


@pytest.mark.parametrize("name, support, optimum", EXACT, ids=[n for n, *_ in EXACT])
def test_exact_solver_on_complex_targets(name: str, support: TwoFactorSupport, optimum) -> None:
    """Eckart–Young with Vᴴ: the closed form of the complex matrix, by numpy's complex SVD."""
    rng = np.random.default_rng(4)
    A = target(support, 4) + 1j * rng.standard_normal(support.shape)
    solution = solve(A, support)
    check_solution(A, support, solution)
    assert np.iscomplexobj(solution.X) and solution.optimal
    assert solution.error == pytest.approx(optimum(A), rel=1e-9, abs=1e-12)
    sparse = solve(A, support, sparse=True)
    assert sparse.X.format == "csr" and np.allclose(sparse.X.toarray(), solution.X)


def test_complex_local_method_is_monotone() -> None:
    A = np.random.default_rng(9).standard_normal((3, 3)) * (1 + 1j)
    run = alternating_least_squares(A, lu(3), seed=1, iterations=40)
    history = np.array(run.history)
    assert np.all(np.diff(history) <= 1e-9 * history[0])
    assert run.error == pytest.approx(np.linalg.norm(A - run.X @ run.Y.T), rel=1e-9)


def test_hidden_cells_are_fitted_exactly() -> None:
    support = support_of(TWO_BICLIQUES, 3, 3)
    A = target(support, 5)
    solution = solve(A, support)
    residual = A - solution.X @ solution.Y.T
    hidden = [(0, 1), (0, 2), (1, 0), (2, 0)]
    assert all(abs(residual[cell]) < 1e-12 for cell in hidden)
    assert abs(residual[0, 0]) < 1e-12  # a 1×1 visible block is fitted by rank 1


def test_a_matrix_in_the_set_is_recovered() -> None:
    support = support_of(RANK_TWO_BICLIQUES, 6, 6)
    rng = np.random.default_rng(3)
    I, J = support.I.toarray(), support.J.toarray()
    A = (rng.standard_normal(I.shape) * I) @ (rng.standard_normal(J.shape) * J).T
    assert solve(A, support).error < 1e-10 * np.linalg.norm(A)


def test_direct_sum_with_permuted_rows_and_columns() -> None:
    """Several components, single classes and empty units, shuffled: the optimum adds up."""
    lone = [([0, 1], [0, 1, 2])]
    pieces = [
        (support_of(ROW_AND_COLUMN, 3, 3), lambda B: closed_form(B, ROW_AND_COLUMN, [])),
        (
            support_of(TWO_BICLIQUES, 3, 3),
            lambda B: closed_form(B, TWO_BICLIQUES, [([0], [0], 1), ([1, 2], [1, 2], 1)]),
        ),
        (support_of(lone, 2, 3), lambda B: closed_form(B, lone, [([0, 1], [0, 1, 2], 1)])),
        (
            TwoFactorSupport(np.zeros((2, 1), dtype=int), np.ones((2, 1), dtype=int)),
            lambda B: float(np.linalg.norm(B)),
        ),
    ]
    I = sp.block_diag([p.I for p, _ in pieces]).toarray()
    J = sp.block_diag([p.J for p, _ in pieces]).toarray()
    rng = np.random.default_rng(11)
    A = rng.standard_normal((I.shape[0], J.shape[0]))
    row_order, col_order = rng.permutation(I.shape[0]), rng.permutation(J.shape[0])
    shuffled = TwoFactorSupport(I[row_order], J[col_order])
    solution = solve(A[np.ix_(row_order, col_order)], shuffled)
    check_solution(A[np.ix_(row_order, col_order)], shuffled, solution)
    inside = np.zeros(A.shape, dtype=bool)
    energy, row, col = 0.0, 0, 0
    for piece, optimum in pieces:
        m, n = piece.shape
        energy += optimum(A[row:row + m, col:col + n]) ** 2
        inside[row:row + m, col:col + n] = True
        row, col = row + m, col + n
    expected = np.sqrt(energy + np.sum(A[~inside] ** 2))
    assert solution.method == METHOD_REDUCTION
    assert solution.error == pytest.approx(expected, rel=1e-9)


def test_support_without_rectangles_gives_zero_factors() -> None:
    support = TwoFactorSupport(np.zeros((3, 2), dtype=int), np.ones((4, 2), dtype=int))
    A = target(support, 0)
    solution = solve(A, support)
    assert solution.optimal and not solution.X.any() and not solution.Y.any()
    assert solution.error == pytest.approx(np.linalg.norm(A))


@pytest.mark.parametrize(
    "A, message",
    [
        (np.zeros((3, 2)), "shape"),
        (np.zeros(9), "shape"),
        (np.full((3, 3), np.nan), "NaN"),
        (np.full((3, 3), "x"), "real or complex"),
    ],
)
def test_bad_matrix_is_rejected(A: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        solve(A, support_of(ROW_AND_COLUMN, 3, 3))


def test_restarts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="restarts"):
        solve(np.zeros((2, 2)), lu(2), restarts=0)


# --------------------------------------------------------------------------- local solver


@pytest.mark.parametrize("name, support, optimum", EXACT, ids=[n for n, *_ in EXACT])
def test_als_restarts_never_beat_the_exact_optimum(name: str, support: TwoFactorSupport, optimum) -> None:
    A = target(support, 7)
    best = optimum(A)
    for seed in range(20):
        run = alternating_least_squares(A, support, seed=seed, iterations=60)
        check_solution(A, support, run)
        assert run.error >= best * (1 - 1e-9) - 1e-12


def test_als_on_lu_and_the_anti_identity_decreases_without_reaching_zero() -> None:
    # P_LU is dense in ℝ^{2×2} but misses the anti-identity: the infimum 0 is not attained.
    A = np.array([[0.0, 1.0], [1.0, 0.0]])
    run = alternating_least_squares(A, lu(2), seed=0, iterations=500, tol=0.0)
    history = np.array(run.history)
    assert history.size == 501
    assert np.all(np.diff(history) <= 1e-14 * history[0])
    assert history[-1] < history[1] < history[0]
    assert np.all(history > 0) and run.error > 0
    assert run.error == pytest.approx(history[-1], rel=1e-9)
    assert not run.optimal and run.method == METHOD_ALS and run.predicted_error is None
    via_solve = solve(A, lu(2), restarts=2, iterations=100)
    assert not via_solve.optimal and via_solve.predicted_error is None and via_solve.error > 0


def test_als_is_monotone_and_deterministic_on_random_supports() -> None:
    rng = np.random.default_rng(2)
    for _ in range(25):
        m, n, r = rng.integers(1, 7, size=3)
        support = TwoFactorSupport((rng.random((m, r)) < 0.5).astype(int), (rng.random((n, r)) < 0.5).astype(int))
        A = rng.standard_normal((m, n))
        run = alternating_least_squares(A, support, seed=4, iterations=40)
        check_solution(A, support, run)
        history = np.array(run.history)
        assert np.all(np.diff(history) <= 1e-9 * history[0] + 1e-15)
        again = alternating_least_squares(A, support, seed=4, iterations=40)
        assert np.array_equal(run.X, again.X) and np.array_equal(run.Y, again.Y)


def test_als_restarts_differ_and_solve_keeps_the_best() -> None:
    A = np.random.default_rng(0).standard_normal((3, 3))
    support = lu(3)
    runs = [alternating_least_squares(A, support, seed=s, iterations=5) for s in range(3)]
    assert not np.array_equal(runs[0].X, runs[1].X)
    assert solve(A, support, seed=0, restarts=3, iterations=5).error == min(r.error for r in runs)


def test_als_initial_factors() -> None:
    support = lu(2)
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    X0 = np.array([[1.0, 0.0], [1.0, 1.0]])
    run = alternating_least_squares(A, support, X0=X0, Y0=X0, iterations=0)
    assert run.history == (float(np.linalg.norm(A - X0 @ X0.T)),)
    with pytest.raises(ValueError, match="outside its support"):
        alternating_least_squares(A, support, X0=np.ones((2, 2)))
    with pytest.raises(ValueError, match="shape"):
        alternating_least_squares(A, support, Y0=np.ones((3, 2)))
