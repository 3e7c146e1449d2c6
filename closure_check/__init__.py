"""closure-check: is a set of sparse matrix products closed?  Decided with proofs.

The library follows the data flow ``support`` → ``graph`` → (reductions, rules,
algebra, certificates, verification); ``io`` reads and writes support files and
``families`` builds the standard patterns.  See ``docs/theory.md`` for the
mathematics and ``docs/formats.md`` for the file formats.

>>> from closure_check import TwoFactorSupport, RankOneStructure
>>> lu = TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]])
>>> RankOneStructure.build(lu).n_classes
2
"""

from closure_check.canonical import CanonicalForm, canonical_form
from closure_check.case import Case, Verdict
from closure_check.graph import RankOneStructure, StructureTooLarge
from closure_check.support import ChainSupport, SupportError, TwoFactorSupport, product_support

__all__ = [
    "CanonicalForm",
    "Case",
    "ChainSupport",
    "RankOneStructure",
    "StructureTooLarge",
    "SupportError",
    "TwoFactorSupport",
    "Verdict",
    "canonical_form",
    "product_support",
]

__version__ = "0.1.0"
