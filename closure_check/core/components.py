"""Connected components of an undirected graph given by its edge list.

Every component computation of the package goes through :func:`connected_components`:
overlap components of classes (:mod:`closure_check.core.graph`, the direct-sum lemma),
parts of a reduced component (:mod:`closure_check.two_factor.reduce`) and the
rows–inner–columns graph of a chain pair (:mod:`closure_check.chains.reduce`).

Labels are numbered by first occurrence: vertex 0 is in component 0, the first vertex
outside it in component 1, and so on -- the numbering of a depth-first traversal in
vertex order, so both methods below give identical labels.

>>> connected_components(5, [0, 3], [1, 4])
(3, array([0, 0, 1, 2, 2]))
"""

from __future__ import annotations

import sys
from typing import Sequence

import numpy as np

__all__ = ["SMALL_GRAPH_EDGES", "connected_components", "first_occurrence_rank", "renumber_by_first_occurrence"]

SMALL_GRAPH_EDGES = 1 << 16
"""Up to this many edges and vertices, a union–find in Python; above, ``scipy.sparse.csgraph``.

Importing ``scipy.sparse.csgraph`` costs about 0.27 s (it loads ``scipy.sparse.linalg``),
more than the whole check of a small pattern; a union–find over 65,536 edges takes
about 40 ms.  Both give the same labels (module docstring)."""


def _union_find(n_vertices: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    parent = list(range(n_vertices))

    def root(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for u, v in zip(left.tolist(), right.tolist()):
        ru, rv = root(u), root(v)
        if ru != rv:
            parent[max(ru, rv)] = min(ru, rv)
    return np.fromiter((root(v) for v in range(n_vertices)), dtype=np.int64, count=n_vertices)


def _csgraph(n_vertices: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components as scipy_components

    adjacency = sp.coo_array((np.ones(left.size, dtype=np.int8), (left, right)), shape=(n_vertices, n_vertices))
    return scipy_components(adjacency, directed=False)[1].astype(np.int64)


def connected_components(
    n_vertices: int, left: Sequence[int] | np.ndarray, right: Sequence[int] | np.ndarray
) -> tuple[int, np.ndarray]:
    """Components of the undirected graph on ``0..n_vertices−1`` with edges ``left[e]–right[e]``.

    Parameters
    ----------
    n_vertices
        Number of vertices.
    left, right
        Integer arrays of equal length: the ends of each edge (repeats and loops allowed).

    Returns
    -------
    (count, labels)
        ``labels[v]`` is the component of vertex v, numbered by first occurrence.

    Notes
    -----
    Only the vertices on some edge are labelled by a graph search; every other vertex
    is a component by itself.  O(n + e α(n)) by union–find with path halving up to
    :data:`SMALL_GRAPH_EDGES` vertices and edges, if ``scipy.sparse.csgraph`` is not
    loaded yet; otherwise scipy's linear-time traversal (imported only then).
    """
    left = np.asarray(left, dtype=np.int64).reshape(-1)
    right = np.asarray(right, dtype=np.int64).reshape(-1)
    touched = np.unique(np.concatenate([left, right]))
    if touched.size < n_vertices:
        # only the vertices on an edge can share a component: label those, the rest are alone
        count, sub_labels = _labels(touched.size, np.searchsorted(touched, left), np.searchsorted(touched, right))
        roots = np.arange(n_vertices, dtype=np.int64)
        smallest = np.full(count, n_vertices, dtype=np.int64)
        np.minimum.at(smallest, sub_labels, touched)
        roots[touched] = smallest[sub_labels]
        is_root = roots == np.arange(n_vertices)
        labels = (np.cumsum(is_root) - 1)[roots]  # components numbered by their smallest vertex
        return int(labels.max(initial=-1)) + 1, labels
    return _labels(n_vertices, left, right)


def _labels(n_vertices: int, left: np.ndarray, right: np.ndarray) -> tuple[int, np.ndarray]:
    if left.size + n_vertices <= SMALL_GRAPH_EDGES and "scipy.sparse.csgraph" not in sys.modules:
        roots = _union_find(n_vertices, left, right)
    else:
        roots = _csgraph(n_vertices, left, right)
    labels = renumber_by_first_occurrence(roots)
    return int(labels.max(initial=-1)) + 1, labels


def first_occurrence_rank(first: np.ndarray) -> np.ndarray:
    """Given the first position of each group, the group numbers by first occurrence."""
    # the positions are distinct integers: order them by marking, in O(largest position), not by sorting
    slot = np.full(int(first.max(initial=-1)) + 1, -1, dtype=np.int64)
    slot[first] = np.arange(first.size)
    rank = np.empty(first.size, dtype=np.int64)
    rank[slot[slot >= 0]] = np.arange(first.size)
    return rank


def renumber_by_first_occurrence(labels: np.ndarray) -> np.ndarray:
    """Relabel so that groups are numbered 0, 1, … in order of first occurrence."""
    if labels.size == 0:
        return labels.astype(np.int64)
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    return first_occurrence_rank(first)[inverse]
