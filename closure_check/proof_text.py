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
  an engine criterion decided a part.

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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from closure_check.laurent import Laurent

__all__ = ["render_certificate_latex", "render_certificate_markdown"]

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
    """``x_0_1`` → ``x_{0,1}``; other names in ``\\mathit``."""
    found = re.fullmatch(r"([a-zA-Z])_(\d+)_(\d+)", name)
    if found:
        return f"{found.group(1)}_{{{found.group(2)},{found.group(3)}}}"
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
    listed = ",\\ ".join(f"{name}_{{{a},{b}}} = {v}" for a, b, v in nonzero[:40])
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


def _nullstellensatz_argument(proof: dict[str, Any]) -> list[Block]:
    identity = proof["identity"]
    units = ", ".join(map(str, proof["obstruction_units"]))
    equations = identity["equations"]
    lines = [f"f_{{{_cell(e['cell'])}}} &= {_poly(e['f'])}" for e in equations]
    used = [e for e in equations if e["c"]]
    sum_tex = " \\\\ &\\quad + ".join(f"\\bigl({_poly(e['c'])}\\bigr)\\, f_{{{_cell(e['cell'])}}}" for e in used)
    return [
        _p(
            f"No unit other than {units} covers a cell where the system ", Math("X Y^{\\top} = A"),
            f" restricted to units {units} has an equation. So if ", Math("A = X Y^{\\top}"),
            ", the entries ", Math("x_{i,k} = X_{i,k}"), ", ", Math("y_{j,k} = Y_{j,k}"),
            f" (k among {units}) are a common zero of the polynomials (one per cell, ",
            Math("A_{i,j} = p/q"), " gives ", Math("q \\sum_k x_{i,k} y_{j,k} - p"), ")",
        ),
        Display("\\begin{aligned} " + " \\\\ ".join(lines) + " \\end{aligned}"),
        _p("But they satisfy the identity, checked by expanding it,"),
        Display(
            "\\begin{aligned} & " + (sum_tex or "0") + f" \\\\ &= {_rat(Fraction(identity['constant']))} \\end{{aligned}}"
        ),
        _p(
            "whose right side is a nonzero constant; so they have no common zero, not even over ",
            Math("\\mathbb{C}"), " (weak Nullstellensatz). So ", Math("A"), " is not a product.",
        ),
    ]


def _not_closed(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    data = _data(cert)
    proof = cert["proof"]
    product = _product(data)
    zero = Laurent()
    statement = _setting(cert, data) + [
        _p("Then ", Math("P_{I,J}"), " is not closed: the matrix"),
        Display(_matrix("A", data.m, data.n, lambda i, j: _rat(data.limit.get((i, j), Fraction(0))))),
        _p("lies in the closure of ", Math("P_{I,J}"), " but not in ", Math("P_{I,J}"), "."),
    ]
    body: list[Block] = [
        _p(Emph("A is a limit of products."), " For ", Math("t > 0"), " let"),
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
    reference = proof.get("reference")
    argument[0] = Para((Emph("A is not a product."), " ") + argument[0].pieces)
    if reference and isinstance(argument[-1], Para):
        argument[-1] = Para(argument[-1].pieces + (f" (See {reference}.)",))
    return statement, body + argument


def _closed(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    data = _data(cert)
    statement = _setting(cert, data) + [_p("Then ", Math("P_{I,J}"), " is closed.")]
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


def _document(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    verdict = cert.get("verdict")
    if verdict == "not-closed":
        return _not_closed(cert)
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
        A certificate dict (:func:`closure_check.certjson.certificate_json`); it should
        verify (:func:`closure_check.verifier.verify_certificate`), nothing is re-checked.

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
    "∃": "\\exists ", "∀": "\\forall ", "‖": "\\|", "√": "\\surd ", "±": "\\pm ", "∑": "\\sum ", "∏": "\\prod ", "⌊": "\\lfloor ", "⌋": "\\rfloor ",
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
        A certificate dict; it should verify, nothing is re-checked.
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
