"""Certify a spurious local minimum of ``L(X, Y) = ‖A − X Yᵀ‖²_F`` (``docs/theory.md`` §8).

A candidate (a float point where a local run stopped, above the best loss seen) becomes
a certificate in four steps:

1. **Slice.** For every non-empty unit k, one entry of ``X[:, k]`` or ``Y[:, k]`` (the
   largest in absolute value at the candidate) is fixed to a nonzero dyadic value ``c_k``; the other
   free entries are the slice coordinates.  The candidate is first moved along its
   column-scaling orbit so that it lies on the slice (L is constant on the orbit).
   *Slice lemma*: a local minimum of L on the slice is a local minimum of L.
2. **Newton** on the slice (floats) polishes the point to a center ``c`` (rounded to
   dyadic rationals) and gives the preconditioner ``C ≈ H(c)⁻¹``.
3. **Krawczyk and the Hessian, in arb ball arithmetic** (python-flint).  On the box
   ``B = c + [−ρ, ρ]^d``: ``K(B) = c − C g(c) + (Id − C H(B))(B − c)`` lies in the
   interior of B (so the slice gradient g has exactly one zero ``θ*`` in B, Krawczyk's
   theorem; C is checked nonsingular exactly), the interval LDLᵀ of ``H(B)`` has positive pivots (every Hessian on B is
   positive definite, so ``θ*`` is the strict minimum of L on B and a strict local
   minimum on the slice), and a lower bound ``ℓ`` of L on B.
4. **A lower point.** A rational point ``(X, Y)`` respecting the supports whose loss,
   computed exactly with ``Fraction``, is below ``ℓ``: then ``L(θ*) ≥ ℓ > L(X, Y) ≥ inf L``
   and the minimum is spurious.

Every ball computation encloses the exact quantity (arb's guarantee); arb rounds radii
up, which only enlarges the enclosures, and every containment is tested against the
exact rational box.  :mod:`closure_check.verifier.landscape` re-checks the certificate
with its own rational interval arithmetic.

References
----------
R. Krawczyk, *Newton-Algorithmen zur Bestimmung von Nullstellen mit Fehlerschranken*,
Computing 4 (1969) 187–201; R. E. Moore, *A test for existence of solutions to nonlinear
systems*, SIAM J. Numer. Anal. 14 (1977) 611–615 (the form used: K(B) ⊆ int B ⇒ a unique
zero in B).  F. Johansson, *Arb: efficient arbitrary-precision midpoint-radius interval
arithmetic*, IEEE Trans. Comput. 66 (2017) 1281–1292.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from closure_check.landscape.loss import (
    Entry,
    Parameters,
    exact_loss,
    gradient,
    hessian,
    residual,
)

__all__ = ["RADII", "CertificationFailed", "SpuriousMinimum", "certify_minimum", "choose_slice", "shear_pairs"]

RADII = tuple(Fraction(1, 2**e) for e in (10, 16, 22, 30, 40))
"""Box half-widths tried, largest first (a larger box is as good and verifies as fast)."""
PRECISION = 128
"""arb working precision in bits."""
NEWTON_STEPS = 60
SLICE_DENOMINATOR = 2**20
"""Fixed slice values are rounded to this denominator (any nonzero value is a valid slice)."""


class CertificationFailed(Exception):
    """The candidate could not be certified; the message says which step failed and why."""


@dataclass(frozen=True)
class SpuriousMinimum:
    """A certified spurious local minimum (``docs/theory.md`` §8, "Spurious-minimum certificate").

    Attributes
    ----------
    target
        ``A`` as rationals (m×n).
    fixed
        The slice: ``(entry, value)`` for one entry of X or Y per non-empty unit, value ≠ 0.
    variables
        The slice coordinates (the other free entries), in the order of the box.
    center, radius
        The box ``B = center ± radius`` (dyadic rationals), one interval per variable.
    preconditioner
        The matrix ``C`` of the Krawczyk operator (dyadic rationals).
    loss_bounds
        An enclosure ``[ℓ, u]`` of L on B (arb, rounded outwards to rationals).
    smallest_pivot
        A lower bound of the smallest LDLᵀ pivot of the slice Hessian on B (> 0).
    lower_point
        ``(entry, value)`` for every free entry of a point with ``lower_loss < ℓ``.
    lower_loss
        Its loss, exactly.
    orbit_dimension
        The number of non-empty units (the dimension of the column-scaling orbit).
    shears
        ``(X[i, l], k)``: entries fixed to 0 to quotient the shear of the crossed pair
        (k, l) (``docs/theory.md`` §8, shear lemma); ``i`` is the row of k's fixed entry.
    approximate_loss
        L at the float center (for display only).
    """

    target: tuple[tuple[Fraction, ...], ...]
    fixed: tuple[tuple[Entry, Fraction], ...]
    variables: tuple[Entry, ...]
    center: tuple[Fraction, ...]
    radius: Fraction
    preconditioner: tuple[tuple[Fraction, ...], ...]
    loss_bounds: tuple[Fraction, Fraction]
    smallest_pivot: Fraction
    lower_point: tuple[tuple[Entry, Fraction], ...]
    lower_loss: Fraction
    orbit_dimension: int
    approximate_loss: float
    shears: tuple[tuple[Entry, int], ...] = ()


# ----------------------------------------------------------------------------- slice


def _units(params: Parameters) -> list[int]:
    """The non-empty units: those with at least one free entry in X and one in Y."""
    xs = {k for side, _, k in params.entries if side == "X"}
    ys = {k for side, _, k in params.entries if side == "Y"}
    return sorted(xs & ys)


def _rectangles(params: Parameters) -> dict[int, tuple[frozenset[int], frozenset[int]]]:
    rows: dict[int, set[int]] = {}
    cols: dict[int, set[int]] = {}
    for side, i, k in params.entries:
        (rows if side == "X" else cols).setdefault(k, set()).add(i)
    return {k: (frozenset(rows[k]), frozenset(cols[k])) for k in _units(params)}


def shear_pairs(params: Parameters) -> dict[int, int]:
    """``{outer l: inner k}`` for the shears the slice quotients (``docs/theory.md`` §8, shear lemma).

    The pair (k, l) is *crossed* when ``R_k ⊆ R_l``, ``C_l ⊆ C_k`` and the rectangles
    differ: then ``X[:,l] += a X[:,k]``, ``Y[:,k] −= a Y[:,l]`` keeps the supports and
    ``X Yᵀ``.  A unit l is sheared when exactly one unit is crossed into it.
    """
    rect = _rectangles(params)
    inner: dict[int, list[int]] = {}
    for k, (Rk, Ck) in rect.items():
        for l, (Rl, Cl) in rect.items():
            if k != l and Rk <= Rl and Cl <= Ck and (Rk, Ck) != (Rl, Cl):
                inner.setdefault(l, []).append(k)
    return {l: ks[0] for l, ks in inner.items() if len(ks) == 1}


def choose_slice(params: Parameters, theta: np.ndarray) -> tuple[np.ndarray, dict[int, Fraction], dict[int, int]]:
    """Normalise θ onto a slice; return the moved point, the fixed entries and the shears.

    Units are processed inner first (by ``(|R|, −|C|)``).  A unit l sheared from k first
    gets ``X[:,l] += a X[:,k]``, ``Y[:,k] −= a Y[:,l]`` with a making ``X[i_k, l] = 0``
    (``i_k`` the row of k's fixed entry); then every unit is scaled so that its largest
    entry (of X for a unit that is sheared into another, else of X or Y) takes a nonzero
    dyadic value.  Each move leaves L unchanged.  Returns the moved point,
    ``{parameter index: fixed value}`` (shear entries fixed to 0) and
    ``{shear entry index: inner unit}``.
    """
    theta = np.array(theta, dtype=float)
    index = {entry: position for position, entry in enumerate(params.entries)}
    rect = _rectangles(params)
    shears = shear_pairs(params)
    inner_units = set(shears.values())
    fixed: dict[int, Fraction] = {}
    row_of: dict[int, int] = {}
    shear_entries: dict[int, int] = {}
    for u in sorted(rect, key=lambda k: (len(rect[k][0]), -len(rect[k][1]), k)):
        if u in shears:
            k = shears[u]
            i = row_of[k]
            a = -theta[index[("X", i, u)]] / theta[index[("X", i, k)]]
            for row in rect[k][0]:
                theta[index[("X", row, u)]] += a * theta[index[("X", row, k)]]
            for col in rect[u][1]:
                theta[index[("Y", col, k)]] -= a * theta[index[("Y", col, u)]]
            theta[index[("X", i, u)]] = 0.0
            fixed[index[("X", i, u)]] = Fraction(0)
            shear_entries[index[("X", i, u)]] = k
        entries = [position for position, (side, _, unit) in enumerate(params.entries)
                   if unit == u and (side == "X" or u not in inner_units) and position not in fixed]
        best = max(entries, key=lambda position: abs(theta[position]))
        if abs(theta[best]) < 1e-8:
            raise CertificationFailed(f"unit {u} is ≈ 0 at the candidate: no transversal slice there")
        value = Fraction(round(theta[best] * SLICE_DENOMINATOR), SLICE_DENOMINATOR) or Fraction(1, SLICE_DENOMINATOR)
        scale = float(value) / theta[best]
        side = params.entries[best][0]
        for position, (entry_side, _, unit) in enumerate(params.entries):
            if unit == u:
                theta[position] *= scale if entry_side == side else 1.0 / scale
        fixed[best] = value
        if side == "X":
            row_of[u] = params.entries[best][1]
    return theta, fixed, shear_entries


# ----------------------------------------------------------------------------- numerics


def _full(params: Parameters, free: Sequence[int], fixed: dict[int, Any], values: Sequence[Any]) -> list[Any]:
    out: list[Any] = [None] * params.size
    for index, value in fixed.items():
        out[index] = value
    for index, value in zip(free, values, strict=True):
        out[index] = value
    return out


def _newton(params: Parameters, A: np.ndarray, free: list[int], fixed: dict[int, Fraction], z: np.ndarray) -> np.ndarray:
    fixed_f = {index: float(value) for index, value in fixed.items()}
    for _ in range(NEWTON_STEPS):
        X, Y = params.matrices(_full(params, free, fixed_f, list(z)))
        g = np.array([gradient(params, A, X, Y)[index] for index in free], dtype=float)
        H = np.array(hessian(params, A, X, Y, free), dtype=float)
        if np.linalg.norm(g) < 1e-15:
            break
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            raise CertificationFailed("the slice Hessian is singular at the candidate") from None
        z = z - step
        if np.linalg.norm(step) < 1e-16 * max(1.0, np.linalg.norm(z)):
            break
    return z


# ----------------------------------------------------------------------------- lower point


def _rounded(point: np.ndarray, denominator: int) -> tuple[Fraction, ...]:
    return tuple(Fraction(round(float(v) * denominator), denominator) for v in point)


def _simplest_below(params: Parameters, target, choices, bound: Fraction) -> tuple[tuple[Fraction, ...], Fraction]:
    """The first of ``choices`` (coarsest rounding first) whose exact loss is below ``bound``."""
    best = None
    for choice in choices:
        X, Y = params.matrices(choice)
        value = exact_loss(target, X, Y)
        if value < bound:
            return choice, value
        best = value if best is None else min(best, value)
    raise CertificationFailed(
        f"the lower point's loss {float(best):.6g} is not below the box's lower bound {float(bound):.6g}: "
        "the minimum may be global"
    )


# ----------------------------------------------------------------------------- arb


def _to_fraction(exact: Any) -> Fraction:
    mantissa, exponent = exact.mid().man_exp()
    mantissa, exponent = int(mantissa), int(exponent)
    return Fraction(mantissa * 2**exponent) if exponent >= 0 else Fraction(mantissa, 2**-exponent)


def _ball(value: Fraction) -> Any:
    from flint import arb, fmpq

    return arb(fmpq(value.numerator, value.denominator))


def _fmpq_det(C: tuple[tuple[Fraction, ...], ...]) -> Any:
    """``det C`` exactly (python-flint ``fmpq_mat``)."""
    from flint import fmpq, fmpq_mat

    return fmpq_mat([[fmpq(v.numerator, v.denominator) for v in row] for row in C]).det()


def _ldl_pivots(H: list[list[Any]]) -> list[Any]:
    """The pivots ``d_j`` of ``H = L D Lᵀ`` (no square roots), in the ring of the entries."""
    size = len(H)
    L = [[None] * size for _ in range(size)]
    d: list[Any] = []
    for j in range(size):
        dj = H[j][j] - sum((L[j][k] * L[j][k] * d[k] for k in range(j)), 0)
        if not dj > 0:
            return d + [dj]
        d.append(dj)
        for i in range(j + 1, size):
            L[i][j] = (H[i][j] - sum((L[i][k] * L[j][k] * d[k] for k in range(j)), 0)) / dj
    return d


def _krawczyk(params, A_ball, free, fixed_ball, center, C, radius) -> tuple[bool, list[Any]]:
    from flint import arb

    size = len(free)
    c_ball = [_ball(value) for value in center]
    X, Y = params.matrices(_full(params, free, fixed_ball, c_ball))
    g_all = gradient(params, A_ball, X, Y)
    g = [g_all[index] for index in free]
    box = [arb(_ball(value).mid(), _ball(radius).mid()) for value in center]
    BX, BY = params.matrices(_full(params, free, fixed_ball, box))
    H = hessian(params, A_ball, BX, BY, free)
    C_ball = [[_ball(value) for value in row] for row in C]
    delta = arb(0, _ball(radius).mid())
    inside = True
    for i in range(size):
        value = c_ball[i] - sum((C_ball[i][j] * g[j] for j in range(size)), 0)
        for j in range(size):
            entry = (1 if i == j else 0) - sum((C_ball[i][l] * H[l][j] for l in range(size)), 0)
            value += entry * delta
        if not (value > _ball(center[i] - radius) and value < _ball(center[i] + radius)):
            inside = False
            break
    return inside, H


def _loss_bounds(params, A_ball, free, fixed_ball, center, radius) -> tuple[Fraction, Fraction]:
    from flint import arb

    box = [arb(_ball(value).mid(), _ball(radius).mid()) for value in center]
    X, Y = params.matrices(_full(params, free, fixed_ball, box))
    low = arb(0)
    high = arb(0)
    for row in residual(A_ball, X, Y):
        for value in row:
            lo, hi = value.abs_lower(), value.abs_upper()
            low += lo * lo
            high += hi * hi
    return _to_fraction(low.lower()), _to_fraction(high.upper())


def certify_minimum(
    params: Parameters,
    target: Sequence[Sequence[Fraction]],
    candidate: np.ndarray,
    lower_point: np.ndarray,
) -> SpuriousMinimum:
    """Certify that L has a spurious local minimum near ``candidate`` (float parameters).

    Parameters
    ----------
    params
        The free entries of the support.
    target
        ``A``, exact rationals.
    candidate
        A float point where a local method stopped (one value per entry of ``params``).
    lower_point
        A float point of lower loss; it is read exactly (floats are dyadic rationals)
        and its loss computed in ``Fraction``.

    Raises
    ------
    CertificationFailed
        With the step that failed: no transversal slice, a singular or indefinite slice
        Hessian (a non-strict minimum, a saddle, or a symmetry beyond the column
        scalings), Krawczyk's test failing on every box, or no lower point below the box.
    """
    import flint

    A = np.array([[float(v) for v in row] for row in target])
    theta, fixed, shears = choose_slice(params, candidate)
    free = [index for index in range(params.size) if index not in fixed]
    z = _newton(params, A, free, fixed, theta[free])
    fixed_f = {index: float(value) for index, value in fixed.items()}
    X, Y = params.matrices(_full(params, free, fixed_f, list(z)))
    H = np.array(hessian(params, A, X, Y, free), dtype=float)
    eigenvalues = np.linalg.eigvalsh(H) if free else np.array([1.0])
    if eigenvalues[0] <= 1e-9 * max(1.0, abs(eigenvalues[-1])):
        raise CertificationFailed(
            f"the slice Hessian is not positive definite at the stationary point (smallest eigenvalue "
            f"{eigenvalues[0]:.3g}): a non-strict minimum, a saddle, or a symmetry beyond the column scalings"
        )
    approximate = float(np.sum((np.array(X) @ np.array(Y).T - A) ** 2))
    center = tuple(Fraction(float(v)) for v in z)
    C = tuple(tuple(Fraction(float(v)) for v in row) for row in np.linalg.inv(H))
    if free and _fmpq_det(C) == 0:
        raise CertificationFailed("the rounded Krawczyk preconditioner is singular")
    lower_choices = [_rounded(lower_point, 2**e) for e in range(0, 31, 2)] + [tuple(Fraction(float(v)) for v in lower_point)]
    old = flint.ctx.prec
    flint.ctx.prec = PRECISION
    try:
        A_ball = [[_ball(Fraction(v)) for v in row] for row in target]
        fixed_ball = {index: _ball(value) for index, value in fixed.items()}
        for radius in RADII:
            inside, H_box = _krawczyk(params, A_ball, free, fixed_ball, center, C, radius)
            if not inside:
                continue
            pivots = _ldl_pivots(H_box)
            if len(pivots) != len(free) or not all(p > 0 for p in pivots):
                continue
            bounds = _loss_bounds(params, A_ball, free, fixed_ball, center, radius)
            lower, lower_loss = _simplest_below(params, target, lower_choices, bounds[0])
            smallest = min(_to_fraction(p.lower()) for p in pivots) if pivots else Fraction(1)
            return SpuriousMinimum(
                target=tuple(tuple(Fraction(v) for v in row) for row in target),
                fixed=tuple((params.entries[index], value) for index, value in sorted(fixed.items())
                            if index not in shears),
                shears=tuple((params.entries[index], k) for index, k in sorted(shears.items())),
                variables=tuple(params.entries[index] for index in free),
                center=center,
                radius=radius,
                preconditioner=C,
                loss_bounds=bounds,
                smallest_pivot=smallest,
                lower_point=tuple(zip(params.entries, lower)),
                lower_loss=lower_loss,
                orbit_dimension=len(_units(params)),
                approximate_loss=approximate,
            )
    finally:
        flint.ctx.prec = old
    raise CertificationFailed(
        "Krawczyk's test or the positive-definiteness test failed on every box (half-widths 2^-10 … 2^-40)"
    )
