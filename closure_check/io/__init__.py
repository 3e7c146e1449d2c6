"""Reading and writing cases: text, JSON, NPZ and Matrix Market files.

The format follows the suffix: ``.json``, ``.npz``, ``.mtx`` (a set of Matrix Market
files, one per factor), anything else the hand-written text format.  Every format
holds a two-factor support ``(I, J)`` (``X Yᵀ`` convention) or a chain
``W_1 ⋯ W_N``, and the optional name, expected verdict and source
(``docs/formats.md``).

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "lu2.txt").write_text("expect: not-closed\\nI:\\n10\\n11\\nJ:\\n1 0\\n1 1\\n")
>>> case = read_case(folder / "lu2.txt")
>>> case.name, str(case.expect), case.support.rank
('lu2', 'not-closed', 2)
>>> [p.name for p in write_case(case, folder / "lu2.mtx")]
['lu2.I.mtx', 'lu2.J.mtx']
>>> read_case(folder / "lu2.J.mtx") == case
True
>>> _ = (folder / "bad.txt").write_text("I:\\n1 0\\n1 2\\n")
>>> try:
...     read_case(folder / "bad.txt")
... except SupportFileError as err:
...     print(err.line, err.message)
3 bad entry '2' (entries are 0 or 1)

Malformed input of any kind -- missing file, random bytes, invalid UTF-8, wrong
shapes, absurd numbers -- raises :class:`SupportFileError` and nothing else; the CLI
prints it and exits with status 2.
"""

from __future__ import annotations

import importlib
from os import PathLike
from pathlib import Path
from typing import BinaryIO

from closure_check.core.case import Case
from closure_check.core.support import ChainSupport, TwoFactorSupport
from closure_check.io.common import (
    MAX_BYTES,
    check_writable_metadata,
    read_bytes,
    read_stream,
    too_large_for_text,
)
from closure_check.io.errors import SupportFileError

__all__ = ["FORMATS", "STDIN", "SupportFileError", "format_for", "read_case", "read_stream_case", "write_case"]

#: Format names accepted by ``fmt``: the text format, JSON, NPZ, Matrix Market set.
FORMATS = ("text", "json", "npz", "mtx")

#: How standard input is named in messages and case names (:func:`read_stream_case`).
STDIN = "<stdin>"

_SUFFIXES = {".json": "json", ".npz": "npz", ".mtx": "mtx"}
_MODULES = {
    "text": "closure_check.io.text",
    "json": "closure_check.io.jsonfmt",
    "npz": "closure_check.io.npz",
    "mtx": "closure_check.io.matrixmarket",
}


def format_for(path: str | PathLike[str]) -> str:
    """The format of ``path`` by its suffix (case-insensitive); ``"text"`` by default.

    >>> format_for("cases/lu2.json"), format_for("big.I.mtx"), format_for("lu2.case")
    ('json', 'mtx', 'text')
    """
    return _SUFFIXES.get(Path(path).suffix.lower(), "text")


def _resolve(path: str | PathLike[str], fmt: str | None) -> tuple[Path, str]:
    path = Path(path)
    if fmt is None:
        return path, format_for(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return path, fmt


def read_case(path: str | PathLike[str], fmt: str | None = None) -> Case:
    """Read the case stored at ``path``.

    Parameters
    ----------
    path
        The file; for Matrix Market, ``foo.mtx`` or any member ``foo.I.mtx``,
        ``foo.W2.mtx``, … of the set.
    fmt
        One of :data:`FORMATS`; by default chosen from the suffix (:func:`format_for`).

    Returns
    -------
    Case
        Its name is the file stem (the set prefix for Matrix Market) when the file
        gives none.

    Raises
    ------
    SupportFileError
        For every problem with the file or its content, never another exception.
    ValueError
        Only if ``fmt`` is not one of :data:`FORMATS`.
    """
    path, fmt = _resolve(path, fmt)
    module = importlib.import_module(_MODULES[fmt])  # only the reader the file needs
    try:
        if fmt == "mtx":
            return module.read_set(path)
        data = read_bytes(path, fmt)
        parser = {"text": "parse_text", "json": "parse_json", "npz": "parse_npz"}[fmt]
        return getattr(module, parser)(data, path)
    except MemoryError:
        raise SupportFileError(path, None, "not enough memory for a support this large") from None


def read_stream_case(stream: BinaryIO, fmt: str = "text", name: str = STDIN) -> Case:
    """Read a case from an open binary stream, such as ``sys.stdin.buffer``.

    Parameters
    ----------
    stream
        Read to its end, but never past the format's size limit
        (:data:`closure_check.io.common.MAX_BYTES`).
    fmt
        ``"text"`` (the default), ``"json"`` or ``"npz"``; a Matrix Market set is
        several files, so it cannot come from one stream.
    name
        How messages name the stream, ``PATH:LINE: message``; also the case name when
        the content gives none (``"<stdin>"``).

    Raises
    ------
    SupportFileError
        For every problem with the content, as :func:`read_case`.
    ValueError
        Only if ``fmt`` is not one of text, json, npz.

    >>> import io
    >>> read_stream_case(io.BytesIO(b"I:\\n10\\n11\\nJ:\\n10\\n11\\n")).support.rank
    2
    """
    if fmt not in ("text", "json", "npz"):
        raise ValueError(f"unknown stream format {fmt!r}: expected text, json or npz")
    path = Path(name)
    module = importlib.import_module(_MODULES[fmt])
    try:
        data = read_stream(stream, path, fmt) if fmt != "npz" else stream.read()
        parser = {"text": "parse_text", "json": "parse_json", "npz": "parse_npz"}[fmt]
        return getattr(module, parser)(data, path)
    except MemoryError:
        raise SupportFileError(path, None, "not enough memory for a support this large") from None


def write_case(case: Case, path: str | PathLike[str], fmt: str | None = None) -> list[Path]:
    """Write ``case`` to ``path``; :func:`read_case` gives back an equal case.

    Parameters
    ----------
    case
        The case to write.  Every factor needs at least one row and one column.
    path
        The destination; for Matrix Market, ``foo.mtx`` (or ``foo.I.mtx``) writes
        ``foo.I.mtx`` and ``foo.J.mtx``, or ``foo.W1.mtx`` … ``foo.WN.mtx``.
    fmt
        One of :data:`FORMATS`; by default chosen from the suffix.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    SupportFileError
        Without a line number, if the file cannot be written or the case cannot be
        represented (a factor with no rows or columns; in the text format a name or
        source holding ``#``, a line break or surrounding blanks).
    ValueError
        Only if ``fmt`` is not one of :data:`FORMATS`.

    Notes
    -----
    Reading gives back an equal case except for an empty name, which reads back as
    the file stem, like any file without a name.
    """
    path, fmt = _resolve(path, fmt)
    support = case.support
    if not isinstance(support, (TwoFactorSupport, ChainSupport)):
        raise SupportFileError(path, None, f"cannot write a {type(support).__name__}: not a support")
    check_writable_metadata(case, path, fmt, line_based=fmt in ("text", "mtx"))
    if isinstance(support, ChainSupport):
        named = [(f"W{k}", factor) for k, factor in enumerate(support.factors, start=1)]
    else:
        named = [("I", support.I), ("J", support.J)]
    for label, matrix in named:
        if 0 in matrix.shape:
            raise SupportFileError(
                path, None, f"cannot write: {label} is {matrix.shape[0]} x {matrix.shape[1]} (every factor needs a row and a column)"
            )
    module = importlib.import_module(_MODULES[fmt])
    if fmt in MAX_BYTES:
        size = module.text_size(case) if fmt == "text" else module.json_size(case)
        if size > MAX_BYTES[fmt]:
            raise SupportFileError(
                path, None, f"cannot write: this support would take up to {too_large_for_text(size, fmt)}"
            )
    try:
        if fmt == "mtx":
            return module.write_set(case, path)
        if fmt == "npz":
            with path.open("wb") as file:
                module.save_npz(case, file)
        else:
            text = module.format_text(case) if fmt == "text" else module.format_json(case)
            path.write_text(text, encoding="utf-8")
    except OSError as err:
        where = Path(err.filename) if err.filename else path
        raise SupportFileError(where, None, f"cannot write: {err.strerror or err}") from None
    return [path]
