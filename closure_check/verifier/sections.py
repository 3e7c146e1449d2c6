"""Section proofs re-checked: a part's products are exactly the zero set Z(F) (``docs/certificates.md``, "Section proofs").

A section proof (``docs/theory.md`` §4, "Section lemma") is about a part: rank-one units
on rectangles ``R_k × C_k`` and visible cells V, with ``Q = {π_V(Σ_k x_k y_kᵀ)}``.  It
claims ``Q = Z(F)`` for the listed polynomials F in the target entries ``a_i_j``
(F empty: ``Q = ℝ^V``).  Re-checked here with exact rationals only:

1. ``Q ⊆ Z(F)``: each f, with ``a_i_j`` replaced by ``Σ_k x_i_k y_j_k``, is the zero
   polynomial in the factor entries.
2. ``Z(F) ⊆ Q``: the decision tree is walked with what is known at each node: a list of
   polynomials known to vanish at the target A (F at the root), a list known not to vanish,
   and the entries ``a_v`` solved so far, each a rational function of the free entries
   with a denominator that does not vanish at A.

   * ``split p`` (p in the free entries): the ``zero`` child knows ``p(A) = 0``, the
     ``nonzero`` child ``p(A) ≠ 0``; every A goes one way.
   * ``solve`` known-zero number e for ``a_v``: e must have degree 1 in ``a_v``,
     ``e = q·a_v + r``, and q must divide ``Π N_f^{m_f}`` for the listed known-nonzero
     ``N_f`` (so ``q(A) ≠ 0`` and ``a_v = −r(A)/q(A)``).  Every polynomial g of degree D in
     ``a_v`` on the two lists becomes ``Σ_d g_d (−r)^d q^{D−d}`` (``q^D g``, same zero
     pattern at A), every solved entry is composed with ``a_v = −r/q``.
   * ``void``: a known-zero polynomial (not the zero polynomial) divides a product of
     known-nonzero ones, or a known-nonzero polynomial is the zero polynomial: no A gets
     here.
   * ``leaf``: the factor entries are rational functions of the free entries, each
     denominator dividing a product of known-nonzero polynomials; for every visible cell
     ``Σ_k x_i_k y_j_k`` equals ``a_i_j`` (its solved form if solved) as rational
     functions.  At A every denominator is nonzero, so X, Y factor A.

The lists and their order are the producer's (:mod:`closure_check.two_factor.sections`);
the verifier recomputes them, so a proof citing a wrong index or exponent fails.
Divisibility is decided by dividing by one polynomial in lex order (``{q}`` is a Gröbner
basis of ``(q)``: the remainder is 0 iff q divides).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from .parse import Malformed, field, integer
from .polynomial import Polynomial, add, monomial, multiply, parse_polynomial, show
from .report import VerificationReport

__all__ = ["check_section_proof", "divides"]

_TARGET = re.compile(r"a_(\d+)_(\d+)")
_ENTRY = re.compile(r"([xy])_(\d+)_(\d+)")

RF = tuple[Polynomial, Polynomial]
ONE: Polynomial = {(): Fraction(1)}

MAX_NODES = 10_000
"""Tree nodes checked at most (a larger proof is refused as too large to check)."""


class _Rejected(Exception):
    """A step of the proof does not hold (the message says which)."""


# ----------------------------------------------------------------------------- polynomial helpers


def _scale(a: Polynomial, c: Fraction) -> Polynomial:
    return {m: v * c for m, v in a.items()} if c else {}


def _power(a: Polynomial, e: int) -> Polynomial:
    result = ONE
    for _ in range(e):
        result = multiply(result, a)
    return result


def _degree(a: Polynomial, v: str) -> int:
    return max((dict(m).get(v, 0) for m in a), default=0)


def _by_degree(a: Polynomial, v: str) -> dict[int, Polynomial]:
    """``a = Σ_d a_d v^d``: {d: a_d}."""
    parts: dict[int, Polynomial] = {}
    for m, c in a.items():
        powers = dict(m)
        d = powers.pop(v, 0)
        parts.setdefault(d, {})[monomial(powers)] = c
    return parts


def _variables(a: Polynomial) -> set[str]:
    return {v for m in a for v, _ in m}


def _substitute(a: Polynomial, v: str, q: Polynomial, r: Polynomial) -> Polynomial:
    """``Σ_d a_d (−r)^d q^(D−d)`` with D the degree of a in v (a itself if D = 0)."""
    parts = _by_degree(a, v)
    top = max(parts, default=0)
    if top == 0:
        return a
    minus_r = _scale(r, Fraction(-1))
    total: Polynomial = {}
    for d, part in parts.items():
        total = add(total, multiply(part, multiply(_power(minus_r, d), _power(q, top - d))))
    return total


def _substitute_rf(value: RF, v: str, q: Polynomial, r: Polynomial) -> RF:
    num, den = value
    dn, dd = _degree(num, v), _degree(den, v)
    return multiply(_substitute(num, v, q, r), _power(q, dd)), multiply(_substitute(den, v, q, r), _power(q, dn))


def divides(q: Polynomial, p: Polynomial) -> bool:
    """Whether the nonzero polynomial q divides p exactly (division in lex order)."""
    if not q:
        return False
    variables = sorted(_variables(q) | _variables(p))
    order = lambda m: tuple(dict(m).get(v, 0) for v in variables)  # noqa: E731 - lex key
    lead = max(q, key=order)
    lead_powers, lead_c = dict(lead), q[lead]
    rest = dict(p)
    while rest:
        top = max(rest, key=order)
        powers = dict(top)
        if any(powers.get(v, 0) < e for v, e in lead_powers.items()):
            return False
        factor = {monomial({v: powers.get(v, 0) - lead_powers.get(v, 0) for v in set(powers) | set(lead_powers)}): rest[top] / lead_c}
        rest = add(rest, _scale(multiply(factor, q), Fraction(-1)))
    return True


def _rf_add(a: RF, b: RF) -> RF:
    if a[1] == b[1]:
        return add(a[0], b[0]), a[1]
    return add(multiply(a[0], b[1]), multiply(b[0], a[1])), multiply(a[1], b[1])


def _rf_mul(a: RF, b: RF) -> RF:
    return multiply(a[0], b[0]), multiply(a[1], b[1])


# ----------------------------------------------------------------------------- the walk


class _Walk:
    def __init__(self, units: list[tuple[set[int], set[int]]], cells: list[tuple[int, int]]) -> None:
        self.units, self.cells = units, cells
        self.nodes = self.leaves = 0

    def nonzero_product(self, proof: Any, facts: list[Polynomial], where: str) -> Polynomial:
        """``Π N_f^{m_f}`` for the listed (fact, exponent) pairs."""
        if not isinstance(proof, list):
            raise Malformed(f"{where} should be a list of [fact index, exponent] pairs")
        product = ONE
        for n, pair in enumerate(proof):
            if not isinstance(pair, list) or len(pair) != 2:
                raise Malformed(f"{where}[{n}] should be [fact index, exponent]")
            index = integer(pair[0], f"{where}[{n}][0]", 0, len(facts))
            exponent = integer(pair[1], f"{where}[{n}][1]", 1, 64)
            product = multiply(product, _power(facts[index], exponent))
        return product

    def known_nonzero(self, q: Polynomial, proof: Any, facts: list[Polynomial], where: str) -> None:
        if not q:
            raise _Rejected(f"{where}: the polynomial said to be nonzero is the zero polynomial")
        if not divides(q, self.nonzero_product(proof, facts, where)):
            raise _Rejected(f"{where}: {show(q, 80)} does not divide the product of the cited nonzero polynomials")

    def free_only(self, a: Polynomial, free: set[str], where: str) -> None:
        extra = _variables(a) - free
        if extra:
            raise _Rejected(f"{where}: uses {sorted(extra)}, which are not free target entries here")

    def walk(self, node: Any, free: set[str], solved: dict[str, RF], zeros: list[Polynomial],
             facts: list[Polynomial], where: str) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Malformed(f"the section tree has more than {MAX_NODES} nodes")
        if not isinstance(node, dict):
            raise Malformed(f"{where} should be an object")
        if "split" in node:
            p = parse_polynomial(node["split"], f"{where}.split")
            self.free_only(p, free, f"{where}.split")
            self.walk(field(node, "zero", dict, where), free, solved, zeros + [p], facts, f"{where}.zero")
            self.walk(field(node, "nonzero", dict, where), free, solved, zeros, facts + [p], f"{where}.nonzero")
        elif "solve" in node:
            index = integer(node["solve"], f"{where}.solve", 0, len(zeros))
            v = field(node, "variable", str, where)
            if v not in free:
                raise _Rejected(f"{where}: {v} is not a free target entry here")
            e = zeros[index]
            parts = _by_degree(e, v)
            if max(parts, default=0) != 1:
                raise _Rejected(f"{where}: known zero {index} has degree {max(parts, default=0)} in {v}, not 1")
            q, r = parts[1], parts.get(0, {})
            self.known_nonzero(q, node.get("coefficient"), facts, f"{where}.coefficient")
            solved = {w: _substitute_rf(value, v, q, r) for w, value in solved.items()}
            solved[v] = (_scale(r, Fraction(-1)), q)
            self.walk(field(node, "then", dict, where), free - {v}, solved,
                      [_substitute(z, v, q, r) for z in zeros], [_substitute(f, v, q, r) for f in facts], f"{where}.then")
        elif "void" in node:
            kind = field(node, "void", str, where)
            if kind == "fact":
                index = integer(field(node, "index", int, where), f"{where}.index", 0, len(facts))
                if facts[index]:
                    raise _Rejected(f"{where}: known-nonzero {index} is {show(facts[index], 80)}, not the zero polynomial")
            elif kind == "equation":
                index = integer(field(node, "index", int, where), f"{where}.index", 0, len(zeros))
                self.known_nonzero(zeros[index], node.get("nonzero"), facts, f"{where}.nonzero")
            else:
                raise Malformed(f"{where}.void: unknown kind {kind!r} (fact or equation)")
        elif "leaf" in node:
            self.leaf(field(node, "leaf", list, where), free, solved, facts, where)
        else:
            raise Malformed(f"{where}: a node is a split, solve, void or leaf")

    def leaf(self, entries: list, free: set[str], solved: dict[str, RF], facts: list[Polynomial], where: str) -> None:
        self.leaves += 1
        values: dict[tuple[str, int, int], RF] = {}
        for n, item in enumerate(entries):
            at = f"{where}.leaf[{n}]"
            name = field(item, "entry", str, at)
            match = _ENTRY.fullmatch(name)
            if not match:
                raise Malformed(f"{at}.entry: {name!r} is not x_i_k or y_j_k")
            side, line, k = match.group(1), int(match.group(2)), int(match.group(3))
            if k >= len(self.units) or line not in self.units[k][0 if side == "x" else 1]:
                raise _Rejected(f"{at}: {name} lies outside the support of unit {k}")
            if (side, line, k) in values:
                raise Malformed(f"{at}: {name} given twice")
            num = parse_polynomial(field(item, "num", list, at), f"{at}.num")
            den = parse_polynomial(field(item, "den", list, at), f"{at}.den")
            self.free_only(num, free, f"{at}.num")
            self.free_only(den, free, f"{at}.den")
            self.known_nonzero(den, item.get("nonzero"), facts, f"{at}.den")
            values[(side, line, k)] = (num, den)
        for i, j in self.cells:
            total: RF = ({}, ONE)
            for k, (rows, cols) in enumerate(self.units):
                if i in rows and j in cols and ("x", i, k) in values and ("y", j, k) in values:
                    total = _rf_add(total, _rf_mul(values[("x", i, k)], values[("y", j, k)]))
            name = f"a_{i}_{j}"
            target = solved.get(name, ({monomial({name: 1}): Fraction(1)}, ONE))
            difference = add(multiply(total[0], target[1]), _scale(multiply(target[0], total[1]), Fraction(-1)))
            if difference:
                raise _Rejected(f"{where}: the factors do not give A at cell ({i},{j}): the difference has numerator "
                                f"{show(difference, 120)}")


def _parse_units(proof: dict) -> list[tuple[set[int], set[int]]]:
    units = []
    for n, item in enumerate(field(proof, "units", list, "section")):
        if (not isinstance(item, list) or len(item) != 2 or not all(isinstance(s, list) for s in item)
                or not all(isinstance(v, int) and v >= 0 for s in item for v in s)):
            raise Malformed(f"section.units[{n}] should be [[rows], [cols]]")
        units.append((set(item[0]), set(item[1])))
    return units


def _parse_cells(proof: dict) -> list[tuple[int, int]]:
    cells = []
    for n, item in enumerate(field(proof, "cells", list, "section")):
        if not isinstance(item, list) or len(item) != 2 or not all(isinstance(v, int) and v >= 0 for v in item):
            raise Malformed(f"section.cells[{n}] should be [i, j]")
        cells.append((item[0], item[1]))
    if len(set(cells)) != len(cells):
        raise Malformed("section.cells lists a cell twice")
    return cells


def _inclusion(units: list[tuple[set[int], set[int]]], cells: list[tuple[int, int]], equations: list[Polynomial]) -> None:
    """``Q ⊆ Z(F)``: each f composed with ``a_i_j = Σ_k x_i_k y_j_k`` is the zero polynomial."""
    sums: dict[str, Polynomial] = {f"a_{i}_{j}": {} for i, j in cells}
    for i, j in cells:
        for k, (rows, cols) in enumerate(units):
            if i in rows and j in cols:
                sums[f"a_{i}_{j}"] = add(sums[f"a_{i}_{j}"], {monomial({f"x_{i}_{k}": 1, f"y_{j}_{k}": 1}): Fraction(1)})
    for n, f in enumerate(equations):
        total: Polynomial = {}
        for m, c in f.items():
            term: Polynomial = {(): c}
            for v, e in m:
                if v not in sums:
                    raise _Rejected(f"equation {n} uses {v}, not a visible cell")
                term = multiply(term, _power(sums[v], e))
            total = add(total, term)
        if total:
            raise _Rejected(f"equation {n} ({show(f, 80)}) does not vanish on the products: {show(total, 120)}")


def check_section_proof(proof: Any, report: VerificationReport, where: str = "section") -> tuple[list[tuple[set[int], set[int]]], list[tuple[int, int]]] | None:
    """Re-check one section proof; record the outcome in ``report``.  Returns the part's
    units and cells when it holds (for the caller's checks against the pattern), else None."""
    if not isinstance(proof, dict):
        raise Malformed(f"{where} should be an object")
    units, cells = _parse_units(proof), _parse_cells(proof)
    names = {f"a_{i}_{j}" for i, j in cells}
    equations = [parse_polynomial(f, f"{where}.equations[{n}]") for n, f in enumerate(field(proof, "equations", list, where))]
    walk = _Walk(units, cells)
    try:
        for n, f in enumerate(equations):
            walk.free_only(f, names, f"{where}.equations[{n}]")
        _inclusion(units, cells, equations)
        walk.walk(field(proof, "tree", dict, where), set(names), {}, list(equations), [], f"{where}.tree")
    except _Rejected as problem:
        report.fail(f"{where}: {problem}")
        return None
    what = "every matrix" if not equations else f"exactly the zero set of {len(equations)} polynomial(s) (each vanishes on every product)"
    report.passed(
        f"{where}: the {len(units)} unit(s) produce {what} on the {len(cells)} visible cell(s): a decision tree of "
        f"{walk.nodes} node(s) covers every target, each of its {walk.leaves} leaf/leaves factors it exactly (section lemma)"
    )
    return units, cells
