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

import base64
import json
import re
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from closure_check.certificates.two_factor import Cell, NotClosedCertificate
from closure_check.core.case import Verdict
from closure_check.core.graph import RankOneStructure
from closure_check.core.laurent import Laurent
from closure_check.core.support import TwoFactorSupport
from closure_check.result import CheckResult
from closure_check.verifier.files import CertificateFileError, load_certificate

if TYPE_CHECKING:
    from closure_check.algebra.nullstellensatz import NullstellensatzCertificate

__all__ = [
    "COMPACT_ABOVE",
    "COMPACT_VERSION",
    "FORMAT",
    "LEMMA_REFERENCES",
    "VERSION",
    "CertificateFileError",
    "certificate_header",
    "certificate_json",
    "certificate_text",
    "dump_certificate",
    "encoded_array",
    "identity_json",
    "is_large",
    "laurent_entries_json",
    "laurent_json",
    "limit_json",
    "pattern_classes",
    "load_certificate",
    "rational_text",
    "side_json",
    "side_matrix",
]

FORMAT = "closure-check-certificate"
VERSION = 1
COMPACT_VERSION = 2
"""Version 2 is version 1 plus the compact encodings; a certificate that uses none is written as version 1."""

COMPACT_ABOVE = 4096
"""Supports with more nonzeros (``nnz(I) + nnz(J)``) get compact certificates (version 2)."""

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
    "section lemma": "docs/theory.md §4, Section lemma",
    "rank-one peeling lemma": "docs/theory.md §4, Rank-one peeling lemma [Wedderburn 1934; Chu-Funderlic-Golub 1995]",
    "full-space lemma": "docs/theory.md, Full-space lemma",
    "spanning lemma": "docs/theory.md, Full-space lemma and Spanning lemma",
    "hooks lemma": "docs/theory.md, Full-space lemma and Hooks lemma",
    "rank-spanning lemma": "docs/theory.md §4, Rank-spanning lemma",
    "filling-group lemma": "docs/theory.md §4, Free-block lemma (filling-group form)",
    "band-block lemma": "docs/theory.md §4, Free-block lemma (band form)",
    "projective-band lemma": "docs/theory.md §4, Projective-band lemma",
    "hub-row lemma": "docs/theory.md §4, Hub-row lemma",
    "local-LU lemma": "docs/theory.md §4, Local-LU lemma",
    "shared-rows lemma": "docs/theory.md §4, Shared-rows lemma",
    "shared-columns lemma": "docs/theory.md §4, Shared-rows lemma (transposed)",
    "free-factor lemma": "docs/theory.md §4, Free-factor lemma",
    "Laurent curve lemma": "docs/theory.md §5, Laurent curve lemma",
    "Nullstellensatz": "docs/theory.md §5, Weak Nullstellensatz; Cox–Little–O'Shea §4.1",
    "Laurent curve lemma + Nullstellensatz": "docs/theory.md §5, Laurent curve lemma and Weak Nullstellensatz",
    "Zariski-closure criterion": "docs/theory.md §5, Zariski-closure criterion (engine record)",
}

COMBINATORIAL_LEMMAS = ("local-LU lemma", "shared-rows lemma", "shared-columns lemma", "free-factor lemma")

_LEMMA_AT_END = re.compile(r"\(([^()]+)\)\s*$")
_COMPONENT_PREFIX = re.compile(r"component (\d+):")
_CELL_LABEL = re.compile(r"cell \((\d+),(\d+)\)")


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


def encoded_array(values: np.ndarray, dtype: str) -> str:
    """Integers as base64 of little-endian ``dtype`` (``"<i4"`` or ``"<i8"``)."""
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def side_json(matrix: Any, compact: bool) -> Any:
    """One side of a pattern (``I``: m×r, or ``J``: n×r, a 0/1 sparse matrix) as JSON.

    Not compact: the sorted list of ``[index, unit]`` pairs.  Compact: ``{"encoding":
    "kronecker", "parameters": [a, b, c, d]}`` when the side is ``I_a ⊗ 1_{b×c} ⊗ I_d``,
    else ``{"encoding": "columns", "indptr", "indices"}`` (the CSC arrays in base64,
    little-endian int64 and int32).
    """
    if not compact:
        coo = matrix.tocoo()
        return [[int(i), int(k)] for i, k in sorted(zip(coo.row.tolist(), coo.col.tolist()))]
    import scipy.sparse as sp

    from closure_check.chains.chainable import kronecker_parameters

    found = kronecker_parameters(sp.csr_array(matrix))
    if found:
        return {"encoding": "kronecker", "parameters": [int(v) for v in found[0]]}
    by_unit = sp.csc_array(matrix)
    by_unit.sum_duplicates()
    by_unit.sort_indices()
    return {
        "encoding": "columns",
        "indptr": encoded_array(by_unit.indptr, "<i8"),
        "indices": encoded_array(by_unit.indices, "<i4"),
    }


def _decoded(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def side_matrix(value: Any, size: int, r: int) -> Any:
    """A side of a certificate's pattern (any encoding of :func:`side_json`) as a 0/1 ``csr_array`` ``size × r``.

    For rendering a certificate that verifies (nothing is checked here); cost
    ``O(nnz)``.
    """
    import scipy.sparse as sp

    if isinstance(value, list):
        pairs = np.array(value, dtype=np.int64).reshape(-1, 2)
        ones = np.ones(len(pairs), dtype=np.int8)
        return sp.csr_array((ones, (pairs[:, 0], pairs[:, 1])), shape=(size, r))
    if value.get("encoding") == "kronecker":
        from closure_check.families import kronecker_pattern

        return kronecker_pattern(*value["parameters"])
    indices = _decoded(value["indices"], "<i4")
    by_unit = sp.csc_array((np.ones(indices.size, dtype=np.int8), indices, _decoded(value["indptr"], "<i8")), shape=(size, r))
    return sp.csr_array(by_unit)


def pattern_classes(pattern: dict[str, Any], limit: int) -> tuple[int, list[dict[str, list[int]]]]:
    """The classes of a certificate's pattern (units with equal non-empty rectangles, numbered by first unit).

    Returns the number of classes and the first ``limit`` of them as ``{"units", "rows",
    "cols"}``, as the ``derived`` structure leaves them to the reader.  ``O(nnz)``.
    """
    from closure_check.core.components import renumber_by_first_occurrence
    from closure_check.core.graph import group_equal_columns

    m, n, r = pattern["m"], pattern["n"], pattern["r"]
    sides = []
    for value, size in ((pattern["I"], m), (pattern["J"], n)):
        by_unit = side_matrix(value, size, r).tocsc()
        by_unit.sort_indices()
        sides.append(by_unit)
    I, J = sides
    nonempty = np.flatnonzero((np.diff(I.indptr) > 0) & (np.diff(J.indptr) > 0))
    if nonempty.size == 0:
        return 0, []
    rows_label, cols_label = group_equal_columns(I), group_equal_columns(J)
    klass = renumber_by_first_occurrence(rows_label[nonempty] * (int(cols_label.max()) + 1) + cols_label[nonempty])
    classes = []
    for c in range(min(limit, int(klass.max()) + 1)):
        units = nonempty[klass == c]
        k = int(units[0])
        classes.append({
            "units": units.tolist(),
            "rows": I.indices[I.indptr[k]:I.indptr[k + 1]].tolist(),
            "cols": J.indices[J.indptr[k]:J.indptr[k + 1]].tolist(),
        })
    return int(klass.max()) + 1, classes


def is_large(support: TwoFactorSupport) -> bool:
    """Whether the certificate of ``support`` uses the compact encodings (:data:`COMPACT_ABOVE`)."""
    return int(support.I.nnz) + int(support.J.nnz) > COMPACT_ABOVE


def _pattern_json(support: TwoFactorSupport, compact: bool = False) -> dict[str, Any]:
    m, n = support.shape
    return {
        "m": int(m),
        "n": int(n),
        "r": int(support.rank),
        "I": side_json(support.I, compact),
        "J": side_json(support.J, compact),
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
    if certificate.roles is not None:
        return dict(certificate.roles)
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


def _claims(structure: RankOneStructure, parts: list[dict[str, str]]) -> list[tuple[str, list[str]]]:
    """The claim closing each overlap component, with its lemmas."""
    class_counts = np.bincount(structure.class_component, minlength=structure.n_components)
    all_complete = np.ones(structure.n_components, dtype=bool)
    np.logical_and.at(all_complete, structure.class_component, structure.complete.astype(bool))
    claims = []
    for component in range(structure.n_components):
        if class_counts[component] == 1:
            claims.append(("single-class", ["determinantal lemma"]))
        elif all_complete[component]:
            claims.append(("all-classes-complete", ["complete-classes lemma"]))
        else:
            lemmas = sorted({p["lemma"] for p in parts if p["scope"] == f"component {component}"})
            claims.append(("cited", lemmas))
    return claims


_CLAIM_LETTER = {"single-class": "s", "all-classes-complete": "a", "cited": "c"}


def _derived_structure_json(structure: RankOneStructure, parts: list[dict[str, str]]) -> dict[str, Any]:
    """The ``derived`` structure (version 2): counts, components and claims; the classes are left to I and J.

    The classes (units with equal rectangles, numbered by first unit) are a function of
    the pattern, which the verifier recomputes; ``class_component`` is written only when
    some component has several classes, ``claims`` as one letter when all agree.
    """
    single_classes = structure.n_components == structure.n_classes
    if single_classes:
        letters = "s" if structure.n_classes else ""
        cited: dict[str, list[str]] = {}
    else:
        claims = _claims(structure, parts)
        letters = "".join(_CLAIM_LETTER[claim] for claim, _ in claims)
        if letters and letters == letters[0] * len(letters):
            letters = letters[0]
        cited = {str(q): lemmas for q, (claim, lemmas) in enumerate(claims) if claim == "cited"}
    out: dict[str, Any] = {
        "encoding": "derived",
        "empty_units": int(structure.empty_units.size),
        "classes": int(structure.n_classes),
        "components": int(structure.n_components),
        "claims": letters,
    }
    if not single_classes:
        out["class_component"] = encoded_array(structure.class_component, "<i4")
    if cited:
        out["cited"] = cited
    return out


def _structure_json(
    support: TwoFactorSupport, parts: list[dict[str, str]], structure: RankOneStructure | None = None,
    compact: bool = False,
) -> dict[str, Any]:
    """Classes and overlap components, each component with the claim that closes it.

    Claims: ``"single-class"`` (determinantal lemma), ``"all-classes-complete"`` (every
    class complete on its own rectangle: the component is the linear space of matrices on
    the union of its rectangles), or ``"cited"`` (the reductions and the lemmas of
    ``parts`` for that component).  ``structure`` is the one the verdict was read from
    (built again if None); ``compact`` writes the ``derived`` encoding.
    """
    if structure is None:
        structure = RankOneStructure.build(support)
    if compact:
        return _derived_structure_json(structure, parts)
    classes = []
    for klass in range(structure.n_classes):
        rows, cols = structure.class_rectangle(klass)
        classes.append({
            "units": [int(k) for k in structure.class_units(klass)],
            "rows": [int(i) for i in rows],
            "cols": [int(j) for j in cols],
        })
    components = []
    for component, (claim, lemmas) in enumerate(_claims(structure, parts)):
        members = [int(c) for c in structure.component_classes(component)]
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


def certificate_json(
    support: TwoFactorSupport, result: CheckResult, name: str = "", compact: bool | None = None
) -> dict[str, Any]:
    """The certificate of ``result`` for ``support`` as a JSON-able dict (schema version 1 or 2).

    Parameters
    ----------
    support
        The two-factor support ``result`` was computed for (a chain of two factors must
        be converted with ``to_two_factor`` first).
    result
        What :func:`closure_check.decide.check` returned for it.
    name
        A label for the certificate (e.g. the case name).
    compact
        Write the pattern and a CLOSED structure in the compact encodings of version 2
        (``docs/certificates.md``): Kronecker parameters or base64 index arrays, classes
        left to the verifier to recompute.  Its size and the cost of writing, reading and
        verifying it are then ``O(nnz(I) + nnz(J))`` (``O(1)`` for a closed pair of
        Kronecker patterns) whatever the number of cells.  None (default): compact iff
        the support has more than :data:`COMPACT_ABOVE` nonzeros.  Otherwise version 1.

    Returns
    -------
    dict
        Keys ``format``, ``version``, ``name``, ``producer``, ``pattern``, ``verdict``,
        ``tractability``, ``reasons``, ``steps``, and by verdict: ``limit``, ``curve``,
        ``proof`` (NOT CLOSED); ``parts``, ``structure``, ``records`` and, when the
        section lemma decided a part, ``sections``, when the rank-one peeling lemma did, ``peelings``, when the hub-row lemma
        did, ``hub_rows`` (CLOSED);
        ``undecided`` (UNKNOWN).  See ``docs/certificates.md``.

    Raises
    ------
    ValueError
        If ``result`` says NOT CLOSED without a certificate.
    """
    if compact is None:
        compact = is_large(support)
    cert: dict[str, Any] = {
        **certificate_header(name),
        "pattern": _pattern_json(support, compact),
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
        cert["structure"] = _structure_json(support, parts, result.structure, compact)
        cert["records"] = [record.as_dict() for record in result.records]
        if result.sections:
            cert["sections"] = [{"component": int(component), **proof.as_json()} for component, proof in result.sections]
        if result.peelings:
            cert["peelings"] = [{"component": int(component), **proof.as_json()} for component, proof in result.peelings]
        if result.hub_rows:
            cert["hub_rows"] = [{"component": int(component), **proof} for component, proof in result.hub_rows]
    else:
        cert["undecided"] = list(result.undecided)
    if compact:
        cert["version"] = COMPACT_VERSION
    return cert


def _length_at_least(value: Any, bound: int) -> int:
    """A lower bound on the length of ``value``'s one-line JSON, exact enough below ``bound``.

    Stops as soon as ``bound`` is passed, so that a large value (an encoded index array,
    a long list) is never written out just to find that it does not fit on a line.
    """
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, (list, dict)):
        total = 2
        for item in (value.items() if isinstance(value, dict) else value):
            if isinstance(value, dict):
                key, item = item
                total += len(key) + 4
            total += _length_at_least(item, bound - total) + 2
            if total > bound:
                break
        return total
    return len(str(value))


def _layout(value: Any, indent: int, used: int, width: int = 100) -> str:
    """JSON with sorted keys, nested values indented by ``indent + 2``.

    ``used`` columns of the current line are taken already; a value whose one-line form
    fits in the rest of ``width`` stays on one line.
    """
    if used + _length_at_least(value, width) <= width or not isinstance(value, (dict, list)) or not value:
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
