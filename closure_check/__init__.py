"""closure-check: is a set of sparse matrix products closed?  Decided with proofs.

The library follows the data flow ``support`` → ``graph`` → (reductions, rules,
algebra, certificates, verification); ``io`` reads and writes support files and
``families`` builds the standard patterns.  See ``docs/theory.md`` for the
mathematics and ``docs/formats.md`` for the file formats.

>>> from closure_check import TwoFactorSupport, RankOneStructure, check
>>> lu = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
>>> RankOneStructure.build(lu).n_classes
2
>>> check(lu).verdict.value
'not-closed'
"""

from closure_check.canonical import CanonicalForm, canonical_form
from closure_check.case import Case, Verdict
from closure_check.classify import CheckResult, check
from closure_check.graph import RankOneStructure, StructureTooLarge
from closure_check.solve import Solution, Tractability, solve, tractability
from closure_check.support import ChainSupport, SupportError, TwoFactorSupport, product_support

__all__ = [
    "CanonicalForm",
    "Case",
    "CheckResult",
    "ChainSupport",
    "RankOneStructure",
    "Solution",
    "StructureTooLarge",
    "SupportError",
    "Tractability",
    "TwoFactorSupport",
    "Verdict",
    "canonical_form",
    "check",
    "product_support",
    "solve",
    "tractability",
]

__version__ = "0.1.0"
