"""Closedness from the Zariski closure (``docs/theory.md``, "Zariski-closure criterion").

``P`` is contained in the real points ``Z(ℝ)`` of its Zariski closure Z, a closed set.
If no real point of Z lies outside P, then ``P = Z(ℝ)`` is closed.  Z is computed by
elimination: a lexicographic Gröbner basis of ``⟨a_ij − Σ_k x_ik y_jk⟩`` with the factor
variables first, keeping the polynomials in the ``a_ij`` alone (python-flint).  The
question "is there a real A on Z with no real factorisation?" is an ∃∀ sentence over
the reals, handed to z3's ``nlqsat``, which decides such sentences in principle; its
*unsat* is trusted, not checked (wrong unsat answers of nlsat/nlqsat have been reported),
and is recorded as an engine record, not a checkable certificate: a verdict resting on it
reads ``CLOSED (engine record)``.  Any polynomials vanishing on P would do in place of the
elimination generators (``docs/theory.md`` §5), so an incomplete generator set cannot make
the criterion unsound.

Both steps run in a budgeted child process (:func:`closure_check.core.budget.run_with_budget`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import flint
import z3

from closure_check.algebra.real import EngineRecord, z3_version
from closure_check.core.budget import BudgetExhausted, Effort, as_effort, run_with_budget
from closure_check.core.support import TwoFactorSupport

__all__ = [
    "Generator",
    "Problem",
    "ZariskiResult",
    "eliminate",
    "elimination_ideal",
    "nlqsat",
    "part_problem",
    "z3_polynomial",
    "zariski_closed",
]

Generator = dict[tuple[int, ...], int]
"""A polynomial in the cell variables: exponent vector (over the cells) → integer coefficient."""


@dataclass(frozen=True)
class ZariskiResult:
    """Outcome of the criterion: ``closed`` True/False/None (proved / witness / unknown).

    ``problem`` and ``generators`` are the sentence z3 was asked about (the cells, factor
    entries and elimination generators), so that a second engine can be asked the same
    (:mod:`closure_check.algebra.qepcad`); empty when the elimination did not finish.
    """

    closed: bool | None
    equations: tuple[str, ...]
    record: EngineRecord | None
    detail: str
    problem: Problem | None = None
    generators: tuple[Generator, ...] = ()


Problem = tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]
"""``(x entries (row, unit), y entries (column, unit), cells)`` of a set ``π_V(X Yᵀ)``."""


def _variables(support: TwoFactorSupport) -> Problem:
    I, J = support.I.tocoo(), support.J.tocoo()
    x = sorted((int(i), int(k)) for i, k in zip(I.row, I.col))
    y = sorted((int(j), int(k)) for j, k in zip(J.row, J.col))
    units_x: dict[int, list[int]] = {}
    for i, k in x:
        units_x.setdefault(k, []).append(i)
    cells = sorted({(i, j) for j, k in y for i in units_x.get(k, [])})
    return x, y, cells


def part_problem(units: Sequence[tuple[Sequence[int], Sequence[int]]], cells: Iterable[tuple[int, int]]) -> Problem:
    """The problem of a masked part: rank-one units ``(rows, cols)`` seen on ``cells`` only."""
    x = sorted((int(i), k) for k, (rows, _) in enumerate(units) for i in rows)
    y = sorted((int(j), k) for k, (_, cols) in enumerate(units) for j in cols)
    return x, y, sorted(cells)


def elimination_ideal(
    problem: TwoFactorSupport | Problem, effort: Effort | None = None
) -> tuple[list[str], list[dict[tuple[int, ...], int]]]:
    """Generators of the Zariski closure of P (or of a part) on its cells.

    Returns the cell names ``a_i_j`` and each generator as exponent vector (over the
    cells) → integer coefficient.  Uncovered cells are 0 on P and are left out.
    """
    x, y, cells = _variables(problem) if isinstance(problem, TwoFactorSupport) else problem
    count = len(x) + len(y) + len(cells)
    ctx = flint.fmpz_mpoly_ctx.get(("v", count), "lex")
    gens = ctx.gens()
    xv = {entry: gens[n] for n, entry in enumerate(x)}
    yv = {entry: gens[len(x) + n] for n, entry in enumerate(y)}
    offset = len(x) + len(y)
    equations = []
    for n, (i, j) in enumerate(cells):
        poly = gens[offset + n]
        for (row, k), value in xv.items():
            if row == i and (j, k) in yv:
                poly -= value * yv[(j, k)]
        equations.append(poly)
    return [f"a_{i}_{j}" for i, j in cells], eliminate(equations, ctx, offset, effort)


ELIMINATION_SHARE = 0.5
"""Of the criterion's effort, the lex Gröbner basis (the elimination) may take half; z3 the rest."""


def eliminate(
    equations: Sequence[flint.fmpz_mpoly], ctx: flint.fmpz_mpoly_ctx, offset: int, effort: Effort | None = None
) -> list[Generator]:
    """Generators of the elimination ideal of ``equations`` in the variables from ``offset`` on.

    A lexicographic Gröbner basis (the first ``offset`` variables, the factors, come
    first); its elements free of those variables generate the elimination ideal
    (Elimination Theorem), whose zero set is the Zariski closure of the image (Closure
    Theorem) [Cox–Little–O'Shea, *Ideals, Varieties, and Algorithms*, §3.1–3.2].
    Not interruptible: run under a budget.  With ``effort``, flint's basis length is
    limited to what the effort has left and the run is charged from the length returned
    (:meth:`~closure_check.core.budget.Effort.groebner_limits`); a run the limit stops
    raises :class:`~closure_check.core.budget.BudgetExhausted`.
    """
    if not equations:
        return []
    vector = flint.fmpz_mpoly_vec(list(equations), ctx)
    if effort is None:
        basis = vector.buchberger_naive()
    else:
        basis, complete = vector.buchberger_naive(limits=effort.groebner_limits(None, "lex"))
        effort.charge_groebner(len(basis), "lex")
        if not complete:
            raise BudgetExhausted(f"lex Gröbner basis: stopped at {len(basis)} elements by the effort left")
    basis = basis.autoreduction()
    generators = []
    for poly in basis:
        terms = poly.to_dict()
        kept = {tuple(int(e) for e in mono[offset:]): int(c) for mono, c in terms.items() if not any(mono[:offset])}
        if len(kept) == len(terms):
            generators.append(kept)
    return generators


def z3_polynomial(generator: Generator, variables: Sequence[z3.ArithRef]) -> z3.ArithRef:
    """``generator`` as a z3 term over ``variables`` (one per cell)."""
    monomials = []
    for exponents, coefficient in generator.items():
        term = z3.RealVal(coefficient)
        for variable, e in zip(variables, exponents):
            if e:
                term = term * variable**e
        monomials.append(term)
    return z3.Sum(monomials) if monomials else z3.RealVal(0)


def nlqsat(sentence: z3.BoolRef, effort: Effort | float) -> tuple[z3.Solver, str, EngineRecord]:
    """Ask z3's ``nlqsat`` (no seed) about ``sentence`` within ``effort`` (its resource limit); the answer and its record."""
    effort = as_effort(effort)
    solver = z3.Tactic("nlqsat").solver()
    rlimit = effort.z3_rlimit()
    solver.set("rlimit", rlimit)
    solver.add(sentence)
    start = time.monotonic()
    answer = str(solver.check())
    effort.charge_z3(solver)
    record = EngineRecord(
        engine="z3 nlqsat",
        version=z3_version(),
        logic="NRA (∃∀)",
        query=solver.to_smt2(),
        result=answer,
        reason=solver.reason_unknown() if answer == "unknown" else "",
        parameters=(("rlimit", rlimit),),
        seconds=time.monotonic() - start,
    )
    return solver, answer, record


def _sentence(problem: Problem, names: list[str], generators: list[Generator]) -> z3.BoolRef:
    x, y, cells = problem
    a = [z3.Real(name) for name in names]
    xv = {entry: z3.Real(f"x_{entry[0]}_{entry[1]}") for entry in x}
    yv = {entry: z3.Real(f"y_{entry[0]}_{entry[1]}") for entry in y}
    on_z = [z3_polynomial(g, a) == 0 for g in generators]
    product = []
    for n, (i, j) in enumerate(cells):
        terms = [xv[(i, k)] * yv[(j, k)] for (row, k) in x if row == i and (j, k) in yv]
        product.append(z3.Sum(terms) == a[n])
    factors = list(xv.values()) + list(yv.values())
    return z3.And(*on_z, z3.ForAll(factors, z3.Not(z3.And(*product))))


def _decide(problem: Problem, effort: Effort) -> ZariskiResult:
    try:
        names, generators = elimination_ideal(problem, effort.share(ELIMINATION_SHARE))
    except BudgetExhausted as error:
        return ZariskiResult(None, (), None, f"Zariski-closure criterion: {error}")
    _, answer, record = nlqsat(_sentence(problem, names, generators), effort)
    equations = tuple(
        " + ".join(f"{c}·" + "·".join(f"{n}^{e}" if e > 1 else n for n, e in zip(names, exps) if e) for exps, c in g.items())
        for g in generators
    )
    closed = {"unsat": True, "sat": False}.get(answer)
    return ZariskiResult(closed, equations, record, f"nlqsat answered {answer}", problem, tuple(generators))


def zariski_closed(problem: TwoFactorSupport | Problem, seconds: float | Effort) -> ZariskiResult:
    """Run the criterion in a child process within ``seconds`` of effort (nominal seconds, or an Effort to charge).

    ``problem`` is a support (P on its covered cells) or a :func:`part_problem`.

    ``closed`` is True when z3 proves every real point of the Zariski closure is a
    product (P closed); False when it finds a real point of Z outside P (this alone
    does not show P is not closed); None when the effort, memory or the wall-clock safety
    net ran out.
    """
    if isinstance(problem, TwoFactorSupport):
        problem = _variables(problem)
    effort = as_effort(seconds)
    outcome = run_with_budget(
        _decide, problem, effort, seconds=effort.safety(), memory_mb=2048, effort=effort
    )
    if outcome.status == "ok":
        return outcome.value
    return ZariskiResult(None, (), None, f"Zariski-closure criterion: {outcome.status} ({outcome.detail})")
