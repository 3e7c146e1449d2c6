"""Chains ``P_{I_1..I_N} = {W_1 ⋯ W_N}`` (``docs/theory.md`` §6).

* :mod:`~closure_check.chains.reduce` -- exact reductions (empty inner index, partial permutation, full pair, one factor) and curve lifting;
* :mod:`~closure_check.chains.chainable` -- the chainable Kronecker-sparse rule (butterfly, Monarch: closed);
* :mod:`~closure_check.chains.engine` -- the chain algebraic engine (fixed-factor, bottleneck, orbit lemmas; curves);
* :mod:`~closure_check.chains.check` -- the pipeline, ``check_chain``;
* :mod:`~closure_check.chains.census` -- every chain of small supports, decided.
"""
