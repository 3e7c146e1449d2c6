"""The verifier's chain half: certificates of ``"kind": "chain"`` (``W_1 ⋯ W_N``).

* :mod:`.certificate` -- :func:`check_chain_certificate`, the entry point;
* :mod:`.pattern` -- the chain pattern and boolean products;
* :mod:`.steps` -- the reductions replayed on the pattern;
* :mod:`.curve` -- the chain curve expanded exactly, the chain Nullstellensatz identity;
* :mod:`.closed` -- the closing arguments of a CLOSED chain (fixed-factor, bottleneck,
  orbit, Kronecker-sparse, reduced two-factor certificate, engine records).

Like the rest of the verifier: standard library and relative imports only.
"""

from .certificate import check_chain_certificate

__all__ = ["check_chain_certificate"]
