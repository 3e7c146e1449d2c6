"""``closure-check``: each command parses its arguments, calls one library function and
formats the result.

Exit status: 0 success, 1 a disagreement or failed check, 2 bad input (one line on
stderr naming the file, the line and the problem; never a traceback), 3 ``batch
--fail-on-error`` only: a case got no answer (bad input, crashed, timeout, memory).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.batch_cmd import batch, census
from cli.certify_cmd import certify, verify
from cli.common import (
    EXIT_BAD_INPUT,
    EXIT_DISAGREEMENT,
    OneLineGroup,
    budget_option,
    cannot_write,
    fail_bad_input,
    load,
    one_line,
    read_support,
    time_limit_option,
)
from cli.export_cmd import export
from cli.landscape_cmd import landscape
from cli.network_cmd import network
from cli.relu_cmd import relu
from cli.repair_cmd import repair
from cli.solve_cmd import solve

if TYPE_CHECKING:
    from closure_check.core.case import Case
    from closure_check.core.graph import RankOneStructure


def two_factor_structure(case: Case) -> tuple[RankOneStructure | None, str]:
    """Structure of the case's two-factor form, or None with the reason."""
    from closure_check.core.graph import RankOneStructure, StructureTooLarge
    from closure_check.core.support import ChainSupport

    support = case.support
    if isinstance(support, ChainSupport):
        if support.length != 2:
            return None, ""
        support = support.to_two_factor()
    try:
        return RankOneStructure.build(support), ""
    except StructureTooLarge as error:
        return None, f"rectangles not listed: {error}"


@click.group(cls=OneLineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="closure-check")
def main() -> None:
    """Decide whether a set of sparse matrix products is closed, and prove it."""


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--png", "png", type=click.Path(dir_okay=False), help="Also draw the supports to this PNG (one file only): rectangles with a legend for two factors; a chain's factors, product and layered graph; spy plots above 512 a side.")
def show(files: tuple[str, ...], png: str | None) -> None:
    """Print the supports and their rectangles: classes, multiplicity, completeness, components.

    FILE `-` reads standard input (text format).
    """
    from closure_check.output.terminal import render_case

    if png and len(files) != 1:
        fail_bad_input("closure-check show: --png takes exactly one FILE")
    for index, path in enumerate(files):
        case = load(path)
        structure, note = two_factor_structure(case)
        if index:
            click.echo()
        click.echo(f"== {path}")
        click.echo(render_case(case, structure))
        if note:
            click.echo(note)
        if png:
            from closure_check.output.plot import draw_case

            try:
                draw_case(case, structure, Path(png))
            except OSError as error:
                fail_bad_input(f"{png}: cannot write the picture: {error.strerror or error}")
            click.echo(f"wrote {png}")


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("name", required=False)
@click.argument("args", nargs=-1)
@click.option("-o", "--output", metavar="FILE", help="Write the support to this file (format by suffix; large supports: .npz or .mtx).")
def family(name: str | None, args: tuple[str, ...], output: str | None) -> None:
    """Build a standard support: NAME ARGS, e.g. `lu 3` or `butterfly-split 4 2`.

    Without NAME, list the families and their arguments.
    """
    from closure_check.families import FAMILIES, FamilyError, build_family
    from closure_check.io import SupportFileError, write_case
    from closure_check.output.terminal import render_case

    if name is None:
        for entry in FAMILIES.values():
            click.echo(f"{entry.usage}\n    {entry.summary}")
        return
    try:
        case = build_family(name, args)
    except FamilyError as error:
        fail_bad_input(f"closure-check family: {error}")
    except MemoryError:
        fail_bad_input(f"closure-check family: not enough memory for {name} {' '.join(args)}")
    if output is None:
        structure, note = two_factor_structure(case)
        click.echo(render_case(case, structure))
        return
    if not output:
        fail_bad_input("closure-check family: -o: empty file name")
    try:
        written = write_case(case, Path(output))
    except SupportFileError as error:
        fail_bad_input(str(error))
    except OSError as error:
        cannot_write(output, error)
    for path in written:
        click.echo(f"wrote {path}")


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file (keys file, verdict, engine_record, tractable, tractability, reasons, ...).")
@click.option("--certificate", "with_certificate", is_flag=True,
              help="With --json: add the certificate (docs/certificates.md) under the key \"certificate\" "
                   "(null for an UNKNOWN verdict).  Not included by default, to keep the lines small.")
@click.option("--strict", is_flag=True, help="Count an UNKNOWN verdict as a disagreement.")
@budget_option
@time_limit_option
@click.option(
    "--certificates",
    "certificate_dir",
    metavar="DIR",
    help="Write the certificate of every decided verdict to DIR/<file stem>.json (verify with `closure-check verify`).",
)
def check(files: tuple[str, ...], as_json: bool, with_certificate: bool, strict: bool, budget: float,
          time_limit: float | None, certificate_dir: str | None) -> None:
    """Decide whether each support's set of products is closed, with the reasons.

    FILE `-` reads standard input (text format).  The proof in machine-readable form:
    `--json --certificate` puts each decided verdict's certificate in its JSON line;
    `--certificates DIR` writes it to a file.

    Exit status 0 when every verdict agrees with the file's `expect:` (if any), 1 on a
    disagreement (or an UNKNOWN with --strict), 2 if a file could not be read.
    """
    import time

    from closure_check.core.case import Verdict
    from closure_check.decide import check as check_support
    from closure_check.io import SupportFileError
    from closure_check.output.terminal import render_check
    from closure_check.result import Tractability

    if with_certificate and not as_json:
        fail_bad_input("closure-check check: --certificate goes with --json (or write files with --certificates DIR)")
    until = None if time_limit is None else time.monotonic() + time_limit
    bad_input = disagreement = False
    for path in files:
        try:
            case = read_support(path)
        except SupportFileError as error:
            click.echo(one_line(str(error)), err=True)
            bad_input = True
            continue
        left = None if until is None else max(0.0, until - time.monotonic())
        result = check_support(case.support, budget=budget, time_limit=left)
        if certificate_dir is not None and result.verdict is not Verdict.UNKNOWN:
            from closure_check.output.certificate_json.two_factor import (
                dump_certificate,
            )

            stem = "stdin" if path == "-" else Path(path).stem
            target = Path(certificate_dir) / f"{stem}.json"
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                dump_certificate(result.certificate_json(name=case.name or stem), target)
            except OSError as error:
                fail_bad_input(f"{target}: cannot write the certificate ({error.strerror or error})")
        agrees = case.expect in (None, result.verdict) or result.verdict is Verdict.UNKNOWN
        disagreement |= not agrees or (strict and result.verdict is Verdict.UNKNOWN)
        if as_json:
            line = {
                "file": path,
                "name": case.name,
                "verdict": result.verdict.value,
                "engine_record": result.engine_record,
                "tractable": result.tractability is not Tractability.NOT_KNOWN,
                "tractability": result.tractability.value,
                "reasons": list(result.reasons),
                "undecided": list(result.undecided),
                "limit": result.limit,
                "expect": case.expect.value if case.expect else None,
                "agrees": agrees,
            }
            if with_certificate:
                line["certificate"] = (None if result.verdict is Verdict.UNKNOWN
                                       else result.certificate_json(name=case.name or Path(path).stem))
            click.echo(json.dumps(line, ensure_ascii=False))
        else:
            click.echo(render_check(path, result, case.expect))
    if bad_input:
        sys.exit(EXIT_BAD_INPUT)
    if disagreement:
        sys.exit(EXIT_DISAGREEMENT)


for command in (batch, census, certify, verify, export, relu, network, repair, landscape, solve):
    main.add_command(command)
