"""Certificates as proofs a reader can check by hand: Markdown and LaTeX.

Rendering only (``../shared/docs/STYLE.md``): these functions read a JSON certificate
(:mod:`closure_check.certjson`) and write a statement with its proof; nothing here
feeds back into a decision, and nothing is re-checked (that is
:mod:`closure_check.verifier`'s job: render certificates that verify).

* NOT CLOSED: *Proposition* -- ``P_{I,J}`` is not closed, with the limit A. *Proof* --
  the curve ``X(t), Y(t)`` written out, the exact product ``X(t)Y(t)ᵀ`` and its limit A as
  ``t → 0⁺`` (Laurent curve lemma), then why A is not a product: the lemma's argument on
  the obstruction cells (local-LU, shared-rows, shared-columns) or the Nullstellensatz
  identity written out.
* CLOSED: the lemma behind each step, the reductions applied, and the engine records if
  an engine criterion decided a part; the statement of such a verdict (two-factor or
  chain, directly or through a reduced problem) then says *CLOSED (engine record)*
  (:func:`rests_on_engine_record`).
* Chain certificates (``"kind": "chain"``, :mod:`closure_check.chain_certjson`): the
  statement is about ``P_{I_1..I_N} = {W_1 ⋯ W_N}``.  NOT CLOSED: the limit A, the curve
  ``W_1(t), …, W_N(t)``, the exact product ``W_1(t) ⋯ W_N(t) → A``, then why A ∉ P: the
  Nullstellensatz identity (written out, or summarised when large), or the reduction
  steps in words followed by the reduced certificate's own proof (a two-factor one
  rendered as above, or a chain one, with primed names).  CLOSED: the reduction steps in
  words, the chain they leave (replayed from the steps, only to name its supports), then
  the final lemma -- one factor, the reduced certificate, the chainable Kronecker-sparse
  lemma with its patterns and ranks, the chain support, fixed-factor (fixed factors
  drawn), bottleneck or orbit lemma (prefix, suffix, generators, every factorisation), or
  the Zariski-closure criterion as an engine record -- each citing docs/theory.md §6.

Both formats share the mathematics, written in LaTeX: the Markdown uses ``$…$`` and
``$$…$$`` (GitHub, Pandoc, Jupyter), the LaTeX output a ``proposition`` and a ``proof``
environment (packages amsmath, amssymb, amsthm; ``standalone=True`` adds the preamble).

>>> from closure_check.families import lu
>>> from closure_check.classify import check
>>> from closure_check.certjson import certificate_json
>>> text = render_certificate_markdown(certificate_json(lu(2), check(lu(2)), name="lu2"))
>>> print(text.splitlines()[0])
### lu2
>>> r"A = \\begin{pmatrix} 0 & 1 \\\\ 1 & 0 \\end{pmatrix}" in text
True
>>> from closure_check.support import ChainSupport
>>> chain = ChainSupport.from_dense([[[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]])
>>> text = render_certificate_markdown(check(chain).certificate_json(name="diag-upper-lower"))
>>> "$P_{I_{1},I_{2},I_{3}}$ is not closed" in text, "(local-LU lemma)" in text
(True, True)
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any

from closure_check.laurent import Laurent

__all__ = ["render_certificate_latex", "render_certificate_markdown", "rests_on_engine_record"]

#: Matrices with more rows or columns than this are described by their nonzero entries.
MAX_DRAWN = 12


class Math(str):
    """An inline formula, in LaTeX."""


class Emph(str):
    """Emphasised prose (a run-in heading of the proof)."""


@dataclass(frozen=True)
class Display:
    """A displayed formula, in LaTeX (one or more lines joined by ``\\\\`` in ``gathered``)."""

    tex: str


Piece = str | Math | Emph


@dataclass(frozen=True)
class Para:
    """A paragraph: prose pieces (escaped for the target) and inline formulas."""

    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Items:
    """A bulleted list of paragraphs."""

    items: tuple[Para, ...]


Block = Para | Display | Items


def _p(*pieces: Piece) -> Para:
    return Para(tuple(pieces))


# ----------------------------------------------------------------------------- formulas


def _rat(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def _laurent(value: Laurent) -> str:
    """``Σ c_e t^e`` in increasing powers: ``t^{-1} + 2 - \\frac{1}{2} t``."""
    terms = value.terms
    if not terms:
        return "0"
    text = ""
    for e in sorted(terms):
        c = terms[e]
        size = abs(c)
        power = "" if e == 0 else ("t" if e == 1 else f"t^{{{e}}}")
        if not power:
            body = _rat(size)
        elif size == 1:
            body = power
        else:
            body = f"{_rat(size)} {power}"
        if not text:
            text = ("-" if c < 0 else "") + body
        else:
            text += (" - " if c < 0 else " + ") + body
    return text


def _pmatrix(rows: list[list[str]]) -> str:
    return "\\begin{pmatrix} " + " \\\\ ".join(" & ".join(row) for row in rows) + " \\end{pmatrix}"


def _var(name: str) -> str:
    """``x_0_1`` → ``x_{0,1}``, a chain's ``w2_0_1`` → ``w^{(2)}_{0,1}``; other names in ``\\mathit``."""
    found = re.fullmatch(r"([a-zA-Z])_(\d+)_(\d+)", name)
    if found:
        return f"{found.group(1)}_{{{found.group(2)},{found.group(3)}}}"
    found = re.fullmatch(r"w(\d+)_(\d+)_(\d+)", name)
    if found:
        return f"w^{{({found.group(1)})}}_{{{found.group(2)},{found.group(3)}}}"
    return "\\mathit{" + name.replace("_", "\\_") + "}"


def _poly(terms: list[list[Any]]) -> str:
    """A JSON polynomial ``[[coefficient, {variable: exponent}], …]`` in LaTeX."""
    if not terms:
        return "0"
    ordered = sorted(terms, key=lambda term: (-sum(term[1].values()), sorted(term[1].items())))
    text = ""
    for coefficient, powers in ordered:
        c = Fraction(coefficient)
        monomial = " ".join(_var(v) + (f"^{{{e}}}" if e != 1 else "") for v, e in sorted(powers.items()))
        size = abs(c)
        body = _rat(size) if not monomial else (monomial if size == 1 else f"{_rat(size)} {monomial}")
        if not text:
            text = ("-" if c < 0 else "") + body
        else:
            text += (" - " if c < 0 else " + ") + body
    return text


def _cell(at: Any) -> str:
    return f"({at[0]},{at[1]})"


# ----------------------------------------------------------------------------- the certificate's data


@dataclass(frozen=True)
class _Data:
    m: int
    n: int
    r: int
    I: frozenset[tuple[int, int]]
    J: frozenset[tuple[int, int]]
    limit: dict[tuple[int, int], Fraction]
    X: dict[tuple[int, int], Laurent]
    Y: dict[tuple[int, int], Laurent]


def _data(cert: dict[str, Any]) -> _Data:
    pattern = cert["pattern"]
    limit = {tuple(item["cell"]): Fraction(item["value"]) for item in cert.get("limit", [])}
    curve = cert.get("curve", {"X": [], "Y": []})

    def entries(items: list[dict[str, Any]]) -> dict[tuple[int, int], Laurent]:
        return {tuple(item["entry"]): Laurent({int(e): Fraction(c) for e, c in item["laurent"].items()}) for item in items}

    return _Data(
        pattern["m"], pattern["n"], pattern["r"],
        frozenset(tuple(p) for p in pattern["I"]), frozenset(tuple(p) for p in pattern["J"]),
        {cell: v for cell, v in limit.items() if v},  # type: ignore[misc]
        entries(curve["X"]), entries(curve["Y"]),  # type: ignore[arg-type]
    )


def _matrix(name: str, rows: int, cols: int, entry: Callable[[int, int], str]) -> str:
    """``name = pmatrix`` of the LaTeX ``entry(a, b)``; a large matrix by its nonzero entries."""
    if max(rows, cols) <= MAX_DRAWN:
        return f"{name} = " + _pmatrix([[entry(a, b) for b in range(cols)] for a in range(rows)])
    nonzero = [(a, b, entry(a, b)) for a in range(rows) for b in range(cols)]
    nonzero = [(a, b, v) for a, b, v in nonzero if v != "0"]
    base = f"{{{name}}}" if "_" in name else name  # I_{1}_{a,b} would be a double subscript
    listed = ",\\ ".join(f"{base}_{{{a},{b}}} = {v}" for a, b, v in nonzero[:40])
    more = ",\\ \\dots" if len(nonzero) > 40 else ""
    return f"{listed}{more}\\ \\text{{(other entries of ${name}$ are 0)}}" if nonzero else f"{name} = 0"


def _support_matrix(name: str, rows: int, cols: int, ones: frozenset[tuple[int, int]]) -> str:
    return _matrix(name, rows, cols, lambda a, b: "1" if (a, b) in ones else "0")


def _product(data: _Data) -> dict[tuple[int, int], Laurent]:
    by_unit: dict[int, list[tuple[int, Laurent]]] = {}
    for (j, k), value in data.Y.items():
        by_unit.setdefault(k, []).append((j, value))
    product: dict[tuple[int, int], Laurent] = {}
    for (i, k), value in data.X.items():
        for j, other in by_unit.get(k, []):
            product[(i, j)] = product.get((i, j), Laurent()) + value * other
    return product


# ----------------------------------------------------------------------------- proofs


def _setting(cert: dict[str, Any], data: _Data) -> list[Block]:
    return [
        _p(
            "Let ",
            Math(f"X \\in \\mathbb{{R}}^{{{data.m} \\times {data.r}}}"), " and ",
            Math(f"Y \\in \\mathbb{{R}}^{{{data.n} \\times {data.r}}}"), " range over the matrices with ",
            Math("\\operatorname{supp} X \\subseteq I"), " and ", Math("\\operatorname{supp} Y \\subseteq J"),
            ", where",
        ),
        Display(
            _support_matrix("I", data.m, data.r, data.I) + ", \\qquad " + _support_matrix("J", data.n, data.r, data.J)
        ),
        _p("and let ", Math("P_{I,J} = \\{ X Y^{\\top} \\}"), " be the set of their products."),
    ]


def _lu_argument(roles: dict[str, Any], data: _Data) -> list[Block]:
    k = roles["unit"]
    (i1, i2), (j1, j2) = roles["rows"], roles["cols"]
    A = data.limit

    def cell(i: int, j: int) -> Math:
        return Math(f"X_{{{i},{k}}} Y_{{{j},{k}}} = A_{{{i},{j}}} = {_rat(A.get((i, j), Fraction(0)))}")

    return [_p(
        f"Unit {k} is the only unit whose rectangle contains the cells ",
        Math(f"({i1},{j1}), ({i1},{j2}), ({i2},{j1})"),
        " (local-LU lemma). So if ", Math("A = X Y^{\\top}"), " with ",
        Math("\\operatorname{supp} X \\subseteq I"), ", ", Math("\\operatorname{supp} Y \\subseteq J"),
        ", then ", cell(i1, j1), ", ", cell(i1, j2), " and ", cell(i2, j1), ". The last two force ",
        Math(f"X_{{{i1},{k}}} \\neq 0"), " and ", Math(f"Y_{{{j1},{k}}} \\neq 0"),
        ", which contradicts the first.",
    )]


def _shared_argument(lemma: str, roles: dict[str, Any], data: _Data) -> list[Block]:
    transpose = lemma == "shared-columns lemma"
    a, b = roles["units"]
    lines, cross = (roles["cols"], roles["rows"]) if transpose else (roles["rows"], roles["cols"])
    (l1, l2), (c1, c2, c3) = lines, cross
    line_word, cross_word = ("columns", "row") if transpose else ("rows", "column")
    factor, other = ("Y", "X") if transpose else ("X", "Y")
    A = data.limit

    def at(l: int, c: int) -> tuple[int, int]:
        return (c, l) if transpose else (l, c)

    def vector(c: int) -> str:
        return "\\begin{pmatrix} " + " \\\\ ".join(_rat(A.get(at(l, c), Fraction(0))) for l in (l1, l2)) + " \\end{pmatrix}"

    def restricted(unit: int) -> str:
        return f"{factor}_{{\\{{{l1},{l2}\\}},{unit}}}"

    return [
        _p(
            f"On {line_word} {l1} and {l2}, {cross_word} {c1} lies in the rectangle of unit {a} only, "
            f"{cross_word} {c3} in that of unit {b} only, and {cross_word} {c2} in those of units {a} and {b} only "
            f"({lemma}). Suppose ", Math("A = X Y^{\\top}"), f" and restrict to {line_word} {l1}, {l2}: writing ",
            Math(f"u_{{{a}}} = {restricted(a)}"), " and ", Math(f"u_{{{b}}} = {restricted(b)}"),
            " for the entries of ", Math(factor), f" there, {cross_word}s {c1}, {c3} and {c2} of ", Math("A"),
            f", restricted to {line_word} {l1}, {l2}, are",
        ),
        Display(
            f"{other}_{{{c1},{a}}}\\, u_{{{a}}} = {vector(c1)}, \\qquad "
            f"{other}_{{{c3},{b}}}\\, u_{{{b}}} = {vector(c3)}, \\qquad "
            f"{other}_{{{c2},{a}}}\\, u_{{{a}}} + {other}_{{{c2},{b}}}\\, u_{{{b}}} = {vector(c2)}."
        ),
        _p(
            "The first two vectors are nonzero and parallel, so ", Math(f"u_{{{a}}}"), " and ", Math(f"u_{{{b}}}"),
            " are both multiples of the first; then so is the left side of the third equation, but its right "
            "side is not. So ", Math("A"), " is not a product.",
        ),
    ]


def _identity_blocks(identity: dict[str, Any]) -> tuple[Display, Para, Display]:
    """The equations ``f_(i,j)``, the sentence introducing the identity, and ``Σ c f = constant``."""
    equations = identity["equations"]
    lines = [f"f_{{{_cell(e['cell'])}}} &= {_poly(e['f'])}" for e in equations]
    used = [e for e in equations if e["c"]]
    sum_tex = " \\\\ &\\quad + ".join(f"\\bigl({_poly(e['c'])}\\bigr)\\, f_{{{_cell(e['cell'])}}}" for e in used)
    return (
        Display("\\begin{aligned} " + " \\\\ ".join(lines) + " \\end{aligned}"),
        _p("But they satisfy the identity, checked by expanding it,"),
        Display(
            "\\begin{aligned} & " + (sum_tex or "0") + f" \\\\ &= {_rat(Fraction(identity['constant']))} \\end{{aligned}}"
        ),
    )


def _nullstellensatz_argument(proof: dict[str, Any]) -> list[Block]:
    identity = proof["identity"]
    units = ", ".join(map(str, proof["obstruction_units"]))
    equations, said, total = _identity_blocks(identity)
    return [
        _p(
            f"No unit other than {units} covers a cell where the system ", Math("X Y^{\\top} = A"),
            f" restricted to units {units} has an equation. So if ", Math("A = X Y^{\\top}"),
            ", the entries ", Math("x_{i,k} = X_{i,k}"), ", ", Math("y_{j,k} = Y_{j,k}"),
            f" (k among {units}) are a common zero of the polynomials (one per cell, ",
            Math("A_{i,j} = p/q"), " gives ", Math("q \\sum_k x_{i,k} y_{j,k} - p"), ")",
        ),
        equations,
        said,
        total,
        _p(
            "whose right side is a nonzero constant; so they have no common zero, not even over ",
            Math("\\mathbb{C}"), " (weak Nullstellensatz). So ", Math("A"), " is not a product.",
        ),
    ]


@dataclass(frozen=True)
class _NotClosedParts:
    """A NOT CLOSED proof in pieces, so that a chain certificate can embed a reduced one.

    ``setting`` introduces the supports and the set (named ``P``, in LaTeX) of ``rows × cols``
    matrices, ``limit`` is A's nonzero entries; in the proof ``preamble`` comes first
    (reductions), ``curve`` shows that A is a limit of products, ``argument`` that it is
    not a product (its reference cited).
    """

    setting: list[Block]
    P: str
    rows: int
    cols: int
    limit: dict[tuple[int, int], Fraction]
    preamble: list[Block]
    curve: list[Block]
    argument: list[Block]


def _cite(blocks: list[Block], reference: str | None) -> list[Block]:
    if reference and blocks and isinstance(blocks[-1], Para):
        blocks[-1] = Para(blocks[-1].pieces + (f" (See {reference}.)",))
    return blocks


def _two_factor_not_closed(cert: dict[str, Any]) -> _NotClosedParts:
    data = _data(cert)
    proof = cert["proof"]
    product = _product(data)
    zero = Laurent()
    curve: list[Block] = [
        _p("For ", Math("t > 0"), " let"),
        Display(
            _matrix("X(t)", data.m, data.r, lambda i, k: _laurent(data.X.get((i, k), zero)))
            + ", \\qquad "
            + _matrix("Y(t)", data.n, data.r, lambda j, k: _laurent(data.Y.get((j, k), zero)))
        ),
        _p(
            "Their supports lie in ", Math("I"), " and ", Math("J"), ", so ", Math("X(t) Y(t)^{\\top} \\in P_{I,J}"),
            " for every ",
            Math("t > 0"), ", and",
        ),
        Display(
            _matrix("X(t) Y(t)^{\\top}", data.m, data.n, lambda i, j: _laurent(product.get((i, j), zero)))
            + " \\longrightarrow A \\quad (t \\to 0^{+})"
        ),
        _p(
            "since no negative power of ", Math("t"), " survives and the constant term is ", Math("A"),
            " (Laurent curve lemma).",
        ),
    ]
    lemma = proof.get("lemma", "")
    if proof.get("kind") == "nullstellensatz":
        argument = _nullstellensatz_argument(proof)
    elif lemma == "local-LU lemma":
        argument = _lu_argument(proof["roles"], data)
    elif lemma in ("shared-rows lemma", "shared-columns lemma"):
        argument = _shared_argument(lemma, proof["roles"], data)
    else:
        argument = [_p(f"By the {lemma}: {proof.get('argument', '')}")]
        for index, record in enumerate(proof.get("records", [])):
            argument.append(_p(
                f"(Engine record {index}: {record.get('engine', '')} {record.get('version', '')} answered "
                f"{record.get('result', '')}; this is not an independently checkable certificate.)"
            ))
    return _NotClosedParts(
        _setting(cert, data), "P_{I,J}", data.m, data.n, data.limit, [], curve,
        _cite(argument, proof.get("reference")),
    )


def _headed(heading: str, blocks: list[Block]) -> list[Block]:
    """``blocks`` with ``heading`` (emphasised) run into the first paragraph."""
    if not blocks:
        return []
    if isinstance(blocks[0], Para):
        return [Para((Emph(heading), " ") + blocks[0].pieces)] + blocks[1:]
    return [_p(Emph(heading))] + blocks


def _not_closed(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    parts = _chain_not_closed(cert) if cert.get("kind") == "chain" else _two_factor_not_closed(cert)
    statement = parts.setting + [
        _p("Then ", Math(parts.P), " is not closed: the matrix"),
        Display(_matrix("A", parts.rows, parts.cols, lambda i, j: _rat(parts.limit.get((i, j), Fraction(0))))),
        _p("lies in the closure of ", Math(parts.P), " but not in ", Math(parts.P), "."),
    ]
    body = parts.preamble + _headed("A is a limit of products.", parts.curve)
    return statement, body + _headed("A is not a product.", parts.argument)


def rests_on_engine_record(cert: dict[str, Any]) -> bool:
    """A CLOSED certificate whose proof rests on an engine record (the two-factor or the chain
    Zariski-closure criterion), directly or through the reduced problem it cites."""
    if cert.get("verdict") != "closed":
        return False
    if cert.get("records"):
        return True
    proof = cert.get("proof") or {}
    if proof.get("lemma") == "chain Zariski-closure criterion" or proof.get("records"):
        return True
    reduced = proof.get("reduced")
    return isinstance(reduced, dict) and rests_on_engine_record(reduced)


def _engine_record_note(cert: dict[str, Any]) -> list[Block]:
    """The statement's warning for a CLOSED verdict resting on an engine record (else nothing)."""
    if not rests_on_engine_record(cert):
        return []
    return [_p(
        Emph("CLOSED (engine record)."),
        " The proof below rests on an engine's answer (z3's unsat to the Zariski-closure criterion, "
        "docs/theory.md §5–6), which is trusted, not an independently checkable certificate.",
    )]


def _closed(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    data = _data(cert)
    statement = _setting(cert, data) + [_p("Then ", Math("P_{I,J}"), " is closed.")] + _engine_record_note(cert)
    classes = cert.get("structure", {}).get("classes", [])
    body: list[Block] = [_p(
        "By the structural lemma, ", Math("P_{I,J}"), " is the Minkowski sum, over the classes of units with "
        "equal rectangles ", Math("R \\times C"), " (", Math("\\mu"), " units each), of the matrices supported in ",
        Math("R \\times C"), " of rank at most ", Math("\\mu"), "." + (" The classes are:" if classes else ""),
    )]
    if classes:
        body.append(Items(tuple(
            _p(Math(
                "\\{" + ",".join(map(str, c["rows"])) + "\\} \\times \\{" + ",".join(map(str, c["cols"])) + "\\}"
            ), f", μ = {len(c['units'])} (unit{'s' if len(c['units']) > 1 else ''} {', '.join(map(str, c['units']))})")
            for c in classes[:40]
        )))
    steps = cert.get("steps", [])
    if steps:
        body.append(_p("Reductions applied, each keeping closedness unchanged:"))
        body.append(Items(tuple(_p(f"{s['text']} ({s['lemma']})") for s in steps)))
    body.append(_p("The argument, each step with its lemma:"))
    body.append(Items(tuple(_p(f"{p['text']} [{p.get('reference', '')}]") for p in cert.get("parts", []))))
    for index, record in enumerate(cert.get("records", [])):
        body.append(_p(
            f"Engine record {index}: {record.get('engine', '')} {record.get('version', '')} answered "
            f"{record.get('result', '')} ({record.get('logic', '')}); the step that cites it rests on that engine, "
            "not on an independently checkable certificate."
        ))
    body.append(_p("Hence ", Math("P_{I,J}"), " is closed."))
    return statement, body


def _unknown(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    data = _data(cert)
    statement = _setting(cert, data) + [_p("Whether ", Math("P_{I,J}"), " is closed is not decided here.")]
    body: list[Block] = [_p("What was established:")]
    body.append(Items(tuple(_p(reason) for reason in cert.get("reasons", [])) or (_p("nothing"),)))
    body.append(_p("Undecided:"))
    body.append(Items(tuple(_p(item) for item in cert.get("undecided", []))))
    return statement, body


# ----------------------------------------------------------------------------- chains

Cells = frozenset[tuple[int, int]]

#: Where every chain lemma is stated and proved.
THEORY = "docs/theory.md §6"

#: A chain Nullstellensatz identity with more terms (f's and cofactors together) is summarised.
MAX_IDENTITY_TERMS = 120

#: At most this many factorisations of the orbit lemma are written out.
MAX_FACTORISATIONS = 40


@dataclass(frozen=True)
class _Chain:
    """The supports ``I_1, …, I_N`` of a chain certificate, dims ``r_0, …, r_N``."""

    dims: tuple[int, ...]
    factors: tuple[Cells, ...]


def _chain_of(cert: dict[str, Any]) -> _Chain:
    chain = cert["chain"]
    return _Chain(
        tuple(int(d) for d in chain["dims"]),
        tuple(frozenset((int(a), int(b)) for a, b in factor) for factor in chain["factors"]),
    )


def _boolean_product(left: Cells, right: Cells) -> Cells:
    by_row: dict[int, list[int]] = {}
    for k, j in right:
        by_row.setdefault(k, []).append(j)
    return frozenset((i, j) for i, k in left for j in by_row.get(k, ()))


def _product_support(factors: tuple[Cells, ...]) -> Cells:
    support = factors[0]
    for factor in factors[1:]:
        support = _boolean_product(support, factor)
    return support


def _merge(chain: _Chain, level: int) -> _Chain:
    """Factors ``level`` and ``level + 1`` (1-based) replaced by their boolean product."""
    if not 1 <= level < len(chain.factors):
        raise ValueError(level)
    merged = _boolean_product(chain.factors[level - 1], chain.factors[level])
    return _Chain(chain.dims[:level] + chain.dims[level + 1:], chain.factors[: level - 1] + (merged,) + chain.factors[level + 1:])


def _replay(chain: _Chain, steps: list[dict[str, Any]]) -> _Chain | None:
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
                chain = _Chain(dims, chain.factors[: level - 1] + (left, right) + chain.factors[level + 1:])
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
class _Names:
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


def _support_tex(name: str, rows: int, cols: int, ones: Cells) -> str:
    """A support drawn as a 0/1 matrix, or (large) by its size and nonzero positions."""
    if max(rows, cols) <= MAX_DRAWN:
        return f"{name} = " + _pmatrix([["1" if (a, b) in ones else "0" for b in range(cols)] for a in range(rows)])
    cells = sorted(ones)
    if not cells:
        return f"{name} = 0 \\in \\{{0,1\\}}^{{{rows} \\times {cols}}}"
    listed = ", ".join(f"({a},{b})" for a, b in cells[:24])
    more = f", \\dots\\ \\text{{({len(cells)} in all, listed in the certificate)}}" if len(cells) > 24 else ""
    return f"{name} \\in \\{{0,1\\}}^{{{rows} \\times {cols}}}\\ \\text{{with the nonzeros}}\\ {listed}{more}"


def _bare(rows: int | None, cols: int | None, entries: dict[tuple[int, int], Fraction]) -> str:
    """A rational matrix without a name: drawn, or (large or of unknown size) by its nonzero entries."""
    if rows is not None and cols is not None and max(rows, cols) <= MAX_DRAWN:
        return _pmatrix([[_rat(entries.get((a, b), Fraction(0))) for b in range(cols)] for a in range(rows)])
    nonzero = [(cell, v) for cell, v in sorted(entries.items()) if v]
    if not nonzero:
        return "0"
    listed = ",\\ ".join(f"{_cell(cell)}\\colon {_rat(v)}" for cell, v in nonzero[:40])
    return "\\{" + listed + (",\\ \\dots" if len(nonzero) > 40 else "") + "\\}"


def _rationals(items: list[dict[str, Any]]) -> dict[tuple[int, int], Fraction]:
    return {(int(item["entry"][0]), int(item["entry"][1])): Fraction(item["value"]) for item in items}


def _displays(items: list[str]) -> Display:
    """Several formulas: on one line when few and small, else one per line."""
    if len(items) <= 3 and sum(map(len, items)) <= 600 and not any("\\text" in item for item in items):
        return Display(", \\qquad ".join(items))
    return Display("\\begin{gathered} " + ", \\\\ ".join(items) + " \\end{gathered}")


def _chain_setting(chain: _Chain, n: _Names) -> list[Block]:
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
    supports = [_support_tex(n.I(level), dims[level - 1], dims[level], chain.factors[level - 1]) for level in range(1, N + 1)]
    return [
        Para(intro + (Math(f"\\operatorname{{supp}} W{n.prime}_\\ell \\subseteq I{n.prime}_\\ell"), ", where")),
        _displays(supports),
        _p("and let ", Math(f"{n.P} = \\{{ {n.product()} \\}}"), " be the set of their products."),
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


def _chain_curve(cert: dict[str, Any], chain: _Chain, n: _Names) -> list[Block]:
    factors = [_laurent_factor(items) for items in cert["curve"]["W"]]
    if not factors:
        return []
    product = factors[0]
    for factor in factors[1:]:
        product = _multiply(product, factor)
    zero, dims = Laurent(), chain.dims
    drawn = [
        _matrix(n.W(level, "(t)"), dims[level - 1], dims[level], lambda a, b, f=factor: _laurent(f.get((a, b), zero)))
        for level, factor in enumerate(factors, start=1)
    ]
    curve_product = n.product(t="(t)")
    return [
        _p("For ", Math("t > 0"), " let"),
        _displays(drawn),
        _p(
            "Their supports lie in ", Math(n.supports()), ", so ", Math(f"{curve_product} \\in {n.P}"),
            " for every ", Math("t > 0"), ", and, multiplying out exactly,",
        ),
        Display(
            _matrix(curve_product, dims[0], dims[-1], lambda i, j: _laurent(product.get((i, j), zero)))
            + " \\longrightarrow A \\quad (t \\to 0^{+})"
        ),
        _p(
            "since no negative power of ", Math("t"), " survives and the constant term is ", Math("A"),
            f" (chain Laurent curve lemma, {THEORY}).",
        ),
    ]


def _chain_nullstellensatz(proof: dict[str, Any], n: _Names) -> list[Block]:
    identity = proof["identity"]
    equations = identity["equations"]
    W, I = f"W{n.prime}_\\ell", f"I{n.prime}_\\ell"
    intro = _p(
        "Suppose ", Math(f"A = {n.product()}"), " with ", Math(f"\\operatorname{{supp}} {W} \\subseteq {I}"),
        ". Then the entries ", Math(f"w^{{(\\ell)}}_{{a,b}} = ({W})_{{a,b}}"),
        " are a common zero of the polynomials of the system ", Math(f"{n.product()} = A"), ", one per cell ",
        Math("(i,j)"), " joined by an index path ", Math("i = k_0 \\to k_1 \\to \\dots \\to k_N = j"),
        " through allowed entries or where ", Math("A_{i,j} \\neq 0"), ": ", Math("A_{i,j} = p/q"), " gives ",
        Math("f_{(i,j)} = q \\sum_{\\text{paths}} \\prod_{\\ell} w^{(\\ell)}_{k_{\\ell-1},k_\\ell} - p"),
    )
    terms = sum(len(e["f"]) + len(e["c"]) for e in equations)
    if terms <= MAX_IDENTITY_TERMS:
        shown, said, total = _identity_blocks(identity)
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
            Display(f"\\sum_{{(i,j)}} c_{{(i,j)}}\\, f_{{(i,j)}} = {_rat(Fraction(identity['constant']))},"),
            _p(
                "an identity checked by expanding it (the verifier does so exactly)"
                + (f"; it was found by {method}" if method else "") + ","
            ),
        ]
    return middle + [_p(
        "whose right side is a nonzero constant; so they have no common zero, not even over ", Math("\\mathbb{C}"),
        " (weak Nullstellensatz). So ", Math("A"), f" is not a product (chain Nullstellensatz lemma, {THEORY}).",
    )]


def _step_para(step: dict[str, Any], n: _Names) -> Para:
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
            return _p(
                Math(n.I(level)), " has at most one nonzero in every row and every column, so ", pair,
                " ranges over every matrix supported on ", merged,
                ": the two factors are merged into one with that support (partial-permutation lemma).",
            )
        texts = [str(text) for text in step.get("proof", [])]
        said = "; ".join(texts[:3]) + ("; …" if len(texts) > 3 else "")
        if len(said) > 600:
            said = f"proved on each of the {len(texts)} components in the certificate"
        return _p(
            "The pair ", Math(f"({n.I(level)}, {n.I(level + 1)}^{{\\top}})"), " produces every matrix supported on ",
            merged, " (full-space lemma" + (f": {said}" if said else "") + "), so ", pair,
            " ranges over all of them: the two factors are merged into one with that support (full-pair lemma).",
        )
    return _p(f"A step {json.dumps(step, sort_keys=True)} (not a rule this rendering knows).")


def _steps_items(steps: list[dict[str, Any]], n: _Names) -> Items:
    return Items(tuple(_step_para(step, n) for step in steps))


def _sub_not_closed(reduced: dict[str, Any], m: _Names) -> tuple[_NotClosedParts, list[Block]]:
    """The reduced certificate's parts, and the sentence relating its set to the reduced chain's."""
    if reduced.get("kind") == "chain":
        parts = _chain_not_closed(reduced, _Names(m.prime, len(reduced["chain"]["factors"])))
        return parts, [_p("The chain left is ", Math(f"{m.C} = ({m.supports()})"), ":")]
    parts = _two_factor_not_closed(reduced)
    return parts, [_p(
        "The chain left, ", Math(m.C), ", has two factors: its set of products ", Math(m.P),
        " is the two-factor set ", Math("P_{I,J}"), " with ", Math(f"I = {m.I(1)}"), ", ",
        Math(f"J = {m.I(2)}^{{\\top}}"), " (", Math(f"X = {m.W(1)}"), ", ", Math(f"Y = {m.W(2)}^{{\\top}}"),
        "). In the notation of the reduced certificate:",
    )]


def _chain_reduction_not_closed(
    cert: dict[str, Any], chain: _Chain, n: _Names
) -> tuple[list[Block], list[Block], list[Block]]:
    """(reduction, curve, argument) of a NOT CLOSED ``"chain reduction"`` proof."""
    proof = cert["proof"]
    steps = proof.get("steps", [])
    reduced = proof["reduced"]
    after = _replay(chain, steps)
    m = _Names(n.prime + "'", len(after.factors) if after else len(reduced.get("chain", {}).get("factors", [None, None])))
    inner, relation = _sub_not_closed(reduced, m)
    reduction: list[Block] = [
        _p(
            "The steps below take the chain to a chain ", Math(m.C), " with set of products ", Math(m.P),
            f" ({THEORY}; levels and indices in each step refer to the chain left by the previous ones):",
        ),
        _steps_items(steps, n),
        *relation,
        *inner.setting,
        *inner.preamble,
    ]
    if "curve" in cert:
        curve = _chain_curve(cert, chain, n)
    else:
        curve = [_p(
            "No curve on the original chain is given. Every step above keeps the set of products unchanged (each by "
            "its condition, a full-pair step by the full-space lemma; set-equality principle, ", THEORY, "), so ",
            Math(f"{n.P} = {inner.P}"), ", and the reduced certificate's curve puts ", Math("A"), " in its closure.",
        )] + inner.curve
    argument: list[Block] = [_p("By the reduced certificate, ", Math(f"A \\notin {inner.P}"), ":")]
    argument += inner.argument
    argument.append(_p(
        "Every step gives ", Math(f"{n.P} \\subseteq {inner.P}"), " (a product of two factors lies on the boolean "
        "product of their supports, and a deleted inner index only carried paths through an entry that is 0), so ",
        Math(f"A \\notin {n.P}"), " (chain reduction).",
    ))
    return reduction, curve, argument


def _chain_not_closed(cert: dict[str, Any], n: _Names | None = None) -> _NotClosedParts:
    chain = _chain_of(cert)
    n = n or _Names("", len(chain.factors))
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
            preamble = _headed("Reduction.", reduction)
    else:
        argument = [_p(f"By the {lemma}: {proof.get('argument', '')}")]
    return _NotClosedParts(
        _chain_setting(chain, n), n.P, chain.dims[0], chain.dims[-1],
        {cell: v for cell, v in limit.items() if v}, preamble, curve, _cite(argument, proof.get("reference") or THEORY),
    )


def _fixed_map(
    proof: dict[str, Any], dims: tuple[int, ...] | None, first: int, terms: list[str], supports: list[str],
    target: str, cells: int | None,
) -> list[Block]:
    """A fixed-factor proof over the factors ``first, first + 1, …`` (fixed ones named ``F_level``).

    ``terms`` and ``supports`` name the factors and their supports; the map onto ``target``
    (LaTeX) has rank ``proof["rank"]`` (else ``cells``), the number of cells of the target.
    """
    free = int(proof.get("free", 1))
    fixed = proof.get("fixed", [])
    count = len(terms)
    rank = proof.get("rank", cells)
    if count == 1:
        return [_p(
            "With one factor, ", Math(terms[0]), " ranges over every matrix supported on ", Math(supports[0]),
            ", which is ", Math(target), ".",
        )]
    names, drawn = [], []
    for position in range(1, count + 1):
        if position == free:
            continue
        name = f"F_{{{first + position - 1}}}"
        values = _rationals(fixed[position - 1]) if position - 1 < len(fixed) else {}
        rows, cols = (dims[position - 1], dims[position]) if dims else (None, None)
        names.append(name)
        drawn.append(f"{name} = {_bare(rows, cols, values)}")
    factors = [terms[free - 1] if p == free else f"F_{{{first + p - 1}}}" for p in range(1, count + 1)]
    return [
        _p("Fix ", Math(", ".join(names)), " as follows:"),
        _displays(drawn),
        _p(
            "Then ", Math(f"{terms[free - 1]} \\mapsto {' '.join(factors)}"),
            " is linear on the matrices supported on ", Math(supports[free - 1]), ", with values in ", Math(target),
            "; its matrix (one row per cell, one column per allowed entry) has rank ",
            Math(str(rank) if rank is not None else "|S|"), ", the number of cells, so the map is onto ",
            Math(target), ".",
        ),
    ]


def _sub_chain(after: _Chain | None, first: int, last: int) -> tuple[int, ...] | None:
    return after.dims[first - 1: last + 1] if after else None


def _fixed_factor_closed(proof: dict[str, Any], after: _Chain | None, m: _Names) -> list[Block]:
    M = m.length
    blocks: list[Block] = [_p(
        "Let ", Math("S"), " be the boolean product support of the chain, the cells joined by an index path"
        + (":" if after else "."),
    )]
    cells = None
    if after:
        support = _product_support(after.factors)
        cells = len(support)
        blocks.append(Display(_support_tex("S", after.dims[0], after.dims[-1], support)))
    blocks += _fixed_map(
        proof, _sub_chain(after, 1, M), 1, [m.W(level) for level in range(1, M + 1)],
        [m.I(level) for level in range(1, M + 1)], "\\mathbb{R}^{S}", cells,
    )
    blocks.append(_p(
        "Every value of this map is a product, and ", Math(f"{m.P} \\subseteq \\mathbb{{R}}^{{S}}"),
        " (chain support lemma); so ", Math(f"{m.P} = \\mathbb{{R}}^{{S}}"),
        f", a linear space, closed (chain fixed-factor lemma, {THEORY}).",
    ))
    return blocks


def _index_set(values: list[Any]) -> str:
    return "\\{" + ",".join(str(int(v)) for v in values) + "\\}"


def _bottleneck_closed(proof: dict[str, Any], after: _Chain | None, m: _Names) -> list[Block]:
    M = m.length
    level, k = int(proof["level"]), int(proof["index"])
    R, C = proof.get("rows", []), proof.get("cols", [])
    left = m.product(1, level) if level == 1 else f"({m.product(1, level)})"
    right = m.product(level + 1, M) if level + 1 == M else f"({m.product(level + 1, M)})"
    x, y = f"x = {left}[:, {k}]", f"y^{{\\top}} = {right}[{k}, :]"
    left_dims = after.dims[:level] + (1,) if after else None
    right_dims = (1,) + after.dims[level + 1:] if after else None
    left_terms = [m.W(l) for l in range(1, level)] + [f"{m.W(level)}[:, {k}]"]
    left_supports = [m.I(l) for l in range(1, level)] + [f"{m.I(level)}[:, {k}]"]
    right_terms = [f"{m.W(level + 1)}[{k}, :]"] + [m.W(l) for l in range(level + 2, M + 1)]
    right_supports = [f"{m.I(level + 1)}[{k}, :]"] + [m.I(l) for l in range(level + 2, M + 1)]
    return [
        _p(
            "Every index path passes through inner index ", Math(str(k)), " between ", Math(m.W(level)), " and ",
            Math(m.W(level + 1)), ". So ", Math(f"{m.product()} = x y^{{\\top}}"), " with ", Math(x), " and ",
            Math(y), "; the two depend on disjoint sets of entries (the entries of ", Math(m.W(level)),
            " outside column ", Math(str(k)), " and of ", Math(m.W(level + 1)), " outside row ", Math(str(k)),
            " lie on no path), ", Math("x"), " is supported on ", Math(f"R = {_index_set(R)}"), " and ", Math("y"),
            " on ", Math(f"C = {_index_set(C)}"), ".",
        ),
        _p("The vectors ", Math("x"), " fill ", Math("\\mathbb{R}^{R}"), ":"),
        *_fixed_map(proof.get("left", {}), left_dims, 1, left_terms, left_supports, "\\mathbb{R}^{R}", len(R)),
        _p("The vectors ", Math("y^{\\top}"), " fill ", Math("\\mathbb{R}^{C}"), ":"),
        *_fixed_map(proof.get("right", {}), right_dims, level + 1, right_terms, right_supports, "\\mathbb{R}^{C}", len(C)),
        _p(
            "Hence ", Math(f"{m.P} = \\{{ x y^{{\\top}} : \\operatorname{{supp}} x \\subseteq R,\\ "
                           f"\\operatorname{{supp}} y \\subseteq C \\}}"),
            ", the matrices of rank at most 1 supported on ", Math("R \\times C"),
            f", a closed set (determinantal lemma; chain bottleneck lemma, {THEORY}).",
        ),
    ]


def _orbit_closed(proof: dict[str, Any], after: _Chain | None, m: _Names) -> list[Block]:
    M = m.length
    prefix, suffix = proof.get("prefix"), proof.get("suffix")
    k = int(prefix["length"]) if prefix else 1
    k2 = int(suffix["length"]) if suffix else 1
    first_suffix = M - k2 + 1
    blocks: list[Block] = [_p(
        "Let ", Math("S'"), " and ", Math("S''"), " be the boolean product supports of the prefix ",
        Math(m.product(1, k)), " and of the suffix ", Math(m.product(first_suffix, M)), ", and ", Math("S"),
        " that of the whole chain" + (":" if after else "."),
    )]
    cells = None
    if after:
        S1, S2 = _product_support(after.factors[:k]), _product_support(after.factors[first_suffix - 1:])
        S = _product_support(after.factors)
        cells = (len(S1), len(S2))
        dims = after.dims
        blocks.append(_displays([
            _support_tex("S'", dims[0], dims[k], S1), _support_tex("S''", dims[first_suffix - 1], dims[M], S2),
            _support_tex("S", dims[0], dims[M], S),
        ]))
    for part, length, first, target, name in ((prefix, k, 1, "S'", "prefix"), (suffix, k2, first_suffix, "S''", "suffix")):
        last = first + length - 1
        if part is None or length == 1:
            blocks.append(_p(
                f"The {name} is one factor: its products ", Math(m.W(first)), " fill ",
                Math(f"\\mathbb{{R}}^{{{target}}}"), " trivially.",
            ))
            continue
        blocks.append(_p(f"The products of the {name} fill ", Math(f"\\mathbb{{R}}^{{{target}}}"), ":"))
        blocks += _fixed_map(
            part, _sub_chain(after, first, last), first, [m.W(l) for l in range(first, last + 1)],
            [m.I(l) for l in range(first, last + 1)], f"\\mathbb{{R}}^{{{target}}}",
            (cells[0] if name == "prefix" else cells[1]) if cells else None,
        )
    blocks.append(_p(
        "The row patterns of ", Math("S'"), " (the sets of columns of its rows) are totally ordered by inclusion, "
        "and so are the column patterns of ", Math("S''"), ". So invertible diagonal scalings, adding a multiple of a "
        "row to a row with a larger pattern and of a column to a column with a larger pattern map ", Math(m.P),
        " and its Zariski closure ", Math("Z"), " into themselves, and bring every matrix on ", Math("S"),
        " to a partial permutation matrix ", Math("\\sigma"), " (at most one 1 per row and per column) on ",
        Math("S"), ".",
    ))
    generators = proof.get("generators", [])
    if generators:
        blocks += [
            _p(
                "The polynomials below, in the entries ", Math("a_{i,j}"), " of the product, vanish identically on ",
                Math(m.product()), " (checked by expansion), so their zero set ", Math("V"), " contains ", Math("Z"), ":",
            ),
            Display("\\begin{aligned} " + " \\\\ ".join(
                f"g_{{{index}}} &= {_poly(generator)}" for index, generator in enumerate(generators, start=1)
            ) + " \\end{aligned}"),
        ]
    else:
        blocks.append(_p("No polynomial is listed: take ", Math("V = \\mathbb{C}^{S}"), ", which contains ", Math("Z"), "."))
    factorisations = proof.get("factorisations", [])
    rows, cols = (after.dims[0], after.dims[-1]) if after else (None, None)
    items = []
    for item in factorisations[:MAX_FACTORISATIONS]:
        sigma = {(int(i), int(j)): Fraction(1) for i, j in item.get("ones", [])}
        factors = [
            _bare(*((after.dims[level], after.dims[level + 1]) if after else (None, None)), _rationals(values))
            for level, values in enumerate(item.get("factors", []))
        ]
        items.append(_p(Math(f"{_bare(rows, cols, sigma)} = " + " ".join(factors))))
    more = len(factorisations) - MAX_FACTORISATIONS
    blocks += [
        _p(
            f"Each of the {len(factorisations)} partial permutation matrices ", Math("\\sigma"), " on ", Math("S"),
            " lying on ", Math("V"), " is a product ", Math(f"\\sigma = {m.product()}"),
            " of exact factors respecting the supports"
            + (f"; the first {MAX_FACTORISATIONS}, the others in the certificate:" if more > 0 else ":"),
        ),
        Items(tuple(items)),
        _p(
            "So every point of ", Math("Z(\\mathbb{R})"), " is ", Math("g \\sigma h"), " with ", Math("\\sigma"),
            " a product and ", Math("g"), ", ", Math("h"), " mapping ", Math(m.P), " into itself: ",
            Math(f"{m.P} = Z(\\mathbb{{R}})"), f", the real zero set of polynomials, closed (chain orbit lemma, {THEORY}).",
        ),
    ]
    return blocks


def _kronecker_closed(proof: dict[str, Any], m: _Names) -> list[Block]:
    patterns = [tuple(int(v) for v in pattern) for pattern in proof.get("patterns", [])]
    if not patterns:
        return [_p(f"By the chainable Kronecker-sparse lemma ({proof.get('lemma', '')}, {THEORY}).")]
    pairs = []
    for level, ((a, b, c, d), (a2, b2, c2, d2)) in enumerate(pairwise(patterns), start=1):
        pairs.append(_p(Math(
            f"({a},{b},{c},{d}), ({a2},{b2},{c2},{d2})\\colon\\ {a * c * d} = {a2 * b2 * d2},\\ {a} \\mid {a2},\\ "
            f"{d2} \\mid {d},\\ {a2} \\mid {a * c},\\ r_{{{level}}} = {_rat(Fraction(a * c, a2))}"
        )))
    (a1, b1, _, d1), (aN, _, cN, dN) = patterns[0], patterns[-1]
    tau = f"({a1},{_rat(Fraction(b1 * d1, dN))},{_rat(Fraction(aN * cN, a1))},{dN})"
    blocks: list[Block] = [
        _p(
            "Every support is a Kronecker-sparse pattern ",
            Math("S_{(a,b,c,d)} = \\mathrm{Id}_a \\otimes \\mathbf{1}_{b \\times c} \\otimes \\mathrm{Id}_d"),
            " (of size ", Math("abd \\times acd"), "):",
        ),
        Items(tuple(
            _p(Math(f"{m.I(level)} = S_{{({a},{b},{c},{d})}}")) for level, (a, b, c, d) in enumerate(patterns, start=1)
        )),
    ]
    if pairs:
        blocks += [
            _p(
                "and consecutive patterns ", Math("(a,b,c,d), (a',b',c',d')"), " are chainable: ", Math("acd = a'b'd'"),
                ", ", Math("a \\mid a'"), ", ", Math("d' \\mid d"), " and ", Math("a' \\mid ac"), ", with rank ",
                Math("r = ac/a'"), ":",
            ),
            Items(tuple(pairs)),
        ]
    reference = proof.get("reference") or f"arXiv:2411.04506; {THEORY}"
    blocks.append(_p(
        "By the chainable Kronecker-sparse lemma (chainable Kronecker theorem, ", reference, "), ", Math(m.P),
        " is the set of matrices supported on ", Math(f"S_{{{tau}}}"), " whose blocks at each split ", Math("\\ell"),
        " have rank at most ", Math("r_\\ell"), ": it is cut out by vanishing entries and vanishing minors, so it is closed.",
    ))
    return blocks


def _zariski_closed(proof: dict[str, Any], m: _Names) -> list[Block]:
    blocks: list[Block] = [_p(
        "Let ", Math("Z"), " be the Zariski closure of ", Math(m.P), "; then ", Math(f"{m.P} \\subseteq Z(\\mathbb{{R}})"),
        ", a closed set. An engine decided that every real point of ", Math("Z"), " is a product, so ",
        Math(f"{m.P} = Z(\\mathbb{{R}})"), f" is closed (chain Zariski-closure criterion, {THEORY}).",
    )]
    for index, record in enumerate(proof.get("records", [])):
        blocks.append(_p(
            f"Engine record {index}: {record.get('engine', '')} {record.get('version', '')} answered "
            f"{record.get('result', '')} ({record.get('logic', '')}); this step rests on that engine, "
            "not on an independently checkable certificate."
        ))
    return blocks


def _reduced_closed(reduced: dict[str, Any], m: _Names) -> list[Block]:
    if reduced.get("kind") == "chain":
        chain = _chain_of(reduced)
        n = _Names(m.prime, len(chain.factors))
        return [
            _p("The reduced certificate proves ", Math(n.P), f" closed (chain reduction, {THEORY}). In its notation,"),
            *_chain_setting(chain, n),
            *_chain_closed_body(reduced, chain, n),
        ]
    statement, body = _closed(reduced)
    return [
        _p(
            "Two factors are left: the set of products ", Math(m.P), " is the two-factor set ", Math("P_{I,J}"),
            " with ", Math(f"I = {m.I(1)}"), ", ", Math(f"J = {m.I(2)}^{{\\top}}"), " (", Math(f"X = {m.W(1)}"), ", ",
            Math(f"Y = {m.W(2)}^{{\\top}}"), f"), which the reduced certificate proves closed (chain reduction, {THEORY}). "
            "In its notation,",
        ),
        *statement[:-1],
        *body,
    ]


def _closing_lemma(proof: dict[str, Any], after: _Chain | None, m: _Names) -> list[Block]:
    """What closes the chain left by the steps (named by ``m``)."""
    lemma = proof.get("lemma", "")
    if lemma == "one factor":
        return [_p(
            "Only one factor is left: ", Math(f"{m.P} = \\{{ {m.W(1)} \\}}"),
            " is the linear space of the matrices supported on ", Math(m.I(1)), f", closed (one-factor lemma, {THEORY}).",
        )]
    if lemma == "chain support lemma":
        return [_p(
            "No index path ", Math("i = k_0 \\to k_1 \\to \\dots \\to k_N = j"), " crosses the chain: the boolean "
            "product of ", Math(m.supports()), " is empty, so every product is 0 and ", Math(f"{m.P} = \\{{0\\}}"),
            f", closed (chain support lemma, {THEORY}).",
        )]
    if lemma == "chain fixed-factor lemma":
        return _fixed_factor_closed(proof, after, m)
    if lemma == "chain bottleneck lemma":
        return _bottleneck_closed(proof, after, m)
    if lemma == "chain orbit lemma":
        return _orbit_closed(proof, after, m)
    if lemma == "chainable Kronecker theorem":
        return _kronecker_closed(proof, m)
    if lemma == "chain Zariski-closure criterion":
        return _zariski_closed(proof, m)
    if lemma == "chain reduction" and isinstance(proof.get("reduced"), dict):
        return _reduced_closed(proof["reduced"], m)
    return [_p(f"By the {lemma}: {proof.get('argument', '')}")]


def _chain_closed_body(cert: dict[str, Any], chain: _Chain, n: _Names) -> list[Block]:
    steps = cert.get("steps", [])
    proof = cert.get("proof", {})
    after = _replay(chain, steps) if steps else chain
    m = _Names(n.prime + "'", len(after.factors) if after else 0) if steps else n
    body: list[Block] = []
    if steps:
        body += [
            _p(
                "The reductions below keep the set of products unchanged, each by its condition (a full-pair step by "
                "the full-space lemma), so they leave a chain ", Math(m.C), " whose set of products ", Math(m.P),
                " equals ", Math(n.P), f" (set-equality principle, {THEORY}); levels and indices in each step refer "
                "to the chain left by the previous ones:",
            ),
            _steps_items(steps, n),
        ]
        if after is not None and proof.get("lemma") != "chain reduction":
            body += [
                _p("They leave ", Math(f"{m.C} = ({m.supports()})"), ":"),
                _displays([
                    _support_tex(m.I(level), after.dims[level - 1], after.dims[level], after.factors[level - 1])
                    for level in range(1, m.length + 1)
                ]),
            ]
    body += _closing_lemma(proof, after, m)
    body.append(_p("Hence ", Math(n.P), " is closed."))
    return body


def _chain_closed(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    chain = _chain_of(cert)
    n = _Names("", len(chain.factors))
    statement = _chain_setting(chain, n) + [_p("Then ", Math(n.P), " is closed.")] + _engine_record_note(cert)
    return statement, _chain_closed_body(cert, chain, n)


def _chain_unknown(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    chain = _chain_of(cert)
    n = _Names("", len(chain.factors))
    statement = _chain_setting(chain, n) + [_p("Whether ", Math(n.P), " is closed is not decided here.")]
    body: list[Block] = [_p("What was established:")]
    body.append(Items(tuple(_p(reason) for reason in cert.get("reasons", [])) or (_p("nothing"),)))
    body.append(_p("Undecided:"))
    body.append(Items(tuple(_p(item) for item in cert.get("undecided", []))))
    return statement, body


def _document(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    verdict = cert.get("verdict")
    if verdict == "not-closed":
        return _not_closed(cert)
    if cert.get("kind") == "chain":
        return _chain_closed(cert) if verdict == "closed" else _chain_unknown(cert)
    if verdict == "closed":
        return _closed(cert)
    return _unknown(cert)


# ----------------------------------------------------------------------------- Markdown


def _md_text(text: str) -> str:
    return re.sub(r"([\\`*_$<>])", r"\\\1", text)


def _md_piece(piece: Piece) -> str:
    if isinstance(piece, Math):
        return f"${piece}$"
    if isinstance(piece, Emph):
        return f"*{_md_text(piece)}*"
    return _md_text(piece)


def _md_para(para: Para) -> str:
    return "".join(_md_piece(piece) for piece in para.pieces)


def _md_block(block: Block) -> str:
    if isinstance(block, Display):
        return f"$$\n{block.tex}\n$$"
    if isinstance(block, Items):
        return "\n".join("- " + _md_para(item) for item in block.items)
    return _md_para(block)


def render_certificate_markdown(cert: dict[str, Any]) -> str:
    """The certificate as a Markdown statement and proof (formulas in ``$…$``, ``$$…$$``).

    Parameters
    ----------
    cert
        A certificate dict (:func:`closure_check.certjson.certificate_json`, or a chain
        certificate of :func:`closure_check.chain_certjson.chain_certificate_json`); it
        should verify (:func:`closure_check.verifier.verify_certificate`), nothing is
        re-checked.

    Returns
    -------
    str
        A title (the certificate's name), **Proposition.** and **Proof.** ending in ∎.
    """
    statement, body = _document(cert)
    title = cert.get("name") or "closure-check certificate"
    lines = [f"### {_md_text(title)}"]
    label = "Proposition." if cert.get("verdict") != "unknown" else "Open question."
    blocks = [_md_block(b) for b in statement]
    lines += [f"**{label}** " + blocks[0]] + blocks[1:]
    proof = [_md_block(b) for b in body]
    if cert.get("verdict") == "unknown":
        lines += ["**Status.** " + proof[0]] + proof[1:]
    else:
        lines += ["**Proof.** " + proof[0]] + proof[1:]
        lines[-1] += " ∎" if isinstance(body[-1], Para) else "\n\n∎"
    return "\n\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- LaTeX

_TEX_SPECIAL = {
    "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "$": "\\$", "&": "\\&", "#": "\\#",
    "_": "\\_", "%": "\\%", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}",
}
_TEX_TEXT = {"§": "\\S{}", "—": "---", "–": "--", "…": "\\dots{}", "’": "'", "‘": "`", "“": "``", "”": "''", "\u00a0": "~", "∎": "\\qed{}"}
_TEX_MATH = {
    "×": "\\times ", "μ": "\\mu ", "≥": "\\geq ", "≤": "\\leq ", "ᵀ": "^{\\top}", "∉": "\\notin ", "∈": "\\in ",
    "·": "\\cdot ", "Σ": "\\Sigma ", "ℂ": "\\mathbb{C}", "ℝ": "\\mathbb{R}", "ℚ": "\\mathbb{Q}", "→": "\\to ",
    "≠": "\\neq ", "⊆": "\\subseteq ", "⊊": "\\subsetneq ", "∅": "\\emptyset ", "∩": "\\cap ", "∪": "\\cup ",
    "⊕": "\\oplus ", "∧": "\\wedge ", "∨": "\\vee ", "≅": "\\cong ", "⇔": "\\Leftrightarrow ", "⇒": "\\Rightarrow ",
    "∞": "\\infty ", "π": "\\pi ", "λ": "\\lambda ", "ε": "\\varepsilon ", "′": "'", "∖": "\\setminus ",
    "⋯": "\\cdots ", "ℓ": "\\ell ", "∃": "\\exists ", "∀": "\\forall ", "‖": "\\|", "√": "\\surd ", "±": "\\pm ", "∑": "\\sum ", "∏": "\\prod ", "⌊": "\\lfloor ", "⌋": "\\rfloor ",
}
_SUPERSCRIPT = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+"))
_SUBSCRIPT = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))


def _tex_text(text: str) -> str:
    r"""Prose with LaTeX's special characters escaped and Unicode mathematics in ``$…$``.

    >>> print(_tex_text("rank ≤ μ on {0} × {1}, t⁻¹, E_{0,1}"))
    rank $\leq$ $\mu$ on \{0\} $\times$ \{1\}, t$^{-1}$, E\_\{0,1\}
    """
    out: list[str] = []
    math: list[str] = []
    script: list[str] = []
    marker = ""

    def close_script() -> None:
        if script:
            math.append(f"{marker}{{{''.join(script)}}}")
            script.clear()

    def close_math() -> None:
        close_script()
        if math:
            out.append("$" + "".join(math).rstrip() + "$")
            math.clear()

    for char in text:
        if char in _SUPERSCRIPT or char in _SUBSCRIPT:
            kind = "^" if char in _SUPERSCRIPT else "_"
            if script and marker != kind:
                close_script()
            marker = kind
            script.append(_SUPERSCRIPT.get(char) or _SUBSCRIPT[char])
        elif char in _TEX_MATH:
            close_script()
            math.append(_TEX_MATH[char])
        else:
            close_math()
            out.append(_TEX_SPECIAL.get(char) or _TEX_TEXT.get(char) or char)
    close_math()
    return "".join(out)


def _tex_piece(piece: Piece) -> str:
    if isinstance(piece, Math):
        return f"${piece}$"
    if isinstance(piece, Emph):
        return f"\\emph{{{_tex_text(piece)}}}"
    return _tex_text(piece)


def _tex_para(para: Para) -> str:
    return "".join(_tex_piece(piece) for piece in para.pieces)


def _tex_block(block: Block) -> str:
    if isinstance(block, Display):
        return f"\\[\n{block.tex}\n\\]"
    if isinstance(block, Items):
        return "\\begin{itemize}\n" + "\n".join("  \\item " + _tex_para(item) for item in block.items) + "\n\\end{itemize}"
    return _tex_para(block)


_PREAMBLE = (
    "\\documentclass{article}\n\\usepackage{amsmath,amssymb,amsthm}\n"
    "\\newtheorem{proposition}{Proposition}\n\\begin{document}\n"
)


def render_certificate_latex(cert: dict[str, Any], standalone: bool = False) -> str:
    """The certificate as a LaTeX ``proposition`` with its ``proof``.

    Parameters
    ----------
    cert
        A certificate dict, two-factor or chain; it should verify, nothing is re-checked.
    standalone
        Wrap the result in a complete document (``article``, amsmath, amssymb, amsthm,
        ``\\newtheorem{proposition}``).

    Returns
    -------
    str
        Without ``standalone``: a comment naming the packages it needs, then the
        environments, ready to paste into a paper.
    """
    statement, body = _document(cert)
    name = cert.get("name") or "closure-check certificate"
    environment = "proposition" if cert.get("verdict") != "unknown" else "quote"
    lines = [
        f"% {_tex_text(name)}: certificate by {_tex_text(str(cert.get('producer', 'closure-check')))}",
        "% needs amsmath, amssymb, amsthm and \\newtheorem{proposition}{Proposition}",
        f"\\begin{{{environment}}}",
        *(_tex_block(b) for b in statement),
        f"\\end{{{environment}}}",
        "\\begin{proof}" if cert.get("verdict") != "unknown" else "\\begin{quote}",
        *(_tex_block(b) for b in body),
        "\\end{proof}" if cert.get("verdict") != "unknown" else "\\end{quote}",
    ]
    text = "\n\n".join(lines) + "\n"
    return _PREAMBLE + text + "\\end{document}\n" if standalone else text
