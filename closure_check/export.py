"""The decision problem as input files for Macaulay2, Singular, QEPCAD B and SMT-LIB 2.

Rendering only: these functions turn a support (and possibly a target matrix ``A``)
into the text another program reads, so that anyone can re-derive a claim with a tool
they already trust.  Nothing here feeds back into a decision of the library.

>>> from closure_check.families import lu
>>> print(export_problem(lu(2), "singular", at={(0, 1): 1, (1, 0): 1}).splitlines()[-4:-1])
['ring R = 0, (x_0_0, x_1_0, x_1_1, y_0_0, y_1_0, y_1_1), dp;', 'ideal i = x_0_0*y_0_0, x_0_0*y_1_0 - 1, x_1_0*y_0_0 - 1, x_1_0*y_1_0 + x_1_1*y_1_1;', 'std(i);']
>>> print(export_problem(lu(2), "qepcad", "image").splitlines()[3])
(Ex11)(Ex21)(Ex22)(Ey11)(Ey21)(Ey22)[a11 = x11 y11 /\\ a12 = x11 y21 /\\ a21 = x21 y11 /\\ a22 = x21 y21 + x22 y22].

Problems
--------
``membership`` (at a rational ``A``)
    The system ``X Yᵀ = A`` (or ``W_1 ⋯ W_N = A``) of
    :func:`closure_check.algebra.system.membership_system` /
    :func:`~closure_check.algebra.system.chain_system`, equation for equation: one
    variable per allowed entry of each factor, ``q·Σ(monomials) − p = 0`` per cell with
    ``A[i,j] = p/q``.  Singular and Macaulay2 print a reduced Gröbner basis (``1``: no
    complex solution, hence ``A ∉ P``); SMT-LIB is the ``QF_NRA`` query of
    :func:`~closure_check.algebra.real.smtlib_query` (unsat: no real solution); QEPCAD
    decides the existential sentence (``TRUE``/``FALSE``).
``membership`` without ``A``
    The same with symbolic entries ``a_i_j`` (every cell, uncovered cells included):
    a Gröbner basis over the field ``ℚ(a)`` (valid for generic ``A``), the SMT-LIB
    system with ``a_i_j`` declared as free constants, and for QEPCAD the image below.
``image``
    The set ``P`` itself.  QEPCAD: ``a`` free, factor entries existentially
    quantified; the answer is a quantifier-free formula in the ``a`` that describes
    ``P`` exactly (over ℝ).  Singular and Macaulay2: elimination of the factor entries
    from ``⟨a_ij − (X Yᵀ)_ij⟩``, whose result generates the ideal of the Zariski
    closure of ``P`` (the ideal ``0`` means ``P`` is Zariski dense).
``closedness``
    The sentence of :mod:`closure_check.algebra.baseline`, "some ``A`` is a limit of products
    but not a product"::

        ∃A [∀X,Y: X Yᵀ ≠ A] ∧ [∀ε ∃X,Y: ε ≤ 0 ∨ max_ij |(X Yᵀ − A)_ij| < ε]

    so *sat* (SMT-LIB) or ``TRUE`` (QEPCAD) means ``P`` is **not** closed, *unsat* or
    ``FALSE`` that it is closed.  The SMT-LIB text keeps the baseline's encoding (every
    factor entry a variable, the support imposed by ``= 0``), on which z3 is faster;
    the QEPCAD sentence, prenex, quantifies over the allowed entries only (every
    variable counts for a CAD), which means the same.  Chains of any length are
    allowed.  Singular and Macaulay2 work over ℂ without order and cannot state it.

Names
-----
SMT-LIB and Singular use the library's names (``x_i_k``, ``y_j_k``, ``w{ℓ}_a_b``,
0-based), ``a_i_j`` for the entries of ``A`` and ``eps`` for ε; Macaulay2 uses indexed variables
``x_(i,k)``, ``a_(i,j)``; QEPCAD accepts only letters and digits, so its names are
1-based as in the papers: ``x11`` is ``x_0_0``, ``a12`` is ``a_0_1``, ``w213`` is
``w2_0_2``.  When an index exceeds 9, the indices are separated by ``c``
(``a10c3`` is ``a_9_2``).  In QEPCAD's closedness sentence the second copy of the
factors is named ``u``/``v`` (for ``x``/``y``) or ``z`` (for ``w``) and ε is ``e``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from closure_check.core.support import ChainSupport, TwoFactorSupport

if TYPE_CHECKING:
    from closure_check.algebra.system import PolynomialSystem

__all__ = ["ExportError", "FORMATS", "PROBLEMS", "export_problem", "parse_entries"]

#: Target formats: Macaulay2, Singular, QEPCAD B, SMT-LIB 2.
FORMATS = ("m2", "singular", "qepcad", "smt2")
#: Problems that can be exported.
PROBLEMS = ("membership", "image", "closedness")

Cell = tuple[int, int]
Terms = dict[tuple[int, ...], int]


class ExportError(ValueError):
    """The combination asked for cannot be written (e.g. closedness for Singular)."""


# --------------------------------------------------------------------------- input


def parse_entries(text: str, shape: tuple[int, int]) -> dict[Cell, Fraction]:
    """Parse ``"i,j=value;i,j=value"`` (0-based cells, rational values) into a target.

    Values are integers, fractions ``p/q`` or decimals (taken exactly); absent cells
    are 0.  Whitespace is ignored.

    >>> parse_entries("0,1=1; 1,0=-1/2", (2, 2))
    {(0, 1): Fraction(1, 1), (1, 0): Fraction(-1, 2)}

    Raises
    ------
    ValueError
        On a malformed entry, a repeated cell or a cell outside ``shape``.
    """
    entries: dict[Cell, Fraction] = {}
    for item in text.replace(" ", "").replace("\t", "").split(";"):
        if not item:
            continue
        match = re.fullmatch(r"(\d+),(\d+)=([-+]?[0-9./]+)", item)
        if match is None:
            raise ValueError(f"bad entry {item!r}: expected i,j=value (e.g. 0,1=1/2)")
        cell = (int(match.group(1)), int(match.group(2)))
        if cell in entries:
            raise ValueError(f"cell {cell[0]},{cell[1]} given twice")
        try:
            entries[cell] = Fraction(match.group(3))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"bad value {match.group(3)!r} in {item!r}") from None
    from closure_check.algebra.system import (
        as_target,  # flint, loaded when a problem is built
    )

    return as_target(entries, shape)


# ------------------------------------------------------------------ the polynomials


@dataclass(frozen=True)
class _Parametrisation:
    """The product as polynomials: factor variables and each cell's entry."""

    system: PolynomialSystem  # at A = 0: one equation per covered cell
    cells: dict[Cell, Terms]  # covered cell → product entry (exponents over the factor variables)
    shape: tuple[int, int]


def _system(support: TwoFactorSupport | ChainSupport, target: object) -> PolynomialSystem:
    from closure_check.algebra.system import chain_system, membership_system

    if isinstance(support, ChainSupport):
        return chain_system(support, target)
    if isinstance(support, TwoFactorSupport):
        return membership_system(support, target)
    raise ExportError(f"expected a TwoFactorSupport or a ChainSupport, got {type(support).__name__}")


def _parametrisation(support: TwoFactorSupport | ChainSupport) -> _Parametrisation:
    system = _system(support, {})
    cells: dict[Cell, Terms] = {}
    for label, terms in zip(system.labels, system.equation_terms()):
        match = re.fullmatch(r"cell \((\d+),(\d+)\)", label)
        if match is None:  # pragma: no cover - the system module's labels changed
            raise AssertionError(f"unexpected equation label {label!r}")
        cells[(int(match.group(1)), int(match.group(2)))] = terms
    return _Parametrisation(system, cells, support.shape)


def _sorted_terms(terms: Mapping[tuple[int, ...], int]) -> list[tuple[tuple[int, ...], int]]:
    """Nonzero terms, highest total degree first, then lexicographically descending."""
    return sorted(((m, c) for m, c in terms.items() if c), key=lambda t: (sum(t[0]), t[0]), reverse=True)


def _pad(terms: Mapping[tuple[int, ...], int], before: int, after: int) -> Terms:
    return {(0,) * before + mono + (0,) * after: c for mono, c in terms.items()}


# ---------------------------------------------------------------------- renderers


def _infix(terms: Mapping[tuple[int, ...], int], names: Sequence[str], times: str) -> str:
    """``2*x*y^2 - 3`` (``times`` = ``"*"``) or ``2 x y^2 - 3`` (``" "``); ``0`` if empty."""
    pieces: list[str] = []
    for mono, coefficient in _sorted_terms(terms):
        factors = [name if e == 1 else f"{name}^{e}" for name, e in zip(names, mono) if e]
        magnitude = abs(coefficient)
        body = times.join(([str(magnitude)] if magnitude != 1 or not factors else []) + factors)
        if not pieces:
            pieces.append(("-" if coefficient < 0 else "") + body)
        else:
            pieces.append((" - " if coefficient < 0 else " + ") + body)
    return "".join(pieces) if pieces else "0"


def _smt(terms: Mapping[tuple[int, ...], int], names: Sequence[str]) -> str:
    """An SMT-LIB term for the polynomial, as a sum of monomials (``0.0`` if empty)."""
    parts = []
    for mono, coefficient in _sorted_terms(terms):
        factors = [f"|{name}|" for name, e in zip(names, mono) for _ in range(e)]
        magnitude = abs(coefficient)
        if not factors:
            term = f"{magnitude}.0"
        elif magnitude == 1:
            term = factors[0] if len(factors) == 1 else "(* " + " ".join(factors) + ")"
        else:
            term = "(* " + " ".join([f"{magnitude}.0"] + factors) + ")"
        parts.append(f"(- {term})" if coefficient < 0 else term)
    if not parts:
        return "0.0"
    return parts[0] if len(parts) == 1 else "(+ " + " ".join(parts) + ")"


def _support_lines(support: TwoFactorSupport | ChainSupport) -> list[str]:
    if isinstance(support, ChainSupport):
        named = [(f"I{level}", f) for level, f in enumerate(support.factors, start=1)]
    else:
        named = [("I", support.I), ("J", support.J)]
    lines = []
    for label, matrix in named:
        rows = ["".join(str(int(v)) for v in row) for row in matrix.toarray()]
        lines.append(f"{label} ({matrix.shape[0]}x{matrix.shape[1]}) = " + " / ".join(rows))
    return lines


def _target_text(target: Mapping[Cell, Fraction], shape: tuple[int, int]) -> str:
    m, n = shape
    if m * n <= 36:
        return "[" + "; ".join(" ".join(str(target.get((i, j), 0)) for j in range(n)) for i in range(m)) + "]"
    nonzero = ", ".join(f"({i},{j})={v}" for (i, j), v in sorted(target.items()))
    return f"{m}x{n} with nonzero entries {nonzero or 'none'}"


def _product_text(support: TwoFactorSupport | ChainSupport) -> str:
    if isinstance(support, ChainSupport):
        return f"P = {{W1 ... W{support.length} : supp Wl in Il}}"
    return "P = {X Y^T : supp X in I, supp Y in J}"


# ------------------------------------------------------------------ QEPCAD names


def _qepcad_names(names: Sequence[str]) -> list[str]:
    """``x_0_1`` → ``x12``; ``w2_0_2`` → ``w213`` (``c``-separated if an index exceeds 9)."""
    parsed = []
    for name in names:
        match = re.fullmatch(r"([a-z])(\d*)_(\d+)_(\d+)", name)
        if match is None:  # pragma: no cover - names come from the system module
            raise AssertionError(f"unexpected variable name {name!r}")
        letter, level, first, second = match.groups()
        parts = ([int(level)] if level else []) + [int(first) + 1, int(second) + 1]
        parsed.append((letter, parts))
    biggest = max([p for _, parts in parsed for p in parts] + [0])
    glue = "" if biggest <= 9 else "c"
    return [letter + glue.join(str(p) for p in parts) for letter, parts in parsed]


# --------------------------------------------------------------------------- API


def export_problem(
    support: TwoFactorSupport | ChainSupport,
    to: str,
    problem: str = "membership",
    at: object | None = None,
    title: str = "",
) -> str:
    """The text of ``problem`` about ``support`` for the program ``to``.

    Parameters
    ----------
    support
        A two-factor support ``(I, J)`` or a chain ``I_1, …, I_N``.
    to
        One of :data:`FORMATS`: ``"m2"``, ``"singular"``, ``"qepcad"``, ``"smt2"``.
    problem
        One of :data:`PROBLEMS` (see the module docstring for what each file states).
    at
        For ``membership``: the target ``A`` (mapping cell → rational, or dense m×n
        array); ``None`` for symbolic entries ``a_i_j``.  Not allowed otherwise.
    title
        A name for the header comment (e.g. the case name).

    Returns
    -------
    str
        The complete file, ending with a newline.

    Raises
    ------
    ExportError
        For an unknown format or problem, a target with ``image``/``closedness``,
        closedness for Singular or Macaulay2, the image for SMT-LIB, or a malformed
        target.
    """
    if to not in FORMATS:
        raise ExportError(f"unknown format {to!r}: expected one of {', '.join(FORMATS)}")
    if problem not in PROBLEMS:
        raise ExportError(f"unknown problem {problem!r}: expected one of {', '.join(PROBLEMS)}")
    if at is not None and problem != "membership":
        raise ExportError(f"a target A belongs to the membership problem, not to {problem}")
    if problem == "closedness" and to in ("m2", "singular"):
        raise ExportError(
            f"closedness is a statement over the ordered field ℝ with quantifier alternation; "
            f"{to} works with ideals over ℂ: use --to smt2 or --to qepcad"
        )
    if problem == "image" and to == "smt2":
        raise ExportError(
            "the image needs quantifier elimination, which SMT solvers do not return: "
            "use --to qepcad (the real image) or --to singular / m2 (its Zariski closure)"
        )
    header = _support_lines(support)
    name = title or "support"
    if problem == "membership" and at is not None:
        try:
            system = _system(support, at)
        except ValueError as error:
            raise ExportError(str(error)) from None
        return _concrete(system, to, header, name, support)
    params = _parametrisation(support)
    if problem == "closedness":
        return _closedness(params, to, header, name, support)
    if problem == "image" or to == "qepcad":
        return _image(params, to, header, name, support)
    return _symbolic_membership(params, to, header, name, support)


def _comment(prefix: str, lines: Sequence[str]) -> str:
    return "".join(f"{prefix} {line}".rstrip() + "\n" for line in lines)


def _m2_name(name: str) -> str:
    head, first, second = name.rsplit("_", 2)
    return f"{head}_({first},{second})"


def _concrete(system: PolynomialSystem, to: str, header: list[str], name: str, support) -> str:
    """Membership of a rational A: the library's own system, equation for equation."""
    names = list(system.names)
    terms = [dict(t) for t in system.equation_terms()]
    target = _target_text(system.target, system.shape)
    about = [
        f"closure-check export: is A in {_product_text(support)}?  ({name})",
        *header,
        f"A = {target}",
        "Unknowns: the allowed entries of the factors; one equation per cell, q*(product entry) - p = 0 for A[i,j] = p/q.",
    ]
    if to == "smt2":
        about.append("sat: A is a product (z3's model gives the factors); unsat: A is not in P.")
        from closure_check.algebra.real import smtlib_query

        return _comment(";", about) + smtlib_query(system)
    if to == "singular":
        about.append("Prints a reduced Groebner basis over QQ; _[1]=1 means no complex solution, so A is not in P.")
        ring_names = names or ["dummy"]
        ideal = ", ".join(_infix(t, names, "*") for t in terms) or "0"
        return _comment("//", about) + (
            "option(redSB);\n"
            f"ring R = 0, ({', '.join(ring_names)}), dp;\n"
            f"ideal i = {ideal};\n"
            "std(i);\n"
            "quit;\n"
        )
    if to == "m2":
        about.append("Prints a reduced Groebner basis over QQ; matrix {{1}} means no complex solution, so A is not in P.")
        m2_names = [_m2_name(v) for v in names] or ["dummy"]
        ideal = ", ".join(_infix(t, [_m2_name(v) for v in names], "*") for t in terms) or "0_R"
        return _comment("--", about) + (
            f"R = QQ[{', '.join(m2_names)}];\n"
            f"I = ideal({ideal});\n"
            "print toString gens gb I;\n"
        )
    # qepcad: the existential sentence, no free variables
    q_names = _qepcad_names(names)
    if not q_names:
        raise ExportError("the support has no allowed entry: nothing to quantify for QEPCAD")
    atoms = []
    for t in terms:
        constant = t.pop((0,) * len(names), 0)
        atoms.append(f"{_infix(t, q_names, ' ')} = {-constant}")
    body = " /\\ ".join(atoms) or "0 = 0"
    quantifiers = "".join(f"(E{v})" for v in q_names)
    description = f"is A = {target} in P ({name})? TRUE: yes, FALSE: no"
    return _qepcad_file(description, q_names, 0, f"{quantifiers}[{body}].")


def _qepcad_file(description: str, variables: Sequence[str], free: int, formula: str) -> str:
    """Description, variable order, number of free variables, prenex formula, commands.

    The commands choose Hong's projection at every level (``proj-operator (h,…)``):
    McCallum's default is valid only for well-oriented input, which these systems
    often are not (QEPCAD then warns that "the McCallum projection may not be valid");
    Hong's projection needs no such condition, and on the cases tried cost no more.
    """
    description = description.replace("[", "(").replace("]", ")")
    commands = f"proj-operator ({','.join('h' * (len(variables) - 1))})\n" if len(variables) > 1 else ""
    return f"[ {description} ]\n({','.join(variables)})\n{free}\n{formula}\n{commands}finish\n"


def _a_names(shape: tuple[int, int]) -> list[str]:
    m, n = shape
    return [f"a_{i}_{j}" for i in range(m) for j in range(n)]


def _cell_equations(params: _Parametrisation, a_first: bool) -> tuple[list[str], list[tuple[Terms, Terms]]]:
    """Names (``a`` before or after the factor variables) and, per cell, (product, a-term)."""
    m, n = params.shape
    factor_names = list(params.system.names)
    nv, na = len(factor_names), m * n
    names = _a_names(params.shape) + factor_names if a_first else factor_names + _a_names(params.shape)
    equations = []
    for index in range(na):
        i, j = divmod(index, n)
        product = params.cells.get((i, j), {})
        a_mono = [0] * na
        a_mono[index] = 1
        if a_first:
            product_terms = _pad(product, na, 0)
            a_terms = {tuple(a_mono) + (0,) * nv: 1}
        else:
            product_terms = _pad(product, 0, na)
            a_terms = {(0,) * nv + tuple(a_mono): 1}
        equations.append((product_terms, a_terms))
    return names, equations


def _difference(product: Terms, a_terms: Terms) -> Terms:
    result = dict(product)
    for mono, c in a_terms.items():
        result[mono] = result.get(mono, 0) - c
    return result


def _symbolic_membership(params: _Parametrisation, to: str, header: list[str], name: str, support) -> str:
    about = [
        f"closure-check export: the system (product) = A with symbolic A = (a_i_j)  ({name})",
        *header,
        "Unknowns: the allowed entries of the factors; one equation per cell (uncovered cells: a_i_j = 0).",
    ]
    if to == "smt2":
        names, equations = _cell_equations(params, a_first=True)
        about.append("Fix A by adding (assert (= a_i_j value)) lines before (check-sat); as it stands it is sat.")
        lines = ["(set-logic QF_NRA)"] + [f"(declare-fun |{v}| () Real)" for v in names]
        m, n = params.shape
        for index, (product, a_terms) in enumerate(equations):
            lines.append(f"; cell ({index // n},{index % n})")
            lines.append(f"(assert (= {_smt(_difference(product, a_terms), names)} 0.0))")
        lines.append("(check-sat)")
        return _comment(";", about) + "\n".join(lines) + "\n"
    names, equations = _cell_equations(params, a_first=False)
    nv = params.system.nvars
    factor_names, a_names = names[:nv], names[nv:]
    if to == "singular":
        about.append("Prints a reduced Groebner basis over the field QQ(a): it describes generic A only; use --at for one A.")
        ideal = ", ".join(_infix(_difference(p, a), names, "*") for p, a in equations)
        return _comment("//", about) + (
            "option(redSB);\n"
            f"ring R = (0, {', '.join(a_names)}), ({', '.join(factor_names or ['dummy'])}), dp;\n"
            f"ideal i = {ideal};\n"
            "std(i);\n"
            "quit;\n"
        )
    about.append("Prints a reduced Groebner basis over frac(QQ[a]): it describes generic A only; use --at for one A.")
    m2_names = [_m2_name(v) for v in names]
    ideal = ", ".join(_infix(_difference(p, a), m2_names, "*") for p, a in equations)
    return _comment("--", about) + (
        f"K = frac(QQ[{', '.join(m2_names[nv:])}]);\n"
        f"R = K[{', '.join(m2_names[:nv] or ['dummy'])}];\n"
        f"I = ideal({ideal});\n"
        "print toString gens gb I;\n"
    )


def _image(params: _Parametrisation, to: str, header: list[str], name: str, support) -> str:
    m, n = params.shape
    if to == "qepcad":
        names, equations = _cell_equations(params, a_first=True)
        q_names = _qepcad_names(names)
        na = m * n
        atoms = []
        for product, a_terms in equations:
            atoms.append(f"{_infix(a_terms, q_names, ' ')} = {_infix(product, q_names, ' ')}")
        quantifiers = "".join(f"(E{v})" for v in q_names[na:])
        body = " /\\ ".join(atoms)
        description = f"the image {_product_text(support)} ({name}): a quantifier-free formula in the entries a of A"
        return _qepcad_file(description, q_names, na, f"{quantifiers}[{body}].")
    names, equations = _cell_equations(params, a_first=False)
    nv = params.system.nvars
    about = [
        f"closure-check export: the Zariski closure of {_product_text(support)}  ({name})",
        *header,
        "Eliminates the factor entries from the ideal <a_i_j - (product)_i_j>; the result generates the ideal of",
        "all polynomials in a vanishing on P (0: P is Zariski dense in the m x n matrices).",
    ]
    if to == "singular":
        eliminated = "*".join(names[:nv]) or "1"
        ideal = ", ".join(_infix(_difference(p, a), names, "*") for p, a in equations)
        return _comment("//", about) + (
            f"ring R = 0, ({', '.join(names)}), dp;\n"
            f"ideal i = {ideal};\n"
            f"eliminate(i, {eliminated});\n"
            "quit;\n"
        )
    m2_names = [_m2_name(v) for v in names]
    ideal = ", ".join(_infix(_difference(p, a), m2_names, "*") for p, a in equations)
    return _comment("--", about) + (
        f"R = QQ[{', '.join(m2_names)}];\n"
        f"I = ideal({ideal});\n"
        f"print toString eliminate({{{', '.join(m2_names[:nv])}}}, I);\n"
    )


def _closedness(params: _Parametrisation, to: str, header: list[str], name: str, support) -> str:
    names, equations = _cell_equations(params, a_first=True)
    m, n = params.shape
    na = m * n
    differences = [_difference(p, a) for p, a in equations]  # (product - A)_ij
    if to == "smt2":
        return _closedness_smt2(support, header, name)
    # qepcad: (E a)(A x1)(A e)(E x2)[ ~product(x1) /\ (e <= 0 \/ near(x2)) ]
    q_names = _qepcad_names(names)
    first = q_names[na:]
    second = [{"x": "u", "y": "v", "w": "z"}[v[0]] + v[1:] for v in first]
    a_part = q_names[:na]
    renamed = a_part + second
    outside = " \\/ ".join(f"{_infix(d, q_names, ' ')} /= 0" for d in differences)
    near = " /\\ ".join(
        f"{_infix(d, renamed, ' ')} < e /\\ {_infix(d, renamed, ' ')} > -e" for d in differences
    )
    quantifiers = "".join(f"(E{v})" for v in a_part) + "".join(f"(A{v})" for v in first) + "(Ae)" + "".join(f"(E{v})" for v in second)
    description = f"is {_product_text(support)} ({name}) NOT closed? TRUE: not closed, FALSE: closed"
    variables = a_part + first + ["e"] + second
    return _qepcad_file(description, variables, 0, f"{quantifiers}[[{outside}] /\\ [e <= 0 \\/ [{near}]]].")


def _all_entries(support: TwoFactorSupport | ChainSupport) -> TwoFactorSupport | ChainSupport:
    """The support of the same shapes with every entry allowed."""
    if isinstance(support, ChainSupport):
        return ChainSupport(tuple(np.ones(f.shape, dtype=np.int8) for f in support.factors))
    return TwoFactorSupport(np.ones(support.I.shape, dtype=np.int8), np.ones(support.J.shape, dtype=np.int8))


def _closedness_smt2(support: TwoFactorSupport | ChainSupport, header: list[str], name: str) -> str:
    """The baseline's sentence in its own encoding, as SMT-LIB text.

    As in :func:`closure_check.algebra.baseline.closedness_sentence`: every entry of every factor
    is a variable and the support is imposed by ``= 0`` constraints (issue 4 found z3
    faster on this encoding than on one with the allowed entries only: on
    ``cases/overlap_2x3.sup`` it answers sat in 0.1 s against a 30 s timeout); the
    cells are visited column by column and the ε-ball is written ``P − A < ε`` for all
    cells, then ``A − P < ε`` for all cells, as there.
    """
    params = _parametrisation(_all_entries(support))
    allowed = {(v.factor, v.index) for v in _system(support, {}).variables}
    names, equations = _cell_equations(params, a_first=True)
    m, n = params.shape
    na = m * n
    factor_variables = params.system.variables
    zero = [v.name for v in factor_variables if (v.factor, v.index) not in allowed]
    order = [i * n + j for j in range(n) for i in range(m)]
    differences = [_difference(*equations[index]) for index in order]  # (product - A)_ij
    negated = [{mono: -c for mono, c in d.items()} for d in differences]
    about = [
        f"closure-check export: is {_product_text(support)} closed?  ({name})",
        *header,
        "The sentence of closure_check/algebra/baseline.py (the authors' encoding: every factor entry is a variable,",
        "the support is imposed by = 0): some A is a limit of products but not a product,",
        "  exists A [forall X,Y respecting the support: X Y^T != A]",
        "       and [forall eps exists X,Y respecting the support: eps <= 0 or max_ij |(X Y^T - A)_ij| < eps].",
        "sat: P is NOT closed (the model gives such an A); unsat: P is closed.",
    ]
    bound = "(" + " ".join(f"(|{v}| Real)" for v in names[na:]) + ")"
    respects = [f"(= |{v}| 0.0)" for v in zero]
    not_product = _smt_or([f"(not (= {_smt(d, names)} 0.0))" for d in differences])
    within = _smt_and([f"(< {_smt(d, names)} |eps|)" for d in differences] + [f"(< {_smt(d, names)} |eps|)" for d in negated])
    outside = f"(=> {_smt_and(respects)} {not_product})" if respects else not_product
    near = _smt_and(respects + [f"(or (<= |eps| 0.0) {within})"])
    lines = ["(set-logic NRA)"] + [f"(declare-fun |{v}| () Real)" for v in names[:na]]
    if names[na:]:
        outside = f"(forall {bound} {outside})"
        near = f"(exists {bound} {near})"
    lines.append("; A is not a product")
    lines.append(f"(assert {outside})")
    lines.append("; A is a limit of products (max norm)")
    lines.append(f"(assert (forall ((|eps| Real)) {near}))")
    lines.append("(check-sat)")
    return _comment(";", about) + "\n".join(lines) + "\n"


def _smt_and(parts: Sequence[str]) -> str:
    if not parts:
        return "true"
    return parts[0] if len(parts) == 1 else "(and " + " ".join(parts) + ")"


def _smt_or(parts: Sequence[str]) -> str:
    if not parts:
        return "false"
    return parts[0] if len(parts) == 1 else "(or " + " ".join(parts) + ")"
