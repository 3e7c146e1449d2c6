"""Jordan sandwich lemma (``closure_check.chains.sandwich``, ``docs/theory.md`` §6).

The stored identity must expand to 1 on the abstract system; the abstract system must
have no complex solution by an independent route (flint's Gröbner basis); every
certificate the rule writes must pass the independent verifier; the rule must never fire
on a chain that another lemma proves closed; a wrong limit or frame must be rejected.
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import flint
import numpy as np
import pytest

from closure_check.algebra.nullstellensatz import groebner_contains_one
from closure_check.algebra.system import PolynomialSystem, chain_system
from closure_check.chains.check import check_chain
from closure_check.chains.engine import bottleneck_proof, fixed_factor_proof
from closure_check.chains.sandwich import (
    SANDWICH_COFACTORS,
    SANDWICH_VARIABLES,
    SandwichFrame,
    _parse,
    find_sandwich,
    frame_defects,
    sandwich_curve,
    sandwich_equations,
    sandwich_identity,
    sandwich_limit,
)
from closure_check.core.case import Verdict
from closure_check.core.support import ChainSupport
from closure_check.families import butterfly_chain, kaleidoscope
from closure_check.output.certificate_json.chain import chain_certificate_json
from closure_check.verifier import verify_certificate

CTX = flint.fmpz_mpoly_ctx.get(SANDWICH_VARIABLES, "degrevlex")


def _poly(terms: dict) -> flint.fmpz_mpoly:
    return CTX.from_dict(terms)


def test_stored_identity_expands_to_one():
    total = CTX.from_dict({})
    for cofactor, equation in zip(SANDWICH_COFACTORS, sandwich_equations(CTX)):
        total += _poly(_parse(cofactor)) * equation
    assert total == 1


def test_a_changed_cofactor_breaks_the_identity():
    changed = list(SANDWICH_COFACTORS)
    changed[5] = changed[5].replace("+1", "+2")
    total = CTX.from_dict({})
    for cofactor, equation in zip(changed, sandwich_equations(CTX)):
        total += _poly(_parse(cofactor)) * equation
    assert total != 1


def test_abstract_system_has_no_complex_solution_independently():
    """flint's Buchberger (not the stored cofactors) finds 1 in the ideal."""
    assert groebner_contains_one(_abstract_system(((1, 1), (0, 1)))) is True


def _abstract_system(t00: tuple[tuple[int, int], tuple[int, int]]) -> PolynomialSystem:
    """``a_η E_ηη' g_η' = T_ηη'`` with ``T_00 = t00`` and the other blocks the identity."""
    v = dict(zip(SANDWICH_VARIABLES, CTX.gens()))
    equations = []
    for eta, eta2, b, b2 in itertools.product((0, 1), repeat=4):
        target = t00[b][b2] if (eta, eta2) == (0, 0) else int(b == b2)
        total = sum((v[f"a{eta}{b}{c}"] * v[f"e{eta}{eta2}{c}"] * v[f"g{eta2}{c}{b2}"] for c in (0, 1)), CTX.from_dict({}))
        equations.append(total - target)
    return PolynomialSystem(ctx=CTX, variables=(), equations=tuple(equations), labels=(), kind="raw")


def test_abstract_system_is_the_stored_one():
    assert list(_abstract_system(((1, 1), (0, 1))).equations) == sandwich_equations(CTX)


def test_the_jordan_block_is_needed():
    """With T_00 = diag(1, 2) (diagonalisable) a complex solution exists: no identity."""
    assert groebner_contains_one(_abstract_system(((1, 0), (0, 2)))) is False
    assert groebner_contains_one(_abstract_system(((1, 1), (0, 2)))) is False


@pytest.mark.parametrize("L", [2, 3])
def test_kaleidoscope_not_closed_and_certificate_verifies(L):
    chain = kaleidoscope(L)
    result = check_chain(chain, budget=0)  # a rule: no engine effort needed
    assert result.verdict is Verdict.NOT_CLOSED
    certificate = result.certificate
    assert certificate.curve.defects(chain) == []
    assert certificate.identity.defects(chain_system(chain, certificate.limit)) == []
    document = json.loads(json.dumps(chain_certificate_json(chain, result, name=f"kaleidoscope-{L}")))
    report = verify_certificate(document)
    assert report.ok, report.problems
    assert report.verdict == "not-closed"


def test_wrong_limit_is_rejected():
    chain = kaleidoscope(2)
    found = find_sandwich(chain)
    limit = dict(found.certificate.limit)
    cell = next(iter(limit))
    limit[cell] = Fraction(2)
    assert found.certificate.identity.defects(chain_system(chain, limit))


def test_frame_conditions_are_checked():
    chain = kaleidoscope(2)
    frame = find_sandwich(chain).frame
    assert frame_defects(chain, frame) == []
    crossed = SandwichFrame(frame.rows, frame.cols, frame.left, (frame.right[0][::-1], frame.right[1]))
    assert any("(F2)" in problem for problem in frame_defects(chain, crossed))
    assert sandwich_identity(chain, crossed) is None
    assert sandwich_curve(chain, crossed) is None
    short = ChainSupport((np.ones((4, 4), dtype=np.int8), np.ones((4, 4), dtype=np.int8)))
    assert find_sandwich(short) is None


@pytest.mark.parametrize("chain", [butterfly_chain(2), butterfly_chain(3)], ids=["butterfly4", "butterfly8"])
def test_never_fires_on_closed_butterfly(chain):
    assert check_chain(chain).verdict is Verdict.CLOSED
    assert find_sandwich(chain) is None


def test_never_fires_on_closed_lu_type_chains():
    lower = np.tril(np.ones((4, 4), dtype=np.int8))
    for factors in ((lower, lower.T, lower), (lower.T, lower, lower.T)):
        chain = ChainSupport(factors)
        assert find_sandwich(chain) is None


K1 = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]], dtype=np.int8)
K2 = np.kron(np.eye(2, dtype=np.int8), np.ones((2, 2), dtype=np.int8))


def test_random_chains_near_kaleidoscope_agree_with_the_closed_lemmas():
    """Random thinnings of K1·K2·K1 (Kaleidoscope N = 4, middle merged) with a few extra middle
    entries: whenever the rule fires its certificate is valid, and the closed lemmas
    (fixed-factor, bottleneck) never prove the same chain closed."""
    generator = np.random.default_rng(7)
    fired = 0
    for _ in range(60):
        first = (K1 * (generator.random((4, 4)) > 0.2)).astype(np.int8)
        middle = np.maximum(K2 * (generator.random((4, 4)) > 0.2), generator.random((4, 4)) < 0.1).astype(np.int8)
        last = (K1 * (generator.random((4, 4)) > 0.2)).astype(np.int8)
        chain = ChainSupport((first, middle, last))
        found = find_sandwich(chain)
        if found is None:
            continue
        fired += 1
        assert found.certificate.curve.defects(chain) == []
        assert found.certificate.identity.defects(chain_system(chain, found.certificate.limit)) == []
        assert found.certificate.limit == sandwich_limit(found.frame)
        assert frame_defects(chain, found.frame) == []
        assert fixed_factor_proof(chain) is None and bottleneck_proof(chain) is None
    assert fired >= 2  # the sample exercises the rule
