"""``landscape``: can local training of ``min ‖A − X Yᵀ‖²_F`` on a support get stuck?

Exit status: 0 when an answer is printed (BENIGN, SPURIOUS MINIMUM, UNKNOWN or NONE
FOUND); 2 bad input -- the support or the target cannot be read, or the certificate
cannot be written (one line on stderr).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import click

from cli.common import fail_bad_input, load, load_array


def read_target(text: str) -> list[list[Fraction]]:
    """The target: a ``.npy`` file, a text file of rows, or inline rows ``"1 1 1; 1 0 0; 1 0 0"``.

    Entries of a text file or inline rows are integers, decimals or rationals ``p/q``,
    read exactly; rows are separated by ``;`` or line breaks, entries by spaces or commas.
    """
    path = Path(text)
    if text.endswith(".npy"):
        return [[Fraction(v) for v in row] for row in load_array(text).tolist()]
    if path.is_file():
        try:
            body = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            fail_bad_input(f"{text}: cannot read the target ({error})")
        where = text
    else:
        body, where = text, "--matrix"
    lines = [line.split("#")[0] for part in body.split(";") for line in part.splitlines()]
    rows = [line.replace(",", " ").split() for line in lines if line.strip()]
    try:
        return [[Fraction(entry) for entry in row] for row in rows]
    except (ValueError, ZeroDivisionError):
        fail_bad_input(f"{where}: the target is not rows of numbers (integers, decimals or p/q)")


@click.command()
@click.argument("support_path", metavar="SUPPORT")
@click.option("--matrix", "matrix", metavar="A",
              help="Target A: a .npy file, a text file of rows, or inline rows like '1 1 1; 1 0 0; 1 0 0'. "
                   "Without it, small targets with entries in {-1, 0, 1} are searched.")
@click.option("--starts", type=click.IntRange(1, 10**6), default=None,
              help="Random starts per target [default: 40 with --matrix, 12 per target without].")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True, help="Seed of the starts.")
@click.option("--targets", type=click.IntRange(1, 10**6), default=128, show_default=True,
              help="Without --matrix: how many small targets to search at most.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: verdict, reasons, target, search clusters.")
@click.option("--plot", "plot", metavar="FILE.png",
              help="Draw the histogram of the final losses and, for a certified spurious minimum, L on a plane "
                   "through the minimum and the lower point.")
@click.option("-o", "--output", metavar="CERT", help="Write the certificate (JSON) to this file; check it with `closure-check verify`.")
def landscape(support_path: str, matrix: str | None, starts: int | None, seed: int, targets: int,
              as_json: bool, plot: str | None, output: str | None) -> None:
    """Is the landscape of ‖A − X Yᵀ‖²_F on SUPPORT benign, or can local training get stuck?

    BENIGN (every target, by theorem) when the class rectangles are pairwise disjoint;
    SPURIOUS MINIMUM with a certificate (a box with exactly one critical point on a slice
    transversal to the column scalings, positive definite Hessian on it, and a point of
    exactly lower loss); UNKNOWN when runs stopped above the best loss but could not be
    certified; NONE FOUND when the seeded random starts found nothing (not a proof).
    """
    from closure_check.core.support import ChainSupport
    from closure_check.landscape import landscape as run_landscape
    from closure_check.output.certificate_json.two_factor import dump_certificate

    case = load(support_path)
    support = case.support
    if isinstance(support, ChainSupport):
        if support.length != 2:
            fail_bad_input(f"{support_path}: landscape takes two factors, this chain has {support.length}")
        support = support.to_two_factor()
    target = read_target(matrix) if matrix is not None else None
    try:
        result = run_landscape(support, target, starts=starts, seed=seed, targets=targets)
    except ValueError as error:
        where = matrix if matrix is not None and Path(matrix).is_file() else "--matrix"
        fail_bad_input(f"{where}: {error}")
    if as_json:
        click.echo(json.dumps(dict(file=support_path, name=case.name, **result.summary_json()), ensure_ascii=False))
    else:
        click.echo(result.text(support_path))
    if plot:
        if not result.final_losses:
            click.echo(f"--plot: nothing drawn, no search was run (the answer is {result.verdict.value})", err=as_json)
        else:
            from closure_check.output.plot import draw_landscape

            try:
                draw_landscape(result, plot, title=case.name or Path(support_path).stem)
            except OSError as error:
                fail_bad_input(f"{plot}: cannot write the picture: {error.strerror or error}")
            click.echo(f"wrote {plot}", err=as_json)
    if output:
        try:
            dump_certificate(result.certificate_json(name=case.name or Path(support_path).stem), output)
        except OSError as error:
            fail_bad_input(f"{output}: cannot write the certificate ({error.strerror or error})")
        click.echo(f"wrote {output}", err=as_json)
