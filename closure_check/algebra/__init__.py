"""Exact algebra: is ``A`` in ``P``?  Decided with proofs, within budgets.

The modules follow the data flow of one membership question:

* :mod:`~closure_check.algebra.system` — the polynomial system ``X Yᵀ = A`` (two
  factors, masked problems, chains, or raw polynomials) in python-flint;
* :mod:`~closure_check.algebra.nullstellensatz` — no complex solution: Gröbner basis
  {1} and a Nullstellensatz certificate ``Σ c_i f_i = c ≠ 0`` checked by expansion;
* :mod:`~closure_check.algebra.real` — real solutions with z3 (nlsat): a verified
  point, or an engine record of unsat;
* :mod:`~closure_check.algebra.membership` — the two steps chained under budgets.

The lemmas are in ``docs/algebra.md``.

>>> from closure_check.support import TwoFactorSupport
>>> from closure_check.algebra import is_member
>>> lu = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
>>> is_member(lu, [[0, 1], [1, 0]], seconds=10).answer
'not-member'
"""

from closure_check.algebra.membership import (
    MembershipResult,
    decide_system,
    is_member,
    is_member_chain,
)
from closure_check.algebra.nullstellensatz import (
    NullstellensatzCertificate,
    complex_infeasibility,
    extended_buchberger_certificate,
    groebner_contains_one,
    macaulay_certificate,
)
from closure_check.algebra.real import (
    EngineRecord,
    RealAnswer,
    real_solution,
    smtlib_query,
)
from closure_check.algebra.system import (
    PolynomialSystem,
    Variable,
    chain_system,
    membership_system,
    raw_system,
)

__all__ = [
    "EngineRecord",
    "MembershipResult",
    "NullstellensatzCertificate",
    "PolynomialSystem",
    "RealAnswer",
    "Variable",
    "chain_system",
    "complex_infeasibility",
    "decide_system",
    "extended_buchberger_certificate",
    "groebner_contains_one",
    "is_member",
    "is_member_chain",
    "macaulay_certificate",
    "membership_system",
    "raw_system",
    "real_solution",
    "smtlib_query",
]
