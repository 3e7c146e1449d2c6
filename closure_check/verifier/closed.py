"""CLOSED certificates: the structure is re-checked, the lemmas are cited, not re-proved.

A CLOSED verdict rests on lemmas of ``docs/theory.md`` (structural, direct-sum,
determinantal, absorption, …) whose proofs are mathematics, not computation; this
module cannot re-prove them.  It re-checks, from I and J alone, the combinatorial facts
the certificate states in machine-readable form:

* the classes (structural lemma): listed (``structure.classes``, version 1) -- each
  listed unit has exactly the listed rectangle ``R_k × C_k``; classes have distinct
  rectangles; with ``structure.empty_units`` (each really empty) they account for every
  unit exactly once -- or, with ``"encoding": "derived"`` (version 2), recomputed here
  (units with equal rectangles, numbered by first unit) and compared with the stated
  counts;
* the components: they partition the classes, and rectangles of different components
  share no cell (hypothesis of the direct-sum lemma);
* the claim of each component: ``"single-class"`` (one class: rank ≤ μ on a rectangle,
  determinantal lemma) or ``"all-classes-complete"`` (every class has
  ``μ ≥ min(|R|, |C|)``, so the component is the linear space of matrices on the union
  of its rectangles, complete-classes lemma), or ``"cited"`` (reductions and the cited
  lemmas, taken on trust);
* tractability ``"disjoint-or-identical"``: every component is a single class;
* every entry of ``parts`` cites a lemma; engine records say ``unsat`` (taken on trust);
* every section proof (``sections``, :mod:`.sections`) and free-factor proof (in the same
  list with ``"kind": "free-factor"``, :mod:`.free_factor`) is re-checked in full, and its
  units' rectangles lie in distinct units' rectangles of the pattern (the reductions that
  led to the part, which may shrink rectangles and hide cells, stay cited);
* every peeling proof (``peelings``, :mod:`.peeling`): each step's hypotheses, and its units
  in distinct units of the pattern likewise (the rank-one peeling lemma itself is cited);
* every hub-row proof (``hub_rows``, :mod:`.hub_row`): the lemma's hypothesis on its units,
  and its units in distinct units of the pattern likewise (the hub-row lemma itself is cited).

Cost: ``O(nnz + T)`` -- no loop visits the m×n cells.  Classes are found by hashing the
bytes of each unit's index slice (equal bytes, equal sets: exact).  Rows lying in
exactly the same units are *twins* (they lie in the same classes), and so are columns;
two rectangles share a cell iff they share a (twin row group, twin column group) pair,
so the disjointness of components is checked on the ``T`` compressed cells of the class
rectangles, at most :data:`MAX_COMPRESSED_CELLS` (for butterfly and Monarch patterns
one per class).
"""

from __future__ import annotations

from array import array
from typing import Any

from .free_factor import check_free_factor_proof
from .hub_row import check_hub_row_proof
from .parse import Malformed, field, index_list, integer
from .pattern import Pattern, decode_array
from .peeling import check_peeling_proof
from .report import VerificationReport
from .sections import check_section_proof

__all__ = ["MAX_COMPRESSED_CELLS", "check_closed", "check_engine_records", "derive_classes"]

MAX_COMPRESSED_CELLS = 50_000_000
"""Beyond this many twin-compressed rectangle cells the structure is too large to check
(the producer gives up at the same size: ``closure_check.core.graph.DEFAULT_MAX_CELLS``)."""

#: Claim letters of the derived encoding.
CLAIM_LETTERS = {"s": "single-class", "a": "all-classes-complete", "c": "cited"}

#: Up to this many components, each one's claim gets its own line in ``report.checked``.
LISTED_COMPONENTS = 8


def _set(items: Any) -> str:
    return "{" + ",".join(map(str, sorted(items))) + "}"


def derive_classes(pattern: Pattern) -> tuple[array, list[int], list[int]]:
    """``(unit_class, class_unit, multiplicity)``: units with equal non-empty rectangles, numbered by first unit.

    ``unit_class[k]`` is -1 for an empty unit.  Exact: two units are in one class iff the
    bytes of their index slices are equal.
    """
    I, J = pattern.I, pattern.J
    unit_class = array("i", [-1]) * pattern.r
    class_unit: list[int] = []
    multiplicity: list[int] = []
    seen: dict[tuple[bytes, bytes], int] = {}
    for k in range(pattern.r):
        if I.count(k) and J.count(k):
            key = (I.key(k), J.key(k))
            c = seen.setdefault(key, len(class_unit))
            if c == len(class_unit):
                class_unit.append(k)
                multiplicity.append(0)
            multiplicity[c] += 1
            unit_class[k] = c
    return unit_class, class_unit, multiplicity


def _twin_groups(lines: tuple[array, array], size: int, unit_class: array, n_classes: int) -> tuple[list[list[int]], list[int]]:
    """For one side: the twin groups of each class, and the smallest index of each group.

    Indices with the same units (bytes of their line) are twins: they lie in the same
    classes.  Returns ``(groups_of_class, first_index_of_group)``.
    """
    indptr, indices = lines
    view = memoryview(indices)
    group_of: dict[bytes, int] = {}
    groups_of_class: list[list[int]] = [[] for _ in range(n_classes)]
    first: list[int] = []
    for index in range(size):
        lo, hi = indptr[index], indptr[index + 1]
        if lo == hi:
            continue
        key = view[lo:hi].tobytes()
        if key in group_of:
            continue
        g = group_of[key] = len(first)
        first.append(index)
        for c in {unit_class[k] for k in indices[lo:hi]}:
            if c >= 0:
                groups_of_class[c].append(g)
    return groups_of_class, first


def _shared_cell(pattern: Pattern, unit_class: array, n_classes: int, component_of: list[int]) -> tuple[int, int, int, int] | None:
    """A cell lying in rectangles of two components, ``(i, j, q, q')``, or None.

    Raises
    ------
    Malformed
        If the twin-compressed cells exceed :data:`MAX_COMPRESSED_CELLS`.
    """
    row_groups, first_row = _twin_groups(pattern.I.lines(), pattern.m, unit_class, n_classes)
    col_groups, first_col = _twin_groups(pattern.J.lines(), pattern.n, unit_class, n_classes)
    total = sum(len(rows) * len(cols) for rows, cols in zip(row_groups, col_groups))
    if total > MAX_COMPRESSED_CELLS:
        raise Malformed(
            f"structure: the class rectangles have {total} twin-compressed cells, more than the "
            f"{MAX_COMPRESSED_CELLS} this verifier checks"
        )
    width = len(first_col)
    owner: dict[int, int] = {}
    for c in range(n_classes):
        q = component_of[c]
        for g in row_groups[c]:
            base = g * width
            for h in col_groups[c]:
                other = owner.setdefault(base + h, q)
                if other != q:
                    return first_row[g], first_col[h], min(q, other), max(q, other)
    return None


# ----------------------------------------------------------------------------- listed (version 1)


def _listed_classes(structure: dict, pattern: Pattern, report: VerificationReport) -> tuple[list[list[int]], array]:
    """The classes of ``structure.classes`` checked against I and J; ``(units per class, unit_class)``."""
    I, J = pattern.I, pattern.J
    empty = index_list(field(structure, "empty_units", list, "structure"), "structure.empty_units", pattern.r)
    classes: list[list[int]] = []
    unit_class = array("i", [-1]) * pattern.r
    owner: dict[int, str] = {k: "the empty units" for k in empty}
    for k in empty:
        if I.count(k) and J.count(k):
            report.fail(f"unit {k} is listed as empty but has rectangle {_set(I.of(k))}×{_set(J.of(k))}")
    rectangles: dict[tuple[bytes, bytes], int] = {}
    for c, item in enumerate(field(structure, "classes", list, "structure")):
        where = f"structure.classes[{c}]"
        units = index_list(field(item, "units", list, where), f"{where}.units", pattern.r)
        rows = array("i", sorted(index_list(field(item, "rows", list, where), f"{where}.rows", pattern.m)))
        cols = array("i", sorted(index_list(field(item, "cols", list, where), f"{where}.cols", pattern.n)))
        if not units or not rows or not cols:
            report.fail(f"class {c} has no unit, no row or no column")
        for k in units:
            if k in owner:
                report.fail(f"unit {k} is listed in class {c} and in {owner[k]}")
            owner[k] = f"class {c}"
            unit_class[k] = c
            if I.of(k) != rows or J.of(k) != cols:
                report.fail(
                    f"unit {k} of class {c} has rectangle {_set(I.of(k))}×{_set(J.of(k))}, not {_set(rows)}×{_set(cols)}"
                )
        key = (rows.tobytes(), cols.tobytes())
        if key in rectangles:
            report.fail(f"classes {rectangles[key]} and {c} have the same rectangle: they are one class")
        rectangles[key] = c
        classes.append(units)
    for k in range(pattern.r):
        if k not in owner:
            report.fail(f"unit {k} is in no class and not listed as empty")
    return classes, unit_class


def _listed_components(structure: dict, n_classes: int, report: VerificationReport) -> tuple[list[tuple[list[int], str, list[Any]]], list[int]]:
    components, owner = [], [-1] * n_classes
    for q, item in enumerate(field(structure, "components", list, "structure")):
        where = f"structure.components[{q}]"
        members = index_list(field(item, "classes", list, where), f"{where}.classes", n_classes)
        claim = field(item, "claim", str, where)
        lemmas = field(item, "lemmas", list, where)
        if not lemmas or not all(isinstance(x, str) and x for x in lemmas):
            report.fail(f"component {q} cites no lemma")
        for c in members:
            if owner[c] >= 0:
                report.fail(f"class {c} is in components {owner[c]} and {q}")
            owner[c] = q
        components.append((members, claim, lemmas))
    for c in range(n_classes):
        if owner[c] < 0:
            report.fail(f"class {c} is in no component")
    return components, owner


# ----------------------------------------------------------------------------- derived (version 2)


def _derived(structure: dict, pattern: Pattern, report: VerificationReport) -> tuple[list[list[int]], array, list[tuple[list[int], str, list[Any]]], list[int]]:
    """The classes recomputed from I and J, the components and claims of the derived encoding."""
    unit_class, class_unit, multiplicity = derive_classes(pattern)
    n_classes = len(class_unit)
    n_empty = unit_class.count(-1)
    stated_empty = integer(field(structure, "empty_units", int, "structure"), "structure.empty_units", 0)
    stated_classes = integer(field(structure, "classes", int, "structure"), "structure.classes", 0)
    n_components = integer(field(structure, "components", int, "structure"), "structure.components", 0)
    if stated_empty != n_empty:
        report.fail(f"structure.empty_units says {stated_empty} empty unit(s), I and J give {n_empty}")
    if stated_classes != n_classes:
        raise Malformed(f"structure.classes says {stated_classes} class(es), I and J give {n_classes}")
    if "class_component" in structure:
        component_of = list(decode_array(field(structure, "class_component", str, "structure"), "i",
                                         "structure.class_component"))
        if len(component_of) != n_classes:
            raise Malformed(f"structure.class_component has {len(component_of)} entries for {n_classes} classes")
        for c, q in enumerate(component_of):
            if not 0 <= q < n_components:
                raise Malformed(f"structure.class_component[{c}] = {q} is out of range [0, {n_components})")
    else:
        if n_components != n_classes:
            raise Malformed(
                f"structure.components says {n_components} but there is no class_component: each of the "
                f"{n_classes} classes is then its own component"
            )
        component_of = list(range(n_classes))
    claims = field(structure, "claims", str, "structure")
    if len(claims) == 1:
        claims *= n_components
    if len(claims) != n_components or set(claims) - set(CLAIM_LETTERS):
        raise Malformed(
            f"structure.claims should be one letter (s, a or c) per component or one for all, got {len(claims)} "
            f"letter(s) for {n_components} component(s)"
        )
    cited = field(structure, "cited", dict, "structure") if "cited" in structure else {}
    members: list[list[int]] = [[] for _ in range(n_components)]
    for c, q in enumerate(component_of):
        members[q].append(c)
    components = []
    for q in range(n_components):
        if not members[q]:
            report.fail(f"component {q} has no class")
        lemmas: list[Any] = {"s": ["determinantal lemma"], "a": ["complete-classes lemma"]}.get(claims[q], [])
        if claims[q] == "c":
            lemmas = cited.get(str(q), [])
            if not isinstance(lemmas, list) or not lemmas or not all(isinstance(x, str) and x for x in lemmas):
                report.fail(f"component {q} cites no lemma (structure.cited[{str(q)!r}])")
                lemmas = []
        components.append((members[q], CLAIM_LETTERS[claims[q]], lemmas))
    # a class as its representative unit repeated μ times: the checks need μ and a rectangle
    classes = [[class_unit[c]] * multiplicity[c] for c in range(n_classes)]
    return classes, unit_class, components, component_of


# ----------------------------------------------------------------------------- the check


def check_closed(cert: dict, pattern: Pattern, report: VerificationReport, version: int = 1) -> None:
    """Check the structure and claims of a CLOSED certificate; record the lemmas it rests on."""
    parts = field(cert, "parts", list, "")
    if not parts:
        report.fail("the CLOSED verdict cites no lemma (parts is empty)")
    for p, part in enumerate(parts):
        lemma = field(part, "lemma", str, f"parts[{p}]")
        field(part, "text", str, f"parts[{p}]")
        if not lemma.strip():
            report.fail(f"part {p} cites no lemma")
    structure = field(cert, "structure", dict, "")
    before = len(report.problems)
    encoding = structure.get("encoding")
    if encoding is None:
        classes, unit_class = _listed_classes(structure, pattern, report)
        components, component_of = _listed_components(structure, len(classes), report)
        how = "listed"
    elif encoding == "derived":
        if version < 2:
            raise Malformed(f"structure: the 'derived' encoding needs certificate version 2, this one says {version}")
        classes, unit_class, components, component_of = _derived(structure, pattern, report)
        how = "recomputed from I and J"
    else:
        raise Malformed(f"structure.encoding: unknown encoding {encoding!r} (expected derived, or none)")
    if len(report.problems) == before:
        shared = _shared_cell(pattern, unit_class, len(classes), component_of)
        if shared is not None:
            i, j, q, other = shared
            report.fail(f"cell ({i},{j}) lies in components {q} and {other}: they are not disjoint")
    if len(report.problems) == before:
        report.passed(
            f"structure: {len(classes)} class(es) of equal rectangles ({how}), {len(components)} overlap "
            f"component(s), no cell shared between components"
        )
        report.trust("structural lemma")
        if len(components) > 1:
            report.trust("direct-sum lemma")
    single = complete = 0
    for q, (members, claim, lemmas) in enumerate(components):
        if claim == "single-class":
            if len(members) != 1:
                report.fail(f"component {q} claims a single class but has {len(members)}")
            else:
                single += 1
                if len(components) <= LISTED_COMPONENTS:
                    report.passed(f"component {q} is the single class {members[0]}")
                report.trust("determinantal lemma")
        elif claim == "all-classes-complete":
            incomplete = [
                c for c in members
                if len(classes[c]) < min(pattern.I.count(classes[c][0]), pattern.J.count(classes[c][0]))
            ] if all(classes[c] for c in members) else members
            if incomplete:
                report.fail(f"component {q} claims complete classes but class {incomplete[0]} has μ < min(|R|,|C|)")
            else:
                complete += 1
                if len(components) <= LISTED_COMPONENTS:
                    report.passed(f"component {q}: every class has μ ≥ min(|R|,|C|)")
                report.trust("complete-classes lemma")
        elif claim == "cited":
            for lemma in lemmas:
                report.trust(str(lemma))
            for index, step in enumerate(field(cert, "steps", list, "")):
                report.trust(field(step, "lemma", str, f"steps[{index}]"))
        else:
            raise Malformed(f"structure.components[{q}].claim: unknown claim {claim!r}")
    if len(components) > LISTED_COMPONENTS and single + complete:
        report.passed(
            f"{single} component(s) are a single class, {complete} have every class with μ ≥ min(|R|,|C|)"
        )
    if cert.get("tractability") == "disjoint-or-identical":
        if all(len(members) == 1 for members, _, _ in components):
            report.passed("disjoint-or-identical: every overlap component is a single class")
        else:
            report.fail("tractability disjoint-or-identical, but some overlap component has more than one class")
    for p, part in enumerate(parts):
        scope = part.get("scope", "")
        if isinstance(scope, str) and scope.startswith("component"):
            report.trust(part["lemma"])
    check_engine_records(field(cert, "records", list, ""), "records", report)
    for index, proof in enumerate(cert.get("sections", [])):
        _check_section(proof, pattern, report, f"sections[{index}]")
    for index, proof in enumerate(cert.get("peelings", [])):
        _check_peeling(proof, pattern, report, f"peelings[{index}]")
    for index, proof in enumerate(cert.get("hub_rows", [])):
        units = check_hub_row_proof(proof, report, f"hub_rows[{index}]")
        if units is not None and _placed(units, pattern, report, f"hub_rows[{index}]"):
            report.trust("hub-row lemma")
    report.passed("a CLOSED verdict rests on the cited lemmas (report.trusted), which the verifier cannot re-prove")


def _check_section(proof: Any, pattern: Pattern, report: VerificationReport, where: str) -> None:
    """Re-check a section proof (or a free-factor proof, ``"kind": "free-factor"``), and that
    its units lie in distinct units of the pattern (the reductions may have shrunk a
    rectangle; they are cited)."""
    if isinstance(proof, dict) and proof.get("kind") == "free-factor":
        found_units = check_free_factor_proof(proof, report, where)
        if found_units is None:
            return
        units, lemma = found_units, "free-factor lemma"
    else:
        found = check_section_proof(proof, report, where)
        if found is None:
            return
        units, _ = found
        lemma = "section lemma"
    if _placed(units, pattern, report, where):
        report.trust(lemma)


def _check_peeling(proof: Any, pattern: Pattern, report: VerificationReport, where: str) -> None:
    """Re-check a peeling proof's steps, and that its units lie in distinct units of the
    pattern (the reductions that led to the part are cited)."""
    units = check_peeling_proof(proof, report, where)
    if units is not None and _placed(units, pattern, report, where):
        report.trust("rank-one peeling lemma")


def _placed(units: list[tuple[set[int], set[int]]], pattern: Pattern, report: VerificationReport, where: str) -> bool:
    """Each of the part's units lies in its own unit of the pattern (bipartite matching)."""
    rectangles = [(set(pattern.I.of(k)), set(pattern.J.of(k))) for k in range(pattern.r)]
    owner: dict[int, int] = {}

    def place(u: int, seen: set[int]) -> bool:  # augmenting path (bipartite matching)
        rows, cols = units[u]
        for k, (big_rows, big_cols) in enumerate(rectangles):
            if k in seen or not (rows <= big_rows and cols <= big_cols):
                continue
            seen.add(k)
            if k not in owner or place(owner[k], seen):
                owner[k] = u
                return True
        return False

    for u, (rows, cols) in enumerate(units):
        if not place(u, set()):
            report.fail(f"{where}: unit {u} ({_set(rows)}×{_set(cols)}) lies in no unit of the pattern left free by the others")
            return False
    return True


def check_engine_records(records: list, where: str, report: VerificationReport) -> None:
    """Check the form of the engine records ``records`` (at ``where``), each answering unsat; trust them."""
    for index, record in enumerate(records):
        at = f"{where}[{index}]"
        engine = field(record, "engine", str, at)
        version = field(record, "version", str, at)
        field(record, "query", str, at)
        if field(record, "result", str, at) != "unsat":
            report.fail(f"engine record {index} answered {record['result']!r}; a CLOSED verdict needs unsat")
        report.trust(f"engine record {index}: {engine} {version} answered unsat (not re-checkable)")
