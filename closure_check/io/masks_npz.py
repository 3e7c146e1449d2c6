"""Mask arrays from a NumPy ``.npz`` archive (``np.savez(path, **{"fc1.weight_mask": m, …})``).

Loaded with ``allow_pickle=False``; only the arrays asked for are decompressed.  Used by
:func:`closure_check.io.masks.read_masks`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from closure_check.io.errors import SupportFileError

__all__ = ["load_arrays"]


def load_arrays(path: Path, wanted: Callable[[str], bool]) -> dict[str, np.ndarray]:
    """The arrays of the archive whose names ``wanted`` accepts.

    Raises
    ------
    SupportFileError
        The file is not a readable archive, or a wanted member is not a plain array.
    """
    # a damaged archive can make zipfile, zlib or numpy raise almost any exception type
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files if wanted(key)}
    except Exception as error:
        raise SupportFileError(path, None, f"not a readable NPZ archive of masks ({type(error).__name__}: {str(error)[:200]})") from None
