"""Shared test configuration: the ``--exhaustive`` switch for long checks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--exhaustive",
        action="store_true",
        help="run the exhaustive checks in full (CI runs a bounded sample)",
    )


@pytest.fixture
def exhaustive(request: pytest.FixtureRequest) -> bool:
    """True when the full exhaustive checks were asked for."""
    return bool(request.config.getoption("--exhaustive"))
