"""The text of a mask report (``closure-check network``): layers, the chain, each pair, the ReLU answer.

Rendering only; the verdicts come from :func:`closure_check.networks.masks.mask_report`.
Very long lines (the undecided part of a large pattern lists its rectangles) are cut at
:data:`MAX_LINE` characters, saying how much was left out; the JSON output
(:func:`mask_report_json`) keeps them whole.
"""

from __future__ import annotations

from typing import Any

from closure_check.networks.masks import MaskReport
from closure_check.networks.text import render_answer
from closure_check.output.terminal import render_check

__all__ = ["MAX_LINE", "render_mask_report", "mask_report_json"]

MAX_LINE = 400


def _cut(line: str) -> str:
    if len(line) <= MAX_LINE:
        return line
    return f"{line[:MAX_LINE]}… ({len(line) - MAX_LINE} more characters; --json has them all)"


def render_mask_report(label: str, report: MaskReport) -> str:
    """The text printed for one mask file."""
    masks = report.masks
    widths = " → ".join(str(w) for w in masks.widths)
    kept = ", ".join(f"{100 * d:.1f}%" for d in masks.density)
    layers = len(masks.names)
    lines = [
        f"== {label}",
        f"{layers} layers {', '.join(masks.names)}: {widths} (weights kept: {kept})",
        f"convention: each mask is out × in (y = W x); the network's linear map multiplies the layers last to first, "
        f"so the chain's factors are "
        + ", ".join(f"W{k} = {n}" for k, n in enumerate(reversed(masks.names), start=1))
        + " (docs/formats.md, Pruning masks)",
        "",
    ]
    lines += render_check("linear chain", report.chain, None).splitlines()
    for pair in report.pairs:
        lines.append("")
        lines += render_check(f"pair {pair.first} → {pair.second} (I = M_{pair.second}, J = M_{pair.first}ᵀ)", pair.result, None).splitlines()
    if report.pairs:
        lines += ["", "(a pair names where an obstruction sits; only the chain's verdict decides the network: docs/theory.md §6)"]
    if report.relu is not None:
        lines += [""] + render_answer("ReLU network (square loss)", report.relu).splitlines()[1:]
    return "\n".join(_cut(line) for line in lines)


def _result(result: Any) -> dict[str, Any]:
    return {"verdict": result.verdict.value, "reasons": list(result.reasons), "undecided": list(result.undecided)}


def mask_report_json(report: MaskReport) -> dict[str, Any]:
    """The report as plain data (verdicts, reasons; certificates are written separately)."""
    masks = report.masks
    return {
        "file": str(masks.path),
        "layers": list(masks.names),
        "arrays": list(masks.keys),
        "widths": list(masks.widths),
        "kept": [m.nnz for m in masks.masks],
        "chain": _result(report.chain),
        "pairs": [{"layers": [p.first, p.second], **_result(p.result)} for p in report.pairs],
        "relu": None
        if report.relu is None
        else {"verdict": report.relu.verdict.value, "biases": all(report.spec.biases), "reasons": list(report.relu.reasons)},
    }
