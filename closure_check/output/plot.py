"""Pictures (PNG): supports and rectangles, and how a certificate's curve diverges.

Drawing only; nothing here decides anything.  matplotlib is imported inside the
functions and draws on its Agg canvas (a ``Figure`` with ``FigureCanvasAgg``, no pyplot):
importing this module is cheap, and a Jupyter session keeps its own backend.

* :func:`draw_case` -- for two factors, three panels: ``I``, ``J`` and the m×n product
  grid with every class rectangle in its own colour.  A cell in several rectangles is
  striped with their colours (never blended) and, on small grids, outlined in black; a
  legend names the classes (units, size, μ, complete or not).  For a chain: the chain as
  a layered graph (three or more factors, when small), one panel per factor (partial
  permutations marked) and the support of the product ``W_1⋯W_N``; a chain of two factors
  is drawn as its two-factor problem ``(I, J) = (I_1, I_2ᵀ)``.  A matrix larger than
  :data:`MAX_DRAWN_SIDE` on a side is drawn as a spy plot: at most :data:`SPY_PIXELS`
  pixels a side, each pixel a block of cells, darker where the block holds more nonzeros.
* :func:`draw_curve` -- the picture of divergence: ``‖X(t)‖``, ``‖Y(t)‖`` (chains:
  ``‖W_ℓ(t)‖`` for each ℓ) and ``‖X(t)Y(t)ᵀ − A‖`` against t on log axes (Frobenius
  norms, t from 10⁻⁴ to 1), each labelled with its order in t.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from closure_check.certificates.chain import ChainCurve
from closure_check.core.case import Case
from closure_check.core.graph import RankOneStructure
from closure_check.core.laurent import Laurent
from closure_check.core.support import ChainSupport, SupportMatrix, TwoFactorSupport
from closure_check.output.terminal import render_index_set

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from closure_check.certificates.chain import ChainNotClosedCertificate
    from closure_check.certificates.two_factor import Curve, NotClosedCertificate

__all__ = ["MAX_DRAWN_SIDE", "SPY_PIXELS", "T_RANGE", "draw_case", "draw_curve", "draw_landscape", "norms_on_grid"]

MAX_DRAWN_SIDE = 512
"""Above this many rows or columns a matrix is drawn as a spy plot, cell by cell below."""

SPY_PIXELS = 256
"""A spy plot has at most this many pixels a side."""

MAX_LEGEND_CLASSES = 12
"""Classes named in the legend; the rest are counted."""

MAX_OUTLINED = 64
"""Overlap cells are outlined in black when the product has at most this many rows and columns."""

MAX_GRAPH_NODES = 64
"""The layered graph of a chain is drawn when no dimension exceeds this ..."""

MAX_GRAPH_EDGES = 3000
"""... and the chain has at most this many nonzeros."""

MAX_BINNED_WORK = 8_000_000
"""A spy plot of a chain's product is skipped when it would need more entries than this."""

T_RANGE = (1e-4, 1.0)
"""The range of t of :func:`draw_curve`."""

T_POINTS = 121
DPI = 110

LINE_STYLES = ("-", (0, (6, 3)), (0, (6, 2, 1.5, 2)), (0, (1.5, 1.5)))
"""Factor ℓ of a curve plot is drawn with style ℓ: norms that coincide (as ``‖X(t)‖`` and
``‖Y(t)‖`` of the LU curve do) stay visible."""


# --------------------------------------------------------------------------- figures


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, path: Path | str) -> None:
    """Write the figure as PNG (whatever the suffix); OSError if the path cannot be written."""
    figure.savefig(path, format="png", dpi=DPI)


def _class_palette(count: int) -> np.ndarray:
    """``count`` RGB rows: the ten strong tab20 colours, then the ten light ones, repeating."""
    import matplotlib

    base = np.asarray(matplotlib.colormaps["tab20"].colors)
    order = list(range(0, 20, 2)) + list(range(1, 20, 2))
    return base[[order[k % 20] for k in range(count)]]


def _factor_colour(level: int) -> tuple[float, float, float]:
    import matplotlib

    return tuple(matplotlib.colormaps["tab10"].colors[(level - 1) % 10])


# --------------------------------------------------------------------------- matrices


def _index_ticks(axes: Axes, rows: int, cols: int, grid: bool) -> None:
    """Integer ticks spaced to the panel size (labels never collide), light cell lines on small grids."""
    from matplotlib.ticker import MaxNLocator

    axes.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True, min_n_ticks=1))
    axes.yaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True, min_n_ticks=1))
    axes.tick_params(labelsize=8, length=2)
    axes.set_xlim(-0.5, cols - 0.5)
    axes.set_ylim(rows - 0.5, -0.5)
    if grid and max(rows, cols) <= 40:
        axes.set_xticks(np.arange(-0.5, cols, 1.0), minor=True)
        axes.set_yticks(np.arange(-0.5, rows, 1.0), minor=True)
        axes.grid(which="minor", color="0.8", linewidth=0.4)
        axes.tick_params(which="minor", length=0)


def _aspect(rows: int, cols: int) -> str:
    return "equal" if max(rows, cols) <= 4 * min(rows, cols) else "auto"


def _binned_counts(matrix: SupportMatrix) -> tuple[np.ndarray, int, int]:
    """Nonzeros per block of ``step_r × step_c`` cells, with at most SPY_PIXELS blocks a side."""
    rows, cols = matrix.shape
    step_r, step_c = max(1, math.ceil(rows / SPY_PIXELS)), max(1, math.ceil(cols / SPY_PIXELS))
    bins_r, bins_c = math.ceil(rows / step_r), math.ceil(cols / step_c)
    coo = matrix.tocoo()
    flat = (coo.row.astype(np.int64) // step_r) * bins_c + coo.col.astype(np.int64) // step_c
    counts = np.bincount(flat, minlength=bins_r * bins_c).reshape(bins_r, bins_c)
    return counts, step_r, step_c


def _draw_spy(axes: Axes, counts: np.ndarray, step_r: int, step_c: int, shape: tuple[int, int], title: str) -> None:
    """A binned spy plot: a pixel per block, black-to-grey by how many nonzeros the block holds."""
    rows, cols = shape
    shade = np.zeros(counts.shape)
    full = counts > 0
    top = counts.max(initial=0)
    if top > 1:
        shade[full] = 0.6 + 0.4 * np.log(counts[full]) / np.log(top)
    else:
        shade[full] = 1.0
    bins_r, bins_c = counts.shape
    axes.imshow(
        shade, cmap="Greys", vmin=0, vmax=1, interpolation="nearest", aspect=_aspect(rows, cols),
        extent=(-0.5, bins_c * step_c - 0.5, bins_r * step_r - 0.5, -0.5),
    )
    _index_ticks(axes, rows, cols, grid=False)
    axes.set_title(f"{title}\nspy plot, a pixel = {step_r}×{step_c} cells", fontsize=9)


def _draw_support(axes: Axes, matrix: SupportMatrix, title: str) -> None:
    rows, cols = matrix.shape
    title = f"{title}  ({rows}×{cols}, {matrix.nnz} nz)"
    if max(rows, cols) > MAX_DRAWN_SIDE:
        _draw_spy(axes, *_binned_counts(matrix), (rows, cols), title)
        return
    axes.imshow(matrix.toarray() != 0, cmap="Greys", vmin=0, vmax=1, interpolation="nearest", aspect=_aspect(rows, cols))
    _index_ticks(axes, rows, cols, grid=True)
    axes.set_title(title, fontsize=9)


# --------------------------------------------------------------------------- rectangles


def _stripes(structure: RankOneStructure) -> tuple[np.ndarray, np.ndarray, int]:
    """For each cell and each of ``s`` vertical stripes, the class drawn there (-1: none).

    A cell in c rectangles gets c stripes of equal width (as far as ``s`` allows), one
    per class in class order; coverage counts the classes on each cell.
    """
    m, n = structure.support.shape
    rectangles = [structure.unit_rectangle_arrays(int(unit)) for unit in structure.class_unit]
    coverage = np.zeros((m, n), dtype=np.int64)
    for rows, cols in rectangles:
        coverage[np.ix_(rows, cols)] += 1
    stripes = 1 if coverage.max(initial=0) <= 1 else max(2, min(12, 2048 // max(m, n)))
    owner = np.full((m, n, stripes), -1, dtype=np.int64)
    seen = np.zeros((m, n), dtype=np.int64)
    for klass, (rows, cols) in enumerate(rectangles):
        block = np.ix_(rows, cols)
        count, rank = coverage[block], seen[block]
        for stripe in range(stripes):
            layer = owner[:, :, stripe]
            layer[block] = np.where((stripe * count) // stripes == rank, klass, layer[block])
        seen[block] += 1
    return owner, coverage, stripes


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _class_label(structure: RankOneStructure, klass: int) -> str:
    rows, cols = structure.class_rectangle(klass)
    units = render_index_set(structure.class_units(klass).tolist())
    label = f"class {klass}: units {units}, {len(rows)}×{len(cols)}, μ={int(structure.multiplicity[klass])}"
    return label + (", complete" if structure.complete[klass] else "")


def _draw_rectangles(figure: Figure, axes: Axes, structure: RankOneStructure) -> None:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch, Rectangle

    m, n = structure.support.shape
    owner, coverage, stripes = _stripes(structure)
    palette = np.vstack([_class_palette(structure.n_classes), np.ones((1, 3))])  # index -1: white
    pixels = (palette[owner] * 255).astype(np.uint8)  # m × n × stripes × 3
    picture = np.broadcast_to(pixels[:, None], (m, stripes, n, stripes, 3)).reshape(m * stripes, n * stripes, 3)
    axes.imshow(picture, interpolation="nearest", extent=(-0.5, n - 0.5, m - 0.5, -0.5), aspect=_aspect(m, n))
    overlaps = np.argwhere(coverage > 1)
    if len(overlaps) and max(m, n) <= MAX_OUTLINED:
        boxes = [Rectangle((j - 0.5, i - 0.5), 1, 1) for i, j in overlaps]
        axes.add_collection(PatchCollection(boxes, facecolor="none", edgecolor="black", linewidth=1.2))
    _index_ticks(axes, m, n, grid=True)
    axes.set_title(
        f"X Yᵀ ({m}×{n}): {_count(structure.n_classes, 'class', 'classes')}, "
        f"{_count(structure.n_components, 'component', 'components')}",
        fontsize=9,
    )

    colours = _class_palette(structure.n_classes)
    shown = min(structure.n_classes, MAX_LEGEND_CLASSES)
    handles: list[Any] = [
        Patch(facecolor=colours[k], edgecolor="0.3", label=_class_label(structure, k)) for k in range(shown)
    ]
    if structure.n_classes > shown:
        more = structure.n_classes - shown
        repeat = " (colours repeat every 20)" if structure.n_classes > 20 else ""
        handles.append(Patch(facecolor="none", edgecolor="none", label=f"… {more} more classes{repeat}"))
    if len(overlaps):
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="|||",
                             label=f"cell in several rectangles ({len(overlaps)}): striped"))
    handles.append(Patch(facecolor="white", edgecolor="0.6", label="cell in no rectangle"))
    figure.legend(handles=handles, loc="outside right upper", fontsize=7, frameon=False)


# --------------------------------------------------------------------------- products


def _boolean(matrix: Any) -> Any:
    import scipy.sparse as sp

    result = sp.csr_array(matrix, dtype=np.float64)
    result.data[:] = 1.0
    return result


def _product_support(factors: Sequence[SupportMatrix]) -> SupportMatrix:
    product = _boolean(factors[0])
    for factor in factors[1:]:
        product = _boolean(product @ _boolean(factor))
    return product


def _binned_product(factors: Sequence[SupportMatrix]) -> tuple[np.ndarray, int, int] | None:
    """Spy counts of the product's support at SPY_PIXELS resolution, or None if too costly.

    The rows of the first factor and the columns of the last are binned first, so every
    intermediate matrix has at most SPY_PIXELS rows.
    """
    import scipy.sparse as sp

    rows, cols = factors[0].shape[0], factors[-1].shape[1]
    step_r, step_c = max(1, math.ceil(rows / SPY_PIXELS)), max(1, math.ceil(cols / SPY_PIXELS))
    bins_r, bins_c = math.ceil(rows / step_r), math.ceil(cols / step_c)
    if bins_r * max(factor.shape[1] for factor in factors) > MAX_BINNED_WORK:
        return None
    row_bins = sp.csr_array((np.ones(rows), (np.arange(rows) // step_r, np.arange(rows))), shape=(bins_r, rows))
    col_bins = sp.csr_array((np.ones(cols), (np.arange(cols), np.arange(cols) // step_c)), shape=(cols, bins_c))
    current = _boolean(row_bins @ _boolean(factors[0]))
    for factor in factors[1:]:
        current = _boolean(current @ _boolean(factor))
    counts = (current @ col_bins).toarray()
    return counts, step_r, step_c


def _draw_product(axes: Axes, factors: Sequence[SupportMatrix], title: str) -> None:
    rows, cols = factors[0].shape[0], factors[-1].shape[1]
    if max(rows, cols) <= MAX_DRAWN_SIDE and all(max(f.shape) <= MAX_DRAWN_SIDE for f in factors):
        _draw_support(axes, _product_support(factors), title)
        return
    binned = _binned_product(factors)
    if binned is None:
        axes.set_axis_off()
        axes.set_title(f"{title}  ({rows}×{cols})", fontsize=9)
        axes.text(0.5, 0.5, "not drawn:\ntoo large to multiply out", ha="center", va="center",
                  transform=axes.transAxes, fontsize=8)
        return
    counts, step_r, step_c = binned
    _draw_spy(axes, counts, step_r, step_c, (rows, cols), f"{title}  ({rows}×{cols})")


# --------------------------------------------------------------------------- chains


def _partial_permutation(matrix: SupportMatrix) -> bool:
    rows = np.diff(matrix.tocsr().indptr)
    cols = np.bincount(matrix.tocoo().col, minlength=matrix.shape[1])
    return bool(rows.max(initial=0) <= 1 and cols.max(initial=0) <= 1)


def _draw_layered_graph(axes: Axes, chain: ChainSupport) -> None:
    """Layer ℓ holds the r_ℓ indices, top to bottom; factor ℓ joins layer ℓ-1 to layer ℓ."""
    from matplotlib.collections import LineCollection

    dims = chain.dims

    def height(level: int, index: np.ndarray) -> np.ndarray:
        return 1.0 - (index + 0.5) / dims[level]

    for level, factor in enumerate(chain.factors, start=1):
        coo = factor.tocoo()
        segments = np.stack(
            [
                np.column_stack([np.full(coo.nnz, level - 1.0), height(level - 1, coo.row)]),
                np.column_stack([np.full(coo.nnz, float(level)), height(level, coo.col)]),
            ],
            axis=1,
        )
        width = 1.2 if coo.nnz <= 200 else 0.5
        axes.add_collection(LineCollection(segments, colors=[_factor_colour(level)], linewidths=width, alpha=0.8))
        axes.text(level - 0.5, 1.04, f"W{level}", ha="center", va="bottom", fontsize=9,
                  color=_factor_colour(level), fontweight="bold")
    for level, size in enumerate(dims):
        index = np.arange(size)
        axes.scatter(np.full(size, level), height(level, index), s=10 if size <= 32 else 3, color="black", zorder=3)
        axes.text(level, -0.06, f"r{level} = {size}", ha="center", va="top", fontsize=8)
    axes.set_xlim(-0.3, len(dims) - 0.7)
    axes.set_ylim(-0.14, 1.12)
    axes.set_axis_off()
    axes.set_title(
        "the chain as a layered graph: an edge a → b of W_ℓ for each nonzero (a, b) of I_ℓ; "
        "entry (i, j) of the product is a sum over the paths from i to j",
        fontsize=9,
    )


def _draw_chain(case: Case, chain: ChainSupport, path: Path | str) -> None:
    from matplotlib.gridspec import GridSpec

    panels = chain.length + 1
    columns = min(panels, 5)
    panel_rows = math.ceil(panels / columns)
    graph = chain.length >= 3 and max(chain.dims) <= MAX_GRAPH_NODES and chain.nnz <= MAX_GRAPH_EDGES
    heights = ([2.6] if graph else []) + [3.2] * panel_rows
    figure = _figure(max(3.3 * columns, 7.0), sum(heights) + 0.5)
    grid = GridSpec(len(heights), columns, figure=figure, height_ratios=heights)
    first = 1 if graph else 0
    if graph:
        _draw_layered_graph(figure.add_subplot(grid[0, :]), chain)
    for index in range(panels):
        axes = figure.add_subplot(grid[first + index // columns, index % columns])
        if index < chain.length:
            factor = chain.factors[index]
            _draw_support(axes, factor, f"W{index + 1}")
            title = axes.get_title()
            if _partial_permutation(factor):
                title += "\npartial permutation (merges with a neighbour)"
            axes.set_title(title, fontsize=9, color=_factor_colour(index + 1))
        else:
            names = "W1⋯W" + str(chain.length)
            _draw_product(axes, chain.factors, f"supp {names}")
    dims = chain.dims
    shown = "×".join(map(str, dims)) if len(dims) <= 6 else f"{dims[0]}×{dims[1]}×…×{dims[-1]} ({len(dims)} dims)"
    figure.suptitle(f"{case.name or 'chain'}: chain of {chain.length} factors, dims {shown}")
    _save(figure, path)


# --------------------------------------------------------------------------- two factors


def _draw_two_factor(
    case: Case, support: TwoFactorSupport, structure: RankOneStructure | None, path: Path | str, names: tuple[str, str]
) -> None:
    figure = _figure(13.0, 4.4)
    panels = figure.subplots(1, 3, squeeze=False)[0]
    _draw_support(panels[0], support.I, names[0])
    _draw_support(panels[1], support.J, names[1])
    m, n = support.shape
    if structure is not None and max(m, n) <= MAX_DRAWN_SIDE:
        _draw_rectangles(figure, panels[2], structure)
    else:
        _draw_product(panels[2], (support.I, support.J.T), "supp X Yᵀ")
        if structure is not None:
            panels[2].set_title(
                panels[2].get_title() + f"\n{_count(structure.n_classes, 'class', 'classes')}, "
                f"{_count(structure.n_components, 'component', 'components')}",
                fontsize=9,
            )
    figure.suptitle(case.name or "support")
    _save(figure, path)


def draw_case(case: Case, structure: RankOneStructure | None, path: Path | str) -> None:
    """Write a PNG of the case's supports to ``path`` (the rectangles too, for two factors).

    ``structure`` is that of the two-factor problem (of a two-factor support, or of a
    chain of two factors); None draws the product's support instead of the rectangles.
    Any size is drawn: above :data:`MAX_DRAWN_SIDE` a side, as a spy plot.

    Raises
    ------
    OSError
        If ``path`` cannot be written.
    """
    support = case.support
    if isinstance(support, ChainSupport):
        if support.length == 2:
            _draw_two_factor(case, support.to_two_factor(), structure, path, ("I = supp W1", "J = supp W2ᵀ"))
        else:
            _draw_chain(case, support, path)
        return
    _draw_two_factor(case, support, structure, path, ("I = supp X", "J = supp Y"))


# --------------------------------------------------------------------------- curves


def _values_on_grid(value: Laurent, grid: np.ndarray) -> np.ndarray:
    total = np.zeros_like(grid)
    for exponent, coefficient in value.terms.items():
        total += float(coefficient) * grid**exponent
    return total


def norms_on_grid(entries: Mapping[Any, Laurent], grid: np.ndarray) -> np.ndarray:
    """Frobenius norm of the Laurent matrix ``entries`` at every float t of ``grid``.

    >>> t, inv = Laurent.monomial(1), Laurent.monomial(-1)
    >>> norms_on_grid({(0, 0): t, (1, 1): -inv}, np.array([0.5, 1.0])).round(4).tolist()
    [2.0616, 1.4142]
    """
    with np.errstate(over="ignore", invalid="ignore"):
        squares = np.zeros_like(grid)
        for value in entries.values():
            squares += _values_on_grid(value, grid) ** 2
        return np.sqrt(squares)


def _order(entries: Mapping[Any, Laurent]) -> int | None:
    exponents = [value.min_exponent() for value in entries.values() if not value.is_zero()]
    return min(exponents) if exponents else None


def _power(exponent: int) -> str:
    if exponent == 0:
        return "1"
    return "t" if exponent == 1 else f"t^{{{exponent}}}"


def draw_curve(
    certificate: NotClosedCertificate | ChainNotClosedCertificate | Curve | ChainCurve,
    path: Path | str,
    title: str = "",
    note: str = "",
    t_range: tuple[float, float] = T_RANGE,
    points: int = T_POINTS,
) -> None:
    """Write the picture of divergence of a NOT CLOSED certificate's curve as a PNG.

    On log axes against t: the Frobenius norms ``‖X(t)‖``, ``‖Y(t)‖`` (a chain:
    ``‖W_ℓ(t)‖`` for every ℓ), the error ``‖X(t)Y(t)ᵀ − A‖`` (its exact expansion,
    evaluated in floats: no cancellation at small t) and ``‖A‖`` for scale.  Each
    curve is labelled with its order, ``∼ t^e`` for the lowest power of t it contains.

    Raises
    ------
    OSError
        If ``path`` cannot be written.
    """
    curve = getattr(certificate, "curve", certificate)
    if isinstance(curve, ChainCurve):
        factors = [(f"W_{{{level}}}(t)", entries) for level, entries in enumerate(curve.factors, start=1)]
        product = "W_1(t)\\cdots W_{%d}(t)" % len(curve.factors)
        plain_names = [f"W{level}(t)" for level in range(1, len(curve.factors) + 1)]
    else:
        factors = [("X(t)", curve.x), ("Y(t)", curve.y)]
        plain_names = ["X(t)", "Y(t)"]
        product = "X(t)Y(t)^{\\top}"
    low, high = t_range
    grid = np.logspace(math.log10(low), math.log10(high), points)

    figure = _figure(7.6, 5.0)
    axes = figure.add_subplot()
    for level, (name, entries) in enumerate(factors, start=1):
        norms = norms_on_grid(entries, grid)
        order = _order(entries)
        shape = "" if order is None else (
            f"  $\\sim {_power(order)}$ (diverges)" if order < 0 else "  (bounded)"
        )
        axes.plot(grid, np.where(norms > 0, norms, np.nan), color=_factor_colour(level), linewidth=2.0,
                  linestyle=LINE_STYLES[(level - 1) % len(LINE_STYLES)], label=f"$\\|{name}\\|_F${shape}")
    deviation = curve.deviation()
    order = _order(deviation)
    if order is None:
        axes.plot([], [], color="black", label=f"$\\|{product} - A\\|_F = 0$")
    else:
        errors = norms_on_grid(deviation, grid)
        axes.plot(grid, np.where(errors > 0, errors, np.nan), color="black", linewidth=2.4,
                  label=f"$\\|{product} - A\\|_F \\sim {_power(order)}$" + (" (→ 0)" if order > 0 else " (NOT → 0: invalid curve)"))
    limit_norm = math.sqrt(sum(float(value) ** 2 for value in curve.limit.values()))
    if limit_norm > 0:
        axes.axhline(limit_norm, color="0.5", linestyle="--", linewidth=1,
                     label=f"$\\|A\\|_F = {limit_norm:.4g}$")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlim(low, high)
    axes.set_xlabel("t   (the limit is t → 0⁺, to the left)")
    axes.set_ylabel("Frobenius norm")
    axes.grid(True, which="major", color="0.88", linewidth=0.6)
    axes.legend(fontsize=9, loc="best")
    heading = title or "the curve of a NOT CLOSED certificate"
    growing = [plain for plain, (_, entries) in zip(plain_names, factors) if (_order(entries) or 0) < 0]
    if not growing:
        explanation = "A is the limit of the products as t → 0⁺"
    elif len(growing) == 1:
        explanation = f"A is the limit of the products as t → 0⁺ while {growing[0]} grows without bound"
    else:
        listed = ", ".join(growing) if len(growing) <= 4 else f"{len(growing)} of the factors"
        explanation = f"A is the limit of the products as t → 0⁺ while {listed} grow without bound"
    axes.set_title(heading + (f" ({note})" if note else "") + "\n" + explanation, fontsize=10)
    _save(figure, path)


LOSS_FLOOR = 1e-12
"""Losses below this are drawn at this value on the log axes."""


def draw_landscape(result: Any, path: Path | str, title: str = "", grid: int = 81) -> None:
    """Write the picture of a :class:`~closure_check.landscape.LandscapeResult` as a PNG.

    Left: the histogram of the final losses of the random starts (log axis), the
    certified spurious value marked.  Right (a certified spurious minimum only): L on the
    plane through the minimum θ* and the lower point q, ``θ* + s (q − θ*) + t ‖q − θ*‖ e``
    with e a fixed unit vector orthogonal to ``q − θ*``; θ* at (0, 0), q at (1, 0).
    Floats: a picture, not a proof.

    Raises
    ------
    OSError
        If ``path`` cannot be written.
    """
    from closure_check.landscape.loss import Parameters

    minimum = result.minimum
    figure = _figure(12.0 if minimum is not None else 6.5, 4.6)
    axes = figure.add_subplot(1, 2, 1) if minimum is not None else figure.add_subplot()
    losses = np.maximum(np.asarray(result.final_losses, dtype=float), LOSS_FLOOR)
    if len(losses):
        bins = np.logspace(math.log10(losses.min()) - 0.1, math.log10(losses.max()) + 0.1, 40)
        axes.hist(losses, bins=bins, color="#4c72b0")
        axes.set_xscale("log")
    if minimum is not None:
        axes.axvline(minimum.approximate_loss, color="#c44e52", linestyle="--",
                     label=f"certified spurious minimum, L ≈ {minimum.approximate_loss:.6g}")
        axes.legend(loc="upper left", fontsize=8)
    axes.set_xlabel("final loss L")
    axes.set_ylabel("starts")
    axes.set_title(f"{len(losses)} starts (seed {result.seed}): where they end", fontsize=10)
    if minimum is not None and result.support is not None:
        params = Parameters.of(result.support)
        index = {entry: position for position, entry in enumerate(params.entries)}
        star = np.zeros(params.size)
        for entry, value in minimum.fixed:
            star[index[entry]] = float(value)
        for entry, value in zip(minimum.variables, minimum.center):
            star[index[entry]] = float(value)
        lower = np.zeros(params.size)
        for entry, value in minimum.lower_point:
            lower[index[entry]] = float(value)
        direction = lower - star
        scale = float(np.linalg.norm(direction)) or 1.0
        other = np.zeros(params.size)
        other[int(np.argmin(np.abs(direction)))] = 1.0
        other -= direction * (other @ direction) / scale**2
        other /= np.linalg.norm(other) or 1.0
        A = np.array([[float(v) for v in row] for row in minimum.target])
        function = params.float_function(A)
        s_values = np.linspace(-0.5, 1.5, grid)
        t_values = np.linspace(-1.0, 1.0, grid)
        values = np.array([[function(star + s * direction + t * scale * other)[0] for s in s_values] for t in t_values])
        right = figure.add_subplot(1, 2, 2)
        mesh = right.contourf(s_values, t_values, np.log10(np.maximum(values, LOSS_FLOOR)), levels=30, cmap="viridis")
        figure.colorbar(mesh, ax=right, label="log10 L")
        right.plot([0], [0], "o", color="#c44e52", label=f"spurious minimum (L ≈ {minimum.approximate_loss:.4g})")
        right.plot([1], [0], "s", color="white", markeredgecolor="black",
                   label=f"lower point (L = {float(minimum.lower_loss):.4g}, exact)")
        right.set_xlabel("s: towards the lower point")
        right.set_ylabel("t: orthogonal direction")
        right.legend(loc="upper left", fontsize=8)
        right.set_title("L on a plane through both points", fontsize=10)
    if title:
        figure.suptitle(title)
    _save(figure, path)
