"""Parts equal to a determinantal set: the rank-one peeling lemma (``docs/theory.md`` §4).

A part without hidden cells is a list of rank-one *units* ``x_k y_kᵀ`` (``supp x_k ⊆ R_k``,
``supp y_k ⊆ C_k``) on the cells ``W = ∪_k R_k × C_k``; its set is
``P(U) = {Σ_k x_k y_kᵀ}``.  Always ``P(U) ⊆ T(U) := {A : supp A ⊆ W, rank A ≤ |U|}``, the zero
set of the entries off W and of the (|U|+1)-minors, a closed set.  :func:`peeling_proof`
looks for a proof of ``P(U) = T(U)``, which makes the part closed.

The proof is a tree of claims ``Good(U, ρ)``: *every A with supp A ⊆ W(U) and rank A ≤ ρ
lies in P(U)* (``Good(U, |U|)`` is ``P(U) = T(U)``).  Write ``rows(W)``, ``cols(W)`` for the
rows and columns of W, and the *deficiency* of unit k as
``d_k = |rows(W) ∖ R_k| + |cols(W) ∖ C_k|``.  The steps:

* **zero** -- ``ρ = 0`` (after ``ρ := min(ρ, |rows(W)|, |cols(W)|)``): A = 0;
* **box** -- ``ρ = 1`` and ``R_k ⊇ rows(W)``, ``C_k ⊇ cols(W)``: A = u vᵀ is unit k;
* **peel** -- ``W(U ∖ k) = W(U)`` and ``d_k < ρ``: ``Good(U ∖ k, ρ − 1)`` implies
  ``Good(U, ρ)``.  A of rank ρ > d_k has a rank-one term ``u vᵀ`` with ``u ∈ ℝ^{R_k}``,
  ``v ∈ ℝ^{C_k}`` and ``rank(A − u vᵀ) = ρ − 1`` (Wedderburn's rank-one reduction,
  :func:`peel_term`); A of rank < ρ is a product of the other units;
* **drop** -- ``W(U ∖ k) = W(U)``: ``Good(U ∖ k, ρ)`` implies ``Good(U, ρ)`` (unit k zero);
* **private row** -- row i of W is covered by unit k alone, ``R_k ⊇ rows(W)`` and
  ``(R_k ∖ {i}) × C_k ⊆ W(U ∖ k)``: ``Good(U ∖ k, ρ − 1)`` (case ``A[i, :] ≠ 0``: unit k takes
  row i of A, ``u = A p / (A p)_i``, ``v = A[i, :]``) and ``Good(U', ρ)`` with unit k
  restricted to the rows ``R_k ∖ {i}`` (case ``A[i, :] = 0``) imply ``Good(U, ρ)``;
  *private column*: the transposed step;
* **pivot row** -- row i of W is covered by unit k alone and every cell of W in a column of C_k
  has its row in R_k: for each ``j ∈ C_k``, ``Good(U_j, ρ − 1)`` with ``U_j`` the other units
  with row i and column j deleted (covering W off row i and column j), and the zero case
  ``Good(U', ρ)`` imply ``Good(U, ρ)``: at the first ``A[i, j] ≠ 0`` unit k takes
  ``u = A[:, j] / A[i, j]``, ``v = A[i, :]``, which clears row i *and* column j;
  *pivot column*: the transposed step;
* **hyperplane span** (a leaf) -- every unit has every row of W, ``|cols(W)| = |U| + 1``,
  ``ρ ≤ |U|`` and Rado's condition (:func:`rado_condition`): the rows of A lie in a hyperplane
  ``φ^⊥`` (``Aφ = 0``), spanned by independent ``y_k ∈ φ^⊥ ∩ ℝ^{C_k}``;
  *hyperplane span (columns)*: the transposed step;
* **owned block** (root only, when no tree of the steps above exists) -- a rectangle
  ``B = Rb × Cb`` of unit k that no other unit meets: then ``P(U) ⊆ Q = {A ∈ T : rank A[B] ≤ 1}``
  and the step proves ``Q ⊆ P(U)`` (so P = Q, closed): if ``A[B] ≠ 0`` unit k takes the cross of
  a nonzero ``A[i, j]``, ``(i, j) ∈ B`` (clearing row i, column j and B: children ``ρ − 1``);
  if ``A[B] = 0``, ``rank A ≥ rank A[Rb, Cc] + rank A[Rc, Cb]`` puts one of these blocks at rank
  ≤ 1 (``ρ ≤ 3`` or a side of width ≤ 1), taken whole by a unit containing it (children ρ).

Each step's proof is in ``docs/theory.md`` ("Rank-one peeling lemma");
:func:`factorization` follows the tree on a target A and returns exact factors, which is
the proof run on that A.

References
----------
R. Rado, "A theorem on independence relations", Quart. J. Math. 13 (1942) 83-89.
J. H. M. Wedderburn, *Lectures on Matrices*, AMS Colloquium Publications 17 (1934), p. 69.
M. T. Chu, R. E. Funderlic, G. H. Golub, "A rank-one reduction formula and its
applications to matrix factorizations", SIAM Review 37 (1995) 512-530, doi:10.1137/1037124.

>>> full = ((0, 1, 2), (0, 1, 2))
>>> proof = peeling_proof([((0, 1), (0, 1, 2)), ((0, 1, 2), (0, 1)), full])
>>> proof.rank, [node.step for node in proof.tree.walk()]
(3, ['peel', 'peel', 'box'])
>>> peeling_proof([((0, 1), (0, 1)), ((1, 2), (1, 2))]) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

__all__ = ["PeelingProof", "PeelNode", "factorization", "peel_term", "peeling_proof", "rado_condition", "rank"]

Cell = tuple[int, int]
Unit = tuple[tuple[int, ...], tuple[int, ...]]
Matrix = dict[Cell, Fraction]
"""A sparse exact matrix: the nonzero entries by cell."""

MAX_UNITS = 8
"""Parts with more units are not searched."""

MAX_NODES = 2000
"""Claims examined before the search gives up."""

ZERO, BOX, PEEL, DROP, ROW, COLUMN = "zero", "box", "peel", "drop", "private row", "private column"
PIVOT_ROW, PIVOT_COLUMN = "pivot row", "pivot column"
SPAN_ROWS, SPAN_COLUMNS = "hyperplane span", "hyperplane span (columns)"
OWNED = "owned block"

MAX_SPAN_UNITS = 6
"""The hyperplane-span step's Rado check runs over 2^|cols| · 2^|U| pairs: at most this many units."""


@dataclass(frozen=True)
class PeelNode:
    """One step proving ``Good(units, rank)``.

    ``units`` are (original unit index, rows, cols), sorted by index; ``rank`` is ρ after
    capping by the rows and columns of W.  ``unit`` is the original index of the unit the
    step uses (box, peel, drop, private line), ``line`` the private row or column.  Children:
    peel -- ``Good(U ∖ k, ρ − 1)``; drop -- ``Good(U ∖ k, ρ)``; private line --
    ``Good(U ∖ k, ρ − 1)``, then the zero case ``Good(U', ρ)`` with unit k off the line.
    """

    step: str
    units: tuple[tuple[int, tuple[int, ...], tuple[int, ...]], ...]
    rank: int
    unit: int = -1
    line: int = -1
    children: tuple[PeelNode, ...] = ()
    block: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
    takers: tuple[int, int] = (-1, -1)

    def walk(self) -> Iterator[PeelNode]:
        """This node and all below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def text(self) -> str:
        """The step and its cases in words."""
        if self.step == ZERO:
            return "rank 0: A = 0"
        rect = _rect(self._unit())
        if self.step == BOX:
            return f"rank ≤ 1 on a box inside {rect}: A = u vᵀ is that unit"
        if self.step == PEEL:
            return f"peel a rank-one term from {rect} (deficiency < {self.rank}): [{self.children[0].text()}]"
        if self.step == DROP:
            return f"drop {rect}, whose cells the others cover (rank ≤ {self.rank}): [{self.children[0].text()}]"
        if self.step in (SPAN_ROWS, SPAN_COLUMNS):
            side = "columns" if self.step == SPAN_COLUMNS else "rows"
            return (f"every unit has all {side} and the other side has one line more than units: the space of A's "
                    f"lines lies in a hyperplane, spanned by one vector of each unit (Rado's condition holds)")
        if self.step == OWNED:
            Rb, Cb = self.block
            *crosses, low, high = self.children
            cases = "; ".join(f"[{child.text()}]" for child in crosses)
            return (f"the block {list(Rb)}×{list(Cb)} lies in {rect} alone, so it has rank ≤ 1: at its first nonzero "
                    f"entry that unit takes the cross, clearing the block, then {cases}; if the block is zero, a "
                    f"Laplace split: unit {self.takers[0]} takes the rank-one block beside it, [{low.text()}], or "
                    f"unit {self.takers[1]} the one below it, [{high.text()}]")
        if self.step in (PIVOT_ROW, PIVOT_COLUMN):
            word = "row" if self.step == PIVOT_ROW else "column"
            *pivots, zero = self.children
            cases = "; ".join(f"[{child.text()}]" for child in pivots)
            return (f"{word} {self.line} is private to {rect}: at its first nonzero entry that unit takes the cross, "
                    f"then {cases}; if the {word} is zero, drop it from that unit: [{zero.text()}]")
        word = "row" if self.step == ROW else "column"
        nonzero, zero = self.children
        return (f"{word} {self.line} is private to {rect}: if A ≠ 0 there, that unit takes it: [{nonzero.text()}]; "
                f"else drop {word} {self.line} from it: [{zero.text()}]")

    def _unit(self) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
        return next(u for u in self.units if u[0] == self.unit)

    def as_json(self) -> dict:
        """``{"step", "unit", "line", "children"}`` (unit and line only where the step uses
        them); the claims are left out: the verifier re-derives them from the root."""
        out: dict = {"step": self.step}
        if self.step not in (ZERO, SPAN_ROWS, SPAN_COLUMNS):
            out["unit"] = self.unit
        if self.step in (ROW, COLUMN, PIVOT_ROW, PIVOT_COLUMN):
            out["line"] = self.line
        if self.step == OWNED:
            out["block"] = [list(self.block[0]), list(self.block[1])]
            out["takers"] = list(self.takers)
        if self.children:
            out["children"] = [child.as_json() for child in self.children]
        return out


@dataclass(frozen=True)
class PeelingProof:
    """A proof that the part's products are ``{A : supp A ⊆ W, rank A ≤ rank}``."""

    units: tuple[Unit, ...]
    cells: frozenset[Cell]
    rank: int
    tree: PeelNode

    def text(self) -> str:
        """The proof in one paragraph."""
        return self.tree.text()

    def owned_block(self) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """The block B of an owned-block root (then the part is ``{A ∈ T : rank A[B] ≤ 1}``), else None."""
        return self.tree.block if self.tree.step == OWNED else None

    def steps(self) -> frozenset[str]:
        """The names of the steps used."""
        return frozenset(node.step for node in self.tree.walk())

    def as_json(self) -> dict:
        """The certificate form (``docs/certificates.md``, "Peeling proofs"): the units
        ``[rows, cols]`` in order (unit k of the tree is the k-th), the rank and the tree."""
        return {"units": [[list(rows), list(cols)] for rows, cols in self.units], "rank": self.rank,
                "tree": self.tree.as_json()}


def _rect(unit: tuple[int, tuple[int, ...], tuple[int, ...]]) -> str:
    return f"{list(unit[1])}×{list(unit[2])}"


Indexed = tuple[tuple[int, tuple[int, ...], tuple[int, ...]], ...]


def _cells(units: Iterable[tuple[int, tuple[int, ...], tuple[int, ...]]]) -> frozenset[Cell]:
    return frozenset((i, j) for _, rows, cols in units for i in rows for j in cols)


class _Search:
    def __init__(self) -> None:
        self.budget = MAX_NODES
        self.memo: dict[tuple[Indexed, int], PeelNode | None] = {}

    def prove(self, units: Indexed, rank: int) -> PeelNode | None:
        units = tuple(u for u in units if u[1] and u[2])
        cells = _cells(units)
        rows = {i for i, _ in cells}
        cols = {j for _, j in cells}
        rank = min(rank, len(rows), len(cols))
        key = (units, rank)
        if key not in self.memo:
            self.memo[key] = None  # no cycles: every child has fewer units, rows or rank
            self.memo[key] = self._prove(units, rank, cells, rows, cols)
        return self.memo[key]

    def _prove(self, units: Indexed, rank: int, cells: frozenset[Cell], rows: set[int], cols: set[int]) -> PeelNode | None:
        self.budget -= 1
        if self.budget < 0:
            return None
        if rank == 0:
            return PeelNode(ZERO, units, 0)
        if rank == 1:
            for k, r, c in units:
                if rows <= set(r) and cols <= set(c):
                    return PeelNode(BOX, units, 1, k)
        deficiency = {k: len(rows - set(r)) + len(cols - set(c)) for k, r, c in units}
        for k, _, _ in sorted(units, key=lambda u: (-deficiency[u[0]], u[0])):
            rest = tuple(u for u in units if u[0] != k)
            if deficiency[k] < rank and _cells(rest) == cells:
                child = self.prove(rest, rank - 1)
                if child is not None:
                    return PeelNode(PEEL, units, rank, k, -1, (child,))
        if rank < len(units):  # fewer units may do: drop one whose cells the others cover
            for k, _, _ in sorted(units, key=lambda u: (-deficiency[u[0]], u[0])):
                rest = tuple(u for u in units if u[0] != k)
                if _cells(rest) == cells:
                    child = self.prove(rest, rank)
                    if child is not None:
                        return PeelNode(DROP, units, rank, k, -1, (child,))
        for transposed in (False, True):
            node = self._private(units, rank, rows, cols, transposed)
            if node is not None:
                return node
        for transposed in (False, True):
            if _spans_hyperplanes(units, rank, transposed):
                return PeelNode(SPAN_COLUMNS if transposed else SPAN_ROWS, units, rank, units[0][0])
        for transposed in (False, True):
            node = self._pivot(units, rank, transposed)
            if node is not None:
                return node
        return None

    def owned(self, units: Indexed, rank: int) -> PeelNode | None:
        """Owned-block step (root only): the cells only unit k covers form a rectangle
        ``B = Rb × Cb``; every cross ``(i, j) ∈ B`` stays in unit k and the other units, cut by
        row i and column j, cover W off row i, column j and B (child ``ρ − 1`` each); if
        ``A[B] = 0`` the Laplace split (``ρ ≤ 3`` or a side block of width ≤ 1): unit m₁ ⊇
        ``Rb × Cc`` takes that block, the others on rows Rc (child ρ), or unit m₂ ⊇ ``Rc × Cb``,
        the others on columns Cc (child ρ)."""
        cells = _cells(units)
        rows = {i for i, _ in cells}
        cols = {j for _, j in cells}
        rank = min(rank, len(rows), len(cols))
        for k, R, C in units:
            others = tuple(u for u in units if u[0] != k)
            own = {(i, j) for i in R for j in C} - _cells(others)
            Rb, Cb = tuple(sorted({i for i, _ in own})), tuple(sorted({j for _, j in own}))
            if not own or own != {(i, j) for i in Rb for j in Cb}:
                continue
            Rc, Cc = rows - set(Rb), cols - set(Cb)
            if rank > 3 and min(len(Rb), len(Cc)) > 1 and min(len(Rc), len(Cb)) > 1:
                continue
            crosses = []
            for i, j in sorted(own):
                if any(b not in C for a, b in cells if a == i) or any(a not in R for a, b in cells if b == j):
                    break
                cut = tuple((m, tuple(a for a in rr if a != i), tuple(b for b in cc if b != j)) for m, rr, cc in others)
                if _cells(cut) != {(a, b) for a, b in cells if a != i and b != j} - own:
                    break
                child = self.prove(cut, rank - 1)
                if child is None:
                    break
                crosses.append(child)
            else:
                low = self._laplace(units, rank, cells, set(Rb), Cc, False)
                high = self._laplace(units, rank, cells, Rc, set(Cb), True) if low else None
                if low and high:
                    return PeelNode(OWNED, units, rank, k, -1, (*crosses, low[1], high[1]), (Rb, Cb), (low[0], high[0]))
        return None

    def _laplace(self, units: Indexed, rank: int, cells: frozenset[Cell], Rb: set[int], Cc: set[int],
                 transposed: bool) -> tuple[int, PeelNode] | None:
        """A unit m ⊇ ``Rb × Cc`` and a proof for the others restricted off the rows Rb (off the
        columns of ``Rc × Cb`` when ``transposed``: there ``Rb`` is Rc and ``Cc`` is Cb)."""
        for m, R, C in units:
            if not (Rb <= set(R) and Cc <= set(C)):
                continue
            if transposed:
                rest = tuple((n, rr, tuple(b for b in cc if b not in Cc)) for n, rr, cc in units if n != m)
                kept = {(a, b) for a, b in cells if b not in Cc}
            else:
                rest = tuple((n, tuple(a for a in rr if a not in Rb), cc) for n, rr, cc in units if n != m)
                kept = {(a, b) for a, b in cells if a not in Rb}
            if _cells(tuple(u for u in rest if u[1] and u[2])) != kept:
                continue
            child = self.prove(rest, rank)
            if child is not None:
                return m, child
        return None

    def _pivot(self, units: Indexed, rank: int, transposed: bool) -> PeelNode | None:
        """Pivot row (pivot column when ``transposed``): row i private to unit k, every
        column j of row i inside ``C_k`` with its cells in ``R_k``."""
        t_units = tuple((k, c, r) for k, r, c in units) if transposed else units
        back = (lambda us: tuple((m, b, a) for m, a, b in us)) if transposed else (lambda us: us)
        t_cells = _cells(t_units)
        for k, r, c in t_units:
            others = tuple(u for u in t_units if u[0] != k)
            for i in r:
                if any(i in u[1] for u in others):
                    continue
                if not all(a in r for j in c for a, b in t_cells if b == j):
                    continue
                children = []
                for j in c:
                    cut = tuple((m, tuple(a for a in rr if a != i), tuple(b for b in cc if b != j)) for m, rr, cc in others)
                    if _cells(cut) != {(a, b) for a, b in t_cells if a != i and b != j}:
                        break
                    child = self.prove(back(cut), rank - 1)
                    if child is None:
                        break
                    children.append(child)
                else:
                    shrunk = tuple((m, tuple(a for a in rr if a != i), cc) if m == k else (m, rr, cc) for m, rr, cc in t_units)
                    zero = self.prove(back(shrunk), rank)
                    if zero is not None:
                        return PeelNode(PIVOT_COLUMN if transposed else PIVOT_ROW, units, rank, k, i, (*children, zero))
        return None

    def _private(self, units: Indexed, rank: int, rows: set[int], cols: set[int], transposed: bool) -> PeelNode | None:
        """Private row (private column when ``transposed``)."""
        t_units = tuple((k, c, r) for k, r, c in units) if transposed else units
        t_rows = cols if transposed else rows
        for k, r, c in t_units:
            if not t_rows <= set(r):
                continue
            others = tuple(u for u in t_units if u[0] != k)
            rest_cells = _cells(others)
            for i in r:
                if any(i in u[1] for u in others):
                    continue
                if not all((a, b) in rest_cells for a in r if a != i for b in c):
                    continue
                back = (lambda us: tuple((m, b, a) for m, a, b in us)) if transposed else (lambda us: us)
                nonzero = self.prove(back(others), rank - 1)
                if nonzero is None:
                    continue
                shrunk = tuple((m, tuple(a for a in rr if a != i), cc) if m == k else (m, rr, cc) for m, rr, cc in t_units)
                zero = self.prove(back(shrunk), rank)
                if zero is not None:
                    return PeelNode(COLUMN if transposed else ROW, units, rank, k, i, (nonzero, zero))
        return None


def _components(blocks: Sequence[frozenset[int]]) -> int:
    """Connected components of the hypergraph with these edges on the union of them."""
    parent: dict[int, int] = {v: v for block in blocks for v in block}

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for block in blocks:
        first, *others = block or (None,)
        for v in others:
            parent[find(v)] = find(first)
    return sum(1 for v in parent if find(v) == v)


def rado_condition(column_sets: Sequence[Iterable[int]], columns: Iterable[int]) -> bool:
    """Whether for every hyperplane ``S = φ^⊥`` of ``ℝ^columns`` the subspaces
    ``V_m = S ∩ ℝ^{C_m}`` have linearly independent vectors ``y_m ∈ V_m``, one per m.

    ``dim Σ_{m∈M} V_m = |D_M| − c_Z(M)`` with ``Z = supp φ``, ``D_M = ∪_{m∈M} C_m`` and
    ``c_Z(M)`` the number of connected components of the hypergraph with edges ``C_m ∩ Z``
    (``docs/theory.md``, "Rank-one peeling lemma", hyperplane-span step), so Rado's condition
    ``dim Σ_{m∈M} V_m ≥ |M|`` is checked for every non-empty Z and M.
    """
    return _rado(tuple(sorted(tuple(sorted(c)) for c in column_sets)), tuple(sorted(set(columns))))


@lru_cache(maxsize=4096)
def _rado(column_sets: tuple[tuple[int, ...], ...], columns: tuple[int, ...]) -> bool:
    sets = [frozenset(c) for c in column_sets]
    for zmask in range(1, 1 << len(columns)):
        Z = frozenset(c for b, c in enumerate(columns) if zmask >> b & 1)
        for mmask in range(1, 1 << len(sets)):
            chosen = [c for b, c in enumerate(sets) if mmask >> b & 1]
            if len(frozenset().union(*chosen)) - _components([c & Z for c in chosen]) < len(chosen):
                return False
    return True


def _spans_hyperplanes(units: Indexed, rank: int, transposed: bool) -> bool:
    """Hypotheses of the hyperplane-span step (columns: the transposed step): every unit has
    every row of W, ``|cols(W)| = |U| + 1``, ``ρ ≤ |U|`` and :func:`rado_condition`."""
    t_units = tuple((k, c, r) for k, r, c in units) if transposed else units
    rows = {i for _, r, _ in t_units for i in r}
    cols = {j for _, _, c in t_units for j in c}
    n = len(t_units)
    return (n <= MAX_SPAN_UNITS and rank <= n and len(cols) == n + 1
            and all(rows <= set(r) for _, r, _ in t_units) and rado_condition([c for _, _, c in t_units], cols))


def peeling_proof(units: Sequence[Unit], cells: Iterable[Cell] | None = None) -> PeelingProof | None:
    """A proof that ``{Σ_k x_k y_kᵀ} = {A : supp A ⊆ W, rank A ≤ |U|}``, or None.

    Parameters
    ----------
    units
        ``(rows, cols)`` of each rank-one unit (a class of multiplicity μ listed μ times).
    cells
        The part's visible cells; the lemma needs them to be all of ``W = ∪ R_k × C_k``
        (no hidden cell), else None.  Omitted: W.

    Notes
    -----
    A depth-first search over the steps of the module docstring, in that order (peel the unit
    of largest deficiency first, drop only when ρ < the number of units; hyperplane span before
    pivots), memoised on the claim, at most :data:`MAX_NODES` claims; parts of
    more than :data:`MAX_UNITS` units are not searched.  ``docs/theory.md``, "Rank-one
    peeling lemma", proves each step.
    """
    problem = tuple((tuple(sorted(r)), tuple(sorted(c))) for r, c in units)
    if not problem or len(problem) > MAX_UNITS:
        return None
    indexed = tuple((k, r, c) for k, (r, c) in enumerate(problem))
    every = _cells(indexed)
    if cells is not None and frozenset(cells) != every:
        return None
    tree = _Search().prove(indexed, len(problem))
    if tree is None:
        tree = _Search().owned(indexed, len(problem))
    if tree is None:
        return None
    return PeelingProof(problem, every, len(problem), tree)


# ---------------------------------------------------------------------------
# The proof run on a target: exact linear algebra over ℚ on small dense matrices.


def _dense(A: Matrix, rows: Sequence[int], cols: Sequence[int]) -> list[list[Fraction]]:
    return [[A.get((i, j), Fraction(0)) for j in cols] for i in rows]


def _echelon(M: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form and pivot columns (Gauss-Jordan over ℚ)."""
    M = [row[:] for row in M]
    pivots: list[int] = []
    r = 0
    width = len(M[0]) if M else 0
    for c in range(width):
        p = next((i for i in range(r, len(M)) if M[i][c] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        lead = M[r][c]
        M[r] = [v / lead for v in M[r]]
        for i in range(len(M)):
            if i != r and M[i][c] != 0:
                f = M[i][c]
                M[i] = [a - f * b for a, b in zip(M[i], M[r])]
        pivots.append(c)
        r += 1
    return M[:r], pivots


def _kernel(M: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    """A basis of ``{p : M p = 0}`` (M has ``width`` columns)."""
    E, pivots = _echelon(M) if M else ([], [])
    free = [c for c in range(width) if c not in pivots]
    basis = []
    for f in free:
        p = [Fraction(0)] * width
        p[f] = Fraction(1)
        for row, c in zip(E, pivots):
            p[c] = -row[f]
        basis.append(p)
    return basis


def rank(A: Matrix) -> int:
    """Exact rank of a sparse rational matrix."""
    rows = sorted({i for i, _ in A})
    cols = sorted({j for _, j in A})
    return len(_echelon(_dense(A, rows, cols))[1]) if rows else 0


def peel_term(A: Matrix, R: Iterable[int], C: Iterable[int], pivot_row: int | None = None) -> tuple[Matrix, Matrix]:
    """Wedderburn's rank-one reduction inside a rectangle: ``(u, v)`` with ``supp u ⊆ R``,
    ``supp v ⊆ C`` and ``rank(A − u vᵀ) = rank A − 1``.

    Chooses ``y = A p ∈ C(A) ∩ ℝ^R`` outside the column space of ``A[:, Cᶜ]`` and q orthogonal
    to that space with ``qᵀ y = σ ≠ 0``; then ``u = y``, ``v = Aᵀ q / σ`` (zero on ``Cᶜ``).
    With ``pivot_row = i`` (row i private: ``A[i, :] ≠ 0`` supported in C, ``R ⊇`` the rows of A)
    it takes ``q = e_i`` instead, so that ``A − u vᵀ`` vanishes on row i.  Raises ValueError
    when no such term exists (the lemma's hypothesis ``rank A > |Rᶜ| + |Cᶜ|`` fails).

    u and v are returned as sparse vectors keyed ``(i, 0)`` and ``(j, 0)``.
    """
    rows = sorted({i for i, _ in A} | set(R))
    cols = sorted({j for _, j in A} | set(C))
    R, C = set(R), set(C)
    M = _dense(A, rows, cols)
    n = len(cols)
    outside_r = [M[a] for a, i in enumerate(rows) if i not in R]
    # C(A) ∩ ℝ^R = {A p : A[Rᶜ, :] p = 0}
    candidates = [[sum((M[a][b] * p[b] for b in range(n)), Fraction(0)) for a in range(len(rows))]
                  for p in _kernel(outside_r, n)]
    if pivot_row is not None:
        a_i = rows.index(pivot_row)
        y = next((c for c in candidates if c[a_i] != 0), None)
        if y is None:
            raise ValueError("no column of A inside R is nonzero on the private row")
        q = [Fraction(int(a == a_i)) for a in range(len(rows))]
    else:
        outside_c = [[M[a][b] for a in range(len(rows))] for b, j in enumerate(cols) if j not in C]
        # q ranges over the kernel of A[:, Cᶜ]ᵀ; need qᵀ y ≠ 0 for a candidate y
        y, q = None, None
        for q_try in _kernel(outside_c, len(rows)) if outside_c else [
                [Fraction(int(a == b)) for a in range(len(rows))] for b in range(len(rows))]:
            y = next((c for c in candidates if sum((s * t for s, t in zip(q_try, c)), Fraction(0)) != 0), None)
            if y is not None:
                q = q_try
                break
        if y is None or q is None:
            raise ValueError("A has no rank-one term inside the rectangle (rank A ≤ deficiency)")
    sigma = sum((s * t for s, t in zip(q, y)), Fraction(0))
    u = {(i, 0): y[a] for a, i in enumerate(rows) if y[a] != 0}
    v = {}
    for b, j in enumerate(cols):
        value = sum((q[a] * M[a][b] for a in range(len(rows))), Fraction(0)) / sigma
        if value != 0:
            v[(j, 0)] = value
    return u, v


def _minus(A: Matrix, u: Matrix, v: Matrix) -> Matrix:
    out = dict(A)
    for (i, _), a in u.items():
        for (j, _), b in v.items():
            value = out.get((i, j), Fraction(0)) - a * b
            if value:
                out[(i, j)] = value
            else:
                out.pop((i, j), None)
    return out


def factorization(proof: PeelingProof, A: Matrix) -> dict[int, tuple[Matrix, Matrix]]:
    """Exact factors ``{k: (x_k, y_k)}`` with ``Σ_k x_k y_kᵀ = A``, following the proof.

    Raises ValueError when A is not in ``T`` (a cell off W, or rank above the proof's rank),
    or (never, if the lemma is right) when a step's construction fails.
    """
    if any(cell not in proof.cells for cell in A):
        raise ValueError("A has a nonzero entry outside the units' rectangles")
    if rank(A) > proof.rank:
        raise ValueError(f"A has rank above {proof.rank}")
    factors: dict[int, tuple[Matrix, Matrix]] = {}
    _run(proof.tree, dict(A), factors)
    return factors


def _run(node: PeelNode, A: Matrix, factors: dict[int, tuple[Matrix, Matrix]]) -> None:
    rho = rank(A)
    if rho > node.rank:
        raise ValueError(f"{node.step}: the target has rank {rho} > {node.rank}")
    if any(cell not in _cells(node.units) for cell in A):
        raise ValueError(f"{node.step}: the target leaves the cells of its units")
    if node.step == ZERO:
        return
    _, R, C = node._unit()
    if node.step == BOX:
        if A:
            (i0, j0), pivot = next(iter(A.items()))
            u = {(i, 0): a for (i, j), a in A.items() if j == j0}
            v = {(j, 0): a / pivot for (i, j), a in A.items() if i == i0}
            factors[node.unit] = (u, v)
        return
    if node.step == DROP:
        _run(node.children[0], A, factors)
        return
    if node.step == PEEL:
        if rho == node.rank:
            u, v = peel_term(A, R, C)
            factors[node.unit] = (u, v)
            A = _minus(A, u, v)
        _run(node.children[0], A, factors)
        return
    if node.step in (SPAN_ROWS, SPAN_COLUMNS):
        _span(node, A, factors)
        return
    if node.step == OWNED:
        _owned(node, A, factors)
        return
    if node.step in (PIVOT_ROW, PIVOT_COLUMN):
        transposed = node.step == PIVOT_COLUMN
        At = {(j, i_): a for (i_, j), a in A.items()} if transposed else A
        Ct = sorted(R if transposed else C)
        line = {j: a for (i_, j), a in At.items() if i_ == node.line}
        if not line:
            _run(node.children[-1], A, factors)
            return
        j = min(line)
        u = {(a, 0): value / line[j] for (a, b), value in At.items() if b == j}
        v = {(b, 0): value for b, value in line.items()}
        if transposed:
            u, v = v, u
        factors[node.unit] = (u, v)
        _run(node.children[Ct.index(j)], _minus(A, u, v), factors)
        return
    transposed = node.step == COLUMN
    i = node.line
    line = {cell: a for cell, a in A.items() if (cell[1] if transposed else cell[0]) == i}
    if not line:
        _run(node.children[1], A, factors)
        return
    At = {(j, i_): a for (i_, j), a in A.items()} if transposed else A
    Rt, Ct = (C, R) if transposed else (R, C)
    u, v = peel_term(At, Rt, Ct, pivot_row=i)
    if transposed:
        u, v = v, u
    factors[node.unit] = (u, v)
    _run(node.children[0], _minus(A, u, v), factors)


def _owned(node: PeelNode, A: Matrix, factors: dict[int, tuple[Matrix, Matrix]]) -> None:
    """The owned-block step on A (``docs/theory.md``, "Owned-block lemma")."""
    Rb, Cb = node.block
    if rank({c: a for c, a in A.items() if c[0] in Rb and c[1] in Cb}) > 1:
        raise ValueError("owned block: A has rank above 1 on the block")
    B = [(i, j) for i in Rb for j in Cb]
    hit = next((n for n, c in enumerate(B) if A.get(c)), None)
    if hit is not None:
        i, j = B[hit]
        u = {(a, 0): value / A[(i, j)] for (a, b), value in A.items() if b == j}
        v = {(b, 0): value for (a, b), value in A.items() if a == i}
        factors[node.unit] = (u, v)
        _run(node.children[hit], _minus(A, u, v), factors)
        return
    side = {c: a for c, a in A.items() if c[0] in Rb and c[1] not in Cb}
    low = rank(side) <= 1
    if not low:
        side = {c: a for c, a in A.items() if c[0] not in Rb and c[1] in Cb}
        if rank(side) > 1:
            raise ValueError("owned block: both blocks beside the zero block have rank above 1")
    taker, child = (node.takers[0], node.children[-2]) if low else (node.takers[1], node.children[-1])
    if side:
        (i0, j0), pivot = next(iter(side.items()))
        factors[taker] = ({(a, 0): value for (a, b), value in side.items() if b == j0},
                          {(b, 0): value / pivot for (a, b), value in side.items() if a == i0})
    rest = {c: a for c, a in A.items() if c not in side}
    _run(child, rest, factors)


def _span(node: PeelNode, A: Matrix, factors: dict[int, tuple[Matrix, Matrix]]) -> None:
    """The hyperplane-span step on A: ``φ ≠ 0`` with ``A φ = 0``, one vector ``y_k`` of each
    ``V_k = φ^⊥ ∩ ℝ^{C_k}`` (a basis vector of it, chosen by backtracking so that they are
    independent: Rado), then ``x`` solving ``A = Σ x_k y_kᵀ`` row by row."""
    transposed = node.step == SPAN_COLUMNS
    At = {(j, i): a for (i, j), a in A.items()} if transposed else A
    units = [(k, c, r) for k, r, c in node.units] if transposed else list(node.units)
    rows = sorted({i for _, r, _ in units for i in r})
    cols = sorted({j for _, _, c in units for j in c})
    phi = _kernel(_dense(At, rows, cols), len(cols))[0]
    bases = []
    for _, _, c in units:
        inside = [b for b, j in enumerate(cols) if j in c]
        bases.append([[p[inside.index(b)] if b in inside else Fraction(0) for b in range(len(cols))]
                      for p in _kernel([[phi[b] for b in inside]], len(inside))])
    chosen = _transversal(bases, [])
    if chosen is None:
        raise ValueError("hyperplane span: no independent transversal (Rado's condition fails)")
    xs = {}
    for i in rows:
        coeffs = _solve(chosen, [At.get((i, j), Fraction(0)) for j in cols])
        if coeffs is None:
            raise ValueError("hyperplane span: a row of A is outside the span")
        xs[i] = coeffs
    for m, ((k, _, _), y) in enumerate(zip(units, chosen)):
        x = {(i, 0): xs[i][m] for i in rows if xs[i][m]}
        yv = {(j, 0): y[b] for b, j in enumerate(cols) if y[b]}
        factors[k] = (yv, x) if transposed else (x, yv)


def _transversal(bases: list[list[list[Fraction]]], chosen: list[list[Fraction]]) -> list[list[Fraction]] | None:
    """Independent vectors, one from each basis in turn (depth-first; exact ranks)."""
    if len(chosen) == len(bases):
        return chosen
    for y in bases[len(chosen)]:
        if len(_echelon(chosen + [y])[1]) == len(chosen) + 1:
            found = _transversal(bases, chosen + [y])
            if found is not None:
                return found
    return None


def _solve(vectors: list[list[Fraction]], target: list[Fraction]) -> list[Fraction] | None:
    """Coefficients c with ``Σ c_m vectors[m] = target`` (vectors independent), or None."""
    n = len(vectors)
    augmented = [[vectors[m][b] for m in range(n)] + [target[b]] for b in range(len(target))]
    E, pivots = _echelon(augmented)
    if n in pivots:
        return None
    coeffs = [Fraction(0)] * n
    for row, c in zip(E, pivots):
        coeffs[c] = row[n]
    return coeffs
