"""Sparse ReLU networks: does training always have an optimum? (``docs/theory.md`` §7).

* :mod:`~closure_check.networks.spec` -- the network specification format;
* :mod:`~closure_check.networks.relu` -- answers (yes / no with a counterexample data set / open);
* :mod:`~closure_check.networks.text` -- the text of an answer (`closure-check relu`).
"""
