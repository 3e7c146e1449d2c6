"""Curves users can look at: evaluating a certificate's curve at t, and the PNGs.

Evaluation is checked by exact identities (``product_at(t)`` is the product of the
factors ``at(t)``, and the error tends to 0 while the factors diverge); the pictures by
the file they write and, for the rectangles, by the stripes that replace blending.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import main
from closure_check.certificates.chain import ChainCurve
from closure_check.certificates.two_factor import Curve, multiply
from closure_check.core.case import Case, Verdict
from closure_check.core.graph import RankOneStructure
from closure_check.core.laurent import Laurent
from closure_check.core.support import ChainSupport
from closure_check.decide import check
from closure_check.families import banded, diagonal, lu, random_k_sparse
from closure_check.io import write_case

PNG = b"\x89PNG\r\n\x1a\n"
ONE, T, INV = Laurent.constant(1), Laurent.monomial(1), Laurent.monomial(-1)

#: The seed talk's LU curve: X(t) = [[t, 0], [1, −1/t]], Y(t) = [[1, 0], [1/t, 1]].
LU_CURVE = Curve(
    x={(0, 0): T, (1, 0): ONE, (1, 1): -INV},
    y={(0, 0): ONE, (1, 0): INV, (1, 1): ONE},
    limit={(0, 1): Fraction(1), (1, 0): Fraction(1)},
)
EXACT_TS = (Fraction(1), Fraction(1, 2), Fraction(1, 7), Fraction(3, 1000), Fraction(1, 10**9))


def _transpose(entries: dict) -> dict:
    return {(b, a): value for (a, b), value in entries.items()}


def _frobenius(entries: dict) -> float:
    return math.sqrt(sum(float(value) ** 2 for value in entries.values()))


def _chain_product(factors) -> dict:
    product = factors[0]
    for factor in factors[1:]:
        product = multiply(product, factor)
    return product


# --------------------------------------------------------------------------- evaluation


def test_lu_curve_at_t_is_the_seed_talk_sequence():
    for t in EXACT_TS:
        X, Y = LU_CURVE.at(t)
        assert X == {(0, 0): t, (1, 0): 1, (1, 1): -1 / t}
        assert Y == {(0, 0): 1, (1, 0): 1 / t, (1, 1): 1}
        assert all(isinstance(value, Fraction) for value in (*X.values(), *Y.values()))
        assert LU_CURVE.product_at(t) == {(0, 0): t, (0, 1): 1, (1, 0): 1}  # [[t, 1], [1, 0]]
        assert LU_CURVE.error_at(t) == {(0, 0): t}


def test_int_t_is_exact_and_float_t_is_float():
    X, _ = LU_CURVE.at(2)
    assert X[(1, 1)] == Fraction(-1, 2) and isinstance(X[(1, 1)], Fraction)
    X, _ = LU_CURVE.at(0.25)
    assert X[(1, 1)] == -4.0 and isinstance(X[(1, 1)], float)
    with pytest.raises(ZeroDivisionError):
        LU_CURVE.at(0)
    assert (T * T + ONE).at(0) == 1  # no negative power: defined at 0


@pytest.mark.parametrize("seed", [0, 2, 3])
def test_two_factor_product_at_is_the_product_of_the_factors_at(seed):
    support = random_k_sparse(6, 6, 6, 3, seed)
    result = check(support, budget=0)
    assert result.verdict is Verdict.NOT_CLOSED  # by the local-LU lemma
    curve = result.certificate.curve
    for t in EXACT_TS:
        X, Y = curve.at(t)
        assert curve.product_at(t) == multiply(X, _transpose(Y))
        expanded = {cell: value.at(t) for cell, value in curve.product().items()}
        assert curve.product_at(t) == {cell: value for cell, value in expanded.items() if value != 0}


def test_lu6_certificate_error_tends_to_zero_while_the_factors_diverge():
    curve = check(lu(6), budget=0).certificate.curve
    limit = {cell: Fraction(value) for cell, value in curve.limit.items()}
    errors, sizes = [], []
    for k in range(1, 8):
        t = Fraction(1, 10**k)
        X, Y = curve.at(t)
        product = multiply(X, _transpose(Y))
        difference = {cell: product.get(cell, 0) - limit.get(cell, 0) for cell in set(product) | set(limit)}
        assert {cell: v for cell, v in difference.items() if v != 0} == curve.error_at(t)
        errors.append(_frobenius(curve.error_at(t)))
        sizes.append(max(_frobenius(X), _frobenius(Y)))
    assert all(later < earlier for earlier, later in zip(errors, errors[1:])) and errors[-1] < 1e-6
    assert all(later > earlier for earlier, later in zip(sizes, sizes[1:])) and sizes[-1] > 1e6


def test_chain_curve_evaluation_on_three_factors():
    chain = ChainSupport.from_dense([[[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]])
    result = check(chain, budget=0)
    assert result.verdict is Verdict.NOT_CLOSED
    curve = result.certificate.curve
    assert isinstance(curve, ChainCurve) and len(curve.factors) == 3
    for t in EXACT_TS:
        factors = curve.at(t)
        assert len(factors) == 3
        assert curve.product_at(t) == _chain_product(factors)
    error = [_frobenius(curve.error_at(Fraction(1, 10**k))) for k in range(1, 7)]
    assert all(later < earlier for earlier, later in zip(error, error[1:])) and error[-1] < 1e-5
    # floats agree with the exact value, and stay accurate at small t (no cancellation)
    for t in (0.5, 1e-3, 1e-8):
        exact = curve.product_at(Fraction(t))
        approximate = curve.product_at(t)
        assert set(approximate) <= set(exact)
        assert all(math.isclose(approximate.get(cell, 0.0), float(value), rel_tol=1e-12, abs_tol=1e-300)
                   for cell, value in exact.items())


def test_deviation_has_only_positive_powers_and_matches_the_limit():
    deviation = LU_CURVE.deviation()
    assert deviation == {(0, 0): T}
    assert all(value.min_exponent() > 0 for value in deviation.values())


# --------------------------------------------------------------------------- pictures


def test_draw_curve_writes_a_png_for_two_factors_and_chains(tmp_path):
    from closure_check.output.plot import draw_curve

    draw_curve(LU_CURVE, tmp_path / "lu.png", title="lu2")
    chain = ChainSupport.from_dense([[[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]])
    draw_curve(check(chain, budget=0).certificate, tmp_path / "chain.png")
    for name in ("lu.png", "chain.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG


def test_norms_on_grid_match_the_exact_evaluation():
    from closure_check.output.plot import norms_on_grid

    grid = np.array([1e-4, 1e-2, 0.5, 1.0])
    X, _ = LU_CURVE.at(Fraction(1, 100))
    assert math.isclose(norms_on_grid(LU_CURVE.x, grid)[1], _frobenius(X), rel_tol=1e-12)
    assert np.allclose(norms_on_grid(LU_CURVE.deviation(), grid), grid)


def test_overlapping_rectangles_are_striped_not_blended():
    from closure_check.output.plot import _stripes

    structure = RankOneStructure.build(lu(2))
    owner, coverage, stripes = _stripes(structure)
    assert coverage.tolist() == [[1, 1], [1, 2]]
    assert stripes >= 2
    assert set(owner[1, 1].tolist()) == {0, 1}  # both classes get stripes of their own colour
    assert set(owner[0, 0].tolist()) == {0}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _write(tmp_path: Path, case: Case, name: str) -> Path:
    path = tmp_path / name
    write_case(case, path)
    return path


def test_certify_plot_writes_a_png(runner, tmp_path):
    source = _write(tmp_path, Case(support=lu(3), name="lu3"), "lu3.sup")
    picture = tmp_path / "lu3.png"
    result = runner.invoke(main, ["certify", str(source), "-o", str(tmp_path / "lu3.json"), "--plot", str(picture)])
    assert result.exit_code == 0, result.output
    assert picture.read_bytes()[:8] == PNG
    assert f"wrote {picture}" in result.stdout


def test_certify_plot_keeps_stdout_json(runner, tmp_path):
    import json

    source = _write(tmp_path, Case(support=lu(2), name="lu2"), "lu2.sup")
    picture = tmp_path / "lu2.png"
    result = runner.invoke(main, ["certify", str(source), "--plot", str(picture)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "not-closed"
    assert picture.read_bytes()[:8] == PNG


def test_certify_plot_on_a_closed_support_is_a_note_not_an_error(runner, tmp_path):
    source = _write(tmp_path, Case(support=diagonal(3), name="diagonal"), "diagonal.sup")
    picture = tmp_path / "none.png"
    args = ["certify", str(source), "-o", str(tmp_path / "c.json"), "--plot", str(picture), "--budget", "0"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "--plot" in line]
    assert len(notes) == 1 and "nothing drawn" in notes[0] and "closed" in notes[0]
    assert not picture.exists()


@pytest.mark.parametrize("command", ["certify", "show"])
def test_bad_picture_path_is_one_line_and_exit_2(runner, tmp_path, command):
    source = _write(tmp_path, Case(support=lu(2), name="lu2"), "lu2.sup")
    target = tmp_path / "no" / "such" / "dir" / "out.png"
    option = "--plot" if command == "certify" else "--png"
    args = [command, str(source), option, str(target)]
    if command == "certify":
        args += ["-o", str(tmp_path / "c.json")]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{target}: cannot write the picture")


def test_show_png_draws_a_600_by_600_support_as_a_spy_plot(runner, tmp_path):
    source = _write(tmp_path, Case(support=banded(600, 2), name="banded600"), "banded600.npz")
    picture = tmp_path / "banded600.png"
    result = runner.invoke(main, ["show", str(source), "--png", str(picture)])
    assert result.exit_code == 0, result.output
    assert picture.read_bytes()[:8] == PNG


def test_show_png_draws_a_three_factor_chain(runner, tmp_path):
    chain = ChainSupport.from_dense([[[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]])
    source = _write(tmp_path, Case(support=chain, name="diag-upper-lower"), "chain.sup")
    picture = tmp_path / "chain.png"
    result = runner.invoke(main, ["show", str(source), "--png", str(picture)])
    assert result.exit_code == 0, result.output
    assert picture.read_bytes()[:8] == PNG
