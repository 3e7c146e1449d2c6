"""Free-block section search: the outside of a block first, the block after (``docs/theory.md`` §4, "Free-block lemma").

*Free-block lemma.*  Let ``(U, V)`` be a problem (units ``x_k y_kᵀ``, visible cells V,
``Q = Q(U, V)``), ``B ⊆ V`` a set of cells and ``V' = V ∖ B``.  If every value the products
take outside B extends to every value on B -- ``(A', b) ∈ Q`` for all ``A' ∈ Q(U, V')`` and
``b ∈ ℝ^B`` -- then ``Q = Q(U, V') × ℝ^B``, closed iff ``Q(U, V')`` is.  (⊆: a product's
values outside B lie in ``Q(U, V')``; a product of two non-empty sets is closed iff both are.)

The hypothesis is shown here, together with the closedness of ``Q(U, V')``, by one section
tree (:mod:`closure_check.two_factor.sections`) whose equations F are the minors of the
single-unit 2×2 blocks: when they all lie in ``V'`` the tree proves ``Q = Z(F) = Z'(F) × ℝ^B``.
The tree is searched in two *stages* (``section_proof(..., stages=(V', B))``): the
equations of the cells of ``V'`` are solved first, so the factors of the outside are fixed
before any entry that only the block sees, then the block's equations are solved for those
entries with the outside's factors known.  Where the outside's factors degenerate (a band
that is zero, so its ``x_k`` could be 0), the search fixes a factor entry to a constant
(0 before 1: ``x_k = e_i``, ``y_k = 0`` outside) and the block is solved with that
factorisation instead, a split of the tree.  The candidate blocks are the visible cells of
one unit, the largest first (measured: with the smallest first, the 3×4 part of
``I=111/111/011 J=111/001/001/110`` costs 2633 steps instead of 233 and, within the effort-10
share, takes the deep search's budget).

Nothing is trusted: the result is an ordinary :class:`~closure_check.two_factor.sections.SectionProof`,
re-checked by the verifier (:mod:`closure_check.verifier.sections`) like any other.

>>> units = [((0, 1), (0, 1)), ((0, 1), (0, 1, 2, 3)), ((0, 1, 2, 3), (0, 1))]
>>> cells = [(i, j) for i in range(4) for j in range(4) if i < 2 or j < 2]
>>> proof = free_block_proof(units, cells)
>>> len(proof.equations), proof.leaves() > 1
(2, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from closure_check.two_factor.sections import (
    MAX_CELLS,
    CellPolynomial,
    Configuration,
    SectionProof,
    section_proof,
)

if TYPE_CHECKING:
    from closure_check.core.budget import Effort

__all__ = ["FREE_BLOCK", "block_stages", "free_block_proof"]

Cell = tuple[int, int]
Unit = tuple[tuple[int, ...], tuple[int, ...]]

FREE_BLOCK: tuple[Configuration, ...] = ((4, (0, 1), 1_200),)
"""The search run on each candidate block: four entries tried at each stuck point, 0 before 1
(a degenerate band takes ``x_k = e_i`` with ``y_k = 0`` outside), 1200 steps (0.6 nominal s).
It proves the parts of ``I=111/111/001/001 J=111/111/010/010`` (4×4, 812 steps on the first
block), ``I=101/011/111 J=001/001/111/111`` (321) and ``I=111/011/101 J=111/111/010/010``
(1880: 1200 on the first block, which fails)."""


def block_stages(units: Sequence[Unit], cells: Iterable[Cell]) -> list[tuple[tuple[Cell, ...], tuple[Cell, ...]]]:
    """The (outside, block) orders tried: for each unit, block = its visible cells, outside =
    the other visible cells (non-empty), the largest blocks first, each block once."""
    visible = sorted(set(cells))
    found: list[tuple[tuple[Cell, ...], tuple[Cell, ...]]] = []
    for rows, cols in units:
        block = tuple(c for c in visible if c[0] in rows and c[1] in cols)
        outside = tuple(c for c in visible if c not in set(block))
        if block and outside and all(block != b for _, b in found):
            found.append((outside, block))
    return sorted(found, key=lambda stages: (-len(stages[1]), stages[1]))


def free_block_proof(
    units: Iterable[Unit], cells: Iterable[Cell], effort: Effort | None = None,
    offered: Sequence[CellPolynomial] = (), configurations: Sequence[Configuration] = FREE_BLOCK,
) -> SectionProof | None:
    """A section proof found with the outside of a block solved before the block
    (:func:`block_stages`, each with ``configurations``), or None.

    When F (the single-unit minors, and the ``offered`` polynomials that vanish on the
    products) involves only cells outside the block, the proof shows the free-block lemma's
    ``Q = Q(U, V') × ℝ^B`` with ``Q(U, V') = Z'(F)``; in every case it shows ``Q = Z(F)``,
    closed (section lemma).  Each step is charged to ``effort``, which stops the search when spent.
    """
    problem = [(tuple(r), tuple(c)) for r, c in units]
    visible = sorted(set(cells))
    if not visible or len(visible) > MAX_CELLS:
        return None
    for stages in block_stages(problem, visible):
        proof = section_proof(problem, visible, configurations, effort, offered, stages)
        if proof is not None:
            return proof
        if effort is not None and effort.expired():
            return None
    return None
