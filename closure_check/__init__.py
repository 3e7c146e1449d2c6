"""closure-check: is a set of sparse matrix products closed?  Decided with proofs.

The package is laid out in the order data flows (``docs/theory.md`` names the lemmas,
the folders name the stages):

* ``core`` -- supports in both conventions, the rank-one-support structure, canonical
  forms, enumeration, Laurent polynomials, budgets (§1–§2);
* ``algebra`` -- polynomial systems, Nullstellensatz identities, real engines, the
  Zariski criterion, the authors' sentence (§5, ``docs/algebra.md``);
* ``io`` and ``families`` -- where supports come from: files and standard patterns;
* ``certificates`` -- the certificate model: limits, Laurent curves, obstructions;
* ``result`` -- the one result type; ``two_factor`` -- reductions, rules, full-space
  lemmas, algebraic stage, tractability (§3–§5); ``chains`` -- chain reductions, the
  Kronecker-sparse rule, the chain engine (§6); ``approximation`` -- the FSMF solvers;
* ``decide`` -- :func:`check`, the single dispatch point;
* ``output`` -- what a person or a program reads: certificate JSON, Markdown/LaTeX
  proofs, terminal text, pictures; ``verifier`` -- the independent certificate checker;
* ``networks`` -- sparse ReLU networks (§7); ``batch``, ``census``, ``export`` -- the
  applications.

Nothing heavy is imported by ``import closure_check``: the names below load their
modules on first use.

>>> from closure_check import TwoFactorSupport, RankOneStructure, check
>>> lu = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
>>> RankOneStructure.build(lu).n_classes
2
>>> check(lu).verdict.value
'not-closed'
"""

from __future__ import annotations

from closure_check.core.lazy import lazy_names

__version__ = "0.2.0"

_EXPORTS = {
    "CanonicalForm": "closure_check.core.canonical",
    "canonical_form": "closure_check.core.canonical",
    "Case": "closure_check.core.case",
    "Verdict": "closure_check.core.case",
    "RankOneStructure": "closure_check.core.graph",
    "StructureTooLarge": "closure_check.core.graph",
    "ChainSupport": "closure_check.core.support",
    "SupportError": "closure_check.core.support",
    "TwoFactorSupport": "closure_check.core.support",
    "product_support": "closure_check.core.support",
    "CheckResult": "closure_check.result",
    "Tractability": "closure_check.result",
    "check": "closure_check.decide",
    "tractability": "closure_check.two_factor.tractability",
    "Solution": "closure_check.approximation.solve",
    "solve": "closure_check.approximation.solve",
    "read_case": "closure_check.io",
    "relu_optimum": "closure_check.networks.relu",
    "read_relu_spec": "closure_check.networks.spec",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_names(__name__, _EXPORTS)
