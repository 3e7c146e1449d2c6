"""Section proofs (docs/theory.md §4, "Section lemma"): found, re-checked, replayed, tampered.

The parts are the open parts of the eight 3×3 four-unit patterns the census left UNKNOWN and
of the four patterns once CLOSED on an engine record (2×4 and 3×3).  Each proof is checked
three ways: the independent verifier accepts it; an exact replay (plain Fractions, written
here) follows seeded rational targets with many zeros through the tree and multiplies the
leaf's factors out; and tampered copies are rejected.
"""

from __future__ import annotations

import copy
import json
import random
from fractions import Fraction

import pytest

from closure_check import check
from closure_check.core.case import Verdict
from closure_check.core.support import TwoFactorSupport
from closure_check.two_factor.sections import section_proof
from closure_check.verifier import verify_certificate
from closure_check.verifier.report import VerificationReport
from closure_check.verifier.sections import check_section_proof, divides
from closure_check.verifier.parse import Malformed
from closure_check.verifier.polynomial import parse_polynomial

FULL = [(r, c) for r in range(3) for c in range(3)]


def _visible(units, hidden):
    return sorted({(i, j) for rows, cols in units for i in rows for j in cols} - set(hidden))


#: (pattern, units of its open part, hidden cells) as the reductions leave them
OPEN = [
    ("I=0101/1011/0011 J=0111/0111/1001", [((1, 2), (0, 1)), ((0, 1, 2), (0, 1, 2))], [(0, 0), (0, 1), (1, 2)]),
    ("I=0111/0111/1001 J=1011/0111/0011", [((0, 1), (0, 2)), ((0, 1, 2), (0, 1, 2))], [(0, 1), (1, 1), (2, 0)]),
    ("I=1110/0001/0111 J=1110/0101/0011", [((0, 2), (0, 1)), ((0, 2), (0, 2)), ((1, 2), (1, 2))], [(0, 0)]),
    ("I=0001/0111/1110 J=1111/0101/0011", [((1, 2), (0, 1)), ((1, 2), (0, 2)), ((0, 1), (0, 1, 2))], [(2, 0)]),
    ("I=0101/0011/1110 J=1111/0101/0011", [((0, 2), (0, 1)), ((1, 2), (0, 2)), ((0, 1), (0, 1, 2))], [(2, 0)]),
    ("I=1111/0011/0101 J=1111/0101/0110", [((0, 2), (0, 1, 2)), ((0, 1), (0, 2)), ((0, 1, 2), (0, 1))], [(0, 0)]),
    ("I=1001/0111/0110 J=1111/0101/0011", [((1, 2), (0, 1)), ((1, 2), (0, 2)), ((0, 1), (0, 1, 2))], [(0, 0)]),
    ("I=1001/1110/0111 J=1110/0101/0011", [((1, 2), (0, 1)), ((1, 2), (0, 2)), ((0, 2), (1, 2))], [(1, 0)]),
    ("I=111/011 J=011/001/001/110", [((0, 1), (0, 3)), ((0, 1), (0, 1, 2))], [(0, 3)]),
    ("I=111/011 J=111/011/001/001", [((0, 1), (0, 1)), ((0, 1), (0, 1, 2, 3))], [(0, 0)]),
    ("I=0101/1011/0011 J=0111/0101/1011", [((1, 2), (0, 2)), ((0, 1, 2), (0, 1, 2))], [(0, 0), (0, 1), (1, 2)]),
    ("I=1011/0111/0011 J=1011/0111/0101", [((0, 1, 2), (0, 1)), ((0, 1, 2), (0, 1, 2))], [(0, 0), (1, 1), (1, 2)]),
]

#: (pattern, units, visible cells, number of minors in F): the first eight were UNKNOWN in
#: the 3×3 four-unit census, the last four CLOSED on an engine record (two 2×4, two 3×3)
PARTS = [(pattern, units, _visible(units, hidden), 1 if pattern.startswith("I=111/011") else 0) for pattern, units, hidden in OPEN]


def _support(pattern: str) -> TwoFactorSupport:
    I, J = (side[2:].split("/") for side in pattern.split())
    return TwoFactorSupport.from_dense([[int(c) for c in row] for row in I], [[int(c) for c in row] for row in J])


def _proof_json(units, cells) -> dict:
    proof = section_proof(units, cells)
    assert proof is not None
    return json.loads(json.dumps(proof.as_json()))


@pytest.fixture(scope="module")
def proofs() -> list[dict]:
    return [_proof_json(units, cells) for _, units, cells, _ in PARTS]


def _accepts(proof: dict) -> bool:
    """The verifier's answer: a failed check or a malformed proof (exit 2 on the command line) rejects."""
    report = VerificationReport()
    try:
        check_section_proof(proof, report)
    except Malformed:
        return False
    return report.ok


# ----------------------------------------------------------------------------- exact replay (independent of both sides)


def _value(terms: list, A: dict[str, Fraction]) -> Fraction:
    total = Fraction(0)
    for coefficient, powers in terms:
        term = Fraction(coefficient)
        for name, exponent in powers.items():
            term *= A[name] ** exponent
        total += term
    return total


def _replay(proof: dict, A: dict[tuple[int, int], Fraction]) -> tuple[str, ...]:
    """Follow A through the tree; at the leaf, check ``π_V(XYᵀ) = A`` exactly.  Returns the
    path (for coverage).  A must satisfy the proof's equations."""
    named = {f"a_{i}_{j}": v for (i, j), v in A.items()}
    node, path = proof["tree"], []
    while "leaf" not in node:
        if "split" in node:
            zero = _value(node["split"], named) == 0
            path.append("0" if zero else "≠")
            node = node["zero"] if zero else node["nonzero"]
        elif "solve" in node:
            node = node["then"]
        else:
            raise AssertionError(f"a target reached a void node: {path}")
    X: dict[tuple[int, int], Fraction] = {}
    Y: dict[tuple[int, int], Fraction] = {}
    for item in node["leaf"]:
        side, line, k = item["entry"].split("_")
        den = _value(item["den"], named)
        assert den != 0, f"denominator 0 at the leaf {path}"
        (X if side == "x" else Y)[(int(line), int(k))] = _value(item["num"], named) / den
    for (i, j), target in A.items():
        produced = sum(X.get((i, k), 0) * Y.get((j, k), 0) for k in range(len(proof["units"])))
        assert produced == target, f"cell ({i},{j}) at the leaf {path}: {produced} ≠ {target}"
    return tuple(path)


def _targets(units, cells, equations: int, seed: int, count: int):
    """Seeded targets, most entries 0, 1 or 2 (the values where the trees branch), the rest
    random rationals; on a part with equations (a single unit's 2×2 block) the block is made rank one."""
    rng = random.Random(seed)
    blocks = []
    if equations:
        from closure_check.two_factor.sections import rank_one_equations

        blocks = rank_one_equations(units, cells)
    for _ in range(count):
        A = {c: rng.choice([Fraction(0)] * 4 + [Fraction(1), Fraction(2), Fraction(-1), Fraction(rng.randint(-9, 9), rng.randint(1, 5))]) for c in cells}
        for p, q, r, s in blocks:
            u = [rng.choice([0, 0, 1, Fraction(rng.randint(-5, 5), 3)]) for _ in range(2)]
            v = [rng.choice([0, 0, 1, Fraction(rng.randint(-5, 5), 2)]) for _ in range(2)]
            A[p], A[q], A[r], A[s] = u[0] * v[0], u[0] * v[1], u[1] * v[0], u[1] * v[1]
        yield A


def _leaf_paths(node: dict, path=()) -> set[tuple[str, ...]]:
    if "leaf" in node:
        return {path}
    if "split" in node:
        return _leaf_paths(node["zero"], path + ("0",)) | _leaf_paths(node["nonzero"], path + ("≠",))
    if "solve" in node:
        return _leaf_paths(node["then"], path)
    return set()


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("index", range(len(PARTS)))
def test_the_verifier_accepts_the_proof_and_the_equations_are_the_minors(proofs, index):
    proof = proofs[index]
    assert _accepts(proof)
    assert len(proof["equations"]) == PARTS[index][3]


@pytest.mark.parametrize("index", range(len(PARTS)))
def test_exact_replay_on_seeded_targets_reaches_the_degenerate_cases(proofs, index):
    _, units, cells, equations = PARTS[index]
    proof = proofs[index]
    reached = {_replay(proof, A) for A in _targets(units, cells, equations, seed=index, count=400)}
    # every leaf, the degenerate cases (zero sides of the splits) included, is reached and replayed
    assert reached == _leaf_paths(proof["tree"])


def test_the_replay_catches_a_wrong_formula(proofs):
    proof = copy.deepcopy(proofs[0])
    leaf = _first_leaf(proof["tree"])
    leaf["leaf"][0]["num"] = [["1", {}]] + leaf["leaf"][0]["num"]
    _, units, cells, _ = PARTS[0]
    failures = 0
    for A in _targets(units, cells, 0, seed=1, count=100):
        try:
            _replay(proof, A)
        except AssertionError:
            failures += 1
    assert failures


def _first_leaf(node: dict) -> dict:
    while "leaf" not in node:
        node = node.get("nonzero") or node.get("then") or node["zero"]
    return node


def _first(node: dict, key: str) -> dict | None:
    if key in node:
        return node
    for child in ("zero", "nonzero", "then"):
        if child in node:
            found = _first(node[child], key)
            if found is not None:
                return found
    return None


@pytest.mark.parametrize("index", [1, 4, 8, 9])
def test_tampered_proofs_are_rejected(proofs, index):
    original = proofs[index]
    # a changed coefficient in a leaf formula
    bad = copy.deepcopy(original)
    leaf = _first_leaf(bad["tree"])
    leaf["leaf"][-1]["num"] = [[str(Fraction(c) + 1) if n == 0 else c, p] for n, (c, p) in enumerate(leaf["leaf"][-1]["num"])]
    assert not _accepts(bad)
    # a case dropped: the split replaced by its nonzero side (the zero side is no longer covered)
    bad = copy.deepcopy(original)
    split = _first(bad["tree"], "split")
    assert split is not None
    replacement = split["nonzero"]
    split.clear()
    split.update(replacement)
    assert not _accepts(bad)
    # a denominator whose nonzero proof cites nothing
    bad = copy.deepcopy(original)
    dens = [item for leaf in _leaves(bad["tree"]) for item in leaf["leaf"] if item["nonzero"]]
    if dens:
        dens[0]["nonzero"] = []
        assert not _accepts(bad)
    # an entry outside its unit's support
    bad = copy.deepcopy(original)
    _first_leaf(bad["tree"])["leaf"][0]["entry"] = "x_9_0"
    assert not _accepts(bad)


def _leaves(node: dict) -> list[dict]:
    if "leaf" in node:
        return [node]
    return [leaf for child in ("zero", "nonzero", "then") if child in node for leaf in _leaves(node[child])]


def test_a_wrong_equation_is_rejected(proofs):
    bad = copy.deepcopy(proofs[8])
    bad["equations"][0] = [["1", {"a_0_0": 1, "a_1_1": 1}], ["-1", {"a_0_1": 1, "a_1_0": 1}]]  # not a single unit's block
    assert not _accepts(bad)
    bad = copy.deepcopy(proofs[8])
    bad["equations"] = []  # claims the whole space: some leaf uses the minor
    assert not _accepts(bad)


def test_divides_is_exact_division():
    p = parse_polynomial([["1", {"a": 2, "b": 1}], ["-1", {"b": 1}]], "p")  # (a² − 1) b
    assert divides(parse_polynomial([["1", {"a": 1}], ["1", {}]], "q"), p)
    assert divides(parse_polynomial([["1", {"b": 1}]], "q"), p)
    assert not divides(parse_polynomial([["1", {"a": 1}]], "q"), p)
    assert not divides(parse_polynomial([["1", {"a": 1}], ["2", {}]], "q"), p)


def test_the_quick_search_is_the_rules_and_the_wide_one_proves_the_last_part():
    from closure_check.two_factor.sections import QUICK, WIDE

    quick = [section_proof(units, cells, QUICK) is not None for _, units, cells, _ in PARTS]
    assert quick == [index != 4 for index in range(len(PARTS))]
    assert section_proof(PARTS[4][1], PARTS[4][2], WIDE) is not None


def test_no_proof_on_parts_that_are_not_closed():
    # LU (local-LU lemma) and the 2×3 shared-rows example: not closed, so no section proof can exist
    assert section_proof([((0, 1), (0, 1)), ((1,), (1,))], FULL[:2] + FULL[3:5]) is None
    assert section_proof([((0, 1), (0, 1)), ((0, 1), (1, 2))], [(i, j) for i in range(2) for j in range(3)]) is None


# the rank-spanning lemma, a rule tried before the section lemma, decides these two (both proofs hold)
RANK_SPANNING = ("I=111/011 J=011/001/001/110", "I=111/011 J=111/011/001/001")


@pytest.mark.parametrize("pattern", RANK_SPANNING)
def test_rank_spanning_decides_first_and_the_section_proof_agrees(pattern):
    result = check(_support(pattern), budget=0)
    assert result.verdict is Verdict.CLOSED and any("(rank-spanning lemma)" in r for r in result.reasons)
    _, units, cells, _ = next(part for part in PARTS if part[0] == pattern)
    assert section_proof(units, cells) is not None


@pytest.mark.parametrize("pattern", [pattern for pattern, *_ in PARTS if pattern not in RANK_SPANNING])
def test_check_decides_by_the_section_lemma_and_the_certificate_verifies(pattern):
    # eleven by the rules' quick search (budget 0 would do); PARTS[4] needs the wide search of
    # the algebraic stage, after the curve search finds nothing
    result = check(_support(pattern), budget=0 if pattern != PARTS[4][0] else 10)
    assert result.verdict is Verdict.CLOSED and not result.records
    assert any("(section lemma)" in reason for reason in result.reasons)
    cert = result.certificate_json()
    assert cert["sections"]
    report = verify_certificate(json.loads(json.dumps(cert)))
    assert report.ok, report.problems
    assert any("section lemma" in line for line in report.checked)
    cert["sections"][0]["units"][0][0].append(5)  # in no unit of the pattern (the proof still holds)
    assert not verify_certificate(cert).ok
