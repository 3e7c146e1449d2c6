"""The landscape of ``L(X, Y) = ‖A − X Yᵀ‖²_F`` on fixed supports (``docs/theory.md`` §8).

In the order data flows: :mod:`~closure_check.landscape.loss` (the loss, gradient and
Hessian on the free entries), :mod:`~closure_check.landscape.search` (seeded random
starts of L-BFGS, floats), :mod:`~closure_check.landscape.certify` (a spurious local
minimum certified with Krawczyk's test in arb ball arithmetic),
:mod:`~closure_check.landscape.result` (the answer and its JSON/text), and
:mod:`~closure_check.landscape.check` (:func:`landscape`).
"""

from closure_check.landscape.check import landscape
from closure_check.landscape.result import LandscapeResult, LandscapeVerdict

__all__ = ["LandscapeResult", "LandscapeVerdict", "landscape"]
