"""Chain solver vs the peers, measured in the same run: ``python benchmarks/bench_chain_solve.py``.

Factors ``A`` into the square dyadic butterfly of size ``n = 2^L`` (L factors) with

* ours: :func:`closure_check.approximation.chain.solve_chain`, tree ``left-to-right``,
  timed without the bounds (``bounds=False``) and, separately, with them (the ``e_ℓ`` of
  ``A`` at every split: the certified lower bound);
* lazylinop ``butterfly.ksd`` (``Chain.square_dyadic``, ``ortho=True``, ``order='l2r'``),
  optional dependency ``lazylinop``;
* pyfaust ``fact.butterfly`` (``type='bbtree'``), optional dependency ``pyfaust``.

A second table times one two-factor split ``butterfly_split(L, L/2)`` of a Gaussian
``A``: the generic exact solver :func:`closure_check.approximation.solve.solve`
(``sparse=True``; it builds the rank-one structure first), our Kronecker kernel
:func:`closure_check.approximation.kronecker.split`, and ``ksd`` on the two-pattern chain
``(1, 2^ℓ, 2^ℓ, 2^{L−ℓ}), (2^ℓ, 2^{L−ℓ}, 2^{L−ℓ}, 1)``, all three exact (same error).

Targets: the bit-reversed DFT (complex), the Hadamard matrix, a random butterfly product
plus ``1e-3`` relative Gaussian noise, and a Gaussian matrix.  Every error is the
relative Frobenius error of the dense product of the returned factors, computed the same
way for all methods.  Times are wall-clock seconds of one call (best of ``--repeat``) on
a shared machine; the ratio column is ``time / time of ours (without bounds)``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from functools import partial

import numpy as np
from scipy.linalg import hadamard

from closure_check.approximation.chain import solve_chain
from closure_check.families import butterfly_chain


def bit_reversed_dft(L: int) -> np.ndarray:
    n = 2**L
    order = [int(format(i, f"0{L}b")[::-1], 2) for i in range(n)]
    return np.fft.fft(np.eye(n))[:, order]


def noisy_butterfly(L: int, rng: np.random.Generator) -> np.ndarray:
    chain = butterfly_chain(L)
    product = np.eye(2**L)
    for factor in reversed(chain.factors):
        product = (factor.toarray() * rng.standard_normal(factor.shape)) @ product
    noise = rng.standard_normal(product.shape)
    return product + 1e-3 * np.linalg.norm(product) / np.linalg.norm(noise) * noise


def targets(L: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(L)
    return {
        "DFT (bit-reversed)": bit_reversed_dft(L),
        "Hadamard": hadamard(2**L).astype(float),
        "butterfly + 1e-3 noise": noisy_butterfly(L, rng),
        "Gaussian": rng.standard_normal((2**L, 2**L)),
    }


def timed(run: Callable[[], np.ndarray], repeat: int) -> tuple[float, np.ndarray]:
    best, product = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        product = run()
        best = min(best, time.perf_counter() - start)
    return best, product


def peers() -> dict[str, Callable[[np.ndarray], Callable[[], np.ndarray]]]:
    found: dict[str, Callable[[np.ndarray], Callable[[], np.ndarray]]] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from lazylinop.butterfly import Chain, ksd

        def with_ksd(A: np.ndarray) -> Callable[[], np.ndarray]:
            return lambda: ksd(A, chain=Chain.square_dyadic(A.shape), ortho=True, order="l2r")

        found["lazylinop ksd"] = with_ksd
    except ImportError:
        pass
    try:
        import pyfaust.fact

        def with_faust(A: np.ndarray) -> Callable[[], np.ndarray]:
            return lambda: pyfaust.fact.butterfly(A, type="bbtree")

        found["pyfaust butterfly"] = with_faust
    except ImportError:
        pass
    return found


def split_table(levels: list[int], repeat: int) -> None:
    from closure_check.approximation import kronecker
    from closure_check.approximation.solve import solve
    from closure_check.families import butterfly_split

    print("| n | split | method | seconds | relative error | time / kernel |")
    print("|---:|---|---|---:|---:|---:|")
    for L in levels:
        ell = L // 2
        A = np.random.default_rng(L).standard_normal((2**L, 2**L))
        norm = np.linalg.norm(A)
        left, right = (1, 2**ell, 2**ell, 2 ** (L - ell)), (2**ell, 2 ** (L - ell), 2 ** (L - ell), 1)
        values = A.reshape(1, 1, 2**L, 2**L)
        kernel_time, piece = timed(partial(kronecker.split, values, left, right), repeat)
        support = butterfly_split(L, ell)
        generic_time, solution = timed(partial(solve, A, support, sparse=True), repeat)
        rows = [("kronecker.split", kernel_time, np.sqrt(piece.discarded) / norm),
                ("solve (generic exact)", generic_time, solution.error / norm)]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from lazylinop.butterfly import Chain, ksd

                seconds, operator = timed(partial(ksd, A, chain=Chain([left, right]), ortho=True, order="l2r"), repeat)
                rows.append(("lazylinop ksd", seconds, np.linalg.norm(A - operator.toarray()) / norm))
        except ImportError:
            pass
        for method, seconds, error in rows:
            print(f"| 2^{L} | l={ell} | {method} | {seconds:.3f} | {error:.6e} | {seconds / kernel_time:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="*", default=[6, 8, 10, 12])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--split-levels", type=int, nargs="*", default=[8, 10, 12])
    args = parser.parse_args()
    split_table(args.split_levels, args.repeat)
    print()
    others = peers()
    missing = {"lazylinop ksd", "pyfaust butterfly"} - set(others)
    if missing:
        print(f"not installed, not measured: {', '.join(sorted(missing))}")
    print("| n | target | method | seconds | relative error | time / ours |")
    print("|---:|---|---|---:|---:|---:|")
    for L in args.levels:
        for name, A in targets(L).items():
            norm = np.linalg.norm(A)
            ours_time, result = timed(partial(solve_chain, A, butterfly_chain(L), bounds=False), args.repeat)
            bound_time, bounded = timed(partial(solve_chain, A, butterfly_chain(L)), 1)
            rows = [
                ("ours (left-to-right)", ours_time, result.error / norm),
                ("ours + bounds", bound_time, bounded.error / norm),
            ]
            for peer, make in others.items():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    seconds, operator = timed(make(A), args.repeat)
                    product = operator.toarray()
                rows.append((peer, seconds, np.linalg.norm(A - product) / norm))
            for method, seconds, error in rows:
                print(f"| 2^{L} | {name} | {method} | {seconds:.3f} | {error:.3e} | {seconds / ours_time:.2f} |")
            print(
                f"| 2^{L} | {name} | interval | | lower {bounded.lower_bound / norm:.3e} | "
                f"error / lower {bounded.ratio:.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
