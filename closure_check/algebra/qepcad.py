"""A second engine for the Zariski-closure criterion: QEPCAD B (``docs/algebra.md`` §5).

The criterion (:mod:`closure_check.algebra.zariski`, ``docs/theory.md`` §5) proves a part
CLOSED when no real point of the Zariski closure ``Z`` of its products lies outside them:

    ∃a [ g_1(a) = 0 ∧ … ∧ g_s(a) = 0 ∧ ∀x,y ( ⋁_cells Σ_k x_ik y_jk ≠ a_ij ) ]     (★)

is false.  z3's ``nlqsat`` answers first; its *unsat* is trusted, not checked.  This module
hands the *same* sentence (the same cells, factor entries and elimination generators ``g``)
to QEPCAD B [H. Hong, C. W. Brown, *QEPCAD B*; G. E. Collins, H. Hong, *Partial cylindrical
algebraic decomposition for quantifier elimination*, J. Symb. Comp. 12 (1991)], an
implementation of cylindrical algebraic decomposition independent of z3.  ``A ≠ XYᵀ`` is
written as a disjunction of ``/=`` atoms (QEPCAD does not accept a negated bracket), and
Hong's projection is chosen at every level (McCallum's default is valid only for
well-oriented input).  QEPCAD's answer ``FALSE`` agrees with z3's unsat; ``TRUE`` is a
disagreement, which the caller reports as an error, never as a verdict.

Effort: QEPCAD runs with a fixed garbage-collected space (``+N``, :data:`QEPCAD_CELLS`
cells), which bounds its memory, not its work (it collects garbage and goes on), and is
charged a fixed :data:`QEPCAD_SECONDS` nominal seconds; nothing it does depends on a
clock, so a run that ends gives the same answer on every machine.  The wall clock is only
a safety net (:func:`closure_check.core.budget.run_with_budget`,
:data:`QEPCAD_SAFETY_SECONDS`): an outcome it stopped says ``timeout``, is marked as a
time limit, and leaves the verdict on the first engine alone, saying so.  When ``qepcad``
is not installed the caller is told so (``status`` ``"not installed"``) and keeps the
single engine's answer, saying so.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from closure_check.algebra.real import EngineRecord
from closure_check.core.budget import Effort, as_effort, run_with_budget

if TYPE_CHECKING:
    from closure_check.algebra.zariski import Generator, Problem

__all__ = [
    "QEPCAD_CELLS",
    "QEPCAD_PROGRAM",
    "QEPCAD_SAFETY_SECONDS",
    "QEPCAD_SECONDS",
    "QepcadAnswer",
    "qepcad_version",
    "run_qepcad",
    "zariski_input",
    "zariski_qepcad",
]

QEPCAD_PROGRAM = "qepcad"
"""The executable looked up on ``PATH`` (Debian's package ``qepcad`` installs ``/usr/bin/qepcad``)."""

QEPCAD_CELLS = 10_000_000
"""QEPCAD's garbage-collected space (its ``+N`` option), in SACLIB cells (two words each,
about 160 MB).  The hardest sentence of the 2×4 census needs more than 20,000 and
finishes with 60,000 (a run out of space says "too few cells reclaimed": status ``space``)."""

QEPCAD_SECONDS = 1.0
"""Nominal seconds charged for one QEPCAD run (measured 10–80 s on the three parts of 16–17
variables the criterion decides in the 2×4 census, on a loaded machine)."""

QEPCAD_SAFETY_SECONDS = 600.0
"""Wall-clock safety net of one run (the slowest of the 2×4 census took 80 s on a loaded
2-core machine)."""


@dataclass(frozen=True)
class QepcadAnswer:
    """QEPCAD's answer to a closed sentence.

    ``status`` is ``"true"``, ``"false"``, ``"space"`` (it ran out of its fixed space),
    ``"failed"`` (no answer could be read), ``"timeout"`` (the safety net) or
    ``"not installed"``; ``record`` holds the input and the answer (None when not installed).
    """

    status: str
    record: EngineRecord | None
    detail: str = ""


def qepcad_version(path: str | None = None) -> str | None:
    """QEPCAD B's version (``"1.74"``), or None when it is not installed."""
    path = path or shutil.which(QEPCAD_PROGRAM)
    return None if path is None else _version(path)


@functools.lru_cache(maxsize=4)
def _version(path: str) -> str | None:
    try:
        banner = subprocess.run([path, "+N200000"], input="", capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"Version\s+B\s+([0-9][^,\s]*)", banner)
    return match.group(1) if match else "unknown version"


def _names(problem: Problem) -> tuple[list[str], list[str], list[str]]:
    """QEPCAD names (letters and digits only, 1-based): ``a12`` for the cell (0,1), ``x21`` for
    the entry (1,0) of X; indices separated by ``c`` when one exceeds 9 (``a10c3``)."""
    x, y, cells = problem
    biggest = max([i + 1 for pair in (*x, *y, *cells) for i in pair] + [0])
    glue = "c" if biggest > 9 else ""
    name = lambda letter, pair: f"{letter}{pair[0] + 1}{glue}{pair[1] + 1}"  # noqa: E731
    return [name("a", c) for c in cells], [name("x", e) for e in x], [name("y", e) for e in y]


def _polynomial(generator: Generator, names: Sequence[str]) -> str:
    """``generator`` in QEPCAD's syntax: juxtaposition for products, ``^`` for powers."""
    pieces = []
    for exponents, coefficient in sorted(generator.items(), reverse=True):
        factors = [n if e == 1 else f"{n}^{e}" for n, e in zip(names, exponents) if e]
        body = " ".join(([str(abs(coefficient))] if abs(coefficient) != 1 or not factors else []) + factors)
        sign = "-" if coefficient < 0 else "+"
        pieces.append(("- " if sign == "-" else "") + body if not pieces else f" {sign} {body}")
    return "".join(pieces) or "0"


def zariski_input(problem: Problem, generators: Sequence[Generator]) -> str:
    """The QEPCAD input of the sentence (★) of the module docstring for ``problem``.

    Variables in the order cells, X entries, Y entries; no free variable; the commands
    choose Hong's projection and run to the end (``finish``).
    """
    x, y, cells = problem
    a, xn, yn = _names(problem)
    xv = dict(zip(x, xn))
    yv = dict(zip(y, yn))
    on_z = [f"{_polynomial(g, a)} = 0" for g in generators]
    outside = []
    for name, (i, j) in zip(a, cells):
        terms = [f"{xv[(row, k)]} {yv[(j, k)]}" for (row, k) in x if row == i and (j, k) in yv]
        outside.append(f"{' + '.join(terms) or '0'} /= {name}")
    body = " /\\ ".join(on_z + ["[" + " \\/ ".join(outside) + "]"]) if outside else "FALSE"
    variables = a + xn + yn
    quantifiers = "".join(f"(E{v})" for v in a) + "".join(f"(A{v})" for v in xn + yn)
    commands = f"proj-operator ({','.join('h' * (len(variables) - 1))})\n" if len(variables) > 1 else ""
    description = (
        "closure-check: is some real point of the Zariski closure of the part's products not a product? "
        "FALSE: no (the part is closed)"
    )
    return f"[ {description} ]\n({','.join(variables)})\n0\n{quantifiers}[{body}].\n{commands}finish\n"


def _run(path: str, text: str, cells: int) -> tuple[str, str]:
    """Run QEPCAD on ``text`` (in a budgeted child): its status and output."""
    completed = subprocess.run([path, f"+N{cells}"], input=text, capture_output=True, text=True)
    output = completed.stdout + completed.stderr
    match = re.search(r"An equivalent quantifier-free formula:\s*\n\s*(\S[^\n]*)", output)
    if match and match.group(1).strip() in ("TRUE", "FALSE"):
        return match.group(1).strip().lower(), output
    if "too few cells reclaimed" in output.lower():
        return "space", output
    return "failed", output


def run_qepcad(text: str, effort: Effort | float | None = None, cells: int = QEPCAD_CELLS) -> QepcadAnswer:
    """QEPCAD's answer to the closed sentence ``text`` (a complete input file).

    Charges :data:`QEPCAD_SECONDS` to ``effort``; runs within ``cells`` of space and the
    safety net :data:`QEPCAD_SAFETY_SECONDS` (or the effort's time limit, when nearer).
    """
    path = shutil.which(QEPCAD_PROGRAM)
    if path is None:
        return QepcadAnswer("not installed", None, f"{QEPCAD_PROGRAM} is not installed (not on PATH)")
    effort = as_effort(effort)
    start = time.monotonic()
    net = QEPCAD_SAFETY_SECONDS  # the command's --time-limit, when it is nearer, stops it too
    if effort.until is not None:
        net = min(net, max(0.0, effort.until - time.monotonic()))
    outcome = run_with_budget(_run, path, text, cells, seconds=net, memory_mb=4096)
    effort.charge(QEPCAD_SECONDS)
    if outcome.status == "ok":
        status, output = outcome.value
        detail = "" if status in ("true", "false") else _tail(output)
    else:
        status, detail = outcome.status, outcome.detail
        if status == "timeout":
            effort.time_limit_reached()
    record = EngineRecord(
        engine="QEPCAD B",
        version=qepcad_version(path) or "unknown version",
        logic="real closed field, prenex (∃∀), Hong's projection",
        query=text,
        result=status.upper() if status in ("true", "false") else status,
        reason=detail,
        parameters=(("+N", cells), ("safety seconds", QEPCAD_SAFETY_SECONDS)),
        seconds=time.monotonic() - start,
    )
    return QepcadAnswer(status, record, detail)


def zariski_qepcad(problem: Problem, generators: Sequence[Generator], effort: Effort | float | None = None) -> QepcadAnswer:
    """Re-decide the Zariski-closure sentence (★) of ``problem`` with QEPCAD B.

    ``status`` ``"false"`` means QEPCAD proves every real point of the zero set of
    ``generators`` is a product (the part is closed, in agreement with z3's unsat);
    ``"true"`` that some is not.
    """
    return run_qepcad(zariski_input(problem, generators), effort)


def _tail(output: str, size: int = 400) -> str:
    text = " ".join(output.split())
    return text[-size:]
