"""Benchmark: exact FSMF on butterfly splits, against ALS and FAµST's PALM4MSA.

For the two-factor butterfly split ``butterfly_split(L, L // 2)`` (size ``N = 2^L``) and
three targets -- a Gaussian matrix, the real part of the DFT matrix, the Sylvester
Hadamard matrix -- each method factorises the target with the same fixed supports
``supp X ⊆ I``, ``supp Y ⊆ J``:

* *exact* -- :func:`closure_check.approximation.solve.solve`: the supports are disjoint-or-identical,
  so one truncated SVD per class gives the global optimum (``docs/solver.md``);
* *ALS* -- :func:`closure_check.approximation.solve.alternating_least_squares`, 100 sweeps, seed 0;
* *PALM4MSA* -- ``pyfaust.fact.palm4msa`` with ``'supp'`` constraints on ``I`` and
  ``Jᵀ`` (FAµST's chain convention ``W_1 W_2``), 100 iterations, default
  initialisation, the faster "2020" C++ backend.  Optional: ``pip install pyfaust``; without it those rows are
  skipped with the reason.

Printed per row: pattern, target, method, seconds (best of ``--repeat`` runs),
relative error ``‖A − X Yᵀ‖_F / ‖A‖_F``, its excess over the exact solver's relative
error, and time divided by the exact solver's time.

Run:  python benchmarks/bench_solve.py [--repeat 1] [--levels 6 8 10] [--iterations 100]
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Callable

import numpy as np
import scipy.linalg

from closure_check.approximation.solve import alternating_least_squares, solve
from closure_check.core.support import TwoFactorSupport
from closure_check.families import butterfly_split


def targets(size: int) -> dict[str, np.ndarray]:
    return {
        "gaussian": np.random.default_rng(0).standard_normal((size, size)),
        "Re DFT": np.real(np.fft.fft(np.eye(size))),
        "hadamard": scipy.linalg.hadamard(size).astype(np.float64),
    }


def best_time(action: Callable[[], np.ndarray], repeat: int) -> tuple[float, np.ndarray]:
    """Best wall time of ``repeat`` runs, and the product ``X Yᵀ`` of the last run."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        product = action()
        times.append(time.perf_counter() - start)
    return min(times), product


def load_palm4msa() -> tuple[Callable[[np.ndarray, TwoFactorSupport, int], np.ndarray] | None, str]:
    """A PALM4MSA runner ``(A, support, iterations) ↦ X Yᵀ``, or ``None`` and the reason."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pyfaust
            from pyfaust.fact import palm4msa
            from pyfaust.factparams import (
                ConstraintMat,
                ParamsPalm4MSA,
                StoppingCriterion,
            )
    except Exception as error:  # ImportError, or a broken binary wheel
        return None, f"{type(error).__name__}: {error}"

    def run(A: np.ndarray, support: TwoFactorSupport, iterations: int) -> np.ndarray:
        left = support.I.toarray().astype(np.float64)
        right = support.J.T.toarray().astype(np.float64)
        constraints = [ConstraintMat("supp", left, normalized=False), ConstraintMat("supp", right, normalized=False)]
        params = ParamsPalm4MSA(constraints, StoppingCriterion(num_its=iterations))
        faust = palm4msa(A, params, backend=2020)
        for index, allowed in enumerate((left, right)):
            factor = faust.factors(index)
            factor = factor.toarray() if hasattr(factor, "toarray") else np.asarray(factor)
            if np.any(factor[allowed == 0]):
                raise RuntimeError(f"PALM4MSA factor {index} leaves its support")
        return faust.toarray()

    return run, f"pyfaust {pyfaust.version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per timing, best kept")
    parser.add_argument("--levels", type=int, nargs="+", default=[6, 8, 10], help="L, the size is 2^L")
    parser.add_argument("--iterations", type=int, default=100, help="sweeps of ALS and iterations of PALM4MSA")
    options = parser.parse_args()

    palm, palm_note = load_palm4msa()
    if palm is None:
        print(f"PALM4MSA skipped: pyfaust did not import ({palm_note}); try `pip install pyfaust`")
    else:
        print(f"PALM4MSA from {palm_note}")

    header = (
        f"{'pattern':<22} {'target':<9} {'method':<12} {'seconds':>9} {'rel. error':>12} "
        f"{'excess':>10} {'time / exact':>13}"
    )
    print(header)
    print("-" * len(header))
    for level in options.levels:
        support = butterfly_split(level, level // 2)
        pattern = f"butterfly L={level} l={level // 2}"
        for name, A in targets(2**level).items():
            norm = np.linalg.norm(A)

            def exact() -> np.ndarray:
                solution = solve(A, support)
                return solution.X @ solution.Y.T

            def als() -> np.ndarray:
                solution = alternating_least_squares(A, support, seed=0, iterations=options.iterations, tol=0.0)
                return solution.X @ solution.Y.T

            methods: list[tuple[str, Callable[[], np.ndarray]]] = [("exact (SVD)", exact), ("ALS", als)]
            if palm is not None:
                methods.append(("PALM4MSA", lambda: palm(A, support, options.iterations)))
            reference: tuple[float, float] | None = None
            for method, action in methods:
                seconds, product = best_time(action, options.repeat)
                error = np.linalg.norm(A - product) / norm
                reference = (seconds, error) if reference is None else reference
                print(
                    f"{pattern:<22} {name:<9} {method:<12} {seconds:>9.4f} {error:>12.6f} "
                    f"{error - reference[1]:>10.1e} {seconds / reference[0]:>13.1f}"
                )


if __name__ == "__main__":
    main()
