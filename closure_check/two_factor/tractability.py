"""Which exact polynomial-time FSMF solver applies to a support: the tractability class.

Tractability and closedness are different questions [SIMAX]: the check reports both.
Two families have a closed-form optimum (``docs/solver.md``):

* *disjoint-or-identical* -- the class rectangles are pairwise disjoint, so ``P_{I,J}``
  is a product of determinantal sets [SIMAX, Algorithm 1; ICASSP, Theorem 1];
* *reduction-then-disjoint* -- after the exact reductions of
  :mod:`closure_check.two_factor.reduce` every overlap component leaves single classes
  whose visible cells are disjoint complete bipartite blocks ("Reduction-then-disjoint
  theorem").

:func:`solver_plan` lists the blocks (one truncated SVD each) and the hidden-cell fills;
:mod:`closure_check.approximation.solve` executes the plan.

>>> from closure_check.core.graph import RankOneStructure
>>> from closure_check.families import butterfly_split, lu
>>> tractability(RankOneStructure.build(butterfly_split(6, 3))).value
'disjoint-or-identical'
>>> tractability(RankOneStructure.build(lu(3))).value
'not-known'

References
----------
[SIMAX] Q.-T. Le, E. Riccietti, R. Gribonval, SIAM J. Matrix Anal. Appl. 44(2), 2023,
arXiv:2112.00386.  [ICASSP] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, ICASSP 2022.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from closure_check.core.graph import RankOneStructure
from closure_check.result import Tractability
from closure_check.two_factor.reduce import (
    DEFAULT_MAX_COMPONENT_CELLS,
    ClassBlock,
    ComponentReduction,
    ComponentTooLarge,
    reduce_component,
    visible_bicliques,
)

__all__ = ["HiddenFill", "SolverPlan", "SvdBlock", "Tractability", "solver_plan", "tractability"]


@dataclass(frozen=True, eq=False)
class SvdBlock:
    """A visible complete bipartite block on which a class keeps rank ≤ μ."""

    rows: np.ndarray
    cols: np.ndarray
    units: np.ndarray


@dataclass(frozen=True, eq=False)
class HiddenFill:
    """A reduced component: its hidden cells are fitted by its absorbed classes."""

    reduction: ComponentReduction
    visible_units: np.ndarray


@dataclass(frozen=True, eq=False)
class SolverPlan:
    """The tractable family of a support and the blocks and fills its exact solver needs."""

    kind: Tractability
    blocks: tuple[SvdBlock, ...]
    fills: tuple[HiddenFill, ...]


# --------------------------------------------------------------------------- tractability


def units_by_class(structure: RankOneStructure) -> list[np.ndarray]:
    """The units of every class, in one pass (``class_units`` for all classes)."""
    order = np.argsort(structure.unit_class, kind="stable")
    bounds = np.searchsorted(structure.unit_class[order], np.arange(structure.n_classes + 1))
    return [order[bounds[c]:bounds[c + 1]] for c in range(structure.n_classes)]


def class_block(structure: RankOneStructure, klass: int, units: np.ndarray) -> SvdBlock:
    rows, cols = structure.unit_rectangle_arrays(int(structure.class_unit[klass]))
    return SvdBlock(rows, cols, units)


def solver_plan(
    structure: RankOneStructure, max_cells: int, reductions: Mapping[int, ComponentReduction] | None = None
) -> SolverPlan:
    """Decide the family and list the SVD blocks and hidden-cell fills it needs.

    ``reductions`` holds components already reduced by the caller, reused as they are.
    """
    kind, reduced = _classify(structure, max_cells, reductions)
    if kind is Tractability.NOT_KNOWN:
        return SolverPlan(kind, (), ())
    units = units_by_class(structure)
    if kind is Tractability.DISJOINT_OR_IDENTICAL:
        every_class = tuple(class_block(structure, c, units[c]) for c in range(structure.n_classes))
        return SolverPlan(kind, every_class, ())
    first_class = np.unique(structure.class_component, return_index=True)[1]
    blocks: list[SvdBlock] = []
    fills: list[HiddenFill] = []
    for component in range(structure.n_components):  # in component order, as the solver expects
        if component not in reduced:
            klass = int(first_class[component])
            blocks.append(class_block(structure, klass, units[klass]))
            continue
        reduction, pieces = reduced[component]
        visible_units: list[int] = []
        for block, parts in pieces:
            class_units = np.asarray(block.units, dtype=np.int64)
            visible_units.extend(block.units)
            blocks.extend(SvdBlock(block.rows[r], block.cols[c], class_units) for r, c in parts)
        fills.append(HiddenFill(reduction, np.asarray(visible_units, dtype=np.int64)))
    return SolverPlan(kind, tuple(blocks), tuple(fills))


_Pieces = list[tuple[ClassBlock, list[tuple[np.ndarray, np.ndarray]]]]


def _classify(
    structure: RankOneStructure, max_cells: int, reductions: Mapping[int, ComponentReduction] | None
) -> tuple[Tractability, dict[int, tuple[ComponentReduction, _Pieces]]]:
    """The family, and for each component of two or more classes its reduction and visible blocks.

    Looks only at the components of two or more classes (a single class is a block by
    itself): no work per class, so a support with pairwise disjoint classes costs O(1).
    """
    if structure.pairwise_disjoint:
        return Tractability.DISJOINT_OR_IDENTICAL, {}
    sizes = np.bincount(structure.class_component, minlength=structure.n_components)
    reduced: dict[int, tuple[ComponentReduction, _Pieces]] = {}
    for component in np.flatnonzero(sizes > 1).tolist():
        if reductions is not None and component in reductions:
            reduction = reductions[component]
        else:
            try:
                reduction = reduce_component(structure, component, max_cells)
            except ComponentTooLarge:
                return Tractability.NOT_KNOWN, {}
        pieces: _Pieces = []
        for part in reduction.parts:
            if len(part.classes) != 1:
                return Tractability.NOT_KNOWN, {}
            block = part.classes[0]
            bicliques = visible_bicliques(reduction.visible_block(block))
            if bicliques is None:
                return Tractability.NOT_KNOWN, {}
            pieces.append((block, bicliques))
        reduced[component] = (reduction, pieces)
    return Tractability.REDUCTION_THEN_DISJOINT, reduced


def tractability(
    structure: RankOneStructure,
    max_cells: int = DEFAULT_MAX_COMPONENT_CELLS,
    reductions: Mapping[int, ComponentReduction] | None = None,
) -> Tractability:
    """Which closed-form FSMF solver, if any, is exact for this support.

    Parameters
    ----------
    structure
        The rank-one-support structure of ``(I, J)``.
    max_cells
        Budget passed to :func:`~closure_check.two_factor.reduce.reduce_component` for each
        component with two or more classes.
    reductions
        Components the caller has already reduced (component → reduction), reused
        instead of reduced again.

    Returns
    -------
    Tractability
        ``DISJOINT_OR_IDENTICAL`` if the class rectangles are pairwise disjoint;
        otherwise ``REDUCTION_THEN_DISJOINT`` if every overlap component with two or
        more classes reduces to parts that are single classes whose visible cells form
        disjoint complete bipartite blocks; otherwise ``NOT_KNOWN`` (also when a
        component exceeds ``max_cells``).

    Notes
    -----
    ``NOT_KNOWN`` is not a hardness statement: it means that neither theorem of
    ``docs/solver.md`` applies.  Cost: that of the reductions, ``O(k · h · w)`` per
    component of k classes spanning h rows and w columns.

    See Also
    --------
    solve
    """
    return _classify(structure, max_cells, reductions)[0]
