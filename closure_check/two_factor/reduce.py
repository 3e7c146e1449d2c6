"""Exact reductions of one overlap component (``docs/theory.md`` §3).

The general object is a *masked problem*: classes ``(S_c, μ_c)`` and a set ``H`` of
*hidden* cells (absorbed into a linear space); the set studied is the projection
``π(Σ_c D(S_c, μ_c))`` onto the visible cells (those outside ``H``).  Each step below
keeps closedness unchanged (closed ⇔ closed) and is a lemma of ``docs/theory.md``:

1. *Absorption lemma*: a complete class (``μ ≥ min(|R|, |C|)`` on its rectangle, or
   ``μ ≥ min(|R'|, |C'|)`` on the bounding box ``R'×C'`` of its visible cells: the
   bounding-box lemma) is removed and its rectangle hidden.
2. *Projection lemma*: a class whose visible cells are empty is dropped; one whose
   visible cells form a rectangle ``R'×C'`` becomes the class ``(R'×C', μ)``; otherwise
   it stays as a *masked* class.
3. *Merge lemma* (structural lemma): classes with the same rectangle merge, adding μ.

Steps 1–3 (:func:`absorb_complete_classes`, :func:`project_classes`,
:func:`merge_equal_classes`, each returning the proof steps it took) repeat until nothing
changes, absorption testing the current rectangles; at that fixpoint, absorption by the
bounding box of the visible cells (bounding-box lemma) is tried, and if it absorbs a
(masked) class the loop starts again; then the remaining classes are split into
*parts*, the connected components of "share a visible cell" (*direct-sum lemma*).

>>> from closure_check.core.support import TwoFactorSupport
>>> from closure_check.core.graph import RankOneStructure
>>> lu = RankOneStructure.build(TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]]))
>>> reduction = reduce_component(lu, 0)
>>> [(p.classes[0].rows.tolist(), p.classes[0].cols.tolist(), p.classes[0].masked) for p in reduction.parts]
[([0, 1], [0, 1], True)]
>>> reduction.hidden.astype(int).tolist()
[[0, 0], [0, 1]]

Notes
-----
The work is done on dense boolean arrays over the component's rows × columns, so it
costs ``O(k · |rows| · |cols|)`` for k classes; :func:`reduce_component` refuses
components larger than ``max_cells`` (the caller then reports UNKNOWN).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from closure_check.core.components import connected_components
from closure_check.core.graph import RankOneStructure

__all__ = [
    "ClassBlock",
    "AbsorbedClass",
    "Part",
    "ReductionStep",
    "ComponentReduction",
    "ComponentTooLarge",
    "MaskedProblem",
    "absorb_complete_classes",
    "component_problem",
    "merge_equal_classes",
    "project_classes",
    "hide_and_reduce",
    "reduce_component",
    "reduce_problem",
    "visible_bicliques",
    "DEFAULT_MAX_COMPONENT_CELLS",
]

DEFAULT_MAX_COMPONENT_CELLS = 4_000_000


class ComponentTooLarge(RuntimeError):
    """The component's bounding box exceeds the cell budget of the reductions."""


@dataclass(frozen=True)
class ReductionStep:
    """One application of a lemma of ``docs/theory.md``, in words."""

    lemma: str
    text: str


@dataclass(frozen=True, eq=False)
class ClassBlock:
    """A remaining class: its units, its current rectangle (global indices), its mask.

    ``masked`` is true when some cells of ``rows × cols`` are hidden.  Every cell of the
    original rectangles of ``units`` outside ``rows × cols`` is hidden.
    """

    units: tuple[int, ...]
    rows: np.ndarray
    cols: np.ndarray
    masked: bool

    @property
    def multiplicity(self) -> int:
        """μ: the number of units."""
        return len(self.units)


@dataclass(frozen=True, eq=False)
class AbsorbedClass:
    """A complete class absorbed into the hidden cells, with the bounding box ``rows × cols``
    of its visible cells at that time (inside its rectangle).

    ``μ ≥ min(|rows|, |cols|)``, so the class produces every matrix supported in
    ``rows × cols`` with factors supported in ``rows`` and ``cols`` (complete-classes
    lemma), and it can realise any target on the cells it was the first to hide
    (``ComponentReduction.absorbed_by``, all inside ``rows × cols``).
    """

    units: tuple[int, ...]
    rows: np.ndarray
    cols: np.ndarray


@dataclass(frozen=True, eq=False)
class Part:
    """A connected group of remaining classes (sharing visible cells)."""

    classes: tuple[ClassBlock, ...]


@dataclass(frozen=True, eq=False)
class ComponentReduction:
    """Result of reducing one overlap component to its fixpoint.

    Attributes
    ----------
    rows, cols
        Global rows and columns of the component (sorted); local index = position.
    hidden
        Local boolean mask of hidden cells.
    absorbed
        The absorbed complete classes, in absorption order.
    absorbed_by
        Local int array: which absorbed class first hid each cell (-1: visible, or
        outside every rectangle).
    parts
        The remaining classes, grouped into parts.
    steps
        The reductions applied, in order.
    """

    rows: np.ndarray
    cols: np.ndarray
    hidden: np.ndarray
    absorbed: tuple[AbsorbedClass, ...]
    absorbed_by: np.ndarray
    parts: tuple[Part, ...]
    steps: tuple[ReductionStep, ...]

    def local(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Local positions of global ``rows`` and ``cols``."""
        return np.searchsorted(self.rows, rows), np.searchsorted(self.cols, cols)

    def visible_block(self, block: ClassBlock) -> np.ndarray:
        """Boolean ``|rows|×|cols|`` array of the visible cells of a class."""
        local_rows, local_cols = self.local(block.rows, block.cols)
        return ~self.hidden[np.ix_(local_rows, local_cols)]


@dataclass(eq=False)
class _Working:
    units: tuple[int, ...]
    rows: np.ndarray
    cols: np.ndarray
    local_rows: np.ndarray = field(repr=False)
    local_cols: np.ndarray = field(repr=False)
    masked: bool = False


@dataclass(eq=False)
class MaskedProblem:
    """A component in the course of reduction: remaining classes and hidden cells.

    The set it stands for is the projection, onto the cells outside ``hidden``, of the
    sum of the remaining classes' determinantal sets (``docs/theory.md``, "Masked
    problems").  Local coordinates index ``rows × cols`` of the component.
    """

    rows: np.ndarray
    cols: np.ndarray
    classes: list[_Working]
    hidden: np.ndarray
    absorbed_by: np.ndarray
    absorbed: list[AbsorbedClass]


def _describe(rows: np.ndarray, cols: np.ndarray) -> str:
    return "{" + ",".join(map(str, rows.tolist())) + "} × {" + ",".join(map(str, cols.tolist())) + "}"


def absorb_complete_classes(problem: MaskedProblem, bounding_box: bool = True) -> list[ReductionStep]:
    """Absorption lemma: hide the visible cells of complete classes and remove the classes.

    A class is complete when ``μ ≥ min(|R|, |C|)`` on its current rectangle ``R×C``, or
    (with ``bounding_box``) ``μ ≥ min(|R'|, |C'|)`` for ``R'×C'`` the bounding box of its
    non-empty visible cells: either way it produces every matrix on its visible cells
    (``docs/theory.md``, "Bounding-box lemma").  Updates ``problem`` in place (hidden cells,
    ``absorbed`` with the rectangle on which the class is complete, ``absorbed_by``) and
    returns one step per absorbed class.
    """
    steps = []
    for item in list(problem.classes):
        mu = len(item.units)
        block = np.ix_(item.local_rows, item.local_cols)
        fresh = ~problem.hidden[block]
        if mu >= min(item.rows.size, item.cols.size):
            rows, cols = item.rows, item.cols
            text = (
                f"class {_describe(item.rows, item.cols)} (units {list(item.units)}) is complete "
                f"(μ={mu} ≥ min({item.rows.size},{item.cols.size})): absorbed, its cells become free"
            )
        elif bounding_box:
            keep_rows, keep_cols = fresh.any(axis=1), fresh.any(axis=0)
            rows, cols = item.rows[keep_rows], item.cols[keep_cols]
            if not rows.size or mu < min(rows.size, cols.size):
                continue
            text = (
                f"class {_describe(item.rows, item.cols)} (units {list(item.units)}) has its visible cells in "
                f"{_describe(rows, cols)} and is complete there (μ={mu} ≥ min({rows.size},{cols.size}), "
                f"bounding-box lemma): absorbed, its cells become free"
            )
        else:
            continue
        problem.absorbed_by[block] = np.where(fresh, len(problem.absorbed), problem.absorbed_by[block])
        problem.hidden[block] = True
        problem.absorbed.append(AbsorbedClass(item.units, rows, cols))
        problem.classes.remove(item)
        steps.append(ReductionStep("absorption lemma", text))
    return steps


def project_classes(problem: MaskedProblem) -> list[ReductionStep]:
    """Projection lemma: drop invisible classes, shrink classes with rectangular visible cells.

    Marks the remaining classes whose visible cells are not a rectangle as masked.
    Updates ``problem`` in place and returns the steps that changed it.
    """
    steps = []
    for item in list(problem.classes):
        visible = ~problem.hidden[np.ix_(item.local_rows, item.local_cols)]
        if not visible.any():
            problem.classes.remove(item)
            steps.append(ReductionStep(
                "projection lemma",
                f"class {_describe(item.rows, item.cols)} (units {list(item.units)}) lies in free cells: dropped",
            ))
            continue
        keep_rows, keep_cols = visible.any(axis=1), visible.any(axis=0)
        is_rectangle = bool(visible[np.ix_(keep_rows, keep_cols)].all())
        if is_rectangle and not (keep_rows.all() and keep_cols.all()):
            old = _describe(item.rows, item.cols)
            item.rows, item.cols = item.rows[keep_rows], item.cols[keep_cols]
            item.local_rows, item.local_cols = item.local_rows[keep_rows], item.local_cols[keep_cols]
            steps.append(ReductionStep(
                "projection lemma",
                f"class {old} (units {list(item.units)}) has visible cells "
                f"{_describe(item.rows, item.cols)}, a rectangle: it becomes that class",
            ))
        item.masked = not is_rectangle
    return steps


def merge_equal_classes(problem: MaskedProblem) -> list[ReductionStep]:
    """Merge lemma: classes with the same current rectangle become one, μ added.

    Updates ``problem`` in place and returns one step per merge.
    """
    steps = []
    merged: dict[tuple[bytes, bytes], _Working] = {}
    for item in list(problem.classes):
        key = (item.rows.tobytes(), item.cols.tobytes())
        if key not in merged:
            merged[key] = item
            continue
        keeper = merged[key]
        keeper.units = tuple(sorted(keeper.units + item.units))
        problem.classes.remove(item)
        steps.append(ReductionStep(
            "merge lemma",
            f"classes on {_describe(item.rows, item.cols)} merge: units {list(keeper.units)}, μ={len(keeper.units)}",
        ))
    return steps


def component_problem(
    structure: RankOneStructure, component: int, max_cells: int = DEFAULT_MAX_COMPONENT_CELLS
) -> MaskedProblem:
    """The unreduced masked problem of one overlap component (nothing hidden yet).

    Raises
    ------
    ComponentTooLarge
        If the component's bounding box has more than ``max_cells`` cells.
    """
    classes = structure.component_classes(component)
    rectangles = [structure.class_rectangle(int(c)) for c in classes]
    all_rows = np.unique(np.concatenate([np.asarray(r, dtype=np.int64) for r, _ in rectangles]))
    all_cols = np.unique(np.concatenate([np.asarray(c, dtype=np.int64) for _, c in rectangles]))
    if all_rows.size * all_cols.size > max_cells:
        raise ComponentTooLarge(
            f"component {component} spans {all_rows.size}×{all_cols.size} cells, "
            f"more than the reduction budget of {max_cells}"
        )
    working = []
    for klass, (rows, cols) in zip(classes, rectangles):
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        working.append(_Working(
            units=tuple(int(u) for u in structure.class_units(int(klass))),
            rows=rows,
            cols=cols,
            local_rows=np.searchsorted(all_rows, rows),
            local_cols=np.searchsorted(all_cols, cols),
        ))
    hidden = np.zeros((all_rows.size, all_cols.size), dtype=bool)
    return MaskedProblem(all_rows, all_cols, working, hidden, np.full(hidden.shape, -1, dtype=np.int64), [])


def reduce_component(
    structure: RankOneStructure, component: int, max_cells: int = DEFAULT_MAX_COMPONENT_CELLS
) -> ComponentReduction:
    """Apply absorption, projection and merging to a fixpoint on one overlap component.

    Parameters
    ----------
    structure
        The rank-one-support structure of the whole support.
    component
        Index of an overlap component of ``structure``.
    max_cells
        Budget on ``|rows| · |cols|`` of the component.

    Raises
    ------
    ComponentTooLarge
        If the component's bounding box has more than ``max_cells`` cells.
    """
    return reduce_problem(component_problem(structure, component, max_cells))


def reduce_problem(problem: MaskedProblem) -> ComponentReduction:
    """Apply absorption, projection and merging to a fixpoint on a masked problem (modified in place)."""
    steps: list[ReductionStep] = []
    while True:
        new_steps = absorb_complete_classes(problem, bounding_box=False) + project_classes(problem) + merge_equal_classes(problem)
        if not new_steps:
            # only at the fixpoint of the steps above, where every class whose visible cells form a
            # rectangle has become that rectangle: the bounding-box test then adds masked classes
            # only, and never pre-empts a projection followed by a merge
            new_steps = absorb_complete_classes(problem)
            if not new_steps:
                break
        steps += new_steps
    parts = _parts(problem.classes, problem.hidden)
    if len(parts) > 1:
        steps.append(ReductionStep(
            "direct-sum lemma",
            f"the remaining classes split into {len(parts)} parts with no visible cell in common",
        ))
    return ComponentReduction(
        rows=problem.rows,
        cols=problem.cols,
        hidden=problem.hidden,
        absorbed=tuple(problem.absorbed),
        absorbed_by=problem.absorbed_by,
        parts=parts,
        steps=tuple(steps),
    )


def hide_and_reduce(reduction: ComponentReduction, classes: Sequence[ClassBlock], cells: np.ndarray) -> ComponentReduction:
    """The masked problem of ``classes`` (remaining classes of ``reduction``) with the local
    cells ``cells`` (boolean mask) hidden besides ``reduction.hidden``, reduced to its fixpoint.

    The new hidden cells are not realised by an absorbed class (``absorbed_by`` is -1 there):
    only CLOSED rules may be applied to the result (the filling-group lemma, ``docs/theory.md`` §4).
    """
    hidden = reduction.hidden | cells
    working = []
    for block in classes:
        local_rows, local_cols = reduction.local(block.rows, block.cols)
        working.append(_Working(block.units, block.rows, block.cols, local_rows, local_cols,
                                bool(hidden[np.ix_(local_rows, local_cols)].any())))
    problem = MaskedProblem(reduction.rows, reduction.cols, working, hidden.copy(),
                            reduction.absorbed_by.copy(), list(reduction.absorbed))
    return reduce_problem(problem)


def _parts(working: list[_Working], hidden: np.ndarray) -> tuple[Part, ...]:
    left: list[int] = []
    right: list[int] = []
    owner = np.full(hidden.shape, -1, dtype=np.int64)
    for index, item in enumerate(working):
        block = np.ix_(item.local_rows, item.local_cols)
        visible = ~hidden[block]
        previous = owner[block][visible]
        others = np.unique(previous[previous >= 0]).tolist()
        left += [index] * len(others)
        right += others
        owner[block] = np.where(visible, index, owner[block])
    count, labels = connected_components(len(working), left, right)
    return tuple(
        Part(tuple(
            ClassBlock(working[i].units, working[i].rows, working[i].cols, working[i].masked)
            for i in np.flatnonzero(labels == part).tolist()
        ))
        for part in range(count)
    )


def visible_bicliques(visible: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Split a 0/1 pattern into disjoint complete bipartite blocks, if it is one.

    Returns ``[(rows_q, cols_q), …]`` (positions in ``visible``) when the nonzero cells
    of ``visible`` are a union of blocks ``rows_q × cols_q`` with pairwise disjoint
    ``rows_q`` and pairwise disjoint ``cols_q``; otherwise ``None``.

    Notes
    -----
    The pattern is such a union iff any two non-empty rows are equal or disjoint: the
    rows with one pattern ``cols_q`` then form ``rows_q``.  Cost ``O(h w log h)`` for an
    h×w pattern.
    """
    occupied = np.flatnonzero(visible.any(axis=1))
    patterns, inverse = np.unique(visible[occupied], axis=0, return_inverse=True)
    if patterns.sum(axis=0).max(initial=0) > 1:
        return None
    inverse = inverse.reshape(-1)
    return [(occupied[inverse == q], np.flatnonzero(patterns[q])) for q in range(patterns.shape[0])]
