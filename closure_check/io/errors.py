"""The one exception every reader raises: :class:`SupportFileError`.

A malformed file is reported as ``PATH:LINE: message`` (``PATH: message`` when the
format has no lines, as for NPZ archives, or when the problem is not on a line, as for a
missing file).  The text is always a single line, so the CLI can print it as is and
editors can jump to the place.

>>> from pathlib import Path
>>> str(SupportFileError(Path("cases/lu2.txt"), 7, "bad entry '2' (entries are 0 or 1)"))
"cases/lu2.txt:7: bad entry '2' (entries are 0 or 1)"
>>> str(SupportFileError(Path("big.npz"), None, "I_indptr is not nondecreasing"))
'big.npz: I_indptr is not nondecreasing'
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

__all__ = ["SupportFileError", "one_line"]


def one_line(text: str) -> str:
    """Return ``text`` with every non-printable character written as an escape.

    Newlines, tabs, line separators and other control characters become ``\\n``,
    ``\\t``, ``\\u2028``, …, so the result is exactly one line of printable text.
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


class SupportFileError(Exception):
    """A support file (or set of files) cannot be read or written.

    Parameters
    ----------
    path
        The file that is wrong (for Matrix Market sets: the member of the set).
    line
        1-based line number of the problem, or ``None`` when the format has no lines
        or the problem is not on a line.
    message
        What is wrong; non-printable characters are escaped so it is one line.

    Attributes
    ----------
    path : pathlib.Path
    line : int or None
    message : str

    Notes
    -----
    ``str(err)`` is ``"PATH:LINE: message"``, or ``"PATH: message"`` when ``line`` is
    ``None``; it never contains a line break.
    """

    def __init__(self, path: str | PathLike[str], line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = one_line(message)
        super().__init__(self._render())

    def _render(self) -> str:
        where = one_line(str(self.path))
        if self.line is None:
            return f"{where}: {self.message}"
        return f"{where}:{self.line}: {self.message}"

    def __str__(self) -> str:
        return self._render()

    def __reduce__(self) -> tuple[type, tuple[Path, int | None, str]]:
        return (type(self), (self.path, self.line, self.message))
