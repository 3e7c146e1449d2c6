"""An independent membership test for the cross-checks: is ``A`` in ``P`` over ℂ?

Builds ``X Yᵀ − A = 0`` with one variable per allowed entry of X and Y, and computes a
Gröbner basis with python-flint (over ℤ[v], equations scaled by the
denominators of A; a constant in the basis means the ideal contains a nonzero integer,
hence 1 over ℚ). A basis ``{c}`` with c a nonzero constant means the
system has no complex solution, hence no real one: ``A ∉ P``. Shares no code with the
combinatorial rules.
"""

from __future__ import annotations

from fractions import Fraction

import flint

from closure_check.core.support import TwoFactorSupport


def has_no_complex_solution(support: TwoFactorSupport, limit: dict[tuple[int, int], Fraction]) -> bool | None:
    """True if the Gröbner basis is {1}; False if not; None if the size limits stop it."""
    I, J = support.I.tocoo(), support.J.tocoo()
    x_entries = list(zip(I.row.tolist(), I.col.tolist()))
    y_entries = list(zip(J.row.tolist(), J.col.tolist()))
    count = len(x_entries) + len(y_entries)
    ctx = flint.fmpz_mpoly_ctx.get(("v", max(count, 1)), "degrevlex")
    gens = ctx.gens()
    x = {entry: gens[i] for i, entry in enumerate(x_entries)}
    y = {entry: gens[len(x_entries) + i] for i, entry in enumerate(y_entries)}
    m, n = support.shape
    equations = []
    for i in range(m):
        for j in range(n):
            value = Fraction(limit.get((i, j), 0))
            poly = ctx.from_dict({}) - value.numerator
            for k in range(support.rank):
                if (i, k) in x and (j, k) in y:
                    poly += value.denominator * x[(i, k)] * y[(j, k)]
            if poly != 0:
                equations.append(poly)
    if any(p.is_constant() and p != 0 for p in equations):
        return True
    if not equations:
        return False
    basis, complete = flint.fmpz_mpoly_vec(equations, ctx).buchberger_naive(limits=(400, 4000, 4096))
    if not complete:
        return None
    return any(p.is_constant() and p != 0 for p in basis)
