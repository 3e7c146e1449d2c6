"""The exact membership engine: polynomial systems, Nullstellensatz certificates, z3.

Every test asserts mathematics: a "member" comes with a point whose product is exactly
A, a "not-member" with an identity that expands to a nonzero constant (or, over ℝ only,
z3's record), and a tampered identity is rejected.
"""

from __future__ import annotations

import dataclasses
import random
from fractions import Fraction

import flint
import numpy as np
import pytest
import z3

from closure_check.algebra import (
    EngineRecord,
    NullstellensatzCertificate,
    RealAnswer,
    chain_system,
    complex_infeasibility,
    decide_system,
    extended_buchberger_certificate,
    groebner_contains_one,
    is_member,
    is_member_chain,
    macaulay_certificate,
    membership_system,
    raw_system,
    real_solution,
    smtlib_query,
)
from closure_check.core.support import ChainSupport, TwoFactorSupport


def lu(n: int) -> TwoFactorSupport:
    lower = np.tril(np.ones((n, n), dtype=int))
    return TwoFactorSupport.from_dense(lower, lower)


def anti_identity(n: int) -> dict[tuple[int, int], int]:
    return {(i, n - 1 - i): 1 for i in range(n)}


TRIANGLE = TwoFactorSupport.from_dense([[1, 0, 1], [1, 1, 0], [0, 1, 1]], [[1, 0, 1], [1, 1, 0], [0, 1, 1]])
"""Rectangles {0,1}², {1,2}², {0,2}²: J₃ − I₃ has complex but no real factorisation."""

EXAMPLE_2X3 = TwoFactorSupport.from_dense([[1, 1], [1, 1]], [[1, 0], [1, 1], [0, 1]])
"""MATH.md §2: rectangles {0,1}×{0,1} and {0,1}×{1,2}."""


def product(factors: tuple[np.ndarray, ...], *, transpose_last: bool) -> np.ndarray:
    result = factors[0]
    for index, factor in enumerate(factors[1:], start=1):
        right = factor.T if transpose_last and index == len(factors) - 1 else factor
        result = result.dot(right)
    return result


def dense(A: dict[tuple[int, int], object], shape: tuple[int, int]) -> np.ndarray:
    matrix = np.full(shape, Fraction(0), dtype=object)
    for cell, value in A.items():
        matrix[cell] = Fraction(value)
    return matrix


# ---------------------------------------------------------------------------- systems


def test_lu_system_equations_and_denominators() -> None:
    system = membership_system(lu(2), {(0, 1): Fraction(1, 2), (1, 0): 3})
    assert system.names == ("x_0_0", "x_1_0", "x_1_1", "y_0_0", "y_1_0", "y_1_1")
    assert [str(f) for f in system.equations] == [
        "x_0_0*y_0_0",
        "2*x_0_0*y_1_0 - 1",
        "x_1_0*y_0_0 - 3",
        "x_1_0*y_1_0 + x_1_1*y_1_1",
    ]
    assert system.labels == ("cell (0,0)", "cell (0,1)", "cell (1,0)", "cell (1,1)")
    hidden = membership_system(lu(2), {(0, 1): 1}, hidden={(1, 1), (0, 0)})
    assert hidden.labels == ("cell (0,1)", "cell (1,0)")
    mask = membership_system(lu(2), {(0, 1): 1}, hidden=np.array([[True, False], [False, True]]))
    assert [str(f) for f in mask.equations] == [str(f) for f in hidden.equations]


def test_uncovered_cells() -> None:
    support = TwoFactorSupport.from_dense([[1], [0]], [[1], [0]])
    assert membership_system(support, {}).labels == ("cell (0,0)",)
    system = membership_system(support, {(1, 1): 5})
    assert [str(f) for f in system.equations] == ["x_0_0*y_0_0", "-5"]
    certificate = complex_infeasibility(system)
    assert certificate is not None and certificate.verify(system) and certificate.degree == 0


def test_chain_system_is_the_product() -> None:
    rng = random.Random(5)
    chain = ChainSupport.from_dense([[[1, 1, 0], [0, 1, 1]], [[1, 0], [1, 1], [0, 1]], [[1, 1], [1, 0]]])
    system = chain_system(chain, {})
    point = [Fraction(rng.randint(-3, 3)) for _ in range(system.nvars)]
    factors = system.factors(point)
    target = product(factors, transpose_last=False)
    exact = chain_system(chain, {cell: target[cell] for cell in np.ndindex(target.shape)})
    assert exact.is_solution(point)
    assert [f.shape for f in factors] == [(2, 3), (3, 2), (2, 2)]


def test_factors_and_sympy_export() -> None:
    system = membership_system(lu(2), anti_identity(2))
    X, Y = system.factors([Fraction(k) for k in range(1, 7)])
    assert X.tolist() == [[1, 0], [2, 3]] and Y.tolist() == [[4, 0], [5, 6]]
    expressions = system.to_sympy()
    assert str(expressions[1]) == "x_0_0*y_1_0 - 1"


# ------------------------------------------------------------- Nullstellensatz over ℂ


def test_lu2_known_identity() -> None:
    # 1 = x_{1,0}y_{1,0}·f_00 − x_{1,0}y_{0,0}·f_01 − f_10 (f_11 unused)
    system = membership_system(lu(2), anti_identity(2))
    certificate = complex_infeasibility(system)
    assert certificate is not None and certificate.verify(system)
    ctx = system.ctx
    _x00, x10, _x11, y00, y10, _y11 = ctx.gens()
    cofactors = [ctx.from_dict(dict(c)) if c else ctx.from_dict({}) for c in certificate.cofactors]
    assert certificate.constant == 1
    assert cofactors == [x10 * y10, -x10 * y00, ctx.from_dict({(0,) * 6: -1}), ctx.from_dict({})]
    f = system.equations
    assert x10 * y10 * f[0] - x10 * y00 * f[1] - f[2] == 1


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_lu_anti_identity_not_member(n: int) -> None:
    result = is_member(lu(n), anti_identity(n), seconds=20)
    assert result.answer == "not-member" and result.certified
    certificate = result.proof
    assert isinstance(certificate, NullstellensatzCertificate)
    system = membership_system(lu(n), anti_identity(n))
    assert certificate.verify(system)
    assert certificate.degree == 2 and certificate.constant != 0


def test_math_md_2x3_example() -> None:
    A = {(0, 0): 1, (0, 2): 1, (1, 1): 1}
    result = is_member(EXAMPLE_2X3, A, seconds=20)
    assert result.answer == "not-member"
    assert result.proof.verify(membership_system(EXAMPLE_2X3, A))
    # the perturbed matrices [[1,0,1],[0,1,ε]] are members, with exact factors
    for epsilon in (Fraction(1), Fraction(1, 1000), Fraction(-7, 3)):
        near = dict(A)
        near[(1, 2)] = epsilon
        member = is_member(EXAMPLE_2X3, near, seconds=20)
        assert member.answer == "member" and member.certified
        X, Y = member.factors
        assert (X.dot(Y.T) == dense(near, (2, 3))).all()


def test_both_cofactor_searches_agree_on_the_lu_family() -> None:
    for n in (2, 3, 4):
        system = membership_system(lu(n), anti_identity(n))
        by_matrix = macaulay_certificate(system)
        by_buchberger = extended_buchberger_certificate(system)
        assert by_matrix.verify(system) and by_buchberger.verify(system)
        assert by_matrix.degree == 2  # least degree: no certificate of degree 0


def test_random_cases_against_flint_groebner() -> None:
    rng = random.Random(2024)
    decided = {True: 0, False: 0}
    for _ in range(60):
        m, n, r = rng.choice([(2, 2, 2), (2, 3, 2), (3, 3, 2), (3, 3, 3)])
        I = np.array([[int(rng.random() < 0.6) for _ in range(r)] for _ in range(m)])
        J = np.array([[int(rng.random() < 0.6) for _ in range(r)] for _ in range(n)])
        support = TwoFactorSupport.from_dense(I, J)
        A = {(i, j): rng.choice([0, 0, 1, -1, 2]) for i in range(m) for j in range(n)}
        system = membership_system(support, A)
        equations = [f for f in system.equations if f != 0]
        if equations:
            basis = flint.fmpz_mpoly_vec(equations, system.ctx).buchberger_naive()
            has_one = any(p.is_constant() and p != 0 for p in basis)
        else:
            has_one = False
        certificate = complex_infeasibility(system)
        assert (certificate is not None) == has_one
        if certificate is not None:
            assert certificate.verify(system)
        decided[has_one] += 1
    assert decided[True] >= 10 and decided[False] >= 10


def test_groebner_test_and_searches_on_raw_systems() -> None:
    circle = raw_system(["x", "y"], ["x^2 + y^2 - 1", "x - 2"])
    assert groebner_contains_one(circle) is False and complex_infeasibility(circle) is None
    clash = raw_system(["x", "y"], ["x*y - 1", "x", "y + 3"])
    certificate = complex_infeasibility(clash)
    assert groebner_contains_one(clash) is True and certificate.verify(clash)
    with pytest.raises(ValueError):
        raw_system(["x"], ["__import__('os')"])


# ----------------------------------------------------------- tampered certificates


def test_mutated_identities_fail_verification() -> None:
    system = membership_system(lu(3), anti_identity(3))
    certificate = complex_infeasibility(system)
    assert certificate.verify(system)
    index = next(i for i, c in enumerate(certificate.cofactors) if c)
    (mono, value), *rest = certificate.cofactors[index]
    changed_cofactor = list(certificate.cofactors)
    changed_cofactor[index] = ((mono, value + 1), *rest)
    dropped = list(certificate.cofactors)
    dropped[index] = ()
    other_target = membership_system(lu(3), {(0, 2): 1, (1, 1): 1, (2, 0): 2})
    mutants = [
        dataclasses.replace(certificate, cofactors=tuple(changed_cofactor)),
        dataclasses.replace(certificate, cofactors=tuple(dropped)),
        dataclasses.replace(certificate, constant=certificate.constant + 1),
        dataclasses.replace(certificate, constant=0, cofactors=tuple(() for _ in certificate.cofactors)),
        dataclasses.replace(certificate, cofactors=certificate.cofactors[:-1]),
    ]
    for mutant in mutants:
        assert not mutant.verify() and mutant.defects()
    # the identity is valid, but not for the system of another A
    assert certificate.verify() and not certificate.verify(other_target)
    assert "equations are not those of the system" in " ".join(certificate.defects(other_target))


def test_certificate_round_trips_through_json_form() -> None:
    certificate = complex_infeasibility(membership_system(lu(3), anti_identity(3)))
    data = certificate.as_dict()
    rebuilt = NullstellensatzCertificate(
        names=tuple(data["names"]),
        labels=tuple(data["labels"]),
        equations=tuple(tuple((tuple(m), c) for m, c in f) for f in data["equations"]),
        cofactors=tuple(tuple((tuple(m), c) for m, c in f) for f in data["cofactors"]),
        constant=data["constant"],
        method=data["method"],
    )
    assert rebuilt == certificate and rebuilt.verify()


# ---------------------------------------------------------------------- members


@pytest.mark.parametrize("n", [2, 3, 4])
def test_lu_products_are_members(n: int) -> None:
    rng = random.Random(n)
    L = np.array([[Fraction(rng.randint(-3, 3)) if j <= i else Fraction(0) for j in range(n)] for i in range(n)], dtype=object)
    U = np.array([[Fraction(rng.randint(-3, 3)) if j >= i else Fraction(0) for j in range(n)] for i in range(n)], dtype=object)
    A = L.dot(U)
    result = is_member(lu(n), A, seconds=20)
    assert result.answer == "member" and result.certified
    X, Y = result.factors
    assert (X.dot(Y.T) == A).all()
    assert not any(X[i, k] for i in range(n) for k in range(n) if k > i)
    assert not any(Y[j, k] for j in range(n) for k in range(n) if k > j)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_identity_is_an_lu_member(n: int) -> None:
    identity = {(i, i): 1 for i in range(n)}
    result = is_member(lu(n), identity, seconds=20)
    assert result.answer == "member"
    X, Y = result.factors
    assert (X.dot(Y.T) == dense(identity, (n, n))).all()
    assert result.proof.exact and result.proof.verified


def test_masked_membership() -> None:
    # LU with the anti-identity: hiding (0,0) removes the obstruction, hiding (1,1) does not
    assert is_member(lu(2), anti_identity(2), hidden={(0, 0)}, seconds=10).answer == "member"
    result = is_member(lu(2), anti_identity(2), hidden={(1, 1)}, seconds=10)
    assert result.answer == "not-member" and result.proof.verify(membership_system(lu(2), anti_identity(2), {(1, 1)}))


def test_chains() -> None:
    two = ChainSupport.from_dense([[[1, 0], [1, 1]], [[1, 1], [0, 1]]])  # L·U
    result = is_member_chain(two, [[0, 1], [1, 0]], seconds=10)
    assert result.answer == "not-member" and result.proof.verify(chain_system(two, [[0, 1], [1, 0]]))
    three = ChainSupport.from_dense([[[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]])  # diag·upper·lower
    rng = random.Random(3)
    factors = [np.array([[Fraction(rng.randint(1, 3)) * int(s) for s in row] for row in f.toarray()], dtype=object) for f in three.factors]
    A = product(tuple(factors), transpose_last=False)
    member = is_member_chain(three, A, seconds=10)
    assert member.answer == "member"
    assert (product(member.factors, transpose_last=False) == A).all()


# ---------------------------------------------------------------------- over ℝ


def test_complex_but_not_real_pattern() -> None:
    A = np.ones((3, 3), dtype=int) - np.eye(3, dtype=int)
    system = membership_system(TRIANGLE, A)
    assert groebner_contains_one(system) is False  # complex solutions exist
    assert complex_infeasibility(system) is None
    result = is_member(TRIANGLE, A, seconds=20)
    assert result.answer == "not-member" and not result.certified
    record = result.proof
    assert isinstance(record, EngineRecord)
    assert record.engine == "z3" and record.version == z3.get_version_string() and record.result == "unsat"
    assert record.logic == "QF_NRA" and "(check-sat)" in record.query and "(set-logic QF_NRA)" in record.query
    assert len(z3.parse_smt2_string(record.query)) == len(system.equations)
    # flipping one sign makes αβγ < 0: d² = 1 has real solutions
    flipped = A.copy()
    flipped[1, 2] = -1
    member = is_member(TRIANGLE, flipped, seconds=20)
    assert member.answer == "member" and member.certified
    X, Y = member.factors
    assert (X.dot(Y.T) == flipped).all()


def test_raw_sum_of_squares_has_no_real_solution() -> None:
    result = decide_system(raw_system(["x"], ["x^2 + 1"]), seconds=10)
    assert result.answer == "not-member" and isinstance(result.proof, EngineRecord)


def test_algebraic_solution_is_kept_exact() -> None:
    answer = real_solution(raw_system(["x", "y"], ["x^2 - 2", "x*y - 1"]), 10)
    assert answer.status == "solution" and answer.verified and not answer.exact
    assert all(isinstance(v, str) and v.startswith("(root-obj") for v in answer.point)
    assert "z3" in answer.verification
    rational = real_solution(raw_system(["x", "z"], ["x^2 - z^2 - 3"]), 10)
    assert rational.status == "solution" and rational.exact
    x, z = rational.point
    assert x * x - z * z == 3


def test_smtlib_query_is_deterministic_and_exact() -> None:
    system = membership_system(lu(2), {(0, 1): Fraction(-1, 3)})
    text = smtlib_query(system)
    assert text == smtlib_query(membership_system(lu(2), {(0, 1): Fraction(-1, 3)}))
    assert "(assert (= (+ (* 3 |x_0_0| |y_1_0|) 1.0) 0.0))" in text


def test_deterministic_answers() -> None:
    first = is_member(TRIANGLE, [[1, 2, 0], [3, 1, 1], [0, 2, 5]], seconds=20)
    second = is_member(TRIANGLE, [[1, 2, 0], [3, 1, 1], [0, 2, 5]], seconds=20)
    assert first.answer == second.answer == "member"
    assert first.proof.point == second.proof.point


def test_no_time_gives_unknown() -> None:
    result = is_member(lu(3), anti_identity(3), seconds=0.0)
    assert result.answer == "unknown" and result.proof is None
    assert any("exhausted" in attempt or "no time" in attempt for attempt in result.attempts)


def test_in_process_mode_matches() -> None:
    isolated = is_member(lu(3), anti_identity(3), seconds=10)
    inline = is_member(lu(3), anti_identity(3), seconds=10, isolate=False)
    assert isolated.answer == inline.answer == "not-member"
    assert isolated.proof == inline.proof
    assert isinstance(is_member(lu(2), {(0, 0): 1}, seconds=10, isolate=False).proof, RealAnswer)


def test_member_where_nlsat_alone_stalls() -> None:
    # nlsat times out on this dense system (20 variables, measured); z3's SMT core,
    # tried first, finds a point, and the point is exact
    support = TwoFactorSupport.from_dense([[0, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 1]], [[1, 1, 1, 0], [1, 1, 1, 1], [1, 1, 1, 1]])
    A = {(0, 0): 4, (0, 1): 1, (0, 2): 4, (1, 0): -8, (1, 1): -2, (1, 2): -4, (2, 1): 2, (2, 2): -1}
    result = is_member(support, A, hidden={(2, 0)}, seconds=20)
    assert result.answer == "member" and result.certified
    assert dict(result.proof.record.parameters)["solver"] == 'Tactic("smt").solver()'
    X, Y = result.factors
    product_matrix = X.dot(Y.T)
    assert all(product_matrix[cell] == value for cell, value in A.items())
    assert all(product_matrix[i, j] == 0 for i in range(3) for j in range(3) if (i, j) not in A and (i, j) != (2, 0))
