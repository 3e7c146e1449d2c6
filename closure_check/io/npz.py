"""The NumPy archive format (``.npz``), compact and fast for large supports.

The archive holds plain arrays only (it is always loaded with ``allow_pickle=False``):

* ``convention`` -- 0-d string array, ``"two-factor"`` or ``"chain"``;
* ``name``, ``expect``, ``source`` -- 0-d string arrays (``""`` when unset; optional);
* for each matrix ``M`` (``I`` and ``J``, or ``W1`` … ``WN``) its CSR pattern:
  ``M_shape`` (two integers), ``M_indptr`` (``rows + 1`` integers) and ``M_indices``
  (the 0-based column of each nonzero, row by row).

>>> import io
>>> from closure_check.core.case import Case
>>> from closure_check.core.support import TwoFactorSupport
>>> case = Case(TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]]), "lu2")
>>> buffer = io.BytesIO()
>>> save_npz(case, buffer)
>>> parse_npz(buffer.getvalue(), Path("lu2.npz")) == case
True

An archive has no lines, so errors read ``PATH: what is wrong``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO, Callable, NoReturn

import numpy as np

from closure_check.core.case import Case, Verdict
from closure_check.core.support import ChainSupport, SupportMatrix
from closure_check.io.common import (
    CHAIN,
    TWO_FACTOR,
    VERDICTS,
    SizeTally,
    bad_dimension,
    bad_expect,
    canonical_csr,
    csr_pattern,
    first_repeat,
    index_dtype,
    make_case,
    rows_strictly_increasing,
    show,
)
from closure_check.io.errors import SupportFileError

__all__ = ["parse_npz", "save_npz"]

_METADATA = ("name", "expect", "source")
_SMALL = 2**20
"""Largest uncompressed size of a metadata string or convention array."""
_HEADER = 4096
"""Allowance for the ``.npy`` header of a member."""


class _Archive:
    """The members of an NPZ archive, loaded one at a time and only when asked for.

    Small arrays (shapes, metadata) are loaded first, so that a declared shape beyond
    the limits is refused before any large member is decompressed; a member is loaded
    only if its uncompressed size (from the zip directory, which the reader never
    exceeds) fits what the shapes allow.
    """

    def __init__(self, data: bytes, path: Path) -> None:
        self.path = path
        if data.startswith(b"\x93NUMPY"):
            self.fail("this is a single .npy array, not an NPZ archive")
        if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            self.fail("not an NPZ archive (no zip signature at the start)")
        # A damaged archive can make zipfile, zlib or numpy's header parser raise almost
        # any exception type; all of them mean "not a readable archive".
        try:
            self.archive = np.load(io.BytesIO(data), allow_pickle=False)
            self.sizes: dict[str, int] = {}
            for info in self.archive.zip.infolist():
                for name in {info.filename, info.filename.removesuffix(".npy")}:
                    self.sizes[name] = max(self.sizes.get(name, 0), info.file_size)
        except Exception as err:
            self.fail(f"not a readable NPZ archive ({type(err).__name__}: {str(err)[:200]})")
        self.files = set(self.archive.files)
        self.cache: dict[str, np.ndarray] = {}

    def fail(self, message: str) -> NoReturn:
        raise SupportFileError(self.path, None, message)

    def __contains__(self, key: str) -> bool:
        return key in self.files

    def get(self, key: str, max_bytes: int = _SMALL) -> np.ndarray:
        """Member ``key``, refused unread if it decompresses to more than ``max_bytes``."""
        if key in self.cache:
            return self.cache[key]
        size = self.sizes.get(key, 0)
        if size > max_bytes + _HEADER:
            self.fail(
                f"array {show(key)} would decompress to {size} bytes, more than the "
                f"{max_bytes + _HEADER} it may take (given the shapes and limits)"
            )
        try:
            value = self.archive[key]
        except Exception as err:
            self.fail(f"damaged NPZ archive ({type(err).__name__}: {str(err)[:200]})")
        if not isinstance(value, np.ndarray):
            self.fail(f"member {show(key)} is not a NumPy array")
        self.cache[key] = value
        return value

    def release(self, *keys: str) -> None:
        """Forget members already used, so their memory goes before the next is built."""
        for key in keys:
            self.cache.pop(key, None)

    def close(self) -> None:
        self.archive.close()


def _string(arrays: _Archive, key: str, path: Path) -> str:
    value = arrays.get(key)
    if value.shape != () or value.dtype.kind != "U":
        raise SupportFileError(path, None, f"{show(key)} must be a 0-d string array")
    return str(value)


def _integers(arrays: _Archive, key: str, path: Path, max_items: int = 16) -> np.ndarray:
    if key not in arrays:
        raise SupportFileError(path, None, f"missing array {show(key)}")
    value = arrays.get(key, 8 * max_items)
    if value.ndim != 1 or value.dtype.kind not in "iu":
        raise SupportFileError(path, None, f"{show(key)} must be a 1-d integer array")
    return value


def _shape(arrays: _Archive, label: str, path: Path, tally: SizeTally) -> tuple[int, int]:
    shape = _integers(arrays, f"{label}_shape", path)
    if shape.size != 2:
        raise SupportFileError(path, None, f"{label}_shape must hold 2 integers (rows, cols), it holds {shape.size}")
    m, n = shape.tolist()
    for axis, size in (("rows", m), ("columns", n)):
        problem = bad_dimension(size)
        if problem:
            raise SupportFileError(path, None, f"{label}_shape: number of {axis} {problem}")
    too_large = tally.add(m, n)
    if too_large:
        raise SupportFileError(path, None, f"{label} is {m} x {n}: {too_large}")
    return m, n


def _matrix(arrays: _Archive, label: str, shape: tuple[int, int], path: Path, tally: SizeTally) -> SupportMatrix:
    def fail(message: str) -> NoReturn:
        raise SupportFileError(path, None, message)

    m, n = shape
    indptr = _integers(arrays, f"{label}_indptr", path, m + 1)
    if indptr.size != m + 1:
        fail(f"{label}_indptr must have rows + 1 = {m + 1} entries, it has {indptr.size}")
    if indptr[0] != 0:
        fail(f"{label}_indptr must start with 0, it starts with {indptr[0]}")
    if np.any(indptr[1:] < indptr[:-1]):
        row = int(np.argmax(indptr[1:] < indptr[:-1]))
        fail(f"{label}_indptr decreases after row {row}")
    nnz = int(indptr[-1])
    if nnz > m * n:
        fail(f"{label}_indptr ends with {nnz}, more nonzeros than a {m} x {n} matrix has entries")
    too_large = tally.add(0, 0, nnz)
    if too_large:
        fail(f"{label} has {nnz} nonzeros: {too_large}")
    indices = _integers(arrays, f"{label}_indices", path, nnz)
    if indptr[-1] != indices.size:
        fail(f"{label}_indptr ends with {indptr[-1]} but {label}_indices has {indices.size} entries")
    arrays.release(f"{label}_indptr", f"{label}_indices")
    dtype = index_dtype(m, n, nnz)
    indptr = indptr.astype(dtype, copy=False)  # 0 ≤ every offset ≤ nnz: it fits
    if rows_strictly_increasing(indptr, indices):
        # sorted rows without repeats (what save_npz writes): the range is that of the
        # first and last nonzero of each row, and the arrays are the CSR pattern as they are
        filled = np.flatnonzero(indptr[1:] > indptr[:-1])
        if filled.size == 0 or (indices[indptr[filled]].min() >= 0 and indices[indptr[filled + 1] - 1].max() < n):
            return canonical_csr(indptr, indices.astype(dtype, copy=False), (m, n))
    # unsorted rows, a repeat or an index out of range: the general path, which says which
    return _general_matrix(label, indptr, indices, (m, n), fail)


def _general_matrix(
    label: str, indptr: np.ndarray, indices: np.ndarray, shape: tuple[int, int], fail: Callable[[str], NoReturn]
) -> SupportMatrix:
    """A factor whose rows are not strictly increasing: range check, sort, first repeat named."""
    m, n = shape
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        bad = indices[(indices < 0) | (indices >= n)][0]
        fail(f"{label}_indices holds column {bad}, outside 0..{n - 1}")
    counts = np.diff(indptr)
    filled = np.flatnonzero(counts)  # O(nnz) rows below, not O(m)
    rows = np.repeat(filled, counts[filled])
    del counts, filled, indptr
    linear = rows * n + indices.astype(np.int64)
    repeated = first_repeat(linear)
    if repeated is not None:
        fail(f"{label}: row {rows[repeated]} lists column {indices[repeated]} twice")
    del linear
    return csr_pattern(rows, indices.astype(np.int64), (m, n))


def parse_npz(data: bytes, path: Path) -> Case:
    """Read a case from the bytes of an NPZ archive.

    Parameters
    ----------
    data
        The archive.
    path
        The file, for messages; its stem is the name when the archive gives none.

    Returns
    -------
    Case

    Raises
    ------
    SupportFileError
        Without a line number, saying which array is wrong and how.
    """
    arrays = _Archive(data, path)
    try:
        return _case(arrays, path)
    finally:
        arrays.close()


def _case(arrays: _Archive, path: Path) -> Case:
    if "convention" not in arrays:
        raise SupportFileError(path, None, "missing array 'convention'")
    convention = _string(arrays, "convention", path)
    if convention == TWO_FACTOR:
        labels = ["I", "J"]
    elif convention == CHAIN:
        count = 0
        while f"W{count + 1}_shape" in arrays:
            count += 1
        labels = [f"W{k}" for k in range(1, max(count, 1) + 1)]
    else:
        raise SupportFileError(
            path, None, f"'convention' must be 'two-factor' or 'chain', not {show(convention)}"
        )
    known = {"convention", *_METADATA} | {f"{label}_{part}" for label in labels for part in ("shape", "indptr", "indices")}
    for key in sorted(arrays.files):
        if key not in known:
            raise SupportFileError(path, None, f"unexpected array {show(key)}")
    meta = {key: _string(arrays, key, path) if key in arrays else "" for key in _METADATA}
    if meta["expect"] and meta["expect"] not in VERDICTS:
        raise SupportFileError(path, None, bad_expect(meta["expect"]))
    tally = SizeTally()
    matrices = []
    for label in labels:  # factor by factor: the limit on rows and columns grows with the nonzeros read so far
        matrices.append(_matrix(arrays, label, _shape(arrays, label, path, tally), path, tally))
    if convention == TWO_FACTOR:
        if matrices[0].shape[1] != matrices[1].shape[1]:
            raise SupportFileError(
                path, None, f"J has {matrices[1].shape[1]} columns but I has {matrices[0].shape[1]}"
            )
    else:
        for k in range(1, len(matrices)):
            rows, columns = matrices[k].shape[0], matrices[k - 1].shape[1]
            if rows != columns:
                raise SupportFileError(path, None, f"W{k + 1} has {rows} rows but W{k} has {columns} columns")
    expect = VERDICTS[meta["expect"]] if meta["expect"] else None
    return make_case(path, None, convention, matrices, meta["name"], expect, meta["source"], canonical=True)


def save_npz(case: Case, file: BinaryIO) -> None:
    """Write ``case`` as a compressed NPZ archive to the open binary ``file``.

    All three metadata arrays are written, ``""`` standing for unset.
    """
    support = case.support
    if isinstance(support, ChainSupport):
        convention, named = CHAIN, [(f"W{k}", f) for k, f in enumerate(support.factors, start=1)]
    else:
        convention, named = TWO_FACTOR, [("I", support.I), ("J", support.J)]
    arrays = {
        "convention": np.array(convention),
        "name": np.array(case.name),
        "expect": np.array("" if case.expect is None else str(Verdict(case.expect))),
        "source": np.array(case.source),
    }
    for label, matrix in named:
        arrays[f"{label}_shape"] = np.array(matrix.shape, dtype=np.int64)
        arrays[f"{label}_indptr"] = np.asarray(matrix.indptr)
        arrays[f"{label}_indices"] = np.asarray(matrix.indices)
    np.savez_compressed(file, **arrays)
