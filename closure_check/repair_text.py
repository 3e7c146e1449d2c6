"""The text of a repair search (``closure-check repair``); rendering only (:mod:`closure_check.repair`)."""

from __future__ import annotations

from closure_check.output.terminal import verdict_label
from closure_check.repair import Candidate, RepairResult

__all__ = ["render_repair"]

_WORDS = {"add": "adding", "remove": "removing"}


def _reason(candidate: Candidate) -> str:
    reasons = candidate.result.reasons or candidate.result.undecided
    text = reasons[-1] if reasons else ""
    return text if len(text) <= 200 else text[:200] + "…"


def render_repair(label: str, result: RepairResult) -> str:
    """Verdict of the original, the smallest repairs with their proofs, and what is claimed."""
    lines = [f"{label}: {verdict_label(result.original)}"]
    if result.size == 0:
        lines.append("  already closed: nothing to repair")
        return "\n".join(lines)
    scope = "heuristic: some sizes only among the best-ranked positions near the obstruction" if result.heuristic else "exhaustive"
    lines.append(
        f"  repairs by {_WORDS[result.mode]} support entries, up to {result.max_changes} changes ({scope}; "
        f"{result.checked} candidates checked)"
    )
    if result.size is None:
        lines.append(f"  no repair of at most {result.max_changes} changes was proved CLOSED")
    else:
        if result.minimal:
            claim = f"minimal among changes of size ≤ {result.max_changes}: every smaller candidate is NOT CLOSED"
        elif result.heuristic:
            claim = "HEURISTIC: smaller repairs may exist among the positions not tried"
        else:
            claim = "minimality NOT established: a smaller candidate is UNKNOWN"
        lines.append(f"  smallest repairs found: {result.size} change(s), {len(result.repairs)} of them — {claim}")
        lines += [f"    {c.describe()}: {verdict_label(c.result)} — {_reason(c)}" for c in result.repairs]
    if result.unknown:
        lines.append(f"  {len(result.unknown)} candidate(s) left undecided (not counted as repairs):")
        lines += [f"    {c.describe()}: {verdict_label(c.result)}" for c in result.unknown[:10]]
        if len(result.unknown) > 10:
            lines.append(f"    … and {len(result.unknown) - 10} more")
    return "\n".join(lines)
