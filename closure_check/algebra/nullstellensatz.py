"""No complex solution: Gröbner bases and Nullstellensatz certificates.

*Weak Nullstellensatz* (``docs/algebra.md``): polynomials ``f_1, …, f_s ∈ ℚ[v]`` have no
common zero in ℂⁿ iff ``1 ∈ (f_1, …, f_s)``, i.e. iff there are polynomials ``c_i`` with
``Σ c_i f_i = 1``.  Clearing denominators, a *certificate* is a list of integer
polynomials ``c_i`` and a nonzero integer ``c`` with ``Σ c_i f_i = c``; anyone can check
it by expanding, and it shows there is no complex, hence no real, solution.

:func:`complex_infeasibility` decides the question and returns such a certificate,
verified by expansion, or ``None`` when a complex solution exists:

1. trivial cases (a nonzero constant equation; no equation with a constant term, so 0
   is a solution);
2. a reduced Gröbner basis test with flint (``buchberger_naive``, degrevlex, size limits):
   basis ≠ {1} ⇒ a complex solution exists;
3. *graded Macaulay search*: cofactors of weight 0 (``PolynomialSystem.atoms``) with at
   most t atoms per monomial, t = 0, 1, 2, …; each t is a linear system over ℚ, tested
   modulo a 63-bit prime and solved exactly on a nonsingular square subsystem;
4. if the matrices get too large, Buchberger's algorithm over ℤ with cofactor tracking
   (an extended Gröbner basis), which stops at the first nonzero constant.

>>> from closure_check.core.support import TwoFactorSupport
>>> from closure_check.algebra.system import membership_system
>>> lu = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
>>> certificate = complex_infeasibility(membership_system(lu, {(0, 1): 1, (1, 0): 1}))
>>> certificate.verify(), certificate.degree, certificate.constant
(True, 2, 1)
>>> print(certificate.text())
(x_1_0*y_1_0) * (x_0_0*y_0_0) + (-x_1_0*y_0_0) * (x_0_0*y_1_0 - 1) + (-1) * (x_1_0*y_0_0 - 1) = 1

References
----------
D. Cox, J. Little, D. O'Shea, *Ideals, Varieties, and Algorithms*, 4th ed., Springer
2015, §4.1 (weak Nullstellensatz) and §2.7 (Buchberger's algorithm).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import flint

from closure_check.algebra.system import Monomial, PolynomialSystem
from closure_check.core.budget import CHECK_SECONDS, Budget, BudgetExhausted, Effort, as_effort

__all__ = [
    "DEFAULT_GROEBNER_LIMITS",
    "NullstellensatzCertificate",
    "complex_infeasibility",
    "extended_buchberger_certificate",
    "groebner_contains_one",
    "macaulay_certificate",
]

Terms = tuple[tuple[Monomial, int], ...]

DEFAULT_GROEBNER_LIMITS = (2000, 20000, 8192)

MATRIX_CELL_SECONDS = 1e-6
"""Nominal seconds charged per cell (rows × columns) of a Macaulay matrix (built, then
eliminated modulo primes): with :data:`~closure_check.core.budget.CHECK_SECONDS` per step, the effort of the
search follows its CPU time (``docs/algebra.md``, "Effort")."""

CHAIN_TESTS_PER_STEP = 10
"""Extended Buchberger: Buchberger's chain criterion scans the basis for each pair; every
this many basis elements scanned cost one :data:`~closure_check.core.budget.CHECK_SECONDS`."""
"""``(basis length, polynomial length, coefficient bits)`` limits for flint's Buchberger."""

_PRIMES = (9223372036854775783, 9223372036854775643, 9223372036854775549)
_MAX_MATRIX_ENTRIES = 12_000_000


def _terms(poly: flint.fmpz_mpoly, nvars: int) -> Terms:
    return tuple(sorted((tuple(int(e) for e in mono[:nvars]), int(c)) for mono, c in poly.to_dict().items()))


def _context(names: Sequence[str]) -> flint.fmpz_mpoly_ctx:
    return flint.fmpz_mpoly_ctx.get(tuple(names) if names else ("_",), "degrevlex")


def _poly(ctx: flint.fmpz_mpoly_ctx, terms: Terms) -> flint.fmpz_mpoly:
    pad = (0,) * (ctx.nvars() - len(terms[0][0])) if terms else ()
    return ctx.from_dict({tuple(mono) + pad: c for mono, c in terms})


@dataclass(frozen=True)
class NullstellensatzCertificate:
    """``Σ_i cofactors[i] · equations[i] = constant`` with ``constant ≠ 0``: no complex zero.

    Plain data (picklable, JSON-friendly through :meth:`as_dict`): polynomials are tuples
    of ``(exponent vector, integer coefficient)`` over the variables ``names``.

    Attributes
    ----------
    names
        Variable names.
    labels
        What each equation says (e.g. ``"cell (0,1)"``).
    equations
        The polynomials ``f_i`` of the system.
    cofactors
        The integer polynomials ``c_i`` (empty tuple for a zero cofactor).
    constant
        The nonzero integer ``c``.
    method
        How the cofactors were found.
    """

    names: tuple[str, ...]
    labels: tuple[str, ...]
    equations: tuple[Terms, ...]
    cofactors: tuple[Terms, ...]
    constant: int
    method: str

    @property
    def degree(self) -> int:
        """Largest total degree of a nonzero cofactor (0 if all are constants)."""
        return max((sum(mono) for cofactor in self.cofactors for mono, _ in cofactor), default=0)

    @property
    def size(self) -> int:
        """Total number of terms in the cofactors."""
        return sum(len(c) for c in self.cofactors)

    def defects(self, system: PolynomialSystem | None = None) -> list[str]:
        """Everything wrong with the certificate (empty list: it is valid).

        Expands ``Σ c_i f_i`` exactly and compares it with the nonzero constant.  With
        ``system``, also checks that the equations and variables are that system's.
        """
        problems = []
        nvars = len(self.names)
        if len(self.cofactors) != len(self.equations):
            problems.append(f"{len(self.cofactors)} cofactors for {len(self.equations)} equations")
        if self.constant == 0:
            problems.append("the constant is 0: the identity proves nothing")
        for what, polys in (("equation", self.equations), ("cofactor", self.cofactors)):
            for index, poly in enumerate(polys):
                for mono, coefficient in poly:
                    if len(mono) != nvars or any((not isinstance(e, int)) or e < 0 for e in mono):
                        problems.append(f"{what} {index} has a bad exponent vector {mono}")
                    if not isinstance(coefficient, int):
                        problems.append(f"{what} {index} has a non-integer coefficient {coefficient!r}")
        if system is not None:
            if tuple(self.names) != system.names:
                problems.append("the variables are not those of the system")
            theirs = [dict(t) for t in (_terms(f, system.nvars) for f in system.equations)]
            ours = [dict(t) for t in self.equations]
            if theirs != ours:
                problems.append("the equations are not those of the system")
        if problems:
            return problems
        ctx = _context(self.names)
        total = ctx.from_dict({})
        for cofactor, equation in zip(self.cofactors, self.equations):
            if cofactor and equation:
                total += _poly(ctx, cofactor) * _poly(ctx, equation)
        if total != self.constant:
            problems.append(f"Σ c_i f_i expands to {total}, not to the constant {self.constant}")
        return problems

    def verify(self, system: PolynomialSystem | None = None) -> bool:
        """True iff :meth:`defects` finds nothing."""
        return not self.defects(system)

    def text(self) -> str:
        """The identity written out, one product per nonzero cofactor."""
        ctx = _context(self.names)
        parts = [
            f"({_poly(ctx, c)}) * ({_poly(ctx, f)})"
            for c, f in zip(self.cofactors, self.equations)
            if c
        ]
        return " + ".join(parts) + f" = {self.constant}"

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form: polynomials as lists of ``[exponents, coefficient]``."""
        return {
            "kind": "nullstellensatz",
            "names": list(self.names),
            "labels": list(self.labels),
            "equations": [[[list(m), c] for m, c in f] for f in self.equations],
            "cofactors": [[[list(m), c] for m, c in f] for f in self.cofactors],
            "constant": self.constant,
            "method": self.method,
        }


def _certificate(system: PolynomialSystem, cofactors: Sequence[Mapping[Monomial, int]], constant: int, method: str) -> NullstellensatzCertificate:
    """Normalise cofactors: keep their weight-0 parts, divide out the common content."""
    if system.weights:
        cofactors = [
            {m: v for m, v in c.items() if all(sum(w * e for w, e in zip(weight, m)) == 0 for weight in system.weights)}
            for c in cofactors
        ]
    divisor = abs(constant)
    for cofactor in cofactors:
        for value in cofactor.values():
            divisor = math.gcd(divisor, value)
    divisor = divisor or 1
    if constant < 0:
        divisor = -divisor
    return NullstellensatzCertificate(
        names=system.names,
        labels=system.labels,
        equations=tuple(_terms(f, system.nvars) for f in system.equations),
        cofactors=tuple(tuple(sorted((m, v // divisor) for m, v in c.items() if v)) for c in cofactors),
        constant=constant // divisor,
        method=method,
    )


def groebner_contains_one(
    system: PolynomialSystem, limits: tuple[int, int, int] = DEFAULT_GROEBNER_LIMITS, effort: Effort | None = None
) -> bool | None:
    """Is 1 in the ideal of the equations over ℚ?  Flint's Buchberger, degrevlex.

    Returns True (no complex solution), False (the basis is a complete Gröbner basis
    without a constant: a complex solution exists), or None (the size ``limits`` —
    basis length, polynomial length, coefficient bits — stopped the computation).

    With ``effort``, the basis-length limit is also what the effort has left
    (:meth:`~closure_check.core.budget.Effort.groebner_limits`) and the run is charged
    to it from the length of the basis returned: deterministic, like every effort.

    Notes
    -----
    The call cannot be interrupted from Python; run it under
    :func:`closure_check.core.budget.run_with_budget` for a hard time limit.
    """
    equations = [f for f in system.equations if f != 0]
    if not equations:
        return False
    if any(f.is_constant() for f in equations):
        return True
    if effort is not None:
        limits = effort.groebner_limits(limits)
    basis, complete = flint.fmpz_mpoly_vec(equations, system.ctx).buchberger_naive(limits=limits)
    if effort is not None:
        effort.charge_groebner(len(basis))
    if any(p.is_constant() and p != 0 for p in basis):
        return True
    return False if complete else None


# --------------------------------------------------------------------------------------
# Graded Macaulay search


def _add(a: Monomial, b: Monomial) -> Monomial:
    return tuple(x + y for x, y in zip(a, b))


def macaulay_certificate(
    system: PolynomialSystem,
    max_atoms: int = 3,
    budget: Budget | Effort | float | None = None,
    max_entries: int = _MAX_MATRIX_ENTRIES,
) -> NullstellensatzCertificate | None:
    """Search cofactors of weight 0 built from at most ``t`` atoms, t = 0, …, ``max_atoms``.

    Returns the first verified certificate (smallest t), or None if none was found up
    to ``max_atoms`` (consistency is tested modulo a 63-bit prime, so None is "not
    found", never a proof that a complex solution exists) or the next matrix would
    exceed ``max_entries`` dense entries.

    Raises
    ------
    BudgetExhausted
        If the deadline passes.

    Notes
    -----
    Every equation is a combination of atoms and 1 and has weight 0, so if
    ``Σ c_i f_i = c`` then also ``Σ (c_i)_0 f_i = c`` with ``(c_i)_0`` the weight-0 part
    of ``c_i`` (``docs/algebra.md``, "Graded cofactors"): restricting cofactors to
    products of atoms loses nothing.  For each t the unknowns are the coefficients of
    ``c_i`` on the monomials ``U_t`` (products of ≤ t atoms), and the equations say
    that ``Σ c_i f_i`` has coefficient 1 on the monomial 1 and 0 elsewhere.  Feasibility
    and a set B of independent columns come from a reduced row echelon form modulo a
    prime p; the exact solution comes from a nonsingular square subsystem on B, solved
    over ℚ by flint (``fmpz_mat.solve``).  An unlucky prime can only make the
    verification fail, and then the next prime is tried.
    """
    deadline = as_effort(budget)
    equations = [dict(t) for t in (_terms(f, system.nvars) for f in system.equations)]
    nvars = system.nvars
    zero = (0,) * nvars
    atoms = [a for a in system.atoms if len(a) == nvars]
    level = {zero}
    monomials = [zero]
    seen = {zero}
    for t in range(max_atoms + 1):
        deadline.check("Macaulay search")
        if t > 0:
            level = {_add(u, a) for u in level for a in atoms}
            level -= seen
            seen |= level
            monomials.extend(sorted(level))
        columns = [(i, u) for i in range(len(equations)) for u in monomials]
        rows: dict[Monomial, int] = {zero: 0}
        entries: list[tuple[int, int, int]] = []
        for column, (i, u) in enumerate(columns):
            for mono, coefficient in equations[i].items():
                product = _add(u, mono)
                row = rows.setdefault(product, len(rows))
                entries.append((row, column, coefficient))
        if len(rows) * (len(columns) + 1) > max_entries:
            return None
        deadline.charge(MATRIX_CELL_SECONDS * len(rows) * len(columns))  # building it, and the eliminations to come
        deadline.check("Macaulay search")
        solution = _solve_sparse(len(rows), len(columns), entries, deadline)
        if solution is None:
            continue
        cofactors: list[dict[Monomial, int]] = [{} for _ in equations]
        for column, value in solution.items():
            i, u = columns[column]
            cofactors[i][u] = value[0]
        denominator = next(iter(solution.values()))[1]
        certificate = _certificate(system, cofactors, denominator, f"graded Macaulay matrix, cofactors of ≤ {t} atoms ({len(rows)}×{len(columns)})")
        if certificate.verify():
            return certificate
    return None


def _solve_sparse(nrows: int, ncols: int, entries: list[tuple[int, int, int]], deadline: Effort) -> dict[int, tuple[int, int]] | None:
    """Solve ``M c = e_0`` over ℚ; return ``{column: (integer numerator, common denominator)}``.

    None if it is inconsistent modulo the first prime, or no prime gave an exact solution.
    """
    for prime in _PRIMES:
        deadline.check("Macaulay search")
        flat = [0] * (nrows * (ncols + 1))
        width = ncols + 1
        for row, column, value in entries:
            flat[row * width + column] = value % prime
        flat[ncols] = 1  # right-hand side e_0 in the last column
        matrix = flint.nmod_mat(nrows, width, flat, prime)
        echelon, rank = matrix.rref()
        pivots = _pivots(echelon, rank, width)
        if pivots and pivots[-1] == ncols:
            # Inconsistent modulo p: over ℚ too, unless p divides the denominators of
            # every solution (odds about 2⁻⁶³).  Only "no certificate found" is claimed.
            return None
        deadline.check("Macaulay search")
        # independent rows of the pivot columns
        sub = flint.nmod_mat(len(pivots), nrows, [0] * (len(pivots) * nrows), prime)
        position = {c: k for k, c in enumerate(pivots)}
        for row, column, value in entries:
            k = position.get(column)
            if k is not None:
                sub[k, row] = value % prime
        sub_echelon, sub_rank = sub.rref()
        chosen_rows = _pivots(sub_echelon, sub_rank, nrows)
        if len(chosen_rows) != len(pivots):
            continue
        row_index = {r: k for k, r in enumerate(chosen_rows)}
        size = len(pivots)
        square = flint.fmpz_mat(size, size)
        for row, column, value in entries:
            k, j = row_index.get(row), position.get(column)
            if k is not None and j is not None:
                square[k, j] = value
        rhs = flint.fmpz_mat(size, 1)
        if 0 in row_index:
            rhs[row_index[0], 0] = 1
        deadline.check("Macaulay search")
        try:
            values = square.solve(rhs)
        except ZeroDivisionError:
            continue
        denominator = 1
        for k in range(size):
            denominator = math.lcm(denominator, int(values[k, 0].q))
        solution = {}
        for k, column in enumerate(pivots):
            value = values[k, 0]
            numerator = int(value.p) * (denominator // int(value.q))
            if numerator:
                solution[column] = (numerator, denominator)
        if solution and _residual_zero(nrows, entries, solution, denominator):
            return solution
    return None


def _residual_zero(nrows: int, entries: list[tuple[int, int, int]], solution: dict[int, tuple[int, int]], denominator: int) -> bool:
    totals = [0] * nrows
    for row, column, value in entries:
        hit = solution.get(column)
        if hit is not None:
            totals[row] += value * hit[0]
    return totals[0] == denominator and not any(totals[1:])


def _pivots(echelon: flint.nmod_mat, rank: int, width: int) -> list[int]:
    pivots = []
    column = 0
    for row in range(rank):
        while column < width and int(echelon[row, column]) == 0:
            column += 1
        pivots.append(column)
        column += 1
    return pivots


# --------------------------------------------------------------------------------------
# Extended Buchberger over ℤ


def _lead(poly: flint.fmpz_mpoly) -> tuple[Monomial, int]:
    monomial = tuple(int(e) for e in poly.monoms()[0])
    return monomial, int(poly.leading_coefficient())


def _divides(a: Monomial, b: Monomial) -> bool:
    return all(x <= y for x, y in zip(a, b))


def extended_buchberger_certificate(
    system: PolynomialSystem,
    budget: Budget | Effort | float | None = None,
    max_basis: int = 5000,
) -> NullstellensatzCertificate | None:
    """Buchberger's algorithm over ℤ, tracking each basis element as a combination of the f_i.

    Returns a verified certificate as soon as a nonzero constant enters the basis, or
    None if the algorithm completes without one (then the ideal does not contain 1 and
    a complex solution exists).

    Raises
    ------
    BudgetExhausted
        If the deadline passes or the basis grows beyond ``max_basis`` elements.

    Notes
    -----
    Every basis element ``g`` is stored with integer polynomials ``a_i`` such that
    ``g = Σ a_i f_i``; S-polynomials and top reductions are integer combinations
    (``lc(g)·h − c·m·g``), so the invariant is kept exactly, and a common integer
    factor of ``g`` and all ``a_i`` is divided out.  Pairs are taken by the normal
    strategy (least lcm degree first) with Buchberger's two criteria.
    """
    deadline = as_effort(budget)
    ctx = system.ctx
    zero = ctx.from_dict({})
    one = ctx.from_dict({(0,) * ctx.nvars(): 1})
    s = len(system.equations)
    basis: list[tuple[flint.fmpz_mpoly, list[flint.fmpz_mpoly]]] = []
    leads: list[Monomial] = []
    pairs: set[tuple[int, int]] = set()
    queue: list[tuple[int, int, int]] = []  # (degree of the lcm, j, i): the normal strategy's order, a heap

    def lcm(a: Monomial, b: Monomial) -> Monomial:
        return tuple(max(x, y) for x, y in zip(a, b))

    def monomial(exponents: Monomial) -> flint.fmpz_mpoly:
        return ctx.term(1, exponents)

    def reduce(h: flint.fmpz_mpoly, cofactors: list[flint.fmpz_mpoly]) -> tuple[flint.fmpz_mpoly, list[flint.fmpz_mpoly]]:
        while h != 0:
            deadline.check("extended Buchberger")
            lead, coefficient = _lead(h)
            for index, (g, g_cofactors) in enumerate(basis):
                if _divides(leads[index], lead):
                    g_coefficient = int(g.leading_coefficient())
                    common = math.gcd(g_coefficient, coefficient)
                    multiplier, factor = g_coefficient // common, coefficient // common
                    shift = monomial(tuple(a - b for a, b in zip(lead, leads[index])))
                    h = multiplier * h - factor * shift * g
                    cofactors = [multiplier * c - factor * shift * gc for c, gc in zip(cofactors, g_cofactors)]
                    break
            else:
                break
        return _primitive(h, cofactors)

    def add(h: flint.fmpz_mpoly, cofactors: list[flint.fmpz_mpoly]) -> None:
        index = len(basis)
        basis.append((h, cofactors))
        leads.append(_lead(h)[0])
        for other in range(index):
            pairs.add((other, index))
            heapq.heappush(queue, (sum(lcm(leads[other], leads[index])), index, other))

    def found(h: flint.fmpz_mpoly, cofactors: list[flint.fmpz_mpoly], how: str) -> NullstellensatzCertificate:
        constant = int(h.leading_coefficient())
        return _certificate(system, [dict(_terms(p, system.nvars)) for p in cofactors], constant, how)

    for i, f in enumerate(system.equations):
        cofactors = [one if j == i else zero for j in range(s)]
        h, cofactors = reduce(f, cofactors)
        if h == 0:
            continue
        if h.is_constant():
            return found(h, cofactors, "extended Buchberger over ℤ")
        add(h, cofactors)

    while queue:
        _, j, i = heapq.heappop(queue)
        if (i, j) not in pairs:
            continue
        deadline.charge(CHECK_SECONDS * len(basis) / CHAIN_TESTS_PER_STEP)  # the chain criterion's scan
        deadline.check("extended Buchberger")
        pairs.discard((i, j))
        target = lcm(leads[i], leads[j])
        if all(min(a, b) == 0 for a, b in zip(leads[i], leads[j])):
            continue  # product criterion: the S-polynomial reduces to 0
        if any(
            k not in (i, j)
            and _divides(leads[k], target)
            and (min(i, k), max(i, k)) not in pairs
            and (min(j, k), max(j, k)) not in pairs
            for k in range(len(basis))
        ):
            continue  # chain criterion
        (gi, ci), (gj, cj) = basis[i], basis[j]
        li, lj = int(gi.leading_coefficient()), int(gj.leading_coefficient())
        common = math.gcd(li, lj)
        ui = monomial(tuple(a - b for a, b in zip(target, leads[i])))
        uj = monomial(tuple(a - b for a, b in zip(target, leads[j])))
        h = (lj // common) * ui * gi - (li // common) * uj * gj
        cofactors = [(lj // common) * ui * a - (li // common) * uj * b for a, b in zip(ci, cj)]
        h, cofactors = reduce(h, cofactors)
        if h == 0:
            continue
        if h.is_constant():
            return found(h, cofactors, f"extended Buchberger over ℤ ({len(basis)} basis elements)")
        if len(basis) >= max_basis:
            raise BudgetExhausted(f"extended Buchberger: basis grew beyond {max_basis} elements")
        add(h, cofactors)
    return None


def _primitive(h: flint.fmpz_mpoly, cofactors: list[flint.fmpz_mpoly]) -> tuple[flint.fmpz_mpoly, list[flint.fmpz_mpoly]]:
    if h == 0:
        return h, cofactors
    content = int(h.content())
    for c in cofactors:
        if content == 1:
            break
        if c != 0:
            content = math.gcd(content, int(c.content()))
    if int(h.leading_coefficient()) < 0:
        content = -content
    if content != 1:
        h = h / content
        cofactors = [c / content for c in cofactors]
    return h, cofactors


# --------------------------------------------------------------------------------------


def complex_infeasibility(
    system: PolynomialSystem,
    budget: Budget | Effort | float | None = None,
    *,
    strategy: str = "auto",
    groebner_limits: tuple[int, int, int] = DEFAULT_GROEBNER_LIMITS,
    max_atoms: int = 4,
) -> NullstellensatzCertificate | None:
    """Decide whether the system has a complex solution; if not, prove it.

    Parameters
    ----------
    system
        The equations.
    budget
        Seconds, a :class:`~closure_check.core.budget.Budget` or a
        :class:`~closure_check.core.budget.Effort` (None: no limit).  Checked
        inside the cofactor searches; flint's Gröbner step is bounded by
        ``groebner_limits`` only, so run this under
        :func:`~closure_check.core.budget.run_with_budget` for a hard limit.
    strategy
        ``"auto"`` (extended Buchberger, then the Macaulay search if Buchberger runs
        out of its share of the time), ``"buchberger"`` or ``"macaulay"``.
    groebner_limits
        Size limits of flint's Buchberger.
    max_atoms
        Largest number of atoms per cofactor monomial in the Macaulay search.

    Returns
    -------
    NullstellensatzCertificate or None
        A certificate, already verified by expansion, if there is no complex solution;
        None if there is one (flint's Gröbner basis has no constant, the extended
        Buchberger run completed without one, or all variables 0 solve the system).

    Raises
    ------
    BudgetExhausted
        If the budget runs out (or the searches reach their size limits) before an
        answer; the message says what was tried.
    ValueError
        For an unknown ``strategy``.
    """
    if strategy not in ("auto", "buchberger", "macaulay"):
        raise ValueError(f"unknown strategy {strategy!r}")
    deadline = as_effort(budget)
    equations = list(system.equations)
    s = len(equations)
    for index, f in enumerate(equations):
        if f.is_constant() and f != 0:
            cofactors = [{(0,) * system.nvars: 1} if j == index else {} for j in range(s)]
            return _certificate(system, cofactors, int(f.leading_coefficient()), "a nonzero constant equation")
    origin = (0,) * system.ctx.nvars()
    if all(int(f.to_dict().get(origin, 0)) == 0 for f in equations):
        return None  # every variable 0 is a solution
    deadline.check("Gröbner basis")
    contains_one = groebner_contains_one(system, groebner_limits, deadline)
    if contains_one is False:
        return None
    tried = [f"flint Gröbner basis: {'contains 1' if contains_one else 'stopped by its size limits'}"]
    if strategy in ("auto", "buchberger"):
        share = deadline if strategy == "buchberger" or deadline.seconds is None else deadline.share(0.6)
        try:
            certificate = extended_buchberger_certificate(system, budget=share)
        except BudgetExhausted as error:
            tried.append(str(error))
            if strategy == "buchberger":
                raise BudgetExhausted("; ".join(tried)) from error
        else:
            if certificate is None and contains_one:
                raise AssertionError("flint's Gröbner basis contains a constant, the extended Buchberger run does not")
            return certificate
    try:
        certificate = macaulay_certificate(system, max_atoms=max_atoms, budget=deadline)
    except BudgetExhausted as error:
        tried.append(str(error))
    else:
        if certificate is not None:
            return certificate
        tried.append(f"Macaulay search: no certificate with cofactors of ≤ {max_atoms} atoms within its size limit")
    raise BudgetExhausted("; ".join(tried))
