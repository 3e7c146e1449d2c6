"""``certify`` and ``verify``: write a certificate for a support, check certificates.

Exit status (as for every command): 0 success; 1 a certificate REJECTED (``verify``)
or a freshly written one that does not verify (``certify``, a bug worth reporting);
2 bad input -- an unreadable support file, a certificate file that cannot be read
or is not JSON, or a ``--plot`` path that cannot be written -- or not enough memory (a
``MemoryError`` while deciding, writing, rendering or checking): one line on stderr, no
traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.common import (
    EXIT_BAD_INPUT,
    EXIT_DISAGREEMENT,
    budget_option,
    fail_bad_input,
    load,
)

if TYPE_CHECKING:
    from closure_check.result import CheckResult


@click.command()
@click.argument("file")
@click.option("-o", "--output", metavar="FILE", help="Write the certificate here (default: standard output).")
@budget_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown", "latex"]),
    default="json",
    show_default=True,
    help="json: the certificate (docs/certificates.md); markdown/latex: the statement and its proof.",
)
@click.option(
    "--plot",
    "plot",
    type=click.Path(dir_okay=False),
    help="NOT CLOSED: also draw ‖X(t)‖, ‖Y(t)‖ (chains: each ‖W_ℓ(t)‖) and ‖X(t)Y(t)ᵀ − A‖ against t, "
    "log axes, to this PNG; other verdicts: a one-line note, nothing drawn.",
)
def certify(file: str, output: str | None, budget: float, fmt: str, plot: str | None) -> None:
    """Decide FILE's support and write the verdict with its certificate.

    The markdown and latex formats render the certificate (two-factor or chain) as a
    proposition with its proof.  The certificate is also run through the independent
    verifier: should it not verify (a bug), the problems go to stderr and the exit
    status is 1.

    With --plot, a NOT CLOSED certificate's curve is drawn: a factor's norm grows
    without bound as t → 0⁺ while the product's distance to the limit A tends to 0.
    For a CLOSED or UNKNOWN verdict there is no curve: --plot prints a one-line note
    and draws nothing (not an error).  Messages about the picture go to stderr when the
    certificate itself goes to standard output.
    """
    case = load(file)
    try:
        from closure_check.decide import check
        from closure_check.output.certificate_json.two_factor import certificate_text
        from closure_check.output.proof_text import (
            render_certificate_latex,
            render_certificate_markdown,
        )
        from closure_check.verifier import verify_certificate

        result = check(case.support, budget=budget)
        cert = result.certificate_json(name=case.name)
        report = verify_certificate(cert)
        if report.out_of_memory:
            raise MemoryError
        if fmt == "json":
            text = certificate_text(cert)
        elif fmt == "markdown":
            text = render_certificate_markdown(cert)
        else:
            text = render_certificate_latex(cert)
    except MemoryError:
        fail_bad_input(f"{file}: out of memory while certifying (MemoryError); no certificate written")
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            fail_bad_input(f"{output}: cannot write: {error.strerror or error}")
        except MemoryError:
            fail_bad_input(f"{output}: out of memory while writing the certificate (MemoryError)")
        click.echo(f"wrote {output} ({cert['verdict']})")
    if plot is not None:
        _plot_curve(file, case.name, result, cert, plot, to_stderr=output is None)
    if not report.ok:
        for problem in report.problems:
            click.echo(f"{file}: the certificate does not verify: {problem}", err=True)
        sys.exit(EXIT_DISAGREEMENT)


def _plot_curve(file: str, name: str, result: CheckResult, cert: dict, plot: str, to_stderr: bool) -> None:
    """Draw the certificate's curve to ``plot``, or say in one line why there is none."""
    from closure_check.core.case import Verdict

    if result.verdict is not Verdict.NOT_CLOSED or result.certificate is None:
        click.echo(f"{file}: --plot: nothing drawn, the verdict is {cert['verdict']} "
                   "(only a NOT CLOSED certificate has a curve)", err=to_stderr)
        return
    from closure_check.output.plot import draw_curve

    note = result.certificate.lemma
    if cert.get("kind") == "chain" and "curve" not in cert:
        note += "; the curve lies on the reduced chain"
    try:
        draw_curve(result.certificate, plot, title=f"{name or Path(file).stem}: not closed", note=note)
    except OSError as error:
        fail_bad_input(f"{plot}: cannot write the picture: {error.strerror or error}")
    click.echo(f"wrote {plot}", err=to_stderr)


@click.command()
@click.argument("certs", nargs=-1, required=True)
def verify(certs: tuple[str, ...]) -> None:
    """Check certificates with the independent verifier; one line per certificate.

    Prints ``CERT: OK (checked: …)`` or one ``CERT: REJECTED: problem`` line per problem.
    A CLOSED certificate rests on the lemmas it cites: the OK line lists them after
    "rests on".  Exit status 1 if any certificate is rejected, 2 if one cannot be read.
    """
    from closure_check.verifier import (
        verify_certificate,  # standard library only: no numpy here
    )
    from closure_check.verifier.files import CertificateFileError, load_certificate

    bad_input = rejected = False
    for path in certs:
        try:
            cert = load_certificate(path)
        except CertificateFileError as error:
            click.echo(str(error), err=True)
            bad_input = True
            continue
        report = verify_certificate(cert)
        if report.out_of_memory:
            click.echo(f"{path}: out of memory while checking it (MemoryError): not checked", err=True)
            bad_input = True
            continue
        if report.ok:
            line = f"{path}: OK (checked: {'; '.join(report.checked)}"
            if report.trusted:
                line += f"; rests on: {', '.join(report.trusted)}"
            click.echo(line + ")")
        else:
            rejected = True
            for problem in report.problems:
                click.echo(f"{path}: REJECTED: {problem}")
    if bad_input:
        sys.exit(EXIT_BAD_INPUT)
    if rejected:
        sys.exit(EXIT_DISAGREEMENT)
