"""All small two-factor supports, once per isomorphism class.

By the structural lemma (``docs/theory.md`` §1) ``P_{I,J}`` depends only on the multiset
of non-empty rectangles, so a pattern is a multiset of at most R rectangles
``R_k × C_k`` in an M×N grid.  :func:`enumerate_patterns` lists those that use every
row and every column, keeping one per class of row/column/unit relabelling (and
transpose when M = N) by canonical form (:mod:`closure_check.core.canonical`).

>>> len(list(enumerate_patterns(2, 2, 2)))
8
"""

from __future__ import annotations

import itertools
from typing import Iterator

import numpy as np

from closure_check.core.canonical import canonical_form
from closure_check.core.support import TwoFactorSupport

__all__ = ["enumerate_patterns", "rectangles_to_support"]


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


def enumerate_patterns(m: int, n: int, max_units: int, min_units: int = 1) -> Iterator[TwoFactorSupport]:
    """Yield canonical representatives of the M×N patterns with ``min_units..max_units`` units.

    Every row and every column lies in some rectangle.  Patterns are identified up to
    permuting rows, columns and units, and also up to transpose when ``m == n`` (the number
    of units is invariant, so ``min_units = max_units`` gives exactly that many).

    >>> len(list(enumerate_patterns(2, 2, 2, min_units=2))), len(list(enumerate_patterns(2, 2, 1)))
    (7, 1)
    """
    rectangles = [(r, c) for r in _nonempty_subsets(m) for c in _nonempty_subsets(n)]
    seen = set()
    for count in range(max(1, min_units), max_units + 1):
        for chosen in itertools.combinations_with_replacement(rectangles, count):
            if len({i for r, _ in chosen for i in r}) != m or len({j for _, c in chosen for j in c}) != n:
                continue
            support = rectangles_to_support(m, n, list(chosen))
            form = canonical_form(support, transpose=(m == n))
            if form not in seen:
                seen.add(form)
                yield form.to_support()
