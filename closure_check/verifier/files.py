"""Reading a certificate file: the JSON value, or one line saying why it cannot be read.

Standard library only, like the rest of the verifier, so that ``closure-check verify``
loads neither numpy nor scipy.  (Re-exported by
:mod:`closure_check.output.certificate_json.two_factor`.)
"""

from __future__ import annotations

import json
import stat
from os import PathLike
from pathlib import Path
from typing import Any

__all__ = ["CertificateFileError", "load_certificate"]


class CertificateFileError(ValueError):
    """A certificate file cannot be read or is not JSON (one-line message with the path)."""


class _HugeInteger(ValueError):
    """An integer literal with more digits than a certificate ever needs."""


MAX_INTEGER_DIGITS = 4000
"""Longest integer literal a certificate file may hold (rationals are strings of at most
4000 digits too, :mod:`.parse`); Python refuses to convert more than 4300 digits, and
nothing in a certificate is that large."""


def _parse_int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INTEGER_DIGITS:
        raise _HugeInteger(f"an integer of {digits} digits (at most {MAX_INTEGER_DIGITS})")
    return int(text)


def _kind(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file (a FIFO would block, a device never end)."""
    mode = path.stat().st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def load_certificate(path: str | PathLike[str]) -> Any:
    """Read the JSON value stored at ``path`` (checking it is a certificate is the verifier's job).

    Raises
    ------
    CertificateFileError
        If the file is missing or not a regular file (a directory, a FIFO, a device),
        cannot be read, is not UTF-8, is not JSON, or holds an integer of more than
        :data:`MAX_INTEGER_DIGITS` digits; the message is one line naming the path.
    """
    path = Path(path)
    try:
        kind = _kind(path)
        if kind is not None:
            raise CertificateFileError(f"{path}: is {kind}, not a regular file")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CertificateFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CertificateFileError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError as error:
        raise CertificateFileError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise CertificateFileError(f"{path}: cannot read: {error.strerror or error}") from None
    except MemoryError:
        raise CertificateFileError(f"{path}: not enough memory to read it (MemoryError)") from None
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as error:
        raise CertificateFileError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except _HugeInteger as error:
        raise CertificateFileError(f"{path}: not a certificate: it holds {error}") from None
    except RecursionError:
        raise CertificateFileError(f"{path}: JSON nested too deeply") from None
    except MemoryError:
        raise CertificateFileError(f"{path}: not enough memory to read it (MemoryError)") from None
