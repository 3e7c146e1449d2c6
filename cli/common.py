"""What every command shares: exit codes, the one-line bad-input exit, reading a
support file, and the ``--budget`` option."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from closure_check.core.case import Case

EXIT_DISAGREEMENT = 1
"""A verdict disagrees with ``expect:``, or a certificate is rejected."""

EXIT_BAD_INPUT = 2

EXIT_CASE_FAILED = 3
"""``batch --fail-on-error``: a case did not get an answer (bad input, crashed, timeout, memory)."""


def fail_bad_input(message: str) -> NoReturn:
    """Print one line on stderr and exit with status 2."""
    click.echo(message, err=True)
    sys.exit(EXIT_BAD_INPUT)


def load(path: str) -> Case:
    """Read a support file, or exit 2 with ``FILE:LINE: problem``."""
    from closure_check.io import SupportFileError, read_case

    try:
        return read_case(Path(path))
    except SupportFileError as error:
        fail_bad_input(str(error))


budget_option = click.option(
    "--budget",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds the algebraic stage may spend on each part the rules leave open (0: rules only).",
)
