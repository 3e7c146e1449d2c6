"""Run :func:`~closure_check.decide.check` on many case files, in parallel, resumably.

``.relu`` files are network specifications: they get
:func:`~closure_check.networks.relu.relu_optimum` instead (answers yes / no / open).

Each case runs in its own budgeted child process (:func:`closure_check.core.budget.run_with_budget`),
so a case that crashes, times out or runs out of memory is recorded as such and never
stops the others; a file that cannot be read is recorded as ``bad-input`` with its
one-line message.  Every result is appended to a JSON-lines file as soon as it is
known (flushed and ``fsync``'d), and a run killed half-way is resumed by reading that
file back and skipping the cases already recorded.

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "lu2.sup").write_text("expect: not-closed\\nI:\\n1 0\\n1 1\\nJ:\\n1 0\\n1 1\\n")
>>> _ = (folder / "broken.sup").write_text("I:\\n1 2\\n")
>>> summary = run_batch([folder], jobs=1, budget=0, case_seconds=30, memory_mb=1024,
...                     results=folder / "results.jsonl", resume=False)
>>> [(Path(r["file"]).name, r["status"], r["verdict"], r["agrees"]) for r in summary.records]
[('broken.sup', 'bad-input', None, None), ('lu2.sup', 'ok', 'not-closed', True)]
>>> summary.not_closed, summary.failed, summary.mismatched
(1, 1, 0)

Record keys (one JSON object per line): ``file`` (the path as given on the command line,
or the given directory joined with the path found below it), ``name``, ``status``
(:data:`STATUSES`), ``verdict``, ``engine_record`` (True when a CLOSED verdict rests on an
engine record -- the Zariski-closure criterion, z3's unsat taken on trust -- and reads
``CLOSED (engine record)``; for a network, when its OPEN answer rests on such a CLOSED
chain; None when the case failed), ``expect``, ``agrees`` (True/False when the file expects
a verdict and ``check`` gave a definite one, else None), ``tractability``, ``reasons``,
``seconds`` (wall-clock for the case, file reading included), ``error`` (one line, for
every status but ``ok``), ``certificate`` (with ``certificates=DIR``: the path of the
certificate written for a decided two-factor or chain case, ``closed`` or ``not-closed``;
else None -- networks, UNKNOWN verdicts and failed cases get none).

Notes
-----
Any executor with the :class:`concurrent.futures.Executor` interface will do: the
default :class:`~concurrent.futures.ProcessPoolExecutor`, a ``dask.distributed``
``Client`` or its ``get_executor()``.  Completion is observed through
``add_done_callback``, which stdlib and dask futures both provide, so neither
``as_completed`` is needed.  The task itself only reads the file and supervises the
budgeted child (:func:`run_supervised`); the child runs ``check``.  Worker processes of
a dask cluster are *daemonic* by default and ``multiprocessing`` refuses to let a
daemonic process start children, so the task lifts that flag for the duration of the
case: ``run_with_budget`` always reaps its child before it returns, which is what the
flag is there to guarantee.  The engine's own budgeted calls inside the child stay in
its process group, so the case's time limit kills them with it.

Killing the batch (even with ``SIGKILL``) ends everything it started within a moment:
the default pool's workers, each case's child and the engine's children inside it all
die with their parent (:func:`closure_check.core.budget.die_with_parent`).  Workers of a
dask cluster are the cluster's; the children they start for cases die with them.

If a worker process of the default pool itself dies (not the budgeted child -- the
worker only reads the file), :mod:`concurrent.futures` fails every pending case of that
pool; they are then recorded as ``crashed`` with the pool's error, and a resumed run
will not retry them unless their lines are removed from the results file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from closure_check.core.budget import BudgetOutcome, die_with_parent, run_with_budget
from closure_check.core.case import Case, Support
from closure_check.io import SupportFileError, read_case
from closure_check.io.errors import one_line
from closure_check.networks.spec import ReluSpec, read_relu_spec

__all__ = [
    "CASE_SUFFIXES",
    "ENGINE_RECORD_CLOSED",
    "RECORD_KEYS",
    "REPORT_FORMATS",
    "SKIPPED_DIRECTORIES",
    "NETWORK_ANSWERS",
    "STATUSES",
    "BatchSummary",
    "certificate_names",
    "discover",
    "lemma_names",
    "read_results",
    "report_format_for",
    "run_batch",
    "run_case",
    "run_supervised",
    "submit_all",
    "summary_table",
    "write_report",
]

#: Suffixes of the case files looked for in directories (a Matrix Market set counts once).
CASE_SUFFIXES = (".sup", ".json", ".npz", ".mtx", ".relu")
#: Directories never searched for cases (``cases/certs/`` holds certificates, not cases).
SKIPPED_DIRECTORIES = frozenset({"certs"})
#: ``status`` of a record: ``ok`` (``check`` answered), or how the case failed.
STATUSES = ("ok", "bad-input", "crashed", "timeout", "memory")
#: Definite answers for a ReLU specification (``closure_check.networks.relu``).
NETWORK_ANSWERS = ("yes", "no", "open")
#: Keys of a record, in the order of the JSON lines and the CSV columns.
RECORD_KEYS = (
    "file", "name", "status", "verdict", "engine_record", "expect", "agrees", "tractability", "reasons", "limit", "seconds", "error",
    "certificate",
)
#: Count (and label) of the CLOSED verdicts resting on an engine record (the Zariski-closure criterion).
ENGINE_RECORD_CLOSED = "closed (engine record)"
#: Report formats of :func:`write_report`, with the suffixes that select them.
REPORT_FORMATS = {"markdown": (".md", ".markdown"), "json": (".json",), "csv": (".csv",)}

_MTX_MEMBER = re.compile(r"(.+)\.(I|J|W[1-9][0-9]{0,8})\.mtx", re.IGNORECASE | re.DOTALL)
_LEMMA = re.compile(r"\(([^()]*)\)\s*$")


# ---------------------------------------------------------------------------------------
# discovering the cases


def _key(file: str) -> str:
    """The identity of a case in the results file: its path, normalised."""
    return os.path.normpath(file)


def _mtx_prefix(path: Path) -> str:
    match = _MTX_MEMBER.fullmatch(path.name)
    return match.group(1) if match else path.name[:-4]


def _set_representative(members: list[Path]) -> Path:
    """The member of a Matrix Market set that names it: ``I``, else ``W1``, else the first."""
    by_role = {}
    for member in members:
        match = _MTX_MEMBER.fullmatch(member.name)
        by_role.setdefault(match.group(2).upper() if match else "", member)
    for role in ("I", "W1", ""):
        if role in by_role:
            return by_role[role]
    return min(members)


def _cases_below(directory: Path) -> list[Path]:
    found: list[Path] = []
    sets: dict[tuple[Path, str], list[Path]] = {}
    for root, folders, names in os.walk(directory):
        folders[:] = sorted(f for f in folders if f not in SKIPPED_DIRECTORIES)
        for name in sorted(names):
            path = Path(root, name)
            suffix = path.suffix.lower()
            if suffix == ".mtx":
                sets.setdefault((path.parent, _mtx_prefix(path)), []).append(path)
            elif suffix in CASE_SUFFIXES:
                found.append(path)
    found.extend(_set_representative(members) for members in sets.values())
    return sorted(found, key=lambda p: p.relative_to(directory).parts)


def discover(paths: Iterable[str | PathLike[str]]) -> list[str]:
    """The case files named by ``paths``, each once, in order.

    A file is taken as it is (whatever its suffix); a directory is searched recursively
    for :data:`CASE_SUFFIXES`, skipping :data:`SKIPPED_DIRECTORIES`, with one entry per
    Matrix Market set (its ``I`` or ``W1`` member).

    Returns
    -------
    list of str
        The paths as given: a file argument unchanged, a found file as the directory
        argument joined with its path below it.

    Raises
    ------
    SupportFileError
        Without a line number, for a path that does not exist.
    """
    files: list[str] = []
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = [os.path.join(os.fspath(given), os.fspath(p.relative_to(path))) for p in _cases_below(path)]
        elif path.exists():
            found = [os.fspath(given)]
        else:
            raise SupportFileError(path, None, "no such file or directory")
        for file in found:
            if _key(file) not in seen:
                seen.add(_key(file))
                files.append(file)
    return files


# ---------------------------------------------------------------------------------------
# one case


_DAEMON_LOCK = threading.Lock()
_DAEMON_STATE = {"users": 0, "lifted": False}


@contextmanager
def _children_allowed() -> Iterator[None]:
    """Let a daemonic worker process (dask's, by default) start the budgeted child."""
    process = multiprocessing.current_process()
    with _DAEMON_LOCK:
        if process.daemon:
            try:
                process.daemon = False
                _DAEMON_STATE["lifted"] = True
            except AssertionError:  # a Process object that was started here: leave it
                pass
        _DAEMON_STATE["users"] += 1
    try:
        yield
    finally:
        with _DAEMON_LOCK:
            _DAEMON_STATE["users"] -= 1
            if _DAEMON_STATE["users"] == 0 and _DAEMON_STATE["lifted"]:
                process.daemon = True
                _DAEMON_STATE["lifted"] = False


def run_supervised(function: Callable[..., Any], *args: Any, seconds: float, memory_mb: int) -> BudgetOutcome:
    """:func:`~closure_check.core.budget.run_with_budget`, callable from any worker.

    A daemonic worker process (dask's) may not start children; the flag is lifted for
    the duration of the call.  Budgeted calls nested inside the child share its process
    group, so the timeout kills them with it.
    """
    with _children_allowed():
        return run_with_budget(function, *args, seconds=seconds, memory_mb=memory_mb)


def _decide(support: Support, budget: float, certificate_for: tuple[str, ...] = (), name: str = "") -> dict[str, Any]:
    """``check`` in the budgeted child; only plain data goes back through the pipe.

    When the verdict's value is in ``certificate_for`` (``"closed"``, ``"not-closed"``),
    the value also holds ``"certificate"``: the certificate as its JSON dict
    (:meth:`~closure_check.result.CheckResult.certificate_json`, named ``name``).
    """
    from closure_check.decide import check

    result = check(support, budget=budget)
    value = {
        "verdict": result.verdict.value,
        "engine_record": result.engine_record,
        "tractability": result.tractability.value,
        "reasons": list(result.reasons),
        "limit": result.limit,
        "undecided": list(result.undecided),
    }
    if result.verdict.value in certificate_for:
        value["certificate"] = result.certificate_json(name=name)
    return value


def _answer_network(spec: ReluSpec, budget: float) -> dict[str, Any]:
    """``relu_optimum`` in the budgeted child; only plain data goes back through the pipe."""
    from closure_check.networks.relu import relu_optimum

    answer = relu_optimum(spec, budget=budget)
    engine_record = answer.verdict.value == "open" and bool(getattr(answer.chain_result, "engine_record", False))
    return {"verdict": answer.verdict.value, "engine_record": engine_record, "tractability": None,
            "reasons": list(answer.reasons)}


def _stem(file: str) -> str:
    """The name of a case file without its suffix (a Matrix Market set: its prefix)."""
    path = Path(file)
    return _mtx_prefix(path) if path.suffix.lower() == ".mtx" else path.stem


def certificate_names(files: Iterable[str]) -> dict[str, str]:
    """The certificate file name of each case file (keyed by the file as given).

    ``<stem>.json``; when two files share a stem, each of them gets
    ``<stem>-<first 8 hex digits of the SHA-1 of its normalised path>.json`` instead,
    so the names are distinct and the same for the same set of files.

    >>> certificate_names(["a/lu2.sup", "b/lu2.json", "c/x.I.mtx"])
    {'a/lu2.sup': 'lu2-fc2ddb65.json', 'b/lu2.json': 'lu2-7b3bf3ca.json', 'c/x.I.mtx': 'x.json'}
    """
    files = list(files)
    stems = Counter(_stem(f) for f in files)
    names = {}
    for file in files:
        stem = _stem(file)
        if stems[stem] > 1:
            stem += "-" + hashlib.sha1(_key(file).encode("utf-8")).hexdigest()[:8]
        names[file] = stem + ".json"
    return names


def _error_line(text: str, limit: int = 500) -> str:
    line = one_line(" ".join(str(text).split()))
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _record(file: str, **values: Any) -> dict[str, Any]:
    record = dict.fromkeys(RECORD_KEYS)
    record["reasons"] = []
    record.update(file=file, **values)
    return record


def run_case(file: str, budget: float, case_seconds: float, memory_mb: int, certificate: bool = False) -> dict[str, Any]:
    """Read one case file and decide it under a time and memory budget; never raises.

    Parameters
    ----------
    file
        The path, as it is to appear in the record.
    budget
        The effort of ``check`` (nominal seconds of counted work for the whole case).
    case_seconds, memory_mb
        Wall-clock limit and extra address space of the child that runs ``check``.
    certificate
        Also build the certificate of a decided (closed / not-closed) two-factor or chain
        case; the record's ``certificate`` is then that certificate's JSON dict, which
        :func:`run_batch` writes to a file and replaces by the file's path.

    Returns
    -------
    dict
        A record with the keys :data:`RECORD_KEYS`.
    """
    start = time.monotonic()
    try:
        if Path(file).suffix.lower() == ".relu":
            case: Case | ReluSpec = read_relu_spec(file)
            task, argument = _answer_network, case
        else:
            case = read_case(Path(file))
            task, argument = _decide, case.support
    except SupportFileError as error:
        return _record(file, status="bad-input", error=_error_line(str(error)), seconds=round(time.monotonic() - start, 4))
    expect = case.expect.value if case.expect is not None else None
    if task is _decide and certificate:
        extra: tuple = (("closed", "not-closed"), case.name or _stem(file))
    else:
        extra = ()
    outcome = run_supervised(task, argument, budget, *extra, seconds=case_seconds, memory_mb=memory_mb)
    seconds = round(time.monotonic() - start, 4)
    if not outcome.ok:
        return _record(file, name=case.name, status=outcome.status, expect=expect, error=_error_line(outcome.detail), seconds=seconds)
    verdict = outcome.value["verdict"]
    agrees = None if expect is None or verdict == "unknown" else verdict == expect
    return _record(
        file,
        name=case.name,
        status="ok",
        verdict=verdict,
        engine_record=bool(outcome.value.get("engine_record")),
        expect=expect,
        agrees=agrees,
        tractability=outcome.value["tractability"],
        reasons=outcome.value["reasons"],
        limit=outcome.value.get("limit"),
        seconds=seconds,
        certificate=outcome.value.get("certificate"),
    )


def lemma_names(reasons: Iterable[str]) -> list[str]:
    """The lemma or criterion each reason ends with, in parentheses (in order, once each).

    >>> lemma_names(["component 0: ... a closed set (determinantal lemma)", "P = {0}, closed",
    ...              "component 1: A is a limit (Laurent curve lemma + Nullstellensatz)"])
    ['determinantal lemma', 'Laurent curve lemma + Nullstellensatz']
    """
    names: list[str] = []
    for reason in reasons:
        match = _LEMMA.search(reason)
        if match and match.group(1) not in names:
            names.append(match.group(1))
    return names


# ---------------------------------------------------------------------------------------
# running many


def submit_all(executor: Any, function: Callable[..., Any], calls: Sequence[tuple]) -> Iterator[tuple[int, Any, BaseException | None]]:
    """Submit ``function(*call)`` for every call; yield ``(index, value, error)`` as each ends.

    Works with any executor whose ``submit`` returns a future with ``add_done_callback``
    and ``result`` (:mod:`concurrent.futures`, ``dask.distributed``).  ``error`` is the
    exception the future raised (``value`` is then None).  Closing the generator early
    cancels the futures that have not started.
    """
    finished: queue.Queue = queue.Queue()
    futures = []
    try:
        for index, call in enumerate(calls):
            future = executor.submit(function, *call)
            futures.append(future)
            future.add_done_callback(lambda done, index=index: finished.put((index, done)))
        for _ in range(len(futures)):
            index, future = finished.get()
            try:
                yield index, future.result(), None
            except BaseException as error:
                if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                    raise
                yield index, None, error
    finally:
        for future in futures:
            if not future.done():
                future.cancel()


def _default_executor(jobs: int) -> ProcessPoolExecutor:
    """The default pool: ``jobs`` forked workers that die with the process that made them.

    fork: workers start fast and see the caller's state (``run_with_budget`` forks
    anyway).  A fork pool starts all its workers at the first ``submit``, from the
    calling thread, which then waits for the batch: ``PR_SET_PDEATHSIG``, tied to that
    thread, fires only when the process dies.
    """
    return ProcessPoolExecutor(max_workers=max(1, int(jobs)), mp_context=multiprocessing.get_context("fork"),
                               initializer=die_with_parent, initargs=(os.getpid(),))


def read_results(path: str | PathLike[str], repair: bool = False) -> list[dict[str, Any]]:
    """The records of a results file; a torn last line (a run killed mid-write) is ignored.

    Parameters
    ----------
    path
        The JSON-lines file (missing: no records).
    repair
        Also cut the torn last line off the file, so that lines appended next start
        on a line of their own.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    end = data.rfind(b"\n") + 1
    if repair and end < len(data):
        with path.open("r+b") as handle:
            handle.truncate(end)
            handle.flush()
            os.fsync(handle.fileno())
    records = []
    for line in data[:end].decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("file"), str):
            records.append(record)
    return records


@dataclass(frozen=True)
class BatchSummary:
    """The records of a batch and their counts.

    Attributes
    ----------
    records
        One record per case of the batch (keys :data:`RECORD_KEYS`), in discovery
        order; those read back from the results file on resume included.
    seconds
        Wall-clock time of this run.
    resumed
        How many records were read back from the results file instead of run.
    """

    records: tuple[dict[str, Any], ...]
    seconds: float
    resumed: int = 0
    _counts: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ok = [r for r in self.records if r.get("status") == "ok"]
        verdicts = [r.get("verdict") for r in ok]
        counts = {
            "cases": len(self.records),
            "decided": sum(verdicts.count(v) for v in ("closed", "not-closed") + NETWORK_ANSWERS),
            "closed": verdicts.count("closed"),
            ENGINE_RECORD_CLOSED: sum(r.get("verdict") == "closed" and bool(r.get("engine_record")) for r in ok),
            "not-closed": verdicts.count("not-closed"),
            **{f"network {answer}": verdicts.count(answer) for answer in NETWORK_ANSWERS},
            "unknown": verdicts.count("unknown"),
            "mismatched": sum(r.get("agrees") is False for r in ok),
            "failed": len(self.records) - len(ok),
            "time-limited": sum(r.get("limit") == "time" for r in ok),
        }
        for status in STATUSES[1:]:
            counts[status] = sum(r.get("status") == status for r in self.records)
        object.__setattr__(self, "_counts", counts)

    def counts(self) -> dict[str, int]:
        """Counts by outcome: cases, decided, closed, closed (engine record) -- the CLOSED
        verdicts resting on an engine record, counted among ``closed`` too --, not-closed,
        network yes / no / open (ReLU specifications), unknown, mismatched, failed,
        failed by status (bad-input, crashed, timeout, memory), and time-limited -- answers
        a wall-clock safety net cut short (``limit: time``), which may differ on another
        machine."""
        return dict(self._counts)

    decided = property(lambda self: self._counts["decided"], doc="Cases with a definite verdict.")
    closed = property(lambda self: self._counts["closed"], doc="Cases decided CLOSED.")
    engine_record_closed = property(lambda self: self._counts[ENGINE_RECORD_CLOSED],
                                    doc="Cases decided CLOSED on an engine record (among :attr:`closed`).")
    not_closed = property(lambda self: self._counts["not-closed"], doc="Cases decided NOT CLOSED.")
    unknown = property(lambda self: self._counts["unknown"], doc="Cases ``check`` left UNKNOWN.")
    mismatched = property(lambda self: self._counts["mismatched"], doc="Definite verdicts other than the file's ``expect``.")
    failed = property(lambda self: self._counts["failed"], doc="Cases with a status other than ``ok``.")
    time_limited = property(lambda self: self._counts["time-limited"],
                            doc="Answers a wall-clock safety net cut short (``limit: time``): they may depend on the machine.")


def run_batch(
    paths: Iterable[str | PathLike[str]],
    *,
    jobs: int,
    budget: float,
    case_seconds: float,
    memory_mb: int,
    results: str | PathLike[str],
    resume: bool,
    executor: Executor | Any | None = None,
    progress: Callable[[int, int, dict[str, Any] | None], None] | None = None,
    certificates: str | PathLike[str] | None = None,
) -> BatchSummary:
    """Decide every case under ``paths``, appending each record to ``results`` as it ends.

    Parameters
    ----------
    paths
        Case files and directories (:func:`discover`).
    jobs
        Worker processes of the default executor (ignored when ``executor`` is given).
    budget
        The effort of ``check`` (nominal seconds of counted work for the whole case).
    case_seconds, memory_mb
        Per-case wall-clock limit and extra address space (:func:`run_case`).
    results
        The JSON-lines file.  Without ``resume`` it is started afresh.
    resume
        Read ``results`` first and skip the cases it records (a torn last line is cut
        off and its case run again).
    executor
        Anything with ``submit`` returning futures (``concurrent.futures``, a
        ``dask.distributed`` ``Client``); it is not shut down.  By default a
        :class:`~concurrent.futures.ProcessPoolExecutor` with ``jobs`` workers.
    progress
        Called as ``progress(0, total, None)`` before the first case and
        ``progress(done, total, record)`` after each, ``total`` counting the cases
        run now (not those resumed).
    certificates
        A directory (made if missing): the certificate of every decided (closed /
        not-closed) two-factor or chain case run now is written there, named by
        :func:`certificate_names`, and its path is the record's ``certificate``.  The
        certificates are built in the case's child and written here, in the caller.

    Returns
    -------
    BatchSummary

    Raises
    ------
    SupportFileError
        If a path does not exist (before anything runs).
    OSError
        If ``results`` or a certificate cannot be written.
    """
    start = time.monotonic()
    files = discover(paths)
    names = certificate_names(files) if certificates is not None else {}
    if certificates is not None:
        from closure_check.output.certificate_json.two_factor import dump_certificate

        Path(certificates).mkdir(parents=True, exist_ok=True)
    results = Path(results)
    wanted = {_key(f) for f in files}
    earlier: dict[str, dict[str, Any]] = {}
    if resume:
        for record in read_results(results, repair=True):
            if _key(record["file"]) in wanted:
                earlier.setdefault(_key(record["file"]), record)
    todo = [f for f in files if _key(f) not in earlier]
    fresh: dict[str, dict[str, Any]] = {}
    if progress is not None:
        progress(0, len(todo), None)
    owned = executor is None and bool(todo)
    pool = _default_executor(jobs) if owned else executor
    try:
        with results.open("a" if resume else "w", encoding="utf-8") as sink:
            calls = [(file, float(budget), float(case_seconds), int(memory_mb), certificates is not None) for file in todo]
            with closing(submit_all(pool, run_case, calls)) as outcomes:  # no calls: nothing submitted
                for done, (index, record, error) in enumerate(outcomes, start=1):
                    if error is not None:
                        record = _record(todo[index], status="crashed", error=_error_line(f"{type(error).__name__}: {error}"))
                    if isinstance(record.get("certificate"), dict):
                        target = Path(certificates, names[todo[index]])
                        dump_certificate(record["certificate"], target)
                        record["certificate"] = os.fspath(target)
                    fresh[_key(todo[index])] = record
                    sink.write(json.dumps(record, ensure_ascii=False) + "\n")
                    sink.flush()
                    os.fsync(sink.fileno())
                    if progress is not None:
                        progress(done, len(todo), record)
    finally:
        if owned:
            pool.shutdown(wait=True, cancel_futures=True)
    records = tuple(earlier.get(_key(f)) or fresh[_key(f)] for f in files)
    return BatchSummary(records, time.monotonic() - start, resumed=len(earlier))


# ---------------------------------------------------------------------------------------
# reports


def report_format_for(path: str | PathLike[str], format: str | None = None) -> str:
    """The report format: ``format`` if given (checked), else the one ``path``'s suffix names.

    >>> report_format_for("out.md"), report_format_for("out.txt", "csv")
    ('markdown', 'csv')

    Raises
    ------
    ValueError
        For an unknown format, or a suffix that names none.
    """
    path = Path(path)
    if format is not None:
        if format not in REPORT_FORMATS:
            raise ValueError(f"unknown report format {format!r}: expected one of {', '.join(REPORT_FORMATS)}")
        return format
    suffix = path.suffix.lower()
    for name, suffixes in REPORT_FORMATS.items():
        if suffix in suffixes:
            return name
    raise ValueError(f"{path}: cannot tell the report format from the suffix {suffix!r}; give it explicitly")


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value).replace("|", "\\|")


def _shown(counts: dict[str, int]) -> list[str]:
    """The count rows of a summary: network answers only when the batch had networks."""
    networks = [f"network {answer}" for answer in NETWORK_ANSWERS]
    shown = ["cases", "decided", "closed", ENGINE_RECORD_CLOSED, "not-closed"]
    shown += networks if any(counts[name] for name in networks) else []
    return shown + ["unknown", "mismatched", "failed"] + (["time-limited"] if counts.get("time-limited") else [])


def _label(name: str) -> str:
    """A count's row label: the engine-record CLOSED verdicts are indented under ``closed``."""
    return f"  {name}" if name == ENGINE_RECORD_CLOSED else name


def _verdict_cell(record: dict[str, Any]) -> Any:
    """The verdict of a record as a report shows it: ``closed (engine record)`` when it rests on one."""
    if record.get("verdict") == "closed" and record.get("engine_record"):
        return ENGINE_RECORD_CLOSED
    return record.get("verdict")


def summary_table(summary: BatchSummary) -> str:
    """The counts of ``summary`` as a small aligned text table, then every mismatch and failure."""
    counts = summary.counts()
    rows = [(_label(name), str(counts[name])) for name in _shown(counts)]
    rows += [(f"  {status}", str(counts[status])) for status in STATUSES[1:] if counts[status]]
    if summary.resumed:
        rows.append(("resumed from results", str(summary.resumed)))
    rows.append(("wall-clock seconds", f"{summary.seconds:.1f}"))
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value:>8}" for name, value in rows]
    for record in summary.records:
        if record.get("agrees") is False:
            lines.append(f"MISMATCH {record['file']}: check says {_verdict_cell(record)}, the file expects {record['expect']}")
    for record in summary.records:
        if record["status"] != "ok":
            lines.append(f"{record['status'].upper()} {record['file']}: {record.get('error') or ''}")
    return "\n".join(lines)


def _markdown(summary: BatchSummary) -> str:
    counts = summary.counts()
    lines = ["# closure-check batch", "", "| outcome | cases |", "|---|---:|"]
    lines += [f"| {'&nbsp;&nbsp;' if name == ENGINE_RECORD_CLOSED else ''}{name} | {counts[name]} |" for name in _shown(counts)]
    lines += [f"| {status} | {counts[status]} |" for status in STATUSES[1:] if counts[status]]
    lines += ["", f"Wall-clock time {summary.seconds:.1f} s; {summary.resumed} record(s) resumed from an earlier run.", ""]
    lines += ["| file | name | status | verdict | expect | agrees | tractability | lemmas | seconds | error |"]
    lines += ["|---|---|---|---|---|---|---|---|---:|---|"]
    for r in summary.records:
        lemmas = ", ".join(lemma_names(r.get("reasons") or [])) or None
        cells = (r["file"], r.get("name"), r["status"], _verdict_cell(r), r.get("expect"), r.get("agrees"),
                 r.get("tractability"), lemmas, r.get("seconds"), r.get("error"))
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _json(summary: BatchSummary) -> str:
    document = {"summary": {**summary.counts(), "seconds": round(summary.seconds, 4), "resumed": summary.resumed},
                "records": list(summary.records)}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _csv(summary: BatchSummary) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RECORD_KEYS)
    for record in summary.records:
        row = []
        for key in RECORD_KEYS:
            value = record.get(key)
            if key == "reasons":
                value = " | ".join(value or [])
            elif isinstance(value, bool):
                value = "true" if value else "false"
            row.append("" if value is None else value)
        writer.writerow(row)
    return buffer.getvalue()


def write_report(summary: BatchSummary, path: str | PathLike[str], format: str | None = None) -> Path:
    """Write ``summary`` as a markdown, JSON or CSV report.

    Parameters
    ----------
    summary
        What :func:`run_batch` returned.
    path
        The report file.
    format
        ``"markdown"``, ``"json"`` or ``"csv"``; by default from the suffix
        (:data:`REPORT_FORMATS`).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        For an unknown format, or a suffix that names none.

    Notes
    -----
    JSON: ``{"summary": counts, "records": [...]}``.  CSV: one row per record, the
    columns :data:`RECORD_KEYS`, the reasons joined by `` | ``, booleans as
    ``true``/``false``, None as an empty cell.
    """
    path = Path(path)
    text = {"markdown": _markdown, "json": _json, "csv": _csv}[report_format_for(path, format)](summary)
    path.write_text(text, encoding="utf-8", newline="")
    return path

