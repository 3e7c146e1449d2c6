"""Exact algebra: is ``A`` in ``P``?  Decided with proofs, within budgets.

The modules follow the data flow of one membership question:

* :mod:`~closure_check.algebra.system` — the polynomial system ``X Yᵀ = A`` (two
  factors, masked problems, chains, or raw polynomials) in python-flint;
* :mod:`~closure_check.algebra.nullstellensatz` — no complex solution: Gröbner basis
  {1} and a Nullstellensatz certificate ``Σ c_i f_i = c ≠ 0`` checked by expansion;
* :mod:`~closure_check.algebra.real` — real solutions with z3 (nlsat): a verified
  point, or an engine record of unsat;
* :mod:`~closure_check.algebra.membership` — the two steps chained under budgets;
* :mod:`~closure_check.algebra.zariski` — the Zariski-closure criterion (two factors and chains);
* :mod:`~closure_check.algebra.baseline` — the authors' z3 sentence (a baseline, and a search).

Names load their modules on first use.

The lemmas are in ``docs/algebra.md``.

>>> from closure_check.core.support import TwoFactorSupport
>>> from closure_check.algebra import is_member
>>> lu = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
>>> is_member(lu, [[0, 1], [1, 0]], seconds=10).answer
'not-member'
"""

from __future__ import annotations

from closure_check.core.lazy import lazy_names

_EXPORTS = {
    "MembershipResult": "closure_check.algebra.membership",
    "decide_system": "closure_check.algebra.membership",
    "is_member": "closure_check.algebra.membership",
    "is_member_chain": "closure_check.algebra.membership",
    "NullstellensatzCertificate": "closure_check.algebra.nullstellensatz",
    "complex_infeasibility": "closure_check.algebra.nullstellensatz",
    "extended_buchberger_certificate": "closure_check.algebra.nullstellensatz",
    "groebner_contains_one": "closure_check.algebra.nullstellensatz",
    "macaulay_certificate": "closure_check.algebra.nullstellensatz",
    "EngineRecord": "closure_check.algebra.real",
    "RealAnswer": "closure_check.algebra.real",
    "real_solution": "closure_check.algebra.real",
    "smtlib_query": "closure_check.algebra.real",
    "PolynomialSystem": "closure_check.algebra.system",
    "Variable": "closure_check.algebra.system",
    "chain_system": "closure_check.algebra.system",
    "membership_system": "closure_check.algebra.system",
    "raw_system": "closure_check.algebra.system",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_names(__name__, _EXPORTS)
