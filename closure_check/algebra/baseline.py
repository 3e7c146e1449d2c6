"""The baseline: the authors' closedness sentence handed to z3, for any ``(I, J)``.

The project measures itself against this.  Its verdicts are *recorded*, never used:
no verdict of the library rests on this module.  The one use inside the library is as
a search: on *sat*, z3's witness A is handed to the certifier
(:func:`closure_check.two_factor.engine.refute_with_sentence`), and a NOT CLOSED verdict follows only
if a Nullstellensatz identity and an exact Laurent curve are found for that A.

The sentence (MATH.md §2, "Decidability") says that some A is a limit of products but
not a product::

    ∃A [ ∀X,Y respecting (I, J): X Yᵀ ≠ A ] ∧ [ ∀ε>0 ∃X',Y' respecting (I, J): max_ij |(X'Y'ᵀ − A)_ij| < ε ]

so *sat* means ``P_{I,J}`` is **not** closed (z3's model gives a limit point A outside
P) and *unsat* means it **is** closed.  Anything else — z3's ``unknown``, its own
timeout, or the hard wall-clock kill — is UNKNOWN.

>>> from closure_check.families import diagonal
>>> result = baseline_verdict(diagonal(2), seconds=5.0)
>>> result.verdict
'closed'

Notes
-----
Source: the public repository ``tung-qle/topo_sparse_NN`` [NeurIPS code].  The scripts
``quantifiersElimination/LU2x2.py`` and ``quantifiersElimination/fullsupport.py``
(commit 5096b3d) and ``LU3x3.py`` (commit 2f50d53; stored at the repository root in the
copy we read, although issue 4 cites it as ``quantifiersElimination/LU3x3.py``) contain
the same function ``closedness(support2, support1)``, each hard-coded to one pattern
(2×2 LU, 2×2 dense with two units, 3×3 triangular factors).

*Kept* from that function, to the letter:

* all ``m·r`` entries of X and ``n·r`` entries of Y are variables, and the support is
  imposed by equalities ``x_ik = 0`` (``I_ik = 0``), ``y_jk = 0`` (``J_jk = 0``) — the
  encoding issue 4 found to do better than dropping the variables;
* variable names (``a.i.j``, ``x1.i.k``, ``y1.j.k``, ``eps``, ``x2.i.k``, ``y2.j.k``),
  entries built with ``Sum``/``Product``;
* "not a product": ``ForAll(X1 + Y1, Implies(supp, Or(XY1_ij != a_ij)))``;
* "a limit": ``ForAll(eps, Exists(X2 + Y2, And(supp, Or(eps <= 0, limit))))`` with the
  ε-ball in the max norm, ``XY2_ij − a_ij < eps`` and ``a_ij − XY2_ij < eps`` for all
  (i, j);
* A left free (so satisfiability is the ∃A), the two parts asserted separately into
  ``SolverFor("NRA")``, one call to ``check()``; unsat ⇒ closed, sat ⇒ not closed,
  unknown ⇒ undecided.

*Generalised / added*:

* any two-factor support ``(I, J)`` (``I`` m×r, ``J`` n×r, in the papers' ``X Yᵀ``
  convention of :mod:`closure_check.core.support`), or a chain of two factors.  The script
  takes ``(support2, support1)`` = (mask of X, mask of ``Yᵀ``) and transposes the second;
  here ``J`` is already the mask of Y;
* a time limit: z3's own ``timeout`` parameter *and* a hard kill of the forked
  subprocess that runs z3 after ``seconds + GRACE_SECONDS`` (the script has neither);
* fixed seeds (``smt.random_seed``, ``sat.random_seed``, ``nlsat.seed`` = 0).  z3's
  timeout is wall-clock, so a pattern that finishes close to the limit can still flip
  between runs;
* on *sat*, the witness A read from z3's model, in ``detail`` (informative only).

The subprocess, its wall-clock kill and its memory limit (``MEMORY_MB`` extra MiB) come
from :func:`closure_check.core.budget.run_with_budget`.

References
----------
[NeurIPS] Q.-T. Le, E. Riccietti, R. Gribonval, "Does a sparse ReLU network training
problem always admit an optimum?", NeurIPS 2023, arXiv:2306.02666; code at
https://github.com/tung-qle/topo_sparse_NN.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from closure_check.core.budget import Effort, run_with_budget
from closure_check.core.support import ChainSupport, SupportError, TwoFactorSupport

__all__ = ["BaselineResult", "baseline_verdict", "closedness_sentence"]

#: Seconds granted after z3's own timeout before the subprocess is killed.
GRACE_SECONDS = 1.0
#: Extra address space (MiB) the z3 subprocess may use (``run_with_budget``).
MEMORY_MB = 4096
#: The seed given to every z3 random source.
SEED = 0


@dataclass(frozen=True)
class BaselineResult:
    """What the authors' sentence said about one pattern.

    Attributes
    ----------
    verdict
        ``"closed"`` (z3: unsat), ``"not-closed"`` (z3: sat) or ``"unknown"``.
    seconds
        Wall-clock time, measured in the calling process (subprocess start included).
    detail
        z3's answer in words: the witness A on sat, the reason on unknown, or the budget
        outcome (``timeout``, ``memory``, ``crashed``) with its detail.
    witness
        On sat, when every entry of z3's limit point is rational: A as cell → Fraction
        (nonzero entries; unconstrained entries completed by z3's model as 0).  Data
        for a certifier to check, never a proof.
    """

    verdict: str
    seconds: float
    detail: str
    witness: dict[tuple[int, int], Fraction] | None = None


def _two_factor(support: TwoFactorSupport | ChainSupport) -> TwoFactorSupport:
    if isinstance(support, ChainSupport):
        return support.to_two_factor()
    if not isinstance(support, TwoFactorSupport):
        raise SupportError(f"expected a TwoFactorSupport or a 2-factor ChainSupport, got {type(support).__name__}")
    return support


def _sentence_parts(support: TwoFactorSupport | ChainSupport) -> tuple[Any, Any, list[Any]]:
    """The two conjuncts of the sentence, and the variables ``a.i.j`` of A (row-major)."""
    import z3

    pair = _two_factor(support)
    I = pair.I.toarray()
    J = pair.J.toarray()
    m, r = I.shape
    n = J.shape[0]

    A = z3.Reals([f"a.{i}.{j}" for i in range(m) for j in range(n)])
    X1 = z3.Reals([f"x1.{i}.{k}" for i in range(m) for k in range(r)])
    Y1 = z3.Reals([f"y1.{j}.{k}" for j in range(n) for k in range(r)])
    eps = z3.Real("eps")
    X2 = z3.Reals([f"x2.{i}.{k}" for i in range(m) for k in range(r)])
    Y2 = z3.Reals([f"y2.{j}.{k}" for j in range(n) for k in range(r)])

    def respects(X: list[Any], Y: list[Any]) -> Any:
        return z3.And(
            [X[i * r + k] == 0 for i in range(m) for k in range(r) if I[i, k] == 0]
            + [Y[j * r + k] == 0 for j in range(n) for k in range(r) if J[j, k] == 0]
        )

    def product(X: list[Any], Y: list[Any]) -> list[Any]:
        return [
            z3.Sum([z3.Product(X[i * r + k], Y[j * r + k]) for k in range(r)]) if r else z3.RealVal(0)
            for i in range(m)
            for j in range(n)
        ]

    XY1 = product(X1, Y1)
    XY2 = product(X2, Y2)
    cells = [(i, j) for j in range(n) for i in range(m)]
    not_a_product = z3.Or([XY1[i * n + j] != A[i * n + j] for i, j in cells])
    within_eps = z3.And(
        [XY2[i * n + j] - A[i * n + j] < eps for i, j in cells]
        + [A[i * n + j] - XY2[i * n + j] < eps for i, j in cells]
    )
    outside = z3.ForAll(X1 + Y1, z3.Implies(respects(X1, Y1), not_a_product))
    limit = z3.ForAll([eps], z3.Exists(X2 + Y2, z3.And(respects(X2, Y2), z3.Or(eps <= 0, within_eps))))
    return outside, limit, A


def closedness_sentence(support: TwoFactorSupport | ChainSupport) -> Any:
    """The authors' sentence for ``(I, J)``: satisfiable iff ``P_{I,J}`` is not closed.

    Parameters
    ----------
    support
        A two-factor support, or a chain of exactly two factors.

    Returns
    -------
    z3.BoolRef
        ``And(outside, limit)`` with the entries ``a.i.j`` of A free (the outer ∃A is
        satisfiability):  ``outside`` = ``∀X1,Y1 (supp ⇒ X1 Y1ᵀ ≠ A)``, ``limit`` =
        ``∀ε ∃X2,Y2 (supp ∧ (ε ≤ 0 ∨ max|X2 Y2ᵀ − A| < ε))``.

    Raises
    ------
    SupportError
        If the support is a chain of a length other than 2.

    Notes
    -----
    Every entry of X and Y is a variable; the support is imposed by ``= 0`` constraints,
    as in ``quantifiersElimination/LU2x2.py`` of ``tung-qle/topo_sparse_NN``.  See the
    module docstring for what is kept and what is generalised.
    """
    import z3

    outside, limit, _ = _sentence_parts(support)
    return z3.And(outside, limit)


def _value_text(value: Any) -> str:
    import z3

    if value is None:
        return "*"
    if z3.is_rational_value(value):
        return str(value.as_fraction())
    if z3.is_algebraic_value(value):
        return value.approx(6).as_decimal(6)
    return str(value)


def _decide(
    support: TwoFactorSupport, seconds: float, effort: Effort | None = None
) -> tuple[str, str, dict[tuple[int, int], Fraction] | None]:
    """Pose the sentence to ``SolverFor("NRA")`` in this process: (verdict, detail, witness).

    Limited by z3's ``timeout`` of ``seconds`` (the authors' setting, for the baseline), or
    by ``effort`` (z3's resource counter, deterministic) when the engine uses it as a search.
    """
    import z3

    z3.set_param("smt.random_seed", SEED)
    z3.set_param("sat.random_seed", SEED)
    z3.set_param("nlsat.seed", SEED)
    outside, limit, A = _sentence_parts(support)
    solver = z3.SolverFor("NRA")
    if effort is None:
        solver.set("timeout", max(1, int(seconds * 1000)))
    else:
        solver.set("rlimit", effort.z3_rlimit())
    solver.add(outside)
    solver.add(limit)
    answer = solver.check()
    if effort is not None:
        effort.charge_z3(solver)
    if answer == z3.unsat:
        return "closed", "z3 SolverFor('NRA'): unsat", None
    if answer == z3.sat:
        m, n = support.shape
        model = solver.model()
        values = [_value_text(model[a]) for a in A]
        rows = "; ".join(", ".join(values[i * n : (i + 1) * n]) for i in range(m))
        completed = [model.eval(a, model_completion=True) for a in A]
        witness = None
        if all(z3.is_rational_value(v) for v in completed):
            witness = {
                (index // n, index % n): Fraction(v.numerator_as_long(), v.denominator_as_long())
                for index, v in enumerate(completed)
                if v.numerator_as_long() != 0
            }
        return "not-closed", f"z3 SolverFor('NRA'): sat, limit point A = [{rows}] ('*': any value)", witness
    return "unknown", f"z3 SolverFor('NRA'): unknown ({solver.reason_unknown()})", None


def baseline_verdict(
    support: TwoFactorSupport | ChainSupport, seconds: float = 20.0, effort: Effort | None = None
) -> BaselineResult:
    """Pose the authors' sentence to z3 within ``seconds``: a *baseline*, never a decision.

    Parameters
    ----------
    support
        A two-factor support, or a chain of exactly two factors.
    seconds
        z3's own timeout; the subprocess is killed at ``seconds + GRACE_SECONDS``.
    effort
        Instead of the timeout, z3's resource limit from this effort (charged with what
        z3 spent): the engine's use of the sentence as a search, deterministic.  The
        subprocess is then killed at :meth:`~closure_check.core.budget.Effort.safety`.

    Returns
    -------
    BaselineResult
        ``"not-closed"`` on sat, ``"closed"`` on unsat, ``"unknown"`` on z3's unknown,
        on its timeout, on the kill, or on any error in the subprocess.

    Raises
    ------
    SupportError
        If the support is a chain of a length other than 2.

    Notes
    -----
    z3 runs in a forked subprocess (:func:`closure_check.core.budget.run_with_budget`, the
    ``"fork"`` multiprocessing context, ``MEMORY_MB`` MiB of extra address space), so a
    z3 stuck in native code (should it ever overrun its own timeout) cannot block the
    caller: it is killed at ``seconds + GRACE_SECONDS``.
    Seeds are fixed; the answer can still depend on the time limit.
    """
    import z3  # noqa: F401  -- imported before the fork: an ImportError shows here, and the child never imports

    pair = _two_factor(support)
    if effort is None:
        outcome = run_with_budget(
            _decide, pair, float(seconds), seconds=float(seconds) + GRACE_SECONDS, memory_mb=MEMORY_MB
        )
    else:
        outcome = run_with_budget(
            _decide, pair, 0.0, effort, seconds=effort.safety(), memory_mb=MEMORY_MB, effort=effort
        )
    if outcome.ok:
        verdict, detail, witness = outcome.value
        return BaselineResult(verdict, outcome.seconds, detail, witness)
    return BaselineResult("unknown", outcome.seconds, f"{outcome.status}: {outcome.detail}")
