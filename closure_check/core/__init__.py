"""The ground floor: supports and their rank-one-support structure (``docs/theory.md`` §1–§2).

* :mod:`~closure_check.core.support` -- ``TwoFactorSupport`` (``X Yᵀ``) and ``ChainSupport`` (``W_1 ⋯ W_N``);
* :mod:`~closure_check.core.case` -- a support with what its file says (name, expected verdict), and ``Verdict``;
* :mod:`~closure_check.core.graph` -- units, rectangles, classes, completeness, overlap components, twins;
* :mod:`~closure_check.core.canonical` and :mod:`~closure_check.core.enumerate` -- isomorphism classes, small patterns;
* :mod:`~closure_check.core.laurent` -- exact Laurent polynomials in ``t`` (curves of the certificates);
* :mod:`~closure_check.core.budget` -- engine calls in child processes under time and memory limits.
"""
