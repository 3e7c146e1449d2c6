"""Is training a masked network well-posed?  The verdicts for a set of pruning masks.

From the per-layer masks ``M_1, …, M_L`` of a multilayer perceptron (framework convention,
``out × in``: :mod:`closure_check.io.masks`) this module answers, each with its proof:

* **the linear chain** -- is ``P = {W_L ⋯ W_1 : supp W_ℓ ⊆ M_ℓ}`` closed?  It is the chain
  ``ChainSupport((M_L, …, M_1))`` (``docs/theory.md`` §6), decided by
  :func:`~closure_check.chains.check.check_chain`.  Not closed means: some target linear
  map has no best approximation with these masks (the fixed-support problem has no
  optimum), and, for the ReLU network, some finite data set has no optimum (§7);
* **each consecutive pair** ℓ, ℓ+1 (networks of three or more layers) -- is
  ``{W_{ℓ+1} W_ℓ}`` closed?  The two-factor support ``I = M_{ℓ+1}``, ``J = M_ℓᵀ``, decided
  by :func:`closure_check.decide.check`.  A pair is a diagnostic that names where an
  obstruction sits; it does **not** decide the chain (a non-closed pair can sit inside a
  closed chain: ``docs/theory.md`` §6, diag·upper·lower vs upper·lower·upper);
* **the ReLU network** (optional) -- does training with these masks (biases on by default)
  have an optimum for every finite data set?  :func:`~closure_check.networks.relu.relu_optimum`.

>>> import numpy as np, scipy.sparse as sp
>>> from pathlib import Path
>>> from closure_check.io.masks import MaskSet
>>> lower, upper = sp.csr_array(np.tril(np.ones((2, 2), np.int8))), sp.csr_array(np.triu(np.ones((2, 2), np.int8)))
>>> report = mask_report(MaskSet(Path("lu.npz"), ("fc1", "fc2"), ("fc1.mask", "fc2.mask"), (upper, lower)), relu=True)
>>> report.chain.verdict.value, report.relu.verdict.value
('not-closed', 'no')
"""

from __future__ import annotations

from dataclasses import dataclass

from closure_check.chains.check import check_chain
from closure_check.core.support import ChainSupport
from closure_check.decide import check
from closure_check.io.masks import MaskSet
from closure_check.networks.relu import ReluAnswer, relu_optimum
from closure_check.networks.spec import ReluSpec
from closure_check.result import CheckResult

__all__ = ["PairResult", "MaskReport", "chain_of_masks", "mask_report"]


@dataclass(frozen=True)
class PairResult:
    """The verdict on two consecutive layers ``first`` (applied first) and ``second``.

    ``result`` decides ``{W_second W_first}``: two-factor support ``I = M_second``,
    ``J = M_firstᵀ`` (rows: outputs of ``second``; columns: inputs of ``first``; units:
    the hidden neurons between them).
    """

    first: str
    second: str
    result: CheckResult


@dataclass(frozen=True)
class MaskReport:
    """Everything :func:`mask_report` found; see the module docstring."""

    masks: MaskSet
    spec: ReluSpec
    chain: CheckResult
    pairs: tuple[PairResult, ...]
    relu: ReluAnswer | None


def chain_of_masks(masks: MaskSet) -> ChainSupport:
    """The linear set of the masked network: ``ChainSupport((M_L, …, M_1))`` (reversed order)."""
    return ChainSupport(tuple(reversed(masks.masks)))


def mask_report(masks: MaskSet, relu: bool = False, biases: bool = True, budget: float = 0.0) -> MaskReport:
    """Decide the chain of the masks, each consecutive pair, and (``relu``) the ReLU question.

    Parameters
    ----------
    masks
        The layers in forward order, each mask ``out × in``.
    relu
        Also answer whether training the ReLU network always has an optimum.
    biases
        Whether every layer has a bias (the ReLU question only).
    budget
        Seconds for the algebraic stages of each check (0: the proved rules only).

    Returns
    -------
    MaskReport
        The chain's :class:`~closure_check.result.CheckResult` (with its certificate when
        decided), one :class:`PairResult` per consecutive pair when there are three or
        more layers (with two, the pair is the chain), and the ReLU answer or None.
    """
    spec = ReluSpec(layers=masks.masks, biases=(biases,) * len(masks.masks), name=masks.path.stem)
    chain = check_chain(spec.chain(), budget=budget)
    pairs: tuple[PairResult, ...] = ()
    if len(masks.masks) >= 3:
        pairs = tuple(
            PairResult(first, second, check(ChainSupport((outer, inner)), budget=budget))
            for first, second, inner, outer in zip(masks.names, masks.names[1:], masks.masks, masks.masks[1:])
        )
    answer = relu_optimum(spec, budget=budget, chain_result=chain) if relu else None
    return MaskReport(masks, spec, chain, pairs, answer)
