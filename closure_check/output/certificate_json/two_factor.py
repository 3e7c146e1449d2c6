"""Certificates as JSON: the verdict of :func:`closure_check.decide.check`, its proof, on disk.

:func:`certificate_json` turns a :class:`~closure_check.result.CheckResult` into a plain
dict (strings, integers, lists, dicts only) that :func:`dump_certificate` writes
deterministically and :mod:`closure_check.verifier` checks without any other part of
the library.  The schema, version 1, is described in full in ``docs/certificates.md``:

* ``format`` (``"closure-check-certificate"``), ``version`` (1), ``name``, ``producer``;
* ``pattern``: ``m``, ``n``, ``r`` and the nonzeros of ``I`` (``[row, unit]`` pairs) and
  ``J`` (``[column, unit]`` pairs);
* ``verdict`` (``"closed"``, ``"not-closed"``, ``"unknown"``), ``tractability``,
  ``reasons`` (one sentence per step, each naming its lemma) and ``steps``
  (``{"lemma", "text"}`` for every reduction applied);
* NOT CLOSED: ``limit`` (nonzero cells of A), ``curve`` (``X(t)``, ``Y(t)`` with Laurent
  entries) and ``proof`` (why ``A ∉ P``: a combinatorial lemma with the roles of its
  cells and units, a Nullstellensatz identity written out in full, or engine records);
* CLOSED: ``parts`` (the lemma behind each step of the argument, with its reference in
  ``docs/theory.md``), ``structure`` (classes of equal rectangles and overlap components,
  with a machine-checkable claim per component) and ``records`` (engine records, when an
  engine criterion decided a part);
* UNKNOWN: ``undecided``.

Encodings: a rational is the string ``"p/q"`` (lowest terms, q > 1) or ``"p"``; a
Laurent polynomial ``Σ c_e t^e`` is the object ``{"e": "c_e"}`` over its nonzero
coefficients (exponents as decimal strings); a polynomial in the variables ``x_i_k``,
``y_j_k`` is a list of ``[coefficient, {variable: exponent}]`` terms.

>>> from closure_check.families import lu
>>> from closure_check.decide import check
>>> cert = certificate_json(lu(2), check(lu(2)), name="lu2")
>>> cert["verdict"], cert["proof"]["lemma"], cert["limit"]
('not-closed', 'local-LU lemma', [{'cell': [0, 1], 'value': '1'}, {'cell': [1, 0], 'value': '1'}])
>>> cert["curve"]["X"][0]
{'entry': [0, 0], 'laurent': {'1': '1'}}
>>> from closure_check.verifier import verify_certificate
>>> verify_certificate(cert).ok
True
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from closure_check.certificates.two_factor import Cell, NotClosedCertificate
from closure_check.core.case import Verdict
from closure_check.core.graph import RankOneStructure
from closure_check.core.laurent import Laurent
from closure_check.core.support import TwoFactorSupport
from closure_check.result import CheckResult

if TYPE_CHECKING:
    from closure_check.algebra.nullstellensatz import NullstellensatzCertificate

__all__ = [
    "FORMAT",
    "LEMMA_REFERENCES",
    "VERSION",
    "CertificateFileError",
    "certificate_header",
    "certificate_json",
    "certificate_text",
    "dump_certificate",
    "identity_json",
    "laurent_entries_json",
    "laurent_json",
    "limit_json",
    "load_certificate",
    "rational_text",
]

FORMAT = "closure-check-certificate"
VERSION = 1

#: Where each lemma named by the library is stated and proved.
LEMMA_REFERENCES: dict[str, str] = {
    "structural lemma": "docs/theory.md §1, Structural lemma [SIMAX §2]",
    "complete-classes lemma": "docs/theory.md §1, Complete classes",
    "direct-sum lemma": "docs/theory.md §3, Direct-sum lemma",
    "absorption lemma": "docs/theory.md §3, Absorption lemma",
    "projection lemma": "docs/theory.md §3, Projection lemma",
    "merge lemma": "docs/theory.md §3, Merge lemma",
    "determinantal lemma": "docs/theory.md §4, Determinantal lemma [SIMAX; ICASSP Thm 1]",
    "masked block lemma": "docs/theory.md §4, Masked block lemma",
    "nested-pair lemma": "docs/theory.md §4, Nested-pair lemma",
    "cross lemma": "docs/theory.md §4, Cross lemma",
    "full-space lemma": "docs/theory.md, Full-space lemma",
    "local-LU lemma": "docs/theory.md §4, Local-LU lemma",
    "shared-rows lemma": "docs/theory.md §4, Shared-rows lemma",
    "shared-columns lemma": "docs/theory.md §4, Shared-rows lemma (transposed)",
    "Laurent curve lemma": "docs/theory.md §5, Laurent curve lemma",
    "Nullstellensatz": "docs/theory.md §5, Weak Nullstellensatz; Cox–Little–O'Shea §4.1",
    "Laurent curve lemma + Nullstellensatz": "docs/theory.md §5, Laurent curve lemma and Weak Nullstellensatz",
    "Zariski-closure criterion": "docs/theory.md §5, Zariski-closure criterion (engine record)",
}

COMBINATORIAL_LEMMAS = ("local-LU lemma", "shared-rows lemma", "shared-columns lemma")

_LEMMA_AT_END = re.compile(r"\(([^()]+)\)\s*$")
_COMPONENT_PREFIX = re.compile(r"component (\d+):")
_CELL_LABEL = re.compile(r"cell \((\d+),(\d+)\)")


class CertificateFileError(ValueError):
    """A certificate file cannot be read or is not JSON (one-line message with the path)."""


# ----------------------------------------------------------------------------- encodings


def rational_text(value: Fraction | int) -> str:
    """``"p/q"`` in lowest terms, or ``"p"`` for an integer.

    >>> rational_text(Fraction(-6, 4)), rational_text(3)
    ('-3/2', '3')
    """
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def laurent_json(value: Laurent) -> dict[str, str]:
    """``{"exponent": "coefficient"}`` over the nonzero coefficients."""
    return {str(e): rational_text(c) for e, c in sorted(value.terms.items())}


def laurent_entries_json(entries: dict[Cell, Laurent]) -> list[dict[str, Any]]:
    """``[{"entry": [a, b], "laurent": {…}}, …]`` over the nonzero entries of a Laurent matrix."""
    return [
        {"entry": [int(a), int(b)], "laurent": laurent_json(value)}
        for (a, b), value in sorted(entries.items())
        if not value.is_zero()
    ]


def limit_json(limit: dict[Cell, Fraction]) -> list[dict[str, Any]]:
    """``[{"cell": [i, j], "value": rational}, …]`` over the nonzero entries of the limit A."""
    return [{"cell": [int(i), int(j)], "value": rational_text(v)} for (i, j), v in sorted(limit.items()) if v]


def _cells(cells: Any) -> list[list[int]]:
    return [[int(i), int(j)] for i, j in cells]


def _pattern_json(support: TwoFactorSupport) -> dict[str, Any]:
    m, n = support.shape
    I, J = support.I.tocoo(), support.J.tocoo()
    return {
        "m": int(m),
        "n": int(n),
        "r": int(support.rank),
        "I": [[int(i), int(k)] for i, k in sorted(zip(I.row.tolist(), I.col.tolist()))],
        "J": [[int(j), int(k)] for j, k in sorted(zip(J.row.tolist(), J.col.tolist()))],
    }


def _reference(lemma: str) -> str:
    return LEMMA_REFERENCES.get(lemma, "docs/theory.md")


# ----------------------------------------------------------------------------- NOT CLOSED


def _roles(certificate: NotClosedCertificate) -> dict[str, Any]:
    """Which cell and unit plays which part in the lemma's argument.

    The order of ``obstruction_cells`` is the one :mod:`closure_check.two_factor.rules` builds:
    ``(i1,j1), (i1,j2), (i2,j1)`` for the local-LU lemma (corner first), and
    ``{l1,l2} × {c1,c2,c3}`` line by line for the shared-rows lemma (transposed for
    shared columns), with units ``(a, b)``: a alone on c1, b alone on c3.
    """
    cells = certificate.obstruction_cells
    units = [int(k) for k in certificate.obstruction_units]
    if certificate.lemma == "local-LU lemma":
        (i1, j1), (_, j2), (i2, _) = cells
        return {"unit": units[0], "rows": [int(i1), int(i2)], "cols": [int(j1), int(j2)]}
    if certificate.lemma == "shared-rows lemma":
        return {"units": units, "rows": [int(cells[0][0]), int(cells[3][0])], "cols": [int(c[1]) for c in cells[:3]]}
    if certificate.lemma == "shared-columns lemma":
        return {"units": units, "cols": [int(cells[0][1]), int(cells[3][1])], "rows": [int(c[0]) for c in cells[:3]]}
    return {}


def _polynomial_json(terms: Any, names: tuple[str, ...]) -> list[list[Any]]:
    """``[[coefficient, {variable: exponent}], …]`` from ``(exponent vector, integer)`` terms."""
    out = []
    for mono, coefficient in terms:
        powers = {names[p]: int(e) for p, e in enumerate(mono) if e}
        out.append([rational_text(coefficient), powers])
    return sorted(out, key=lambda term: sorted(term[1].items()))


def identity_json(identity: NullstellensatzCertificate, require_cells: bool = False) -> dict[str, Any]:
    """The identity ``Σ c_i f_i = c``: its variables, equations (with their cells), constant and method.

    An equation whose label is not ``"cell (i,j)"`` gets ``"cell": None``, or with
    ``require_cells`` a :class:`ValueError` (a system with one equation per cell).
    """
    equations = []
    for label, equation, cofactor in zip(identity.labels, identity.equations, identity.cofactors):
        found = _CELL_LABEL.fullmatch(label)
        if found is None and require_cells:
            raise ValueError(f"the chain system has an equation {label!r} that is not a cell's")
        equations.append({
            "cell": [int(found.group(1)), int(found.group(2))] if found else None,
            "label": label,
            "f": _polynomial_json(equation, identity.names),
            "c": _polynomial_json(cofactor, identity.names),
        })
    return {
        "variables": list(identity.names),
        "equations": equations,
        "constant": rational_text(identity.constant),
        "method": identity.method,
    }


def _proof_json(certificate: NotClosedCertificate, result: CheckResult) -> dict[str, Any]:
    proof: dict[str, Any] = {
        "lemma": certificate.lemma,
        "reference": _reference(certificate.lemma),
        "obstruction_cells": _cells(certificate.obstruction_cells),
        "obstruction_units": [int(k) for k in certificate.obstruction_units],
        "argument": certificate.argument,
    }
    if certificate.identity is not None:
        proof["kind"] = "nullstellensatz"
        proof["identity"] = identity_json(certificate.identity)
    elif certificate.lemma in COMBINATORIAL_LEMMAS or not result.records:
        proof["kind"] = "combinatorial"
        proof["roles"] = _roles(certificate)
    else:
        proof["kind"] = "engine-record"
        proof["records"] = [record.as_dict() for record in result.records]
    return proof


def _not_closed_json(certificate: NotClosedCertificate, result: CheckResult) -> dict[str, Any]:
    curve = certificate.curve
    return {
        "limit": limit_json(curve.limit),
        "curve": {"X": laurent_entries_json(curve.x), "Y": laurent_entries_json(curve.y)},
        "proof": _proof_json(certificate, result),
    }


# ----------------------------------------------------------------------------- CLOSED


def _parts_json(reasons: tuple[str, ...]) -> list[dict[str, str]]:
    """One entry per sentence of the argument: its scope, its lemma and the reference."""
    parts = []
    for reason in reasons:
        found = _LEMMA_AT_END.search(reason)
        lemma = found.group(1) if found else "structural lemma"
        scope = _COMPONENT_PREFIX.match(reason)
        parts.append({
            "scope": f"component {scope.group(1)}" if scope else "pattern",
            "lemma": lemma,
            "reference": _reference(lemma),
            "text": reason,
        })
    return parts


def _structure_json(support: TwoFactorSupport, parts: list[dict[str, str]]) -> dict[str, Any]:
    """Classes and overlap components, each component with the claim that closes it.

    Claims: ``"single-class"`` (determinantal lemma), ``"all-classes-complete"`` (every
    class complete on its own rectangle: the component is the linear space of matrices on
    the union of its rectangles), or ``"cited"`` (the reductions and the lemmas of
    ``parts`` for that component).
    """
    structure = RankOneStructure.build(support)
    classes = []
    for klass in range(structure.n_classes):
        rows, cols = structure.class_rectangle(klass)
        classes.append({
            "units": [int(k) for k in structure.class_units(klass)],
            "rows": [int(i) for i in rows],
            "cols": [int(j) for j in cols],
        })
    components = []
    for component in range(structure.n_components):
        members = [int(c) for c in structure.component_classes(component)]
        if len(members) == 1:
            claim, lemmas = "single-class", ["determinantal lemma"]
        elif all(bool(structure.complete[c]) for c in members):
            claim, lemmas = "all-classes-complete", ["complete-classes lemma"]
        else:
            claim = "cited"
            lemmas = sorted({p["lemma"] for p in parts if p["scope"] == f"component {component}"})
        components.append({"classes": members, "claim": claim, "lemmas": lemmas})
    return {
        "empty_units": [int(k) for k in structure.empty_units],
        "classes": classes,
        "components": components,
    }


# ----------------------------------------------------------------------------- public API


def certificate_header(name: str, kind: str | None = None) -> dict[str, Any]:
    """``format``, ``version``, ``kind`` (chain certificates only), ``name`` and ``producer``."""
    from closure_check import __version__

    header: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if kind is not None:
        header["kind"] = kind
    header.update(name=name, producer=f"closure-check {__version__}")
    return header


def certificate_json(support: TwoFactorSupport, result: CheckResult, name: str = "") -> dict[str, Any]:
    """The certificate of ``result`` for ``support`` as a JSON-able dict (schema version 1).

    Parameters
    ----------
    support
        The two-factor support ``result`` was computed for (a chain of two factors must
        be converted with ``to_two_factor`` first).
    result
        What :func:`closure_check.decide.check` returned for it.
    name
        A label for the certificate (e.g. the case name).

    Returns
    -------
    dict
        Keys ``format``, ``version``, ``name``, ``producer``, ``pattern``, ``verdict``,
        ``tractability``, ``reasons``, ``steps``, and by verdict: ``limit``, ``curve``,
        ``proof`` (NOT CLOSED); ``parts``, ``structure``, ``records`` (CLOSED);
        ``undecided`` (UNKNOWN).  See ``docs/certificates.md``.

    Raises
    ------
    ValueError
        If ``result`` says NOT CLOSED without a certificate.
    """
    cert: dict[str, Any] = {
        **certificate_header(name),
        "pattern": _pattern_json(support),
        "verdict": result.verdict.value,
        "tractability": result.tractability.value,
        "reasons": list(result.reasons),
        "steps": [{"lemma": step.lemma, "text": step.text} for step in result.steps],
    }
    if result.verdict is Verdict.NOT_CLOSED:
        if result.certificate is None:
            raise ValueError("a NOT CLOSED result without a certificate cannot be written as one")
        cert.update(_not_closed_json(result.certificate, result))
    elif result.verdict is Verdict.CLOSED:
        parts = _parts_json(result.reasons)
        cert["parts"] = parts
        cert["structure"] = _structure_json(support, parts)
        cert["records"] = [record.as_dict() for record in result.records]
    else:
        cert["undecided"] = list(result.undecided)
    return cert


def _layout(value: Any, indent: int, used: int, width: int = 100) -> str:
    """JSON with sorted keys, nested values indented by ``indent + 2``.

    ``used`` columns of the current line are taken already; a value whose one-line form
    fits in the rest of ``width`` stays on one line.
    """
    one_line = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
    if used + len(one_line) <= width or not isinstance(value, (dict, list)) or not value:
        return one_line
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = []
        for key in sorted(value):
            head = f"{pad}{json.dumps(key, ensure_ascii=False)}: "
            items.append(head + _layout(value[key], indent + 2, len(head), width))
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _layout(item, indent + 2, len(pad), width) for item in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def certificate_text(cert: dict[str, Any]) -> str:
    """The JSON text of a certificate: sorted keys, indented, short values on one line.

    The same dict always gives the same text, and ``json.loads`` gives the dict back.
    """
    return _layout(cert, 0, 0) + "\n"


def dump_certificate(cert: dict[str, Any], path: str | PathLike[str]) -> Path:
    """Write ``cert`` to ``path`` as UTF-8 JSON (:func:`certificate_text`); return the path.

    Raises
    ------
    OSError
        If the file cannot be written.
    """
    path = Path(path)
    path.write_text(certificate_text(cert), encoding="utf-8")
    return path


class _HugeInteger(ValueError):
    """An integer literal with more digits than a certificate ever needs."""


MAX_INTEGER_DIGITS = 4000
"""Longest integer literal a certificate file may hold (rationals are strings of at most
4000 digits too, ``closure_check.verifier.parse``); Python refuses to convert more than
4300 digits, and nothing in a certificate is that large."""


def _parse_int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INTEGER_DIGITS:
        raise _HugeInteger(f"an integer of {digits} digits (at most {MAX_INTEGER_DIGITS})")
    return int(text)


def load_certificate(path: str | PathLike[str]) -> Any:
    """Read the JSON value stored at ``path`` (checking it is a certificate is the verifier's job).

    Raises
    ------
    CertificateFileError
        If the file is missing or not a regular file (a directory, a FIFO, a device),
        cannot be read, is not UTF-8, is not JSON, or holds an integer of more than
        :data:`MAX_INTEGER_DIGITS` digits; the message is one line naming the path.
    """
    from closure_check.io import SupportFileError
    from closure_check.io.common import read_bytes

    path = Path(path)
    try:
        text = read_bytes(path).decode("utf-8")
    except SupportFileError as error:
        raise CertificateFileError(str(error)) from None
    except UnicodeDecodeError as error:
        raise CertificateFileError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except MemoryError:
        raise CertificateFileError(f"{path}: not enough memory to read it") from None
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as error:
        raise CertificateFileError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except _HugeInteger as error:
        raise CertificateFileError(f"{path}: not a certificate: it holds {error}") from None
    except RecursionError:
        raise CertificateFileError(f"{path}: JSON nested too deeply") from None
    except (ValueError, MemoryError) as error:
        raise CertificateFileError(f"{path}: not a readable certificate ({type(error).__name__})") from None
