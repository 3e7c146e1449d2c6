"""Time and memory budgets for engine calls.

Exact engines (Gröbner bases, linear algebra on Macaulay matrices, z3's nlsat) can run
for a very long time or exhaust memory on inputs that look small.  Every engine call
of closure-check therefore runs under a budget, and running out of it is an answer
(UNKNOWN, with what was tried), never a hang or a crash of the caller.

Two mechanisms:

* :func:`run_with_budget` runs a call in a forked child process with an address-space
  limit and a wall-clock limit; the child (and everything it started) is killed when
  time runs out.  This is the hard guarantee.
* :class:`Effort` is the deterministic one: work counted in nominal seconds (z3's
  resource counter, loop steps), never read from a clock, so the same input and the same
  effort give the same answer on any machine; long loops call :meth:`Effort.check`,
  which raises :class:`BudgetExhausted`, so an engine can also
  stop cleanly in-process and report how far it got.

>>> outcome = run_with_budget(sum, [1, 2, 3], seconds=5.0, memory_mb=256)
>>> outcome.status, outcome.value
('ok', 6)
>>> run_with_budget(divmod, 1, 0, seconds=5.0, memory_mb=256).status
'crashed'

Notes
-----
The child is created with the ``fork`` start method (Linux), so the function and its
arguments need not be picklable; only the returned value must be.  The child's standard output and error go to a
temporary file whose end is reported when it dies.  The outermost child starts a
new session (``os.setsid``) and children of budgeted calls nested inside it stay in that
group, so on timeout one ``SIGKILL`` to the group ends every process the call started.  ``memory_mb`` bounds the address space the call may *add* to what the
child inherits at the fork (``RLIMIT_AS`` is set to the inherited size plus
``memory_mb`` MiB): a bound on the parent's own size would make the limit meaningless
for large parents and impossible for small ones.

Children die with their parent: every child of :func:`run_with_budget` (and every
worker of ``closure-check batch``'s pool, through :func:`die_with_parent`) asks the
kernel for ``SIGKILL`` when its parent dies (Linux ``PR_SET_PDEATHSIG``, through
:mod:`ctypes`), so ``kill -9`` of a caller ends its budgeted children at once, and
theirs in a chain.  ``PR_SET_PDEATHSIG`` fires when the *thread* that forked the child
ends; the thread calling :func:`run_with_budget` waits for its child, so that never
comes early.  Without ``prctl`` (not Linux) a daemon thread in the child polls
``os.getppid()`` every 0.2 s instead: best effort, as a thread cannot run while C code
holds the GIL.  Programs a budgeted call starts itself (``subprocess``) are not covered
on the parent's death; the timeout's ``killpg`` still reaches them.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["CANDIDATE_SECONDS", "DEFAULT_EFFORT", "RLIMIT_PER_SECOND", "GROEBNER_COSTS", "Budget", "BudgetExhausted", "BudgetOutcome", "Effort", "as_effort", "die_with_parent", "run_with_budget", "z3_work"]


class BudgetExhausted(RuntimeError):
    """An engine stopped because its time (or size) budget ran out."""


@dataclass(frozen=True)
class Budget:
    """Limits for one engine call: wall-clock seconds and extra memory in MiB."""

    seconds: float = 10.0
    memory_mb: int = 2048

    def effort(self) -> Effort:
        """An :class:`Effort` of ``seconds`` nominal seconds."""
        return Effort(self.seconds)


DEFAULT_EFFORT = 10.0
"""The effort of a check when none is given, in nominal seconds: the same for the command
line (``--budget``) and for :func:`closure_check.check`.  The smallest round effort at which
every pattern of at most 3 rows, 3 columns and 3 units is decided (at 5, one stays UNKNOWN:
its refutation needs a 5-cell limit with cofactors of degree 10)."""

RLIMIT_PER_SECOND = 600_000
"""z3 resource units (its ``rlimit`` counter) taken as one nominal second of work.

Measured on the project's 2-core machine: nlsat (``QF_NRA``) and ``nlqsat`` (the quantified
Zariski sentences) spend 0.6–0.87 million units a CPU second; the authors' sentence
(``SolverFor("NRA")``) 0.9–4 million, so it is over-charged, never under-charged."""


SAFETY_FACTOR, SAFETY_SECONDS = 10.0, 5.0
"""A child spending ``e`` nominal seconds of effort is killed after ``10·e + 5`` wall-clock
seconds: a safety net that a quiet machine never reaches (its outcome says ``"timeout"``)."""


CHECK_SECONDS = 1e-4
"""Nominal seconds charged by one :meth:`Effort.check` of a cooperative loop (a Macaulay
elimination step, a Buchberger reduction, a candidate tried)."""


CANDIDATE_SECONDS = 0.002
"""Nominal seconds charged for each candidate limit a refutation search tries (building its
polynomial system; its Gröbner basis is charged on its own, :data:`GROEBNER_COSTS`)."""


GROEBNER_COSTS = {"degrevlex": (4e-6, 2), "lex": (2e-8, 3)}
"""flint's Buchberger: nominal seconds charged for a run returning a basis of ``n`` elements,
``c · n^k`` with ``(c, k)`` by monomial order (degrevlex for the ideal-membership tests,
lex for eliminations, which grow faster).

flint's ``buchberger_naive`` cannot be interrupted and reports no work counter, so its
effort is bounded beforehand through its basis-length limit (:meth:`Effort.groebner_limits`:
``n ≤ (remaining / c)^(1/k)``) and charged afterwards from the length returned, both
deterministic.  Calibrated on the refutation searches and Zariski eliminations of open
3×4 and 4×4 parts (``docs/algebra.md``, "Effort")."""


class Effort:
    """A budget of work, in *nominal seconds*: the same input and the same effort give the
    same answer on any machine and under any load.

    Engines charge what they do: z3 its own resource counter (``rlimit``, converted at
    :data:`RLIMIT_PER_SECOND`), cooperative loops a fixed :data:`CHECK_SECONDS` per
    :meth:`check`, stages that run in a child process what the child spent.  Nothing
    here reads a clock: wall-clock limits are safety nets of :func:`run_with_budget`,
    and when one fires the outcome says so (status ``"timeout"``).

    A :meth:`share` is an effort of its own whose charges also go to its parent, so a
    stage can be given part of what is left without being able to spend more.

    >>> effort = Effort(2.0)
    >>> effort.charge(0.5); effort.remaining()
    1.5
    >>> part = effort.share(0.5)
    >>> part.charge(0.25); part.remaining(), effort.remaining()
    (0.5, 1.25)
    >>> Effort(None).remaining()
    inf
    """

    def __init__(self, seconds: float | None, parent: "Effort | None" = None, until: float | None = None) -> None:
        self.seconds = None if seconds is None else max(0.0, float(seconds))
        self.spent = 0.0
        self.parent = parent
        self.until = until if parent is None else parent.until
        self.time_limited = False

    @classmethod
    def with_time_limit(cls, seconds: float | None, time_limit: float | None) -> "Effort":
        """An effort whose every child is also stopped ``time_limit`` wall-clock seconds from now."""
        return cls(seconds, until=None if time_limit is None else time.monotonic() + max(0.0, float(time_limit)))

    def safety(self) -> float:
        """Wall-clock seconds a child spending this effort may take before it is killed.

        ``SAFETY_FACTOR · remaining + SAFETY_SECONDS``, and never past the time limit.
        """
        net = SAFETY_FACTOR * min(self.remaining(), 1e6) + SAFETY_SECONDS
        if self.until is not None:
            net = min(net, max(0.0, self.until - time.monotonic()))
        return net

    def out_of_time(self) -> bool:
        """True once the wall-clock time limit (if any) has passed: a safety net, not effort."""
        return self.until is not None and time.monotonic() >= self.until

    def limit(self) -> str | None:
        """``"time"`` when a wall-clock safety net stopped some of the work (the ``limit`` of a
        result: the verdict may then depend on the machine), else None."""
        return "time" if self.time_limited or self.out_of_time() else None

    def time_limit_reached(self) -> None:
        """Record that a wall-clock safety net stopped work (here and in every parent)."""
        effort: Effort | None = self
        while effort is not None:
            effort.time_limited = True
            effort = effort.parent

    def remaining(self) -> float:
        """Nominal seconds of work left (``inf`` without a limit, never negative)."""
        if self.seconds is None:
            return float("inf")
        return max(0.0, self.seconds - self.spent)

    def expired(self) -> bool:
        """True once the work done reaches the limit."""
        return self.seconds is not None and self.spent >= self.seconds

    def charge(self, seconds: float) -> None:
        """Count ``seconds`` nominal seconds of work (here and in every parent)."""
        effort: Effort | None = self
        while effort is not None:
            effort.spent += seconds
            effort = effort.parent

    def check(self, what: str = "engine") -> None:
        """Charge one loop step; raise :class:`BudgetExhausted` once the effort is spent."""
        self.charge(CHECK_SECONDS)
        if self.expired():
            raise BudgetExhausted(f"{what}: effort of {self.seconds:g} nominal s exhausted")

    def share(self, fraction: float = 1.0, cap: float | None = None) -> "Effort":
        """A child effort of ``fraction`` of what is left (at most ``cap``), charging this one too."""
        seconds = fraction * self.remaining()
        if cap is not None:
            seconds = min(seconds, cap)
        return Effort(seconds if seconds != float("inf") else None, parent=self)

    def groebner_limits(self, limits: tuple[int, int, int] | None, order: str = "degrevlex") -> tuple[int, int, int] | None:
        """flint Buchberger ``limits`` (basis length, polynomial length, coefficient bits) that
        keep one run within what is left: the basis length at most ``(remaining / c)^(1/k)``
        (:data:`GROEBNER_COSTS` of the monomial ``order``), never above the given one.

        ``limits`` None means no size limits: returned unchanged without an effort limit.
        """
        remaining = self.remaining()
        if remaining == float("inf"):
            return limits
        cost, power = GROEBNER_COSTS[order]
        length = max(1, int((remaining / cost) ** (1 / power)))
        if limits is None:
            return (length, 1 << 30, 1 << 30)
        return (min(limits[0], length), limits[1], limits[2])

    def charge_groebner(self, basis_length: int, order: str = "degrevlex") -> None:
        """Charge a Buchberger run that returned ``basis_length`` elements (:data:`GROEBNER_COSTS`)."""
        cost, power = GROEBNER_COSTS[order]
        self.charge(cost * basis_length**power)

    def z3_rlimit(self, rate: int = RLIMIT_PER_SECOND) -> int:
        """The ``rlimit`` that lets z3 spend what is left at ``rate`` units a nominal second
        (at least 1; 0 would mean no limit)."""
        remaining = self.remaining()
        if remaining == float("inf"):
            return 0
        return max(1, int(remaining * rate))

    def charge_z3(self, solver: Any, rate: int = RLIMIT_PER_SECOND) -> int:
        """Charge what ``solver``'s last check consumed of z3's resource counter; return it."""
        used = z3_work(solver)
        self.charge(used / rate)
        return used


_Z3_COUNT = 0
"""z3's resource counter is global to the process: the value seen after the last check."""


def z3_work(solver: Any) -> int:
    """z3 resource units spent since the last call (the counter is cumulative per process)."""
    global _Z3_COUNT
    statistics = solver.statistics()
    count = int(statistics.get_key_value("rlimit count")) if "rlimit count" in statistics.keys() else _Z3_COUNT
    used, _Z3_COUNT = max(0, count - _Z3_COUNT), max(count, _Z3_COUNT)
    return used


def as_effort(budget: "Budget | Effort | float | None") -> Effort:
    """Normalise a budget argument: nominal seconds, a :class:`Budget`, an :class:`Effort`, or None."""
    if isinstance(budget, Effort):
        return budget
    if isinstance(budget, Budget):
        return Effort(budget.seconds)
    return Effort(None if budget is None else float(budget))


@dataclass(frozen=True)
class BudgetOutcome:
    """What happened to a call run under a budget.

    Attributes
    ----------
    status
        ``"ok"`` (``value`` holds the result), ``"timeout"``, ``"memory"`` (the call
        ran out of its address space) or ``"crashed"`` (it raised, or the child died).
    value
        The return value when ``status == "ok"``, else None.
    detail
        A short description: the error text and traceback, the signal, the limit hit.
    seconds
        Wall-clock time from start to the outcome.
    """

    status: str
    value: Any = None
    detail: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True iff the call returned a value."""
        return self.status == "ok"


_MEMORY_WORDS = ("memoryerror", "alloc", "out of memory", "memory_manager")


def _address_space_bytes() -> int:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


_PR_SET_PDEATHSIG = 1
_PRCTL: Any = None
"""``prctl`` from the C library, False where there is none; resolved once, before forking."""
_WATCH_SECONDS = 0.2


def _prctl() -> Any:
    global _PRCTL
    if _PRCTL is None:
        _PRCTL = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                function = ctypes.CDLL(None, use_errno=True).prctl
                function.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
                function.restype = ctypes.c_int
                _PRCTL = function
            except (ImportError, OSError, AttributeError):
                pass
    return _PRCTL or None


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(_WATCH_SECONDS)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)


def die_with_parent(parent: int) -> str:
    """Make the calling process, just forked from ``parent`` (a pid), die when it does.

    Call it first thing in the child.  On Linux the kernel sends ``SIGKILL`` when the
    parent (precisely: the thread of it that forked) ends (``PR_SET_PDEATHSIG``);
    elsewhere a daemon thread polls the parent pid every 0.2 s.  A parent that died
    before the call is caught too: the process then kills itself at once.  Usable as
    the ``initializer`` of a pool, with ``initargs=(os.getpid(),)``.

    Returns
    -------
    str
        ``"pdeathsig"`` or ``"watcher"``: the mechanism armed.
    """
    prctl = _prctl()
    if prctl is not None and prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0:
        how = "pdeathsig"
    else:
        threading.Thread(target=_watch_parent, args=(parent,), name="closure-check-parent-watch", daemon=True).start()
        how = "watcher"
    if os.getppid() != parent:  # orphaned between the fork and the call
        os.kill(os.getpid(), signal.SIGKILL)
    return how


_IN_CHILD = False
"""True inside a budgeted child: nested children then share its process group."""


def _child(parent: int, connection: Any, stderr_path: str, memory_mb: int, function: Callable[..., Any], args: tuple,
           kwargs: dict, effort: Effort | None = None) -> None:
    global _IN_CHILD
    status, payload = "crashed", "the child did not finish"
    try:
        die_with_parent(parent)
        if not _IN_CHILD:  # nested budgets stay in the outermost group, so one killpg reaches them all
            os.setsid()
        _IN_CHILD = True
        descriptor = os.open(stderr_path, os.O_WRONLY)
        for stream in (1, 2):  # flint reports allocation failures on stdout
            os.dup2(descriptor, stream)
        os.close(descriptor)
        if faulthandler.is_enabled():  # it may write to a copy of the parent's stderr
            try:
                faulthandler.enable(file=sys.__stderr__)
            except (AttributeError, OSError, ValueError):
                faulthandler.disable()
        if memory_mb is not None:
            import resource

            limit = _address_space_bytes() + int(memory_mb) * 1024 * 1024
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        try:
            value = function(*args, **kwargs)
            status, payload = "ok", value
        except MemoryError:
            status, payload = "memory", "MemoryError: " + traceback.format_exc(limit=-3)
        except BaseException as error:  # noqa: BLE001 - every failure of the call is reported
            status, payload = "crashed", f"{type(error).__name__}: {error}\n" + traceback.format_exc(limit=-5)
        try:
            connection.send((status, payload, None if effort is None else effort.spent))
        except MemoryError:
            connection.send(("memory", "MemoryError while sending the result", None))
        except BaseException as error:  # noqa: BLE001 - e.g. an unpicklable value
            connection.send(("crashed", f"the result could not be sent back: {type(error).__name__}: {error}", None))
    finally:
        try:
            connection.close()
        finally:
            os._exit(0)


def _kill_group(process: multiprocessing.process.BaseProcess) -> None:
    pid = process.pid
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.kill()
    except (ProcessLookupError, ValueError):
        pass
    process.join(5)


def run_with_budget(
    function: Callable[..., Any], *args: Any, seconds: float, memory_mb: int = 2048, effort: Effort | None = None, **kwargs: Any
) -> BudgetOutcome:
    """Call ``function(*args, **kwargs)`` in a child process with time and memory limits.

    Parameters
    ----------
    function, args, kwargs
        The call.  Need not be picklable (the child is forked); the return value must be.
    seconds
        Wall-clock limit; the child and its process group are killed when it passes.
    memory_mb
        Address space (MiB) the call may add to what the child inherits.
    effort
        The :class:`Effort` the call spends (it must be among its arguments, so the child
        charges its copy): what the child spent is charged to it here too; all that is
        left when the child is killed or dies.

    Returns
    -------
    BudgetOutcome
        Never raises for a failure of the call: exceptions, signals, timeouts and
        memory exhaustion are all reported in the outcome.

    Notes
    -----
    Determinism: the outcome depends only on the call (and on the limits for calls that
    hit them); nothing random is introduced here.
    """
    start = time.monotonic()
    for stream in (sys.stdout, sys.stderr):  # the fork must not inherit unflushed output
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    context = multiprocessing.get_context("fork")
    _prctl()  # resolved here, so that the child need not load ctypes
    receiver, sender = context.Pipe(duplex=False)
    with tempfile.NamedTemporaryFile(prefix="closure-check-", suffix=".stderr", delete=False) as handle:
        stderr_path = handle.name
    try:
        process = context.Process(
            target=_child, args=(os.getpid(), sender, stderr_path, memory_mb, function, args, kwargs, effort)
        )
        spent_before = None if effort is None else effort.spent
        process.start()
        sender.close()
        message = None
        try:
            if receiver.poll(max(0.0, float(seconds))):
                message = receiver.recv()
        except (EOFError, OSError):
            message = None
        except MemoryError:
            message = ("memory", "the result was too large to receive", None)
        elapsed = time.monotonic() - start
        if effort is not None:  # what the child spent, or all that was left if it did not say
            spent = message[2] if message is not None and message[2] is not None else None
            effort.charge(effort.remaining() if spent is None else max(0.0, spent - spent_before))
        if message is None:
            timed_out = process.is_alive() and elapsed >= seconds
            _kill_group(process)
            if timed_out:
                if effort is not None:
                    effort.time_limit_reached()
                return BudgetOutcome("timeout", None, f"killed after the time limit of {seconds:g} s", time.monotonic() - start)
            process.join(1)
            text = _tail(stderr_path)
            code = process.exitcode
            how = f"signal {-code} ({signal.Signals(-code).name})" if code is not None and code < 0 else f"exit code {code}"
            status = "memory" if any(word in text.lower() for word in _MEMORY_WORDS) else "crashed"
            return BudgetOutcome(status, None, f"the child died with {how}" + (f": {text}" if text else ""), time.monotonic() - start)
        process.join(5)
        if process.is_alive():
            _kill_group(process)
        status, payload = message[:2]
        if status == "ok":
            return BudgetOutcome("ok", payload, "", time.monotonic() - start)
        return BudgetOutcome(status, None, str(payload), time.monotonic() - start)
    finally:
        receiver.close()
        try:
            os.unlink(stderr_path)
        except OSError:
            pass


def _tail(path: str, head: int = 1000, tail: int = 600) -> str:
    """The start and the end of what the child wrote (its whole output if short)."""
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(0)
            if size <= head + tail:
                return handle.read().decode("utf-8", "replace").strip()
            first = handle.read(head)
            handle.seek(size - tail)
            last = handle.read(tail)
    except OSError:
        return ""
    return first.decode("utf-8", "replace").strip() + " … " + last.decode("utf-8", "replace").strip()
