"""Exact canonical form of a two-factor support up to relabelling.

Two supports ``(I, J)`` and ``(I', J')`` are *isomorphic* when one becomes the other by
permuting the rows of the product (rows of ``I``), its columns (rows of ``J``) and the
units (columns of ``I`` and ``J`` simultaneously); *up to transpose* also allows
swapping ``I`` and ``J``.  Isomorphic supports have the same ``P`` up to the same
permutations (and transpose), hence the same verdict (``docs/theory.md``,
"Structural lemma").

The support is encoded as a vertex-coloured graph -- one vertex per row, column and
unit, colours in that order, an edge row i — unit k when ``I[i,k] = 1`` and column
j — unit k when ``J[j,k] = 1`` -- whose colour-preserving isomorphisms are exactly the
relabellings above.  nauty's canonical labelling (through ``pynauty``) orders the
vertices; the supports read off in that order are the canonical form.  Equal forms ⇔
isomorphic supports.

>>> from closure_check.core.support import TwoFactorSupport
>>> a = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
>>> b = TwoFactorSupport.from_dense([[1, 1], [0, 1]], [[1, 1], [0, 1]])   # rows, cols, units reversed
>>> canonical_form(a) == canonical_form(b)
True

Notes
-----
nauty is exponential in the worst case but fast in practice on these graphs;
``pynauty`` is used because networkx has no canonical labelling, and a hand-written
individualisation-refinement search would be a second, less tested, nauty.

References
----------
B. D. McKay, A. Piperno, "Practical graph isomorphism, II", J. Symbolic Comput. 60
(2014), doi:10.1016/j.jsc.2013.09.003.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pynauty

from closure_check.core.support import TwoFactorSupport

__all__ = ["CanonicalForm", "canonical_form", "canonical_form_of_arrays"]


class CanonicalForm(NamedTuple):
    """Canonically relabelled supports: shape, then ``I`` and ``J`` as packed bits."""

    m: int
    n: int
    r: int
    I_bits: bytes
    J_bits: bytes

    def to_support(self) -> TwoFactorSupport:
        """The canonical representative as a support."""
        I = np.unpackbits(np.frombuffer(self.I_bits, dtype=np.uint8), count=self.m * self.r)
        J = np.unpackbits(np.frombuffer(self.J_bits, dtype=np.uint8), count=self.n * self.r)
        return TwoFactorSupport(I.reshape(self.m, self.r), J.reshape(self.n, self.r))


def _form_without_transpose(I: np.ndarray, J: np.ndarray) -> CanonicalForm:
    m, r = I.shape
    n = J.shape[0]
    first_unit = m + n
    adjacency: dict[int, list[int]] = {v: [] for v in range(m + n + r)}
    for i, k in zip(*np.nonzero(I)):
        adjacency[int(i)].append(first_unit + int(k))
    for j, k in zip(*np.nonzero(J)):
        adjacency[m + int(j)].append(first_unit + int(k))
    colours = [set(range(m)), set(range(m, m + n)), set(range(first_unit, first_unit + r))]
    graph = pynauty.Graph(
        m + n + r,
        directed=False,
        adjacency_dict=adjacency,
        vertex_coloring=[c for c in colours if c],
    )
    order = np.asarray(pynauty.canon_label(graph), dtype=np.int64)
    rows, cols, units = order[:m], order[m:first_unit] - m, order[first_unit:] - first_unit
    return CanonicalForm(
        m, n, r,
        np.packbits(I[np.ix_(rows, units)]).tobytes(),
        np.packbits(J[np.ix_(cols, units)]).tobytes(),
    )


def canonical_form(support: TwoFactorSupport, transpose: bool = True) -> CanonicalForm:
    """Canonical form of ``support`` up to row, column and unit permutations.

    Parameters
    ----------
    support
        The pair ``(I, J)``; meant for small supports (it builds dense arrays).
    transpose
        Also identify ``(I, J)`` with ``(J, I)``; the form is then the smaller of the
        two canonical forms.

    Returns
    -------
    CanonicalForm
        Equal for two supports iff they are isomorphic.
    """
    return canonical_form_of_arrays(support.I.toarray(), support.J.toarray(), transpose)


def canonical_form_of_arrays(I: np.ndarray, J: np.ndarray, transpose: bool = True) -> CanonicalForm:
    """:func:`canonical_form` of the support with dense 0/1 factors ``I`` (m×r) and ``J`` (n×r).

    For callers that build many small supports as arrays (:mod:`closure_check.core.enumerate`):
    no sparse matrix is built; the entries are taken as they are (nonzero means 1).
    """
    I = (np.asarray(I) != 0).astype(np.uint8)
    J = (np.asarray(J) != 0).astype(np.uint8)
    form = _form_without_transpose(I, J)
    if transpose:
        form = min(form, _form_without_transpose(J, I))
    return form
