"""The loss ``L(X, Y) = ‖A − X Yᵀ‖²_F`` on its free entries, its gradient and Hessian.

The parameters are the entries ``X[i,k]`` with ``I[i,k] = 1`` and ``Y[j,k]`` with
``J[j,k] = 1`` (:class:`Parameters`, X's entries first, each side row-major).  With the
residual ``R = X Yᵀ − A``,

    ∂L/∂X[a,k] = 2 Σ_b R[a,b] Y[b,k],        ∂L/∂Y[b,k] = 2 Σ_a R[a,b] X[a,k],
    ∂²L/∂X[a,k]∂X[a',k'] = 2 δ_{aa'} Σ_b Y[b,k] Y[b,k'],
    ∂²L/∂Y[b,k]∂Y[b',k'] = 2 δ_{bb'} Σ_a X[a,k] X[a,k'],
    ∂²L/∂X[a,k]∂Y[b,k'] = 2 (X[a,k'] Y[b,k] + δ_{kk'} R[a,b]).

:func:`gradient` and :func:`hessian` evaluate these formulas in any ring whose elements
add and multiply with Python integers: floats for the search, python-flint ``arb`` balls
for the certificate (:mod:`closure_check.landscape.certify`), where every result is an
enclosure.  :func:`exact_loss` is the loss in ``fractions.Fraction``.  The float loss and
gradient of the search (:meth:`Parameters.loss_and_gradient`) use numpy.

>>> from closure_check.core.support import TwoFactorSupport
>>> params = Parameters.of(TwoFactorSupport.from_dense([[1, 0], [1, 1]], [[1, 0], [1, 1]]))
>>> params.entries
(('X', 0, 0), ('X', 1, 0), ('X', 1, 1), ('Y', 0, 0), ('Y', 1, 0), ('Y', 1, 1))
>>> A = [[1, 0], [0, 0]]
>>> X, Y = params.matrices([0, 2, 2, 0, 2, -2])
>>> exact_loss(A, X, Y)
Fraction(1, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from closure_check.core.support import TwoFactorSupport

__all__ = ["Entry", "Parameters", "exact_loss", "gradient", "hessian", "loss", "residual"]

Entry = tuple[str, int, int]
"""A parameter: ``("X", i, k)`` or ``("Y", j, k)``."""


@dataclass(frozen=True)
class Parameters:
    """The free entries of ``X`` (m×r, ``supp X ⊆ I``) and ``Y`` (n×r, ``supp Y ⊆ J``)."""

    m: int
    n: int
    r: int
    entries: tuple[Entry, ...]

    @classmethod
    def of(cls, support: TwoFactorSupport) -> Parameters:
        I = support.I.toarray().astype(bool)
        J = support.J.toarray().astype(bool)
        entries = [("X", int(i), int(k)) for i, k in zip(*np.nonzero(I))]
        entries += [("Y", int(j), int(k)) for j, k in zip(*np.nonzero(J))]
        return cls(I.shape[0], J.shape[0], I.shape[1], tuple(entries))

    @property
    def size(self) -> int:
        return len(self.entries)

    def matrices(self, values: Sequence[Any], zero: Any = 0) -> tuple[list[list[Any]], list[list[Any]]]:
        """``X`` and ``Y`` as nested lists, structural zeros ``zero``, from one value per entry."""
        X = [[zero] * self.r for _ in range(self.m)]
        Y = [[zero] * self.r for _ in range(self.n)]
        for (side, i, k), value in zip(self.entries, values, strict=True):
            (X if side == "X" else Y)[i][k] = value
        return X, Y

    def _index_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        xs = [(i, k) for side, i, k in self.entries if side == "X"]
        ys = [(j, k) for side, j, k in self.entries if side == "Y"]
        xi = np.array([e[0] for e in xs], dtype=np.int64)
        xk = np.array([e[1] for e in xs], dtype=np.int64)
        yj = np.array([e[0] for e in ys], dtype=np.int64)
        yk = np.array([e[1] for e in ys], dtype=np.int64)
        return xi, xk, yj, yk

    def float_function(self, A: np.ndarray):
        """``θ ↦ (L(θ), ∇L(θ))`` in floats (numpy), for a local optimiser."""
        xi, xk, yj, yk = self._index_arrays()
        nx = len(xi)

        def function(theta: np.ndarray) -> tuple[float, np.ndarray]:
            X = np.zeros((self.m, self.r))
            Y = np.zeros((self.n, self.r))
            X[xi, xk] = theta[:nx]
            Y[yj, yk] = theta[nx:]
            R = X @ Y.T - A
            gX = 2.0 * (R @ Y)
            gY = 2.0 * (R.T @ X)
            return float(np.sum(R * R)), np.concatenate([gX[xi, xk], gY[yj, yk]])

        return function


def residual(A: Sequence[Sequence[Any]], X: list[list[Any]], Y: list[list[Any]]) -> list[list[Any]]:
    """``R = X Yᵀ − A`` entry by entry, in the ring of the entries."""
    r = len(X[0]) if X else 0
    return [[sum((X[a][k] * Y[b][k] for k in range(r)), 0) - A[a][b] for b in range(len(Y))] for a in range(len(X))]


def loss(A: Sequence[Sequence[Any]], X: list[list[Any]], Y: list[list[Any]]) -> Any:
    """``Σ R[a,b]²`` in the ring of the entries (for balls: an enclosure, see :func:`squares_lower`)."""
    return sum((value * value for row in residual(A, X, Y) for value in row), 0)


def exact_loss(A: Sequence[Sequence[Any]], X: list[list[Any]], Y: list[list[Any]]) -> Fraction:
    """``‖A − X Yᵀ‖²_F`` exactly, every number read as a ``Fraction``."""
    to = lambda rows: [[Fraction(v) for v in row] for row in rows]
    return Fraction(loss(to(A), to(X), to(Y)))


def gradient(params: Parameters, A: Sequence[Sequence[Any]], X: list[list[Any]], Y: list[list[Any]]) -> list[Any]:
    """``∇L`` at ``(X, Y)``, one value per entry of ``params`` (formulas in the module docstring)."""
    R = residual(A, X, Y)
    out = []
    for side, i, k in params.entries:
        if side == "X":
            out.append(2 * sum((R[i][b] * Y[b][k] for b in range(params.n)), 0))
        else:
            out.append(2 * sum((R[a][i] * X[a][k] for a in range(params.m)), 0))
    return out


def hessian(
    params: Parameters, A: Sequence[Sequence[Any]], X: list[list[Any]], Y: list[list[Any]], rows: Sequence[int]
) -> list[list[Any]]:
    """The Hessian of L restricted to the entries ``rows`` (indices into ``params.entries``)."""
    R = residual(A, X, Y)

    def second(p: Entry, q: Entry) -> Any:
        if p[0] == q[0]:
            if p[1] != q[1]:
                return 0
            if p[0] == "X":
                return 2 * sum((Y[b][p[2]] * Y[b][q[2]] for b in range(params.n)), 0)
            return 2 * sum((X[a][p[2]] * X[a][q[2]] for a in range(params.m)), 0)
        (a, k), (b, l) = (p[1:], q[1:]) if p[0] == "X" else (q[1:], p[1:])
        value = X[a][l] * Y[b][k]
        return 2 * (value + R[a][b]) if k == l else 2 * value

    chosen = [params.entries[index] for index in rows]
    return [[second(p, q) for q in chosen] for p in chosen]
