"""The free-block lemma's outside-first section search (``docs/theory.md`` §4, "Free-block lemma").

The proofs are section proofs: the verifier re-checks them, and an exact replay written here with
plain Fractions (``test_sections._replay``) follows seeded targets -- zero bands, rank-deficient
blocks, products of sparse factors -- through the tree and multiplies the leaf's factors out.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from test_sections import _accepts, _leaf_paths, _replay, _support

from closure_check import check
from closure_check.core.case import Verdict
from closure_check.core.graph import RankOneStructure
from closure_check.two_factor.free_block import block_stages, free_block_proof
from closure_check.two_factor.reduce import reduce_component
from closure_check.two_factor.rules import decide_part, part_units_and_cells
from closure_check.two_factor.sections import DEEP, QUICK, WIDE, rank_one_equations, section_proof
from closure_check.verifier import verify_certificate

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"

# (pattern, units of its open part, visible cells, the block B whose cells F avoids)
DECIDED = [
    ("I=111/111/001/001 J=111/111/010/010",
     [((0, 1), (0, 1)), ((0, 1), (0, 1, 2, 3)), ((0, 1, 2, 3), (0, 1))],
     [(i, j) for i in range(4) for j in range(4) if i < 2 or j < 2],
     {(i, j) for i in range(2) for j in range(2)}),
    ("I=101/011/111 J=001/001/111/111",
     [((0, 2), (2, 3)), ((1, 2), (2, 3)), ((0, 1, 2), (0, 1, 2, 3))],
     [(i, j) for i in range(3) for j in range(4)],
     {(i, j) for i in range(3) for j in (2, 3)}),
    ("I=111/011/101 J=111/111/010/010",
     [((0, 2), (0, 1)), ((0, 1), (0, 1, 2, 3)), ((0, 1, 2), (0, 1))],
     [(i, j) for i in range(3) for j in range(4) if i < 2 or j < 2],
     {(i, j) for i in range(3) for j in (0, 1)}),
]


@pytest.fixture(scope="module")
def proofs() -> list[dict]:
    found = [free_block_proof(units, cells) for _, units, cells, _ in DECIDED]
    assert all(p is not None for p in found)
    return [json.loads(json.dumps(p.as_json())) for p in found]


def _equation_cells(proof: dict) -> set[tuple[int, int]]:
    return {tuple(int(v) for v in name.split("_")[1:]) for eq in proof["equations"] for _, powers in eq for name in powers}


@pytest.mark.parametrize("index", range(len(DECIDED)))
def test_the_verifier_accepts_and_the_block_is_free(proofs, index):
    _, units, cells, block = DECIDED[index]
    proof = proofs[index]
    assert _accepts(proof)
    # F is the single-unit minors, all outside the block: Q = Z'(F) × ℝ^B
    assert len(proof["equations"]) == len(rank_one_equations(units, cells)) > 0
    assert _equation_cells(proof).isdisjoint(block)


@pytest.mark.parametrize("index", range(len(DECIDED)))
def test_the_plain_search_misses_what_the_staged_one_finds(index):
    _, units, cells, _ = DECIDED[index]
    assert section_proof(units, cells, QUICK + WIDE) is None


def _degenerate_targets(units, cells, block, seed: int, count: int):
    """Targets in Z(F): each single-unit 2×2 block rank ≤ 1 (u vᵀ with zeros in u, v often: zero
    bands), the block B sometimes 0 or rank one, other cells 0, 1, 2, -1 or random rationals."""
    rng = random.Random(seed)
    minors = rank_one_equations(units, cells)
    block = sorted(block)
    for n in range(count):
        A = {c: rng.choice([Fraction(0)] * 3 + [Fraction(1), Fraction(2), Fraction(-1),
                                                 Fraction(rng.randint(-9, 9), rng.randint(1, 5))]) for c in cells}
        u = {i: rng.choice([0, 0, 1, Fraction(rng.randint(-5, 5), 3)]) for i in range(4)}
        v = {j: rng.choice([0, 0, 1, Fraction(rng.randint(-5, 5), 2)]) for j in range(4)}
        if n % 4 == 0:
            u = dict.fromkeys(u, 0)  # every single-unit block (a band outside B) is zero
        for p, q, r, s in minors:
            for i, j in (p, q, r, s):
                A[(i, j)] = Fraction(u[i] * v[j])
        if n % 3 == 0:
            for c in block:
                A[c] = Fraction(0)
        elif n % 3 == 1:  # B of rank one
            a = {i: rng.choice([0, 1, -2]) for i in range(4)}
            b = {j: rng.choice([0, 1, 3]) for j in range(4)}
            for i, j in block:
                A[(i, j)] = Fraction(a[i] * b[j])
        yield A


@pytest.mark.parametrize("index", range(len(DECIDED)))
def test_exact_replay_on_zero_bands_and_rank_deficient_blocks(proofs, index):
    _, units, cells, block = DECIDED[index]
    proof = proofs[index]
    leaves = _leaf_paths(proof["tree"])
    reached = {_replay(proof, A) for A in _degenerate_targets(units, cells, block, seed=index, count=300)}
    assert reached <= leaves
    # the zero-band targets take the zero sides of the splits: more than the generic leaf is reached
    assert len(reached) >= min(len(leaves), 6)
    zero_band = {c: Fraction(0) for c in cells}
    for c in block:
        zero_band[c] = Fraction(c[0] + 2 * c[1] + 1)  # every band zero outside B, B of full rank
    _replay(proof, zero_band)


@pytest.mark.parametrize("index", range(len(DECIDED)))
def test_exact_replay_on_products_of_sparse_factors(proofs, index):
    _, units, cells, _ = DECIDED[index]
    proof = proofs[index]
    rng = random.Random(100 + index)
    for _ in range(300):
        x = {(i, k): rng.choice([0, 0, 0, 1, -1, 2, rng.randint(-4, 4)]) for k, (rows, _) in enumerate(units) for i in rows}
        y = {(j, k): rng.choice([0, 0, 0, 1, -1, 2, rng.randint(-4, 4)]) for k, (_, cols) in enumerate(units) for j in cols}
        A = {(i, j): Fraction(sum(x.get((i, k), 0) * y.get((j, k), 0) for k in range(len(units)))) for i, j in cells}
        _replay(proof, A)


def test_a_tampered_leaf_is_rejected(proofs):
    proof = json.loads(json.dumps(proofs[0]))
    node = proof["tree"]
    while "leaf" not in node:
        node = node.get("nonzero") or node.get("then")
    node["leaf"][0]["num"] = [["2", {}]] + node["leaf"][0]["num"]
    assert not _accepts(proof)


def test_block_stages_are_unit_blocks_largest_first():
    _, units, cells, _ = DECIDED[0]
    stages = block_stages(units, cells)
    assert [len(b) for _, b in stages] == [8, 8, 4]
    for outside, block in stages:
        assert sorted(outside + block) == sorted(cells) and not set(outside) & set(block)
    with pytest.raises(ValueError):
        section_proof(units, cells, QUICK, stages=(cells[:3], cells[2:]))


NOT_CLOSED = [  # parts certified NOT CLOSED by curves: no tree may exist, the search must fail
    ([((0, 1), (0, 1)), ((1,), (1,))], [(0, 0), (0, 1), (1, 0)]),  # LU with the corner hidden
    ([((0, 1), (0, 1)), ((0, 1), (1, 2))], [(i, j) for i in range(2) for j in range(3)]),  # 2×3 shared rows
    ([((0, 2), (2, 3)), ((1, 2), (2, 3)), ((0, 1), (0, 1, 2))],
     [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (1, 2), (1, 3), (2, 2), (2, 3)]),
    ([((1, 2), (0, 1, 2, 3)), ((0, 2), (1, 2, 3)), ((0, 1, 2), (0, 1, 2))], [(i, j) for i in range(3) for j in range(4)]),
    ([((2, 3), (0, 2, 3)), ((2, 3), (1, 2, 3)), ((0, 1, 2), (0, 1))],
     [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (2, 2), (2, 3), (3, 0), (3, 1), (3, 2), (3, 3)]),
]


@pytest.mark.parametrize("units, cells", NOT_CLOSED)
def test_no_proof_on_parts_that_are_not_closed(units, cells):
    assert free_block_proof(units, cells) is None


@pytest.mark.parametrize("pattern", ["I=101/011/111 J=001/001/111/111"])
def test_check_closes_the_pattern_and_the_certificate_verifies(pattern):
    result = check(_support(pattern))
    assert result.verdict is Verdict.CLOSED and not result.records
    assert any("free-block lemma" in reason for reason in result.reasons)
    report = verify_certificate(json.loads(json.dumps(result.certificate_json())))
    assert report.ok, report.problems


# ----------------------------------------------------------------------------- the censuses


def _stored(name: str, key: str) -> list[tuple[str, str, str]]:
    rows = []
    for line in (RESULTS / name).read_text().splitlines():
        record = json.loads(line)
        if "I" in record:
            rows.append(("/".join(record["I"]), "/".join(record["J"]), record[key]))
    return rows


CENSUSES = [("baseline_2x3.jsonl", "check"), ("baseline_3x3.jsonl", "check"), ("frontier_2x4.jsonl", "verdict"),
            ("frontier_3x3e4.jsonl", "verdict"), ("frontier_3x4.jsonl", "verdict")]


def _census_parts(name: str, key: str, sample: int | None, seed: int):
    """(pattern, stored verdict, structure, reduction, part) for every part of a stored census
    (a seeded sample of its patterns unless ``sample`` is None)."""
    rows = _stored(name, key)
    if sample is not None:
        rows = random.Random(seed).sample(rows, min(sample, len(rows)))
    for I, J, verdict in rows:
        for pattern, _, structure, reduction, part in _pattern_parts(f"I={I} J={J}"):
            yield pattern, verdict, structure, reduction, part


def _pattern_parts(pattern: str):
    """(pattern, None, structure, reduction, part) for every part of one pattern."""
    structure = RankOneStructure.build(_support(pattern))
    counts = np.bincount(structure.class_component, minlength=structure.n_components)
    for component in np.flatnonzero(counts > 1):
        reduction = reduce_component(structure, int(component))
        for part in reduction.parts:
            yield pattern, None, structure, reduction, part


def census_outcomes(name: str, key: str, sample: int | None):
    """(pattern, stored verdict, proved) for every part no rule decides on which the search ran."""
    for pattern, verdict, structure, reduction, part in _census_parts(name, key, sample, 17):
        if decide_part(structure, reduction, part) is not None:
            continue
        units, cells = part_units_and_cells(reduction, part)
        yield pattern, verdict, free_block_proof(units, cells) is not None


@pytest.mark.exhaustive
@pytest.mark.parametrize("name, key", CENSUSES)
def test_never_closed_on_a_stored_not_closed_pattern(name, key, exhaustive):
    checked = 0
    for pattern, verdict, proved in census_outcomes(name, key, None if exhaustive else 30):
        checked += 1
        if proved:
            assert verdict in ("closed", "unknown"), f"{pattern}: stored {verdict}, the search proves a part closed"
    assert checked or not exhaustive


# ----------------------------------------------------------------------------- the filling-group form


FILLING = [  # (pattern, the group's units, the rest's units, the rest's visible cells outside W)
    ("I=111/111/011 J=111/111/001/001", [((0, 1), (0, 1)), ((0, 1, 2), (0, 1))], [((0, 1, 2), (0, 1, 2, 3))]),
    ("I=111/011/101 J=111/111/010/010", [((0, 2), (0, 1)), ((0, 1, 2), (0, 1))], [((0, 1), (0, 1, 2, 3))]),
]


@pytest.mark.parametrize("pattern, group, rest", FILLING)
def test_the_rules_close_the_pattern_by_the_filling_group(pattern, group, rest):
    """The filling-group rule closes the pattern's part on its own (the pipeline may credit an
    earlier rule: the first pattern's part is also the owned-block peeling of main), and
    ``check`` closes it with a certificate the verifier accepts."""
    from closure_check.two_factor.rules import _filling_group

    outcomes = [(_filling_group(reduction, part), decide_part(structure, reduction, part))
                for _, _, structure, reduction, part in _pattern_parts(pattern)]
    assert outcomes and all(own is not None and own.lemma == "filling-group lemma" for own, _ in outcomes)
    assert all(first is not None and first.verdict is Verdict.CLOSED for _, first in outcomes)
    result = check(_support(pattern), budget=0)
    assert result.verdict is Verdict.CLOSED
    report = verify_certificate(json.loads(json.dumps(result.certificate_json())))
    assert report.ok, report.problems


@pytest.mark.parametrize("pattern, group, rest", FILLING)
def test_exact_replay_of_the_filling_group_construction(pattern, group, rest):
    """The lemma's ⊇, built exactly: factors of the rest (sparse, often zero) give A' outside W;
    any b on W is reached by letting the group produce b minus the rest's values on W, with the
    factors the group's full-space proof rebuilds (``test_fullspace.realize``)."""
    from test_fullspace import product_on, realize

    from closure_check.two_factor.fullspace import full_space_proof

    W = sorted({(i, j) for rows, cols in group for i in rows for j in cols})
    cells = sorted(set(W) | {(i, j) for rows, cols in rest for i in rows for j in cols})
    proof = full_space_proof(group, W)
    assert proof is not None
    rng = random.Random(7)
    for _ in range(200):
        rest_factors = [({i: Fraction(rng.choice([0, 0, 1, -1, rng.randint(-4, 4)])) for i in rows},
                         {j: Fraction(rng.choice([0, 0, 1, 2, rng.randint(-4, 4)])) for j in cols}) for rows, cols in rest]
        outside = product_on(rest, rest_factors, frozenset(cells))
        b = {c: rng.choice([Fraction(0), Fraction(1), Fraction(rng.randint(-9, 9), rng.randint(1, 4))]) for c in W}
        group_factors = realize(proof.tree, {c: b[c] - outside[c] for c in W})
        total = product_on(list(group) + list(rest), group_factors + rest_factors, frozenset(cells))
        assert all(total[c] == b[c] for c in W)
        assert all(total[c] == outside[c] for c in cells if c not in W)


def _rule_outcomes(name: str, key: str, sample: int | None):
    """(pattern, stored verdict, lemma) for every part of the stored census the rules decide."""
    for pattern, verdict, structure, reduction, part in _census_parts(name, key, sample, 29):
        outcome = decide_part(structure, reduction, part)
        if outcome is not None:
            yield pattern, verdict, outcome.lemma


@pytest.mark.exhaustive
@pytest.mark.parametrize("name, key", CENSUSES)
def test_the_new_rules_never_contradict_a_stored_verdict(name, key, exhaustive):
    for pattern, verdict, lemma in _rule_outcomes(name, key, None if exhaustive else 30):
        if lemma in ("filling-group lemma", "band-block lemma"):
            assert verdict in ("closed", "unknown"), f"{pattern}: stored {verdict}, the {lemma} closes a part"


# ----------------------------------------------------------------------------- the band form


BANDS = [  # (pattern, block rows, block cols, μ, row bands, column bands, the other units)
    ("I=111/111/001/001 J=111/111/010/010", (0, 1), (0, 1), 1, [((0, 1), (0, 1, 2, 3))], [((0, 1, 2, 3), (0, 1))], []),
    ("I=011/011/101/101 J=111/111/010/010", (2, 3), (0, 1), 1, [], [((0, 1, 2, 3), (0, 1))], [((0, 1), (0, 1, 2, 3))]),
]


@pytest.mark.parametrize("pattern", [b[0] for b in BANDS])
def test_the_rules_close_the_pattern_by_the_band_block(pattern):
    result = check(_support(pattern), budget=0)
    assert result.verdict is Verdict.CLOSED
    assert any("(band-block lemma)" in reason for reason in result.reasons)
    report = verify_certificate(json.loads(json.dumps(result.certificate_json())))
    assert report.ok, report.problems


def _rank_one_terms(matrix: dict, rows, cols) -> list[tuple[dict, dict]]:
    """``matrix`` on rows × cols as a sum of rank(matrix) rank-one terms (exact row reduction)."""
    terms, rest = [], dict(matrix)
    while any(rest.values()):
        (i0, j0) = next(c for c in sorted(rest) if rest[c] != 0)
        x = {i: rest[(i, j0)] / rest[(i0, j0)] for i in rows}
        y = {j: rest[(i0, j)] for j in cols}
        terms.append((x, y))
        rest = {(i, j): rest[(i, j)] - x[i] * y[j] for i in rows for j in cols}
    return terms


@pytest.mark.parametrize("index", range(len(BANDS)))
def test_exact_replay_of_the_band_block_construction(index):
    """The lemma's proof, run exactly: outer factors (a band often zero, then re-chosen as the
    proof says), then the block b reached with the bands' inner entries and μ units on B."""
    _, RB, CB, mu, row_bands, col_bands, others = BANDS[index]
    B = [(i, j) for i in RB for j in CB]
    rng = random.Random(40 + index)
    units = row_bands + col_bands + others
    cells = sorted({(i, j) for rows, cols in units for i in rows for j in cols} | set(B))
    for trial in range(300):
        pick = lambda: Fraction(rng.choice([0, 0, 1, -1, rng.randint(-5, 5)]))  # noqa: E731
        factors = [({i: pick() for i in rows}, {j: pick() for j in cols}) for rows, cols in units]
        if trial % 3 == 0:  # zero bands
            for k in range(len(row_bands) + len(col_bands)):
                factors[k] = ({i: Fraction(0) for i in units[k][0]}, {j: Fraction(0) for j in units[k][1]})
        outside = {c: sum((x.get(c[0], 0) * y.get(c[1], 0) for x, y in factors), Fraction(0)) for c in cells if c not in B}
        b = {c: rng.choice([Fraction(0), Fraction(1), Fraction(rng.randint(-9, 9), rng.randint(1, 4))]) for c in B}
        # a zero band is re-chosen (zero outside B, a unit vector on B's side): nothing changes outside B
        for k in range(len(row_bands)):
            x, y = factors[k]
            if not any(x.values()):
                factors[k] = ({i: Fraction(i == RB[0]) for i in x}, {j: Fraction(0) for j in y})
        for k in range(len(row_bands), len(row_bands) + len(col_bands)):
            x, y = factors[k]
            if not any(y.values()):
                factors[k] = ({i: Fraction(0) for i in x}, {j: Fraction(j == CB[0]) for j in y})
        for k, (x, y) in enumerate(factors):  # the inner entries start at 0
            if k < len(row_bands):
                factors[k] = (x, {j: (Fraction(0) if j in CB else v) for j, v in y.items()})
            elif k < len(row_bands) + len(col_bands):
                factors[k] = ({i: (Fraction(0) if i in RB else v) for i, v in x.items()}, y)
        rest = dict(b)
        if row_bands:  # clear row i0 with the row band: y_r[C_B] = b[i0, :] / x_r[i0]
            x, y = factors[0]
            i0 = next(i for i in RB if x[i] != 0)
            for j in CB:
                y[j] = rest[(i0, j)] / x[i0]
            rest = {(i, j): rest[(i, j)] - x[i] * y[j] for i, j in B}
        if col_bands:  # clear column j0 with the column band: x_c[R_B] = rest[:, j0] / y_c[j0]
            x, y = factors[len(row_bands)]
            j0 = next(j for j in CB if y[j] != 0)
            for i in RB:
                x[i] = rest[(i, j0)] / y[j0]
            rest = {(i, j): rest[(i, j)] - x[i] * y[j] for i, j in B}
        terms = _rank_one_terms(rest, RB, CB)
        assert len(terms) <= mu  # the multiplicity condition at work
        total = {c: sum((x.get(c[0], 0) * y.get(c[1], 0) for x, y in factors + terms), Fraction(0)) for c in cells}
        assert all(total[c] == outside[c] for c in outside) and all(total[c] == b[c] for c in B)
