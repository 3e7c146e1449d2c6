"""Where do random starts of a local method end?  Numerics only: floats, no claim.

Each run starts from ``θ₀ ~ N(0, 1)`` on the free entries (numpy's ``default_rng(seed)``,
one generator for all runs, so the runs are reproducible from the seed) and minimises
L with scipy's L-BFGS-B (no bounds) for at most ``max_iterations`` iterations.  The
effort is a count of starts, never a time.  The final losses are grouped into clusters
of equal value (relative tolerance ``CLUSTER_TOLERANCE``); a run whose parameters grew
beyond ``DIVERGED_NORM`` is marked as diverging (typical of an infimum that is not
attained: ``docs/theory.md`` §8).

Nothing here proves anything: a cluster above the best loss is only a *candidate*
spurious minimum, handed to :mod:`closure_check.landscape.certify`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from closure_check.landscape.loss import Parameters

__all__ = ["CLUSTER_TOLERANCE", "DIVERGED_NORM", "Cluster", "Run", "cluster_runs", "random_starts"]

CLUSTER_TOLERANCE = 1e-6
"""Two final losses within this relative (or absolute, near 0) distance share a cluster."""
DIVERGED_NORM = 1e3
"""A run whose final ‖θ‖ exceeds this is reported as diverging."""
METHOD = "L-BFGS-B (scipy.optimize.minimize, no bounds), starts θ₀ ~ N(0, 1) on the free entries"


@dataclass(frozen=True)
class Run:
    """One local run: its final point, loss, gradient norm and parameter norm (floats)."""

    theta: np.ndarray
    loss: float
    gradient_norm: float
    norm: float

    @property
    def diverging(self) -> bool:
        return self.norm > DIVERGED_NORM


@dataclass(frozen=True)
class Cluster:
    """Runs that ended at the same loss value."""

    loss: float
    runs: tuple[int, ...]
    diverging: int

    def share(self, total: int) -> float:
        return len(self.runs) / total if total else 0.0


def random_starts(params: Parameters, A: np.ndarray, starts: int, seed: int, max_iterations: int = 100) -> list[Run]:
    """``starts`` seeded L-BFGS runs of L (see the module docstring)."""
    from scipy.optimize import minimize
    from threadpoolctl import threadpool_limits

    function = params.float_function(np.asarray(A, dtype=float))
    rng = np.random.default_rng(seed)
    runs = []
    # one BLAS thread: these problems are tiny, and a BLAS thread pool on a busy machine
    # made each L-BFGS step some 15 times slower (measured)
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(starts):
            theta0 = rng.standard_normal(params.size)
            result = minimize(function, theta0, jac=True, method="L-BFGS-B",
                              options={"maxiter": max_iterations, "gtol": 1e-10, "ftol": 1e-14})
            value, grad = function(result.x)
            runs.append(Run(result.x, value, float(np.linalg.norm(grad)), float(np.linalg.norm(result.x))))
    return runs


def cluster_runs(runs: list[Run]) -> list[Cluster]:
    """Group the runs by final loss, lowest first."""
    order = sorted(range(len(runs)), key=lambda index: runs[index].loss)
    clusters: list[list[int]] = []
    for index in order:
        value = runs[index].loss
        if clusters:
            head = runs[clusters[-1][0]].loss
            if abs(value - head) <= CLUSTER_TOLERANCE * max(1.0, abs(head)):
                clusters[-1].append(index)
                continue
        clusters.append([index])
    return [
        Cluster(float(np.median([runs[i].loss for i in group])), tuple(group), sum(runs[i].diverging for i in group))
        for group in clusters
    ]
