"""``closure-check network`` on real-size masks: a 784-1024-1024-10 MLP at 90% random sparsity and with 2:4 masks.

Times ``read_masks`` and ``mask_report`` (chain, pairs, ReLU answer; budget 0, the default
of the command) and reports them as ratios to the baseline measured in the same run:
``safetensors.numpy.load_file`` of the same file (reading the masks, nothing decided).

    python3 benchmarks/bench_masks.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from closure_check.io.masks import read_masks  # noqa: E402
from closure_check.networks.masks import mask_report  # noqa: E402

WIDTHS = (784, 1024, 1024, 10)


def random_masks(rng: np.random.Generator, density: float) -> dict[str, np.ndarray]:
    return {
        f"fc{k}.weight_mask": (rng.random((out, inp)) < density).astype(np.float32)
        for k, (inp, out) in enumerate(zip(WIDTHS, WIDTHS[1:]), start=1)
    }


def n_of_m_masks(rng: np.random.Generator, n: int, m: int) -> dict[str, np.ndarray]:
    masks = {}
    for k, (inp, out) in enumerate(zip(WIDTHS, WIDTHS[1:]), start=1):
        keep = np.argsort(rng.random((out, inp // m, m)), axis=2)[:, :, :n]
        mask = np.zeros((out, inp // m, m), np.float32)
        np.put_along_axis(mask, keep, 1.0, axis=2)
        masks[f"fc{k}.weight_mask"] = mask.reshape(out, inp)
    return masks


def main() -> None:
    from safetensors.numpy import load_file, save_file

    rng = np.random.default_rng(0)
    cases = {"90% random": random_masks(rng, 0.1), "2:4": n_of_m_masks(rng, 2, 4)}
    with tempfile.TemporaryDirectory() as folder:
        for label, arrays in cases.items():
            path = Path(folder) / "masks.safetensors"
            save_file(arrays, str(path))
            start = time.perf_counter()
            load_file(str(path))
            baseline = time.perf_counter() - start
            start = time.perf_counter()
            masks = read_masks(path)
            read = time.perf_counter() - start
            start = time.perf_counter()
            report = mask_report(masks, relu=True)
            decide = time.perf_counter() - start
            pairs = ", ".join(p.result.verdict.value for p in report.pairs)
            print(
                f"{label:>11}: read {read:.2f} s ({read / baseline:.1f}x load_file {baseline:.3f} s), "
                f"chain + pairs + ReLU {decide:.2f} s ({decide / baseline:.0f}x load_file); chain {report.chain.verdict.value}, "
                f"pairs {pairs}, ReLU {report.relu.verdict.value}"
            )


if __name__ == "__main__":
    main()
