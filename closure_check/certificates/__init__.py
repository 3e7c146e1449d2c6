"""The certificate model: what a NOT CLOSED verdict rests on (``docs/certificates.md``).

* :mod:`~closure_check.certificates.two_factor` -- limit ``A``, Laurent curve ``X(t), Y(t)``, obstruction (two factors);
* :mod:`~closure_check.certificates.chain` -- the same for a chain ``W_1(t) ⋯ W_N(t)``.

Each certificate re-expands itself exactly (``defects``), and its curve evaluates at any
t ≠ 0 (``curve.at(t)``, ``curve.product_at(t)``, ``curve.error_at(t)``: exact for an int or
Fraction t, floats for a float); writing it as JSON, text or a picture is the job of
:mod:`closure_check.output`.
"""
