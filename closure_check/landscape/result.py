"""The answer of :func:`closure_check.landscape.landscape`: a verdict with its justification.

A sibling of :class:`closure_check.result.CheckResult` with the same conventions: a
frozen dataclass with a verdict, the reasons in words, the certificate object,
:meth:`LandscapeResult.certificate_json` (the versioned JSON certificate,
``"kind": "landscape"``, ``docs/certificates.md``), :meth:`LandscapeResult.summary_json`
(one JSON line for ``--json``), :meth:`LandscapeResult.text` (the terminal text) and a
Jupyter display (``_repr_markdown_``).  Rendering lives here, below the CLI, and never
feeds back into the verdict.

Verdicts (``docs/theory.md`` §8):

* ``benign`` -- the class rectangles are pairwise disjoint (units with equal rectangles
  grouped): no spurious local minimum for any target (*decoupling lemma*; no spurious
  valley either [SIMAX, landscape section]);
* ``spurious-minimum`` -- certified (:class:`~closure_check.landscape.certify.SpuriousMinimum`);
* ``unknown`` -- some runs stopped above the best loss seen and could not be certified
  (for instance a non-strict minimum), or the search was not run;
* ``none-found`` -- every run ended at the best loss seen or diverged: numerical
  evidence only, not a proof.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any

from closure_check.core.support import TwoFactorSupport
from closure_check.landscape.certify import SpuriousMinimum
from closure_check.result import Tractability

__all__ = ["LANDSCAPE_KIND", "LandscapeResult", "LandscapeVerdict", "RunCluster"]

LANDSCAPE_KIND = "landscape"
FORMAT = "closure-check-certificate"
VERSION = 2


class LandscapeVerdict(str, Enum):
    BENIGN = "benign"
    SPURIOUS = "spurious-minimum"
    UNKNOWN = "unknown"
    NONE_FOUND = "none-found"


@dataclass(frozen=True)
class RunCluster:
    """Random-start runs that ended at one loss value (floats: a description, not a claim)."""

    loss: float
    runs: int
    diverging: int
    converged: bool
    loss_high: float | None = None
    """For the group of runs still descending: the highest final loss (``loss`` is the lowest)."""
    norm_high: float | None = None
    """For that group: the largest final ‖θ‖."""


@dataclass(frozen=True)
class LandscapeResult:
    """Is the landscape of ``L(X, Y) = ‖A − X Yᵀ‖²_F`` benign, and if not, where is it stuck?

    Attributes
    ----------
    verdict
        :class:`LandscapeVerdict`.
    reasons
        The argument in words, each sentence naming its lemma or theorem.
    tractability
        The tractability class of the support (``two_factor/tractability.py``).
    target
        ``A`` (rationals) for a search or a certificate; None for BENIGN (every target).
    minimum
        For ``spurious-minimum``: the certificate object.
    clusters
        Where the random starts of the (last) target ended, lowest loss first.
    starts, seed, method
        The search: number of starts per target, seed, local method.
    targets_tried
        How many targets were searched (1 with ``matrix``).
    undecided
        For ``unknown``: what was tried and why it did not certify.
    support
        The pattern.
    """

    verdict: LandscapeVerdict
    reasons: tuple[str, ...]
    tractability: Tractability = Tractability.NOT_KNOWN
    target: tuple[tuple[Fraction, ...], ...] | None = None
    minimum: SpuriousMinimum | None = None
    clusters: tuple[RunCluster, ...] = ()
    starts: int = 0
    seed: int = 0
    method: str = ""
    targets_tried: int = 0
    undecided: tuple[str, ...] = ()
    support: TwoFactorSupport | None = field(default=None, repr=False, compare=False)
    final_losses: tuple[float, ...] = field(default=(), repr=False, compare=False)
    """The final loss of every start of the last target searched (for the histogram of ``--plot``)."""

    # ------------------------------------------------------------------ JSON

    def summary_json(self) -> dict:
        """The verdict, reasons and search summary (floats allowed: the search is numerics)."""
        return {
            "verdict": self.verdict.value,
            "tractability": self.tractability.value,
            "reasons": list(self.reasons),
            "undecided": list(self.undecided),
            "target": _matrix_json(self.target),
            "search": self._search_json(),
        }

    def _search_json(self) -> dict | None:
        if not self.starts:
            return None
        return {
            "method": self.method,
            "starts": self.starts,
            "seed": self.seed,
            "targets_tried": self.targets_tried,
            "clusters": [
                {"loss": c.loss, "runs": c.runs, "diverging": c.diverging, "converged": c.converged,
                 **({"loss_high": c.loss_high, "norm_high": c.norm_high} if not c.converged else {})}
                for c in self.clusters
            ],
        }

    def certificate_json(self, name: str = "") -> dict:
        """The versioned certificate (``docs/certificates.md``, "Landscape certificates")."""
        from closure_check import __version__

        cert: dict[str, Any] = {"format": FORMAT, "version": VERSION, "kind": LANDSCAPE_KIND}
        if name:
            cert["name"] = name
        cert["producer"] = f"closure-check {__version__}"
        cert["verdict"] = self.verdict.value
        cert["tractability"] = self.tractability.value
        cert["reasons"] = list(self.reasons)
        if self.support is not None:
            cert["pattern"] = _pattern_json(self.support)
        cert["target"] = _matrix_json(self.target)
        cert["search"] = self._search_json()
        if self.minimum is not None:
            cert.update(_minimum_json(self.minimum))
        return cert

    # ------------------------------------------------------------------ text

    def text(self, label: str = "") -> str:
        """The terminal text: verdict line, then the argument and the search."""
        head = {
            LandscapeVerdict.BENIGN: "BENIGN (every target: no spurious local minimum)",
            LandscapeVerdict.SPURIOUS: "SPURIOUS MINIMUM (certified)",
            LandscapeVerdict.UNKNOWN: "UNKNOWN",
            LandscapeVerdict.NONE_FOUND: "NONE FOUND (numerical search only, not a proof)",
        }[self.verdict]
        lines = [f"{label + ': ' if label else ''}{head}   tractability: {self.tractability.value}"]
        if self.target is not None:
            lines.append(f"  target A = {_matrix_text(self.target)}")
        lines += [f"  - {reason}" for reason in self.reasons]
        lines += [f"  undecided: {item}" for item in self.undecided]
        if self.minimum is not None:
            lines += ["  " + line for line in _minimum_text(self.minimum)]
        if self.starts:
            lines.append(f"  search: {self.starts} starts per target, seed {self.seed}, "
                         f"{self.targets_tried} target(s); {self.method}")
            if self.targets_tried > 1:
                lines.append("  where the starts of the last target searched ended:")
            lines += ["    " + line for line in _cluster_lines(self.clusters)]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return "```\n" + self.text() + "\n```"


# ----------------------------------------------------------------------------- helpers


def _q(value: Fraction) -> str:
    return str(Fraction(value))


def _matrix_json(matrix) -> list | None:
    return None if matrix is None else [[_q(v) for v in row] for row in matrix]


def _matrix_text(matrix) -> str:
    return "[" + ", ".join("[" + ", ".join(_q(v) for v in row) + "]" for row in matrix) + "]"


def _pattern_json(support: TwoFactorSupport) -> dict:
    I = support.I.tocoo()
    J = support.J.tocoo()
    m, r = support.I.shape
    return {
        "m": int(m), "n": int(support.J.shape[0]), "r": int(r),
        "I": sorted([int(i), int(k)] for i, k in zip(I.row, I.col)),
        "J": sorted([int(j), int(k)] for j, k in zip(J.row, J.col)),
    }


def _entry_json(entry) -> dict:
    side, i, k = entry
    return {"factor": side, "entry": [i, k]}


def _minimum_json(minimum: SpuriousMinimum) -> dict:
    X = [{"entry": [i, k], "value": _q(v)} for (side, i, k), v in minimum.lower_point if side == "X"]
    Y = [{"entry": [j, k], "value": _q(v)} for (side, j, k), v in minimum.lower_point if side == "Y"]
    return {
        "minimum": {
            "slice": {
                "orbit": "column scalings (X[:,k], Y[:,k]) → (t X[:,k], Y[:,k] / t), t ≠ 0",
                "orbit_dimension": minimum.orbit_dimension,
                "fixed": [dict(_entry_json(entry), value=_q(value)) for entry, value in minimum.fixed],
                "shears": [{"entry": [entry[1], entry[2]], "inner": inner} for entry, inner in minimum.shears],
            },
            "variables": [_entry_json(entry) for entry in minimum.variables],
            "box": {"center": [_q(v) for v in minimum.center], "radius": _q(minimum.radius)},
            "krawczyk": {"preconditioner": [[_q(v) for v in row] for row in minimum.preconditioner]},
            "loss_bounds": [_q(minimum.loss_bounds[0]), _q(minimum.loss_bounds[1])],
            "smallest_pivot_lower_bound": _q(minimum.smallest_pivot),
            "approximate_loss": minimum.approximate_loss,
        },
        "lower_point": {"X": X, "Y": Y, "loss": _q(minimum.lower_loss)},
    }


def _radius_text(radius: Fraction) -> str:
    exponent = radius.denominator.bit_length() - 1
    return f"2^-{exponent}" if radius.numerator == 1 and radius.denominator == 2**exponent else _q(radius)


def _minimum_text(minimum: SpuriousMinimum) -> list[str]:
    fixed = ", ".join(f"{side}[{i},{k}] = {float(v):.6g}" for (side, i, k), v in minimum.fixed)
    if minimum.shears:
        fixed += ", " + ", ".join(f"X[{i},{l}] = 0 (shear from unit {k})" for (_, i, l), k in minimum.shears)
    low, high = minimum.loss_bounds
    return [
        (f"local minimum: L ≈ {minimum.approximate_loss:.12g}; on the box of half-width "
         f"{_radius_text(minimum.radius)} around it, L ∈ [{float(low):.10g}, {float(high):.10g}]"),
        (f"slice {fixed} (transversal to the column-scaling orbit, dimension {minimum.orbit_dimension}): "
         f"exactly one critical point in the box (Krawczyk), slice Hessian positive definite on the whole box "
         f"(interval LDLᵀ, smallest pivot ≥ {float(minimum.smallest_pivot):.4g}) — slice lemma: a local minimum of L"),
        f"lower point: L = {float(minimum.lower_loss):.6g} (exact rational) < {float(low):.10g}: the minimum is spurious",
    ]


def _cluster_lines(clusters: tuple[RunCluster, ...]) -> list[str]:
    total = sum(c.runs for c in clusters)
    lines = []
    for c in clusters:
        share = f"{c.runs:>5} run(s) ({100 * c.runs / total:.0f}%)"
        if c.converged:
            lines.append(f"{share} stop at a critical point, L ≈ {c.loss:.10g}")
        else:
            lines.append(f"{share} still descending at the last iteration: L from {c.loss:.3g} to {c.loss_high:.3g}, "
                         f"‖θ‖ up to {c.norm_high:.3g} (large ‖θ‖: typical of an infimum that is not attained)")
    return lines
