"""A *case*: a support together with what a file says about it.

Files in ``cases/`` carry, besides the pattern, a name, the expected verdict and the
source that justifies it (``docs/formats.md``).  The pattern itself is a
:class:`~closure_check.core.support.TwoFactorSupport` or a
:class:`~closure_check.core.support.ChainSupport`; the metadata never enters a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Union

from closure_check.core.support import ChainSupport, TwoFactorSupport

__all__ = ["Verdict", "Case", "Support"]

Support = Union[TwoFactorSupport, ChainSupport]


class Verdict(str, Enum):
    """Answer to "is the set of products closed?"."""

    CLOSED = "closed"
    NOT_CLOSED = "not-closed"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Case:
    """A support with its optional name, expected verdict and source.

    Parameters
    ----------
    support
        The pattern, in the two-factor or the chain convention.
    name
        Short identifier (file stem when the file gives none).
    expect
        The verdict the file expects, or ``None`` when it states none.
    source
        Free text: where the expectation comes from.
    """

    support: Support
    name: str = ""
    expect: Verdict | None = None
    source: str = ""
