"""Helpers shared by the readers and writers of :mod:`closure_check.io`.

Nothing here is format specific: reading a file's bytes, decoding UTF-8 with a line
number, quoting a piece of a file in a message, checking metadata, and assembling a
:class:`~closure_check.core.case.Case` so that a :class:`~closure_check.core.support.SupportError`
from the data model reaches the caller as a :class:`SupportFileError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from closure_check.core.case import Case, Verdict
from closure_check.core.support import (
    ChainSupport,
    SupportError,
    SupportMatrix,
    TwoFactorSupport,
)
from closure_check.io.errors import SupportFileError

__all__ = [
    "BLANK",
    "MAX_DIM",
    "VERDICTS",
    "TWO_FACTOR",
    "CHAIN",
    "show",
    "read_bytes",
    "decode_utf8",
    "bad_expect",
    "bad_dimension",
    "make_case",
    "first_repeat",
    "check_writable_metadata",
]

#: Characters treated as blanks inside a line (ASCII only, never a line break).
BLANK = " \t\r\f\v"

#: Largest number of rows or columns of a factor.  A CSR pattern stores ``rows + 1``
#: offsets whatever its number of nonzeros, so a file declaring 10^8 rows already
#: costs hundreds of megabytes; larger declarations are rejected before allocating.
MAX_DIM = 10**8

#: The words allowed after ``expect:``.
VERDICTS = {verdict.value: verdict for verdict in Verdict}

TWO_FACTOR = "two-factor"
CHAIN = "chain"


def show(text: str, limit: int = 40) -> str:
    """Quote a piece of a file for a message: ``repr``, shortened to ``limit`` characters."""
    if len(text) > limit:
        return repr(text[:limit]) + "..."
    return repr(text)


def read_bytes(path: Path) -> bytes:
    """Return the content of ``path``.

    Raises
    ------
    SupportFileError
        Without a line number, if the file is missing, a directory or unreadable.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SupportFileError(path, None, "no such file") from None
    except IsADirectoryError:
        raise SupportFileError(path, None, "is a directory, not a file") from None
    except PermissionError:
        raise SupportFileError(path, None, "permission denied") from None
    except OSError as err:
        raise SupportFileError(path, None, f"cannot read: {err.strerror or err}") from None


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

    A dimension is an integer (not a bool) from 1 to :data:`MAX_DIM`.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{show(str(value))} is not an integer"
    if value < 1:
        return f"{value} is not positive (a matrix has at least one row and one column)"
    if value > MAX_DIM:
        return f"{value} is too large (at most {MAX_DIM})"
    return None


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

    Raises
    ------
    SupportFileError
        If the data model rejects the factors.
    """
    try:
        if convention == TWO_FACTOR:
            support: TwoFactorSupport | ChainSupport = TwoFactorSupport(*matrices)
        else:
            support = ChainSupport(tuple(matrices))
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
