"""The text of a ReLU answer (``closure-check relu``): the network, the answer, its reasons
and, for NO, the counterexample data set and the parameter sequence, in exact rationals.

Rendering only; the answer is computed by :func:`closure_check.networks.relu.relu_optimum`.
"""

from __future__ import annotations

from fractions import Fraction

from closure_check.networks.relu import (
    AFFINE,
    Counterexample,
    ReluAnswer,
    point_loss,
    point_norm2,
)
from closure_check.networks.spec import ReluSpec, ReluVerdict
from closure_check.output.certificate_json.two_factor import rational_text

__all__ = ["HEADLINES", "render_answer"]

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
    shared = d + 1 if example.data.kind == AFFINE else d
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
