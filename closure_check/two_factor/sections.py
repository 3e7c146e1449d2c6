"""Section proofs: a part's products fill a closed set, shown by explicit factors (``docs/theory.md`` §4, "Section lemma").

A part (units ``x_k y_kᵀ`` with ``supp x_k ⊆ R_k``, ``supp y_k ⊆ C_k``, visible cells V)
has the set ``Q = {π_V(Σ_k x_k y_kᵀ)}``.  A *section proof* shows ``Q = Z(F)`` for a
list F of polynomials in the target entries ``a_c`` (c ∈ V; F empty: ``Q = ℝ^V``), a
closed set, so the part is closed:

* ``Q ⊆ Z(F)``: each ``f ∈ F`` vanishes identically on ``π_V(XYᵀ)`` (a polynomial
  identity in the entries of X and Y).  F is the list of 2×2 minors of the blocks of
  visible cells that a single unit alone covers (rank one there), followed by any further
  polynomials the caller offers (the algebraic stage offers the closure equations of
  :meth:`~closure_check.two_factor.limits.PartProblem.closure_equations`); each offered one
  is expanded here with ``a_c = Σ_k x_ck y_ck`` and kept only if it is the zero polynomial
  (nothing from the elimination is trusted; the verifier expands again).
* ``Z(F) ⊆ Q``: a decision tree over the target A.  A node *splits* on a polynomial p
  (``p(A) = 0`` or ``p(A) ≠ 0``), *solves* a polynomial known to vanish at A (an ``f ∈ F``
  or an earlier ``p = 0``) for one entry ``a_v`` in which it is affine with a coefficient
  known to be nonzero, or is *void* (a polynomial known to vanish is also known to be
  nonzero).  Each leaf gives every factor entry as a rational function of the remaining
  target entries, each denominator dividing a product of the polynomials known to be
  nonzero; the identity ``π_V(XYᵀ) = A`` holds as rational functions once the solved
  entries are substituted.  Every A in ``Z(F)`` follows one path to a leaf, whose
  formulas are defined at A and factor it.

The proof is found by a deterministic search (:func:`section_proof`): fix factor entries
to constants (1, then 0) and solve the bilinear equations one unknown at a time, dividing
only by expressions known to be nonzero; when a division needs a new fact, split on it and
solve the zero case afresh.  Work is counted in steps (:data:`QUICK` for the rules,
:data:`WIDE` for the algebraic stage); an optional :class:`~closure_check.core.budget.Effort`
is charged too.  The producer computes with
python-flint; :mod:`closure_check.verifier.sections` re-checks a proof with the standard
library and exact rationals only.

>>> proof = section_proof([((1, 2), (0, 1)), ((0, 1, 2), (0, 1, 2))],
...                       [(0, 2), (1, 0), (1, 1), (2, 0), (2, 1), (2, 2)])
>>> proof.equations, proof.leaves()
((), 2)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from closure_check.core.budget import Effort

__all__ = ["DEEP", "QUICK", "WIDE", "CellPolynomial", "Leaf", "vanishes_on_products", "SectionProof", "Solve", "Split", "Void", "section_proof", "rank_one_equations"]

Cell = tuple[int, int]
Unit = tuple[tuple[int, ...], tuple[int, ...]]
Terms = tuple[tuple[str, dict[str, int]], ...]
"""A polynomial as JSON-ready terms: (rational coefficient as text, {variable: exponent})."""
Nonzero = tuple[tuple[int, int], ...]
"""(fact index, exponent) pairs: the polynomial divides the product of those facts' powers."""

STEP_SECONDS = 5e-4
"""Nominal seconds charged to an :class:`~closure_check.core.budget.Effort` per search step
(attempt or branch set-up; about what one costs on the project's 2-core machine)."""

MAX_CELLS = 16
"""Parts with more visible cells are not searched."""

CellPolynomial = dict[tuple[tuple[Cell, int], ...], int]
"""A polynomial in the target entries offered as an equation: {((cell, exponent), …): integer coefficient}."""

MAX_OFFERED = 12
"""Offered equations (beyond the minors) kept at most, the shortest first: each one lengthens
every step of the search."""

Configuration = tuple[int, tuple[int, ...], int]
"""(factor entries tried at each point where no equation can be solved, values tried for
each in order, steps allowed)."""

QUICK: tuple[Configuration, ...] = ((2, (1, 0), 300),)
"""The search the rules run (about a tenth of a second on a part without a proof): narrow,
so depth first reaches a proof soon when there is one of its kind.  It proves eleven of the
twelve parts of ``tests/test_sections.py`` (at most 185 steps)."""

WIDE: tuple[Configuration, ...] = ((3, (0, 1, 2), 2_000),)
"""The search the algebraic stage runs after the curve search (``engine.decide_open_part``):
it proves the 3×3 part ``{0,2}×{0,1}, {1,2}×{0,2}, {0,1}×{0,1,2}`` (1310 steps), which the
narrow one does not within 5000."""


DEEP: tuple[Configuration, ...] = ((6, (1, 0), 2_200), (6, (0, 1), 1_000))
"""The searches the algebraic stage runs after :data:`WIDE` fails, with the part's closure
equations offered besides the minors (``engine.sections_stage``): six entries tried at each
stuck point.  The first proves the open 3×4 parts of ``I=111/111/001 J=111/011/100/100``
(1088 steps), ``I=111/011/101 J=111/011/100/100`` (1103), ``I=111/111/011 J=111/001/001/110``
(2122) and the 4×4 part of ``I=111/001/001/110 J=111/111/010/010`` (910); the second (0 before
1) the 3×4 part of ``I=111/011/101 J=111/111/010/010`` (810), which the first needs 11988 for.
:data:`WIDE` proves none of them within its steps."""


def cell_name(cell: Cell) -> str:
    """The name of the target entry at ``cell``: ``a_i_j``."""
    return f"a_{cell[0]}_{cell[1]}"


def entry_name(side: str, line: int, unit: int) -> str:
    """The name of a factor entry: ``x_i_k`` (row i of unit k) or ``y_j_k``."""
    return f"{side}_{line}_{unit}"


@dataclass(frozen=True)
class Split:
    """Split on ``poly`` (target entries still free): ``zero`` covers ``poly(A) = 0``
    (appended to the known-zero list), ``nonzero`` covers ``poly(A) ≠ 0`` (appended to the
    known-nonzero list)."""

    poly: Terms
    zero: Node
    nonzero: Node


@dataclass(frozen=True)
class Solve:
    """Known-zero polynomial number ``equation`` is ``q·a_v + r`` with q, r free of
    ``a_v`` = ``variable`` and q dividing the product ``nonzero`` of known-nonzero ones:
    substitute ``a_v = −r/q`` everywhere."""

    equation: int
    variable: str
    nonzero: Nonzero
    child: Node


@dataclass(frozen=True)
class Void:
    """No target reaches this node: known-zero polynomial ``index`` divides the product
    ``nonzero`` of known-nonzero ones (kind ``"equation"``), or known-nonzero polynomial
    ``index`` is the zero polynomial (kind ``"fact"``)."""

    kind: str
    index: int
    nonzero: Nonzero = ()


@dataclass(frozen=True)
class Leaf:
    """Factors for every target reaching this leaf: ``entries`` maps a factor entry name
    (``x_i_k`` / ``y_j_k``) to (numerator, denominator, the denominator's nonzero proof);
    entries not listed are 0."""

    entries: tuple[tuple[str, Terms, Terms, Nonzero], ...]


Node = Split | Solve | Void | Leaf


@dataclass(frozen=True)
class SectionProof:
    """``Q = Z(equations)`` for the part ``units`` on ``cells``, proved by ``tree``."""

    units: tuple[Unit, ...]
    cells: tuple[Cell, ...]
    equations: tuple[Terms, ...]
    tree: Node

    def leaves(self) -> int:
        """Number of leaves (sets of targets with one formula each)."""
        return _count(self.tree, Leaf)

    def splits(self) -> int:
        """Number of splits."""
        return _count(self.tree, Split)

    def text(self) -> str:
        """The proof in one sentence."""
        what = "every matrix" if not self.equations else (
            f"exactly the targets where {len(self.equations)} polynomial(s) vanish (each vanishes on every product), a closed set"
        )
        return (
            f"the units {', '.join(f'{list(r)}×{list(c)}' for r, c in self.units)} produce {what} on the "
            f"{len(self.cells)} visible cells: explicit rational factors on each of {self.leaves()} case(s) of a "
            f"decision tree with {self.splits()} split(s) over the target, all in the certificate"
        )

    def as_json(self) -> dict[str, Any]:
        """The JSON form of ``docs/certificates.md``, "Section proofs"."""
        return {
            "units": [[list(r), list(c)] for r, c in self.units],
            "cells": [list(c) for c in self.cells],
            "equations": [_terms_json(f) for f in self.equations],
            "tree": _node_json(self.tree),
        }


def _count(node: Node, kind: type) -> int:
    own = 1 if isinstance(node, kind) else 0
    if isinstance(node, Split):
        return own + _count(node.zero, kind) + _count(node.nonzero, kind)
    if isinstance(node, Solve):
        return own + _count(node.child, kind)
    return own


def _terms_json(terms: Terms) -> list[list[Any]]:
    return [[c, dict(m)] for c, m in terms]


def _nonzero_json(nonzero: Nonzero) -> list[list[int]]:
    return [[i, e] for i, e in nonzero]


def _node_json(node: Node) -> dict[str, Any]:
    if isinstance(node, Split):
        return {"split": _terms_json(node.poly), "zero": _node_json(node.zero), "nonzero": _node_json(node.nonzero)}
    if isinstance(node, Solve):
        return {"solve": node.equation, "variable": node.variable, "coefficient": _nonzero_json(node.nonzero),
                "then": _node_json(node.child)}
    if isinstance(node, Void):
        return {"void": node.kind, "index": node.index, "nonzero": _nonzero_json(node.nonzero)}
    return {"leaf": [{"entry": name, "num": _terms_json(num), "den": _terms_json(den), "nonzero": _nonzero_json(nz)}
                     for name, num, den, nz in node.entries]}


# ----------------------------------------------------------------------------- polynomials (python-flint)


class _Exhausted(Exception):
    """The search ran out of steps."""


def _terms(poly: Any, names: Sequence[str]) -> Terms:
    """A flint polynomial as sorted JSON-ready terms."""
    out = []
    for exps, coefficient in poly.to_dict().items():
        value = Fraction(int(coefficient.p), int(coefficient.q))
        text = str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
        out.append((text, {names[n]: int(e) for n, e in enumerate(exps) if e}))
    return tuple(sorted(out, key=lambda t: (sorted(t[1].items()), t[0])))


def _coefficients(poly: Any, index: int, ctx: Any) -> dict[int, Any]:
    """``poly`` as ``Σ_d c_d v^d`` in the variable of ``index``: {d: c_d}."""
    grouped: dict[int, dict] = {}
    for exps, coefficient in poly.to_dict().items():
        d = exps[index]
        rest = tuple(0 if n == index else e for n, e in enumerate(exps))
        grouped.setdefault(d, {})[rest] = coefficient
    return {d: ctx.from_dict(terms) for d, terms in grouped.items()}


def substitute_poly(poly: Any, index: int, q: Any, r: Any, ctx: Any) -> Any:
    """``Σ_d p_d (−r)^d q^(D−d)`` for ``p = Σ_d p_d v^d`` of degree D in v: ``q^D · p(v = −r/q)``
    (the form the verifier recomputes, ``docs/certificates.md``)."""
    parts = _coefficients(poly, index, ctx)
    if not parts or max(parts) == 0:
        return poly
    top = max(parts)
    total = ctx.from_dict({})
    for d, c in parts.items():
        total += c * (-r) ** d * q ** (top - d)
    return total


class _RF:
    """A rational function ``num/den`` of flint polynomials, den known nonzero."""

    __slots__ = ("num", "den")

    def __init__(self, num: Any, den: Any) -> None:
        if not num.is_zero() and not den.is_constant():
            g = num.gcd(den)
            if not g.is_constant():
                num, den = num / g, den / g
        if num.is_zero():
            den = den.context().from_dict({(0,) * den.context().nvars(): 1})
        self.num, self.den = num, den

    def __add__(self, other: _RF) -> _RF:
        if self.den == other.den:
            return _RF(self.num + other.num, self.den)
        return _RF(self.num * other.den + other.num * self.den, self.den * other.den)

    def __sub__(self, other: _RF) -> _RF:
        return self + _RF(-other.num, other.den)

    def __mul__(self, other: _RF) -> _RF:
        return _RF(self.num * other.num, self.den * other.den)

    def __truediv__(self, other: _RF) -> _RF:
        return _RF(self.num * other.den, self.den * other.num)

    def is_zero(self) -> bool:
        return self.num.is_zero()

    def substitute(self, index: int, q: Any, r: Any, ctx: Any) -> _RF:
        """``self`` at ``v = −r/q``."""
        dn = max(_coefficients(self.num, index, ctx) or {0: 0})
        dd = max(_coefficients(self.den, index, ctx) or {0: 0})
        num = substitute_poly(self.num, index, q, r, ctx) * q ** dd
        den = substitute_poly(self.den, index, q, r, ctx) * q ** dn
        return _RF(num, den)


def _key(poly: Any) -> str:
    """An irreducible factor up to a constant: monic, as text."""
    return str(poly / poly.leading_coefficient())


@dataclass(frozen=True)
class _State:
    """What is known at a node: known-zero polynomials E, known-nonzero polynomials N (the
    verifier's lists, in its order), the targets as rational functions of the free entries,
    and the irreducible factors of N (key → index of a fact containing it)."""

    zeros: tuple[Any, ...]
    facts: tuple[Any, ...]
    targets: dict[Cell, _RF]
    factors: dict[str, int]

    def with_fact(self, poly: Any) -> _State:
        factors = dict(self.factors)
        for f, _ in poly.factor()[1]:
            factors.setdefault(_key(f), len(self.facts))
        return _State(self.zeros, self.facts + (poly,), self.targets, factors)

    def nonzero(self, poly: Any) -> Nonzero | None:
        """(fact, exponent) pairs whose product ``poly`` divides, or None (not known nonzero)."""
        if poly.is_zero():
            return None
        if poly.is_constant():
            return ()
        exponents: dict[int, int] = {}
        for f, m in poly.factor()[1]:
            index = self.factors.get(_key(f))
            if index is None:
                return None
            exponents[index] = exponents.get(index, 0) + m
        return tuple(sorted(exponents.items()))


# ----------------------------------------------------------------------------- the search


class _Search:
    def __init__(self, units: tuple[Unit, ...], cells: tuple[Cell, ...], effort: Effort | None,
                 choices: int, constants: tuple[int, ...], steps: int,
                 stages: tuple[tuple[Cell, ...], ...] = ()) -> None:
        import flint  # imported where used: the rules load without it

        self.units, self.cells, self.effort = units, cells, effort
        self.stages = stages or (cells,)
        self.width, self.constants, self.limit = choices, constants, steps
        self.names = [cell_name(c) for c in cells]
        self.ctx = flint.fmpq_mpoly_ctx.get(tuple(self.names), "lex")
        self.index = {name: n for n, name in enumerate(self.names)}
        self.one = self.ctx.from_dict({(0,) * len(cells): 1})
        self.zero = self.ctx.from_dict({})
        self.steps = 0
        self.terms = {
            (i, j): tuple(k for k, (rows, cols) in enumerate(units) if i in rows and j in cols) for i, j in cells
        }

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.limit:
            raise _Exhausted
        if self.effort is not None:
            self.effort.charge(STEP_SECONDS)
            if self.effort.expired():
                raise _Exhausted

    def rf(self, value: Any) -> _RF:
        return _RF(value, self.one)

    def terms_of(self, poly: Any) -> Terms:
        return _terms(poly, self.names)

    # -- branches: use the known zeros, then solve

    def branch(self, state: _State) -> Node | None:
        self.tick()
        for n, fact in enumerate(state.facts):
            if fact.is_zero():
                return Void("fact", n)
        for n in reversed(range(len(state.zeros))):  # the newest first: a split's zero case uses its own fact
            e = state.zeros[n]
            if e.is_zero():
                continue
            proof = state.nonzero(e)
            if proof is not None:
                return Void("equation", n, proof)
            options = []
            for name in self.names:
                v = self.index[name]
                parts = _coefficients(e, v, self.ctx)
                if max(parts) != 1:
                    continue
                q = parts[1]
                options.append((state.nonzero(q) is None, len(q), name, q, parts.get(0, self.zero)))
            for uncertain, _, name, q, r in sorted(options, key=lambda o: o[:3]):
                if not uncertain:
                    child = self.branch(self.substituted(state, self.index[name], q, r))
                    if child is not None:
                        return Solve(n, name, state.nonzero(q) or (), child)
                elif all(q != z for z in state.zeros):
                    nonzero = self.branch(state.with_fact(q))
                    if nonzero is None:
                        continue
                    zero = self.branch(_State(state.zeros + (q,), state.facts, state.targets, state.factors))
                    if zero is not None:
                        return Split(self.terms_of(q), zero, nonzero)
            return None  # a known zero this search cannot use
        return self.attempt(state, {})

    def substituted(self, state: _State, v: int, q: Any, r: Any) -> _State:
        ctx = self.ctx
        name = self.names[v]
        targets = {}
        for cell, value in state.targets.items():
            targets[cell] = _RF(-r, q) if cell_name(cell) == name and value.num == ctx.gens()[v] and value.den.is_one() \
                else value.substitute(v, q, r, ctx)
        zeros = tuple(substitute_poly(e, v, q, r, ctx) for e in state.zeros)
        new = _State(zeros, (), targets, {})
        for fact in state.facts:
            new = new.with_fact(substitute_poly(fact, v, q, r, ctx))
        return new

    # -- one attempt: constants and solved entries

    def attempt(self, state: _State, assigned: dict[str, _RF], done: frozenset = frozenset()) -> Node | None:
        """Solve what can be solved, then split on a coefficient or fix an entry (depth first).

        ``done`` are cells whose equation already holds with the entries assigned."""
        self.tick()
        assigned, done = dict(assigned), set(done)
        changed = True
        while changed:
            changed, candidates, open_cells = False, [], []
            for cell in self.active(done):
                if cell in done:
                    continue
                i, j = cell
                closed, open_terms = [], []
                for k in self.terms[cell]:
                    x, y = assigned.get(entry_name("x", i, k)), assigned.get(entry_name("y", j, k))
                    if x is not None and y is not None:
                        closed.append((x, y))
                    elif not ((x is not None and x.is_zero()) or (y is not None and y.is_zero())):
                        open_terms.append((k, x, y))
                if len(open_terms) > 1 or (open_terms and open_terms[0][1] is None and open_terms[0][2] is None):
                    open_cells.append((cell, open_terms))
                    continue
                total = self.rf(self.zero)
                for x, y in closed:
                    if not (x.is_zero() or y.is_zero()):
                        total = total + x * y
                if not open_terms:
                    if not (total - state.targets[cell]).is_zero():
                        return None
                    done.add(cell)
                    continue
                k, x, y = open_terms[0]
                coefficient, unknown = (x, entry_name("y", j, k)) if y is None else (y, entry_name("x", i, k))
                if state.nonzero(coefficient.num) is not None:
                    assigned[unknown] = (state.targets[cell] - total) / coefficient
                    done.add(cell)
                    changed = True
                    continue
                candidates.append(coefficient.num)
                open_cells.append((cell, open_terms))
            if not open_cells and len(done) < len(self.cells):
                changed = True  # this stage is solved: the next one becomes active
        if not open_cells:
            return self.leaf(state, assigned)
        frozen = frozenset(done)
        if candidates:
            q = min(candidates, key=lambda p: (len(p), str(p)))
            nonzero = self.attempt(state.with_fact(q), assigned, frozen)
            if nonzero is not None:
                zero = self.branch(_State(state.zeros + (q,), state.facts, state.targets, state.factors))
                if zero is not None:
                    return Split(self.terms_of(q), zero, nonzero)
        for unknown in self.choices(open_cells, assigned):
            for value in self.constants:
                node = self.attempt(state, {**assigned, unknown: self.rf(self.one * value)}, frozen)
                if node is not None:
                    return node
        return None

    def active(self, done: set[Cell]) -> list[Cell]:
        """The cells of the stages up to the first one with a cell not yet in ``done``: a
        later stage's equations are solved only once every earlier one holds."""
        active: list[Cell] = []
        for stage in self.stages:
            active.extend(stage)
            if any(cell not in done for cell in stage):
                break
        return active

    def choices(self, open_cells: list, assigned: dict[str, _RF]) -> list[str]:
        """Unassigned entries of open terms, those in the most single-open-term cells first."""
        score: dict[str, int] = {}
        for (i, j), open_terms in open_cells:
            for k, x, y in open_terms:
                for name, value in ((entry_name("x", i, k), x), (entry_name("y", j, k), y)):
                    if value is None:
                        score[name] = score.get(name, 0) + (2 if len(open_terms) == 1 else 1)
        return sorted(score, key=lambda name: (-score[name], name))[: self.width]

    def leaf(self, state: _State, assigned: dict[str, _RF]) -> Leaf:
        entries = []
        for name in sorted(assigned):
            value = assigned[name]
            if value.is_zero():
                continue
            proof = state.nonzero(value.den)
            assert proof is not None, "denominators are products of known-nonzero factors"
            entries.append((name, self.terms_of(value.num), self.terms_of(value.den), proof))
        return Leaf(tuple(entries))


def rank_one_equations(units: Sequence[Unit], cells: Iterable[Cell]) -> list[tuple[Cell, Cell, Cell, Cell]]:
    """The 2×2 blocks ``(i1,j1), (i1,j2), (i2,j1), (i2,j2)`` of visible cells that one unit
    alone covers: on each, every product has rank ≤ 1, so its minor vanishes on Q."""
    visible = set(cells)
    blocks = []
    for k, (rows, cols) in enumerate(units):
        def alone(i: int, j: int) -> bool:
            return (i, j) in visible and all(not (i in r and j in c) for m, (r, c) in enumerate(units) if m != k)

        for a, i1 in enumerate(rows):
            for i2 in rows[a + 1:]:
                for b, j1 in enumerate(cols):
                    for j2 in cols[b + 1:]:
                        if all(alone(i, j) for i in (i1, i2) for j in (j1, j2)):
                            blocks.append(((i1, j1), (i1, j2), (i2, j1), (i2, j2)))
    return blocks


def vanishes_on_products(units: Sequence[Unit], poly: CellPolynomial) -> bool:
    """Whether ``poly``, with each ``a_ij`` replaced by ``Σ_k x_ik y_jk`` (units covering
    (i, j)), is the zero polynomial in the factor entries: condition (i) of the section
    lemma, by exact expansion (python-flint, integer coefficients)."""
    import flint

    names = sorted({entry_name(side, line, k) for k, (rows, cols) in enumerate(units)
                    for side, lines in (("x", rows), ("y", cols)) for line in lines})
    if not names:
        return all(not c for c in poly.values())
    ctx = flint.fmpz_mpoly_ctx.get(tuple(names), "lex")
    gen = dict(zip(names, ctx.gens()))
    sums: dict[Cell, Any] = {}
    total = ctx.from_dict({})
    for monomial, coefficient in poly.items():
        term = ctx.from_dict({(0,) * len(names): int(coefficient)})
        for (i, j), power in monomial:
            if (i, j) not in sums:
                value = ctx.from_dict({})
                for k, (rows, cols) in enumerate(units):
                    if i in rows and j in cols:
                        value += gen[entry_name("x", i, k)] * gen[entry_name("y", j, k)]
                sums[(i, j)] = value
            term *= sums[(i, j)] ** power
        total += term
    return total.is_zero()


def section_proof(
    units: Iterable[Unit], cells: Iterable[Cell], configurations: Sequence[Configuration] = QUICK + WIDE,
    effort: Effort | None = None, offered: Sequence[CellPolynomial] = (),
    stages: Sequence[Iterable[Cell]] = (),
) -> SectionProof | None:
    """A section proof of ``Q = Z(F)``, or None.  F: the minors of :func:`rank_one_equations`,
    then those of the ``offered`` polynomials (on visible cells) that vanish on the products
    (:func:`vanishes_on_products`) and are not a constant multiple of a minor or of an earlier one,
    at most :data:`MAX_OFFERED`, the fewest terms first.

    ``stages``: a partition of the visible cells into an ordered list (empty: one stage); the
    search solves the equations of a stage's cells only once every earlier stage's hold (the
    free-block lemma's order, :mod:`closure_check.two_factor.free_block`).  It changes only the
    order of the search, never what a proof must satisfy.

    Deterministic: the same part, configurations and offered list give the same proof.  Runs the
    searches of ``configurations`` in turn, each within its steps; each step is also charged to
    ``effort`` (:data:`STEP_SECONDS`), which stops the search when spent.
    """
    problem = tuple((tuple(r), tuple(c)) for r, c in units)
    ordered = tuple(sorted(set(cells)))
    if not ordered or len(ordered) > MAX_CELLS:
        return None
    visible = set(ordered)
    candidates = sorted(
        (poly for poly in offered if poly and all(cell in visible for m in poly for cell, _ in m)),
        key=lambda poly: (len(poly), sorted(poly.items())),
    )
    order = tuple(tuple(sorted(set(stage))) for stage in stages)
    if order and sorted(cell for stage in order for cell in stage) != list(ordered):
        raise ValueError("the stages must partition the visible cells")
    valid: dict[int, bool] = {}
    for choices, constants, steps in configurations:
        search = _Search(problem, ordered, effort, choices, constants, steps, order)
        gens = search.ctx.gens()
        at = {cell: gens[n] for n, cell in enumerate(ordered)}
        equations = [at[p] * at[s] - at[q] * at[r] for p, q, r, s in rank_one_equations(problem, ordered)]
        seen = {_key(e) for e in equations}
        extra = 0
        for poly in candidates:
            if extra == MAX_OFFERED:
                break
            f = search.zero
            for monomial, coefficient in poly.items():
                term = search.one * int(coefficient)
                for cell, power in monomial:
                    term *= at[cell] ** power
                f += term
            if f.is_zero() or _key(f) in seen:
                continue
            if id(poly) not in valid:
                valid[id(poly)] = vanishes_on_products(problem, poly)
            if not valid[id(poly)]:
                continue
            seen.add(_key(f))
            equations.append(f)
            extra += 1
        state = _State(tuple(equations), (), {cell: _RF(at[cell], search.one) for cell in ordered}, {})
        try:
            tree = search.branch(state)
        except _Exhausted:
            tree = None
        if tree is not None:
            return SectionProof(problem, ordered, tuple(search.terms_of(f) for f in equations), tree)
        if effort is not None and effort.expired():
            return None
    return None
