"""Display everywhere (issue 14): the three kinds of result render in a notebook.

``docs/display.ipynb`` displays a two-factor result (LU), a chain result (diag · upper ·
lower) and a ReLU answer (``cases/relu/lu_2x2.relu``).  The test executes it with a real
kernel (nbclient) and reads back what Jupyter got:

* every ``text/markdown`` output is rendered by markdown-it-py with the dollar-math plugin
  (math protected from Markdown, as Jupyter does): it must have its heading, its bold
  run-in headings, every ``$``/``$$`` paired (no stray dollar left in the prose) and
  balanced braces in each formula;
* every ``text/latex`` output is what MathJax typesets: only ``$$…$$`` blocks, nothing
  between them, no ``proposition``/``proof`` environment, balanced braces.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
markdown_it = pytest.importorskip("markdown_it")
dollarmath = pytest.importorskip("mdit_py_plugins.dollarmath")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "display.ipynb"


def _balanced(tex: str) -> bool:
    depth = 0
    for token in re.findall(r"\\.|[{}]", tex):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> list[dict]:
    """The ``data`` of every execute_result of the notebook, run by a kernel importing this checkout."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute(env=env)
    return [o["data"] for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs
            if o.output_type == "execute_result"]


def _markdown():
    return markdown_it.MarkdownIt("commonmark").enable("table").use(dollarmath.dollarmath_plugin, double_inline=True)


def _inline_tokens(tokens):
    for token in tokens:
        yield token
        yield from token.children or ()


def test_the_notebook_displays_three_results_each_as_markdown_and_latex(outputs):
    assert len(outputs) == 3
    for data in outputs:
        assert {"text/markdown", "text/latex", "text/plain"} <= set(data)


@pytest.mark.parametrize("index, heading, labels", [
    (0, "closure-check certificate", ["Proposition.", "Proof."]),
    (1, "closure-check certificate", ["Proposition.", "Proof."]),
    (2, "ReLU network relu-lu-2x2", ["Network.", "Answer.", "Reasons.", "Counterexample (exact rationals, re-checked)."]),
])
def test_markdown_renders_with_headings_and_paired_math(outputs, index, heading, labels):
    text = outputs[index]["text/markdown"]
    md = _markdown()
    tokens = md.parse(text)
    html = md.render(text)
    assert f"<h3>{heading}</h3>" in html
    for label in labels:
        assert f"<strong>{label}</strong>" in html
    math = [t for t in _inline_tokens(tokens) if t.type.startswith("math")]
    prose = [t.content for t in _inline_tokens(tokens) if t.type == "text"]
    assert not any("$" in p for p in prose), "an unpaired $ was left in the prose"
    assert all(_balanced(t.content) for t in math)
    if index < 2:  # a proof: display formulas (the matrices) and inline ones
        assert any(t.type == "math_block" for t in math) and any(t.type == "math_inline" for t in math)
        assert "∎" in html
    else:  # the parameter sequence as a table
        assert html.count("<tr>") == 7 and "NO: some finite data set has no optimal network" in html


def test_latex_is_what_mathjax_typesets(outputs):
    for data in outputs:
        text = data["text/latex"]
        blocks = re.split(r"\$\$", text)
        assert len(blocks) % 2 == 1, "unpaired $$"
        assert all(not outside.strip() for outside in blocks[0::2]), "text outside $$ blocks"
        assert all(_balanced(block) for block in blocks[1::2])
        assert "\\begin{proposition}" not in text and "\\begin{proof}" not in text
        assert "\\textbf{" in text
    assert "\\blacksquare" in outputs[0]["text/latex"] and "\\blacksquare" in outputs[1]["text/latex"]
    assert "\\hline" in outputs[2]["text/latex"]


def test_certify_latex_keeps_the_environments_for_papers():
    from closure_check.decide import check
    from closure_check.families import lu
    from closure_check.output.proof_text import render_certificate_latex

    text = render_certificate_latex(check(lu(2)).certificate_json(name="lu2"))
    assert "\\begin{proposition}" in text and "\\begin{proof}" in text
