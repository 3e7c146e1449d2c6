"""Reductions: the invariants the lemmas of docs/theory.md §3 rely on."""

from __future__ import annotations

import numpy as np
import pytest

from closure_check.core.enumerate import rectangles_to_support
from closure_check.core.graph import RankOneStructure
from closure_check.core.support import TwoFactorSupport
from closure_check.two_factor.reduce import reduce_component, visible_bicliques


def random_support(rng: np.random.Generator) -> TwoFactorSupport:
    m, n, r = rng.integers(2, 6, size=3)
    return TwoFactorSupport((rng.random((m, r)) < 0.5).astype(int), (rng.random((n, r)) < 0.5).astype(int))


def reductions(support: TwoFactorSupport):
    structure = RankOneStructure.build(support)
    for component in range(structure.n_components):
        yield structure, reduce_component(structure, component)


@pytest.mark.parametrize("seed", range(150))
def test_reduction_invariants(seed):
    support = random_support(np.random.default_rng(seed))
    I, J = support.I.toarray(), support.J.toarray()
    for structure, reduction in reductions(support):
        local = {(int(i), int(j)) for i in reduction.rows for j in reduction.cols}
        hidden = {
            (int(reduction.rows[a]), int(reduction.cols[b])) for a, b in zip(*np.nonzero(reduction.hidden))
        }
        # every hidden cell was first hidden by an absorbed class whose units all cover it
        for a, b in zip(*np.nonzero(reduction.hidden)):
            owner = reduction.absorbed[int(reduction.absorbed_by[a, b])]
            i, j = int(reduction.rows[a]), int(reduction.cols[b])
            assert i in owner.rows and j in owner.cols
            assert all(I[i, k] and J[j, k] for k in owner.units)
        remaining = [block for part in reduction.parts for block in part.classes]
        for block in remaining:
            # current rectangle inside every unit's rectangle; the rest of the units' cells hidden
            for k in block.units:
                rows_k, cols_k = set(np.flatnonzero(I[:, k])), set(np.flatnonzero(J[:, k]))
                assert set(block.rows.tolist()) <= rows_k and set(block.cols.tolist()) <= cols_k
                outside = {(i, j) for i in rows_k for j in cols_k} - {
                    (int(i), int(j)) for i in block.rows for j in block.cols
                }
                assert outside <= hidden
            visible = reduction.visible_block(block)
            assert visible.any()
            assert block.masked == (not visible.all())
            assert block.multiplicity < min(block.rows.size, block.cols.size)   # no complete class left
        rectangles = [(block.rows.tobytes(), block.cols.tobytes()) for block in remaining]
        assert len(rectangles) == len(set(rectangles))                           # merged
        # parts: no visible cell is shared by classes of different parts
        owner_part = {}
        for index, part in enumerate(reduction.parts):
            for block in part.classes:
                for i in block.rows:
                    for j in block.cols:
                        if (int(i), int(j)) not in hidden:
                            assert owner_part.setdefault((int(i), int(j)), index) == index
        assert hidden <= local


def test_absorbed_classes_realise_any_target_on_hidden_cells():
    """The realisation used by certificates and the solver, in exact integers."""
    rng = np.random.default_rng(1)
    for _ in range(100):
        support = random_support(rng)
        for structure, reduction in reductions(support):
            target = np.where(reduction.hidden, rng.integers(-5, 6, size=reduction.hidden.shape), 0)
            X = np.zeros((reduction.rows.size, support.rank), dtype=np.int64)
            Y = np.zeros((reduction.cols.size, support.rank), dtype=np.int64)
            for index, absorbed in enumerate(reduction.absorbed):
                fresh = np.where(reduction.absorbed_by == index, target, 0)
                rows, cols = reduction.local(absorbed.rows, absorbed.cols)
                if len(absorbed.units) >= rows.size:
                    for unit, row in zip(absorbed.units, rows):
                        X[row, unit] = 1
                        Y[cols, unit] = fresh[row, cols]
                else:
                    for unit, col in zip(absorbed.units, cols):
                        Y[col, unit] = 1
                        X[rows, unit] = fresh[rows, col]
            assert np.array_equal(X @ Y.T, target)


def test_lu3_reduces_to_one_masked_part():
    structure = RankOneStructure.build(rectangles_to_support(3, 3, [((0, 1, 2), (0, 1, 2)), ((1, 2), (1, 2)), ((2,), (2,))]))
    reduction = reduce_component(structure, 0)
    assert [s.lemma for s in reduction.steps] == ["absorption lemma"]
    assert len(reduction.parts) == 1 and all(b.masked for b in reduction.parts[0].classes)


def test_visible_bicliques():
    two_blocks = np.array([[1, 0, 0], [0, 1, 1], [0, 1, 1]], dtype=bool)
    assert [(r.tolist(), c.tolist()) for r, c in visible_bicliques(two_blocks)] == [([1, 2], [1, 2]), ([0], [0])]
    path = np.array([[1, 1], [0, 1]], dtype=bool)
    assert visible_bicliques(path) is None


# The four 3×3 patterns with at most 4 units whose reduction the bounding-box test changes: a
# class of multiplicity 2 on 3×3 whose visible cells, after two single-row/column units are
# absorbed, are not a rectangle but lie in a 2×3 (or 3×2) bounding box.
BOUNDING_BOX_PATTERNS = [
    ([[0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 1]], [[1, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1]]),
    ([[0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 1]], [[1, 1, 1, 1], [1, 1, 1, 1], [0, 1, 1, 1]]),
    ([[0, 1, 1, 1], [0, 1, 1, 1], [1, 0, 1, 1]], [[1, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 1]]),
    ([[1, 1, 1, 1], [0, 1, 1, 1], [0, 0, 1, 1]], [[1, 1, 1, 1], [1, 0, 1, 1], [1, 0, 1, 1]]),
]


@pytest.mark.parametrize("dense", BOUNDING_BOX_PATTERNS)
def test_a_masked_class_complete_on_its_bounding_box_is_absorbed(dense, monkeypatch):
    from closure_check.approximation.solve import solve
    from closure_check.core.case import Verdict
    from closure_check.decide import check
    from closure_check.two_factor import reduce as reduce_module

    support = TwoFactorSupport.from_dense(*dense)
    structure = RankOneStructure.build(support)
    reduction = reduce_component(structure, 0)
    assert not reduction.parts and len(reduction.absorbed) == 3
    last = reduction.absorbed[-1]
    assert len(last.units) == 2 and min(last.rows.size, last.cols.size) == 2   # the bounding box, not 3×3
    assert "bounding-box lemma" in reduction.steps[-1].text
    result = check(support, budget=0)
    assert result.verdict is Verdict.CLOSED and "(absorption lemma)" in result.reasons[-1]
    # the hidden cells are realised through the bounding box: the exact solver fits any target
    target = np.random.default_rng(0).standard_normal(support.shape)
    assert solve(target, support).error < 1e-9

    # without the bounding-box test the class stays masked, its part needs the full-space
    # search, and the verdict is the same
    original = reduce_module.absorb_complete_classes
    monkeypatch.setattr(reduce_module, "absorb_complete_classes", lambda problem, bounding_box=True: original(problem, False))
    without = reduce_component(structure, 0)
    assert len(without.parts) == 1 and any(b.masked for b in without.parts[0].classes)
    assert check(support, budget=0).verdict is Verdict.CLOSED


def test_the_bounding_box_test_only_adds_masked_classes_at_the_fixpoint():
    # a class whose visible cells form a rectangle is projected then merged, as before: in this
    # pattern (units {2}×{0,1,2}, {0,2}×{0,2}, {0,1}×{0,1}, {0,1,2}×{0,1}) the last two classes
    # meet on {0,1}×{0,1}, merge to μ = 2 and are absorbed together
    support = TwoFactorSupport.from_dense([[0, 1, 1, 1], [0, 0, 1, 1], [1, 1, 0, 1]],
                                          [[1, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 0]])
    reduction = reduce_component(RankOneStructure.build(support), 0)
    assert not reduction.parts
    assert any(step.lemma == "merge lemma" for step in reduction.steps)
    assert not any("bounding-box lemma" in step.text for step in reduction.steps)
