"""The verifier's answer: what failed, what was checked, and what was taken on trust."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["VerificationReport", "cell_text"]


@dataclass
class VerificationReport:
    """Outcome of :func:`closure_check.verifier.verify_certificate`.

    Attributes
    ----------
    problems
        Every failure found, one sentence each; empty iff the certificate is accepted.
    checked
        The claims re-derived from the certificate alone.
    trusted
        The claims the verdict rests on that the verifier does not re-prove: the lemmas
        a CLOSED verdict cites, and engine records.  Empty for a NOT CLOSED certificate
        whose proof is combinatorial or a Nullstellensatz identity.
    verdict
        The verdict the certificate states (``None`` if unreadable).
    out_of_memory
        The check ran out of memory (a ``MemoryError``, reported as a problem): the
        certificate was not rejected on its merits, it is too large for this machine.
    """

    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    trusted: list[str] = field(default_factory=list)
    verdict: str | None = None
    out_of_memory: bool = False

    @property
    def ok(self) -> bool:
        """True iff no problem was found."""
        return not self.problems

    def fail(self, message: str) -> None:
        """Record a problem."""
        self.problems.append(message)

    def passed(self, message: str) -> None:
        """Record a claim that was re-derived."""
        self.checked.append(message)

    def trust(self, message: str) -> None:
        """Record a claim taken on trust (a cited lemma, an engine record)."""
        if message not in self.trusted:
            self.trusted.append(message)


def cell_text(at: tuple[int, int]) -> str:
    """``'(i,j)'``: a cell as the messages write it."""
    return f"({at[0]},{at[1]})"
