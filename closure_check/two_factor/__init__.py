"""Two factors ``P_{I,J} = {X Yᵀ}``: the decision pipeline (``docs/theory.md`` §3–§5).

In the order a pattern goes through them:

* :mod:`~closure_check.two_factor.reduce` -- exact reductions (absorption of complete classes, projection, merge, parts);
* :mod:`~closure_check.two_factor.rules` -- the verdict lemmas on a part (determinantal, local-LU, width-2, shared row/column, …);
* :mod:`~closure_check.two_factor.fullspace` -- full-space lemmas (pivot-row, elimination, free-multiplier elimination);
* :mod:`~closure_check.two_factor.sections` -- section proofs (explicit factors on the cases of a decision tree over the target);
* :mod:`~closure_check.two_factor.free_factor` -- the free-factor lemma (one factor free, r units on r + 1 lines: good and bad supports);
* :mod:`~closure_check.two_factor.curves` and :mod:`~closure_check.two_factor.engine` -- the algebraic stage (Laurent curves + Nullstellensatz, Zariski criterion);
* :mod:`~closure_check.two_factor.tractability` -- which exact solver applies;
* :mod:`~closure_check.two_factor.check` -- the pipeline, ``check_two_factor``.
"""
