"""Does training a sparse ReLU network always have an optimum?  Answers with proofs.

For a :class:`~closure_check.networks.spec.ReluSpec` the question is: for **every** finite data
set ``(x_i, y_i)``, does the square loss ``Σ_i ‖f_θ(x_i) − y_i‖²`` attain its infimum over
the parameters θ (weights respecting the supports, free biases in the layers that have
them)?  ``docs/theory.md §7`` states every result used here, with its proof or source.

* **YES** -- two layers, scalar output, biases in both layers [seed Thm IV; NeurIPS]; and two
  layers with biases whose hidden neurons each feed at most one output (*output-disjoint
  lemma*: the loss splits into scalar-output problems on disjoint parameters).
* **NO** -- when the linear chain ``P = P_{I_L..I_1}`` is not closed.  From the chain
  certificate (a Laurent curve ``W(t)`` whose product tends to ``A ∉ P``) the module builds
  a finite data set ``y_i = A x_i`` and a parameter sequence with loss → 0 and ‖θ‖ → ∞;
  0 is not attained by the *counterexample theorem*.  Everything is exact rationals and
  :func:`check_counterexample` re-derives it.  The theorem needs the curve on the
  network's own layers (one factor per layer, each respecting its support): a curve of
  the reduced chain (after a full-pair merge) is first lifted by the fixed-factor lift
  (:func:`closure_check.chains.reduce.lift_curve`); when that fails the answer is a NO
  without a written-out data set or sequence (A is in the closure of P and not in P:
  seed Theorem VI, and the curve-free form of the counterexample theorem).
* **OPEN** -- P closed: the necessary condition holds [seed Thm V–VI]; no theorem known
  here gives sufficiency.
* **UNKNOWN** -- the chain check left P undecided (or a counterexample failed its check,
  or the certificate's curve verifies neither on the layers nor on the reduced chain).

The LU-type network ``x ↦ W_2 σ(W_1 x + b_1) + b_2`` with ``W_1`` upper and ``W_2`` lower
triangular, on a hand-built curve (``W_1 = U(t)``, ``W_2 = L(t)``, ``L(t)U(t) → J``, the
anti-identity):

>>> from closure_check.certificates.chain import ChainCurve
>>> from closure_check.core.laurent import Laurent
>>> from closure_check.networks.spec import ReluSpec
>>> one, t, inv = Laurent.constant(1), Laurent.monomial(1), Laurent.monomial(-1)
>>> spec = ReluSpec(layers=([[1, 1], [0, 1]], [[1, 0], [1, 1]]), biases=(True, True))
>>> curve = ChainCurve(
...     factors=({(0, 0): t, (1, 0): one, (1, 1): one}, {(0, 0): one, (0, 1): inv, (1, 1): -inv}),
...     limit={(0, 1): Fraction(1), (1, 0): Fraction(1)},
... )
>>> example = build_counterexample(spec, curve, steps=4)
>>> len(example.inputs), example.pattern_bound, check_counterexample(spec, example)
(9, 4, [])
>>> [str(point_loss(example, p)) for p in example.points]
['204', '51', '51/4', '51/16']
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import combinations, count, pairwise
from math import comb
from typing import Any, Callable, Iterable

from closure_check.certificates.chain import Cell, ChainCurve, ChainNotClosedCertificate
from closure_check.chains.check import check_chain
from closure_check.chains.reduce import (
    ChainReduction,
    ChainReductionError,
    apply_step,
    lift_curve,
)
from closure_check.core.budget import DEFAULT_EFFORT
from closure_check.core.case import Verdict
from closure_check.core.laurent import Laurent
from closure_check.networks.spec import ReluSpec, ReluVerdict
from closure_check.output.certificate_json.two_factor import laurent_json, rational_text
from closure_check.result import CheckResult

__all__ = [
    "AFFINE",
    "LINEAR",
    "ACTIVE_BIASES",
    "SIGN_NORMALISED",
    "CERTIFICATE_CURVE",
    "LIFTED_CURVE",
    "MomentData",
    "ParameterPoint",
    "Counterexample",
    "ReluAnswer",
    "relu_optimum",
    "pattern_bound",
    "data_size",
    "build_counterexample",
    "check_counterexample",
    "forward",
    "weights_at",
    "point_loss",
    "point_norm2",
    "counterexample_json",
]

Vector = tuple[Fraction, ...]
Matrix = tuple[Vector, ...]
LaurentRow = dict[int, Laurent]

AFFINE = "affine"
"""General position of the inputs when some layer has a bias: every d+1 affinely independent."""
LINEAR = "linear"
"""General position when no layer has a bias: every d inputs linearly independent."""

ACTIVE_BIASES = "active biases"
"""Construction for networks with a bias in every layer: biases keep every ReLU active."""
SIGN_NORMALISED = "sign-normalised, zero biases"
"""Construction for every other network: hidden neurons flipped in sign, biases 0."""

CERTIFICATE_CURVE = "the chain certificate's curve, on the network's layers"
"""The counterexample's curve is the chain certificate's own."""
LIFTED_CURVE = "lifted from the reduced chain's curve to the network's layers (fixed-factor lift)"
"""The certificate's curve was on the reduced chain; the counterexample uses its exact lift."""

SEED = "seed talk (Le, Riccietti, Gribonval, 2023)"
NEURIPS = "[NeurIPS] Le, Riccietti, Gribonval, NeurIPS 2023, arXiv:2306.02666"
THEORY = "docs/theory.md §7"

BRUTE_FORCE_SUBSETS = 20_000
"""The checker tests every subset's determinant when there are at most this many subsets."""
MAX_SHIFTS = 64
"""Halvings of the first time tried before giving up on a monotone sample."""


# ----------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class MomentData:
    """Inputs on a moment curve: ``x_i = origin + directions · (s_i, s_i², …, s_i^k)``.

    ``k = d`` for :data:`AFFINE` data, ``k = d − 1`` for :data:`LINEAR` data.  With distinct
    ``s_i`` and an invertible :meth:`frame` the points are in general position: the
    relevant determinants are ``det(frame) ×`` a Vandermonde determinant
    ``Π_{a<b} (s_b − s_a) ≠ 0`` (``docs/theory.md §7``, general-position lemma).
    """

    kind: str
    origin: Vector
    directions: Matrix
    parameters: tuple[Fraction, ...]

    def points(self) -> tuple[Vector, ...]:
        """The inputs ``x_i``, exact."""
        return tuple(self.point(s) for s in self.parameters)

    def point(self, s: Fraction) -> Vector:
        """``origin + directions · (s, s², …, s^k)``."""
        powers = [s**e for e in range(1, len(self.directions[0]) + 1)]
        return tuple(o + _dot(row, powers) for o, row in zip(self.origin, self.directions))

    def frame(self) -> Matrix:
        """The square matrix whose determinant must be nonzero: ``directions`` (affine) or
        ``[origin | directions]`` (linear)."""
        if self.kind == AFFINE:
            return self.directions
        return tuple((o,) + row for o, row in zip(self.origin, self.directions))


@dataclass(frozen=True)
class ParameterPoint:
    """Parameters θ(t): weights ``W_1, …, W_L`` (network order, ``N_ℓ × N_{ℓ-1}``) and biases."""

    t: Fraction
    weights: tuple[Matrix, ...]
    biases: tuple[Vector, ...]


@dataclass(frozen=True)
class Counterexample:
    """A finite data set on which the training problem has no optimum, with its sequence.

    Attributes
    ----------
    construction
        :data:`ACTIVE_BIASES` or :data:`SIGN_NORMALISED`.
    curve
        The Laurent curve, chain order ``(W_L(t), …, W_1(t))``, whose values are the
        weights; its limit A is the matrix the targets come from.
    data
        How the inputs were placed (general position by construction).
    inputs, targets
        ``x_i`` and ``y_i = A x_i``, exact.
    pattern_bound
        Q, the bound on the number of activation patterns on any finite input set.
    horizon
        For :data:`SIGN_NORMALISED`: τ such that for every ``0 < t < τ`` every hidden
        pre-activation on every input is positive or identically 0 (``None`` otherwise:
        the biases make every ReLU active at every t).
    points
        θ(t_k) for k = 1..K, t_k decreasing.
    curve_source
        Where the curve comes from: :data:`CERTIFICATE_CURVE` or :data:`LIFTED_CURVE`
        (metadata; the checker verifies the curve on the layers either way).
    """

    construction: str
    curve: ChainCurve
    data: MomentData
    inputs: tuple[Vector, ...]
    targets: tuple[Vector, ...]
    pattern_bound: int
    horizon: Fraction | None
    points: tuple[ParameterPoint, ...]
    curve_source: str = CERTIFICATE_CURVE

    @property
    def limit(self) -> dict[Cell, Fraction]:
        """Nonzero entries of A."""
        return self.curve.limit


@dataclass(frozen=True)
class ReluAnswer:
    """The answer for one network, with its reasons.

    Attributes
    ----------
    verdict
        YES, NO, OPEN or UNKNOWN.
    reasons
        The argument in words, one sentence per step, each with its citation.
    spec
        The network.
    chain_result
        The verdict on the linear chain, when it was needed.
    counterexample
        For NO: the data set and the sequence (``None`` when it was too large to write
        out; the reasons then say so).
    """

    verdict: ReluVerdict
    reasons: tuple[str, ...]
    spec: ReluSpec
    chain_result: CheckResult | None = None
    counterexample: Counterexample | None = None

    def _repr_markdown_(self) -> str:
        # the writers import this module: imported when Jupyter asks (tests/test_layout.py lists it)
        from closure_check.networks.text import render_answer_markdown

        return render_answer_markdown(self)

    def _repr_latex_(self) -> str:
        from closure_check.networks.text import render_answer_mathjax

        return render_answer_mathjax(self)


# ----------------------------------------------------------------------------- exact linear algebra


def _evaluate(value: Laurent, t: Fraction) -> Fraction:
    """``Σ_e c_e t^e`` at a nonzero rational t, exact."""
    return sum((c * t**e for e, c in value.terms.items()), Fraction(0))


def _matvec(matrix: Matrix, vector: Vector) -> Vector:
    return tuple(sum((a * b for a, b in zip(row, vector)), Fraction(0)) for row in matrix)


def _dot(a: Iterable[Fraction], b: Iterable[Fraction]) -> Fraction:
    return sum((x * y for x, y in zip(a, b)), Fraction(0))


def _det(matrix: list[list[Fraction]]) -> Fraction:
    """Determinant by exact Gaussian elimination."""
    rows = [list(row) for row in matrix]
    result = Fraction(1)
    for col in range(len(rows)):
        pivot = next((r for r in range(col, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            return Fraction(0)
        if pivot != col:
            rows[col], rows[pivot] = rows[pivot], rows[col]
            result = -result
        result *= rows[col][col]
        for r in range(col + 1, len(rows)):
            factor = rows[r][col] / rows[col][col]
            rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col])]
    return result


def _laurent_rows(factor: dict[Cell, Laurent], rows: int) -> list[LaurentRow]:
    result: list[LaurentRow] = [{} for _ in range(rows)]
    for (i, j), value in factor.items():
        result[i][j] = value
    return result


def _multiply(left: dict[Cell, Laurent], right: dict[Cell, Laurent]) -> dict[Cell, Laurent]:
    """Product of two sparse Laurent matrices."""
    by_row: dict[int, list[tuple[int, Laurent]]] = {}
    for (a, b), value in right.items():
        by_row.setdefault(a, []).append((b, value))
    product: dict[Cell, Laurent] = {}
    for (i, k), value in left.items():
        for j, other in by_row.get(k, []):
            product[(i, j)] = product.get((i, j), Laurent()) + value * other
    return {cell: value for cell, value in product.items() if not value.is_zero()}


# ----------------------------------------------------------------------------- the network


def weights_at(spec: ReluSpec, curve: ChainCurve, t: Fraction) -> tuple[Matrix, ...]:
    """``W_1(t), …, W_L(t)``: network layer ℓ is chain factor ``L − ℓ + 1`` (order reversed).

    Raises ``ValueError`` if the curve does not have one factor per layer.
    """
    if len(curve.factors) != spec.depth:
        raise ValueError(f"the curve has {len(curve.factors)} factors for {spec.depth} layers")
    widths = spec.widths
    weights = []
    for layer in range(1, spec.depth + 1):
        factor = curve.factors[spec.depth - layer]
        dense = [[Fraction(0)] * widths[layer - 1] for _ in range(widths[layer])]
        for (i, j), value in factor.items():
            dense[i][j] = _evaluate(value, t)
        weights.append(tuple(tuple(row) for row in dense))
    return tuple(weights)


def forward(weights: tuple[Matrix, ...], biases: tuple[Vector, ...], x: Vector) -> tuple[Vector, tuple[Vector, ...]]:
    """Exact ``f_θ(x)`` (ReLU on rationals) and the hidden pre-activations, layer by layer."""
    hidden = x
    pre_activations = []
    for matrix, bias in zip(weights[:-1], biases[:-1]):
        z = tuple(v + b for v, b in zip(_matvec(matrix, hidden), bias))
        pre_activations.append(z)
        hidden = tuple(max(v, Fraction(0)) for v in z)
    output = tuple(v + b for v, b in zip(_matvec(weights[-1], hidden), biases[-1]))
    return output, tuple(pre_activations)


def point_loss(example: Counterexample, point: ParameterPoint) -> Fraction:
    """Square loss ``Σ_i ‖f_θ(x_i) − y_i‖²`` at θ = ``point``, exact."""
    total = Fraction(0)
    for x, y in zip(example.inputs, example.targets):
        output, _ = forward(point.weights, point.biases, x)
        total += sum((a - b) ** 2 for a, b in zip(output, y))
    return total


def point_norm2(point: ParameterPoint) -> Fraction:
    """``‖θ‖² = Σ_ℓ ‖W_ℓ‖_F² + ‖b_ℓ‖²``, exact."""
    weights = sum((v * v for matrix in point.weights for row in matrix for v in row), Fraction(0))
    return weights + sum((v * v for bias in point.biases for v in bias), Fraction(0))


# ----------------------------------------------------------------------------- data set size


def _regions(hyperplanes: int, dimension: int) -> int:
    """Most regions of ``hyperplanes`` affine hyperplanes in ℝ^dimension: ``Σ_{j≤d} C(n, j)`` [Buck 1943]."""
    return sum(comb(hyperplanes, j) for j in range(min(hyperplanes, dimension) + 1))


def pattern_bound(spec: ReluSpec) -> int:
    """Q: at most Q activation patterns occur on any finite input set, for any θ.

    ``Q = Π_{ℓ=1}^{L-1} R(N_ℓ, r_ℓ)`` with ``R(n, r) = Σ_{j=0}^{r} C(n, j)`` and
    ``r_ℓ = min(d, N_1, …, N_{ℓ-1})``; ``Q ≤ 2^H`` (pattern-count lemma,
    ``docs/theory.md §7``).
    """
    rank, bound = spec.widths[0], 1
    for width in spec.widths[1:-1]:
        bound *= _regions(width, rank)
        rank = min(rank, width)
    return bound


def data_kind(spec: ReluSpec) -> str:
    """:data:`AFFINE` if some layer has a bias (the network is affine on each pattern), else :data:`LINEAR`."""
    return AFFINE if any(spec.biases) else LINEAR


def independent_count(d: int, kind: str) -> int:
    """How many inputs in ℚ^d the data set keeps in general position: every ``d + 1`` affinely
    independent (:data:`AFFINE`), every ``d`` linearly independent (:data:`LINEAR`)."""
    return d + 1 if kind == AFFINE else d


def data_size(spec: ReluSpec) -> int:
    """Inputs needed by the counterexample theorem: ``Q·d + 1`` (affine) or ``Q·(d−1) + 1`` (linear)."""
    return pattern_bound(spec) * (independent_count(spec.widths[0], data_kind(spec)) - 1) + 1


def _moment(kind: str, origin: Vector, scale: Fraction, size: int) -> MomentData:
    """``size`` inputs ``origin + scale·(s, …, s^k)`` on coordinates (affine: all d; linear: 2..d)."""
    d = len(origin)
    k = d if kind == AFFINE else d - 1
    shift = 0 if kind == AFFINE else 1
    directions = tuple(
        tuple(scale if row == col + shift else Fraction(0) for col in range(k)) for row in range(d)
    )
    return MomentData(kind, origin, directions, tuple(Fraction(s) for s in range(size)))


# ----------------------------------------------------------------------------- the construction


def _targets(limit: dict[Cell, Fraction], rows: int, inputs: tuple[Vector, ...]) -> tuple[Vector, ...]:
    matrix = [[Fraction(0)] * len(inputs[0]) for _ in range(rows)]
    for (i, j), value in limit.items():
        matrix[i][j] = Fraction(value)
    return tuple(_matvec(tuple(map(tuple, matrix)), x) for x in inputs)


def _active_biases(weights: tuple[Matrix, ...], inputs: tuple[Vector, ...]) -> tuple[Vector, ...]:
    """Biases with every hidden pre-activation ≥ 1 on the inputs, and ``b_L`` cancelling the offset.

    ``b_ℓ[j] = 1 − min_i (W_ℓ h_{ℓ−1}(x_i))_j``; every ReLU is then the identity on the data,
    ``h_{L−1}(x) = G x + c`` with ``c = W_{L−1}(⋯(W_1·0 + b_1)⋯) + b_{L−1}``, and
    ``b_L = −W_L c`` leaves ``f_θ(x_i) = W_L ⋯ W_1 x_i``.
    """
    hidden, offset, biases = list(inputs), tuple(Fraction(0) for _ in inputs[0]), []
    for matrix in weights[:-1]:
        raw = [_matvec(matrix, h) for h in hidden]
        bias = tuple(1 - min(column) for column in zip(*raw))
        biases.append(bias)
        hidden = [tuple(v + b for v, b in zip(r, bias)) for r in raw]
        offset = tuple(v + b for v, b in zip(_matvec(matrix, offset), bias))
    biases.append(tuple(-v for v in _matvec(weights[-1], offset)))
    return tuple(biases)


def _hidden_products(spec: ReluSpec, curve: ChainCurve) -> list[list[LaurentRow]]:
    """Rows of ``G_ℓ(t) = W_ℓ(t) ⋯ W_1(t)`` for the hidden layers ℓ = 1..L−1."""
    product: dict[Cell, Laurent] = dict(curve.factors[-1])
    layers = [_laurent_rows(product, spec.widths[1])]
    for layer in range(2, spec.depth):
        product = _multiply(curve.factors[spec.depth - layer], product)
        layers.append(_laurent_rows(product, spec.widths[layer]))
    return layers


def _lead(row: LaurentRow, d: int) -> Vector | None:
    """Coefficient vector of the lowest power of t in a row (``None`` for a zero row)."""
    exponents = [value.min_exponent() for value in row.values() if not value.is_zero()]
    if not exponents:
        return None
    e = min(exponents)
    return tuple(row[j].coefficient(e) if j in row else Fraction(0) for j in range(d))


def _cone_point(leads: list[Vector], d: int) -> Vector:
    """A rational x₀ with ``⟨c, x₀⟩ ≠ 0`` for every lead vector c.

    Each ``⟨c, (1, u, …, u^{d−1})⟩`` is a nonzero polynomial in u of degree < d, so among
    ``u = 0 .. len(leads)·(d−1)`` one u avoids all their roots.
    """
    candidates = (tuple(Fraction(u) ** e for e in range(d)) for u in count())
    return next(point for point in candidates if all(_dot(c, point) != 0 for c in leads))


def _flip(curve: ChainCurve, depth: int, flips: list[tuple[int, int]]) -> ChainCurve:
    """Negate, for each hidden neuron (ℓ, j), row j of ``W_ℓ`` and column j of ``W_{ℓ+1}``.

    The product ``W_L ⋯ W_1`` and the supports are unchanged; the pre-activation of (ℓ, j)
    changes sign.
    """
    factors = [dict(factor) for factor in curve.factors]
    for layer, j in flips:
        mine, after = factors[depth - layer], factors[depth - layer - 1]
        for cell in [c for c in mine if c[0] == j]:
            mine[cell] = -mine[cell]
        for cell in [c for c in after if c[1] == j]:
            after[cell] = -after[cell]
    return ChainCurve(factors=tuple(factors), limit=dict(curve.limit))


def _positive_until(poly: Laurent) -> Fraction:
    """τ ≤ 1 with ``poly(t) > 0`` on (0, τ), for a poly with positive lowest coefficient a.

    ``t^{−e₀} poly(t) ≥ a − t Σ_{e>e₀} |c_e|`` for ``0 < t ≤ 1``.
    """
    lowest = poly.min_exponent()
    rest = sum((abs(c) for e, c in poly.terms.items() if e != lowest), Fraction(0))
    return min(Fraction(1), poly.coefficient(lowest) / rest) if rest else Fraction(1)


def _pre_activation(row: LaurentRow, x: Vector) -> Laurent:
    """``Σ_j G[j] x_j`` as a Laurent polynomial in t."""
    return sum((value * x[j] for j, value in row.items()), Laurent())


def _horizon(hidden: list[list[LaurentRow]], inputs: tuple[Vector, ...]) -> Fraction:
    """Least τ of :func:`_positive_until` over the nonzero pre-activations of hidden neurons on the inputs."""
    polys = (_pre_activation(row, x) for rows in hidden for row in rows for x in inputs)
    return min((_positive_until(p) for p in polys if not p.is_zero()), default=Fraction(1))


def _sign_normalise(spec: ReluSpec, curve: ChainCurve, size: int) -> tuple[ChainCurve, MomentData]:
    """Flip hidden neurons and place the inputs in the open cone where every lead is positive."""
    d = spec.widths[0]
    leads = [
        (layer, j, lead)
        for layer, rows in enumerate(_hidden_products(spec, curve), start=1)
        for j, row in enumerate(rows)
        if (lead := _lead(row, d)) is not None
    ]
    origin = _cone_point([c for _, _, c in leads], d)
    flips = [(layer, j) for layer, j, c in leads if _dot(c, origin) < 0]
    unit = _moment(data_kind(spec), origin, Fraction(1), size)
    spreads = [
        abs(_dot(c, origin)) / (2 * spread)
        for _, _, c in leads
        if (spread := max(abs(_dot(c, x) - _dot(c, origin)) for x in unit.points())) > 0
    ]
    return _flip(curve, spec.depth, flips), _moment(data_kind(spec), origin, min(spreads, default=Fraction(1)), size)


def _monotone(values: list[Fraction], increasing: bool) -> bool:
    return all((b > a) if increasing else (b < a) for a, b in pairwise(values))


def _sequence(
    first: Fraction, steps: int, make: Callable[[Fraction], ParameterPoint], measure: Callable[[ParameterPoint], Fraction]
) -> tuple[ParameterPoint, ...]:
    """θ(t_k), ``t_k = first·2^{−s−k+1}``, for the least s ≥ 0 giving a strictly decreasing loss
    and a strictly increasing ‖θ‖² (both hold for all small t: ``docs/theory.md §7``)."""
    for shift in range(MAX_SHIFTS):
        points = tuple(make(first / 2 ** (shift + k)) for k in range(steps))
        if _monotone([measure(p) for p in points], False) and _monotone([point_norm2(p) for p in points], True):
            return points
    raise ValueError(f"no monotone sample of {steps} steps below t = {first / 2 ** MAX_SHIFTS}")


def build_counterexample(spec: ReluSpec, curve: ChainCurve, steps: int = 6) -> Counterexample:
    """A data set with no optimal network, and a sequence whose loss tends to its infimum 0.

    Parameters
    ----------
    spec
        The network.
    curve
        A Laurent curve on ``spec.chain()`` whose product tends to ``A ∉ P`` (as in a
        :class:`~closure_check.certificates.chain.ChainNotClosedCertificate`); that A is
        outside P is the caller's claim, not checked here.
    steps
        Number K of parameter points written out.

    Returns
    -------
    Counterexample
        Inputs on a moment curve (``data_size(spec)`` of them), targets ``A x_i``, and
        θ(t_k): the weights are the curve's values; with a bias in every layer
        (:data:`ACTIVE_BIASES`) the biases keep every ReLU active and cancel the offset,
        otherwise (:data:`SIGN_NORMALISED`) hidden neurons are flipped in sign, biases are
        0 and the inputs lie in a cone where every ReLU is active for ``0 < t < τ``.

    Raises
    ------
    ValueError
        If the curve is not on the network's own layers (one factor per layer, each
        respecting its support) or its product is not ``A + O(t)``
        (``ChainCurve.defects``), or no sample of ``steps`` points with strictly
        monotone loss and norm is found (the curve does not behave as a certificate's
        curve does).

    Notes
    -----
    Proof that the sequence works and that 0 is not attained: ``docs/theory.md §7``,
    counterexample theorem.
    """
    defects = curve.defects(spec.chain())
    if defects:
        raise ValueError("the curve is not a curve of the network's layers: " + "; ".join(defects))
    size = data_size(spec)
    if all(spec.biases):
        construction, horizon, first = ACTIVE_BIASES, None, Fraction(1)
        zero = tuple(Fraction(0) for _ in range(spec.widths[0]))
        data = _moment(AFFINE, zero, Fraction(1), size)
    else:
        construction = SIGN_NORMALISED
        curve, data = _sign_normalise(spec, curve, size)
        horizon = _horizon(_hidden_products(spec, curve), data.points())
        first = horizon / 2
    inputs = data.points()
    targets = _targets(curve.limit, spec.widths[-1], inputs)

    def make(t: Fraction) -> ParameterPoint:
        weights = weights_at(spec, curve, t)
        if construction == ACTIVE_BIASES:
            return ParameterPoint(t, weights, _active_biases(weights, inputs))
        return ParameterPoint(t, weights, tuple(tuple(Fraction(0) for _ in range(w)) for w in spec.widths[1:]))

    draft = Counterexample(construction, curve, data, inputs, targets, pattern_bound(spec), horizon, ())
    points = _sequence(first, steps, make, lambda p: point_loss(draft, p))
    return Counterexample(construction, curve, data, inputs, targets, pattern_bound(spec), horizon, points)


# ----------------------------------------------------------------------------- the checker


def _general_position(data: MomentData, inputs: tuple[Vector, ...], d: int) -> list[str]:
    """Problems with the general position of the inputs (moment structure, then brute force)."""
    problems = []
    k = d if data.kind == AFFINE else d - 1
    if len(data.origin) != d or any(len(row) != k for row in data.directions):
        return [f"the moment data does not have shape d = {d}, k = {k}"]
    if data.points() != inputs:
        problems.append("the inputs are not the moment-curve points they claim to be")
    if len(set(data.parameters)) != len(data.parameters):
        problems.append("two moment-curve parameters s_i are equal")
    frame = [list(row) for row in data.frame()]
    if _det(frame) == 0:
        problems.append("the moment-curve frame is singular")
    size = independent_count(d, data.kind)
    if comb(len(inputs), size) <= BRUTE_FORCE_SUBSETS:
        for subset in combinations(range(len(inputs)), size):
            rows = [([Fraction(1)] if data.kind == AFFINE else []) + list(inputs[i]) for i in subset]
            if _det(rows) == 0:
                problems.append(f"inputs {list(subset)} are not {data.kind}ly independent")
                break
    return problems


def _curve_problems(spec: ReluSpec, example: Counterexample) -> list[str]:
    problems = example.curve.defects(spec.chain())
    exponents = [v.min_exponent() for f in example.curve.factors for v in f.values() if not v.is_zero()]
    if not problems and min(exponents, default=0) >= 0:
        problems.append("no weight has a negative power of t: ‖θ(t)‖ does not tend to infinity")
    return problems


def _data_problems(spec: ReluSpec, example: Counterexample) -> list[str]:
    d = spec.widths[0]
    problems = []
    if example.data.kind != data_kind(spec):
        problems.append(f"{example.data.kind} general position, but this network needs {data_kind(spec)}")
    if example.pattern_bound != pattern_bound(spec):
        problems.append(f"pattern bound {example.pattern_bound}, recomputed {pattern_bound(spec)}")
    if len(example.inputs) < data_size(spec):
        problems.append(f"{len(example.inputs)} inputs, the theorem needs {data_size(spec)}")
    if any(len(x) != d for x in example.inputs):
        problems.append(f"an input is not in ℚ^{d}")
        return problems
    problems += _general_position(example.data, example.inputs, d)
    if example.targets != _targets(example.limit, spec.widths[-1], example.inputs):
        problems.append("the targets are not A x_i")
    return problems


def _construction_problems(spec: ReluSpec, example: Counterexample) -> list[str]:
    if example.construction == ACTIVE_BIASES:
        return [] if all(spec.biases) else ["active biases need a bias in every layer"]
    if example.construction != SIGN_NORMALISED or example.horizon is None:
        return [f"unknown construction {example.construction!r}"]
    for rows in _hidden_products(spec, example.curve):
        for j, row in enumerate(rows):
            for x in example.inputs:
                poly = _pre_activation(row, x)
                if poly.is_zero():
                    continue
                if poly.coefficient(poly.min_exponent()) <= 0 or _positive_until(poly) < example.horizon:
                    return [f"a pre-activation of neuron {j} is not positive on (0, τ) at input {list(x)}"]
    return []


def _point_problems(spec: ReluSpec, example: Counterexample, k: int, point: ParameterPoint) -> list[str]:
    problems = []
    if point.weights != weights_at(spec, example.curve, point.t):
        problems.append(f"θ(t_{k}): the weights are not the curve's values at t = {point.t}")
    if len(point.biases) != spec.depth or any(len(b) != w for b, w in zip(point.biases, spec.widths[1:])):
        return problems + [f"θ(t_{k}): the biases do not have the layer widths"]
    if any(v != 0 for b, on in zip(point.biases, spec.biases) if not on for v in b):
        problems.append(f"θ(t_{k}): a layer without bias has a nonzero bias")
    if example.construction == SIGN_NORMALISED and any(v != 0 for b in point.biases for v in b):
        problems.append(f"θ(t_{k}): the sign-normalised construction has zero biases")
    for x in example.inputs:
        if any(v < 0 for z in forward(point.weights, point.biases, x)[1] for v in z):
            problems.append(f"θ(t_{k}): a ReLU is inactive at input {list(x)}")
            break
    return problems


def _sequence_problems(spec: ReluSpec, example: Counterexample) -> list[str]:
    problems = []
    times = [p.t for p in example.points]
    if not times or times[0] <= 0 or not _monotone(times, False):
        problems.append("the times t_k are not positive and strictly decreasing")
    if example.horizon is not None and times and times[0] >= example.horizon:
        problems.append("t_1 is not below the horizon τ")
    for k, point in enumerate(example.points, start=1):
        problems += _point_problems(spec, example, k, point)
    if not _monotone([point_loss(example, p) for p in example.points], False):
        problems.append("the loss is not strictly decreasing along t_k")
    if not _monotone([point_norm2(p) for p in example.points], True):
        problems.append("‖θ‖² is not strictly increasing along t_k")
    return problems


def check_counterexample(spec: ReluSpec, example: Counterexample) -> list[str]:
    """Re-derive a counterexample exactly; return what is wrong (empty if nothing).

    Checks: the curve respects the supports and its product is ``A + O(t)``; some weight
    has a negative power of t (so ‖θ(t)‖ → ∞); the inputs are as many as the
    counterexample theorem needs and in general position (moment structure: distinct
    parameters and a nonzero frame determinant; and every determinant when there are at
    most :data:`BRUTE_FORCE_SUBSETS` subsets); ``y_i = A x_i``; for the sign-normalised
    construction, every hidden pre-activation is positive or 0 on ``(0, τ)``; at each
    ``t_k`` the weights are the curve's values, the biases are allowed, the network
    (evaluated exactly, ReLU on rationals) has every ReLU in its linear regime, the loss
    strictly decreases and ``‖θ‖²`` strictly increases.

    That A is outside P is not checked here: it is the chain certificate's claim.
    """
    problems = _curve_problems(spec, example)
    if problems:
        return problems
    problems = _data_problems(spec, example) + _construction_problems(spec, example)
    return problems or _sequence_problems(spec, example)


# ----------------------------------------------------------------------------- the answer


def _theorem_iv_applies(spec: ReluSpec) -> bool:
    return spec.depth == 2 and spec.widths[-1] == 1 and all(spec.biases)


def _output_disjoint(spec: ReluSpec) -> bool:
    """Two layers, a bias in both, and every hidden neuron feeds at most one output (columns of ``I_2`` with ≤ 1 one)."""
    return spec.depth == 2 and all(spec.biases) and int(spec.layers[1].sum(axis=0).max(initial=0)) <= 1


def _yes_output_disjoint(spec: ReluSpec) -> ReluAnswer:
    feeds = spec.layers[1].toarray()
    groups = [[int(h) for h in range(feeds.shape[1]) if feeds[j, h]] for j in range(feeds.shape[0])]
    listed = "; ".join(f"output {j}: hidden {{{','.join(map(str, g))}}}" for j, g in enumerate(groups))
    return ReluAnswer(
        ReluVerdict.YES,
        (
            f"Two layers with a bias in both, and every hidden neuron feeds at most one of the {spec.widths[-1]} "
            f"outputs ({listed}).",
            "So the square loss is a sum Σ_j L_j(θ_j) over the outputs, where θ_j -- the rows of W_1 and b_1 of the "
            "hidden neurons feeding output j, their weights in row j of W_2, and b_2[j] -- are disjoint blocks of "
            "parameters; the parameters of hidden neurons feeding no output do not enter the loss "
            f"[{THEORY}, output-disjoint lemma].",
            f"Each L_j is the training loss of a two-layer sparse ReLU network with output dimension 1 and a bias in "
            f"both layers (targets: the j-th coordinates), so it attains its infimum [{SEED}, Theorem IV; {NEURIPS}]; an "
            "output fed by no hidden neuron is the constant b_2[j], optimal at the mean target. Minimising each block "
            "separately gives an optimum of the sum.",
        ),
        spec,
    )


def _yes(spec: ReluSpec) -> ReluAnswer:
    return ReluAnswer(
        ReluVerdict.YES,
        (
            f"one hidden layer ({spec.widths[1]} neurons), output dimension 1, a bias in both layers: "
            f"for every support, the training problem has an optimal solution for every finite data set "
            f"[{SEED}, Theorem IV; {NEURIPS}, abstract: 'the existence of a global optimum is proved for every "
            "concrete optimization problem involving a one-hidden-layer sparse ReLU neural network of output "
            "dimension one'].",
            f"The talk states it for the square loss and says the argument works for any coercive loss [{SEED}].",
        ),
        spec,
    )


def _open(spec: ReluSpec, result: CheckResult) -> ReluAnswer:
    why = (
        "two layers and scalar output but not a bias in both layers: Theorem IV's hypotheses are not met"
        if spec.depth == 2 and spec.widths[-1] == 1
        else f"{spec.depth} layers, output dimension {spec.widths[-1]}: no sufficiency theorem is known here"
    )
    return ReluAnswer(
        ReluVerdict.OPEN,
        (
            f"The linear chain P_{{I_L..I_1}} is closed{' (engine record)' if result.engine_record else ''} "
            f"({'; '.join(result.reasons)}).",
            f"So the necessary condition holds: an optimum for every data set implies P closed "
            f"[{SEED}, Theorems V and VI; {THEORY}, counterexample theorem].",
            f"It is not sufficient in general: without support constraints some data sets have no optimum "
            f"[{SEED}, citing Lim, Michałek, Qi, Constr. Approx. 2019]; {why}.",
        ),
        spec,
        result,
    )


def _unknown(spec: ReluSpec, result: CheckResult, why: tuple[str, ...]) -> ReluAnswer:
    return ReluAnswer(ReluVerdict.UNKNOWN, why, spec, result)


def _data_sentence(spec: ReluSpec) -> str:
    kind = data_kind(spec)
    shared = independent_count(spec.widths[0], kind)
    return (
        f"Data set: n = {data_size(spec)} inputs x_i, every {shared} of them {kind}ly independent, with "
        f"targets y_i = A x_i; n = Q·{shared - 1} + 1 where Q = {pattern_bound(spec)} bounds the number of "
        f"activation patterns [{THEORY}, pattern-count lemma]."
    )


def _not_attained_sentence(spec: ReluSpec, explicit: bool) -> str:
    kind = data_kind(spec)
    shared = independent_count(spec.widths[0], kind)
    return (
        f"0 is not attained: for a network with loss 0, some activation pattern holds on {shared} of the "
        f"inputs, where the network is {'affine' if kind == AFFINE else 'linear'} with linear part "
        f"W_L D ⋯ D W_1 ∈ P, which must then equal A [{THEORY}, activation-pattern lemma]: a contradiction, "
        f"so this data set has no optimum (the conclusion of [{SEED}, Theorem VI]"
        + (", here with an explicit data set)." if explicit else ").")
    )


def _sequence_sentence(spec: ReluSpec, curve: str) -> str:
    flips = (
        ""
        if all(spec.biases)
        else " (up to the sign of some hidden neurons: a row of W_ℓ and the matching column of W_ℓ+1 negated "
        "together, which changes neither the supports nor the product)"
    )
    return (
        f"Sequence: the weights are {curve}'s values at t_k → 0{flips} and every ReLU is in its linear regime on "
        "the data, so the network equals W_L(t)⋯W_1(t) x = A x + O(t) there: the loss tends to 0, the infimum, "
        f"and ‖θ‖ → ∞ [{THEORY}, counterexample theorem]."
    )


def _no_reasons(spec: ReluSpec, certificate: ChainNotClosedCertificate, explicit: bool = True) -> tuple[str, ...]:
    """NO from a curve on the network's own layers: the certificate's curve."""
    return (
        f"The linear chain P_{{I_L..I_1}} is not closed: A = {_matrix_text(certificate.limit, spec)} is the limit of "
        f"the curve's products and A ∉ P ({certificate.lemma}: {certificate.argument}).",
        _data_sentence(spec),
        _sequence_sentence(spec, "the curve"),
        _not_attained_sentence(spec, explicit),
    )


def _reduced_sentence(spec: ReluSpec, result: CheckResult, reduced_length: int) -> str:
    """The verdict when the certificate's curve lies on the reduced chain."""
    return (
        f"The linear chain P_{{I_L..I_1}} is not closed: A = {_matrix_text(result.certificate.limit, spec)} is not in "
        f"P, and it is the limit of the products of a Laurent curve of the reduced chain ({reduced_length} factors, "
        "replayed from the layers and its curve re-verified by expansion), which has the same set of products "
        "as P (chain reduction, in the chain's numbering: factor ℓ of the original chain is layer L − ℓ + 1, "
        "and each step numbers the factors of the chain it acts on: "
        + "; ".join(result.reasons)
        + ")."
    )


def _lifted_reasons(spec: ReluSpec, result: CheckResult, reduced_length: int, explicit: bool) -> tuple[str, ...]:
    """NO from the reduced chain's curve lifted to the layers."""
    return (
        _reduced_sentence(spec, result, reduced_length),
        f"Lift: each full-pair merge is undone by holding, in every unit of the merged pair, one of its two "
        f"vectors at constant rationals and solving the remaining linear system exactly (Laurent-polynomial "
        f"right-hand side); the lifted curve has one factor per layer ({spec.depth}), respects each layer's "
        f"support and has exactly the same product, re-verified by expansion [docs/theory.md §6, fixed-factor "
        f"lift].",
        _data_sentence(spec),
        _sequence_sentence(spec, "the lifted curve"),
        _not_attained_sentence(spec, explicit),
    )


def _curve_free_reasons(spec: ReluSpec, result: CheckResult, reduced_length: int, why: str) -> tuple[str, ...]:
    """NO without a curve on the layers: A lies in the closure of P and not in P."""
    kind = data_kind(spec)
    shared = independent_count(spec.widths[0], kind)
    where = (
        "any such inputs will do (active biases)"
        if all(spec.biases)
        else "the inputs are taken in an open cone that depends on a sequence of weights whose products tend to A"
    )
    return (
        _reduced_sentence(spec, result, reduced_length),
        f"No curve on the network's own layers is at hand: the curve has {reduced_length} factors for "
        f"{spec.depth} layers and the fixed-factor lift failed ({why}); so no explicit data set or parameter "
        "sequence is given.",
        f"Since A lies in the closure of P and not in P, P is not closed, so some finite data set has no optimum "
        f"[{SEED}, Theorem VI: if the training problem always admits optimal solutions, P is closed (stated "
        f"there with a bias in every layer); {THEORY}, curve-free form of the counterexample theorem, for every "
        f"bias configuration].",
        f"Such a data set: n = {data_size(spec)} inputs, every {shared} of them {kind}ly independent, with targets "
        f"y_i = A x_i; {where} [{THEORY}, curve-free form]; it is not written out.",
    )


def _matrix_text(limit: dict[Cell, Fraction], spec: ReluSpec) -> str:
    rows, cols = spec.widths[-1], spec.widths[0]
    return "[" + "; ".join(
        " ".join(rational_text(Fraction(limit.get((i, j), 0))) for j in range(cols)) for i in range(rows)
    ) + "]"


def _layer_curve(spec: ReluSpec, certificate: ChainNotClosedCertificate) -> tuple[str, ChainCurve | None, int, str]:
    """Where the certificate's curve lies, and a curve on the network's own layers if one is at hand.

    Returns ``(where, curve, reduced_length, detail)`` with ``where`` one of
    ``"layers"`` (the certificate's curve has one factor per layer, respects each
    support and its product is ``A + O(t)``), ``"lifted"`` (it verifies on the reduced
    chain, replayed from the layers with ``apply_step``, and the lift verifies on the
    layers), ``"reduced"`` (it verifies on the reduced chain, the lift failed: ``detail``
    says why) or ``"neither"`` (``detail`` lists the defects).
    """
    chain, curve = spec.chain(), certificate.curve
    defects = curve.defects(chain)
    if not defects:
        return "layers", curve, chain.length, ""
    if not certificate.reduction:
        return "neither", None, chain.length, "; ".join(defects)
    try:
        chains = [chain]
        for step in certificate.reduction:
            chains.append(apply_step(chains[-1], step))
    except (ChainReductionError, LookupError, TypeError, ValueError) as error:
        return "neither", None, chain.length, f"the reduction steps do not replay: {error}"
    reduction = ChainReduction(tuple(chains), tuple(certificate.reduction))
    reduced = reduction.reduced
    reduced_defects = curve.defects(reduced)
    if reduced_defects:
        return "neither", None, reduced.length, "; ".join(defects + reduced_defects)
    try:
        lifted = lift_curve(reduction, curve, full_pairs=True)
    except (ChainReductionError, ArithmeticError, LookupError, TypeError, ValueError) as error:
        return "reduced", None, reduced.length, str(error)
    lifted_defects = lifted.defects(chain)
    if lifted_defects:
        return "reduced", None, reduced.length, "the lifted curve does not verify: " + "; ".join(lifted_defects)
    return "lifted", lifted, reduced.length, ""


def _no(spec: ReluSpec, result: CheckResult, steps: int, max_points: int) -> ReluAnswer:
    certificate = result.certificate
    if certificate is None:
        return _unknown(spec, result, ("The chain check says NOT CLOSED but gives no certificate.",))
    where, curve, reduced_length, detail = _layer_curve(spec, certificate)
    if where == "neither":
        return _unknown(
            spec,
            result,
            (
                "The chain check says NOT CLOSED, but its certificate's curve verifies neither on the network's "
                f"layers nor on the reduced chain ({detail}): no answer is drawn from it.",
            ),
        )
    if where == "reduced":
        return ReluAnswer(ReluVerdict.NO, _curve_free_reasons(spec, result, reduced_length, detail), spec, result)
    assert curve is not None
    written = data_size(spec) <= max_points
    if where == "layers":
        reasons, source = _no_reasons(spec, certificate, written), CERTIFICATE_CURVE
    else:
        reasons, source = _lifted_reasons(spec, result, reduced_length, written), LIFTED_CURVE
    if not written:
        note = f"The data set ({data_size(spec)} inputs) is larger than {max_points} and was not written out."
        return ReluAnswer(ReluVerdict.NO, reasons + (note,), spec, result)
    try:
        example = replace(build_counterexample(spec, curve, steps), curve_source=source)
    except ValueError as error:
        return _unknown(spec, result, (f"P is not closed, but no counterexample was built: {error}",))
    problems = check_counterexample(spec, example)
    if problems:
        return _unknown(spec, result, ("P is not closed, but the counterexample failed its check: " + "; ".join(problems),))
    checked = f"Re-checked exactly ({example.construction}, {len(example.points)} parameter points): see check_counterexample."
    return ReluAnswer(ReluVerdict.NO, reasons + (checked,), spec, result, example)


def relu_optimum(
    spec: ReluSpec, budget: float = DEFAULT_EFFORT, steps: int = 6, max_points: int = 2000, chain_result: CheckResult | None = None
) -> ReluAnswer:
    """Does training ``spec`` (square loss) have an optimum for every finite data set?

    Parameters
    ----------
    spec
        The network.
    budget
        Effort of the algebraic stage of the chain check (``check_chain``), in nominal
        seconds of counted work.
    steps
        Number K of parameter points in a counterexample.
    max_points
        Largest data set written out; beyond it a NO comes without the data.
    chain_result
        The verdict of ``check(spec.chain())`` when the caller already has it (it is not
        recomputed); by default :func:`~closure_check.chains.check.check_chain` runs here.

    Returns
    -------
    ReluAnswer
        YES (two layers, scalar output, biases: [seed Thm IV; NeurIPS]); NO with a checked
        :class:`Counterexample` (linear chain not closed; the certificate's curve, or its
        fixed-factor lift from the reduced chain), or NO without one (data set too large,
        or a curve only on the reduced chain: the reasons say which); OPEN (chain closed,
        no sufficiency theorem); UNKNOWN (chain undecided, or no verified curve).

    Notes
    -----
    ``docs/theory.md §7`` has the statements and proofs.
    """
    if _theorem_iv_applies(spec):
        return _yes(spec)
    if _output_disjoint(spec):
        return _yes_output_disjoint(spec)
    result = check_chain(spec.chain(), budget=budget) if chain_result is None else chain_result
    if result.verdict is Verdict.CLOSED:
        return _open(spec, result)
    if result.verdict is Verdict.UNKNOWN:
        return _unknown(spec, result, ("The linear chain P_{I_L..I_1} is undecided: " + "; ".join(result.undecided or result.reasons),))
    return _no(spec, result, steps, max_points)


# ----------------------------------------------------------------------------- JSON


def _rationals(values: Iterable[Fraction]) -> list[str]:
    return [rational_text(v) for v in values]


def counterexample_json(spec: ReluSpec, example: Counterexample) -> dict[str, Any]:
    """The counterexample as plain data; rationals as ``"p/q"`` strings, Laurent as ``{"e": "c"}``."""
    return {
        "format": "closure-check-relu-counterexample",
        "version": 1,
        "name": spec.name,
        "construction": example.construction,
        "curve_source": example.curve_source,
        "widths": list(spec.widths),
        "biases": list(spec.biases),
        "limit": [{"cell": [i, j], "value": rational_text(v)} for (i, j), v in sorted(example.limit.items())],
        "curve": [
            [{"entry": [i, j], "laurent": laurent_json(v)} for (i, j), v in sorted(factor.items())]
            for factor in example.curve.factors
        ],
        "general_position": {
            "kind": example.data.kind,
            "origin": _rationals(example.data.origin),
            "directions": [_rationals(row) for row in example.data.directions],
            "parameters": _rationals(example.data.parameters),
        },
        "pattern_bound": example.pattern_bound,
        "horizon": None if example.horizon is None else rational_text(example.horizon),
        "inputs": [_rationals(x) for x in example.inputs],
        "targets": [_rationals(y) for y in example.targets],
        "sequence": [
            {
                "t": rational_text(point.t),
                "weights": [[_rationals(row) for row in matrix] for matrix in point.weights],
                "biases": [_rationals(b) for b in point.biases],
                "loss": rational_text(point_loss(example, point)),
                "norm2": rational_text(point_norm2(point)),
            }
            for point in example.points
        ],
    }
