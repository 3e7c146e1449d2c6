"""The rank-one peeling lemma (``docs/theory.md`` §4): proofs, exact replays, census cross-checks.

The lemma claims ``P(U) = {A : supp A ⊆ W, rank A ≤ |U|}``.  Checks that can fail:

* the rank-one reduction lowers the rank by exactly one (ranks by python-flint, independent
  of the module's own elimination);
* the proof run on seeded rational targets of that set -- sparse (zero rows and columns,
  low rank), products of random factors, sums of rank-one terms on rectangles inside W --
  gives factors inside the units' rectangles whose product is the target, exactly;
* on every class of the 2×3, 3×3 (≤ 3 units), 2×4, 3×3 (4 units) and 3×4 censuses where the
  lemma applies, the stored verdict is not NOT CLOSED, and is CLOSED when it applies to every
  open part; it never applies to a part a NOT CLOSED rule refutes;
* the lemma does not apply to known NOT CLOSED parts (LU, 4×4 ``I=101/011/111/111``
  ``J=101/011/111/111``), and its hypotheses matter (a tampered tree fails to replay).
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from closure_check.core.case import Verdict
from closure_check.core.graph import RankOneStructure
from closure_check.core.support import TwoFactorSupport
from closure_check.two_factor.check import check_two_factor
from closure_check.two_factor.free_factor import free_factor
from closure_check.two_factor.peeling import (
    DROP,
    OWNED,
    PEEL,
    PIVOT_COLUMN,
    PIVOT_ROW,
    ROW,
    SPAN_COLUMNS,
    SPAN_ROWS,
    Matrix,
    Unit,
    _dense,
    _echelon,
    _kernel,
    factorization,
    peel_term,
    peeling_proof,
    rado_condition,
    rank,
)
from closure_check.two_factor.reduce import reduce_component
from closure_check.two_factor.rules import _coverage, _local_lu, _shared_columns, _shared_rows, part_units_and_cells
from closure_check.verifier import VerificationReport, verify_certificate
from closure_check.verifier.parse import Malformed
from closure_check.verifier.peeling import check_peeling_proof

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"

#: The open patterns of the frontier censuses at effort 10 (helpers' list s4_unknowns) the lemma decides.
DECIDED = [
    "I=111/111/011 J=111/111/101/101",
    "I=111/111/111 J=111/101/011/011",
    "I=111/111/011/001 J=111/111/110/100",
    "I=111/111/011/001 J=111/111/111/100",
    "I=111/111/011/001 J=111/111/110/110",
    "I=111/111/011/001 J=111/111/111/110",
    "I=111/111/011/001 J=111/111/111/111",
    "I=111/101/011/011 J=111/111/111/100",
    "I=111/101/011/011 J=111/111/111/111",
    "I=001/111/111/111 J=111/111/110/110",
    "I=111/111/011/011 J=111/111/111/101",
    "I=111/111/111/001 J=111/111/111/100",
    "I=001/111/111/111 J=101/111/111/110",
    "I=111/111/111/001 J=111/111/111/011",
    "I=111/111/011/101 J=111/111/111/011",
    "I=111/111/111/011 J=111/111/111/011",
    "I=001/111/111/111 J=111/111/111/110",
    "I=101/011/111/111 J=111/111/111/111",
    "I=111/111/111/011 J=111/111/111/101",
    # with the pivot steps and the hyperplane-span leaf
    "I=001/111/111/111 J=101/011/110/110",
    "I=011/011/101/101 J=111/111/111/100",
    "I=101/101/011/011 J=111/111/100/010",
]

#: The patterns the pivot steps decide (their trees have a pivot and a hyperplane span).
PIVOTED = DECIDED[-3:]

#: Of these, the patterns whose part the free-factor lemma (tried first) decides: two lemmas agree.
FREE_FACTOR_FIRST = [
    "I=111/111/111 J=111/101/011/011",
    "I=111/111/011/001 J=111/111/111/111",
    "I=111/101/011/011 J=111/111/111/111",
    "I=101/011/111/111 J=111/111/111/111",
]

#: The patterns the pipeline credits to the peeling lemma.
PEELED = [pattern for pattern in DECIDED if pattern not in FREE_FACTOR_FIRST]

#: Patterns whose only part is NOT CLOSED (LU; the 4×4 one has a verified certificate at a larger
#: effort, docs/census.md and tests/test_limits.py).
NOT_CLOSED = ["I=10/11 J=10/11", "I=101/011/111/111 J=101/011/111/111"]

#: Two open patterns of the frontier (UNKNOWN at effort 10) with the limit that refutes them: in
#: ``T = {supp ⊆ W, rank ≤ 3}`` but not in P.  A of rank 3 = the number of units forces
#: ``C(X) = C(A)``, ``R(Y) = R(A)``; here every unit covering one cell of A then vanishes there.
REFUTED = [
    ("I=101/011/111/111 J=111/111/111/110", ((0, 3), (1, 3), (2, 0), (3, 1))),
    ("I=111/111/011 J=110/101/111/111", ((0, 2), (1, 3), (2, 0), (2, 1))),
]


def support_of(text: str) -> TwoFactorSupport:
    i, j = (field[2:].split("/") for field in text.split())
    return TwoFactorSupport.from_dense([[int(c) for c in row] for row in i], [[int(c) for c in row] for row in j])


def parts_of(support: TwoFactorSupport):
    """(structure, reduction, part) of every part of every overlap component with two or more classes."""
    structure = RankOneStructure.build(support)
    counts = np.bincount(structure.class_component, minlength=structure.n_components)
    for component in np.flatnonzero(counts > 1):
        reduction = reduce_component(structure, int(component))
        for part in reduction.parts:
            yield structure, reduction, part


def flint_rank(A: dict, shape: tuple[int, int]) -> int:
    import flint

    M = flint.fmpq_mat(*shape)
    for (i, j), a in A.items():
        M[i, j] = flint.fmpq(a.numerator, a.denominator)
    return M.rank()


def product(units, factors) -> dict:
    """``Σ_k x_k y_kᵀ`` with every factor checked to lie in its unit's rectangle."""
    out: dict = {}
    for k, (x, y) in factors.items():
        rows, cols = units[k]
        assert {i for i, _ in x} <= set(rows) and {j for j, _ in y} <= set(cols), "a factor leaves its rectangle"
        for (i, _), a in x.items():
            for (j, _), b in y.items():
                out[(i, j)] = out.get((i, j), Fraction(0)) + a * b
    return {cell: v for cell, v in out.items() if v}


def maximal_rectangles(cells: frozenset) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every rectangle R×C inside the cells with C the common columns of R (R over all row subsets)."""
    rows = sorted({i for i, _ in cells})
    found = set()
    for mask in range(1, 1 << len(rows)):
        R = tuple(r for b, r in enumerate(rows) if mask >> b & 1)
        C = tuple(sorted(set.intersection(*({j for i, j in cells if i == r} for r in R))))
        if C:
            found.add((R, C))
    return sorted(found)


def targets(proof, seed: int, count: int) -> list[dict]:
    """Seeded rational points of ``T = {supp ⊆ W, rank ≤ r}`` (of ``Q = {A ∈ T : rank A[B] ≤ 1}``
    for an owned-block proof, some with ``A[B] = 0``): zero, then in turn sparse
    small-integer matrices of rank ≤ r (zero lines, low rank), products of random factors
    (some units zero), sums of r rank-one terms on rectangles inside W, and an earlier target
    with one row or column zeroed."""
    rng = random.Random(seed)
    cells = sorted(proof.cells)
    rectangles = maximal_rectangles(proof.cells)
    owned = proof.owned_block()
    values = [-2, -1, 1, 1, 2, 3, Fraction(1, 2), Fraction(-3, 5)]
    out: list[dict] = [{}]
    while len(out) < count:
        kind = len(out) % 4
        A: dict = {}
        if kind == 3:  # a zero row or column (the zero case of a private line)
            line, axis = rng.choice(cells), rng.randint(0, 1)
            A = {c: v for c, v in rng.choice(out).items() if c[axis] != line[axis]}
            if rng.random() < 0.3 and owned is not None:  # the block zeroed (the zero case of an owned block)
                A = {c: v for c, v in A.items() if not (c[0] in owned[0] and c[1] in owned[1])}
        elif kind == 0:
            density = rng.choice([0.2, 0.4, 0.7, 1.0])
            A = {c: Fraction(rng.choice(values)) for c in cells if rng.random() < density}
            if rank(A) > proof.rank:
                continue
        else:
            terms = proof.units if kind == 1 else [rng.choice(rectangles) for _ in range(proof.rank)]
            for rows, cols in terms:
                if rng.random() < 0.2:
                    continue
                x = {i: Fraction(rng.choice(values)) for i in rows if rng.random() < 0.8}
                y = {j: Fraction(rng.choice(values)) for j in cols if rng.random() < 0.8}
                for i, a in x.items():
                    for j, b in y.items():
                        A[(i, j)] = A.get((i, j), Fraction(0)) + a * b
            A = {c: v for c, v in A.items() if v}
        if owned is not None and rank({c: v for c, v in A.items() if c[0] in owned[0] and c[1] in owned[1]}) > 1:
            continue  # outside Q = {A ∈ T : rank A[B] ≤ 1}
        out.append(A)
    return out


def assert_replays(proof, seed: int = 0, count: int = 120) -> set[int]:
    """Every seeded target is rebuilt exactly; returns the ranks met."""
    ranks = set()
    for A in targets(proof, seed, count):
        assert product(proof.units, factorization(proof, A)) == A
        ranks.add(rank(A))
    return ranks


# --- the rank-one reduction ---------------------------------------------------------


def test_rank_one_reduction_lowers_the_rank_by_one_inside_the_rectangle():
    rng = random.Random(3)
    met = 0
    for _ in range(200):
        m, n = rng.randint(2, 5), rng.randint(2, 5)
        a = rng.randint(1, min(m, n))
        U = [[Fraction(rng.randint(-3, 3)) for _ in range(a)] for _ in range(m)]
        V = [[Fraction(rng.randint(-3, 3)) for _ in range(a)] for _ in range(n)]
        A = {(i, j): v for i in range(m) for j in range(n) if (v := sum(U[i][t] * V[j][t] for t in range(a)))}
        rho = flint_rank(A, (m, n))
        R = tuple(sorted(rng.sample(range(m), rng.randint(1, m))))
        C = tuple(sorted(rng.sample(range(n), rng.randint(1, n))))
        if m - len(R) + n - len(C) >= rho:
            continue  # the lemma's hypothesis d < rank A fails
        u, v = peel_term(A, R, C)
        met += 1
        assert {i for i, _ in u} <= set(R) and {j for j, _ in v} <= set(C)
        rest = {cell: A.get(cell, 0) - u.get((cell[0], 0), 0) * v.get((cell[1], 0), 0) for cell in
                [(i, j) for i in range(m) for j in range(n)]}
        assert flint_rank({c: Fraction(x) for c, x in rest.items() if x}, (m, n)) == rho - 1
    assert met > 50


def test_no_rank_one_term_inside_a_corner_of_a_rank_one_matrix_off_it():
    with pytest.raises(ValueError):
        peel_term({(0, 1): Fraction(1)}, (0,), (0,))


# --- the proofs -----------------------------------------------------------------


def test_lemma_a_full_unit_and_deficiencies():
    # deficiencies 0, 1, 2 (a full unit): every 3×4 matrix
    proof = peeling_proof([((0, 1), (0, 1, 2, 3)), ((0, 1, 2), (0, 1)), ((0, 1, 2), (0, 1, 2, 3))])
    assert proof is not None and proof.steps() == {"peel", "box"}
    # four units on a 3×4 box (deficiencies 0, 1, 2, 3): rank ≤ 3 < 4, Lemma A
    proof = peeling_proof([((0, 1, 2), (0, 1, 2, 3)), ((0, 1), (0, 1, 2, 3)), ((0, 1, 2), (0, 1)), ((0,), (0, 1, 2))])
    assert proof is not None
    assert_replays(proof, seed=5, count=60)
    # rank ≤ 2 with three units: drop {0}×{1,2} (the others cover it), then row 0 is private
    proof = peeling_proof([((0,), (1, 2)), ((0, 1), (1, 2)), ((1,), (0, 1, 2))])
    assert proof is not None and proof.tree.step == DROP and ROW in proof.steps()
    assert_replays(proof, seed=6, count=60)
    # deficiencies 0, 2, 2: d_(2) = 2 > 1, and neither peel nor a private line applies
    assert peeling_proof([((0, 2), (0, 2, 3)), ((1, 2), (1, 2, 3)), ((0, 1, 2), (0, 1, 2, 3))]) is None


@pytest.mark.parametrize("pattern", FREE_FACTOR_FIRST)
def test_the_lemma_and_the_free_factor_lemma_agree(pattern):
    [(_, reduction, part)] = list(parts_of(support_of(pattern)))
    units, cells = part_units_and_cells(reduction, part)
    assert peeling_proof(units, cells) is not None
    result = check_two_factor(support_of(pattern), 0)
    assert result.verdict is Verdict.CLOSED
    assert any("(free-factor lemma)" in reason for reason in result.reasons)


@pytest.mark.parametrize("pattern", PEELED)
def test_open_frontier_patterns_are_closed_by_the_lemma(pattern):
    result = check_two_factor(support_of(pattern), 0)
    assert result.verdict is Verdict.CLOSED
    assert any("(rank-one peeling lemma)" in reason for reason in result.reasons)


@pytest.mark.parametrize("pattern", NOT_CLOSED)
def test_never_applies_to_a_not_closed_part(pattern):
    found = list(parts_of(support_of(pattern)))
    assert found
    for _, reduction, part in found:
        assert peeling_proof(*part_units_and_cells(reduction, part)) is None


@pytest.mark.parametrize("pattern, cells", REFUTED)
def test_never_applies_where_a_limit_of_rank_r_is_not_a_product(pattern, cells):
    """The limit is certified (curve and Nullstellensatz identity) and lies in T: the lemma,
    which would claim P = T, must not apply."""
    from closure_check.two_factor.engine import certify_limit

    limit = {cell: Fraction(1) for cell in cells}
    [(structure, reduction, part)] = list(parts_of(support_of(pattern)))
    units, visible = part_units_and_cells(reduction, part)
    assert set(cells) <= set(visible) and rank(limit) == len(units)  # A ∈ T
    outcome = certify_limit(structure, part, limit, 20.0)
    assert outcome is not None and outcome.verdict is Verdict.NOT_CLOSED
    assert peeling_proof(units, visible) is None


def test_lead_hand_checks_private_rows():
    # P = {A[0,3] = 0, det A = 0}: a matrix with A[0,3] = 0 and rank 3 but no zero row is produced
    units = [((1, 2, 3), (0, 1, 2, 3))] * 2 + [((0, 1, 2, 3), (0, 1, 2))]
    proof = peeling_proof(units)
    assert proof is not None and ROW in proof.steps() and proof.cells == frozenset(
        (i, j) for i in range(4) for j in range(4)) - {(0, 3)}
    A = {(i, j): Fraction(v) for i, row in enumerate([[1, 2, 0, 0], [0, 1, 1, 1], [1, 3, 1, 1], [2, 0, 1, 5]])
         for j, v in enumerate(row) if v}
    assert rank(A) == 3
    assert product(proof.units, factorization(proof, A)) == A
    A[(0, 3)] = Fraction(1)  # off W: not in T
    with pytest.raises(ValueError):
        factorization(proof, A)


def test_hidden_cells_block_the_rule():
    units = [((0, 1), (0, 1, 2)), ((0, 1, 2), (0, 1)), ((0, 1, 2), (0, 1, 2))]
    cells = {(i, j) for i in range(3) for j in range(3)} - {(2, 2)}
    assert peeling_proof(units) is not None
    assert peeling_proof(units, cells) is None


@pytest.mark.parametrize("pattern", DECIDED)
def test_exact_factorizations_on_seeded_targets(pattern):
    proofs = [peeling_proof(*part_units_and_cells(reduction, part)) for _, reduction, part in parts_of(support_of(pattern))]
    proofs = [p for p in proofs if p is not None]
    assert proofs
    for proof in proofs:
        ranks = assert_replays(proof, seed=len(pattern))
        assert 0 in ranks and proof.rank in ranks and len(ranks) >= 3  # degenerate and generic targets met


def test_a_tampered_tree_fails_to_replay():
    units = [((1, 2, 3), (0, 1, 2, 3))] * 2 + [((0, 1, 2, 3), (0, 1, 2))]
    proof = peeling_proof(units)
    # claim the private row belongs to a unit that does not own it: the replay breaks
    node = next(n for n in proof.tree.walk() if n.step == ROW)
    bad_node = dataclasses.replace(node, unit=next(u[0] for u in node.units if u[0] != node.unit))
    bad = dataclasses.replace(proof, tree=_swap(proof.tree, node, bad_node))
    failures = 0
    for A in targets(proof, 1, 60):
        try:
            failures += product(units, factorization(bad, A)) != A
        except (ValueError, AssertionError):
            failures += 1
    assert failures > 0
    # and peeling a unit whose deficiency is not below the rank fails on a full-rank target
    proof = peeling_proof([((0, 1), (0, 1, 2, 3)), ((0, 1, 2), (0, 1)), ((0, 1, 2), (0, 1, 2, 3))])
    top = proof.tree
    assert top.step == PEEL
    wrong = dataclasses.replace(proof, tree=dataclasses.replace(top, unit=0 if top.unit != 0 else 1))
    A = {(i, j): Fraction(1) for i, j in [(0, 0), (1, 1), (2, 2), (2, 3)]}
    with pytest.raises((ValueError, AssertionError)):
        assert product(proof.units, factorization(wrong, A)) == A


def _swap(tree, old, new):
    if tree is old:
        return new
    return dataclasses.replace(tree, children=tuple(_swap(c, old, new) for c in tree.children))


# --- census cross-checks --------------------------------------------------------------


def stored(name: str, key: str = "verdict") -> list[tuple[str, str]]:
    rows = []
    for line in (RESULTS / name).read_text().splitlines():
        record = json.loads(line)
        if "I" in record:
            rows.append((f"I={'/'.join(record['I'])} J={'/'.join(record['J'])}", record[key]))
    return rows


def cross_check(records: list[tuple[str, str]]) -> int:
    """For every pattern: the lemma proves no part a NOT CLOSED rule refutes, the stored
    verdict is not NOT CLOSED when the lemma proves every part (CLOSED, or UNKNOWN then), and a
    NOT CLOSED pattern has a part the lemma does not prove.  Returns the number of parts the lemma proves."""
    proved = 0
    for pattern, verdict in records:
        found = list(parts_of(support_of(pattern)))
        flags = []
        for structure, reduction, part in found:
            proof = peeling_proof(*part_units_and_cells(reduction, part))
            flags.append(proof is not None)
            if proof is not None:
                proved += 1
                cover = _coverage(reduction, part)
                for rule in (_local_lu, _shared_rows, _shared_columns):
                    assert rule(structure, reduction, part, cover) is None, pattern
        if verdict == "not-closed":
            assert not all(flags), pattern
        if flags and all(flags):
            assert verdict in ("closed", "unknown"), pattern
    return proved


def random_units(rng: random.Random):
    m, n = rng.choice([(2, 3), (3, 3), (3, 4), (4, 4), (4, 5)])
    units = []
    for _ in range(rng.randint(2, 4)):
        rows = tuple(sorted(rng.sample(range(m), rng.randint(1, m))))
        cols = tuple(sorted(rng.sample(range(n), rng.randint(1, n))))
        units.append((rows, cols))
    return units


def test_random_problems_replay():
    """Random unit lists (no hidden cell): every proof found replays on 40 seeded targets."""
    rng = random.Random(17)
    replayed, steps = 0, set()
    for trial in range(400):
        proof = peeling_proof(random_units(rng))
        if proof is not None:
            assert_replays(proof, seed=trial, count=40)
            replayed += 1
            steps |= proof.steps()
    assert replayed > 60 and steps >= {"zero", "box", "peel", "drop", "private row", "private column"}


def test_random_pivot_and_span_problems_replay():
    """Random families built for the new steps -- n units with the rows {1..m} and columns
    among n + 1, plus a unit owning the extra row 0 (sometimes transposed) -- every proof found
    replays exactly on 40 seeded targets; every new step occurs."""
    rng = random.Random(23)
    replayed, steps = 0, set()
    for trial in range(300):
        n, m = rng.randint(2, 3), rng.randint(2, 4)
        rows = tuple(range(1, m + 1))
        units = [(rows, tuple(sorted(rng.sample(range(n + 1), rng.randint(1, n + 1))))) for _ in range(n)]
        units.append(((0,) + tuple(sorted(rng.sample(rows, rng.randint(1, m)))), tuple(sorted(rng.sample(range(n + 1), 2)))))
        if rng.random() < 0.5:
            units = [(c, r) for r, c in units]
        proof = peeling_proof(units)
        if proof is not None:
            assert_replays(proof, seed=trial, count=40)
            replayed += 1
            steps |= proof.steps()
    assert replayed > 30 and steps >= {PIVOT_ROW, PIVOT_COLUMN, SPAN_ROWS, SPAN_COLUMNS}


@pytest.mark.parametrize("name, key", [("baseline_2x3.jsonl", "check"), ("baseline_3x3.jsonl", "check"),
                                       ("baseline_2x3.jsonl", "verdict"), ("baseline_3x3.jsonl", "verdict"),
                                       ("frontier_2x4.jsonl", "verdict")])
def test_census_verdicts_agree_small(name, key):
    assert cross_check(stored(name, key)) > 0


@pytest.mark.exhaustive
@pytest.mark.parametrize("name", ["frontier_3x3e4.jsonl", "frontier_3x4.jsonl", "frontier_4x4.jsonl"])
def test_census_verdicts_agree(name, exhaustive):
    """Every class with --exhaustive; else every 4th (a bounded sample)."""
    records = stored(name)
    assert cross_check(records if exhaustive else records[::4]) > 0


# --- certificates and the verifier ------------------------------------------------------


def _accepts(proof: dict) -> bool:
    report = VerificationReport()
    try:
        check_peeling_proof(proof, report)
    except Malformed:
        return False
    return report.ok


@pytest.mark.parametrize("pattern", PEELED)
def test_certificate_carries_the_proof_and_verifies(pattern):
    result = check_two_factor(support_of(pattern), 0)
    cert = json.loads(json.dumps(result.certificate_json()))
    assert cert["peelings"]
    report = verify_certificate(cert)
    assert report.ok and "rank-one peeling lemma" in report.trusted
    for entry in cert["peelings"]:
        assert _accepts(entry)


def test_verifier_rejects_tampered_proofs():
    proof = peeling_proof([((1, 2, 3), (0, 1, 2, 3))] * 2 + [((0, 1, 2, 3), (0, 1, 2))]).as_json()
    assert _accepts(proof)
    tampered = []
    bad = json.loads(json.dumps(proof))
    bad["tree"]["unit"] = 2  # peel the unit owning row 0: the cells change
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    bad["units"][2][0] = [1, 2, 3]  # the private row's unit no longer has every row
    bad["units"][0][0] = [0, 1, 2, 3]
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    bad["tree"]["children"][0]["line"] = 1  # row 1 is not private
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    del bad["tree"]["children"][0]["children"][1]  # a dropped case
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    bad["rank"] = 4
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    bad["tree"]["children"][0]["children"][0] = {"step": "zero"}  # rank 2 claimed zero
    tampered.append(bad)
    assert not any(_accepts(t) for t in tampered)
    # a unit the pattern does not have: the whole certificate is rejected
    cert = json.loads(json.dumps(check_two_factor(support_of("I=001/111/111/111 J=111/111/111/110"), 0).certificate_json()))
    cert["peelings"][0]["units"][0] = [[0, 1, 2, 3], [0, 1, 2, 3]]
    assert not verify_certificate(cert).ok


# --- the pivot steps and the hyperplane-span leaf ---------------------------------------------


@pytest.mark.parametrize("pattern", PIVOTED)
def test_pivot_patterns_need_the_new_steps_and_replay_on_degenerate_targets(pattern):
    [(_, reduction, part)] = list(parts_of(support_of(pattern)))
    proof = peeling_proof(*part_units_and_cells(reduction, part))
    assert proof is not None and proof.steps() & {PIVOT_ROW, PIVOT_COLUMN} and proof.steps() & {SPAN_ROWS, SPAN_COLUMNS}
    ranks = assert_replays(proof, seed=7, count=300)
    assert ranks == set(range(proof.rank + 1))
    # the degenerate targets each branch of the pivot meets: the private line zero, or its
    # first nonzero entry in each column of the unit
    node = proof.tree
    t = node.step == PIVOT_COLUMN
    _, R, C = node._unit()
    cross = R if t else C
    branches = set()
    for A in targets(proof, 11, 200):
        for j in (*cross, max(cross) + 1):  # keep only the entries of the line from j on
            B = {c: v for c, v in A.items() if (c[0], c[1])[t] != node.line or (c[1], c[0])[t] >= j}
            if rank(B) <= proof.rank:
                assert product(proof.units, factorization(proof, B)) == B
                branches.add(min(((c[1], c[0])[t] for c in B if (c[0], c[1])[t] == node.line), default=None))
    assert branches == {*cross, None}  # every pivot case and the zero line met


def test_pivot_row_pattern_is_outside_the_earlier_steps():
    """``I=001/111/111/111 J=101/011/110/110``: ``Good(U ∖ k, 2)`` fails (a rank-2 matrix on
    ``{1,2,3} × all`` with row space ``span(e2, e0 + e1 + e3)`` is no sum x yᵀ + x' y'ᵀ with
    ``y[1] = 0 = y'[0]``: the row space meets both hyperplanes only in ``span(e2)``), so the private-row step
    cannot apply; with the pivot step the search finds a tree."""
    rest = [((1, 2, 3), (0, 2, 3)), ((1, 2, 3), (1, 2, 3))]
    assert peeling_proof(rest) is None
    B = {(1, 2): Fraction(1), (2, 0): Fraction(1), (2, 1): Fraction(1), (2, 3): Fraction(1)}
    # y ∈ R(B) with y[1] = 0 is a multiple of e2, likewise y[0] = 0: B has rank 2, no factorization
    M = _dense(B, [1, 2, 3], [0, 1, 2, 3])
    assert len(_echelon(M)[1]) == 2
    for missing in (0, 1):
        other = 1 - missing
        # {p : (pᵀ M)[missing] = 0} is spanned by row 1 (= e2) alone
        kernel = _kernel([[M[a][missing] for a in range(3)]], 3)
        vecs = [[sum(p[a] * M[a][b] for a in range(3)) for b in range(4)] for p in kernel]
        assert len(_echelon(vecs)[1]) == 1 and all(v[other] == 0 for v in vecs)
    assert peeling_proof(rest + [((0, 1, 2, 3), (0, 1))]) is not None


OWNED_PATTERN = "I=111/111/011/011 J=111/111/101/101"


def _det(M: list[list[Fraction]]) -> Fraction:
    """Laplace expansion along the first row (exact; small matrices only)."""
    if len(M) == 1:
        return M[0][0]
    return sum(((-1) ** c * M[0][c] * _det([row[:c] + row[c + 1:] for row in M[1:]]) for c in range(len(M)) if M[0][c]),
               Fraction(0))


def owned_targets(seed: int, count: int) -> list[dict]:
    """Seeded points of ``Q = {det A = 0, rank A[{2,3},{2,3}] ≤ 1}`` on 4×4 built without the
    units: (a) ``A₂₂ = a bᵀ``, the other entries random, ``A[0,0]`` solved from ``det A = 0``
    (det is affine in one entry); (b) ``A₂₂ = 0`` and one of the blocks beside it ``p qᵀ``;
    (c) earlier points with a row or column zeroed (degenerate)."""
    rng = random.Random(seed)
    values = [0, 0, 1, -1, 2, -3, 5, Fraction(1, 2), Fraction(-2, 3)]
    out: list[dict] = []
    while len(out) < count:
        kind = len(out) % 3
        A = {(i, j): Fraction(rng.choice(values)) for i in range(4) for j in range(4) if i < 2 or j < 2}
        if kind == 0:
            a, b = [rng.choice(values) for _ in range(2)], [rng.choice(values) for _ in range(2)]
            A.update({(2 + x, 2 + y): Fraction(a[x] * b[y]) for x in range(2) for y in range(2)})
            M = [[A.get((i, j), Fraction(0)) for j in range(4)] for i in range(4)]
            M[0][0] = Fraction(0)
            c0 = _det(M)
            M[0][0] = Fraction(1)
            c1 = _det(M) - c0
            if c1 == 0 and c0 != 0:
                continue
            A[(0, 0)] = -c0 / c1 if c1 else Fraction(rng.choice(values))
        elif kind == 1:
            p, q = [rng.choice(values) for _ in range(2)], [rng.choice(values) for _ in range(2)]
            block = [(2, 0), (2, 1), (3, 0), (3, 1)] if rng.random() < 0.5 else [(0, 2), (0, 3), (1, 2), (1, 3)]
            A.update({(i, j): Fraction(p[i % 2] * q[j % 2]) for i, j in block})
        elif out:
            line, axis = rng.randrange(4), rng.randint(0, 1)
            A = {c: v for c, v in rng.choice(out).items() if c[axis] != line}
        A = {c: v for c, v in A.items() if v}
        assert rank(A) <= 3 and rank({c: v for c, v in A.items() if c[0] > 1 and c[1] > 1}) <= 1
        out.append(A)
    return out


def test_owned_block_pattern_is_closed_with_q():
    """4×4 ``I=111/111/011/011 J=111/111/101/101`` (units ``{0,1}×all``, ``all×{0,1}``, full):
    ``{2,3}×{2,3}`` lies in the full unit alone, so P ⊆ Q = {det A = 0, rank A₂₂ ≤ 1} ⊊ T.  The
    tree's root is the owned-block step; it replays exactly on points of Q built without the
    units, reaching every cross and both Laplace cases, and refuses ``E01 + E22 + E33 ∈ T ∖ Q``."""
    [(_, reduction, part)] = list(parts_of(support_of(OWNED_PATTERN)))
    units, cells = part_units_and_cells(reduction, part)
    proof = peeling_proof(units, cells)
    assert proof is not None and proof.tree.step == OWNED and proof.owned_block() == ((2, 3), (2, 3))
    k = proof.tree.unit
    assert set(units[k][0]) == set(units[k][1]) == {0, 1, 2, 3}
    branches: set = set()
    for A in owned_targets(16, 300):
        factors = factorization(proof, A)
        assert product(proof.units, factors) == A
        if any(A.get((i, j)) for i in (2, 3) for j in (2, 3)):
            branches.add(min(c for c in ((i, j) for i in (2, 3) for j in (2, 3)) if A.get(c)))
        elif rank({c: v for c, v in A.items() if c[0] > 1}) <= 1:
            branches.add("beside")
        else:
            branches.add("below")
    assert branches == {(2, 2), (2, 3), (3, 2), (3, 3), "beside", "below"}
    A = {(0, 1): Fraction(1), (2, 2): Fraction(1), (3, 3): Fraction(1)}
    assert set(A) <= set(cells) and rank(A) == 3 == len(units)
    with pytest.raises(ValueError):
        factorization(proof, A)
    assert check_two_factor(support_of(OWNED_PATTERN), 0).verdict is Verdict.CLOSED


def test_owned_block_certificate_verifies_and_tampering_is_rejected():
    cert = json.loads(json.dumps(check_two_factor(support_of(OWNED_PATTERN), 0).certificate_json()))
    report = verify_certificate(cert)
    assert report.ok
    [proof] = cert["peelings"]
    assert proof["tree"]["step"] == "owned block" and _accepts(proof)
    tampered = []
    bad = json.loads(json.dumps(proof))
    bad["tree"]["block"] = [[1, 2, 3], [2, 3]]  # (1, 2) is covered by unit {0,1}×all too
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    bad["tree"]["takers"] = bad["tree"]["takers"][::-1]  # neither contains the block it should take
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    del bad["tree"]["children"][-1]  # a Laplace case dropped
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    bad["tree"]["children"][0] = {"step": "zero"}  # a cross remainder of rank 2 claimed zero
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))  # the owned step below the root: not allowed
    bad["tree"] = {"step": "drop", "unit": 0, "children": [bad["tree"]]}
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))  # unit {0,1}×all widened to rows 0..2: (2, 2) no longer owned
    bad["units"][0][0] = [0, 1, 2]
    tampered.append(bad)
    assert not any(_accepts(t) for t in tampered)


def test_owned_block_agrees_with_the_filling_group_lemma():
    """4×4 ``I=111/111/001/001 J=111/111/111/011`` (stored CLOSED by the filling-group lemma): rows
    2, 3 lie in the full unit alone, the owned-block root proves the part (its block ``{2,3}×all``,
    the side block empty) and its tree replays on seeded points of Q."""
    pattern = "I=111/111/001/001 J=111/111/111/011"
    assert ("I=111/111/001/001 J=111/111/111/011", "closed") in stored("frontier_4x4.jsonl")
    [(_, reduction, part)] = list(parts_of(support_of(pattern)))
    proof = peeling_proof(*part_units_and_cells(reduction, part))
    assert proof is not None and proof.owned_block() == ((2, 3), (0, 1, 2, 3))
    assert_replays(proof, seed=3, count=120) >= {0, 1, 2, 3}


def test_random_owned_block_problems_replay():
    """Random unit lists where only the owned-block root proves the part: every proof replays on
    seeded points of Q (products, some with the block zeroed), and P ⊆ Q: a product of random
    factors always has rank ≤ 1 on the block."""
    rng = random.Random(23)
    found = 0
    for trial in range(600):
        units = random_units(rng)
        proof = peeling_proof(units)
        if proof is None or proof.owned_block() is None:
            continue
        found += 1
        Rb, Cb = proof.owned_block()
        assert_replays(proof, seed=trial, count=40)
        for _ in range(10):
            factors = {k: ({(i, 0): Fraction(rng.randint(-3, 3)) for i in rows},
                           {(j, 0): Fraction(rng.randint(-3, 3)) for j in cols}) for k, (rows, cols) in enumerate(units)}
            A = product(proof.units, factors)
            assert rank({c: v for c, v in A.items() if c[0] in Rb and c[1] in Cb}) <= 1
    assert found >= 10


def test_rado_condition_agrees_with_the_free_factor_lemma():
    """On random families with common rows and one column more than units, the dimension
    formula's Rado check says CLOSED with every line generic iff the free-factor lemma (drawn
    transversals, exact) does."""
    rng = random.Random(5)
    met = {True: 0, False: 0}
    for _ in range(150):
        n = rng.randint(2, 4)
        cols = range(n + 1)
        sets = [tuple(sorted(rng.sample(cols, rng.randint(1, n + 1)))) for _ in range(n)]
        units = [((0, 1, 2, 3, 4)[: n + 1], c) for c in sets]
        cells = {(i, j) for r, c in units for i in r for j in c}
        if {j for _, j in cells} != set(cols):
            continue
        found = free_factor([(c, r) for r, c in units], {(j, i) for i, j in cells})
        if found is None:
            continue
        expected = found.closed and set(found.generic) == set(cols)
        assert rado_condition(sets, cols) == expected
        met[expected] += 1
    assert met[True] > 10 and met[False] > 10


def test_hyperplane_span_refuses_a_failing_family():
    # columns {0}, {0}, {1, 2}: two units on one column cannot give independent vectors
    units = [((0, 1, 2, 3), (0,)), ((0, 1, 2, 3), (0,)), ((0, 1, 2, 3), (1, 2))]
    assert not rado_condition([c for _, c in units], range(3))
    proof = {"units": [[list(r), list(c)] for r, c in units], "rank": 3, "tree": {"step": SPAN_ROWS}}
    assert not _accepts(proof)


def test_verifier_checks_the_pivot_and_span_steps():
    proof = peeling_proof([((1, 2, 3), (0, 2, 3)), ((1, 2, 3), (1, 2, 3)), ((0, 1, 2, 3), (0, 1))]).as_json()
    assert proof["tree"]["step"] == PIVOT_ROW and _accepts(proof)
    tampered = []
    bad = json.loads(json.dumps(proof))
    bad["tree"]["line"] = 1  # row 1 is not private
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    del bad["tree"]["children"][0]  # a pivot column without its case
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    bad["tree"]["step"] = PIVOT_COLUMN  # column 0 is not private to unit 2
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    bad["units"][2][0] = [0, 1, 2]  # column 0 of W has row 3 outside unit 2: u would leave it
    bad["units"][0][0] = [1, 2, 3]
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    bad["tree"]["children"][0] = {"step": "box", "unit": 1}  # the rank-2 case claimed a box
    tampered.append(bad)
    bad = json.loads(json.dumps(proof))
    bad["tree"] = {"step": SPAN_ROWS}  # the root: row 0 is not in every unit
    tampered.append(bad)
    assert not any(_accepts(t) for t in tampered)
    # the pivot's first case is also a hyperplane span: {2,3} and {1,2,3} on 3 columns, rank 2
    valid = json.loads(json.dumps(proof))
    valid["tree"]["children"][0] = {"step": SPAN_ROWS}
    assert _accepts(valid)


# --- the rank-forcing argument (the other direction: limits outside P) ------------------------


def _span_vanishing(vectors: list[list[Fraction]], free: set[int], index: Sequence[int]) -> list[list[Fraction]]:
    """A basis of the vectors of ``span(vectors)`` that vanish off the positions ``free``
    (``index`` names the positions)."""
    if not vectors:
        return []
    off = [[v[a] for v in vectors] for a, name in enumerate(index) if name not in free]
    return [[sum((c[t] * vectors[t][a] for t in range(len(vectors))), Fraction(0)) for a in range(len(index))]
            for c in _kernel(off, len(vectors))]


def rank_forcing(units: Sequence[Unit], A: Matrix) -> bool:
    """True when A has rank ``r = |units|`` and is, by the rank-forcing argument, not a product.

    A product ``A = X Yᵀ`` of rank r has ``C(X) = C(A)`` and ``C(Y) = R(A)`` (X and Y have r
    columns), so every ``x_k`` lies in ``L_k = C(A) ∩ ℝ^{R_k}`` and every ``y_k`` in
    ``M_k = R(A) ∩ ℝ^{C_k}``, both nonzero.  A is then not a product if some ``L_k`` or ``M_k``
    is 0, or if at a cell (i, j) with ``A[i, j] ≠ 0`` every unit covering it has all of ``L_k``
    vanishing at i or all of ``M_k`` vanishing at j (``docs/theory.md`` §4, remark after the
    rank-one peeling lemma).  Exact over ℚ; a test oracle (the engine's structured round,
    §5, finds these limits by its own obstruction lemma).
    """
    if not A or rank(A) != len(units):
        return False
    rows = sorted({i for i, _ in A} | {i for r, _ in units for i in r})
    cols = sorted({j for _, j in A} | {j for _, c in units for j in c})
    dense = _dense(A, rows, cols)
    column_space = _echelon([list(col) for col in zip(*dense)])[0]  # rows: a basis of C(A)
    row_space = _echelon(dense)[0]  # a basis of R(A)
    spaces = []
    for R, C in units:
        L = _span_vanishing(column_space, set(R), rows)
        M = _span_vanishing(row_space, set(C), cols)
        if not L or not M:
            return True
        spaces.append((L, M))
    for (i, j), value in A.items():
        a, b = rows.index(i), cols.index(j)
        if all(all(x[a] == 0 for x in L) or all(y[b] == 0 for y in M)
               for (R, C), (L, M) in zip(units, spaces) if i in R and j in C):
            return True
    return False


def test_rank_forcing_never_rejects_a_product():
    """Products of random factors on random units (rank r = the number of units, or lower):
    the argument must never call them non-products."""
    rng = random.Random(23)
    checked = 0
    for _ in range(300):
        units = random_units(rng)
        A: dict = {}
        for rows, cols in units:
            x = {i: Fraction(rng.choice([-2, -1, 1, 2, 3])) for i in rows if rng.random() < 0.85}
            y = {j: Fraction(rng.choice([-2, -1, 1, 2, 3])) for j in cols if rng.random() < 0.85}
            for i, a in x.items():
                for j, b in y.items():
                    A[(i, j)] = A.get((i, j), Fraction(0)) + a * b
        A = {c: v for c, v in A.items() if v}
        checked += rank(A) == len(units)
        assert not rank_forcing(units, A)
    assert checked > 50


@pytest.mark.parametrize("pattern, cells", REFUTED)
def test_rank_forcing_finds_the_refuting_limits(pattern, cells):
    [(_, reduction, part)] = list(parts_of(support_of(pattern)))
    units, _ = part_units_and_cells(reduction, part)
    assert rank_forcing(units, {cell: Fraction(1) for cell in cells})
    assert not rank_forcing(units, {cell: Fraction(1) for cell in cells[:-1]})  # rank 2 < 3: no claim


@pytest.mark.parametrize("pattern", [pattern for pattern, _ in REFUTED])
def test_engine_refutes_the_rank_forcing_patterns_at_effort_10_and_the_certificate_verifies(pattern):
    result = check_two_factor(support_of(pattern), 10)
    assert result.verdict is Verdict.NOT_CLOSED
    assert verify_certificate(json.loads(json.dumps(result.certificate_json()))).ok
