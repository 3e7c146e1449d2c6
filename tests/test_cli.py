"""The command line: output, files written, and exit statuses (0 ok, 2 bad input)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import main
from closure_check.families import lu
from closure_check.io import read_case

ROOT = Path(__file__).resolve().parent.parent

LU_FILE = """# comments start with '#'
name: lu2
expect: not-closed          # closed | not-closed | unknown (optional)
source: seed talk; SIMAX 2023
I:
1 0
1 1
J:
1 0
1 1
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_show_lu_lists_two_rectangles_one_complete(runner, tmp_path):
    path = tmp_path / "lu2.sup"
    path.write_text(LU_FILE)
    result = runner.invoke(main, ["show", str(path)])
    assert result.exit_code == 0, result.output
    assert "unit 0: {0,1} × {0,1}" in result.output
    assert "unit 1: {1} × {1}" in result.output
    assert "class 0: {0,1} × {0,1}  units {0}  not complete (μ=1 < 2)" in result.output
    assert "class 1: {1} × {1}  units {1}  complete (μ=1 ≥ 1)" in result.output
    assert "Overlap components: 1" in result.output


def test_show_png_writes_an_image(runner, tmp_path):
    path = tmp_path / "lu2.sup"
    path.write_text(LU_FILE)
    picture = tmp_path / "lu2.png"
    result = runner.invoke(main, ["show", str(path), "--png", str(picture)])
    assert result.exit_code == 0, result.output
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "content, expected",
    [
        ("I:\n1 2\nJ:\n1\n", ":2: "),
        ("I:\n1 0\nJ:\n1 0 1\n", ":3: "),
        ("name: x\nwhat: y\n", ":2: "),
        ("", ":1: "),
    ],
)
def test_bad_input_is_one_line_and_exit_2(runner, tmp_path, content, expected):
    path = tmp_path / "bad.sup"
    path.write_text(content)
    result = runner.invoke(main, ["show", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}{expected}")


def test_missing_file_exits_2(runner, tmp_path):
    result = runner.invoke(main, ["show", str(tmp_path / "absent.sup")])
    assert result.exit_code == 2 and "no such file" in result.stderr


@pytest.mark.parametrize("suffix", [".sup", ".json", ".npz", ".mtx"])
def test_family_writes_a_file_that_reads_back(runner, tmp_path, suffix):
    result = runner.invoke(main, ["family", "lu", "4", "-o", str(tmp_path / f"lu4{suffix}")])
    assert result.exit_code == 0, result.output
    written = sorted(tmp_path.iterdir())
    assert written, result.output
    assert read_case(written[0]).support == lu(4)


def test_family_bad_arguments_exit_2(runner):
    result = runner.invoke(main, ["family", "lu", "x"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    result = runner.invoke(main, ["family", "no-such-family"])
    assert result.exit_code == 2 and "no-such-family" in result.stderr


def test_family_without_name_lists_every_family(runner):
    result = runner.invoke(main, ["family"])
    assert result.exit_code == 0
    for name in ["dense", "lu", "butterfly-split", "monarch", "kaleidoscope", "deformable-butterfly"]:
        assert name in result.output


def test_bundled_cases_all_show(runner):
    cases = sorted(str(p) for p in Path(__file__).parent.parent.joinpath("cases").glob("*.sup"))
    assert cases
    result = runner.invoke(main, ["show", *cases])
    assert result.exit_code == 0, result.output


def test_check_bundled_cases_agree_with_expect(runner):
    cases = sorted(str(p) for p in Path(__file__).parent.parent.joinpath("cases").glob("*.sup"))
    result = runner.invoke(main, ["check", *cases])
    assert result.exit_code == 0, result.output
    assert "DISAGREES" not in result.output


def test_check_json_has_the_documented_keys(runner, tmp_path):
    path = tmp_path / "lu2.sup"
    path.write_text(LU_FILE)
    result = runner.invoke(main, ["check", "--json", str(path)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert {"file", "verdict", "tractable", "reasons"} <= set(record)
    assert record["verdict"] == "not-closed" and record["tractable"] is False
    assert any("local-LU lemma" in reason for reason in record["reasons"])


def test_check_disagreement_exits_1(runner, tmp_path):
    path = tmp_path / "wrong.sup"
    path.write_text(LU_FILE.replace("expect: not-closed", "expect: closed"))
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 1 and "DISAGREES" in result.output


def test_check_unknown_is_an_error_only_with_strict(runner, tmp_path):
    # units {0}×{0}, {0,1}×{0,1}, {0,1}×{0,2}: no rule decides it (budget 0: rules only;
    # the engine finds it not closed)
    path = tmp_path / "open.sup"
    path.write_text("expect: not-closed\nI:\n111\n011\nJ:\n111\n010\n001\n")
    plain = runner.invoke(main, ["check", "--budget", "0", str(path)])
    strict = runner.invoke(main, ["check", "--budget", "0", "--strict", str(path)])
    assert "UNKNOWN" in plain.output
    assert plain.exit_code == 0 and strict.exit_code == 1


def test_check_bad_file_exits_2_and_still_checks_the_others(runner, tmp_path):
    good, bad = tmp_path / "lu2.sup", tmp_path / "bad.sup"
    good.write_text(LU_FILE)
    bad.write_text("I:\n1 2\n")
    result = runner.invoke(main, ["check", str(bad), str(good)])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"{bad}:2:")
    assert "NOT-CLOSED" in result.stdout


def test_solve_is_exact_on_a_tractable_support(runner, tmp_path):
    support_file = tmp_path / "split.sup"
    assert runner.invoke(main, ["family", "butterfly-split", "3", "1", "-o", str(support_file)]).exit_code == 0
    target = np.random.default_rng(0).standard_normal((8, 8))
    np.save(tmp_path / "A.npy", target)
    result = runner.invoke(main, ["solve", str(support_file), "--matrix", str(tmp_path / "A.npy"), "-o", str(tmp_path / "xy.npz")])
    assert result.exit_code == 0, result.output
    assert "optimal (exact solver)" in result.output
    factors = np.load(tmp_path / "xy.npz")
    support = read_case(support_file).support
    assert np.all(factors["X"][support.I.toarray() == 0] == 0)
    error = np.linalg.norm(target - factors["X"] @ factors["Y"].T)
    assert f"{error:.6g}"[:5] in result.output


def test_solve_labels_local_answers_and_rejects_bad_matrices(runner, tmp_path):
    path = tmp_path / "lu2.sup"
    path.write_text(LU_FILE)
    np.save(tmp_path / "A.npy", np.array([[0.0, 1.0], [1.0, 0.0]]))
    result = runner.invoke(main, ["solve", str(path), "--matrix", str(tmp_path / "A.npy")])
    assert result.exit_code == 0 and "NOT guaranteed" in result.output
    np.save(tmp_path / "wrong.npy", np.zeros((3, 3)))
    result = runner.invoke(main, ["solve", str(path), "--matrix", str(tmp_path / "wrong.npy")])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    (tmp_path / "junk.npy").write_bytes(b"not numpy")
    result = runner.invoke(main, ["solve", str(path), "--matrix", str(tmp_path / "junk.npy")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_solve_says_that_no_optimum_may_exist_on_a_not_closed_set(runner, tmp_path):
    path = tmp_path / "lu2.sup"
    path.write_text(LU_FILE)
    np.save(tmp_path / "A.npy", np.array([[0.0, 1.0], [1.0, 0.0]]))
    result = runner.invoke(main, ["solve", str(path), "--matrix", str(tmp_path / "A.npy")])
    assert result.exit_code == 0
    assert "NOT CLOSED: no optimum may exist" in result.output
    assert "limit A = E[0,1] + E[1,0]" in result.output
    result = runner.invoke(main, ["solve", str(path), "--matrix", str(tmp_path / "A.npy"), "--json"])
    assert json.loads(result.output)["no_optimum_may_exist"] is True
    chain = tmp_path / "lu3.sup"  # L · I · U: a chain of three factors, not chainable, not closed
    chain.write_text("W1:\n1 0\n1 1\nW2:\n1 0\n0 1\nW3:\n1 1\n0 1\n")
    result = runner.invoke(main, ["solve", str(chain), "--matrix", str(tmp_path / "A.npy")])
    assert result.exit_code == 0, result.output
    assert "local, not guaranteed" in result.output and "NOT CLOSED: no optimum may exist" in result.output
    assert "factor size Π‖W_ℓ‖_F" in result.output


def test_solve_factors_the_bit_reversed_dft_into_butterflies(runner, tmp_path):
    support_file = tmp_path / "bf.npz"
    assert runner.invoke(main, ["family", "butterfly", "5", "-o", str(support_file)]).exit_code == 0
    order = [int(format(i, "05b")[::-1], 2) for i in range(32)]
    target = np.fft.fft(np.eye(32))[:, order]
    np.save(tmp_path / "A.npy", target)
    out = tmp_path / "w.npz"
    for tree in ("left-to-right", "right-to-left", "balanced"):
        result = runner.invoke(main, ["solve", str(support_file), "--matrix", str(tmp_path / "A.npy"), "--tree", tree, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert "lower bound ≤ E*" in result.output and "error / lower bound" in result.output
        saved = np.load(out)
        product = np.eye(32, dtype=complex)
        for k in range(1, 6):
            shape = tuple(saved[f"W{k}_shape"])
            factor = np.zeros(shape, dtype=complex)
            factor[saved[f"W{k}_rows"], saved[f"W{k}_cols"]] = saved[f"W{k}_values"]
            product = product @ factor
        assert np.linalg.norm(product - target) <= 1e-12 * np.linalg.norm(target)
    report = json.loads(runner.invoke(main, ["solve", str(support_file), "--matrix", str(tmp_path / "A.npy"), "--json"]).output)
    assert report["relative_error"] <= 1e-12 and len(report["split_errors"]) == 4 and report["guarantee"] == 2.0
    np.save(tmp_path / "small.npy", np.zeros((4, 4)))
    result = runner.invoke(main, ["solve", str(support_file), "--matrix", str(tmp_path / "small.npy")])
    assert result.exit_code == 2 and "shape" in result.stderr and "Traceback" not in result.output


def test_check_writes_certificates_that_verify_accepts(runner, tmp_path):
    case = tmp_path / "lu2.sup"
    case.write_text(LU_FILE)
    certs = tmp_path / "certs"
    assert runner.invoke(main, ["check", "--certificates", str(certs), str(case)]).exit_code == 0
    written = certs / "lu2.json"
    accepted = runner.invoke(main, ["verify", str(written)])
    assert accepted.exit_code == 0 and ": OK" in accepted.output
    cert = json.loads(written.read_text())
    cert["limit"][0]["value"] = "2"  # a wrong limit entry
    written.write_text(json.dumps(cert))
    rejected = runner.invoke(main, ["verify", str(written)])
    assert rejected.exit_code == 1 and "REJECTED" in rejected.output


# --------------------------------------------------------------------------- issue 13: one line, exit 2, within 10 s
#
# Each input below once hung, ate all memory or printed a traceback.  They run as real
# processes of this checkout (cwd = the repository root), under a 4 GB address-space cap
# and a 10 s timeout, so a regression fails the test instead of the machine.

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from cli.main import main; main()"]
SECONDS = 10.0
ADDRESS_SPACE = 4 * 2**30


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_cli(*args: str, stdin: bytes = b"") -> tuple[subprocess.CompletedProcess, float]:
    """Run ``closure-check ARGS`` from this checkout; fail the test past :data:`SECONDS`."""
    start = time.monotonic()
    try:
        done = subprocess.run(
            [*CLI, *args], cwd=REPO, input=stdin, capture_output=True, timeout=SECONDS, preexec_fn=_cap_memory, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"closure-check {' '.join(args)} still running after {SECONDS:g} s")
    return done, time.monotonic() - start


def assert_one_line_exit_2(done: subprocess.CompletedProcess, elapsed: float, *fragments: str) -> str:
    """Exit status 2, exactly one line on stderr holding ``fragments``, no traceback, in time."""
    stderr = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and b"Traceback" not in done.stdout, stderr[-2000:]
    assert done.returncode == 2, (done.returncode, stderr[-2000:])
    lines = stderr.splitlines()
    assert len(lines) == 1 and stderr.endswith("\n"), stderr[-2000:]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert elapsed < SECONDS
    return lines[0]


@pytest.fixture(scope="module")
def matrix_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("matrix") / "A.npy"
    np.save(path, np.eye(2))
    return path


def test_fifo_without_a_writer_is_refused_not_waited_for(tmp_path):
    fifo = tmp_path / "pipe.sup"
    os.mkfifo(fifo)
    line = assert_one_line_exit_2(*run_cli("check", str(fifo)), "FIFO")
    assert line.startswith(f"{fifo}: ")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_not_read_forever():
    assert_one_line_exit_2(*run_cli("check", "/dev/zero"), "/dev/zero: ", "not a regular file")


def test_verify_a_certificate_holding_a_100001_digit_integer(tmp_path):
    cert = tmp_path / "huge.json"
    cert.write_text('{"format": "closure-check-certificate", "version": 1, "pattern": {"m": 1' + "0" * 100_000 + "}}")
    assert_one_line_exit_2(*run_cli("verify", str(cert)), f"{cert}: ", "100001 digits")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (an unwritable folder)")
def test_solve_output_that_cannot_be_written(matrix_file):
    assert_one_line_exit_2(
        *run_cli("solve", "cases/lu2.sup", "--matrix", str(matrix_file), "-o", "/proc/nope/x.npz"),
        "/proc/nope/x.npz: cannot write",
    )


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (an unwritable folder)")
def test_show_png_that_cannot_be_written():
    assert_one_line_exit_2(*run_cli("show", "cases/lu2.sup", "--png", "/proc/x.png"), "/proc/x.png: cannot write")


@pytest.mark.parametrize(
    "args",
    [
        ("butterfly", "40"),
        ("dense", "1e8", "1e8", "1e8"),
        ("lu", "1000000000000000000000000"),
        ("kaleidoscope", "1" + "0" * 59),
        ("lu", "1" * 100_001),
    ],
    ids=["butterfly-40", "dense-1e8", "lu-10^24", "kaleidoscope-10^59", "lu-100001-digits"],
)
def test_family_sizes_are_estimated_before_building(args):
    assert_one_line_exit_2(*run_cli("family", *args), f"closure-check family: {args[0]}: ")


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "abc", "1e400"])
def test_bad_budget_is_one_line(value):
    assert_one_line_exit_2(*run_cli("check", "cases/lu2.sup", "--budget", value), "--budget: ", repr(value))


def test_a_huge_pattern_is_not_written_as_text(tmp_path):
    target = tmp_path / "r.sup"
    assert_one_line_exit_2(
        *run_cli("family", "random", "100000", "100000", "100000", "5", "0", "-o", str(target)),
        f"{target}: cannot write", ".npz or .mtx",
    )
    assert not target.exists()


@pytest.mark.parametrize("suffix", [".json", ".mtx"])
def test_a_small_file_declaring_10_8_rows_is_refused(tmp_path, suffix):
    if suffix == ".json":
        path = tmp_path / "tall.json"
        path.write_text(json.dumps({"format": "closure-check-support", "version": 1,
                                    "I": {"shape": [10**8, 2], "nonzeros": [[0, 0]]},
                                    "J": {"shape": [2, 2], "nonzeros": [[0, 0]]}}))
    else:
        path = tmp_path / "tall.I.mtx"
        path.write_text("%%MatrixMarket matrix coordinate pattern general\n100000000 2 1\n1 1\n")
        (tmp_path / "tall.J.mtx").write_text("%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1\n")
    assert path.stat().st_size < 300
    assert_one_line_exit_2(*run_cli("check", str(path)), f"{path}:", "100000000", "too large")


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("show", "cases"), "cases: is a directory"),
        (("check", "no/such/file.sup"), "no/such/file.sup: no such file"),
        (("check",), "Missing argument"),
        (("check", "--bogus", "cases/lu2.sup"), "--bogus"),
        (("solve", "cases/lu2.sup", "--matrix", "cases"), "cases: is a directory"),
        (("solve", "cases/lu2.sup", "--matrix", "/dev/zero"), "not a regular file"),
        (("solve", "cases/lu2.sup", "--matrix", "x.npy", "--seed", "-1"), "--seed: "),
        (("family", "lu", "3", "-o", "cases"), "cases: cannot write"),
    ],
)
def test_bad_paths_and_option_values_are_one_line(args, fragment):
    assert_one_line_exit_2(*run_cli(*args), fragment)


def test_dash_reads_standard_input():
    done, _ = run_cli("check", "-", stdin=Path(REPO / "cases" / "lu2.sup").read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("-: NOT-CLOSED")
    done, _ = run_cli("show", "-", stdin=b"name: from-pipe\nI:\n10\n11\nJ:\n10\n11\n")
    assert done.returncode == 0 and "from-pipe" in done.stdout.decode()
    assert_one_line_exit_2(*run_cli("show", "-", stdin=b"I:\n12\n"), "<stdin>:2: ")
    assert_one_line_exit_2(*run_cli("check", "-", stdin=b"0" * (5 * 2**20)), "<stdin>: ", "4 MiB")


def test_dash_with_the_click_runner(runner):
    result = runner.invoke(main, ["check", "-"], input=LU_FILE)
    assert result.exit_code == 0 and "NOT-CLOSED" in result.output


def test_check_json_certificate_on_lu2_verifies(runner):
    from closure_check.verifier import verify_certificate

    result = runner.invoke(main, ["check", "--json", "--certificate", str(ROOT / "cases" / "lu2.sup")])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert line["verdict"] == "not-closed"
    certificate = line["certificate"]
    assert certificate["verdict"] == "not-closed" and certificate["name"] == "lu2"
    report = verify_certificate(certificate)
    assert report.ok, report
    plain = json.loads(runner.invoke(main, ["check", "--json", str(ROOT / "cases" / "lu2.sup")]).output)
    assert "certificate" not in plain  # only on request


def test_check_certificate_without_json_is_bad_input(runner):
    result = runner.invoke(main, ["check", "--certificate", str(ROOT / "cases" / "lu2.sup")])
    assert result.exit_code == 2 and "--json" in result.output
