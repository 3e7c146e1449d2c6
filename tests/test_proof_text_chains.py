"""Chain certificates (``"kind": "chain"``) rendered as a proposition with its proof.

Every case of ``cases/chains`` and three-factor 2×2 chains closed by each lemma of the
chain engine (``docs/chain_census.md``) or not closed: both renderers state the verdict,
name the lemmas the certificate uses and (NOT CLOSED) draw the limit A entry for entry;
the LaTeX has balanced braces, matching ``\\begin``/``\\end`` and only ASCII characters.
"""

from __future__ import annotations

import copy
import functools
import glob
import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import main
from closure_check.chains.engine import decide_chain
from closure_check.core.support import ChainSupport
from closure_check.decide import check
from closure_check.io import read_case
from closure_check.output.certificate_json.chain import chain_certificate_json
from closure_check.output.proof_text import chain as chain_text
from closure_check.output.proof_text import (
    render_certificate_latex,
    render_certificate_markdown,
)
from closure_check.verifier import verify_certificate

ROOT = Path(__file__).parent.parent
CHAIN_CASES = sorted(glob.glob(str(ROOT / "cases" / "chains" / "*.sup")))
DIAG_UPPER_LOWER = ROOT / "cases" / "chains" / "diag_upper_lower_2.sup"

LOWER, UPPER, DIAG, FULL = [[1, 0], [1, 1]], [[1, 1], [0, 1]], [[1, 0], [0, 1]], [[1, 1], [1, 1]]
#: Three-factor 2×2 chains decided by the chain engine itself (decide_chain, no reduction),
#: one per lemma (docs/chain_census.md), with the lemma the certificate must name.
ENGINE_CHAINS = {
    "fixed-factor": ([FULL, LOWER, UPPER], "chain fixed-factor lemma"),
    "bottleneck": ([[[0, 1], [1, 0]], [[0, 1], [0, 1]], FULL], "chain bottleneck lemma"),
    "support": ([[[1, 0], [0, 0]], [[0, 0], [0, 1]], FULL], "chain support lemma"),
    "orbit": ([UPPER, LOWER, UPPER], "chain orbit lemma"),
    "orbit-prefix": ([DIAG, UPPER, LOWER, UPPER], "chain orbit lemma"),
    "nullstellensatz-a": ([[[0, 1], [1, 0]], [[0, 1], [1, 1]], [[0, 1], [1, 1]]], "chain Nullstellensatz lemma"),
    "nullstellensatz-b": ([[[0, 1], [1, 1]], [[0, 1], [1, 0]], [[1, 1], [0, 1]]], "chain Nullstellensatz lemma"),
}
#: Chains decided by closure_check.decide.check (reductions first), with the lemma of the proof.
CHECKED_CHAINS = {
    "reduced-two-factor-closed": ([[[0, 1], [0, 1]], [[0, 0], [1, 1]], [[0, 1], [1, 1]]], "chain reduction"),
    "one-factor": ([FULL, LOWER, UPPER], "one factor"),
    "full-pair-then-nullstellensatz": ([[[0, 1], [1, 1]], [[0, 1], [1, 1]], [[1, 1], [0, 1]]], "chain Nullstellensatz lemma"),
    "reduced-local-lu": ([[[0, 1], [1, 0]], [[0, 1], [1, 1]], [[0, 1], [1, 1]]], "chain reduction"),
}


def as_json(cert: dict[str, Any]) -> dict[str, Any]:
    """The certificate as it comes back from a file."""
    return json.loads(json.dumps(cert))


@functools.cache
def case_certificate(path: str) -> dict[str, Any]:
    case = read_case(path)
    return as_json(check(case.support, budget=5).certificate_json())


@functools.cache
def engine_certificate(name: str) -> dict[str, Any]:
    dense, _ = ENGINE_CHAINS[name]
    chain = ChainSupport.from_dense(dense)
    return as_json(chain_certificate_json(chain, decide_chain(chain, 5), name=name))


@functools.cache
def checked_certificate(name: str) -> dict[str, Any]:
    dense, _ = CHECKED_CHAINS[name]
    return as_json(check(ChainSupport.from_dense(dense), budget=5).certificate_json(name=name))


def zariski_certificate() -> dict[str, Any]:
    """A CLOSED chain certificate by the Zariski-closure criterion (an engine record).

    No 2×2 chain needs the criterion (the census decides all by checkable lemmas), so the
    record is put on the fixed-factor chain: the renderer reads the JSON only.
    """
    cert = copy.deepcopy(engine_certificate("fixed-factor"))
    cert["name"] = "zariski"
    cert["proof"] = {"lemma": "chain Zariski-closure criterion", "records": [{
        "kind": "engine-record", "engine": "z3", "version": "4.13.0", "logic": "NRA", "query": "(check-sat)",
        "result": "unsat", "reason": "", "parameters": {}, "seconds": 0.1,
    }]}
    return cert


def without_curve() -> dict[str, Any]:
    """diag·upper·lower without its lifted curve: the reduced certificate's curve stands in (P' = P)."""
    cert = copy.deepcopy(case_certificate(str(DIAG_UPPER_LOWER)))
    del cert["curve"]
    return cert


def nested_reduction() -> dict[str, Any]:
    """diag · (a Nullstellensatz chain): one partial-permutation step to a reduced *chain* certificate."""
    inner = copy.deepcopy(engine_certificate("nullstellensatz-a"))
    inner["name"] = "reduced"
    cert = copy.deepcopy(inner)
    cert["name"] = "nested"
    cert["chain"] = {"dims": [2, 2, 2, 2, 2], "factors": [[[0, 0], [1, 1]]] + inner["chain"]["factors"]}
    cert["steps"] = []
    del cert["curve"]
    cert["proof"] = {
        "lemma": "chain reduction", "reference": "docs/theory.md §6, chain reductions", "argument": "",
        "steps": [{"rule": "partial-permutation", "level": 1, "into": "right"}], "reduced": inner,
    }
    return cert


def all_certificates() -> list[tuple[str, Any]]:
    """(id, thunk) pairs: the certificates are computed when a test asks for them."""
    out: list[tuple[str, Any]] = [(Path(p).stem, functools.partial(case_certificate, p)) for p in CHAIN_CASES]
    out += [(f"engine-{name}", functools.partial(engine_certificate, name)) for name in ENGINE_CHAINS]
    out += [(f"check-{name}", functools.partial(checked_certificate, name)) for name in CHECKED_CHAINS]
    out += [("zariski", zariski_certificate), ("without-curve", without_curve), ("nested", nested_reduction)]
    return out


CERTIFICATES = all_certificates()


# ----------------------------------------------------------------------------- what the text must contain


def lemma_names(cert: dict[str, Any]) -> list[str]:
    """The lemmas the certificate's proof rests on, as the JSON names them (reduced ones included)."""
    proof = cert.get("proof", {})
    if cert.get("kind") != "chain":
        if cert["verdict"] == "not-closed":
            return [proof["lemma"]]
        return [part["lemma"] for part in cert.get("parts", [])] + [step["lemma"] for step in cert.get("steps", [])]
    names = [proof["lemma"]]
    steps = proof.get("steps", []) if cert["verdict"] == "not-closed" else cert.get("steps", [])
    names += [f"{step['rule']} lemma" for step in steps]
    if isinstance(proof.get("reduced"), dict):
        names += lemma_names(proof["reduced"])
    return names


def drawn_matrix(text: str, name: str) -> list[list[str]]:
    """The entries of ``name = \\begin{pmatrix} … \\end{pmatrix}`` in the rendered text."""
    found = re.search(re.escape(name) + r" = \\begin\{pmatrix\} (.*?) \\end\{pmatrix\}", text)
    assert found, f"no drawn matrix {name}"
    return [[entry.strip() for entry in row.split("&")] for row in found.group(1).split(r" \\ ")]


def rational_tex(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return ("-" if value < 0 else "") + f"\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def check_limit(text: str, cert: dict[str, Any]) -> None:
    limit = {tuple(item["cell"]): Fraction(item["value"]) for item in cert["limit"]}
    assert any(limit.values())
    if cert.get("kind") == "chain":
        rows, cols = cert["chain"]["dims"][0], cert["chain"]["dims"][-1]
    else:
        rows, cols = cert["pattern"]["m"], cert["pattern"]["n"]
    assert max(rows, cols) <= 12  # drawn in full
    drawn = drawn_matrix(text, "A")
    assert [len(row) for row in drawn] == [cols] * rows
    for i in range(rows):
        for j in range(cols):
            assert drawn[i][j] == rational_tex(limit.get((i, j), Fraction(0))), (i, j)


def braces_balanced(tex: str) -> bool:
    depth = 0
    for char in tex.replace("\\\\", "").replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def environments_matched(tex: str) -> bool:
    stack: list[str] = []
    for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


# ----------------------------------------------------------------------------- every certificate


@pytest.mark.parametrize("make", [make for _, make in CERTIFICATES], ids=[name for name, _ in CERTIFICATES])
def test_both_renderers_state_verdict_lemmas_and_limit(make):
    cert = make()
    assert verify_certificate(cert).ok, verify_certificate(cert).problems
    markdown = render_certificate_markdown(cert)
    latex = render_certificate_latex(cert)
    for text in (markdown, latex):
        if cert["verdict"] == "not-closed":
            assert "is not closed" in text
            check_limit(text, cert)
        else:
            assert cert["verdict"] == "closed"
            assert "is closed" in text and "is not closed" not in text
        for lemma in lemma_names(cert):
            assert lemma in text, lemma
    assert markdown.startswith("### ") and markdown.rstrip().endswith("∎")
    assert markdown.count("$$") % 2 == 0
    assert braces_balanced(latex) and environments_matched(latex)
    assert "\\begin{proposition}" in latex and "\\begin{proof}" in latex
    standalone = render_certificate_latex(cert, standalone=True)
    assert standalone.startswith("\\documentclass") and standalone.endswith("\\end{document}\n")
    assert braces_balanced(standalone) and environments_matched(standalone)
    if cert.get("kind") == "chain":
        assert standalone.isascii(), sorted({c for c in standalone if not c.isascii()})
        assert "docs/theory.md §6" in markdown and "docs/theory.md \\S{}6" in latex


def test_the_engine_chains_get_the_lemma_they_stand_for():
    for name, (_, lemma) in ENGINE_CHAINS.items():
        assert engine_certificate(name)["proof"]["lemma"] == lemma, name
    for name, (_, lemma) in CHECKED_CHAINS.items():
        assert checked_certificate(name)["proof"]["lemma"] == lemma, name
    assert checked_certificate("reduced-two-factor-closed")["proof"]["reduced"].get("kind") is None
    assert nested_reduction()["proof"]["reduced"]["kind"] == "chain"


# ----------------------------------------------------------------------------- what each proof says


def test_not_closed_by_reduction_writes_curve_product_steps_and_the_two_factor_proof():
    text = render_certificate_markdown(case_certificate(str(DIAG_UPPER_LOWER)))
    assert "$P_{I_{1},I_{2},I_{3}}$ is not closed" in text
    assert drawn_matrix(text, "W_{2}(t)") == [["-t^{-1}", "1"], ["0", "t"]]
    # the exact product of the curve and its limit
    assert drawn_matrix(text, "W_{1}(t) W_{2}(t) W_{3}(t)") == [["0", "1"], ["1", "t"]]
    assert "\\longrightarrow A \\quad (t \\to 0^{+})" in text
    assert "chain Laurent curve lemma" in text
    # the step in words, the reduced pattern, the local-LU argument on its cells
    assert "(partial-permutation lemma)" in text
    assert "$P_{I,J}$" in text and drawn_matrix(text, "I") == [["1", "1"], ["0", "1"]]
    assert "Unit 1 is the only unit whose rectangle contains the cells" in text
    assert "$P_{I_{1},I_{2},I_{3}} \\subseteq P_{I,J}$" in text
    # the curve comes before the argument that A is not a product
    assert text.index("*A is a limit of products.*") < text.index("*A is not a product.*")


def test_a_reduction_without_curve_takes_the_reduced_curve():
    text = render_certificate_markdown(without_curve())
    assert "No curve on the original chain is given" in text
    assert "X(t) Y(t)^{\\top}" in text
    assert text.index("*Reduction.*") < text.index("*A is a limit of products.*") < text.index("*A is not a product.*")


def test_a_reduced_chain_certificate_is_rendered_with_primed_names():
    text = render_certificate_markdown(nested_reduction())
    assert "$C' = (I'_{1}, I'_{2}, I'_{3})$" in text
    assert drawn_matrix(text, "W'_{3}(t)") == [["0", "-t^{-1}"], ["-1", "-t^{-1}"]]
    assert "(chain Nullstellensatz lemma" in text and "$A \\notin P'$" in text


def test_nullstellensatz_identity_written_out_or_summarised(monkeypatch):
    cert = engine_certificate("nullstellensatz-a")
    text = render_certificate_markdown(cert)
    assert "w^{(1)}_{0,1}" in text and "\\bigl(" in text and "&= 1" in text
    assert "weak Nullstellensatz" in text
    monkeypatch.setattr(chain_text, "MAX_IDENTITY_TERMS", 0)
    summary = render_certificate_markdown(cert)
    equations = len(cert["proof"]["identity"]["equations"])
    assert f"lists these {equations} polynomials" in summary and "\\bigl(" not in summary
    assert "\\sum_{(i,j)} c_{(i,j)}\\, f_{(i,j)} = 1" in summary


def test_closed_by_the_fixed_factor_lemma_draws_the_fixed_factors():
    cert = engine_certificate("fixed-factor")
    text = render_certificate_markdown(cert)
    free = cert["proof"]["free"]
    for level in range(1, 4):
        assert (f"F_{{{level}}} = \\begin{{pmatrix}}" in text) == (level != free)
    assert f"has rank ${cert['proof']['rank']}$" in text
    assert drawn_matrix(text, "S") == [["1", "1"], ["1", "1"]]


def test_closed_by_the_bottleneck_lemma_names_the_index_and_both_halves():
    cert = engine_certificate("bottleneck")
    proof = cert["proof"]
    text = render_certificate_latex(cert)
    assert f"inner index ${proof['index']}$ between $W_{{{proof['level']}}}$" in text
    assert "R = \\{0,1\\}" in text and "C = \\{0,1\\}" in text
    assert "determinantal lemma" in text


def test_closed_by_the_orbit_lemma_lists_every_factorisation():
    for name in ("orbit", "orbit-prefix"):
        cert = engine_certificate(name)
        text = render_certificate_markdown(cert)
        factorisations = cert["proof"]["factorisations"]
        assert f"Each of the {len(factorisations)} partial permutation matrices" in text
        assert text.count("\n- $\\begin{pmatrix}") == len(factorisations)
    text = render_certificate_markdown(engine_certificate("orbit-prefix"))
    assert "The products of the prefix fill" in text and "F_{1} = \\begin{pmatrix}" in text


def test_closed_by_chainable_kronecker_patterns_lists_patterns_and_ranks():
    cert = case_certificate(str(ROOT / "cases" / "chains" / "butterfly_N8.sup"))
    text = render_certificate_markdown(cert)
    for level, (a, b, c, d) in enumerate(cert["proof"]["patterns"], start=1):
        assert f"I_{{{level}}} = S_{{({a},{b},{c},{d})}}" in text
    assert "r_{1} = 1" in text and "r_{2} = 1" in text and "S_{(1,8,8,1)}" in text
    assert "arXiv:2411.04506" in text


def test_closed_after_reductions_shows_the_reduced_chain():
    text = render_certificate_markdown(checked_certificate("one-factor"))
    assert "(full-pair lemma)" in text and "They leave $C' = (I'_{1})$" in text
    assert "Only one factor is left" in text
    text = render_certificate_markdown(checked_certificate("reduced-two-factor-closed"))
    assert "(empty-inner-index lemma)" in text and "determinantal lemma" in text
    assert "Hence $P_{I,J}$ is closed." in text and text.rstrip().endswith("$P_{I_{1},I_{2},I_{3}}$ is closed. ∎")


def test_zariski_criterion_is_flagged_as_an_engine_record():
    for text in (render_certificate_markdown(zariski_certificate()), render_certificate_latex(zariski_certificate())):
        assert "Engine record 0: z3 4.13.0 answered unsat" in text
        assert "not on an independently checkable certificate" in text
        assert "CLOSED (engine record)" in text
    fixed = engine_certificate("fixed-factor")  # a checkable lemma: no engine-record label
    assert "CLOSED (engine record)" not in render_certificate_markdown(fixed)


def test_large_supports_are_listed_not_drawn():
    cert = case_certificate(str(ROOT / "cases" / "chains" / "butterfly_N128.sup"))
    text = render_certificate_latex(cert)
    assert "I_{1} \\in \\{0,1\\}^{128 \\times 128}" in text and "(256 in all, listed in the certificate)" in text


def test_unknown_chain_states_the_open_question():
    cert = copy.deepcopy(engine_certificate("orbit"))
    cert.update(verdict="unknown", undecided=["the engine ran out of time"])
    del cert["proof"]
    text = render_certificate_markdown(cert)
    assert "**Open question.**" in text and "is not decided here" in text and "the engine ran out of time" in text
    latex = render_certificate_latex(cert)
    assert braces_balanced(latex) and environments_matched(latex)


# ----------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("fmt, marker", [("markdown", "**Proof.**"), ("latex", "\\begin{proof}")])
def test_cli_certify_renders_a_chain(fmt, marker):
    result = CliRunner().invoke(main, ["certify", str(DIAG_UPPER_LOWER), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert marker in result.output
    assert "is not closed" in result.output and "local-LU lemma" in result.output
    assert "partial-permutation lemma" in result.output


def test_cli_certify_writes_the_markdown_to_a_file(tmp_path):
    target = tmp_path / "proof.md"
    result = CliRunner().invoke(main, ["certify", str(DIAG_UPPER_LOWER), "--format", "markdown", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "(not-closed)" in result.output
    assert target.read_text(encoding="utf-8").startswith("### diag-upper-lower-2\n")
