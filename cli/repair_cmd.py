"""``repair``: the smallest changes of a support that make its set of products closed.

Exit status: 0 when the search ran (whatever it found); 2 bad input (one line on stderr).
"""

from __future__ import annotations

import click

from cli.common import Seconds, load


@click.command()
@click.argument("file")
@click.option("--add", "mode", flag_value="add", default=True, help="Repair by adding support entries (default).")
@click.option("--remove", "mode", flag_value="remove", help="Repair by removing support entries.")
@click.option("--max", "max_changes", default=2, show_default=True, type=click.IntRange(1, 8), help="Largest number K of changed entries tried.")
@click.option("--budget", default=0.0, show_default=True, type=Seconds(),
              help="Effort of the algebraic stage for each candidate's check, in nominal seconds of counted work "
                   "(docs/algebra.md §4).  Default 0 (the proved rules only), unlike `check`: a search checks many candidates.")
def repair(file: str, mode: str, max_changes: int, budget: float) -> None:
    """Smallest sets of entries to add (or remove) that make P closed, each CLOSED verdict proved.

    Exhaustive by increasing size up to --max on small patterns ("minimal among changes of
    size ≤ K"); beyond that a heuristic near the obstruction, labelled as such.
    """
    from closure_check.repair import repair as repair_support
    from closure_check.repair_text import render_repair

    case = load(file)
    click.echo(render_repair(file, repair_support(case.support, mode, max_changes=max_changes, budget=budget)))
