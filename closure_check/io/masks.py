"""Per-layer 0/1 pruning masks from the files frameworks write: safetensors, NPZ, PyTorch.

A masked multilayer perceptron is a list of layers ``ℓ = 1..L``; layer ℓ has a weight
``W_ℓ`` of shape ``out × in`` and computes ``y = W_ℓ x + b_ℓ`` (``torch.nn.Linear``:
``weight`` is ``(out_features, in_features)``).  ``torch.nn.utils.prune`` keeps the 0/1
mask beside the weight under ``<layer>.weight_mask`` (same shape); other tools write
``<layer>.mask``.  :func:`read_masks` finds these arrays, orders the layers and checks
that they chain (layer ℓ+1 has as many inputs as layer ℓ has outputs).

**Convention.**  A mask is kept exactly as the framework stores it, ``out × in``: it is
the support ``I_ℓ`` of :class:`closure_check.networks.spec.ReluSpec` (``N_ℓ × N_{ℓ-1}``).
The linear map of the network is ``W_L ⋯ W_1``, so its set of products is the chain
``ChainSupport((M_L, …, M_1))`` -- **the layers in reverse order** (``docs/formats.md``,
"Pruning masks").  Two consecutive layers ℓ, ℓ+1 give ``W_{ℓ+1} W_ℓ``, the two-factor
support ``I = M_{ℓ+1}``, ``J = M_ℓᵀ`` (``X Yᵀ`` with ``X = W_{ℓ+1}``, ``Yᵀ = W_ℓ``); its units
are the hidden neurons of layer ℓ.

**Order.**  By default the layers are sorted by name in natural order (``fc2`` before
``fc10``, ``layers.2`` before ``layers.10``); ``order`` names them explicitly (a layer
name, or a full array name).

>>> import tempfile
>>> import numpy as np
>>> folder = Path(tempfile.mkdtemp())
>>> np.savez(folder / "m.npz", **{"fc2.weight_mask": np.ones((1, 3)), "fc1.weight_mask": np.eye(3, 2)})
>>> masks = read_masks(folder / "m.npz")
>>> masks.names, masks.widths
(('fc1', 'fc2'), (2, 3, 1))
>>> natural_key("layers.10") > natural_key("layers.2")
True

Reading a format loads its module only (``.safetensors`` needs the ``safetensors``
package, ``.pt``/``.pth`` PyTorch); every problem is a one-line
:class:`~closure_check.io.errors.SupportFileError`.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from closure_check.core.support import SupportMatrix, size_problem
from closure_check.io.common import open_regular, show
from closure_check.io.errors import SupportFileError

__all__ = ["MASK_SUFFIXES", "MASK_FORMATS", "MAX_MASK_ENTRIES", "MaskSet", "natural_key", "read_masks"]

#: Array-name endings that mark a mask; the layer name is what comes before.
MASK_SUFFIXES = (".weight_mask", ".mask")

#: File suffix -> module with ``load_arrays(path, wanted) -> dict[str, np.ndarray]``.
MASK_FORMATS = {
    ".safetensors": "closure_check.io.masks_safetensors",
    ".npz": "closure_check.io.masks_npz",
    ".pt": "closure_check.io.masks_torch",
    ".pth": "closure_check.io.masks_torch",
}

#: Largest mask, in entries (dense ``out × in``): 10^8, a 10,000 × 10,000 layer.
MAX_MASK_ENTRIES = 10**8


@dataclass(frozen=True, eq=False)
class MaskSet:
    """Layer names and their 0/1 masks, in forward order, each ``out × in``.

    Attributes
    ----------
    path
        The file read.
    names
        Layer names, layer 1 (applied first) first.
    keys
        The array name each mask was read from.
    masks
        Sparse 0/1 supports ``M_1, …, M_L``; ``M_ℓ`` is ``N_ℓ × N_{ℓ-1}``.
    """

    path: Path
    names: tuple[str, ...]
    keys: tuple[str, ...]
    masks: tuple[SupportMatrix, ...]

    @property
    def widths(self) -> tuple[int, ...]:
        """``(N_0, N_1, …, N_L)``: inputs, then the outputs of each layer."""
        return (int(self.masks[0].shape[1]),) + tuple(int(m.shape[0]) for m in self.masks)

    @property
    def density(self) -> tuple[float, ...]:
        """Fraction of kept weights per layer (floats, for display only)."""
        return tuple(m.nnz / (m.shape[0] * m.shape[1]) for m in self.masks)


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key comparing runs of digits as numbers: ``fc2 < fc10``."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", name) if part)


def _layer_of(key: str) -> str | None:
    for suffix in MASK_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return None


def _support(array: np.ndarray, key: str, path: Path) -> SupportMatrix:
    """The 0/1 mask as a canonical sparse support; refuses anything but a 2-d 0/1 array."""
    if array.ndim != 2:
        kind = " (a convolution?)" if array.ndim == 4 else ""
        raise SupportFileError(
            path, None, f"mask {show(key)} has {array.ndim} dimensions{kind}: only linear layers (2-d masks, out × in) are read"
        )
    if 0 in array.shape:
        raise SupportFileError(path, None, f"mask {show(key)} is {array.shape[0]} × {array.shape[1]}: empty")
    if array.size > MAX_MASK_ENTRIES:
        raise SupportFileError(path, None, f"mask {show(key)} has {array.size} entries, more than {MAX_MASK_ENTRIES}")
    if array.dtype.kind not in "biuf":
        raise SupportFileError(path, None, f"mask {show(key)} has dtype {array.dtype}: expected bool, integer or float 0/1")
    nonzero = array != 0
    if array.dtype.kind != "b" and not np.all(array[nonzero] == 1):
        raise SupportFileError(path, None, f"mask {show(key)} has entries other than 0 and 1")
    matrix = sp.csr_array(nonzero.astype(np.int8))
    problem = size_problem([matrix.shape], matrix.nnz)
    if problem:
        raise SupportFileError(path, None, f"mask {show(key)} would have {problem} (docs/formats.md, Limits)")
    return matrix


def _choose(path: Path, keys: Sequence[str], order: Sequence[str] | None) -> list[tuple[str, str]]:
    """``(layer name, array name)`` in forward order."""
    found = {}
    for key in keys:
        layer = _layer_of(key)
        if layer is None:
            continue
        if layer in found:
            raise SupportFileError(path, None, f"layer {show(layer)} has two masks: {show(found[layer])} and {show(key)}")
        found[layer] = key
    if order is None:
        if len(found) < 2:
            raise SupportFileError(
                path, None, f"{len(found)} mask array(s) (names ending in .weight_mask or .mask): a network needs at least two layers"
            )
        return [(layer, found[layer]) for layer in sorted(found, key=natural_key)]
    chosen = []
    for name in order:
        if name in found:
            chosen.append((name, found[name]))
        elif name in keys:
            chosen.append((_layer_of(name) or name, name))
        else:
            raise SupportFileError(path, None, f"--order names {show(name)}, which is neither a layer with a mask nor an array of the file")
    if len({key for _, key in chosen}) != len(chosen):
        raise SupportFileError(path, None, "--order names a layer twice")
    if len(chosen) < 2:
        raise SupportFileError(path, None, "--order names fewer than two layers: a network needs at least two")
    return chosen


def read_masks(path: str | PathLike[str], order: Sequence[str] | None = None) -> MaskSet:
    """Read the masks of a network from ``path`` (format by suffix).

    Parameters
    ----------
    path
        ``.safetensors``, ``.npz``, or ``.pt`` / ``.pth`` (a state dict saved by
        ``torch.save``; needs PyTorch).
    order
        Layer names (or array names) in forward order; by default every array whose
        name ends in ``.weight_mask`` or ``.mask``, sorted by layer name in natural order.

    Raises
    ------
    SupportFileError
        One line: unknown suffix, unreadable file, missing package, no or too few masks,
        a mask that is not a 2-d 0/1 array, or layers that do not chain (with the hint to
        use ``--order``).
    """
    path = Path(path)
    module_name = MASK_FORMATS.get(path.suffix.lower())
    if module_name is None:
        raise SupportFileError(path, None, f"unknown mask file suffix {show(path.suffix)}: expected .safetensors, .npz, .pt or .pth")
    open_regular(path).close()  # missing, a directory, a FIFO: one line before any library sees it
    module = importlib.import_module(module_name)
    wanted = set(order or ())
    arrays = module.load_arrays(path, lambda key: _layer_of(key) is not None or key in wanted)
    chosen = _choose(path, list(arrays), order)
    masks = tuple(_support(arrays[key], key, path) for _, key in chosen)
    for (name, _), (after, _), mask, following in zip(chosen, chosen[1:], masks, masks[1:]):
        if following.shape[1] != mask.shape[0]:
            raise SupportFileError(
                path,
                None,
                f"layers do not chain: {show(name)} has {mask.shape[0]} outputs but {show(after)} has "
                f"{following.shape[1]} inputs (masks are out × in; give the forward order with --order)",
            )
    return MaskSet(path, tuple(n for n, _ in chosen), tuple(k for _, k in chosen), masks)
