"""Jordan sandwich lemma (NOT CLOSED): a limit whose 2×2 blocks would make J diagonalisable.

``docs/theory.md`` §6, "Jordan sandwich lemma".  A *sandwich frame* of a chain
``I_1, …, I_N`` (N ≥ 3) is: rows ``i_ηb`` (four distinct), columns ``j_η'b'`` (four
distinct), inner indices ``k_ηc`` of level 1 (``k_η0 ≠ k_η1``) and ``k'_η'c`` of level
N−1 (``k'_η'0 ≠ k'_η'1``), all labels in {0, 1}, such that

* (F1) row ``i_ηb`` of ``I_1`` lies in ``{k_η0, k_η1}`` and column ``j_η'b'`` of ``I_N``
  in ``{k'_η'0, k'_η'1}``;
* (F2) the middle chain ``I_2, …, I_{N-1}`` has no path from ``k_ηc`` to ``k'_η'c'``
  when ``c ≠ c'``.

Then for every product, with ``a_η = (W_1[i_ηb, k_ηc])_{b,c}``,
``g_η' = (W_N[k'_η'c, j_η'b'])_{c,b'}`` and ``E_ηη' = diag_c (W_2⋯W_{N-1})[k_ηc, k'_η'c]``,
the 2×2 block of the product on rows ``i_η·`` and columns ``j_η'·`` is ``a_η E_ηη' g_η'``.
The limit A with blocks ``T_00 = J = [[1,1],[0,1]]``, ``T_01 = T_10 = T_11 = 1`` (and 0
elsewhere) is not a product even over ℂ: the blocks would be invertible, so
``J = T_00 T_10⁻¹ T_11 T_01⁻¹ = a_0 (E_00 E_10⁻¹ E_11 E_01⁻¹) a_0⁻¹`` would be
diagonalisable.  The certificate's identity is :data:`SANDWICH_COFACTORS` (``Σ c_q s_q = 1``
for the 16 equations ``s_q`` of the abstract system ``a_η E_ηη' g_η' = T_ηη'``), with
``a``, ``E``, ``g`` replaced by the chain's entries and middle path sums: a ring
homomorphism, so the identity holds for the chain's system, whose 16 equations on the frame
are exactly the substituted ``s_q`` by (F1), (F2) and (★).

The curve: ``a_η = V = [[1,1],[0,t]]``, ``g_η' = V⁻¹ = [[1,−1/t],[0,1/t]]``,
``E_00 = diag(1, 1+t)``, the other ``E = 1`` (realised by the middle chain with every
middle factor but one fixed, the free one solving a linear system exactly), every other
entry 0; the product is ``V E V⁻¹`` on the frame, which is ``[[1,1],[0,1+t]] → J`` and ``1``.
Everything is re-checked by exact expansion before a certificate is returned.

The cofactors were computed once with Singular's ``lift`` (degree 6, 80 terms) and are
checked by expansion in the tests; Kaleidoscope ``B B*`` of size ``2^L``, L ≥ 2
(Dao et al., ICLR 2020, arXiv:2012.14966) has such a frame (the first factor mixes the top
bit, the middle keeps it), so it is not closed.

>>> from closure_check.families import kaleidoscope
>>> found = find_sandwich(kaleidoscope(2))
>>> found.certificate.limit == sandwich_limit(found.frame) and not found.certificate.defects(kaleidoscope(2))
True
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np

from closure_check.algebra import NullstellensatzCertificate, chain_system
from closure_check.certificates.chain import Cell, ChainCurve, ChainNotClosedCertificate
from closure_check.core.laurent import Laurent
from closure_check.core.support import ChainSupport

__all__ = [
    "MAX_FRAMES",
    "SANDWICH_COFACTORS",
    "SANDWICH_LEMMA",
    "SANDWICH_VARIABLES",
    "SandwichFrame",
    "SandwichResult",
    "find_sandwich",
    "frame_defects",
    "sandwich_curve",
    "sandwich_equations",
    "sandwich_identity",
    "sandwich_limit",
]

SANDWICH_LEMMA = "Jordan sandwich lemma"
NULLSTELLENSATZ_LEMMA = "chain Nullstellensatz lemma"
"""The lemma a sandwich certificate rests on (``closure_check.chains.engine.NULLSTELLENSATZ_LEMMA``)."""

SANDWICH_VARIABLES = tuple(
    [f"a{eta}{b}{c}" for eta in (0, 1) for b in (0, 1) for c in (0, 1)]
    + [f"e{eta}{eta2}{c}" for eta in (0, 1) for eta2 in (0, 1) for c in (0, 1)]
    + [f"g{eta2}{c}{b2}" for eta2 in (0, 1) for c in (0, 1) for b2 in (0, 1)]
)
"""The abstract unknowns: ``a{η}{b}{c} = a_η[b,c]``, ``e{η}{η'}{c} = E_ηη'[c,c]``, ``g{η'}{c}{b'} = g_η'[c,b']``."""

EQUATION_ORDER = tuple(itertools.product((0, 1), repeat=4))
"""The 16 equations ``s_q`` in order: ``(η, η', b, b')``, the last fastest."""

SANDWICH_COFACTORS = (
    "-2*a011*a101*e011*e101*g011*g111+a101*e101*g011",
    "-2*a011*a100*e011*e100*g000*g111-2*a010*a011*e010*e011*g101*g111+a100*e100*g000-a010*e010*g101",
    "4*a001*a101*e011*e101*g011*g111",
    "4*a001*a100*e011*e100*g000*g111+2*a000*a011*e010*e011*g101*g111+a000*e010*g101",
    "2*a011*a101*e011*e111*g111^2-a101*e111*g111",
    "-2*a011^2*e001*e011*g011*g111+2*a011*a100*e011*e110*g100*g111-a011*e001*g011-a100*e110*g100+2*a011*e011*g111+1",
    "-4*a001*a101*e011*e111*g111^2+2*a011*a101*e011*e111*g111^2-a101*e111*g111",
    ("2*a001*a011*e001*e011*g011*g111+4*a001*a101*e011*e111*g110*g111-2*a011*a101*e011*e111*g110*g111"
     "+a001*e001*g011+a101*e111*g110-4*a001*e011*g111-2"),
    ("-2*a001*a011*e001*e011*g011*g111+4*a001*a111*e011*e111*g111^2-2*a011*a111*e011*e111*g111^2"
     "-a001*e001*g011+a111*e111*g111"),
    ("-4*a001*a010*e000*e011*g000*g111+2*a000*a011*e000*e011*g000*g111-2*a011*a110*e011*e110*g101*g111"
     "-a000*e000*g000+a110*e110*g101"),
    "4*a001*a100*e011*e110*g101*g111-2*a011*a100*e011*e110*g101*g111+a100*e110*g101",
    "2*a011*a100*e011*e110*g101*g111-a100*e110*g101",
    ("-4*a001*a010*e010*e011*g101*g111+2*a010*a011*e010*e011*g101*g111+4*a001*a110*e011*e110*g101*g111"
     "-2*a011*a110*e011*e110*g101*g111-2*a001*a011*e011^2*g111^2-a010*e010*g101+a110*e110*g101+a001*e011*g111"),
    ("-4*a001*a111*e011*e101*g010*g111+2*a011*a111*e011*e101*g010*g111-2*a011*a111*e011*e101*g011*g111"
     "+4*a001*a010*e010*e011*g100*g111-2*a000*a011*e010*e011*g100*g111-2*a010*a011*e010*e011*g100*g111"
     "-4*a001*a110*e011*e110*g100*g111+2*a011*a110*e011*e110*g100*g111-a111*e101*g010+a111*e101*g011"
     "+a000*e010*g100+a010*e010*g100-a110*e110*g100+2*a011*e011*g111-1"),
    "4*a001*a101*e011*e111*g111^2-2*a011*a101*e011*e111*g111^2+a101*e111*g111",
    ("-4*a001*a100*e011*e100*g000*g111+2*a011*a100*e011*e100*g000*g111+2*a011*a101*e011*e101*g011*g111"
     "-4*a001*a101*e011*e111*g110*g111+2*a011*a101*e011*e111*g110*g111-a100*e100*g000-a101*e101*g011"
     "-a101*e111*g110+4*a001*e011*g111-2*a011*e011*g111+1"),
)
"""Cofactors ``c_q`` with ``Σ_q c_q s_q = 1``, ``s_q = Σ_c a_η[b,c] E_ηη'[c] g_η'[c,b'] − T_ηη'[b,b']``
in :data:`EQUATION_ORDER` (Singular 4 ``lift``, degree 6; checked by expansion in the tests)."""

MAX_FRAMES = 500
"""At most this many frames that pass the boolean tests are tried (each a small exact solve)."""

MAX_PATHS = 20_000
"""Chains with more index paths are not tried: the system ``W_1⋯W_N = A`` (one term per path) and
the substituted identity grow with them (Kaleidoscope N = 16: 4096 paths, about 1 s; N = 32:
32768 paths, about 16 s)."""

MAX_CANDIDATES = 200_000
"""At most this many (row pairs, column pairs) combinations are examined by the boolean tests."""

FIXED_TRIES = 5
"""Choices of the fixed middle factors per free position: diagonal ones, all ones, then seeded integers."""

J_BLOCK = ((1, 1), (0, 1))


def _target(eta: int, eta2: int, b: int, b2: int) -> int:
    """``T_ηη'[b, b']``: J for (η, η') = (0, 0), the identity otherwise."""
    return J_BLOCK[b][b2] if (eta, eta2) == (0, 0) else int(b == b2)


def _parse(text: str) -> dict[tuple[int, ...], int]:
    """A cofactor string (Singular syntax, integer coefficients) as exponent vector → coefficient."""
    index = {name: n for n, name in enumerate(SANDWICH_VARIABLES)}
    terms: dict[tuple[int, ...], int] = {}
    for sign, body in re.findall(r"([+-]?)([^+-]+)", text):
        exponents = [0] * len(SANDWICH_VARIABLES)
        coefficient = -1 if sign == "-" else 1
        for factor in body.split("*"):
            if factor.isdigit():
                coefficient *= int(factor)
            else:
                name, _, power = factor.partition("^")
                exponents[index[name]] += int(power or 1)
        key = tuple(exponents)
        terms[key] = terms.get(key, 0) + coefficient
    return {key: value for key, value in terms.items() if value}


def sandwich_equations(ctx: flint.fmpz_mpoly_ctx | None = None) -> list[flint.fmpz_mpoly]:
    """The 16 abstract equations ``s_q`` in the variables :data:`SANDWICH_VARIABLES`."""
    ctx = ctx or flint.fmpz_mpoly_ctx.get(SANDWICH_VARIABLES, "degrevlex")
    v = dict(zip(SANDWICH_VARIABLES, ctx.gens()))
    return [
        sum((v[f"a{eta}{b}{c}"] * v[f"e{eta}{eta2}{c}"] * v[f"g{eta2}{c}{b2}"] for c in (0, 1)), ctx.from_dict({}))
        - _target(eta, eta2, b, b2)
        for eta, eta2, b, b2 in EQUATION_ORDER
    ]


# --------------------------------------------------------------------------------------
# Frames


@dataclass(frozen=True)
class SandwichFrame:
    """Rows ``rows[η][b]``, columns ``cols[η'][b']``, level-1 indices ``left[η][c]``, level-(N−1) ``right[η'][c]``."""

    rows: tuple[tuple[int, int], tuple[int, int]]
    cols: tuple[tuple[int, int], tuple[int, int]]
    left: tuple[tuple[int, int], tuple[int, int]]
    right: tuple[tuple[int, int], tuple[int, int]]


def sandwich_limit(frame: SandwichFrame) -> dict[Cell, Fraction]:
    """The limit A: ``T_ηη'`` on the frame's blocks, 0 elsewhere (nonzero entries)."""
    return {
        (frame.rows[eta][b], frame.cols[eta2][b2]): Fraction(1)
        for eta, eta2, b, b2 in EQUATION_ORDER
        if _target(eta, eta2, b, b2)
    }


def _support_sets(chain: ChainSupport) -> list[set[Cell]]:
    sets = []
    for factor in chain.factors:
        coo = factor.tocoo()
        sets.append(set(zip(coo.row.tolist(), coo.col.tolist())))
    return sets


def _middle_reach(chain: ChainSupport) -> list[set[int]]:
    """For each level-1 index k, the level-(N−1) indices reached through ``I_2, …, I_{N-1}``."""
    sets = _support_sets(chain)
    reach = []
    for k in range(chain.dims[1]):
        frontier = {k}
        for entries in sets[1:-1]:
            frontier = {b for a, b in entries if a in frontier}
        reach.append(frontier)
    return reach


def frame_defects(chain: ChainSupport, frame: SandwichFrame) -> list[str]:
    """What keeps ``frame`` from being a sandwich frame of ``chain`` (conditions F1, F2): empty if nothing."""
    if chain.length < 3:
        return ["the chain has fewer than three factors"]
    problems = []
    rows = [i for pair in frame.rows for i in pair]
    cols = [j for pair in frame.cols for j in pair]
    if len(set(rows)) != 4 or len(set(cols)) != 4:
        problems.append("the frame's rows or columns are not four distinct indices")
    if any(pair[0] == pair[1] for pair in frame.left + frame.right):
        problems.append("k_η0 = k_η1 or k'_η'0 = k'_η'1")
    sets = _support_sets(chain)
    for eta, pair in enumerate(frame.rows):
        for i in pair:
            outside = {k for a, k in sets[0] if a == i} - set(frame.left[eta])
            if outside:
                problems.append(f"(F1) row {i} of I_1 has entries outside {{{frame.left[eta][0]}, {frame.left[eta][1]}}}")
    for eta2, pair in enumerate(frame.cols):
        for j in pair:
            outside = {k for k, b in sets[-1] if b == j} - set(frame.right[eta2])
            if outside:
                problems.append(f"(F1) column {j} of I_N has entries outside {{{frame.right[eta2][0]}, {frame.right[eta2][1]}}}")
    reach = _middle_reach(chain)
    for eta, eta2, c in itertools.product((0, 1), repeat=3):
        if frame.right[eta2][1 - c] in reach[frame.left[eta][c]]:
            problems.append(f"(F2) the middle chain has a path from {frame.left[eta][c]} to {frame.right[eta2][1 - c]}")
    return problems


# --------------------------------------------------------------------------------------
# The identity


def _middle_polynomials(system, chain: ChainSupport, sources: set[int]) -> dict[tuple[int, int], flint.fmpz_mpoly]:
    """``(W_2⋯W_{N-1})[k, k']`` as a polynomial in the system's variables, for k in ``sources``."""
    ctx = system.ctx
    gens = dict(zip(system.names, ctx.gens()))
    sets = _support_sets(chain)
    result = {}
    for k in sorted(sources):
        frontier = {k: ctx.from_dict({(0,) * ctx.nvars(): 1})}
        for level in range(2, chain.length):
            step: dict[int, flint.fmpz_mpoly] = {}
            for a, b in sorted(sets[level - 1]):
                if a in frontier:
                    step[b] = step.get(b, ctx.from_dict({})) + frontier[a] * gens[f"w{level}_{a}_{b}"]
            frontier = step
        for k2, value in frontier.items():
            result[(k, k2)] = value
    return result


def sandwich_identity(chain: ChainSupport, frame: SandwichFrame) -> NullstellensatzCertificate | None:
    """The identity ``Σ c_i f_i = 1`` for ``W_1⋯W_N = A`` (A = :func:`sandwich_limit`), or None.

    Substitutes the chain's entries and middle path sums into :data:`SANDWICH_COFACTORS`;
    None when the frame fails :func:`frame_defects` or the substituted equations are not the
    system's (which (F1), (F2) exclude) or the expansion fails.
    """
    if frame_defects(chain, frame):
        return None
    limit = sandwich_limit(frame)
    system = chain_system(chain, limit)
    ctx = system.ctx
    zero = ctx.from_dict({})
    gens = dict(zip(system.names, ctx.gens()))
    middle = _middle_polynomials(system, chain, {k for pair in frame.left for k in pair})
    last = chain.length
    values: dict[str, flint.fmpz_mpoly] = {}
    for eta, b, c in itertools.product((0, 1), repeat=3):
        values[f"a{eta}{b}{c}"] = gens.get(f"w1_{frame.rows[eta][b]}_{frame.left[eta][c]}", zero)
        values[f"g{eta}{c}{b}"] = gens.get(f"w{last}_{frame.right[eta][c]}_{frame.cols[eta][b]}", zero)
        values[f"e{eta}{b}{c}"] = middle.get((frame.left[eta][c], frame.right[b][c]), zero)
    substituted = [values[name] for name in SANDWICH_VARIABLES]
    label = {text: n for n, text in enumerate(system.labels)}
    cofactors: list[dict[tuple[int, ...], int]] = [{} for _ in system.equations]
    for (eta, eta2, b, b2), text, equation in zip(EQUATION_ORDER, SANDWICH_COFACTORS, sandwich_equations()):
        cell = (frame.rows[eta][b], frame.cols[eta2][b2])
        position = label.get(f"cell ({cell[0]},{cell[1]})")
        if position is None:
            return None
        if _evaluate(equation.to_dict(), substituted, ctx) != system.equations[position]:
            return None
        cofactor = _evaluate(_parse(text), substituted, ctx)
        cofactors[position] = {tuple(int(e) for e in mono): int(v) for mono, v in cofactor.to_dict().items()}
    certificate = NullstellensatzCertificate(
        names=system.names,
        labels=system.labels,
        equations=tuple(
            tuple(sorted((tuple(int(e) for e in mono), int(v)) for mono, v in f.to_dict().items()))
            for f in system.equations
        ),
        cofactors=tuple(tuple(sorted(c.items())) for c in cofactors),
        constant=1,
        method=f"{SANDWICH_LEMMA}: fixed identity (Singular lift) under the frame's substitution",
    )
    return certificate if not certificate.defects(system) else None


def _evaluate(terms, values: Sequence[flint.fmpz_mpoly], ctx: flint.fmpz_mpoly_ctx) -> flint.fmpz_mpoly:
    """``Σ coef · Π values[n]^e_n`` in ``ctx``."""
    total = ctx.from_dict({})
    for exponents, coefficient in terms.items():
        term = ctx.from_dict({(0,) * ctx.nvars(): int(coefficient)})
        for n, power in enumerate(exponents):
            if power:
                term *= values[n] ** int(power)
        total += term
    return total


# --------------------------------------------------------------------------------------
# The curve


def _solve(rows: list[list[Fraction]], rhs: list[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]] | None:
    """A solution u of ``rows · u = rhs`` (two right-hand sides at once), exact; None if inconsistent."""
    width = len(rows[0]) if rows else 0
    matrix = [list(row) + [r0, r1] for row, (r0, r1) in zip(rows, rhs)]
    pivots: list[int] = []
    top = 0
    for column in range(width):
        pivot = next((r for r in range(top, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[top], matrix[pivot] = matrix[pivot], matrix[top]
        scale = matrix[top][column]
        matrix[top] = [value / scale for value in matrix[top]]
        for r in range(len(matrix)):
            if r != top and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [x - factor * y for x, y in zip(matrix[r], matrix[top])]
        pivots.append(column)
        top += 1
    if any(row[width] != 0 or row[width + 1] != 0 for row in matrix[top:]):
        return None
    solution = [(Fraction(0), Fraction(0))] * width
    for r, column in enumerate(pivots):
        solution[column] = (matrix[r][width], matrix[r][width + 1])
    return solution


def _dense_product(factors: Sequence[dict[Cell, Fraction]], size: int) -> dict[Cell, Fraction]:
    """Product of rational factors (nonzero entries); the empty product is the identity of ``size``."""
    current = {(k, k): Fraction(1) for k in range(size)}
    for factor in factors:
        by_row: dict[int, list[tuple[int, Fraction]]] = {}
        for (a, b), value in factor.items():
            by_row.setdefault(a, []).append((b, value))
        step: dict[Cell, Fraction] = {}
        for (i, k), left in current.items():
            for j, right in by_row.get(k, []):
                step[(i, j)] = step.get((i, j), Fraction(0)) + left * right
        current = {cell: value for cell, value in step.items() if value}
    return current


def _fixed_values(entries: Sequence[Cell], attempt: int, generator: random.Random) -> dict[Cell, Fraction]:
    """A fixed middle factor: its allowed diagonal entries 1 (try 0), every entry 1 (try 1), seeded integers."""
    if attempt == 0:
        return {cell: Fraction(1) for cell in entries if cell[0] == cell[1]}
    if attempt == 1:
        return {cell: Fraction(1) for cell in entries}
    return {cell: Fraction(generator.choice((1, 2, 3, -1, -2))) for cell in entries}


def _middle_factors(chain: ChainSupport, targets: dict[Cell, tuple[Fraction, Fraction]]) -> list[dict[Cell, Laurent]] | None:
    """Middle factors ``W_2, …, W_{N-1}`` with ``(W_2⋯W_{N-1})[p, q] = v0 + v1·t`` for ``targets``.

    All middle factors but one are fixed (:func:`_fixed_values`); the free one solves the
    linear system on the target entries exactly.  None if no try works.
    """
    sets = _support_sets(chain)[1:-1]
    entries = [sorted(s) for s in sets]
    generator = random.Random(0)
    positions = sorted(targets)
    for attempt in range(FIXED_TRIES):
        for free in range(len(entries)):
            fixed = [_fixed_values(level, attempt, generator) for level in entries]
            left = _dense_product(fixed[:free], chain.dims[1])
            right = _dense_product(fixed[free + 1:], chain.dims[free + 2])
            left_by_row: dict[int, dict[int, Fraction]] = {}
            for (p, a), value in left.items():
                left_by_row.setdefault(p, {})[a] = value
            right_by_col: dict[int, dict[int, Fraction]] = {}
            for (b, q), value in right.items():
                right_by_col.setdefault(q, {})[b] = value
            rows = [
                [left_by_row.get(p, {}).get(a, Fraction(0)) * right_by_col.get(q, {}).get(b, Fraction(0)) for a, b in entries[free]]
                for p, q in positions
            ]
            solution = _solve(rows, [targets[position] for position in positions])
            if solution is None:
                continue
            factors: list[dict[Cell, Laurent]] = [
                {cell: Laurent.constant(v) for cell, v in level.items()} for level in fixed
            ]
            factors[free] = {
                cell: Laurent({0: u0, 1: u1}) for cell, (u0, u1) in zip(entries[free], solution) if u0 or u1
            }
            return factors
    return None


def sandwich_curve(chain: ChainSupport, frame: SandwichFrame) -> ChainCurve | None:
    """A Laurent curve of products tending to :func:`sandwich_limit`, re-checked by expansion; or None."""
    one, t, inverse = Laurent.constant(1), Laurent.monomial(1), Laurent.monomial(-1)
    V = ((one, one), (Laurent(), t))
    V_inverse = ((one, -inverse), (Laurent(), inverse))
    targets: dict[Cell, tuple[Fraction, Fraction]] = {}
    for eta, eta2, c in itertools.product((0, 1), repeat=3):
        value = (Fraction(1), Fraction(1 if (eta, eta2, c) == (0, 0, 1) else 0))
        position = (frame.left[eta][c], frame.right[eta2][c])
        if targets.setdefault(position, value) != value:
            return None
    middle = _middle_factors(chain, targets)
    if middle is None:
        return None
    first: dict[Cell, Laurent] = {}
    last: dict[Cell, Laurent] = {}
    for eta, b, c in itertools.product((0, 1), repeat=3):
        if not V[b][c].is_zero():
            first[(frame.rows[eta][b], frame.left[eta][c])] = V[b][c]
        if not V_inverse[c][b].is_zero():
            last[(frame.right[eta][c], frame.cols[eta][b])] = V_inverse[c][b]
    curve = ChainCurve(factors=(first, *middle, last), limit=sandwich_limit(frame))
    return None if curve.defects(chain) else curve


# --------------------------------------------------------------------------------------
# The search


def _row_pairs(entries: set[Cell], count: int) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """Rows (i0, i1) and labelled indices (k0, k1): row i0 is exactly {k0, k1}, row i1 ⊆ it and holds k1."""
    support: dict[int, set[int]] = {}
    for a, b in entries:
        support.setdefault(a, set()).add(b)
    for i0 in range(count):
        if len(support.get(i0, ())) != 2:
            continue
        for k0, k1 in itertools.permutations(sorted(support[i0])):
            for i1 in range(count):
                if i1 != i0 and k1 in support.get(i1, ()) and support[i1] <= {k0, k1}:
                    yield (i0, i1), (k0, k1)


def _frames(chain: ChainSupport, max_candidates: int = MAX_CANDIDATES) -> Iterator[SandwichFrame]:
    """Candidate frames passing the boolean tests (F1, F2, and a middle path for each needed entry),
    among the first ``max_candidates`` combinations of row and column pairs."""
    sets = _support_sets(chain)
    reach = _middle_reach(chain)
    rows = list(_row_pairs(sets[0], chain.dims[0]))
    transposed = {(b, a) for a, b in sets[-1]}
    # columns: j1 is exactly {k'0, k'1}, j0 ⊆ it and holds k'0 (the zero of V⁻¹ is at (1, 0))
    cols = [((j0, j1), (k0, k1)) for (j1, j0), (k1, k0) in _row_pairs(transposed, chain.dims[-1])]
    examined = 0
    for (r0, l0), (r1, l1) in itertools.permutations(rows, 2):
        if len({*r0, *r1}) != 4:
            continue
        for (c0, m0), (c1, m1) in itertools.permutations(cols, 2):
            examined += 1
            if examined > max_candidates:
                return
            if len({*c0, *c1}) != 4:
                continue
            left, right = (l0, l1), (m0, m1)
            if all(
                (right[e2][c] in reach[left[e][c]]) and (right[e2][1 - c] not in reach[left[e][c]])
                for e, e2, c in itertools.product((0, 1), repeat=3)
            ):
                yield SandwichFrame((r0, r1), (c0, c1), left, right)


def _path_count(chain: ChainSupport) -> float:
    """Number of index paths ``i = k_0 → ⋯ → k_N = j`` through allowed entries (all cells), in
    floats: exact up to 2^53, and only compared with :data:`MAX_PATHS`."""
    counts = np.ones(chain.dims[0])
    for factor in chain.factors:
        counts = factor.T.astype(np.float64) @ counts
    return float(counts.sum())


@dataclass(frozen=True)
class SandwichResult:
    """A frame with its NOT CLOSED certificate (curve and identity, both checked)."""

    frame: SandwichFrame
    certificate: ChainNotClosedCertificate


def find_sandwich(chain: ChainSupport, max_frames: int = MAX_FRAMES) -> SandwichResult | None:
    """The first frame (deterministic order) with a curve and an identity, or None.

    Chains of fewer than three factors have no frame; chains with more than
    :data:`MAX_PATHS` index paths are not tried.  At most ``max_frames`` frames that pass the
    boolean tests are tried (and :data:`MAX_CANDIDATES` combinations examined): None proves
    nothing.
    """
    if chain.length < 3 or _path_count(chain) > MAX_PATHS:
        return None
    for count, frame in enumerate(_frames(chain)):
        if count >= max_frames:
            return None
        curve = sandwich_curve(chain, frame)
        if curve is None:
            continue
        identity = sandwich_identity(chain, frame)
        if identity is None:
            continue
        argument = (
            f"on rows {list(frame.rows)}, columns {list(frame.cols)} the 2×2 blocks of a product are a_η E_ηη' g_η' "
            f"with E diagonal (level-1 indices {list(frame.left)}, level-{chain.length - 1} indices "
            f"{list(frame.right)}), so J = T_00 T_10⁻¹ T_11 T_01⁻¹ would be diagonalisable; the identity "
            f"Σ c_i f_i = 1 (degree ≤ {identity.degree}, checked by expansion) shows W_1⋯W_N = A has no complex "
            f"solution ({SANDWICH_LEMMA})"
        )
        certificate = ChainNotClosedCertificate(curve=curve, lemma=NULLSTELLENSATZ_LEMMA, argument=argument, identity=identity)
        return SandwichResult(frame, certificate)
    return None
