"""Projective-band lemma: bands tied by one shared unit are closed (``docs/theory.md`` §4, "Projective-band lemma").

*Setting.*  A part (no hidden cell in any unit's rectangle) of single units: one *shared*
unit ``G = R × D`` (``x_G y_Gᵀ``, ``y_G = q ∈ ℝ^D``) and *bands* ``U_b = R_b × (D ∪ E_b)``
whose rows ``R_b`` partition R (``E_b ∩ D = ∅``, possibly empty).  Write ``A_b = A[R_b, D]``.

*Lemma.*  ``Q = π(Γ)``, where ``Γ`` is the set of ``(A, [x_b]_b, [q])`` in
``ℝ^V × Π_b ℙ(ℝ^{R_b}) × ℙ(ℝ^D)`` with, for every band b,

* (a) ``rank [x_b | A[R_b, E_b]] ≤ 1``, and
* (b) ``rank [x_b | A_b (|q|² I − q qᵀ)] ≤ 1``.

Both are homogeneous polynomial conditions, so Γ is closed; real projective spaces are
compact, so the projection π is a closed map and Q is closed.

*Proof.*  ⊇ (:func:`factors_from_witness` builds the factors): by (a) the columns of
``A[R_b, E_b]`` lie on ``x_b``: ``A[R_b, E_b] = x_b e_bᵀ``.  Put ``w_b = A_b q / |q|²``; by (b)
the columns of ``A_b − w_b qᵀ = A_b (I − q qᵀ/|q|²)`` lie on ``x_b``: ``= x_b p_bᵀ``.  Then
band b has ``x = x_b``, ``y = (p_b on D, e_b on E_b)``, and G has ``x_G = (w_b)_b`` (the
``R_b`` partition R), ``y_G = q``: the product is A.  ⊆ (:func:`witness_of_factors`): for a
product take ``[x_b] = [x_b]`` (any line if ``x_b = 0``) and ``[q] = [y_G]`` (any line if
``y_G = 0``): ``A[R_b, E_b] = x_b e_bᵀ`` gives (a), and
``A_b (|q|² I − q qᵀ) = x_b p_bᵀ (|q|² I − q qᵀ) + x_G[R_b] qᵀ (|q|² I − q qᵀ)``, whose second term
is 0 (``qᵀ (|q|² I − q qᵀ) = 0``; if ``y_G = 0`` the term is 0 anyway), gives (b).  ∎

The rule applies the lemma as stated (also to the transpose: the bands sharing columns).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["BandStructure", "band_structure", "factors_from_witness", "witness_of_factors"]

Cell = tuple[int, int]
Unit = tuple[tuple[int, ...], tuple[int, ...]]
Matrix = dict[Cell, Fraction]


@dataclass(frozen=True)
class BandStructure:
    """The lemma's setting: ``shared`` is the index of G, ``bands`` those of the bands,
    ``transposed`` whether it holds for the transposed part (bands sharing columns)."""

    shared: int
    bands: tuple[int, ...]
    transposed: bool


def _flip(unit: Unit) -> Unit:
    return unit[1], unit[0]


def band_structure(units: Sequence[Unit], cells: Iterable[Cell]) -> BandStructure | None:
    """The lemma's setting on single units ``(rows, cols)`` with visible ``cells``, or None.

    Requires at least one band, every cell of every rectangle visible, and no other visible cell."""
    units = [(tuple(r), tuple(c)) for r, c in units]
    visible = set(cells)
    covered = {(i, j) for rows, cols in units for i in rows for j in cols}
    if len(units) < 2 or covered != visible:
        return None
    for transposed in (False, True):
        oriented = [_flip(u) for u in units] if transposed else units
        for g, (rows_g, cols_g) in enumerate(oriented):
            bands = [k for k in range(len(oriented)) if k != g]
            band_rows = [set(oriented[k][0]) for k in bands]
            if sum(len(r) for r in band_rows) != len(rows_g) or set().union(*band_rows) != set(rows_g):
                continue  # the bands' rows must partition R
            if all(set(oriented[k][1]) >= set(cols_g) for k in bands):
                return BandStructure(g, tuple(bands), transposed)
    return None


def _orient(units: Sequence[Unit], a: Matrix, structure: BandStructure) -> tuple[list[Unit], Matrix]:
    if not structure.transposed:
        return [(tuple(r), tuple(c)) for r, c in units], dict(a)
    return [_flip(u) for u in units], {(j, i): v for (i, j), v in a.items()}


def witness_of_factors(units: Sequence[Unit], structure: BandStructure,
                       factors: Sequence[tuple[dict[int, Fraction], dict[int, Fraction]]]
                       ) -> tuple[list[dict[int, Fraction]], dict[int, Fraction]]:
    """The point of Γ over a product (⊆ of the lemma): ``[x_b]`` per band and ``[q]``, a unit
    vector where the factor is zero.  ``factors[k] = (x_k, y_k)`` as {line: value} in the
    part's orientation (transposed parts: ``x`` on columns)."""
    oriented = [_flip(u) for u in units] if structure.transposed else list(units)
    lines = []
    for k in structure.bands:
        x = {i: factors[k][0].get(i, Fraction(0)) for i in oriented[k][0]}
        lines.append(x if any(x.values()) else {i: Fraction(int(n == 0)) for n, i in enumerate(oriented[k][0])})
    cols = oriented[structure.shared][1]
    q = {j: factors[structure.shared][1].get(j, Fraction(0)) for j in cols}
    if not any(q.values()):
        q = {j: Fraction(int(n == 0)) for n, j in enumerate(cols)}
    return lines, q


def _on_line(x: dict[int, Fraction], column: dict[int, Fraction]) -> Fraction | None:
    """t with ``column = t·x`` (x ≠ 0), or None."""
    pivot = next(i for i, v in x.items() if v)
    t = column[pivot] / x[pivot]
    return t if all(column[i] == t * x[i] for i in x) else None


def factors_from_witness(units: Sequence[Unit], structure: BandStructure, a: Matrix,
                         lines: Sequence[dict[int, Fraction]], q: dict[int, Fraction]
                         ) -> list[tuple[dict[int, Fraction], dict[int, Fraction]]] | None:
    """The factors of the lemma's ⊇ for a target ``a`` (every visible cell) at a point of Γ
    (``lines[n]`` for band ``structure.bands[n]``, q), in the part's orientation; None when
    (a) or (b) fails (the point is not in Γ).  Exact rationals."""
    oriented, at = _orient(units, a, structure)
    cols_g = oriented[structure.shared][1]
    norm = sum(v * v for v in q.values())
    if norm == 0:
        return None
    factors: dict[int, tuple[dict[int, Fraction], dict[int, Fraction]]] = {}
    x_g: dict[int, Fraction] = {}
    for k, x in zip(structure.bands, lines):
        rows, cols = oriented[k]
        if not any(x.values()):
            return None
        y: dict[int, Fraction] = {}
        for j in cols:
            if j in q:
                continue
            t = _on_line(x, {i: at[(i, j)] for i in rows})  # (a)
            if t is None:
                return None
            y[j] = t
        w = {i: sum((at[(i, j)] * q[j] for j in cols_g), Fraction(0)) / norm for i in rows}
        for j in cols_g:
            t = _on_line(x, {i: at[(i, j)] - w[i] * q[j] for i in rows})  # (b)
            if t is None:
                return None
            y[j] = t
        factors[k] = (dict(x), y)
        x_g.update(w)
    factors[structure.shared] = (x_g, dict(q))
    return [factors[k] for k in range(len(oriented))]
