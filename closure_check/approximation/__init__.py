"""Best approximation with fixed supports, ``X Yᵀ`` or ``W_1 ⋯ W_N`` (``docs/solver.md``).

* :mod:`~closure_check.approximation.solve` -- the exact solver of the tractable families (truncated SVDs) and alternating least squares.
* :mod:`~closure_check.approximation.kronecker` -- Kronecker-sparse factors as stacks of blocks: exact splits of chainable pairs, QR orthonormalisation.
* :mod:`~closure_check.approximation.chain` -- ``W_1 ⋯ W_N ≈ A``: the hierarchical solver with its certified interval, and a local method for other chains.
"""
