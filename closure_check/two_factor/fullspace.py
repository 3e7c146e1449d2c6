"""Parts whose products fill every visible cell (``docs/theory.md``, "Full-space lemma").

A part left by the reductions is a list of rank-one *units* ``x_k y_kᵀ`` with
``supp x_k ⊆ R_k``, ``supp y_k ⊆ C_k`` and a set V of visible cells; the set studied is
``Q = {π_V(Σ_k x_k y_kᵀ)}``.  If ``Q = ℝ^V`` it is closed.  :func:`full_space_proof`
looks for a proof of ``Q = ℝ^V`` built from these exact facts:

* **fixed factor** -- if for one rational ``X₀`` respecting the supports the *linear* map
  ``Y ↦ π_V(X₀ Yᵀ)`` is onto ``ℝ^V`` (exact rank over ℚ), then ``Q = ℝ^V``; likewise with
  a fixed ``Y₀``;
* **absorption** -- a group of μ units with the same rectangle whose visible cells span
  rows R', columns C' with ``μ ≥ min(|R'|, |C'|)`` produces every matrix on ``R'×C'``
  (complete-classes lemma): if the other units fill the remaining cells, Q is full;
* **nested pair** -- two groups of units forming a nested pair whose rank conditions
  (nested-pair lemma) are empty on their rectangle;
* **spanning lemma** -- the units share their rows, each has at most one column of its
  own, and every other column has enough units with free vectors to span it
  (:func:`spanning_step`);
* **hooks lemma** -- the units meet at one visible cell and each one's visible cells lie on
  that cell's row and column (:func:`hooks_step`);
* **restriction** -- shrinking a unit's rectangle to one of its rows (or columns) can
  only shrink Q, so if the restricted problem is full, so is Q;
* **pivot-row lemma** -- unit k alone covers the visible cells ``{i}×E`` of its row i:
  split on ``A[i,E] = 0`` (drop row i from unit k) or ``A[i,j] ≠ 0`` (unit k takes row i
  and column j of A, the other units fill a remainder vanishing on the rest of column j);
* **elimination lemma** -- every visible cell of row i lies in ``C_k``: put
  ``x_k = e_i + γ`` with γ supported on one or two rows R', solve row i with ``y_k``, and
  the cells off row i become a problem for transformed units;
* **free-multiplier elimination lemma** -- the transformed problem fills only the targets
  whose block ``R_S×C_S`` is invertible; as its determinant is affine in γ, some γ works
  unless ``rank A[{i}∪R_S, C_S] < |C_S|``, and those A are filled by another argument;
  with a one-cell block the transformed problem may instead fill it by a pivot row (tried
  last, after restriction).

Each lemma also applies to the transposed part (columns for rows).  The search is a
bounded depth-first search in two stages, each with at most :data:`MAX_NODES` problems
searched: first restriction alone (cheap; every proof found before the branching lemmas
existed is found again, word for word), then, on parts of at most
:data:`MAX_BRANCHING_CELLS` visible cells and for at most :data:`MAX_CALLS` sub-problems
and candidates, pivot, elimination and free-multiplier elimination before restriction;
last, on the parts neither stage proves, the second stage again with the spanning and
hooks lemmas tried first at every problem (so every earlier proof is found again unchanged).
Sub-problems failing a necessary condition (:func:`_may_be_full`) are not searched.  It is
deterministic (seeded integer choices of ``X₀``/``Y₀``).  A proof is a tree of
:class:`ProofNode` (the lemma, the problem it applies to, its data and sub-proofs), from
which anyone can rebuild exact factors for a target, with its steps in words, each naming
its lemma.

>>> proof = full_space_proof([((0, 1), (0, 1)), ((0, 1), (0, 2)), ((0, 1), (1, 2))],
...                          {(i, j) for i in range(2) for j in range(3)})
>>> proof is not None
True
>>> full_space_proof([((0, 1), (0, 1))], {(0, 0), (0, 1), (1, 0), (1, 1)}) is None
True
>>> square = [(i, j) for i in range(3) for j in range(3)]
>>> sorted(full_space_proof([((0, 2), (0, 2)), ((1, 2), (1, 2)), ((0, 1, 2), (0, 1, 2))], square).lemmas())
['absorption', 'free-multiplier elimination', 'no visible cell']
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations, islice, product

__all__ = [
    "Elimination",
    "FixedFactor",
    "FreeMultiplier",
    "FullSpaceProof",
    "Pivot",
    "ProofNode",
    "Unit",
    "full_space_proof",
    "rank_spanning_step",
]

Cell = tuple[int, int]
Unit = tuple[tuple[int, ...], tuple[int, ...]]
Problem = tuple[tuple[Unit, ...], frozenset[Cell]]

MAX_NODES = 400
"""Problems searched (fixed factor tried, lemmas enumerated) before the search gives up."""

MAX_CALLS = 4000
"""Sub-problems posed and lemma candidates examined by the second stage before it gives up."""

MAX_BRANCHING_CELLS = 36
"""Parts with more visible cells skip the second stage (pivot, elimination, free-multiplier
elimination), whose candidates grow with the square of the rows of each unit."""

MAX_CELLS = 144
"""Parts with more visible cells are not searched (the rule stays off the fast path of
large patterns; the search branches over every unit's rows and columns)."""

MAX_MULTIPLIER_ROWS = 2
"""Rows carrying the multiplier γ of an elimination (subsets of ``R_k`` up to this size)."""

MAX_CHOICES = 64
"""Ways tried, per sub-problem, of restricting the units to keep them off given cells."""

EMPTY, ABSORPTION, RESTRICTION, SPANNING, HOOKS = "no visible cell", "absorption", "restriction", "spanning", "hooks"
NESTED_PAIR, FIXED_FACTOR = "nested pair", "fixed factor"
PIVOT, ELIMINATION, FREE_MULTIPLIER = "pivot row", "elimination", "free-multiplier elimination"


@dataclass(frozen=True)
class FixedFactor:
    """A fixed factor making the remaining map linear and onto.

    ``side`` is ``"x"`` (``X₀`` fixed, Y free) or ``"y"``; ``values`` maps (unit index,
    line) to the fixed entry; ``units`` and ``cells`` are the problem it applies to.
    """

    side: str
    units: tuple[Unit, ...]
    cells: tuple[Cell, ...]
    values: tuple[tuple[tuple[int, int], int], ...]


@dataclass(frozen=True)
class Pivot:
    """Data of the pivot-row lemma, in row form: unit ``unit`` alone covers the visible
    cells of its row ``row``, in the ``columns`` E.  Sub-proofs: the zero case (unit k
    without row i, on ``V ∖ {i}×E``), then one case per column of E, in order."""

    unit: int
    row: int
    columns: tuple[int, ...]


@dataclass(frozen=True)
class Elimination:
    """Data of the elimination lemma, in row form.

    Unit ``unit`` = k eliminates row ``row`` = i with a multiplier γ supported on
    ``multiplier_rows`` = R'.  ``roles`` gives, for each other unit m in order, ``"kept"``
    (i ∉ R_m: unchanged), ``"cut"`` (``x_m[i] = 0``: rows ``R_m ∖ {i}``) or ``"coupled"``
    (rows ``(R_m ∖ {i}) ∪ (R' ∖ R_m)``, the new vector being ``x_m − x_m[i] γ`` off row i).
    The transformed units are the other units in order, then, if ``remainder``, the unit
    ``R' × (C_k ∖ V_i)`` carrying ``γ y_k`` off the visible columns of row i.
    """

    unit: int
    row: int
    multiplier_rows: tuple[int, ...]
    roles: tuple[str, ...]
    remainder: bool


@dataclass(frozen=True)
class FreeMultiplier:
    """Data of the free-multiplier elimination lemma, in row form.

    ``elimination`` is the elimination used; the block ``S = block_rows × block_cols``
    (square, rows in R', columns visible in row i) has its n-th column covered only by the
    transformed unit of index ``pivots[n]`` (the pivot); ``chosen`` are the original units
    carrying the rank-deficient block on ``({i} ∪ block_rows) × block_cols``.  Sub-proofs:
    the non-pivot transformed units on the visible cells off row i and off the block rows,
    then the other original units, kept off that block, on the rest of V.

    When ``pivot_columns`` = E is not empty, the block is one cell (b, c) and (G) is proved
    by a pivot row instead: the transformed unit ``pivots[0]`` alone covers the cells
    ``{b} × E`` of the transformed problem (c ∈ E); the first sub-proof is then the other
    transformed units filling, off row i and off ``{b} × E``, every target vanishing on
    column c of the pivot unit (the pivot-row lemma's case c).
    """

    elimination: Elimination
    block_rows: tuple[int, ...]
    block_cols: tuple[int, ...]
    pivots: tuple[int, ...]
    chosen: tuple[int, ...]
    pivot_columns: tuple[int, ...] = ()


Data = FixedFactor | Pivot | Elimination | FreeMultiplier | tuple[int, ...] | None


@dataclass(frozen=True)
class ProofNode:
    """One lemma applied to the problem ``(units, cells)``, with the proofs it reduces to.

    ``lemma`` is one of "no visible cell", "absorption" (``data``: the indices of the units
    kept, in order; the others cover no visible cell or are one complete group),
    "restriction" (``data``: ``(k,)``; the sub-problem has the other units in order, then
    unit k shrunk to one line), "nested pair", "fixed factor" (``data``: the
    :class:`FixedFactor`), "pivot row", "elimination", "free-multiplier elimination"
    (``data``: :class:`Pivot`, :class:`Elimination`, :class:`FreeMultiplier`).  When
    ``transposed``, the lemma was
    applied to the transposed problem and its data are in transposed coordinates; the
    sub-problems are always in the coordinates of the part.
    """

    lemma: str
    units: tuple[Unit, ...]
    cells: frozenset[Cell]
    text: str
    children: tuple[ProofNode, ...] = ()
    data: Data = None
    transposed: bool = False

    def walk(self) -> Iterator[ProofNode]:
        """This node and all nodes below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class FullSpaceProof:
    """A proof of ``Q = ℝ^V``: its steps in words, in order; the fixed factor that ends it
    when the proof is one chain of steps ending in the fixed-factor step (else None); and
    the proof tree."""

    steps: tuple[str, ...]
    fixed: FixedFactor | None
    tree: ProofNode

    def text(self) -> str:
        """The proof in one paragraph."""
        return "; ".join(self.steps)

    def fixed_factors(self) -> tuple[FixedFactor, ...]:
        """Every fixed factor the proof uses (each one exact rank computation to re-check)."""
        return tuple(node.data for node in self.tree.walk() if isinstance(node.data, FixedFactor))

    def lemmas(self) -> frozenset[str]:
        """The names of the lemmas the proof uses."""
        return frozenset(node.lemma for node in self.tree.walk())


def _covered(unit: Unit, cells: frozenset[Cell]) -> frozenset[Cell]:
    rows, cols = unit
    return frozenset((i, j) for i in rows for j in cols if (i, j) in cells)


def _transpose(units: Sequence[Unit], cells: Iterable[Cell]) -> Problem:
    """The transposed problem: ``Q(transposed) = Q(units, cells)ᵀ``."""
    return tuple((cols, rows) for rows, cols in units), frozenset((j, i) for i, j in cells)


def _oriented(units: Sequence[Unit], cells: Iterable[Cell], transposed: bool) -> Problem:
    return _transpose(units, cells) if transposed else (tuple(units), frozenset(cells))


def _rect(unit: Unit, transposed: bool = False) -> str:
    rows, cols = (unit[1], unit[0]) if transposed else unit
    return f"{list(rows)}×{list(cols)}"


def _lines(transposed: bool) -> tuple[str, str]:
    return ("column", "row") if transposed else ("row", "column")


def _without(line: Sequence[int], drop: Iterable[int]) -> tuple[int, ...]:
    dropped = set(drop)
    return tuple(v for v in line if v not in dropped)


def linear_map_rank(units: Sequence[Unit], cells: Sequence[Cell], side: str, values: dict[tuple[int, int], int]) -> int:
    """Exact rank of ``Y ↦ π_V(X₀ Yᵀ)`` (side "x") or ``X ↦ π_V(X Y₀ᵀ)`` (side "y")."""
    import flint  # imported where used: the rules load without it

    index = {cell: n for n, cell in enumerate(cells)}
    entries: list[tuple[int, int, int]] = []
    column = 0
    for k, (rows, cols) in enumerate(units):
        fixed_lines, free_lines = (rows, cols) if side == "x" else (cols, rows)
        for free in free_lines:
            for fixed in fixed_lines:
                cell = (fixed, free) if side == "x" else (free, fixed)
                if cell in index:
                    entries.append((index[cell], column, values[(k, fixed)]))
            column += 1
    matrix = flint.fmpz_mat(len(cells), max(column, 1))
    for row, col, value in entries:
        matrix[row, col] = value
    return matrix.rank()


def _fixed_factor(units: tuple[Unit, ...], cells: frozenset[Cell], seed: int) -> FixedFactor | None:
    ordered = tuple(sorted(cells))
    generator = random.Random(seed)
    for side in ("x", "y"):
        free = sum(len(cols if side == "x" else rows) for rows, cols in units)
        if free < len(ordered):
            continue
        for _ in range(2):
            values = {
                (k, line): generator.choice([v for v in range(-30, 31) if v])
                for k, (rows, cols) in enumerate(units)
                for line in (rows if side == "x" else cols)
            }
            if linear_map_rank(units, ordered, side, values) == len(ordered):
                return FixedFactor(side, units, ordered, tuple(sorted(values.items())))
    return None


def _absorption(units: tuple[Unit, ...], cells: frozenset[Cell]) -> tuple[tuple[int, ...], frozenset[Cell], str] | None:
    """One absorption step: (indices of the units kept, in order; cells removed; words).

    Units covering no visible cell are dropped (they contribute nothing to π_V; no words);
    else the first complete group (μ equal units, ``μ ≥ min(|R'|, |C'|)`` over its visible
    cells) is absorbed.
    """
    idle = {t for t, unit in enumerate(units) if not _covered(unit, cells)}
    if idle:
        return tuple(t for t in range(len(units)) if t not in idle), frozenset(), ""
    for unit, mu in sorted(Counter(units).items()):
        covered = _covered(unit, cells)
        rows = {i for i, _ in covered}
        cols = {j for _, j in covered}
        if mu >= min(len(rows), len(cols)):
            words = (
                f"{mu} unit(s) on {sorted(rows)}×{sorted(cols)} are complete there and fill its "
                f"{len(covered)} visible cell(s) (absorption)"
            )
            return tuple(t for t in range(len(units)) if units[t] != unit), covered, words
    return None


def spanning_step(units: Sequence[Unit], cells: Iterable[Cell], lines: tuple[str, str] = ("row", "column")) -> str | None:
    """The spanning lemma (``docs/theory.md``, "Spanning lemma"), in row form: its words, or None.

    ``lines`` names rows and columns in the words (``("column", "row")`` for a transposed problem).

    Let R be the rows shared by every unit that covers a visible cell, and suppose every
    visible cell lies in a row of R.  For a column j with visible rows ``V_j ≠ ∅`` let
    ``K_j`` be the units covering it; j is *private* to k when ``K_j = {k}``, *thin* if
    ``|V_j| = 1``, *thick* otherwise.  If

    1. every thick private column is entirely visible (``V_j = R``), and a unit with one
       (call it *pinned*) has no other private column;
    2. every non-private column j with ``V_j = R`` has ``|K_j| ≥ |R|`` and at least
       ``|R| − 1`` unpinned units, and every non-private column with ``V_j ⊊ R`` has at
       least ``|V_j|`` unpinned units,

    then ``π_V(Σ_k x_k y_kᵀ) = ℝ^V``.  *Proof.* Restrict every unit to the rows R (this
    only shrinks the set, and V lies in those rows).  Given A, a pinned unit whose private
    column of A is nonzero takes it as ``x_k`` (``y_k = 1`` there, or ``y_k = 0`` and the
    unit is treated as unpinned when that column of A is 0).  The other units are chosen one
    at a time outside finitely many proper subspaces: the hyperplanes ``x[i] = 0`` for the
    row i of each of its thin private columns, and ``{x : x|_{V_j} ∈ span(S|_{V_j})}`` for
    every column j and every set S of at most ``|V_j| − 1`` vectors chosen before (pinned
    ones first); a finite union of proper subspaces is not the whole space.  In every
    non-private column the units of condition 2 (at most one pinned, only when ``V_j = R``,
    its vector then nonzero) restrict to a basis of ``ℝ^{V_j}`` (by induction in the order
    of choice), and the free entries ``y_k[j]`` solve for ``A[V_j, j]``; a thick private
    column is met by its pinned unit, a thin one at row i by ``y_k[j] = A[i,j] / x_k[i]``.  ∎

    >>> spanning_step([((0, 1), (0, 2)), ((0, 1), (1, 3)), ((0, 1), (2, 3))],
    ...               [(i, j) for i in range(2) for j in range(4)]) is not None
    True
    >>> spanning_step([((0, 1), (0, 1)), ((0, 1), (1, 2))], [(i, j) for i in range(2) for j in range(3)]) is None
    True
    """
    shape = _spanning_shape(units, cells, blocks=False)
    if shape is None:
        return None
    shared, pinned, thin = shape
    row, column = lines
    return (
        f"every unit shares the {row}s {sorted(shared)}, which hold every visible cell; {len(pinned)} unit(s) are "
        f"pinned by a {column} of their own, {thin} {column}(s) of a single unit have one "
        f"visible cell, and every other {column} has enough units with free vectors to span its visible cells "
        f"(spanning lemma)"
    )


def rank_spanning_step(
    units: Sequence[Unit], cells: Iterable[Cell], lines: tuple[str, str] = ("row", "column")
) -> tuple[str, tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]] | None:
    """The rank form of the spanning lemma (``docs/theory.md``, "Rank-spanning lemma"), in row
    form: (its words, the blocks ``R × P_k``), or None.

    Hypotheses of :func:`spanning_step`, except that a pinned unit k may have several private
    columns ``P_k``, all thick (``V_j = R``), and no thin one; at least one pinned unit has two
    or more.  Then ``Q = π_V(Σ_k x_k y_kᵀ) = {A on V : rank A[R, P_k] ≤ 1 for every pinned k}``,
    the zero set of 2×2 minors, a closed set.  *Proof.* ⊆: only unit k covers ``R × P_k``, so
    ``A[R, P_k] = x_k[R] y_k[P_k]ᵀ``.  ⊇: restrict the units to the rows R (Q can only
    shrink).  If ``A[R, P_k] ≠ 0`` it is ``u vᵀ`` with ``u ≠ 0``: put ``x_k = u``,
    ``y_k[P_k] = v``, and unit k is pinned as in the spanning lemma; if it is 0, put
    ``y_k[P_k] = 0`` and treat unit k as unpinned (which only adds free vectors).  The rest of
    the spanning lemma's proof (free vectors outside finitely many proper subspaces, then
    ``y_k[j]`` solved column by column) reaches A, as it uses of a pinned unit only that
    ``x_k`` is fixed, nonzero, by A.  ∎

    >>> words, blocks = rank_spanning_step([((0, 1), (0, 1)), ((0, 1), (0, 2, 3))],
    ...                                    [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 2), (1, 3)])
    >>> blocks
    (((0, 1), (2, 3)),)
    >>> rank_spanning_step([((0, 1), (0, 1)), ((0, 1), (1, 2))], [(i, j) for i in range(2) for j in range(3)]) is None
    True
    """
    shape = _spanning_shape(units, cells, blocks=True)
    if shape is None:
        return None
    shared, pinned, thin = shape
    if all(len(columns) == 1 for columns in pinned.values()):
        return None  # every block is one column: the spanning lemma (Q is full)
    rows = tuple(sorted(shared))
    blocks = tuple(sorted({(rows, columns) for columns in pinned.values() if len(columns) > 1}))
    row, column = lines
    ranks = ", ".join(f"rank A[{row}s {list(r)}, {column}s {list(c)}] ≤ 1" for r, c in blocks)
    return (
        f"every unit shares the {row}s {list(rows)}, which hold every visible cell; {len(pinned)} unit(s) are "
        f"pinned by {column}s of their own, all of whose cells are visible, {thin} {column}(s) of a single unit "
        f"have one visible cell, and every other {column} has enough units with free vectors to span its visible "
        f"cells: the part is {{A : {ranks}}}, a closed set",
        blocks,
    )


def _spanning_shape(
    units: Sequence[Unit], cells: Iterable[Cell], blocks: bool
) -> tuple[set[int], dict[int, tuple[int, ...]], int] | None:
    """The common hypotheses of the spanning lemma and its rank form: (the shared rows R,
    each pinned unit's private columns ``P_k`` keyed by its index among the active units, the
    number of thin private columns), or None.  Without ``blocks`` a pinned unit has exactly one
    private column; with ``blocks`` several, all thick."""
    cells = frozenset(cells)
    active = [unit for unit in units if _covered(unit, cells)]
    if not active:
        return None
    shared = set(active[0][0]).intersection(*(set(rows) for rows, _ in active[1:]))
    if any(i not in shared for i, _ in cells):
        return None
    visible: dict[int, set[int]] = {}
    for i, j in cells:
        visible.setdefault(j, set()).add(i)
    covering = {j: [k for k, (_, cols) in enumerate(active) if j in cols] for j in visible}
    private = {j: ks[0] for j, ks in covering.items() if len(ks) == 1}
    thick = {j: k for j, k in private.items() if len(visible[j]) > 1}
    if any(visible[j] != shared for j in thick):
        return None
    pinned = {k: tuple(sorted(j for j, owner in thick.items() if owner == k)) for k in set(thick.values())}
    if blocks:
        if any(k in pinned and j not in thick for j, k in private.items()):  # a pinned unit has no thin column
            return None
    elif sum(k in pinned for k in private.values()) != len(pinned):  # a pinned unit has one private column
        return None
    for j, ks in covering.items():
        if j in private:
            continue
        free = sum(k not in pinned for k in ks)
        if visible[j] == shared:
            if len(ks) < len(shared) or free < len(shared) - 1:
                return None
        elif free < len(visible[j]):
            return None
    return shared, pinned, len(private) - len(thick)


def hooks_step(units: Sequence[Unit], cells: Iterable[Cell]) -> str | None:
    """The hooks lemma (``docs/theory.md``, "Hooks lemma"): its words, or None.

    Suppose every unit covering a visible cell covers the visible cell ``c = (i0, j0)``, at
    least two units do, the visible cells of each unit lie in its *hook* at c (row i0 and
    column j0), and every visible cell other than c is covered by one unit only.  Then
    ``π_V(Σ_k x_k y_kᵀ) = ℝ^V``.  *Proof.* Unit k alone produces, on its hook, the row arm
    ``x_k[i0] y_k[j]`` and the column arm ``x_k[i] y_k[j0]``, and adds ``α_k = x_k[i0] y_k[j0]``
    at c.  For any arms (r, s) of A and any ``α ≠ 0`` it reaches them with ``α_k = α``:
    ``x_k[i0] = 1, y_k[j] = r_j, y_k[j0] = α, x_k[i] = s_i / α``; and when r = 0 (or s = 0)
    with any α, 0 included (``y_k = 0`` on the row arm, ``x_k[i0] = α, y_k[j0] = 1, x_k[i] = s_i``,
    or the transpose).  So each unit's set of values at c, given A off c, contains ``ℝ ∖ {0}``,
    and a sum of two or more such sets is ℝ (``t = (t − 1) + 1`` if ``t ≠ 1``, ``1 = 2 + (−1)``),
    which meets ``A[c]``.  ∎

    >>> hooks_step([((0, 1), (0, 2)), ((0, 2), (0, 1))], [(0, 0), (0, 2), (1, 0), (0, 1), (2, 0)]) is not None
    True
    >>> hooks_step([((0, 1), (0, 1)), ((0, 1), (1, 2))], [(i, j) for i in range(2) for j in range(3)]) is None
    True
    """
    cells = frozenset(cells)
    covering: dict[Cell, list[int]] = {cell: [] for cell in cells}
    active = []
    for k, unit in enumerate(units):
        mine = _covered(unit, cells)
        if mine:
            active.append((k, mine))
        for cell in mine:
            covering[cell].append(k)
    shared = [cell for cell, ks in covering.items() if len(ks) > 1]
    if len(shared) != 1:
        return None
    (corner,) = shared
    i0, j0 = corner
    if len(covering[corner]) != len(active) or len(active) < 2:
        return None
    if any(i != i0 and j != j0 for _, mine in active for i, j in mine):
        return None
    return (
        f"the {len(active)} units meet only at the visible cell {corner}, and each one's visible cells lie on its "
        f"row {i0} and column {j0}: each reaches any values on its own cells with any nonzero value at {corner}, "
        f"and two or more nonzero values sum to any real (hooks lemma)"
    )


def _may_be_full(units: tuple[Unit, ...], cells: frozenset[Cell]) -> bool:
    """Two necessary conditions for ``Q = ℝ^V``: every visible cell is covered, and the
    dimension count holds.  Unit k's part of ``π_V`` depends on x on the r_k rows and y on
    the c_k columns of its visible cells, a set of dimension ≤ r_k + c_k − 1; the image of a
    polynomial map from fewer than |V| parameters has measure zero in ``ℝ^V``."""
    covered: set[Cell] = set()
    dimension = 0
    for unit in units:
        mine = _covered(unit, cells)
        covered |= mine
        dimension += max(len({i for i, _ in mine}) + len({j for _, j in mine}) - 1, 0)
    return covered == cells and dimension >= len(cells)


def _full_nested_pair(units: tuple[Unit, ...], cells: frozenset[Cell]) -> str | None:
    """The step text if the units are a nested pair whose set is the whole rectangle.

    Two groups of μ1, μ2 units on ``R×C1`` and ``R×C2`` with ``C1 ⊊ C2``, every cell of
    ``R×C2`` visible: by the nested-pair lemma the set is
    ``{M : rank M ≤ μ1 + μ2, rank M[:, C2∖C1] ≤ μ2}``, all of ``ℝ^{R×C2}`` when
    ``μ1 + μ2 ≥ min(|R|, |C2|)`` and ``μ2 ≥ min(|R|, |C2∖C1|)``.  Likewise transposed.
    """
    groups = sorted(Counter(units).items())
    if len(groups) != 2:
        return None
    for axis, word in ((0, "rows"), (1, "columns")):
        (first, mu_first), (second, mu_second) = groups
        if first[axis] != second[axis]:
            continue
        other = 1 - axis
        small, mu_small, large, mu_large = first, mu_first, second, mu_second
        if len(small[other]) > len(large[other]):
            small, mu_small, large, mu_large = second, mu_second, first, mu_first
        inner, outer = set(small[other]), set(large[other])
        if not inner < outer:
            continue
        rectangle = {(i, j) for i in large[0] for j in large[1]}
        if cells != rectangle:
            continue
        shared, difference = len(large[axis]), len(outer - inner)
        if mu_small + mu_large >= min(shared, len(outer)) and mu_large >= min(shared, difference):
            return (
                f"the {mu_small}+{mu_large} units on {list(small[0])}×{list(small[1])} and "
                f"{list(large[0])}×{list(large[1])} are a nested pair with equal {word} whose rank "
                f"conditions are empty there (nested-pair lemma)"
            )
    return None


def _avoid_options(unit: Unit, zeros: frozenset[Cell]) -> list[Unit]:
    """Restrictions of ``unit`` covering no cell of ``zeros``: drop the rows, or the
    columns, of the cells of ``zeros`` it covers (the unit itself if it covers none)."""
    rows, cols = unit
    hit = [(i, j) for i, j in zeros if i in rows and j in cols]
    if not hit:
        return [unit]
    return [(_without(rows, (i for i, _ in hit)), cols), (rows, _without(cols, (j for _, j in hit)))]


def _avoiding(units: Sequence[Unit], zeros: frozenset[Cell]) -> Iterator[tuple[Unit, ...]]:
    """At most :data:`MAX_CHOICES` restrictions of all units that keep them off ``zeros``."""
    return islice(product(*(_avoid_options(unit, zeros) for unit in units)), MAX_CHOICES)


def _eliminate(units: tuple[Unit, ...], cells: frozenset[Cell], k: int, i: int, rows: tuple[int, ...]) -> tuple[Elimination, Problem]:
    """The transformed problem of the elimination lemma (row form), with its data.

    Requires ``V_i ⊆ C_k`` (``V_i`` the visible columns of row i) and ``R' ⊆ R_k ∖ {i}``.
    Unit m ∋ i is *coupled* when ``|R' ∖ R_m| ≤ 1`` and no visible cell off row i lies in
    ``R' × (C_m ∖ V_i)``: then ``x_m − x_m[i] γ`` is any vector on ``(R_m ∖ {i}) ∪ (R' ∖ R_m)``.
    """
    own_cols = units[k][1]
    visible = {j for r, j in cells if r == i}
    off_row = frozenset(cell for cell in cells if cell[0] != i)
    roles: list[str] = []
    transformed: list[Unit] = []
    for m, (rows_m, cols_m) in enumerate(units):
        if m == k:
            continue
        if i not in rows_m:
            roles.append("kept")
            transformed.append((rows_m, cols_m))
            continue
        extra = _without(rows, rows_m)
        clash = any((r, j) in off_row for r in rows for j in cols_m if j not in visible)
        if len(extra) <= 1 and not clash:
            roles.append("coupled")
            transformed.append((tuple(sorted(set(rows_m) - {i} | set(extra))), cols_m))
        else:
            roles.append("cut")
            transformed.append((_without(rows_m, (i,)), cols_m))
    spare = _without(own_cols, visible)
    remainder = len(rows) == 1 and bool(spare)
    if remainder:
        transformed.append((rows, spare))
    return Elimination(k, i, rows, tuple(roles), remainder), (tuple(transformed), off_row)


def _eliminations(units: tuple[Unit, ...], cells: frozenset[Cell]) -> Iterator[tuple[Elimination, Problem]]:
    """Every elimination (row form) with at most :data:`MAX_MULTIPLIER_ROWS` multiplier rows."""
    for k, (rows, cols) in enumerate(units):
        for i in rows:
            visible = {j for r, j in cells if r == i}
            if not visible or not visible <= set(cols):
                continue
            candidates = [r for r in rows if r != i and any(cell[0] == r for cell in cells)]
            for size in range(1, MAX_MULTIPLIER_ROWS + 1):
                for multiplier_rows in combinations(candidates, size):
                    yield _eliminate(units, cells, k, i, multiplier_rows)


def _blocks(elimination: Elimination, cells: frozenset[Cell]) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Square blocks ``R_S × C_S`` of visible cells, ``R_S ⊆ R'``, ``C_S`` visible in row i."""
    visible = sorted(j for r, j in cells if r == elimination.row)
    for size in range(1, len(elimination.multiplier_rows) + 1):
        for block_rows in combinations(elimination.multiplier_rows, size):
            for block_cols in combinations(visible, size):
                if all((r, c) in cells for r in block_rows for c in block_cols):
                    yield block_rows, block_cols


def _column_pivots(units: tuple[Unit, ...], cells: frozenset[Cell], block_rows: tuple[int, ...], block_cols: tuple[int, ...]) -> tuple[int, ...] | None:
    """The pivot unit of each block column, if every target invertible on the block is
    filled once the other units fill the cells off the block rows.

    Conditions: one unit alone covers the cells ``R_S × {c}`` of block column c, it contains
    ``R_S``, and the units of distinct columns are distinct (so a pivot unit meets no other
    block column); every pivot unit contains every column j outside ``C_S`` with a visible
    cell in ``R_S``.  Then ``x_{u_c} = M[R_S, c]`` (zero off ``R_S``), ``y_{u_c}[c] = 1``, and on
    such a column j the pivots solve rows of the invertible ``M[R_S, C_S]`` for ``M[·, j]``
    minus what the other units put there.
    """
    pivots: list[int] = []
    for c in block_cols:
        coverers = [m for m, (rows, cols) in enumerate(units) if c in cols and set(rows) & set(block_rows)]
        if len(coverers) != 1 or not set(block_rows) <= set(units[coverers[0]][0]):
            return None
        pivots.append(coverers[0])
    needed = {j for r, j in cells if r in block_rows and j not in block_cols}
    if len(set(pivots)) < len(pivots) or any(not needed <= set(units[m][1]) for m in pivots):
        return None
    return tuple(pivots)


class _Search:
    """The bounded depth-first search; each method returns a proof node or None.

    ``branching`` is False for the first stage (restriction only) and True for the second
    (pivot, elimination and free-multiplier elimination before restriction).
    """

    def __init__(self, seed: int, branching: bool, spanning: bool = False) -> None:
        self.seed = seed
        self.branching = branching
        self.spanning = spanning
        self.nodes = MAX_NODES
        self.calls = MAX_CALLS
        self.seen: set[Problem] = set()  # searched problems, units sorted
        self.answers: dict[Problem, ProofNode | None] = {}

    @property
    def exhausted(self) -> bool:
        """The budget is spent (the calls of the first stage are bounded by its nodes)."""
        return self.nodes <= 0 or (self.branching and self.calls <= 0)

    def prove(self, units: tuple[Unit, ...], cells: frozenset[Cell]) -> ProofNode | None:
        """A proof that ``Q(units, cells)`` is full (answers of finished calls are kept)."""
        key = (units, cells)
        if key in self.answers:
            return self.answers[key]
        self.calls -= 1
        node = self._absorb(units, cells)
        self.answers[key] = node
        return node

    def _absorb(self, units: tuple[Unit, ...], cells: frozenset[Cell]) -> ProofNode | None:
        """Absorption steps, then the lemmas on what is left."""
        chain: list[tuple[Problem, tuple[int, ...], str]] = []
        while (step := _absorption(units, cells)) is not None:
            kept, covered, words = step
            chain.append(((units, cells), kept, words))
            units, cells = tuple(units[t] for t in kept), cells - covered
        node = self._lemmas(units, cells)
        for problem, kept, words in reversed(chain if node is not None else []):
            node = ProofNode(ABSORPTION, *problem, words, (node,), kept)
        return node

    def _lemmas(self, units: tuple[Unit, ...], cells: frozenset[Cell]) -> ProofNode | None:
        """The lemmas, on a problem where nothing is absorbed (memoised, within the budget)."""
        if not cells:
            return ProofNode(EMPTY, units, cells, "no visible cell is left")
        key = (tuple(sorted(units)), cells)
        if key in self.seen or self.exhausted:
            return None
        self.seen.add(key)
        self.nodes -= 1
        return self._search(units, cells) if _may_be_full(units, cells) else None

    def _search(self, units: tuple[Unit, ...], cells: frozenset[Cell]) -> ProofNode | None:
        nested = _full_nested_pair(units, cells)
        if nested is not None:
            return ProofNode(NESTED_PAIR, units, cells, nested)
        fixed = _fixed_factor(units, cells, self.seed)
        if fixed is not None:
            what = "X₀" if fixed.side == "x" else "Y₀"
            words = (f"with a fixed integer {what} the remaining linear map onto the {len(cells)} "
                     f"visible cell(s) has full rank (fixed-factor step)")
            return ProofNode(FIXED_FACTOR, units, cells, words, data=fixed)
        for transposed in (False, True) if self.spanning else ():
            words = spanning_step(*_oriented(units, cells, transposed), lines=_lines(transposed))
            if words is not None:
                return ProofNode(SPANNING, units, cells, words, transposed=transposed)
        hooks = hooks_step(units, cells) if self.spanning else None
        if hooks is not None:
            return ProofNode(HOOKS, units, cells, hooks)
        methods = (self._pivot, self._elimination, self._free_multiplier) if self.branching else ()
        last = (self._free_multiplier_pivot_row,) if self.branching else ()
        for method in (*methods, self._restriction, *last):
            node = method(units, cells)
            if node is not None or self.exhausted:
                return node
        return None

    def _prove_oriented(self, units: Sequence[Unit], cells: Iterable[Cell], transposed: bool) -> ProofNode | None:
        """Prove a sub-problem given in (possibly transposed) lemma coordinates."""
        return self.prove(*_oriented(units, cells, transposed))

    def _restriction(self, units: tuple[Unit, ...], cells: frozenset[Cell]) -> ProofNode | None:
        """Restriction: unit k shrunk to one of its rows or columns (``Q`` can only shrink);
        in the sub-problem the shrunk unit comes last (``data``: k)."""
        for k, (rows, cols) in enumerate(units):
            lines = [((i,), cols, f"row {i}") for i in rows] + [(rows, (j,), f"column {j}") for j in cols]
            for new_rows, new_cols, word in lines:
                child = self.prove(units[:k] + units[k + 1:] + ((new_rows, new_cols),), cells)
                if child is not None:
                    words = f"restrict the unit on {list(rows)}×{list(cols)} to its {word} (restriction)"
                    return ProofNode(RESTRICTION, units, cells, words, (child,), (k,))
                if self.exhausted:
                    return None
        return None

    def _vanishing(self, units: tuple[Unit, ...], cells: frozenset[Cell], zeros: frozenset[Cell], transposed: bool) -> ProofNode | None:
        """A proof that every B on ``cells`` vanishing on ``zeros`` is in ``Q(units, cells)``:
        the units fill ``cells`` outright, or restrictions of them that cover no cell of
        ``zeros`` fill ``cells ∖ zeros`` (row-form coordinates; the node is in the part's)."""
        options = [(units, cells)] + [(choice, cells - zeros) for choice in (_avoiding(units, zeros) if zeros else ())]
        for option_units, option_cells in options:
            node = self._prove_oriented(option_units, option_cells, transposed)
            if node is not None or self.exhausted:
                return node
        return None

    def _pivot(self, units: tuple[Unit, ...], cells: frozenset[Cell]) -> ProofNode | None:
        for transposed in (False, True):
            t_units = _oriented(units, cells, transposed)[0]
            for k, (rows, _) in enumerate(t_units):
                for i in rows:
                    self.calls -= 1
                    node = self._pivot_at(units, cells, k, i, transposed)
                    if node is not None or self.exhausted:
                        return node
        return None

    def _pivot_at(self, units: tuple[Unit, ...], cells: frozenset[Cell], k: int, i: int, transposed: bool) -> ProofNode | None:
        """Pivot-row lemma on row i of unit k (row form after transposing if asked).

        E = visible columns of unit k in row i, covered by no other unit; V' = V ∖ {i}×E.
        Full if (zero case) unit k without row i fills V', and (case j, each j ∈ E) every
        B on V' vanishing on ``Z_j = ((R_k∖{i})×{j}) ∩ V'`` is filled by the other units.
        """
        t_units, t_cells = _oriented(units, cells, transposed)
        rows, cols = t_units[k]
        columns = tuple(j for j in cols if (i, j) in t_cells)
        if not columns or any(
            i in rows_m and set(cols_m) & set(columns) for m, (rows_m, cols_m) in enumerate(t_units) if m != k
        ):
            return None
        reduced = t_cells - {(i, j) for j in columns}
        zero_units = t_units[:k] + ((_without(rows, (i,)), cols),) + t_units[k + 1:]
        zero = self._prove_oriented(zero_units, reduced, transposed)
        if zero is None:
            return None
        rest = t_units[:k] + t_units[k + 1:]
        cases = []
        for j in columns:
            zeros = frozenset((r, j) for r in rows if r != i and (r, j) in reduced)
            case = self._vanishing(rest, reduced, zeros, transposed)
            if case is None:
                return None
            cases.append(case)
        line, cross = _lines(transposed)
        words = (
            f"pivot on {line} {i} of the unit on {_rect(t_units[k], transposed)}: no other unit covers its "
            f"visible cells there, {cross}s {list(columns)} (pivot-row lemma); if A vanishes there, drop {line} {i} "
            f"from that unit: [{_joined(zero)}]"
            + "".join(
                f"; if A ≠ 0 at {line} {i}, {cross} {j}, that unit takes {line} {i} and {cross} {j} of A and the "
                f"others fill what is left, zero on {cross} {j} of that unit: [{_joined(case)}]"
                for j, case in zip(columns, cases)
            )
        )
        return ProofNode(PIVOT, units, cells, words, (zero, *cases), Pivot(k, i, columns), transposed)

    def _elimination(self, units: tuple[Unit, ...], cells: frozenset[Cell]) -> ProofNode | None:
        """Elimination lemma: the transformed problem is full."""
        for transposed in (False, True):
            for elimination, (new_units, new_cells) in _eliminations(*_oriented(units, cells, transposed)):
                self.calls -= 1
                child = self._prove_oriented(new_units, new_cells, transposed)
                if child is not None:
                    words = _elimination_words(units, elimination, new_units, transposed) + f" (elimination lemma): [{_joined(child)}]"
                    return ProofNode(ELIMINATION, units, cells, words, (child,), elimination, transposed)
                if self.exhausted:
                    return None
        return None

    def _free_multiplier(self, units: tuple[Unit, ...], cells: frozenset[Cell], pivot_row: bool = False) -> ProofNode | None:
        """Free-multiplier elimination lemma (the transformed problem need not be full);
        with ``pivot_row``, only one-cell blocks, (G) proved by a pivot row."""
        for transposed in (False, True):
            t_units, t_cells = _oriented(units, cells, transposed)
            for elimination, (new_units, new_cells) in _eliminations(t_units, t_cells):
                for block_rows, block_cols in _blocks(elimination, t_cells):
                    if pivot_row and len(block_cols) != 1:
                        continue
                    self.calls -= 1
                    node = self._free_multiplier_at(
                        units, cells, elimination, new_units, new_cells, block_rows, block_cols, transposed, pivot_row
                    )
                    if node is not None or self.exhausted:
                        return node
        return None

    def _free_multiplier_pivot_row(self, units: tuple[Unit, ...], cells: frozenset[Cell]) -> ProofNode | None:
        """Free-multiplier elimination with a one-cell block whose (G) is a pivot row of the
        transformed problem (tried last on each problem, after restriction)."""
        return self._free_multiplier(units, cells, pivot_row=True)

    def _pivot_row_generic(
        self, new_units: tuple[Unit, ...], new_cells: frozenset[Cell], b: int, c: int, transposed: bool
    ) -> tuple[tuple[int, ...], tuple[int, ...], ProofNode] | None:
        """(G) for the one-cell block (b, c) by the pivot-row lemma's case c in the transformed
        problem: (pivots, E, proof) or None.  The unit u covering (b, c) must alone cover
        ``{b} × E`` (E its visible columns in row b); the other units fill, off ``{b} × E``,
        every target vanishing on ``Z = ((R_u ∖ {b}) × {c})``."""
        coverers = [m for m, (rows, cols) in enumerate(new_units) if b in rows and c in cols]
        if len(coverers) != 1:
            return None
        (u,) = coverers
        rows_u, cols_u = new_units[u]
        columns = tuple(j for j in cols_u if (b, j) in new_cells)
        if any(b in rows_m and set(cols_m) & set(columns) for m, (rows_m, cols_m) in enumerate(new_units) if m != u):
            return None
        reduced = new_cells - {(b, j) for j in columns}
        zeros = frozenset((r, c) for r in rows_u if r != b and (r, c) in reduced)
        rest = new_units[:u] + new_units[u + 1:]
        node = self._vanishing(rest, reduced, zeros, transposed)
        return None if node is None else ((u,), columns, node)

    def _free_multiplier_at(
        self,
        units: tuple[Unit, ...],
        cells: frozenset[Cell],
        elimination: Elimination,
        new_units: tuple[Unit, ...],
        new_cells: frozenset[Cell],
        block_rows: tuple[int, ...],
        block_cols: tuple[int, ...],
        transposed: bool,
        pivot_row: bool = False,
    ) -> ProofNode | None:
        """(G) the non-pivot transformed units fill the cells off row i and off the block
        rows (or, with ``pivot_row``, the pivot-row case of the one-cell block); (D) s−1
        units containing ``T = ({i} ∪ R_S) × C_S`` carry a rank-deficient block there while
        the others, kept off T, fill ``V ∖ T``."""
        columns: tuple[int, ...] = ()
        if pivot_row:
            found = self._pivot_row_generic(new_units, new_cells, block_rows[0], block_cols[0], transposed)
            if found is None:
                return None
            pivots, columns, generic = found
        else:
            pivots = _column_pivots(new_units, new_cells, block_rows, block_cols)
            if pivots is None:
                return None
            others = tuple(u for t, u in enumerate(new_units) if t not in pivots)
            off_block = frozenset(cell for cell in new_cells if cell[0] not in block_rows)
            generic = self._prove_oriented(others, off_block, transposed)
            if generic is None:
                return None
        t_units, t_cells = _oriented(units, cells, transposed)
        rows_t = (elimination.row, *block_rows)
        block = frozenset((r, c) for r in rows_t for c in block_cols)
        containing = [m for m, (rows, cols) in enumerate(t_units) if set(rows_t) <= set(rows) and set(block_cols) <= set(cols)]
        for chosen in combinations(containing, len(block_cols) - 1):
            rest = tuple(u for m, u in enumerate(t_units) if m not in chosen)
            for choice in _avoiding(rest, block):
                degenerate = self._prove_oriented(choice, t_cells - block, transposed)
                if degenerate is not None:
                    data = FreeMultiplier(elimination, block_rows, block_cols, pivots, chosen, columns)
                    words = _free_multiplier_words(units, data, new_units, transposed, generic, degenerate)
                    return ProofNode(FREE_MULTIPLIER, units, cells, words, (generic, degenerate), data, transposed)
                if self.exhausted:
                    return None
        return None


def _joined(node: ProofNode) -> str:
    return "; ".join(_words(node))


def _words(node: ProofNode) -> tuple[str, ...]:
    """The steps in words: a chain node's words then its child's; a branching node's
    words already contain its cases."""
    own = (node.text,) if node.text else ()
    if node.lemma in (ABSORPTION, RESTRICTION):
        return own + _words(node.children[0])
    return own


def _elimination_words(units: tuple[Unit, ...], elimination: Elimination, new_units: tuple[Unit, ...], transposed: bool) -> str:
    line, cross = _lines(transposed)
    t_units = _oriented(units, (), transposed)[0]
    i, gamma = elimination.row, list(elimination.multiplier_rows)
    return (
        f"eliminate {line} {i} with the unit on {_rect(t_units[elimination.unit], transposed)}, which contains every "
        f"visible {cross} of {line} {i}: its {line} vector is e_{i} + γ with γ ≠ 0 on {line}s {gamma} and {line} {i} of "
        f"A fixes its other vector; off {line} {i} the target becomes A − γ·A[{line} {i}] for the units "
        + ", ".join(_rect(unit, transposed) for unit in new_units)
    )


def _free_multiplier_words(
    units: tuple[Unit, ...], data: FreeMultiplier, new_units: tuple[Unit, ...], transposed: bool, generic: ProofNode, degenerate: ProofNode
) -> str:
    line, cross = _lines(transposed)
    t_units = _oriented(units, (), transposed)[0]
    i, size = data.elimination.row, len(data.block_cols)
    block = f"{line}s {[i, *data.block_rows]}, {cross}s {list(data.block_cols)}"
    chosen = ", ".join(_rect(t_units[m], transposed) for m in data.chosen) or "no unit"
    pivots = ", ".join(f"{cross} {c} by {_rect(new_units[m], transposed)}" for c, m in zip(data.block_cols, data.pivots))
    if data.pivot_columns:
        (b,), (c,) = data.block_rows, data.block_cols
        generic_words = (
            f"otherwise the block's determinant, affine in γ, is nonzero for some γ; then the transformed unit on "
            f"{_rect(new_units[data.pivots[0]], transposed)}, alone on {line} {b}, {cross}s {list(data.pivot_columns)}, "
            f"takes {line} {b} and {cross} {c} of the new target (a pivot row) and the others fill what is left, "
            f"zero on {cross} {c} of that unit: [{_joined(generic)}]"
        )
    else:
        generic_words = (
            f"otherwise the block's determinant, affine in γ, is nonzero for some γ, the pivots ({pivots}) take "
            f"its {cross}s and the other units fill the cells off {line}s {list(data.block_rows)}: [{_joined(generic)}]"
        )
    return (
        _elimination_words(units, data.elimination, new_units, transposed)
        + f", choosing γ freely (free-multiplier elimination lemma): if A on {block} has rank < {size}, "
        f"{chosen} take that block and the other units, kept off it, fill the rest: [{_joined(degenerate)}]; "
        + generic_words
    )


def _chain_fixed(node: ProofNode) -> FixedFactor | None:
    """The fixed factor ending a proof that is one chain of steps, else None."""
    while len(node.children) == 1:
        node = node.children[0]
    return node.data if not node.children and isinstance(node.data, FixedFactor) else None


def full_space_proof(units: Iterable[Unit], cells: Iterable[Cell], seed: int = 0) -> FullSpaceProof | None:
    """A proof that ``π_V(Σ_k x_k y_kᵀ)`` fills ``ℝ^V``, or None if none is found.

    Parameters
    ----------
    units
        ``(rows, cols)`` of each rank-one unit (repeat a rectangle μ times for a class).
    cells
        The visible cells V (at most :data:`MAX_CELLS`; larger parts get None).
    seed
        Seed of the integer choices of the fixed factor.
    """
    cells = frozenset(cells)
    if len(cells) > MAX_CELLS:
        return None
    problem = tuple((tuple(r), tuple(c)) for r, c in units)
    stages = ((False, False), (True, False), (True, True))
    for branching, spanning in stages[: 3 if len(cells) <= MAX_BRANCHING_CELLS else 1]:
        tree = _Search(seed, branching, spanning).prove(problem, cells)
        if tree is not None:
            return FullSpaceProof(_words(tree), _chain_fixed(tree), tree)
    return None
