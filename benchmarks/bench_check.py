"""Benchmark: the combinatorial classifier ``check`` on large patterns, against loading.

For each pattern the support's CSR arrays are saved to an uncompressed ``.npz``; in the
same run we time the *floor* (``numpy.load`` of those arrays) and *check* (load +
validate + ``closure_check.decide.check``: structure, reductions, rules, verdict).
Best of ``--repeat`` runs; the ratio check/floor is printed.  Target (issue 3): each
under 2 s.  Chains (butterfly chains of 16 and 18 factors) are saved and loaded the same
way, factor by factor, and decided by ``check`` through the chain reductions and the
chainable Kronecker-sparse lemma.

Run:  python benchmarks/bench_check.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from bench_structure import best_time, load_arrays, load_support, save_arrays

from closure_check.core.support import ChainSupport, TwoFactorSupport
from closure_check.decide import check
from closure_check.families import (
    butterfly_chain,
    butterfly_split,
    monarch,
    random_k_sparse,
)


def save_chain_arrays(chain: ChainSupport, folder: Path) -> Path:
    path = folder / "chain.npz"
    arrays = {}
    for level, factor in enumerate(chain.factors):
        arrays.update({f"W{level}_indptr": factor.indptr, f"W{level}_indices": factor.indices,
                       f"W{level}_shape": np.array(factor.shape)})
    np.savez(path, **arrays)
    return path


def load_chain(path: Path) -> ChainSupport:
    """Load the arrays and validate them as a chain (what every timed chain run starts with)."""
    arrays = load_arrays(path)
    factors = []
    for level in range(len(arrays) // 3):
        indices = arrays[f"W{level}_indices"]
        factors.append(sp.csr_array((np.ones(indices.size, dtype=np.int8), indices, arrays[f"W{level}_indptr"]),
                                    shape=tuple(arrays[f"W{level}_shape"])))
    return ChainSupport(tuple(factors))


def load_and_check(path: Path):
    return check(load_chain(path) if path.name == "chain.npz" else load_support(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    patterns = [(f"butterfly split N=2^{L}, l={L // 2}", lambda L=L: butterfly_split(L, L // 2)) for L in (12, 14, 16)]
    patterns += [
        ("Monarch m=64 (n=4096)", lambda: monarch(64)),
        ("Monarch m=256 (n=65536)", lambda: monarch(256)),
        ("random 5-sparse, 10^6 nnz", lambda: random_k_sparse(100_000, 100_000, 100_000, 5, seed=0)),
        ("butterfly chain N=2^16 (16 f.)", lambda: butterfly_chain(16)),
        ("butterfly chain N=2^18 (18 f.)", lambda: butterfly_chain(18)),
    ]
    print(f"{'pattern':30} {'nnz':>10} {'verdict':>11} {'tractability':>22} {'floor s':>8} {'check s':>8} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for label, make in patterns:
            support = make()
            save = save_arrays if isinstance(support, TwoFactorSupport) else save_chain_arrays
            path = save(support, Path(folder))
            result = load_and_check(path)
            floor = best_time(lambda: load_arrays(path), options.repeat)
            elapsed = best_time(lambda: load_and_check(path), options.repeat)
            print(
                f"{label:30} {support.nnz:>10} {result.verdict.value:>11} {result.tractability.value:>22} "
                f"{floor:>8.3f} {elapsed:>8.3f} {elapsed / floor:>6.1f}"
            )


if __name__ == "__main__":
    main()
