"""The certificate model: what a NOT CLOSED verdict rests on (``docs/certificates.md``).

* :mod:`~closure_check.certificates.two_factor` -- limit ``A``, Laurent curve ``X(t), Y(t)``, obstruction (two factors);
* :mod:`~closure_check.certificates.chain` -- the same for a chain ``W_1(t) ⋯ W_N(t)``.

Each certificate re-expands itself exactly (``defects``); writing it as JSON or text is
the job of :mod:`closure_check.output`.
"""
