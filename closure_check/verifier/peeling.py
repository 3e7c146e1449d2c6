"""Peeling proofs (``peelings``): every step's hypotheses re-derived from the units alone.

A CLOSED part decided by the rank-one peeling lemma (``docs/theory.md`` §4) carries its units
``[rows, cols]`` (no hidden cell: the part's cells are ``W = ∪ R_k × C_k``), its rank r (the
number of units) and a tree of steps proving ``Good(U, r)``: every A supported in W with
rank ≤ r is a product.  The lemma's proof (rank-one reduction) is mathematics and is cited;
what this module re-checks is that each step's hypotheses hold, from the root claim
``(U, r)`` down, the claims of the children being derived here, not read:

* the claim's rank is capped at ``min(ρ, |rows(W)|, |cols(W)|)``, empty units dropped;
* ``zero``: ρ = 0;  ``box``: ρ = 1 and unit k contains ``rows(W) × cols(W)``;
* ``peel`` k: ``W(U ∖ k) = W(U)`` and ``d_k = |rows(W) ∖ R_k| + |cols(W) ∖ C_k| < ρ``; the
  child is ``(U ∖ k, ρ − 1)``;  ``drop`` k: ``W(U ∖ k) = W(U)``; the child is ``(U ∖ k, ρ)``;
* ``private row`` i of k: i ∈ R_k, no other unit has row i, ``R_k ⊇ rows(W)``,
  ``(R_k ∖ {i}) × C_k ⊆ W(U ∖ k)``; children ``(U ∖ k, ρ − 1)`` and ``(U`` with ``R_k ∖ {i}, ρ)``;
  ``private column``: the same transposed;
* ``pivot row`` i of k: i ∈ R_k, no other unit has row i, every cell of W in a column of C_k
  lies in a row of R_k; one child per ``j ∈ C_k`` (sorted): ``(U ∖ k`` with row i and column j
  deleted, ``ρ − 1)``, whose cells must be those of W off row i and column j; last child
  ``(U`` with ``R_k ∖ {i}, ρ)``;  ``pivot column``: the same transposed;
* ``hyperplane span`` (leaf): every unit has every row of W, ``|cols(W)| = |U| + 1``,
  ``ρ ≤ |U|``, and ``|D_M| − c_Z(M) ≥ |M|`` for all non-empty column sets Z and unit sets M
  (``D_M`` the columns of M, ``c_Z(M)`` the components of the hypergraph ``{C_m ∩ Z}``: Rado's
  condition); ``hyperplane span (columns)``: the same transposed;
* ``owned block`` (root only) k, ``block`` ``[Rb, Cb]``, ``takers`` ``[m₁, m₂]``: the block lies
  in unit k and in no other (the claim is then ``Good`` on ``{rank A[block] ≤ 1}``, closed);
  ρ ≤ 3 or a side block of width ≤ 1; per cell (i, j) of the block, row i's and column j's cells
  lie in k and the child ``(U ∖ k`` cut by row i and column j``, ρ − 1)`` covers W off row i,
  column j and the block; children ``(U ∖ m₁`` off the rows Rb``, ρ)`` and ``(U ∖ m₂`` off the
  columns Cb``, ρ)`` with ``m₁ ⊇ Rb × Cc``, ``m₂ ⊇ Rc × Cb``, each covering W's cells there.

Standard library only.

>>> report = VerificationReport()
>>> proof = {"units": [[[0, 1], [0, 1, 2]], [[0, 1, 2], [0, 1, 2]]], "rank": 2,
...          "tree": {"step": "peel", "unit": 0, "children": [{"step": "box", "unit": 1}]}}
>>> check_peeling_proof(proof, report) is not None, report.ok
(True, True)
>>> proof["tree"]["unit"] = 1   # the other unit does not leave W unchanged
>>> check_peeling_proof(proof, report), report.ok
(None, False)
"""

from __future__ import annotations

from typing import Any

from .parse import Malformed, field, integer
from .report import VerificationReport

__all__ = ["check_peeling_proof"]

Units = dict[int, tuple[frozenset[int], frozenset[int]]]

MAX_UNITS = 64
MAX_NODES = 100_000


class _Rejected(Exception):
    pass


def _cells(units: Units) -> set[tuple[int, int]]:
    return {(i, j) for rows, cols in units.values() for i in rows for j in cols}


def _components(blocks: list) -> int:
    """Connected components of the hypergraph with these edges (on the union of them)."""
    vertices = set().union(*blocks) if blocks else set()
    left, count = set(vertices), 0
    while left:
        count += 1
        frontier = {left.pop()}
        while frontier:
            v = frontier.pop()
            for block in blocks:
                if v in block:
                    new = block & left
                    left -= new
                    frontier |= new
    return count


def _parse(proof: Any, where: str) -> tuple[Units, int]:
    if not isinstance(proof, dict):
        raise Malformed(f"{where} should be an object")
    raw = field(proof, "units", list, where)
    if not raw or len(raw) > MAX_UNITS:
        raise Malformed(f"{where}.units: 1 to {MAX_UNITS} units expected")
    units: Units = {}
    for k, unit in enumerate(raw):
        at = f"{where}.units[{k}]"
        if not isinstance(unit, list) or len(unit) != 2 or not all(isinstance(side, list) and side for side in unit):
            raise Malformed(f"{at} should be [rows, cols], both non-empty lists")
        rows = frozenset(integer(v, at, 0) for v in unit[0])
        cols = frozenset(integer(v, at, 0) for v in unit[1])
        units[k] = (rows, cols)
    rank = integer(field(proof, "rank", int, where), f"{where}.rank", 0)
    if rank != len(units):
        raise Malformed(f"{where}.rank: {rank} is not the number of units {len(units)}")
    return units, rank


class _Walk:
    def __init__(self) -> None:
        self.nodes = 0

    def walk(self, node: Any, units: Units, rank: int, where: str, root: bool = False) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Rejected(f"more than {MAX_NODES} steps")
        if not isinstance(node, dict):
            raise _Rejected(f"{where} is not an object")
        units = {k: u for k, u in units.items() if u[0] and u[1]}
        cells = _cells(units)
        rows = {i for i, _ in cells}
        cols = {j for _, j in cells}
        rank = min(rank, len(rows), len(cols))
        step = node.get("step")
        children = node.get("children", [])
        if not isinstance(children, list):
            raise _Rejected(f"{where}.children is not a list")
        if step == "zero":
            self._arity(children, 0, where)
            if rank != 0:
                raise _Rejected(f"{where}: zero step on a claim of rank {rank}")
            return
        if step in ("hyperplane span", "hyperplane span (columns)"):
            self._arity(children, 0, where)
            self._span(units, rank, step.endswith("(columns)"), where)
            return
        k = node.get("unit")
        if isinstance(k, bool) or k not in units:
            raise _Rejected(f"{where}: unit {k!r} is not a unit of the claim")
        R, C = units[k]
        rest = {m: u for m, u in units.items() if m != k}
        if step == "box":
            self._arity(children, 0, where)
            if rank != 1 or not (rows <= R and cols <= C):
                raise _Rejected(f"{where}: box step needs rank 1 (claim: {rank}) and unit {k} to contain the box")
        elif step == "peel":
            self._arity(children, 1, where)
            deficiency = len(rows - R) + len(cols - C)
            if _cells(rest) != cells:
                raise _Rejected(f"{where}: without unit {k} the cells change")
            if deficiency >= rank:
                raise _Rejected(f"{where}: unit {k} has deficiency {deficiency} ≥ rank {rank}")
            self.walk(children[0], rest, rank - 1, f"{where}.children[0]")
        elif step == "drop":
            self._arity(children, 1, where)
            if _cells(rest) != cells:
                raise _Rejected(f"{where}: without unit {k} the cells change")
            self.walk(children[0], rest, rank, f"{where}.children[0]")
        elif step in ("private row", "private column"):
            self._arity(children, 2, where)
            column = step == "private column"
            i = node.get("line")
            flip = (lambda us: {m: (c, r) for m, (r, c) in us.items()}) if column else (lambda us: us)
            t_units, t_rest = flip(units), flip(rest)
            t_R, t_C = t_units[k]
            t_rows = cols if column else rows
            others = _cells(t_rest)
            if isinstance(i, bool) or not isinstance(i, int) or i not in t_R:
                raise _Rejected(f"{where}: line {i!r} is not a line of unit {k}")
            if any(i in u[0] for u in t_rest.values()):
                raise _Rejected(f"{where}: line {i} is not private to unit {k}")
            if not t_rows <= t_R:
                raise _Rejected(f"{where}: unit {k} does not have every line of the claim's cells")
            if any((a, b) not in others for a in t_R if a != i for b in t_C):
                raise _Rejected(f"{where}: the other units do not cover unit {k}'s cells off line {i}")
            shrunk = dict(t_units)
            shrunk[k] = (t_R - {i}, t_C)
            self.walk(children[0], rest, rank - 1, f"{where}.children[0]")
            self.walk(children[1], flip(shrunk), rank, f"{where}.children[1]")
        elif step == "owned block" and root:
            self._owned(node, children, units, rank, k, where)
        elif step in ("pivot row", "pivot column"):
            column = step == "pivot column"
            i = node.get("line")
            flip = (lambda us: {m: (c, r) for m, (r, c) in us.items()}) if column else (lambda us: us)
            t_units, t_rest = flip(units), flip(rest)
            t_R, t_C = t_units[k]
            t_cells = _cells(t_units)
            self._arity(children, len(t_C) + 1, where)
            if isinstance(i, bool) or not isinstance(i, int) or i not in t_R:
                raise _Rejected(f"{where}: line {i!r} is not a line of unit {k}")
            if any(i in u[0] for u in t_rest.values()):
                raise _Rejected(f"{where}: line {i} is not private to unit {k}")
            if any(a not in t_R for a, b in t_cells if b in t_C):
                raise _Rejected(f"{where}: a cross line of line {i} leaves unit {k}")
            for n, j in enumerate(sorted(t_C)):
                cut = {m: (r - {i}, c - {j}) for m, (r, c) in t_rest.items()}
                cut = {m: u for m, u in cut.items() if u[0] and u[1]}
                if _cells(cut) != {(a, b) for a, b in t_cells if a != i and b != j}:
                    raise _Rejected(f"{where}: off line {i} and cross line {j} the other units do not cover the cells")
                self.walk(children[n], flip(cut), rank - 1, f"{where}.children[{n}]")
            shrunk = dict(t_units)
            shrunk[k] = (t_R - {i}, t_C)
            self.walk(children[-1], flip(shrunk), rank, f"{where}.children[{len(t_C)}]")
        else:
            raise _Rejected(f"{where}: unknown step {step!r}")

    def _owned(self, node: dict, children: list, units: Units, rank: int, k: int, where: str) -> None:
        """Owned-block step (root only, ``docs/theory.md`` "Owned-block lemma")."""
        R, C = units[k]
        rest = {m: u for m, u in units.items() if m != k}
        cells = _cells(units)
        block, takers = node.get("block"), node.get("takers")
        if not (isinstance(block, list) and len(block) == 2 and all(isinstance(s, list) and s for s in block)
                and all(isinstance(v, int) and not isinstance(v, bool) for s in block for v in s)):
            raise _Rejected(f"{where}: block should be [rows, cols], both non-empty integer lists")
        Rb, Cb = set(block[0]), set(block[1])
        own = {(i, j) for i in Rb for j in Cb}
        if not own <= {(i, j) for i in R for j in C} or own & _cells(rest):
            raise _Rejected(f"{where}: the block is not covered by unit {k} alone")
        rows, cols = {i for i, _ in cells}, {j for _, j in cells}
        Rc, Cc = rows - Rb, cols - Cb
        if rank > 3 and min(len(Rb), len(Cc)) > 1 and min(len(Rc), len(Cb)) > 1:
            raise _Rejected(f"{where}: rank {rank} > 3 and both blocks beside the owned block are 2×2 or more")
        self._arity(children, len(own) + 2, where)
        for n, (i, j) in enumerate(sorted(own)):
            if any(b not in C for a, b in cells if a == i) or any(a not in R for a, b in cells if b == j):
                raise _Rejected(f"{where}: the cross of ({i}, {j}) leaves unit {k}")
            cut = {m: (r - {i}, c - {j}) for m, (r, c) in rest.items()}
            cut = {m: u for m, u in cut.items() if u[0] and u[1]}
            if _cells(cut) != {(a, b) for a, b in cells if a != i and b != j} - own:
                raise _Rejected(f"{where}: off row {i}, column {j} and the block the other units do not cover the cells")
            self.walk(children[n], cut, rank - 1, f"{where}.children[{n}]")
        if not (isinstance(takers, list) and len(takers) == 2 and all(t in units and not isinstance(t, bool) for t in takers)):
            raise _Rejected(f"{where}: takers should be two units")
        for n, (m, lines, transposed) in enumerate(((takers[0], Rb, False), (takers[1], Cb, True))):
            Rm, Cm = units[m]
            if not ((Rc <= Rm and Cb <= Cm) if transposed else (Rb <= Rm and Cc <= Cm)):
                raise _Rejected(f"{where}: unit {m} does not contain the block beside the owned block")
            if transposed:
                kept = {(a, b) for a, b in cells if b not in lines}
                sub = {q: (r, c - lines) for q, (r, c) in units.items() if q != m}
            else:
                kept = {(a, b) for a, b in cells if a not in lines}
                sub = {q: (r - lines, c) for q, (r, c) in units.items() if q != m}
            sub = {q: u for q, u in sub.items() if u[0] and u[1]}
            if _cells(sub) != kept:
                raise _Rejected(f"{where}: without unit {m} the remaining units do not cover the cells left")
            self.walk(children[len(own) + n], sub, rank, f"{where}.children[{len(own) + n}]")

    @staticmethod
    def _span(units: Units, rank: int, column: bool, where: str) -> None:
        """Hyperplane span: every unit has every row (column), one more column (row) than
        units, ρ ≤ |U|, and Rado's condition ``|D_M| − c_Z(M) ≥ |M|`` for all non-empty Z, M."""
        t_units = {m: (c, r) for m, (r, c) in units.items()} if column else units
        rows = set().union(*(r for r, _ in t_units.values()))
        cols = sorted(set().union(*(c for _, c in t_units.values())))
        n = len(t_units)
        if n > 12 or any(r != rows for r, _ in t_units.values()):
            raise _Rejected(f"{where}: not every unit has every {'column' if column else 'row'} (or more than 12 units)")
        if len(cols) != n + 1 or rank > n:
            raise _Rejected(f"{where}: {len(cols)} lines for {n} units and rank {rank}: a hyperplane needs |U| + 1 lines")
        sets = [c for _, c in t_units.values()]
        for zmask in range(1, 1 << len(cols)):
            Z = {c for b, c in enumerate(cols) if zmask >> b & 1}
            for mmask in range(1, 1 << n):
                chosen = [c for b, c in enumerate(sets) if mmask >> b & 1]
                if len(set().union(*chosen)) - _components([c & Z for c in chosen]) < len(chosen):
                    raise _Rejected(f"{where}: Rado's condition fails for the support {sorted(Z)}")

    @staticmethod
    def _arity(children: list, count: int, where: str) -> None:
        if len(children) != count:
            raise _Rejected(f"{where}: {count} sub-proof(s) expected, {len(children)} given")


def check_peeling_proof(proof: Any, report: VerificationReport, where: str = "peeling") -> list[tuple[set[int], set[int]]] | None:
    """Re-check one peeling proof; record the outcome in ``report``.  Returns the part's units
    (for the caller's checks against the pattern) when every step's hypotheses hold, else None."""
    units, rank = _parse(proof, where)
    walk = _Walk()
    try:
        walk.walk(field(proof, "tree", dict, where), units, rank, f"{where}.tree", root=True)
    except _Rejected as problem:
        report.fail(f"{where}: {problem}")
        return None
    tree = proof["tree"]
    owned = (f" with rank ≤ 1 on the block {tree['block'][0]}×{tree['block'][1]} (owned-block lemma)"
             if tree.get("step") == "owned block" else "")
    report.passed(
        f"{where}: the {len(units)} unit(s) produce every matrix of rank ≤ {rank} on their {len(_cells(units))} cell(s){owned}: "
        f"the hypotheses of all {walk.nodes} step(s) hold (rank-one peeling lemma)"
    )
    return [(set(r), set(c)) for r, c in units.values()]
