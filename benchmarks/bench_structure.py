"""Benchmark: building the rank-one-support structure, against loading the arrays.

For each pattern, the support's CSR arrays are saved to an uncompressed ``.npz`` in a
temporary folder, then timed in the same run:

* *floor* -- ``numpy.load`` of those arrays (the least any method must spend to see
  the input);
* *build* -- loading them plus validating the support (``TwoFactorSupport``) plus
  ``RankOneStructure.build`` (rectangles, classes, completeness, overlap components).

Each time is the best of ``--repeat`` runs.  The ratio build/floor is printed; the
targets (issue 2) are build under 2 s and ratio under 10.

Run:  python benchmarks/bench_structure.py [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
import scipy.sparse as sp

from closure_check.core.graph import RankOneStructure
from closure_check.core.support import TwoFactorSupport
from closure_check.families import butterfly_split, random_k_sparse


def save_arrays(support: TwoFactorSupport, folder: Path) -> Path:
    path = folder / "support.npz"
    np.savez(
        path,
        I_indptr=support.I.indptr, I_indices=support.I.indices, I_shape=np.array(support.I.shape),
        J_indptr=support.J.indptr, J_indices=support.J.indices, J_shape=np.array(support.J.shape),
    )
    return path


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as archive:
        return {key: archive[key] for key in archive.files}


def load_support(path: Path) -> TwoFactorSupport:
    """Load the arrays and validate them as a support (what every timed run starts with)."""
    arrays = load_arrays(path)

    def factor(name: str) -> sp.csr_array:
        indices = arrays[f"{name}_indices"]
        return sp.csr_array(
            (np.ones(indices.size, dtype=np.int8), indices, arrays[f"{name}_indptr"]),
            shape=tuple(arrays[f"{name}_shape"]),
        )

    return TwoFactorSupport(factor("I"), factor("J"))


def load_and_build(path: Path) -> RankOneStructure:
    return RankOneStructure.build(load_support(path))


def best_time(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (2^12 butterfly, 10^5 nonzeros)")
    options = parser.parse_args()
    if options.quick:
        patterns = [
            ("butterfly split N=2^12, l=6", lambda: butterfly_split(12, 6)),
            ("random 5-sparse, 10^5 nnz", lambda: random_k_sparse(10_000, 10_000, 10_000, 5, seed=0)),
        ]
    else:
        patterns = [
            ("butterfly split N=2^16, l=8", lambda: butterfly_split(16, 8)),
            ("random 5-sparse, 10^6 nnz", lambda: random_k_sparse(100_000, 100_000, 100_000, 5, seed=0)),
        ]
    print(f"{'pattern':32} {'nnz':>11} {'classes':>8} {'comps':>7} {'floor s':>8} {'build s':>8} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for label, make in patterns:
            support = make()
            path = save_arrays(support, Path(folder))
            structure = load_and_build(path)
            floor = best_time(lambda: load_arrays(path), options.repeat)
            build = best_time(lambda: load_and_build(path), options.repeat)
            print(
                f"{label:32} {support.nnz:>11} {structure.n_classes:>8} {structure.n_components:>7} "
                f"{floor:>8.3f} {build:>8.3f} {build / floor:>6.1f}"
            )


if __name__ == "__main__":
    main()
