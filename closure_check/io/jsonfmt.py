"""The JSON format (``.json``), for programs that exchange cases.

>>> case = parse_json(b'''{"format": "closure-check-support", "version": 1,
...   "name": "lu2", "expect": "not-closed",
...   "I": {"shape": [2, 2], "rows": ["10", "11"]},
...   "J": {"shape": [2, 2], "nonzeros": [[0, 0], [1, 0], [1, 1]]}}''', Path("lu2.json"))
>>> case.support.J.toarray().tolist()
[[1, 0], [1, 1]]
>>> parse_json(format_json(case).encode(), Path("copy.json")) == case
True

A matrix is written dense (``"rows"``) when it has at most :data:`DENSE_LIMIT` entries,
else as its list of nonzeros (0-based ``[row, column]`` pairs).  Structural errors are
reported at the line of the offending key or array element, found by re-scanning the
document only when there is an error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, NoReturn, Sequence, Union

import numpy as np
import scipy.sparse as sp

from closure_check.core.case import Case, Verdict
from closure_check.core.support import ChainSupport, SupportMatrix
from closure_check.io.common import (
    CHAIN,
    TWO_FACTOR,
    VERDICTS,
    SizeTally,
    bad_dimension,
    bad_expect,
    csr_pattern,
    decode_utf8,
    first_repeat,
    make_case,
    show,
)
from closure_check.io.errors import SupportFileError

__all__ = ["FORMAT", "VERSION", "DENSE_LIMIT", "parse_json", "format_json"]

#: Value of the ``"format"`` key.
FORMAT = "closure-check-support"
#: The only version this module reads and writes.
VERSION = 1
#: Largest ``rows * cols`` written with ``"rows"`` rather than ``"nonzeros"``.
DENSE_LIMIT = 4096

_TOP_KEYS = ("format", "version", "name", "expect", "source", "I", "J", "factors")
_MATRIX_KEYS = ("shape", "rows", "nonzeros")
_BITS = re.compile(r"[01]*")
_SPACE = re.compile(r"[ \t\n\r]*")

Route = Sequence[Union[str, int]]


class _DuplicateKey(Exception):
    """Raised by the object hook: an object repeats ``key``."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _locate(text: str, route: Route) -> int:
    """Line of the last element of ``route`` that can be found in ``text`` (1 if none).

    ``route`` is a path of object keys and array indices from the top-level value; the
    document is known to be valid JSON.
    """
    decoder = json.JSONDecoder()
    pos = best = _SPACE.match(text).end()
    try:
        for step in route:
            if isinstance(step, str):
                if text[pos] != "{":
                    break
                pos = _SPACE.match(text, pos + 1).end()
                while text[pos] == '"':
                    key, end = decoder.raw_decode(text, pos)
                    start, pos = pos, _SPACE.match(text, _SPACE.match(text, end).end() + 1).end()
                    if key == step:
                        best = start
                        break
                    pos = _SPACE.match(text, decoder.raw_decode(text, pos)[1]).end()
                    if text[pos] == ",":
                        pos = _SPACE.match(text, pos + 1).end()
                else:
                    break
            else:
                if text[pos] != "[":
                    break
                pos = _SPACE.match(text, pos + 1).end()
                for _ in range(step):
                    pos = _SPACE.match(text, decoder.raw_decode(text, pos)[1]).end()
                    pos = _SPACE.match(text, pos + 1).end()
                best = pos
    except (IndexError, ValueError):
        pass
    return text.count("\n", 0, best) + 1


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_json(data: bytes, path: Path) -> Case:
    """Read a case in the JSON format.

    Parameters
    ----------
    data
        The file content (UTF-8).
    path
        The file, for messages; its stem is the name when the file gives none.

    Returns
    -------
    Case

    Raises
    ------
    SupportFileError
        At the line of a syntax error, or of the key or element that is wrong.
    """
    text = decode_utf8(data, path)
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as err:
        raise SupportFileError(path, err.lineno, f"invalid JSON: {err.msg}") from None
    except _DuplicateKey as err:
        occurrences = [m.start() for m in re.finditer(re.escape(json.dumps(err.key)) + r"\s*:", text)]
        line = text.count("\n", 0, occurrences[1]) + 1 if len(occurrences) > 1 else 1
        raise SupportFileError(path, line, f"duplicate key {show(err.key)}") from None
    except RecursionError:
        raise SupportFileError(path, 1, "invalid JSON: nested too deeply") from None
    except ValueError as err:
        raise SupportFileError(path, 1, f"invalid JSON: {err}") from None

    def fail(route: Route, message: str) -> NoReturn:
        raise SupportFileError(path, _locate(text, route), message)

    return _case(doc, path, fail)


def _case(doc: object, path: Path, fail: Callable[[Route, str], NoReturn]) -> Case:
    if not isinstance(doc, dict):
        fail((), f'expected a JSON object with "format": "{FORMAT}"')
    for key in doc:
        if key not in _TOP_KEYS:
            fail((key,), f"unknown key {show(key)} (expected {', '.join(_TOP_KEYS)})")
    if doc.get("format") != FORMAT:
        fail(("format",), f'"format" must be "{FORMAT}"')
    if "version" not in doc:
        fail((), '"version" is missing')
    if not _is_int(doc["version"]) or doc["version"] != VERSION:
        fail(("version",), f"unsupported version {show(str(doc['version']))} (this reader knows version {VERSION})")
    for key in ("name", "source"):
        if doc.get(key) is not None and not isinstance(doc[key], str):
            fail((key,), f'"{key}" must be a string')
    expect = doc.get("expect")
    if expect is not None and (not isinstance(expect, str) or expect not in VERDICTS):
        fail(("expect",), bad_expect(str(expect)))
    if "factors" in doc:
        if "I" in doc or "J" in doc:
            fail(("factors",), 'give either "I" and "J" or "factors", not both')
        factors = doc["factors"]
        if not isinstance(factors, list) or not factors:
            fail(("factors",), '"factors" must be a non-empty list of matrices')
        routes: list[Route] = [("factors", k) for k in range(len(factors))]
        labels = [f"W{k + 1} (factors[{k}])" for k in range(len(factors))]
        tally = SizeTally()
        matrices = [_matrix(f, route, label, fail, tally) for f, route, label in zip(factors, routes, labels)]
        for k in range(1, len(matrices)):
            rows, columns = matrices[k].shape[0], matrices[k - 1].shape[1]
            if rows != columns:
                fail((*routes[k], "shape"), f"W{k + 1} has {rows} rows but W{k} has {columns} columns")
        convention = CHAIN
    else:
        for key in ("I", "J"):
            if key not in doc:
                fail((), f'"{key}" is missing (give "I" and "J", or "factors")')
        tally = SizeTally()
        matrices = [_matrix(doc[key], (key,), key, fail, tally) for key in ("I", "J")]
        if matrices[0].shape[1] != matrices[1].shape[1]:
            fail(("J", "shape"), f"J has {matrices[1].shape[1]} columns but I has {matrices[0].shape[1]}")
        convention = TWO_FACTOR
    return make_case(
        path,
        1,
        convention,
        matrices,
        doc.get("name") or "",
        None if expect is None else VERDICTS[expect],
        doc.get("source") or "",
    )


def _matrix(
    value: object, route: Route, label: str, fail: Callable[[Route, str], NoReturn], tally: SizeTally
) -> SupportMatrix:
    if not isinstance(value, dict):
        fail(route, f'{label}: expected an object {{"shape": [rows, cols], "rows" or "nonzeros": [...]}}')
    for key in value:
        if key not in _MATRIX_KEYS:
            fail((*route, key), f"{label}: unknown key {show(key)} (expected shape, rows or nonzeros)")
    shape = value.get("shape")
    if not isinstance(shape, list) or len(shape) != 2:
        fail((*route, "shape") if "shape" in value else route, f'{label}: "shape" must be [rows, cols]')
    for axis, size in zip(("rows", "columns"), shape):
        problem = bad_dimension(size)
        if problem:
            fail((*route, "shape"), f"{label}: number of {axis} {problem}")
    m, n = shape
    too_large = tally.add(m, n)
    if too_large:
        fail((*route, "shape"), f"{label} is {m} x {n}: {too_large}")
    if ("rows" in value) == ("nonzeros" in value):
        fail(route, f'{label}: give exactly one of "rows" and "nonzeros"')
    if "rows" in value:
        rows = value["rows"]
        if not isinstance(rows, list) or len(rows) != m:
            fail((*route, "rows"), f'{label}: "rows" must be a list of {m} strings (shape {m} x {n})')
        for i, row in enumerate(rows):
            if not isinstance(row, str) or not _BITS.fullmatch(row) or len(row) != n:
                fail((*route, "rows", i), f"{label}: rows[{i}] must be a string of {n} characters 0 or 1")
        bits = np.frombuffer("".join(rows).encode("ascii"), dtype=np.uint8)
        return sp.csr_array((bits - ord("0")).astype(np.int8).reshape(m, n))
    pairs = value["nonzeros"]
    if not isinstance(pairs, list):
        fail((*route, "nonzeros"), f'{label}: "nonzeros" must be a list of [row, col] pairs')
    for k, pair in enumerate(pairs):
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and _is_int(pair[0])
            and _is_int(pair[1])
            and 0 <= pair[0] < m
            and 0 <= pair[1] < n
        ):
            fail(
                (*route, "nonzeros", k),
                f"{label}: nonzeros[{k}] must be a pair [row, col] of 0-based indices within shape {m} x {n}",
            )
    coords = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    linear = coords[:, 0] * n + coords[:, 1]
    repeated = first_repeat(linear)
    if repeated is not None:
        fail((*route, "nonzeros", repeated), f"{label}: nonzeros[{repeated}] repeats {pairs[repeated]}")
    return csr_pattern(coords[:, 0], coords[:, 1], (m, n))


def _matrix_json(matrix: SupportMatrix, indent: str) -> str:
    m, n = matrix.shape
    inner = indent + "  "
    if m * n <= DENSE_LIMIT:
        dense = (matrix.toarray() + ord("0")).astype(np.uint8)
        items = [json.dumps(row.tobytes().decode("ascii")) for row in dense]
        key = "rows"
    else:
        coo = matrix.tocoo()
        items = [f"[{i}, {j}]" for i, j in zip(coo.row.tolist(), coo.col.tolist())]
        key = "nonzeros"
    if not items:
        return f'{{"shape": [{m}, {n}], "{key}": []}}'
    body = (",\n" + inner).join(items)
    return f'{{"shape": [{m}, {n}], "{key}": [\n{inner}{body}\n{indent}]}}'


def json_size(case: Case) -> int:
    """An upper bound on the bytes :func:`format_json` writes for ``case``, computed without writing."""
    support = case.support
    matrices = support.factors if isinstance(support, ChainSupport) else (support.I, support.J)
    size = 200 + sum(6 * len(value) for value in (case.name, case.source))
    for matrix in matrices:
        m, n = matrix.shape
        size += 60 + len(str(m)) + len(str(n))
        if m * n <= DENSE_LIMIT:
            size += m * (n + 12)
        else:
            size += matrix.nnz * (len(str(m)) + len(str(n)) + 14)
    return size


def format_json(case: Case) -> str:
    """Render ``case`` in the JSON format (one matrix row or nonzero per line).

    ``name`` and ``expect`` are always written (``expect`` is ``null`` when unset),
    ``source`` only when set.
    """
    fields = [
        f'"format": "{FORMAT}"',
        f'"version": {VERSION}',
        f'"name": {json.dumps(case.name, ensure_ascii=False)}',
        f'"expect": {json.dumps(None if case.expect is None else str(Verdict(case.expect)))}',
    ]
    if case.source:
        fields.append(f'"source": {json.dumps(case.source, ensure_ascii=False)}')
    support = case.support
    if isinstance(support, ChainSupport):
        factors = ",\n    ".join(_matrix_json(f, "    ") for f in support.factors)
        fields.append(f'"factors": [\n    {factors}\n  ]')
    else:
        fields.append(f'"I": {_matrix_json(support.I, "  ")}')
        fields.append(f'"J": {_matrix_json(support.J, "  ")}')
    return "{\n  " + ",\n  ".join(fields) + "\n}\n"
