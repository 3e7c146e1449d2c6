"""An independent checker for closure-check certificates (``docs/certificates.md``).

It trusts nothing: it reads the JSON certificate and re-derives every claim it can from
the certificate alone, with its own exact arithmetic (``fractions.Fraction``), and it
imports nothing but the Python standard library and its own modules (relative imports
only, so the folder can be copied out and used on its own).

For NOT CLOSED it checks both halves of the proof:

* A is in the closure of P -- :mod:`.curve`: ``supp X(t) ⊆ I``, ``supp Y(t) ⊆ J``, and the
  exact expansion of ``X(t) Y(t)ᵀ`` has no negative power of t and constant term A on
  every cell;
* A is not in P -- :mod:`.lemmas` (local-LU, shared-rows, shared-columns, free-factor lemmas:
  coverage recomputed from I and J, the lemma's argument re-derived from A) or
  :mod:`.nullstellensatz` (the system ``X Yᵀ = A`` rebuilt and compared, no outside unit
  on its cells, ``Σ c_i f_i`` expanded to the nonzero constant).

For CLOSED (:mod:`.closed`) it re-checks the stated structure and says which lemmas the
verdict rests on (``report.trusted``): those it cannot re-prove.  A part decided by the
section lemma carries its proof, re-checked in full by :mod:`.sections` (the product set
is the zero set of the stated polynomials: explicit factors on every case of a decision
tree, identities checked as rational functions); one decided by the free-factor lemma, by
:mod:`.free_factor` (a transversal of every hyperplane ``1_s^⊥``, checked independent);
a part decided by the rank-one peeling
lemma carries its tree of steps, whose hypotheses :mod:`.peeling` re-checks.

Chain certificates (``"kind": "chain"``, ``W_1 ⋯ W_N``) go to :mod:`.chains`; landscape
certificates (``"kind": "landscape"``: a spurious local minimum of ``‖A − X Yᵀ‖²``, or a
benign landscape) to :mod:`.landscape`.

>>> cert = {
...     "format": "closure-check-certificate", "version": 1, "verdict": "not-closed",
...     "tractability": "not-known", "reasons": [], "steps": [],
...     "pattern": {"m": 2, "n": 2, "r": 2, "I": [[0, 0], [1, 0], [1, 1]], "J": [[0, 0], [1, 0], [1, 1]]},
...     "limit": [{"cell": [0, 1], "value": "1"}, {"cell": [1, 0], "value": "1"}],
...     "curve": {"X": [{"entry": [0, 0], "laurent": {"1": "1"}}, {"entry": [1, 0], "laurent": {"0": "1"}},
...                     {"entry": [1, 1], "laurent": {"-1": "-1"}}],
...               "Y": [{"entry": [0, 0], "laurent": {"0": "1"}}, {"entry": [1, 0], "laurent": {"-1": "1"}},
...                     {"entry": [1, 1], "laurent": {"0": "1"}}]},
...     "proof": {"kind": "combinatorial", "lemma": "local-LU lemma", "obstruction_cells": [[0, 0], [0, 1], [1, 0]],
...               "obstruction_units": [0], "roles": {"unit": 0, "rows": [0, 1], "cols": [0, 1]}}}
>>> report = verify_certificate(cert)
>>> report.ok, report.trusted
(True, [])
>>> cert["curve"]["X"][2]["laurent"] = {"-1": "-2"}
>>> verify_certificate(cert).problems
['entry (1,1) of X(t)Y(t)ᵀ keeps t^-1']
"""

from __future__ import annotations

from typing import Any

from .chains import check_chain_certificate
from .closed import check_closed
from .curve import check_curve
from .landscape import check_landscape_certificate
from .lemmas import check_lemma, parse_obstruction
from .nullstellensatz import check_identity
from .parse import Malformed, field
from .pattern import Pattern, parse_pattern
from .report import VerificationReport

__all__ = ["FORMAT", "VERSION", "VERSIONS", "VerificationReport", "verify_certificate"]

FORMAT = "closure-check-certificate"
VERSION = 2
VERSIONS = (1, 2)
"""Version 1, and version 2: version 1 plus the compact encodings of a pattern side
(``columns``, ``kronecker``) and of a CLOSED structure (``derived``)."""


def _not_closed(cert: dict, pattern: Pattern, report: VerificationReport) -> None:
    A = check_curve(cert, pattern, report)
    proof = field(cert, "proof", dict, "")
    kind = field(proof, "kind", str, "proof")
    cells, units = parse_obstruction(proof, pattern)
    if kind == "combinatorial":
        check_lemma(proof, cells, units, A, pattern, report)
    elif kind == "nullstellensatz":
        check_identity(proof, units, A, pattern, report)
    elif kind == "engine-record":
        for index, record in enumerate(field(proof, "records", list, "proof")):
            engine = field(record, "engine", str, f"proof.records[{index}]")
            if field(record, "result", str, f"proof.records[{index}]") != "unsat":
                report.fail(f"engine record {index} answered {record['result']!r}; A ∉ P needs unsat")
            report.trust(f"engine record {index}: {engine} answered unsat, so A ∉ P (not re-checkable)")
    else:
        report.fail(f"unknown proof kind {kind!r} (expected combinatorial, nullstellensatz or engine-record)")


def _common(cert: dict) -> None:
    """The keys every certificate has; their text is informational, their form is checked."""
    for key in ("name", "producer"):
        if key in cert:
            field(cert, key, str, "")
    field(cert, "tractability", str, "")
    for index, reason in enumerate(field(cert, "reasons", list, "")):
        if not isinstance(reason, str):
            raise Malformed(f"reasons[{index}] is not a string")
    for index, step in enumerate(field(cert, "steps", list, "")):
        field(step, "lemma", str, f"steps[{index}]")
        field(step, "text", str, f"steps[{index}]")


def verify_certificate(cert: Any) -> VerificationReport:
    """Check a certificate (the parsed JSON) and report every problem found.

    Parameters
    ----------
    cert
        The JSON value of a certificate file, schema ``closure-check-certificate``
        version 1 or 2 (two-factor, or a chain with ``"kind": "chain"``).

    Returns
    -------
    VerificationReport
        ``ok`` iff no problem was found; ``checked`` lists the claims re-derived,
        ``trusted`` the lemmas and engine records the verdict rests on without proof
        here.  Never raises: a malformed certificate is a problem in the report.
    """
    report = VerificationReport()
    try:
        if not isinstance(cert, dict):
            raise Malformed("the certificate is not a JSON object")
        fmt = cert.get("format")
        if fmt != FORMAT:
            raise Malformed(f"unknown format {fmt!r} (expected {FORMAT!r})")
        version = cert.get("version")
        if type(version) is not int or version not in VERSIONS:
            raise Malformed(f"unsupported version {version!r} (this verifier reads versions 1 and 2)")
        if cert.get("kind") == "landscape":
            check_landscape_certificate(cert, version, report)
            return report
        if "kind" in cert:
            check_chain_certificate(cert, report, verify_certificate)
            return report
        verdict = field(cert, "verdict", str, "")
        report.verdict = verdict
        _common(cert)
        pattern = parse_pattern(field(cert, "pattern", dict, ""), version)
        report.passed(f"pattern {pattern.m}×{pattern.n}, r = {pattern.r}")
        if verdict == "not-closed":
            _not_closed(cert, pattern, report)
        elif verdict == "closed":
            check_closed(cert, pattern, report, version)
        elif verdict == "unknown":
            report.passed("verdict unknown: the certificate claims nothing")
        else:
            report.fail(f"unknown verdict {verdict!r} (expected closed, not-closed or unknown)")
    except Malformed as error:
        report.fail(str(error))
    except MemoryError:
        report.out_of_memory = True
        report.fail("out of memory while checking the certificate (MemoryError): not checked")
    except (RecursionError, ValueError, TypeError, KeyError, AttributeError) as error:
        report.fail(f"malformed certificate ({type(error).__name__}: {error})")
    return report
