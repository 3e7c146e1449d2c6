"""Census of the chains of three 2×2 supports, decided by :func:`~closure_check.chains.engine.decide_chain`.

The 16³ = 4096 chains ``(I_1, I_2, I_3)`` fall into classes under the symmetries that
keep closedness (``docs/theory.md §6``, "Chain symmetries"): permuting the
outer rows (rows of ``I_1``), the outer columns (columns of ``I_3``), each inner index
(columns of ``I_ℓ`` together with rows of ``I_{ℓ+1}``), and reversal with transposition
``(I_1, I_2, I_3) → (I_3ᵀ, I_2ᵀ, I_1ᵀ)``.  A chain with an all-zero factor has
``P = {0}``, closed; the others are decided one class representative at a time.

>>> classes = chain_classes()
>>> sum(c.size for c in classes), sum(c.size for c in classes if not c.zero_factor)
(4096, 3375)
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from closure_check.chains.check import check_chain
from closure_check.chains.engine import decide_chain
from closure_check.core.case import Verdict
from closure_check.core.support import ChainSupport
from closure_check.result import CheckResult

__all__ = [
    "ChainCensus",
    "ChainCensusEntry",
    "ChainClass",
    "ShapedClass",
    "chain_census_2x2",
    "chain_census_shaped",
    "chain_classes",
    "criterion_of",
    "shaped_classes",
]

Key = tuple[int, ...]
"""A chain as the concatenated row-major entries of its factors."""


@dataclass(frozen=True)
class ChainClass:
    """One symmetry class: its smallest member (as a key), its size, and whether a factor is 0."""

    key: Key
    size: int
    zero_factor: bool

    def chain(self, size: int = 2, length: int = 3) -> ChainSupport:
        """The representative as a :class:`ChainSupport` of ``length`` square ``size×size`` factors."""
        blocks = np.array(self.key, dtype=np.int8).reshape(length, size, size)
        return ChainSupport(tuple(blocks))


def _images(factors: tuple[np.ndarray, ...], size: int) -> set[Key]:
    """Keys of every chain in the class of ``factors``."""
    permutations = [np.eye(size, dtype=np.int8)[list(p)] for p in itertools.permutations(range(size))]
    images = set()
    for reverse in (False, True):
        chain = tuple(f.T for f in reversed(factors)) if reverse else factors
        for perms in itertools.product(permutations, repeat=len(chain) + 1):
            moved = (perms[level] @ f @ perms[level + 1].T for level, f in enumerate(chain))
            images.add(tuple(int(v) for f in moved for v in f.flat))
    return images


def chain_classes(size: int = 2, length: int = 3) -> list[ChainClass]:
    """Every chain of ``length`` square ``size×size`` supports, by symmetry class (smallest key first).

    Enumerates all ``2^(length·size²)`` chains: meant for tiny cases (2×2, three factors).
    """
    seen: set[Key] = set()
    classes = []
    for key in itertools.product((0, 1), repeat=length * size * size):
        if key in seen:
            continue
        factors = tuple(np.array(key, dtype=np.int8).reshape(length, size, size))
        images = _images(factors, size)
        seen |= images
        classes.append(ChainClass(min(images), len(images), any(not f.any() for f in factors)))
    return sorted(classes, key=lambda c: c.key)


@dataclass(frozen=True)
class ShapedClass:
    """One symmetry class of chains with dimensions ``dims`` (factor ℓ is ``dims[ℓ-1] × dims[ℓ]``).

    ``key`` is the smallest member as the concatenated row-major entries of its factors.
    """

    dims: tuple[int, ...]
    key: Key
    size: int
    zero_factor: bool

    def chain(self) -> ChainSupport:
        """The representative as a :class:`ChainSupport`."""
        factors, start = [], 0
        for rows, cols in zip(self.dims, self.dims[1:]):
            factors.append(np.array(self.key[start:start + rows * cols], dtype=np.int8).reshape(rows, cols))
            start += rows * cols
        return ChainSupport(tuple(factors))


def _position_maps(dims: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The symmetry group as permutations of entry positions: ``image[p] = key[map[p]]``.

    Permutations of every index set ``[dims[ℓ]]`` (outer rows, inner indices, outer columns),
    and, when ``dims`` is a palindrome, reversal with transposition (``docs/theory.md §6``,
    "Chain symmetries").
    """
    offsets = [0]
    for rows, cols in itertools.pairwise(dims):
        offsets.append(offsets[-1] + rows * cols)
    maps = []
    for perms in itertools.product(*(itertools.permutations(range(d)) for d in dims)):
        # the image factor ℓ has entry (perms[ℓ][a], perms[ℓ+1][b]) = original (a, b)
        mapping = [0] * offsets[-1]
        for level, (rows, cols) in enumerate(itertools.pairwise(dims)):
            for a in range(rows):
                for b in range(cols):
                    mapping[offsets[level] + perms[level][a] * cols + perms[level + 1][b]] = offsets[level] + a * cols + b
        maps.append(tuple(mapping))
    if tuple(reversed(dims)) == tuple(dims):
        length = len(dims) - 1
        transposed = [0] * offsets[-1]
        for level, (rows, cols) in enumerate(itertools.pairwise(dims)):
            source = length - 1 - level  # image factor ℓ is the transpose of factor N-1-ℓ (cols × rows there)
            for a in range(rows):
                for b in range(cols):
                    transposed[offsets[level] + a * cols + b] = offsets[source] + b * rows + a
        maps += [tuple(transposed[m] for m in mapping) for mapping in maps]
    return maps


def shaped_classes(dims: Sequence[int]) -> list[ShapedClass]:
    """Every chain with dimensions ``dims``, by symmetry class (smallest key first).

    Enumerates all ``2^(Σ dims[ℓ]·dims[ℓ+1])`` chains once each, marking whole orbits:
    meant for small shapes (2×3·3×2·2×3: 2^18 chains, 144 symmetries).
    """
    dims = tuple(int(d) for d in dims)
    maps = _position_maps(dims)
    width = sum(rows * cols for rows, cols in itertools.pairwise(dims))
    offsets = [0]
    for rows, cols in itertools.pairwise(dims):
        offsets.append(offsets[-1] + rows * cols)
    seen = bytearray(1 << width)
    classes = []
    for code in range(1 << width):
        if seen[code]:
            continue
        key = tuple((code >> (width - 1 - p)) & 1 for p in range(width))
        images = set()
        for mapping in maps:
            image = tuple(key[m] for m in mapping)
            value = 0
            for bit in image:
                value = (value << 1) | bit
            images.add(value)
        for value in images:
            seen[value] = 1
        smallest = min(images)
        zero = any(not any(key[start:end]) for start, end in itertools.pairwise(offsets))
        classes.append(ShapedClass(dims, tuple((smallest >> (width - 1 - p)) & 1 for p in range(width)), len(images), zero))
    return sorted(classes, key=lambda c: c.key)


def criterion_of(result: CheckResult) -> str:
    """The lemma or criterion that decided a result: the name ending its last reason."""
    if result.verdict is Verdict.UNKNOWN or not result.reasons:
        return "none"
    last = result.reasons[-1]
    return last[last.rindex("(") + 1:-1] if last.endswith(")") else "none"


@dataclass(frozen=True)
class ChainCensusEntry:
    """A decided class: its representative key and size, the verdict, the criterion, the time,
    whether a CLOSED verdict rests on an engine record (Zariski-closure criterion), and what
    was tried when it is UNKNOWN."""

    key: Key
    size: int
    verdict: str
    criterion: str
    seconds: float
    engine_record: bool = False
    undecided: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChainCensus:
    """The decided classes, plus the classes with a zero factor (closed, not run).

    Attributes
    ----------
    entries
        One per decided class.
    zero_factor_classes, zero_factor_chains
        Classes and chains with an all-zero factor.
    seconds
        Budget given to :func:`decide_chain` per class.
    """

    entries: tuple[ChainCensusEntry, ...]
    zero_factor_classes: int
    zero_factor_chains: int
    seconds: float

    def counts(self) -> dict[str, tuple[int, int]]:
        """Verdict → (classes, chains) over the decided classes (zero-factor ones not included)."""
        result = {verdict.value: (0, 0) for verdict in Verdict}
        for entry in self.entries:
            classes, chains = result[entry.verdict]
            result[entry.verdict] = (classes + 1, chains + entry.size)
        return result

    def engine_record_counts(self) -> tuple[int, int]:
        """(classes, chains) decided CLOSED on an engine record, among the closed ones."""
        recorded = [entry for entry in self.entries if entry.verdict == Verdict.CLOSED.value and entry.engine_record]
        return len(recorded), sum(entry.size for entry in recorded)

    def criterion_counts(self) -> dict[str, tuple[int, int]]:
        """Criterion → (classes, chains) over the decided classes."""
        classes = Counter(entry.criterion for entry in self.entries)
        chains: Counter = Counter()
        for entry in self.entries:
            chains[entry.criterion] += entry.size
        return {name: (classes[name], chains[name]) for name in sorted(classes)}

    def criterion_seconds(self) -> dict[str, tuple[float, float]]:
        """Criterion → (total, median) seconds of :func:`decide_chain` over its classes."""
        times: dict[str, list[float]] = {}
        for entry in self.entries:
            times.setdefault(entry.criterion, []).append(entry.seconds)
        return {name: (sum(values), statistics.median(values)) for name, values in sorted(times.items())}

    def total_seconds(self) -> float:
        """Sum of the per-class times."""
        return sum(entry.seconds for entry in self.entries)

    def median_seconds(self) -> float:
        """Median per-class time (0 without entries)."""
        return statistics.median(entry.seconds for entry in self.entries) if self.entries else 0.0


def chain_census_2x2(seconds: float = 5.0, stride: int = 1) -> ChainCensus:
    """Decide the chains of three 2×2 supports, one representative per class.

    Parameters
    ----------
    seconds
        Budget of :func:`decide_chain` per class.
    stride
        Decide every ``stride``-th class without a zero factor (1: all of them), in the
        order of :func:`chain_classes`: a deterministic sample.
    """
    classes = chain_classes(2, 3)
    zero = [c for c in classes if c.zero_factor]
    entries = []
    for chain_class in [c for c in classes if not c.zero_factor][::stride]:
        start = time.monotonic()
        result = decide_chain(chain_class.chain(), seconds)
        elapsed = time.monotonic() - start
        entries.append(ChainCensusEntry(
            chain_class.key, chain_class.size, result.verdict.value, criterion_of(result), elapsed, result.engine_record
        ))
    return ChainCensus(tuple(entries), len(zero), sum(c.size for c in zero), seconds)


def chain_census_shaped(dims: Sequence[int], seconds: float = 5.0, stride: int = 1) -> ChainCensus:
    """Decide every chain with dimensions ``dims``, one representative per class, by ``check_chain``.

    :func:`closure_check.chains.check.check_chain` reduces the chain exactly (empty inner
    indices, partial-permutation factors, full pairs), hands two factors to the two-factor
    classifier, tries the chainable rule and the Jordan sandwich lemma, and runs the chain
    engine with ``seconds`` of effort on what is left.

    Parameters
    ----------
    dims
        Factor ℓ is ``dims[ℓ-1] × dims[ℓ]`` (e.g. ``(2, 3, 2, 3)``: 2×3 · 3×2 · 2×3).
    seconds
        Effort of ``check_chain`` per class.
    stride
        Decide every ``stride``-th class without a zero factor (1: all of them).
    """
    classes = shaped_classes(dims)
    zero = [c for c in classes if c.zero_factor]
    entries = []
    for chain_class in [c for c in classes if not c.zero_factor][::stride]:
        start = time.monotonic()
        result = check_chain(chain_class.chain(), seconds)
        elapsed = time.monotonic() - start
        entries.append(ChainCensusEntry(
            chain_class.key, chain_class.size, result.verdict.value, criterion_of(result), elapsed,
            result.engine_record, tuple(result.undecided),
        ))
    return ChainCensus(tuple(entries), len(zero), sum(c.size for c in zero), seconds)
