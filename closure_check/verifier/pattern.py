"""The support pattern ``(I, J)`` of a certificate, and which units cover which cell.

Unit k covers cell (i, j) iff ``I[i,k] = 1`` and ``J[j,k] = 1``: its rectangle is
``R_k × C_k`` with ``R_k = {i : I[i,k] = 1}``, ``C_k = {j : J[j,k] = 1}``.

Each of ``I`` (m×r) and ``J`` (n×r) is a :class:`Side`: its nonzeros stored unit by
unit in two flat ``array`` objects (``indptr``, ``indices``, as in a CSC matrix), so
that a pattern with tens of millions of nonzeros takes 4 bytes per nonzero, and the
rectangle of a unit is a slice whose bytes can be compared and hashed at C speed.  The
certificate may write a side in three ways (``docs/certificates.md``):

* a list of ``[index, unit]`` pairs (every version);
* ``{"encoding": "columns", "indptr": …, "indices": …}``: the two arrays in base64,
  little-endian int64 and int32 (version 2);
* ``{"encoding": "kronecker", "parameters": [a, b, c, d]}``: the support
  ``I_a ⊗ 1_{b×c} ⊗ I_d`` (version 2), expanded here.

>>> lu = parse_pattern({"m": 2, "n": 2, "r": 2, "I": [[0, 0], [1, 0], [1, 1]], "J": [[0, 0], [1, 0], [1, 1]]})
>>> sorted(lu.covering(1, 1)), sorted(lu.covering(0, 1))
([0, 1], [0])
>>> kron = parse_pattern({"m": 4, "n": 4, "r": 4, "I": {"encoding": "kronecker", "parameters": [1, 2, 2, 2]},
...                       "J": {"encoding": "kronecker", "parameters": [2, 2, 2, 1]}}, version=2)
>>> list(kron.I.of(1)), list(kron.J.of(1)), list(kron.I.line(0))
([1, 3], [0, 1], [0, 2])
"""

from __future__ import annotations

import base64
import binascii
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from itertools import accumulate, islice, repeat
from operator import le, lt
from typing import Any, Iterator

from .parse import Malformed, field, integer

__all__ = [
    "MAX_NONZEROS", "MAX_SIDE", "Pattern", "Side", "decode_array", "kronecker_columns", "kronecker_parameters",
    "kronecker_side", "parse_pairs", "parse_pattern", "parse_side", "side_from_pairs",
]

MAX_SIDE = 10**7
MAX_NONZEROS = 4 * 10**8
"""A side with more nonzeros is rejected as too large to check (1.6 GB of indices)."""

_INDEX, _POINTER = "i", "q"
assert array(_INDEX).itemsize == 4 and array(_POINTER).itemsize == 8


def decode_array(text: Any, typecode: str, where: str) -> array:
    """A base64 string of little-endian integers (``"i"``: int32, ``"q"``: int64) as an ``array``."""
    if not isinstance(text, str):
        raise Malformed(f"{where} should be a base64 string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed(f"{where} is not valid base64") from None
    values = array(typecode)
    if len(raw) % values.itemsize:
        raise Malformed(f"{where}: {len(raw)} bytes is not a whole number of {8 * values.itemsize}-bit integers")
    values.frombytes(raw)
    if sys.byteorder != "little":
        values.byteswap()
    return values


def kronecker_columns(a: int, b: int, c: int, d: int) -> array:
    """The row indices of ``I_a ⊗ 1_{b×c} ⊗ I_d`` column by column (``abcd`` of them).

    Column ``(α, γ, δ) = α c d + γ d + δ`` holds the rows ``α b d + β d + δ``, β < b.
    Built with slice assignments of whole arithmetic progressions, ``min(a·min(b, d),
    b c d)`` of them, so at copy speed; the rows of the pattern are the columns of
    ``I_a ⊗ 1_{c×b} ⊗ I_d``.
    """
    values = array(_INDEX, bytes(4 * a * b * c * d))
    if a * min(b, d) <= b * c * d:
        block = array(_INDEX, bytes(4 * b * d))  # one column group γ: positions δ b + β
        for alpha in range(a):
            base = alpha * b * d
            if b <= d:
                for beta in range(b):
                    block[beta::b] = array(_INDEX, range(base + beta * d, base + (beta + 1) * d))
            else:
                for delta in range(d):
                    block[delta * b:(delta + 1) * b] = array(_INDEX, range(base + delta, base + b * d, d))
            values[alpha * b * c * d:(alpha + 1) * b * c * d] = block * c
    else:
        stride = b * c * d  # position (α, γ, δ, β) = α b c d + (γ d + δ) b + β, value α b d + β d + δ
        for gamma in range(c):
            for delta in range(d):
                for beta in range(b):
                    values[(gamma * d + delta) * b + beta::stride] = array(_INDEX, range(beta * d + delta, a * b * d, b * d))
    return values


class Side:
    """A 0/1 matrix with ``size`` index values (rows of I, or columns of the product for J) and r units.

    The indices of unit k are ``indices[indptr[k]:indptr[k+1]]``, strictly increasing.
    :meth:`line` gives the other orientation (the units of one index), built on first
    use: by expanding the parameters for a Kronecker pattern, else by one pass over the
    nonzeros.
    """

    def __init__(self, size: int, r: int, indptr: array, indices: array, kronecker: tuple[int, int, int, int] | None = None):
        self.size, self.r, self.indptr, self.indices, self.kronecker = size, r, indptr, indices, kronecker
        self._lines: tuple[array, array] | None = None
        self._searched = 0
        self._view = memoryview(indices)

    # ------------------------------------------------------------------ by unit

    @property
    def nnz(self) -> int:
        """Number of nonzeros."""
        return len(self.indices)

    def count(self, k: int) -> int:
        """``|R_k|`` (the number of indices of unit k)."""
        return self.indptr[k + 1] - self.indptr[k]

    def of(self, k: int) -> array:
        """The indices of unit k, increasing."""
        return self.indices[self.indptr[k]:self.indptr[k + 1]]

    def key(self, k: int) -> bytes:
        """The indices of unit k as bytes: equal keys, equal index sets."""
        return self._view[self.indptr[k]:self.indptr[k + 1]].tobytes()

    def set_of(self, k: int) -> frozenset[int]:
        """The indices of unit k as a set."""
        return frozenset(self.of(k))

    def has(self, index: int, k: int) -> bool:
        """Whether the matrix has a 1 at ``(index, k)``."""
        lo, hi = self.indptr[k], self.indptr[k + 1]
        at = bisect_left(self.indices, index, lo, hi)
        return at < hi and self.indices[at] == index

    def pairs(self) -> Iterator[tuple[int, int]]:
        """Every nonzero ``(index, unit)``, unit by unit."""
        for k in range(self.r):
            for i in self.of(k):
                yield (i, k)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Side) and (self.size, self.r) == (other.size, other.r)
                and self.indptr == other.indptr and self.indices == other.indices)

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ by index

    def _build_lines(self) -> tuple[array, array]:
        if self.kronecker is not None:
            a, b, c, d = self.kronecker
            return array(_POINTER, range(0, self.size * c + 1, c)), kronecker_columns(a, c, b, d)
        indptr, indices = self.indptr, self.indices
        if 8 * self.size <= len(indices):
            # dense enough: one list per index, appended at C speed unit by unit
            lists: list[list[int]] = [[] for _ in range(self.size)]
            get, append = lists.__getitem__, list.append
            for k in range(self.r):
                lo, hi = indptr[k], indptr[k + 1]
                if lo < hi:
                    deque(map(append, map(get, indices[lo:hi]), repeat(k)), maxlen=0)
            line_indices = array(_INDEX)
            for units_of in lists:
                line_indices.extend(units_of)
            return array(_POINTER, accumulate(map(len, lists), initial=0)), line_indices
        # sparse: counting sort of the nonzeros by index, units in increasing order within an index
        counts = [0] * (self.size + 1)
        for index in indices:
            counts[index + 1] += 1
        line_indptr = array(_POINTER, accumulate(counts))
        units = array(_INDEX)
        for k in range(self.r):
            units.extend(repeat(k, indptr[k + 1] - indptr[k]))
        position = list(line_indptr)
        line_indices = array(_INDEX, bytes(4 * len(indices)))
        for index, k in zip(indices, units):
            at = position[index]
            line_indices[at] = k
            position[index] = at + 1
        return line_indptr, line_indices

    def lines(self) -> tuple[array, array]:
        """``(indptr, indices)`` by index: the units of index i are ``indices[indptr[i]:indptr[i+1]]``, increasing."""
        if self._lines is None:
            self._lines = self._build_lines()
        return self._lines

    def line(self, index: int) -> array:
        """The units whose indices contain ``index``, increasing.

        Before :meth:`lines` is built, a line is found by a binary search in every unit
        (``O(r log nnz)``); once such searches have cost as much as one pass over the
        nonzeros, :meth:`lines` is built instead.
        """
        if self._lines is None and self._searched + self.r <= len(self.indices):
            self._searched += self.r
            return array(_INDEX, [k for k in range(self.r) if self.has(index, k)])
        indptr, indices = self.lines()
        return indices[indptr[index]:indptr[index + 1]]


def parse_pairs(value: Any, where: str, shape: tuple[int, int], names: str = "index, unit") -> frozenset[tuple[int, int]]:
    """A list of distinct pairs ``[a, b]`` with ``0 ≤ a < shape[0]``, ``0 ≤ b < shape[1]`` (``names`` in messages)."""
    if not isinstance(value, list):
        raise Malformed(f"{where} should be a list of [{names}] pairs")
    pairs = set()
    for p, item in enumerate(value):
        if not isinstance(item, list) or len(item) != 2:
            raise Malformed(f"{where}[{p}] is not a pair [{names}]")
        pair = (integer(item[0], f"{where}[{p}]", 0, shape[0]), integer(item[1], f"{where}[{p}]", 0, shape[1]))
        if pair in pairs:
            raise Malformed(f"{where} lists {list(pair)} twice")
        pairs.add(pair)
    return frozenset(pairs)


def side_from_pairs(pairs: frozenset[tuple[int, int]], size: int, r: int) -> Side:
    """The :class:`Side` with the nonzeros ``pairs`` ``(index, unit)``."""
    by_unit = sorted(pairs, key=lambda pair: (pair[1], pair[0]))
    indptr, indices = array(_POINTER, [0] * (r + 1)), array(_INDEX, [i for i, _ in by_unit])
    for _, k in by_unit:
        indptr[k + 1] += 1
    for k in range(r):
        indptr[k + 1] += indptr[k]
    return Side(size, r, indptr, indices)


def kronecker_parameters(obj: dict, where: str, size: int, r: int) -> tuple[int, int, int, int]:
    """The parameters ``(a, b, c, d)`` of a ``kronecker`` encoding, checked against the side's size ``size × r``."""
    raw = field(obj, "parameters", list, where)
    if len(raw) != 4:
        raise Malformed(f"{where}.parameters should be [a, b, c, d], got {len(raw)} values")
    a, b, c, d = (integer(v, f"{where}.parameters[{p}]", 1, MAX_SIDE + 1) for p, v in enumerate(raw))
    if (a * b * d, a * c * d) != (size, r):
        raise Malformed(f"{where}: the pattern [{a}, {b}, {c}, {d}] is {a * b * d}×{a * c * d}, the side is {size}×{r}")
    if a * b * c * d > MAX_NONZEROS:
        raise Malformed(f"{where}: {a * b * c * d} nonzeros, more than the {MAX_NONZEROS} this verifier checks")
    return a, b, c, d


def kronecker_side(parameters: tuple[int, int, int, int]) -> Side:
    """The :class:`Side` ``I_a ⊗ 1_{b×c} ⊗ I_d``."""
    a, b, c, d = parameters
    return Side(a * b * d, a * c * d, array(_POINTER, range(0, a * c * d * b + 1, b)), kronecker_columns(a, b, c, d),
                kronecker=parameters)


def _kronecker_side(obj: dict, where: str, size: int, r: int) -> Side:
    return kronecker_side(kronecker_parameters(obj, where, size, r))


def _columns_side(obj: dict, where: str, size: int, r: int) -> Side:
    indptr = decode_array(field(obj, "indptr", str, where), _POINTER, f"{where}.indptr")
    indices = decode_array(field(obj, "indices", str, where), _INDEX, f"{where}.indices")
    if len(indptr) != r + 1:
        raise Malformed(f"{where}.indptr has {len(indptr)} entries, r + 1 = {r + 1} expected")
    if indptr[0] != 0 or indptr[-1] != len(indices):
        raise Malformed(f"{where}.indptr should run from 0 to the number of indices {len(indices)}")
    if len(indices) > MAX_NONZEROS:
        raise Malformed(f"{where}: {len(indices)} nonzeros, more than the {MAX_NONZEROS} this verifier checks")
    if not all(map(le, indptr, islice(indptr, 1, None))):
        raise Malformed(f"{where}.indptr decreases")
    # strictly increasing within each unit: a step that does not increase must cross a unit boundary
    steps = bytes(map(lt, indices, islice(indices, 1, None)))
    boundaries = None
    at = steps.find(0)
    while at >= 0:
        if boundaries is None:
            boundaries = set(indptr)
        if at + 1 not in boundaries:
            unit = bisect_right(indptr, at + 1) - 1
            raise Malformed(f"{where}.indices of unit {unit} are not strictly increasing (an index repeats or is out of order)")
        at = steps.find(0, at + 1)
    # then each unit's first index is its least and its last its greatest
    for k in range(r):
        lo, hi = indptr[k], indptr[k + 1]
        if lo < hi and (indices[lo] < 0 or indices[hi - 1] >= size):
            raise Malformed(f"{where}.indices: an index of unit {k} is out of range [0, {size})")
    return Side(size, r, indptr, indices)


def parse_side(value: Any, where: str, size: int, r: int, version: int, names: str = "index, unit") -> Side:
    """One side of a pattern: a list of pairs, or (version 2) a ``columns`` or ``kronecker`` encoding."""
    if isinstance(value, list):
        return side_from_pairs(parse_pairs(value, where, (size, r), names), size, r)
    if not isinstance(value, dict):
        raise Malformed(f"{where} should be a list of [{names}] pairs or an encoded pattern")
    encoding = field(value, "encoding", str, where)
    if version < 2:
        raise Malformed(f"{where}: the {encoding!r} encoding needs certificate version 2, this one says {version}")
    if encoding == "kronecker":
        return _kronecker_side(value, where, size, r)
    if encoding == "columns":
        return _columns_side(value, where, size, r)
    raise Malformed(f"{where}: unknown encoding {encoding!r} (expected columns or kronecker)")


class Pattern:
    """``I`` (m×r) and ``J`` (n×r), each a :class:`Side`.

    Attributes
    ----------
    m, n, r
        Rows of the product, columns of the product, units.
    I, J
        ``R_k = I.of(k)`` and ``C_k = J.of(k)``, increasing arrays; ``I.line(i)`` are the
        units whose rectangle has row i.
    """

    def __init__(self, m: int, n: int, r: int, I: Side, J: Side):
        self.m, self.n, self.r, self.I, self.J = m, n, r, I, J

    @property
    def shape(self) -> tuple[int, int]:
        """``(m, n)``."""
        return (self.m, self.n)

    def covering(self, i: int, j: int) -> frozenset[int]:
        """The units whose rectangle contains cell ``(i, j)``."""
        return frozenset(self.I.line(i)) & frozenset(self.J.line(j))

    def in_I(self, i: int, k: int) -> bool:
        """``I[i,k] = 1``."""
        return self.I.has(i, k)

    def in_J(self, j: int, k: int) -> bool:
        """``J[j,k] = 1``."""
        return self.J.has(j, k)


def parse_pattern(obj: Any, version: int = 1) -> Pattern:
    """Read ``{"m", "n", "r", "I", "J"}``; raise :class:`Malformed` on any inconsistency."""
    if not isinstance(obj, dict):
        raise Malformed("pattern is not a JSON object")
    m = integer(field(obj, "m", int, "pattern"), "pattern.m", 0, MAX_SIDE)
    n = integer(field(obj, "n", int, "pattern"), "pattern.n", 0, MAX_SIDE)
    r = integer(field(obj, "r", int, "pattern"), "pattern.r", 0, MAX_SIDE)
    I = parse_side(field(obj, "I", (list, dict), "pattern"), "pattern.I", m, r, version)
    J = parse_side(field(obj, "J", (list, dict), "pattern"), "pattern.J", n, r, version)
    return Pattern(m, n, r, I, J)
