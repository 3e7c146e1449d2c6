"""Census: every small pattern decided by ``check``, tallied by verdict and by lemma.

:func:`run_census` takes every M×N pattern of at most R units that uses all rows and
columns, once per isomorphism class (:func:`closure_check.core.enumerate.enumerate_patterns`:
row, column and unit permutations, and transpose when M = N), decides each with
:func:`closure_check.decide.check` (module Notes: the rules in the worker, the engine in a
budgeted child process, as ``check`` needs it), and counts the verdicts,
the tractable patterns, and the lemma or engine criterion behind each verdict (the name in
parentheses that ends each reason).  Optionally it joins a stored run of the authors' z3
sentence (``benchmarks/run_baseline.py``, :mod:`closure_check.algebra.baseline`) by canonical form,
to set both side by side.

>>> result = run_census(2, 2, 3, budget=0, jobs=1)
>>> len(result.entries), result.counts()
(33, {'closed': 31, 'closed (engine record)': 0, 'not-closed': 2, 'unknown': 0, 'failed': 0})
>>> result.lemma_counts()["local-LU lemma"]
(0, 2)

Notes
-----
Two stages, the same verdicts as ``check`` at the census's effort.  Each pattern is first
decided by ``check`` at effort 0 -- the proved rules only, combinatorial, milliseconds --
in the worker process itself.  ``check_two_factor`` runs the engine on nothing else than
the parts the rules leave open, and returns a NOT CLOSED verdict of a rule before any
engine runs, so whenever that first answer is definite it is also the answer (reasons,
certificate, tractability included) ``check`` gives at any effort.  Only an UNKNOWN
pattern, when the effort is positive, is decided again by ``check`` at the full effort
in a budgeted child process (:func:`closure_check.batch.run_supervised`: wall-clock and
memory limits; a child that exceeds them is counted as failed).  The time of a pattern is
the sum of both stages.

A NOT CLOSED verdict is credited to the lemma of its last reason (the part refuted);
a CLOSED verdict to every lemma its reasons name, since all of them are needed.  The
*method* of a verdict is "engine: Zariski-closure criterion" when the CLOSED verdict rests
on that criterion's engine record (or the criterion appears among the reasons), "engine:
Laurent curve + Nullstellensatz" when a certified curve does, and "rules" otherwise.  The
CLOSED verdicts resting on an engine record are also counted apart, as "closed (engine
record)" (among the closed ones).
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from closure_check.batch import (
    ENGINE_RECORD_CLOSED,
    _decide,
    _default_executor,
    _error_line,
    lemma_names,
    run_supervised,
    submit_all,
)
from closure_check.core.canonical import CanonicalForm, canonical_form
from closure_check.core.enumerate import enumerate_forms
from closure_check.core.support import TwoFactorSupport

__all__ = [
    "METHODS",
    "BaselineEntry",
    "CensusEntry",
    "CensusResult",
    "LIST_KINDS",
    "census_list",
    "census_markdown",
    "listed",
    "load_baseline",
    "run_census",
    "sample_classes",
    "write_listed",
]

DEFINITE = ("closed", "not-closed")
#: What ``census --list`` can list: the patterns of one verdict (``unknown``: also those that failed).
LIST_KINDS = ("closed", "not-closed", "unknown")
#: How a verdict was reached (:func:`method_of`), in the order of the tables.
METHODS = ("rules", "engine: Laurent curve + Nullstellensatz", "engine: Zariski-closure criterion")


def _rows(matrix: np.ndarray) -> tuple[str, ...]:
    return tuple("".join(str(int(v)) for v in row) for row in matrix)


def _form_rows(form: CanonicalForm) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rows of ``I`` and ``J`` of a canonical form, as 0/1 strings."""
    I = np.unpackbits(np.frombuffer(form.I_bits, dtype=np.uint8), count=form.m * form.r).reshape(form.m, form.r)
    J = np.unpackbits(np.frombuffer(form.J_bits, dtype=np.uint8), count=form.n * form.r).reshape(form.n, form.r)
    return _rows(I), _rows(J)


def _support(I: Sequence[str], J: Sequence[str]) -> TwoFactorSupport:
    return TwoFactorSupport(np.array([[int(c) for c in row] for row in I], dtype=np.int8),
                            np.array([[int(c) for c in row] for row in J], dtype=np.int8))


def method_of(verdict: str | None, lemmas: Iterable[str], engine_record: bool = False) -> str | None:
    """How a definite verdict was reached: one of :data:`METHODS` (None if not definite)."""
    if verdict not in DEFINITE:
        return None
    lemmas = list(lemmas)
    if engine_record or "Zariski-closure criterion" in lemmas:
        return METHODS[2]
    if any("Nullstellensatz" in lemma for lemma in lemmas):
        return METHODS[1]
    return METHODS[0]


@dataclass(frozen=True)
class BaselineEntry:
    """The stored baseline answer for one pattern: verdict, seconds, z3's detail."""

    verdict: str
    seconds: float
    detail: str = ""


@dataclass(frozen=True)
class CensusEntry:
    """One pattern and what ``check`` said.

    Attributes
    ----------
    I, J
        The canonical representative, rows as strings of 0/1.
    status
        ``"ok"``, or how the budgeted child failed (``timeout``, ``memory``, ``crashed``).
    verdict, tractability, reasons
        From ``check`` (None, None, () when the child failed).
    seconds
        Time of ``check`` itself: the rules in the worker, plus ``check`` at the full effort in
        the child when the rules left parts open (module Notes), or the failed attempt.
    error
        One line, when ``status`` is not ``ok``.
    baseline
        The stored baseline answer for this pattern, if a baseline was joined and has it.
    engine_record
        The CLOSED verdict rests on an engine record (Zariski-closure criterion).
    certificate
        The certificate's JSON dict, when :func:`run_census` was asked for this verdict's
        certificates (``certificates_for``); else None.
    undecided
        For UNKNOWN: the parts left open and what was tried on each.
    engine
        The rules left parts open and ``check`` ran again at the full effort in a child.
    rules_seconds
        Time of the first stage (``check`` at effort 0, in the worker).
    """

    I: tuple[str, ...]
    J: tuple[str, ...]
    status: str
    verdict: str | None
    tractability: str | None
    reasons: tuple[str, ...]
    seconds: float
    error: str | None = None
    baseline: BaselineEntry | None = None
    engine_record: bool = False
    certificate: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    undecided: tuple[str, ...] = ()
    engine: bool = False
    rules_seconds: float = 0.0

    @property
    def lemmas(self) -> list[str]:
        """The lemmas and criteria named by the reasons."""
        return lemma_names(self.reasons)

    @property
    def deciding(self) -> list[str]:
        """The lemmas credited with the verdict (module Notes)."""
        lemmas = self.lemmas
        if self.verdict == "not-closed":
            return lemma_names(self.reasons[-1:])
        return lemmas if self.verdict == "closed" else []

    @property
    def disagrees(self) -> bool:
        """Both ``check`` and the baseline are definite, and differ."""
        return (self.baseline is not None and self.verdict in DEFINITE
                and self.baseline.verdict in DEFINITE and self.baseline.verdict != self.verdict)


@dataclass(frozen=True)
class CensusResult:
    """All entries of a census, with the parameters and the wall-clock time."""

    rows: int
    cols: int
    units: int
    budget: float
    entries: tuple[CensusEntry, ...]
    seconds: float
    baseline_files: tuple[str, ...] = ()
    exact: bool = False
    """True: exactly ``units`` units (else at most ``units``)."""
    classes: int | None = None
    """How many classes the set has (None: as many as entries)."""
    sample: int | None = None
    """Only this many classes were decided, drawn with ``random.Random(seed)`` (None: all of them)."""
    seed: int = 0
    enumeration_seconds: float = 0.0
    """Wall-clock time of listing the classes (included in ``seconds``)."""

    @property
    def units_text(self) -> str:
        """``"at most 3 units"`` or ``"exactly 4 units"``."""
        return f"{'exactly' if self.exact else 'at most'} {self.units} units"

    @property
    def command(self) -> str:
        """The command line that reproduces this census."""
        return (f"closure-check census --rows {self.rows} --cols {self.cols} --units {self.units}"
                + (" --exact" if self.exact else "") + f" --budget {self.budget:g}"
                + (f" --sample {self.sample} --seed {self.seed}" if self.sample is not None else ""))

    def counts(self) -> dict[str, int]:
        """Patterns by outcome: closed, closed (engine record) -- among the closed ones, those
        resting on an engine record --, not-closed, unknown, failed (the child died or timed out)."""
        ok = [e for e in self.entries if e.status == "ok"]
        return {
            "closed": sum(e.verdict == "closed" for e in ok),
            ENGINE_RECORD_CLOSED: sum(e.verdict == "closed" and e.engine_record for e in ok),
            "not-closed": sum(e.verdict == "not-closed" for e in ok),
            "unknown": sum(e.verdict == "unknown" for e in ok),
            "failed": len(self.entries) - len(ok),
        }

    @property
    def tractable(self) -> int:
        """Patterns in a tractable family (closed-form solver known)."""
        return sum(e.tractability not in (None, "not-known") for e in self.entries)

    def tractability_counts(self) -> Counter:
        """Patterns per tractability class (of the CLOSED ones; the others are ``not-known``)."""
        return Counter(e.tractability for e in self.entries if e.tractability is not None)

    def lemma_counts(self) -> dict[str, tuple[int, int]]:
        """Lemma → (CLOSED patterns crediting it, NOT CLOSED patterns decided by it)."""
        closed, refuted = Counter(), Counter()
        for entry in self.entries:
            (closed if entry.verdict == "closed" else refuted).update(entry.deciding)
        names = list(dict.fromkeys([*closed, *refuted]))
        names.sort(key=lambda name: (-(closed[name] + refuted[name]), name))
        return {name: (closed[name], refuted[name]) for name in names}

    def method_counts(self) -> dict[str, int]:
        """Definite verdicts per method (:data:`METHODS`)."""
        tally = Counter(method_of(e.verdict, e.lemmas, e.engine_record) for e in self.entries)
        return {method: tally[method] for method in METHODS}

    @property
    def check_seconds(self) -> float:
        """Sum over the patterns of the time of ``check``."""
        return sum(e.seconds for e in self.entries)

    @property
    def joined(self) -> list[CensusEntry]:
        """The entries the baseline has an answer for."""
        return [e for e in self.entries if e.baseline is not None]

    def disagreements(self) -> list[CensusEntry]:
        """Entries where ``check`` and the baseline give different definite verdicts."""
        return [e for e in self.entries if e.disagrees]


def load_baseline(paths: Iterable[str | PathLike[str]], rows: int, cols: int) -> dict[CanonicalForm, BaselineEntry]:
    """Stored baseline records of ``rows``×``cols`` patterns, by canonical form.

    Each file is JSON lines as written by ``benchmarks/run_baseline.py``: keys ``I``,
    ``J`` (rows as 0/1 strings), ``shape``, ``verdict``, ``seconds``, ``detail``.  Records
    of other shapes are ignored; a blank or torn line is skipped.
    """
    table: dict[CanonicalForm, BaselineEntry] = {}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(record, dict) or "I" not in record or "J" not in record:
                continue
            support = _support(record["I"], record["J"])
            if support.shape != (rows, cols):
                continue
            entry = BaselineEntry(str(record["verdict"]), float(record["seconds"]), str(record.get("detail", "")))
            table[canonical_form(support, transpose=(rows == cols))] = entry
    return table


def _census_one(I: tuple[str, ...], J: tuple[str, ...], budget: float, case_seconds: float, memory_mb: int,
                certificate_for: tuple[str, ...] = ()) -> dict[str, Any]:
    """``check`` on one pattern: the rules here, the engine in a budgeted child when the
    rules leave parts open (module Notes); plain data back, never raises."""
    support = _support(I, J)
    try:
        value = _timed_decide(support, 0.0, certificate_for)
    except Exception as error:  # noqa: BLE001 - a defect of a rule, recorded as the child would record it
        return {"status": "crashed", "seconds": 0.0, "error": _error_line(f"{type(error).__name__}: {error}")}
    rules_seconds = value["seconds"]
    if value["verdict"] != "unknown" or budget <= 0:
        return {"status": "ok", **value, "engine": False, "rules_seconds": rules_seconds}
    outcome = run_supervised(_timed_decide, support, budget, certificate_for,
                             seconds=case_seconds, memory_mb=memory_mb)
    if outcome.ok:
        return {"status": "ok", **outcome.value, "seconds": round(rules_seconds + outcome.value["seconds"], 4),
                "engine": True, "rules_seconds": rules_seconds}
    return {"status": outcome.status, "seconds": round(rules_seconds + outcome.seconds, 4), "engine": True,
            "rules_seconds": rules_seconds, "error": _error_line(outcome.detail)}


def _timed_decide(support: TwoFactorSupport, budget: float, certificate_for: tuple[str, ...] = ()) -> dict[str, Any]:
    start = time.perf_counter()
    value = _decide(support, budget, certificate_for)
    value["seconds"] = round(time.perf_counter() - start, 4)
    return value


def run_census(
    rows: int,
    cols: int,
    units: int,
    *,
    budget: float = 5.0,
    jobs: int = 1,
    executor: Any | None = None,
    baseline: str | PathLike[str] | Sequence[str | PathLike[str]] | None = None,
    case_seconds: float = 300.0,
    memory_mb: int = 2048,
    certificates_for: Sequence[str] = (),
    exact: bool = False,
    sample: int | None = None,
    seed: int = 0,
) -> CensusResult:
    """Decide every ``rows``×``cols`` pattern with at most ``units`` units, once per class.

    Parameters
    ----------
    rows, cols, units
        The shape and the largest number of units (rectangles) of the patterns.
    exact
        Only the patterns with exactly ``units`` units.
    budget
        The effort of each ``check`` (nominal seconds of counted work for the whole pattern, ``docs/algebra.md`` §4).
    jobs, executor
        Worker processes of the default pool, or any executor (:func:`closure_check.batch.submit_all`).
    baseline
        Stored baseline run(s) to join by canonical form (:func:`load_baseline`).
    case_seconds, memory_mb
        Hard limits of the child that runs ``check`` on one pattern; a pattern that
        exceeds them is counted as failed.
    certificates_for
        Verdicts (``"closed"``, ``"not-closed"``) whose certificates are built in the
        same stage and kept in :attr:`CensusEntry.certificate`.
    sample, seed
        Decide only ``sample`` classes drawn without replacement by ``random.Random(seed)``
        (all of them when ``sample`` is None or at least their number).

    Returns
    -------
    CensusResult
        Entries in enumeration order.
    """
    start = time.monotonic()
    everything = list(enumerate_forms(rows, cols, units, min_units=units if exact else 1))
    enumeration_seconds = time.monotonic() - start
    forms = sample_classes(everything, sample, seed)
    if baseline is None:
        files: tuple[str, ...] = ()
    elif isinstance(baseline, (str, PathLike)):
        files = (str(baseline),)
    else:
        files = tuple(str(p) for p in baseline)
    stored = load_baseline(files, rows, cols) if files else {}
    wanted = tuple(str(v) for v in certificates_for)
    calls = [(*_form_rows(form), float(budget), float(case_seconds), int(memory_mb), wanted) for form in forms]
    values: list[dict[str, Any] | None] = [None] * len(calls)
    owned = executor is None and bool(calls)
    pool = _default_executor(jobs) if owned else executor
    try:
        with closing(submit_all(pool, _census_one, calls)) as outcomes:  # no calls: nothing submitted
            for index, value, error in outcomes:
                values[index] = value if error is None else {
                    "status": "crashed", "seconds": 0.0, "error": _error_line(f"{type(error).__name__}: {error}")}
    finally:
        if owned:
            pool.shutdown(wait=True, cancel_futures=True)
    entries = []
    for form, call, value in zip(forms, calls, values):
        assert value is not None
        entries.append(CensusEntry(
            I=call[0],
            J=call[1],
            status=value["status"],
            verdict=value.get("verdict"),
            tractability=value.get("tractability"),
            reasons=tuple(value.get("reasons", ())),
            seconds=float(value.get("seconds", 0.0)),
            error=value.get("error"),
            baseline=stored.get(form),  # a canonical form is its own canonical form
            engine_record=bool(value.get("engine_record", False)),
            certificate=value.get("certificate"),
            undecided=tuple(value.get("undecided", ())),
            engine=bool(value.get("engine", False)),
            rules_seconds=float(value.get("rules_seconds", 0.0)),
        ))
    return CensusResult(rows, cols, units, float(budget), tuple(entries), time.monotonic() - start, files, exact,
                        classes=len(everything), sample=len(forms) if len(forms) < len(everything) else None, seed=seed,
                        enumeration_seconds=enumeration_seconds)


def sample_classes(forms: list[CanonicalForm], sample: int | None, seed: int) -> list[CanonicalForm]:
    """``sample`` of ``forms`` drawn without replacement by ``random.Random(seed)``, in their
    original order (all of them when ``sample`` is None or not smaller than their number).

    >>> sample_classes(list("abcdef"), 3, seed=1) == sample_classes(list("abcdef"), 3, seed=1)
    True
    """
    if sample is None or sample >= len(forms):
        return forms
    chosen = sorted(random.Random(seed).sample(range(len(forms)), max(0, int(sample))))
    return [forms[k] for k in chosen]


def _pattern(entry: CensusEntry) -> str:
    return f"I={'/'.join(entry.I)} J={'/'.join(entry.J)}"


def listed(result: CensusResult, kind: str) -> list[CensusEntry]:
    """The entries of one kind (:data:`LIST_KINDS`), in enumeration order; ``unknown``
    takes every pattern without a definite verdict, failed ones included."""
    if kind not in LIST_KINDS:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(LIST_KINDS)}")
    if kind == "unknown":
        return [e for e in result.entries if e.verdict not in DEFINITE]
    return [e for e in result.entries if e.status == "ok" and e.verdict == kind]


def census_list(result: CensusResult, kind: str) -> str:
    """One line per pattern of ``kind``: ``I=rows/… J=rows/…`` (rows as 0/1 strings),
    then what decided it -- the deciding lemmas (module Notes), ``(engine record)`` for a
    CLOSED verdict resting on one -- or, for ``unknown``, the verdict or failure.

    >>> result = run_census(2, 2, 3, budget=0, jobs=1)
    >>> print(census_list(result, "not-closed"), end="")
    I=11/01 J=11/01 — local-LU lemma
    I=001/111 J=001/111 — local-LU lemma
    """
    lines = []
    for entry in listed(result, kind):
        if kind == "unknown":
            what = entry.verdict if entry.status == "ok" else f"{entry.status}: {entry.error}"
        else:
            what = ", ".join(entry.deciding) or "—"
            if entry.engine_record:
                what += " (engine record)"
        lines.append(f"{_pattern(entry)} — {what}")
    return "".join(line + "\n" for line in lines)


def write_listed(result: CensusResult, kind: str, directory: str | PathLike[str]) -> list[Path]:
    """Write every pattern of ``kind`` as a support file, with its certificate beside it.

    ``DIR/<kind>-<k>.sup`` (text format, :func:`closure_check.io.write_case`; ``k`` counts
    the listed patterns from 1, as :func:`census_list` prints them) and, when the entry
    holds one (:func:`run_census` with ``certificates_for``), ``DIR/<kind>-<k>.json``.

    Returns
    -------
    list of Path
        The files written, support file then certificate, pattern by pattern.

    Raises
    ------
    OSError, SupportFileError
        If a file cannot be written.
    """
    from closure_check.core.case import Case, Verdict
    from closure_check.io import write_case
    from closure_check.output.certificate_json.two_factor import dump_certificate

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    entries = listed(result, kind)
    width = max(4, len(str(len(entries))))
    source = result.command
    written: list[Path] = []
    for k, entry in enumerate(entries, start=1):
        stem = f"{kind}-{k:0{width}d}"
        name = f"census-{result.rows}x{result.cols}-{stem}"
        case = Case(_support(entry.I, entry.J), name=name,
                    expect=Verdict(kind) if kind in DEFINITE else None, source=source)
        written += write_case(case, directory / f"{stem}.sup", fmt="text")
        if entry.certificate is not None:
            certificate = {**entry.certificate, "name": name}
            written.append(dump_certificate(certificate, directory / f"{stem}.json"))
    return written


def _engines(entry: CensusEntry) -> str:
    """Which engines an engine-record verdict rests on, read from its reasons."""
    if any("confirming it" in reason for reason in entry.reasons):
        return "z3 and QEPCAD B agree"
    return "z3 alone (single engine)"


def census_markdown(result: CensusResult, heading: str = "##") -> str:
    """The census as markdown: counts, lemmas, methods, and the baseline side by side.

    Parameters
    ----------
    result
        What :func:`run_census` returned.
    heading
        The markdown heading level of the section (``"##"``: a section of a larger page).
    """
    counts = result.counts()
    total = len(result.entries)
    lines = [
        f"{heading} {result.rows}×{result.cols}, {result.units_text}",
        "",
        (
            (f"{total} patterns, a sample drawn with seed {result.seed} from the {result.classes} classes"
             if result.sample is not None else f"{total} patterns")
            + " (every row and column used; one per class of row, column and unit "
            f"permutations{', and transpose' if result.rows == result.cols else ''}); "
            f"`check` with an effort of {result.budget:g} nominal s per pattern; "
            f"wall-clock {result.seconds:.1f} s, `check` time summed over patterns {result.check_seconds:.1f} s, "
            f"median {statistics.median([e.seconds for e in result.entries] or [0.0]) * 1000:.1f} ms per pattern; "
            f"{sum(e.engine for e in result.entries)} patterns went on to the engine after the rules "
            f"({sum(e.seconds for e in result.entries if e.engine):.1f} s of the `check` time). "
            f"Reproduce: `{result.command}`."
        ),
        "",
        "| verdict | patterns |",
        "|---|---:|",
        f"| closed | {counts['closed']} |",
        f"| &nbsp;&nbsp;of which closed (engine record) | {counts[ENGINE_RECORD_CLOSED]} |",
        f"| not closed | {counts['not-closed']} |",
        f"| unknown | {counts['unknown']} |",
    ]
    if counts["failed"]:
        lines.append(f"| failed (timeout, memory, crash) | {counts['failed']} |")
    lines.append(f"| tractable (closed-form solver) | {result.tractable} |")
    for name, number in sorted(result.tractability_counts().items()):
        if name != "not-known":
            lines.append(f"| &nbsp;&nbsp;{name} | {number} |")
    lines += ["", "| method | decided |", "|---|---:|"]
    lines += [f"| {method} | {number} |" for method, number in result.method_counts().items()]
    lines += ["", "| lemma / criterion | closed patterns citing it | not-closed patterns decided by it |", "|---|---:|---:|"]
    lines += [f"| {name} | {closed} | {refuted} |" for name, (closed, refuted) in result.lemma_counts().items()]

    joined = result.joined
    if result.baseline_files:
        stored = ", ".join(f"`{f}`" for f in result.baseline_files)
        lines += ["", f"Baseline: the authors' z3 sentence, stored run(s) {stored}, joined by canonical form: "
                      + f"{len(joined)} of {total} patterns found."]
    if joined:
        ours = [e.verdict for e in joined]
        theirs = [e.baseline.verdict for e in joined]
        ours_seconds = [e.seconds for e in joined]
        theirs_seconds = [e.baseline.seconds for e in joined]
        both = sum(a in DEFINITE and b in DEFINITE for a, b in zip(ours, theirs))
        lines += [
            "",
            "| | `check` | authors' sentence |",
            "|---|---:|---:|",
            f"| closed | {ours.count('closed')} | {theirs.count('closed')} |",
            f"| not closed | {ours.count('not-closed')} | {theirs.count('not-closed')} |",
            f"| unknown | {len(ours) - ours.count('closed') - ours.count('not-closed')} | "
            + f"{len(theirs) - theirs.count('closed') - theirs.count('not-closed')} |",
            f"| decided only by this one | {sum(a in DEFINITE and b not in DEFINITE for a, b in zip(ours, theirs))} | "
            + f"{sum(b in DEFINITE and a not in DEFINITE for a, b in zip(ours, theirs))} |",
            f"| total seconds | {sum(ours_seconds):.1f} | {sum(theirs_seconds):.1f} |",
            f"| median seconds | {statistics.median(ours_seconds):.3f} | {statistics.median(theirs_seconds):.3f} |",
            f"| max seconds | {max(ours_seconds):.1f} | {max(theirs_seconds):.1f} |",
            "",
            f"Both definite on {both} patterns; disagreements: {len(result.disagreements())}.",
        ]
        for entry in result.disagreements():
            lines.append(f"- **DISAGREEMENT** {_pattern(entry)}: `check` {entry.verdict}, sentence {entry.baseline.verdict} "
                         f"({entry.baseline.detail})")
    recorded = [e for e in result.entries if e.verdict == "closed" and e.engine_record]
    if recorded:
        lines += ["", "Patterns CLOSED on an engine record (z3's unsat, re-decided by QEPCAD B when installed; "
                      "records, not checkable certificates):", ""]
        lines += [f"- {_pattern(entry)} — {ENGINE_RECORD_CLOSED}, {_engines(entry)}" for entry in recorded]
    open_entries = [e for e in result.entries if e.verdict not in DEFINITE]
    if open_entries:
        lines += ["", "Patterns `check` leaves open:", ""]
        for entry in open_entries:
            what = entry.verdict if entry.status == "ok" else f"{entry.status}: {entry.error}"
            sentence = f"; sentence: {entry.baseline.verdict}" if entry.baseline else ""
            lines.append(f"- {_pattern(entry)} — {what}{sentence}")
            lines += [f"  - {part}" for part in entry.undecided]
    return "\n".join(lines) + "\n"
