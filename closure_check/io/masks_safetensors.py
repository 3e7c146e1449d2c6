"""Mask arrays from a ``.safetensors`` file, through the ``safetensors`` package's NumPy API.

Only the tensors asked for are read (``safe_open(…, framework="numpy")``), so a file that
also holds the weights costs the masks only.  The package is optional
(``pip install safetensors``, or the ``masks`` extra).  Used by
:func:`closure_check.io.masks.read_masks`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from closure_check.io.errors import SupportFileError

__all__ = ["load_arrays"]


def load_arrays(path: Path, wanted: Callable[[str], bool]) -> dict[str, np.ndarray]:
    """The tensors of the file whose names ``wanted`` accepts, as NumPy arrays.

    Raises
    ------
    SupportFileError
        The ``safetensors`` package is missing, or the file cannot be read (bad header,
        a dtype NumPy has no type for, such as bfloat16).
    """
    try:
        from safetensors import safe_open
    except ImportError:
        raise SupportFileError(
            path, None, "reading .safetensors needs the safetensors package (pip install safetensors)"
        ) from None
    # the Rust reader raises its own SafetensorError, and numpy-side errors for odd dtypes
    try:
        with safe_open(str(path), framework="numpy") as tensors:
            return {key: tensors.get_tensor(key) for key in tensors.keys() if wanted(key)}
    except Exception as error:
        raise SupportFileError(path, None, f"not a readable safetensors file ({type(error).__name__}: {str(error)[:200]})") from None
