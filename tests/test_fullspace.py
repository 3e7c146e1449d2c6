"""The full-space lemma: every claim ``Q = ℝ^V`` is re-checked independently.

Three independent checks: the fixed factor's linear map has full rank by sympy's exact
rank (not flint's); random integer targets on V are products by the exact membership
procedure (Gröbner basis + real solution, closure_check.algebra); and every proof tree is
replayed, lemma by lemma, into exact rational factors whose product is the target on V
(0/1 and random rational targets), so that no step of a proof is taken on trust.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import product as cartesian

import numpy as np
import pytest
import sympy

from closure_check.algebra.membership import is_member
from closure_check.core.enumerate import enumerate_patterns, rectangles_to_support
from closure_check.core.graph import RankOneStructure
from closure_check.two_factor.fullspace import (
    Elimination,
    FreeMultiplier,
    Pivot,
    ProofNode,
    _Search,  # white box: each new lemma is also applied alone, at the root
    full_space_proof,
)
from closure_check.two_factor.reduce import reduce_component
from closure_check.two_factor.rules import part_units_and_cells


def masked_support(units, cells):
    """The units as a two-factor support and the cells of their rectangles outside V."""
    m = 1 + max(max(rows) for rows, _ in units)
    n = 1 + max(max(cols) for _, cols in units)
    covered = {(i, j) for rows, cols in units for i in rows for j in cols}
    return rectangles_to_support(m, n, list(units)), frozenset(covered - set(cells))


def sympy_rank(fixed) -> int:
    index = {cell: n for n, cell in enumerate(fixed.cells)}
    values = dict(fixed.values)
    columns = []
    for k, (rows, cols) in enumerate(fixed.units):
        fixed_lines, free_lines = (rows, cols) if fixed.side == "x" else (cols, rows)
        for free in free_lines:
            column = [0] * len(index)
            for line in fixed_lines:
                cell = (line, free) if fixed.side == "x" else (free, line)
                if cell in index:
                    column[index[cell]] = values[(k, line)]
            columns.append(column)
    return sympy.Matrix(columns).T.rank()


def assert_full(units, cells, samples: int = 2) -> None:
    proof = full_space_proof(units, cells)
    assert proof is not None
    if proof.fixed is not None:
        assert sympy_rank(proof.fixed) == len(proof.fixed.cells)
    support, hidden = masked_support(units, cells)
    rng = random.Random(5)
    for _ in range(samples):
        target = {cell: rng.randint(-3, 3) for cell in cells}
        result = is_member(support, target, hidden=hidden, seconds=20)
        assert result.answer == "member", (units, target, result.method)


def test_three_units_on_two_rows_fill_the_space():
    assert_full([((0, 1), (0, 1)), ((0, 1), (0, 2)), ((0, 1), (1, 2))], [(i, j) for i in range(2) for j in range(3)])


def test_restriction_then_absorption():
    units = [((0, 1, 2), (0, 1, 2)), ((0, 1), (0, 1, 2)), ((0, 2), (0, 1, 2))]
    assert_full(units, [(i, j) for i in range(3) for j in range(3)])


@pytest.mark.parametrize(
    "units, cells",
    [
        ([((0, 1), (0, 1))], [(0, 0), (0, 1), (1, 0), (1, 1)]),  # rank one on a 2x2 block
        ([((0, 1), (0, 1)), ((1,), (1,))], [(0, 0), (0, 1), (1, 0), (1, 1)]),  # LU 2x2: misses E01 + E10
        ([((0, 1, 2), (0, 1, 2))] * 2, [(i, j) for i in range(3) for j in range(3)]),  # rank two on 3x3
    ],
)
def test_sets_that_are_not_full_are_not_claimed(units, cells):
    assert full_space_proof(units, cells) is None


def test_every_full_space_verdict_up_to_three_by_three():
    """Each part the lemma decides, over all patterns up to 3x3 with 3 units, is full."""
    decided = 0
    for m, n in [(2, 2), (2, 3), (3, 3)]:
        for support in enumerate_patterns(m, n, 3):
            structure = RankOneStructure.build(support)
            counts = np.bincount(structure.class_component, minlength=structure.n_components)
            for component in np.flatnonzero(counts > 1):
                reduction = reduce_component(structure, int(component))
                for part in reduction.parts:
                    units, cells = part_units_and_cells(reduction, part)
                    if full_space_proof(units, cells) is not None:
                        assert_full(units, cells, samples=1)
                        decided += 1
    assert decided >= 14


def test_random_masked_problems_agree_with_membership():
    """Random small problems: whenever a proof is returned, random targets are products;
    a rank-one 2x2 block inside V is never claimed full."""
    rng = random.Random(11)
    claimed = 0
    for _ in range(60):
        units = []
        for _ in range(rng.randint(1, 3)):
            rows = tuple(sorted(rng.sample(range(3), rng.randint(1, 3))))
            cols = tuple(sorted(rng.sample(range(3), rng.randint(1, 3))))
            units.append((rows, cols))
        covered = sorted({(i, j) for rows, cols in units for i in rows for j in cols})
        cells = [cell for cell in covered if rng.random() < 0.8] or covered[:1]
        proof = full_space_proof(units, cells)
        if proof is not None:
            claimed += 1
            assert_full(units, cells, samples=1)
    assert claimed > 5


# ---------------------------------------------------------------------------------------
# Replay: every proof is rebuilt into exact factors (x_k, y_k) for a target A, and
# π_V(Σ x_k y_kᵀ) = A is checked with Fractions.
# A factor list is aligned with the units of the node it realises; x, y map line -> value.
# ---------------------------------------------------------------------------------------

ZERO = Fraction(0)
NEW_LEMMAS = {"pivot row", "elimination", "free-multiplier elimination"}

# The eight 3×3 patterns with ≤ 3 units left UNKNOWN before issue 4: their open part.
SQUARE = [(i, j) for i in range(3) for j in range(3)]
OPEN_3x3_PARTS = [
    ([((1, 2), (0, 2)), ((1, 2), (1, 2)), ((0, 1, 2), (0, 1))], [c for c in SQUARE if c != (0, 2)]),
    ([((1, 2), (0, 2)), ((1, 2), (1, 2)), ((0, 1, 2), (0, 1, 2))], SQUARE),
    ([((0, 2), (0, 2)), ((1, 2), (1, 2)), ((0, 1, 2), (0, 1, 2))], SQUARE),  # part 13: free multiplier
    ([((0, 1), (0, 1)), ((0, 2), (0, 1, 2)), ((1, 2), (0, 1, 2))], SQUARE),
    ([((0, 2), (0, 1)), ((0, 1), (0, 1, 2)), ((0, 1, 2), (0, 1, 2))], SQUARE),
    ([((0, 1), (0, 1)), ((0, 1, 2), (0, 1, 2)), ((0, 1, 2), (0, 1, 2))], SQUARE),
    ([((0, 2), (0, 1, 2)), ((1, 2), (0, 1, 2)), ((0, 1, 2), (0, 1))], SQUARE),
    ([((0, 1), (0, 1, 2)), ((0, 1, 2), (0, 1)), ((0, 1, 2), (0, 1, 2))], SQUARE),
]


def product_on(units, factors, cells):
    """π_cells(Σ x_k y_kᵀ), checking that every factor respects its unit's support."""
    out = {cell: ZERO for cell in cells}
    for (rows, cols), (x, y) in zip(units, factors, strict=True):
        assert all(v == 0 or i in rows for i, v in x.items()), "x outside its rows"
        assert all(v == 0 or j in cols for j, v in y.items()), "y outside its columns"
        for i, xv in x.items():
            for j, yv in y.items():
                if (i, j) in out:
                    out[(i, j)] += xv * yv
    return out


def swap(factors):
    return [(y, x) for x, y in factors]


def transposed_target(target):
    return {(j, i): v for (i, j), v in target.items()}


def solve_linear(rows, rhs, ncols):
    """An exact solution of a consistent linear system (free unknowns 0), else None."""
    matrix = [list(row) + [b] for row, b in zip(rows, rhs)]
    pivots, r = [], 0
    for c in range(ncols):
        p = next((q for q in range(r, len(matrix)) if matrix[q][c] != 0), None)
        if p is None:
            continue
        matrix[r], matrix[p] = matrix[p], matrix[r]
        inverse = 1 / matrix[r][c]
        matrix[r] = [v * inverse for v in matrix[r]]
        for q in range(len(matrix)):
            if q != r and matrix[q][c] != 0:
                f = matrix[q][c]
                matrix[q] = [a - f * b for a, b in zip(matrix[q], matrix[r])]
        pivots.append(c)
        r += 1
    if any(row[-1] != 0 for row in matrix[r:]):
        return None
    solution = [ZERO] * ncols
    for q, c in enumerate(pivots):
        solution[c] = matrix[q][-1]
    return solution


def rank_decomposition(block):
    """A column basis of ``block`` and coefficients: block[r][c] = Σ_t basis[t][r] coefficients[t][c]."""
    nrows, ncols = len(block), len(block[0])
    basis: list[list[Fraction]] = []

    def coordinates(c):
        return solve_linear([[b[r] for b in basis] for r in range(nrows)], [block[r][c] for r in range(nrows)], len(basis))

    for c in range(ncols):
        if coordinates(c) is None:
            basis.append([block[r][c] for r in range(nrows)])
    columns = [coordinates(c) for c in range(ncols)]
    return basis, [[columns[c][t] for c in range(ncols)] for t in range(len(basis))]


def realize(node: ProofNode, target):
    """Exact factors for ``node.units`` whose product on ``node.cells`` is ``target``."""
    handler = {
        "no visible cell": lambda n, a: [({}, {}) for _ in n.units],
        "absorption": realize_absorption,
        "restriction": realize_restriction,
        "nested pair": realize_nested_pair,
        "fixed factor": realize_fixed,
        "pivot row": realize_oriented,
        "elimination": realize_oriented,
        "free-multiplier elimination": realize_oriented,
        "spanning": realize_spanning,
        "hooks": realize_hooks,
    }[node.lemma]
    factors = handler(node, target)
    assert product_on(node.units, factors, node.cells) == {c: target[c] for c in node.cells}, node.lemma
    return factors


def child_factors(child: ProofNode, target, transposed: bool):
    """Realise a child (stated in the part's coordinates) for a row-form target."""
    part_target = transposed_target(target) if transposed else target
    factors = realize(child, {c: part_target.get(c, ZERO) for c in child.cells})
    return swap(factors) if transposed else factors


def realize_absorption(node, target):
    kept = node.data
    child = node.children[0]
    sub = realize(child, {c: target[c] for c in child.cells})
    factors = [None] * len(node.units)
    for t, f in zip(kept, sub):
        factors[t] = f
    removed = [t for t in range(len(node.units)) if t not in kept]
    covered = node.cells - child.cells
    made = product_on(child.units, sub, covered)
    residual = {c: target[c] - made[c] for c in covered}
    rows = sorted({i for i, _ in covered})
    cols = sorted({j for _, j in covered})
    assert len({node.units[t] for t in removed}) == 1 or not covered
    for n, t in enumerate(removed):
        if len(removed) >= len(rows) and n < len(rows):
            factors[t] = ({rows[n]: Fraction(1)}, {j: residual.get((rows[n], j), ZERO) for j in cols})
        elif len(removed) < len(rows) and n < len(cols):
            factors[t] = ({i: residual.get((i, cols[n]), ZERO) for i in rows}, {cols[n]: Fraction(1)})
        else:
            factors[t] = ({}, {})
    return factors


def realize_restriction(node, target):
    (k,) = node.data
    sub = realize(node.children[0], target)
    return sub[:k] + [sub[-1]] + sub[k:-1]


def realize_fixed(node, target):
    fixed = node.data
    units = node.units if fixed.side == "x" else tuple((c, r) for r, c in node.units)
    goal = target if fixed.side == "x" else transposed_target(target)
    xs = [{} for _ in units]
    for (k, line), value in fixed.values:
        xs[k][line] = Fraction(value)
    ys = [{} for _ in units]
    for j in sorted({j for _, j in goal}):
        rows = sorted(i for i, jj in goal if jj == j)
        ks = [k for k, (_, cols) in enumerate(units) if j in cols]
        solution = solve_linear([[xs[k].get(i, ZERO) for k in ks] for i in rows], [goal[(i, j)] for i in rows], len(ks))
        assert solution is not None, "the fixed factor's map is not onto"
        for k, v in zip(ks, solution):
            ys[k][j] = v
    factors = list(zip(xs, ys))
    return factors if fixed.side == "x" else swap(factors)


def realize_nested_pair(node, target):
    groups = sorted(set(node.units))
    axis = 0 if groups[0][0] == groups[1][0] else 1
    if axis == 1:
        flipped = ProofNode(node.lemma, tuple((c, r) for r, c in node.units), frozenset((j, i) for i, j in node.cells), "")
        return swap(realize_nested_pair(flipped, transposed_target(target)))
    small, large = sorted(groups, key=lambda g: len(g[1]))
    rows, outer = large
    extra = [j for j in outer if j not in small[1]]
    columns = extra + list(small[1])  # the extra columns first: their basis vectors go to large units
    block = [[target[(i, j)] for j in columns] for i in rows]
    basis, coefficients = rank_decomposition(block)
    large_units = [t for t, u in enumerate(node.units) if u == large]
    small_units = [t for t, u in enumerate(node.units) if u == small]
    factors = [({}, {}) for _ in node.units]
    # basis vectors taken from extra columns need a large unit; the others (zero on the
    # extra columns) fill the small units first: ρ + max(0, q − μ_small) ≤ μ_large
    for vector, coefficient in zip(basis, coefficients):
        on_extra = any(coefficient[c] != 0 for c in range(len(extra)))
        owners = large_units if on_extra or not small_units else small_units
        factors[owners.pop(0)] = (dict(zip(rows, vector)), dict(zip(columns, coefficient)))
    return factors


def realize_spanning(node, target):
    """The construction of the spanning lemma's proof (tests/test_spanning.py), in row form."""
    from test_spanning import construct

    transposed = node.transposed
    units = tuple((c, r) for r, c in node.units) if transposed else node.units
    goal = transposed_target(target) if transposed else target
    rng = random.Random(7)
    built = next((b for _ in range(5) if (b := construct(units, frozenset(goal), goal, rng)) is not None), None)
    assert built is not None, "the spanning construction failed five random draws"
    x, y = built
    factors = [(dict(x[k]), {j: v for (j, kk), v in y.items() if kk == k}) for k in range(len(units))]
    return swap(factors) if transposed else factors


def realize_hooks(node, target):
    """The construction of the hooks lemma's proof (tests/test_spanning.py)."""
    from test_spanning import construct_hooks

    return construct_hooks(node.units, node.cells, target)


def realize_oriented(node, target):
    """Pivot, elimination and free multiplier: replayed in row form."""
    transposed = node.transposed
    units = tuple((c, r) for r, c in node.units) if transposed else node.units
    goal = transposed_target(target) if transposed else target
    cells = frozenset(goal)
    replay = {Pivot: replay_pivot, Elimination: replay_elimination, FreeMultiplier: replay_free_multiplier}[type(node.data)]
    factors = replay(node, units, cells, goal)
    return swap(factors) if transposed else factors


def replay_pivot(node, units, cells, A):
    data: Pivot = node.data
    k, i = data.unit, data.row
    rows, _ = units[k]
    reduced = cells - {(i, j) for j in data.columns}
    if all(A[(i, j)] == 0 for j in data.columns):
        return child_factors(node.children[0], {c: A[c] for c in reduced}, node.transposed)
    n = next(n for n, j in enumerate(data.columns) if A[(i, j)] != 0)
    j0 = data.columns[n]
    x = {i: Fraction(1)}
    for r in rows:
        if r != i and (r, j0) in reduced:
            x[r] = A[(r, j0)] / A[(i, j0)]
    y = {j: A[(i, j)] for j in data.columns}
    made = product_on([units[k]], [(x, y)], reduced)
    rest = child_factors(node.children[1 + n], {c: A[c] - made[c] for c in reduced}, node.transposed)
    return rest[:k] + [(x, y)] + rest[k:]


def eliminated_target(elimination: Elimination, A, gamma, cells):
    visible = {j for r, j in A if r == elimination.row}
    return {
        (r, j): A[(r, j)] - (gamma[r] * A[(elimination.row, j)] if r in gamma and j in visible else ZERO)
        for r, j in cells
    }


def back_substitute(elimination: Elimination, units, A, gamma, sub):
    """Factors of the part from factors ``sub`` of the transformed units (row form)."""
    k, i = elimination.unit, elimination.row
    others = [m for m in range(len(units)) if m != k]
    factors = [None] * len(units)
    for m, role, (x, y) in zip(others, elimination.roles, sub):
        if role == "coupled":
            extra = [r for r in elimination.multiplier_rows if r not in units[m][0]]
            xi = -x.get(extra[0], ZERO) / gamma[extra[0]] if extra else ZERO
            new_x = {r: x.get(r, ZERO) + gamma.get(r, ZERO) * xi for r in units[m][0] if r != i}
            new_x[i] = xi
            factors[m] = (new_x, dict(y))
        else:
            factors[m] = ({r: v for r, v in x.items() if r != i}, dict(y))
    y_k = {}
    if elimination.remainder:
        (d,) = elimination.multiplier_rows
        x, y = sub[-1]
        y_k = {j: x.get(d, ZERO) * v / gamma[d] for j, v in y.items()}
    for j in {j for r, j in A if r == i}:
        y_k[j] = A[(i, j)] - sum(
            (factors[m][0].get(i, ZERO) * factors[m][1].get(j, ZERO) for m in others), ZERO
        )
    factors[k] = ({i: Fraction(1), **gamma}, y_k)
    return factors


def replay_elimination(node, units, cells, A):
    elimination: Elimination = node.data
    gamma = {r: Fraction(2 * n + 1, n + 2) for n, r in enumerate(elimination.multiplier_rows)}
    child = node.children[0]
    off_row = frozenset(c for c in cells if c[0] != elimination.row)
    sub = child_factors(child, eliminated_target(elimination, A, gamma, off_row), node.transposed)
    return back_substitute(elimination, units, A, gamma, sub)


def determinant(matrix):
    size = len(matrix)
    if size == 1:
        return matrix[0][0]
    return sum((-1) ** c * matrix[0][c] * determinant([row[:c] + row[c + 1:] for row in matrix[1:]]) for c in range(size))


def matrix_rank(matrix):
    return len(rank_decomposition(matrix)[0])


def replay_free_multiplier(node, units, cells, A):
    data: FreeMultiplier = node.data
    elimination, i = data.elimination, data.elimination.row
    block_rows, block_cols, size = data.block_rows, data.block_cols, len(data.block_cols)
    t_rows = (i, *block_rows)
    t_cells = {(r, c) for r in t_rows for c in block_cols}
    generic, degenerate = node.children
    if matrix_rank([[A[(r, c)] for c in block_cols] for r in t_rows]) < size:
        rest = [m for m in range(len(units)) if m not in data.chosen]
        sub = child_factors(degenerate, {c: A[c] for c in cells - t_cells}, node.transposed)
        basis, coefficients = rank_decomposition([[A[(r, c)] for c in block_cols] for r in t_rows])
        assert len(basis) <= len(data.chosen)
        factors = [None] * len(units)
        for m, f in zip(rest, sub):
            factors[m] = f
        for n, m in enumerate(data.chosen):
            factors[m] = (dict(zip(t_rows, basis[n])), dict(zip(block_cols, coefficients[n]))) if n < len(basis) else ({}, {})
        return factors
    rng = random.Random(17)
    for _ in range(500):
        gamma = {r: Fraction(rng.choice([v for v in range(-9, 10) if v])) for r in elimination.multiplier_rows}
        off_row = frozenset(c for c in cells if c[0] != i)
        M = eliminated_target(elimination, A, gamma, off_row)
        if determinant([[M[(r, c)] for c in block_cols] for r in block_rows]) != 0:
            break
    else:
        raise AssertionError("no multiplier makes the block invertible")
    transformed = generic_units(node, units, cells)
    if data.pivot_columns:
        return replay_pivot_row_generic(node, units, A, gamma, M, off_row, transformed)
    others = [t for t in range(len(transformed)) if t not in data.pivots]
    off_block = frozenset(c for c in off_row if c[0] not in block_rows)
    sub_others = child_factors(generic, {c: M[c] for c in off_block}, node.transposed)
    sub = [None] * len(transformed)
    for t, f in zip(others, sub_others):
        sub[t] = f
    made = product_on([transformed[t] for t in others], sub_others, off_row)
    for c, t in zip(block_cols, data.pivots):
        sub[t] = ({r: M[(r, c)] for r in block_rows}, {c: Fraction(1)})
    for j in sorted({j for r, j in off_row if r in block_rows and j not in block_cols}):
        rows = [r for r in block_rows if (r, j) in off_row]
        solution = solve_linear([[M[(r, c)] for c in block_cols] for r in rows], [M[(r, j)] - made[(r, j)] for r in rows], size)
        for t, v in zip(data.pivots, solution):
            sub[t][1][j] = v
    return back_substitute(elimination, units, A, gamma, sub)


def replay_pivot_row_generic(node, units, A, gamma, M, off_row, transformed):
    """(G) by a pivot row: the transformed unit u alone on ``{b} × E`` takes row b and
    column c of M (``M[b, c] ≠ 0``); the other transformed units fill the rest, which
    vanishes on column c of u."""
    data: FreeMultiplier = node.data
    (b,), (c,), (u,) = data.block_rows, data.block_cols, data.pivots
    columns = data.pivot_columns
    assert c in columns and M[(b, c)] != 0
    assert all((b, j) in off_row and j in transformed[u][1] for j in columns)
    assert not any(b in rows and set(cols) & set(columns) for t, (rows, cols) in enumerate(transformed) if t != u)
    reduced = frozenset(off_row - {(b, j) for j in columns})
    x = {b: Fraction(1)}
    for r in transformed[u][0]:
        if r != b and (r, c) in reduced:
            x[r] = M[(r, c)] / M[(b, c)]
    y = {j: M[(b, j)] for j in columns}
    made = product_on([transformed[u]], [(x, y)], reduced)
    remainder = {cell: M[cell] - made[cell] for cell in reduced}
    assert all(remainder[(r, c)] == 0 for r in x if r != b)
    rest = child_factors(node.children[0], remainder, node.transposed)
    others = [t for t in range(len(transformed)) if t != u]
    sub = [None] * len(transformed)
    for t, f in zip(others, rest, strict=True):
        sub[t] = f
    sub[u] = (x, y)
    assert product_on(transformed, sub, off_row) == {cell: M[cell] for cell in off_row}
    return back_substitute(data.elimination, units, A, gamma, sub)


def generic_units(node, units, cells):
    """The transformed units of the node's elimination, recomputed from its data."""
    elimination = node.data.elimination
    k, i, multiplier = elimination.unit, elimination.row, elimination.multiplier_rows
    visible = {j for r, j in cells if r == i}
    out = []
    for m, role in zip([m for m in range(len(units)) if m != k], elimination.roles):
        rows, cols = units[m]
        if role == "kept":
            out.append((rows, cols))
        elif role == "cut":
            out.append((tuple(r for r in rows if r != i), cols))
        else:
            out.append((tuple(sorted(set(rows) - {i} | set(multiplier))), cols))
    if elimination.remainder:
        out.append((multiplier, tuple(j for j in units[k][1] if j not in visible)))
    return out


def targets(cells, count: int, seed: int):
    """Seeded rational targets of varying density, plus every 0/1 target when |V| ≤ 9."""
    cells = sorted(cells)
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        density = rng.random()
        out.append({c: Fraction(rng.randint(-5, 5), rng.randint(1, 4)) if rng.random() < density else ZERO for c in cells})
    if len(cells) <= 9:
        out.extend({c: Fraction(b) for c, b in zip(cells, bits)} for bits in cartesian([0, 1], repeat=len(cells)))
    return out


def assert_replays(units, cells, count: int = 60, seed: int = 0) -> None:
    """The proof rebuilds exact factors with π_V(XYᵀ) = A for every target tried."""
    proof = full_space_proof(units, cells)
    assert proof is not None
    units = tuple((tuple(r), tuple(c)) for r, c in units)
    for target in targets(cells, count, seed):
        factors = realize(proof.tree, target)
        assert product_on(units, factors, frozenset(cells)) == target


def census_parts(shapes):
    """Every part of every pattern with ≤ 3 units of the given shapes."""
    for m, n in shapes:
        for support in enumerate_patterns(m, n, 3):
            structure = RankOneStructure.build(support)
            counts = np.bincount(structure.class_component, minlength=structure.n_components)
            for component in np.flatnonzero(counts > 1):
                reduction = reduce_component(structure, int(component))
                for part in reduction.parts:
                    yield part_units_and_cells(reduction, part)


def random_problem(rng: random.Random):
    m, n = rng.choice([(2, 3), (3, 3), (3, 4), (4, 4)])
    units = []
    for _ in range(rng.randint(2, 4)):
        rows = tuple(sorted(rng.sample(range(m), rng.randint(1, m))))
        cols = tuple(sorted(rng.sample(range(n), rng.randint(1, n))))
        units.append((rows, cols))
    covered = sorted({(i, j) for rows, cols in units for i in rows for j in cols})
    return units, [c for c in covered if rng.random() < 0.85] or covered[:1]


@pytest.mark.parametrize("units, cells", OPEN_3x3_PARTS)
def test_the_open_3x3_parts_are_full_by_the_new_lemmas(units, cells):
    proof = full_space_proof(units, cells)
    assert proof is not None
    assert proof.lemmas() & NEW_LEMMAS
    named = {"pivot row": "(pivot-row lemma)", "elimination": "(elimination lemma)",
             "free-multiplier elimination": "(free-multiplier elimination lemma)"}
    for lemma in proof.lemmas() & NEW_LEMMAS:
        assert named[lemma] in proof.text()
    assert_replays(units, cells, count=100)


def test_part_13_needs_the_free_multiplier():
    units, cells = OPEN_3x3_PARTS[2]
    assert "free-multiplier elimination" in full_space_proof(units, cells).lemmas()


def test_every_census_part_proved_by_a_new_lemma_replays():
    """Each 2×2, 2×3, 3×3 part (≤ 3 units) whose proof uses a new lemma: exact replay."""
    replayed = 0
    for units, cells in census_parts([(2, 2), (2, 3), (3, 3)]):
        proof = full_space_proof(units, cells)
        if proof is not None and proof.lemmas() & NEW_LEMMAS:
            assert_replays(units, cells, count=20)
            replayed += 1
    assert replayed >= 8


def test_random_problems_proved_by_new_lemmas_replay():
    rng = random.Random(23)
    replayed = 0
    for _ in range(400):
        units, cells = random_problem(rng)
        proof = full_space_proof(units, cells)
        if proof is not None and proof.lemmas() & NEW_LEMMAS:
            assert_replays(units, cells, count=15, seed=replayed)
            replayed += 1
    assert replayed >= 5


def features(node: ProofNode) -> set[str]:
    """The variants of the new lemmas a proof tree uses (to check the replay covers them)."""
    out = set()
    for n in node.walk():
        side = "-transposed" if n.transposed else ""
        if isinstance(n.data, Pivot):
            out.add("pivot" + side)
        elif isinstance(n.data, (Elimination, FreeMultiplier)):
            elimination = n.data if isinstance(n.data, Elimination) else n.data.elimination
            name = "elimination" if isinstance(n.data, Elimination) else f"free-multiplier {len(n.data.block_cols)}"
            if isinstance(n.data, FreeMultiplier) and n.data.pivot_columns:
                out.add("free-multiplier pivot row" + side)
            out |= {name + side, *(f"{name} {role}" for role in elimination.roles)}
            out |= {f"{name} remainder"} if elimination.remainder else set()
    return out


def test_each_new_lemma_alone_replays():
    """Each new lemma applied at the root of random problems (white box: the search's own
    lemma methods), its node replayed; every variant of each lemma must occur."""
    rng = random.Random(1)
    # a transposed free multiplier with a 2×2 block (rare among the random problems)
    problems = [([((0,), (0, 1, 2)), ((0, 1), (1,)), ((1,), (0, 2)), ((0, 1), (0, 1, 2))], SQUARE[:6])]
    problems += ZARISKI_PARTS  # a free multiplier whose one-cell block is a pivot row, both ways
    problems += [random_problem(rng) for _ in range(300)]
    seen = set()
    for n, (units, cells) in enumerate(problems):
        units, cells = tuple(units), frozenset(cells)
        for method in ("_pivot", "_elimination", "_free_multiplier", "_free_multiplier_pivot_row"):
            node = getattr(_Search(0, True), method)(units, cells)
            if node is not None:
                seen |= features(node)
                for target in targets(cells, 8, n):
                    assert product_on(units, realize(node, target), cells) == target
    expected = {
        "pivot", "pivot-transposed", "elimination", "elimination-transposed", "elimination kept",
        "elimination cut", "elimination coupled", "elimination remainder", "free-multiplier 1",
        "free-multiplier 1-transposed", "free-multiplier 1 remainder", "free-multiplier 2",
        "free-multiplier 2-transposed", "free-multiplier 2 coupled", "free-multiplier pivot row",
        "free-multiplier pivot row-transposed",
    }
    assert expected <= seen, expected - seen


def test_every_census_proof_replays():
    """Every proof over the 2×2, 2×3, 3×3 parts (≤ 3 units), old lemmas included."""
    lemmas = set()
    for units, cells in census_parts([(2, 2), (2, 3), (3, 3)]):
        proof = full_space_proof(units, cells)
        if proof is not None:
            lemmas |= proof.lemmas()
            assert_replays(units, cells, count=5)
    assert {"restriction", "absorption", "fixed factor", "nested pair"} | NEW_LEMMAS <= lemmas


def test_every_fixed_factor_of_a_branching_proof_has_full_rank():
    for units, cells in OPEN_3x3_PARTS:
        for fixed in full_space_proof(units, cells).fixed_factors():
            assert sympy_rank(fixed) == len(fixed.cells)


@pytest.mark.parametrize(
    "units, cells",
    [
        # LU 2×2 and its masked forms: E01 + E10 is a limit, not a product
        ([((0, 1), (0, 1)), ((1,), (1,))], [(0, 0), (0, 1), (1, 0), (1, 1)]),
        ([((0, 1), (0, 1)), ((1,), (1,)), ((1,), (1,))], [(0, 0), (0, 1), (1, 0), (1, 1)]),
        ([((0, 1), (0, 1)), ((1, 2), (1, 2))], [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 1), (2, 2)]),
        # shared rows (MATH.md): [[1,0,1],[0,1,0]] is not a product
        ([((0, 1), (0, 1)), ((0, 1), (1, 2))], [(i, j) for i in range(2) for j in range(3)]),
        # parts 4 and 15 of the 22 parts open before the full-space lemmas: not closed, hence not full
        ([((1, 2), (0, 2)), ((1, 2), (1, 2)), ((0, 2), (0, 1))], [c for c in SQUARE if c != (0, 2)]),
        ([((1, 2), (0, 1, 2)), ((0, 2), (1, 2)), ((0, 1, 2), (0, 1))], SQUARE),
        # rank ≤ 2 on 3×3 next to a cell-free unit
        ([((0, 1, 2), (0, 1, 2))] * 2 + [((0,), (0,))], SQUARE),
    ],
)
def test_sets_known_not_full_are_never_claimed(units, cells):
    assert full_space_proof(units, cells) is None


@pytest.mark.exhaustive
def test_random_problems_replay_exhaustively(exhaustive):
    """Thousands of random problems: every proof using a new lemma replays on 0/1 and
    rational targets."""
    if not exhaustive:
        pytest.skip("thousands of random problems: run with --exhaustive")
    rng = random.Random(101)
    replayed = 0
    for _ in range(5000):
        units, cells = random_problem(rng)
        proof = full_space_proof(units, cells)
        if proof is not None and proof.lemmas() & NEW_LEMMAS:
            assert_replays(units, cells, count=100, seed=replayed)
            replayed += 1
    for units, cells in census_parts([(3, 4)]):
        proof = full_space_proof(units, cells)
        if proof is not None and proof.lemmas() & NEW_LEMMAS:
            assert_replays(units, cells, count=30)
            replayed += 1
    assert replayed >= 50


# The two patterns with ≤ 3 units (2×3 and 3×3) once decided only by the Zariski-closure
# criterion: their part (the same one, transposed) is full by a free-multiplier elimination
# with a one-cell block whose generic case is a pivot row of the transformed problem.
ZARISKI_PARTS = [
    # 2×3: {0}×{0}, {0,1}×{0,1}, {0,1}×{1,2}
    ([((0, 1), (0, 1)), ((0, 1), (1, 2))], [(0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]),
    # 3×3: {0}×{0,1}, {0,2}×{1,2}, {1,2}×{1,2}
    ([((0, 2), (1, 2)), ((1, 2), (1, 2))], [(0, 2), (1, 1), (1, 2), (2, 1), (2, 2)]),
]


@pytest.mark.parametrize("units, cells", ZARISKI_PARTS)
def test_the_zariski_parts_are_full_by_a_pivot_row_free_multiplier(units, cells):
    proof = full_space_proof(units, cells)
    assert proof is not None
    nodes = [n for n in proof.tree.walk() if isinstance(n.data, FreeMultiplier) and n.data.pivot_columns]
    assert nodes and "(free-multiplier elimination lemma)" in proof.text()
    assert "(a pivot row)" in proof.text()
    assert_replays(units, cells, count=200)
    # the generic branch needs targets whose block is invertible only after elimination
    # and the degenerate branch every target vanishing on T: the 0/1 targets cover both
    support, hidden = masked_support(units, cells)
    rng = random.Random(3)
    for _ in range(2):
        target = {cell: rng.randint(-3, 3) for cell in cells}
        assert is_member(support, target, hidden=hidden, seconds=20).answer == "member"


@pytest.mark.parametrize(
    "I, J",
    [
        (["111", "011"], ["110", "011", "001"]),
        (["110", "001", "011"], ["100", "111", "011"]),
    ],
)
def test_the_zariski_patterns_are_rule_decided(I, J):
    from closure_check import check
    from closure_check.census import _support

    result = check(_support(I, J), budget=0)
    assert result.verdict.value == "closed"
    assert not result.records
    assert any("free-multiplier elimination lemma" in reason for reason in result.reasons)
