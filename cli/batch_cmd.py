"""``closure-check batch`` and ``closure-check census``: many cases at once.

Each command parses its arguments, calls one library function
(:func:`closure_check.batch.run_batch`, :func:`closure_check.census.run_census`) and
formats the result.  Exit status: 0 success, 1 a verdict disagreeing with a file's
``expect:`` (batch) or with the stored baseline (census), 2 bad input (a path that does
not exist, an unwritable results file, an unknown report format, an unreachable
scheduler), 3 (batch with ``--fail-on-error`` only) a case that got no answer: a file
that could not be read, or a child that crashed or ran out of time or memory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from cli.common import (
    EXIT_CASE_FAILED,
    EXIT_DISAGREEMENT,
    Seconds,
    budget_option,
    fail_bad_input,
)


class _Progress:
    """The ``progress`` callback of :func:`run_batch`: a click progress bar on stderr."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int, record: dict | None) -> None:
        if self.bar is None:
            if not total:
                return
            self.bar = click.progressbar(length=total, label="checking", file=sys.stderr,
                                         show_pos=True, item_show_func=lambda r: r and r["file"])
            self.bar.__enter__()
        if record is not None:
            self.bar.update(1, record)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _connect(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        fail_bad_input("closure-check batch: --scheduler needs dask.distributed (pip install distributed)")
    try:
        return Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as error:
        fail_bad_input(f"closure-check batch: cannot connect to the scheduler at {address}: {error}")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs).")
@budget_option
@click.option("--case-seconds", default=60.0, show_default=True, type=Seconds(positive=True),
              help="Wall-clock limit of one case; past it the case is recorded as timeout.")
@click.option("--memory-mb", default=2048, show_default=True, type=click.IntRange(min=1),
              help="Extra address space (MiB) one case may use; past it the case is recorded as memory.")
@click.option("--results", default="closure-check-results.jsonl", show_default=True, metavar="FILE",
              help="JSON-lines file, one record appended per case as it finishes.")
@click.option("--resume", is_flag=True, help="Skip the cases already recorded in --results (else it is started afresh).")
@click.option("--report", metavar="FILE", help="Also write a report (markdown, JSON or CSV).")
@click.option("--report-format", type=click.Choice(["markdown", "json", "csv"]),
              help="Format of --report (default: from its suffix).")
@click.option("--scheduler", metavar="ADDRESS", help="Run on a dask.distributed cluster, e.g. tcp://host:8786.")
@click.option("--fail-on-error", is_flag=True,
              help="Exit 3 if a case got no answer (bad input, crashed, timeout, memory) or a wall-clock "
                   "safety net cut its answer short (limit: time), for CI.")
@click.option("--certificates", "certificate_dir", type=click.Path(file_okay=False),
              help="Write the certificate of every decided case to DIR/<file stem>.json (stem plus a short hash "
                   "when two files share a stem); each JSON line names it under \"certificate\".")
def batch(paths: tuple[str, ...], jobs: int | None, budget: float, case_seconds: float, memory_mb: int,
          results: str, resume: bool, report: str | None, report_format: str | None, scheduler: str | None,
          fail_on_error: bool, certificate_dir: str | None) -> None:
    """Decide every case file under PATHS (directories recursively), in parallel.

    Each case runs in its own process under --case-seconds and --memory-mb; crashes,
    timeouts, exhausted memory and unreadable files are recorded and the others go on.
    Killing the batch, even with SIGKILL, ends every process it started.

    \b
    Exit status:
      0  every case answered, no verdict disagrees with its file's `expect:`
         (without --fail-on-error: also when cases failed; they are in the summary)
      1  a verdict disagrees with a file's `expect:` (this wins over 3)
      2  bad input: a PATH does not exist, the results or report cannot be
         written, an unknown report format, an unreachable scheduler
      3  with --fail-on-error: a case failed (bad-input, crashed, timeout, memory)
         or its answer was cut short by a wall-clock safety net (limit: time),
         counting the records kept by --resume; an UNKNOWN verdict is an answer
    """
    from closure_check.batch import (
        report_format_for,
        run_batch,
        summary_table,
        write_report,
    )
    from closure_check.io import SupportFileError

    if report:
        try:
            report_format_for(Path(report), report_format)
        except ValueError as error:
            fail_bad_input(f"closure-check batch: {error}")
    client = _connect(scheduler) if scheduler else None
    progress = _Progress()
    try:
        summary = run_batch(paths, jobs=jobs or os.cpu_count() or 1, budget=budget, case_seconds=case_seconds,
                            memory_mb=memory_mb, results=Path(results), resume=resume, executor=client,
                            progress=progress, certificates=certificate_dir)
    except SupportFileError as error:
        fail_bad_input(f"closure-check batch: {error}")
    except OSError as error:
        fail_bad_input(f"closure-check batch: cannot write {error.filename or results}: {error.strerror or error}")
    finally:
        progress.close()
        if client is not None:
            client.close()
    click.echo(summary_table(summary))
    click.echo(f"results: {results}")
    if certificate_dir is not None:
        click.echo(f"certificates: {certificate_dir}")
    if report:
        try:
            click.echo(f"report: {write_report(summary, report, report_format)}")
        except OSError as error:
            fail_bad_input(f"closure-check batch: cannot write {report}: {error.strerror or error}")
    if summary.mismatched:
        sys.exit(EXIT_DISAGREEMENT)
    if fail_on_error and (summary.failed or summary.time_limited):
        sys.exit(EXIT_CASE_FAILED)


@click.command()
@click.option("--rows", required=True, type=click.IntRange(min=1), help="Rows M of the patterns.")
@click.option("--cols", required=True, type=click.IntRange(min=1), help="Columns N of the patterns.")
@click.option("--units", required=True, type=click.IntRange(min=1), help="At most this many units (rectangles).")
@click.option("--exact", is_flag=True, help="Exactly UNITS units (default: at most UNITS).")
@budget_option
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: the number of CPUs).")
@click.option("--baseline", "baselines", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="Stored run of the authors' sentence (benchmarks/results/baseline_MxN.jsonl) to set side by side.")
@click.option("-o", "--output", metavar="FILE", help="Write the markdown table here (default: stdout).")
@click.option("--list", "list_kind", type=click.Choice(["closed", "not-closed", "unknown"]),
              help="Print one line per pattern of this verdict (I=rows J=rows, then the deciding lemma) "
                   "instead of the table; unknown includes the patterns that failed.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="With --list: write each listed pattern to DIR/<kind>-<k>.sup and, for closed / not-closed, "
                   "its certificate to DIR/<kind>-<k>.json (k as in the list, from 1).")
@click.option("--landscape", "landscape_mode", is_flag=True,
              help="Instead: the landscape of ‖A − X Yᵀ‖² for every pattern m×n with m ≤ n up to ROWS×COLS "
                   "(BENIGN / certified SPURIOUS / UNKNOWN / NONE FOUND; docs/landscape_census.md).")
@click.option("--targets", type=click.IntRange(1, 10**6), default=24, show_default=True,
              help="With --landscape: targets searched per pattern.")
@click.option("--starts", type=click.IntRange(1, 10**6), default=8, show_default=True,
              help="With --landscape: random starts per target.")
@click.option("--sample", type=click.IntRange(min=1), default=None,
              help="Decide only this many classes, drawn with --seed (default: every class).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="Seed of --sample; with --landscape: seed of the targets and starts.")
def census(rows: int, cols: int, units: int, exact: bool, budget: float, jobs: int | None, baselines: tuple[str, ...],
           output: str | None, list_kind: str | None, out_dir: str | None, landscape_mode: bool, targets: int,
           starts: int, sample: int | None, seed: int) -> None:
    """Decide every ROWS×COLS pattern with at most UNITS units, once per isomorphism class,
    and tabulate verdicts, tractability and the lemma behind each verdict.

    `--list not-closed --out DIR` pulls every NOT CLOSED pattern with its proof: support
    files and certificates (check them with `closure-check verify DIR/*.json`).
    `--landscape` tabulates the landscape answers instead (every size up to ROWS×COLS).

    Exit status 1 if a verdict disagrees with the baseline, 0 otherwise.
    """
    if landscape_mode:
        if list_kind or out_dir or baselines or exact or sample:
            fail_bad_input("closure-check census: --landscape does not go with --list, --out, --baseline, --exact or --sample")
        from closure_check.landscape.census import landscape_census

        _write_or_echo(landscape_census(rows, cols, units, targets=targets, starts=starts, seed=seed).markdown(), output)
        return
    from closure_check.census import (
        census_list,
        census_markdown,
        run_census,
        write_listed,
    )

    if out_dir is not None and list_kind is None:
        fail_bad_input("closure-check census: --out goes with --list KIND")
    wanted = (list_kind,) if out_dir is not None and list_kind in ("closed", "not-closed") else ()
    result = run_census(rows, cols, units, budget=budget, jobs=jobs or os.cpu_count() or 1, baseline=baselines or None,
                        certificates_for=wanted, exact=exact, sample=sample, seed=seed)
    if out_dir is not None:
        from closure_check.io import SupportFileError

        try:
            written = write_listed(result, list_kind, out_dir)
        except (OSError, SupportFileError) as error:
            fail_bad_input(f"closure-check census: cannot write to {out_dir}: {getattr(error, 'strerror', None) or error}")
        click.echo(f"wrote {len(written)} file(s) to {out_dir}", err=True)
    text = census_markdown(result)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            fail_bad_input(f"closure-check census: cannot write {output}: {error.strerror or error}")
        click.echo(f"wrote {output}", err=list_kind is not None)
    elif list_kind is None:
        click.echo(text, nl=False)
    if list_kind is not None:
        click.echo(census_list(result, list_kind), nl=False)
    if result.disagreements():
        sys.exit(EXIT_DISAGREEMENT)


def _write_or_echo(text: str, output: str | None) -> None:
    """Write ``text`` to ``output`` (saying so), or print it."""
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            fail_bad_input(f"closure-check census: cannot write {output}: {error.strerror or error}")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)
