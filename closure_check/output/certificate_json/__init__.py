"""Certificates as versioned JSON (``docs/certificates.md``): what ``verify`` re-checks.

:mod:`~closure_check.output.certificate_json.two_factor` writes ``"kind": "two-factor"``
certificates (and holds the shared writers of rationals, Laurent polynomials, limits and
Nullstellensatz identities); :mod:`~closure_check.output.certificate_json.chain` writes
``"kind": "chain"``.  :func:`result_json` picks the writer from the result's pattern.

>>> from closure_check import check
>>> from closure_check.families import lu
>>> result_json(check(lu(2)))["verdict"]
'not-closed'
"""

from __future__ import annotations

from typing import Any

from closure_check.core.support import ChainSupport, TwoFactorSupport
from closure_check.result import CheckResult

__all__ = ["result_json"]


def result_json(result: CheckResult, name: str = "") -> dict[str, Any]:
    """The certificate of ``result`` for the pattern it carries, as a JSON-able dict.

    Raises
    ------
    ValueError
        If ``result`` does not carry its pattern.
    """
    if isinstance(result.support, ChainSupport):
        from closure_check.output.certificate_json.chain import chain_certificate_json

        return chain_certificate_json(result.support, result, name=name)
    if isinstance(result.support, TwoFactorSupport):
        from closure_check.output.certificate_json.two_factor import certificate_json

        return certificate_json(result.support, result, name=name)
    raise ValueError("this result does not carry its support")
