"""The frontier censuses made fast: orbit enumeration, rules in the worker, the benchmark command.

Cross-checks: the orbit enumeration against the definition (nauty's canonical form of every
multiset of rectangles, the first of each form kept), on small shapes in full and, through a
digest of the list the definition produced, on the frontier sets; the two-stage census against
``check`` in a budgeted child (the census of before), verdict, reasons and certificate.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.batch_cmd import census as census_command
from closure_check.batch import run_supervised
from closure_check.census import (
    _census_one,
    _form_rows,
    _support,
    _timed_decide,
    run_census,
    sample_classes,
)
from closure_check.core.canonical import canonical_form
from closure_check.core.enumerate import (
    _positions,
    _tuples,
    enumerate_forms,
    rectangles_to_support,
)

ROOT = Path(__file__).resolve().parent.parent


def _by_definition(m: int, n: int, max_units: int, min_units: int = 1) -> list:
    """The canonical form of every multiset of rectangles covering all rows and columns, the first of each kept."""
    subsets = lambda size: [s for k in range(1, size + 1) for s in itertools.combinations(range(size), k)]
    rectangles = [(r, c) for r in subsets(m) for c in subsets(n)]
    seen, forms = set(), []
    for count in range(min_units, max_units + 1):
        for chosen in itertools.combinations_with_replacement(rectangles, count):
            if len({i for r, _ in chosen for i in r}) != m or len({j for _, c in chosen for j in c}) != n:
                continue
            form = canonical_form(rectangles_to_support(m, n, list(chosen)), transpose=(m == n))
            if form not in seen:
                seen.add(form)
                forms.append(form)
    return forms


@pytest.mark.parametrize("m, n, max_units, min_units", [(1, 3, 3, 1), (2, 2, 3, 1), (2, 3, 3, 1), (3, 3, 2, 1),
                                                        (2, 2, 4, 4), (3, 2, 3, 2)])
def test_orbit_enumeration_is_the_definition(m, n, max_units, min_units):
    assert list(enumerate_forms(m, n, max_units, min_units)) == _by_definition(m, n, max_units, min_units)


def _digest(forms) -> str:
    """SHA-256 of the representatives, one line ``I J`` (rows as 0/1 strings joined by '/') each."""
    lines = ["/".join(I) + " " + "/".join(J) + "\n" for I, J in map(_form_rows, forms)]
    return hashlib.sha256("".join(lines).encode()).hexdigest()


# Digests of the lists the definition (the enumeration of before, canonical form of every multiset)
# produced, computed once with that code: 2×4 ≤ 3 units in 5 s, 3×4 in 80 s, 3×3 with 4 units in 266 s
# and 4×4 ≤ 3 units in 15 min, too long for a test.  Same classes, same representatives, same order.
FRONTIER_DIGESTS = {
    (2, 4, 3, 1): (460, "d9628403720f096abeebe80469f81bb8cbfb657f78ae76e3a0cac2dee69fcd5d"),
    (3, 4, 3, 1): (1824, "94c99dbe84806fd66bd8f74ec2430eb18fcc2c835192e14153c53772d05ed8da"),
    (3, 3, 4, 4): (4159, "61f13ff14a3bb17e10f03aba55c6e97a8ec58e82c3182a09bb70af0517b508cd"),
    (4, 4, 3, 1): (2631, "ad941c18c0bf8fc979c5b2f953566161a3ec63c90c87bc8a9908bef672abe4a1"),
}


@pytest.mark.parametrize("shape", list(FRONTIER_DIGESTS))
def test_frontier_sets_have_the_classes_of_the_definition(shape):
    count, digest = FRONTIER_DIGESTS[shape]
    forms = list(enumerate_forms(*shape))
    assert len(forms) == count
    assert _digest(forms) == digest


def test_positions_are_the_places_in_lexicographic_order():
    for count, size in [(1, 4), (2, 5), (3, 7), (4, 3)]:
        tuples = _tuples(count, size)
        assert [tuple(t) for t in tuples] == list(itertools.combinations_with_replacement(range(size), count))
        assert _positions(tuples, size).tolist() == list(range(len(tuples)))


# Patterns of 2×4: closed by rules, not closed by a rule (local-LU), and one whose part the rules
# leave open and the engine refutes by a Laurent curve at the default effort.
RULES_CLOSED = (("11", "11"), ("11", "10", "01"))
RULES_NOT_CLOSED = (("110", "011"), ("100", "110", "011", "001"))
OPEN_PART = (("111", "011"), ("100", "111", "010", "001"))


def _comparable(value: dict) -> dict:
    """A census value without its times."""
    return {k: v for k, v in value.items() if k not in ("seconds", "rules_seconds", "engine", "status")}


@pytest.mark.parametrize("pattern, budget", [(RULES_CLOSED, 10.0), (RULES_NOT_CLOSED, 10.0), (OPEN_PART, 0.0),
                                             (OPEN_PART, 10.0)])
def test_two_stage_census_answers_as_check_in_a_child(pattern, budget):
    I, J = pattern
    wanted = ("closed", "not-closed")
    before = run_supervised(_timed_decide, _support(I, J), budget, wanted, seconds=120, memory_mb=2048)
    assert before.ok
    now = _census_one(I, J, budget, 120.0, 2048, wanted)
    assert now["status"] == "ok"
    assert _comparable(now) == _comparable(before.value)
    assert now["engine"] is (pattern is OPEN_PART and budget > 0)


def test_open_part_is_refuted_by_the_engine_in_the_child():
    value = _census_one(*OPEN_PART, 10.0, 120.0, 2048)
    assert value["verdict"] == "not-closed" and value["engine"]
    assert "Nullstellensatz" in value["reasons"][-1]
    assert value["seconds"] >= value["rules_seconds"] > 0


def test_sample_is_seeded_and_in_enumeration_order():
    forms = list(enumerate_forms(2, 3, 3))
    first, again = sample_classes(forms, 20, 7), sample_classes(forms, 20, 7)
    assert first == again and len(first) == 20 and len(set(first)) == 20
    assert [forms.index(f) for f in first] == sorted(forms.index(f) for f in first)
    assert sample_classes(forms, 20, 8) != first
    result = run_census(2, 3, 3, budget=0, jobs=1, sample=20, seed=7)
    assert result.classes == 176 and result.sample == 20 and len(result.entries) == 20
    assert "--sample 20 --seed 7" in result.command


def test_census_command_takes_a_sample():
    outcome = CliRunner().invoke(census_command, ["--rows", "2", "--cols", "3", "--units", "3", "--budget", "0",
                                                  "-j", "1", "--sample", "5", "--seed", "3"])
    assert outcome.exit_code == 0, outcome.output
    assert "5 patterns, a sample drawn with seed 3 from the 176 classes" in outcome.output


def _frontier_script():
    spec = importlib.util.spec_from_file_location("run_frontier", ROOT / "benchmarks" / "run_frontier.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_frontier_benchmark_runs_on_a_tiny_sample(tmp_path):
    script = _frontier_script()
    code = script.main(["--sets", "2x4,3x3e4", "--sample", "6", "--seed", "1", "--budget", "0", "--jobs", "1",
                        "--baseline-sample", "2", "--baseline-seconds", "5", "--results", str(tmp_path)])
    assert code == 0
    text = (tmp_path / "frontier_sample6_seed1_budget0.md").read_text()
    assert "| 2×4, ≤ 3 units | 460 | 6 of 460 (sample) |" in text
    assert "| 3×3, exactly 4 units | 4159 | 6 of 4159 (sample) |" in text
    assert "ratio of medians" in text and "### 3×3, exactly 4 units" in text
    records = [json.loads(line) for line in (tmp_path / "frontier_2x4_sample6_seed1_budget0.jsonl").read_text().splitlines()]
    assert records[0]["classes"] == 460 and records[0]["sample"] == 6
    assert len(records) == 7 and all(r["status"] == "ok" for r in records[1:])
    sentence = [json.loads(line) for line in (tmp_path / "frontier_baseline_2x4_sample6_seed1_budget0.jsonl").read_text().splitlines()]
    assert len(sentence) == 2 and all(r["verdict"] in ("closed", "not-closed", "unknown") for r in sentence)
    assert script.main(["--sets", "5x5"]) == 2
    again = tmp_path / "again.md"
    assert script.main(["--sets", "2x4,3x3e4", "--sample", "6", "--seed", "1", "--budget", "0", "--stored",
                        "--results", str(tmp_path), "-o", str(again)]) == 0
    assert "| 2×4, ≤ 3 units | 460 | 6 of 460 (sample) |" in again.read_text()
    joined = tmp_path / "joined.md"
    assert script.main(["--sets", "2x4", "--sample", "6", "--seed", "1", "--budget", "0", "--stored", "--baseline-stored",
                        "--results", str(tmp_path), "-o", str(joined)]) == 0
    row = next(line for line in joined.read_text().splitlines() if line.startswith("| 2×4, ≤ 3 units | 2 |"))
    stored = " / ".join(str(sum(r["verdict"] == v for r in sentence)) for v in ("closed", "not-closed"))
    assert stored in row.split("|")[4]  # the sentence's answers come from the stored run, not a new one
