"""Reading a certificate file: the JSON value, or one line saying why it cannot be read.

Standard library only, like the rest of the verifier, so that ``closure-check verify``
loads neither numpy nor scipy.  (Re-exported by
:mod:`closure_check.output.certificate_json.two_factor`.)
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path
from typing import Any

__all__ = ["CertificateFileError", "load_certificate"]


class CertificateFileError(ValueError):
    """A certificate file cannot be read or is not JSON (one-line message with the path)."""


def load_certificate(path: str | PathLike[str]) -> Any:
    """Read the JSON value stored at ``path`` (checking it is a certificate is the verifier's job).

    Raises
    ------
    CertificateFileError
        If the file cannot be read, is not UTF-8, or is not JSON; the message is one
        line naming the path.
    """
    path = Path(path)
    try:
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
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CertificateFileError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except RecursionError:
        raise CertificateFileError(f"{path}: JSON nested too deeply") from None
    except MemoryError:
        raise CertificateFileError(f"{path}: not enough memory to read it (MemoryError)") from None
