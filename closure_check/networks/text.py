"""The text of a ReLU answer (``closure-check relu``; Markdown and MathJax for a notebook): the network, the answer, its reasons
and, for NO, the counterexample data set and the parameter sequence, in exact rationals.

Rendering only; the answer is computed by :func:`closure_check.networks.relu.relu_optimum`.
"""

from __future__ import annotations

from fractions import Fraction

from closure_check.networks.relu import (
    Counterexample,
    ReluAnswer,
    independent_count,
    point_loss,
    point_norm2,
)
from closure_check.networks.spec import ReluSpec, ReluVerdict
from closure_check.output.certificate_json.two_factor import rational_text
from closure_check.output.proof_text.blocks import (
    Items,
    md_text,
    mj_block,
    mj_heading,
    para,
)

__all__ = ["HEADLINES", "render_answer", "render_answer_markdown", "render_answer_mathjax"]

HEADLINES = {
    ReluVerdict.YES: "YES: training has an optimum for every finite data set",
    ReluVerdict.NO: "NO: some finite data set has no optimal network",
    ReluVerdict.OPEN: "OPEN: the necessary condition holds, sufficiency is not known",
    ReluVerdict.UNKNOWN: "UNKNOWN: the linear chain was not decided",
}
SHOWN_INPUTS = 4


def _number(value: Fraction) -> str:
    """Exact when short, else a decimal approximation marked with ≈."""
    text = rational_text(value)
    return text if len(text) <= 16 else f"≈{float(value):.6g}"


def _vector(values: tuple[Fraction, ...]) -> str:
    return "(" + ", ".join(rational_text(v) for v in values) + ")"


def _network(spec: ReluSpec) -> str:
    arrows = " → ".join(str(w) for w in spec.widths)
    biases = ", ".join(f"layer {k} {'on' if on else 'off'}" for k, on in enumerate(spec.biases, start=1))
    return f"network: {arrows} ({spec.depth} layers; biases: {biases})"


def _counterexample_lines(example: Counterexample, spec: ReluSpec) -> list[str]:
    d, n = spec.widths[0], len(example.inputs)
    shared = independent_count(d, example.data.kind)
    shown = ", ".join(_vector(x) for x in example.inputs[:SHOWN_INPUTS]) + (", …" if n > SHOWN_INPUTS else "")
    lines = [
        "counterexample (exact rationals, re-checked):",
        f"  curve: {example.curve_source}",
        f"  data: {n} inputs in ℚ^{d}, every {shared} {example.data.kind}ly independent "
        f"(moment curve, s = 0..{n - 1}); targets y_i = A x_i",
        f"  inputs: {shown}",
        f"  construction: {example.construction}"
        + (
            ""
            if example.horizon is None
            else f"; every ReLU in its linear regime for 0 < t < {rational_text(example.horizon)}"
        ),
        "  k  t_k  loss  ‖θ‖²",
    ]
    for k, point in enumerate(example.points, start=1):
        lines.append(
            f"  {k}  {rational_text(point.t)}  {_number(point_loss(example, point))}  {_number(point_norm2(point))}"
        )
    lines.append("  loss strictly decreasing to 0, ‖θ‖² strictly increasing to ∞")
    return lines


def render_answer(path: str, answer: ReluAnswer) -> str:
    """The text printed for one specification."""
    spec = answer.spec
    lines = [f"== {path}", _network(spec), f"answer: {HEADLINES[answer.verdict]}"]
    if spec.expect is not None:
        agreement = "agrees" if spec.expect is answer.verdict else "DISAGREES"
        lines.append(f"expect: {spec.expect} ({agreement})")
    lines.append("reasons:")
    lines += [f"  - {reason}" for reason in answer.reasons]
    if answer.counterexample is not None:
        lines += _counterexample_lines(answer.counterexample, spec)
    return "\n".join(lines)


def _title(answer: ReluAnswer) -> str:
    return f"ReLU network {answer.spec.name}" if getattr(answer.spec, "name", None) else "ReLU network"


def _summary(answer: ReluAnswer) -> list[tuple[str, list[str]]]:
    """(heading, lines) sections shared by the notebook renderings: the same words as the terminal's."""
    spec = answer.spec
    sections = [("Network.", [_network(spec).removeprefix("network: ")]), ("Answer.", [HEADLINES[answer.verdict]])]
    sections.append(("Reasons.", list(answer.reasons)))
    example = answer.counterexample
    if example is not None:
        lines = [line.strip() for line in _counterexample_lines(example, spec)[1:]]
        table = lines.index("k  t_k  loss  ‖θ‖²")
        sections.append(("Counterexample (exact rationals, re-checked).", lines[:table] + lines[-1:]))
    return sections


def _table_rows(example: Counterexample) -> list[tuple[str, str, str, str]]:
    return [
        (str(k), rational_text(p.t), _number(point_loss(example, p)), _number(point_norm2(p)))
        for k, p in enumerate(example.points, start=1)
    ]


def render_answer_markdown(answer: ReluAnswer) -> str:
    """The answer as Markdown (a notebook's ``_repr_markdown_``): network, answer, reasons
    and, for NO, the counterexample with its parameter sequence as a table."""
    lines = [f"### {md_text(_title(answer))}"]
    for heading, body in _summary(answer):
        if len(body) == 1 and heading != "Reasons.":
            lines.append(f"**{heading}** {md_text(body[0])}")
        else:
            lines.append(f"**{heading}**\n\n" + "\n".join(f"- {md_text(line)}" for line in body))
    if answer.counterexample is not None:
        rows = ["| k | t_k | loss | ‖θ‖² |", "|---|---|---|---|"]
        rows += [f"| {' | '.join(md_text(c) for c in row)} |" for row in _table_rows(answer.counterexample)]
        lines.append("\n".join(rows))
    return "\n\n".join(lines) + "\n"


def render_answer_mathjax(answer: ReluAnswer) -> str:
    """The answer as the LaTeX a notebook's MathJax renders (``_repr_latex_``): ``$$`` blocks only."""
    parts = [mj_heading(_title(answer))]
    for heading, body in _summary(answer):
        if len(body) == 1 and heading != "Reasons.":
            parts.append(mj_block(para(body[0]), lead=heading))
        else:
            parts.append(mj_block(Items(tuple(para(line) for line in body)), lead=heading))
    if answer.counterexample is not None:
        rows = ["k & t_k & \\text{loss} & \\|\\theta\\|^{2} \\\\ \\hline"]
        for row in _table_rows(answer.counterexample):
            rows.append(" & ".join(c.replace("≈", "\\approx ") for c in row) + " \\\\")
        parts.append("$$\n\\begin{array}{rrrr}\n" + "\n".join(rows) + "\n\\end{array}\n$$")
    return "\n\n".join(parts) + "\n"
