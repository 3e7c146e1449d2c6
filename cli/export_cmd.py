"""``closure-check export``: write the decision problem for Macaulay2, Singular, QEPCAD B or an SMT solver.

The command reads a support file, calls :func:`closure_check.export.export_problem`
and prints the text (or writes it to ``-o``).  Exit status 0 on success, 2 on bad
input (one line on stderr).
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.common import fail_bad_input, load

__all__ = ["export"]


def _target(at: str, shape: tuple[int, int]) -> object:
    """``--at``: a ``.npy`` file holding a dense m×n array, or entries ``i,j=v;…``."""
    import numpy as np

    from closure_check.algebra.system import as_target
    from closure_check.export import parse_entries

    if at.lower().endswith(".npy"):
        from closure_check.io import SupportFileError
        from closure_check.io.common import open_regular

        try:
            with open_regular(Path(at)) as file:
                array = np.load(file, allow_pickle=False)
        except SupportFileError as error:
            raise ValueError(str(error)) from None
        except (OSError, ValueError, EOFError, MemoryError) as error:
            raise ValueError(f"cannot read {at}: {error}") from None
        if array.ndim != 2 or array.dtype.kind not in "biuf":
            raise ValueError(f"{at}: expected a 2-D array of numbers, got {array.dtype} of shape {array.shape}")
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise ValueError(f"{at}: the array holds inf or nan")
        return as_target(array.tolist(), shape)
    return parse_entries(at, shape)


@click.command("export")
@click.argument("file")
@click.option("--to", "to", required=True, metavar="m2|singular|qepcad|smt2", help="Target program: Macaulay2, Singular, QEPCAD B or SMT-LIB 2.")
@click.option(
    "--problem",
    default="membership",
    show_default=True,
    metavar="membership|image|closedness",
    help="membership: X Yᵀ = A; image: the set P (QEPCAD) or its Zariski closure (m2, singular); closedness: the baseline's sentence (smt2, qepcad).",
)
@click.option("--at", "at", default=None, help="The matrix A for membership: entries '0,1=1;1,0=-1/2' (0-based, absent = 0) or a .npy file. Default: symbolic a_i_j.")
@click.option("-o", "--output", metavar="FILE", help="Write to this file instead of standard output.")
def export(file: str, to: str, problem: str, at: str | None, output: str | None) -> None:
    """Write the problem about FILE's support as input for another program.

    Run the result with `M2 --script F`, `Singular -q F`, `qepcad +N50000000 < F`
    or `z3 F` (docs/export.md says what each file states and how to read the answer).
    """
    from closure_check.export import ExportError, export_problem

    case = load(file)
    target = None
    if at is not None:
        try:
            target = _target(at, case.support.shape)
        except ValueError as error:
            fail_bad_input(f"closure-check export: --at: {error}")
    try:
        text = export_problem(case.support, to, problem, target, title=case.name)
    except ExportError as error:
        fail_bad_input(f"closure-check export: {error}")
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        fail_bad_input(f"closure-check export: cannot write {output}: {error.strerror or error}")
    click.echo(f"wrote {output}")
