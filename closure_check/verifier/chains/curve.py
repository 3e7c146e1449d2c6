"""Both halves of a NOT CLOSED chain certificate that are re-derived from the chain itself.

*A is in the closure of P* (Laurent curve lemma, ``docs/theory.md`` §5, for N factors):
if every ``W_ℓ(t)`` has Laurent polynomial entries, ``supp W_ℓ(t) ⊆ I_ℓ``, and
``W_1(t) ⋯ W_N(t) = A + Σ_{e>0} t^e B_e``, then every point of the curve (t > 0) is in P
and the points tend to A.  :func:`check_chain_curve` checks the number of factors, the
supports, and expands the product exactly, factor after factor; a cell where no
product term lands and A is 0 satisfies the claim trivially.

*A is not in P* (weak Nullstellensatz): :func:`check_chain_identity` rebuilds the system
``W_1 ⋯ W_N = A`` from the chain and A, as ``closure_check.algebra.system.chain_system``
writes it -- variables ``w{ℓ}_a_b`` for ``(a, b) ∈ I_ℓ`` (ℓ 1-based), one equation per cell
(i, j) reached by a path ``i = k_0 → k_1 → ⋯ → k_N = j`` through allowed entries or with
``A[i,j] ≠ 0``:

    f_(i,j) = q · Σ_paths Π_ℓ w{ℓ}_{k_{ℓ-1}}_{k_ℓ} − p,   A[i,j] = p/q;

it compares the certificate's equations with it and expands ``Σ c_i f_i``.  If A were a
product ``W_1 ⋯ W_N`` in P, the entries of the ``W_ℓ`` would be a common zero of all
``f_i`` (a cell without an equation has no path and ``A = 0`` there, and every product
is 0 there too), so ``Σ c_i f_i`` would vanish there: it cannot be a nonzero constant.

>>> from .pattern import parse_chain
>>> lu = parse_chain({"dims": [2, 2, 2], "factors": [[[0, 0], [1, 0], [1, 1]], [[0, 0], [0, 1], [1, 1]]]})
>>> from ..polynomial import show
>>> [(at, show(f)) for at, f in sorted(chain_equations(lu, {(0, 1): Fraction(1)}).items())]
[((0, 0), 'w1_0_0*w2_0_0'), ((0, 1), 'w1_0_0*w2_0_1 - 1'), ((1, 0), 'w1_1_0*w2_0_0'), ((1, 1), 'w1_1_0*w2_0_1 + w1_1_1*w2_1_1')]
"""

from __future__ import annotations

from fractions import Fraction

from ..curve import check_limit, laurent_product, parse_laurent_entries, parse_limit
from ..nullstellensatz import check_identity_equations
from ..parse import Malformed, field
from ..polynomial import Polynomial, monomial
from ..polynomial import add as poly_add
from ..polynomial import multiply as poly_multiply
from ..report import VerificationReport, cell_text
from .pattern import ChainPattern

__all__ = ["MAX_PATHS", "chain_equations", "check_chain_curve", "check_chain_identity", "path_count"]

Cell = tuple[int, int]

MAX_PATHS = 10**6
"""Chains with more index paths are not expanded into polynomial systems."""


def check_chain_curve(cert: dict, chain: ChainPattern, report: VerificationReport) -> dict[Cell, Fraction]:
    """Check ``supp W_ℓ(t) ⊆ I_ℓ`` and ``W_1(t) ⋯ W_N(t) = A + O(t)``; return A."""
    limit = parse_limit(field(cert, "limit", list, ""), chain.shape)
    raw = field(field(cert, "curve", dict, ""), "W", list, "curve")
    if len(raw) != chain.length:
        raise Malformed(f"curve.W has {len(raw)} factors, the chain {chain.length}")
    factors = [
        parse_laurent_entries(item, f"curve.W[{p}]", (chain.dims[p], chain.dims[p + 1])) for p, item in enumerate(raw)
    ]
    before = len(report.problems)
    for level, (factor, support) in enumerate(zip(factors, chain.factors), start=1):
        for entry in sorted(set(factor) - support):
            report.fail(f"W{level}(t) entry {cell_text(entry)} outside I_{level}")
    if len(report.problems) == before:
        report.passed(f"W_ℓ(t) respect I_ℓ ({' + '.join(str(len(f)) for f in factors)} nonzero Laurent entries)")
    name = "W_1(t)⋯W_N(t)"
    check_limit(laurent_product(factors), limit, chain.shape, name, report, f"constant term of {name}")
    return limit


def path_count(chain: ChainPattern) -> int:
    """The number of paths ``i = k_0 → ⋯ → k_N = j`` through allowed entries (all cells)."""
    counts = {i: 1 for i in range(chain.dims[0])}
    for factor in chain.factors:
        step: dict[int, int] = {}
        for a, b in factor:
            if a in counts:
                step[b] = step.get(b, 0) + counts[a]
        counts = step
    return sum(counts.values())


def chain_equations(chain: ChainPattern, A: dict[Cell, Fraction]) -> dict[Cell, Polynomial]:
    """The system ``W_1 ⋯ W_N = A``, one polynomial per cell that has a path or a nonzero A.

    Raises :class:`Malformed` when the chain has more than :data:`MAX_PATHS` paths (one
    term each): too large to check.
    """
    paths = path_count(chain)
    if paths > MAX_PATHS:
        raise Malformed(f"the chain has {paths} index paths, more than {MAX_PATHS}: its system is too large to check")
    edges: list[dict[int, list[tuple[int, Polynomial]]]] = []
    for level, factor in enumerate(chain.factors, start=1):
        outgoing: dict[int, list[tuple[int, Polynomial]]] = {}
        for a, b in sorted(factor):
            outgoing.setdefault(a, []).append((b, {monomial({f"w{level}_{a}_{b}": 1}): Fraction(1)}))
        edges.append(outgoing)
    equations: dict[Cell, Polynomial] = {}
    rows = {a for a, _ in chain.factors[0]} | {i for i, _ in A}
    for i in sorted(rows):
        frontier: dict[int, Polynomial] = {i: {(): Fraction(1)}}
        for outgoing in edges:
            step: dict[int, Polynomial] = {}
            for node, paths in frontier.items():
                for target, variable in outgoing.get(node, []):
                    step[target] = poly_add(step.get(target, {}), poly_multiply(paths, variable))
            frontier = step
        cells = set(frontier) | {j for (row, j) in A if row == i}
        for j in sorted(cells):
            value = A.get((i, j), Fraction(0))
            scaled = {m: c * value.denominator for m, c in frontier.get(j, {}).items()}
            equations[(i, j)] = poly_add(scaled, {(): Fraction(-value.numerator)} if value else {})
    return equations


def check_chain_identity(proof: dict, chain: ChainPattern, A: dict[Cell, Fraction], report: VerificationReport) -> None:
    """Check that ``proof["identity"]`` is ``Σ c_i f_i = c ≠ 0`` for the system ``W_1 ⋯ W_N = A``."""
    identity = field(proof, "identity", dict, "proof")
    expected = chain_equations(chain, A)
    check_identity_equations(identity, expected, chain.shape, "W_1⋯W_N = A", report, "chain Nullstellensatz identity")
