"""Matrix Market sets (``.mtx``): one standard file per factor, for large sparse supports.

A two-factor support ``foo`` is the pair ``foo.I.mtx``, ``foo.J.mtx`` (``J`` stored as
the n×r matrix it is, not transposed); a chain is ``foo.W1.mtx`` … ``foo.WN.mtx``.
Each file is ``%%MatrixMarket matrix coordinate pattern general`` with 1-based
indices; ``integer`` and ``real`` fields are read too when every value is 1.  The
first file of the set (``I`` or ``W1``) carries the metadata as comments::

    %%MatrixMarket matrix coordinate pattern general
    %closure-check name: lu2
    %closure-check expect: not-closed
    2 2 3
    1 1
    2 1
    2 2

and, for a chain, ``%closure-check factors: N``.  Reading any member of a set (or
``foo.mtx``) reads the whole set.

Notes
-----
The entries are parsed in one vectorized pass (split the body, convert with NumPy,
check ranges and duplicates on arrays): about a second for 10^6 nonzeros.  Only when
that pass finds a problem is the body scanned line by line, to report the first bad
line; the scan is also the reference parser, so a file the fast pass is too strict
for is still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np

from closure_check.core.case import Case, Verdict
from closure_check.core.support import ChainSupport, SupportMatrix
from closure_check.io.common import (
    BLANK,
    CHAIN,
    TWO_FACTOR,
    VERDICTS,
    SizeTally,
    bad_dimension,
    bad_expect,
    csr_pattern,
    first_repeat,
    make_case,
    read_bytes,
    show,
)
from closure_check.io.errors import SupportFileError

__all__ = ["BANNER", "read_set", "write_set", "set_files"]

#: First line of every file written.
BANNER = "%%MatrixMarket matrix coordinate pattern general"

_MEMBER = re.compile(r"(.+)\.(I|J|W[1-9][0-9]{0,8})\.(?i:mtx)", re.DOTALL)
_META = re.compile(rb"%closure-check[ \t]+([A-Za-z]+)[ \t]*:(.*)", re.DOTALL)
_DIGITS = re.compile(rb"[0-9]{1,12}")
_INTEGER = re.compile(rb"[+-]?[0-9]{1,12}")
_REAL = re.compile(rb"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_FIELDS = (b"pattern", b"integer", b"real")
_SPACE_BYTES = b" \t\n\r\x0b\x0c"


def _lookup(allowed: bytes) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(allowed)] = True
    return table


_ALLOWED = {
    b"pattern": _lookup(b"0123456789" + _SPACE_BYTES),
    b"integer": _lookup(b"0123456789" + _SPACE_BYTES),
    b"real": _lookup(b"0123456789.eE+-" + _SPACE_BYTES),
}
_IS_DIGIT = _lookup(b"0123456789")
_LONG_NUMBER = re.compile(rb"[0-9]{13}")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "backslashreplace")


@dataclass
class _Member:
    """One parsed file of a set."""

    path: Path
    matrix: SupportMatrix
    size_line: int
    meta: dict[str, str]


def _split(path: Path) -> tuple[str, str | None]:
    """``(prefix, role)`` of a file name: ``foo.J.mtx`` → ``("foo", "J")``, ``foo.mtx`` → ``("foo", None)``."""
    match = _MEMBER.fullmatch(path.name)
    if match:
        return match.group(1), match.group(2)
    name = path.name
    return (name[:-4] if name.lower().endswith(".mtx") else name), None


def set_files(path: Path, labels: list[str]) -> list[Path]:
    """The files ``<prefix>.<label>.mtx`` of the set named by ``path``.

    ``path`` may be ``foo.mtx`` or any member such as ``foo.I.mtx``; the prefix is
    ``foo`` in both cases.
    """
    prefix, _ = _split(path)
    return [path.with_name(f"{prefix}.{label}.mtx") for label in labels]


class _Parser:
    """Parser of one Matrix Market file of a set."""

    def __init__(self, path: Path, data: bytes, meta_keys: tuple[str, ...], first: str, tally: SizeTally) -> None:
        self.path = path
        self.data = data
        self.meta_keys = meta_keys
        self.first = first
        self.tally = tally

    def fail(self, line: int, message: str) -> NoReturn:
        raise SupportFileError(self.path, line, message)

    def parse(self) -> _Member:
        data = self.data
        pos, number = 0, 0
        meta: dict[str, tuple[str, int]] = {}
        field_name = b""
        while True:
            if pos >= len(data):
                if number == 0:
                    self.fail(1, f"the file is empty (expected '{BANNER}')")
                self.fail(number, "no size line 'rows cols entries' after the header")
            end = data.find(b"\n", pos)
            end = len(data) if end < 0 else end
            raw, pos, number = data[pos:end].rstrip(b"\r"), end + 1, number + 1
            if number == 1:
                field_name = self.banner(raw)
                continue
            content = raw.strip()
            if content.startswith(b"%closure-check"):
                self.metadata(number, content, meta)
            elif content and not content.startswith(b"%"):
                break
        m, n, nnz = self.size(number, content)
        rows, cols = self.entries(data[pos:], number, m, n, nnz, field_name)
        matrix = csr_pattern(rows, cols, (m, n))
        return _Member(self.path, matrix, number, {key: value for key, (value, _) in meta.items()})

    def banner(self, raw: bytes) -> bytes:
        words = raw.lower().split()
        if not words or words[0] != b"%%matrixmarket":
            self.fail(1, f"not a Matrix Market file (the first line must be '{BANNER}')")
        if len(words) != 5 or words[1] != b"matrix":
            self.fail(1, f"bad Matrix Market banner (expected '{BANNER}')")
        if words[2] != b"coordinate":
            self.fail(1, f"only the coordinate format is supported, not {show(_text(words[2]))}")
        if words[3] not in _FIELDS:
            self.fail(1, f"field {show(_text(words[3]))} is not supported (pattern, or integer or real with all values 1)")
        if words[4] != b"general":
            self.fail(1, f"only general matrices are supported, not {show(_text(words[4]))}")
        return words[3]

    def metadata(self, number: int, content: bytes, meta: dict[str, tuple[str, int]]) -> None:
        if not self.meta_keys:
            self.fail(number, f"metadata belongs in the first file of the set ({self.first})")
        match = _META.fullmatch(content)
        if match is None:
            self.fail(number, "bad metadata line (expected '%closure-check key: value')")
        key = _text(match.group(1))
        try:
            value = match.group(2).decode("utf-8").strip(BLANK)
        except UnicodeDecodeError:
            self.fail(number, "invalid UTF-8 in metadata")
        if key not in self.meta_keys:
            self.fail(number, f"unknown metadata key {show(key)} (expected {', '.join(self.meta_keys)})")
        if key in meta:
            self.fail(number, f"duplicate metadata key {show(key)} (first on line {meta[key][1]})")
        if not value:
            self.fail(number, f"metadata key {show(key)} has no value")
        if key == "expect" and value not in VERDICTS:
            self.fail(number, bad_expect(value))
        if key == "factors" and not (re.fullmatch(r"[0-9]{1,9}", value) and int(value) >= 1):
            self.fail(number, f"factors must be a positive integer, not {show(value)}")
        meta[key] = (value, number)

    def size(self, number: int, content: bytes) -> tuple[int, int, int]:
        words = content.split()
        if len(words) != 3 or not all(re.fullmatch(rb"[0-9]+", word) for word in words):
            self.fail(number, f"bad size line {show(_text(content))} (expected 'rows cols entries')")
        if any(len(word) > 30 for word in words):
            self.fail(number, f"size line {show(_text(content))} has absurdly large numbers")
        m, n, nnz = (int(word) for word in words)
        for axis, size in (("rows", m), ("columns", n)):
            problem = bad_dimension(size)
            if problem:
                self.fail(number, f"number of {axis} {problem}")
        if nnz > m * n:
            self.fail(number, f"{nnz} entries cannot fit in a {m} x {n} matrix")
        too_large = self.tally.add(m, n, nnz)
        if too_large:
            self.fail(number, f"{m} x {n} with {nnz} entries: {too_large}")
        return m, n, nnz

    def entries(
        self, body: bytes, size_line: int, m: int, n: int, nnz: int, field_name: bytes
    ) -> tuple[np.ndarray, np.ndarray]:
        """0-based rows and columns of the entries: fast path, else the line scan."""
        width = 2 if field_name == b"pattern" else 3
        fast = None
        if b"%" not in body and _ALLOWED[field_name][np.frombuffer(body, dtype=np.uint8)].all():
            try:
                fast = self.convert(body, width, nnz, field_name)
            except (ValueError, OverflowError):
                fast = None
        if fast is not None:
            rows, cols, values_ok = fast
            if (
                values_ok
                and (nnz == 0 or (rows.min() >= 1 and rows.max() <= m and cols.min() >= 1 and cols.max() <= n))
                and first_repeat((rows - 1) * n + (cols - 1)) is None
            ):
                return rows - 1, cols - 1
        return self.scan(body, size_line, m, n, nnz, width, field_name)

    @staticmethod
    def convert(body: bytes, width: int, nnz: int, field_name: bytes) -> tuple[np.ndarray, np.ndarray, bool] | None:
        """The entries of a body of digits and blanks only (reals: also ``.eE+-``), or None.

        Integers are converted by NumPy straight from the bytes (8 bytes per number, no
        Python object per token); None when the body does not hold exactly
        ``width * nnz`` numbers of at most 12 digits, for the line scan to explain.
        """
        if field_name == b"real":
            tokens = body.split()
            if len(tokens) != width * nnz:
                return None
            rows = np.array(tokens[0::3], dtype=np.int64)
            cols = np.array(tokens[1::3], dtype=np.int64)
            values_ok = bool(np.all(np.array(tokens[2::3], dtype=np.float64) == 1.0))
            return rows, cols, values_ok
        if _LONG_NUMBER.search(body):
            return None
        digits = _IS_DIGIT[np.frombuffer(body, dtype=np.uint8)]
        count = int(digits[:1].sum()) + int(np.count_nonzero(digits[1:] & ~digits[:-1]))
        del digits
        if count != width * nnz:
            return None
        numbers = np.fromstring(body, dtype=np.int64, sep=" ") if count else np.zeros(0, dtype=np.int64)
        if numbers.size != count:
            return None
        table = numbers.reshape(-1, width)
        values_ok = width == 2 or bool(np.all(table[:, 2] == 1))
        return table[:, 0], table[:, 1], values_ok

    def scan(
        self, body: bytes, size_line: int, m: int, n: int, nnz: int, width: int, field_name: bytes
    ) -> tuple[np.ndarray, np.ndarray]:
        """Parse the entries line by line, failing at the first bad line."""
        seen: dict[tuple[int, int], int] = {}
        number = size_line
        for raw in body.split(b"\n"):
            number += 1
            content = raw.strip()
            if not content:
                continue
            if content.startswith(b"%"):
                if content.startswith(b"%closure-check"):
                    self.fail(number, "metadata must come before the size line")
                continue
            if len(seen) == nnz:
                self.fail(number, f"more entries than the {nnz} announced on line {size_line}")
            words = content.split()
            if len(words) != width:
                expected = "'row col'" if width == 2 else "'row col value'"
                self.fail(number, f"bad entry {show(_text(content))} (expected {expected})")
            i = self.index(number, words[0], m, "row")
            j = self.index(number, words[1], n, "column")
            if width == 3:
                self.value(number, words[2], field_name)
            if (i, j) in seen:
                self.fail(number, f"duplicate entry ({i}, {j}) (first on line {seen[(i, j)]})")
            seen[(i, j)] = number
        if len(seen) < nnz:
            last = max(1, self.data.count(b"\n") + (0 if self.data.endswith(b"\n") else 1))
            self.fail(last, f"only {len(seen)} entries, but line {size_line} announces {nnz}")
        coords = np.array(list(seen), dtype=np.int64).reshape(-1, 2) - 1
        return coords[:, 0], coords[:, 1]

    def index(self, number: int, word: bytes, limit: int, axis: str) -> int:
        if not _DIGITS.fullmatch(word):
            self.fail(number, f"bad {axis} index {show(_text(word))} (expected an integer in 1..{limit})")
        if not 1 <= int(word) <= limit:
            self.fail(number, f"{axis} index {int(word)} is not in 1..{limit}")
        return int(word)

    def value(self, number: int, word: bytes, field_name: bytes) -> None:
        pattern = _INTEGER if field_name == b"integer" else _REAL
        if not pattern.fullmatch(word) or float(word) != 1.0:
            self.fail(number, f"value {show(_text(word))} is not 1 (a support stores only ones)")


def _parse(path: Path, meta_keys: tuple[str, ...], first: Path, tally: SizeTally) -> _Member:
    try:
        data = read_bytes(path)
    except SupportFileError as err:
        if path == first:
            raise
        raise SupportFileError(path, None, f"{err.message} (the set of {first.name} needs it)") from None
    return _Parser(path, data, meta_keys, first.name, tally).parse()


def read_set(path: Path) -> Case:
    """Read the Matrix Market set that ``path`` belongs to.

    Parameters
    ----------
    path
        ``foo.I.mtx``, ``foo.J.mtx``, ``foo.Wk.mtx`` or ``foo.mtx``.  With ``foo.mtx``
        the set is ``foo.I.mtx`` + ``foo.J.mtx`` or ``foo.W1.mtx`` …, whichever exists.

    Returns
    -------
    Case
        Named ``foo`` when the first file gives no name.

    Raises
    ------
    SupportFileError
        Naming the member of the set that is wrong (or ``path`` when no set is found).
    """
    prefix, role = _split(path)
    i_file, j_file, w1_file = set_files(path, ["I", "J", "W1"])
    if role is None:
        two = i_file.exists() or j_file.exists()
        chain = w1_file.exists()
        if two and chain:
            raise SupportFileError(
                path, None, f"ambiguous: both {i_file.name} and {w1_file.name} exist; read one of them"
            )
        if not two and not chain:
            raise SupportFileError(
                path,
                None,
                f"no Matrix Market set: expected {i_file.name} and {j_file.name}, "
                f"or {w1_file.name}, {prefix}.W2.mtx, ...",
            )
        role = "I" if two else "W1"
    if role in ("I", "J"):
        tally = SizeTally()
        first = _parse(i_file, ("name", "expect", "source"), i_file, tally)
        members = [first, _parse(j_file, (), i_file, tally)]
        if members[1].matrix.shape[1] != first.matrix.shape[1]:
            raise SupportFileError(
                j_file,
                members[1].size_line,
                f"J has {members[1].matrix.shape[1]} columns but I has {first.matrix.shape[1]}",
            )
        convention = TWO_FACTOR
    else:
        tally = SizeTally()
        first = _parse(w1_file, ("name", "expect", "source", "factors"), w1_file, tally)
        position = int(role[1:])
        if "factors" in first.meta:
            count = int(first.meta["factors"])
            if position > count:
                raise SupportFileError(
                    path, None, f"not part of the set: {w1_file.name} declares {count} factors"
                )
        else:
            count = 1
            while set_files(path, [f"W{count + 1}"])[0].exists():
                count += 1
            count = max(count, position)
        members = [first]
        for label in range(2, count + 1):  # one at a time: "factors" may declare absurdly many
            member_path = set_files(path, [f"W{label}"])[0]
            member = _parse(member_path, (), w1_file, tally)
            previous = members[-1].matrix.shape[1]
            if member.matrix.shape[0] != previous:
                raise SupportFileError(
                    member_path,
                    member.size_line,
                    f"W{label} has {member.matrix.shape[0]} rows but W{label - 1} has {previous} columns",
                )
            members.append(member)
        convention = CHAIN
    meta = first.meta
    expect = VERDICTS[meta["expect"]] if "expect" in meta else None
    return make_case(
        first.path,
        first.size_line,
        convention,
        [member.matrix for member in members],
        meta.get("name") or prefix,
        expect,
        meta.get("source", ""),
        canonical=True,  # every member is built by csr_pattern
    )


def _format(matrix: SupportMatrix, comments: list[str]) -> str:
    coo = matrix.tocoo()
    lines = [BANNER, *comments, f"{matrix.shape[0]} {matrix.shape[1]} {matrix.nnz}"]
    lines.extend(map("{} {}".format, (coo.row.astype(np.int64) + 1).tolist(), (coo.col.astype(np.int64) + 1).tolist()))
    return "\n".join(lines) + "\n"


def write_set(case: Case, path: Path) -> list[Path]:
    """Write ``case`` as the Matrix Market set named by ``path``.

    Parameters
    ----------
    case
        The case; its metadata must fit on comment lines (checked by the caller).
    path
        ``foo.mtx`` or any member name such as ``foo.I.mtx``: the files written are
        ``foo.I.mtx`` and ``foo.J.mtx``, or ``foo.W1.mtx`` … ``foo.WN.mtx``.

    Returns
    -------
    list of Path
        The files written, first file (with the metadata) first.

    Notes
    -----
    Files of an earlier, different set with the same prefix are left alone; a chain
    records its length (``%closure-check factors: N``) so stale ``W`` files beyond
    it are never read.
    """
    support = case.support
    if isinstance(support, ChainSupport):
        labels = [f"W{k}" for k in range(1, support.length + 1)]
        matrices = list(support.factors)
    else:
        labels, matrices = ["I", "J"], [support.I, support.J]
    expect = "" if case.expect is None else str(Verdict(case.expect))
    comments = [
        f"%closure-check {key}: {value}"
        for key, value in (("name", case.name), ("expect", expect), ("source", case.source))
        if value
    ]
    if isinstance(support, ChainSupport):
        comments.append(f"%closure-check factors: {support.length}")
    paths = set_files(path, labels)
    for index, (target, matrix) in enumerate(zip(paths, matrices)):
        target.write_text(_format(matrix, comments if index == 0 else []), encoding="utf-8")
    return paths
