"""Polynomial systems ``X Yᵀ = A`` (and ``W_1 ⋯ W_N = A``) in python-flint.

A membership question "is ``A`` in ``P``?" is the question whether a system of
polynomial equations with integer coefficients has a real solution.  This module builds
that system exactly, with one variable per allowed entry of each factor and one
equation per visible cell of the product, and keeps the map from variables back to
factor entries so a solution can be read back into matrices.

>>> from fractions import Fraction
>>> from closure_check.core.support import TwoFactorSupport
>>> lu = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
>>> system = membership_system(lu, {(0, 1): 1, (1, 0): 1})
>>> system.names
('x_0_0', 'x_1_0', 'x_1_1', 'y_0_0', 'y_1_0', 'y_1_1')
>>> [str(f) for f in system.equations]
['x_0_0*y_0_0', 'x_0_0*y_1_0 - 1', 'x_1_0*y_0_0 - 1', 'x_1_0*y_1_0 + x_1_1*y_1_1']

Conventions
-----------
* Two factors (:func:`membership_system`): the papers' ``X Yᵀ`` with ``X`` m×r,
  ``supp X ⊆ I`` and ``Y`` n×r, ``supp Y ⊆ J``; variables ``x_i_k`` (for ``I[i,k] = 1``)
  then ``y_j_k`` (for ``J[j,k] = 1``), in row-major order.
* Chains (:func:`chain_system`): ``W_1 ⋯ W_N`` with ``supp W_ℓ ⊆ I_ℓ``; variables
  ``w{ℓ}_a_b`` (ℓ is 1-based, as in the papers).
* ``A`` is a mapping cell → rational (absent cells are 0) or a dense 2-D array.  Each
  equation ``Σ (monomials) = a`` with ``a = p/q`` in lowest terms is stored as
  ``q·Σ(monomials) − p``, so every coefficient is an integer.
* ``hidden`` cells (masked problems, ``closure_check.two_factor.reduce``) get no equation: the
  set studied is the projection of ``P`` onto the other cells.  Cells that no unit
  covers and where ``A`` is zero give the equation ``0 = 0`` and are omitted; cells
  that no unit covers where ``A`` is nonzero give a nonzero constant equation, which
  makes the system trivially inconsistent.

Each system also records a *grading*: integer weight vectors under which every
monomial of every equation has weight 0 (the scaling ``x_k → t x_k``,
``y_k → t⁻¹ y_k`` of a unit, or of an inner index of a chain), and the *atoms*, the
weight-0 monomials of degree ≤ N that generate all weight-0 monomials.  The
Nullstellensatz search uses them to look for cofactors of weight 0 only, which loses
nothing (``docs/algebra.md``, "Graded cofactors").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import flint
import numpy as np

from closure_check.core.support import ChainSupport, TwoFactorSupport

__all__ = [
    "Cell",
    "Monomial",
    "PolynomialSystem",
    "Variable",
    "as_hidden",
    "as_target",
    "chain_system",
    "membership_system",
    "raw_system",
]

Cell = tuple[int, int]
Monomial = tuple[int, ...]


@dataclass(frozen=True)
class Variable:
    """One unknown: entry ``(row, col)`` of factor ``factor`` (``"X"``, ``"Y"``, ``"W1"``, …).

    For systems built from raw polynomials ``factor`` is ``""`` and ``index`` is ``()``.
    """

    name: str
    factor: str
    index: tuple[int, ...]


def as_target(A: object, shape: tuple[int, int]) -> dict[Cell, Fraction]:
    """Normalise ``A`` to ``{cell: nonzero Fraction}`` and check it fits ``shape``.

    ``A`` is a mapping ``(i, j) → number`` or a dense 2-D array of numbers; numbers
    are converted with :class:`fractions.Fraction` (exactly; a float is taken at its
    exact binary value).

    Raises
    ------
    ValueError
        If a cell lies outside ``shape`` or a dense ``A`` has another shape.
    """
    m, n = shape
    if isinstance(A, Mapping):
        items = A.items()
    else:
        array = np.asarray(A, dtype=object)
        if array.shape != (m, n):
            raise ValueError(f"A has shape {array.shape}, the product is {m}×{n}")
        items = (((i, j), array[i, j]) for i in range(m) for j in range(n))
    target: dict[Cell, Fraction] = {}
    for cell, value in items:
        i, j = int(cell[0]), int(cell[1])
        if not (0 <= i < m and 0 <= j < n):
            raise ValueError(f"cell {(i, j)} of A lies outside the {m}×{n} product")
        number = value if isinstance(value, Fraction) else Fraction(value)
        if number != 0:
            target[(i, j)] = number
    return target


def as_hidden(hidden: object, shape: tuple[int, int]) -> frozenset[Cell]:
    """Normalise a set of hidden cells (iterable of cells, or a boolean m×n mask)."""
    m, n = shape
    if isinstance(hidden, np.ndarray) and hidden.dtype == bool:
        if hidden.shape != (m, n):
            raise ValueError(f"hidden mask has shape {hidden.shape}, the product is {m}×{n}")
        return frozenset((int(i), int(j)) for i, j in zip(*np.nonzero(hidden)))
    cells = frozenset((int(i), int(j)) for i, j in hidden)  # type: ignore[union-attr]
    for i, j in cells:
        if not (0 <= i < m and 0 <= j < n):
            raise ValueError(f"hidden cell {(i, j)} lies outside the {m}×{n} product")
    return cells


@dataclass(frozen=True, eq=False)
class PolynomialSystem:
    """Polynomial equations ``f = 0`` over ℤ with named variables.

    Attributes
    ----------
    ctx
        The flint context (degrevlex order, one generator per variable).
    variables
        The unknowns, in generator order.
    equations
        The polynomials ``f_i`` (``fmpz_mpoly`` in ``ctx``); the system is ``f_i = 0``.
    labels
        What each equation says, e.g. ``"cell (0,1)"``.
    kind
        ``"two-factor"``, ``"chain"`` or ``"raw"``.
    shape
        Shape of the product (``(0, 0)`` for raw systems).
    factor_shapes
        Shapes of the factors, in the order of ``factor_names``.
    factor_names
        ``("X", "Y")``, ``("W1", …, "WN")`` or ``()``.
    target
        The nonzero entries of ``A``.
    hidden
        The cells without an equation.
    weights
        Integer weight vectors (one entry per variable) under which every monomial of
        every equation has weight 0.
    atoms
        Exponent vectors of weight-0 monomials generating all weight-0 monomials (for a
        raw system without grading: the variables).
    """

    ctx: flint.fmpz_mpoly_ctx
    variables: tuple[Variable, ...]
    equations: tuple[flint.fmpz_mpoly, ...]
    labels: tuple[str, ...]
    kind: str
    shape: tuple[int, int] = (0, 0)
    factor_shapes: tuple[tuple[int, int], ...] = ()
    factor_names: tuple[str, ...] = ()
    target: Mapping[Cell, Fraction] = field(default_factory=dict)
    hidden: frozenset[Cell] = frozenset()
    weights: tuple[tuple[int, ...], ...] = ()
    atoms: tuple[Monomial, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names, in generator order."""
        return tuple(v.name for v in self.variables)

    @property
    def nvars(self) -> int:
        """Number of variables."""
        return len(self.variables)

    def equation_terms(self) -> tuple[dict[Monomial, int], ...]:
        """The equations as plain ``{exponent vector: integer coefficient}`` dicts."""
        n = self.nvars  # a system without variables has one unused dummy generator
        return tuple({tuple(int(e) for e in mono[:n]): int(c) for mono, c in f.to_dict().items()} for f in self.equations)

    def residuals(self, point: Sequence[Fraction]) -> list[Fraction]:
        """``f_i(point)`` for every equation, exactly (``point`` in generator order)."""
        if len(point) != self.nvars:
            raise ValueError(f"a point needs {self.nvars} coordinates, got {len(point)}")
        values = [Fraction(v) for v in point]
        result = []
        for terms in self.equation_terms():
            total = Fraction(0)
            for mono, coefficient in terms.items():
                term = Fraction(coefficient)
                for value, exponent in zip(values, mono):
                    if exponent:
                        term *= value**exponent
                total += term
            result.append(total)
        return result

    def is_solution(self, point: Sequence[Fraction]) -> bool:
        """True iff every equation vanishes at ``point`` (exact rational arithmetic)."""
        return all(r == 0 for r in self.residuals(point))

    def factors(self, point: Sequence[object]) -> tuple[np.ndarray, ...]:
        """Read a point (generator order) back into the factor matrices.

        Returns dense object arrays, ``(X, Y)`` for two factors or ``(W_1, …, W_N)``
        for chains; entries outside the supports are ``Fraction(0)``.  The entries are
        whatever ``point`` holds (Fractions, or text for algebraic numbers).
        """
        if len(point) != self.nvars:
            raise ValueError(f"a point needs {self.nvars} coordinates, got {len(point)}")
        matrices = {name: np.full(shape, Fraction(0), dtype=object) for name, shape in zip(self.factor_names, self.factor_shapes)}
        for variable, value in zip(self.variables, point):
            if variable.factor:
                matrices[variable.factor][variable.index] = value
        return tuple(matrices[name] for name in self.factor_names)

    def to_sympy(self) -> list[object]:
        """The equations as sympy expressions (display and export only)."""
        import sympy

        symbols = sympy.symbols(self.names) if self.nvars else ()
        if self.nvars == 1:
            symbols = (symbols,) if not isinstance(symbols, tuple) else symbols
        expressions = []
        for terms in self.equation_terms():
            expression = sympy.Integer(0)
            for mono, coefficient in terms.items():
                term = sympy.Integer(coefficient)
                for symbol, exponent in zip(symbols, mono):
                    if exponent:
                        term *= symbol**exponent
                expression += term
            expressions.append(expression)
        return expressions

    def __repr__(self) -> str:
        return f"PolynomialSystem(kind={self.kind!r}, nvars={self.nvars}, equations={len(self.equations)})"


def _context(names: Sequence[str]) -> flint.fmpz_mpoly_ctx:
    # flint needs at least one generator; a system without variables gets a dummy one
    # that no equation uses.
    return flint.fmpz_mpoly_ctx.get(tuple(names) if names else ("_",), "degrevlex")


def _equation(ctx: flint.fmpz_mpoly_ctx, linear: flint.fmpz_mpoly | None, value: Fraction) -> flint.fmpz_mpoly:
    base = ctx.from_dict({}) if linear is None else linear
    return value.denominator * base - value.numerator


def membership_system(support: TwoFactorSupport, A: object, hidden: object = frozenset()) -> PolynomialSystem:
    """The system ``X Yᵀ = A`` on the visible cells, ``supp X ⊆ I``, ``supp Y ⊆ J``.

    Parameters
    ----------
    support
        The supports ``(I, J)``.
    A
        Target: mapping cell → rational (absent = 0) or a dense m×n array.
    hidden
        Cells without an equation (iterable of cells or a boolean m×n mask).

    Returns
    -------
    PolynomialSystem
        Variables ``x_i_k`` then ``y_j_k``; equation for cell (i, j):
        ``q·Σ_k x_i_k y_j_k − p`` where ``A[i,j] = p/q``; weights: one per unit k
        (+1 on ``x_·_k``, −1 on ``y_·_k``); atoms: ``x_i_k y_j_k`` for every cell of
        every rectangle.
    """
    m, n = support.shape
    r = support.rank
    target = as_target(A, (m, n))
    hidden_cells = as_hidden(hidden, (m, n))
    I, J = support.I.tocoo(), support.J.tocoo()
    x_entries = sorted(zip(I.row.tolist(), I.col.tolist()))
    y_entries = sorted(zip(J.row.tolist(), J.col.tolist()))
    variables = tuple(Variable(f"x_{i}_{k}", "X", (i, k)) for i, k in x_entries) + tuple(
        Variable(f"y_{j}_{k}", "Y", (j, k)) for j, k in y_entries
    )
    ctx = _context([v.name for v in variables])
    gens = ctx.gens()
    position = {(v.factor, v.index): p for p, v in enumerate(variables)}
    rows_of_unit: dict[int, list[int]] = {}
    cols_of_unit: dict[int, list[int]] = {}
    for i, k in x_entries:
        rows_of_unit.setdefault(k, []).append(i)
    for j, k in y_entries:
        cols_of_unit.setdefault(k, []).append(j)
    cell_sum: dict[Cell, flint.fmpz_mpoly] = {}
    atoms = []
    for k in range(r):
        for i in rows_of_unit.get(k, []):
            for j in cols_of_unit.get(k, []):
                a, b = position[("X", (i, k))], position[("Y", (j, k))]
                term = gens[a] * gens[b]
                cell_sum[(i, j)] = cell_sum[(i, j)] + term if (i, j) in cell_sum else term
                atom = [0] * len(variables)
                atom[a] = atom[b] = 1
                atoms.append(tuple(atom))
    equations, labels = [], []
    for i in range(m):
        for j in range(n):
            if (i, j) in hidden_cells:
                continue
            value = target.get((i, j), Fraction(0))
            if (i, j) not in cell_sum and value == 0:
                continue
            equations.append(_equation(ctx, cell_sum.get((i, j)), value))
            labels.append(f"cell ({i},{j})")
    weights = []
    for k in range(r):
        if k in rows_of_unit and k in cols_of_unit:
            weight = [0] * len(variables)
            for i in rows_of_unit[k]:
                weight[position[("X", (i, k))]] = 1
            for j in cols_of_unit[k]:
                weight[position[("Y", (j, k))]] = -1
            weights.append(tuple(weight))
    # Entries of units with an empty row or column set appear in no equation; they
    # are free and get their own weight (each alone), which keeps them out of cofactors.
    for p, v in enumerate(variables):
        k = v.index[1]
        if not (k in rows_of_unit and k in cols_of_unit):
            weight = [0] * len(variables)
            weight[p] = 1
            weights.append(tuple(weight))
    return PolynomialSystem(
        ctx=ctx,
        variables=variables,
        equations=tuple(equations),
        labels=tuple(labels),
        kind="two-factor",
        shape=(m, n),
        factor_shapes=((m, r), (n, r)),
        factor_names=("X", "Y"),
        target=target,
        hidden=hidden_cells,
        weights=tuple(weights),
        atoms=tuple(sorted(set(atoms))),
    )


def chain_system(chain: ChainSupport, A: object, hidden: object = frozenset()) -> PolynomialSystem:
    """The system ``W_1 W_2 ⋯ W_N = A`` on the visible cells, ``supp W_ℓ ⊆ I_ℓ``.

    Variables ``w{ℓ}_a_b`` (ℓ 1-based); the equation of cell (i, j) is
    ``q·Σ_paths Π_ℓ W_ℓ[k_{ℓ-1}, k_ℓ] − p`` over the paths ``i = k_0 → k_1 → ⋯ → k_N = j``
    through allowed entries.  Weights: one per inner index (ℓ, k), ``1 ≤ ℓ < N``
    (+1 on column k of ``W_ℓ``, −1 on row k of ``W_{ℓ+1}``); atoms: the products along
    every path (visible or not).

    Notes
    -----
    The number of paths can grow like ``Π r_ℓ``; this is meant for the small chains
    the exact engine handles.
    """
    m, n = chain.shape
    target = as_target(A, (m, n))
    hidden_cells = as_hidden(hidden, (m, n))
    variables = []
    edges: list[dict[int, list[tuple[int, int]]]] = []  # per factor: row → [(col, variable position)]
    for level, factor in enumerate(chain.factors, start=1):
        coo = factor.tocoo()
        outgoing: dict[int, list[tuple[int, int]]] = {}
        for a, b in sorted(zip(coo.row.tolist(), coo.col.tolist())):
            outgoing.setdefault(a, []).append((b, len(variables)))
            variables.append(Variable(f"w{level}_{a}_{b}", f"W{level}", (a, b)))
        edges.append(outgoing)
    variables_t = tuple(variables)
    ctx = _context([v.name for v in variables_t])
    gens = ctx.gens()
    nv = len(variables_t)
    atoms: set[Monomial] = set()
    equations, labels = [], []
    for i in range(m):
        # paths from row i: frontier maps an index of the current level to its paths
        frontier: dict[int, list[tuple[int, ...]]] = {i: [()]}
        for outgoing in edges:
            step: dict[int, list[tuple[int, ...]]] = {}
            for node, paths in frontier.items():
                for target_node, var in outgoing.get(node, []):
                    step.setdefault(target_node, []).extend(path + (var,) for path in paths)
            frontier = step
        for j in range(n):
            paths = frontier.get(j, [])
            for path in paths:
                atom = [0] * nv
                for var in path:
                    atom[var] += 1
                atoms.add(tuple(atom))
            if (i, j) in hidden_cells:
                continue
            value = target.get((i, j), Fraction(0))
            if not paths and value == 0:
                continue
            total = None
            for path in paths:
                term = gens[path[0]]
                for var in path[1:]:
                    term = term * gens[var]
                total = term if total is None else total + term
            equations.append(_equation(ctx, total, value))
            labels.append(f"cell ({i},{j})")
    weights = []
    dims = chain.dims
    for level in range(1, chain.length):
        for k in range(dims[level]):
            weight = [0] * nv
            for p, v in enumerate(variables_t):
                if v.factor == f"W{level}" and v.index[1] == k:
                    weight[p] += 1
                if v.factor == f"W{level + 1}" and v.index[0] == k:
                    weight[p] -= 1
            if any(weight):
                weights.append(tuple(weight))
    # A variable on no full path appears in no equation: give it its own weight.
    on_path = {p for atom in atoms for p, e in enumerate(atom) if e}
    for p in range(nv):
        if p not in on_path:
            weight = [0] * nv
            weight[p] = 1
            weights.append(tuple(weight))
    return PolynomialSystem(
        ctx=ctx,
        variables=variables_t,
        equations=tuple(equations),
        labels=tuple(labels),
        kind="chain",
        shape=(m, n),
        factor_shapes=tuple(f.shape for f in chain.factors),
        factor_names=tuple(f"W{level}" for level in range(1, chain.length + 1)),
        target=target,
        hidden=hidden_cells,
        weights=tuple(weights),
        atoms=tuple(sorted(atoms)),
    )


def raw_system(names: Sequence[str], polynomials: Iterable[Mapping[Monomial, int] | str], labels: Sequence[str] | None = None) -> PolynomialSystem:
    """A system from raw integer polynomials (tests, and problems not of product form).

    Parameters
    ----------
    names
        Variable names.
    polynomials
        Each a dict ``{exponent vector: integer}``, or a string in the variables
        (parsed by flint after validation: only names, integers, ``+ - * ^`` and
        parentheses).
    labels
        Optional label per polynomial.

    Returns
    -------
    PolynomialSystem
        ``kind="raw"``, no grading (the atoms are the variables).

    >>> system = raw_system(["x"], ["x^2 + 1"])
    >>> [str(f) for f in system.equations]
    ['x^2 + 1']
    """
    import re

    names = tuple(names)
    ctx = _context(names)
    gens = dict(zip(names, ctx.gens()))
    equations = []
    for poly in polynomials:
        if isinstance(poly, str):
            tokens = re.findall(r"[A-Za-z_][A-Za-z_0-9]*|\d+|\*\*|[-+*^()]|\S", poly)
            for token in tokens:
                if token[0].isalpha() or token[0] == "_":
                    if token not in gens:
                        raise ValueError(f"unknown variable {token!r} in {poly!r}")
                elif not (token.isdigit() or token in {"+", "-", "*", "^", "**", "(", ")"}):
                    raise ValueError(f"unexpected {token!r} in {poly!r}")
            expression = poly.replace("^", "**")
            value = eval(expression, {"__builtins__": {}}, dict(gens))
            equations.append(ctx.from_dict({}) + value)
        else:
            equations.append(ctx.from_dict({tuple(int(e) for e in mono): int(c) for mono, c in poly.items()}))
    nv = len(names)
    labels = tuple(labels) if labels is not None else tuple(f"equation {index}" for index in range(len(equations)))
    if len(labels) != len(equations):
        raise ValueError("one label per polynomial")
    return PolynomialSystem(
        ctx=ctx,
        variables=tuple(Variable(name, "", ()) for name in names),
        equations=tuple(equations),
        labels=labels,
        kind="raw",
        atoms=tuple(tuple(int(p == q) for q in range(nv)) for p in range(nv)),
    )
