"""Names of a package that load their module on first use (PEP 562).

``import closure_check`` and ``import closure_check.algebra`` stay light this way:
numpy, scipy, flint and z3 are imported by the modules that need them, when a name
from those modules is first asked for.

>>> getattr_, dir_ = lazy_names("closure_check", {"Verdict": "closure_check.core.case"})
>>> getattr_("Verdict").CLOSED.value
'closed'
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose name ``n`` lives in module ``exports[n]``.

    The value is cached in the package's namespace on first use, so later lookups are
    ordinary attribute reads.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
