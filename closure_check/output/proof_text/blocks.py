r"""The document model of a rendered proof, the formulas it is made of, and its two writers.

A proof is a list of blocks (:class:`Para` of prose pieces and inline :class:`Math`,
:class:`Display` formulas, :class:`Items` lists); the formula helpers write rationals,
Laurent polynomials, polynomials and matrices in LaTeX; :func:`md_block` writes a block as
Markdown (``$…$``, ``$$…$$``), :func:`tex_block` as LaTeX.  Shared by the two-factor and the
chain renderers (:mod:`~closure_check.output.proof_text.two_factor`,
:mod:`~closure_check.output.proof_text.chain`).

>>> from fractions import Fraction
>>> block = para("so ", Math(f"A_{{0,1}} = {rat(Fraction(-1, 2))}"), " and a_b")
>>> print(md_block(block))
so $A_{0,1} = -\frac{1}{2}$ and a\_b
>>> print(tex_block(block))
so $A_{0,1} = -\frac{1}{2}$ and a\_b
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from closure_check.core.laurent import Laurent

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


def para(*pieces: Piece) -> Para:
    return Para(tuple(pieces))


# ----------------------------------------------------------------------------- formulas


def rat(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def laurent(value: Laurent) -> str:
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
            body = rat(size)
        elif size == 1:
            body = power
        else:
            body = f"{rat(size)} {power}"
        if not text:
            text = ("-" if c < 0 else "") + body
        else:
            text += (" - " if c < 0 else " + ") + body
    return text


def pmatrix(rows: list[list[str]]) -> str:
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


def poly(terms: list[list[Any]]) -> str:
    """A JSON polynomial ``[[coefficient, {variable: exponent}], …]`` in LaTeX."""
    if not terms:
        return "0"
    ordered = sorted(terms, key=lambda term: (-sum(term[1].values()), sorted(term[1].items())))
    text = ""
    for coefficient, powers in ordered:
        c = Fraction(coefficient)
        monomial = " ".join(_var(v) + (f"^{{{e}}}" if e != 1 else "") for v, e in sorted(powers.items()))
        size = abs(c)
        body = rat(size) if not monomial else (monomial if size == 1 else f"{rat(size)} {monomial}")
        if not text:
            text = ("-" if c < 0 else "") + body
        else:
            text += (" - " if c < 0 else " + ") + body
    return text


def cell(at: Any) -> str:
    return f"({at[0]},{at[1]})"


#: A large matrix is described by at most this many nonzero entries.
MAX_LISTED = 40


def matrix(name: str, rows: int, cols: int, entry: Callable[[int, int], str], cells: Iterable[tuple[int, int]]) -> str:
    """``name = pmatrix`` of the LaTeX ``entry(a, b)``; a large matrix by its nonzero entries.

    ``cells`` holds every cell where ``entry`` may be nonzero (in any order, repeats
    allowed): a large matrix is described from them alone, in time proportional to their
    number, never to ``rows × cols``.
    """
    if max(rows, cols) <= MAX_DRAWN:
        return f"{name} = " + pmatrix([[entry(a, b) for b in range(cols)] for a in range(rows)])
    nonzero: list[tuple[int, int, str]] = []
    for a, b in sorted(set(cells)):
        value = entry(a, b)
        if value != "0":
            nonzero.append((a, b, value))
            if len(nonzero) > MAX_LISTED:
                break
    return listed_entries(name, nonzero)


def listed_entries(name: str, nonzero: list[tuple[int, int, str]]) -> str:
    """A large matrix by its first nonzero entries ``(a, b, LaTeX)``; more than :data:`MAX_LISTED` end in dots."""
    base = f"{{{name}}}" if "_" in name else name  # I_{1}_{a,b} would be a double subscript
    listed = ",\\ ".join(f"{base}_{{{a},{b}}} = {v}" for a, b, v in nonzero[:MAX_LISTED])
    more = ",\\ \\dots" if len(nonzero) > MAX_LISTED else ""
    return f"{listed}{more}\\ \\text{{(other entries of ${name}$ are 0)}}" if nonzero else f"{name} = 0"


def index_set(values: list[int], shown: int = 8) -> str:
    """``\\{0,4,8\\}`` in LaTeX; a longer set by its first elements and its last."""
    if len(values) <= shown:
        return "\\{" + ",".join(map(str, values)) + "\\}"
    return "\\{" + ",".join(map(str, values[: shown - 2])) + f",\\dots,{values[-1]}\\}}"


def displays(items: list[str]) -> Display:
    """Several formulas: on one line when few and small, else one per line."""
    if len(items) <= 3 and sum(map(len, items)) <= 600 and not any("\\text" in item for item in items):
        return Display(", \\qquad ".join(items))
    return Display("\\begin{gathered} " + ", \\\\ ".join(items) + " \\end{gathered}")


# ----------------------------------------------------------------------------- Markdown


def md_text(text: str) -> str:
    return re.sub(r"([\\`*_$<>])", r"\\\1", text)


def _md_piece(piece: Piece) -> str:
    if isinstance(piece, Math):
        return f"${piece}$"
    if isinstance(piece, Emph):
        return f"*{md_text(piece)}*"
    return md_text(piece)


def _md_para(para: Para) -> str:
    return "".join(_md_piece(piece) for piece in para.pieces)


def md_block(block: Block) -> str:
    if isinstance(block, Display):
        return f"$$\n{block.tex}\n$$"
    if isinstance(block, Items):
        return "\n".join("- " + _md_para(item) for item in block.items)
    return _md_para(block)


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
    "∞": "\\infty ", "θ": "\\theta ", "π": "\\pi ", "λ": "\\lambda ", "ε": "\\varepsilon ", "′": "'", "∖": "\\setminus ",
    "⋯": "\\cdots ", "ℓ": "\\ell ", "∃": "\\exists ", "∀": "\\forall ", "‖": "\\|", "√": "\\surd ", "±": "\\pm ", "∑": "\\sum ", "∏": "\\prod ", "⌊": "\\lfloor ", "⌋": "\\rfloor ",
}
_SUPERSCRIPT = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+"))
_SUBSCRIPT = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))


def tex_text(text: str) -> str:
    r"""Prose with LaTeX's special characters escaped and Unicode mathematics in ``$…$``.

    >>> print(tex_text("rank ≤ μ on {0} × {1}, t⁻¹, E_{0,1}"))
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
        return f"\\emph{{{tex_text(piece)}}}"
    return tex_text(piece)


def _tex_para(para: Para) -> str:
    return "".join(_tex_piece(piece) for piece in para.pieces)


def tex_block(block: Block) -> str:
    if isinstance(block, Display):
        return f"\\[\n{block.tex}\n\\]"
    if isinstance(block, Items):
        return "\\begin{itemize}\n" + "\n".join("  \\item " + _tex_para(item) for item in block.items) + "\n\\end{itemize}"
    return _tex_para(block)


# ----------------------------------------------------------------------------- MathJax (Jupyter's text/latex)
#
# Jupyter shows a ``text/latex`` output by handing the text to MathJax, which typesets only
# what stands between math delimiters and leaves everything else as it is (a
# ``\begin{proposition}`` or an ``\emph{…}`` would show as typed).  So this writer puts the
# whole proof in ``$$…$$`` blocks: prose in ``\text{…}`` (bold headings ``\textbf{…}``),
# LaTeX's special characters and Unicode mathematics outside it, in math mode.  The same text
# is valid LaTeX (amsmath, amssymb), e.g. when nbconvert writes a notebook as a PDF.

#: Visible characters on one line of a wrapped paragraph (MathJax does not break lines).
MJ_WIDTH = 90

_MJ_SPECIAL = {
    "\\": "\\backslash ", "{": "\\{", "}": "\\}", "$": "\\$", "&": "\\&", "#": "\\#", "_": "\\_",
    "%": "\\%", "~": "\\sim ", "^": "\\hat{}",
}


def _mj_words(text: str, font: str = "text") -> list[tuple[str, int]]:
    """Prose as math-mode tokens ``(latex, visible length)``; a space is its own token ``("\\ ", 1)``."""
    tokens: list[tuple[str, int]] = []
    for word in re.split(r"( )", text):
        if word == " ":
            tokens.append(("\\ ", 1))
            continue
        if not word:
            continue
        out: list[str] = []
        plain: list[str] = []

        def flush() -> None:
            if plain:
                out.append(f"\\{font}{{{''.join(plain)}}}")
                plain.clear()

        for char in word:
            if char in _SUPERSCRIPT:
                flush()
                out.append(f"^{{{_SUPERSCRIPT[char]}}}")
            elif char in _SUBSCRIPT:
                flush()
                out.append(f"_{{{_SUBSCRIPT[char]}}}")
            elif char in _MJ_SPECIAL or char in _TEX_MATH:
                flush()
                out.append(_MJ_SPECIAL.get(char) or _TEX_MATH[char])
            else:
                plain.append(char)
        flush()
        # ^{..} and _{..} need a base: the text before them, else an empty group
        latex = "".join(out)
        if latex.startswith(("^", "_")):
            latex = "{}" + latex
        tokens.append((latex, len(word)))
    return tokens


def _mj_tokens(para: Para) -> list[tuple[str, int]]:
    tokens: list[tuple[str, int]] = []
    for piece in para.pieces:
        if isinstance(piece, Math):
            tokens.append(("{" + piece + "}", max(1, len(piece) // 2)))
        else:
            tokens += _mj_words(piece, "textit" if isinstance(piece, Emph) else "text")
    return tokens


def _mj_lines(tokens: list[tuple[str, int]], width: int = MJ_WIDTH) -> list[str]:
    """Tokens wrapped at spaces into lines of about ``width`` visible characters."""
    lines: list[str] = []
    line: list[str] = []
    size = 0
    for latex, length in tokens:
        if latex == "\\ " and size >= width:
            lines.append("".join(line))
            line, size = [], 0
            continue
        if latex == "\\ " and not line:
            continue
        line.append(latex)
        size += length
    if line:
        lines.append("".join(line))
    return lines


_MJ_RUN = re.compile(r"\\(text|textit|textbf)\{([^{}]*)\}\\ \\\1\{")


def _mj_merge(line: str) -> str:
    """``\\text{a}\\ \\text{b}`` → ``\\text{a b}`` (the same for ``\\textit``, ``\\textbf``)."""
    while True:
        merged = _MJ_RUN.sub(lambda m: f"\\{m.group(1)}{{{m.group(2)} ", line)
        if merged == line:
            return line
        line = merged


def _mj_display(lines: list[str]) -> str:
    lines = [_mj_merge(line) for line in lines]
    if len(lines) == 1:
        return f"$$\n{lines[0]}\n$$"
    return "$$\n\\begin{array}{l}\n" + " \\\\\n".join(lines) + "\n\\end{array}\n$$"


def mj_heading(text: str) -> str:
    """A bold heading alone in its ``$$`` block."""
    return _mj_display(["".join(latex for latex, _ in _mj_words(text, "textbf"))])


def mj_block(block: Block, lead: str = "", end: str = "") -> str:
    r"""A block as MathJax display math; ``lead`` is a bold run-in heading, ``end`` math closing it.

    >>> print(mj_block(para("so ", Math("A_{0,1} = 1"), " and a_b"), lead="Proof."))
    $$
    \textbf{Proof.}\ \text{so}\ {A_{0,1} = 1}\ \text{and a}\_\text{b}
    $$
    """
    head = [(f"\\textbf{{{lead}}}", len(lead)), ("\\ ", 1)] if lead else []
    tail = [("\\ ", 1), (end, 1)] if end else []
    if isinstance(block, Display):
        text = f"$$\n{block.tex}\n$$"
        if head:
            text = _mj_display(_mj_lines(head[:1])) + "\n\n" + text
        if tail:
            text += "\n\n" + _mj_display([end])
        return text
    if isinstance(block, Items):
        lines = [line for i, item in enumerate(block.items) for line in _mj_lines(
            ([("\\bullet", 1), ("\\ ", 1)] + _mj_tokens(item) + (tail if i == len(block.items) - 1 else [])))]
        return (_mj_display(_mj_lines(head[:1])) + "\n\n" if head else "") + _mj_display(lines)
    return _mj_display(_mj_lines(head + _mj_tokens(block) + tail))
