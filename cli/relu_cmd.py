"""``relu``: does training a sparse ReLU network always have an optimum?

Exit status: 0 when an answer is printed (YES, NO, OPEN or UNKNOWN); 2 bad input -- the
specification cannot be read, or the counterexample file cannot be written (one line on
stderr).
"""

from __future__ import annotations

from fractions import Fraction

import click

from cli.common import budget_option, fail_bad_input
from closure_check.certjson import dump_certificate, rational_text
from closure_check.relu import (
    AFFINE,
    Counterexample,
    ReluAnswer,
    counterexample_json,
    point_loss,
    point_norm2,
    relu_optimum,
)
from closure_check.relu_spec import ReluSpec, ReluSpecError, ReluVerdict, read_relu_spec

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


@click.command()
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@budget_option
@click.option(
    "--counterexample",
    "counterexample_path",
    type=click.Path(dir_okay=False),
    help="For a NO: write the data set and the parameter sequence (exact) to this JSON file.",
)
def relu(spec_path: str, budget: float, counterexample_path: str | None) -> None:
    """Does training the sparse ReLU network SPEC (square loss) have an optimum for every finite data set?

    Prints YES, NO, OPEN or UNKNOWN with the reasons and their sources; for NO, the data
    set and a parameter sequence whose loss tends to the infimum 0, which is not attained.
    """
    try:
        spec = read_relu_spec(spec_path)
    except ReluSpecError as error:
        fail_bad_input(str(error))
    answer = relu_optimum(spec, budget=budget)
    click.echo(render_answer(spec_path, answer))
    if counterexample_path is None:
        return
    if answer.counterexample is None:
        click.echo(f"--counterexample: nothing written (the answer is {answer.verdict} without a written-out data set)")
        return
    try:
        dump_certificate(counterexample_json(spec, answer.counterexample), counterexample_path)
    except OSError as error:
        fail_bad_input(f"{counterexample_path}: cannot write the counterexample ({error.strerror or error})")
    click.echo(f"wrote {counterexample_path}")
