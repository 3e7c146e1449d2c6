"""Landscape certificates (``"kind": "landscape"``), re-checked with rational intervals.

Standard library only, like the rest of the verifier: an interval is a pair of
``Fraction`` endpoints and every operation is exact, so an enclosure computed here is an
enclosure with no rounding at all (the producer used arb balls; nothing is shared).

``spurious-minimum`` (``docs/theory.md`` §8, "Spurious-minimum certificate"): for the
pattern ``(I, J)``, the target A and the slice (one entry fixed per unit, nonzero),

1. the slice is transversal to the column-scaling orbit: every fixed entry is a free
   entry of its factor, no two in the same unit, every value ≠ 0; each shear entry
   ``X[i, l] = 0`` names a crossed pair (k, l) whose k is scaled at ``X[i, k]``, each l
   once (shear lemma); the variables are exactly the other free entries;
2. Krawczyk's test on the box ``B = c ± ρ``: C is nonsingular (exact elimination) and
   ``K(B) = c − C g(c) + (Id − C H(B))(B − c)`` lies in the interior of B, with ``g(c)``
   exact and ``H(B)`` the interval Hessian of L on the slice -- so the slice gradient
   has a zero θ* in B;
3. every matrix of the interval Hessian ``H(B)`` is positive definite: the interval LDLᵀ
   (no square roots) has pivots with positive lower endpoints -- so L is strictly convex
   on B, θ* is its only critical point there and the strict minimum of L on B, a strict local minimum on the slice, and a local minimum of L by
   the slice lemma;
4. the lower point respects the supports and its loss, computed exactly, equals the
   stated one and is below the interval lower bound of L on B -- so ``L(θ*) > inf L``.

``benign``: the class rectangles recomputed from ``(I, J)`` are pairwise disjoint; the
verdict rests on the decoupling lemma and the unconstrained low-rank landscape
(reported as trusted).  ``none-found`` and ``unknown`` claim nothing.

>>> box = Interval(Fraction(-1), Fraction(2))
>>> (box * box).lo, (box * box).hi, box.square_lower()
(Fraction(-2, 1), Fraction(4, 1), Fraction(0, 1))
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .parse import Malformed, field, integer, rational
from .pattern import Pattern, parse_pattern
from .report import VerificationReport

__all__ = ["Interval", "check_landscape_certificate"]

Number = int | Fraction


@dataclass(frozen=True)
class Interval:
    """``[lo, hi]`` with rational endpoints; exact interval arithmetic."""

    lo: Fraction
    hi: Fraction

    @staticmethod
    def of(value: Number | Interval) -> Interval:
        return value if isinstance(value, Interval) else Interval(Fraction(value), Fraction(value))

    def __add__(self, other: Number | Interval) -> Interval:
        other = Interval.of(other)
        return Interval(self.lo + other.lo, self.hi + other.hi)

    __radd__ = __add__

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def __sub__(self, other: Number | Interval) -> Interval:
        return self + (-Interval.of(other))

    def __rsub__(self, other: Number | Interval) -> Interval:
        return Interval.of(other) + (-self)

    def __mul__(self, other: Number | Interval) -> Interval:
        other = Interval.of(other)
        products = (self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi)
        return Interval(min(products), max(products))

    __rmul__ = __mul__

    def divide_positive(self, other: Interval) -> Interval:
        """``self / other`` for ``other.lo > 0``."""
        quotients = (self.lo / other.lo, self.lo / other.hi, self.hi / other.lo, self.hi / other.hi)
        return Interval(min(quotients), max(quotients))

    def square_lower(self) -> Fraction:
        """A lower bound of ``x²`` on the interval (0 if it contains 0)."""
        if self.lo <= 0 <= self.hi:
            return Fraction(0)
        return min(self.lo * self.lo, self.hi * self.hi)


def _entries(pattern: Pattern) -> list[tuple[str, int, int]]:
    out = [("X", i, k) for k in range(pattern.r) for i in pattern.I.of(k)]
    out += [("Y", j, k) for k in range(pattern.r) for j in pattern.J.of(k)]
    return out


def _entry(value: Any, free: set, where: str) -> tuple[str, int, int]:
    factor = field(value, "factor", str, where)
    at = field(value, "entry", list, where)
    if factor not in ("X", "Y") or len(at) != 2:
        raise Malformed(f"{where}: factor must be X or Y and entry a pair [index, unit]")
    entry = (factor, integer(at[0], where), integer(at[1], where))
    if entry not in free:
        raise Malformed(f"{where}: {factor}[{entry[1]},{entry[2]}] is not a free entry (outside the support)")
    return entry


def _shears(slice_: dict, free: set, fixed: dict, pattern: Pattern, report: VerificationReport) -> None:
    """Check the shear entries ``X[i, l] = 0`` (shear lemma) and add them to ``fixed``.

    Each names its inner unit k: k ≠ l, ``R_k ⊆ R_l``, ``C_l ⊆ C_k``, different
    rectangles, k's scaling entry is ``X[i, k]`` (same row, on X), and l is sheared once.
    """
    scaling = {entry[2]: entry for entry in fixed}
    outer_seen: set[int] = set()
    for index, item in enumerate(slice_.get("shears", [])):
        where = f"minimum.slice.shears[{index}]"
        entry = _entry({"factor": "X", "entry": field(item, "entry", list, where)}, free, where)
        _, i, l = entry
        k = integer(field(item, "inner", int, where), where + ".inner", 0, pattern.r)
        Rk, Ck = set(pattern.I.of(k)), set(pattern.J.of(k))
        Rl, Cl = set(pattern.I.of(l)), set(pattern.J.of(l))
        if k == l or not (Rk <= Rl and Cl <= Ck) or (Rk, Ck) == (Rl, Cl):
            report.fail(f"{where}: units {k} and {l} are not a crossed pair (R_k ⊆ R_l, C_l ⊆ C_k, different)")
        elif scaling.get(k) != ("X", i, k):
            report.fail(f"{where}: the scaling entry of unit {k} is not X[{i},{k}] — the shear is not normalised")
        elif l in outer_seen or entry in fixed:
            report.fail(f"{where}: unit {l} sheared twice, or X[{i},{l}] fixed twice")
        outer_seen.add(l)
        fixed[entry] = Fraction(0)


def _residual(A, X, Y, m, n, r):
    return [[sum((X[a][k] * Y[b][k] for k in range(r)), Fraction(0)) - A[a][b] for b in range(n)] for a in range(m)]


def _matrices(values: dict, m: int, n: int, r: int):
    X = [[Fraction(0)] * r for _ in range(m)]
    Y = [[Fraction(0)] * r for _ in range(n)]
    for (factor, i, k), value in values.items():
        (X if factor == "X" else Y)[i][k] = value
    return X, Y


def _gradient(entry, R, X, Y, m, n):
    factor, i, k = entry
    if factor == "X":
        return 2 * sum((R[i][b] * Y[b][k] for b in range(n)), Fraction(0))
    return 2 * sum((R[a][i] * X[a][k] for a in range(m)), Fraction(0))


def _second(p, q, R, X, Y, m, n):
    """∂²L/∂p∂q, written out again here from L = Σ (Σ_k X[a,k] Y[b,k] − A[a,b])²."""
    if p[0] == q[0]:
        if p[1] != q[1]:
            return Fraction(0)
        if p[0] == "X":
            return 2 * sum((Y[b][p[2]] * Y[b][q[2]] for b in range(n)), Fraction(0))
        return 2 * sum((X[a][p[2]] * X[a][q[2]] for a in range(m)), Fraction(0))
    (a, k), (b, l) = (p[1:], q[1:]) if p[0] == "X" else (q[1:], p[1:])
    value = X[a][l] * Y[b][k]
    return 2 * (value + R[a][b]) if k == l else 2 * value


def _nonsingular(C: list[list[Fraction]]) -> bool:
    """``det C ≠ 0``, by exact Gaussian elimination."""
    M = [row[:] for row in C]
    size = len(M)
    for j in range(size):
        pivot = next((i for i in range(j, size) if M[i][j] != 0), None)
        if pivot is None:
            return False
        M[j], M[pivot] = M[pivot], M[j]
        for i in range(j + 1, size):
            factor = M[i][j] / M[j][j]
            if factor:
                M[i] = [a - factor * b for a, b in zip(M[i], M[j])]
    return True


def _pivots(H: list[list[Interval]]) -> list[Interval]:
    size = len(H)
    L: list[list[Any]] = [[None] * size for _ in range(size)]
    d: list[Interval] = []
    for j in range(size):
        dj = H[j][j] - sum((L[j][k] * L[j][k] * d[k] for k in range(j)), Interval.of(0))
        d.append(dj)
        if dj.lo <= 0:
            return d
        for i in range(j + 1, size):
            L[i][j] = (H[i][j] - sum((L[i][k] * L[j][k] * d[k] for k in range(j)), Interval.of(0))).divide_positive(dj)
    return d


def _spurious(cert: dict, pattern: Pattern, report: VerificationReport) -> None:
    m, n, r = pattern.m, pattern.n, pattern.r
    rows = field(cert, "target", list, "")
    if len(rows) != m or any(not isinstance(row, list) or len(row) != n for row in rows):
        raise Malformed(f"target should be {m}×{n}")
    A = [[rational(v, f"target[{a}][{b}]") for b, v in enumerate(row)] for a, row in enumerate(rows)]
    free = set(_entries(pattern))
    minimum = field(cert, "minimum", dict, "")
    slice_ = field(minimum, "slice", dict, "minimum")
    fixed: dict[tuple[str, int, int], Fraction] = {}
    for index, item in enumerate(field(slice_, "fixed", list, "minimum.slice")):
        where = f"minimum.slice.fixed[{index}]"
        entry = _entry(item, free, where)
        value = rational(field(item, "value", str, where), where + ".value")
        if value == 0:
            report.fail(f"{where}: fixed value 0 — the slice is not transversal to the scaling orbit")
        if any(other[2] == entry[2] for other in fixed):
            report.fail(f"{where}: a second fixed entry in unit {entry[2]} — the slice is not transversal")
        if entry in fixed:
            report.fail(f"{where}: {entry[0]}[{entry[1]},{entry[2]}] fixed twice")
        fixed[entry] = value
    _shears(slice_, free, fixed, pattern, report)
    variables = [_entry(item, free, f"minimum.variables[{p}]") for p, item in enumerate(field(minimum, "variables", list, "minimum"))]
    if len(set(variables)) != len(variables) or set(variables) != free - set(fixed):
        report.fail("the variables are not exactly the free entries that are not fixed")
        return
    units = sum(1 for k in range(r) if len(pattern.I.of(k)) and len(pattern.J.of(k)))
    if field(slice_, "orbit_dimension", int, "minimum.slice") != units:
        report.fail(f"minimum.slice.orbit_dimension should be {units}, the number of non-empty units")
    report.passed(f"slice: {len(fixed)} entries fixed to nonzero values in distinct units, {len(variables)} variables; "
                  f"column-scaling orbit of dimension {units}")
    size = len(variables)
    box = field(minimum, "box", dict, "minimum")
    center = [rational(v, f"minimum.box.center[{p}]") for p, v in enumerate(field(box, "center", list, "minimum.box"))]
    radius = rational(field(box, "radius", str, "minimum.box"), "minimum.box.radius")
    C = [[rational(v, f"minimum.krawczyk.preconditioner[{i}][{j}]") for j, v in enumerate(row)]
         for i, row in enumerate(field(field(minimum, "krawczyk", dict, "minimum"), "preconditioner", list, "minimum.krawczyk"))]
    if len(center) != size or radius <= 0 or len(C) != size or any(len(row) != size for row in C):
        raise Malformed(f"minimum: the box needs {size} centre coordinates, a radius > 0 and a {size}×{size} preconditioner")

    if not _nonsingular(C):
        report.fail("the Krawczyk preconditioner is singular")
        return
    # g(c), exactly
    point = dict(fixed)
    point.update(zip(variables, center))
    X, Y = _matrices(point, m, n, r)
    R = _residual(A, X, Y, m, n, r)
    g = [_gradient(entry, R, X, Y, m, n) for entry in variables]
    # H(B), in intervals
    box_values: dict = {entry: Interval.of(value) for entry, value in fixed.items()}
    box_values.update({entry: Interval(c - radius, c + radius) for entry, c in zip(variables, center)})
    zero = Interval.of(0)
    BX = [[zero] * r for _ in range(m)]
    BY = [[zero] * r for _ in range(n)]
    for (factor, i, k), value in box_values.items():
        (BX if factor == "X" else BY)[i][k] = value
    BR = [[sum((BX[a][k] * BY[b][k] for k in range(r)), zero) - A[a][b] for b in range(n)] for a in range(m)]
    H = [[_second(p, q, BR, BX, BY, m, n) for q in variables] for p in variables]
    delta = Interval(-radius, radius)
    for i in range(size):
        value = Interval.of(center[i] - sum((C[i][j] * g[j] for j in range(size)), Fraction(0)))
        for j in range(size):
            value = value + ((1 if i == j else 0) - sum((C[i][l] * H[l][j] for l in range(size)), zero)) * delta
        if not (center[i] - radius < value.lo and value.hi < center[i] + radius):
            report.fail(f"Krawczyk's test fails in coordinate {i}: K(B) is not inside the box — no unique critical point certified")
            return
    report.passed("Krawczyk: K(B) ⊂ int B, exactly one critical point of L on the slice in the box")
    pivots = _pivots(H)
    if len(pivots) < size or any(p.lo <= 0 for p in pivots):
        report.fail("the interval LDLᵀ of the slice Hessian on the box has a pivot that is not positive — "
                    "not a certified strict minimum (a saddle, or a non-strict minimum)")
        return
    report.passed(f"slice Hessian positive definite on the whole box (LDLᵀ pivots ≥ {float(min(p.lo for p in pivots)):.4g})")
    lower_bound = sum((value.square_lower() for row in BR for value in row), Fraction(0))

    lower = field(cert, "lower_point", dict, "")
    values: dict = {}
    for factor in ("X", "Y"):
        for index, item in enumerate(field(lower, factor, list, "lower_point")):
            where = f"lower_point.{factor}[{index}]"
            entry = _entry({"factor": factor, "entry": field(item, "entry", list, where)}, free, where)
            if entry in values:
                raise Malformed(f"{where}: entry given twice")
            values[entry] = rational(field(item, "value", str, where), where + ".value")
    LX, LY = _matrices(values, m, n, r)
    loss = sum((v * v for row in _residual(A, LX, LY, m, n, r) for v in row), Fraction(0))
    stated = rational(field(lower, "loss", str, "lower_point"), "lower_point.loss")
    if loss != stated:
        report.fail(f"the lower point's loss is {loss}, not the stated {stated}")
        return
    if not loss < lower_bound:
        report.fail(f"the lower point's loss {float(loss):.6g} is not below the lower bound {float(lower_bound):.6g} of L on the box")
        return
    report.passed(f"a point of exact loss {float(loss):.6g} < {float(lower_bound):.10g} ≤ L on the box: the minimum is spurious")
    report.trust("slice lemma and Krawczyk's theorem (docs/theory.md §8)")


def _benign(pattern: Pattern, report: VerificationReport) -> None:
    rectangles = {}
    for k in range(pattern.r):
        rows, cols = tuple(pattern.I.of(k)), tuple(pattern.J.of(k))
        if rows and cols:
            rectangles[(rows, cols)] = (set(rows), set(cols))
    items = list(rectangles.values())
    for p in range(len(items)):
        for q in range(p + 1, len(items)):
            if items[p][0] & items[q][0] and items[p][1] & items[q][1]:
                report.fail("two distinct class rectangles share a cell: the decoupling lemma does not apply")
                return
    report.passed(f"{len(items)} class rectangles, pairwise disjoint")
    report.trust("decoupling lemma with the unconstrained low-rank landscape (docs/theory.md §8)")


def check_landscape_certificate(cert: dict, version: int, report: VerificationReport) -> None:
    """Check a ``"kind": "landscape"`` certificate; problems go to ``report``."""
    verdict = field(cert, "verdict", str, "")
    report.verdict = verdict
    pattern = parse_pattern(field(cert, "pattern", dict, ""), version)
    report.passed(f"pattern {pattern.m}×{pattern.n}, r = {pattern.r}")
    if verdict == "spurious-minimum":
        _spurious(cert, pattern, report)
    elif verdict == "benign":
        _benign(pattern, report)
    elif verdict in ("none-found", "unknown"):
        report.passed(f"verdict {verdict}: the certificate claims nothing")
    else:
        report.fail(f"unknown landscape verdict {verdict!r}")
