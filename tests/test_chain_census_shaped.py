"""Symmetry classes of chains of any shape (``closure_check.chains.census.shaped_classes``).

Cross-checks: the 2×2 classes against the older enumerator (``chain_classes``, images of
each chain by matrix products), the number of classes against Burnside's lemma, and the
verdict of ``check_chain`` on random chains against that on a random symmetric image.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from closure_check.chains.census import _position_maps, chain_classes, shaped_classes
from closure_check.chains.check import check_chain
from closure_check.core.support import ChainSupport


def _burnside(dims: tuple[int, ...]) -> int:
    """Number of orbits: the average over the group of 2^(cycles of the position permutation)."""
    maps = _position_maps(dims)
    total = 0
    for mapping in maps:
        seen, cycles = set(), 0
        for start in range(len(mapping)):
            if start in seen:
                continue
            cycles += 1
            p = start
            while p not in seen:
                seen.add(p)
                p = mapping[p]
        total += 2 ** cycles
    assert total % len(maps) == 0
    return total // len(maps)


def test_two_by_two_classes_agree_with_the_matrix_enumerator():
    shaped = shaped_classes((2, 2, 2, 2))
    older = chain_classes()
    assert sorted((c.key, c.size, c.zero_factor) for c in shaped) == sorted((c.key, c.size, c.zero_factor) for c in older)


@pytest.mark.parametrize("dims", [(2, 3, 2), (3, 2, 3), (2, 2, 2, 2), (2, 3, 2, 3)])
def test_class_count_is_burnsides(dims):
    classes = shaped_classes(dims)
    width = sum(a * b for a, b in zip(dims, dims[1:]))
    assert sum(c.size for c in classes) == 2 ** width
    assert len(classes) == _burnside(dims)


def test_group_sizes():
    assert len(_position_maps((2, 3, 2, 3))) == 2 * 6 * 2 * 6  # not a palindrome: no reversal
    assert len(_position_maps((2, 3, 3, 2))) == 2 * 2 * 6 * 6 * 2  # palindrome: reversal doubles it


def _factors(key: tuple[int, ...], dims: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    factors, start = [], 0
    for rows, cols in zip(dims, dims[1:]):
        factors.append(np.array(key[start:start + rows * cols], dtype=np.int8).reshape(rows, cols))
        start += rows * cols
    return tuple(factors)


def test_verdicts_are_invariant_under_the_symmetries():
    dims = (2, 3, 2, 3)
    maps = _position_maps(dims)
    generator = random.Random(3)
    for _ in range(8):
        key = tuple(int(generator.random() < 0.6) for _ in range(18))
        image = tuple(key[m] for m in generator.choice(maps))
        first = check_chain(ChainSupport(_factors(key, dims)), 2.0).verdict
        second = check_chain(ChainSupport(_factors(image, dims)), 2.0).verdict
        if "unknown" not in (first.value, second.value):
            assert first == second


def test_representative_is_the_smallest_member():
    classes = shaped_classes((2, 3, 2))
    maps = _position_maps((2, 3, 2))
    for chain_class in classes:
        assert min(tuple(chain_class.key[m] for m in mapping) for mapping in maps) == chain_class.key
        assert chain_class.chain().length == 2
