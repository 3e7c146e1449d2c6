"""Tests of :mod:`closure_check.io`: the four formats, round trips, exact error messages."""

from __future__ import annotations

import io
import json
import os
import pickle
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from closure_check.core.case import Case, Verdict
from closure_check.core.support import MAX_DIMENSIONS, ChainSupport, TwoFactorSupport
from closure_check.io import (
    FORMATS,
    SupportFileError,
    format_for,
    read_case,
    read_stream_case,
    write_case,
)
from closure_check.io.common import MAX_JSON_BYTES, MAX_TEXT_BYTES

EXAMPLE = """\
# comments start with '#'
name: lu2
expect: not-closed          # closed | not-closed | unknown (optional)
source: seed talk; SIMAX 2023   (optional, free text)
I:
1 0
1 1
J:
1 0
1 1
"""

LU = [[1, 0], [1, 1]]


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(SupportFileError) as info:
        read_case(path)
    return str(info.value)


# --- the text format ---------------------------------------------------------------


def test_example_parses(tmp_path: Path) -> None:
    case = read_case(write(tmp_path / "lu2.txt", EXAMPLE))
    assert case.support == TwoFactorSupport.from_dense(LU, LU)
    assert case.support.I.toarray().tolist() == LU and case.support.J.toarray().tolist() == LU
    assert case.name == "lu2"
    assert case.expect is Verdict.NOT_CLOSED
    assert case.source == "seed talk; SIMAX 2023   (optional, free text)"


def test_row_spellings_agree(tmp_path: Path) -> None:
    spaced = read_case(write(tmp_path / "a.txt", "I:\n1 0 1\n0\t1 1\nJ:\n1 1 0\n"))
    together = read_case(write(tmp_path / "b.txt", "I:\n101\n011\nJ:\n110\n"))
    assert spaced.support == together.support
    assert spaced.support.I.toarray().tolist() == [[1, 0, 1], [0, 1, 1]]


def test_comments_blank_lines_and_crlf(tmp_path: Path) -> None:
    text = "\r\n# header\r\nI:   # first factor\r\n\r\n10  # row\r\n11\r\nJ:\r\n10\r\n11"
    case = read_case(write(tmp_path / "crlf.txt", text))
    assert case.support == TwoFactorSupport.from_dense(LU, LU)
    assert case.name == "crlf" and case.expect is None and case.source == ""


def test_chain_file(tmp_path: Path) -> None:
    text = "name: chain3\nexpect: closed\nW1:\n1 1\nW2:\n10\n01\nW3:\n111\n011\n"
    case = read_case(write(tmp_path / "c.case", text))
    assert isinstance(case.support, ChainSupport)
    assert case.support.dims == (1, 2, 2, 3)
    assert case.support.factors[2].toarray().tolist() == [[1, 1, 1], [0, 1, 1]]
    assert case.expect is Verdict.CLOSED


def test_writer_output_is_the_documented_format(tmp_path: Path) -> None:
    case = Case(TwoFactorSupport.from_dense([[1, 0, 1]], [[0, 0, 1], [1, 1, 0]]), "t", Verdict.UNKNOWN)
    [path] = write_case(case, tmp_path / "t.txt")
    assert path.read_text() == "name: t\nexpect: unknown\nI:\n101\nJ:\n001\n110\n"
    assert read_case(path) == case


def test_format_for() -> None:
    assert [format_for(p) for p in ("a.json", "a.NPZ", "a.W2.mtx", "a.txt", "a", "a.case")] == [
        "json", "npz", "mtx", "text", "text", "text",
    ]


# --- round trips -------------------------------------------------------------------


def random_pattern(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """A random 0/1 matrix with an empty row and an empty column when it has two of each."""
    dense = (rng.random((rows, cols)) < 0.5).astype(np.int8)
    if rows > 1 and cols > 1:
        dense[rng.integers(rows), :] = 0
        dense[:, rng.integers(cols)] = 0
    return dense


def random_case(seed: int) -> Case:
    rng = np.random.default_rng(seed)
    if seed % 2:
        dims = rng.integers(1, 6, size=rng.integers(2, 5))
        support: TwoFactorSupport | ChainSupport = ChainSupport.from_dense(
            [random_pattern(rng, dims[k], dims[k + 1]) for k in range(len(dims) - 1)]
        )
    else:
        m, n, r = (int(v) for v in rng.integers(1, 7, size=3))
        support = TwoFactorSupport.from_dense(random_pattern(rng, m, r), random_pattern(rng, n, r))
    expect = [None, *Verdict][seed % 4]
    return Case(support, f"case-{seed} ünï", expect, f"seed {seed}; a: b (c)" if seed % 3 else "")


@pytest.mark.parametrize("suffix", [".txt", ".json", ".npz", ".mtx"])
@pytest.mark.parametrize("seed", range(8))
def test_round_trip(tmp_path: Path, suffix: str, seed: int) -> None:
    case = random_case(seed)
    paths = write_case(case, tmp_path / f"case{suffix}")
    assert all(p.exists() for p in paths)
    for path in paths:
        assert read_case(path) == case


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_with_explicit_format(tmp_path: Path, fmt: str) -> None:
    case = random_case(3)
    paths = write_case(case, tmp_path / "data.bin", fmt=fmt)
    assert read_case(paths[0], fmt=fmt) == case


def test_empty_name_reads_back_as_stem(tmp_path: Path) -> None:
    case = Case(TwoFactorSupport.from_dense(LU, LU))
    for suffix in (".txt", ".json", ".npz", ".mtx"):
        read = read_case(write_case(case, tmp_path / f"lu{suffix}")[0])
        assert read == Case(case.support, "lu")


def test_json_uses_nonzeros_above_4096_entries(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    case = Case(TwoFactorSupport.from_dense(random_pattern(rng, 100, 50), random_pattern(rng, 30, 50)), "big")
    [path] = write_case(case, tmp_path / "big.json")
    text = path.read_text()
    assert '"I": {"shape": [100, 50], "nonzeros": [' in text
    assert '"J": {"shape": [30, 50], "rows": [' in text
    assert read_case(path) == case


def test_json_zero_matrix_and_nulls(tmp_path: Path) -> None:
    text = (
        '{"format": "closure-check-support", "version": 1, "name": null, "expect": null,\n'
        ' "factors": [{"shape": [2, 3], "nonzeros": []}, {"shape": [3, 1], "rows": ["1", "0", "1"]}]}'
    )
    case = read_case(write(tmp_path / "z.json", text))
    assert case.name == "z" and case.expect is None
    assert case.support.dims == (2, 3, 1) and case.support.factors[0].nnz == 0


def test_matrix_market_files(tmp_path: Path) -> None:
    case = Case(ChainSupport.from_dense([[[1, 1]], [[1, 0], [0, 1]], [[1], [1]]]), "w", Verdict.CLOSED, "s")
    paths = write_case(case, tmp_path / "w.W2.mtx")
    assert [p.name for p in paths] == ["w.W1.mtx", "w.W2.mtx", "w.W3.mtx"]
    assert paths[0].read_text() == (
        "%%MatrixMarket matrix coordinate pattern general\n"
        "%closure-check name: w\n%closure-check expect: closed\n%closure-check source: s\n"
        "%closure-check factors: 3\n1 2 2\n1 1\n1 2\n"
    )
    assert paths[1].read_text() == "%%MatrixMarket matrix coordinate pattern general\n2 2 2\n1 1\n2 2\n"
    for name in ("w.mtx", "w.W1.mtx", "w.W3.mtx"):
        assert read_case(tmp_path / name) == case
    # a stale longer chain with the same prefix is not read: W1 records the length
    write(tmp_path / "w.W4.mtx", "%%MatrixMarket matrix coordinate pattern general\n1 1 1\n1 1\n")
    assert read_case(tmp_path / "w.mtx") == case


def test_matrix_market_integer_real_and_comments(tmp_path: Path) -> None:
    write(tmp_path / "v.I.mtx", "%%MatrixMarket Matrix Coordinate Integer General\n% any comment\n\n2 2 3\n1 1 1\n2 1 +1\n2 2 1\n")
    write(tmp_path / "v.J.mtx", "%%MatrixMarket matrix coordinate real general\r\n2 2 3\r\n1 1 1.0\r\n2 1 1e0\r\n% c\r\n2 2 1.\r\n")
    case = read_case(tmp_path / "v.J.mtx")
    assert case == Case(TwoFactorSupport.from_dense(LU, LU), "v")


def test_matrix_market_without_metadata_finds_consecutive_factors(tmp_path: Path) -> None:
    banner = "%%MatrixMarket matrix coordinate pattern general\n"
    write(tmp_path / "x.W1.mtx", banner + "1 2 1\n1 2\n")
    write(tmp_path / "x.W2.mtx", banner + "2 1 1\n2 1\n")
    case = read_case(tmp_path / "x.W2.mtx")
    assert case == Case(ChainSupport.from_dense([[[0, 1]], [[0], [1]]]), "x")


# --- errors ------------------------------------------------------------------------

BANNER = "%%MatrixMarket matrix coordinate pattern general\n"

# (file name, content, expected message with {p} standing for the path)
TEXT_ERRORS = [
    ("tok.txt", "I:\n1 0\n1 2\nJ:\n1 0\n", "{p}:3: bad entry '2' (entries are 0 or 1)"),
    ("char.txt", "I:\n10\n1x\nJ:\n10\n", "{p}:3: bad character 'x' in row '1x' (entries are 0 or 1)"),
    ("ragged.txt", "I:\n1 0\n1 1 0\nJ:\n1 0\n", "{p}:3: row of I has 3 entries but its first row has 2"),
    ("noj.txt", "name: x\nI:\n1 0\n\n# end\n", "{p}:5: missing section J: (a two-factor support needs I: and J:)"),
    ("key.txt", "nmae: x\nI:\n1\nJ:\n1\n",
     "{p}:1: unknown key 'nmae' (expected name, expect, source, or a section I:, J:, W1:, W2:, ...)"),
    ("exp.txt", "expect: maybe\nI:\n1\nJ:\n1\n",
     "{p}:1: bad expect value 'maybe' (expected closed, not-closed or unknown)"),
    ("cols.txt", "I:\n10\n11\nJ:\n101\n", "{p}:4: J has 3 columns but I has 2"),
    ("inner.txt", "W1:\n10\n01\nW2:\n1\n1\n1\n", "{p}:4: W2 has 3 rows but W1 has 2 columns"),
    ("w2.txt", "# chain\nW2:\n1\nW1:\n1\n", "{p}:2: section W2: out of order: expected W1:"),
    ("utf.txt", b"name: a\nsource: caf\xe9\nI:\n1\n", "{p}:2: invalid UTF-8 (byte 0xe9)"),
    ("empty.txt", "", "{p}:1: the file is empty (expected I: and J:, or W1:, W2:, ...)"),
    ("blank.txt", "# nothing\n\n", "{p}:2: no matrix section (expected I: and J:, or W1:, W2:, ...)"),
    ("dup.txt", "name: a\nexpect: closed\nname: b\nI:\n1\nJ:\n1\n", "{p}:3: duplicate key 'name' (first on line 1)"),
    ("mixed.txt", "I:\n1\nJ:\n1\nW1:\n1\n",
     "{p}:5: W1: cannot be mixed with I: (line 1): use either I:/J: (two-factor) or W1:, W2:, ... (chain)"),
    ("spell.txt", "I:\n10 1\n",
     "{p}:2: mixed row spellings in '10 1': separate every entry by a space ('1 0 1') or none ('101')"),
    ("late.txt", "I:\n1\nname: x\nJ:\n1\n", "{p}:3: 'name:' must come before the first matrix section"),
    ("nosec.txt", "I:\nJ:\n1\n", "{p}:1: section I: has no rows"),
    ("trail.txt", "I: 1 0\n", "{p}:1: unexpected text '1 0' after 'I:' (rows start on the next line)"),
    ("row.txt", "1 0\n", "{p}:1: row before any matrix section (start one with I: or W1:)"),
    ("junk.txt", "hello\n", "{p}:1: unexpected text 'hello' (expected 'key: value' or a section header such as I:)"),
    ("jfirst.txt", "J:\n1\n", "{p}:1: J: before I: (the two-factor sections are I: then J:)"),
    ("twice.txt", "I:\n1\nJ:\n1\nI:\n1\n", "{p}:5: duplicate section I: (first on line 1)"),
    ("skip.txt", "W1:\n1\nW3:\n1\n", "{p}:3: section W3: out of order: expected W2:"),
    ("noval.txt", "source:   # nothing\nI:\n1\nJ:\n1\n", "{p}:1: key 'source' has no value"),
]

JSON_HEAD = '{"format": "closure-check-support", "version": 1,\n'
JSON_ERRORS = [
    ("syntax.json", '{\n "format": "closure-check-support",\n "version": 1\n "I": 3}',
     "{p}:4: invalid JSON: Expecting ',' delimiter"),
    ("list.json", "[1, 2]", '{p}:1: expected a JSON object with "format": "closure-check-support"'),
    ("key.json", JSON_HEAD + '"nmae": "x"}',
     "{p}:2: unknown key 'nmae' (expected format, version, name, expect, source, I, J, factors)"),
    ("ver.json", '{"format": "closure-check-support",\n"version": 2}',
     "{p}:2: unsupported version '2' (this reader knows version 1)"),
    ("huge.json", JSON_HEAD + '"I": {"shape": [2, 1],\n "rows": ["1", "1"]},\n"J": {\n"shape": [1e400, 1], "rows": []}}',
     "{p}:5: J: number of rows 'inf' is not an integer"),
    ("big.json", JSON_HEAD + '"I": {"shape": [99999999999999999999, 1], "rows": []},\n"J": {"shape": [1, 1], "rows": ["1"]}}',
     "{p}:2: I: number of rows 99999999999999999999 is too large (at most 10000000 rows and columns in all)"),
    ("row.json", JSON_HEAD + '"I": {"shape": [2, 2], "rows": [\n"10",\n"1x"]},\n"J": {"shape": [1, 2], "rows": ["11"]}}',
     "{p}:4: I: rows[1] must be a string of 2 characters 0 or 1"),
    ("dupnz.json", JSON_HEAD + '"I": {"shape": [2, 2], "nonzeros": [\n[0, 0],\n[1, 1],\n[0, 0]]},\n"J": {"shape": [1, 2], "rows": ["11"]}}',
     "{p}:5: I: nonzeros[2] repeats [0, 0]"),
    ("cols.json", JSON_HEAD + '"I": {"shape": [2, 2], "nonzeros": []},\n"J": {"shape": [1, 3],\n "rows": ["111"]}}',
     "{p}:3: J has 3 columns but I has 2"),
    ("inner.json", JSON_HEAD + '"factors": [\n{"shape": [2, 2], "nonzeros": []},\n{"shape": [3, 3], "nonzeros": []}]}',
     "{p}:4: W2 has 3 rows but W1 has 2 columns"),
    ("dupkey.json", JSON_HEAD + '"version": 1}', "{p}:2: duplicate key 'version'"),
    ("both.json", JSON_HEAD + '"I": {"shape": [1, 1], "rows": ["1"]},\n"factors": []}',
     '{p}:3: give either "I" and "J" or "factors", not both'),
    ("utf.json", b'{"name": "\xff"}', "{p}:1: invalid UTF-8 (byte 0xff)"),
]

MTX_ERRORS = [
    # (files to create, file to read, expected)
    ({"a.I.mtx": BANNER + "%closure-check name: a\n2 2 2\n1 1\n2 x\n", "a.J.mtx": BANNER + "2 2 0\n"},
     "a.J.mtx", "{d}/a.I.mtx:5: bad column index 'x' (expected an integer in 1..2)"),
    ({"b.I.mtx": BANNER + "2 2 1\n1 1\n", "b.J.mtx": BANNER + "3 3 1\n1 1\n"},
     "b.mtx", "{d}/b.J.mtx:2: J has 3 columns but I has 2"),
    ({"c.I.mtx": BANNER + "2 2 1\n1 1\n"},
     "c.I.mtx", "{d}/c.J.mtx: no such file (the set of c.I.mtx needs it)"),
    ({"d.W1.mtx": "%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 1 1\n2 2 2\n"},
     "d.W1.mtx", "{d}/d.W1.mtx:4: value '2' is not 1 (a support stores only ones)"),
    ({"e.W1.mtx": BANNER + "2 2 3\n1 1\n2 2\n1 1\n"},
     "e.W1.mtx", "{d}/e.W1.mtx:5: duplicate entry (1, 1) (first on line 3)"),
    ({"f.W1.mtx": BANNER + "2 2 3\n1 1\n2 2\n"}, "f.W1.mtx", "{d}/f.W1.mtx:4: only 2 entries, but line 2 announces 3"),
    ({"g.W1.mtx": BANNER + "2 2 1\n1 1\n", "g.W2.mtx": BANNER + "3 2 1\n1 1\n"},
     "g.mtx", "{d}/g.W2.mtx:2: W2 has 3 rows but W1 has 2 columns"),
    ({"h.W1.mtx": "%%MatrixMarket matrix coordinate pattern symmetric\n2 2 0\n"},
     "h.W1.mtx", "{d}/h.W1.mtx:1: only general matrices are supported, not 'symmetric'"),
    ({"i.W1.mtx": BANNER + "2 2 1\n1 1\n", "i.W2.mtx": BANNER + "%closure-check name: i\n2 1 0\n"},
     "i.W1.mtx", "{d}/i.W2.mtx:2: metadata belongs in the first file of the set (i.W1.mtx)"),
    ({"j.W1.mtx": BANNER + "3 99999999999 0\n"},
     "j.W1.mtx", "{d}/j.W1.mtx:2: number of columns 99999999999 is too large (at most 10000000 rows and columns in all)"),
    ({}, "k.mtx", "{d}/k.mtx: no Matrix Market set: expected k.I.mtx and k.J.mtx, or k.W1.mtx, k.W2.mtx, ..."),
    ({"l.W1.mtx": BANNER + "%closure-check factors: 2\n1 1 1\n1 1\n"},
     "l.W1.mtx", "{d}/l.W2.mtx: no such file (the set of l.W1.mtx needs it)"),
    ({"m.I.mtx": BANNER + "1 1 0\n", "m.J.mtx": BANNER + "1 1 0\n", "m.W1.mtx": BANNER + "1 1 0\n"},
     "m.mtx", "{d}/m.mtx: ambiguous: both m.I.mtx and m.W1.mtx exist; read one of them"),
]


def npz_arrays(**changes: object) -> dict[str, object]:
    arrays: dict[str, object] = {
        "convention": np.array("two-factor"),
        "name": np.array("n"),
        "expect": np.array(""),
        "source": np.array(""),
        "I_shape": np.array([2, 2]),
        "I_indptr": np.array([0, 1, 3]),
        "I_indices": np.array([0, 0, 1]),
        "J_shape": np.array([2, 2]),
        "J_indptr": np.array([0, 1, 3]),
        "J_indices": np.array([0, 0, 1]),
    }
    arrays.update(changes)
    return {key: value for key, value in arrays.items() if value is not None}


NPZ_ERRORS = [
    ({"I_indptr": np.array([0, 2, 1])}, "I_indptr decreases after row 1"),
    ({"I_indptr": np.array([0, 3])}, "I_indptr must have rows + 1 = 3 entries, it has 2"),
    ({"J_indices": np.array([0, 0, 2])}, "J_indices holds column 2, outside 0..1"),
    ({"J_indices": np.array([0, 1, 1])}, "J: row 1 lists column 1 twice"),
    ({"J_indptr": np.array([0, 1, 2])}, "J_indptr ends with 2 but J_indices has 3 entries"),
    ({"J_shape": np.array([2, 3])}, "J has 3 columns but I has 2"),
    ({"I_shape": np.array([2, 2**40])}, "I_shape: number of columns 1099511627776 is too large (at most 10000000 rows and columns in all)"),
    ({"J_shape": None}, "missing array 'J_shape'"),
    ({"convention": np.array("both")}, "'convention' must be 'two-factor' or 'chain', not 'both'"),
    ({"expect": np.array("yes")}, "bad expect value 'yes' (expected closed, not-closed or unknown)"),
    ({"extra": np.zeros(1)}, "unexpected array 'extra'"),
    ({"I_indices": np.array([0.0, 0.0, 1.0])}, "'I_indices' must be a 1-d integer array"),
    ({"name": np.array(["a", "b"])}, "'name' must be a 0-d string array"),
]


@pytest.mark.parametrize("name, content, expected", TEXT_ERRORS + JSON_ERRORS, ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 14 else "")
def test_malformed_file_message(tmp_path: Path, name: str, content: str | bytes, expected: str) -> None:
    path = write(tmp_path / name, content)
    assert error_of(path) == expected.format(p=path)


@pytest.mark.parametrize("files, target, expected", MTX_ERRORS, ids=lambda v: v if isinstance(v, str) and v.endswith(".mtx") else "")
def test_malformed_matrix_market_message(tmp_path: Path, files: dict[str, str], target: str, expected: str) -> None:
    for name, content in files.items():
        write(tmp_path / name, content)
    assert error_of(tmp_path / target) == expected.format(d=tmp_path)


@pytest.mark.parametrize("changes, expected", NPZ_ERRORS)
def test_malformed_npz_message(tmp_path: Path, changes: dict[str, object], expected: str) -> None:
    path = tmp_path / "bad.npz"
    with path.open("wb") as file:
        np.savez(file, **npz_arrays(**changes))
    err = pytest.raises(SupportFileError, read_case, path).value
    assert err.line is None
    assert str(err) == f"{path}: {expected}"


def _random_pattern(rng: np.random.Generator, m: int, n: int) -> np.ndarray:
    dense = rng.random((m, n)) < 0.3
    dense[rng.integers(0, m)] = False  # an empty row in the middle of others
    return dense


@pytest.mark.parametrize("seed", range(12))
def test_rows_strictly_increasing_is_sorted_and_repeat_free(seed: int) -> None:
    """The one-pass test agrees with sorting each row and looking for repeats, row by row."""
    from closure_check.io.common import rows_strictly_increasing

    rng = np.random.default_rng(seed)
    dense = _random_pattern(rng, 7, 6)
    matrix = sp.csr_array(dense.astype(np.int8))
    indptr, indices = matrix.indptr, matrix.indices.copy()
    assert rows_strictly_increasing(indptr, indices)
    row = int(rng.integers(0, 7))
    start, stop = indptr[row], indptr[row + 1]
    if stop - start >= 2:
        swapped = indices.copy()
        swapped[[start, start + 1]] = swapped[[start + 1, start]]  # unsorted row
        assert not rows_strictly_increasing(indptr, swapped)
        repeated = indices.copy()
        repeated[start + 1] = repeated[start]  # a column listed twice
        assert not rows_strictly_increasing(indptr, repeated)
    # across a row boundary anything goes: the last of a row may exceed the first of the next
    assert rows_strictly_increasing(np.array([0, 2, 4]), np.array([3, 5, 0, 1]))
    assert rows_strictly_increasing(np.array([0, 2, 2, 2, 4]), np.array([3, 5, 0, 1]))  # empty rows between
    assert not rows_strictly_increasing(np.array([0, 2, 2, 4]), np.array([3, 5, 1, 1]))


def test_npz_rows_in_any_order_read_as_their_set(tmp_path: Path) -> None:
    """The format does not require sorted rows: unsorted ones take the general path, same support."""
    path = tmp_path / "unsorted.npz"
    with path.open("wb") as file:
        np.savez(file, **npz_arrays(I_indptr=np.array([0, 2, 3]), I_indices=np.array([1, 0, 1])))
    case = read_case(path)
    assert case.support.I.toarray().tolist() == [[1, 1], [0, 1]]
    assert case.support.I.has_canonical_format
    assert case == read_case(write_case(case, tmp_path / "again.npz")[0])


def test_npz_fast_path_keeps_int32_indices_without_a_copy_of_the_support(tmp_path: Path) -> None:
    """Sorted rows (what save_npz writes) become the support as they are: int32, no second validation."""
    from closure_check.families import random_k_sparse

    support = random_k_sparse(300, 200, 100, 4, seed=3)
    path = write_case(Case(support, "r"), tmp_path / "r.npz")[0]
    read = read_case(path).support
    assert read == support
    assert read.I.indices.dtype == np.int32 and read.I.indptr.dtype == np.int32
    assert read.I.has_canonical_format and read.J.has_canonical_format


def test_npz_is_never_unpickled(tmp_path: Path) -> None:
    path = tmp_path / "obj.npz"
    with path.open("wb") as file:
        np.savez(file, **npz_arrays(name=np.array([{"a": 1}], dtype=object)))
    assert error_of(path).startswith(f"{path}: damaged NPZ archive (ValueError: ")
    assert error_of(write(tmp_path / "junk.npz", b"\x80\x04junk")) == (
        f"{tmp_path / 'junk.npz'}: not an NPZ archive (no zip signature at the start)"
    )


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert error_of(tmp_path / "none.txt") == f"{tmp_path / 'none.txt'}: no such file"
    assert error_of(tmp_path / "none.npz") == f"{tmp_path / 'none.npz'}: no such file"
    (tmp_path / "dir.json").mkdir()
    assert error_of(tmp_path / "dir.json") == f"{tmp_path / 'dir.json'}: is a directory, not a file"


def test_error_attributes_and_single_line(tmp_path: Path) -> None:
    err = SupportFileError(tmp_path / "x.txt", 4, "bad entry 'a\nb'\u2028")
    assert (err.path, err.line) == (tmp_path / "x.txt", 4)
    assert str(err) == f"{tmp_path / 'x.txt'}:4: bad entry 'a\\nb'\\u2028"
    assert len(str(err).splitlines()) == 1
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.path, copy.line, copy.message, str(copy)) == (err.path, err.line, err.message, str(err))
    assert str(SupportFileError("a.npz", None, "broken")) == "a.npz: broken"


def test_write_rejects_what_cannot_be_read_back(tmp_path: Path) -> None:
    support = TwoFactorSupport.from_dense(LU, LU)
    with pytest.raises(SupportFileError, match=r"cannot write source 'a # b' in the text format: it contains '#'"):
        write_case(Case(support, "x", None, "a # b"), tmp_path / "x.txt")
    with pytest.raises(SupportFileError, match="it contains a line break"):
        write_case(Case(support, "two\nlines"), tmp_path / "x.mtx")
    with pytest.raises(SupportFileError, match=r"I is 0 x 2"):
        write_case(Case(TwoFactorSupport(np.zeros((0, 2)), np.ones((1, 2)))), tmp_path / "x.json")
    with pytest.raises(SupportFileError, match="cannot write"):
        write_case(Case(support, "x"), tmp_path / "missing-dir" / "x.txt")
    with pytest.raises(ValueError, match="unknown format"):
        write_case(Case(support, "x"), tmp_path / "x.txt", fmt="yaml")
    case = Case(support, "x", None, "a # b\nc")
    for suffix in (".json", ".npz"):
        assert read_case(write_case(case, tmp_path / f"ok{suffix}")[0]) == case


# --- scale -------------------------------------------------------------------------


def test_large_matrix_market_reads_fast(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    size, nnz = 4000, 500_000

    def pattern() -> sp.csr_array:
        linear = rng.choice(size * size, nnz, replace=False)
        return sp.csr_array((np.ones(nnz, dtype=np.int8), (linear // size, linear % size)), shape=(size, size))

    case = Case(TwoFactorSupport(pattern(), pattern()), "big", Verdict.UNKNOWN)
    paths = write_case(case, tmp_path / "big.mtx")
    start = time.perf_counter()
    read = read_case(paths[0])
    elapsed = time.perf_counter() - start
    assert read.support.nnz == 1_000_000
    assert read == case
    assert elapsed < 10.0


# --- limits (issue 13, item 4): memory follows the nonzeros, not the declared shape ---

TALL = 10**8  # rows declared by a 300-byte file: beyond MAX_DIMENSIONS
UNDER = MAX_DIMENSIONS - 10  # rows of a file just inside the limit (with I's 2 columns and J)


def tall_file(folder: Path, fmt: str, rows: int) -> Path:
    """A small file declaring a ``rows`` × 2 factor I with a single nonzero (J is 2 × 2)."""
    if fmt == "json":
        return write(folder / f"tall{rows}.json", json.dumps({
            "format": "closure-check-support", "version": 1,
            "I": {"shape": [rows, 2], "nonzeros": [[0, 0]]},
            "J": {"shape": [2, 2], "nonzeros": [[0, 0]]},
        }))
    if fmt == "mtx":
        write(folder / f"tall{rows}.J.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1\n")
        return write(folder / f"tall{rows}.I.mtx", f"%%MatrixMarket matrix coordinate pattern general\n{rows} 2 1\n1 1\n")
    # NPZ: the offsets of `rows` empty rows compress to almost nothing
    path = folder / f"tall{rows}.npz"
    indptr = np.ones(rows + 1, dtype=np.int32)
    indptr[0] = 0
    np.savez_compressed(path, **npz_arrays(I_shape=np.array([rows, 2]), I_indptr=indptr, I_indices=np.array([0])))
    return path


def peak_bytes(action) -> tuple[object, int]:
    """Run ``action()`` under tracemalloc (which sees NumPy's buffers); its result and peak bytes."""
    tracemalloc.start()
    try:
        try:
            result: object = action()
        except SupportFileError as err:
            result = err
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["json", "mtx"])
def test_a_small_file_declaring_10_8_rows_is_refused_before_allocating(tmp_path: Path, fmt: str) -> None:
    path = tall_file(tmp_path, fmt, TALL)
    assert path.stat().st_size < 300
    start = time.perf_counter()
    error, peak = peak_bytes(lambda: read_case(path))
    assert isinstance(error, SupportFileError) and "100000000 is too large" in error.message
    assert len(str(error).splitlines()) == 1
    assert peak < 2**20  # nothing of the declared size: not even the row offsets
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("fmt", ["json", "mtx", "npz"])
def test_a_file_just_inside_the_limit_costs_a_few_bytes_per_row(tmp_path: Path, fmt: str) -> None:
    path = tall_file(tmp_path, fmt, UNDER)
    case, peak = peak_bytes(lambda: read_case(path))
    assert isinstance(case, Case) and case.support.shape == (UNDER, 2) and case.support.I.nnz == 1
    # the CSR offsets (4 bytes a row) and one copy when the support is built (the
    # readers before issue 13 took 16 bytes a row)
    assert peak <= 10 * UNDER, peak / UNDER


def test_the_limit_counts_every_factor(tmp_path: Path) -> None:
    # 400 empty factors of 25000 x 25000: 2*10^7 rows and columns in a 30 kB file
    factors = [{"shape": [25000, 25000], "nonzeros": []}] * 400
    path = write(tmp_path / "many.json", json.dumps({"format": "closure-check-support", "version": 1, "factors": factors}))
    error, peak = peak_bytes(lambda: read_case(path))
    assert isinstance(error, SupportFileError)
    assert "rows and columns in all, more than the limit of 10000000" in error.message
    assert peak < 64 * 2**20  # the factors before the limit: 4 bytes a row each, twice


def test_an_npz_member_larger_than_its_shape_allows_is_not_decompressed(tmp_path: Path) -> None:
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, **npz_arrays(I_indptr=np.zeros(10**7, dtype=np.int8)))  # 10 MB of zeros, 10 kB packed
    assert path.stat().st_size < 100_000
    error, peak = peak_bytes(lambda: read_case(path))
    assert isinstance(error, SupportFileError) and "'I_indptr' would decompress to 10000128 bytes" in error.message
    assert peak < 2**20


def test_text_and_json_are_refused_above_their_size_limit(tmp_path: Path) -> None:
    big = write(tmp_path / "big.txt", b"W1:\n" + b"1\n" * (MAX_TEXT_BYTES // 2))
    assert error_of(big) == f"{big}: {MAX_TEXT_BYTES + 4} bytes, more than the 4 MiB the text format is limited to (use .npz or .mtx for large supports)"
    blob = write(tmp_path / "big.json", b" " * (MAX_JSON_BYTES + 1))
    assert "more than the 16 MiB the JSON format is limited to" in error_of(blob)


def test_write_refuses_text_and_json_beyond_the_limit_and_names_npz_and_mtx(tmp_path: Path) -> None:
    from closure_check.families import random_k_sparse

    case = Case(random_k_sparse(100_000, 100_000, 100_000, 5, 0), "r")
    for suffix in (".sup", ".json"):
        start = time.perf_counter()
        with pytest.raises(SupportFileError, match=r"cannot write: this support would take up to \d+ bytes.*use \.npz or \.mtx"):
            write_case(case, tmp_path / f"r{suffix}")
        assert time.perf_counter() - start < 1.0 and not (tmp_path / f"r{suffix}").exists()
    assert read_case(write_case(case, tmp_path / "r.npz")[0]) == case
    # just inside the text limit: written, and read back
    inside = Case(TwoFactorSupport(sp.csr_array((1400, 1400), dtype=np.int8), sp.csr_array((1, 1400), dtype=np.int8)), "inside")
    written = write_case(inside, tmp_path / "inside.sup")[0]
    assert written.stat().st_size <= MAX_TEXT_BYTES and read_case(written) == inside


def test_non_regular_files_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # no writer: opening it for reading the usual way would block forever
    assert error_of(fifo) == f"{fifo}: is a FIFO (named pipe), not a regular file (pipe it to standard input as '-' instead)"
    os.mkfifo(tmp_path / "pipe.J.mtx")
    write(tmp_path / "pipe.I.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1\n")
    assert error_of(tmp_path / "pipe.I.mtx").startswith(f"{tmp_path / 'pipe.J.mtx'}: is a FIFO")
    if Path("/dev/zero").exists():
        for fmt in FORMATS[:3]:
            with pytest.raises(SupportFileError, match="character device, not a regular file"):
                read_case("/dev/zero", fmt=fmt)


def test_read_stream_case(tmp_path: Path) -> None:
    assert read_stream_case(io.BytesIO(EXAMPLE.encode())).name == "lu2"
    assert read_stream_case(io.BytesIO(b"I:\n1\nJ:\n1\n")).name == "<stdin>"
    with pytest.raises(SupportFileError, match=r"^<stdin>:2: bad entry '2'"):
        read_stream_case(io.BytesIO(b"I:\n1 2\n"))
    endless = io.BytesIO(b"1" * (MAX_TEXT_BYTES + 10))
    with pytest.raises(SupportFileError, match="^<stdin>: more than the 4 MiB the text format is limited to"):
        read_stream_case(endless)
    assert endless.tell() == MAX_TEXT_BYTES + 1  # stopped reading past the limit
    case = Case(TwoFactorSupport.from_dense(LU, LU), "x")
    path = write_case(case, tmp_path / "x.npz")[0]
    with path.open("rb") as stream:
        assert read_stream_case(stream, "npz") == case
