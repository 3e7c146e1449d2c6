"""Parts with one free factor in codimension one (``docs/theory.md`` §4, "Free-factor lemma").

A part is rank-one units ``x_k y_kᵀ`` (k = 1..r) with ``supp x_k ⊆ R_k``, ``supp y_k ⊆ C_k``.
Suppose no cell is hidden and every unit has the same columns ``C_k = C`` (the *free
factor*: Y ranges over all of ``ℝ^{C×r}``; the transposed case, all ``R_k`` equal, is the
same on ``Aᵀ``), the rows ``L = ∪ R_k`` number ``m = r + 1``, and a patterned X has rank r
for some values (Hall's condition on the ``R_k``).  Then, on the cells ``L × C``,

    A ∈ P  ⟺  C(A) ⊆ C(X) for some X with supp X ⊆ (R_1, …, R_r)

(``A = X Zᵀ`` for some Z as soon as ``C(A) ⊆ C(X)``).  For a nonempty ``s ⊆ L`` call s
*good* when the hyperplane ``1_s^⊥`` is ``C(X)`` of a patterned X, i.e. the subspaces
``V_k = ℝ^{R_k} ∩ 1_s^⊥`` have linearly independent members ``x_k ∈ V_k``.  By the
diagonal rescaling ``D = diag(w on s, 1 elsewhere)``, a hyperplane ``w^⊥`` is such a span iff
``supp w`` is good.  Let ``s₀`` be the generic support: the rows j for which the ``R_k ∖ {j}``
still satisfy Hall's condition (the support of the normal vector of a generic patterned X).

* If every nonempty ``s ⊆ s₀`` is good, ``P = {A : rank A[s₀, C] ≤ |s₀| − 1}``: CLOSED.
* If some nonempty ``s' ⊊ s₀`` is bad and ``|C| ≥ r``: NOT CLOSED.  With a transversal
  ``X₀`` of ``1_{s₀}^⊥``, ``X(t) = diag(t⁻¹ on s₀∖s', 1 elsewhere) X₀`` spans ``w_t^⊥``,
  ``w_t = 1_{s'} + t·1_{s₀∖s'}``; a Laurent ``Y(t)`` makes ``X(t)Y(t)ᵀ`` tend to a matrix
  ``A_∞`` with ``C(A_∞) = 1_{s'}^⊥`` of dimension r, and ``A_∞ ∉ P`` because a patterned X
  with ``C(A_∞) ⊆ C(X)`` would have ``C(X) = 1_{s'}^⊥``, which makes s' good.  The
  certificate's obstruction is a *deficient set* T of units, ``dim Σ_{k∈T} V_k < |T|`` for
  ``V_k = ℝ^{R_k} ∩ C(A_∞)``: no independent transversal can exist (the easy half of Rado's
  theorem), so ``A ∉ P`` is checked without citing Rado.

Everything is exact (:class:`fractions.Fraction`, ranks by python-flint): the good supports carry their transversal
vectors (checked independent), the bad ones a deficient T.  Rado's theorem (R. Rado, "A
theorem on independence relations", Quart. J. Math. 13 (1942) 83–89; Oxley, *Matroid Theory*,
2nd ed., Thm 11.2.2) guarantees that one of the two is always found: the transversal is drawn
at seeded random integer points of the ``V_k`` (independent for all but a proper algebraic
subset of choices); a support for which neither is found leaves the rule unapplied.

>>> units = [((0, 1, 2, 3), (0, 1, 2, 3)), ((1, 2), (0, 1, 2, 3)), ((0, 3), (0, 1, 2, 3))]
>>> found = free_factor(units, {(i, j) for i in range(4) for j in range(4)})
>>> found.closed, found.generic
(True, (0, 1, 2, 3))
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import flint

__all__ = ["MAX_LINES", "FreeFactor", "FreeFactorCurve", "free_factor", "hall", "not_closed_curve", "rank"]

Unit = tuple[tuple[int, ...], tuple[int, ...]]
Cell = tuple[int, int]
Vector = tuple[Fraction, ...]

MAX_LINES = 7
"""Largest ``m = r + 1`` the rule looks at (it visits the ``2^m − 1`` supports and ``2^r`` unit sets)."""

SEED = 20261203
"""Seed of the draws of transversal vectors (deterministic verdicts and proofs)."""

DRAWS = 30
"""Random draws tried per good support before giving up on it (each succeeds with high probability)."""

WEIGHTS = tuple(w for w in range(-9, 10) if w)
"""Weights of the basis vectors of each ``V_k`` in a draw (nonzero: a one-dimensional ``V_k`` never gives 0)."""


def rank(rows: Sequence[Sequence[Fraction]]) -> int:
    """Rank over ℚ of a list of equal-length rows (exact, python-flint's ``fmpq_mat``)."""
    if not rows or not rows[0]:
        return 0
    entries = [flint.fmpq(v.numerator, v.denominator) for row in rows for v in map(Fraction, row)]
    return flint.fmpq_mat(len(rows), len(rows[0]), entries).rank()


def hall(sets: Sequence[frozenset[int]]) -> bool:
    """Whether the sets have distinct representatives (augmenting paths; Hall's condition)."""
    owner: dict[int, int] = {}

    def place(k: int, seen: set[int]) -> bool:
        for e in sorted(sets[k]):
            if e in seen:
                continue
            seen.add(e)
            if e not in owner or place(owner[e], seen):
                owner[e] = k
                return True
        return False

    return all(place(k, set()) for k in range(len(sets)))


@dataclass(frozen=True)
class FreeFactor:
    """The free-factor analysis of a part, in its working orientation (the free factor is Y).

    Attributes
    ----------
    transposed
        True when the units shared their rows (the analysis is of the transposed part).
    lines
        The rows ``L = ∪ R_k`` (columns when transposed), global indices, sorted.
    cross
        The common columns C (rows when transposed).
    units
        Each unit's lines ``R_k`` (global indices), in the part's order.
    generic
        The generic support ``s₀ ⊆ L``.
    transversals
        For each good ``s ⊆ s₀``: ``(s, (x_1, …, x_r))`` with ``x_k`` indexed by ``lines``.
    deficient
        Empty when every support is good, else the first bad ``s ⊆ s₀`` found (by size) as
        ``((s, T),)`` with ``dim Σ_{k∈T} (ℝ^{R_k} ∩ 1_s^⊥) < |T|`` (the search stops there, so
        ``transversals`` is then partial).
    """

    transposed: bool
    lines: tuple[int, ...]
    cross: tuple[int, ...]
    units: tuple[tuple[int, ...], ...]
    generic: tuple[int, ...]
    transversals: tuple[tuple[tuple[int, ...], tuple[Vector, ...]], ...]
    deficient: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]

    @property
    def closed(self) -> bool:
        """Every nonempty subset of the generic support is good."""
        return not self.deficient

    def text(self) -> str:
        """The lemma's conclusion in words."""
        side, other = ("columns", "rows") if self.transposed else ("rows", "columns")
        head = (
            f"every unit has the {other} {_set(self.cross)} (a free factor) and the {len(self.units)} units "
            f"meet {len(self.lines)} {side}"
        )
        if self.closed:
            return (
                f"{head}; every nonempty subset of the generic support {_set(self.generic)} is a good support "
                f"({len(self.transversals)} transversals, checked independent): the part is the set of matrices "
                f"whose {side} {_set(self.generic)} are linearly dependent, closed"
            )
        s, t = self.deficient[0]
        return (
            f"{head}; the support {_set(s)} inside the generic support {_set(self.generic)} is bad "
            f"({len(t)} of the units have vectors in a subspace of 1_s^⊥ of dimension < {len(t)})"
        )

    def as_json(self) -> dict:
        """The CLOSED proof for the certificate (``docs/certificates.md``, "Free-factor proofs")."""
        units = [[list(rows), list(self.cross)] for rows in self.units]
        if self.transposed:
            units = [[cols, rows] for rows, cols in units]
        return {
            "kind": "free-factor",
            "transposed": self.transposed,
            "units": units,
            "generic_support": list(self.generic),
            "transversals": [
                {"support": list(s), "vectors": [[str(v) for v in x] for x in xs]} for s, xs in self.transversals
            ],
        }


def _set(items: Iterable[int]) -> str:
    return "{" + ",".join(map(str, items)) + "}"


def _orient(units: Sequence[Unit]) -> tuple[bool, list[tuple[int, ...]], tuple[int, ...]] | None:
    """``(transposed, lines of each unit, common cross set)`` or None if no side is shared."""
    for transposed in (False, True):
        lines = [tuple(u[1] if transposed else u[0]) for u in units]
        cross = {tuple(u[0] if transposed else u[1]) for u in units}
        if len(cross) == 1 and len(set(lines)) > 1:
            return transposed, lines, next(iter(cross))
    return None


def _hyperplane_basis(rows: tuple[int, ...], support: frozenset[int], lines: tuple[int, ...]) -> list[list[Fraction]]:
    """A basis of ``ℝ^{rows} ∩ 1_s^⊥`` (vectors indexed by ``lines``)."""
    index = {line: p for p, line in enumerate(lines)}
    inside = [i for i in rows if i in support]
    basis = []
    for i in rows:
        if i in support and i == inside[0]:
            continue
        v = [Fraction(0)] * len(lines)
        v[index[i]] = Fraction(1)
        if i in support:
            v[index[inside[0]]] = Fraction(-1)
        basis.append(v)
    return basis


def _analyse_support(
    units: list[tuple[int, ...]], support: frozenset[int], lines: tuple[int, ...], rng: random.Random
) -> tuple[tuple[Vector, ...] | None, tuple[int, ...] | None]:
    """``(transversal, None)`` for a good support, ``(None, T)`` for a bad one, ``(None, None)`` if undecided."""
    bases = [_hyperplane_basis(rows, support, lines) for rows in units]
    r = len(units)
    deficient = any(not basis for basis in bases) or rank([v for basis in bases for v in basis]) < r
    for attempt in range(0 if deficient else DRAWS):
        vectors = _draw(bases, rng, len(lines))
        if rank(vectors) == r:
            return vectors, None
        if attempt == 2:
            break  # three failed draws: look for a deficient set (Rado) before drawing on
    for size in range(1, r + 1):
        for subset in itertools.combinations(range(r), size):
            if rank([v for k in subset for v in bases[k]]) < size:
                return None, subset
    for _ in range(DRAWS):
        vectors = _draw(bases, rng, len(lines))
        if rank(vectors) == r:
            return vectors, None
    return None, None


def _draw(bases: list, rng: random.Random, width: int) -> tuple[tuple[Fraction, ...], ...]:
    """One vector per unit: a combination of its basis with weights drawn from :data:`WEIGHTS`."""
    vectors = []
    for basis in bases:
        weights = [rng.choice(WEIGHTS) for _ in basis]
        vectors.append(tuple(sum((w * b[c] for w, b in zip(weights, basis)), Fraction(0)) for c in range(width)))
    return tuple(vectors)


def free_factor(units: Sequence[Unit], cells: Iterable[Cell]) -> FreeFactor | None:
    """The free-factor analysis of a part, or None when the lemma's hypotheses fail.

    Parameters
    ----------
    units
        The part's rank-one units ``(R_k, C_k)`` (global indices; a class of multiplicity μ
        appears μ times).
    cells
        Its visible cells; the lemma needs every cell of every rectangle visible.

    Returns
    -------
    FreeFactor or None
        None unless one side is shared by all units (and the other is not), no cell is
        hidden, ``|∪ R_k| = r + 1 ≤`` :data:`MAX_LINES`, Hall's condition holds, and every
        support inside the generic one was decided.

    Notes
    -----
    ``docs/theory.md`` §4, "Free-factor lemma": CLOSED iff ``FreeFactor.closed``; the NOT
    CLOSED curve is :func:`not_closed_curve`.
    """
    oriented = _orient(units)
    if oriented is None:
        return None
    transposed, unit_lines, cross = oriented
    everything = {(i, j) if not transposed else (j, i) for rows in unit_lines for i in rows for j in cross}
    if set(cells) != everything:
        return None  # hidden cells: not the product set of a free factor
    lines = tuple(sorted({i for rows in unit_lines for i in rows}))
    r = len(unit_lines)
    if len(lines) != r + 1 or len(lines) > MAX_LINES or not hall([frozenset(rows) for rows in unit_lines]):
        return None
    generic = tuple(j for j in lines if hall([frozenset(rows) - {j} for rows in unit_lines]))
    rng = random.Random(SEED)
    # s₀ first (its transversal is the curve's X₀), then the others by size; stop at the first bad one
    supports = [generic] + [s for size in range(1, len(generic)) for s in itertools.combinations(generic, size)]
    transversals, deficient = [], []
    for support in supports:
        vectors, subset = _analyse_support(unit_lines, frozenset(support), lines, rng)
        if vectors is not None:
            transversals.append((support, vectors))
        elif subset is not None and support != generic:
            deficient.append((support, subset))
            break
        else:
            return None  # undecided, or s₀ bad (impossible under Hall's condition): refuse rather than guess
    return FreeFactor(transposed, lines, cross, tuple(unit_lines), generic, tuple(transversals), tuple(deficient))


@dataclass(frozen=True)
class FreeFactorCurve:
    """The NOT CLOSED construction in global cells: factor entries as ``{(line, unit position): (coefficient, power of t)}``.

    ``x`` is indexed by ``(global line, position of the unit in the part)``, ``y`` by ``(global
    cross index, position)``, in the working orientation (swap for a transposed part); each
    entry is a single monomial ``c·t^e``.  ``limit`` maps working cells ``(line, cross)`` to A_∞.
    ``bad`` is the bad support s', ``deficient`` its deficient set of unit positions.
    """

    x: dict[tuple[int, int], tuple[Fraction, int]]
    y: dict[tuple[int, int], tuple[Fraction, int]]
    limit: dict[Cell, Fraction]
    bad: tuple[int, ...]
    deficient: tuple[int, ...]


def not_closed_curve(found: FreeFactor) -> FreeFactorCurve | None:
    """The Laurent curve of the lemma's NOT CLOSED half, or None (closed, or fewer cross lines than units).

    With ``X₀`` the transversal of the generic support ``s₀``, a bad ``s' ⊊ s₀`` and a pivot
    ``p ∈ s'``: ``X(t) = D_t⁻¹ X₀`` (``D_t⁻¹`` = ``t⁻¹`` on ``s₀∖s'``), and ``Y(t)ᵀ = G·diag(c(t))``
    where ``X₀ G = B``, B the basis ``e_j − e_p`` (j ∈ s₀∖{p}), ``e_j`` (j ∉ s₀) of ``1_{s₀}^⊥``
    placed on the first r cross lines, ``c_j = t`` on ``s₀∖s'``, 1 elsewhere.  The product is
    ``D_t⁻¹ B diag(c)``: column j is ``e_j − t·e_p`` (j ∈ s₀∖s'), ``e_j − e_p`` (j ∈ s'), ``e_j``
    (j ∉ s₀), exactly ``A_∞ + O(t)``.
    """
    if found.closed or len(found.cross) < len(found.units):
        return None
    bad, deficient = found.deficient[0]
    x0 = dict(found.transversals)[found.generic]
    lines, r = found.lines, len(found.units)
    index = {line: p for p, line in enumerate(lines)}
    pivot = bad[0]
    columns = [j for j in lines if j != pivot]
    B = []
    for j in columns:
        b = [Fraction(0)] * len(lines)
        b[index[j]] = Fraction(1)
        if j in found.generic:
            b[index[pivot]] = Fraction(-1)
        B.append(b)
    # G (r × r): X₀ G = B, solved column by column on the normal equations (B lies in C(X₀))
    gram = [[sum(x0[a][c] * x0[b][c] for c in range(len(lines))) for b in range(r)] for a in range(r)]
    G = []
    for b in B:
        rhs = [sum(x0[a][c] * b[c] for c in range(len(lines))) for a in range(r)]
        G.append(_solve(gram, rhs))
    for b, g in zip(B, G):
        if any(sum(x0[k][c] * g[k] for k in range(r)) != b[c] for c in range(len(lines))):
            return None  # B ⊄ C(X₀): cannot happen for a transversal of 1_{s₀}^⊥
    scaled = set(found.generic) - set(bad)
    x = {(line, k): (x0[k][index[line]], -1 if line in scaled else 0)
         for k in range(r) for line in lines if x0[k][index[line]]}
    y = {(found.cross[q], k): (G[q][k], 1 if j in scaled else 0)
         for q, j in enumerate(columns) for k in range(r) if G[q][k]}
    limit: dict[Cell, Fraction] = {}
    for q, j in enumerate(columns):
        limit[(j, found.cross[q])] = Fraction(1)
        if j in bad:
            limit[(pivot, found.cross[q])] = Fraction(-1)
    return FreeFactorCurve(x, y, limit, bad, deficient)


def _solve(matrix: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction]:
    """The solution of an invertible square system (Gauss–Jordan, exact)."""
    n = len(matrix)
    rows = [list(row) + [value] for row, value in zip(matrix, rhs)]
    for col in range(n):
        pivot = next(p for p in range(col, n) if rows[p][col])
        rows[col], rows[pivot] = rows[pivot], rows[col]
        rows[col] = [v / rows[col][col] for v in rows[col]]
        for p in range(n):
            if p != col and rows[p][col]:
                factor = rows[p][col]
                rows[p] = [a - factor * b for a, b in zip(rows[p], rows[col])]
    return [rows[p][n] for p in range(n)]
