"""``closure-check solve``: best approximation with fixed supports, two factors or a chain.

Two factors: the exact solver on its tractable families, alternating least squares
otherwise; the set's closedness is decided first (rules only) and a NOT CLOSED set is
reported as such, with the certificate's limit: no optimum need exist.  Chains of three
or more factors: the hierarchical solver with its certified interval
(``docs/solver.md``, "Chains").
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from cli.common import cannot_write, fail_bad_input, load, load_array

if TYPE_CHECKING:
    from closure_check.approximation.chain import ChainApproximation
    from closure_check.approximation.solve import Solution

TREE_CHOICES = ("left-to-right", "right-to-left", "balanced")

NO_OPTIMUM = (
    "NOT CLOSED: no optimum may exist -- for some A the infimum of the error is not attained, "
    "and the factors of a minimising sequence grow without bound"
)


def _closedness(support: Any) -> tuple[str, list[str]]:
    """Verdict label and, for NOT CLOSED, the certificate's limit (rules only, budget 0)."""
    from closure_check.decide import check
    from closure_check.output.terminal import (
        render_certificate,
        render_chain_certificate,
    )
    from closure_check.result import Verdict

    result = check(support, budget=0.0)
    if result.verdict is not Verdict.NOT_CLOSED:
        return result.verdict.value, []
    certificate = result.certificate
    render = render_certificate if hasattr(certificate, "lemma") and hasattr(certificate.curve, "x") else render_chain_certificate
    return result.verdict.value, render(certificate)[:1]


def _relative(value: float, norm: float) -> float:
    return value / norm if norm else 0.0


def _save(output: str, arrays: dict[str, Any]) -> None:
    import numpy as np

    try:
        with open(output, "wb") as sink:  # exactly this name (np.savez would add .npz)
            np.savez(sink, **arrays)
    except OSError as error:
        cannot_write(output, error)


def _chain_report(result: ChainApproximation, closed: str) -> dict[str, Any]:
    return {
        "method": result.method,
        "tree": result.tree,
        "closedness": closed,
        "optimal": result.optimal,
        "error": result.error,
        "relative_error": _relative(result.error, result.norm),
        "norm": result.norm,
        "lower_bound": result.lower_bound,
        "ratio": result.ratio,
        "guarantee": result.guarantee,
        "split_errors": list(result.split_errors),
        "performed": [[ell, f] for ell, f in result.performed],
        "published_bound": result.published_bound,
        "factor_norms": list(result.factor_norms),
    }


def _chain_text(result: ChainApproximation, closed: str, limit: list[str]) -> list[str]:
    N = len(result.factors)
    lines = [f"method: {result.method}" + (f", tree {result.tree}" if result.tree else "")]
    if result.tree is not None:
        lines.append("set: CLOSED (chainable Kronecker-sparse lemma): an optimum E* exists")
    elif closed == "not-closed":
        lines += [f"set: {NO_OPTIMUM}"] + [f"  {line}" for line in limit]
    else:
        lines.append(f"set: closedness {closed.upper()} (rules only)")
    lines.append(
        f"error ‖A − W_1⋯W_{N}‖_F = {result.error:.10g}   relative {_relative(result.error, result.norm):.6g}"
    )
    if result.optimal:
        lines.append("result: optimal (exact solver)")
    elif result.lower_bound > 0:
        lines.append(f"lower bound ≤ E*      = {result.lower_bound:.10g}   relative {_relative(result.lower_bound, result.norm):.6g}")
        if result.guarantee is not None:
            lines.append(
                f"error / lower bound   = {result.ratio:.6g}   (≥ error / E*; proved ≤ √(N−1) = {result.guarantee:.6g})"
            )
        else:
            lines.append(f"error / lower bound   = {result.ratio:.6g}   (≥ error / E*; no a-priori bound proved for this tree)")
        if result.error <= 1e-12 * result.norm:
            lines.append("  (both at rounding level: A lies in the set up to rounding)")
    else:
        lines.append("result: NOT guaranteed optimal (local method), no lower bound")
        if len(result.factor_norms) >= 2 and result.factor_norms[0] > 0:
            growth = result.factor_norms[-1] / result.factor_norms[0]
            lines.append(
                f"factor size Π‖W_ℓ‖_F: ×{growth:.3g} over {len(result.factor_norms) - 1} sweeps"
                + ("   (growing: the factors may be diverging)" if growth > 1e3 else "")
            )
    if result.split_errors:
        shown = ", ".join(f"{e:.4g}" for e in result.split_errors)
        lines.append(f"split optima e_ℓ (ℓ = 1…{N - 1}): {shown}")
    if result.published_bound is not None:
        lines.append(
            f"published bound Σ 2^(N−1−ℓ) e_ℓ = {result.published_bound:.6g}   "
            "([BF] arXiv:2411.04506, Theorem 7.2; published, not proved here)"
        )
    return lines


def _two_factor_text(solution: Solution, closed: str, limit: list[str], norm: float) -> list[str]:
    import numpy as np

    lines = [f"method: {solution.method}"]
    if solution.optimal:
        lines.append("result: optimal (exact solver)")
    elif closed == "not-closed":
        lines.append(f"result: NOT guaranteed optimal (local method); set {NO_OPTIMUM}")
        lines += [f"  {line}" for line in limit]
    else:
        lines.append(f"result: NOT guaranteed optimal (local method); closedness {closed.upper()} (rules only)")
    lines.append(f"error ‖A − XYᵀ‖_F = {solution.error:.10g}   relative {_relative(solution.error, norm):.6g}")
    if solution.predicted_error is not None:
        lines.append(f"closed-form optimum  = {solution.predicted_error:.10g}")
    if not solution.optimal and norm:
        growth = float(np.linalg.norm(solution.X) * np.linalg.norm(solution.Y)) / norm
        lines.append(f"factor size ‖X‖_F‖Y‖_F / ‖A‖_F = {growth:.3g}" + ("   (large: the factors may be diverging)" if growth > 1e3 else ""))
    return lines


@click.command()
@click.argument("file")
@click.option("--matrix", "matrix_path", required=True, metavar="FILE", help="Target A as a .npy file (real or complex).")
@click.option("-o", "--output", metavar="FILE",
              help="Save the factors to this .npz file: X and Y (two factors, dense), or for a chain "
                   "W1_rows, W1_cols, W1_values, W1_shape, … (the nonzeros of each factor).")
@click.option("--tree", type=click.Choice(TREE_CHOICES), default="left-to-right", show_default=True,
              help="Split order of the hierarchical chain solver (chains of 3 or more factors).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
@click.option("--restarts", default=5, show_default=True, type=click.IntRange(1, 10**4),
              help="ALS restarts for supports without an exact solver.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**63 - 1),
              help="Seed of the first ALS restart.")
def solve(file: str, matrix_path: str, output: str | None, tree: str, as_json: bool, restarts: int, seed: int) -> None:
    """Best approximation of A with fixed supports: X Yᵀ, or a chain W_1 ⋯ W_N.

    Two factors: exact (truncated SVDs) on the tractable families, otherwise alternating
    least squares, labelled as not guaranteed (and, when the set is NOT CLOSED, with the
    warning that no optimum may exist). Chainable Kronecker-sparse chains (butterfly,
    Monarch, deformable butterflies): the hierarchical solver, with the certified
    interval lower bound ≤ E* ≤ error.
    """
    import numpy as np

    from closure_check.core.support import ChainSupport

    case = load(file)
    support = case.support
    target = load_array(matrix_path)
    if isinstance(support, ChainSupport) and support.length != 2:
        _solve_chain(support, target, matrix_path, output, tree, as_json, seed)
        return
    from closure_check.approximation.solve import solve as solve_support

    if isinstance(support, ChainSupport):
        support = support.to_two_factor()
    try:
        solution = solve_support(target, support, seed=seed, restarts=restarts)
    except ValueError as error:
        fail_bad_input(f"{matrix_path}: {error}")
    closed, limit = ("closed", []) if solution.optimal else _closedness(support)
    norm = float(np.linalg.norm(target))
    if as_json:
        click.echo(json.dumps({
            "method": solution.method, "optimal": solution.optimal, "closedness": closed,
            "error": solution.error, "relative_error": _relative(solution.error, norm),
            "predicted_error": solution.predicted_error, "no_optimum_may_exist": closed == "not-closed",
        }, ensure_ascii=False))
    else:
        click.echo("\n".join(_two_factor_text(solution, closed, limit, norm)))
    if output:
        _save(output, {"X": solution.X, "Y": solution.Y})
        if not as_json:
            click.echo(f"wrote {output}")


def _solve_chain(support: Any, target: Any, matrix_path: str, output: str | None, tree: str, as_json: bool, seed: int) -> None:
    import numpy as np

    from closure_check.approximation.chain import solve_chain

    try:
        result = solve_chain(target, support, tree=tree, seed=seed)
    except ValueError as error:
        fail_bad_input(f"{matrix_path}: {error}")
    closed, limit = ("closed", []) if result.tree is not None else _closedness(support)
    if as_json:
        click.echo(json.dumps(_chain_report(result, closed), ensure_ascii=False))
    else:
        click.echo("\n".join(_chain_text(result, closed, limit)))
    if output:
        arrays: dict[str, Any] = {}
        for index, factor in enumerate(result.factors, start=1):
            coo = factor.tocoo()
            arrays.update({f"W{index}_rows": coo.row, f"W{index}_cols": coo.col,
                           f"W{index}_values": coo.data, f"W{index}_shape": np.array(factor.shape)})
        _save(output, arrays)
        if not as_json:
            click.echo(f"wrote {output}")
