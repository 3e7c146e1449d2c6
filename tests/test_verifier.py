"""Certificates as JSON, the independent verifier, and certificates rendered as proofs.

Every certificate the classifier writes must verify; every mutation of a valid
certificate must be rejected with a message naming what failed; the verifier must not
depend on the deciding code (only the standard library and its own modules).
"""

from __future__ import annotations

import ast
import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.certify_cmd import certify, verify
from closure_check.core.case import Verdict
from closure_check.core.enumerate import enumerate_patterns
from closure_check.core.graph import RankOneStructure
from closure_check.core.support import TwoFactorSupport
from closure_check.decide import check
from closure_check.families import butterfly_split, lu
from closure_check.io import read_case
from closure_check.output.certificate_json.two_factor import (
    CertificateFileError,
    certificate_json,
    certificate_text,
    dump_certificate,
    load_certificate,
)
from closure_check.output.proof_text import (
    render_certificate_latex,
    render_certificate_markdown,
)
from closure_check.result import CheckResult
from closure_check.two_factor.engine import certify_limit
from closure_check.two_factor.reduce import reduce_component
from closure_check.verifier import verify_certificate

ROOT = Path(__file__).parent.parent
VERIFIER = ROOT / "closure_check" / "verifier"
CASES = sorted(glob.glob(str(ROOT / "cases" / "*.sup")))

# A 2×3 pattern the rules leave open; the engine refutes it with a Nullstellensatz
# identity (found by running check(..., budget=5) over the small patterns).
NULLSTELLENSATZ_PATTERN = TwoFactorSupport.from_dense([[1, 1, 1], [0, 1, 1]], [[1, 1, 1], [0, 1, 0], [0, 0, 1]])
NULLSTELLENSATZ_LIMIT = {(0, 1): Fraction(1), (0, 2): Fraction(1), (1, 0): Fraction(1)}
# Closed by the Zariski-closure criterion (an engine record).
ZARISKI_PATTERN = TwoFactorSupport.from_dense([[1, 1, 1], [0, 1, 1]], [[1, 1, 0], [0, 1, 1], [0, 0, 1]])


def as_json(cert: dict) -> dict:
    """The certificate as it comes back from a file."""
    return json.loads(certificate_text(cert))


def cert_for(support: TwoFactorSupport, budget: float = 0.0, name: str = "") -> dict:
    return as_json(certificate_json(support, check(support, budget=budget), name=name))


def nullstellensatz_cert() -> dict:
    """A certificate whose proof is a Nullstellensatz identity, built with the engine directly."""
    structure = RankOneStructure.build(NULLSTELLENSATZ_PATTERN)
    reduction = reduce_component(structure, 0)
    outcome = certify_limit(structure, reduction.parts[0], NULLSTELLENSATZ_LIMIT, 20.0)
    assert outcome is not None and outcome.certificate.identity is not None
    result = CheckResult(Verdict.NOT_CLOSED, (outcome.text,), certificate=outcome.certificate)
    return as_json(certificate_json(NULLSTELLENSATZ_PATTERN, result, name="nullstellensatz-2x3"))


def assert_verifies(cert: dict) -> None:
    report = verify_certificate(cert)
    assert report.ok, report.problems
    assert report.checked


def assert_rejected(cert: dict, fragment: str) -> None:
    report = verify_certificate(cert)
    assert not report.ok
    assert any(fragment in problem for problem in report.problems), report.problems


@pytest.fixture(scope="module")
def lu2() -> dict:
    return cert_for(lu(2), name="lu2")


@pytest.fixture(scope="module")
def ns() -> dict:
    return nullstellensatz_cert()


# ----------------------------------------------------------------------------- certificates verify


@pytest.mark.parametrize("path", CASES, ids=[Path(p).stem for p in CASES])
def test_every_case_certificate_verifies(path):
    case = read_case(path)
    cert = cert_for(case.support, budget=5.0, name=case.name)
    assert cert["verdict"] == case.expect.value
    assert_verifies(cert)


@pytest.mark.parametrize("n", range(2, 6))
def test_lu_certificates_verify(n):
    cert = cert_for(lu(n), budget=5.0)
    assert cert["verdict"] == "not-closed" and cert["proof"]["kind"] == "combinatorial"
    report = verify_certificate(cert)
    assert report.ok and report.trusted == []


def test_every_small_not_closed_pattern_has_a_verifying_certificate():
    """All 2×2 and 2×3 patterns with at most 3 units (engine budget 1 s per open part)."""
    lemmas: dict[str, int] = {}
    for m, n in [(2, 2), (2, 3)]:
        for support in enumerate_patterns(m, n, 3):
            result = check(support, budget=1.0)
            if result.verdict is not Verdict.NOT_CLOSED:
                continue
            cert = as_json(certificate_json(support, result))
            assert_verifies(cert)
            lemmas[cert["proof"]["lemma"]] = lemmas.get(cert["proof"]["lemma"], 0) + 1
    assert lemmas.get("local-LU lemma", 0) >= 20 and "shared-rows lemma" in lemmas
    assert sum(lemmas.values()) >= 23


def test_the_open_pattern_is_refuted_and_verifies():
    cert = cert_for(NULLSTELLENSATZ_PATTERN, budget=5.0)
    assert cert["verdict"] == "not-closed"
    assert_verifies(cert)


def test_a_nullstellensatz_certificate_verifies(ns):
    assert ns["proof"]["kind"] == "nullstellensatz"
    identity = ns["proof"]["identity"]
    assert identity["constant"] != "0" and len(identity["equations"]) == 6
    report = verify_certificate(ns)
    assert report.ok, report.problems
    assert any("Nullstellensatz identity re-derived" in line for line in report.checked)
    assert report.trusted == []


def test_shared_columns_certificate_verifies():
    support = read_case(ROOT / "cases" / "overlap_2x3.sup").support.transpose()
    cert = cert_for(support)
    assert cert["proof"]["lemma"] == "shared-columns lemma"
    assert_verifies(cert)


@pytest.mark.parametrize(
    "support, claim",
    [
        (butterfly_split(4, 2), "single-class"),
        (read_case(ROOT / "cases" / "row_and_column_complete.sup").support, "all-classes-complete"),
    ],
    ids=["butterfly-split", "complete"],
)
def test_closed_certificates_verify_and_say_what_they_rest_on(support, claim):
    cert = cert_for(support)
    assert cert["verdict"] == "closed"
    assert {c["claim"] for c in cert["structure"]["components"]} == {claim}
    report = verify_certificate(cert)
    assert report.ok, report.problems
    assert "structural lemma" in report.trusted
    assert any("cannot re-prove" in line for line in report.checked)


def test_engine_decided_closed_certificate_lists_its_record():
    cert = cert_for(ZARISKI_PATTERN, budget=3.0)
    if cert["verdict"] != "closed" or not cert["records"]:
        pytest.skip("no engine criterion decided this pattern here")
    report = verify_certificate(cert)
    assert report.ok, report.problems
    assert cert["records"] and any("engine record" in item for item in report.trusted)


def unknown_cert() -> dict:
    result = CheckResult(Verdict.UNKNOWN, (), undecided=("component 0, part [...]: no rule applies",))
    return as_json(certificate_json(ZARISKI_PATTERN, result, name="open"))


def test_unknown_certificate_claims_nothing():
    cert = unknown_cert()
    assert cert["verdict"] == "unknown" and cert["undecided"]
    report = verify_certificate(cert)
    assert report.ok and any("claims nothing" in line for line in report.checked)


# ----------------------------------------------------------------------------- mutations are rejected


def test_changed_curve_coefficient_is_rejected(lu2):
    cert = copy.deepcopy(lu2)
    entry = next(e for e in cert["curve"]["X"] if e["entry"] == [1, 1])
    entry["laurent"] = {"-1": "-2"}
    assert_rejected(cert, "entry (1,1) of X(t)Y(t)ᵀ keeps t^-1")


def test_x_entry_outside_i_is_rejected(lu2):
    cert = copy.deepcopy(lu2)
    entry = next(e for e in cert["curve"]["X"] if e["entry"] == [0, 0])
    entry["entry"] = [0, 1]
    assert_rejected(cert, "X(t) entry (0,1) outside I")


def test_y_entry_outside_j_is_rejected(lu2):
    cert = copy.deepcopy(lu2)
    cert["curve"]["Y"].append({"entry": [0, 1], "laurent": {"2": "1"}})
    assert_rejected(cert, "Y(t) entry (0,1) outside J")


def test_wrong_limit_entry_is_rejected(lu2):
    cert = copy.deepcopy(lu2)
    cert["limit"][0]["value"] = "2"
    assert_rejected(cert, "constant term at (0,1) is 1, limit says 2")


def test_limit_missing_a_nonzero_cell_is_rejected(lu2):
    cert = copy.deepcopy(lu2)
    cert["limit"] = cert["limit"][1:]
    assert_rejected(cert, "constant term at (0,1) is 1, limit says 0")


def test_wrong_obstruction_unit_is_rejected(lu2):
    cert = copy.deepcopy(lu2)
    cert["proof"]["obstruction_units"] = [1]
    assert_rejected(cert, "is also covered by unit(s) [0], not obstruction units [1]")


def test_wrong_local_lu_roles_are_rejected(lu2):
    cert = copy.deepcopy(lu2)
    cert["proof"]["roles"]["rows"] = [1, 0]
    assert_rejected(cert, "are not the L")


def test_shared_rows_with_swapped_roles_is_rejected():
    cert = cert_for(read_case(ROOT / "cases" / "overlap_2x3.sup").support)
    roles = cert["proof"]["roles"]
    roles["cols"] = roles["cols"][::-1]
    assert_rejected(cert, "the lemma allows only")


def test_broken_nullstellensatz_cofactor_is_rejected(ns):
    cert = copy.deepcopy(ns)
    equation = next(e for e in cert["proof"]["identity"]["equations"] if e["c"])
    equation["c"][0][0] = str(Fraction(equation["c"][0][0]) * 2)
    assert_rejected(cert, "Nullstellensatz identity expands to")


def test_nullstellensatz_equation_not_of_the_system_is_rejected(ns):
    cert = copy.deepcopy(ns)
    equation = next(e for e in cert["proof"]["identity"]["equations"] if e["cell"] == [0, 1])
    equation["f"] = [["1", {"x_0_1": 1, "y_1_1": 1}], ["-2", {}]]
    assert_rejected(cert, "the equation for cell (0,1) is")


def test_nullstellensatz_with_a_wrong_obstruction_unit_is_rejected(ns):
    cert = copy.deepcopy(ns)
    cert["proof"]["obstruction_units"] = [1, 2]
    assert_rejected(cert, "also covered by unit(s) [0]")


def test_wrong_version_and_format_are_rejected(lu2):
    cert = copy.deepcopy(lu2)
    cert["version"] = 3
    assert_rejected(cert, "unsupported version 3")
    cert = copy.deepcopy(lu2)
    cert["format"] = "something-else"
    assert_rejected(cert, "unknown format 'something-else'")


def test_closed_claims_are_rechecked():
    cert = cert_for(butterfly_split(4, 2))
    wrong = copy.deepcopy(cert)
    wrong["structure"]["classes"][0]["rows"] = list(range(16))
    assert_rejected(wrong, "unit 0 of class 0 has rectangle")
    merged = copy.deepcopy(cert)
    components = merged["structure"]["components"]
    components[0]["classes"] += components.pop(1)["classes"]
    assert_rejected(merged, "component 0 claims a single class but has 2")
    lu_closed = cert_for(lu(2))
    lu_closed.update(verdict="closed", tractability="disjoint-or-identical", parts=cert["parts"], records=[])
    lu_closed["structure"] = {
        "empty_units": [],
        "classes": [{"units": [0], "rows": [0, 1], "cols": [0, 1]}, {"units": [1], "rows": [1], "cols": [1]}],
        "components": [{"classes": [0], "claim": "single-class", "lemmas": ["x"]},
                       {"classes": [1], "claim": "single-class", "lemmas": ["x"]}],
    }
    assert_rejected(lu_closed, "cell (1,1) lies in components 0 and 1")


def test_malformed_certificates_give_problems_not_exceptions(lu2):
    for bad in (None, [], "x", {"format": "closure-check-certificate", "version": True}):
        assert not verify_certificate(bad).ok
    # delete or corrupt every field, one at a time
    def paths(obj, prefix=()):
        if isinstance(obj, dict):
            for key, value in obj.items():
                yield prefix + (key,)
                yield from paths(value, prefix + (key,))
        elif isinstance(obj, list):
            for index, value in enumerate(obj):
                yield prefix + (index,)
                yield from paths(value, prefix + (index,))

    rejected = 0
    for path in list(paths(lu2)):
        for replacement in (None, "0.5", -1, True, {"a": 1}):
            cert = copy.deepcopy(lu2)
            target = cert
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = replacement
            report = verify_certificate(cert)   # never raises
            rejected += not report.ok
    assert rejected > 100


# ----------------------------------------------------------------------------- independence


def test_verifier_imports_only_the_standard_library_and_itself():
    allowed = set(sys.stdlib_module_names) | {"__future__"}
    for path in sorted(VERIFIER.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    assert node.level == 1, (path.name, node.module)
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


CHILD = textwrap.dedent(
    """
    import json, sys, types
    package = types.ModuleType("closure_check")      # the package, without running its __init__
    package.__path__ = [sys.argv[1]]
    sys.modules["closure_check"] = package
    import closure_check.verifier as verifier
    report = verifier.verify_certificate(json.loads(sys.stdin.read()))
    others = sorted(n for n in sys.modules if n.startswith("closure_check") and n != "closure_check"
                    and not n.startswith("closure_check.verifier"))
    heavy = sorted(n for n in ("numpy", "scipy", "flint", "z3", "sympy", "networkx", "click") if n in sys.modules)
    print(json.dumps({"ok": report.ok, "others": others, "heavy": heavy}))
    """
)


def test_verifier_runs_without_the_rest_of_the_library(lu2):
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT / "closure_check")],
        input=json.dumps(lu2), capture_output=True, text=True, timeout=60, check=True,
    )
    answer = json.loads(done.stdout)
    assert answer == {"ok": True, "others": [], "heavy": []}


def test_verifier_folder_works_when_copied_out(tmp_path, ns):
    shutil.copytree(VERIFIER, tmp_path / "standalone_verifier", ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import standalone_verifier as v; "
        "r = v.verify_certificate(json.load(sys.stdin)); "
        "print(r.ok, any(n.startswith('closure_check') for n in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], input=json.dumps(ns),
        capture_output=True, text=True, timeout=60, check=True, cwd=tmp_path,
    )
    assert done.stdout.split() == ["True", "False"]


# ----------------------------------------------------------------------------- files


def test_dump_and_load_round_trip(tmp_path, ns):
    path = dump_certificate(ns, tmp_path / "ns.json")
    assert load_certificate(path) == ns
    first = path.read_text(encoding="utf-8")
    dump_certificate(load_certificate(path), path)
    assert path.read_text(encoding="utf-8") == first          # deterministic
    assert first == certificate_text(ns) and first.endswith("\n")


def test_load_reports_unreadable_files(tmp_path):
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "bytes.json").write_bytes(b"\xff\xfe\x00")
    for name, fragment in (("bad.json", "not valid JSON"), ("bytes.json", "not UTF-8"), ("missing.json", "no such file")):
        with pytest.raises(CertificateFileError, match=fragment):
            load_certificate(tmp_path / name)


# ----------------------------------------------------------------------------- rendering


def balanced_latex(text: str) -> None:
    """Braces balance (ignoring escaped ones), environments nest, ``$`` pairs up."""
    depth, dollars, index = 0, 0, 0
    while index < len(text):
        char = text[index]
        if char == "%" and (index == 0 or text[index - 1] != "\\"):
            index = text.find("\n", index)
            index = len(text) if index < 0 else index
            continue
        if char == "\\":
            index += 2 if index + 1 < len(text) and not text[index + 1].isalpha() else 1
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        dollars += char == "$"
        assert depth >= 0, text[max(0, index - 60):index + 1]
        index += 1
    assert depth == 0 and dollars % 2 == 0
    stack = []
    for kind, name in re.findall(r"\\(begin|end)\{([A-Za-z*]+)\}", text):
        if kind == "begin":
            stack.append(name)
        else:
            assert stack and stack.pop() == name, name
    assert not stack
    assert text.count("\\[") == text.count("\\]")


def test_lu2_markdown_reads_as_a_proof(lu2):
    text = render_certificate_markdown(lu2)
    assert "**Proposition.**" in text and "**Proof.**" in text and text.rstrip().endswith("∎")
    assert r"A = \begin{pmatrix} 0 & 1 \\ 1 & 0 \end{pmatrix}" in text      # the anti-identity
    assert r"X(t) = \begin{pmatrix} t & 0 \\ 1 & -t^{-1} \end{pmatrix}" in text
    assert r"Y(t) = \begin{pmatrix} 1 & 0 \\ t^{-1} & 1 \end{pmatrix}" in text
    assert r"\begin{pmatrix} t & 1 \\ 1 & 0 \end{pmatrix} \longrightarrow A" in text
    assert "local-LU lemma" in text and "contradicts" in text


def test_nullstellensatz_markdown_writes_the_identity(ns):
    text = render_certificate_markdown(ns)
    assert "weak Nullstellensatz" in text
    assert r"f_{(0,1)} &= x_{0,1} y_{1,1} - 1" in text
    assert r"&= 1 \end{aligned}" in text


@pytest.mark.parametrize(
    "make",
    [
        lambda: cert_for(lu(2), name="lu2"),
        lambda: cert_for(lu(4)),
        nullstellensatz_cert,
        lambda: cert_for(read_case(ROOT / "cases" / "overlap_2x3.sup").support),
        lambda: cert_for(read_case(ROOT / "cases" / "overlap_2x3.sup").support.transpose()),
        lambda: cert_for(read_case(ROOT / "cases" / "row_and_column_complete.sup").support, name="a_b #1 {x}"),
        lambda: cert_for(butterfly_split(5, 2)),
        unknown_cert,
    ],
    ids=["lu2", "lu4", "nullstellensatz", "shared-rows", "shared-columns", "closed", "large-closed", "unknown"],
)
def test_latex_is_balanced_and_ascii(make):
    cert = make()
    for text in (render_certificate_latex(cert), render_certificate_latex(cert, standalone=True)):
        balanced_latex(text)
        assert text.isascii(), sorted({c for c in text if not c.isascii()})
    markdown = render_certificate_markdown(cert)
    assert markdown.count("$$") % 2 == 0


def test_latex_has_proposition_and_proof(lu2):
    text = render_certificate_latex(lu2)
    assert "\\begin{proposition}" in text and "\\begin{proof}" in text
    assert r"X(t) = \begin{pmatrix} t & 0 \\ 1 & -t^{-1} \end{pmatrix}" in text


# ----------------------------------------------------------------------------- command line


@pytest.fixture
def cli() -> click.Group:
    group = click.Group()
    group.add_command(certify)
    group.add_command(verify)
    return group


def test_certify_then_verify(cli, tmp_path):
    runner = CliRunner()
    out = tmp_path / "lu2.json"
    result = runner.invoke(cli, ["certify", str(ROOT / "cases" / "lu2.sup"), "-o", str(out), "--budget", "0"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and load_certificate(out)["verdict"] == "not-closed"
    result = runner.invoke(cli, ["verify", str(out)])
    assert result.exit_code == 0
    assert result.output.startswith(f"{out}: OK (checked: ")

    cert = load_certificate(out)
    cert["limit"][0]["value"] = "3"
    bad = dump_certificate(cert, tmp_path / "bad.json")
    result = runner.invoke(cli, ["verify", str(out), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: REJECTED: constant term at (0,1) is 1, limit says 3" in result.output


def test_verify_exit_2_on_unreadable_json(cli, tmp_path):
    (tmp_path / "broken.json").write_text("[1, 2", encoding="utf-8")
    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "broken.json")])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "not valid JSON" in result.output


def test_certify_markdown_and_latex(cli, tmp_path):
    runner = CliRunner()
    case = str(ROOT / "cases" / "rank_one_2x2.sup")
    result = runner.invoke(cli, ["certify", case, "--format", "markdown", "--budget", "0"])
    assert result.exit_code == 0 and "**Proposition.**" in result.output and "determinantal lemma" in result.output
    out = tmp_path / "lu2.tex"
    result = runner.invoke(cli, ["certify", str(ROOT / "cases" / "lu2.sup"), "--format", "latex", "-o", str(out)])
    assert result.exit_code == 0
    balanced_latex(out.read_text(encoding="utf-8"))


def test_certify_bad_input_exits_2(cli, tmp_path):
    (tmp_path / "bad.sup").write_text("I:\n1 2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["certify", str(tmp_path / "bad.sup")])
    assert result.exit_code == 2


# --- absurd integers and unreadable files (issue 13) ---------------------------------


def test_a_certificate_file_with_a_100001_digit_integer_is_a_one_line_error(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text('{"format": "closure-check-certificate", "pattern": {"m": -' + "9" * 100_001 + "}}")
    with pytest.raises(CertificateFileError) as caught:
        load_certificate(path)
    assert str(caught.value) == f"{path}: not a certificate: it holds an integer of 100001 digits (at most 4000)"
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(CertificateFileError, match="is a FIFO"):
        load_certificate(tmp_path / "pipe.json")


@pytest.mark.parametrize("key", ["m", "n", "r"])
def test_the_verifier_reports_absurd_integers_instead_of_raising(key):
    from closure_check.decide import check
    from closure_check.families import lu

    cert = check(lu(2)).certificate_json(name="lu2")
    cert["pattern"][key] = 10**100_000  # only from Python: a file cannot hold it
    report = verify_certificate(cert)
    assert not report.ok
    assert any("an integer of about 100000 digits is out of range" in problem for problem in report.problems)
