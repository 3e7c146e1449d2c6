"""The rank-one-support structure against brute-force definitions (MATH.md §1–2)."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import closure_check.core.graph as graph_module
from closure_check.core.graph import RankOneStructure, StructureTooLarge
from closure_check.core.support import TwoFactorSupport


def brute_force(support: TwoFactorSupport):
    """Classes, completeness and unit-level overlap components from the definitions."""
    I, J = support.I.toarray(), support.J.toarray()
    rectangles = [
        (frozenset(np.flatnonzero(I[:, k])), frozenset(np.flatnonzero(J[:, k]))) for k in range(support.rank)
    ]
    nonempty = [k for k, (R, C) in enumerate(rectangles) if R and C]
    classes: dict[tuple, list[int]] = {}
    for k in nonempty:
        classes.setdefault(rectangles[k], []).append(k)
    overlap = nx.Graph()
    overlap.add_nodes_from(nonempty)
    for a, b in itertools.combinations(nonempty, 2):
        (Ra, Ca), (Rb, Cb) = rectangles[a], rectangles[b]
        if Ra & Rb and Ca & Cb:
            overlap.add_edge(a, b)
    components = {frozenset(c) for c in nx.connected_components(overlap)}
    complete = {rect: len(units) >= min(len(rect[0]), len(rect[1])) for rect, units in classes.items()}
    disjoint = all(
        not (Ra & Rb and Ca & Cb) for (Ra, Ca), (Rb, Cb) in itertools.combinations(list(classes), 2)
    )
    return rectangles, classes, complete, components, disjoint


def random_support(rng: np.random.Generator, max_side: int = 6, density: float = 0.45) -> TwoFactorSupport:
    m, n, r = rng.integers(1, max_side + 1, size=3)
    return TwoFactorSupport((rng.random((m, r)) < density).astype(int), (rng.random((n, r)) < density).astype(int))


def check_against_brute_force(support: TwoFactorSupport) -> None:
    structure = RankOneStructure.build(support)
    rectangles, classes, complete, components, disjoint = brute_force(support)
    assert set(structure.empty_units.tolist()) == {k for k, (R, C) in enumerate(rectangles) if not (R and C)}
    found = {}
    for klass in range(structure.n_classes):
        rows, cols = structure.class_rectangle(klass)
        rect = (frozenset(rows), frozenset(cols))
        found[rect] = structure.class_units(klass).tolist()
        assert structure.multiplicity[klass] == len(found[rect])
        assert bool(structure.complete[klass]) == complete[rect]
    assert found == classes
    unit_components = {}
    for k in range(support.rank):
        if structure.unit_class[k] >= 0:
            unit_components.setdefault(int(structure.class_component[structure.unit_class[k]]), set()).add(k)
    assert {frozenset(c) for c in unit_components.values()} == components
    assert structure.pairwise_disjoint == disjoint


def test_lu2_has_two_rectangles_one_complete():
    structure = RankOneStructure.build(TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]]))
    assert [structure.class_rectangle(c) for c in range(2)] == [((0, 1), (0, 1)), ((1,), (1,))]
    assert structure.complete.tolist() == [False, True]
    assert structure.n_components == 1 and not structure.pairwise_disjoint


def test_equal_rectangles_merge_and_complete_when_multiplicity_reaches_min_side():
    # two equal 2×3 units: μ = 2 = min(2, 3), so the class is complete
    I = [[1, 1], [1, 1]]
    J = [[1, 1], [1, 1], [1, 1]]
    structure = RankOneStructure.build(TwoFactorSupport.from_dense(I, J))
    assert structure.n_classes == 1
    assert structure.multiplicity.tolist() == [2] and structure.complete.tolist() == [True]


def test_empty_units_are_in_no_class():
    structure = RankOneStructure.build(TwoFactorSupport.from_dense([[1, 0, 1]], [[0, 1, 1]]))
    assert structure.empty_units.tolist() == [0, 1]
    assert structure.unit_class.tolist() == [-1, -1, 0]


@pytest.mark.parametrize("seed", range(400))
def test_structure_matches_brute_force_on_random_supports(seed):
    check_against_brute_force(random_support(np.random.default_rng(seed)))


def test_structure_matches_brute_force_with_many_twins():
    rng = np.random.default_rng(7)
    for _ in range(50):
        base = random_support(rng, max_side=3, density=0.6)
        # duplicate rows of I and J and units: creates twin rows, twin columns, equal rectangles
        I = np.repeat(np.repeat(base.I.toarray(), 2, axis=0), 2, axis=1)
        J = np.repeat(np.repeat(base.J.toarray(), 3, axis=0), 2, axis=1)
        check_against_brute_force(TwoFactorSupport(I, J))


def test_grouping_stays_exact_when_every_hash_collides(monkeypatch):
    monkeypatch.setattr(
        graph_module, "_segment_sums", lambda values, indptr: np.zeros(indptr.size - 1, dtype=np.uint64)
    )
    rng = np.random.default_rng(3)
    for _ in range(30):
        check_against_brute_force(random_support(rng))


def test_bipartite_graph_has_one_biclique_per_unit():
    support = TwoFactorSupport.from_dense([[1, 0, 1], [1, 1, 0]], [[1, 1, 0], [0, 1, 1], [1, 0, 1]])
    structure = RankOneStructure.build(support)
    graph = structure.bipartite_graph()
    I, J = support.I.toarray(), support.J.toarray()
    assert graph.number_of_edges() == sum(I[:, k].sum() * J[:, k].sum() for k in range(3))
    for k in range(3):
        edges = {(u, v) for u, v, key in graph.edges(keys=True) if key == k}
        rows = {("row", int(i)) for i in np.flatnonzero(I[:, k])}
        cols = {("col", int(j)) for j in np.flatnonzero(J[:, k])}
        assert {frozenset(e) for e in edges} == {frozenset((a, b)) for a in rows for b in cols}


def test_overlap_graph_components_agree_with_structure():
    rng = np.random.default_rng(11)
    for _ in range(40):
        structure = RankOneStructure.build(random_support(rng))
        graph = structure.overlap_graph()
        labels = structure.class_component
        for component in nx.connected_components(graph):
            assert len({int(labels[c]) for c in component}) == 1
        assert nx.number_connected_components(graph) == structure.n_components
        assert (graph.number_of_edges() == 0) == structure.pairwise_disjoint


def test_cell_budget_is_enforced():
    dense = TwoFactorSupport(np.ones((30, 2), dtype=int), np.eye(30, 2, dtype=int) + np.eye(30, 2, k=-1, dtype=int))
    with pytest.raises(StructureTooLarge, match="budget"):
        RankOneStructure.build(dense, max_cells=1)


def _exact_labels(matrix) -> list[int]:
    """Reference grouping of the columns of a sparse 0/1 matrix: equal index sets, numbered by first occurrence."""
    dense = matrix.toarray() != 0
    seen: dict[tuple, int] = {}
    return [seen.setdefault(tuple(np.flatnonzero(dense[:, k])), len(seen)) for k in range(dense.shape[1])]


def _force_keys(monkeypatch, key):
    """Replace the 64-bit column key by ``key(column_index_set, k)``, so collisions are chosen by the test."""

    def keys(indptr, indices, n_rows):
        return np.array(
            [key(tuple(indices[a:b].tolist()), k) for k, (a, b) in enumerate(zip(indptr[:-1], indptr[1:]))],
            dtype=np.uint64,
        )

    monkeypatch.setattr(graph_module, "_column_keys", keys)


def test_colliding_keys_of_columns_of_different_lengths_stay_apart(monkeypatch):
    # issue 20: {0} and {0,1} share a key; the entry comparison of {0,1} against {0} used to
    # read past the end of {0} into the next column {1} and pass, giving labels [0 1 0]
    import scipy.sparse as sp

    _force_keys(monkeypatch, lambda column, k: 8 if column == (1,) else 7)
    matrix = sp.csc_array(np.array([[1, 0, 1], [0, 1, 1]]))
    assert graph_module.group_equal_columns(matrix).tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "key",
    [
        lambda column, k: 0,  # every column collides
        lambda column, k: column[0] if column else 0,  # collide on the first row, any length
        lambda column, k: sum(column) % 3,  # collide across lengths
        lambda column, k: len(column) % 2,  # collide across lengths of equal parity
    ],
    ids=["constant", "first_row", "row_sum_mod_3", "length_parity"],
)
def test_grouping_is_exact_under_forced_collisions(monkeypatch, key):
    import scipy.sparse as sp

    _force_keys(monkeypatch, key)
    rng = np.random.default_rng(11)
    for _ in range(200):
        m, k = rng.integers(1, 6), rng.integers(1, 12)
        dense = (rng.random((m, k)) < rng.random()).astype(np.int8)
        # repeat some columns so that real groups exist next to the collisions
        dense = dense[:, rng.integers(0, k, size=k + 4)]
        matrix = sp.csc_array(dense)
        assert graph_module.group_equal_columns(matrix).tolist() == _exact_labels(matrix)


def test_structure_is_exact_when_keys_collide_across_lengths(monkeypatch):
    # classes (equal rectangles) and twins built on adversarial keys still match the definitions
    _force_keys(monkeypatch, lambda column, k: column[0] if column else 0)
    rng = np.random.default_rng(5)
    for _ in range(60):
        check_against_brute_force(random_support(rng))
    I = [[1, 0, 1], [0, 1, 1]]
    J = [[1, 1, 1]]
    structure = RankOneStructure.build(TwoFactorSupport.from_dense(I, J))
    assert structure.n_classes == 3 and structure.complete.tolist() == [True, True, True]


def _force_csr_keys(monkeypatch, key):
    """As :func:`_force_keys`, for the keys summed from CSR arrays (no transpose)."""

    def keys(indptr, indices, n_rows, lengths):
        by_column = sp.csr_array((np.ones(indices.size, dtype=np.int8), indices, indptr), shape=(n_rows, lengths.size)).tocsc()
        by_column.sort_indices()
        return np.array(
            [key(tuple(by_column.indices[a:b].tolist()), k) for k, (a, b) in enumerate(zip(by_column.indptr[:-1], by_column.indptr[1:]))],
            dtype=np.uint64,
        )

    monkeypatch.setattr(graph_module, "_csr_column_keys", keys)


def _random_with_repeated_columns(rng: np.random.Generator) -> sp.csr_array:
    m, k = rng.integers(1, 7), rng.integers(1, 12)
    dense = (rng.random((m, k)) < rng.random()).astype(np.int8)
    return sp.csr_array(dense[:, rng.integers(0, k, size=k + 4)])


def test_csr_grouping_equals_the_csc_grouping_and_the_definition():
    rng = np.random.default_rng(21)
    for _ in range(300):
        matrix = _random_with_repeated_columns(rng)
        labels = graph_module.group_equal_csr_columns(matrix).tolist()
        assert labels == _exact_labels(matrix) == graph_module.group_equal_columns(sp.csc_array(matrix)).tolist()


@pytest.mark.parametrize(
    "key",
    [lambda column, k: 0, lambda column, k: column[0] if column else 0, lambda column, k: len(column) % 2],
    ids=["constant", "first_row", "length_parity"],
)
@pytest.mark.parametrize("bitmap", [True, False], ids=["row-count proof", "csc fallback"])
def test_csr_grouping_is_exact_under_forced_collisions(monkeypatch, key, bitmap):
    """Colliding keys are caught by the row counts (or by the CSC path when the bitmap is too large)."""
    _force_csr_keys(monkeypatch, key)
    if not bitmap:
        monkeypatch.setattr(graph_module, "_CHUNK", -10**9)  # every bitmap is "too large"
    rng = np.random.default_rng(12)
    for _ in range(150):
        matrix = _random_with_repeated_columns(rng)
        assert graph_module.group_equal_csr_columns(matrix).tolist() == _exact_labels(matrix)


@pytest.mark.parametrize("csgraph", [False, True], ids=["union-find", "csgraph"])
def test_connected_components_number_components_by_first_vertex_like_networkx(monkeypatch, csgraph):
    """Isolated vertices are left out of the search and still get their own component, in order."""
    from closure_check.core import components

    if csgraph:
        monkeypatch.setattr(components, "SMALL_GRAPH_EDGES", -1)
    rng = np.random.default_rng(8)
    for _ in range(300):
        n, e = int(rng.integers(1, 30)), int(rng.integers(0, 12))
        left, right = rng.integers(0, n, e), rng.integers(0, n, e)
        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from(zip(left.tolist(), right.tolist()))
        expected = np.empty(n, dtype=np.int64)
        for label, members in enumerate(sorted(nx.connected_components(graph), key=min)):
            expected[list(members)] = label
        count, labels = components.connected_components(n, left, right)
        assert count == int(expected.max()) + 1 and labels.tolist() == expected.tolist()


@pytest.mark.parametrize("path", ["twin-merged cells", "raw cells in blocks of 3"])
def test_both_overlap_computations_match_brute_force(monkeypatch, path):
    """Small supports take the raw listing; force the twin merge, or tiny row blocks, and compare."""
    if path == "twin-merged cells":
        monkeypatch.setattr(graph_module, "_RAW_CELLS_PER_NONZERO", -(10**9))
    else:
        monkeypatch.setattr(graph_module, "_CELL_CHUNK", 3)
    rng = np.random.default_rng(17)
    for _ in range(40):
        check_against_brute_force(random_support(rng))
    for _ in range(20):
        base = random_support(rng, max_side=3, density=0.6)
        I = np.repeat(np.repeat(base.I.toarray(), 2, axis=0), 2, axis=1)
        J = np.repeat(np.repeat(base.J.toarray(), 3, axis=0), 2, axis=1)
        check_against_brute_force(TwoFactorSupport(I, J))


def test_chainable_kronecker_pairs_get_the_structure_of_the_general_computation(monkeypatch):
    """(S_π, S_π'ᵀ) with (π, π') chainable: classes read from the digits equal the general ones."""
    from closure_check.families import butterfly_split, kronecker_pattern, monarch

    supports = [butterfly_split(6, 3), butterfly_split(8, 2), monarch(4), monarch(5)]
    for a, b, c, d in itertools.product(range(1, 4), repeat=4):
        for s in (k for k in range(1, c + 1) if c % k == 0):
            for d2 in (k for k in range(1, d + 1) if d % k == 0):
                right = (a * s, (d // d2) * (c // s), 1 + (a + b + c + d) % 3, d2)
                supports.append(TwoFactorSupport(kronecker_pattern(a, b, c, d), kronecker_pattern(*right).T))
    fields = ("unit_class", "class_unit", "multiplicity", "complete", "class_component", "overlap_links")
    for support in supports:
        assert graph_module._kronecker_pair(support) is not None
        fast = RankOneStructure.build(support)
        with monkeypatch.context() as patch:
            patch.setattr(graph_module, "_kronecker_pair", lambda support: None)
            general = RankOneStructure.build(support)
        for name in fields:
            assert np.array_equal(getattr(fast, name), getattr(general, name)), name
    assert graph_module._kronecker_pair(TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])) is None
