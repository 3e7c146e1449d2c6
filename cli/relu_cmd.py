"""``relu``: does training a sparse ReLU network always have an optimum?

Exit status: 0 when an answer is printed (YES, NO, OPEN or UNKNOWN); 2 bad input -- the
specification cannot be read, or the counterexample file cannot be written (one line on
stderr).
"""

from __future__ import annotations

import click

from cli.common import budget_option, fail_bad_input


@click.command()
@click.argument("spec_path", metavar="SPEC")
@budget_option
@click.option(
    "--counterexample",
    "counterexample_path",
    metavar="FILE",
    help="For a NO: write the data set and the parameter sequence (exact) to this JSON file.",
)
def relu(spec_path: str, budget: float, counterexample_path: str | None) -> None:
    """Does training the sparse ReLU network SPEC (square loss) have an optimum for every finite data set?

    Prints YES, NO, OPEN or UNKNOWN with the reasons and their sources; for NO, the data
    set and a parameter sequence whose loss tends to the infimum 0, which is not attained.
    """
    from closure_check.networks.relu import counterexample_json, relu_optimum
    from closure_check.networks.spec import ReluSpecError, read_relu_spec
    from closure_check.networks.text import render_answer
    from closure_check.output.certificate_json.two_factor import dump_certificate

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
