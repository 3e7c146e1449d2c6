"""``A ∉ P`` by a Nullstellensatz identity, re-derived from the pattern and the limit.

*Weak Nullstellensatz* (``docs/theory.md`` §5): if ``Σ_i c_i f_i = c`` with c a nonzero
constant, the polynomials ``f_i`` have no common zero (over ℂ, hence over ℝ).

The certificate's ``f_i`` must be the system ``X Yᵀ = A`` over the obstruction units U
(every other unit emptied), as :func:`closure_check.algebra.system.membership_system`
writes it: one equation per cell (i, j) covered by a unit of U or with ``A[i,j] ≠ 0``,

    f_(i,j) = q · Σ_{k ∈ U, I[i,k] = J[j,k] = 1} x_i_k · y_j_k − p,   A[i,j] = p/q,

in the variables ``x_i_k`` (``I[i,k] = 1``) and ``y_j_k`` (``J[j,k] = 1``), k ∈ U.  The
verifier rebuilds this system itself and compares it equation by equation.  It then
checks that no unit outside U covers a cell with an equation: a product ``X Yᵀ = A`` in P
would then give, through its columns k ∈ U, a common zero of every ``f_i``.  Finally it
expands ``Σ c_i f_i`` exactly and compares it with the nonzero constant c.

That last comparison, :func:`check_identity_equations`, takes the rebuilt system as it
is: the chain verifier (``chains.curve.check_chain_identity``) runs it on ``W_1 ⋯ W_N = A``.
"""

from __future__ import annotations

from fractions import Fraction

from .parse import Malformed, cell, field, rational
from .pattern import Pattern
from .polynomial import Polynomial, add, monomial, multiply, parse_polynomial, show
from .report import VerificationReport, cell_text

__all__ = ["check_identity", "check_identity_equations", "membership_equations"]

Cell = tuple[int, int]


def membership_equations(pattern: Pattern, A: dict[Cell, Fraction], units: list[int]) -> dict[Cell, Polynomial]:
    """The system ``X Yᵀ = A`` over ``units``, one polynomial per cell."""
    terms: dict[Cell, Polynomial] = {}
    for k in sorted(units):
        for i in pattern.I.of(k):
            for j in pattern.J.of(k):
                key = monomial({f"x_{i}_{k}": 1, f"y_{j}_{k}": 1})
                terms.setdefault((i, j), {})[key] = Fraction(1)
    for at, value in A.items():
        if value:
            terms.setdefault(at, {})
    equations = {}
    for at, linear in terms.items():
        value = A.get(at, Fraction(0))
        scaled = {m: c * value.denominator for m, c in linear.items()}
        equations[at] = add(scaled, {(): Fraction(-value.numerator)} if value else {})
    return equations


def check_identity_equations(
    identity: dict, expected: dict[Cell, Polynomial], shape: tuple[int, int], system: str,
    report: VerificationReport, name: str = "Nullstellensatz identity",
) -> None:
    """Check that ``identity`` is ``Σ c_i f_i = c ≠ 0`` with the ``f_i`` exactly ``expected``.

    ``expected`` is the system (written ``system`` in messages, e.g. ``"W_1⋯W_N = A"``)
    rebuilt by the verifier, one polynomial per cell of a ``shape`` matrix: the
    certificate must give the same equation for every cell and no other, and
    ``Σ c_i f_i`` must expand exactly to its nonzero ``constant``.  ``name`` starts the
    message recording success.
    """
    before = len(report.problems)
    seen: set[Cell] = set()
    total: Polynomial = {}
    for index, item in enumerate(field(identity, "equations", list, "proof.identity")):
        where = f"proof.identity.equations[{index}]"
        at = cell(field(item, "cell", list, where), shape, f"{where}.cell")
        if at in seen:
            raise Malformed(f"{where}: cell {at} has two equations")
        seen.add(at)
        f = parse_polynomial(field(item, "f", list, where), f"{where}.f")
        c = parse_polynomial(field(item, "c", list, where), f"{where}.c")
        if at not in expected:
            report.fail(f"the identity has an equation for cell {cell_text(at)}, which has none in {system}")
        elif f != expected[at]:
            report.fail(f"the equation for cell {cell_text(at)} is {show(f)}, but {system} gives {show(expected[at])}")
        total = add(total, multiply(c, f))
    for at in sorted(set(expected) - seen):
        report.fail(f"the identity has no equation for cell {cell_text(at)} of {system}")
    constant = rational(field(identity, "constant", str, "proof.identity"), "proof.identity.constant")
    if constant == 0:
        report.fail("the Nullstellensatz constant is 0: the identity proves nothing")
    elif total != {(): constant}:
        report.fail(f"Nullstellensatz identity expands to {show(total)}, not the constant {constant}")
    if len(report.problems) == before:
        report.passed(
            f"{name} re-derived: the {len(expected)} equations of {system} are the certificate's, "
            f"and Σ c_i f_i expands to {constant} ≠ 0, so A ∉ P"
        )


def check_identity(proof: dict, units: list[int], A: dict[Cell, Fraction], pattern: Pattern, report: VerificationReport) -> None:
    """Check that ``proof["identity"]`` is ``Σ c_i f_i = c ≠ 0`` for ``X Yᵀ = A`` over ``units``."""
    identity = field(proof, "identity", dict, "proof")
    expected = membership_equations(pattern, A, units)
    before = len(report.problems)
    allowed = set(units)
    for at in sorted(expected):
        extra = sorted(pattern.covering(*at) - allowed)
        if extra:
            report.fail(f"cell {cell_text(at)} has an equation but is also covered by unit(s) {extra}, not obstruction units {units}")
    if len(report.problems) == before:
        report.passed(f"every cell of the system X Yᵀ = A over units {units} is covered by no other unit")
    check_identity_equations(identity, expected, pattern.shape, f"X Yᵀ = A over units {units}", report)
