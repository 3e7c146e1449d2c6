"""What every command shares: exit codes, the one-line bad-input exit, reading a
support file (``-`` for standard input), checked numeric option types, and the
``--budget`` option.

Every error a user can cause is one line on stderr and exit status 2: the library's
``FILE:LINE: problem`` messages, and click's usage errors too (a bad option value, a
missing argument), which :class:`OneLineGroup` prints as ``closure-check CMD: problem``
instead of click's usage block.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from closure_check.core.case import Case

EXIT_DISAGREEMENT = 1
"""A verdict disagrees with ``expect:``, or a certificate is rejected."""

EXIT_BAD_INPUT = 2

EXIT_CASE_FAILED = 3
"""``batch --fail-on-error``: a case did not get an answer (bad input, crashed, timeout, memory)."""

STDIN_ARGUMENT = "-"
"""A FILE argument that reads standard input (in the text format)."""

MAX_SECONDS = 10**6
"""Largest time option (about 11 days): the process pools take milliseconds as a C int."""


def one_line(text: str) -> str:
    """``text`` on one line: line breaks and other control characters written as escapes."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def fail_bad_input(message: str) -> NoReturn:
    """Print one line on stderr and exit with status 2."""
    click.echo(one_line(message), err=True)
    sys.exit(EXIT_BAD_INPUT)


def cannot_write(path: str | Path, error: OSError) -> NoReturn:
    """Exit 2 with ``PATH: cannot write: reason`` for an output file that failed."""
    fail_bad_input(f"{path}: cannot write: {error.strerror or error}")


def read_support(path: str) -> Case:
    """Read the support file ``path``, or standard input (text format) when it is ``-``.

    Raises
    ------
    closure_check.io.SupportFileError
        One line, ``FILE:LINE: problem`` (``<stdin>:LINE: problem`` for ``-``).
    """
    from closure_check.io import SupportFileError, read_case, read_stream_case

    if path == STDIN_ARGUMENT:
        return read_stream_case(sys.stdin.buffer, "text")
    if not path:
        raise SupportFileError(Path(path), None, "empty file name")
    return read_case(Path(path))


def load(path: str) -> Case:
    """Read a support file (``-``: standard input), or exit 2 with ``FILE:LINE: problem``."""
    from closure_check.io import SupportFileError

    try:
        return read_support(path)
    except SupportFileError as error:
        fail_bad_input(str(error))


def load_array(path: str) -> Any:
    """Read a ``.npy`` array from a regular file, or exit 2 with ``PATH: problem``."""
    import numpy as np

    from closure_check.io import SupportFileError
    from closure_check.io.common import open_regular

    try:
        with open_regular(Path(path)) as file:
            return np.load(file, allow_pickle=False)
    except SupportFileError as error:
        fail_bad_input(str(error))
    except (OSError, ValueError, EOFError) as error:
        fail_bad_input(f"{path}: cannot read a .npy array ({one_line(str(error))[:200]})")
    except MemoryError:
        fail_bad_input(f"{path}: not enough memory for this array")


class Seconds(click.ParamType):
    """A finite number of seconds from 0 (exclusive when ``positive``) to :data:`MAX_SECONDS`.

    Click's ``FloatRange`` lets ``nan`` through (every comparison with it is false) and
    ``inf``, which the process pools cannot wait for.
    """

    name = "seconds"

    def __init__(self, positive: bool = False) -> None:
        self.positive = positive

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        low = "more than 0" if self.positive else "from 0"
        if not (math.isfinite(number) and (number > 0 if self.positive else number >= 0) and number <= MAX_SECONDS):
            self.fail(f"{value!r} is not a number of seconds {low} to {MAX_SECONDS}", param, ctx)
        return number


def usage_line(error: click.UsageError) -> str:
    """A click usage error as one line: ``closure-check CMD: --option: problem``."""
    ctx = error.ctx
    where = ctx.command_path if ctx is not None else "closure-check"
    if (
        isinstance(error, click.BadParameter)
        and not isinstance(error, click.MissingParameter)
        and error.param is not None
        and ctx is not None
    ):
        hint = error.param_hint or error.param.get_error_hint(ctx)
        if isinstance(hint, (list, tuple)):
            hint = " / ".join(hint)
        return one_line(f"{where}: {str(hint).replace(chr(39), '')}: {error.message}")
    return one_line(f"{where}: {error.format_message()} (see {where} --help)")


class OneLineGroup(click.Group):
    """A click group whose usage errors, and any MemoryError no command handled, are one
    line on stderr with exit status 2."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        prog_name = prog_name or "closure-check"
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            fail_bad_input(usage_line(error))
        except click.ClickException as error:
            click.echo(one_line(error.format_message()), err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except MemoryError:
            fail_bad_input("closure-check: out of memory (MemoryError)")
        sys.exit(code if isinstance(code, int) else 0)


budget_option = click.option(
    "--budget",
    default=10.0,  # closure_check.core.budget.DEFAULT_EFFORT (tests/test_cli.py checks they agree)
    show_default=True,
    type=Seconds(),
    help=(
        "Effort of the algebraic stage for the whole check of a file, shared by the parts the rules leave open: "
        "work counted in nominal seconds (z3's resource counter, search steps; about a second each on the "
        "project's 2-core machine), so the same file and effort give the same verdict on any machine (0: rules only)."
    ),
)

time_limit_option = click.option(
    "--time-limit",
    "time_limit",
    default=None,
    type=Seconds(positive=True),
    help="Wall-clock cap in seconds for the whole command (a safety net: a verdict it cut short says `limit: time`).",
)
