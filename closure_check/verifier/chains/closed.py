"""The arguments that close a chain C (the chain after the certificate's steps).

Each is checked from C alone, exactly; what is mathematics, not computation, goes to
``report.trusted``.  S is the boolean product support of C (the cells reached by a path
``i = k_0 → ⋯ → k_N = j`` through allowed entries); always ``P ⊆ ℝ^S``.

* ``"one factor"`` -- C has one factor: P is the linear space of matrices on ``I_1``.
* ``"chain support lemma"`` -- S is empty: ``P = {0}``.
* ``"chain fixed-factor lemma"`` -- ``free`` (1-based) and rational values ``fixed`` for
  every other factor, respecting the supports, and optionally the claimed ``rank``; the
  linear map ``W_free ↦ W_1 ⋯ W_N`` is ``W ↦ L W R`` (L, R the products of the fixed
  factors before and after), and its matrix, one row per cell of S and one column per
  allowed entry of ``W_free``, is recomputed and its rank found exactly over ℚ (equal to
  ``rank`` when stated): rank |S| means the map is onto ``ℝ^S``, so ``P = ℝ^S``, closed.
  Fully checked.  The same check, on a part of the chain, is the *fixed-factor proof*
  ``{free, fixed, rank}`` the next two arguments carry.
* ``"chain bottleneck lemma"`` -- ``level`` ℓ (1 ≤ ℓ < N), ``index`` k, ``rows`` R,
  ``cols`` C, and fixed-factor proofs ``left`` for the half-chain
  ``(I_1, …, I_{ℓ-1}, I_ℓ[:, k])`` (its last factor ``r_{ℓ-1}×1``, entries ``[a, 0]``) and
  ``right`` for ``(I_{ℓ+1}[k, :], I_{ℓ+2}, …, I_N)`` (its first factor ``1×r_{ℓ+1}``,
  entries ``[0, b]``), ``free`` and ``fixed`` counted within the half.  Checked: no inner
  index at level ℓ but k lies on a path (column k' of ``bool(I_1⋯I_ℓ)`` or row k' of
  ``bool(I_{ℓ+1}⋯I_N)`` is empty for every k' ≠ k); R and C are the product supports of
  the halves; both halves fill them (exact rank over ℚ).  Trusted: the lemma (every path
  through k makes ``W_1⋯W_N = x yᵀ`` with x, y from disjoint entries, so P is the set
  of matrices of rank ≤ 1 supported on R×C, closed).
* ``"chain orbit lemma"`` -- ``prefix`` and ``suffix`` (each ``{length, free, fixed,
  rank}``: the first k and last k' factors, ``k + k' ≤ N``, and a fixed-factor proof that
  their products fill their product supports S' and S''; absent means length 1, S' =
  ``I_1`` or S'' = ``I_N``), ``generators`` (polynomials in ``a_i_j``, (i, j) ∈ S) and
  ``factorisations`` of partial permutation matrices.  Checked: the prefix and suffix
  proofs; the row patterns of S' and the column patterns of S'' are totally ordered by
  inclusion; every generator vanishes identically on ``W_1 ⋯ W_N`` (exact expansion in
  the ``w`` variables), so its zero set V contains the Zariski closure Z of P; every
  partial permutation matrix σ on S lying on V is listed, with rational factors
  respecting the supports whose product is exactly σ.  Trusted: the lemma (nested
  patterns make every matrix on S a ``g σ h`` with g, h mapping P onto itself, hence Z
  onto itself), which with the checks gives ``Z(ℝ) ⊆ P ⊆ Z(ℝ)``: P is closed.
* ``"chainable Kronecker theorem"`` -- ``patterns`` ``[a, b, c, d]`` per factor: each
  support is recomputed to be ``I_a ⊗ 1_{b×c} ⊗ I_d`` and consecutive patterns are checked
  chainable (``a c d = a' b' d'``, ``a | a'``, ``d' | d``, ``a' | a c``, as
  ``docs/theory.md`` §6 states it after [BF]).  Trusted: chainable chains are closed
  (``docs/theory.md`` §6, chainable Kronecker-sparse lemma, proved there; [BF] Le, Zheng,
  Riccietti, Gribonval, SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv 2411.04506).
* ``"chain Zariski-closure criterion"`` -- ``records``: engine records answering
  ``unsat``.  Trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from itertools import pairwise
from typing import Any

from ..closed import check_engine_records
from ..parse import Malformed, cell, field, index_list, integer, rational
from ..pattern import MAX_SIDE
from ..polynomial import Polynomial, parse_polynomial, show
from ..polynomial import add as poly_add
from ..polynomial import multiply as poly_multiply
from ..report import VerificationReport
from .curve import Cell, chain_equations
from .pattern import ChainPattern, boolean_product

__all__ = ["CLOSING_LEMMAS", "MAX_PARTIAL_PERMUTATIONS", "check_closing_argument", "product_support"]

MAX_PARTIAL_PERMUTATIONS = 100_000
"""The orbit lemma's partial permutations are enumerated up to this many; beyond, the
certificate is rejected as too large to check."""

MAX_EXPANSION_TERMS = 200_000
"""A generator whose expansion in the ``w`` variables passes this many terms is not checked."""

Pattern4 = tuple[int, int, int, int]
Matrix = dict[Cell, Fraction]


def product_support(chain: ChainPattern) -> frozenset[Cell]:
    """S, the boolean product support of the whole chain."""
    support = chain.factors[0]
    for factor in chain.factors[1:]:
        support = boolean_product(support, factor)
    return support


def _multiply(left: Matrix, right: Matrix) -> Matrix:
    by_row: dict[int, list[tuple[int, Fraction]]] = {}
    for (k, j), value in right.items():
        by_row.setdefault(k, []).append((j, value))
    product: Matrix = {}
    for (i, k), value in left.items():
        for j, other in by_row.get(k, []):
            product[(i, j)] = product.get((i, j), Fraction(0)) + value * other
    return {at: v for at, v in product.items() if v}


def _span(first: int, last: int) -> str:
    """``'W2'`` or ``'W1⋯W3'``: the product of factors ``first..last`` (1-based)."""
    return f"W{first}" if first == last else f"W{first}⋯W{last}"


def _sub_chain(chain: ChainPattern, start: int, stop: int) -> ChainPattern:
    """Factors ``start + 1, …, stop`` (1-based) of the chain, as a chain of their own."""
    return ChainPattern(chain.dims[start: stop + 1], chain.factors[start:stop])


def _product(factors: list[Matrix], size: int) -> Matrix:
    """``F_1 ⋯ F_k``, the identity of order ``size`` for k = 0."""
    current: Matrix = {(k, k): Fraction(1) for k in range(size)} if not factors else factors[0]
    for factor in factors[1:]:
        current = _multiply(current, factor)
    return current


def _rational_factors(
    obj: Any, where: str, chain: ChainPattern, report: VerificationReport, offset: int = 0
) -> list[Matrix] | None:
    """N lists of ``{"entry": [a, b], "value": rational}``; None (reported) if one leaves its support.

    ``chain`` may be a part of the certificate's chain starting after factor ``offset``:
    messages name the factors by their place in the whole chain.
    """
    if not isinstance(obj, list):
        raise Malformed(f"{where} should be a list of {chain.length} factors")
    if len(obj) != chain.length:
        raise Malformed(f"{where} lists {len(obj)} factors, {chain.length} expected")
    factors: list[Matrix] = []
    good = True
    for level, items in enumerate(obj, start=1):
        at = f"{where}[{level - 1}]"
        if not isinstance(items, list):
            raise Malformed(f"{at} should be a list of {{entry, value}}")
        matrix: Matrix = {}
        for index, item in enumerate(items):
            entry = cell(field(item, "entry", list, f"{at}[{index}]"), (chain.dims[level - 1], chain.dims[level]), f"{at}[{index}].entry")
            if entry in matrix:
                raise Malformed(f"{at}[{index}]: entry {entry} listed twice")
            matrix[entry] = rational(field(item, "value", str, f"{at}[{index}]"), f"{at}[{index}].value")
            if matrix[entry] and entry not in chain.factors[level - 1]:
                report.fail(f"{at}: entry ({entry[0]},{entry[1]}) lies outside I_{offset + level}")
                good = False
        factors.append({e: v for e, v in matrix.items() if v})
    return factors if good else None


# ----------------------------------------------------------------------------- fixed factor


def _rank(rows: list[dict[int, Fraction]]) -> int:
    """Rank over ℚ of the sparse rows (exact Gaussian elimination)."""
    pivots: dict[int, dict[int, Fraction]] = {}
    for original in rows:
        row = dict(original)
        while row:
            column = min(row)
            if column not in pivots:
                lead = row[column]
                pivots[column] = {c: v / lead for c, v in row.items()}
                break
            factor = row[column]
            for c, v in pivots[column].items():
                value = row.get(c, Fraction(0)) - factor * v
                if value:
                    row[c] = value
                else:
                    row.pop(c, None)
    return len(pivots)


def _linear_map_rank(factors: list[Matrix], free: int, chain: ChainPattern) -> tuple[int, int]:
    """Rank over ℚ of ``W_free ↦ L W_free R`` (the other factors fixed) into ``ℝ^S``, and |S|."""
    left = _product(factors[: free - 1], chain.dims[0])
    right = _product(factors[free:], chain.dims[free])
    columns = {entry: n for n, entry in enumerate(sorted(chain.factors[free - 1]))}
    left_by_column: dict[int, list[tuple[int, Fraction]]] = {}
    for (i, a), value in left.items():
        left_by_column.setdefault(a, []).append((i, value))
    right_by_row: dict[int, list[tuple[int, Fraction]]] = {}
    for (b, j), value in right.items():
        right_by_row.setdefault(b, []).append((j, value))
    rows: dict[Cell, dict[int, Fraction]] = {}
    for (a, b), n in columns.items():
        for i, l_value in left_by_column.get(a, []):
            for j, r_value in right_by_row.get(b, []):
                row = rows.setdefault((i, j), {})
                row[n] = row.get(n, Fraction(0)) + l_value * r_value
    cells = product_support(chain)
    return _rank([{n: v for n, v in rows.get(at, {}).items() if v} for at in sorted(cells)]), len(cells)


def _fills(
    obj: dict, chain: ChainPattern, where: str, report: VerificationReport, image: str, space: str, offset: int = 0
) -> tuple[int, int] | None:
    """Check the fixed-factor proof ``obj`` (``free``, ``fixed``, optional ``rank``) at ``where``.

    ``chain`` is the part of the certificate's chain it is about (factors ``offset + 1``
    on); its products, written ``image``, must fill ``ℝ^space``, its product support.
    Returns ``(free, |space|)`` when they do, else None with the failure reported.
    """
    label = "" if where == "proof" else f"{where}: "
    factors = _rational_factors(field(obj, "fixed", list, where), f"{where}.fixed", chain, report, offset)
    free = integer(field(obj, "free", int, where), f"{where}.free", 1, chain.length + 1)
    stated = integer(obj["rank"], f"{where}.rank") if "rank" in obj else None
    if factors is None:
        return None
    name = f"W{offset + free}"
    if factors[free - 1]:
        report.fail(f"{where}.fixed gives values to {name}, the free factor")
        return None
    rank, size = _linear_map_rank(factors, free, chain)
    if rank != size:
        report.fail(f"{label}the linear map {name} ↦ {image} with the fixed factors has rank {rank} < |{space}| = {size}")
        return None
    if stated is not None and stated != rank:
        report.fail(f"{where}.rank says {stated}, but the linear map {name} ↦ {image} with the fixed factors has rank {rank}")
        return None
    return offset + free, size


def _fixed_factor(proof: dict, chain: ChainPattern, report: VerificationReport) -> None:
    filled = _fills(proof, chain, "proof", report, "W_1⋯W_N", "S")
    if filled is None:
        return
    free, size = filled
    report.passed(
        f"with the other factors fixed, W{free} ↦ W_1⋯W_N is linear of rank |S| = {size} (exact, over ℚ): "
        "P = ℝ^S, a linear space, closed (chain fixed-factor lemma)"
    )


# ----------------------------------------------------------------------------- bottleneck lemma


def _half_chains(chain: ChainPattern, level: int, index: int) -> tuple[ChainPattern, ChainPattern]:
    """``(I_1, …, I_ℓ[:, k])`` and ``(I_{ℓ+1}[k, :], …, I_N)``, the restricted factors as one column / one row."""
    column = frozenset((a, 0) for a, b in chain.factors[level - 1] if b == index)
    row = frozenset((0, b) for a, b in chain.factors[level] if a == index)
    left = ChainPattern(chain.dims[:level] + (1,), chain.factors[: level - 1] + (column,))
    right = ChainPattern((1,) + chain.dims[level + 1:], (row,) + chain.factors[level + 1:])
    return left, right


def _bottleneck(proof: dict, chain: ChainPattern, report: VerificationReport) -> None:
    level = integer(field(proof, "level", int, "proof"), "proof.level", 1, chain.length)
    k = integer(field(proof, "index", int, "proof"), "proof.index", 0, chain.dims[level])
    rows = sorted(index_list(field(proof, "rows", list, "proof"), "proof.rows", chain.dims[0]))
    cols = sorted(index_list(field(proof, "cols", list, "proof"), "proof.cols", chain.dims[-1]))
    left_proof, right_proof = field(proof, "left", dict, "proof"), field(proof, "right", dict, "proof")
    head = product_support(_sub_chain(chain, 0, level))
    tail = product_support(_sub_chain(chain, level, chain.length))
    others = sorted(({b for _, b in head} & {a for a, _ in tail}) - {k})
    if others:
        report.fail(
            f"a path goes through index {others[0]} between W{level} and W{level + 1}, not only through index {k}: "
            "the bottleneck lemma does not apply"
        )
        return
    before = len(report.problems)
    left, right = _half_chains(chain, level, k)
    R = sorted(i for i, _ in product_support(left))
    C = sorted(j for _, j in product_support(right))
    before_k, after_k = _span(1, level), _span(level + 1, chain.length)
    x = f"x = {before_k if level == 1 else f'({before_k})'}[:, {k}]"
    y = f"yᵀ = {after_k if level + 1 == chain.length else f'({after_k})'}[{k}, :]"
    if rows != R:
        report.fail(f"proof.rows is {rows}, but {x} is supported on rows {R}")
    if cols != C:
        report.fail(f"proof.cols is {cols}, but {y} is supported on columns {C}")
    _fills(left_proof, left, "proof.left", report, x, "R")
    _fills(right_proof, right, "proof.right", report, y, "C", offset=level)
    if len(report.problems) == before:
        report.passed(
            f"every path goes through index {k} between W{level} and W{level + 1}; with fixed factors, {x} fills ℝ^R "
            f"(|R| = {len(R)}) and {y} fills ℝ^C (|C| = {len(C)}), exact rank over ℚ: P is the set of matrices of "
            f"rank ≤ 1 supported on R×C = {R}×{C}, closed (chain bottleneck lemma)"
        )
        report.trust(
            "chain bottleneck lemma (docs/theory.md §6): when every path goes through one inner index, "
            "W_1⋯W_N = x·yᵀ with x and y built from disjoint entries; x filling ℝ^R and y filling ℝ^C make P "
            "the matrices of rank ≤ 1 on R×C, a closed set"
        )


# ----------------------------------------------------------------------------- orbit lemma


def _nested(patterns: list[frozenset[int]]) -> bool:
    """The sets are totally ordered by inclusion."""
    ordered = sorted(patterns, key=len)
    return all(a <= b for a, b in pairwise(ordered))


def _lines(entries: frozenset[Cell], axis: int, count: int) -> list[frozenset[int]]:
    """Row patterns (axis 0) or column patterns (axis 1) of a support with ``count`` lines."""
    lines: list[set[int]] = [set() for _ in range(count)]
    for entry in entries:
        lines[entry[axis]].add(entry[1 - axis])
    return [frozenset(line) for line in lines]


def _partial_permutations(cells: frozenset[Cell]) -> Iterator[frozenset[Cell]]:
    """Every set of cells with at most one per row and per column (depth-first, iterative)."""
    by_row: dict[int, list[int]] = {}
    for i, j in sorted(cells):
        by_row.setdefault(i, []).append(j)
    rows = sorted(by_row)
    stack: list[tuple[int, frozenset[int], tuple[Cell, ...]]] = [(0, frozenset(), ())]
    while stack:
        index, used, chosen = stack.pop()
        if index == len(rows):
            yield frozenset(chosen)
            continue
        row = rows[index]
        stack.append((index + 1, used, chosen))
        stack.extend((index + 1, used | {j}, chosen + ((row, j),)) for j in by_row[row] if j not in used)


def _generators(proof: dict, cells: frozenset[Cell], report: VerificationReport) -> list[Polynomial] | None:
    raw = field(proof, "generators", list, "proof")
    generators = [parse_polynomial(g, f"proof.generators[{p}]") for p, g in enumerate(raw)]
    names = {f"a_{i}_{j}" for i, j in cells}
    for p, generator in enumerate(generators):
        outside = sorted({v for monomial in generator for v, _ in monomial} - names)
        if outside:
            report.fail(f"generator {p} uses {outside[0]}, not the entry a_i_j of a cell of S")
            return None
    return generators


def _vanishes_on_products(generator: Polynomial, paths: dict[Cell, Polynomial]) -> bool:
    """``generator(W_1⋯W_N) = 0`` identically in the ``w`` variables.

    Raises :class:`Malformed` when the expansion passes :data:`MAX_EXPANSION_TERMS` terms.
    """
    total: Polynomial = {}
    for monomial, coefficient in generator.items():
        term: Polynomial = {(): coefficient}
        for name, exponent in monomial:
            _, i, j = name.split("_")
            for _ in range(exponent):
                term = poly_multiply(term, paths.get((int(i), int(j)), {}))
                if len(term) > MAX_EXPANSION_TERMS:
                    raise Malformed(f"a generator expands to more than {MAX_EXPANSION_TERMS} terms: too large to check")
        total = poly_add(total, term)
    return not total


def _on_zero_set(generators: list[Polynomial], ones: frozenset[Cell]) -> bool:
    """Every generator vanishes at the 0/1 matrix with 1s at ``ones``."""
    names = {f"a_{i}_{j}" for i, j in ones}
    return all(
        sum((c for m, c in g.items() if all(v in names for v, _ in m)), Fraction(0)) == 0 for g in generators
    )


def _factorisations(proof: dict, chain: ChainPattern, report: VerificationReport) -> dict[frozenset[Cell], bool]:
    """The listed σ, each with whether its factors respect the supports and multiply to σ."""
    listed: dict[frozenset[Cell], bool] = {}
    for index, item in enumerate(field(proof, "factorisations", list, "proof")):
        where = f"proof.factorisations[{index}]"
        ones = frozenset(cell(v, chain.shape, f"{where}.ones") for v in field(item, "ones", list, where))
        factors = _rational_factors(field(item, "factors", list, where), f"{where}.factors", chain, report)
        good = factors is not None and _product(factors, chain.dims[0]) == {at: Fraction(1) for at in ones}
        if factors is not None and not good:
            report.fail(f"{where}: the factors do not multiply to the partial permutation {sorted(ones)}")
        listed[ones] = good
    return listed


def _frame_length(proof: dict, key: str, chain: ChainPattern) -> int:
    """``proof[key].length`` (1 when ``key`` is absent): the factors of the prefix or the suffix."""
    if key not in proof:
        return 1
    frame = field(proof, key, dict, "proof")
    return integer(field(frame, "length", int, f"proof.{key}"), f"proof.{key}.length", 1, chain.length + 1)


def _frame(
    proof: dict, key: str, part: ChainPattern, offset: int, report: VerificationReport
) -> tuple[frozenset[Cell], str] | None:
    """The product support of the prefix or suffix ``part`` and its name, once its products
    are shown to fill it (a single factor fills its own support); None if not (reported)."""
    first, last = offset + 1, offset + part.length
    name = f"I_{first}" if first == last else f"the support of {_span(first, last)}"
    if key in proof:
        space = "S'" if key == "prefix" else "S''"
        if _fills(proof[key], part, f"proof.{key}", report, _span(first, last), space, offset) is None:
            return None
    return product_support(part), name


def _orbit(proof: dict, chain: ChainPattern, report: VerificationReport) -> None:
    before = len(report.problems)
    k, k2 = _frame_length(proof, "prefix", chain), _frame_length(proof, "suffix", chain)
    if k + k2 > chain.length:
        report.fail(
            f"proof.prefix.length + proof.suffix.length = {k} + {k2} > N = {chain.length}: the prefix and the suffix overlap"
        )
        return
    prefix = _frame(proof, "prefix", _sub_chain(chain, 0, k), 0, report)
    suffix = _frame(proof, "suffix", _sub_chain(chain, chain.length - k2, chain.length), chain.length - k2, report)
    if prefix is not None and not _nested(_lines(prefix[0], 0, chain.dims[0])):
        report.fail(f"the row patterns of {prefix[1]} are not nested: the orbit lemma does not apply")
    if suffix is not None and not _nested(_lines(suffix[0], 1, chain.dims[-1])):
        report.fail(f"the column patterns of {suffix[1]} are not nested: the orbit lemma does not apply")
    cells = product_support(chain)
    generators = _generators(proof, cells, report)
    if generators is None:
        return
    paths = chain_equations(chain, {})
    for p, generator in enumerate(generators):
        if not _vanishes_on_products(generator, paths):
            report.fail(f"generator {p} ({show(generator)}) does not vanish on W_1⋯W_N: its zero set misses products")
    listed = _factorisations(proof, chain, report)
    for checked, ones in enumerate(_partial_permutations(cells), start=1):
        if checked > MAX_PARTIAL_PERMUTATIONS:
            report.fail(f"more than {MAX_PARTIAL_PERMUTATIONS} partial permutations on S: too many to check")
            return
        if ones not in listed and _on_zero_set(generators, ones):
            report.fail(f"the partial permutation {sorted(ones)} lies on the stated zero set but has no factorisation")
    if len(report.problems) == before:
        report.passed(
            f"orbit lemma hypotheses: the products of the first {k} and of the last {k2} factor(s) fill their supports "
            f"S' and S'' (exact rank over ℚ), the rows of S' and the columns of S'' have nested patterns; "
            f"{len(generators)} generator(s) vanish on W_1⋯W_N; each of the {sum(listed.values())} partial "
            "permutation(s) on S on their zero set factors exactly"
        )
        report.trust(
            "chain orbit lemma (docs/theory.md §6): with nested patterns every matrix on S is g·σ·h, "
            "g and h mapping P onto itself, so P is the real Zariski closure once every σ on it factors"
        )


# ----------------------------------------------------------------------------- Kronecker


def _kronecker_mismatch(level: int, pattern: Pattern4, chain: ChainPattern) -> str | None:
    """Why ``I_level`` is not ``I_a ⊗ 1_{b×c} ⊗ I_d`` (None if it is).

    ``I_a ⊗ 1_{b×c} ⊗ I_d`` is ``abd × acd`` with a 1 at (row, col) iff
    ``row // (bd) = col // (cd)`` and ``row mod d = col mod d``: ``abcd`` ones.  A support
    of that shape with ``abcd`` ones, all at such positions, is that matrix.
    """
    a, b, c, d = pattern
    rows, cols = chain.dims[level - 1], chain.dims[level]
    if (a * b * d, a * c * d) != (rows, cols):
        return f"W{level} is {rows}×{cols}, the pattern {list(pattern)} gives {a * b * d}×{a * c * d}"
    if chain.kronecker[level - 1] == pattern:
        return None  # the certificate gives I_level by these very parameters
    support = chain.factors[level - 1]
    if len(support) != a * b * c * d:
        return f"I_{level} has {len(support)} ones, I_{a} ⊗ 1_{b}×{c} ⊗ I_{d} has {a * b * c * d}"
    for row, col in sorted(support):
        if row // (b * d) != col // (c * d) or row % d != col % d:
            return f"I_{level} has a 1 at ({row},{col}), outside I_{a} ⊗ 1_{b}×{c} ⊗ I_{d}"
    return None


def _chainable_mismatch(left: Pattern4, right: Pattern4) -> str | None:
    """Why two consecutive patterns are not chainable (None if they are)."""
    (a, _, c, d), (a2, b2, _, d2) = left, right
    if a * c * d != a2 * b2 * d2:
        return f"a c d = {a * c * d} ≠ a' b' d' = {a2 * b2 * d2}"
    if a2 % a or d % d2 or (a * c) % a2:
        return f"not chainable: needs a | a' ({a} | {a2}), d' | d ({d2} | {d}) and a' | a c ({a2} | {a * c})"
    return None


def _kronecker(proof: dict, chain: ChainPattern, report: VerificationReport) -> None:
    raw = field(proof, "patterns", list, "proof")
    if len(raw) != chain.length:
        raise Malformed(f"proof.patterns has {len(raw)} patterns for {chain.length} factors")
    patterns: list[Pattern4] = []
    for level, item in enumerate(raw, start=1):
        where = f"proof.patterns[{level - 1}]"
        if not isinstance(item, list) or len(item) != 4:
            raise Malformed(f"{where} should be [a, b, c, d]")
        a, b, c, d = (integer(v, where, 1, MAX_SIDE) for v in item)
        patterns.append((a, b, c, d))
    before = len(report.problems)
    for level, pattern in enumerate(patterns, start=1):
        mismatch = _kronecker_mismatch(level, pattern, chain)
        if mismatch:
            report.fail(f"Kronecker pattern of factor {level}: {mismatch}")
    for level, (left, right) in enumerate(pairwise(patterns), start=1):
        mismatch = _chainable_mismatch(left, right)
        if mismatch:
            report.fail(f"patterns of factors {level} and {level + 1} {list(left)}, {list(right)}: {mismatch}")
    if len(report.problems) == before:
        report.passed(
            f"every support is I_a ⊗ 1_(b×c) ⊗ I_d for the stated patterns {[list(p) for p in patterns]}, "
            "and consecutive patterns are chainable"
        )
        report.trust(
            "chainable Kronecker theorem (docs/theory.md §6; SIMAX 46(4) 2025, arXiv 2411.04506): a chainable "
            "Kronecker-sparse chain has a closed set of products"
        )


# ----------------------------------------------------------------------------- the rest


def _records(proof: dict, chain: ChainPattern, report: VerificationReport) -> None:
    records = field(proof, "records", list, "proof")
    if not records:
        report.fail("proof.records is empty: no engine answered")
    check_engine_records(records, "proof.records", report)


def _one_factor(proof: dict, chain: ChainPattern, report: VerificationReport) -> None:
    if chain.length != 1:
        report.fail(f"proof says one factor, but the chain after the steps has {chain.length}")
    else:
        report.passed("one factor after the steps: P is the linear space of matrices supported on I_1, closed")


def _support(proof: dict, chain: ChainPattern, report: VerificationReport) -> None:
    cells = product_support(chain)
    if cells:
        report.fail(f"proof says S is empty, but the chain reaches {len(cells)} cell(s), e.g. {min(cells)}")
    else:
        report.passed("no path crosses the chain: S is empty and P = {0}, closed (chain support lemma)")


CLOSING_LEMMAS: dict[str, Callable[[dict, ChainPattern, VerificationReport], None]] = {
    "one factor": _one_factor,
    "chain support lemma": _support,
    "chain fixed-factor lemma": _fixed_factor,
    "chain bottleneck lemma": _bottleneck,
    "chain orbit lemma": _orbit,
    "chainable Kronecker theorem": _kronecker,
    "chain Zariski-closure criterion": _records,
}


def check_closing_argument(lemma: str, proof: dict, chain: ChainPattern, report: VerificationReport) -> None:
    """Check that ``proof`` (by ``lemma``, one of :data:`CLOSING_LEMMAS`) closes the chain ``chain``."""
    CLOSING_LEMMAS[lemma](proof, chain, report)
