"""The single dispatch point: :func:`check` decides any pattern, two factors or a chain.

Two-factor supports ``(I, J)`` go to :func:`closure_check.two_factor.check.check_two_factor`
(``docs/theory.md`` §2–§5); a chain of two factors is first read as ``(I_1, I_2ᵀ)`` there
too; chains of any other length go to :func:`closure_check.chains.check.check_chain`
(§6).  Both return :class:`~closure_check.result.CheckResult`.  No lower module imports
this one.

>>> from closure_check.core.support import ChainSupport
>>> from closure_check.families import lu
>>> check(lu(2)).verdict.value
'not-closed'
>>> upper_lower_upper = ChainSupport.from_dense([[[1, 1], [0, 1]], [[1, 0], [1, 1]], [[1, 1], [0, 1]]])
>>> check(upper_lower_upper, budget=5).verdict.value
'closed'
"""

from __future__ import annotations

from closure_check.core.budget import DEFAULT_EFFORT, Effort
from closure_check.core.case import Support
from closure_check.core.support import ChainSupport
from closure_check.result import CheckResult
from closure_check.two_factor.check import check_two_factor

__all__ = ["check"]


def check(support: Support, budget: float = DEFAULT_EFFORT, time_limit: float | None = None) -> CheckResult:
    """Decide closedness of the set of products of ``support``, with its proof.

    Parameters
    ----------
    support
        A :class:`~closure_check.core.support.TwoFactorSupport` (``X Yᵀ`` convention) or
        a :class:`~closure_check.core.support.ChainSupport` (``W_1 ⋯ W_N``); a chain of
        two factors is decided as the two-factor problem ``(I_1, I_2ᵀ)``.
    budget
        Effort of the algebraic stages on what the proved rules leave open, in nominal
        seconds of counted work (z3's resource counter, loop steps; about a second of the
        project's 2-core machine each), for the whole check, shared by its parts and
        stages; 0 runs the rules only.  The same support and the same effort give the
        same verdict on any machine and under any load.  The default is the command
        line's (``--budget``, :data:`~closure_check.core.budget.DEFAULT_EFFORT`).
    time_limit
        Wall-clock seconds after which every engine child is stopped (a safety net):
        the result then says ``limit="time"``.  None: only the per-child nets apply.

    Returns
    -------
    CheckResult
        Never a verdict without its lemma; UNKNOWN says what is left.
    """
    effort = Effort.with_time_limit(budget, time_limit)
    if isinstance(support, ChainSupport):
        if support.length != 2:
            from closure_check.chains.check import (
                check_chain,  # chains load only for chains
            )

            return check_chain(support, budget=effort)
        support = support.to_two_factor()
    return check_two_factor(support, budget=effort)
