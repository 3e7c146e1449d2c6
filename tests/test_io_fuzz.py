"""Property tests: no file content makes :func:`read_case` raise anything but SupportFileError.

The contract checked on every example: ``read_case`` returns a :class:`Case`, or raises
:class:`SupportFileError` whose text is one line ``PATH:LINE: message`` (``PATH:
message`` for NPZ archives, which have no lines).  Any other exception fails the test.
Runs are derandomized, so they are reproducible and take seconds.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closure_check.core.case import Case, Verdict
from closure_check.core.support import ChainSupport, TwoFactorSupport
from closure_check.io import SupportFileError, read_case, write_case

FUZZ = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check_contract(path: Path, with_line: bool = True) -> Case | None:
    """Read ``path``; fail unless the result is a Case or a well-formed SupportFileError."""
    try:
        case = read_case(path)
    except SupportFileError as err:
        text = str(err)
        assert len(text.splitlines()) == 1 and "\n" not in text and "\r" not in text
        tail = r":\d+: \S.*" if with_line else r": \S.*"
        assert re.fullmatch(re.escape(str(path)) + tail, text), text
        assert err.path == path
        assert (err.line is not None) == with_line and (err.line is None or err.line >= 1)
        return None
    assert isinstance(case, Case)
    return case


# Pieces that random text is made of, so that it often gets past the first line.
TEXT_PIECES = [
    "I:", "J:", "W1:", "W2:", "W3:", "W0:", "name:", "expect:", "source:", "closed", "not-closed",
    "0", "1", "01", "101", "2", "x", " ", " ", "\t", "\n", "\n", "\n", "\r\n", "#", ":", "\xa0",
    "\u2028", "é", "\x00", "W99999999999999999999:",
]
soup = st.lists(st.sampled_from(TEXT_PIECES), max_size=40).map(lambda parts: "".join(parts).encode("utf-8"))


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), soup))
def test_random_bytes_text(folder: Path, data: bytes) -> None:
    path = folder / "random.txt"
    path.write_bytes(data)
    check_contract(path)


@st.composite
def valid_text(draw: st.DrawFn) -> tuple[str, Case]:
    """A valid text file (random spelling, comments, metadata) and the case it holds."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    chain = draw(st.booleans())
    if chain:
        dims = rng.integers(1, 5, size=rng.integers(2, 5))
        factors = [(rng.random((dims[k], dims[k + 1])) < 0.5).astype(int) for k in range(len(dims) - 1)]
        sections = [(f"W{k}", f) for k, f in enumerate(factors, start=1)]
        support: TwoFactorSupport | ChainSupport = ChainSupport.from_dense(factors)
    else:
        m, n, r = (int(v) for v in rng.integers(1, 5, size=3))
        I, J = ((rng.random((rows, r)) < 0.5).astype(int) for rows in (m, n))
        sections = [("I", I), ("J", J)]
        support = TwoFactorSupport.from_dense(I, J)
    name = draw(st.sampled_from(["", "lu2", "a b"]))
    expect = draw(st.sampled_from([None, *Verdict]))
    source = draw(st.sampled_from(["", "seed talk; SIMAX 2023"]))
    lines = ["# generated"]
    lines += [f"{key}: {value}" for key, value in (("name", name), ("expect", expect), ("source", source)) if value]
    spaced = draw(st.booleans())
    for label, matrix in sections:
        lines.append(f"{label}:" + draw(st.sampled_from(["", "  # section"])))
        for row in matrix.tolist():
            lines.append((" " if spaced else "").join(map(str, row)))
    return "\n".join(lines) + "\n", Case(support, name or "valid", expect, source)


@FUZZ
@given(sample=valid_text())
def test_valid_text_files_read_back(folder: Path, sample: tuple[str, Case]) -> None:
    text, case = sample
    path = folder / "valid.txt"
    path.write_text(text, encoding="utf-8")
    assert read_case(path) == case


def mutate(text: str, mutations: list[tuple[str, int, int, str]]) -> str:
    lines = text.split("\n")
    for kind, a, b, token in mutations:
        i, j = a % len(lines), b % len(lines)
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "flip":
            digits = [k for k, ch in enumerate(lines[i]) if ch in "01"]
            if digits:
                k = digits[b % len(digits)]
                lines[i] = lines[i][:k] + token[:1] + lines[i][k + 1 :]
        elif kind == "insert":
            k = b % (len(lines[i]) + 1)
            lines[i] = lines[i][:k] + token + lines[i][k:]
        elif kind == "truncate":
            joined = "\n".join(lines)
            lines = joined[: b % (len(joined) + 1)].split("\n")
    return "\n".join(lines)


MUTATION = st.tuples(
    st.sampled_from(["delete", "duplicate", "swap", "flip", "insert", "truncate"]),
    st.integers(0, 1000),
    st.integers(0, 1000),
    st.sampled_from(["2", "x", "0", "1", " 1", "10", "J:", "W2:", "name: z", "#", ":", "\t", "I:"]),
)


@FUZZ
@given(sample=valid_text(), mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_text_files(folder: Path, sample: tuple[str, Case], mutations: list[tuple[str, int, int, str]]) -> None:
    path = folder / "mutated.txt"
    path.write_text(mutate(sample[0], mutations), encoding="utf-8")
    check_contract(path)


def written(case: Case, path: Path) -> str:
    write_case(case, path)
    return path.read_text(encoding="utf-8")


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_json(folder: Path, data: bytes) -> None:
    path = folder / "random.json"
    path.write_bytes(data)
    check_contract(path)


@FUZZ
@given(sample=valid_text(), mutations=st.lists(MUTATION, min_size=1, max_size=3))
def test_mutated_json_files(folder: Path, sample: tuple[str, Case], mutations: list[tuple[str, int, int, str]]) -> None:
    path = folder / "mutated.json"
    path.write_text(mutate(written(sample[1], path), mutations), encoding="utf-8")
    check_contract(path)


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_matrix_market(folder: Path, data: bytes) -> None:
    path = folder / "random.W1.mtx"
    path.write_bytes(data)
    check_contract(path)


MTX_PIECES = ["1", "2", "3", "0", "10", " ", " ", "\n", "\n", "\t", "\r", "%", "1.0", "x", "-1", "+1", "99999999999999999999"]


@FUZZ
@given(
    header=st.sampled_from(["pattern", "integer", "real", "complex"]),
    size=st.sampled_from(["2 3 2", "2 3 0", "3 3 9", "1 1 1", "2 2 99", "0 2 0", "2 2"]),
    body=st.lists(st.sampled_from(MTX_PIECES), max_size=30),
)
def test_near_valid_matrix_market(folder: Path, header: str, size: str, body: list[str]) -> None:
    path = folder / "near.W1.mtx"
    path.write_text(f"%%MatrixMarket matrix coordinate {header} general\n{size}\n" + "".join(body))
    check_contract(path)


@FUZZ
@given(sample=valid_text(), mutations=st.lists(MUTATION, min_size=1, max_size=3))
def test_mutated_matrix_market_files(folder: Path, sample: tuple[str, Case], mutations: list[tuple[str, int, int, str]]) -> None:
    paths = write_case(sample[1], Path(tempfile.mkdtemp(dir=folder)) / "mutated.mtx")
    target = paths[mutations[0][1] % len(paths)]
    target.write_text(mutate(target.read_text(encoding="utf-8"), mutations), encoding="utf-8")
    for path in paths:
        try:
            read_case(path)
        except SupportFileError as err:
            text = str(err)
            assert len(text.splitlines()) == 1
            # the member that is wrong, possibly one the damaged metadata asks for
            assert err.path.parent == paths[0].parent and err.path.name.startswith("mutated.")
            assert re.fullmatch(re.escape(str(err.path)) + r"(:\d+)?: \S.*", text), text


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_npz(folder: Path, data: bytes) -> None:
    path = folder / "random.npz"
    path.write_bytes(data)
    check_contract(path, with_line=False)


@FUZZ
@given(sample=valid_text(), position=st.integers(0, 10**6), junk=st.binary(min_size=1, max_size=8))
def test_damaged_npz(folder: Path, sample: tuple[str, Case], position: int, junk: bytes) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        source = folder / "valid.npz"
        write_case(sample[1], source)
        with zipfile.ZipFile(source) as original:
            for member in original.namelist():
                archive.writestr(member, original.read(member))
    data = bytearray(buffer.getvalue())
    k = position % len(data)
    data[k : k + len(junk)] = junk
    path = folder / "damaged.npz"
    path.write_bytes(bytes(data))
    check_contract(path, with_line=False)
