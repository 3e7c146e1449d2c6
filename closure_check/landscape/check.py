"""``landscape``: will local training of ``min ‖A − X Yᵀ‖²_F`` get stuck?  (``docs/theory.md`` §8.)

1. **BENIGN** when the class rectangles of ``(I, J)`` are pairwise disjoint (units with
   equal rectangles grouped into a class): L is then a sum of unconstrained low-rank
   approximation losses in disjoint groups of parameters, and has no spurious local
   minimum, for every target (*decoupling lemma*; [SIMAX, landscape section] proves no
   spurious valley either).  This is the *disjoint-or-identical* tractability class.
   The *reduction-then-disjoint* class is **not** answered BENIGN: its reductions change
   the parametrisation and are not proved to preserve the landscape (the section says
   why).
2. Otherwise a **search**: for the target ``matrix`` (or, without one, for small
   targets with entries in {−1, 0, 1} on the covered cells, in a seeded order),
   ``starts`` seeded L-BFGS runs
   (:mod:`closure_check.landscape.search`).  Every cluster of converged runs above the
   lowest loss seen is a candidate, handed to
   :func:`closure_check.landscape.certify.certify_minimum` with the lowest run as the
   lower point.
3. **SPURIOUS MINIMUM** when a candidate is certified; **UNKNOWN** when candidates were
   seen but none certified (each failure is listed: a non-strict minimum, a saddle, …);
   **NONE FOUND** when every run ended at the lowest loss seen or diverged toward it --
   numerical evidence, never a proof.

>>> from closure_check.core.support import TwoFactorSupport
>>> landscape(TwoFactorSupport.from_dense([[1, 0], [0, 1]], [[1, 0], [0, 1]])).verdict.value
'benign'
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from closure_check.core.graph import RankOneStructure
from closure_check.core.support import TwoFactorSupport
from closure_check.landscape.certify import CertificationFailed, certify_minimum
from closure_check.landscape.loss import Parameters
from closure_check.landscape.result import LandscapeResult, LandscapeVerdict, RunCluster
from closure_check.landscape.search import METHOD, Run, cluster_runs, random_starts
from closure_check.result import Tractability
from closure_check.two_factor.tractability import tractability

__all__ = ["MAX_PARAMETERS", "THEOREM", "landscape", "small_targets"]

Exact = tuple[tuple[Fraction, ...], ...]

MAX_PARAMETERS = 200
"""The search and the certificate are run on supports with at most this many free entries."""
MAX_CELLS = 10**5
"""… and at most this many cells m·n."""
CONVERGED_GRADIENT = 1e-5
"""A run is a candidate only if its final gradient norm is below this."""
STARTS = 40
TARGET_STARTS = 12
MAX_CANDIDATES = 4
"""Clusters above the lowest loss that are handed to the certifier, per target."""

THEOREM = (
    "decoupling lemma (docs/theory.md §8): the class rectangles are pairwise disjoint, so L is a sum of "
    "unconstrained low-rank approximation losses ‖A[R,C] − U Vᵀ‖² in disjoint parameters, each without "
    "spurious local minimum; no spurious local valley either [SIMAX, landscape section: Theorem III of the seed talk]"
)


def small_targets(support: TwoFactorSupport, count: int, seed: int) -> list[np.ndarray]:
    """Up to ``count`` distinct nonzero targets with entries in {−1, 0, 1} on the covered cells.

    Cells no unit covers add a constant to L and are left 0.  The targets are drawn with
    a seeded generator, without repetition (all of them, in a seeded order, when there
    are at most ``count``).  Signed targets: on E1, about one in ten gives a certified
    spurious minimum, against two or three of the 127 0/1 targets (measured).
    """
    I = support.I.toarray().astype(np.int64)
    J = support.J.toarray().astype(np.int64)
    covered = np.argwhere((I @ J.T) > 0)
    cells = len(covered)
    rng = np.random.default_rng(seed)
    if cells == 0:
        return []
    if cells <= 12 and 3**cells - 1 <= count:
        zero = int("1" * cells, 3)  # every digit 1: the zero target
        codes = [tuple(int(d) for d in np.base_repr(int(c), 3).zfill(cells))
                 for c in rng.permutation(np.arange(3**cells)) if c != zero]
    else:
        seen: set[tuple[int, ...]] = set()
        codes = []
        for _ in range(8 * count):
            if len(codes) == count:
                break
            code = tuple(int(v) for v in rng.integers(0, 3, size=cells))
            if any(d != 1 for d in code) and code not in seen:
                codes.append(code)
            seen.add(code)
    targets = []
    for code in codes[:count]:
        A = np.zeros((I.shape[0], J.shape[0]))
        for digit, (i, j) in zip(code, covered):
            A[i, j] = digit - 1
        targets.append(A)
    return targets


def _clusters(runs: list[Run]) -> tuple[RunCluster, ...]:
    """Clusters of the converged runs, then one group of the runs still descending."""
    done = [run for run in runs if run.gradient_norm < CONVERGED_GRADIENT]
    out = [RunCluster(c.loss, len(c.runs), c.diverging, True) for c in cluster_runs(done)]
    moving = [run for run in runs if run.gradient_norm >= CONVERGED_GRADIENT]
    if moving:
        losses = [run.loss for run in moving]
        out.append(RunCluster(min(losses), len(moving), sum(run.diverging for run in moving), False, max(losses),
                              max(run.norm for run in moving)))
    return tuple(out)


def _examine(params: Parameters, target: Exact, starts: int, seed: int, max_iterations: int):
    """Search one target; return (certificate or None, clusters, failures, final losses)."""
    A = np.array([[float(v) for v in row] for row in target])
    runs = random_starts(params, A, starts, seed, max_iterations)
    clusters = cluster_runs(runs)
    best = min(runs, key=lambda run: run.loss)
    failures = []
    for cluster in clusters[1:]:
        converged = [i for i in cluster.runs if runs[i].gradient_norm < CONVERGED_GRADIENT and not runs[i].diverging]
        if not converged or cluster.loss <= best.loss + 1e-6 * max(1.0, best.loss):
            continue
        if len(failures) >= MAX_CANDIDATES:
            break
        candidate = min(converged, key=lambda i: runs[i].gradient_norm)
        try:
            minimum = certify_minimum(params, target, runs[candidate].theta, best.theta)
            return minimum, _clusters(runs), failures, tuple(run.loss for run in runs)
        except CertificationFailed as error:
            failures.append(f"{len(cluster.runs)} run(s) stopped at L ≈ {cluster.loss:.8g} > {best.loss:.3g} "
                            f"(gradient ≈ 0), not certified: {error}")
    return None, _clusters(runs), failures, tuple(run.loss for run in runs)


def landscape(
    support: TwoFactorSupport,
    matrix: Sequence[Sequence[Any]] | np.ndarray | None = None,
    starts: int | None = None,
    seed: int = 0,
    targets: int = 128,
    max_iterations: int = 100,
) -> LandscapeResult:
    """Is the landscape of ``L(X, Y) = ‖A − X Yᵀ‖²_F`` on the support benign, or is it stuck?

    Parameters
    ----------
    support
        ``(I, J)``: ``supp X ⊆ I``, ``supp Y ⊆ J``.
    matrix
        The target A (m×n): integers, ``Fraction`` or floats, each read exactly (a
        float as the dyadic rational it is).  Without it, small targets (entries in {−1, 0, 1}) are
        searched (:func:`small_targets`).
    starts
        Random starts per target (the effort is a count, never a time); default
        :data:`STARTS` with ``matrix``, :data:`TARGET_STARTS` per target without.
    seed
        Seed of the starts and of the order of the targets.
    targets
        Without ``matrix``: how many targets to search at most.
    max_iterations
        L-BFGS iterations per start.

    Returns
    -------
    LandscapeResult
        BENIGN (theorem), SPURIOUS MINIMUM (certificate), UNKNOWN or NONE FOUND.

    Raises
    ------
    ValueError
        If ``matrix`` does not have the shape ``m × n`` or has a non-finite entry.
    """
    structure = RankOneStructure.build(support)
    kind = tractability(structure)
    m, n = support.I.shape[0], support.J.shape[0]
    exact: Exact | None = None
    if matrix is not None:
        rows = [list(row) for row in (matrix.tolist() if isinstance(matrix, np.ndarray) else matrix)]
        if len(rows) != m or any(len(row) != n for row in rows):
            raise ValueError(f"the target should be {m}×{n} (the support's product)")
        try:
            exact = tuple(tuple(Fraction(v) for v in row) for row in rows)
        except (ValueError, OverflowError, TypeError) as error:
            raise ValueError(f"the target has an entry that is not a finite number ({error})") from None
    if structure.pairwise_disjoint:
        return LandscapeResult(LandscapeVerdict.BENIGN, (THEOREM,), kind, support=support)
    reasons: list[str] = []
    if kind is Tractability.REDUCTION_THEN_DISJOINT:
        reasons.append("reduction-then-disjoint class: the reductions change the parametrisation and are not proved "
                       "to preserve the absence of spurious minima (docs/theory.md §8), so no theorem is used")
    else:
        reasons.append("the class rectangles overlap: no theorem on the landscape applies")
    size = int(support.I.nnz + support.J.nnz)
    if size > MAX_PARAMETERS or m * n > MAX_CELLS:
        return LandscapeResult(LandscapeVerdict.UNKNOWN, tuple(reasons), kind,
                               undecided=((f"{size} free entries and {m}×{n} cells: above the search's limits "
                                           f"({MAX_PARAMETERS} entries, {MAX_CELLS} cells), no search run"),),
                               support=support)
    I = support.I.toarray()
    J = support.J.toarray()
    live = [k for k in range(I.shape[1]) if I[:, k].any() and J[:, k].any()]
    if len(live) < I.shape[1]:
        # an empty unit's entries do not enter L: θ = (φ, z) is a local minimum of L iff φ is one of
        # L restricted to the other entries, with the same values (docs/theory.md §8, empty units)
        reasons.append(f"{I.shape[1] - len(live)} empty unit(s) dropped: their entries do not enter L")
        support = TwoFactorSupport.from_dense(I[:, live], J[:, live])
    params = Parameters.of(support)
    if starts is None:
        starts = STARTS if matrix is not None else TARGET_STARTS
    candidates = [exact] if exact is not None else [
        tuple(tuple(Fraction(int(v)) for v in row) for row in A.tolist()) for A in small_targets(support, targets, seed)
    ]
    all_failures: list[str] = []
    clusters: tuple[RunCluster, ...] = ()
    losses: tuple[float, ...] = ()
    tried = 0
    for exact_A in candidates:
        tried += 1
        minimum, clusters, failures, losses = _examine(params, exact_A, starts, seed, max_iterations)
        all_failures += [f"A = {_short(exact_A)}: {text}" if matrix is None else text for text in failures]
        if minimum is not None:
            reasons.append("a local minimum of L above the loss of another point: certified (docs/theory.md §8)")
            return LandscapeResult(LandscapeVerdict.SPURIOUS, tuple(reasons), kind, exact_A, minimum, clusters,
                                   starts, seed, METHOD, tried, support=support, final_losses=losses)
    target = exact
    if all_failures:
        return LandscapeResult(LandscapeVerdict.UNKNOWN, tuple(reasons), kind, target, None, clusters, starts, seed,
                               METHOD, tried, tuple(all_failures), support=support, final_losses=losses)
    reasons.append(f"every run ended at the lowest loss seen or diverged, on {tried} target(s): numerical "
                   "evidence only, not a proof that no spurious minimum exists")
    return LandscapeResult(LandscapeVerdict.NONE_FOUND, tuple(reasons), kind, target, None, clusters, starts, seed,
                           METHOD, tried, support=support, final_losses=losses)


def _short(A) -> str:
    return "[" + ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in A) + "]"
