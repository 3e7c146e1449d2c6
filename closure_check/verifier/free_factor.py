"""Free-factor proofs re-checked (``docs/theory.md`` §4, "Free-factor lemma"; ``docs/certificates.md``).

*CLOSED* (:func:`check_free_factor_proof`).  The proof is about a part: units
``R_k × C`` sharing their columns C (rows, with ``"transposed": true``: the check then runs
on the transposed units).  It claims the part equals ``{A : rank A[s₀, C] ≤ |s₀| − 1}``.
Re-checked here, exactly:

1. every unit has the same columns, the rows ``L = ∪ R_k`` number r + 1;
2. ``s₀`` is nonempty and contains the generic support: for every row ``j ∉ s₀`` the sets
   ``R_k ∖ {j}`` have no system of distinct representatives (so a patterned X of rank r
   has a normal vector vanishing at j);
3. the listed supports are exactly the nonempty subsets of ``s₀``, and for each one s the
   r listed vectors ``x_k`` have ``supp x_k ⊆ R_k``, ``Σ_{i∈s} x_k[i] = 0`` and rank r.

By the lemma (its proof: a dense set of the part's products has its columns in ``w^⊥``
with ``supp w`` the generic support, the rows ``s₀`` of every product are dependent, and
every A with dependent rows s₀ has ``wᵀA = 0`` for some ``supp w = s ⊆ s₀``, whose
hyperplane is ``D⁻¹`` times the listed span) the part is that closed set.

*NOT CLOSED* (:func:`deficient`, used by :mod:`.lemmas`): the rank of a subspace sum,
``dim Σ_{k∈T} (ℝ^{R_k} ∩ H)`` for the column space H of a block of A.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from .parse import Malformed, field
from .report import VerificationReport

__all__ = ["check_free_factor_proof", "intersection_dimension", "rank"]

MAX_LINES = 12
"""Largest ``|L|`` checked (the proof lists ``2^{|s₀|} − 1`` transversals)."""


def _echelon(rows: Sequence[Sequence[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    pivots: list[tuple[int, list[Fraction]]] = []
    for raw in rows:
        row = [Fraction(v) for v in raw]
        for col, pivot in pivots:
            if row[col]:
                factor = row[col]
                row = [a - factor * b for a, b in zip(row, pivot)]
        lead = next((c for c, v in enumerate(row) if v), None)
        if lead is None:
            continue
        row = [v / row[lead] for v in row]
        pivots = [(c, [a - p[lead] * b for a, b in zip(p, row)]) for c, p in pivots]
        pivots.append((lead, row))
    return pivots


def rank(rows: Sequence[Sequence[Fraction]]) -> int:
    """Rank over ℚ (exact Gaussian elimination)."""
    return len(_echelon(rows))


def _null_space(rows: Sequence[Sequence[Fraction]], width: int) -> list[list[Fraction]]:
    pivots = _echelon(rows)
    lead = {c for c, _ in pivots}
    basis = []
    for free in (c for c in range(width) if c not in lead):
        v = [Fraction(0)] * width
        v[free] = Fraction(1)
        for c, row in pivots:
            v[c] = -row[free]
        basis.append(v)
    return basis


def intersection_dimension(columns: Sequence[Sequence[Fraction]], allowed: Sequence[set[int]]) -> int:
    """``dim Σ_k (ℝ^{allowed_k} ∩ H)`` for ``H`` spanned by ``columns`` (vectors of one length).

    ``ℝ^R ∩ H = {B c : (B c)_i = 0 for i ∉ R}`` for a basis B of H, so the sum is the image
    under B of the sum of the null spaces; its dimension is the rank of those null spaces
    joined (B has independent columns).
    """
    basis = [list(map(Fraction, row)) for _, row in _echelon(columns)]
    if not basis:
        return 0
    length = len(basis[0])
    vectors = []
    for rows in allowed:
        outside = [[b[i] for b in basis] for i in range(length) if i not in rows]
        vectors.extend(_null_space(outside, len(basis)))
    return rank(vectors)


def _hall(sets: Sequence[set[int]]) -> bool:
    owner: dict[int, int] = {}

    def place(k: int, seen: set[int]) -> bool:
        for e in sorted(sets[k]):
            if e not in seen:
                seen.add(e)
                if e not in owner or place(owner[e], seen):
                    owner[e] = k
                    return True
        return False

    return all(place(k, set()) for k in range(len(sets)))


def check_free_factor_proof(proof: Any, report: VerificationReport, where: str) -> list[tuple[set[int], set[int]]] | None:
    """Re-check a CLOSED free-factor proof; its units (original orientation) when it holds, else None."""
    if not isinstance(proof, dict):
        raise Malformed(f"{where} should be an object")
    transposed = field(proof, "transposed", bool, where)
    units = []
    for index, unit in enumerate(field(proof, "units", list, where)):
        if not (isinstance(unit, list) and len(unit) == 2 and all(isinstance(s, list) for s in unit)
                and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for s in unit for v in s)):
            raise Malformed(f"{where}.units[{index}] should be [rows, cols] of nonnegative integers")
        units.append((set(unit[0]), set(unit[1])))
    working = [(cols, rows) for rows, cols in units] if transposed else units
    r = len(working)
    lines = sorted(set().union(*(rows for rows, _ in working))) if working else []
    before = len(report.problems)
    if r < 1 or len({frozenset(cols) for _, cols in working}) != 1:
        report.fail(f"{where}: the units do not share their {'rows' if transposed else 'columns'}")
        return None
    if len(lines) != r + 1 or len(lines) > MAX_LINES:
        report.fail(f"{where}: the {r} units meet {len(lines)} lines, the lemma needs {r + 1} (at most {MAX_LINES})")
        return None
    generic = field(proof, "generic_support", list, where)
    if not generic or not set(generic) <= set(lines) or len(set(generic)) != len(generic):
        report.fail(f"{where}: the generic support {generic} is not a nonempty set of the units' lines")
        return None
    for j in lines:
        if j not in generic and _hall([rows - {j} for rows, _ in working]):
            report.fail(f"{where}: line {j} is outside the stated generic support, yet the units keep distinct "
                        f"representatives without it")
    position = {line: p for p, line in enumerate(lines)}
    wanted = {frozenset(s) for size in range(1, len(generic) + 1) for s in itertools.combinations(generic, size)}
    seen: set[frozenset[int]] = set()
    for index, item in enumerate(field(proof, "transversals", list, where)):
        at = f"{where}.transversals[{index}]"
        support = field(item, "support", list, at)
        key = frozenset(support)
        if key not in wanted or key in seen:
            report.fail(f"{at}: support {support} is not a new nonempty subset of the generic support")
            continue
        seen.add(key)
        raw = field(item, "vectors", list, at)
        try:
            vectors = [[Fraction(str(v)) for v in x] for x in raw]
        except (TypeError, ValueError, ZeroDivisionError) as error:
            raise Malformed(f"{at}.vectors: not rationals ({error})") from None
        if len(vectors) != r or any(len(x) != len(lines) for x in vectors):
            raise Malformed(f"{at}.vectors should be {r} vectors of length {len(lines)}")
        for k, (x, (rows, _)) in enumerate(zip(vectors, working)):
            if any(x[position[i]] for i in lines if i not in rows):
                report.fail(f"{at}: vector {k} leaves the lines {sorted(rows)} of its unit")
            if sum(x[position[i]] for i in support):
                report.fail(f"{at}: vector {k} does not sum to 0 over the support {sorted(support)}")
        if rank(vectors) != r:
            report.fail(f"{at}: the vectors are dependent (rank {rank(vectors)} < {r})")
    if seen != wanted:
        report.fail(f"{where}: {len(wanted - seen)} nonempty subset(s) of the generic support have no transversal")
    if len(report.problems) != before:
        return None
    report.passed(
        f"{where}: free-factor proof re-checked: {r} units sharing their {'rows' if transposed else 'columns'} on "
        f"{r + 1} lines, generic support {sorted(generic)} confirmed by Hall's condition, independent transversals "
        f"of all {len(wanted)} hyperplanes 1_s^⊥ (s ⊆ generic support)"
    )
    report.trust("free-factor lemma")
    return units
