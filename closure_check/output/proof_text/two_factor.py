"""Two-factor certificates (``"kind": "two-factor"``) as a proposition with its proof.

* NOT CLOSED: *Proposition* -- ``P_{I,J}`` is not closed, with the limit A. *Proof* --
  the curve ``X(t), Y(t)`` written out, the exact product ``X(t)Y(t)ᵀ`` and its limit A as
  ``t → 0⁺`` (Laurent curve lemma), then why A is not a product: the lemma's argument on
  the obstruction cells (local-LU, shared-rows, shared-columns) or the Nullstellensatz
  identity written out.
* CLOSED: the lemma behind each step, the reductions applied, and the engine records if
  an engine criterion decided a part.
* UNKNOWN: what was established and what is undecided.

A NOT CLOSED proof is built in parts (:class:`NotClosedParts`) so that a chain certificate
can embed a reduced two-factor one; :func:`not_closed` assembles the parts of either kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from closure_check.core.laurent import Laurent
from closure_check.output.certificate_json.two_factor import (
    pattern_classes,
    side_matrix,
)
from closure_check.output.proof_text.blocks import (
    MAX_DRAWN,
    MAX_LISTED,
    Block,
    Display,
    Emph,
    Items,
    Math,
    Para,
    Piece,
    cell,
    index_set,
    laurent,
    listed_entries,
    matrix,
    para,
    pmatrix,
    poly,
    rat,
)

#: A CLOSED proof lists at most this many classes.
MAX_CLASSES = 40


def _size(klass: dict[str, list[int]]) -> str:
    rows, cols = len(klass["rows"]), len(klass["cols"])
    return f" ({rows}×{cols})" if max(rows, cols) > 8 else ""


def _units(units: list[int]) -> str:
    return ", ".join(map(str, units)) if len(units) <= 12 else ", ".join(map(str, units[:6])) + f", … ({len(units)} units)"

# ----------------------------------------------------------------------------- the certificate's data


@dataclass(frozen=True)
class _Side:
    """One support of the pattern as the certificate writes it (pairs, or a compact encoding)."""

    rows: int
    cols: int
    value: Any

    @property
    def kronecker(self) -> list[int] | None:
        """``[a, b, c, d]`` when the certificate gives the support by its Kronecker parameters."""
        if isinstance(self.value, dict) and self.value.get("encoding") == "kronecker":
            return [int(v) for v in self.value["parameters"]]
        return None

    def first_ones(self, count: int) -> list[tuple[int, int]]:
        """The first ``count`` nonzero positions in row-major order (``O(nnz)`` at most)."""
        if isinstance(self.value, list):
            return sorted((int(a), int(b)) for a, b in self.value)[:count]
        ones = side_matrix(self.value, self.rows, self.cols)
        ones.sort_indices()
        taken = min(count, int(ones.indptr[-1]))
        rows = np.searchsorted(ones.indptr, np.arange(taken), side="right") - 1
        return list(zip(rows.tolist(), ones.indices[:taken].tolist()))

    def dense(self) -> list[list[int]]:
        """The support as a 0/1 list of rows (small supports only)."""
        return side_matrix(self.value, self.rows, self.cols).toarray().tolist()


@dataclass(frozen=True)
class _Data:
    m: int
    n: int
    r: int
    I: _Side
    J: _Side
    limit: dict[tuple[int, int], Fraction]
    X: dict[tuple[int, int], Laurent]
    Y: dict[tuple[int, int], Laurent]


def _data(cert: dict[str, Any]) -> _Data:
    pattern = cert["pattern"]
    limit = {tuple(item["cell"]): Fraction(item["value"]) for item in cert.get("limit", [])}
    curve = cert.get("curve", {"X": [], "Y": []})

    def entries(items: list[dict[str, Any]]) -> dict[tuple[int, int], Laurent]:
        return {tuple(item["entry"]): Laurent({int(e): Fraction(c) for e, c in item["laurent"].items()}) for item in items}

    m, n, r = pattern["m"], pattern["n"], pattern["r"]
    return _Data(
        m, n, r, _Side(m, r, pattern["I"]), _Side(n, r, pattern["J"]),
        {cell: v for cell, v in limit.items() if v},  # type: ignore[misc]
        entries(curve["X"]), entries(curve["Y"]),  # type: ignore[arg-type]
    )


def _support_matrix(name: str, side: _Side) -> str:
    """A support drawn (small), by its Kronecker parameters, or by its first nonzero entries."""
    if max(side.rows, side.cols) <= MAX_DRAWN:
        return f"{name} = " + pmatrix([[str(v) for v in row] for row in side.dense()])
    if side.kronecker is not None:
        a, b, c, d = side.kronecker
        return (
            f"{name} = \\mathrm{{Id}}_{{{a}}} \\otimes \\mathbf{{1}}_{{{b} \\times {c}}} \\otimes \\mathrm{{Id}}_{{{d}}} "
            f"\\in \\{{0,1\\}}^{{{side.rows} \\times {side.cols}}}"
        )
    return listed_entries(name, [(a, b, "1") for a, b in side.first_ones(MAX_LISTED + 1)])


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
        para(
            "Let ",
            Math(f"X \\in \\mathbb{{R}}^{{{data.m} \\times {data.r}}}"), " and ",
            Math(f"Y \\in \\mathbb{{R}}^{{{data.n} \\times {data.r}}}"), " range over the matrices with ",
            Math("\\operatorname{supp} X \\subseteq I"), " and ", Math("\\operatorname{supp} Y \\subseteq J"),
            ", where",
        ),
        Display(_support_matrix("I", data.I) + ", \\qquad " + _support_matrix("J", data.J)),
        Para(_kronecker_note(data) + ("and let ", Math("P_{I,J} = \\{ X Y^{\\top} \\}"), " be the set of their products.")),
    ]


def _kronecker_note(data: _Data) -> tuple[Piece, ...]:
    if data.I.kronecker is None and data.J.kronecker is None:
        return ()
    return (
        "with ", Math("\\mathrm{Id}_a"), " the ", Math("a \\times a"), " identity and ",
        Math("\\mathbf{1}_{b \\times c}"), " the ", Math("b \\times c"), " matrix of ones (Kronecker-sparse supports), ",
    )


def _lu_argument(roles: dict[str, Any], data: _Data) -> list[Block]:
    k = roles["unit"]
    (i1, i2), (j1, j2) = roles["rows"], roles["cols"]
    A = data.limit

    def cell(i: int, j: int) -> Math:
        return Math(f"X_{{{i},{k}}} Y_{{{j},{k}}} = A_{{{i},{j}}} = {rat(A.get((i, j), Fraction(0)))}")

    return [para(
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
        return "\\begin{pmatrix} " + " \\\\ ".join(rat(A.get(at(l, c), Fraction(0))) for l in (l1, l2)) + " \\end{pmatrix}"

    def restricted(unit: int) -> str:
        return f"{factor}_{{\\{{{l1},{l2}\\}},{unit}}}"

    return [
        para(
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
        para(
            "The first two vectors are nonzero and parallel, so ", Math(f"u_{{{a}}}"), " and ", Math(f"u_{{{b}}}"),
            " are both multiples of the first; then so is the left side of the third equation, but its right "
            "side is not. So ", Math("A"), " is not a product.",
        ),
    ]


def identity_blocks(identity: dict[str, Any]) -> tuple[Display, Para, Display]:
    """The equations ``f_(i,j)``, the sentence introducing the identity, and ``Σ c f = constant``."""
    equations = identity["equations"]
    lines = [f"f_{{{cell(e['cell'])}}} &= {poly(e['f'])}" for e in equations]
    used = [e for e in equations if e["c"]]
    sum_tex = " \\\\ &\\quad + ".join(f"\\bigl({poly(e['c'])}\\bigr)\\, f_{{{cell(e['cell'])}}}" for e in used)
    return (
        Display("\\begin{aligned} " + " \\\\ ".join(lines) + " \\end{aligned}"),
        para("But they satisfy the identity, checked by expanding it,"),
        Display(
            "\\begin{aligned} & " + (sum_tex or "0") + f" \\\\ &= {rat(Fraction(identity['constant']))} \\end{{aligned}}"
        ),
    )


def _nullstellensatz_argument(proof: dict[str, Any]) -> list[Block]:
    identity = proof["identity"]
    units = ", ".join(map(str, proof["obstruction_units"]))
    equations, said, total = identity_blocks(identity)
    return [
        para(
            f"No unit other than {units} covers a cell where the system ", Math("X Y^{\\top} = A"),
            f" restricted to units {units} has an equation. So if ", Math("A = X Y^{\\top}"),
            ", the entries ", Math("x_{i,k} = X_{i,k}"), ", ", Math("y_{j,k} = Y_{j,k}"),
            f" (k among {units}) are a common zero of the polynomials (one per cell, ",
            Math("A_{i,j} = p/q"), " gives ", Math("q \\sum_k x_{i,k} y_{j,k} - p"), ")",
        ),
        equations,
        said,
        total,
        para(
            "whose right side is a nonzero constant; so they have no common zero, not even over ",
            Math("\\mathbb{C}"), " (weak Nullstellensatz). So ", Math("A"), " is not a product.",
        ),
    ]


@dataclass(frozen=True)
class NotClosedParts:
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


def cite(blocks: list[Block], reference: str | None) -> list[Block]:
    """``blocks`` with "(See ``reference``.)" appended to the last paragraph."""
    if reference and blocks and isinstance(blocks[-1], Para):
        blocks[-1] = Para(blocks[-1].pieces + (f" (See {reference}.)",))
    return blocks


def two_factor_not_closed(cert: dict[str, Any]) -> NotClosedParts:
    """The NOT CLOSED proof of a two-factor certificate: the curve ``X(t), Y(t)``, then the lemma's argument."""
    data = _data(cert)
    proof = cert["proof"]
    product = _product(data)
    zero = Laurent()
    curve: list[Block] = [
        para("For ", Math("t > 0"), " let"),
        Display(
            matrix("X(t)", data.m, data.r, lambda i, k: laurent(data.X.get((i, k), zero)), data.X)
            + ", \\qquad "
            + matrix("Y(t)", data.n, data.r, lambda j, k: laurent(data.Y.get((j, k), zero)), data.Y)
        ),
        para(
            "Their supports lie in ", Math("I"), " and ", Math("J"), ", so ", Math("X(t) Y(t)^{\\top} \\in P_{I,J}"),
            " for every ",
            Math("t > 0"), ", and",
        ),
        Display(
            matrix("X(t) Y(t)^{\\top}", data.m, data.n, lambda i, j: laurent(product.get((i, j), zero)), product)
            + " \\longrightarrow A \\quad (t \\to 0^{+})"
        ),
        para(
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
        argument = [para(f"By the {lemma}: {proof.get('argument', '')}")]
        for index, record in enumerate(proof.get("records", [])):
            argument.append(para(
                f"(Engine record {index}: {record.get('engine', '')} {record.get('version', '')} answered "
                f"{record.get('result', '')}; this is not an independently checkable certificate.)"
            ))
    return NotClosedParts(
        _setting(cert, data), "P_{I,J}", data.m, data.n, data.limit, [], curve,
        cite(argument, proof.get("reference")),
    )


def headed(heading: str, blocks: list[Block]) -> list[Block]:
    """``blocks`` with ``heading`` (emphasised) run into the first paragraph."""
    if not blocks:
        return []
    if isinstance(blocks[0], Para):
        return [Para((Emph(heading), " ") + blocks[0].pieces)] + blocks[1:]
    return [para(Emph(heading))] + blocks


def not_closed(parts: NotClosedParts) -> tuple[list[Block], list[Block]]:
    """The NOT CLOSED statement (setting, A drawn) and proof of ``parts``, two-factor or chain."""
    statement = parts.setting + [
        para("Then ", Math(parts.P), " is not closed: the matrix"),
        Display(matrix("A", parts.rows, parts.cols, lambda i, j: rat(parts.limit.get((i, j), Fraction(0))), parts.limit)),
        para("lies in the closure of ", Math(parts.P), " but not in ", Math(parts.P), "."),
    ]
    body = parts.preamble + headed("A is a limit of products.", parts.curve)
    return statement, body + headed("A is not a product.", parts.argument)


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


def engine_record_note(cert: dict[str, Any]) -> list[Block]:
    """The statement's warning for a CLOSED verdict resting on an engine record (else nothing)."""
    if not rests_on_engine_record(cert):
        return []
    return [para(
        Emph("CLOSED (engine record)."),
        " The proof below rests on an engine's answer (z3's unsat to the Zariski-closure criterion, "
        "docs/theory.md §5–6), which is trusted, not an independently checkable certificate.",
    )]


def closed(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    """The CLOSED statement and proof of a two-factor certificate (structural lemma, steps, parts, records)."""
    data = _data(cert)
    statement = _setting(cert, data) + [para("Then ", Math("P_{I,J}"), " is closed.")] + engine_record_note(cert)
    structure = cert.get("structure", {})
    if structure.get("encoding") == "derived":
        total, classes = pattern_classes(cert["pattern"], MAX_CLASSES)
    else:
        classes = structure.get("classes", [])
        total = len(classes)
    listed = "" if not classes else (" The classes are:" if total <= MAX_CLASSES else f" There are {total} classes; the first {MAX_CLASSES} are:")
    body: list[Block] = [para(
        "By the structural lemma, ", Math("P_{I,J}"), " is the Minkowski sum, over the classes of units with "
        "equal rectangles ", Math("R \\times C"), " (", Math("\\mu"), " units each), of the matrices supported in ",
        Math("R \\times C"), " of rank at most ", Math("\\mu"), "." + listed,
    )]
    if classes:
        body.append(Items(tuple(
            para(Math(f"{index_set(c['rows'])} \\times {index_set(c['cols'])}"), _size(c),
                 f", μ = {len(c['units'])} (unit{'s' if len(c['units']) > 1 else ''} {_units(c['units'])})")
            for c in classes[:MAX_CLASSES]
        )))
    steps = cert.get("steps", [])
    if steps:
        body.append(para("Reductions applied, each keeping closedness unchanged:"))
        body.append(Items(tuple(para(f"{s['text']} ({s['lemma']})") for s in steps)))
    body.append(para("The argument, each step with its lemma:"))
    body.append(Items(tuple(para(f"{p['text']} [{p.get('reference', '')}]") for p in cert.get("parts", []))))
    for index, record in enumerate(cert.get("records", [])):
        body.append(para(
            f"Engine record {index}: {record.get('engine', '')} {record.get('version', '')} answered "
            f"{record.get('result', '')} ({record.get('logic', '')}); the step that cites it rests on that engine, "
            "not on an independently checkable certificate."
        ))
    body.append(para("Hence ", Math("P_{I,J}"), " is closed."))
    return statement, body


def unknown(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    """The open question of an UNKNOWN two-factor certificate: what was established, what is undecided."""
    data = _data(cert)
    statement = _setting(cert, data) + [para("Whether ", Math("P_{I,J}"), " is closed is not decided here.")]
    body: list[Block] = [para("What was established:")]
    body.append(Items(tuple(para(reason) for reason in cert.get("reasons", [])) or (para("nothing"),)))
    body.append(para("Undecided:"))
    body.append(Items(tuple(para(item) for item in cert.get("undecided", []))))
    return statement, body


