"""Hub-row lemma: one full unit and two-row units through a hub row fill the box (``docs/theory.md`` §4).

*Hub-row lemma.*  Let a part's rectangles lie in the box ``R × C`` and include

* a unit ``F = R × C`` (the whole box), and
* for each row ``r ≠ s`` of R (s a fixed *hub* row) its own unit ``U_r = {r, s} × C_r``
  missing at most one column: ``C ∖ C_r ⊆ {c_r}``.

Then every matrix on ``R × C`` is a product ``Σ_k x_k y_kᵀ`` of the part (the other units
set to zero), so the part's set -- its projection onto the visible cells -- is the whole
space, closed.  The same with rows and columns exchanged.

*Proof* (constructive; :func:`hub_row_factors` carries it out exactly).  Write ``A_t``
for row t of A, ``N`` for the rows r with a missing column and ``a_r = A[r, c_r] ≠ 0``.
For ``α ∈ ℝ^{R∖{s}}`` put ``w(α) = A_s − Σ_r α_r A_r``.  Its entry ``w_{c_r}(α)`` is affine
in α with coefficient ``−a_r ≠ 0`` on ``α_r`` (r ∈ N), so ``f = Π_{r∈N} w_{c_r}`` is a nonzero
polynomial of degree ≤ k = |R| − 1 in each variable, and does not vanish on the grid
``{0, …, k}^{R∖{s}}`` (a nonzero polynomial of degree ≤ d in each variable does not vanish
on ``S^n`` with ``|S| = d + 1``: induction on n, [Alon 1999, Lemma 2.1]).  Take α on the
grid with ``f(α) ≠ 0`` and ``w = w(α)``;

* ``F``:  ``y = w``, ``x_r = a_r / w_{c_r}`` (r ∈ N), ``x_r = 0`` (r ∉ N),
  ``x_s = 1 + Σ_r α_r x_r``;
* ``U_r``: ``x = e_r + α_r e_s``, ``y = B_r = A_r − x_r w``.

``B_r`` vanishes at ``c_r`` (``a_r − x_r w_{c_r} = 0``, also when r ∉ N), so ``U_r``'s factors
lie in its rectangle.  Row r of the sum is ``x_r w + B_r = A_r``; row s is
``x_s w + Σ_r α_r B_r = w + Σ_r α_r A_r = A_s``.  ∎

This decides the 3×4 pattern ``I=101/011/111 J=101/011/111/111`` (s = 2, ``c_0 = 1``,
``c_1 = 0``), whose generic Jacobian rank 12 left only the degenerate targets open.

>>> layout = hub_row_layout([((0, 2), (0, 2, 3)), ((1, 2), (1, 2, 3)), ((0, 1, 2), (0, 1, 2, 3))])
>>> layout.hub, layout.lines, layout.transposed
(2, ((0, 0), (1, 1)), False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import product
from typing import Any

__all__ = ["HubRowLayout", "hub_row_factors", "hub_row_layout"]

Unit = tuple[tuple[int, ...], tuple[int, ...]]
Cell = tuple[int, int]
Factor = tuple[dict[int, Fraction], dict[int, Fraction]]
"""One unit's (x, y) as sparse vectors {row: value}, {column: value} (zeros omitted)."""


@dataclass(frozen=True)
class HubRowLayout:
    """Where the lemma's units sit: ``full`` the index of F, ``hub`` the row s, ``lines`` the
    pairs (row r, index of U_r), in the part's own coordinates when ``transposed`` is False
    (rows and columns exchanged otherwise); ``rows``, ``cols`` the box."""

    transposed: bool
    full: int
    hub: int
    lines: tuple[tuple[int, int], ...]
    rows: tuple[int, ...]
    cols: tuple[int, ...]

    def as_json(self, units: Sequence[Unit]) -> dict[str, Any]:
        """The proof as the certificate carries it (``hub_rows``; re-checked by
        :mod:`closure_check.verifier.hub_row`): the part's units and the layout."""
        return {"units": [[list(r), list(c)] for r, c in units], "transposed": self.transposed, "full": self.full,
                "hub": self.hub, "lines": [list(line) for line in self.lines]}

    def text(self) -> str:
        line, other = ("column", "row") if self.transposed else ("row", "column")
        owners = ", ".join(f"{line} {r}: unit {u}" for r, u in self.lines)
        return (f"unit {self.full} covers the {len(self.rows)}×{len(self.cols)} box and every other {line} r has its own "
                f"unit on {line}s {{r, {self.hub}}} missing at most one {other} ({owners}): every matrix on the box "
                f"is a product")


def _layout(units: Sequence[Unit]) -> HubRowLayout | None:
    units = [(tuple(sorted(r)), tuple(sorted(c))) for r, c in units]
    rows = tuple(sorted({i for r, _ in units for i in r}))
    cols = tuple(sorted({j for _, c in units for j in c}))
    full = next((k for k, (r, c) in enumerate(units) if r == rows and c == cols), None)
    if full is None:
        return None
    for hub in rows:
        lines: list[tuple[int, int]] = []
        for row in rows:
            if row == hub:
                continue
            pair = tuple(sorted((row, hub)))
            owner = next((k for k, (r, c) in enumerate(units)
                          if k != full and r == pair and len(cols) - len(c) <= 1), None)
            if owner is None:
                break
            lines.append((row, owner))
        else:
            return HubRowLayout(False, full, hub, tuple(lines), rows, cols)
    return None


def hub_row_layout(units: Sequence[Unit]) -> HubRowLayout | None:
    """The hub-row lemma's layout among ``units`` (rows first, then transposed), or None."""
    found = _layout(units)
    if found is not None:
        return found
    found = _layout([(c, r) for r, c in units])
    if found is None:
        return None
    return replace(found, transposed=True)


def hub_row_factors(layout: HubRowLayout, units: Sequence[Unit], target: Mapping[Cell, Fraction]) -> list[Factor]:
    """Exact factors ``(x_k, y_k)`` of every unit with ``Σ_k x_k y_kᵀ = target`` on the box
    (the lemma's proof; units outside the layout get zero factors).  ``target`` maps cells
    ``(row, column)`` of the part to rationals; cells absent are 0."""
    if layout.transposed:
        swapped = hub_row_factors(replace(layout, transposed=False), [(c, r) for r, c in units],
                                  {(j, i): v for (i, j), v in target.items()})
        return [(y, x) for x, y in swapped]
    a = {(i, j): Fraction(target.get((i, j), 0)) for i in layout.rows for j in layout.cols}
    missing = {row: next(iter(set(layout.cols) - set(units[k][1])), None) for row, k in layout.lines}
    others = [row for row, _ in layout.lines]
    for alpha_values in product(range(len(others) + 1), repeat=len(others)):
        alpha = dict(zip(others, (Fraction(v) for v in alpha_values)))
        w = {j: a[layout.hub, j] - sum(alpha[r] * a[r, j] for r in others) for j in layout.cols}
        if all(c is None or a[r, c] == 0 or w[c] != 0 for r, c in missing.items()):
            break
    else:  # unreachable by the lemma (grid argument); kept as a guard, never a wrong answer
        raise ArithmeticError("no grid point avoids the zero set: the hub-row lemma's proof failed")
    xf = {r: (a[r, c] / w[c] if c is not None and a[r, c] != 0 else Fraction(0)) for r, c in missing.items()}
    xf[layout.hub] = 1 + sum(alpha[r] * xf[r] for r in others)
    factors: list[Factor] = [({}, {}) for _ in units]
    factors[layout.full] = (_nonzero(xf), _nonzero(w))
    for row, k in layout.lines:
        factors[k] = (_nonzero({row: Fraction(1), layout.hub: alpha[row]}),
                      _nonzero({j: a[row, j] - xf[row] * w[j] for j in layout.cols}))
    return factors


def _nonzero(vector: dict[int, Fraction]) -> dict[int, Fraction]:
    return {i: v for i, v in vector.items() if v != 0}
