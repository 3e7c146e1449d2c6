"""Mask arrays from a PyTorch state dict saved with ``torch.save`` (``.pt``, ``.pth``).

PyTorch is optional and never installed by this package: without it the file is refused
with a one-line reason (save the masks with safetensors or ``np.savez`` instead).  The
file is loaded with ``weights_only=True`` (no arbitrary objects are unpickled); a
checkpoint holding the state dict under ``"state_dict"`` is accepted too.  Used by
:func:`closure_check.io.masks.read_masks`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

from closure_check.io.errors import SupportFileError

__all__ = ["load_arrays"]


def load_arrays(path: Path, wanted: Callable[[str], bool]) -> dict[str, np.ndarray]:
    """The tensors of the state dict whose names ``wanted`` accepts, as NumPy arrays.

    Raises
    ------
    SupportFileError
        PyTorch is not installed, the file cannot be loaded, or it holds no state dict.
    """
    try:
        import torch
    except ImportError:
        raise SupportFileError(
            path, None, "skipped: reading .pt needs PyTorch, which is not installed (save the masks with safetensors or np.savez)"
        ) from None
    # torch.load raises pickle, zip and runtime errors of many types on a bad file
    try:
        state: Any = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as error:
        raise SupportFileError(path, None, f"torch.load failed ({type(error).__name__}: {str(error)[:200]})") from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise SupportFileError(path, None, f"holds a {type(state).__name__}, not a state dict (a mapping of names to tensors)")
    arrays = {}
    for key, value in state.items():
        if isinstance(key, str) and wanted(key):
            if not hasattr(value, "detach"):
                raise SupportFileError(path, None, f"{key!r} is a {type(value).__name__}, not a tensor")
            arrays[key] = value.detach().cpu().numpy()
    return arrays
