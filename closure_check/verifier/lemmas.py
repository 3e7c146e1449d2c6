"""The combinatorial half of a NOT CLOSED certificate: ``A ∉ P`` by a lemma of ``docs/theory.md`` §4.

Both lemmas rest on one fact about coverage: if the cells of a set Z are covered only by
the units of a set U, then for every product ``M = X Yᵀ`` in P and every cell (i, j) of
Z, ``M[i,j] = Σ_{k ∈ U} x_{ik} y_{jk}`` (with ``x_{ik} = 0`` when ``I[i,k] = 0`` and
``y_{jk} = 0`` when ``J[j,k] = 0``).  The verifier recomputes the coverage from I and J,
then re-derives the lemma's argument from A on Z:

*Local-LU lemma* -- cells ``(i1,j1), (i1,j2), (i2,j1)`` (i1 ≠ i2, j1 ≠ j2) covered only by
unit k.  A product gives ``M[i1,j2] M[i2,j1] = x_{i1} y_{j2} x_{i2} y_{j1} =
M[i1,j1] · x_{i2} y_{j2}``, so ``A[i1,j1] = 0`` and ``A[i1,j2] A[i2,j1] ≠ 0`` put A outside P.
Checked: the coverage, those three values of A, and (the lemma's hypothesis for the
closure half) that a unit other than k covers the fourth corner ``(i2,j2)``.

*Shared-rows lemma* -- rows l1 ≠ l2 and columns c1, c2, c3 with the cells on c1 covered
only by unit a, on c3 only by unit b, on c2 only by a and b.  On rows {l1, l2} the
columns of a product are ``y_{c1,a} x_a``, ``y_{c3,b} x_b`` and
``y_{c2,a} x_a + y_{c2,b} x_b`` (``x_a``, ``x_b`` restricted to the two rows).  With
``u, v, w`` the columns c1, c2, c3 of A on those rows: u ≠ 0 forces ``x_a ∥ u``,
w ≠ 0 forces ``x_b ∥ w``, and if ``det(u, w) = 0`` then column c2 of every such product
is a multiple of u; ``det(u, v) ≠ 0`` puts A outside P.  Checked: the coverage and those
four conditions on A.  *Shared-columns lemma*: the same with rows and columns exchanged.

*Free-factor lemma* (NOT CLOSED half) -- a block ``S × C`` covered only by the units U.
On it a product is ``Σ_{k∈U} x_k y_kᵀ`` with ``supp x_k ⊆ R_k ∩ S``, so its column space
lies in ``span(x_k)``.  If ``rank A[S,C] = |U|``, the ``x_k`` would be a basis of
``H = C(A[S,C])``, each ``x_k ∈ ℝ^{R_k} ∩ H``; a *deficient* set ``T ⊆ U`` with
``dim Σ_{k∈T} (ℝ^{R_k} ∩ H) < |T|`` makes that impossible.  Checked: the coverage, the block
shape, the rank, and the dimension (exact).  With ``transposed`` the same on ``Aᵀ``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .free_factor import intersection_dimension, rank
from .parse import Malformed, cell, field, index_list, integer
from .pattern import Pattern
from .report import VerificationReport, cell_text

__all__ = ["LEMMAS", "check_coverage", "check_lemma", "parse_obstruction"]

Cell = tuple[int, int]


def parse_obstruction(proof: dict, pattern: Pattern) -> tuple[list[Cell], list[int]]:
    """The obstruction cells and units of ``proof``."""
    raw = field(proof, "obstruction_cells", list, "proof")
    cells = [cell(v, pattern.shape, f"proof.obstruction_cells[{p}]") for p, v in enumerate(raw)]
    units = index_list(field(proof, "obstruction_units", list, "proof"), "proof.obstruction_units", pattern.r)
    return cells, units


def check_coverage(cells: list[Cell], units: list[int], pattern: Pattern, report: VerificationReport, what: str) -> bool:
    """Every cell of ``cells`` is covered by no unit outside ``units``."""
    allowed, good = set(units), True
    for at in cells:
        extra = sorted(pattern.covering(*at) - allowed)
        if extra:
            good = False
            report.fail(f"{what} {cell_text(at)} is also covered by unit(s) {extra}, not obstruction units {sorted(allowed)}")
    return good


def _local_lu(roles: dict, cells: list[Cell], units: list[int], A: dict[Cell, Fraction], pattern: Pattern, report: VerificationReport) -> None:
    k = integer(field(roles, "unit", int, "proof.roles"), "proof.roles.unit", 0, pattern.r)
    i1, i2 = _take(roles, "rows", 2, pattern.m)
    j1, j2 = _take(roles, "cols", 2, pattern.n)
    before = len(report.problems)
    if units != [k]:
        report.fail(f"local-LU lemma: the obstruction units are {units}, the roles name the single unit {k}")
    corner, top, left, fourth = (i1, j1), (i1, j2), (i2, j1), (i2, j2)
    if sorted(cells) != sorted([corner, top, left]):
        report.fail(f"local-LU lemma: the obstruction cells {cells} are not the L {cell_text(corner)}, {cell_text(top)}, {cell_text(left)}")
    if A.get(corner, 0) != 0:
        report.fail(f"local-LU lemma: A is {A[corner]} at the corner {cell_text(corner)}, the argument needs 0")
    for at in (top, left):
        if A.get(at, 0) == 0:
            report.fail(f"local-LU lemma: A is 0 at {cell_text(at)}, the argument needs a nonzero entry")
    if not pattern.covering(*fourth) - {k}:
        report.fail(f"local-LU lemma: no unit other than {k} covers the fourth corner {cell_text(fourth)}")
    if len(report.problems) == before:
        report.passed(
            f"local-LU lemma re-derived: only unit {k} covers {cell_text(corner)}, {cell_text(top)}, {cell_text(left)}; "
            f"A = 0 at {cell_text(corner)} and A{cell_text(top)}·A{cell_text(left)} ≠ 0, so A ∉ P"
        )


def _shared_lines(roles: dict, cells: list[Cell], units: list[int], A: dict[Cell, Fraction], pattern: Pattern,
                  report: VerificationReport, transpose: bool) -> None:
    name = "shared-columns lemma" if transpose else "shared-rows lemma"
    line_key, cross_key = ("cols", "rows") if transpose else ("rows", "cols")
    lines_word, cross_word = ("columns", "row") if transpose else ("rows", "column")
    line_side, cross_side = (pattern.n, pattern.m) if transpose else (pattern.m, pattern.n)
    a, b = _take(roles, "units", 2, pattern.r)
    l1, l2 = _take(roles, line_key, 2, line_side)
    c1, c2, c3 = _take(roles, cross_key, 3, cross_side)
    at = (lambda l, c: (c, l)) if transpose else (lambda l, c: (l, c))
    before = len(report.problems)
    if sorted(units) != sorted([a, b]):
        report.fail(f"{name}: the obstruction units are {units}, the roles name units {a} and {b}")
    if sorted(cells) != sorted(at(l, c) for l in (l1, l2) for c in (c1, c2, c3)):
        report.fail(f"{name}: the obstruction cells are not {lines_word} {l1},{l2} × {cross_word}s {c1},{c2},{c3}")
    for c, allowed in ((c1, {a}), (c3, {b}), (c2, {a, b})):
        for l in (l1, l2):
            extra = sorted(pattern.covering(*at(l, c)) - allowed)
            if extra:
                report.fail(f"{name}: cell {cell_text(at(l, c))} is covered by unit(s) {extra}, the lemma allows only {sorted(allowed)}")
    u, v, w = ([A.get(at(l, c), Fraction(0)) for l in (l1, l2)] for c in (c1, c2, c3))
    for c, vector in ((c1, u), (c3, w)):
        if not any(vector):
            report.fail(f"{name}: A vanishes on {cross_word} {c} of {lines_word} {l1},{l2}, the argument needs it nonzero")
    if u[0] * w[1] - u[1] * w[0] != 0:
        report.fail(f"{name}: A on {cross_word}s {c1} and {c3} is not parallel ({u} and {w})")
    if u[0] * v[1] - u[1] * v[0] == 0:
        report.fail(f"{name}: A on {cross_word} {c2} is parallel to A on {cross_word} {c1}: no contradiction")
    if len(report.problems) == before:
        report.passed(
            f"{name} re-derived: on {lines_word} {l1},{l2}, {cross_word} {c1} is covered only by unit {a}, "
            f"{cross_word} {c3} only by unit {b}, {cross_word} {c2} only by units {a},{b}; A there is u, v, w "
            f"with u, w nonzero and parallel and v not parallel to u, so A ∉ P"
        )


def _take(roles: dict, key: str, count: int, high: int) -> list[int]:
    """``roles[key]``: exactly ``count`` distinct indices below ``high``."""
    items = index_list(field(roles, key, list, "proof.roles"), f"proof.roles.{key}", high)
    if len(items) != count:
        raise Malformed(f"proof.roles.{key} should hold {count} distinct indices, got {items}")
    return items


def _free_factor(roles: dict, cells: list[Cell], units: list[int], A: dict[Cell, Fraction], pattern: Pattern,
                 report: VerificationReport) -> None:
    name = "free-factor lemma"
    transposed = field(roles, "transposed", bool, "proof.roles")
    named = index_list(field(roles, "units", list, "proof.roles"), "proof.roles.units", pattern.r)
    deficient = index_list(field(roles, "deficient", list, "proof.roles"), "proof.roles.deficient", pattern.r)
    before = len(report.problems)
    if sorted(named) != sorted(units):
        report.fail(f"{name}: the obstruction units are {units}, the roles name units {named}")
    if not deficient or not set(deficient) <= set(units):
        report.fail(f"{name}: the deficient units {deficient} are not a nonempty set of obstruction units")
        return
    rows = sorted({i for i, _ in cells})
    cols = sorted({j for _, j in cells})
    if sorted(cells) != [(i, j) for i in rows for j in cols]:
        report.fail(f"{name}: the obstruction cells are not a full block of rows × columns")
        return
    if transposed:
        lines, cross = cols, rows
        vectors = [[A.get((i, j), Fraction(0)) for j in lines] for i in cross]
        own = {k: set(pattern.J.of(k)) & set(lines) for k in units}
    else:
        lines, cross = rows, cols
        vectors = [[A.get((i, j), Fraction(0)) for i in lines] for j in cross]
        own = {k: set(pattern.I.of(k)) & set(lines) for k in units}
    rank_A = rank(vectors)
    if rank_A != len(units):
        report.fail(f"{name}: A has rank {rank_A} on the obstruction block, the argument needs {len(units)}")
    position = {line: p for p, line in enumerate(lines)}
    found = intersection_dimension(vectors, [{position[i] for i in own[k]} for k in deficient])
    if found >= len(deficient):
        report.fail(f"{name}: units {deficient} span {found} ≥ {len(deficient)} dimensions inside the column space of A")
    if len(report.problems) == before:
        word = "columns" if transposed else "rows"
        report.passed(
            f"{name} re-derived: only units {sorted(units)} cover the block ({word} {lines}); A there has rank "
            f"{rank_A} = the number of those units, so their vectors would be a basis of its span H, yet the units "
            f"{deficient} have vectors in subspaces of H summing to dimension {found} < {len(deficient)}: A ∉ P"
        )


LEMMAS = ("local-LU lemma", "shared-rows lemma", "shared-columns lemma", "free-factor lemma")


def check_lemma(proof: dict, cells: list[Cell], units: list[int], A: dict[Cell, Fraction], pattern: Pattern, report: VerificationReport) -> None:
    """Re-derive ``A ∉ P`` by the combinatorial lemma ``proof["lemma"]``."""
    lemma = field(proof, "lemma", str, "proof")
    if lemma not in LEMMAS:
        report.fail(f"proof lemma {lemma!r} is not one the verifier can re-derive ({', '.join(LEMMAS)})")
        return
    roles: Any = field(proof, "roles", dict, "proof")
    if check_coverage(cells, units, pattern, report, "obstruction cell"):
        report.passed(f"obstruction cells {[list(c) for c in cells]} covered only by units {units}")
    if lemma == "local-LU lemma":
        _local_lu(roles, cells, units, A, pattern, report)
    elif lemma == "free-factor lemma":
        _free_factor(roles, cells, units, A, pattern, report)
    else:
        _shared_lines(roles, cells, units, A, pattern, report, transpose=(lemma == "shared-columns lemma"))
