"""All small two-factor supports, once per isomorphism class.

By the structural lemma (``docs/theory.md`` §1) ``P_{I,J}`` depends only on the multiset
of non-empty rectangles, so a pattern is a multiset of at most R rectangles
``R_k × C_k`` in an M×N grid.  :func:`enumerate_patterns` lists those that use every
row and every column, keeping one per class of row/column/unit relabelling (and
transpose when M = N), as its canonical form (:mod:`closure_check.core.canonical`).

>>> len(list(enumerate_patterns(2, 2, 2)))
8

Notes
-----
Orbit marking.  Number the rectangles ``0..T-1`` (row subsets in the order of
:func:`itertools.combinations` by size, then column subsets); a multiset of ``k``
rectangles is a sorted ``k``-tuple of numbers, and :func:`itertools.combinations_with_replacement`
lists them in lexicographic order.  Two multisets are isomorphic iff a row permutation
σ and a column permutation τ (and, when M = N, possibly the transpose ``R × C ↦ C × R``)
map one onto the other: permuting the units only reorders the multiset.  So each class
is one orbit of the group ``S_M × S_N`` (× ``Z_2``) acting on the sorted tuples.  The
tuples are walked in lexicographic order; the first tuple of an orbit not yet marked
starts a new class: its whole orbit (``M!·N!`` images, twice that with the transpose;
1152 for 4×4) is marked at once, by the positions of the sorted images in the sorted
list of all tuples, and nauty's canonical form is computed for that one tuple.  This
yields the same classes, the same representatives (the canonical form) and the same
order as computing the canonical form of every tuple and keeping the first of each
form, with one nauty call per class instead of two per tuple: 4×4 with at most 3
units, 1.9 million tuples and 2631 classes, takes seconds instead of a quarter of an hour.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from math import comb

import numpy as np

from closure_check.core.canonical import CanonicalForm, canonical_form_of_arrays
from closure_check.core.support import TwoFactorSupport

__all__ = ["enumerate_forms", "enumerate_patterns", "rectangles_to_support"]


def rectangles_to_support(m: int, n: int, rectangles: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> TwoFactorSupport:
    """The support with one unit per rectangle ``(rows, cols)``."""
    I = np.zeros((m, len(rectangles)), dtype=np.int8)
    J = np.zeros((n, len(rectangles)), dtype=np.int8)
    for k, (rows, cols) in enumerate(rectangles):
        I[list(rows), k] = 1
        J[list(cols), k] = 1
    return TwoFactorSupport(I, J)


def _nonempty_subsets(size: int) -> list[tuple[int, ...]]:
    return [s for k in range(1, size + 1) for s in itertools.combinations(range(size), k)]


def _subset_permutations(size: int, subsets: list[tuple[int, ...]]) -> np.ndarray:
    """``table[p, s]``: the index of the image of subset ``s`` under the ``p``-th permutation of ``range(size)``."""
    index = {subset: k for k, subset in enumerate(subsets)}
    return np.array([[index[tuple(sorted(perm[i] for i in subset))] for subset in subsets]
                     for perm in itertools.permutations(range(size))], dtype=np.int64)


def _tuples(count: int, size: int) -> np.ndarray:
    """Every sorted ``count``-tuple of ``range(size)`` (with repetition), in lexicographic order, one per row."""
    total = comb(size + count - 1, count)
    flat = itertools.chain.from_iterable(itertools.combinations_with_replacement(range(size), count))
    return np.fromiter(flat, dtype=np.int64, count=total * count).reshape(total, count)


def _binomials(top: int, count: int) -> np.ndarray:
    """``table[x, j] = C(x, j)`` for ``0 ≤ x ≤ top``, ``0 ≤ j ≤ count``."""
    return np.array([[comb(x, j) for j in range(count + 1)] for x in range(top + 1)], dtype=np.int64)


def _positions(tuples: np.ndarray, size: int, binomial: np.ndarray | None = None) -> np.ndarray:
    """The position of each sorted row of ``tuples`` in the list :func:`_tuples` returns.

    A sorted tuple ``a_0 ≤ … ≤ a_{k-1}`` of ``range(T)`` is the strictly increasing
    ``c_i = a_i + i`` of ``range(N)``, ``N = T + k - 1``; the combinations before ``c``
    in lexicographic order are, for each ``i``, those agreeing with ``c`` before ``i`` and
    having a smaller entry ``v`` at ``i`` (``c_{i-1} < v < c_i``):
    ``Σ_v C(N-1-v, k-1-i) = C(N-1-c_{i-1}, k-i) - C(N-c_i, k-i)`` (hockey-stick identity).
    ``binomial``: :func:`_binomials` ``(N, k)``, if at hand.
    """
    count = tuples.shape[1]
    top = size + count - 1
    if binomial is None:
        binomial = _binomials(top, count)
    strict = tuples + np.arange(count)
    before = np.concatenate([np.full((len(tuples), 1), -1), strict[:, :-1]], axis=1)
    places = count - np.arange(count)
    return (binomial[top - 1 - before, places] - binomial[top - strict, places]).sum(axis=1)


def enumerate_forms(m: int, n: int, max_units: int, min_units: int = 1) -> Iterator[CanonicalForm]:
    """The canonical forms of the classes :func:`enumerate_patterns` yields, in the same order
    (cheaper: no sparse matrix is built).

    >>> form = next(enumerate_forms(2, 2, 1))
    >>> (form.m, form.n, form.r), form.to_support().I.toarray().tolist()
    ((2, 2, 1), [[1], [1]])
    """
    row_subsets, col_subsets = _nonempty_subsets(m), _nonempty_subsets(n)
    rectangles = [(r, c) for r in row_subsets for c in col_subsets]
    width = len(col_subsets)
    row_of = np.arange(len(rectangles)) // width
    col_of = np.arange(len(rectangles)) % width
    in_rows = np.array([[i in rows for i in range(m)] for rows, _ in rectangles], dtype=np.uint8)
    in_cols = np.array([[j in cols for j in range(n)] for _, cols in rectangles], dtype=np.uint8)
    row_bits = in_rows.astype(np.int64) @ (1 << np.arange(m, dtype=np.int64))
    col_bits = in_cols.astype(np.int64) @ (1 << np.arange(n, dtype=np.int64))
    row_perm = _subset_permutations(m, row_subsets)
    col_perm = _subset_permutations(n, col_subsets)
    transpose = m == n
    for count in range(max(1, min_units), max_units + 1):
        tuples = _tuples(count, len(rectangles))
        todo = ((np.bitwise_or.reduce(row_bits[tuples], axis=1) == (1 << m) - 1)
                & (np.bitwise_or.reduce(col_bits[tuples], axis=1) == (1 << n) - 1))
        binomial = _binomials(len(rectangles) + count - 1, count)
        position = 0
        while position < len(tuples):
            position += int(np.argmax(todo[position:]))  # the next tuple of an orbit not yet seen
            if not todo[position]:
                break
            chosen = tuples[position]
            rows, cols = row_of[chosen], col_of[chosen]
            images = [(row_perm[:, rows][:, None, :] * width + col_perm[:, cols][None, :, :]).reshape(-1, count)]
            if transpose:
                images.append((row_perm[:, cols][:, None, :] * width + col_perm[:, rows][None, :, :]).reshape(-1, count))
            todo[_positions(np.sort(np.concatenate(images), axis=1), len(rectangles), binomial)] = False
            yield canonical_form_of_arrays(in_rows[chosen].T, in_cols[chosen].T, transpose)


def enumerate_patterns(m: int, n: int, max_units: int, min_units: int = 1) -> Iterator[TwoFactorSupport]:
    """Yield canonical representatives of the M×N patterns with ``min_units..max_units`` units.

    Every row and every column lies in some rectangle.  Patterns are identified up to
    permuting rows, columns and units, and also up to transpose when ``m == n`` (the number
    of units is invariant, so ``min_units = max_units`` gives exactly that many).  The
    representative of a class is its canonical form (:func:`~closure_check.core.canonical.canonical_form`);
    classes come in the order of their lexicographically first multiset of rectangles
    (module Notes).

    >>> len(list(enumerate_patterns(2, 2, 2, min_units=2))), len(list(enumerate_patterns(2, 2, 1)))
    (7, 1)
    """
    for form in enumerate_forms(m, n, max_units, min_units):
        yield form.to_support()
