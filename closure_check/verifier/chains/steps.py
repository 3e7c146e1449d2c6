"""Replaying the exact reductions of a chain certificate on its pattern, checking each condition.

Each step is an object with a ``"rule"``; ℓ is 1-based, the chain is ``W_1 ⋯ W_N``, P its
set of products and P' the set of the chain after the step.

* ``{"rule": "empty-inner-index", "level": ℓ, "indices": [k, …], "empty": [s, …]}``
  (1 ≤ ℓ < N): for every listed k, column k of ``I_ℓ`` or row k of ``I_{ℓ+1}`` is empty;
  ``s`` (optional) says which: ``"column of I_ℓ"`` or ``"row of I_ℓ+1"``.  Checked on the
  pattern, each claim ``s`` included.  Every path through such an inner index uses an
  entry that is 0, so deleting columns k of ``W_ℓ`` and rows k of ``W_{ℓ+1}`` (the other
  indices keep their order) leaves ``W_1 ⋯ W_N`` unchanged: P' = P.
* ``{"rule": "partial-permutation", "level": ℓ, "into": "left" | "right"}``: ``I_ℓ`` has
  at most one 1 per row and per column.  Checked on the pattern.  ``W_ℓ`` is merged into
  ``W_{ℓ-1}`` (left) or ``W_{ℓ+1}`` (right), the merged support being the boolean
  product.  P' = P: ``U W_ℓ`` scales the columns of U and moves each to a column of its
  own (at most one 1 per row and column), so it reaches every matrix on the boolean
  product support (take the entries of ``W_ℓ`` equal to 1); the same for ``W_ℓ V``.
* ``{"rule": "full-pair", "level": ℓ, "proof": [texts], "fixed": [f, …]}`` (1 ≤ ℓ < N):
  ``W_ℓ W_{ℓ+1}`` ranges over all matrices on the boolean product support (full-space
  lemma, one proof per component of the pair), so merging the two factors into one with
  that support gives P' = P.  The verifier does not re-prove the lemma's hypothesis
  (``proof`` is text; ``fixed``, the fixed factors ending the proofs, is checked for its
  form only): when equality is needed the step goes to ``report.trusted``.

Every merge, whatever its condition, gives ``P ⊆ P'`` (a product of two factors lies on
their boolean product support).  A NOT CLOSED proof needs only that inclusion (A ∉ P'
implies A ∉ P), a CLOSED one needs P' = P.

>>> from ..report import VerificationReport
>>> from .pattern import parse_chain
>>> chain = parse_chain({"dims": [2, 2, 2], "factors": [[[0, 0], [1, 1]], [[0, 0], [0, 1], [1, 1]]]})
>>> report = VerificationReport()
>>> merged = replay_steps([{"rule": "partial-permutation", "level": 1, "into": "right"}], chain, report, "steps", True)
>>> merged.dims, sorted(merged.factors[0])
((2, 2), [(0, 0), (0, 1), (1, 1)])
>>> replay_steps([{"rule": "empty-inner-index", "level": 1, "indices": [0]}], chain, report, "steps", True) is None
True
>>> report.problems
['steps[0] (empty-inner-index): inner index 0 between W1 and W2 is used: column 0 of I_1 has 1 entry, row 0 of I_2 has 2']
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from typing import Any

from ..parse import Malformed, field, index_list, integer
from ..report import VerificationReport
from .pattern import ChainPattern, Entries, boolean_product

__all__ = ["RULES", "replay_steps"]

RULES = ("empty-inner-index", "partial-permutation", "full-pair")
EMPTY_SIDES = ("column of I_ℓ", "row of I_ℓ+1")


def _level(step: dict, at: str, low: int, high: int) -> int:
    """``step["level"]``, an integer with ``low ≤ ℓ ≤ high``."""
    if high < low:
        raise Malformed(f"{at}: the chain has no level for this rule (its factors run out)")
    return integer(field(step, "level", int, at), f"{at}.level", low, high + 1)


def _merge(chain: ChainPattern, level: int) -> ChainPattern:
    """Factors ``level`` and ``level + 1`` (1-based) replaced by one on their boolean product."""
    merged = boolean_product(chain.factors[level - 1], chain.factors[level])
    factors = chain.factors[: level - 1] + (merged,) + chain.factors[level + 1:]
    return ChainPattern(chain.dims[:level] + chain.dims[level + 1:], factors)


def _count(n: int, singular: str, plural: str = "") -> str:
    """``'1 entry'``, ``'2 entries'``."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def _used_index(level: int, k: int, claim: str | None, column: int, row: int) -> str | None:
    """Why inner index k cannot be deleted as claimed (column: ones in column k of I_ℓ, row: in row k of I_ℓ+1)."""
    if column and row:
        return (
            f"inner index {k} between W{level} and W{level + 1} is used: "
            f"column {k} of I_{level} has {_count(column, 'entry', 'entries')}, row {k} of I_{level + 1} has {row}"
        )
    if claim == EMPTY_SIDES[0] and column:
        return f"column {k} of I_{level} is said to be empty but has {_count(column, 'entry', 'entries')}"
    if claim == EMPTY_SIDES[1] and row:
        return f"row {k} of I_{level + 1} is said to be empty but has {_count(row, 'entry', 'entries')}"
    return None


def _empty_index(step: dict, chain: ChainPattern, report: VerificationReport, at: str) -> ChainPattern | None:
    level = _level(step, at, 1, chain.length - 1)
    indices = index_list(field(step, "indices", list, at), f"{at}.indices", chain.dims[level])
    if not indices:
        raise Malformed(f"{at}.indices is empty")
    claims = field(step, "empty", list, at) if "empty" in step else [None] * len(indices)
    if len(claims) != len(indices) or not all(claim in (None, *EMPTY_SIDES) for claim in claims):
        raise Malformed(f"{at}.empty should list, per index, {' or '.join(map(repr, EMPTY_SIDES))}")
    left, right = chain.factors[level - 1], chain.factors[level]
    in_column, in_row = Counter(b for _, b in left), Counter(a for a, _ in right)
    for k, claim in zip(indices, claims):
        problem = _used_index(level, k, claim, in_column[k], in_row[k])
        if problem:
            report.fail(f"{at} (empty-inner-index): {problem}")
            return None
    deleted, gone = sorted(indices), set(indices)

    def moved(k: int) -> int:
        """Index k once the deleted indices are gone: the later ones move down."""
        return k - bisect_left(deleted, k)

    new_left: Entries = frozenset((a, moved(b)) for a, b in left if b not in gone)
    new_right: Entries = frozenset((moved(a), b) for a, b in right if a not in gone)
    factors = chain.factors[: level - 1] + (new_left, new_right) + chain.factors[level + 1:]
    dims = chain.dims[:level] + (chain.dims[level] - len(deleted),) + chain.dims[level + 1:]
    return ChainPattern(dims, factors)


def _partial_permutation(step: dict, chain: ChainPattern, report: VerificationReport, at: str) -> ChainPattern | None:
    into = field(step, "into", str, at)
    if into not in ("left", "right"):
        raise Malformed(f"{at}.into should be 'left' or 'right', got {into!r}")
    level = _level(step, at, 2, chain.length) if into == "left" else _level(step, at, 1, chain.length - 1)
    entries = chain.factors[level - 1]
    for axis, name in ((0, "row"), (1, "column")):
        seen: set[int] = set()
        for entry in sorted(entries):
            if entry[axis] in seen:
                report.fail(
                    f"{at} (partial-permutation): I_{level} is not a partial permutation: "
                    f"{name} {entry[axis]} has more than one 1"
                )
                return None
            seen.add(entry[axis])
    return _merge(chain, level - 1 if into == "left" else level)


def _full_pair(step: dict, chain: ChainPattern, report: VerificationReport, at: str, equality: bool) -> ChainPattern:
    level = _level(step, at, 1, chain.length - 1)
    texts = field(step, "proof", list, at)
    if not all(isinstance(text, str) for text in texts):
        raise Malformed(f"{at}.proof should be a list of strings")
    if "fixed" in step and not all(f is None or isinstance(f, dict) for f in field(step, "fixed", list, at)):
        raise Malformed(f"{at}.fixed should be a list of fixed factors (objects) or null")
    if equality:
        report.trust(
            f"{at}: W{level}·W{level + 1} fills its boolean-product support (rests on the full-space lemma)"
        )
    return _merge(chain, level)


def replay_steps(steps: Any, chain: ChainPattern, report: VerificationReport, where: str, equality: bool) -> ChainPattern | None:
    """Apply ``steps`` to ``chain``, checking each condition; the reduced chain, or None.

    ``equality`` says whether the caller needs P' = P (CLOSED) or only P ⊆ P'
    (NOT CLOSED, UNKNOWN): only then does a full-pair step rest on the full-space lemma.
    A failed condition is reported and stops the replay (None); a malformed step raises
    :class:`Malformed`.
    """
    if not isinstance(steps, list):
        raise Malformed(f"{where} should be a list of reduction steps")
    current = chain
    for index, step in enumerate(steps):
        at = f"{where}[{index}]"
        rule = field(step, "rule", str, at)
        if rule == "empty-inner-index":
            reduced = _empty_index(step, current, report, at)
        elif rule == "partial-permutation":
            reduced = _partial_permutation(step, current, report, at)
        elif rule == "full-pair":
            reduced = _full_pair(step, current, report, at, equality)
        else:
            report.fail(f"{at}: unknown reduction rule {rule!r} (this verifier knows {', '.join(RULES)})")
            return None
        if reduced is None:
            return None
        current = reduced
    if steps:
        report.passed(
            f"{where}: {_count(len(steps), 'reduction step')} replayed on the pattern, every condition holds "
            f"({chain.describe()} → {current.describe()})"
        )
    return current
