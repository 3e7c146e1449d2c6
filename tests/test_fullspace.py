"""The full-space lemma: every claim ``Q = ℝ^V`` is re-checked independently.

Two independent checks: the fixed factor's linear map has full rank by sympy's exact
rank (not flint's), and random integer targets on V are products by the exact
membership procedure (Gröbner basis + real solution, closure_check.algebra).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy

from closure_check.algebra.membership import is_member
from closure_check.enumerate import enumerate_patterns, rectangles_to_support
from closure_check.fullspace import full_space_proof
from closure_check.graph import RankOneStructure
from closure_check.reduce import reduce_component
from closure_check.rules import part_units_and_cells


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
