"""Fixed-support matrix factorisation (FSMF): ``min ‖A − X Yᵀ‖_F``, ``supp X ⊆ I``, ``supp Y ⊆ J``.

FSMF is NP-hard in general [SIMAX], but two families of supports have a closed-form
optimum, computed here by truncated SVDs (``docs/solver.md``):

* *disjoint-or-identical* -- the class rectangles are pairwise disjoint, so
  ``P_{I,J}`` is a product of determinantal sets and one rank-μ truncated SVD per class
  is optimal [SIMAX, Algorithm 1; ICASSP, Theorem 1];
* *reduction-then-disjoint* -- after the exact reductions of :mod:`closure_check.two_factor.reduce`
  every overlap component leaves single classes whose visible cells are disjoint
  complete bipartite blocks; the hidden cells are then fitted exactly and each visible
  block gets a rank-μ truncated SVD (``docs/solver.md``, "Reduction-then-disjoint
  theorem").

:func:`~closure_check.two_factor.tractability.tractability` tells which case applies; :func:`solve` returns the certified
optimum in those cases and otherwise the best of a few runs of
:func:`alternating_least_squares`, a local method without guarantee.

>>> import numpy as np
>>> from closure_check.core.support import TwoFactorSupport
>>> support = TwoFactorSupport.from_dense([[1, 1], [0, 1], [0, 1]], [[1, 0], [1, 1], [1, 0]])
>>> solution = solve(np.ones((3, 3)), support)
>>> solution.method, solution.optimal, round(solution.error, 6)
('reduction + truncated SVD', True, 2.0)
>>> from closure_check.families import lu
>>> solve(np.array([[0.0, 1.0], [1.0, 0.0]]), lu(2), iterations=50).optimal
False

References
----------
[SIMAX] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
Appl. 44(2), 2023, arXiv:2112.00386.
[ICASSP] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast
transforms, with guarantees", ICASSP 2022.
[EY] C. Eckart, G. Young, "The approximation of one matrix by another of lower rank",
Psychometrika 1, 1936, doi:10.1007/BF02288367.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from closure_check.approximation.kronecker import single_threaded
from closure_check.core.graph import RankOneStructure, group_equal_columns
from closure_check.core.support import TwoFactorSupport, product_support
from closure_check.result import Tractability
from closure_check.two_factor.reduce import DEFAULT_MAX_COMPONENT_CELLS
from closure_check.two_factor.tractability import (
    HiddenFill,
    SolverPlan,
    SvdBlock,
    solver_plan,
)

__all__ = [
    "Solution",
    "solve",
    "alternating_least_squares",
    "METHOD_DISJOINT",
    "METHOD_REDUCTION",
    "METHOD_ALS",
    "finite_matrix",
]

METHOD_DISJOINT = "truncated SVD per class"
METHOD_REDUCTION = "reduction + truncated SVD"
METHOD_ALS = "alternating least squares (local, not guaranteed)"


@dataclass(frozen=True, eq=False)
class Solution:
    """Factors ``X`` (m×r), ``Y`` (n×r) respecting the support, and their error.

    Attributes
    ----------
    X, Y
        Factors, float64 for a real ``A`` and complex128 for a complex one, dense
        arrays or (``solve(..., sparse=True)``) ``scipy.sparse.csr_array``;
        ``X[i, k] = 0`` unless ``I[i, k] = 1``, likewise ``Y``.
    error
        ``‖A − X Yᵀ‖_F``: recomputed from ``X`` and ``Y`` (reduction family, local
        method), or on the disjoint-or-identical family summed from the residuals of
        the blocks and the energy outside them (the same number, without forming
        ``A − X Yᵀ``).
    optimal
        True only when the closed-form solver of a tractable family produced the
        factors, so ``error`` is the global minimum (up to rounding).
    method
        One of :data:`METHOD_DISJOINT`, :data:`METHOD_REDUCTION`, :data:`METHOD_ALS`.
    predicted_error
        For the closed-form solvers, the optimum computed from singular values alone
        (``docs/solver.md``); ``None`` for the local method.
    history
        For the local method, the error before the first sweep and after each sweep
        (non-increasing up to rounding); empty for the closed-form solvers.
    """

    X: np.ndarray | sp.csr_array
    Y: np.ndarray | sp.csr_array
    error: float
    optimal: bool
    method: str
    predicted_error: float | None
    history: tuple[float, ...] = ()


# --------------------------------------------------------------------------- exact solver


@dataclass(frozen=True, eq=False)
class _BlockFit:
    """Truncated SVDs of a list of blocks, as factor entries and energies."""

    x_rows: np.ndarray
    x_units: np.ndarray
    x_values: np.ndarray
    y_rows: np.ndarray
    y_units: np.ndarray
    y_values: np.ndarray
    covered: np.ndarray
    discarded: float
    residual: float


def _fit_blocks(A: np.ndarray, blocks: tuple[SvdBlock, ...]) -> _BlockFit:
    """Rank-μ truncated SVD of every ``A[rows, cols]``, blocks of equal shape stacked.

    Blocks with the same ``(h, w, μ)`` are gathered into one ``(count, h, w)`` array and
    factored by one call of ``numpy.linalg.svd`` on the stack.  Block ``B = U Σ Vᴴ``
    gives ``X[rows, units] = U_μ Σ_μ^{1/2}`` and ``Y[cols, units] = conj(V_μ) Σ_μ^{1/2}``
    (so ``X Yᵀ = U_μ Σ_μ V_μᴴ`` also for complex ``A``).  ``discarded`` is
    ``Σ_{i>μ} σ_i²`` (the Eckart–Young optimum), ``residual`` is ``Σ ‖B − U_μ Σ_μ V_μᴴ‖²``
    computed from the blocks themselves, and ``covered`` marks the cells of the blocks.
    """
    shapes: dict[tuple[int, int, int], list[SvdBlock]] = {}
    for block in blocks:
        if block.rows.size and block.cols.size and block.units.size:
            shapes.setdefault((block.rows.size, block.cols.size, block.units.size), []).append(block)
    covered = np.zeros(A.shape, dtype=bool)
    parts: dict[str, list[np.ndarray]] = {key: [] for key in ("xr", "xu", "xv", "yr", "yu", "yv")}
    discarded = residual = 0.0
    for (h, w, mu), group in shapes.items():
        rows = np.stack([b.rows for b in group]).astype(np.intp)
        cols = np.stack([b.cols for b in group]).astype(np.intp)
        units = np.stack([b.units for b in group]).astype(np.intp)
        stack = A[rows[:, :, None], cols[:, None, :]]
        covered[rows[:, :, None], cols[:, None, :]] = True
        with single_threaded():
            U, s, Vh = np.linalg.svd(stack, full_matrices=False)
        keep = min(mu, s.shape[1])
        root = np.sqrt(s[:, :keep])
        left = U[:, :, :keep] * root[:, None, :]
        right = np.swapaxes(Vh[:, :keep, :], 1, 2) * root[:, None, :]
        discarded += float(np.sum(s[:, keep:] ** 2))
        difference = (stack - left @ np.swapaxes(right, 1, 2)).ravel()
        residual += float(np.vdot(difference, difference).real)
        used = units[:, None, :keep]
        parts["xr"].append(np.broadcast_to(rows[:, :, None], left.shape).ravel())
        parts["xu"].append(np.broadcast_to(used, left.shape).ravel())
        parts["xv"].append(left.ravel())
        parts["yr"].append(np.broadcast_to(cols[:, :, None], right.shape).ravel())
        parts["yu"].append(np.broadcast_to(used, right.shape).ravel())
        parts["yv"].append(right.ravel())
    joined = {
        key: np.concatenate(value) if value else np.zeros(0, dtype=A.dtype if key.endswith("v") else np.intp)
        for key, value in parts.items()
    }
    return _BlockFit(
        joined["xr"], joined["xu"], joined["xv"], joined["yr"], joined["yu"], joined["yv"],
        covered, discarded, residual,
    )


def _factor(rows: np.ndarray, units: np.ndarray, values: np.ndarray, shape: tuple[int, int], dtype: np.dtype) -> sp.csr_array:
    return sp.csr_array((values.astype(dtype, copy=False), (rows, units)), shape=shape)


def _fill_hidden(A: np.ndarray, fill: HiddenFill, X: np.ndarray, Y: np.ndarray) -> None:
    """Give the absorbed classes of a component the residual on its hidden cells."""
    reduction = fill.reduction
    box = np.ix_(reduction.rows, reduction.cols)
    used = fill.visible_units
    visible_product = X[np.ix_(reduction.rows, used)] @ Y[np.ix_(reduction.cols, used)].T
    target = A[box] - visible_product
    for index, absorbed in enumerate(reduction.absorbed):
        local_rows, local_cols = reduction.local(absorbed.rows, absorbed.cols)
        cells = np.ix_(local_rows, local_cols)
        share = np.where(reduction.absorbed_by[cells] == index, target[cells], 0.0)
        units = np.asarray(absorbed.units, dtype=np.int64)
        if absorbed.rows.size <= absorbed.cols.size:
            height = absorbed.rows.size
            X[absorbed.rows, units[:height]] = 1.0
            Y[np.ix_(absorbed.cols, units[:height])] = share.T
        else:
            width = absorbed.cols.size
            Y[absorbed.cols, units[:width]] = 1.0
            X[np.ix_(absorbed.rows, units[:width])] = share


def _outside_energy(A: np.ndarray, support: TwoFactorSupport) -> float:
    """``Σ |A[i, j]|²`` over the cells covered by no unit rectangle."""
    covered = product_support(support.I, sp.csr_array(support.J.T)).toarray().astype(bool)
    return float(np.sum(np.abs(A[~covered]) ** 2))


def _exact(A: np.ndarray, support: TwoFactorSupport, plan: SolverPlan, sparse: bool) -> Solution:
    m, n = support.shape
    fit = _fit_blocks(A, plan.blocks)
    X = _factor(fit.x_rows, fit.x_units, fit.x_values, (m, support.rank), A.dtype)
    Y = _factor(fit.y_rows, fit.y_units, fit.y_values, (n, support.rank), A.dtype)
    if plan.kind is Tractability.DISJOINT_OR_IDENTICAL:
        # the class rectangles partition the covered cells: no dense product is needed
        outside = float(np.sum(np.abs(A[~fit.covered]) ** 2))
        error = float(np.sqrt(outside + fit.residual))
        method = METHOD_DISJOINT
        X_out: np.ndarray | sp.csr_array = X if sparse else X.toarray()
        Y_out: np.ndarray | sp.csr_array = Y if sparse else Y.toarray()
    else:
        outside = _outside_energy(A, support)
        X_dense, Y_dense = X.toarray(), Y.toarray()
        for fill in plan.fills:
            _fill_hidden(A, fill, X_dense, Y_dense)
        error = float(np.linalg.norm(A - X_dense @ Y_dense.T))
        method = METHOD_REDUCTION
        X_out = sp.csr_array(X_dense) if sparse else X_dense
        Y_out = sp.csr_array(Y_dense) if sparse else Y_dense
    return Solution(
        X=X_out,
        Y=Y_out,
        error=error,
        optimal=True,
        method=method,
        predicted_error=float(np.sqrt(outside + fit.discarded)),
    )


def _check_matrix(A: object, support: TwoFactorSupport) -> np.ndarray:
    array = np.asarray(A)
    if array.ndim != 2 or array.shape != support.shape:
        raise ValueError(f"A has shape {array.shape}, the support needs {support.shape}")
    return finite_matrix(array)


def finite_matrix(array: np.ndarray) -> np.ndarray:
    """``array`` as float64 (real) or complex128 (complex), refusing other dtypes and NaN/inf.

    No copy when the dtype is already right: the solvers never write into ``A``.

    Raises
    ------
    ValueError
        If the dtype is not integer, real or complex floating, or an entry is not finite.
    """
    if np.issubdtype(array.dtype, np.complexfloating):
        array = array.astype(np.complex128, copy=False)
    elif np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64, copy=False)
    else:
        raise ValueError(f"A must hold real or complex numbers, got dtype {array.dtype}")
    if not np.all(np.isfinite(array)):
        raise ValueError("A has an infinite or NaN entry")
    return array


def solve(
    A: np.ndarray,
    support: TwoFactorSupport,
    *,
    seed: int = 0,
    restarts: int = 1,
    iterations: int = 500,
    tol: float = 1e-10,
    max_cells: int = DEFAULT_MAX_COMPONENT_CELLS,
    sparse: bool = False,
) -> Solution:
    """Minimise ``‖A − X Yᵀ‖_F`` over ``supp X ⊆ I``, ``supp Y ⊆ J``.

    Parameters
    ----------
    A
        Real or complex m×n matrix (converted to float64 or complex128).
    support
        The pair ``(I, J)``.
    sparse
        Return ``X`` and ``Y`` as ``scipy.sparse.csr_array`` (on the
        disjoint-or-identical family they are then never dense).
    seed, restarts, iterations, tol
        Used only when no closed form applies: :func:`alternating_least_squares` runs
        ``restarts`` times with seeds ``seed, seed + 1, …`` and the best run is kept.
    max_cells
        Budget of the reductions (see :func:`~closure_check.two_factor.tractability.tractability`).

    Returns
    -------
    Solution
        On the disjoint-or-identical and reduction-then-disjoint families, a global
        optimum (``optimal=True``, ``predicted_error`` the closed-form optimum); otherwise
        a local solution (``optimal=False``).

    Raises
    ------
    ValueError
        If ``A`` is not a finite real or complex matrix of shape ``support.shape``, or
        ``restarts < 1``.
    closure_check.core.graph.StructureTooLarge
        If the support's structure exceeds the default cell budget of
        :meth:`RankOneStructure.build`.

    Notes
    -----
    *Disjoint-or-identical theorem.* If the class rectangles ``R×C`` (multiplicity μ) are
    pairwise disjoint, ``P_{I,J}`` is the set of matrices that vanish outside their
    union and have rank ≤ μ on each ``R×C``; the problem separates over the
    rectangles, and on each one the Eckart–Young theorem [EY] makes the rank-μ
    truncated SVD of ``A[R, C]`` optimal.  Hence the optimum is

    ``‖A − X Yᵀ‖² = Σ_{cells outside every rectangle} A[i,j]² + Σ_classes Σ_{i>μ} σ_i(A[R,C])²``

    [SIMAX, Algorithm 1; ICASSP, Theorem 1].

    *Reduction-then-disjoint theorem* (``docs/solver.md``).  If every overlap component
    reduces (absorption, projection, merge lemmas of :mod:`closure_check.two_factor.reduce`) to
    parts that are single classes of multiplicity μ whose visible cells are blocks
    ``rows_q × cols_q`` with pairwise disjoint rows and columns, then ``P`` is the set
    of matrices vanishing outside the rectangles, arbitrary on the hidden cells, and of
    rank ≤ μ on each visible block.  The optimum fits the hidden cells exactly and takes
    the rank-μ truncated SVD on each block; the optimal error has the same formula with
    the blocks in place of the rectangles.  The factors on the hidden cells come from
    the absorbed complete classes, each realising the residual on the cells it hid
    first.

    Complex ``A``: Eckart–Young holds verbatim with ``Vᴴ`` in place of ``Vᵀ``, and the
    factors are ``X = U_μ Σ_μ^{1/2}``, ``Y = conj(V_μ) Σ_μ^{1/2}`` (the product is
    ``X Yᵀ``, not ``X Yᴴ``).

    Cost of the closed form: one SVD per block, ``O(Σ h w min(h, w))``, blocks of equal
    shape factored by one stacked call; on the disjoint-or-identical family the error
    is summed from the block residuals and the energy outside the blocks (``O(m n)``),
    on the reduction family it is recomputed densely (``O(m n r)``).

    See Also
    --------
    closure_check.two_factor.tractability.tractability, alternating_least_squares
    """
    A = _check_matrix(A, support)
    if restarts < 1:
        raise ValueError(f"restarts must be at least 1, got {restarts}")
    plan = solver_plan(RankOneStructure.build(support), max_cells)
    if plan.kind is not Tractability.NOT_KNOWN:
        return _exact(A, support, plan, sparse)
    runs = (
        alternating_least_squares(A, support, seed=seed + t, iterations=iterations, tol=tol)
        for t in range(restarts)
    )
    best = min(runs, key=lambda run: run.error)
    if not sparse:
        return best
    return replace(best, X=sp.csr_array(best.X), Y=sp.csr_array(best.Y))


# --------------------------------------------------------------------------- local solver


@dataclass(frozen=True, eq=False)
class _Group:
    """Rows of a factor with the same allowed units, and the cells they can reach."""

    rows: np.ndarray
    units: np.ndarray
    reach: np.ndarray


def _groups(own: sp.csr_array, other: sp.csr_array) -> list[_Group]:
    """Group the rows of ``own`` by pattern; each group's reach is the union of its units' ``other`` supports."""
    by_row = sp.csc_array((own.data, own.indices, own.indptr), shape=own.shape[::-1])
    labels = group_equal_columns(by_row)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(int(labels.max(initial=-1)) + 2))
    representatives = order[bounds[:-1]]
    reach = (own[representatives, :].astype(np.int64) @ other.T.astype(np.int64)).tocsr()
    reach.sort_indices()
    groups = []
    for g, row in enumerate(representatives):
        units = own.indices[own.indptr[row]:own.indptr[row + 1]].astype(np.int64)
        cells = reach.indices[reach.indptr[g]:reach.indptr[g + 1]].astype(np.int64)
        if units.size and cells.size:
            groups.append(_Group(order[bounds[g]:bounds[g + 1]], units, cells))
    return groups


def _update(target: np.ndarray, fixed: np.ndarray, free: np.ndarray, groups: list[_Group]) -> float:
    """Exact least-squares update of ``free`` in ``target ≈ free fixedᵀ``.

    Returns the squared residual on the cells the groups reach.
    """
    residual = 0.0
    for group in groups:
        design = fixed[np.ix_(group.reach, group.units)]
        rhs = target[np.ix_(group.rows, group.reach)].T
        coefficients = np.linalg.lstsq(design, rhs, rcond=None)[0]
        free[np.ix_(group.rows, group.units)] = coefficients.T
        residual += float(np.sum(np.abs(rhs - design @ coefficients) ** 2))
    return residual


def _initial_factor(
    given: np.ndarray | None, pattern: sp.csr_array, rng: np.random.Generator, name: str, dtype: np.dtype
) -> np.ndarray:
    mask = pattern.toarray().astype(bool)
    if given is None:
        return np.where(mask, rng.standard_normal(mask.shape), 0.0).astype(dtype)
    factor = np.array(given, dtype=dtype)
    if factor.shape != mask.shape:
        raise ValueError(f"{name} has shape {factor.shape}, the support needs {mask.shape}")
    if np.any(factor[~mask] != 0):
        raise ValueError(f"{name} has a nonzero entry outside its support")
    return factor


def alternating_least_squares(
    A: np.ndarray,
    support: TwoFactorSupport,
    *,
    seed: int = 0,
    iterations: int = 500,
    tol: float = 1e-10,
    X0: np.ndarray | None = None,
    Y0: np.ndarray | None = None,
) -> Solution:
    """Local FSMF by exact block coordinate descent on the rows of ``X`` and ``Y``.

    Parameters
    ----------
    A
        Real or complex m×n matrix.
    support
        The pair ``(I, J)``.
    seed
        Seed of the Gaussian initial factors (masked by the supports) that ``X0``,
        ``Y0`` do not provide; the run is a deterministic function of its arguments.
    iterations
        Maximum number of sweeps; a sweep updates every row of ``X``, then every row
        of ``Y``.
    tol
        Stop when a sweep lowers the error by at most ``tol`` times its previous
        value, or the error is 0.
    X0, Y0
        Optional initial factors (m×r, n×r) respecting the supports.

    Returns
    -------
    Solution
        ``optimal=False``, ``predicted_error=None``; ``history`` holds the error before
        the first sweep and after each sweep.

    Raises
    ------
    ValueError
        If ``A``, ``X0`` or ``Y0`` has the wrong shape, or ``X0``/``Y0`` is nonzero
        outside the support.

    Notes
    -----
    For fixed ``Y``, ``‖A − X Yᵀ‖² = Σ_i ‖A[i,:] − X[i,K_i] Y[:,K_i]ᵀ‖²`` with
    ``K_i = supp I[i,:]``: the rows of ``X`` are independent linear least-squares
    problems, each solved exactly (``numpy.linalg.lstsq``); only the columns
    ``C_i = ∪_{k∈K_i} supp J[:,k]`` matter, the others contribute the constant energy of
    ``A`` outside every rectangle.  Rows with the same ``K_i`` share one factorisation.
    The same holds for the rows of ``Y`` with ``X`` fixed.  Each update minimises the
    loss over a block of variables, so the loss never increases (up to rounding); the
    limit is a stationary point at best, not a global minimum in general — FSMF is
    NP-hard [SIMAX], and for non-closed ``P`` the infimum may not be attained, in
    which case the factors diverge while the loss decreases.

    Cost per sweep: ``O(Σ_i |C_i| |K_i|²)`` for ``X`` (less when rows share ``K_i``) and
    the symmetric sum for ``Y``, plus ``O(nnz(I) + nnz(J))`` Python-level work per
    group of equal rows; meant for small and medium sizes.

    See Also
    --------
    solve
    """
    A = _check_matrix(A, support)
    rng = np.random.default_rng(seed)
    X = _initial_factor(X0, support.I, rng, "X0", A.dtype)
    Y = _initial_factor(Y0, support.J, rng, "Y0", A.dtype)
    rows_groups = _groups(support.I, support.J)
    cols_groups = _groups(support.J, support.I)
    outside = _outside_energy(A, support)
    history = [float(np.linalg.norm(A - X @ Y.T))]
    for _ in range(iterations):
        if history[-1] == 0.0:
            break
        _update(A, Y, X, rows_groups)
        reached = _update(A.T, X, Y, cols_groups)
        history.append(float(np.sqrt(outside + reached)))
        if history[-2] - history[-1] <= tol * history[-2]:
            break
    return Solution(
        X=X,
        Y=Y,
        error=float(np.linalg.norm(A - X @ Y.T)),
        optimal=False,
        method=METHOD_ALS,
        predicted_error=None,
        history=tuple(history),
    )
