"""Helpers shared by the readers and writers of :mod:`closure_check.io`.

Nothing here is format specific: reading a file's bytes, decoding UTF-8 with a line
number, quoting a piece of a file in a message, checking metadata, and assembling a
:class:`~closure_check.core.case.Case` so that a :class:`~closure_check.core.support.SupportError`
from the data model reaches the caller as a :class:`SupportFileError`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, Sequence

import numpy as np
import scipy.sparse as sp

from closure_check.core.case import Case, Verdict
from closure_check.core.support import (
    MAX_DIMENSIONS,
    MAX_NONZEROS,
    ChainSupport,
    SupportError,
    SupportMatrix,
    TwoFactorSupport,
    size_problem,
)
from closure_check.io.errors import SupportFileError

__all__ = [
    "BLANK",
    "MAX_DIMENSIONS",
    "MAX_NONZEROS",
    "MAX_TEXT_BYTES",
    "MAX_JSON_BYTES",
    "MAX_BYTES",
    "VERDICTS",
    "TWO_FACTOR",
    "CHAIN",
    "SizeTally",
    "show",
    "open_regular",
    "read_bytes",
    "read_stream",
    "too_large_for_text",
    "decode_utf8",
    "bad_expect",
    "bad_dimension",
    "csr_pattern",
    "canonical_csr",
    "index_dtype",
    "rows_strictly_increasing",
    "make_case",
    "first_repeat",
    "check_writable_metadata",
]

#: Characters treated as blanks inside a line (ASCII only, never a line break).
BLANK = " \t\r\f\v"

#: Largest file the text format reads or writes (4 MiB).  It is parsed line by line in
#: Python, about 2 µs and 150 bytes per line, so the worst file of this size (a column
#: of single digits) takes seconds, not minutes; it is meant for cases written by hand.
MAX_TEXT_BYTES = 4 * 2**20

#: Largest file the JSON format reads or writes (16 MiB): ``json`` builds a Python
#: object per value, about 20 times the file in memory.  Large supports belong in
#: ``.npz`` or ``.mtx``, whose readers make no Python object per nonzero.
MAX_JSON_BYTES = 16 * 2**20

#: The limit of each format that has one.
MAX_BYTES = {"text": MAX_TEXT_BYTES, "json": MAX_JSON_BYTES}
_NAMES = {"text": "text", "json": "JSON"}

#: The words allowed after ``expect:``.
VERDICTS = {verdict.value: verdict for verdict in Verdict}

TWO_FACTOR = "two-factor"
CHAIN = "chain"


def show(text: str, limit: int = 40) -> str:
    """Quote a piece of a file for a message: ``repr``, shortened to ``limit`` characters."""
    if len(text) > limit:
        return repr(text[:limit]) + "..."
    return repr(text)


_KINDS = (
    (stat.S_ISDIR, "is a directory, not a file"),
    (stat.S_ISFIFO, "is a FIFO (named pipe), not a regular file (pipe it to standard input as '-' instead)"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for binary reading if it is a regular file, without ever blocking.

    The file is opened non-blocking and checked with ``fstat`` on the open descriptor,
    so a FIFO without a writer, ``/dev/zero`` or a directory is refused at once (not
    read forever), and nothing can swap the file between the check and the read.

    Raises
    ------
    SupportFileError
        Without a line number: missing, not a regular file, or unreadable.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SupportFileError(path, None, "no such file") from None
    except NotADirectoryError:
        raise SupportFileError(path, None, "no such file (a folder on the path is a file)") from None
    except IsADirectoryError:
        raise SupportFileError(path, None, "is a directory, not a file") from None
    except PermissionError:
        raise SupportFileError(path, None, "permission denied") from None
    except OSError as err:
        raise SupportFileError(path, None, f"cannot read: {err.strerror or err}") from None
    except ValueError as err:  # a NUL character in the name
        raise SupportFileError(path, None, f"bad file name ({err})") from None
    try:
        mode = os.fstat(descriptor).st_mode
        for test, problem in _KINDS:
            if test(mode):
                raise SupportFileError(path, None, problem)
        if not stat.S_ISREG(mode):
            raise SupportFileError(path, None, "not a regular file")
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def too_large_for_text(size: int | None, fmt: str) -> str:
    """The message for ``size`` bytes (``None``: unknown) of the text or JSON format, beyond its :data:`MAX_BYTES`."""
    amount = "more" if size is None else f"{size} bytes, more"
    return (
        f"{amount} than the {MAX_BYTES[fmt] // 2**20} MiB the {_NAMES[fmt]} format is limited to "
        "(use .npz or .mtx for large supports)"
    )


def read_bytes(path: Path, fmt: str | None = None) -> bytes:
    """Return the content of the regular file ``path``.

    Parameters
    ----------
    fmt
        For ``"text"`` and ``"json"``, refuse a file larger than the format's
        :data:`MAX_BYTES` (the size is checked before reading, and the read stops past
        it, for files whose size the system does not report).

    Raises
    ------
    SupportFileError
        Without a line number, if the file is missing, not a regular file (a directory,
        a FIFO, a device), unreadable or too large.
    """
    limit = MAX_BYTES.get(fmt) if fmt else None
    with open_regular(path) as file:
        try:
            if limit is not None:
                size = os.fstat(file.fileno()).st_size
                if size > limit:
                    raise SupportFileError(path, None, too_large_for_text(size, fmt))
                data = file.read(size + 1)  # all of it and the end (a buffer of the file's size)
                if len(data) > size:  # it grew, or the system does not report its size (/proc)
                    data += file.read(limit + 1 - len(data))
                if len(data) > limit:
                    raise SupportFileError(path, None, too_large_for_text(len(data), fmt))
                return data
            return file.read()
        except OSError as err:
            raise SupportFileError(path, None, f"cannot read: {err.strerror or err}") from None


def read_stream(stream: BinaryIO, path: Path, fmt: str = "text") -> bytes:
    """Read an open binary stream (standard input) in format ``fmt``; ``path`` names it.

    At most the format's :data:`MAX_BYTES` are read, so an endless stream is refused
    as soon as it passes them.

    Raises
    ------
    SupportFileError
        If the stream holds more than the limit or cannot be read.
    """
    limit = MAX_BYTES[fmt]
    try:
        data = stream.read(limit + 1)
    except OSError as err:
        raise SupportFileError(path, None, f"cannot read: {err.strerror or err}") from None
    if len(data) > limit:
        raise SupportFileError(path, None, too_large_for_text(None, fmt))
    return data


def decode_utf8(data: bytes, path: Path) -> str:
    """Decode ``data`` as UTF-8 (a leading byte-order mark is dropped).

    Raises
    ------
    SupportFileError
        At the line of the first invalid byte.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise SupportFileError(path, line, f"invalid UTF-8 (byte 0x{data[err.start]:02x})") from None
    return text[1:] if text.startswith("\ufeff") else text


def bad_expect(value: str) -> str:
    """The message for an ``expect`` value that is not a verdict."""
    return f"bad expect value {show(value)} (expected closed, not-closed or unknown)"


def bad_dimension(value: object) -> str | None:
    """Why ``value`` is not a valid number of rows or columns, or ``None`` if it is.

    A dimension is an integer (not a bool) from 1 to :data:`MAX_DIMENSIONS` (the limit
    on all the factors' rows and columns together, :class:`SizeTally`).
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{show(str(value))} is not an integer"
    if value < 1:
        return f"{value} is not positive (a matrix has at least one row and one column)"
    if value > MAX_DIMENSIONS:
        shown = str(value) if value.bit_length() < 200 else "a number of more than 60 digits"
        return f"{shown} is too large (at most {MAX_DIMENSIONS} rows and columns in all)"
    return None


class SizeTally:
    """The running size of the factors of a file, checked against the limits before allocating.

    >>> tally = SizeTally()
    >>> tally.add(4, 5) is None, tally.add(10**7, 2)
    (True, 'the factors would have 10000011 rows and columns in all, more than the limit of 10000000 (docs/formats.md, Limits)')
    """

    def __init__(self) -> None:
        self.shapes: list[tuple[int, int]] = []
        self.nnz = 0

    def add(self, rows: int, cols: int, nnz: int = 0) -> str | None:
        """Count one more factor; return why the factors so far are too large, or ``None``."""
        self.shapes.append((rows, cols))
        self.nnz += nnz
        problem = size_problem(self.shapes, self.nnz)
        return None if problem is None else f"the factors would have {problem} (docs/formats.md, Limits)"


def csr_pattern(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> SupportMatrix:
    """The canonical 0/1 ``csr_array`` with ones at the distinct 0-based ``(rows[k], cols[k])``.

    Built directly in CSR form with 32-bit indices when they fit: the row offsets cost
    4 bytes per row and no scratch array of the number of rows is made, so a factor
    with many empty rows costs ``O(rows + nnz)`` with a small constant.  The caller
    has checked that the pairs are within ``shape`` and distinct.
    """
    m, n = shape
    dtype = index_dtype(m, n, rows.size)
    order = np.lexsort((cols, rows))
    sorted_rows = rows[order]
    indices = np.asarray(cols[order], dtype=dtype)
    del order
    indptr = np.zeros(m + 1, dtype=dtype)
    if sorted_rows.size:
        distinct, counts = np.unique(sorted_rows, return_counts=True)
        indptr[distinct + 1] = counts
        np.cumsum(indptr, out=indptr)
    matrix = sp.csr_array((np.ones(indices.size, dtype=np.int8), indices, indptr), shape=(m, n))
    matrix.has_sorted_indices = True
    matrix.has_canonical_format = True
    return matrix


_CHUNK = 1 << 22
"""Elements compared at a time by :func:`rows_strictly_increasing` (a 4 MB scratch array)."""


def index_dtype(m: int, n: int, nnz: int) -> type:
    """int32 when every row offset and column index of an m×n factor with nnz nonzeros fits, else int64."""
    return np.int32 if max(m, n, nnz) < np.iinfo(np.int32).max else np.int64


def rows_strictly_increasing(indptr: np.ndarray, indices: np.ndarray) -> bool:
    """Whether the column indices increase strictly along every row of a CSR pattern.

    Then each row is sorted and lists no column twice: the canonical form, checked in
    one pass with no sort.  ``indptr`` must already be valid (starting at 0,
    non-decreasing, ending at ``indices.size``).  Position p+1 is compared with p for
    every p; the comparisons across a row boundary (p+1 the first nonzero of a row)
    are the only ones allowed to fail, so the rows increase iff the failures counted
    overall equal those counted at the boundaries.  The scratch space is
    :data:`_CHUNK` bytes, not one per nonzero.
    """
    nnz = indices.size
    failures = 0
    for start in range(0, max(nnz - 1, 0), _CHUNK):
        stop = min(start + _CHUNK, nnz - 1)
        failures += int(np.count_nonzero(indices[start + 1 : stop + 1] <= indices[start:stop]))
    if failures == 0:
        return True
    starts = indptr[1:-1]
    starts = starts[(starts > 0) & (starts < nnz)]
    if starts.size > 1:  # a run of empty rows repeats a start: count each boundary once
        starts = starts[np.concatenate(([True], starts[1:] != starts[:-1]))]
    return failures == int(np.count_nonzero(indices[starts] <= indices[starts - 1]))


def canonical_csr(indptr: np.ndarray, indices: np.ndarray, shape: tuple[int, int]) -> SupportMatrix:
    """The 0/1 ``csr_array`` on these arrays, marked canonical, with no copy and no scan.

    The caller has checked that ``indptr`` is valid, every index lies in ``0..n-1`` and
    :func:`rows_strictly_increasing` holds; both arrays must have the dtype
    :func:`index_dtype` gives (SciPy then neither converts nor scans them).
    """
    matrix = sp.csr_array((np.ones(indices.size, dtype=np.int8), indices, indptr), shape=shape)
    matrix.has_sorted_indices = True
    matrix.has_canonical_format = True
    return matrix


def first_repeat(keys: np.ndarray) -> int | None:
    """Position of the first element of ``keys`` equal to an earlier one, or ``None``.

    A stable sort, not ``np.unique``: it costs O(k log k) and is fast for 10^6 keys.
    """
    order = np.argsort(keys, kind="stable")
    repeated = order[1:][keys[order[1:]] == keys[order[:-1]]]
    return int(repeated.min()) if repeated.size else None


def make_case(
    path: Path,
    line: int | None,
    convention: str,
    matrices: Sequence[SupportMatrix],
    name: str,
    expect: Verdict | None,
    source: str,
    canonical: bool = False,
) -> Case:
    """Assemble a :class:`Case`; an empty ``name`` becomes the file stem.

    Parameters
    ----------
    path, line
        Where to report a :class:`~closure_check.core.support.SupportError` of the data model.
    convention
        :data:`TWO_FACTOR` (``matrices`` is ``(I, J)``) or :data:`CHAIN`.
    matrices
        The factors, already validated by the reader.
    name, expect, source
        Metadata as read.
    canonical
        True when the reader built every matrix in canonical form (:func:`csr_pattern`,
        :func:`canonical_csr`): the support then takes them over without a second
        validation pass (``from_canonical``).

    Raises
    ------
    SupportFileError
        If the data model rejects the factors.
    """
    try:
        if convention == TWO_FACTOR:
            build = TwoFactorSupport.from_canonical if canonical else TwoFactorSupport
            support: TwoFactorSupport | ChainSupport = build(*matrices)
        else:
            support = ChainSupport.from_canonical(matrices) if canonical else ChainSupport(tuple(matrices))
    except SupportError as err:
        raise SupportFileError(path, line, str(err)) from None
    return Case(support, name or path.stem, expect, source)


def check_writable_metadata(case: Case, path: Path, fmt: str, line_based: bool) -> None:
    """Check that ``case``'s metadata can be written to ``path`` in format ``fmt``.

    Parameters
    ----------
    line_based
        True for the text and Matrix Market formats, where a value is the rest of a
        line: it must then hold no line break and no surrounding blanks, and in the
        text format (``fmt == "text"``) no ``#``.

    Raises
    ------
    SupportFileError
        Without a line number, naming the value that cannot be written.
    """
    if not isinstance(case.name, str) or not isinstance(case.source, str):
        raise SupportFileError(path, None, "cannot write: name and source must be strings")
    if case.expect is not None and str(case.expect) not in VERDICTS:
        raise SupportFileError(path, None, f"cannot write: {bad_expect(str(case.expect))}")
    if not line_based:
        return
    for key, value in (("name", case.name), ("source", case.source)):
        if "\n" in value or "\r" in value:
            problem = "it contains a line break"
        elif value != value.strip(BLANK):
            problem = "it starts or ends with a blank"
        elif fmt == "text" and "#" in value:
            problem = "it contains '#', which starts a comment"
        else:
            continue
        raise SupportFileError(path, None, f"cannot write {key} {show(value)} in the {fmt} format: {problem}")
