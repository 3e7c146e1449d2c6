"""Sparse ReLU networks: the specification format, the answers, and the counterexamples.

The counterexample tests assert the mathematics of ``docs/theory.md §7``: on the
LU-type network the loss is exactly ``t² Σ_i x_{i,1}²`` (the product ``L(t)U(t)`` differs
from the anti-identity only by ``t E_00``), it decreases strictly to 0 while ``‖θ‖²``
grows; the exact checker accepts the data and rejects every tampered version; and the
pattern-count lemma holds on random networks.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.relu_cmd import relu
from closure_check.certificates.chain import ChainCurve, ChainNotClosedCertificate
from closure_check.chains.reduce import ChainReductionError
from closure_check.core.case import Verdict
from closure_check.core.laurent import Laurent
from closure_check.core.support import SupportError
from closure_check.networks.relu import (
    ACTIVE_BIASES,
    AFFINE,
    CERTIFICATE_CURVE,
    LIFTED_CURVE,
    LINEAR,
    SIGN_NORMALISED,
    build_counterexample,
    check_counterexample,
    counterexample_json,
    data_size,
    forward,
    pattern_bound,
    point_loss,
    point_norm2,
    relu_optimum,
    weights_at,
)
from closure_check.networks.spec import (
    ReluSpec,
    ReluSpecError,
    ReluVerdict,
    parse_relu_text,
    read_relu_spec,
)
from closure_check.result import CheckResult

CASES = Path(__file__).resolve().parent.parent / "cases" / "relu"
UPPER, LOWER, DIAGONAL = [[1, 1], [0, 1]], [[1, 0], [1, 1]], [[1, 0], [0, 1]]
ONE, T, INV = Laurent.constant(1), Laurent.monomial(1), Laurent.monomial(-1)
ANTI_IDENTITY = {(0, 1): Fraction(1), (1, 0): Fraction(1)}
# Chain order (W_2, W_1) = (L(t), U(t)): L(t)U(t) = [[t, 1], [1, 0]].
LU_CURVE = ChainCurve(
    factors=({(0, 0): T, (1, 0): ONE, (1, 1): ONE}, {(0, 0): ONE, (0, 1): INV, (1, 1): -INV}),
    limit=ANTI_IDENTITY,
)


def lu_spec(biases: tuple[bool, ...] = (True, True)) -> ReluSpec:
    """x ↦ W_2 σ(W_1 x + b_1) + b_2 with W_1 upper and W_2 lower triangular."""
    return ReluSpec(layers=(UPPER, LOWER), biases=biases)


# ----------------------------------------------------------------------------- the format


def test_parse_layers_biases_metadata_and_reversed_chain(tmp_path):
    path = tmp_path / "net.relu"
    path.write_text(
        "# a comment\nname: net\nexpect: open\nsource: by hand\nbias: off\n"
        "layer 1:\n1 1 0\n0 1 1\nlayer 2: bias on\n11\n10\n01\nlayer 3:\n111\n"
    )
    spec = read_relu_spec(path)
    assert (spec.name, spec.expect, spec.source) == ("net", ReluVerdict.OPEN, "by hand")
    assert spec.widths == (3, 2, 3, 1) and spec.hidden == 5 and spec.depth == 3
    assert spec.biases == (False, True, False)
    chain = spec.chain()
    assert chain.dims == (1, 3, 2, 3)
    assert [f.toarray().tolist() for f in chain.factors] == [[[1, 1, 1]], [[1, 1], [1, 0], [0, 1]], [[1, 1, 0], [0, 1, 1]]]


def test_name_defaults_to_stem_and_biases_default_on():
    spec = parse_relu_text(b"layer 1:\n1\nlayer 2:\n1\n", Path("tiny.relu"))
    assert spec.name == "tiny" and spec.biases == (True, True) and spec.expect is None


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "no layer"),
        ("layer 1:\n11\n", 2, "only one layer"),
        ("layer 1:\n12\nlayer 2:\n1\n", 2, "bad character '2'"),
        ("layer 1:\n10 1\nlayer 2:\n1\n", 2, "mixed row spellings"),
        ("layer 1:\n10\n1\nlayer 2:\n11\n", 3, "has 1 entries but its first row has 2"),
        ("layer 1:\n10\nlayer 2:\n111\n", 3, "layer 2 has 3 columns but layer 1 has 1 rows"),
        ("layer 1:\n10\nlayer 3:\n1\n", 3, "out of order: expected 'layer 2:'"),
        ("layer 1:\nlayer 2:\n1\n", 1, "layer 1: has no rows"),
        ("layer 1: bias maybe\n1\nlayer 2:\n1\n", 1, "only 'bias on' or 'bias off'"),
        ("name: a\nname: b\nlayer 1:\n1\nlayer 2:\n1\n", 2, "duplicate key 'name' (first on line 1)"),
        ("expect: closed\nlayer 1:\n1\nlayer 2:\n1\n", 1, "bad expect value 'closed'"),
        ("bias: yes\nlayer 1:\n1\nlayer 2:\n1\n", 1, "bad bias value 'yes'"),
        ("width: 3\nlayer 1:\n1\nlayer 2:\n1\n", 1, "unknown key 'width'"),
        ("layer 1:\n1\nname: late\nlayer 2:\n1\n", 3, "must come before the first layer"),
        ("source:\nlayer 1:\n1\nlayer 2:\n1\n", 1, "has no value"),
        ("1 0\nlayer 1:\n1\n", 1, "before 'layer 1:'"),
    ],
)
def test_parse_errors_name_file_and_line(text, line, fragment):
    with pytest.raises(ReluSpecError) as caught:
        parse_relu_text(text.encode(), Path("dir/net.relu"))
    message = str(caught.value)
    assert message.startswith(f"dir/net.relu:{line}: ") and fragment in message, message
    assert "\n" not in message and caught.value.line == line


def test_unreadable_files_raise_the_same_error(tmp_path):
    with pytest.raises(ReluSpecError, match=r"missing\.relu: no such file"):
        read_relu_spec(tmp_path / "missing.relu")
    bad = tmp_path / "bad.relu"
    bad.write_bytes(b"layer 1:\n\xff\n")
    with pytest.raises(ReluSpecError, match=r"bad\.relu:2: invalid UTF-8"):
        read_relu_spec(bad)


def test_programmatic_spec_is_validated():
    with pytest.raises(SupportError, match="at least two layers"):
        ReluSpec(layers=(UPPER,), biases=(True,))
    with pytest.raises(SupportError, match="layer 2 has 3 columns but layer 1 has 2 rows"):
        ReluSpec(layers=(UPPER, [[1, 1, 1]]), biases=(True, True))
    with pytest.raises(SupportError, match="3 bias flags for 2 layers"):
        ReluSpec(layers=(UPPER, LOWER), biases=(True, True, True))


# ----------------------------------------------------------------------------- pattern counts


def test_pattern_bound_and_data_size():
    assert pattern_bound(lu_spec()) == 4 and data_size(lu_spec()) == 9  # 2 lines in the plane: 4 regions
    assert data_size(lu_spec((False, False))) == 5  # Q·(d−1) + 1 without biases
    three = ReluSpec(layers=(UPPER, LOWER, DIAGONAL), biases=(True,) * 3)
    assert pattern_bound(three) == 16 and data_size(three) == 33
    wide = ReluSpec(layers=([[1]] * 5, [[1] * 5]), biases=(True, True))
    assert pattern_bound(wide) == 6 < 2**5  # 5 points cut a line into 6 intervals
    funnel = ReluSpec(layers=([[1, 1, 1]], [[1]] * 4, [[1] * 4]), biases=(True,) * 3)
    assert pattern_bound(funnel) == 2 * 5 < 2**funnel.hidden  # after one neuron the rank is 1: R(1,3)·R(4,1)


def _random_patterns(spec: ReluSpec, rng: random.Random, inputs: int) -> set[tuple[bool, ...]]:
    widths = spec.widths
    weights = tuple(
        tuple(tuple(Fraction(rng.randint(-3, 3)) if layer[i][j] else Fraction(0) for j in range(widths[k]))
              for i in range(widths[k + 1]))
        for k, layer in enumerate(f.toarray() for f in spec.layers)
    )
    biases = tuple(tuple(Fraction(rng.randint(-3, 3)) for _ in range(w)) for w in widths[1:])
    patterns = set()
    for _ in range(inputs):
        x = tuple(Fraction(rng.randint(-6, 6), rng.randint(1, 3)) for _ in range(widths[0]))
        patterns.add(tuple(v > 0 for z in forward(weights, biases, x)[1] for v in z))
    return patterns


@pytest.mark.parametrize("layers", [(UPPER, LOWER), (UPPER, LOWER, DIAGONAL), ([[1, 1, 1]], [[1]] * 4, [[1] * 4])])
def test_pattern_count_lemma_on_random_networks(layers):
    """At most Q activation patterns on any finite input set, whatever the parameters."""
    spec = ReluSpec(layers=layers, biases=(True,) * len(layers))
    rng = random.Random(7)
    for _ in range(60):
        assert len(_random_patterns(spec, rng, 150)) <= pattern_bound(spec)


# ----------------------------------------------------------------------------- counterexamples


def test_lu_counterexample_with_biases_is_exact():
    spec = lu_spec()
    example = build_counterexample(spec, LU_CURVE)
    assert check_counterexample(spec, example) == []
    assert example.construction == ACTIVE_BIASES and example.data.kind == AFFINE and len(example.inputs) == 9
    assert all(y == (x[1], x[0]) for x, y in zip(example.inputs, example.targets))
    square_sum = sum(x[0] ** 2 for x in example.inputs)
    losses = [point_loss(example, p) for p in example.points]
    assert losses == [p.t**2 * square_sum for p in example.points]  # loss(t) = t² Σ x_{i,1}² → 0
    assert all(a > b > 0 for a, b in pairwise(losses))
    norms = [point_norm2(p) for p in example.points]
    assert all(a < b for a, b in pairwise(norms)) and norms[-1] > 2 / example.points[-1].t ** 2
    for point in example.points:
        for x in example.inputs:
            output, hidden = forward(point.weights, point.biases, x)
            assert all(v >= 1 for z in hidden for v in z)  # every ReLU active, with margin 1
            assert output == (point.t * x[0] + x[1], x[0])  # exactly L(t)U(t) x: the offset is cancelled


def test_lu_counterexample_without_biases_flips_signs_and_uses_a_cone():
    spec = lu_spec((False, False))
    example = build_counterexample(spec, LU_CURVE)
    assert check_counterexample(spec, example) == []
    assert example.construction == SIGN_NORMALISED and example.data.kind == LINEAR
    assert len(example.inputs) == 5 and example.horizon == 1
    assert all(x[1] > 0 for x in example.inputs)  # the cone where both rows of U(t) x are positive
    assert example.curve.factors[1][(1, 1)] == INV  # the second hidden neuron was flipped
    assert all(v == 0 for p in example.points for b in p.biases for v in b)
    losses = [point_loss(example, p) for p in example.points]
    assert losses == [p.t**2 * sum(x[0] ** 2 for x in example.inputs) for p in example.points]


@pytest.mark.parametrize("biases", [(True, False), (False, True)])
def test_partial_biases_use_zero_biases_and_affine_general_position(biases):
    spec = lu_spec(biases)
    example = build_counterexample(spec, LU_CURVE)
    assert check_counterexample(spec, example) == []
    assert example.construction == SIGN_NORMALISED and example.data.kind == AFFINE and len(example.inputs) == 9


def test_three_layer_counterexample_from_a_lifted_curve():
    spec = ReluSpec(layers=(UPPER, LOWER, DIAGONAL), biases=(True,) * 3)
    curve = ChainCurve(factors=({(0, 0): ONE, (1, 1): ONE},) + LU_CURVE.factors, limit=ANTI_IDENTITY)
    example = build_counterexample(spec, curve, steps=4)
    assert check_counterexample(spec, example) == [] and len(example.inputs) == 33


def test_checker_rejects_tampered_counterexamples():
    spec = lu_spec()
    example = build_counterexample(spec, LU_CURVE, steps=3)
    targets = (tuple(v + 1 for v in example.targets[0]),) + example.targets[1:]
    assert "the targets are not A x_i" in check_counterexample(spec, replace(example, targets=targets))
    short = replace(example, inputs=example.inputs[:-1], targets=example.targets[:-1])
    assert any("the theorem needs 9" in p for p in check_counterexample(spec, short))
    flat = replace(example.data, directions=((Fraction(1), Fraction(0)), (Fraction(2), Fraction(0))))
    collinear = replace(example, data=flat, inputs=flat.points(), targets=tuple((x[1], x[0]) for x in flat.points()))
    problems = check_counterexample(spec, collinear)
    assert "the moment-curve frame is singular" in problems and any("not affinely independent" in p for p in problems)
    point = example.points[0]
    weights = ((point.weights[0][0], (Fraction(5), point.weights[0][1][1])),) + point.weights[1:]
    moved = replace(example, points=(replace(point, weights=weights),) + example.points[1:])
    assert any("not the curve's values" in p for p in check_counterexample(spec, moved))
    reversed_points = replace(example, points=example.points[::-1])
    assert "the times t_k are not positive and strictly decreasing" in check_counterexample(spec, reversed_points)
    no_bias = lu_spec((False, True))
    assert "active biases need a bias in every layer" in check_counterexample(no_bias, example)


def test_checker_rejects_a_bounded_curve_and_inactive_relus():
    spec = lu_spec()
    bounded = ChainCurve(factors=({(0, 0): ONE, (1, 1): ONE}, {(0, 0): ONE, (1, 1): ONE}), limit={(0, 0): 1, (1, 1): 1})
    example = build_counterexample(spec, LU_CURVE, steps=2)
    problems = check_counterexample(spec, replace(example, curve=bounded))
    assert problems == ["no weight has a negative power of t: ‖θ(t)‖ does not tend to infinity"]
    point = example.points[0]
    dead = replace(point, biases=((Fraction(-10**6), Fraction(1)),) + point.biases[1:])
    problems = check_counterexample(spec, replace(example, points=(dead,) + example.points[1:]))
    assert any("a ReLU is inactive" in p for p in problems)


def test_counterexample_json_round_trips_the_numbers():
    spec = lu_spec()
    example = build_counterexample(spec, LU_CURVE, steps=3)
    data = json.loads(json.dumps(counterexample_json(spec, example)))
    assert data["format"] == "closure-check-relu-counterexample" and data["pattern_bound"] == 4
    assert [step["loss"] for step in data["sequence"]] == ["204", "51", "51/4"]
    assert data["inputs"][2] == ["2", "4"] and data["targets"][2] == ["4", "2"]
    assert data["curve"][1] == [
        {"entry": [0, 0], "laurent": {"0": "1"}},
        {"entry": [0, 1], "laurent": {"-1": "1"}},
        {"entry": [1, 1], "laurent": {"-1": "-1"}},
    ]


# ----------------------------------------------------------------------------- answers


def test_two_layers_scalar_output_with_biases_is_yes_without_a_chain_check():
    spec = ReluSpec(layers=([[1, 1, 0], [0, 1, 1]], [[1, 1]]), biases=(True, True))
    answer = relu_optimum(spec)
    assert answer.verdict is ReluVerdict.YES and answer.chain_result is None
    assert "Theorem IV" in answer.reasons[0] and "arXiv:2306.02666" in answer.reasons[0]


def test_lu_network_is_no_with_a_checked_counterexample():
    spec = lu_spec()
    answer = relu_optimum(spec)
    assert answer.verdict is ReluVerdict.NO
    example = answer.counterexample
    assert example is not None and check_counterexample(spec, example) == []
    assert example.limit == ANTI_IDENTITY and len(example.inputs) == 9
    assert any("pattern-count lemma" in r for r in answer.reasons)
    assert any("activation-pattern lemma" in r for r in answer.reasons)


def test_large_data_sets_are_not_written_out():
    answer = relu_optimum(lu_spec(), max_points=5)
    assert answer.verdict is ReluVerdict.NO and answer.counterexample is None
    assert "was not written out" in answer.reasons[-1]


@pytest.mark.parametrize("certificate", [None, "wrong limit"])
def test_a_bad_chain_certificate_gives_unknown_never_no(monkeypatch, certificate):
    """Soundness gate: NO only with a counterexample that passes its exact check."""
    if certificate is not None:
        wrong = ChainCurve(factors=LU_CURVE.factors, limit={(0, 0): Fraction(1)})
        certificate = ChainNotClosedCertificate(curve=wrong, lemma="test", argument="a wrong limit")
    fake = CheckResult(Verdict.NOT_CLOSED, ("claimed",), certificate=certificate)
    monkeypatch.setattr("closure_check.networks.relu.check_chain", lambda chain, budget: fake)
    answer = relu_optimum(lu_spec())
    assert answer.verdict is ReluVerdict.UNKNOWN and answer.counterexample is None


def test_closed_chain_without_theorem_is_open():
    spec = ReluSpec(layers=([[1, 1, 0], [0, 1, 1]], [[1, 1]]), biases=(False, False))
    answer = relu_optimum(spec)
    assert answer.verdict is ReluVerdict.OPEN
    assert "Theorems V and VI" in answer.reasons[1] and "Lim, Michałek, Qi" in answer.reasons[2]


CASE_FILES = sorted(CASES.glob("*.relu"))


def test_case_library_covers_every_kind_of_answer():
    kinds = {read_relu_spec(path).expect for path in CASE_FILES}
    assert {ReluVerdict.YES, ReluVerdict.NO, ReluVerdict.OPEN} <= kinds
    assert any(read_relu_spec(path).depth == 3 for path in CASE_FILES)


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_case_answers_match_expect(path):
    spec = read_relu_spec(path)
    assert spec.expect is not None and len(spec.source) >= 20
    answer = relu_optimum(spec)
    assert answer.verdict is spec.expect, answer.reasons
    if answer.verdict is ReluVerdict.NO and answer.counterexample is None:
        assert any("no explicit data set or parameter sequence is given" in r for r in answer.reasons)
    elif answer.verdict is ReluVerdict.NO:
        assert check_counterexample(spec, answer.counterexample) == []


# ----------------------------------------------------------------------------- a curve of the reduced chain (issue 20)

# W1, W2 lower, W3 upper: the pair W2 W1 is full (lower·lower), the chain reduces to {U L}.
FULL_PAIR_LAYERS = (LOWER, LOWER, UPPER)
# W3 W2 is a full pair (chain level 1) that no fixed-factor lift undoes (6 cells, ≤ 5 unknowns).
NO_LIFT_LAYERS = ([[1, 0, 1], [0, 1, 1]], [[1, 1], [1, 1]], [[1, 1], [0, 1], [1, 1]])
FULL_PAIR_FILE = "bias: off\nlayer 1:\n1 0\n1 1\nlayer 2:\n1 0\n1 1\nlayer 3:\n1 1\n0 1\n"


def _reduced_curve_result(spec: ReluSpec):
    """The chain result at budget 0: its curve lives on the reduced chain (2 factors)."""
    from closure_check.chains.check import check_chain

    result = check_chain(spec.chain(), budget=0)
    assert result.verdict is Verdict.NOT_CLOSED and len(result.certificate.curve.factors) == 2
    return result


def test_weights_need_one_factor_per_layer():
    spec = ReluSpec(layers=FULL_PAIR_LAYERS, biases=(False,) * 3)
    reduced_curve = _reduced_curve_result(spec).certificate.curve
    with pytest.raises(ValueError, match="2 factors for 3 layers"):
        weights_at(spec, reduced_curve, Fraction(1, 2))
    with pytest.raises(ValueError, match="not a curve of the network's layers"):
        build_counterexample(spec, reduced_curve)


@pytest.mark.parametrize("biases", [(False,) * 3, (True,) * 3])
def test_a_reduced_chain_curve_is_lifted_to_the_layers(biases):
    spec = ReluSpec(layers=FULL_PAIR_LAYERS, biases=biases)
    _reduced_curve_result(spec)
    answer = relu_optimum(spec, budget=0)
    assert answer.verdict is ReluVerdict.NO
    example = answer.counterexample
    assert example is not None and example.curve_source == LIFTED_CURVE
    assert len(example.curve.factors) == 3 and example.curve.defects(spec.chain()) == []
    assert check_counterexample(spec, example) == []
    assert example.construction == (ACTIVE_BIASES if all(biases) else SIGN_NORMALISED)
    assert len(example.inputs) == (33 if all(biases) else 17) and example.limit == ANTI_IDENTITY
    assert answer.reasons[0].startswith("The linear chain P_{I_L..I_1} is not closed: A = [0 1; 1 0] is not in P")
    assert "Laurent curve of the reduced chain (2 factors" in answer.reasons[0]
    assert answer.reasons[1].startswith("Lift: ") and "one factor per layer (3)" in answer.reasons[1]
    assert "fixed-factor lift" in answer.reasons[1]
    assert "the lifted curve's values" in answer.reasons[3]
    assert not any("no explicit" in r or "curve's values at" in r.replace("lifted curve's", "") for r in answer.reasons)
    data = counterexample_json(spec, example)
    assert data["curve_source"] == LIFTED_CURVE and len(data["curve"]) == 3


def test_a_lifted_no_without_written_data_still_describes_the_lifted_curve():
    """The referee's call: max_points=1 used to describe a 2-factor sequence for 3 layers."""
    spec = ReluSpec(layers=FULL_PAIR_LAYERS, biases=(False,) * 3)
    answer = relu_optimum(spec, budget=0, max_points=1)
    assert answer.verdict is ReluVerdict.NO and answer.counterexample is None
    assert answer.reasons[1].startswith("Lift: ") and "the lifted curve's values" in answer.reasons[3]
    assert answer.reasons[-1] == "The data set (17 inputs) is larger than 1 and was not written out."
    assert "here with an explicit data set" not in answer.reasons[4]


def test_a_certificate_curve_on_the_layers_is_used_as_it_is():
    answer = relu_optimum(lu_spec())
    assert answer.counterexample.curve_source == CERTIFICATE_CURVE
    assert counterexample_json(lu_spec(), answer.counterexample)["curve_source"] == CERTIFICATE_CURVE


def test_past_40_entries_the_curve_stays_on_the_reduced_chain_and_is_lifted():
    """Block-diagonal with a dense 4→4→4→4 block: 57 entries, so even with a budget the
    chain engine is not asked for a curve on the original chain."""
    def block(small, size=4):
        dense = [[0] * 2 + [1] * size for _ in range(size)]
        return [row + [0] * size for row in small] + dense

    spec = ReluSpec(layers=tuple(block(m) for m in FULL_PAIR_LAYERS), biases=(False,) * 3)
    assert spec.chain().nnz > 40
    answer = relu_optimum(spec, budget=1)
    assert len(answer.chain_result.certificate.curve.factors) == 2
    assert answer.verdict is ReluVerdict.NO and answer.counterexample is None
    assert answer.reasons[1].startswith("Lift: ") and "was not written out" in answer.reasons[-1]


@pytest.mark.parametrize("biases", [(False,) * 3, (True,) * 3, (True, False, True)])
def test_a_curve_that_does_not_lift_gives_a_no_without_a_sequence(biases):
    spec = ReluSpec(layers=NO_LIFT_LAYERS, biases=biases)
    _reduced_curve_result(spec)
    answer = relu_optimum(spec, budget=0)
    assert answer.verdict is ReluVerdict.NO and answer.counterexample is None
    assert "Laurent curve of the reduced chain (2 factors" in answer.reasons[0]
    assert "the curve has 2 factors for 3 layers and the fixed-factor lift failed" in answer.reasons[1]
    assert "no explicit data set or parameter sequence is given" in answer.reasons[1]
    assert "Theorem VI" in answer.reasons[2] and "curve-free form" in answer.reasons[2]
    d = 3
    shared, n = (d + 1, 16 * 3 + 1) if any(biases) else (d, 16 * 2 + 1)
    assert f"n = {n} inputs, every {shared} of them" in answer.reasons[3] and data_size(spec) == n
    assert ("any such inputs will do" in answer.reasons[3]) == all(biases)
    assert not any(r.startswith(("Sequence:", "Lift:", "Re-checked")) for r in answer.reasons)


def test_with_a_budget_the_engine_gives_a_curve_on_the_layers():
    spec = ReluSpec(layers=NO_LIFT_LAYERS, biases=(False,) * 3)
    answer = relu_optimum(spec, budget=5)
    assert answer.verdict is ReluVerdict.NO and answer.counterexample.curve_source == CERTIFICATE_CURVE
    assert check_counterexample(spec, answer.counterexample) == []


def test_a_lift_that_fails_its_check_falls_back_to_the_curve_free_no(monkeypatch):
    spec = ReluSpec(layers=FULL_PAIR_LAYERS, biases=(False,) * 3)
    bogus = ChainCurve(factors=({}, {}, {}), limit=ANTI_IDENTITY)
    monkeypatch.setattr("closure_check.networks.relu.lift_curve", lambda reduction, curve, full_pairs: bogus)
    answer = relu_optimum(spec, budget=0)
    assert answer.verdict is ReluVerdict.NO and answer.counterexample is None
    assert "the lifted curve does not verify" in answer.reasons[1]

    def refuse(reduction, curve, full_pairs):
        raise ChainReductionError("refused")

    monkeypatch.setattr("closure_check.networks.relu.lift_curve", refuse)
    answer = relu_optimum(spec, budget=0, max_points=1)
    assert answer.verdict is ReluVerdict.NO and "lift failed (refused)" in answer.reasons[1]


@pytest.mark.parametrize("steps", [(), ({"rule": "full-pair", "level": 1},), ({"rule": "no such rule", "level": 1},)])
def test_a_curve_on_neither_chain_gives_unknown(monkeypatch, steps):
    """A 2-factor curve without the steps that produced it (or with steps that do not replay
    or lead elsewhere) is on neither chain: UNKNOWN, never a NO."""
    spec = ReluSpec(layers=FULL_PAIR_LAYERS, biases=(False,) * 3)
    real = _reduced_curve_result(spec)
    certificate = ChainNotClosedCertificate(
        curve=real.certificate.curve, lemma="chain reduction", argument="test", reduction=steps
    )
    fake = CheckResult(Verdict.NOT_CLOSED, real.reasons, steps=steps, certificate=certificate)
    monkeypatch.setattr("closure_check.networks.relu.check_chain", lambda chain, budget: fake)
    for max_points in (1, 2000):
        answer = relu_optimum(spec, max_points=max_points)
        assert answer.verdict is ReluVerdict.UNKNOWN and answer.counterexample is None
        assert "verifies neither on the network's layers nor on the reduced chain" in answer.reasons[0]


# ----------------------------------------------------------------------------- the command


def test_cli_yes(tmp_path):
    result = CliRunner().invoke(relu, [str(CASES / "scalar_sparse.relu"), "--budget", "0"])
    assert result.exit_code == 0, result.output
    assert "answer: YES" in result.output and "expect: yes (agrees)" in result.output


def test_cli_no_writes_the_counterexample(tmp_path):
    target = tmp_path / "cx.json"
    result = CliRunner().invoke(relu, [str(CASES / "lu_2x2.relu"), "--counterexample", str(target)])
    assert result.exit_code == 0, result.output
    assert "answer: NO" in result.output and "data: 9 inputs in ℚ^2, every 3 affinely independent" in result.output
    assert "  1  1  204  9" in result.output and f"wrote {target}" in result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    losses = [Fraction(step["loss"]) for step in data["sequence"]]
    assert all(a > b for a, b in pairwise(losses))


def test_cli_open_writes_nothing(tmp_path):
    target = tmp_path / "cx.json"
    result = CliRunner().invoke(relu, [str(CASES / "three_layer_dense.relu"), "--counterexample", str(target)])
    assert result.exit_code == 0 and "answer: OPEN" in result.output and "nothing written" in result.output
    assert not target.exists()


def test_cli_bad_spec_exits_2_with_one_line(tmp_path):
    path = tmp_path / "bad.relu"
    path.write_text("layer 1:\n1 1\nlayer 2:\n1 1 1\n")
    result = CliRunner().invoke(relu, [str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"{path}:3: layer 2 has 3 columns but layer 1 has 1 rows (neurons)\n"


def test_cli_budget_0_on_a_full_pair_network_lifts_the_curve(tmp_path):
    """Issue 20: this used to end in IndexError (relu.py, weights_at)."""
    path, target = tmp_path / "full_pair.relu", tmp_path / "cx.json"
    path.write_text(FULL_PAIR_FILE)
    result = CliRunner().invoke(relu, [str(path), "--budget", "0", "--counterexample", str(target)])
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "answer: NO" in result.output and f"  curve: {LIFTED_CURVE}" in result.output
    assert "  - Lift: each full-pair merge is undone" in result.output
    assert "data: 17 inputs in ℚ^2, every 2 linearly independent" in result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["curve_source"] == LIFTED_CURVE and len(data["curve"]) == 3
    assert all(len(step["weights"]) == 3 for step in data["sequence"])


def test_cli_budget_0_without_a_lift_answers_no_and_writes_nothing(tmp_path):
    path, target = tmp_path / "no_lift.relu", tmp_path / "cx.json"
    path.write_text("bias: off\nlayer 1:\n101\n011\nlayer 2:\n11\n11\nlayer 3:\n11\n01\n11\n")
    result = CliRunner().invoke(relu, [str(path), "--budget", "0", "--counterexample", str(target)])
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "answer: NO" in result.output and "no explicit data set or parameter sequence is given" in result.output
    assert "nothing written" in result.output and not target.exists()


# ----------------------------------------------------------------------------- output-disjoint lemma (issue 17)


def _output_disjoint_spec(rng: random.Random, d: int, hidden: int, outputs: int, biases: bool = True) -> ReluSpec:
    first = [[rng.randint(0, 1) for _ in range(d)] for _ in range(hidden)]
    owner = [rng.randrange(outputs + 1) for _ in range(hidden)]  # outputs: feeds no output
    second = [[1 if owner[h] == j else 0 for h in range(hidden)] for j in range(outputs)]
    return ReluSpec(layers=(first, second), biases=(biases, biases))


def test_output_disjoint_networks_are_yes_and_their_chain_is_closed():
    """YES needs P closed (seed Theorems V-VI): the chain check must agree on every instance."""
    from closure_check.chains.check import check_chain

    rng = random.Random(17)
    for _ in range(30):
        spec = _output_disjoint_spec(rng, rng.randint(1, 3), rng.randint(1, 4), rng.randint(2, 3))
        answer = relu_optimum(spec)
        assert answer.verdict is ReluVerdict.YES and "output-disjoint lemma" in answer.reasons[1]
        assert check_chain(spec.chain()).verdict is Verdict.CLOSED


def test_output_disjoint_loss_splits_over_the_outputs():
    """The lemma's decomposition, exactly: the loss is the sum of the scalar-output sub-networks' losses."""
    rng = random.Random(3)
    spec = _output_disjoint_spec(rng, 3, 5, 2)
    W1 = tuple(tuple(Fraction(rng.randint(-3, 3)) * bit for bit in row) for row in spec.layers[0].toarray().tolist())
    W2 = tuple(tuple(Fraction(rng.randint(-3, 3)) * bit for bit in row) for row in spec.layers[1].toarray().tolist())
    b1 = tuple(Fraction(rng.randint(-2, 2)) for _ in range(5))
    b2 = tuple(Fraction(rng.randint(-2, 2)) for _ in range(2))
    data = [(tuple(Fraction(rng.randint(-4, 4)) for _ in range(3)), tuple(Fraction(rng.randint(-4, 4)) for _ in range(2))) for _ in range(7)]
    whole = sum(sum((a - b) ** 2 for a, b in zip(forward((W1, W2), (b1, b2), x)[0], y)) for x, y in data)
    parts = Fraction(0)
    for j in range(2):
        mine = [h for h in range(5) if spec.layers[1].toarray()[j, h]]
        sub = (tuple(W1[h] for h in mine), (tuple(W2[j][h] for h in mine),))
        biases = (tuple(b1[h] for h in mine), (b2[j],))
        if not mine:
            parts += sum((b2[j] - y[j]) ** 2 for _, y in data)
            continue
        parts += sum((forward(sub, biases, x)[0][0] - y[j]) ** 2 for x, y in data)
    assert whole == parts


def test_output_disjoint_lemma_needs_biases_and_disjointness():
    no_bias = ReluSpec(layers=([[1, 1], [0, 1]], [[1, 0], [0, 1]]), biases=(False, False))
    assert relu_optimum(no_bias).verdict is ReluVerdict.OPEN
    shared = ReluSpec(layers=([[1, 1], [0, 1]], [[1, 0], [1, 1]]), biases=(True, True))  # LU: hidden 0 feeds both
    assert relu_optimum(shared).verdict is ReluVerdict.NO
