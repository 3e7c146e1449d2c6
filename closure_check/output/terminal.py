"""Plain-text rendering of supports and their rank-one-support structure.

Rendering only: these functions turn objects into strings for a terminal and never
feed back into a decision.  Large supports are summarised (matrices wider or taller
than :data:`MAX_MATRIX_SIDE` are not drawn; at most :data:`MAX_LISTED` rectangles and
classes are listed).
"""

from __future__ import annotations

from typing import Sequence

from closure_check.certificates.chain import ChainNotClosedCertificate
from closure_check.certificates.two_factor import NotClosedCertificate
from closure_check.core.case import Case, Verdict
from closure_check.core.graph import RankOneStructure
from closure_check.core.support import ChainSupport, SupportMatrix, TwoFactorSupport
from closure_check.result import CheckResult

__all__ = [
    "render_case",
    "render_certificate",
    "render_chain_certificate",
    "render_check",
    "render_index_set",
    "render_matrix",
    "render_structure",
    "verdict_label",
]

MAX_MATRIX_SIDE = 40
MAX_LISTED = 40
MAX_SET_ITEMS = 12
ENGINE_RECORD_LABEL = "CLOSED (engine record)"
"""How a CLOSED verdict resting on an engine record (the Zariski-closure criterion) reads."""


def verdict_label(result: CheckResult) -> str:
    """``CLOSED``, ``NOT-CLOSED``, ``UNKNOWN``, or ``CLOSED (engine record)`` when the CLOSED
    verdict rests on an engine's answer (``result.engine_record``)."""
    return ENGINE_RECORD_LABEL if result.engine_record else result.verdict.value.upper()


def render_index_set(indices: Sequence[int]) -> str:
    """``{0,1,5}``; long sets are cut: ``{0,1,2,…,255} (256)``."""
    items = list(indices)
    if len(items) <= MAX_SET_ITEMS:
        return "{" + ",".join(map(str, items)) + "}"
    head = ",".join(map(str, items[: MAX_SET_ITEMS - 1]))
    return f"{{{head},…,{items[-1]}}} ({len(items)})"


def render_matrix(matrix: SupportMatrix, title: str) -> list[str]:
    """Lines drawing a 0/1 matrix with ``1`` and ``.``, or a one-line summary if large."""
    rows, cols = matrix.shape
    header = f"{title} ({rows}×{cols}, {matrix.nnz} nonzeros)"
    if max(rows, cols) > MAX_MATRIX_SIDE:
        return [header + ": too large to draw"]
    dense = matrix.toarray()
    return [header + ":"] + ["  " + " ".join("1" if v else "." for v in row) for row in dense]


def _side_by_side(left: list[str], right: list[str], gap: int = 4) -> list[str]:
    width = max((len(line) for line in left), default=0) + gap
    height = max(len(left), len(right))
    left = left + [""] * (height - len(left))
    right = right + [""] * (height - len(right))
    return [f"{a:<{width}}{b}".rstrip() for a, b in zip(left, right)]


def render_structure(structure: RankOneStructure) -> list[str]:
    """Lines listing rectangles, classes (μ, completeness, component) and components."""
    lines = ["Rectangles R_k × C_k (rows × columns of the product, 0-based):"]
    units = range(structure.support.rank)
    for unit in list(units)[:MAX_LISTED]:
        rows, cols = structure.unit_rectangle(unit)
        empty = "  (empty: contributes nothing)" if structure.unit_class[unit] < 0 else ""
        lines.append(f"  unit {unit}: {render_index_set(rows)} × {render_index_set(cols)}{empty}")
    if structure.support.rank > MAX_LISTED:
        lines.append(f"  … and {structure.support.rank - MAX_LISTED} more units")
    lines.append(
        f"Classes of equal rectangles: {structure.n_classes}, "
        f"{int(structure.complete.sum())} complete (μ ≥ min(|R|,|C|))"
    )
    for klass in range(min(structure.n_classes, MAX_LISTED)):
        rows, cols = structure.class_rectangle(klass)
        mu = int(structure.multiplicity[klass])
        bound = min(len(rows), len(cols))
        status = (
            f"complete (μ={mu} ≥ {bound})" if structure.complete[klass] else f"not complete (μ={mu} < {bound})"
        )
        members = render_index_set(structure.class_units(klass).tolist())
        lines.append(
            f"  class {klass}: {render_index_set(rows)} × {render_index_set(cols)}  "
            f"units {members}  {status}  component {int(structure.class_component[klass])}"
        )
    if structure.n_classes > MAX_LISTED:
        lines.append(f"  … and {structure.n_classes - MAX_LISTED} more classes")
    overlap = "pairwise disjoint rectangles" if structure.pairwise_disjoint else "some rectangles overlap"
    lines.append(f"Overlap components: {structure.n_components} ({overlap})")
    for component in range(min(structure.n_components, MAX_LISTED)):
        members = render_index_set(structure.component_classes(component).tolist())
        lines.append(f"  component {component}: classes {members}")
    if structure.n_components > MAX_LISTED:
        lines.append(f"  … and {structure.n_components - MAX_LISTED} more components")
    return lines


def render_case(case: Case, structure: RankOneStructure | None) -> str:
    """The whole ``show`` text for a case; ``structure`` is that of its two-factor form."""
    support = case.support
    lines = []
    title = case.name or "(unnamed)"
    if case.expect is not None:
        title += f"   expect: {case.expect}"
    lines.append(title)
    if case.source:
        lines.append(f"source: {case.source}")
    if isinstance(support, TwoFactorSupport):
        m, n = support.shape
        lines.append(
            f"two-factor support, X Yᵀ convention: product {m}×{n}, r = {support.rank} units, "
            f"nnz(I)+nnz(J) = {support.nnz}"
        )
        lines += _side_by_side(render_matrix(support.I, "I = supp X"), render_matrix(support.J, "J = supp Y"))
    else:
        assert isinstance(support, ChainSupport)
        lines.append(
            f"chain of {support.length} factors W_1⋯W_N: dims {'×'.join(map(str, support.dims))}, "
            f"nnz = {support.nnz}"
        )
        for index, factor in enumerate(support.factors, start=1):
            lines += render_matrix(factor, f"W{index}")
    if structure is not None:
        lines += render_structure(structure)
    elif isinstance(support, ChainSupport):
        lines.append("Rectangles are defined for two factors; this chain has more.")
    return "\n".join(lines)



def render_certificate(certificate: NotClosedCertificate) -> list[str]:
    """Lines stating a non-closedness certificate: limit, curve, obstruction."""
    def cells(entries: dict, name: str) -> str:
        return ", ".join(f"{name}[{a},{b}] = {value}" for (a, b), value in sorted(entries.items()))

    return [
        f"limit A = {_limit_text(certificate.limit)}",
        f"curve (t → 0⁺): {cells(certificate.curve.x, 'X')}; {cells(certificate.curve.y, 'Y')}; all other entries 0",
        f"A ∉ P ({certificate.lemma}): {certificate.argument}",
    ]


def _limit_text(limit: dict) -> str:
    return " + ".join((f"{value}·" if value != 1 else "") + f"E[{i},{j}]" for (i, j), value in sorted(limit.items())) or "0"


def render_chain_certificate(certificate: ChainNotClosedCertificate) -> list[str]:
    """Lines stating a chain certificate: limit, the curve of every factor, why A ∉ P."""
    factors = "; ".join(
        ", ".join(f"W{level}[{a},{b}] = {value}" for (a, b), value in sorted(entries.items())) or f"W{level} = 0"
        for level, entries in enumerate(certificate.curve.factors, start=1)
    )
    return [
        f"limit A = {_limit_text(certificate.limit)}",
        f"curve (t → 0⁺): {factors}; all other entries 0",
        f"A ∉ P ({certificate.lemma}): {certificate.argument}",
    ]


def render_check(label: str, result: CheckResult, expect: Verdict | None) -> str:
    """The ``check`` text for one file: verdict, tractability (two factors), reasons, certificate.

    A CLOSED verdict resting on an engine record reads ``CLOSED (engine record)`` and
    lists its records.
    """
    head = f"{label}: {verdict_label(result)}"
    if result.kind != "chain":
        head += f"   tractability: {result.tractability.value}"
    if expect is not None:
        if result.verdict is Verdict.UNKNOWN:
            status = "undecided"
        else:
            status = "agrees" if expect is result.verdict else "DISAGREES"
        head += f"   expect: {expect.value} ({status})"
    lines = [head]
    lines += [f"  - {reason}" for reason in result.reasons]
    lines += [f"  ? {item}" for item in result.undecided]
    if result.engine_record:
        lines += [
            f"  ! engine record: {record.engine} {record.version} answered {record.result} ({record.logic}); "
            "the CLOSED verdict rests on that engine, not on an independently checkable certificate"
            for record in result.records
        ]
    if result.limit == "time":
        lines.append("  limit: time -- a wall-clock safety net stopped part of the engine's work; on a quieter "
                     "machine or with a longer --time-limit the same effort may decide more")
    if isinstance(result.certificate, NotClosedCertificate):
        lines += [f"  {line}" for line in render_certificate(result.certificate)]
    elif isinstance(result.certificate, ChainNotClosedCertificate):
        lines += [f"  {line}" for line in render_chain_certificate(result.certificate)]
    return "\n".join(lines)
