"""Best approximation ``min ‖A − X Yᵀ‖_F`` with fixed supports (``docs/solver.md``).

* :mod:`~closure_check.approximation.solve` -- the exact solver of the tractable families (truncated SVDs) and alternating least squares.
"""
