"""The case library ``cases/``: every file is well formed and every two-factor verdict is right.

Each ``.sup`` file under ``cases/`` carries ``name:``, ``expect:`` (``closed`` or
``not-closed``) and ``source:``, the published statement or lemma behind the expectation
(``cases/README.md``).  Two-factor cases must get exactly their expected verdict from
``check(support, budget=5)``.  Cases whose ``source:`` says they need the engine (they cite
a certificate ``cases/certs/NAME.json``) are tested separately: the rules alone must leave
them UNKNOWN, the algebraic stage must decide them.  Every other case must already be
decided by the rules, so the whole module runs in a few seconds.  Chains of more than two
factors go through :func:`closure_check.chains.check.check_chain` and must get their
expected verdict too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from closure_check.core.case import Verdict
from closure_check.core.support import ChainSupport, TwoFactorSupport
from closure_check.decide import check
from closure_check.io import read_case

CASES = Path(__file__).resolve().parent.parent / "cases"
FILES = sorted(CASES.rglob("*.sup"))
CHAINS = CASES / "chains"
MAX_BYTES = 200 * 1024
ENGINE_MARK = "certificate cases/certs/"
BUDGET = 5.0


def _id(path: Path) -> str:
    return str(path.relative_to(CASES))


def _is_chain_file(path: Path) -> bool:
    return CHAINS in path.parents


def _needs_engine(path: Path) -> bool:
    return ENGINE_MARK in read_case(path).source


TWO_FACTOR = [p for p in FILES if not _is_chain_file(p)]
RULE_CASES = [p for p in TWO_FACTOR if not _needs_engine(p)]
ENGINE_CASES = [p for p in TWO_FACTOR if _needs_engine(p)]
CHAIN_FILES = [p for p in FILES if _is_chain_file(p)]


def test_library_size() -> None:
    assert len(FILES) >= 40
    assert len(CHAIN_FILES) >= 1 and len(ENGINE_CASES) >= 1


def test_names_are_unique() -> None:
    names = [read_case(path).name for path in FILES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_metadata(path: Path) -> None:
    assert path.stat().st_size <= MAX_BYTES
    header = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line in ("I:", "W1:"):
            break
        if line:
            key, _, value = line.partition(":")
            header[key.strip()] = value.strip()
    assert set(header) == {"name", "expect", "source"}, header
    case = read_case(path)
    assert case.name == header["name"] and case.source == header["source"]
    assert case.expect in (Verdict.CLOSED, Verdict.NOT_CLOSED)
    assert len(case.source) >= 20


@pytest.mark.parametrize("path", RULE_CASES, ids=_id)
def test_two_factor_case_decided_by_rules(path: Path) -> None:
    case = read_case(path)
    assert isinstance(case.support, TwoFactorSupport)
    result = check(case.support, budget=BUDGET)
    assert result.verdict == case.expect, result.undecided
    if case.expect == Verdict.NOT_CLOSED:
        assert result.certificate is not None and result.certificate.defects(case.support) == []
    # Not engine-dependent: the rules alone give the same verdict.
    assert check(case.support, budget=0).verdict == case.expect


@pytest.mark.parametrize("path", ENGINE_CASES, ids=_id)
def test_two_factor_case_decided_by_engine(path: Path) -> None:
    case = read_case(path)
    assert isinstance(case.support, TwoFactorSupport)
    assert check(case.support, budget=0).verdict is Verdict.UNKNOWN, "a rule decides it: update its source"
    result = check(case.support, budget=BUDGET)
    assert result.verdict == case.expect, result.undecided
    if case.expect == Verdict.NOT_CLOSED:
        assert result.certificate is not None and result.certificate.defects(case.support) == []
    else:
        assert result.records or any("full-space lemma" in reason for reason in result.reasons)


def _certificate_path(case_source: str) -> Path:
    name = case_source.split(ENGINE_MARK, 1)[1].split()[0].rstrip(";,.")
    return CASES / "certs" / name


@pytest.mark.parametrize("path", ENGINE_CASES, ids=_id)
def test_engine_case_certificate_verifies(path: Path) -> None:
    """The certificate the source names is on disk, is about this pattern, and verifies."""
    from closure_check.output.certificate_json.two_factor import (
        certificate_json,
        load_certificate,
    )
    from closure_check.verifier import verify_certificate

    case = read_case(path)
    stored = load_certificate(_certificate_path(case.source))
    assert stored["verdict"] == case.expect.value and stored["name"] == case.name
    fresh = certificate_json(case.support, check(case.support, budget=0), name=case.name)
    assert stored["pattern"] == fresh["pattern"]
    report = verify_certificate(stored)
    assert report.ok, report.problems


def test_every_stored_certificate_belongs_to_a_case() -> None:
    named = {_certificate_path(read_case(path).source).name for path in ENGINE_CASES}
    assert {p.name for p in (CASES / "certs").glob("*.json")} == named


@pytest.mark.parametrize("path", CHAIN_FILES, ids=_id)
def test_chain_case(path: Path) -> None:
    case = read_case(path)
    assert isinstance(case.support, ChainSupport)
    result = check(case.support, budget=BUDGET)
    assert result.verdict == case.expect, result.undecided
    if case.expect == Verdict.NOT_CLOSED and case.support.length > 2:
        assert result.certificate is not None and result.certificate.defects(case.support) == []
