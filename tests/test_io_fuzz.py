"""Property tests: no file content makes :func:`read_case` raise anything but SupportFileError.

The contract checked on every example: ``read_case`` returns a :class:`Case`, or raises
:class:`SupportFileError` whose text is one line ``PATH:LINE: message`` (``PATH:
message`` for NPZ archives, which have no lines).  Any other exception fails the test.
Runs are derandomized, so they are reproducible and take seconds.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import os
import re
import socket
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import main as cli_main
from closure_check.core.case import Case, Verdict
from closure_check.core.support import MAX_DIMENSIONS, ChainSupport, TwoFactorSupport
from closure_check.families import FAMILIES, FamilyError, build_family
from closure_check.io import SupportFileError, read_case, read_stream_case, write_case
from closure_check.io.common import MAX_BYTES
from closure_check.output.certificate_json.two_factor import (
    CertificateFileError,
    load_certificate,
)
from closure_check.verifier import verify_certificate

LU2 = Path(__file__).resolve().parent.parent / "cases" / "lu2.sup"

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


# --------------------------------------------------------------------------- issue 13
#
# Each class of input that once hung, exhausted memory or raised something else than a
# one-line error: non-regular files, shapes declared far beyond the limits, absurd
# integers in certificates, family sizes, bad option values, unwritable outputs, huge
# text, standard input.  Memory is measured with tracemalloc, which sees NumPy's buffers.

SMALL_FUZZ = settings(FUZZ, max_examples=40)


def within(seconds: float, action):
    """``action()``'s result (or SupportFileError), its tracemalloc peak, failing past ``seconds``."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        try:
            result = action()
        except SupportFileError as err:
            result = err
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < seconds
    return result, peak


def one_line_error(err: SupportFileError, path: Path | str) -> None:
    text = str(err)
    assert "\n" not in text and "\r" not in text and text.startswith(f"{path}")


@FUZZ
@given(
    kind=st.sampled_from(["fifo", "directory", "socket", "dev-zero", "dev-null", "link-to-fifo", "missing-parent"]),
    suffix=st.sampled_from([".txt", ".sup", ".json", ".npz", ".mtx", ".I.mtx", ".W1.mtx"]),
)
def test_non_regular_files_are_refused_at_once(folder: Path, kind: str, suffix: str) -> None:
    base = Path(tempfile.mkdtemp(dir=folder))
    path = base / f"x{suffix}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        try:
            server.bind(str(path))
        except OSError:  # path too long for a socket: a FIFO will do
            os.mkfifo(path)
        finally:
            server.close()
    elif kind == "link-to-fifo":
        os.mkfifo(base / "target")
        path.symlink_to(base / "target")
    elif kind == "missing-parent":
        (base / "file").write_text("x")
        path = base / "file" / f"x{suffix}"
    else:
        device = Path("/dev/zero" if kind == "dev-zero" else "/dev/null")
        if not device.exists():
            return
        path.symlink_to(device)
    if suffix in (".I.mtx", ".W1.mtx") and kind != "missing-parent":  # the other members are regular
        write_case(Case(TwoFactorSupport.from_dense([[1]], [[1]]) if suffix == ".I.mtx" else ChainSupport.from_dense([[[1]]])),
                   base / "y.mtx")
        for member in base.glob("y.*.mtx"):
            role = member.name.split(".")[1]
            if f".{role}." != suffix[: len(role) + 2]:
                member.rename(base / f"x.{role}.mtx")
    result, _ = within(5.0, lambda: read_case(path))
    assert isinstance(result, SupportFileError), result
    one_line_error(result, result.path)
    assert result.line is None


DIMENSION = st.one_of(st.integers(1, 40), st.integers(MAX_DIMENSIONS // 8, MAX_DIMENSIONS + 10), st.integers(1, 10**30))


@settings(FUZZ, max_examples=60)
@given(
    fmt=st.sampled_from(["json", "mtx", "npz"]),
    dims=st.lists(DIMENSION, min_size=2, max_size=5),
    chain=st.booleans(),
)
def test_declared_shapes_cost_memory_only_within_the_limits(folder: Path, fmt: str, dims: list[int], chain: bool) -> None:
    """A few-byte file declaring any shapes: read within the limits at a few bytes a row, else refused."""
    base = Path(tempfile.mkdtemp(dir=folder))
    if chain:
        shapes = list(itertools.pairwise(dims))
        labels = [f"W{k}" for k in range(1, len(shapes) + 1)]
    else:
        m, n, r = (dims + dims)[:3]
        shapes, labels = [(m, r), (n, r)], ["I", "J"]
    if fmt == "json":
        matrices = [{"shape": [a, b], "nonzeros": [[0, 0]]} for a, b in shapes]
        doc = {"format": "closure-check-support", "version": 1}
        doc.update({"factors": matrices} if chain else {"I": matrices[0], "J": matrices[1]})
        path = base / "x.json"
        path.write_text(json.dumps(doc))
    elif fmt == "mtx":
        for k, (label, (a, b)) in enumerate(zip(labels, shapes)):
            meta = f"%closure-check factors: {len(shapes)}\n" if chain and k == 0 else ""
            (base / f"x.{label}.mtx").write_text(f"%%MatrixMarket matrix coordinate pattern general\n{meta}{a} {b} 1\n1 1\n")
        path = base / f"x.{labels[0]}.mtx"
    else:
        arrays = {"convention": np.array("chain" if chain else "two-factor")}
        for label, (a, b) in zip(labels, shapes):
            small = a <= 10**6  # a longer offsets array is not worth writing: a short one must be refused too
            indptr = np.ones(a + 1 if small else 2, dtype=np.int32)
            indptr[0] = 0
            arrays.update({f"{label}_shape": np.array([min(a, 2**62), min(b, 2**62)], dtype=np.int64),
                           f"{label}_indptr": indptr, f"{label}_indices": np.array([0])})
        path = base / "x.npz"
        np.savez_compressed(path, **arrays)
    total = sum(a + b for a, b in shapes)
    result, peak = within(10.0, lambda: read_case(path))
    if isinstance(result, Case):
        assert total <= MAX_DIMENSIONS
        assert peak <= 16 * total + 2**20, peak / total
    else:
        one_line_error(result, result.path)
        if total > MAX_DIMENSIONS or min(min(s) for s in shapes) > 10**6:
            assert peak <= 16 * min(total, MAX_DIMENSIONS) + 2**20


@SMALL_FUZZ
@given(
    digits=st.one_of(st.integers(1, 30), st.integers(3990, 4010), st.integers(4290, 4310), st.integers(10**5, 10**5 + 2)),
    spot=st.sampled_from(["m", "r", "unit", "value", "exponent", "version"]),
    negative=st.booleans(),
)
def test_certificates_with_absurd_integers(folder: Path, digits: int, spot: str, negative: bool) -> None:
    """load_certificate raises CertificateFileError or returns; the verifier then never raises."""
    number = ("-" if negative else "") + "9" * digits
    text = CERTIFICATE_TEMPLATE.replace(f"<{spot}>", number)
    for other in ("m", "r", "unit", "value", "exponent", "version"):
        text = text.replace(f"<{other}>", {"value": '"1"', "exponent": '"1"', "version": "1"}.get(other, "2"))
    path = folder / "absurd.json"
    path.write_text(text)
    try:
        cert = load_certificate(path)
    except CertificateFileError as err:
        assert "\n" not in str(err) and str(err).startswith(f"{path}: ")
        assert digits > 4000
        return
    report = verify_certificate(cert)  # never raises; big numbers are problems, not crashes
    assert isinstance(report.ok, bool)


CERTIFICATE_TEMPLATE = """{"format": "closure-check-certificate", "version": <version>, "verdict": "not-closed",
 "tractability": "not-known", "reasons": [], "steps": [],
 "pattern": {"m": <m>, "n": 2, "r": <r>, "I": [[0, 0], [1, 0], [1, 1]], "J": [[0, 0], [1, 0], [1, 1]]},
 "limit": [{"cell": [0, 1], "value": "1"}, {"cell": [1, 0], "value": <value>}],
 "curve": {"X": [{"entry": [0, <unit>], "laurent": {"1": "1"}}, {"entry": [1, 0], "laurent": {"0": "1"}},
                 {"entry": [1, 1], "laurent": {"-1": "-1"}}],
           "Y": [{"entry": [0, 0], "laurent": {"0": "1"}}, {"entry": [1, 0], "laurent": {"-1": "1"}},
                 {"entry": [1, 1], "laurent": {"0": <exponent>}}]},
 "proof": {"kind": "combinatorial", "lemma": "local-LU lemma", "obstruction_cells": [[0, 0], [0, 1], [1, 0]],
           "obstruction_units": [0], "roles": {"unit": 0, "rows": [0, 1], "cols": [0, 1]}}}"""


FAMILY_ARGUMENT = st.one_of(
    st.integers(0, 12).map(str),
    st.integers(10**8, 10**40).map(str),
    st.sampled_from(["1e8", "1E9", "3e0", "1e999", "-3", "+2", "0", "x", "", "1.5", "1e", "2,2,2", "1,1,1,1", " 4 "]),
    st.integers(59, 62).map(lambda n: "9" * n),
    st.just("1" * 100_001),
)


@FUZZ
@given(name=st.sampled_from(sorted(FAMILIES) + ["no-such"]), args=st.lists(FAMILY_ARGUMENT, max_size=5))
def test_family_arguments_are_estimated_before_building(name: str, args: list[str]) -> None:
    """Small members build at once; anything too large is a one-line FamilyError, allocated nothing."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        try:
            case = build_family(name, args)
        except FamilyError as err:
            assert "\n" not in str(err) and len(str(err)) < 600
            assert tracemalloc.get_traced_memory()[1] < 2**20
            case = None
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 5.0
    if case is not None:  # sizes up to 12 (a seed or a bandwidth may be larger): small supports
        assert case.support.nnz <= 10**6


SECONDS_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "NaN", "inf", "-inf", "+inf", "1e309", "-0", "0", "5", "1e6", "1000001", "abc", "", " ", "0x10", "1_0"]),
)


@SMALL_FUZZ
@given(value=SECONDS_TEXT)
def test_budget_values(value: str) -> None:
    """--budget takes a finite number of seconds in [0, 10^6]; anything else is one line, exit 2."""
    result = CliRunner().invoke(cli_main, ["check", str(LU2), "--budget", value])
    try:
        number = float(value)
        good = math.isfinite(number) and 0 <= number <= 10**6
    except ValueError:
        good = False
    if good:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and " check: --budget: " in result.stderr, result.stderr


@SMALL_FUZZ
@given(
    where=st.sampled_from(["missing-parent", "directory", "under-a-file", "proc", "empty"]),
    suffix=st.sampled_from([".sup", ".json", ".npz", ".mtx"]),
)
def test_unwritable_outputs(folder: Path, where: str, suffix: str) -> None:
    base = Path(tempfile.mkdtemp(dir=folder))
    if where == "missing-parent":
        target = base / "no" / f"x{suffix}"
    elif where == "directory":  # the file to write (a Matrix Market set: its first member) is a folder
        target = base / f"x{suffix}"
        (base / "x.I.mtx" if suffix == ".mtx" else target).mkdir()
    elif where == "under-a-file":
        (base / "file").write_text("x")
        target = base / "file" / f"x{suffix}"
    elif where == "proc":
        if not Path("/proc").is_dir():
            return
        target = Path(f"/proc/nope/x{suffix}")
    else:
        target = Path("")
    case = Case(TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]]), "lu2")
    if where != "empty":
        with pytest.raises(SupportFileError) as caught:
            write_case(case, target)
        assert "\n" not in str(caught.value) and "cannot write" in str(caught.value)
    result = CliRunner().invoke(cli_main, ["family", "lu", "2", "-o", str(target)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.output


@settings(FUZZ, max_examples=30)
@given(m=st.integers(1, 3000), n=st.integers(1, 3000), chain=st.booleans(), fmt=st.sampled_from(["text", "json"]))
def test_text_and_json_are_written_only_within_their_limit(folder: Path, m: int, n: int, chain: bool, fmt: str) -> None:
    """A support is written as text or JSON iff the file stays within the limit, and then reads back."""
    diagonal = sp.csr_array((np.ones(min(m, n), dtype=np.int8), (np.arange(min(m, n)), np.arange(min(m, n)))), shape=(m, n))
    support = ChainSupport((diagonal,)) if chain else TwoFactorSupport(diagonal, diagonal)
    case = Case(support, "big")
    path = folder / ("big.sup" if fmt == "text" else "big.json")
    path.unlink(missing_ok=True)
    result, _ = within(20.0, lambda: write_case(case, path))
    if isinstance(result, SupportFileError):
        assert "cannot write: this support would take up to" in result.message and ".npz or .mtx" in result.message
        assert not path.exists()
    else:
        assert path.stat().st_size <= MAX_BYTES[fmt]
        assert read_case(path) == case


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), soup))
def test_standard_input(data: bytes) -> None:
    try:
        case = read_stream_case(io.BytesIO(data))
    except SupportFileError as err:
        text = str(err)
        assert "\n" not in text and re.fullmatch(r"<stdin>:\d+: \S.*", text), text
    else:
        assert isinstance(case, Case)
