"""The spanning lemma (``docs/theory.md``, "Spanning lemma"): its proof, carried out.

For every part of the small censuses on which the lemma fires, the proof's construction is
run on seeded random integer targets A (some with zero private columns): pinned units take
their private column of A, the others random integer vectors, and the coefficients are
solved exactly in ℚ; the product must equal A on every visible cell.  A second, independent
check asks z3 (QEPCAD B for two 8-cell parts, on which z3 answers unknown) whether some A on
the visible cells is not a product (the Zariski sentence with no equation): it must answer
unsat (FALSE).  The 2×4 pattern of issue 16 is decided CLOSED by it.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations

import pytest

from closure_check.census import _support
from closure_check.core.case import Verdict
from closure_check.decide import check
from closure_check.two_factor.fullspace import spanning_step

# (units, visible cells) of parts of the censuses on which it fires: 2×4 ≤ 3 units (the first five; the
# fourth was decided by the Zariski criterion before), 3×3 ≤ 3 units, 2×3 with 4 units
ISSUE_PART = ([((0, 1), (0, 2)), ((0, 1), (1, 3)), ((0, 1), (2, 3))], [(i, j) for i in range(2) for j in range(4)])
PARTS = [
    ISSUE_PART,
    ([((0, 1), (1, 3)), ((0, 1), (2, 3)), ((0, 1), (0, 1, 2))], [(i, j) for i in range(2) for j in range(4)]),
    ([((0, 1), (1, 3)), ((0, 1), (2, 3)), ((0, 1), (0, 1, 2, 3))], [(i, j) for i in range(2) for j in range(4)]),
    ([((0, 1), (0, 1, 2)), ((0, 1), (1, 2, 3))], [(0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (1, 2), (1, 3)]),
    ([((0, 1), (0, 1, 2)), ((0, 1), (0, 1, 2, 3))], [(0, 0), (0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3)]),
    ([((0, 1), (0, 1)), ((0, 1, 2), (0, 1))], [(0, 0), (0, 1), (1, 0), (1, 1), (2, 1)]),
    ([((0, 1), (0, 2)), ((0, 1), (0, 1, 2))], [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2)]),
]


def _solve(columns: list[list[Fraction]], target: list[Fraction]) -> list[Fraction] | None:
    """Exact solution of a square system (columns given), or None if singular."""
    size = len(target)
    rows = [[columns[c][r] for c in range(size)] + [target[r]] for r in range(size)]
    for c in range(size):
        pivot = next((r for r in range(c, size) if rows[r][c] != 0), None)
        if pivot is None:
            return None
        rows[c], rows[pivot] = rows[pivot], rows[c]
        for r in range(size):
            if r != c and rows[r][c] != 0:
                factor = rows[r][c] / rows[c][c]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[c])]
    return [rows[r][size] / rows[r][r] for r in range(size)]


def construct(units, cells, A, rng):
    """Factors (x_k on the shared rows, y_k) with π_V(Σ x_k y_kᵀ) = A, following the proof."""
    cells = set(cells)
    active = [k for k, (r, c) in enumerate(units) if any((i, j) in cells for i in r for j in c)]
    shared = sorted(set.intersection(*(set(units[k][0]) for k in active)))
    visible: dict[int, list[int]] = {}
    for i, j in sorted(cells):
        visible.setdefault(j, []).append(i)
    covering = {j: [k for k in active if j in units[k][1]] for j in visible}
    private = {j: ks[0] for j, ks in covering.items() if len(ks) == 1}
    x: dict[int, dict[int, Fraction]] = {}
    y: dict[tuple[int, int], Fraction] = {}
    for j, k in private.items():
        if len(visible[j]) == 1:
            continue  # thin: solved below, once x_k is chosen
        column = {i: A[(i, j)] for i in shared}
        if any(column.values()):
            x[k], y[(j, k)] = column, Fraction(1)
        else:
            y[(j, k)] = Fraction(0)
    for k in range(len(units)):
        x.setdefault(k, {i: Fraction(rng.choice([v for v in range(-50, 51) if v])) for i in shared} if k in active else {})
    return (x, y) if fill_columns(A, x, y, visible, covering, private) else None


def fill_columns(A, x, y, visible, covering, private) -> bool:
    """The proof's last step, once every x_k is chosen: a thin private column from its unit, every
    other column spanned by the units covering it (False if the chosen x_k do not span it)."""
    for j, k in private.items():
        if len(visible[j]) == 1:
            (i,) = visible[j]
            y[(j, k)] = A[(i, j)] / x[k][i]
    for j, ks in covering.items():
        if j in private:
            continue
        rows = visible[j]
        for chosen in combinations(ks, len(rows)):
            solution = _solve([[x[k][i] for i in rows] for k in chosen], [A[(i, j)] for i in rows])
            if solution is not None:
                y.update({(j, k): v for k, v in zip(chosen, solution)})
                break
        else:
            return False
    return True


def _product(units, x, y, cell):
    i, j = cell
    return sum((x[k].get(i, 0) * y.get((j, k), 0) for k, (_, cols) in enumerate(units) if j in cols), Fraction(0))


def _row_form(units, cells):
    """The part, transposed when the lemma fires on its columns."""
    if spanning_step(units, cells) is not None:
        return units, cells
    return [(c, r) for r, c in units], [(j, i) for i, j in cells]


@pytest.mark.parametrize("units, cells", PARTS)
def test_the_construction_of_the_proof_reaches_random_targets(units, cells):
    units, cells = _row_form(units, cells)
    assert spanning_step(units, cells) is not None
    rng = random.Random(16)
    for trial in range(40):
        A = {cell: Fraction(rng.randint(-9, 9)) for cell in cells}
        if trial % 4 == 0:  # zero columns: pinned units become free
            j = rng.choice(sorted({j for _, j in cells}))
            A.update({(i, c): Fraction(0) for i, c in cells if c == j})
        # the proof picks the free vectors outside finitely many proper subspaces; a random draw
        # lands in them with small probability, and is then drawn again
        built = next((b for _ in range(5) if (b := construct(units, cells, A, rng)) is not None), None)
        assert built is not None
        x, y = built
        assert all(_product(units, x, y, cell) == A[cell] for cell in cells)


def test_it_does_not_fire_where_the_products_miss_a_matrix():
    # MATH.md: {0,1}×{0,1} and {0,1}×{1,2} miss [[1,0,1],[0,1,0]]: two private columns, one shared, both pinned
    assert spanning_step([((0, 1), (0, 1)), ((0, 1), (1, 2))], [(i, j) for i in range(2) for j in range(3)]) is None
    # a unit with two private columns: rank one there
    assert spanning_step([((0, 1), (0, 1, 2)), ((0, 1), (2,))], [(i, j) for i in range(2) for j in range(3)]) is None


@pytest.mark.parametrize("units, cells", PARTS[3:])
def test_z3_finds_no_target_outside_the_products(units, cells):
    from closure_check.algebra.zariski import _sentence, nlqsat, part_problem

    problem = part_problem(units, cells)
    names = [f"a_{i}_{j}" for i, j in problem[2]]
    _, answer, _ = nlqsat(_sentence(problem, names, []), 30.0)
    assert answer == "unsat"


@pytest.mark.exhaustive
@pytest.mark.parametrize("units, cells", PARTS[1:3])
def test_qepcad_finds_no_target_outside_the_products(units, cells, exhaustive):
    """Two of the three 8-cell parts, on which z3 answers unknown: QEPCAD B instead (measured 222 s and
    192 s on the loaded machine; on the issue's part, PARTS[0], it did not finish in 600 s)."""
    if not exhaustive:
        pytest.skip("QEPCAD takes minutes on each: run with --exhaustive")
    from closure_check.algebra.qepcad import zariski_qepcad
    from closure_check.algebra.zariski import part_problem

    assert zariski_qepcad(part_problem(units, cells), []).status == "false"


def test_the_issue_pattern_is_closed_by_the_spanning_lemma():
    result = check(_support(("111", "111"), ("100", "010", "101", "011")), budget=0)
    assert result.verdict is Verdict.CLOSED and "(spanning lemma)" in result.reasons[-1]


# ------------------------------------------------------------------------- hooks lemma

# the hook parts of the 3×3 census with exactly 4 units once decided by the Zariski criterion
HOOK_PARTS = [
    ([((0, 1), (0, 2)), ((0, 2), (0, 1))], [(0, 0), (0, 2), (1, 0), (0, 1), (2, 0)]),
    ([((0, 2), (1, 2)), ((1, 2), (0, 2))], [(0, 2), (2, 1), (2, 2), (1, 2), (2, 0)]),
    ([((0, 1), (0, 1)), ((0, 2), (0, 2))], [(0, 0), (0, 1), (1, 0), (0, 2), (2, 0)]),
]


def construct_hooks(units, cells, A):
    """Factors with π_V(Σ x_k y_kᵀ) = A, following the proof of the hooks lemma."""
    cells = set(cells)
    active = [k for k, (r, c) in enumerate(units) if any((i, j) in cells for i in r for j in c)]
    (corner,) = [cell for cell in cells if sum(cell[0] in units[k][0] and cell[1] in units[k][1] for k in active) > 1]
    i0, j0 = corner
    arms = {}
    for k in active:
        rows, cols = units[k]
        r = {j: A[(i0, j)] for j in cols if j != j0 and (i0, j) in cells}
        s = {i: A[(i, j0)] for i in rows if i != i0 and (i, j0) in cells}
        arms[k] = (r, s)
    needs = [k for k in active if any(arms[k][0].values()) and any(arms[k][1].values())]
    free = [k for k in active if k not in needs]
    alpha = {k: Fraction(1) for k in active}
    if free:
        for k in free:
            alpha[k] = Fraction(0)
        alpha[free[0]] = A[corner] - len(needs)
    else:
        rest = A[corner] - (len(needs) - 2)
        alpha[needs[0]], alpha[needs[1]] = (rest - 1, Fraction(1)) if rest != 1 else (Fraction(2), Fraction(-1))
    factors = [({}, {}) for _ in units]
    for k in active:
        r, s = arms[k]
        a = alpha[k]
        if any(r.values()) and any(s.values()):
            x = {i0: Fraction(1), **{i: v / a for i, v in s.items()}}
            y = {j0: a, **r}
        elif not any(r.values()):
            x = {i0: a, **s}
            y = {j0: Fraction(1)}
        else:
            x = {i0: Fraction(1)}
            y = {j0: a, **r}
        factors[k] = (x, y)
    return factors


@pytest.mark.parametrize("units, cells", HOOK_PARTS)
def test_the_hooks_construction_reaches_random_targets(units, cells):
    from closure_check.two_factor.fullspace import hooks_step

    assert hooks_step(units, cells) is not None
    rng = random.Random(4)
    for trial in range(60):
        A = {cell: Fraction(rng.choice([0, 0, 1, -1, 2, rng.randint(-9, 9)])) for cell in cells}
        factors = construct_hooks(units, cells, A)
        for cell in cells:
            i, j = cell
            value = sum((x.get(i, 0) * y.get(j, 0) for (rows, cols), (x, y) in zip(units, factors)
                         if i in rows and j in cols), Fraction(0))
            assert value == A[cell], (trial, cell)
        assert all(set(x) <= set(rows) and set(y) <= set(cols) for (rows, cols), (x, y) in zip(units, factors))


@pytest.mark.parametrize("units, cells", HOOK_PARTS)
def test_z3_finds_no_target_outside_the_hook_products(units, cells):
    from closure_check.algebra.zariski import _sentence, nlqsat, part_problem

    problem = part_problem(units, cells)
    names = [f"a_{i}_{j}" for i, j in problem[2]]
    _, answer, _ = nlqsat(_sentence(problem, names, []), 30.0)
    assert answer == "unsat"


def test_hooks_do_not_fire_on_local_lu():
    from closure_check.two_factor.fullspace import hooks_step

    # LU's part: one unit sees (0,0), (0,1), (1,0); the corner unit is absorbed -- a single unit is not enough
    assert hooks_step([((0, 1), (0, 1))], [(0, 0), (0, 1), (1, 0)]) is None
    # two units meeting at (1,1), but unit 0 also sees (0,0), off the hook of (1,1)
    assert hooks_step([((0, 1), (0, 1)), ((1,), (1,))], [(0, 0), (0, 1), (1, 0), (1, 1)]) is None
