"""Pictures of supports and rectangles (matplotlib, Agg backend).

Drawing only; nothing here decides anything.  For a two-factor support the figure has
three panels: ``I``, ``J`` and the m×n product grid in which every class rectangle is
drawn in its own colour (cells covered by several classes are outlined in black).
For a chain, one panel per factor.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from closure_check.core.case import Case  # noqa: E402
from closure_check.core.graph import RankOneStructure  # noqa: E402
from closure_check.core.support import ChainSupport  # noqa: E402

__all__ = ["draw_case", "MAX_DRAWN_SIDE"]

MAX_DRAWN_SIDE = 512


def _check_size(shape: tuple[int, int], what: str) -> None:
    if max(shape) > MAX_DRAWN_SIDE:
        raise ValueError(f"{what} is {shape[0]}×{shape[1]}: larger than {MAX_DRAWN_SIDE} on a side, not drawn")


def _draw_support(axes: plt.Axes, matrix: np.ndarray, title: str) -> None:
    axes.imshow(matrix, cmap="Greys", vmin=0, vmax=1, interpolation="nearest")
    axes.set_title(title)
    axes.set_xticks(range(matrix.shape[1]) if matrix.shape[1] <= 16 else [])
    axes.set_yticks(range(matrix.shape[0]) if matrix.shape[0] <= 16 else [])


def _draw_rectangles(axes: plt.Axes, structure: RankOneStructure) -> None:
    m, n = structure.support.shape
    picture = np.ones((m, n, 3))
    coverage = np.zeros((m, n), dtype=int)
    palette = plt.get_cmap("tab10")
    for klass in range(structure.n_classes):
        rows, cols = structure.class_rectangle(klass)
        colour = np.asarray(palette(klass % 10)[:3])
        block = np.ix_(rows, cols)
        picture[block] = np.where(coverage[block][..., None] > 0, 0.5 * (picture[block] + colour), colour)
        coverage[block] += 1
    axes.imshow(picture, interpolation="nearest")
    for i, j in zip(*np.nonzero(coverage > 1)):
        axes.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.5))
    axes.set_title(f"{structure.n_classes} classes, {structure.n_components} components")
    axes.set_xticks(range(n) if n <= 16 else [])
    axes.set_yticks(range(m) if m <= 16 else [])


def draw_case(case: Case, structure: RankOneStructure | None, path: Path) -> None:
    """Write a PNG of the case's supports (and rectangles, for two factors) to ``path``.

    Raises
    ------
    ValueError
        If a matrix is larger than :data:`MAX_DRAWN_SIDE` on a side.
    OSError
        If ``path`` cannot be written.
    """
    support = case.support
    if isinstance(support, ChainSupport):
        for index, factor in enumerate(support.factors, start=1):
            _check_size(factor.shape, f"W{index}")
        figure, panels = plt.subplots(1, support.length, figsize=(3.2 * support.length, 3.4), squeeze=False)
        for index, (axes, factor) in enumerate(zip(panels[0], support.factors), start=1):
            _draw_support(axes, factor.toarray(), f"W{index}")
    else:
        _check_size(support.shape, "the product")
        _check_size(support.I.shape, "I")
        figure, panels = plt.subplots(1, 3, figsize=(10, 3.6), squeeze=False)
        _draw_support(panels[0][0], support.I.toarray(), "I = supp X")
        _draw_support(panels[0][1], support.J.toarray(), "J = supp Y")
        assert structure is not None
        _draw_rectangles(panels[0][2], structure)
    figure.suptitle(case.name or "support")
    figure.tight_layout()
    try:
        figure.savefig(path, dpi=100, format="png")  # exactly ``path``: no suffix added
    finally:
        plt.close(figure)
