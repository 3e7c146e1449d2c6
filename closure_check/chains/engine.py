"""Small chains decided directly: the algebraic stage for N factors (``docs/theory.md`` §6).

:func:`decide_chain` decides whether ``P = {W_1 ⋯ W_N : supp W_ℓ ⊆ I_ℓ}`` (chain
convention, :class:`~closure_check.core.support.ChainSupport`) is closed, on the chain as
given: no combinatorial reduction is applied, so it is both the last stage of the
chain reductions and an independent cross-check of them.  In order, all within one
time budget (the lemmas are in ``docs/theory.md §6``):

1. **chain support lemma** -- ``P ⊆ ℝ^S`` with S the boolean product support;
   ``S = ∅`` gives ``P = {0}``, closed;
2. **chain fixed-factor lemma** (CLOSED) -- integer values for every factor but one
   make the remaining *linear* map onto ``ℝ^S`` (exact rank over ℤ): ``P = ℝ^S``
   (:class:`FixedFactorProof`);
3. **chain bottleneck lemma** (CLOSED) -- every path goes through one inner index and
   both half-chains fill their vector spaces: P is "rank ≤ 1 on R×C"
   (:class:`BottleneckProof`);
4. **Jordan sandwich lemma** (NOT CLOSED, :mod:`closure_check.chains.sandwich`) -- four
   rows and columns whose 2×2 blocks of a product are ``a E g`` with E diagonal, and the
   limit whose blocks would make a Jordan block diagonalisable (a fixed Nullstellensatz
   identity, substituted, and an explicit curve, both checked exactly);
5. the Zariski closure Z of P, by elimination (lexicographic Gröbner basis, flint) in a
   budgeted child process;
6. **chain orbit lemma** (CLOSED) -- when the products of a first few factors fill their
   support and its rows have nested patterns, and likewise for the columns of a last few,
   every matrix on S is ``g σ h`` with σ a partial permutation matrix and g, h row and
   column operations that map P into itself; if every partial permutation on S lying on
   Z has an exact rational factorisation, ``P = Z(ℝ)`` (:class:`OrbitProof`).  The
   partial permutations it finds outside P go straight to the curve search of step 8;
7. **chain Zariski-closure criterion** (CLOSED) -- z3's ``nlqsat`` finds no real point
   of Z outside P: an engine record, not a checkable certificate (z3's unsat is trusted;
   the verdict reads ``CLOSED (engine record)``, ``CheckResult.engine_record``);
8. **chain Nullstellensatz lemma** (NOT CLOSED) -- a limit A (sparse integer matrices on
   S lying on Z, first those the previous steps found outside P) with a Nullstellensatz
   identity for ``W_1⋯W_N = A`` (no complex, hence no real factorisation) and a Laurent
   curve ``W_1(t)⋯W_N(t) → A`` (:func:`find_chain_curve`), both checked exactly.

Anything else is UNKNOWN, with what was tried.  A limit with complex but no real
factorisation is skipped: only the complex route gives a certificate here.

>>> upper, lower, diag = [[1, 1], [0, 1]], [[1, 0], [1, 1]], [[1, 0], [0, 1]]
>>> decide_chain(ChainSupport.from_dense([diag, upper, lower]), 10).verdict.value
'not-closed'
>>> decide_chain(ChainSupport.from_dense([upper, lower, upper]), 10).verdict.value
'closed'
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import flint
import z3

from closure_check.algebra import (
    NullstellensatzCertificate,
    chain_system,
    complex_infeasibility,
    decide_system,
)
from closure_check.algebra.real import EngineRecord
from closure_check.algebra.zariski import Generator, eliminate, nlqsat, z3_polynomial
from closure_check.certificates.chain import Cell, ChainCurve, ChainNotClosedCertificate
from closure_check.chains.sandwich import SANDWICH_LEMMA, find_sandwich
from closure_check.core.budget import (
    CANDIDATE_SECONDS,
    BudgetExhausted,
    Effort,
    as_effort,
    run_with_budget,
)
from closure_check.core.case import Verdict
from closure_check.core.laurent import Laurent
from closure_check.core.support import ChainSupport
from closure_check.result import CheckResult
from closure_check.two_factor.curves import candidate_limits

__all__ = [
    "BOTTLENECK_LEMMA",
    "FIXED_FACTOR_LEMMA",
    "MAX_PATHS",
    "NULLSTELLENSATZ_LEMMA",
    "ORBIT_LEMMA",
    "SUPPORT_LEMMA",
    "ZARISKI_CRITERION",
    "BottleneckProof",
    "ChainZariskiResult",
    "FixedFactorProof",
    "OrbitAttempt",
    "OrbitProof",
    "bottleneck_proof",
    "chain_elimination_ideal",
    "chain_paths",
    "chain_zariski_closed",
    "decide_chain",
    "find_chain_curve",
    "fixed_factor_proof",
    "orbit_proof",
    "partial_permutations",
    "product_of",
    "refute_chain",
]

SUPPORT_LEMMA = "chain support lemma"
FIXED_FACTOR_LEMMA = "chain fixed-factor lemma"
BOTTLENECK_LEMMA = "chain bottleneck lemma"
ORBIT_LEMMA = "chain orbit lemma"
ZARISKI_CRITERION = "chain Zariski-closure criterion"
NULLSTELLENSATZ_LEMMA = "chain Nullstellensatz lemma"

MAX_PATHS = 20_000
"""Chains with more index paths ``i → k_1 → ⋯ → j`` through allowed entries are not handled."""

MAX_PARTIAL_PERMUTATIONS = 400
"""The orbit lemma is not tried when S carries more partial permutation matrices."""

MAX_ZERO_ONE_CELLS = 12
"""With at most this many cells in S, every 0/1 limit on S is a candidate (else ≤ 4 nonzeros)."""

MAX_NONZEROS = 4
"""Candidate limits with entries ±1 have at most this many nonzeros."""

ELIMINATION_SHARE, ORBIT_SHARE, ZARISKI_SHARE = 0.3, 0.5, 0.4
"""Shares of the remaining budget for the elimination, the orbit lemma and the Zariski
criterion, in that order; the refutation search gets what is left."""

MIN_SECONDS = 0.05
"""A step is skipped when less than this is left."""

Entry = tuple[int, int, int]
"""``(ℓ, a, b)``: entry (a, b) of the factor at position ℓ (0-based) of the chain."""

Path = tuple[Entry, ...]

Factors = tuple[dict[Cell, Fraction], ...]
"""Exact factors ``W_1, …, W_N`` as their nonzero entries."""

Limit = dict[Cell, Fraction]
"""A matrix as its nonzero entries (a candidate limit A, a partial permutation σ)."""

Known = tuple[Limit, NullstellensatzCertificate | None]
"""A limit found outside P (with its identity) or suspected to be (without)."""


# --------------------------------------------------------------------------------------
# Paths and the product support


def chain_paths(chain: ChainSupport) -> dict[Cell, list[Path]] | None:
    """Every path ``i = k_0 → k_1 → ⋯ → k_N = j`` through allowed entries, by cell (i, j).

    ``(W_1⋯W_N)_ij = Σ_paths Π_ℓ W_ℓ[k_{ℓ-1}, k_ℓ]``, so the cells with a path form the
    boolean product support S.  None when there are more than :data:`MAX_PATHS` paths.
    """
    outgoing: list[dict[int, list[int]]] = []
    for factor in chain.factors:
        coo = factor.tocoo()
        edges: dict[int, list[int]] = {}
        for a, b in sorted(zip(coo.row.tolist(), coo.col.tolist())):
            edges.setdefault(a, []).append(b)
        outgoing.append(edges)
    paths: dict[Cell, list[Path]] = {}
    count = 0
    for i in range(chain.shape[0]):
        frontier: dict[int, list[Path]] = {i: [()]}
        for level, edges in enumerate(outgoing):
            step: dict[int, list[Path]] = {}
            for node, partial in frontier.items():
                for b in edges.get(node, []):
                    step.setdefault(b, []).extend(p + ((level, node, b),) for p in partial)
            frontier = step
            count += sum(len(p) for p in frontier.values())
            if count > MAX_PATHS:
                return None
        for j, ending in sorted(frontier.items()):
            paths[(i, j)] = ending
    return paths


def _entries(chain: ChainSupport) -> list[list[Cell]]:
    """Allowed entries of each factor, row-major."""
    result = []
    for factor in chain.factors:
        coo = factor.tocoo()
        result.append(sorted(zip(coo.row.tolist(), coo.col.tolist())))
    return result


def _multiply(left: dict[Cell, Fraction], right: dict[Cell, Fraction]) -> dict[Cell, Fraction]:
    by_row: dict[int, list[tuple[int, Fraction]]] = {}
    for (a, b), value in right.items():
        by_row.setdefault(a, []).append((b, value))
    product: dict[Cell, Fraction] = {}
    for (i, k), value in left.items():
        for j, other in by_row.get(k, []):
            product[(i, j)] = product.get((i, j), Fraction(0)) + value * other
    return {cell: value for cell, value in product.items() if value != 0}


def product_of(factors: Sequence[dict[Cell, Fraction]]) -> dict[Cell, Fraction]:
    """Exact ``W_1 ⋯ W_N`` (nonzero entries) of rational factors."""
    current = {cell: Fraction(v) for cell, v in factors[0].items() if v != 0}
    for factor in factors[1:]:
        current = _multiply(current, factor)
    return current


def _respects(chain: ChainSupport, factors: Sequence[dict[Cell, Fraction]]) -> bool:
    allowed = [set(entries) for entries in _entries(chain)]
    return len(factors) == chain.length and all(
        all(value == 0 or cell in entries for cell, value in factor.items()) for factor, entries in zip(factors, allowed)
    )


def _matrix_text(values: dict[Cell, object], shape: tuple[int, int]) -> str:
    rows = (", ".join(str(values.get((i, j), 0)) for j in range(shape[1])) for i in range(shape[0]))
    return "[" + ", ".join(f"[{row}]" for row in rows) + "]"


def _limit_text(limit: dict[Cell, Fraction]) -> str:
    return " + ".join(f"{v}·E[{i},{j}]" if v != 1 else f"E[{i},{j}]" for (i, j), v in sorted(limit.items())) or "0"


# --------------------------------------------------------------------------------------
# Chain fixed-factor lemma


@dataclass(frozen=True)
class FixedFactorProof:
    """``P = ℝ^S``: every factor but ``W_free`` fixed, ``W_free ↦ W_1⋯W_N`` is onto ``ℝ^S``.

    Attributes
    ----------
    free
        Position (0-based) of the free factor.
    fixed
        Integer values of the other factors (the free position holds an empty dict).
    cells
        The cells of S, in order.
    """

    free: int
    fixed: tuple[dict[Cell, int], ...]
    cells: tuple[Cell, ...]

    def matrix(self, chain: ChainSupport) -> flint.fmpz_mat:
        """The linear map: one row per cell of S, one column per allowed entry of ``W_free``."""
        return _linear_map(chain, self.free, self.fixed, self.cells)

    def defects(self, chain: ChainSupport) -> list[str]:
        """What is wrong with the proof (empty if nothing): supports, cells, rank."""
        paths = chain_paths(chain)
        if paths is None or tuple(sorted(paths)) != self.cells:
            return ["the cells are not the product support of the chain"]
        values = [{cell: Fraction(v) for cell, v in f.items()} for f in self.fixed]
        if not _respects(chain, values) or self.fixed[self.free]:
            return ["the fixed factors do not respect the supports"]
        rank = self.matrix(chain).rank() if self.cells else 0
        return [] if rank == len(self.cells) else [f"the linear map has rank {rank} < |S| = {len(self.cells)}"]

    def factor(self, chain: ChainSupport, A: dict[Cell, object]) -> Factors:
        """Exact factors with product A (A supported on S): the constructive half of the lemma.

        Solves the linear system on a set of |S| independent columns over ℚ.

        Raises
        ------
        ValueError
            If A has a nonzero entry outside S.
        """
        target = {cell: Fraction(v) for cell, v in A.items() if v != 0}
        if any(cell not in self.cells for cell in target):
            raise ValueError("A has a nonzero entry outside the product support")
        free_entries = _entries(chain)[self.free]
        solution: dict[Cell, Fraction] = {}
        if self.cells:
            matrix = flint.fmpq_mat(self.matrix(chain))
            echelon, rank = matrix.rref()
            pivots = _pivot_columns(echelon, rank)
            square = flint.fmpq_mat(rank, rank, [matrix[r, c] for r in range(rank) for c in pivots])
            values_in = [target.get(cell, Fraction(0)) for cell in self.cells]
            rhs = flint.fmpq_mat(rank, 1, [flint.fmpq(v.numerator, v.denominator) for v in values_in])
            values = square.solve(rhs)
            for position, column in enumerate(pivots):
                value = Fraction(int(values[position, 0].p), int(values[position, 0].q))
                if value:
                    solution[free_entries[column]] = value
        factors = tuple(
            solution if level == self.free else {cell: Fraction(v) for cell, v in fixed.items()}
            for level, fixed in enumerate(self.fixed)
        )
        if product_of(factors) != target:
            raise ValueError("the linear map does not reach A: the proof is wrong")
        return factors


def _pivot_columns(echelon: flint.fmpq_mat, rank: int) -> list[int]:
    pivots, column = [], 0
    for row in range(rank):
        while echelon[row, column] == 0:
            column += 1
        pivots.append(column)
        column += 1
    return pivots


def _linear_map(chain: ChainSupport, free: int, fixed: Sequence[dict[Cell, int]], cells: Sequence[Cell]) -> flint.fmpz_mat:
    paths = chain_paths(chain) or {}
    column = {entry: n for n, entry in enumerate(_entries(chain)[free])}
    matrix = flint.fmpz_mat(max(len(cells), 1), max(len(column), 1))
    for row, cell in enumerate(cells):
        for path in paths.get(cell, []):
            coefficient, target = 1, None
            for level, a, b in path:
                if level == free:
                    target = column[(a, b)]
                else:
                    coefficient *= fixed[level].get((a, b), 0)
            if coefficient:
                matrix[row, target] += coefficient
    return matrix


def fixed_factor_proof(chain: ChainSupport, seed: int = 0, tries: int = 2) -> FixedFactorProof | None:
    """A :class:`FixedFactorProof` for P, or None if the seeded tries find none.

    For each free position ℓ with at least |S| allowed entries, ``tries`` choices of
    nonzero integers in [-30, 30] (``random.Random(seed)``) for the other factors; the
    rank of the linear map is computed exactly over ℤ.
    """
    paths = chain_paths(chain)
    if paths is None:
        return None
    cells = tuple(sorted(paths))
    entries = _entries(chain)
    generator = random.Random(seed)
    nonzero = [v for v in range(-30, 31) if v]
    for free in range(chain.length):
        if len(entries[free]) < len(cells):
            continue
        for _ in range(tries):
            fixed = tuple(
                {} if level == free else {cell: generator.choice(nonzero) for cell in level_entries}
                for level, level_entries in enumerate(entries)
            )
            proof = FixedFactorProof(free, fixed, cells)
            if not cells or proof.matrix(chain).rank() == len(cells):
                return proof
    return None


# --------------------------------------------------------------------------------------
# Chain bottleneck lemma


def _half_chains(chain: ChainSupport, level: int, index: int) -> tuple[ChainSupport, ChainSupport]:
    """``(I_1, …, I_ℓ[:, k])`` and ``(I_{ℓ+1}[k, :], …, I_N)`` for the inner index k after factor ℓ."""
    factors = list(chain.factors)
    left = tuple(factors[:level]) + (factors[level][:, [index]],)
    right = (factors[level + 1][[index], :],) + tuple(factors[level + 2:])
    return ChainSupport(left), ChainSupport(right)


@dataclass(frozen=True)
class BottleneckProof:
    """``P = {x yᵀ : supp x ⊆ R, supp y ⊆ C}``, the rank-≤1 matrices on ``R×C``.

    Every path goes through inner index ``index`` after factor ``level`` (0-based); the
    left half-chain fills ``ℝ^R`` and the right one ``ℝ^C``, each by a fixed-factor proof.
    """

    level: int
    index: int
    left: FixedFactorProof
    right: FixedFactorProof

    def defects(self, chain: ChainSupport) -> list[str]:
        """What is wrong with the proof (empty if nothing)."""
        paths = chain_paths(chain)
        if paths is None or {path[self.level][2] for ps in paths.values() for path in ps} != {self.index}:
            return [f"not every path goes through index {self.index} after factor {self.level + 1}"]
        left, right = _half_chains(chain, self.level, self.index)
        return self.left.defects(left) + self.right.defects(right)

    def factor(self, chain: ChainSupport, A: dict[Cell, object]) -> Factors:
        """Exact factors with product A, for A of rank ≤ 1 on ``R×C``: ``A = x yᵀ``, then
        x and y from the two fixed-factor proofs.

        Raises
        ------
        ValueError
            If A is not of rank ≤ 1 on the product support.
        """
        target = {cell: Fraction(v) for cell, v in A.items() if v != 0}
        if not target:
            return tuple({} for _ in chain.factors)
        (i0, j0), pivot = min(target.items())
        x = {(i, 0): v for (i, j), v in target.items() if j == j0}
        y = {(0, j): v / pivot for (i, j), v in target.items() if i == i0}
        left, right = _half_chains(chain, self.level, self.index)
        left_factors, right_factors = self.left.factor(left, x), self.right.factor(right, y)
        factors = list(left_factors[:-1]) + [{(a, self.index): v for (a, _), v in left_factors[-1].items()}]
        factors += [{(self.index, b): v for (_, b), v in right_factors[0].items()}] + list(right_factors[1:])
        result = tuple(factors)
        if product_of(result) != target:
            raise ValueError("A is not of rank ≤ 1 on the product support")
        return result


def bottleneck_proof(chain: ChainSupport) -> BottleneckProof | None:
    """A :class:`BottleneckProof`, or None (no single-index level, or a half not filled)."""
    paths = chain_paths(chain)
    if not paths:
        return None
    for level in range(chain.length - 1):
        indices = {path[level][2] for ps in paths.values() for path in ps}
        if len(indices) != 1:
            continue
        index = indices.pop()
        left_chain, right_chain = _half_chains(chain, level, index)
        left, right = fixed_factor_proof(left_chain), fixed_factor_proof(right_chain)
        if left is not None and right is not None:
            return BottleneckProof(level, index, left, right)
    return None


# --------------------------------------------------------------------------------------
# Zariski closure by elimination


def chain_elimination_ideal(chain: ChainSupport, effort: Effort | None = None) -> tuple[tuple[Cell, ...], list[Generator]]:
    """The cells of S and generators of the Zariski closure Z of P in ``ℂ^S``.

    A lexicographic Gröbner basis (flint, factor variables before the cell variables) of
    ``⟨a_ij − Σ_paths Π W_ℓ[k_{ℓ-1}, k_ℓ]⟩``; its elements free of factor variables
    generate the elimination ideal (Elimination Theorem), whose zero set is the Zariski
    closure of the image (Closure Theorem) [Cox–Little–O'Shea, *Ideals, Varieties, and
    Algorithms*, §3.1–3.2].  Not interruptible: run under a budget.

    Raises
    ------
    ValueError
        If the chain has more than :data:`MAX_PATHS` paths.
    """
    paths = chain_paths(chain)
    if paths is None:
        raise ValueError(f"more than {MAX_PATHS} paths")
    cells = tuple(sorted(paths))
    variables = [(level, a, b) for level, level_entries in enumerate(_entries(chain)) for a, b in level_entries]
    offset = len(variables)
    ctx = flint.fmpz_mpoly_ctx.get(("v", offset + len(cells)), "lex")
    gens = ctx.gens()
    position = {entry: n for n, entry in enumerate(variables)}
    equations = []
    for n, cell in enumerate(cells):
        poly = gens[offset + n]
        for path in paths[cell]:
            term = gens[position[path[0]]]
            for entry in path[1:]:
                term = term * gens[position[entry]]
            poly -= term
        equations.append(poly)
    return cells, eliminate(equations, ctx, offset, effort)


def _evaluate(generator: Generator, cells: Sequence[Cell], A: dict[Cell, Fraction]) -> Fraction:
    total = Fraction(0)
    for exponents, coefficient in generator.items():
        term = Fraction(coefficient)
        for cell, e in zip(cells, exponents):
            if e:
                term *= A.get(cell, Fraction(0)) ** e
        total += term
    return total


def _on_closure(cells: Sequence[Cell], generators: Sequence[Generator], A: dict[Cell, Fraction]) -> bool:
    """A is supported on S and every generator of Z vanishes at A (exactly)."""
    return all(cell in cells for cell in A) and all(_evaluate(g, cells, A) == 0 for g in generators)


def _polynomial_text(cells: Sequence[Cell], generator: Generator) -> str:
    pieces = []
    for exponents, coefficient in sorted(generator.items(), reverse=True):
        names = "·".join(f"a_{i}_{j}" + (f"^{e}" if e > 1 else "") for (i, j), e in zip(cells, exponents) if e)
        sign = "−" if coefficient < 0 else "+"
        magnitude = abs(coefficient)
        body = names if magnitude == 1 and names else (f"{magnitude}·{names}" if names else str(magnitude))
        pieces.append(f"{sign} {body}")
    text = " ".join(pieces)
    return text[2:] if text.startswith("+ ") else "−" + text[2:]


def _closure_text(cells: Sequence[Cell], generators: Sequence[Generator]) -> str:
    if not generators:
        return "all of ℝ^S"
    return "{" + ", ".join(_polynomial_text(cells, g) + " = 0" for g in generators) + "} on S"


# --------------------------------------------------------------------------------------
# Chain orbit lemma


def _prefix(chain: ChainSupport, length: int) -> ChainSupport:
    return ChainSupport(chain.factors[:length])


def _suffix(chain: ChainSupport, length: int) -> ChainSupport:
    return ChainSupport(chain.factors[chain.length - length:])


def _row_patterns(cells: Iterable[Cell], rows: int) -> list[frozenset[int]]:
    patterns: list[set[int]] = [set() for _ in range(rows)]
    for i, j in cells:
        patterns[i].add(j)
    return [frozenset(p) for p in patterns]


def _column_patterns(cells: Iterable[Cell], cols: int) -> list[frozenset[int]]:
    return _row_patterns(((j, i) for i, j in cells), cols)


def _nested_order(patterns: Sequence[frozenset[int]]) -> tuple[int, ...] | None:
    """Indices by increasing pattern if the patterns form a chain under inclusion, else None."""
    order = tuple(sorted(range(len(patterns)), key=lambda k: (len(patterns[k]), k)))
    if all(patterns[a] <= patterns[b] for a, b in zip(order, order[1:])):
        return order
    return None


def _is_nested_order(patterns: Sequence[frozenset[int]], order: Sequence[int]) -> bool:
    return sorted(order) == list(range(len(patterns))) and all(patterns[a] <= patterns[b] for a, b in zip(order, order[1:]))


def partial_permutations(shape: tuple[int, int], cells: Iterable[Cell]) -> Iterator[frozenset[Cell]]:
    """Partial permutation matrices (at most one 1 per row and column) supported on ``cells``.

    Each is given by the set of its 1s, fewest first.
    """
    allowed = frozenset(cells)
    m, n = shape
    for count in range(min(m, n) + 1):
        for rows in itertools.combinations(range(m), count):
            for cols in itertools.permutations(range(n), count):
                ones = frozenset(zip(rows, cols))
                if ones <= allowed:
                    yield ones


@dataclass(frozen=True)
class OrbitProof:
    """``P = Z(ℝ)`` by the chain orbit lemma.

    Attributes
    ----------
    prefix, suffix
        Fixed-factor proofs that the products of the first k factors fill ``ℝ^{S'}``
        and those of the last k' factors fill ``ℝ^{S''}`` (``k + k' ≤ N``; k = 1 is
        always possible, ``S' = I_1``).
    row_order, col_order
        Rows of S' by increasing pattern, columns of S'' by increasing pattern (each
        pattern contains the previous one).
    cells
        The cells of S.
    generators
        Generators of the Zariski closure Z (none: ``Z = ℝ^S``).
    factorisations
        For every partial permutation matrix σ on S with ``σ ∈ Z``: its 1s and exact
        rational factors whose product is σ.
    """

    prefix: FixedFactorProof
    suffix: FixedFactorProof
    row_order: tuple[int, ...]
    col_order: tuple[int, ...]
    cells: tuple[Cell, ...]
    generators: tuple[Generator, ...]
    factorisations: tuple[tuple[frozenset[Cell], Factors], ...]

    def defects(self, chain: ChainSupport) -> list[str]:
        """What is wrong with the proof (empty if nothing).

        Re-checks the prefix and suffix proofs, the nested orders, that every partial
        permutation on S lying on Z is listed, and every factorisation by exact
        multiplication.  The generators are taken as given (they come from the
        elimination; recompute them with :func:`chain_elimination_ideal` to check them).
        """
        k, k2 = len(self.prefix.fixed), len(self.suffix.fixed)
        if k + k2 > chain.length:
            return ["the prefix and the suffix overlap"]
        problems = self.prefix.defects(_prefix(chain, k)) + self.suffix.defects(_suffix(chain, k2))
        if not _is_nested_order(_row_patterns(self.prefix.cells, chain.shape[0]), self.row_order):
            problems.append("the row patterns of the prefix support are not nested in the stated order")
        if not _is_nested_order(_column_patterns(self.suffix.cells, chain.shape[1]), self.col_order):
            problems.append("the column patterns of the suffix support are not nested in the stated order")
        listed = {ones: factors for ones, factors in self.factorisations}
        for ones in partial_permutations(chain.shape, self.cells):
            sigma = {cell: Fraction(1) for cell in ones}
            if not _on_closure(self.cells, self.generators, sigma):
                continue
            factors = listed.get(ones)
            if factors is None:
                problems.append(f"no factorisation of the partial permutation {sorted(ones)}")
            elif not _respects(chain, factors) or product_of(factors) != sigma:
                problems.append(f"the factors of {sorted(ones)} do not respect the supports or multiply to it")
        return problems

    def reduce(self, A: dict[Cell, object]) -> tuple[dict[Cell, Fraction], dict[Cell, Fraction], dict[Cell, Fraction]]:
        """``(g⁻¹, σ, h⁻¹)`` with ``A = g⁻¹ σ h⁻¹``, by the row and column operations of the lemma.

        Rows are taken in ``row_order``; in each nonzero row the pivot is the nonzero
        entry whose column comes first in ``col_order``.  The other entries of the row
        are cleared with the pivot column (added to columns whose pattern contains its
        own), the pivot column below with the pivot row (added to rows whose pattern
        contains its own), and the pivot is scaled to 1.
        """
        current = {cell: Fraction(v) for cell, v in A.items() if v != 0}
        g_inverse = {(i, i): Fraction(1) for i in range(len(self.row_order))}
        h_inverse = {(j, j): Fraction(1) for j in range(len(self.col_order))}
        for position, i in enumerate(self.row_order):
            row = {j: v for (r, j), v in current.items() if r == i}
            if not row:
                continue
            pivot = min(row, key=self.col_order.index)
            pivot_value = row[pivot]
            for j, value in row.items():
                if j != pivot:  # column j −= (value/pivot)·column pivot; h⁻¹ gets the inverse operation
                    current = _column_add(current, pivot, j, -value / pivot_value)
                    h_inverse = _row_add(h_inverse, j, pivot, value / pivot_value)
            for later in self.row_order[position + 1:]:
                value = current.get((later, pivot), Fraction(0))
                if value:  # row later −= (value/pivot)·row i; g⁻¹ gets the inverse operation
                    current = _row_add(current, i, later, -value / pivot_value)
                    g_inverse = _column_add(g_inverse, later, i, value / pivot_value)
            current = {cell: (v / pivot_value if cell[0] == i else v) for cell, v in current.items()}
            g_inverse = {cell: (v * pivot_value if cell[1] == i else v) for cell, v in g_inverse.items()}
        return g_inverse, current, h_inverse

    def factor(self, chain: ChainSupport, A: dict[Cell, object]) -> Factors:
        """Exact factors with product A, for A on S lying on Z: the constructive half.

        With ``A = g⁻¹ σ h⁻¹`` (:meth:`reduce`) and σ's factors ``W_ℓσ``: the prefix
        product ``g⁻¹ W_1σ⋯W_kσ`` and the suffix product ``W_{N-k'+1}σ⋯W_Nσ h⁻¹`` respect
        S' and S'', and the prefix and suffix proofs factor them.

        Raises
        ------
        ValueError
            If the partial permutation reached has no listed factorisation (A is not on
            Z, or not on S).
        """
        g_inverse, sigma, h_inverse = self.reduce(A)
        listed = {key: factors for key, factors in self.factorisations}
        if frozenset(sigma) not in listed or any(v != 1 for v in sigma.values()):
            raise ValueError("the reduced matrix is not a listed partial permutation: A is not on Z ∩ ℝ^S")
        factors = listed[frozenset(sigma)]
        k, k2 = len(self.prefix.fixed), len(self.suffix.fixed)
        head = self.prefix.factor(_prefix(chain, k), _multiply(g_inverse, product_of(factors[:k])))
        tail = self.suffix.factor(_suffix(chain, k2), _multiply(product_of(factors[chain.length - k2:]), h_inverse))
        return tuple(head) + tuple(factors[k:chain.length - k2]) + tuple(tail)


def _orbit_frame(chain: ChainSupport) -> tuple[FixedFactorProof, FixedFactorProof, tuple[int, ...], tuple[int, ...]] | None:
    """A full prefix and suffix whose supports have nested rows and columns, shortest first."""
    m, n = chain.shape
    for k in range(1, chain.length):
        prefix = fixed_factor_proof(_prefix(chain, k))
        rows = None if prefix is None else _nested_order(_row_patterns(prefix.cells, m))
        if rows is None:
            continue
        for k2 in range(1, chain.length - k + 1):
            suffix = fixed_factor_proof(_suffix(chain, k2))
            cols = None if suffix is None else _nested_order(_column_patterns(suffix.cells, n))
            if cols is not None:
                return prefix, suffix, rows, cols
    return None


def _row_add(matrix: dict[Cell, Fraction], source: int, target: int, factor: Fraction) -> dict[Cell, Fraction]:
    """Row ``target`` += factor · row ``source``."""
    result = dict(matrix)
    for (r, c), v in matrix.items():
        if r == source:
            result[(target, c)] = result.get((target, c), Fraction(0)) + factor * v
    return {cell: v for cell, v in result.items() if v != 0}


def _column_add(matrix: dict[Cell, Fraction], source: int, target: int, factor: Fraction) -> dict[Cell, Fraction]:
    """Column ``target`` += factor · column ``source``."""
    result = dict(matrix)
    for (r, c), v in matrix.items():
        if c == source:
            result[(r, target)] = result.get((r, target), Fraction(0)) + factor * v
    return {cell: v for cell, v in result.items() if v != 0}


MAX_PATH_CHOICES = 2000
"""Path choices tried by :func:`_path_factorisation` before asking the membership engine."""


def _path_factorisation(chain: ChainSupport, paths: dict[Cell, list[Path]], ones: frozenset[Cell]) -> Factors | None:
    """0/1 factors with product σ: one path per 1 of σ, its entries set to 1, if that works.

    Every entry used by the chosen paths is 1 and all others 0; the product counts the
    paths through used entries, so the choice is kept only if it equals σ exactly.
    """
    cells = sorted(ones)
    sigma = {cell: Fraction(1) for cell in cells}
    for choice in itertools.islice(itertools.product(*(paths[cell] for cell in cells)), MAX_PATH_CHOICES):
        factors: list[dict[Cell, Fraction]] = [{} for _ in chain.factors]
        for path in choice:
            for level, a, b in path:
                factors[level][(a, b)] = Fraction(1)
        if product_of(factors) == sigma:
            return tuple(factors)
    return None


def _membership_factorisation(
    chain: ChainSupport, sigma: Limit, effort: Effort
) -> tuple[Factors | None, NullstellensatzCertificate | None, str]:
    """Exact rational factors of σ from the membership engine, or its certificate of non-membership."""
    system = chain_system(chain, sigma)
    result = decide_system(system, seconds=effort)
    if result.answer == "member" and result.certified:
        factors = tuple(
            {(int(a), int(b)): Fraction(m[a, b]) for a in range(m.shape[0]) for b in range(m.shape[1]) if m[a, b] != 0}
            for m in result.factors
        )
        if _respects(chain, factors) and product_of(factors) == sigma:
            return factors, None, result.answer
    if isinstance(result.proof, NullstellensatzCertificate) and not result.proof.defects(system):
        return None, result.proof, result.answer
    return None, None, result.answer


@dataclass(frozen=True)
class OrbitAttempt:
    """Outcome of :func:`orbit_proof`: the proof, or why not, and limits it found outside P.

    ``outside`` holds partial permutations on Z with a verified Nullstellensatz
    certificate of non-membership: candidates for a limit point outside P.
    """

    proof: OrbitProof | None
    detail: str
    outside: tuple[tuple[dict[Cell, Fraction], NullstellensatzCertificate], ...] = ()


def orbit_proof(
    chain: ChainSupport, cells: Sequence[Cell], generators: Sequence[Generator], deadline: Effort
) -> OrbitAttempt:
    """Try the chain orbit lemma: factor every partial permutation on S lying on Z.

    Each σ is first tried with 0/1 factors along one path per 1 of σ; otherwise the
    membership question goes to :func:`closure_check.algebra.decide_system` (budgeted
    child processes) with at most 5 s.  Only rational factorisations, re-checked here
    by exact multiplication, count.
    """
    frame = _orbit_frame(chain)
    if frame is None:
        return OrbitAttempt(None, "no full prefix and suffix (fixed-factor lemma) with nested row and column patterns")
    every = list(itertools.islice(partial_permutations(chain.shape, cells), MAX_PARTIAL_PERMUTATIONS + 1))
    if len(every) > MAX_PARTIAL_PERMUTATIONS:
        return OrbitAttempt(None, f"more than {MAX_PARTIAL_PERMUTATIONS} partial permutations on S")
    sigmas = [ones for ones in every if _on_closure(cells, generators, {cell: Fraction(1) for cell in ones})]
    paths = chain_paths(chain) or {}
    factorisations, outside, missing = [], [], []
    for ones in sigmas:
        if deadline.remaining() < 0.2:
            return OrbitAttempt(None, "out of effort", tuple(outside))
        factors = _path_factorisation(chain, paths, ones)
        if factors is not None:
            factorisations.append((ones, factors))
            continue
        sigma = {cell: Fraction(1) for cell in ones}
        factors, certificate, answer = _membership_factorisation(chain, sigma, deadline.share(1.0, cap=5.0))
        if factors is not None:
            factorisations.append((ones, factors))
            continue
        if certificate is not None:
            outside.append((sigma, certificate))
        missing.append(f"{sorted(ones)}: {answer}")
    if missing:
        detail = "partial permutations on Z without a rational factorisation: " + "; ".join(missing)
        return OrbitAttempt(None, detail, tuple(outside))
    proof = OrbitProof(*frame, tuple(cells), tuple(generators), tuple(factorisations))
    return OrbitAttempt(proof, f"{len(factorisations)} partial permutation(s) on S ∩ Z factored exactly")


# --------------------------------------------------------------------------------------
# Chain Zariski-closure criterion


@dataclass(frozen=True)
class ChainZariskiResult:
    """Outcome of the criterion: ``closed`` True/False/None (proved / witness / unknown).

    ``witness`` is z3's real point of Z outside P when it is rational (a candidate
    limit, nothing more).
    """

    closed: bool | None
    record: EngineRecord | None
    detail: str
    witness: dict[Cell, Fraction] | None = None


def _zariski_sentence(paths: dict[Cell, list[Path]], cells: Sequence[Cell], generators: Sequence[Generator]) -> z3.BoolRef:
    """``∃A (A ∈ Z ∧ ∀W: W_1⋯W_N ≠ A)`` with A free (its satisfiability is the ∃)."""
    a = [z3.Real(f"a_{i}_{j}") for i, j in cells]
    w: dict[Entry, z3.ArithRef] = {}
    equal = []
    for cell, value in zip(cells, a):
        terms = []
        for path in paths[cell]:
            product = None
            for entry in path:
                variable = w.setdefault(entry, z3.Real(f"w{entry[0] + 1}_{entry[1]}_{entry[2]}"))
                product = variable if product is None else product * variable
            terms.append(product)
        equal.append(z3.Sum(terms) == value)
    on_z = [z3_polynomial(g, a) == 0 for g in generators]
    return z3.And(*on_z, z3.ForAll(list(w.values()), z3.Not(z3.And(*equal))))


def _decide_zariski(
    paths: dict[Cell, list[Path]], cells: tuple[Cell, ...], generators: list[Generator], effort: Effort
) -> ChainZariskiResult:
    solver, answer, record = nlqsat(_zariski_sentence(paths, cells, generators), effort)
    witness = None
    if answer == "sat":
        model = solver.model()
        values = [model.eval(z3.Real(f"a_{i}_{j}"), model_completion=True) for i, j in cells]
        if all(z3.is_rational_value(v) for v in values):
            witness = {cell: Fraction(v.as_fraction()) for cell, v in zip(cells, values) if v.as_fraction() != 0}
    return ChainZariskiResult({"unsat": True, "sat": False}.get(answer), record, f"nlqsat answered {answer}", witness)


def chain_zariski_closed(
    chain: ChainSupport, cells: tuple[Cell, ...], generators: list[Generator], effort: Effort | float
) -> ChainZariskiResult:
    """The chain Zariski-closure criterion in a child process within ``effort`` (nominal seconds of work).

    ``closed`` is True when z3 proves that every real point of Z is a product (P is
    closed: an engine record), False when it finds a real point of Z outside P (this
    alone does not show P is not closed), None when it gives up or the budget runs out.
    """
    paths = chain_paths(chain)
    if paths is None:
        return ChainZariskiResult(None, None, f"more than {MAX_PATHS} paths")
    effort = as_effort(effort)
    outcome = run_with_budget(
        _decide_zariski, paths, cells, generators, effort, seconds=effort.safety(), memory_mb=2048, effort=effort
    )
    if outcome.ok:
        return outcome.value
    return ChainZariskiResult(None, None, f"{outcome.status} ({outcome.detail[:200]})")


# --------------------------------------------------------------------------------------
# Laurent curves and the refutation search


def _windows(length: int, degree: int) -> list[tuple[int, int]]:
    """Exponent ranges: ``W_1`` in ``[0, d]``, middle factors in ``[-d, d]``, ``W_N`` in ``[-d, 0]``."""
    if length == 1:
        return [(0, 0)]
    middle = [(-degree, degree)] * (length - 2)
    return [(0, degree)] + middle + [(-degree, 0)]


def find_chain_curve(
    chain: ChainSupport, limit: Limit, degree: int = 1, seconds: float | Effort = 2.0
) -> ChainCurve | None:
    """A Laurent curve ``W_1(t), …, W_N(t)`` with ``W_1(t)⋯W_N(t) = A + O(t)``, or None.

    The coefficients of the powers in :func:`_windows` are unknowns; the coefficients of
    ``t^s``, ``s < 0``, of every entry of the product must vanish and the constant term
    must be A -- a polynomial system handed to z3 (``QF_NRA``, seed 0) as a *search*.  A
    curve is returned only if every coefficient is rational and
    :meth:`~closure_check.certificates.chain.ChainCurve.defects` finds nothing.  Every
    Laurent curve is of this form for some d after the rescaling
    ``W_ℓ → t^{c_ℓ} W_ℓ``, ``W_{ℓ+1} → t^{-c_ℓ} W_{ℓ+1}`` (chain Laurent curve lemma).
    """
    paths = chain_paths(chain)
    if paths is None or any(cell not in paths for cell, v in limit.items() if v != 0):
        return None
    windows = _windows(chain.length, degree)
    lowest = sum(low for low, _ in windows)
    variables: dict[tuple[Entry, int], z3.ArithRef] = {}

    def coefficient(entry: Entry, e: int) -> z3.ArithRef:
        return variables.setdefault((entry, e), z3.Real(f"w{entry[0] + 1}_{entry[1]}_{entry[2]}_e{e}"))

    effort = as_effort(seconds)
    solver = z3.SolverFor("QF_NRA")
    solver.set("rlimit", effort.z3_rlimit())
    solver.set("random_seed", 0)
    for cell, cell_paths in paths.items():
        by_power: dict[int, list[z3.ArithRef]] = {}
        for path in cell_paths:
            ranges = [range(windows[level][0], windows[level][1] + 1) for level, _, _ in path]
            for exponents in itertools.product(*ranges):
                power = sum(exponents)
                if power <= 0:
                    term = coefficient(path[0], exponents[0])
                    for entry, e in zip(path[1:], exponents[1:]):
                        term = term * coefficient(entry, e)
                    by_power.setdefault(power, []).append(term)
        for power in range(lowest, 1):
            value = Fraction(limit.get(cell, 0)) if power == 0 else Fraction(0)
            solver.add(z3.Sum(by_power.get(power, [z3.RealVal(0)])) == z3.Q(value.numerator, value.denominator))
    answer = solver.check()
    effort.charge_z3(solver)
    if answer != z3.sat:
        return None
    model = solver.model()
    factors: list[dict[Cell, Laurent]] = [{} for _ in chain.factors]
    for ((level, a, b), e), variable in variables.items():
        value = model.eval(variable, model_completion=True)
        if not z3.is_rational_value(value):
            return None
        number = Fraction(value.numerator_as_long(), value.denominator_as_long())
        if number:
            factors[level][(a, b)] = factors[level].get((a, b), Laurent()) + Laurent.monomial(e, number)
    curve = ChainCurve(tuple(factors), {cell: Fraction(v) for cell, v in limit.items() if v != 0})
    return curve if not curve.defects(chain) else None


def _candidates(
    cells: Sequence[Cell], known: Sequence[Known], generic: bool
) -> Iterator[Known]:
    """Limits to try, in order: ``known`` ones with an identity, then (if ``generic``) every
    0/1 matrix on S (≤ 4 nonzeros beyond 12 cells), ``known`` ones without, ±1 matrices
    (≤ 4 nonzeros)."""
    every = len(cells) if len(cells) <= MAX_ZERO_ONE_CELLS else MAX_NONZEROS
    yield from ((limit, identity) for limit, identity in known if identity is not None)
    if not generic:
        return
    yield from ((limit, None) for limit in candidate_limits(list(cells), (1,), every))
    yield from ((limit, identity) for limit, identity in known if identity is None)
    for limit in candidate_limits(list(cells), (1, -1), MAX_NONZEROS):
        if any(v < 0 for v in limit.values()):
            yield limit, None


def _certify(
    chain: ChainSupport, limit: Limit, identity: NullstellensatzCertificate | None, deadline: Effort
) -> ChainNotClosedCertificate | None:
    """Both halves for one limit: the identity (found here unless given) and a curve."""
    system = chain_system(chain, limit)
    if identity is None:
        try:
            identity = complex_infeasibility(system, deadline.share(1.0, cap=2.0))
        except BudgetExhausted:
            return None
    if identity is None or identity.defects(system):
        return None
    for degree in (1, 2):
        if deadline.expired():
            return None
        curve = find_chain_curve(chain, limit, degree, deadline.share(1.0, cap=1.0))
        if curve is not None:
            argument = (
                f"the system W_1⋯W_N = A satisfies Σ c_i f_i = {identity.constant} (cofactors of degree ≤ "
                f"{identity.degree}, checked by expansion): no complex solution, hence no real one (weak Nullstellensatz)"
            )
            return ChainNotClosedCertificate(curve=curve, lemma=NULLSTELLENSATZ_LEMMA, argument=argument, identity=identity)
    return None


def _search(
    chain: ChainSupport,
    cells: tuple[Cell, ...],
    generators: list[Generator] | None,
    known: Sequence[Known],
    generic: bool,
    deadline: Effort,
) -> tuple[ChainNotClosedCertificate | None, int]:
    """The candidate loop of :func:`refute_chain`; also returns the number of candidates tried."""
    tried = 0
    seen: set[frozenset] = set()
    for limit, identity in _candidates(cells, known, generic):
        key = frozenset(limit.items())
        if key in seen or (generators is not None and not _on_closure(cells, generators, limit)):
            continue
        seen.add(key)
        if deadline.expired():
            break
        tried += 1
        deadline.charge(CANDIDATE_SECONDS)
        certificate = _certify(chain, limit, identity, deadline)
        if certificate is not None:
            return certificate, tried
    return None, tried


def refute_chain(
    chain: ChainSupport,
    cells: tuple[Cell, ...],
    generators: list[Generator] | None,
    known: Sequence[Known],
    effort: Effort | float,
    generic: bool = True,
) -> tuple[ChainNotClosedCertificate | None, str]:
    """Search a certified limit point outside P, in a budgeted child process.

    Candidates: :func:`_candidates` (``known`` holds limits found by the earlier steps,
    with their identity when they have one); each must lie on Z (when its generators are
    given); with ``generic`` False only the ``known`` limits that have an identity.
    Returns the certificate (re-verified here) or None, and what was tried.
    """
    effort = as_effort(effort)
    outcome = run_with_budget(
        _search, chain, cells, generators, list(known), generic, effort, seconds=effort.safety(), effort=effort
    )
    if not outcome.ok:
        return None, f"the refutation search stopped ({outcome.status} after {outcome.seconds:.2f} s)"
    certificate, tried = outcome.value
    if certificate is not None:
        system = chain_system(chain, certificate.limit)
        if certificate.curve.defects(chain) or certificate.identity is None or certificate.identity.defects(system):
            return None, "a certificate FAILED re-verification"  # pragma: no cover - would be a bug
    if not generic:
        return certificate, f"{tried} limit(s) found outside P by the orbit lemma"
    zero_one = "every cell" if len(cells) <= MAX_ZERO_ONE_CELLS else f"≤ {MAX_NONZEROS} cells"
    what = (
        f"{tried} candidate limit(s) on S ∩ Z (0/1 on {zero_one}, then ±1 with ≤ {MAX_NONZEROS} nonzeros), "
        "each needing a Nullstellensatz identity and a Laurent curve of degree ≤ 2"
    )
    return certificate, what


# --------------------------------------------------------------------------------------
# The decision


def _closed(
    chain: ChainSupport,
    reasons: list[str],
    records: tuple[EngineRecord, ...] = (),
    proof: FixedFactorProof | BottleneckProof | OrbitProof | None = None,
) -> CheckResult:
    return CheckResult(Verdict.CLOSED, tuple(reasons), records=records, support=chain, proof=proof)


def _fixed_clause(chain: ChainSupport, proof: FixedFactorProof, offset: int, image: str) -> str:
    """"with W_a = … fixed, the linear map W_b ↦ image has rank |S|", factors numbered from ``offset + 1``."""
    fixed = ", ".join(
        f"W{offset + level + 1} = {_matrix_text(values, chain.factors[level].shape)}"
        for level, values in enumerate(proof.fixed)
        if level != proof.free
    )
    return (
        f"with {fixed or 'no other factor'} fixed, the linear map W{offset + proof.free + 1} ↦ {image} has rank "
        f"{len(proof.cells)} over ℤ"
    )


def _fixed_factor_reason(chain: ChainSupport, proof: FixedFactorProof) -> str:
    return (
        f"{_fixed_clause(chain, proof, 0, 'W_1⋯W_N')} = |S|, so P = ℝ^S, a linear space, closed ({FIXED_FACTOR_LEMMA})"
    )


def _bottleneck_reason(chain: ChainSupport, proof: BottleneckProof) -> str:
    left, right = _half_chains(chain, proof.level, proof.index)
    rows = sorted(i for i, _ in proof.left.cells)
    cols = sorted(j for _, j in proof.right.cells)
    k, before, after = proof.index, proof.level + 1, proof.level + 2
    return (
        f"every path goes through index {k} between W{before} and W{after}, so W_1⋯W_N = x·yᵀ with "
        f"x = (W_1⋯W{before})[:, {k}] and yᵀ = (W{after}⋯W_N)[{k}, :] chosen independently; "
        f"{_fixed_clause(left, proof.left, 0, 'x')} = |R| (W{before} restricted to column {k}), so x fills ℝ^R; "
        f"{_fixed_clause(right, proof.right, proof.level + 1, 'yᵀ')} = |C| (W{after} restricted to row {k}), so y fills "
        f"ℝ^C; hence P is the set of matrices of rank ≤ 1 supported on R×C = {rows}×{cols}, closed ({BOTTLENECK_LEMMA})"
    )


def _frame_text(chain: ChainSupport, proof: FixedFactorProof, length: int, side: str) -> str:
    """Which factors give the row (or column) patterns, and why their products fill their support."""
    if length == 1:
        return "I_1" if side == "prefix" else "I_N"
    first = 1 if side == "prefix" else chain.length - length + 1
    part = _prefix(chain, length) if side == "prefix" else _suffix(chain, length)
    product = "⋯".join(f"W{level}" for level in (first, first + length - 1))
    return f"the support of {product}, whose products fill it ({_fixed_clause(part, proof, first - 1, product)})"


def _orbit_reason(chain: ChainSupport, proof: OrbitProof) -> str:
    shapes = [f.shape for f in chain.factors]
    listing = "; ".join(
        f"{_matrix_text({c: 1 for c in ones}, chain.shape)} = "
        + " · ".join(_matrix_text(factor, shape) for factor, shape in zip(factors, shapes))
        for ones, factors in proof.factorisations
    )
    rows = _frame_text(chain, proof.prefix, len(proof.prefix.fixed), "prefix")
    cols = _frame_text(chain, proof.suffix, len(proof.suffix.fixed), "suffix")
    return (
        f"the rows of {rows} have nested patterns (order {list(proof.row_order)}), and so do the columns of {cols} "
        f"(order {list(proof.col_order)}); so every matrix on S is g·σ·h with σ a partial permutation and g, h "
        f"operations mapping P onto itself; the Zariski closure of P is {_closure_text(proof.cells, proof.generators)}, "
        f"and each of its {len(proof.factorisations)} partial permutation(s) on S is a product, checked exactly: "
        f"{listing}; hence P = Z(ℝ), closed ({ORBIT_LEMMA})"
    )


def _not_closed(chain: ChainSupport, reasons: list[str], certificate: ChainNotClosedCertificate) -> CheckResult:
    reasons.append(
        f"A = {_limit_text(certificate.limit)} is the limit of an exact Laurent curve of products, and "
        f"{certificate.argument} ({NULLSTELLENSATZ_LEMMA})"
    )
    return CheckResult(Verdict.NOT_CLOSED, tuple(reasons), certificate=certificate, support=chain)


def _algebraic_stage(
    chain: ChainSupport,
    cells: tuple[Cell, ...],
    generators: list[Generator],
    deadline: Effort,
    reasons: list[str],
    tried: list[str],
) -> tuple[CheckResult | None, list[Known]]:
    """The orbit lemma, a curve for each partial permutation it found outside P, then the
    Zariski-closure criterion.  Also returns the limits found outside P (or suspected)."""
    known: list[Known] = []
    attempt = orbit_proof(chain, cells, generators, deadline.share(ORBIT_SHARE))
    if attempt.proof is not None and not attempt.proof.defects(chain):
        return _closed(chain, reasons + [_orbit_reason(chain, attempt.proof)], proof=attempt.proof), known
    tried.append(f"{ORBIT_LEMMA}: {attempt.detail}")
    known.extend(attempt.outside)
    if known and deadline.remaining() >= MIN_SECONDS:
        certificate, what = refute_chain(chain, cells, generators, known, deadline.share(ORBIT_SHARE), generic=False)
        if certificate is not None:
            return _not_closed(chain, reasons, certificate), known
        tried.append(f"{NULLSTELLENSATZ_LEMMA}: no Laurent curve of degree ≤ 2 to the {what}")
    if deadline.remaining() < MIN_SECONDS:
        tried.append(f"{ZARISKI_CRITERION}: no effort left")
        return None, known
    zariski = chain_zariski_closed(chain, cells, generators, deadline.share(ZARISKI_SHARE))
    if zariski.closed and zariski.record is not None:
        reason = (
            f"the Zariski closure of P is {_closure_text(cells, generators)}; z3 {zariski.record.version} (nlqsat) "
            f"proves every real point of it is a product, so P equals that closed set (engine record, not a "
            f"checkable certificate) ({ZARISKI_CRITERION})"
        )
        return _closed(chain, reasons + [reason], (zariski.record,)), known
    tried.append(f"{ZARISKI_CRITERION}: {zariski.detail}")
    if zariski.witness is not None:
        known.append((zariski.witness, None))
    return None, known


def decide_chain(chain: ChainSupport, seconds: float | Effort) -> CheckResult:
    """Is ``P_{I_1..I_N}`` closed?  Decided on the chain itself, within ``seconds`` of effort.

    Parameters
    ----------
    chain
        The supports ``I_1, …, I_N`` (chain convention ``W_1 ⋯ W_N``).
    seconds
        Effort in nominal seconds of counted work (or an :class:`~closure_check.core.budget.Effort`
        to charge).  The elimination, each membership question of the orbit lemma, the
        Zariski criterion and the refutation search run in child processes, each within its
        share of what is left and under a wall-clock safety net.

    Returns
    -------
    CheckResult
        CLOSED (support, fixed-factor, bottleneck or orbit lemma, or the Zariski-closure
        criterion with its engine record), NOT CLOSED (with a :class:`ChainNotClosedCertificate`),
        or UNKNOWN with what was tried.  A CLOSED verdict by the fixed-factor, bottleneck
        or orbit lemma carries its proof object in ``proof`` (:class:`FixedFactorProof`,
        :class:`BottleneckProof`, :class:`OrbitProof`).  Deterministic unless a safety net
        fires (then ``limit`` is ``"time"``).
    """
    deadline = as_effort(seconds)
    paths = chain_paths(chain)
    if paths is None:
        reason = f"more than {MAX_PATHS} index paths: too large for the chain engine"
        return CheckResult(Verdict.UNKNOWN, (reason,), undecided=(reason,), support=chain)
    cells = tuple(sorted(paths))
    reasons = [f"the boolean product support S has {len(cells)} cell(s) and P ⊆ ℝ^S ({SUPPORT_LEMMA})"]
    if not cells:
        return _closed(chain, reasons + [f"S is empty: P = {{0}}, closed ({SUPPORT_LEMMA})"])
    fixed = fixed_factor_proof(chain)
    if fixed is not None and not fixed.defects(chain):
        return _closed(chain, reasons + [_fixed_factor_reason(chain, fixed)], proof=fixed)
    tried = [f"{FIXED_FACTOR_LEMMA}: no seeded choice of fixed factors gives a linear map onto ℝ^S"]
    bottleneck = bottleneck_proof(chain)
    if bottleneck is not None and not bottleneck.defects(chain):
        return _closed(chain, reasons + [_bottleneck_reason(chain, bottleneck)], proof=bottleneck)
    tried.append(f"{BOTTLENECK_LEMMA}: no inner level with a single index on every path and both halves full")
    sandwich = find_sandwich(chain)
    if sandwich is not None:
        reason = f"A = {_limit_text(sandwich.certificate.limit)} is the limit of an exact Laurent curve of products, and {sandwich.certificate.argument}"
        return CheckResult(Verdict.NOT_CLOSED, tuple(reasons + [reason]), certificate=sandwich.certificate, support=chain)
    tried.append(f"{SANDWICH_LEMMA}: no sandwich frame with a curve (four rows and four columns needed)")
    share = deadline.share(ELIMINATION_SHARE)  # flint's basis length limited by the share, charged from its length
    elimination = run_with_budget(chain_elimination_ideal, chain, share, seconds=share.safety(), effort=share)
    generators = elimination.value[1] if elimination.ok else None
    known: list[Known] = []
    if generators is None:
        why = "its effort share ran out" if elimination.detail.startswith(BudgetExhausted.__name__) else elimination.status
        tried.append(f"the Zariski closure was not computed ({why}): orbit lemma and Zariski criterion skipped")
    else:
        result, known = _algebraic_stage(chain, cells, generators, deadline, reasons, tried)
        if result is not None:
            return result
    if deadline.remaining() < MIN_SECONDS:
        tried.append(f"{NULLSTELLENSATZ_LEMMA}: no effort left for the refutation search")
        return CheckResult(Verdict.UNKNOWN, tuple(reasons), undecided=tuple(tried), support=chain, limit=deadline.limit())
    certificate, what = refute_chain(chain, cells, generators, known, deadline.share())
    if certificate is not None:
        return _not_closed(chain, reasons, certificate)
    tried.append(f"{NULLSTELLENSATZ_LEMMA}: no certified limit outside P among {what}")
    return CheckResult(Verdict.UNKNOWN, tuple(reasons), undecided=tuple(tried), support=chain, limit=deadline.limit())

