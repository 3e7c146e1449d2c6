"""Exports for Macaulay2, Singular, QEPCAD B and SMT-LIB 2, each checked by the real program.

No test compares export text with expected text (except that the SMT-LIB membership
query is the library's own :func:`~closure_check.algebra.real.smtlib_query`): every file
is handed to the program it is written for and the program's answer is checked.  A test
whose program is missing is skipped with the package to install; CI installs them all
(``apt-get install singular qepcad macaulay2``).
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import click
import numpy as np
import pytest
import sympy
import z3
from click.testing import CliRunner

from cli.export_cmd import export
from closure_check.algebra.real import smtlib_query
from closure_check.algebra.system import membership_system
from closure_check.export import ExportError, export_problem, parse_entries
from closure_check.families import dense, diagonal, lu
from closure_check.io import read_case

CASES = Path(__file__).resolve().parent.parent / "cases"
ANTI_IDENTITY = {(0, 1): 1, (1, 0): 1}  # a limit of LU products, not an LU product
FACTORISABLE = [[1, 1], [1, 2]]  # = [[1,0],[1,1]] · [[1,1],[0,1]]
TIMEOUT = 60

PROGRAMS = {  # binary: (what the skip says, apt package)
    "Singular": ("Singular", "singular"),
    "qepcad": ("qepcad", "qepcad"),
    "M2": ("Macaulay2", "macaulay2"),
}


def need(binary: str) -> str:
    """The path of ``binary``, or skip the test naming the package to install."""
    path = shutil.which(binary)
    if path is None:
        label, package = PROGRAMS[binary]
        pytest.skip(f"{label} not installed (apt-get install {package})")
    return path


def run(command: list[str], tmp_path: Path, text: str, suffix: str, stdin: bool = False) -> str:
    """Write ``text`` to a file, run the program on it (60 s at most), return stdout."""
    path = tmp_path / f"problem{suffix}"
    path.write_text(text)
    if stdin:
        with path.open() as handle:
            done = subprocess.run(command, stdin=handle, capture_output=True, text=True, timeout=TIMEOUT)
    else:
        done = subprocess.run(command + [str(path)], capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{command[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def case(name: str):
    return read_case(CASES / f"{name}.sup").support


# ------------------------------------------------------------------------ z3 / SMT-LIB


def z3_answer(text: str, extra: str = "") -> tuple[z3.CheckSatResult, z3.Solver]:
    """z3's answer on the SMT-LIB text, in a fresh context.

    A fresh context per query, as the z3 binary would have: in a shared context z3's
    answer on the closedness sentence of ``overlap_2x3`` turns from sat (0.1 s) to
    unknown after earlier queries.
    """
    solver = z3.SolverFor("NRA", ctx=z3.Context())
    solver.set("timeout", TIMEOUT * 1000)
    solver.from_string(text.replace("(check-sat)\n", "") + extra)
    return solver.check(), solver


def test_smt2_membership_is_the_librarys_query():
    text = export_problem(lu(2), "smt2", at=ANTI_IDENTITY)
    body = "".join(line + "\n" for line in text.splitlines() if not line.startswith(";"))
    query = "".join(line + "\n" for line in smtlib_query(membership_system(lu(2), ANTI_IDENTITY)).splitlines() if not line.startswith(";"))
    assert body == query


def test_z3_smt2_membership_lu2_anti_identity_is_unsat():
    answer, _ = z3_answer(export_problem(lu(2), "smt2", at=ANTI_IDENTITY))
    assert answer == z3.unsat


def test_z3_smt2_membership_lu2_factorisable_is_sat_with_a_true_factorisation():
    answer, solver = z3_answer(export_problem(lu(2), "smt2", at=FACTORISABLE))
    assert answer == z3.sat
    system = membership_system(lu(2), FACTORISABLE)
    model = {d.name(): model_value for d, model_value in ((d, solver.model()[d]) for d in solver.model().decls())}
    point = [Fraction(model[name].as_fraction()) if name in model else Fraction(0) for name in system.names]
    assert system.is_solution(point)


def test_z3_smt2_membership_rational_target():
    # [[1/2, 1/3], [1, 1/3 + 5]]: a11 ≠ 0, so an LU product
    target = {(0, 0): Fraction(1, 2), (0, 1): Fraction(1, 3), (1, 0): 1, (1, 1): Fraction(16, 3)}
    assert z3_answer(export_problem(lu(2), "smt2", at=target))[0] == z3.sat
    assert z3_answer(export_problem(lu(2), "smt2", at={(0, 1): Fraction(-2, 7), (1, 0): Fraction(1, 3)}))[0] == z3.unsat


def test_z3_smt2_symbolic_membership_after_fixing_a():
    text = export_problem(lu(2), "smt2")
    anti = "".join(f"(assert (= |a_{i}_{j}| {float(v)}))\n" for (i, j), v in {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0}.items())
    fact = "".join(f"(assert (= |a_{i}_{j}| {float(FACTORISABLE[i][j])}))\n" for i in range(2) for j in range(2))
    assert z3_answer(text, anti)[0] == z3.unsat
    assert z3_answer(text, fact)[0] == z3.sat
    assert z3_answer(text)[0] == z3.sat  # A free: some A is a product


@pytest.mark.parametrize(
    "support, expected",
    [
        (lu(2), z3.sat),  # not closed
        (diagonal(2), z3.unsat),  # closed
        (case("row_and_column_complete"), z3.unsat),  # closed
        (case("overlap_2x3"), z3.sat),  # not closed
        (lu(2).to_chain(), z3.sat),  # the same set as a chain
    ],
    ids=["lu2", "diagonal2", "row-and-column-complete", "overlap-2x3", "lu2-chain"],
)
def test_z3_smt2_closedness_sentence(support, expected):
    answer, solver = z3_answer(export_problem(support, "smt2", "closedness"))
    assert answer == expected
    if answer == z3.sat and support.shape == (2, 2):
        # the limit point z3 names is not a product: check with the membership query
        model = solver.model()
        value = {d.name(): model[d].as_fraction() for d in model.decls()}
        A = {(i, j): Fraction(value.get(f"a_{i}_{j}", 0)) for i in range(2) for j in range(2)}
        assert z3_answer(export_problem(support, "smt2", at=A))[0] == z3.unsat


def test_z3_smt2_closedness_agrees_with_the_baseline():
    from closure_check.algebra.baseline import baseline_verdict

    verdict = {"sat": "not-closed", "unsat": "closed"}
    for support in (lu(2), diagonal(2), case("lu_shared_corner")):
        ours = z3_answer(export_problem(support, "smt2", "closedness"))[0]
        assert verdict[str(ours)] == baseline_verdict(support, seconds=TIMEOUT).verdict


# -------------------------------------------------------------------------- Singular


def singular_generators(output: str) -> list[str]:
    """The generators ``_[k]=…`` printed by Singular, in order."""
    return [line.split("=", 1)[1].strip() for line in output.splitlines() if re.match(r"_\[\d+\]=", line.strip())]


def test_singular_lu2_anti_identity_gives_the_unit_ideal(tmp_path):
    singular = need("Singular")
    output = run([singular, "-q"], tmp_path, export_problem(lu(2), "singular", at=ANTI_IDENTITY), ".sing")
    assert singular_generators(output) == ["1"]


def test_singular_lu2_factorisable_is_not_the_unit_ideal(tmp_path):
    singular = need("Singular")
    output = run([singular, "-q"], tmp_path, export_problem(lu(2), "singular", at=FACTORISABLE), ".sing")
    generators = singular_generators(output)
    assert generators and "1" not in generators
    assert all(re.search(r"[xy]_\d_\d", g) for g in generators)


def test_singular_symbolic_membership_runs(tmp_path):
    singular = need("Singular")
    output = run([singular, "-q"], tmp_path, export_problem(lu(2), "singular"), ".sing")
    generators = singular_generators(output)
    assert len(generators) >= 4 and "1" not in generators


def _ideal_equals(generators: list[str], expected: list[str]) -> bool:
    """Same polynomials up to order and sign (enough for the principal ideals tested)."""
    parsed = sorted(str(sympy.expand(sympy.sympify(g.replace("^", "**")))) for g in generators if g != "0")
    wanted = sorted(str(sympy.expand(sympy.sympify(e))) for e in expected)
    negated = sorted(str(sympy.expand(-sympy.sympify(e))) for e in expected)
    return parsed == wanted or parsed == negated


def test_singular_image_zariski_closures(tmp_path):
    singular = need("Singular")
    output = run([singular, "-q"], tmp_path, export_problem(lu(2), "singular", "image"), ".sing")
    assert singular_generators(output) == ["0"]  # LU products are Zariski dense
    output = run([singular, "-q"], tmp_path, export_problem(case("rank_one_2x2"), "singular", "image"), ".sing")
    assert _ideal_equals(singular_generators(output), ["a_0_0*a_1_1 - a_0_1*a_1_0"])


# ------------------------------------------------------------------------- Macaulay2


def m2_value(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    assert lines, output
    return re.sub(r"([a-z]\d*)_\((\d+),(\d+)\)", r"\1_\2_\3", lines[-1])


def test_m2_lu2_membership(tmp_path):
    m2 = need("M2")
    assert m2_value(run([m2, "--script"], tmp_path, export_problem(lu(2), "m2", at=ANTI_IDENTITY), ".m2")) == "matrix {{1}}"
    value = m2_value(run([m2, "--script"], tmp_path, export_problem(lu(2), "m2", at=FACTORISABLE), ".m2"))
    assert value.startswith("matrix {{") and value != "matrix {{1}}"


def test_m2_symbolic_membership_runs(tmp_path):
    m2 = need("M2")
    value = m2_value(run([m2, "--script"], tmp_path, export_problem(lu(2), "m2"), ".m2"))
    assert value.startswith("matrix {{") and value != "matrix {{1}}"


def test_m2_image_zariski_closures(tmp_path):
    m2 = need("M2")
    assert m2_value(run([m2, "--script"], tmp_path, export_problem(lu(2), "m2", "image"), ".m2")) == "ideal()"
    value = m2_value(run([m2, "--script"], tmp_path, export_problem(case("rank_one_2x2"), "m2", "image"), ".m2"))
    match = re.fullmatch(r"ideal\((.*)\)", value) or re.fullmatch(r"ideal (.*)", value)
    assert match, value
    assert _ideal_equals([match.group(1)], ["a_0_0*a_1_1 - a_0_1*a_1_0"])


# ---------------------------------------------------------------------------- QEPCAD


def qepcad_formula(output: str) -> str:
    """The formula after "An equivalent quantifier-free formula:" (possibly several lines)."""
    match = re.search(r"An equivalent quantifier-free formula:\s*\n(.*?)\n\s*\n", output, re.S)
    assert match, output
    return " ".join(match.group(1).split())


def qepcad_predicate(formula: str, variables: list[str]):
    """Turn a QEPCAD (Tarski) formula into a Python function of the variables."""
    tokens = re.findall(r"/\\|\\/|/=|<=|>=|==>|<==|[A-Za-z]\w*|\d+|[-+^=<>~\[\]()]|\S", formula)
    pieces: list[str] = []
    previous = ""
    translate = {"/\\": " and ", "\\/": " or ", "~": " not ", "/=": "!=", "=": "==", "^": "**", "[": "(", "]": ")", "TRUE": "True", "FALSE": "False"}
    for token in tokens:
        if token in ("==>", "<=="):
            raise AssertionError(f"implication in QEPCAD output not handled: {formula}")
        if token[0].isalpha() and token not in ("TRUE", "FALSE") and token not in variables:
            raise AssertionError(f"unexpected name {token!r} in {formula!r} (extended Tarski formula?)")
        operand = token[0].isalnum() or token == "("
        if operand and (previous[:1].isalnum() or previous == ")") and previous not in ("TRUE", "FALSE"):
            pieces.append("*")  # QEPCAD writes products by juxtaposition
        pieces.append(translate.get(token, token))
        previous = token
    source = "".join(pieces)
    code = compile(f"lambda {', '.join(variables)}: bool({source})", "<qepcad>", "eval")
    return eval(code, {"__builtins__": {"bool": bool}})


def test_qepcad_formula_parser():
    predicate = qepcad_predicate("a12 = 0 \\/ a11 /= 0 \\/ [ a11 a22 - 2 a12^2 > 0 /\\ a21 = 0 ]", ["a11", "a12", "a21", "a22"])
    assert predicate(0, 0, 1, 5) and not predicate(0, 1, 1, 5) and predicate(1, 1, 1, 1)
    pure = qepcad_predicate("[ a11 a22 - 2 a12^2 > 0 /\\ a21 = 0 ]", ["a11", "a12", "a21", "a22"])
    assert pure(1, 1, 0, 3) and not pure(1, 1, 0, 2) and not pure(1, 1, 1, 3)


def test_qepcad_lu2_image_is_a12_zero_or_a11_nonzero_or_a21_zero(tmp_path):
    qepcad = need("qepcad")
    output = run([qepcad, "-noecho"], tmp_path, export_problem(lu(2), "qepcad", "image"), ".qe", stdin=True)
    assert "may not be valid" not in output
    names = ["a11", "a12", "a21", "a22"]
    image = qepcad_predicate(qepcad_formula(output), names)
    for a11, a12, a21, a22 in itertools.product(range(-2, 3), repeat=4):
        assert image(a11, a12, a21, a22) == (a12 == 0 or a11 != 0 or a21 == 0), (a11, a12, a21, a22)


def test_qepcad_lu2_image_agrees_with_z3_membership(tmp_path):
    qepcad = need("qepcad")
    output = run([qepcad, "-noecho"], tmp_path, export_problem(lu(2), "qepcad"), ".qe", stdin=True)
    image = qepcad_predicate(qepcad_formula(output), ["a11", "a12", "a21", "a22"])
    for values in itertools.product(range(-1, 2), repeat=4):
        target = {(k // 2, k % 2): v for k, v in enumerate(values)}
        answer = z3_answer(export_problem(lu(2), "smt2", at=target))[0]
        assert answer in (z3.sat, z3.unsat)
        assert image(*values) == (answer == z3.sat), values


def test_qepcad_rank_one_image_is_the_determinant_hypersurface(tmp_path):
    qepcad = need("qepcad")
    output = run([qepcad, "-noecho"], tmp_path, export_problem(case("rank_one_2x2"), "qepcad", "image"), ".qe", stdin=True)
    image = qepcad_predicate(qepcad_formula(output), ["a11", "a12", "a21", "a22"])
    for a in itertools.product(range(-2, 3), repeat=4):
        assert image(*a) == (a[0] * a[3] - a[1] * a[2] == 0), a


def test_qepcad_lu2_membership(tmp_path):
    qepcad = need("qepcad")
    anti = run([qepcad, "-noecho"], tmp_path, export_problem(lu(2), "qepcad", at=ANTI_IDENTITY), ".qe", stdin=True)
    fact = run([qepcad, "-noecho"], tmp_path, export_problem(lu(2), "qepcad", at=FACTORISABLE), ".qe", stdin=True)
    assert qepcad_formula(anti) == "FALSE"
    assert qepcad_formula(fact) == "TRUE"


@pytest.mark.parametrize("support", [dense(1, 1, 1), diagonal(2)], ids=["1x1", "diagonal2"])
def test_qepcad_closedness_of_small_closed_sets_is_false(tmp_path, support):
    qepcad = need("qepcad")
    output = run([qepcad, "-noecho", "+N50000000"], tmp_path, export_problem(support, "qepcad", "closedness"), ".qe", stdin=True)
    assert qepcad_formula(output) == "FALSE"  # the sentence says "not closed"


def test_qepcad_names_are_letters_and_digits():
    big = dense(10, 2, 1)
    text = export_problem(big, "qepcad", "image")
    variables = text.splitlines()[1].strip("()").split(",")
    assert all(re.fullmatch(r"[a-z][a-z0-9]*", v) for v in variables)
    assert len(set(variables)) == len(variables) == 10 * 2 + 10 + 2
    assert "a10c2" in variables and "x10c1" in variables


# ----------------------------------------------------------------------- the library


def test_parse_entries():
    assert parse_entries("0,1=1;1,0=-1/2; 1,1=0.25", (2, 2)) == {(0, 1): 1, (1, 0): Fraction(-1, 2), (1, 1): Fraction(1, 4)}
    for bad in ("0,1", "0,1=x", "2,0=1", "0,1=1;0,1=2", "0,1=1/0"):
        with pytest.raises(ValueError):
            parse_entries(bad, (2, 2))


@pytest.mark.parametrize(
    "to, problem, at",
    [("m2", "closedness", None), ("singular", "closedness", None), ("smt2", "image", None), ("qepcad", "image", ANTI_IDENTITY), ("tex", "membership", None)],
)
def test_unsupported_combinations_raise(to, problem, at):
    with pytest.raises(ExportError):
        export_problem(lu(2), to, problem, at)


def test_polynomials_are_expanded_without_leading_plus():
    for to in ("m2", "singular", "qepcad"):
        for problem, at in (("membership", FACTORISABLE), ("membership", None), ("image", None)):
            text = export_problem(lu(2), to, problem, at)
            body = [line for line in text.splitlines() if not line.startswith(("//", "--"))]
            assert not any(re.search(r"(\(|, |= )\+", line) for line in body), text
            if to != "qepcad":
                assert not any("*(" in line for line in body)


# ------------------------------------------------------------------------------- CLI


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        """Test group."""

    group.add_command(export)
    return group


def test_cli_export_writes_singular_that_singular_reads(cli, tmp_path):
    out = tmp_path / "lu2.sing"
    result = CliRunner().invoke(cli, ["export", str(CASES / "lu2.sup"), "--to", "singular", "--at", "0,1=1;1,0=1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {out}"
    singular = need("Singular")
    done = subprocess.run([singular, "-q", str(out)], capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert singular_generators(done.stdout) == ["1"]


def test_cli_export_to_stdout_and_npy_target(cli, tmp_path):
    target = tmp_path / "A.npy"
    np.save(target, np.array([[1.0, 1.0], [1.0, 2.0]]))
    result = CliRunner().invoke(cli, ["export", str(CASES / "lu2.sup"), "--to", "smt2", "--at", str(target)])
    assert result.exit_code == 0, result.output
    assert z3_answer(result.stdout)[0] == z3.sat
    result = CliRunner().invoke(cli, ["export", str(CASES / "lu2.sup"), "--to", "smt2", "--problem", "closedness"])
    assert result.exit_code == 0 and z3_answer(result.stdout)[0] == z3.sat


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--to", "m2", "--problem", "closedness"], "closedness"),
        (["--to", "smt2", "--problem", "image"], "image"),
        (["--to", "smt2", "--at", "0,1=1;5,5=1"], "outside"),
        (["--to", "smt2", "--at", "0;1"], "bad entry"),
        (["--to", "qepcad", "--problem", "image", "--at", "0,1=1"], "membership"),
        (["--to", "smt2", "--at", "missing.npy"], "missing.npy: no such file"),
    ],
)
def test_cli_export_bad_input_exits_2_with_one_line(cli, args, needle):
    result = CliRunner().invoke(cli, ["export", str(CASES / "lu2.sup")] + args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]


def test_cli_export_bad_npy_and_bad_file(cli, tmp_path):
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((3, 3)))
    result = CliRunner().invoke(cli, ["export", str(CASES / "lu2.sup"), "--to", "smt2", "--at", str(wrong)])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    junk = tmp_path / "junk.npy"
    junk.write_bytes(b"")
    result = CliRunner().invoke(cli, ["export", str(CASES / "lu2.sup"), "--to", "smt2", "--at", str(junk)])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "nope.sup"), "--to", "m2"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
