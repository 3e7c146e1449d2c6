"""The hand-written text format (``.txt`` or any suffix not claimed by another format).

>>> case = parse_text(b"name: lu2\\nI:\\n1 0\\n1 1\\nJ:\\n10\\n11\\n", Path("lu2.txt"))
>>> case.name, case.support.I.toarray().tolist()
('lu2', [[1, 0], [1, 1]])
>>> print(format_text(case), end="")
name: lu2
I:
10
11
J:
10
11

The grammar, with comments (``#`` to the end of the line) and blank lines removed
first (``docs/formats.md`` has the full description)::

    file     = { header } ( two      | chain )
    header   = ( "name" | "expect" | "source" ) ":" value
    two      = "I:" rows "J:" rows
    chain    = "W1:" rows { "W2:" rows ... }
    rows     = row { row }
    row      = bit { blank bit }  |  bit { bit }
    bit      = "0" | "1"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from closure_check.core.case import Case, Verdict
from closure_check.core.support import ChainSupport, SupportMatrix
from closure_check.io.common import (
    BLANK,
    CHAIN,
    TWO_FACTOR,
    VERDICTS,
    SizeTally,
    bad_expect,
    decode_utf8,
    make_case,
    show,
)
from closure_check.io.errors import SupportFileError

__all__ = ["BITS", "BLANKS", "KEY", "bit_matrix", "content_lines", "format_text", "parse_text"]

# The lexical layer, shared with the ReLU specification format (closure_check.networks.spec).
KEY = re.compile(r"([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(.*)", re.DOTALL)
"""``key: value``: a header line or a section label."""
BITS = re.compile(r"[01]+")
BLANKS = re.compile(f"[{re.escape(BLANK)}]+")

_CHAIN_SECTION = re.compile(r"W([0-9]+)")
_META_KEYS = ("name", "expect", "source")
_SECTIONS_HINT = "I: and J:, or W1:, W2:, ..."


def content_lines(text: str) -> tuple[list[tuple[int, str]], int]:
    """The lines of ``text`` with content once the comment (``#`` on) and blanks are removed.

    Returns ``(number, content)`` for each, numbered from 1, and the number of the last
    line (at least 1; a final line break does not start a line).
    """
    lines = text.split("\n")
    if lines[-1] == "" and len(lines) > 1:
        lines.pop()
    stripped = ((number, raw.split("#", 1)[0].strip(BLANK)) for number, raw in enumerate(lines, start=1))
    return [(number, content) for number, content in stripped if content], max(1, len(lines))


def bit_matrix(rows: list[str]) -> np.ndarray:
    """The dense ``int8`` 0/1 matrix whose rows are the ``'0'``/``'1'`` strings ``rows`` (equal lengths)."""
    bits = np.frombuffer("".join(rows).encode("ascii"), dtype=np.uint8)
    return (bits - ord("0")).astype(np.int8).reshape(len(rows), len(rows[0]))


@dataclass
class _Section:
    """A matrix section being read: its label, header line and rows (as '0'/'1' strings)."""

    label: str
    line: int
    rows: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.rows[0])

    def matrix(self) -> SupportMatrix:
        return sp.csr_array(bit_matrix(self.rows))


class _TextParser:
    """State of one pass over the lines of a text file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta: dict[str, tuple[str, int]] = {}
        self.sections: list[_Section] = []
        self.convention: str | None = None

    def fail(self, line: int, message: str) -> SupportFileError:
        return SupportFileError(self.path, line, message)

    def parse(self, text: str) -> Case:
        lines, last = content_lines(text)
        for number, content in lines:
            self.line(number, content)
        if self.sections:
            self.finish(self.sections[-1])
        if not self.sections:
            if not text.strip(BLANK + "\n"):
                raise self.fail(1, f"the file is empty (expected {_SECTIONS_HINT})")
            raise self.fail(last, f"no matrix section (expected {_SECTIONS_HINT})")
        if self.convention == TWO_FACTOR and len(self.sections) == 1:
            raise self.fail(last, "missing section J: (a two-factor support needs I: and J:)")
        tally = SizeTally()
        for section in self.sections:
            too_large = tally.add(len(section.rows), section.width)
            if too_large:
                raise self.fail(section.line, f"{section.label} is {len(section.rows)} x {section.width}: {too_large}")
        expect_text, _ = self.meta.get("expect", ("", 0))
        return make_case(
            self.path,
            self.sections[0].line,
            self.convention or CHAIN,
            [section.matrix() for section in self.sections],
            self.meta.get("name", ("", 0))[0],
            VERDICTS[expect_text] if expect_text else None,
            self.meta.get("source", ("", 0))[0],
        )

    def line(self, number: int, content: str) -> None:
        if self.sections and BITS.fullmatch(content):  # the common case: a row written together
            section = self.sections[-1]
            if section.rows and len(content) != section.width:
                raise self.fail(
                    number,
                    f"row of {section.label} has {len(content)} entries but its first row has {section.width}",
                )
            section.rows.append(content)
            return
        match = KEY.fullmatch(content)
        if match is None:
            self.row(number, content)
            return
        key, value = match.group(1), match.group(2).strip(BLANK)
        if key in ("I", "J") or _CHAIN_SECTION.fullmatch(key):
            if value:
                raise self.fail(number, f"unexpected text {show(value)} after '{key}:' (rows start on the next line)")
            self.section(number, key)
        elif key in _META_KEYS:
            self.header(number, key, value)
        else:
            raise self.fail(
                number,
                f"unknown key {show(key)} (expected name, expect, source, or a section I:, J:, W1:, W2:, ...)",
            )

    def header(self, number: int, key: str, value: str) -> None:
        if self.sections:
            raise self.fail(number, f"'{key}:' must come before the first matrix section")
        if key in self.meta:
            raise self.fail(number, f"duplicate key {show(key)} (first on line {self.meta[key][1]})")
        if not value:
            raise self.fail(number, f"key {show(key)} has no value")
        if key == "expect" and value not in VERDICTS:
            raise self.fail(number, bad_expect(value))
        self.meta[key] = (value, number)

    def section(self, number: int, label: str) -> None:
        if self.sections:
            self.finish(self.sections[-1])
        seen = {section.label: section.line for section in self.sections}
        convention = TWO_FACTOR if label in ("I", "J") else CHAIN
        if self.convention is not None and convention != self.convention:
            first = self.sections[0]
            raise self.fail(
                number,
                f"{label}: cannot be mixed with {first.label}: (line {first.line}): "
                "use either I:/J: (two-factor) or W1:, W2:, ... (chain)",
            )
        if label in seen:
            raise self.fail(number, f"duplicate section {label}: (first on line {seen[label]})")
        if label == "J" and "I" not in seen:
            raise self.fail(number, "J: before I: (the two-factor sections are I: then J:)")
        if convention == CHAIN:
            expected = len(self.sections) + 1
            digits = label[1:]
            if len(digits) > 9 or int(digits) != expected:
                raise self.fail(number, f"section {label}: out of order: expected W{expected}:")
            label = f"W{expected}"
        self.convention = convention
        self.sections.append(_Section(label, number))

    def finish(self, section: _Section) -> None:
        if not section.rows:
            raise self.fail(section.line, f"section {section.label}: has no rows")
        if section.label == "J":
            columns = self.sections[0].width
            if section.width != columns:
                raise self.fail(section.line, f"J has {section.width} columns but I has {columns}")
        elif section.label != "I" and section.label != "W1":
            previous = self.sections[-2]
            if len(section.rows) != previous.width:
                raise self.fail(
                    section.line,
                    f"{section.label} has {len(section.rows)} rows but {previous.label} "
                    f"has {previous.width} columns",
                )

    def row(self, number: int, content: str) -> None:
        tokens = BLANKS.split(content)
        if not self.sections:
            if all(BITS.fullmatch(token) for token in tokens):
                raise self.fail(number, "row before any matrix section (start one with I: or W1:)")
            raise self.fail(
                number, f"unexpected text {show(content)} (expected 'key: value' or a section header such as I:)"
            )
        for token in tokens:
            if not BITS.fullmatch(token):
                if len(tokens) == 1 and len(token) > 1:
                    bad = next(ch for ch in token if ch not in "01")
                    raise self.fail(number, f"bad character {show(bad)} in row {show(token)} (entries are 0 or 1)")
                raise self.fail(number, f"bad entry {show(token)} (entries are 0 or 1)")
        if len(tokens) > 1 and any(len(token) > 1 for token in tokens):
            raise self.fail(
                number,
                f"mixed row spellings in {show(content)}: separate every entry by a space "
                "('1 0 1') or none ('101')",
            )
        bits = "".join(tokens)
        section = self.sections[-1]
        if section.rows and len(bits) != section.width:
            raise self.fail(
                number,
                f"row of {section.label} has {len(bits)} entries but its first row has {section.width}",
            )
        section.rows.append(bits)


def parse_text(data: bytes, path: Path) -> Case:
    """Read a case in the text format.

    Parameters
    ----------
    data
        The file content.
    path
        The file, for messages; its stem is the name when the file gives none.

    Returns
    -------
    Case

    Raises
    ------
    SupportFileError
        With the line of the first problem (see ``docs/formats.md`` for the rules).
    """
    return _TextParser(path).parse(decode_utf8(data, path))


def _rows(matrix: SupportMatrix) -> list[str]:
    rows = []
    for i in range(matrix.shape[0]):
        bits = np.full(matrix.shape[1], ord("0"), dtype=np.uint8)
        bits[matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]] = ord("1")
        rows.append(bits.tobytes().decode("ascii"))
    return rows


def text_size(case: Case) -> int:
    """An upper bound on the bytes :func:`format_text` writes for ``case``, computed without writing.

    The rows are written in full, ``rows × (cols + 1)`` bytes per matrix, so a large
    sparse support is far larger as text than as ``.npz`` or ``.mtx``.
    """
    support = case.support
    matrices = support.factors if isinstance(support, ChainSupport) else (support.I, support.J)
    size = sum(len(str(k)) + 3 + m * (n + 1) for k, (m, n) in enumerate((f.shape for f in matrices), start=1))
    return size + sum(len(key) + 3 + 4 * len(value) for key, value in _metadata(case))


def format_text(case: Case) -> str:
    """Render ``case`` in the text format, rows written together (``101``).

    The ``name``, ``expect`` and ``source`` lines appear only when set.  The caller
    checks first that the metadata can be written
    (:func:`~closure_check.io.common.check_writable_metadata`).
    """
    lines = [f"{key}: {value}" for key, value in _metadata(case) if value]
    support = case.support
    if isinstance(support, ChainSupport):
        sections = [(f"W{k}", factor) for k, factor in enumerate(support.factors, start=1)]
    else:
        sections = [("I", support.I), ("J", support.J)]
    for label, matrix in sections:
        lines.append(f"{label}:")
        lines.extend(_rows(matrix))
    return "\n".join(lines) + "\n"


def _metadata(case: Case) -> list[tuple[str, str]]:
    expect = "" if case.expect is None else str(Verdict(case.expect))
    return [("name", case.name), ("expect", expect), ("source", case.source)]
