"""Chain certificates (``"kind": "chain"``): the chain's names, NOT CLOSED and UNKNOWN.

The statement is about ``P_{I_1..I_N} = {W_1 ⋯ W_N}``.  NOT CLOSED: the limit A, the curve
``W_1(t), …, W_N(t)``, the exact product ``W_1(t) ⋯ W_N(t) → A``, then why A ∉ P: the
Nullstellensatz identity (written out, or summarised when large), or the reduction steps
in words followed by the reduced certificate's own proof (a two-factor one, through
:func:`~closure_check.output.proof_text.two_factor.two_factor_not_closed`, or a chain one,
with primed names).  The supports, the reduction steps in words and their replay (only to
name the supports of the chain they leave) are shared with the CLOSED proofs of
:mod:`~closure_check.output.proof_text.closed_chain`.  Every lemma cites docs/theory.md §6.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from closure_check.core.laurent import Laurent
from closure_check.output.certificate_json.two_factor import side_matrix
from closure_check.output.proof_text.blocks import (
    MAX_DRAWN,
    Block,
    Display,
    Items,
    Math,
    Para,
    Piece,
    displays,
    laurent,
    matrix,
    para,
    pmatrix,
    rat,
)
from closure_check.output.proof_text.two_factor import (
    NotClosedParts,
    cite,
    headed,
    identity_blocks,
    two_factor_not_closed,
)

Cells = frozenset[tuple[int, int]]

#: Where every chain lemma is stated and proved.
THEORY = "docs/theory.md §6"

#: A chain Nullstellensatz identity with more terms (f's and cofactors together) is summarised.
MAX_IDENTITY_TERMS = 120


class Chain:
    """The supports ``I_1, …, I_N`` of a chain certificate, dims ``r_0, …, r_N``.

    ``kronecker[ℓ-1]`` holds the parameters of a factor the certificate gives by them;
    ``factors`` (sets of positions) are decoded on first use only.
    """

    def __init__(self, dims: tuple[int, ...], factors: tuple[Cells, ...] | None = None,
                 raw: list[Any] | None = None):
        self.dims = tuple(dims)
        self._factors = factors
        self._raw = raw
        self.kronecker: tuple[list[int] | None, ...] = tuple(
            [int(v) for v in item["parameters"]] if isinstance(item, dict) and item.get("encoding") == "kronecker" else None
            for item in (raw or [None] * (len(self.dims) - 1))
        )

    @property
    def factors(self) -> tuple[Cells, ...]:
        if self._factors is None:
            decoded = []
            for level, item in enumerate(self._raw or [], start=1):
                if isinstance(item, list):
                    decoded.append(frozenset((int(a), int(b)) for a, b in item))
                else:
                    ones = side_matrix(item, self.dims[level - 1], self.dims[level]).tocoo()
                    decoded.append(frozenset(zip(ones.row.tolist(), ones.col.tolist())))
            self._factors = tuple(decoded)
        return self._factors


def chain_of(cert: dict[str, Any]) -> Chain:
    chain = cert["chain"]
    return Chain(tuple(int(d) for d in chain["dims"]), raw=list(chain["factors"]))


def _boolean_product(left: Cells, right: Cells) -> Cells:
    by_row: dict[int, list[int]] = {}
    for k, j in right:
        by_row.setdefault(k, []).append(j)
    return frozenset((i, j) for i, k in left for j in by_row.get(k, ()))


def product_support(factors: tuple[Cells, ...]) -> Cells:
    support = factors[0]
    for factor in factors[1:]:
        support = _boolean_product(support, factor)
    return support


def _merge(chain: Chain, level: int) -> Chain:
    """Factors ``level`` and ``level + 1`` (1-based) replaced by their boolean product."""
    if not 1 <= level < len(chain.factors):
        raise ValueError(level)
    merged = _boolean_product(chain.factors[level - 1], chain.factors[level])
    return Chain(chain.dims[:level] + chain.dims[level + 1:], chain.factors[: level - 1] + (merged,) + chain.factors[level + 1:])


def replay(chain: Chain, steps: list[dict[str, Any]]) -> Chain | None:
    """The chain after ``steps``, to name its supports; None if a step does not apply.

    Rendering only: no condition is checked (the verifier replays the steps checking each).
    """
    try:
        for step in steps:
            rule, level = step["rule"], int(step["level"])
            if rule == "empty-inner-index":
                if not 1 <= level < len(chain.factors):
                    return None
                gone = sorted({int(k) for k in step["indices"]})
                left = frozenset((a, b - bisect_left(gone, b)) for a, b in chain.factors[level - 1] if b not in gone)
                right = frozenset((a - bisect_left(gone, a), b) for a, b in chain.factors[level] if a not in gone)
                dims = chain.dims[:level] + (chain.dims[level] - len(gone),) + chain.dims[level + 1:]
                chain = Chain(dims, chain.factors[: level - 1] + (left, right) + chain.factors[level + 1:])
            elif rule == "partial-permutation":
                chain = _merge(chain, level - 1 if step.get("into") == "left" else level)
            elif rule == "full-pair":
                chain = _merge(chain, level)
            else:
                return None
    except (KeyError, TypeError, ValueError):
        return None
    return chain


@dataclass(frozen=True)
class Names:
    """The LaTeX names of a chain's supports, factors and set: ``prime`` ``"'"`` for a reduced chain."""

    prime: str
    length: int

    def I(self, level: int | str) -> str:  # the mathematics' name
        return f"I{self.prime}_{{{level}}}"

    def W(self, level: int | str, t: str = "") -> str:
        return f"W{self.prime}_{{{level}}}{t}"

    def product(self, first: int = 1, last: int | None = None, t: str = "") -> str:
        last = self.length if last is None else last
        if last - first < 4:
            return " ".join(self.W(level, t) for level in range(first, last + 1))
        return f"{self.W(first, t)} \\cdots {self.W(last, t)}"

    def supports(self) -> str:
        if self.length <= 4:
            return ", ".join(self.I(level) for level in range(1, self.length + 1))
        return f"{self.I(1)}, \\dots, {self.I(self.length)}"

    @property
    def P(self) -> str:
        if self.prime:
            return f"P{self.prime}"
        return "P_{" + self.supports().replace(", ", ",") + "}"

    @property
    def C(self) -> str:
        return f"C{self.prime}"


def support_tex(name: str, rows: int, cols: int, ones: Cells | Callable[[], Cells], kronecker: list[int] | None = None) -> str:
    """A support drawn as a 0/1 matrix, or (large) by its Kronecker parameters or its size and nonzero positions.

    ``ones`` may be a function giving the positions, called only when they are needed.
    """
    if kronecker is not None and max(rows, cols) > MAX_DRAWN:
        a, b, c, d = kronecker
        return (
            f"{name} = \\mathrm{{Id}}_{{{a}}} \\otimes \\mathbf{{1}}_{{{b} \\times {c}}} \\otimes \\mathrm{{Id}}_{{{d}}} "
            f"\\in \\{{0,1\\}}^{{{rows} \\times {cols}}}"
        )
    if callable(ones):
        ones = ones()
    if max(rows, cols) <= MAX_DRAWN:
        return f"{name} = " + pmatrix([["1" if (a, b) in ones else "0" for b in range(cols)] for a in range(rows)])
    cells = sorted(ones)
    if not cells:
        return f"{name} = 0 \\in \\{{0,1\\}}^{{{rows} \\times {cols}}}"
    listed = ", ".join(f"({a},{b})" for a, b in cells[:24])
    more = f", \\dots\\ \\text{{({len(cells)} in all, listed in the certificate)}}" if len(cells) > 24 else ""
    return f"{name} \\in \\{{0,1\\}}^{{{rows} \\times {cols}}}\\ \\text{{with the nonzeros}}\\ {listed}{more}"


def chain_setting(chain: Chain, n: Names) -> list[Block]:
    """The supports drawn and the set of products ``P`` introduced (names ``n``)."""
    N, dims = len(chain.factors), chain.dims
    if N <= 4:
        spaces: list[Piece] = []
        for level in range(1, N + 1):
            if level > 1:
                spaces.append(" and " if level == N else ", ")
            spaces.append(Math(f"{n.W(level)} \\in \\mathbb{{R}}^{{{dims[level - 1]} \\times {dims[level]}}}"))
        intro: tuple[Piece, ...] = ("Let ", *spaces, " range over the matrices with ")
    else:
        intro = (
            "For ", Math(f"\\ell = 1, \\dots, {N}"), " let ",
            Math(f"W{n.prime}_\\ell \\in \\mathbb{{R}}^{{r_{{\\ell-1}} \\times r_\\ell}}"), ", where ",
            Math("(r_0, \\dots, r_{" + str(N) + "}) = (" + ", ".join(map(str, dims)) + ")"),
            ", range over the matrices with ",
        )
    supports = [
        support_tex(n.I(level), dims[level - 1], dims[level], lambda level=level: chain.factors[level - 1],
                    chain.kronecker[level - 1])
        for level in range(1, N + 1)
    ]
    note: tuple[Piece, ...] = ()
    if any(k is not None for k in chain.kronecker):
        note = (
            "with ", Math("\\mathrm{Id}_a"), " the ", Math("a \\times a"), " identity and ",
            Math("\\mathbf{1}_{b \\times c}"), " the ", Math("b \\times c"), " matrix of ones (Kronecker-sparse supports), ",
        )
    return [
        Para(intro + (Math(f"\\operatorname{{supp}} W{n.prime}_\\ell \\subseteq I{n.prime}_\\ell"), ", where")),
        displays(supports),
        Para(note + ("and let ", Math(f"{n.P} = \\{{ {n.product()} \\}}"), " be the set of their products.")),
    ]


def _laurent_factor(items: list[dict[str, Any]]) -> dict[tuple[int, int], Laurent]:
    return {
        (int(item["entry"][0]), int(item["entry"][1])): Laurent({int(e): Fraction(c) for e, c in item["laurent"].items()})
        for item in items
    }


def _multiply(left: dict[tuple[int, int], Laurent], right: dict[tuple[int, int], Laurent]) -> dict[tuple[int, int], Laurent]:
    by_row: dict[int, list[tuple[int, Laurent]]] = {}
    for (k, j), value in right.items():
        by_row.setdefault(k, []).append((j, value))
    product: dict[tuple[int, int], Laurent] = {}
    for (i, k), value in left.items():
        for j, other in by_row.get(k, []):
            product[(i, j)] = product.get((i, j), Laurent()) + value * other
    return product


def _chain_curve(cert: dict[str, Any], chain: Chain, n: Names) -> list[Block]:
    factors = [_laurent_factor(items) for items in cert["curve"]["W"]]
    if not factors:
        return []
    product = factors[0]
    for factor in factors[1:]:
        product = _multiply(product, factor)
    zero, dims = Laurent(), chain.dims
    drawn = [
        matrix(n.W(level, "(t)"), dims[level - 1], dims[level], lambda a, b, f=factor: laurent(f.get((a, b), zero)), factor)
        for level, factor in enumerate(factors, start=1)
    ]
    curve_product = n.product(t="(t)")
    return [
        para("For ", Math("t > 0"), " let"),
        displays(drawn),
        para(
            "Their supports lie in ", Math(n.supports()), ", so ", Math(f"{curve_product} \\in {n.P}"),
            " for every ", Math("t > 0"), ", and, multiplying out exactly,",
        ),
        Display(
            matrix(curve_product, dims[0], dims[-1], lambda i, j: laurent(product.get((i, j), zero)), product)
            + " \\longrightarrow A \\quad (t \\to 0^{+})"
        ),
        para(
            "since no negative power of ", Math("t"), " survives and the constant term is ", Math("A"),
            f" (chain Laurent curve lemma, {THEORY}).",
        ),
    ]


def _chain_nullstellensatz(proof: dict[str, Any], n: Names) -> list[Block]:
    identity = proof["identity"]
    equations = identity["equations"]
    W, I = f"W{n.prime}_\\ell", f"I{n.prime}_\\ell"
    intro = para(
        "Suppose ", Math(f"A = {n.product()}"), " with ", Math(f"\\operatorname{{supp}} {W} \\subseteq {I}"),
        ". Then the entries ", Math(f"w^{{(\\ell)}}_{{a,b}} = ({W})_{{a,b}}"),
        " are a common zero of the polynomials of the system ", Math(f"{n.product()} = A"), ", one per cell ",
        Math("(i,j)"), " joined by an index path ", Math("i = k_0 \\to k_1 \\to \\dots \\to k_N = j"),
        " through allowed entries or where ", Math("A_{i,j} \\neq 0"), ": ", Math("A_{i,j} = p/q"), " gives ",
        Math("f_{(i,j)} = q \\sum_{\\text{paths}} \\prod_{\\ell} w^{(\\ell)}_{k_{\\ell-1},k_\\ell} - p"),
    )
    terms = sum(len(e["f"]) + len(e["c"]) for e in equations)
    if terms <= MAX_IDENTITY_TERMS:
        shown, said, total = identity_blocks(identity)
        middle: list[Block] = [Para(intro.pieces + (",",)), shown, said, total]
    else:
        degree = max((sum(powers.values()) for e in equations for _, powers in e["c"]), default=0)
        method = identity.get("method")
        middle = [
            Para(intro.pieces + (
                (
                    f". The certificate lists these {len(equations)} polynomials in "
                    f"{len(identity.get('variables', []))} variables and cofactors "
                ),
                Math("c_{(i,j)}"), f" of degree at most {degree} with",
            )),
            Display(f"\\sum_{{(i,j)}} c_{{(i,j)}}\\, f_{{(i,j)}} = {rat(Fraction(identity['constant']))},"),
            para(
                "an identity checked by expanding it (the verifier does so exactly)"
                + (f"; it was found by {method}" if method else "") + ","
            ),
        ]
    return middle + [para(
        "whose right side is a nonzero constant; so they have no common zero, not even over ", Math("\\mathbb{C}"),
        " (weak Nullstellensatz). So ", Math("A"), f" is not a product (chain Nullstellensatz lemma, {THEORY}).",
    )]


def _step_para(step: dict[str, Any], n: Names) -> Para:
    """One reduction step in words (its levels refer to the chain left by the previous steps)."""
    rule = step.get("rule")
    level = int(step.get("level", 0))
    if rule == "empty-inner-index":
        indices = [int(k) for k in step.get("indices", [])]
        k: Piece = Math(str(indices[0]) if len(indices) == 1 else "k")
        intro: tuple[Piece, ...] = (
            ("Inner index ", k) if len(indices) == 1
            else ("Inner indices ", Math(", ".join(map(str, indices))))
        )
        return Para(intro + (
            " between ", Math(n.W(level)), " and ", Math(n.W(level + 1)), ": " if len(indices) == 1 else ": for each ",
            *(() if len(indices) == 1 else (k, ", ")), "column ", k, " of ", Math(n.I(level)), " or row ", k, " of ",
            Math(n.I(level + 1)), " is empty, so every path through ", k, " uses an entry that is 0; deleting column ", k,
            " of ", Math(n.W(level)), " and row ", k, " of ", Math(n.W(level + 1)),
            " leaves the product unchanged (empty-inner-index lemma).",
        ))
    if rule in ("partial-permutation", "full-pair"):
        low = level - 1 if rule == "partial-permutation" and step.get("into") == "left" else level
        pair = Math(f"{n.W(low)} {n.W(low + 1)}")
        merged = Math(f"\\operatorname{{bool}}({n.I(low)} {n.I(low + 1)})")
        if rule == "partial-permutation":
            return para(
                Math(n.I(level)), " has at most one nonzero in every row and every column, so ", pair,
                " ranges over every matrix supported on ", merged,
                ": the two factors are merged into one with that support (partial-permutation lemma).",
            )
        texts = [str(text) for text in step.get("proof", [])]
        said = "; ".join(texts[:3]) + ("; …" if len(texts) > 3 else "")
        if len(said) > 600:
            said = f"proved on each of the {len(texts)} components in the certificate"
        return para(
            "The pair ", Math(f"({n.I(level)}, {n.I(level + 1)}^{{\\top}})"), " produces every matrix supported on ",
            merged, " (full-space lemma" + (f": {said}" if said else "") + "), so ", pair,
            " ranges over all of them: the two factors are merged into one with that support (full-pair lemma).",
        )
    return para(f"A step {json.dumps(step, sort_keys=True)} (not a rule this rendering knows).")


def steps_items(steps: list[dict[str, Any]], n: Names) -> Items:
    """The reduction steps in words, one item each."""
    return Items(tuple(_step_para(step, n) for step in steps))


def _sub_not_closed(reduced: dict[str, Any], m: Names) -> tuple[NotClosedParts, list[Block]]:
    """The reduced certificate's parts, and the sentence relating its set to the reduced chain's."""
    if reduced.get("kind") == "chain":
        parts = chain_not_closed(reduced, Names(m.prime, len(reduced["chain"]["factors"])))
        return parts, [para("The chain left is ", Math(f"{m.C} = ({m.supports()})"), ":")]
    parts = two_factor_not_closed(reduced)
    return parts, [para(
        "The chain left, ", Math(m.C), ", has two factors: its set of products ", Math(m.P),
        " is the two-factor set ", Math("P_{I,J}"), " with ", Math(f"I = {m.I(1)}"), ", ",
        Math(f"J = {m.I(2)}^{{\\top}}"), " (", Math(f"X = {m.W(1)}"), ", ", Math(f"Y = {m.W(2)}^{{\\top}}"),
        "). In the notation of the reduced certificate:",
    )]


def _chain_reduction_not_closed(
    cert: dict[str, Any], chain: Chain, n: Names
) -> tuple[list[Block], list[Block], list[Block]]:
    """(reduction, curve, argument) of a NOT CLOSED ``"chain reduction"`` proof."""
    proof = cert["proof"]
    steps = proof.get("steps", [])
    reduced = proof["reduced"]
    after = replay(chain, steps)
    m = Names(n.prime + "'", len(after.factors) if after else len(reduced.get("chain", {}).get("factors", [None, None])))
    inner, relation = _sub_not_closed(reduced, m)
    reduction: list[Block] = [
        para(
            "The steps below take the chain to a chain ", Math(m.C), " with set of products ", Math(m.P),
            f" ({THEORY}; levels and indices in each step refer to the chain left by the previous ones):",
        ),
        steps_items(steps, n),
        *relation,
        *inner.setting,
        *inner.preamble,
    ]
    if "curve" in cert:
        curve = _chain_curve(cert, chain, n)
    else:
        curve = [para(
            "No curve on the original chain is given. Every step above keeps the set of products unchanged (each by "
            "its condition, a full-pair step by the full-space lemma; set-equality principle, ", THEORY, "), so ",
            Math(f"{n.P} = {inner.P}"), ", and the reduced certificate's curve puts ", Math("A"), " in its closure.",
        )] + inner.curve
    argument: list[Block] = [para("By the reduced certificate, ", Math(f"A \\notin {inner.P}"), ":")]
    argument += inner.argument
    argument.append(para(
        "Every step gives ", Math(f"{n.P} \\subseteq {inner.P}"), " (a product of two factors lies on the boolean "
        "product of their supports, and a deleted inner index only carried paths through an entry that is 0), so ",
        Math(f"A \\notin {n.P}"), " (chain reduction).",
    ))
    return reduction, curve, argument


def chain_not_closed(cert: dict[str, Any], n: Names | None = None) -> NotClosedParts:
    """The NOT CLOSED proof of a chain certificate (names ``n``, primed for a reduced one)."""
    chain = chain_of(cert)
    n = n or Names("", len(chain.factors))
    proof = cert.get("proof", {})
    lemma = proof.get("lemma", "")
    limit = {(int(item["cell"][0]), int(item["cell"][1])): Fraction(item["value"]) for item in cert.get("limit", [])}
    curve = _chain_curve(cert, chain, n) if "curve" in cert else []
    preamble: list[Block] = []
    if lemma == "chain Nullstellensatz lemma" and "identity" in proof:
        argument = _chain_nullstellensatz(proof, n)
    elif lemma == "chain reduction" and isinstance(proof.get("reduced"), dict):
        reduction, curve, argument = _chain_reduction_not_closed(cert, chain, n)
        if "curve" in cert:  # A's curve first, then the reduction as the first part of "A is not a product"
            argument = reduction + argument
        else:
            preamble = headed("Reduction.", reduction)
    else:
        argument = [para(f"By the {lemma}: {proof.get('argument', '')}")]
    return NotClosedParts(
        chain_setting(chain, n), n.P, chain.dims[0], chain.dims[-1],
        {cell: v for cell, v in limit.items() if v}, preamble, curve, cite(argument, proof.get("reference") or THEORY),
    )


def chain_unknown(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    """The open question of an UNKNOWN chain certificate: what was established, what is undecided."""
    chain = chain_of(cert)
    n = Names("", len(chain.factors))
    statement = chain_setting(chain, n) + [para("Whether ", Math(n.P), " is closed is not decided here.")]
    body: list[Block] = [para("What was established:")]
    body.append(Items(tuple(para(reason) for reason in cert.get("reasons", [])) or (para("nothing"),)))
    body.append(para("Undecided:"))
    body.append(Items(tuple(para(item) for item in cert.get("undecided", []))))
    return statement, body
