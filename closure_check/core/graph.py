"""The rank-one-support structure of a two-factor support ``(I, J)``.

Unit k of ``P_{I,J}`` contributes ``X[:,k] Y[:,k]ᵀ``, a matrix of rank at most one
supported in the *rectangle* ``S_k = R_k × C_k`` with ``R_k = supp I[:,k]`` and
``C_k = supp J[:,k]`` [SIMAX §2; ICASSP].  This module computes, from ``(I, J)``:

* the rectangles of the units, and which units are *empty* (``R_k`` or ``C_k`` empty);
* the *classes*: non-empty units grouped by equal rectangle, with multiplicity μ;
  a class is *complete* when ``μ ≥ min(|R|, |C|)`` (it then produces every matrix
  supported in its rectangle);
* the *overlap graph* on classes (adjacent when their rectangles share a cell) and its
  connected components;
* as networkx graphs on request: the bipartite row/column graph with one biclique per
  unit, and the overlap graph.

The statements behind these notions are the "Structural lemma", "Complete classes" and
"Exact reductions" of ``docs/theory.md``.

>>> from closure_check.core.support import TwoFactorSupport
>>> lu = RankOneStructure.build(TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]]))
>>> [lu.class_rectangle(c) for c in range(lu.n_classes)]
[((0, 1), (0, 1)), ((1,), (1,))]
>>> lu.complete.tolist(), lu.n_components
([False, True], 1)

Notes
-----
Construction costs ``O(nnz log nnz + T log T)`` time, where ``nnz = nnz(I) + nnz(J)``
and ``T`` counts the cells of the class rectangles after merging *twin* rows (rows that
lie in exactly the same classes) and twin columns.  Twins do not change which
rectangles overlap, and they compress Kronecker-structured supports (butterfly,
Monarch) to a handful of cells, so ``T`` is small for them; for supports whose
rectangles are small (random k-sparse columns) ``T ≤ Σ_c |R_c||C_c|`` is linear in
``nnz``, and those cells are listed a block of rows at a time.  The columns of ``I`` and
``J`` are grouped from their CSR arrays, with no transpose; a chainable Kronecker pair
``(S_π, S_π'ᵀ)`` (butterfly splits, Monarch) has its classes read from the digits of the
units (chainable pair lemma, ``docs/theory.md`` §6) after an O(nnz) recognition.  Equal index sets are found by a 64-bit hash and then compared exactly, so
the result never depends on the hash.

References
----------
[SIMAX] Q.-T. Le, E. Riccietti, R. Gribonval, arXiv:2112.00386, §2 and §4.
[ICASSP] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, ICASSP 2022, Theorem 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Iterator

import numpy as np
import scipy.sparse as sp

from closure_check.core.components import (
    connected_components,
    first_occurrence_rank,
    renumber_by_first_occurrence,
)
from closure_check.core.kronecker import Pattern, kronecker_parameters, pair_chainable
from closure_check.core.support import TwoFactorSupport

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["RankOneStructure", "StructureTooLarge", "group_equal_columns", "group_equal_csr_columns", "column_counts", "DEFAULT_MAX_CELLS"]

DEFAULT_MAX_CELLS = 50_000_000
"""Largest number of twin-compressed rectangle cells :meth:`RankOneStructure.build`
enumerates before it gives up (about 2 GB of index arrays)."""

_HASH_SEED = 20231121
_LENGTH_MIX = 0x9E3779B97F4A7C15


class StructureTooLarge(RuntimeError):
    """The overlap computation would exceed its cell budget."""


_CHUNK = 1 << 20
"""Nonzeros (or bitmap cells) handled at a time by the passes below: their scratch
arrays are a few megabytes, whatever the size of the support."""


_CELL_CHUNK = 1 << 16
"""Cells listed and sorted at a time by :func:`_overlap_by_rows` (about 50 bytes each)."""

_RAW_CELLS_PER_NONZERO = 4
"""Class rectangles with at most this many cells per nonzero (plus :data:`_CHUNK`) are
listed as they are: merging twins first cannot pay."""


def _blocks(indptr: np.ndarray, max_segments: int = 1 << 62, max_entries: int = _CHUNK) -> Iterator[tuple[int, int]]:
    """Consecutive ranges ``[s, e)`` of the segments of ``indptr`` (rows of a CSR, columns of a
    CSC), each of at most ``max_segments`` segments and about ``max_entries`` entries (one
    longer segment stands alone)."""
    count = indptr.size - 1
    start = 0
    while start < count:
        stop = min(count, start + max_segments)
        by_entries = int(np.searchsorted(indptr, int(indptr[start]) + max_entries, side="right")) - 1
        stop = max(start + 1, min(stop, by_entries))
        yield start, stop
        start = stop


def _weights(n_rows: int) -> np.ndarray:
    """Fixed pseudo-random 64-bit weights of the rows (the seed never changes)."""
    return np.random.default_rng(_HASH_SEED).integers(
        0, np.iinfo(np.int64).max, size=max(n_rows, 1), dtype=np.int64
    ).view(np.uint64)


def _segment_sums(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Sums of ``values[indptr[k]:indptr[k+1]]`` modulo 2**64, for every k."""
    sums = np.zeros(indptr.size - 1, dtype=np.uint64)
    nonempty = np.flatnonzero(indptr[1:] > indptr[:-1])
    if nonempty.size:
        sums[nonempty] = np.add.reduceat(values, indptr[nonempty])
    return sums


def _column_keys(indptr: np.ndarray, indices: np.ndarray, n_rows: int) -> np.ndarray:
    """A 64-bit key per column of a CSC pattern: the sum (mod 2**64) of fixed random row
    weights, mixed with the length; computed block by block (bounded scratch space)."""
    weights = _weights(n_rows)
    lengths = np.diff(indptr).astype(np.uint64)
    keys = np.empty(indptr.size - 1, dtype=np.uint64)
    for start, stop in _blocks(indptr):
        lo, hi = int(indptr[start]), int(indptr[stop])
        keys[start:stop] = _segment_sums(weights[indices[lo:hi]], indptr[start : stop + 1] - lo)
    return keys ^ (lengths * np.uint64(_LENGTH_MIX))


def column_counts(matrix: sp.csr_array) -> np.ndarray:
    """The number of nonzeros in each column of a CSR matrix (block by block, no transpose)."""
    n_cols = matrix.shape[1]
    counts = np.zeros(n_cols, dtype=np.int64)
    step = max(_CHUNK, n_cols)  # each block costs its entries plus n_cols
    for start in range(0, matrix.indices.size, step):
        counts += np.bincount(matrix.indices[start : start + step], minlength=n_cols)
    return counts


def _csr_column_keys(indptr: np.ndarray, indices: np.ndarray, n_rows: int, lengths: np.ndarray) -> np.ndarray:
    """The keys of :func:`_column_keys` for the columns of a CSR pattern, with no transpose.

    Every nonzero ``(i, k)`` adds the weight of row i to the key of column k (a scatter-add
    into the keys, row block by row block); ``lengths`` are the column counts.  Equal
    column sets get equal keys.
    """
    weights = _weights(n_rows)
    keys = np.zeros(lengths.size, dtype=np.uint64)
    for start, stop in _blocks(indptr):
        lo, hi = int(indptr[start]), int(indptr[stop])
        np.add.at(keys, indices[lo:hi], np.repeat(weights[start:stop], np.diff(indptr[start : stop + 1])))
    return keys ^ (lengths.astype(np.uint64) * np.uint64(_LENGTH_MIX))


def group_equal_columns(matrix: sp.csc_array) -> np.ndarray:
    """Label the columns of a 0/1 matrix so that equal labels ⇔ equal columns.

    Parameters
    ----------
    matrix
        A CSC matrix; its stored entries (explicit zeros included) are the support.
        Unsorted indices and duplicate entries are canonicalised on a copy first.

    Returns
    -------
    numpy.ndarray
        ``labels[k]`` in ``0..g-1``, numbered by first occurrence.

    Notes
    -----
    Each column gets a 64-bit key (:func:`_column_keys`, a function of the column's
    index set only), so equal columns have equal keys and equal lengths.  Columns are
    first grouped by key; every column is then compared with the first column of its
    group, lengths first (a column of another length is a collision, whatever the key
    says) and then entry by entry, which equal lengths keep inside the two columns.
    The groups where some comparison fails (a key collision, probability
    about ``k² 2⁻⁶⁴`` for honest inputs, but a file can be built to collide) are
    regrouped exactly by their index bytes, in a Python loop over those groups' columns
    only.  So the labels never depend on the hash.  Cost ``O(nnz + k log k)`` without
    collisions.
    """
    if not matrix.has_canonical_format:
        matrix = matrix.copy()
        matrix.sum_duplicates()
    n_rows, n_cols = matrix.shape
    indptr = matrix.indptr.astype(np.int64)
    indices = matrix.indices[: indptr[-1]]
    if n_cols == 0:
        return np.zeros(0, dtype=np.int64)
    lengths = np.diff(indptr)
    keys = np.asarray(_column_keys(indptr, indices, n_rows), dtype=np.uint64)
    first, group = _candidate_groups(keys)
    representative = first[group]
    # a column of another length than its representative is a collision; it is compared
    # with itself below (shift 0), so the entry comparison never leaves either column
    collided_by_length = lengths != lengths[representative]
    shift = np.where(collided_by_length, 0, indptr[representative] - indptr[:-1])
    collided = [np.flatnonzero(collided_by_length)]
    if shift.any():
        index_type = np.int32 if indices.size < np.iinfo(np.int32).max else np.int64
        shift = shift.astype(index_type)
        for start, stop in _blocks(indptr):
            lo, hi = int(indptr[start]), int(indptr[stop])
            source = np.repeat(shift[start:stop], lengths[start:stop])
            source += np.arange(lo, hi, dtype=index_type)
            differ = np.flatnonzero(indices[lo:hi] != indices[source]) + lo
            collided.append(np.searchsorted(indptr, differ, side="right") - 1)
    bad = np.concatenate(collided)
    if bad.size == 0:
        return first_occurrence_rank(first)[group]
    _regroup_exactly(group, np.flatnonzero(np.isin(group, group[bad])), indptr, indices)
    return renumber_by_first_occurrence(group)


def _candidate_groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Groups of equal keys: ``first[g]`` the first column of group g, ``group[k]`` the group of k.

    ``np.unique`` sorts stably, so ``first[g]`` is the smallest column with that key.
    """
    _, first, group = np.unique(keys, return_index=True, return_inverse=True)
    return first, group.reshape(-1).astype(np.int64)


def group_equal_csr_columns(matrix: sp.csr_array, lengths: np.ndarray | None = None) -> np.ndarray:
    """:func:`group_equal_columns` for the columns of a canonical CSR matrix, with no transpose.

    Parameters
    ----------
    matrix
        A CSR 0/1 matrix with sorted indices and no duplicates (a support factor).
    lengths
        Its :func:`column_counts`, if the caller has them.

    Returns
    -------
    numpy.ndarray
        The labels :func:`group_equal_columns` gives for the same matrix in CSC form.

    Notes
    -----
    Keys are summed from the CSR arrays (:func:`_csr_column_keys`).  They are then
    checked exactly without the columns' index lists: in a candidate group g of columns
    of equal length ℓ, the union of the columns has at least ℓ rows, and exactly ℓ iff
    all of them are equal.  So counting, for every group of two or more columns, the rows
    in which it appears (a bitmap of rows × such groups, row block by row block) and
    comparing with ℓ proves every group or names the ones that collided.  Those are
    regrouped exactly from their columns alone.  When the bitmap would cost more than a
    few passes over the nonzeros (very many groups of two or more columns and very many
    rows), the matrix is converted to CSC once and :func:`group_equal_columns` runs.
    Cost ``O(nnz + rows·groups + k log k)`` without collisions.
    """
    n_rows, n_cols = matrix.shape
    if n_cols == 0:
        return np.zeros(0, dtype=np.int64)
    indptr, indices = matrix.indptr, matrix.indices
    lengths = column_counts(matrix) if lengths is None else lengths
    keys = np.asarray(_csr_column_keys(indptr, indices, n_rows, lengths), dtype=np.uint64)
    first, group = _candidate_groups(keys)
    sizes = np.bincount(group, minlength=first.size)
    shared = np.flatnonzero(sizes > 1)  # groups that need a proof
    if shared.size == 0:
        return first_occurrence_rank(first)[group]
    if n_rows * shared.size > 8 * indices.size + _CHUNK:
        return group_equal_columns(matrix.tocsc())
    collided = set(group[lengths != lengths[first[group]]].tolist())
    if not collided:
        present = _rows_present(indptr, indices, group, shared, per_group=False)
        if int(present[0]) == int(lengths[first[shared]].sum()):
            return first_occurrence_rank(first)[group]
    present = _rows_present(indptr, indices, group, shared, per_group=True)
    collided.update(shared[present != lengths[first[shared]]].tolist())
    columns = np.flatnonzero(np.isin(group, np.fromiter(collided, dtype=np.int64)))
    by_column = sp.csc_array(matrix[:, columns])
    by_column.sort_indices()
    regrouped = np.full(columns.size, -1, dtype=np.int64)
    _regroup_exactly(regrouped, np.arange(columns.size), by_column.indptr, by_column.indices)
    group[columns] = regrouped + group.max() + 1
    return renumber_by_first_occurrence(group)


def _rows_present(
    indptr: np.ndarray, indices: np.ndarray, group: np.ndarray, shared: np.ndarray, per_group: bool
) -> np.ndarray:
    """For the groups ``shared``, the number of rows holding a column of the group.

    Summed over the groups (one number) unless ``per_group``.  Bitmaps of at most
    :data:`_CHUNK` cells, rows × shared groups, one row block at a time.
    """
    width = shared.size
    number = np.full(int(group.max()) + 1, -1, dtype=np.int32)
    number[shared] = np.arange(width, dtype=np.int32)
    column_number = number[group]
    every = bool(np.all(column_number >= 0))
    present = np.zeros(width if per_group else 1, dtype=np.int64)
    for start, stop in _blocks(indptr, max(1, _CHUNK // width)):
        lo, hi = int(indptr[start]), int(indptr[stop])
        cells = column_number[indices[lo:hi]]
        local = np.repeat(np.arange(0, (stop - start) * width, width, dtype=np.int32), np.diff(indptr[start : stop + 1]))
        if not every:
            keep = cells >= 0
            cells, local = cells[keep], local[keep]
        cells += local
        seen = np.zeros((stop - start) * width, dtype=bool)
        seen[cells] = True
        present += seen.reshape(stop - start, width).sum(axis=0) if per_group else np.count_nonzero(seen)
    return present


def _regroup_exactly(group: np.ndarray, columns: np.ndarray, indptr: np.ndarray, indices: np.ndarray) -> None:
    """Give ``columns`` fresh group numbers (in place), equal iff their index sets are equal.

    The columns are keyed by the bytes of their (sorted, one-dtype) index arrays, so the
    dictionary compares whole index sets, lengths included.
    """
    fresh = int(group.max()) + 1
    seen: dict[bytes, int] = {}
    for c in columns.tolist():
        group[c] = fresh + seen.setdefault(indices[indptr[c] : indptr[c + 1]].tobytes(), len(seen))


@dataclass(frozen=True, eq=False)
class RankOneStructure:
    """Rectangles, classes, completeness and overlap components of ``(I, J)``.

    Build it with :meth:`build`.  Classes are numbered by their first unit; empty units
    belong to no class (``unit_class[k] == -1``).

    Attributes
    ----------
    support
        The two-factor support it describes.
    unit_class
        Class of each unit, -1 for an empty unit.
    class_unit
        First unit of each class (its representative).
    multiplicity
        μ of each class.
    complete
        ``μ ≥ min(|R|, |C|)`` for each class.
    class_component
        Overlap component of each class, numbered by first class.
    overlap_links
        Over the cells enumerated (twin-compressed when that pays), the number of
        consecutive pairs of classes covering the same cell; zero iff the class
        rectangles are pairwise disjoint.
    """

    support: TwoFactorSupport
    unit_class: np.ndarray
    class_unit: np.ndarray
    multiplicity: np.ndarray
    complete: np.ndarray
    class_component: np.ndarray
    overlap_links: int

    @classmethod
    def build(cls, support: TwoFactorSupport, max_cells: int = DEFAULT_MAX_CELLS) -> "RankOneStructure":
        """Compute the structure of ``support``.

        Parameters
        ----------
        support
            The pair ``(I, J)``.
        max_cells
            Budget on the twin-compressed cells enumerated for the overlap components.

        Raises
        ------
        StructureTooLarge
            If the overlap computation needs more than ``max_cells`` cells.
        """
        kronecker = _kronecker_pair(support)
        if kronecker is not None:
            return cls._of_kronecker_pair(support, *kronecker)
        row_counts = column_counts(support.I)
        col_counts = column_counts(support.J)
        nonempty = np.flatnonzero((row_counts > 0) & (col_counts > 0))

        rows_label = group_equal_csr_columns(support.I, row_counts)
        cols_label = group_equal_csr_columns(support.J, col_counts)
        pair = rows_label[nonempty] * (int(cols_label.max(initial=0)) + 1) + cols_label[nonempty]
        class_of_nonempty = renumber_by_first_occurrence(pair)
        n_classes = int(class_of_nonempty.max(initial=-1)) + 1
        unit_class = np.full(support.rank, -1, dtype=np.int64)
        unit_class[nonempty] = class_of_nonempty
        class_unit = nonempty[np.unique(class_of_nonempty, return_index=True)[1]]
        multiplicity = np.bincount(class_of_nonempty, minlength=n_classes)
        complete = multiplicity >= np.minimum(row_counts[class_unit], col_counts[class_unit])

        cols_by_class = _select_columns(support.J, class_unit)
        class_component, links, class_cols = _overlap_components(
            _select_columns(support.I, class_unit),
            cols_by_class,
            max_cells,
            int(np.dot(row_counts[class_unit].astype(np.float64), col_counts[class_unit])),
        )
        structure = cls(
            support=support,
            unit_class=unit_class,
            class_unit=class_unit,
            multiplicity=multiplicity,
            complete=complete,
            class_component=class_component,
            overlap_links=links,
        )
        if class_cols is not None and cols_by_class is support.J:
            structure.__dict__["unit_cols"] = class_cols  # already made: J in CSC form
        return structure

    @classmethod
    def _of_kronecker_pair(cls, support: TwoFactorSupport, left: Pattern, right: Pattern) -> "RankOneStructure":
        """The structure of ``(I, J) = (S_left, S_rightᵀ)`` for a chainable pair, read from the digits.

        Chainable pair lemma (``docs/theory.md`` §6): unit ``k = (α c + γ) d + η`` of
        ``S_(a,b,c,d)`` has the rows ``{(α, β, η)}_β`` (b of them), and as row
        ``k = (α' b' + β') d' + δ'`` of ``S_(a',b',c',d')`` the columns
        ``{(α', γ', δ')}_γ'`` (c' of them); the rectangles are disjoint or identical.  So
        the class of k is its ``(α, η, α', δ')``, every class has multiplicity
        ``a c / a'``, is complete iff that is at least ``min(b, c')``, and is an overlap
        component by itself — the result :meth:`build` computes in general.
        """
        (a, b, c, d), (a2, b2, c2, d2) = left, right
        unit = np.arange(support.rank, dtype=np.int64)
        rows_key = (unit // (c * d)) * d + unit % d  # (α, η): the rows of the unit
        cols_key = (unit // (b2 * d2)) * d2 + unit % d2  # (α', δ'): its columns
        unit_class = renumber_by_first_occurrence(rows_key * (a2 * d2) + cols_key)
        n_classes = int(unit_class.max(initial=-1)) + 1
        class_unit = np.unique(unit_class, return_index=True)[1]
        multiplicity = np.bincount(unit_class, minlength=n_classes)
        return cls(
            support=support,
            unit_class=unit_class,
            class_unit=class_unit,
            multiplicity=multiplicity,
            complete=multiplicity >= min(b, c2),
            class_component=np.arange(n_classes, dtype=np.int64),
            overlap_links=0,
        )

    @property
    def n_classes(self) -> int:
        """Number of classes of non-empty units."""
        return int(self.class_unit.size)

    @property
    def n_components(self) -> int:
        """Number of connected components of the overlap graph on classes."""
        return int(self.class_component.max(initial=-1)) + 1

    @property
    def empty_units(self) -> np.ndarray:
        """Units whose rectangle is empty; they contribute nothing to ``P``."""
        return np.flatnonzero(self.unit_class < 0)

    @property
    def pairwise_disjoint(self) -> bool:
        """True iff distinct classes have pairwise disjoint rectangles."""
        return self.overlap_links == 0

    @cached_property
    def unit_rows(self) -> sp.csc_array:
        """``I`` in CSC form: the rows ``R_k`` of unit k are the index slice of column k.

        Made on first use only (a transpose of ``I``): deciding a support whose classes
        are pairwise disjoint never needs it.
        """
        return sp.csc_array(self.support.I)

    @cached_property
    def unit_cols(self) -> sp.csc_array:
        """``J`` in CSC form: the columns ``C_k`` of unit k (made on first use, as :attr:`unit_rows`)."""
        return sp.csc_array(self.support.J)

    def unit_rectangle_arrays(self, unit: int) -> tuple[np.ndarray, np.ndarray]:
        """``(R_k, C_k)`` of unit k as sorted int64 arrays (no Python loop: for large patterns)."""
        rows = self.unit_rows.indices[self.unit_rows.indptr[unit]:self.unit_rows.indptr[unit + 1]]
        cols = self.unit_cols.indices[self.unit_cols.indptr[unit]:self.unit_cols.indptr[unit + 1]]
        return rows.astype(np.int64), cols.astype(np.int64)

    def unit_rectangle(self, unit: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """``(R_k, C_k)`` of unit k as sorted tuples."""
        rows, cols = self.unit_rectangle_arrays(unit)
        return tuple(rows.tolist()), tuple(cols.tolist())

    def class_rectangle(self, klass: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """``(R, C)`` of a class as sorted tuples."""
        return self.unit_rectangle(int(self.class_unit[klass]))

    def class_units(self, klass: int) -> np.ndarray:
        """The units of a class, in increasing order."""
        return np.flatnonzero(self.unit_class == klass)

    def component_classes(self, component: int) -> np.ndarray:
        """The classes of an overlap component, in increasing order."""
        return np.flatnonzero(self.class_component == component)

    def bipartite_graph(self) -> "nx.MultiGraph":
        """Row/column graph with one biclique per non-empty unit.

        Nodes are ``("row", i)`` and ``("col", j)`` (attribute ``bipartite`` 0 or 1) for
        every row and column of the product; unit k adds the edges ``R_k × C_k``, each
        with key k.  Size ``Σ_k |R_k||C_k|``: meant for small supports.
        """
        import networkx as nx

        graph = nx.MultiGraph()
        m, n = self.support.shape
        graph.add_nodes_from((("row", i) for i in range(m)), bipartite=0)
        graph.add_nodes_from((("col", j) for j in range(n)), bipartite=1)
        for unit in np.flatnonzero(self.unit_class >= 0):
            rows, cols = self.unit_rectangle(int(unit))
            graph.add_edges_from((("row", i), ("col", j), int(unit)) for i in rows for j in cols)
        return graph

    def overlap_graph(self) -> "nx.Graph":
        """Graph on classes, an edge when two class rectangles share a cell.

        Edge attribute ``cells``: the shared cells ``(R ∩ R') × (C ∩ C')`` count.
        Cost ``O(k²)`` set intersections for k classes: meant for small supports.
        """
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(self.n_classes))
        rectangles = [tuple(map(set, self.class_rectangle(c))) for c in range(self.n_classes)]
        for a in range(self.n_classes):
            rows_a, cols_a = rectangles[a]
            for b in range(a + 1, self.n_classes):
                shared_rows = len(rows_a & rectangles[b][0])
                shared_cols = len(cols_a & rectangles[b][1])
                if shared_rows and shared_cols:
                    graph.add_edge(a, b, cells=shared_rows * shared_cols)
        return graph


def _kronecker_pair(support: TwoFactorSupport) -> tuple[Pattern, Pattern] | None:
    """Patterns ``π, π'`` with ``I = S_π``, ``Jᵀ = S_π'`` and ``(π, π')`` chainable, or None.

    ``J = S_π'ᵀ = S_(a', c', b', d')`` (transposing swaps b and c), so both factors are
    recognised in their CSR form, in O(nnz) (a support that is no pattern is refused at
    its row counts, in O(rows)).
    """
    lefts = kronecker_parameters(support.I)
    if not lefts:
        return None
    rights = [(a, b, c, d) for a, c, b, d in kronecker_parameters(support.J)]
    for left in lefts:
        for right in rights:
            if pair_chainable(left, right):
                return left, right
    return None


def _select_columns(matrix: sp.csr_array, columns: np.ndarray) -> sp.csr_array:
    """``matrix[:, columns]``, without a copy when ``columns`` is ``0..r-1``."""
    if columns.size == matrix.shape[1] and np.array_equal(columns, np.arange(columns.size)):
        return matrix
    return sp.csr_array(matrix[:, columns])


def _overlap_components(
    rows_by_class: sp.csr_array, cols_by_class: sp.csr_array, max_cells: int, raw_cells: int
) -> tuple[np.ndarray, int, sp.csc_array | None]:
    """Components of the overlap graph on classes, the number of overlap links, and
    ``cols_by_class`` in CSC form when it was made on the way (else None).

    ``rows_by_class`` is m×k (entry (i, c) = 1 iff row i is in the rectangle of class c),
    ``cols_by_class`` is n×k, and ``raw_cells`` is the number of cells of the class
    rectangles, ``Σ_c |R_c||C_c|``.  Rows lying in exactly the same classes (twins) are
    merged first, and likewise columns; two rectangles share a cell iff their compressed
    rectangles do.  When the rectangles hold few cells anyway (at most a few per nonzero,
    as on random sparse supports) the merge cannot pay and is skipped.  Then every
    (compressed) cell of every class is listed, sorted, and consecutive classes on the
    same cell are joined.
    """
    n_classes = rows_by_class.shape[1]
    if n_classes == 0:
        return np.zeros(0, dtype=np.int64), 0, None
    if raw_cells <= min(max_cells, _RAW_CELLS_PER_NONZERO * (rows_by_class.nnz + cols_by_class.nnz) + _CHUNK):
        class_cols = sp.csc_array(cols_by_class)  # the columns of each class
        class_cols.sort_indices()
        return (*_overlap_by_rows(rows_by_class, class_cols), class_cols)
    rows_ptr, rows_flat, n_row_groups = _twin_compressed_sets(rows_by_class)
    cols_ptr, cols_flat, n_col_groups = _twin_compressed_sets(cols_by_class)
    height = np.diff(rows_ptr)
    width = np.diff(cols_ptr)
    cells_per_class = height * width
    total = int(cells_per_class.sum())
    if total > max_cells:
        raise StructureTooLarge(
            f"the overlap computation needs {total} cells after twin compression, "
            f"more than the budget of {max_cells}"
        )
    owner = np.repeat(np.arange(n_classes, dtype=np.int64), cells_per_class)
    row_width = np.repeat(width, height)  # one entry per (class, row group), row-major cells
    row_start = np.cumsum(row_width) - row_width
    col_source = np.repeat(np.repeat(cols_ptr[:-1], height) - row_start, row_width)
    col_source += np.arange(total, dtype=np.int64)
    cell = np.repeat(rows_flat * n_col_groups, row_width) + cols_flat[col_source]
    if (int(rows_flat.max(initial=0)) + 1) * n_col_groups * n_classes < np.iinfo(np.int64).max:
        packed = np.sort(cell * n_classes + owner)
        cell, owner = packed // n_classes, packed % n_classes
    else:
        order = np.argsort(cell)
        cell, owner = cell[order], owner[order]
    same = cell[1:] == cell[:-1]
    left, right = owner[:-1][same], owner[1:][same]
    return connected_components(n_classes, left, right)[1], int(left.size), None


def _overlap_by_rows(rows_by_class: sp.csr_array, class_cols: sp.csc_array) -> tuple[np.ndarray, int]:
    """:func:`_overlap_components` without twin merging, one block of rows at a time.

    For rectangles of few cells (random sparse supports).  Row i lies in the classes of
    row i of ``rows_by_class``; its cells are ``(i, j)`` for j in the columns of each of
    them (column c of ``class_cols``, sorted).  Two cells in different rows never coincide, so the cells are listed and sorted
    a block of rows at a time (about :data:`_CELL_CHUNK` cells), never all at once; the links
    and joins are those of the sorted listing of every cell.
    """
    n_classes = rows_by_class.shape[1]
    n_cols = class_cols.shape[0]
    col_ptr, col_flat = class_cols.indptr.astype(np.int64), class_cols.indices
    width = np.diff(col_ptr)
    indptr, indices = rows_by_class.indptr, rows_by_class.indices
    cells_before = np.zeros(indptr.size, dtype=np.int64)  # cells of the rows before each row
    np.cumsum(_segment_sums(width[indices].astype(np.uint64), indptr).astype(np.int64), out=cells_before[1:])
    joined_left: list[np.ndarray] = []
    joined_right: list[np.ndarray] = []
    links = 0
    for start, stop in _blocks(cells_before, max_entries=_CELL_CHUNK):
        lo, hi = int(indptr[start]), int(indptr[stop])
        kind = np.int32 if (stop - start) * n_cols < np.iinfo(np.int32).max and hi - lo < _CELL_CHUNK else np.int64
        block_owner = indices[lo:hi]
        count = width[block_owner]
        total = int(count.sum())
        first = np.cumsum(count) - count
        source = np.repeat((col_ptr[block_owner] - first).astype(kind), count)
        source += np.arange(total, dtype=kind)
        cell = col_flat[source].astype(kind)
        cell += np.repeat(np.repeat(np.arange(0, (stop - start) * n_cols, n_cols, dtype=kind), np.diff(indptr[start : stop + 1])), count)
        ordered = np.sort(cell)
        same = ordered[1:] == ordered[:-1]
        repeats = int(np.count_nonzero(same))
        if repeats == 0:
            continue
        # the few cells covered twice or more: their owners, sorted by (cell, class)
        links += repeats
        shared = np.isin(cell, ordered[1:][same])
        cell, owner = cell[shared], np.repeat(block_owner, count)[shared].astype(np.int64)
        order = np.lexsort((owner, cell))
        cell, owner = cell[order], owner[order]
        same = cell[1:] == cell[:-1]
        joined_left.append(owner[:-1][same])
        joined_right.append(owner[1:][same])
    left = np.concatenate(joined_left) if joined_left else np.zeros(0, dtype=np.int64)
    right = np.concatenate(joined_right) if joined_right else np.zeros(0, dtype=np.int64)
    return connected_components(n_classes, left, right)[1], links


def _twin_compressed_sets(members: sp.csr_array) -> tuple[np.ndarray, np.ndarray, int]:
    """Merge twin rows of an m×k 0/1 matrix; return, per column, its twin groups.

    Returns CSC-style ``(pointers, groups, n_groups)``: column c contains the groups
    ``groups[pointers[c]:pointers[c+1]]`` (sorted).  A group is in a column iff all its
    rows are, so selecting one representative row per group is exact.
    """
    members.sort_indices()
    rows_as_columns = sp.csc_array((members.data, members.indices, members.indptr), shape=members.shape[::-1])
    group = group_equal_columns(rows_as_columns)
    representatives = np.unique(group, return_index=True)[1]
    compressed = sp.csc_array(members[representatives, :])
    compressed.sort_indices()
    return compressed.indptr.astype(np.int64), compressed.indices.astype(np.int64), representatives.size
