"""Verdict rules for the parts left by the reductions (``docs/theory.md`` §4).

Each rule is a lemma of ``docs/theory.md`` with its proof; a rule either decides a
part, with its lemma and (for NOT CLOSED) an exact certificate, or does not apply.

CLOSED:

* *determinantal lemma* -- a part with one unmasked class is the set of matrices of
  rank ≤ μ on its rectangle;
* *masked block lemma* -- a part with one masked class whose visible cells form a
  disjoint union of complete bipartite blocks;
* *nested-pair lemma* -- two unmasked classes with equal rows and nested columns (or
  the transpose);
* *cross lemma* -- two single units, the rows of one inside the other's and the
  columns the other way round;
* *full-space lemma* -- the part's products fill every visible cell
  (:mod:`closure_check.two_factor.fullspace`); named *spanning lemma* when its proof
  uses that step (:func:`closure_check.two_factor.fullspace.spanning_step`), *hooks
  lemma* likewise (:func:`~closure_check.two_factor.fullspace.hooks_step`);
* *section lemma* -- the part's products are exactly the zero set of the minors of its
  single-unit 2×2 blocks (all visible cells when there is none; the algebraic stage adds the
  part's closure equations, each checked by expansion), shown by explicit rational
  factors on the cases of a decision tree over the target
  (:mod:`closure_check.two_factor.sections`; the proof travels in the certificate and the
  verifier re-checks it).
* *rank-spanning lemma* -- the spanning lemma's shape with units owning several private
  columns: the part is a set of rank-≤1 conditions on those blocks
  (:func:`closure_check.two_factor.fullspace.rank_spanning_step`).
* *free-factor lemma* -- all units share their columns (or rows) and meet r + 1 rows: the
  part is ``{rank A[s₀, C] ≤ |s₀| − 1}`` when every support inside the generic one is good
  (:mod:`closure_check.two_factor.free_factor`; the proof travels in the certificate and the
  verifier re-checks it).  Tried after the full-space lemma, before the section lemma.
* *band-block lemma* (after the filling-group lemma) -- a class on a fully visible rectangle B
  whose other classes are row or column bands through B or miss it, with enough multiplicity:
  B is free, and the rest (B hidden) is proved closed by these rules;
* *hub-row lemma* (after the rank-one peeling lemma) -- a unit on the whole box and, for
  each line but a shared one s, a unit on that line and s missing at most one cross line: the
  part is the whole space (:mod:`closure_check.two_factor.hub_row`; exact factors of any
  target by an explicit construction; the layout travels in the certificate and the verifier
  re-checks the hypothesis);
* *projective-band lemma* (after the band-block lemma) -- one unit ``R × D`` and bands
  ``R_b × (D ∪ E_b)`` whose rows partition R (or the transpose): the part is the projection of
  a closed set with compact (projective) fibre coordinates
  (:mod:`closure_check.two_factor.projective_bands`);
* *filling-group lemma* (tried before the section lemma) -- some classes fill their own visible
  cells W (a full-space proof): the part is the rest, with W hidden, times every matrix on W, and
  the rest is proved closed by these rules (the free-block lemma's filling-group form).
* *rank-one peeling lemma* -- a part without hidden cells whose products are all matrices
  on the union W of its rectangles of rank ≤ its number of units, shown by peeling
  rank-one terms (Wedderburn's rank-one reduction) unit by unit, or those of them of rank ≤ 1
  on a block one unit alone covers (the owned-block lemma)
  (:mod:`closure_check.two_factor.peeling`).

NOT CLOSED:

* *local-LU lemma* (MATH.md, extended to hidden cells);
* *shared-rows lemma* (the 2×3 example of MATH.md, generalised; and its transpose);
* *free-factor lemma*, NOT CLOSED half: a bad support inside the generic one (exact
  Laurent curve; the limit is outside P by a deficient set of units).

>>> from closure_check.core.support import TwoFactorSupport
>>> from closure_check.core.graph import RankOneStructure
>>> from closure_check.two_factor.reduce import reduce_component
>>> s = RankOneStructure.build(TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]]))
>>> r = reduce_component(s, 0)
>>> outcome = decide_part(s, r, r.parts[0])
>>> outcome.verdict.value, outcome.lemma, outcome.certificate.limit
('not-closed', 'local-LU lemma', {(0, 1): Fraction(1, 1), (1, 0): Fraction(1, 1)})
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from closure_check.certificates.two_factor import Curve, NotClosedCertificate
from closure_check.core.case import Verdict
from closure_check.core.graph import RankOneStructure
from closure_check.core.laurent import Laurent
from closure_check.two_factor.reduce import (
    ClassBlock,
    ComponentReduction,
    Part,
    visible_bicliques,
)

if TYPE_CHECKING:
    from closure_check.algebra.real import EngineRecord
    from closure_check.two_factor.fullspace import Unit

__all__ = ["RuleOutcome", "decide_part"]

ONE = Laurent.constant(1)
T = Laurent.monomial(1)
T_INV = Laurent.monomial(-1)


@dataclass(frozen=True)
class RuleOutcome:
    """A decided part: verdict, lemma, explanation, and the certificate (NOT CLOSED) or
    the records of the engines that answered (a criterion decided by z3, confirmed by
    QEPCAD B).  Verdict UNKNOWN only for engines that disagree: ``text`` then says how.
    ``section``: the :class:`~closure_check.two_factor.sections.SectionProof` of a part
    decided by the section lemma, or the :class:`~closure_check.two_factor.free_factor.FreeFactor`
    of one decided CLOSED by the free-factor lemma (both travel in the certificate's
    ``sections``); ``peeling``: the :class:`~closure_check.two_factor.peeling.PeelingProof`
    of a part decided by the rank-one peeling lemma; ``hub_row``: the JSON-ready proof of one
    decided by the hub-row lemma."""

    verdict: Verdict
    lemma: str
    text: str
    certificate: NotClosedCertificate | None = None
    records: tuple[EngineRecord, ...] = ()
    section: Any = None
    peeling: Any = None
    hub_row: Any = None


def _set(indices: np.ndarray | list[int]) -> str:
    return "{" + ",".join(str(int(i)) for i in indices) + "}"


def _rect(block: ClassBlock) -> str:
    return f"{_set(block.rows)}×{_set(block.cols)}"


def _coverage(reduction: ComponentReduction, part: Part) -> np.ndarray:
    """Local count of the part's classes covering each visible cell (0 on hidden cells)."""
    cover = np.zeros(reduction.hidden.shape, dtype=np.int64)
    for block in part.classes:
        rows, cols = reduction.local(block.rows, block.cols)
        cover[np.ix_(rows, cols)] += 1
    cover[reduction.hidden] = 0
    return cover


def decide_part(structure: RankOneStructure, reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    """Apply the rules in order; None when none of them decides the part."""
    cover = _coverage(reduction, part)
    for rule in (_local_lu, _shared_rows, _shared_columns):
        outcome = rule(structure, reduction, part, cover)
        if outcome is not None:
            return outcome
    for rule in _FIRST_CLOSED_RULES:
        outcome = rule(reduction, part)
        if outcome is not None:
            return outcome
    outcome = _free_factor(structure, reduction, part)
    if outcome is not None:
        return outcome
    return _first_decision(_LAST_CLOSED_RULES, reduction, part)


def _closed_rules(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    """The CLOSED rules that need no support-wide structure, in order (the filling-group lemma
    before the section lemma); the filling-group lemma decides its residual parts with them."""
    return _first_decision(_FIRST_CLOSED_RULES + _LAST_CLOSED_RULES, reduction, part)


def _first_decision(rules: tuple[Any, ...], reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    for rule in rules:
        outcome = rule(reduction, part)
        if outcome is not None:
            return outcome
    return None


MAX_GROUP_CLASSES = 5
"""The filling-group rule tries every group of classes of parts with at most this many classes."""


def _filling_group(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    """Filling-group lemma (``docs/theory.md`` §4): a group G of the part's classes whose
    products fill their own visible cells W (a full-space proof, :func:`full_space_proof`), W
    not every visible cell of the part.  Then the part's set is ``Q' × ℝ^W``, Q' the set of the
    other classes with W hidden as well: the part is closed iff Q' is, and Q' is decided by the
    reductions and the CLOSED rules (every part of Q' must be proved closed; otherwise None)."""
    from itertools import combinations

    from closure_check.two_factor.fullspace import MAX_CELLS, full_space_proof

    classes = part.classes
    if not 2 <= len(classes) <= MAX_GROUP_CLASSES or _visible_cell_count(reduction, part) > MAX_CELLS:
        return None
    visible = {}
    for block in classes:
        rows, cols = reduction.local(block.rows, block.cols)
        mask = np.zeros(reduction.hidden.shape, dtype=bool)
        mask[np.ix_(rows, cols)] = True
        visible[id(block)] = mask & ~reduction.hidden
    everything = np.logical_or.reduce([visible[id(b)] for b in classes])
    for size in range(1, len(classes)):
        for group in combinations(classes, size):
            cells = np.logical_or.reduce([visible[id(b)] for b in group])
            if np.array_equal(cells, everything):
                continue
            units, group_cells = part_units_and_cells(reduction, Part(tuple(group)))
            proof = full_space_proof(units, group_cells)
            if proof is None:
                continue
            rest = [b for b in classes if all(b is not g for g in group)]
            reasons = _rest_closed(reduction, rest, cells)
            if reasons is None:
                continue
            names = ", ".join(_rect(b) for b in group)
            return RuleOutcome(
                Verdict.CLOSED,
                "filling-group lemma",
                f"the classes {names} fill their {len(group_cells)} visible cells ({proof.text()}), which are "
                f"therefore free: the part is the rest with those cells hidden, times every matrix on them; "
                f"the rest: {reasons}",
            )
    return None


def _rest_closed(reduction: ComponentReduction, rest: list[ClassBlock], cells: Any) -> str | None:
    """The free-block lemma's second half: the classes ``rest`` with ``cells`` hidden as well,
    reduced, every part proved closed by the CLOSED rules; their reasons, or None if one is not."""
    from closure_check.two_factor.reduce import hide_and_reduce

    residual = hide_and_reduce(reduction, rest, cells)
    decided = [_closed_rules(residual, p) for p in residual.parts]
    if any(outcome is None for outcome in decided):
        return None
    return "; ".join(f"{o.text} ({o.lemma})" for o in decided) or "no class is left"


def _determinantal(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    if len(part.classes) != 1 or part.classes[0].masked:
        return None
    block = part.classes[0]
    return RuleOutcome(
        Verdict.CLOSED,
        "determinantal lemma",
        f"the part is the single class {_rect(block)} with μ={block.multiplicity}: the matrices of rank "
        f"≤ {block.multiplicity} on that rectangle, the zero set of its minors, a closed set",
    )


def _masked_blocks(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    if len(part.classes) != 1 or not part.classes[0].masked:
        return None
    block = part.classes[0]
    pieces = visible_bicliques(reduction.visible_block(block))
    if pieces is None:
        return None
    listed = ", ".join(f"{_set(block.rows[r])}×{_set(block.cols[c])}" for r, c in pieces)
    mu = block.multiplicity
    return RuleOutcome(
        Verdict.CLOSED,
        "masked block lemma",
        f"the part is one class (μ={mu}) on {_rect(block)} with hidden cells; its visible cells form the "
        f"disjoint blocks {listed}, so the part is a product of rank-≤{mu} sets, closed",
    )


def _nested_pair(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    if len(part.classes) != 2 or any(b.masked for b in part.classes):
        return None
    first, second = part.classes
    for same, a_other, b_other, word in (
        ("rows", first.cols, second.cols, "columns"),
        ("cols", first.rows, second.rows, "rows"),
    ):
        if not np.array_equal(getattr(first, same), getattr(second, same)):
            continue
        small, large = (first, second) if a_other.size < b_other.size else (second, first)
        small_set = small.cols if word == "columns" else small.rows
        large_set = large.cols if word == "columns" else large.rows
        if np.isin(small_set, large_set).all() and small_set.size < large_set.size:
            return RuleOutcome(
                Verdict.CLOSED,
                "nested-pair lemma",
                f"classes {_rect(small)} (μ={small.multiplicity}) and {_rect(large)} (μ={large.multiplicity}) "
                f"share their {'rows' if same == 'rows' else 'columns'} and have nested {word}: the part is "
                f"{{M : rank M ≤ {small.multiplicity + large.multiplicity}, rank of M on the extra {word} ≤ "
                f"{large.multiplicity}}}, closed",
            )
    return None


def _cross(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    """Cross lemma: two single units, rows of one inside the other's, columns the other way."""
    if len(part.classes) != 2 or any(b.masked or b.multiplicity != 1 for b in part.classes):
        return None
    for a, b in (part.classes, part.classes[::-1]):
        rows_inside = np.isin(a.rows, b.rows).all() and a.rows.size < b.rows.size
        cols_inside = np.isin(b.cols, a.cols).all() and b.cols.size < a.cols.size
        if rows_inside and cols_inside:
            return RuleOutcome(
                Verdict.CLOSED,
                "cross lemma",
                f"units on {_rect(a)} and {_rect(b)} form a cross: the part is {{M : M = 0 outside the two "
                f"rectangles, rank M ≤ 2, rank ≤ 1 on each arm}}, closed",
            )
    return None


def part_units_and_cells(reduction: ComponentReduction, part: Part) -> tuple[list[Unit], set[tuple[int, int]]]:
    """The part as rank-one units (each class's rectangle μ times) and its visible cells."""
    units: list[Unit] = []
    cells: set[tuple[int, int]] = set()
    for block in part.classes:
        rows, cols = tuple(int(i) for i in block.rows), tuple(int(j) for j in block.cols)
        units.extend([(rows, cols)] * block.multiplicity)
        visible = reduction.visible_block(block)
        cells.update((rows[a], cols[b]) for a, b in zip(*visible.nonzero()))
    return units, cells


def _visible_cell_count(reduction: ComponentReduction, part: Part) -> int:
    """Number of distinct visible cells of the part's classes."""
    seen = np.zeros(reduction.hidden.shape, dtype=bool)
    for block in part.classes:
        rows, cols = reduction.local(block.rows, block.cols)
        seen[np.ix_(rows, cols)] = True
    return int((seen & ~reduction.hidden).sum())


def _rank_spanning(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    """Rank-spanning lemma (:func:`closure_check.two_factor.fullspace.rank_spanning_step`), rows or columns."""
    from closure_check.two_factor.fullspace import MAX_CELLS, rank_spanning_step

    if _visible_cell_count(reduction, part) > MAX_CELLS:
        return None  # as for the full-space rule: large parts stay off the cell-by-cell path
    units, cells = part_units_and_cells(reduction, part)
    for lines in (("row", "column"), ("column", "row")):
        found = rank_spanning_step(units, cells, lines)
        if found is not None:
            return RuleOutcome(Verdict.CLOSED, "rank-spanning lemma", found[0])
        units, cells = [(c, r) for r, c in units], {(j, i) for i, j in cells}
    return None


def _full_space(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    from closure_check.two_factor.fullspace import (  # its search loads only when a part needs it
        HOOKS,
        MAX_CELLS,
        SPANNING,
        full_space_proof,
    )

    if _visible_cell_count(reduction, part) > MAX_CELLS:
        return None  # full_space_proof searches no larger part: do not list its cells
    units, cells = part_units_and_cells(reduction, part)
    proof = full_space_proof(units, cells)
    if proof is None:
        return None
    return RuleOutcome(
        Verdict.CLOSED,
        _full_space_name(proof.lemmas(), SPANNING, HOOKS),
        f"the part's products fill all {len(cells)} of its visible cells: {proof.text()}; the whole space is closed",
    )


def _free_factor(structure: RankOneStructure, reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    """Free-factor lemma (:mod:`closure_check.two_factor.free_factor`): CLOSED with its replayable
    proof, or NOT CLOSED with an exact curve and a deficient set of units."""
    from closure_check.two_factor.free_factor import MAX_LINES, free_factor
    from closure_check.two_factor.fullspace import MAX_CELLS

    if len(part.classes) < 2 or any(b.masked for b in part.classes):
        return None
    if sum(b.multiplicity for b in part.classes) >= MAX_LINES or _visible_cell_count(reduction, part) > MAX_CELLS:
        return None
    units, cells = part_units_and_cells(reduction, part)
    found = free_factor(units, cells)
    if found is None:
        return None
    if found.closed:
        return RuleOutcome(Verdict.CLOSED, "free-factor lemma", found.text(), section=found)
    return _free_factor_refutation(structure, reduction, part, found)


def _free_factor_refutation(structure: RankOneStructure, reduction: ComponentReduction, part: Part,
                            found: Any) -> RuleOutcome | None:
    """The NOT CLOSED half of the free-factor lemma: the curve lifted to the whole support, or None."""
    from closure_check.two_factor.free_factor import not_closed_curve
    from closure_check.two_factor.limits import PartCurve, lift_curve, part_problem_of

    curve = not_closed_curve(found)
    if curve is None:
        return None
    problem = part_problem_of(reduction, part)
    numbers = [unit for unit, _, _ in problem.units]
    flip = (lambda a, b: (b, a)) if found.transposed else (lambda a, b: (a, b))
    x = {(line, numbers[k]): Laurent.monomial(e, c) for (line, k), (c, e) in curve.x.items()}
    y = {(j, numbers[k]): Laurent.monomial(e, c) for (j, k), (c, e) in curve.y.items()}
    if found.transposed:
        x, y = y, x
    limit = {flip(i, j): v for (i, j), v in curve.limit.items()}
    lifted = lift_curve(reduction, problem, PartCurve(x, y, limit))
    if lifted.defects(structure.support):
        return None
    obstruction = tuple(sorted(flip(i, j) for i in found.lines for j in found.cross))
    support = structure.support
    rectangles = [structure.unit_rectangle(k) for k in range(support.rank)]
    if any(rectangles[unit] != (rows, cols) for unit, rows, cols in problem.units):
        return None  # a reduction shrank a rectangle: the argument runs on the whole support's rectangles
    rows_of, cols_of = {i for i, _ in obstruction}, {j for _, j in obstruction}
    covering = {k for k, (rows, cols) in enumerate(rectangles) if rows_of & set(rows) and cols_of & set(cols)}
    if covering != set(numbers):
        return None  # the argument needs the part's units alone on its cells in the whole support
    deficient = sorted(numbers[k] for k in curve.deficient)
    side = "columns" if found.transposed else "rows"
    argument = (
        f"A is supported on {side} {_set(found.lines)}, covered only by units {sorted(numbers)}; its "
        f"{'rows' if found.transposed else 'columns'} span the hyperplane 1_s^⊥ of dimension {len(numbers)} for "
        f"s = {_set(curve.bad)}, so the units' vectors would be a basis of it, yet units {deficient} have "
        f"vectors in a subspace of dimension < {len(deficient)} there"
    )
    certificate = NotClosedCertificate(
        shape=support.shape,
        rank=support.rank,
        curve=lifted,
        lemma="free-factor lemma",
        obstruction_cells=obstruction,
        obstruction_units=tuple(sorted(numbers)),
        argument=argument,
        roles={"transposed": found.transposed, "units": sorted(numbers), "deficient": deficient},
    )
    return RuleOutcome(
        Verdict.NOT_CLOSED,
        "free-factor lemma",
        f"{found.text()}: {argument}",
        certificate,
    )


def _peeling(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    """Rank-one peeling lemma (:func:`closure_check.two_factor.peeling.peeling_proof`).

    If no cell of the part's rectangles is hidden and a peeling proof exists, the part is
    ``{A : supp A ⊆ W, rank A ≤ r}`` (W the union of its rectangles, r its number of units),
    the zero set of the entries off W and the (r+1)-minors: CLOSED; with an owned-block root
    (block B covered by one unit alone) it is that set with ``rank A[B] ≤ 1`` (also the 2-minors
    of ``A[B]``): CLOSED.  ``docs/theory.md`` §4, "Rank-one peeling lemma", "Owned-block lemma".
    """
    from closure_check.two_factor.peeling import peeling_proof

    if any(block.masked for block in part.classes):
        return None  # a hidden cell: the lemma needs every cell of the rectangles visible
    units, cells = part_units_and_cells(reduction, part)
    proof = peeling_proof(units, cells)
    if proof is None:
        return None
    rows, cols = {i for i, _ in cells}, {j for _, j in cells}
    claim = (f"every matrix on the {len(cells)} cells of its rectangles (rank ≤ {proof.rank} holds on a "
             f"{len(rows)}×{len(cols)} box)" if proof.rank >= min(len(rows), len(cols)) else
             f"every matrix on the {len(cells)} cells of its rectangles of rank ≤ {proof.rank}, the zero set of "
             f"the {proof.rank + 1}-minors")
    owned = proof.owned_block()
    if owned is not None:  # owned-block lemma: P = {A ∈ T : rank A[B] ≤ 1}, closed (minors)
        claim += f", of rank ≤ 1 on the block {list(owned[0])}×{list(owned[1])} that one unit alone covers"
    return RuleOutcome(Verdict.CLOSED, "rank-one peeling lemma", f"the part's products are {claim}, closed: {proof.text()}",
                       peeling=proof)


def _hub_row(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    """Hub-row lemma (:mod:`closure_check.two_factor.hub_row`): a unit on the whole box and,
    for every line but a shared one, a unit on that line and the shared one missing at most one
    cross line: the part's products are every matrix on the box (projected to the visible
    cells), closed.  ``docs/theory.md`` §4, "Hub-row lemma"."""
    from closure_check.two_factor.hub_row import hub_row_layout

    units, _ = part_units_and_cells(reduction, part)
    layout = hub_row_layout(units)
    if layout is None:
        return None
    return RuleOutcome(Verdict.CLOSED, "hub-row lemma", f"the part's products fill the whole space, closed: {layout.text()}",
                       hub_row=layout.as_json(units))


def _sections(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    """Section lemma, quick search (after the full-space search; the algebraic stage runs a wider one)."""
    from closure_check.two_factor.sections import QUICK  # loads flint only when a part needs it

    return section_outcome(reduction, part, QUICK)


def _band_block(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    """Band-block lemma (``docs/theory.md`` §4, the free-block lemma's band form).

    A class G (μ units) on a rectangle ``B = R_B × C_B`` all of whose cells are visible; every
    other class of the part is a *column band* (columns ``C_B``, rows ⊇ ``R_B``), a *row band*
    (rows ``R_B``, columns ⊇ ``C_B``) or has no visible cell in B; and
    ``μ ≥ min(|R_B| − [a row band], |C_B| − [a column band])``.  Then B is free: the part's set
    is the rest with B hidden, times every matrix on B, closed iff the rest is, which must be
    proved closed by the CLOSED rules (otherwise None)."""
    if len(part.classes) < 2:
        return None
    for g in part.classes:
        if not reduction.visible_block(g).all():
            continue
        rows_g, cols_g = set(g.rows.tolist()), set(g.cols.tolist())
        block = np.zeros(reduction.hidden.shape, dtype=bool)
        block[np.ix_(*reduction.local(g.rows, g.cols))] = True
        row_band = column_band = False
        for other in part.classes:
            if other is g:
                continue
            rows, cols = set(other.rows.tolist()), set(other.cols.tolist())
            if cols == cols_g and rows >= rows_g:
                column_band = True
            elif rows == rows_g and cols >= cols_g:
                row_band = True
            elif block[np.ix_(*reduction.local(other.rows, other.cols))].any():
                break  # a class meeting B that is no band
        else:
            if g.multiplicity < min(len(rows_g) - row_band, len(cols_g) - column_band):
                continue
            reasons = _rest_closed(reduction, [b for b in part.classes if b is not g], block)
            if reasons is None:
                continue
            bands = " and ".join(word for word, there in (("a row band", row_band), ("a column band", column_band)) if there)
            return RuleOutcome(
                Verdict.CLOSED,
                "band-block lemma",
                f"the class {_rect(g)} (μ={g.multiplicity}) with {bands or 'no band'} through it reaches every "
                f"matrix on its rectangle for every value outside it, which is therefore free: the part is the rest "
                f"with that rectangle hidden, times every matrix on it; the rest: {reasons}",
            )
    return None


def _projective_bands(reduction: ComponentReduction, part: Part) -> RuleOutcome | None:
    """Projective-band lemma (``docs/theory.md`` §4; :mod:`closure_check.two_factor.projective_bands`).

    One unit ``G = R × D`` and bands ``R_b × (D ∪ E_b)`` whose rows partition R (or the
    transpose), every cell of the rectangles visible: the part is the projection of a closed
    subset of ``ℝ^V × Π ℙ(ℝ^{R_b}) × ℙ(ℝ^D)``, closed because projective spaces are compact."""
    from closure_check.two_factor.projective_bands import band_structure

    if len(part.classes) < 2 or any(block.masked for block in part.classes):
        return None
    units, cells = part_units_and_cells(reduction, part)
    found = band_structure(units, cells)
    if found is None:
        return None
    rows_g, cols_g = units[found.shared]
    side, other = ("columns", "rows") if found.transposed else ("rows", "columns")
    shared = set(cols_g if not found.transposed else rows_g)
    bands = ", ".join(f"{_set(list(units[k][0]))}×{_set(list(units[k][1]))}" for k in found.bands)
    return RuleOutcome(
        Verdict.CLOSED,
        "projective-band lemma",
        f"the unit {_set(list(rows_g))}×{_set(list(cols_g))} and the bands {bands}, whose {side} partition its "
        f"{side} and whose {other} contain its {other} {_set(sorted(shared))}: the part is the projection of a "
        f"closed set (each band's {side[:-1]} factor and the unit's {other[:-1]} factor as points of real "
        f"projective spaces, rank ≤ 1 conditions), closed since projective spaces are compact",
    )


def section_outcome(reduction: ComponentReduction, part: Part, configurations: Any, effort: Any = None,
                    offered: Any = ()) -> RuleOutcome | None:
    """CLOSED by the section lemma with the searches ``configurations`` and the ``offered``
    equations besides the minors (:func:`closure_check.two_factor.sections.section_proof`), or None."""
    from closure_check.two_factor.sections import MAX_CELLS, section_proof

    if _visible_cell_count(reduction, part) > MAX_CELLS:
        return None
    units, cells = part_units_and_cells(reduction, part)
    proof = section_proof(units, cells, configurations, effort, offered)
    if proof is None:
        return None
    return RuleOutcome(Verdict.CLOSED, "section lemma", proof.text(), section=proof)


def free_block_outcome(reduction: ComponentReduction, part: Part, effort: Any = None) -> RuleOutcome | None:
    """CLOSED by the section lemma with a tree found block by block (the free-block lemma's
    search, :func:`closure_check.two_factor.free_block.free_block_proof`), or None."""
    from closure_check.two_factor.free_block import free_block_proof
    from closure_check.two_factor.sections import MAX_CELLS

    if _visible_cell_count(reduction, part) > MAX_CELLS:
        return None
    units, cells = part_units_and_cells(reduction, part)
    proof = free_block_proof(units, cells, effort)
    if proof is None:
        return None
    return RuleOutcome(Verdict.CLOSED, "section lemma", f"{proof.text()} (tree found outside-first: free-block lemma)",
                       section=proof)


def _full_space_name(lemmas: frozenset[str], spanning: str, hooks: str) -> str:
    """The lemma a full-space verdict is credited to: the spanning or hooks lemma when its proof uses one."""
    named = [name for step, name in ((spanning, "spanning lemma"), (hooks, "hooks lemma")) if step in lemmas]
    return " + ".join(named) if named else "full-space lemma"


def _unit_covering(reduction: ComponentReduction, part: Part, exclude: ClassBlock, cell: tuple[int, int]) -> int:
    """A unit other than ``exclude``'s that may produce any value at a local cell.

    Either the cell is hidden (an absorbed complete class first hid it), or another class
    of the part covers it.
    """
    a, b = cell
    if reduction.hidden[a, b]:
        return reduction.absorbed[int(reduction.absorbed_by[a, b])].units[0]
    row, col = reduction.rows[a], reduction.cols[b]
    for block in part.classes:
        if block is not exclude and row in block.rows and col in block.cols:
            return block.units[0]
    raise AssertionError("the cell was selected as hidden or shared")


def _local_lu(structure: RankOneStructure, reduction: ComponentReduction, part: Part, cover: np.ndarray) -> RuleOutcome | None:
    """Local-LU lemma: an L of three cells only one unit covers, the fourth corner free or shared."""
    for block in part.classes:
        if block.multiplicity != 1:
            continue
        rows, cols = reduction.local(block.rows, block.cols)
        window = np.ix_(rows, cols)
        exclusive = (cover[window] == 1) & ~reduction.hidden[window]
        shared = reduction.hidden[window] | (cover[window] >= 2)
        if np.count_nonzero(exclusive) < 3:
            continue  # the lemma needs three cells only this unit covers
        E = exclusive.astype(np.int64)
        reach = (E @ E.T @ E) > 0
        candidates = np.argwhere(shared & reach)
        if candidates.size == 0:
            continue
        p2, q2 = (int(v) for v in candidates[0])
        for q1 in np.flatnonzero(exclusive[p2]):
            firsts = np.flatnonzero(exclusive[:, q1] & exclusive[:, q2])
            if firsts.size:
                p1 = int(firsts[0])
                break
        i1, i2, j1, j2 = (int(v) for v in (block.rows[p1], block.rows[p2], block.cols[q1], block.cols[q2]))
        unit = block.units[0]
        other = _unit_covering(reduction, part, block, (int(rows[p2]), int(cols[q2])))
        certificate = NotClosedCertificate(
            shape=structure.support.shape,
            rank=structure.support.rank,
            curve=Curve(
                x={(i1, unit): T, (i2, unit): ONE, (i2, other): -T_INV},
                y={(j1, unit): ONE, (j2, unit): T_INV, (j2, other): ONE},
                limit={(i1, j2): Fraction(1), (i2, j1): Fraction(1)},
            ),
            lemma="local-LU lemma",
            obstruction_cells=((i1, j1), (i1, j2), (i2, j1)),
            obstruction_units=(unit,),
            argument=(
                f"only unit {unit} covers the cells ({i1},{j1}), ({i1},{j2}), ({i2},{j1}); a product in P "
                f"would need x_{i1}·y_{j1} = 0, x_{i1}·y_{j2} = 1 and x_{i2}·y_{j1} = 1 for that unit, "
                f"impossible"
            ),
        )
        free = "is free (absorbed)" if reduction.hidden[rows[p2], cols[q2]] else f"is also covered by unit {other}"
        return RuleOutcome(
            Verdict.NOT_CLOSED,
            "local-LU lemma",
            f"unit {unit} alone covers ({i1},{j1}), ({i1},{j2}), ({i2},{j1}) and ({i2},{j2}) {free}: "
            f"E_{{{i1},{j2}}} + E_{{{i2},{j1}}} is a limit of products but not a product",
            certificate,
        )
    return None


def _shared_rows(structure: RankOneStructure, reduction: ComponentReduction, part: Part, cover: np.ndarray) -> RuleOutcome | None:
    return _shared_lines(structure, reduction, part, cover, transpose=False)


def _shared_columns(structure: RankOneStructure, reduction: ComponentReduction, part: Part, cover: np.ndarray) -> RuleOutcome | None:
    return _shared_lines(structure, reduction, part, cover, transpose=True)


def _shared_lines(
    structure: RankOneStructure, reduction: ComponentReduction, part: Part, cover: np.ndarray, transpose: bool
) -> RuleOutcome | None:
    """Shared-rows lemma (transpose: shared-columns) on two single-unit classes.

    Rows i1 ≠ i2 of both rectangles, columns j1 (first only), j2 (both), j3 (second
    only), the six cells visible and covered by no other class.
    """
    hidden = reduction.hidden.T if transpose else reduction.hidden
    cover = cover.T if transpose else cover
    lines_of = (lambda b: (b.cols, b.rows)) if transpose else (lambda b: (b.rows, b.cols))
    local_lines = reduction.cols if transpose else reduction.rows
    local_cross = reduction.rows if transpose else reduction.cols
    singles = [b for b in part.classes if b.multiplicity == 1 and _doubly_exclusive(reduction, b, cover, transpose)]
    for index, first in enumerate(singles):
        for second in singles[index + 1:]:
            for a_block, b_block in ((first, second), (second, first)):
                lines_a, cross_a = lines_of(a_block)
                lines_b, cross_b = lines_of(b_block)
                lines = np.intersect1d(lines_a, lines_b)
                only_a = np.setdiff1d(cross_a, cross_b)
                only_b = np.setdiff1d(cross_b, cross_a)
                both = np.intersect1d(cross_a, cross_b)
                if lines.size < 2 or not (only_a.size and only_b.size and both.size):
                    continue
                L = np.searchsorted(local_lines, lines)

                def mask(cross: np.ndarray, count: int) -> np.ndarray:
                    window = np.ix_(L, np.searchsorted(local_cross, cross))
                    return ((cover[window] == count) & ~hidden[window]).astype(np.int64)

                Oa, Ob, B = mask(only_a, 1), mask(only_b, 1), mask(both, 2)
                good = (Oa @ Oa.T > 0) & (Ob @ Ob.T > 0) & (B @ B.T > 0)
                np.fill_diagonal(good, False)
                pairs = np.argwhere(good)
                if pairs.size == 0:
                    continue
                p1, p2 = (int(v) for v in pairs[0])
                l1, l2 = int(lines[p1]), int(lines[p2])
                c1 = int(only_a[np.flatnonzero(Oa[p1] & Oa[p2])[0]])
                c2 = int(both[np.flatnonzero(B[p1] & B[p2])[0]])
                c3 = int(only_b[np.flatnonzero(Ob[p1] & Ob[p2])[0]])
                return _shared_lines_outcome(structure, a_block.units[0], b_block.units[0], l1, l2, c1, c2, c3, transpose)
    return None


def _doubly_exclusive(reduction: ComponentReduction, block: ClassBlock, cover: np.ndarray, transpose: bool) -> bool:
    """Whether some cross position of the block (a column; a row when ``transpose``) has two
    visible cells only this class covers.

    The shared-rows lemma needs this of both of its classes (cells ``(i1, j1), (i2, j1)`` for
    the first, ``(i1, j3), (i2, j3)`` for the second), so a class without it takes part in
    no pair: skipping it changes no outcome and keeps the pair loop short on large parts
    where most cells are covered many times.  ``cover`` is already transposed with ``transpose``.
    """
    rows, cols = reduction.local(block.rows, block.cols)
    if transpose:
        rows, cols = cols, rows
    hidden = reduction.hidden.T if transpose else reduction.hidden
    window = np.ix_(rows, cols)
    exclusive = (cover[window] == 1) & ~hidden[window]
    return bool((exclusive.sum(axis=0) >= 2).any())


def _shared_lines_outcome(
    structure: RankOneStructure, ua: int, ub: int, l1: int, l2: int, c1: int, c2: int, c3: int, transpose: bool
) -> RuleOutcome:
    # in "line" coordinates: x vectors live on lines, y vectors on cross positions
    line_side = {(l1, ua): ONE, (l1, ub): ONE, (l2, ub): T}
    cross_side = {(c1, ua): ONE, (c2, ua): -T_INV, (c2, ub): T_INV, (c3, ub): ONE}
    limit_lines = {(l1, c1): Fraction(1), (l1, c3): Fraction(1), (l2, c2): Fraction(1)}
    cells = tuple((l, c) for l in (l1, l2) for c in (c1, c2, c3))
    if transpose:
        x, y = cross_side, line_side
        limit = {(c, l): v for (l, c), v in limit_lines.items()}
        cells = tuple((c, l) for l, c in cells)
        name, lines_word, cross_word = "shared-columns lemma", "columns", "rows"
    else:
        x, y = line_side, cross_side
        limit = limit_lines
        name, lines_word, cross_word = "shared-rows lemma", "rows", "columns"
    argument = (
        f"on {lines_word} {l1},{l2} only unit {ua} covers {cross_word[:-1]} {c1}, only unit {ub} covers "
        f"{cross_word[:-1]} {c3}, only units {ua},{ub} cover {cross_word[:-1]} {c2}; A has (1,0) on "
        f"{cross_word[:-1]}s {c1} and {c3}, so both units' vectors on {lines_word} {l1},{l2} are multiples of "
        f"(1,0), yet A has (0,1) on {cross_word[:-1]} {c2}"
    )
    certificate = NotClosedCertificate(
        shape=structure.support.shape,
        rank=structure.support.rank,
        curve=Curve(x=x, y=y, limit=limit),
        lemma=name,
        obstruction_cells=cells,
        obstruction_units=(ua, ub),
        argument=argument,
    )
    return RuleOutcome(
        Verdict.NOT_CLOSED,
        name,
        f"units {ua} and {ub} share {lines_word} {l1},{l2}; {argument}",
        certificate,
    )


_FIRST_CLOSED_RULES = (_determinantal, _masked_blocks, _nested_pair, _cross, _rank_spanning, _full_space)
"""CLOSED rules tried before the free-factor lemma (which needs the whole support for its NOT CLOSED half)."""

_LAST_CLOSED_RULES = (_peeling, _hub_row, _filling_group, _band_block, _projective_bands, _sections)
"""CLOSED rules tried after it: the rank-one peeling lemma, the hub-row lemma, the free-block
lemma's forms, the projective-band lemma, then the section lemma."""
