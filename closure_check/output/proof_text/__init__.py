"""Certificates as proofs a reader can check by hand: Markdown and LaTeX.

Rendering only (``../shared/docs/STYLE.md``): these functions read a JSON certificate
(:mod:`closure_check.output.certificate_json`) and write a statement with its proof; nothing
here feeds back into a decision, and nothing is re-checked (that is
:mod:`closure_check.verifier`'s job: render certificates that verify).

:func:`render_certificate_markdown` and :func:`render_certificate_latex` pick the proof by
the certificate's kind and verdict:

* two-factor certificates (``"kind": "two-factor"``, :mod:`closure_check.output.certificate_json.two_factor`):
  :mod:`~closure_check.output.proof_text.two_factor` -- NOT CLOSED (*Proposition* --
  ``P_{I,J}`` is not closed, with the limit A; *Proof* -- a curve tending to A, then why A
  is not a product), CLOSED (the lemma behind each step) or UNKNOWN;
* chain certificates (``"kind": "chain"``, :mod:`closure_check.output.certificate_json.chain`),
  about ``P_{I_1..I_N} = {W_1 ⋯ W_N}``: :mod:`~closure_check.output.proof_text.chain` --
  NOT CLOSED (a reduced certificate's proof embedded) or UNKNOWN -- and
  :mod:`~closure_check.output.proof_text.closed_chain` -- CLOSED, each lemma citing
  docs/theory.md §6.

A CLOSED verdict resting on an engine record (two-factor or chain, directly or through a
reduced problem) says *CLOSED (engine record)* in its statement (:func:`rests_on_engine_record`).

Both formats share the mathematics, written in LaTeX (:mod:`~closure_check.output.proof_text.blocks`):
the Markdown uses ``$…$`` and ``$$…$$`` (GitHub, Pandoc, Jupyter), the LaTeX output a
``proposition`` and a ``proof`` environment (packages amsmath, amssymb, amsthm;
``standalone=True`` adds the preamble, ``closure-check certify --format latex``, for papers).
:func:`render_certificate_mathjax` writes the LaTeX a notebook shows (``_repr_latex_``): Jupyter
hands ``text/latex`` to MathJax, which typesets math only, so the proof is a sequence of
``$$…$$`` blocks with the prose in ``\\text{…}`` and bold run-in headings -- no environment.

>>> from closure_check.families import lu
>>> from closure_check.decide import check
>>> from closure_check.output.certificate_json.two_factor import certificate_json
>>> text = render_certificate_markdown(certificate_json(lu(2), check(lu(2)), name="lu2"))
>>> print(text.splitlines()[0])
### lu2
>>> r"A = \\begin{pmatrix} 0 & 1 \\\\ 1 & 0 \\end{pmatrix}" in text
True
>>> from closure_check.core.support import ChainSupport
>>> chain = ChainSupport.from_dense([[[1, 0], [0, 1]], [[1, 1], [0, 1]], [[1, 0], [1, 1]]])
>>> text = render_certificate_markdown(check(chain).certificate_json(name="diag-upper-lower"))
>>> "$P_{I_{1},I_{2},I_{3}}$ is not closed" in text, "(local-LU lemma)" in text
(True, True)
"""

from __future__ import annotations

from typing import Any

from closure_check.output.proof_text.blocks import (
    Block,
    Para,
    md_block,
    md_text,
    mj_block,
    mj_heading,
    tex_block,
    tex_text,
)
from closure_check.output.proof_text.chain import chain_not_closed, chain_unknown
from closure_check.output.proof_text.closed_chain import chain_closed
from closure_check.output.proof_text.two_factor import (
    closed,
    not_closed,
    rests_on_engine_record,
    two_factor_not_closed,
    unknown,
)

__all__ = [
    "render_certificate_latex",
    "render_certificate_markdown",
    "render_certificate_mathjax",
    "rests_on_engine_record",
]


def _document(cert: dict[str, Any]) -> tuple[list[Block], list[Block]]:
    """The statement and the proof (or status) of ``cert``, by its kind and verdict."""
    verdict = cert.get("verdict")
    is_chain = cert.get("kind") == "chain"
    if verdict == "not-closed":
        return not_closed(chain_not_closed(cert) if is_chain else two_factor_not_closed(cert))
    if is_chain:
        return chain_closed(cert) if verdict == "closed" else chain_unknown(cert)
    if verdict == "closed":
        return closed(cert)
    return unknown(cert)


def render_certificate_markdown(cert: dict[str, Any]) -> str:
    """The certificate as a Markdown statement and proof (formulas in ``$…$``, ``$$…$$``).

    Parameters
    ----------
    cert
        A certificate dict (:func:`closure_check.output.certificate_json.two_factor.certificate_json`, or a chain
        certificate of :func:`closure_check.output.certificate_json.chain.chain_certificate_json`); it
        should verify (:func:`closure_check.verifier.verify_certificate`), nothing is
        re-checked.

    Returns
    -------
    str
        A title (the certificate's name), **Proposition.** and **Proof.** ending in ∎.
    """
    statement, body = _document(cert)
    title = cert.get("name") or "closure-check certificate"
    lines = [f"### {md_text(title)}"]
    label = "Proposition." if cert.get("verdict") != "unknown" else "Open question."
    blocks = [md_block(b) for b in statement]
    lines += [f"**{label}** " + blocks[0]] + blocks[1:]
    proof = [md_block(b) for b in body]
    if cert.get("verdict") == "unknown":
        lines += ["**Status.** " + proof[0]] + proof[1:]
    else:
        lines += ["**Proof.** " + proof[0]] + proof[1:]
        lines[-1] += " ∎" if isinstance(body[-1], Para) else "\n\n∎"
    return "\n\n".join(lines) + "\n"


_PREAMBLE = (
    "\\documentclass{article}\n\\usepackage{amsmath,amssymb,amsthm}\n"
    "\\newtheorem{proposition}{Proposition}\n\\begin{document}\n"
)


def render_certificate_latex(cert: dict[str, Any], standalone: bool = False) -> str:
    """The certificate as a LaTeX ``proposition`` with its ``proof``.

    Parameters
    ----------
    cert
        A certificate dict, two-factor or chain; it should verify, nothing is re-checked.
    standalone
        Wrap the result in a complete document (``article``, amsmath, amssymb, amsthm,
        ``\\newtheorem{proposition}``).

    Returns
    -------
    str
        Without ``standalone``: a comment naming the packages it needs, then the
        environments, ready to paste into a paper.
    """
    statement, body = _document(cert)
    name = cert.get("name") or "closure-check certificate"
    environment = "proposition" if cert.get("verdict") != "unknown" else "quote"
    lines = [
        f"% {tex_text(name)}: certificate by {tex_text(str(cert.get('producer', 'closure-check')))}",
        "% needs amsmath, amssymb, amsthm and \\newtheorem{proposition}{Proposition}",
        f"\\begin{{{environment}}}",
        *(tex_block(b) for b in statement),
        f"\\end{{{environment}}}",
        "\\begin{proof}" if cert.get("verdict") != "unknown" else "\\begin{quote}",
        *(tex_block(b) for b in body),
        "\\end{proof}" if cert.get("verdict") != "unknown" else "\\end{quote}",
    ]
    text = "\n\n".join(lines) + "\n"
    return _PREAMBLE + text + "\\end{document}\n" if standalone else text


def render_certificate_mathjax(cert: dict[str, Any]) -> str:
    """The certificate as the LaTeX a notebook's MathJax renders (``_repr_latex_``).

    Only ``$$…$$`` blocks: the title and **Proposition.**/**Proof.** (or **Open question.**/
    **Status.**) as ``\\textbf`` run-in headings, prose in ``\\text{…}`` wrapped into lines
    (MathJax does not break them), the proof ending in ``\\blacksquare``.  No ``proposition``
    or ``proof`` environment (MathJax would show them as typed); for a paper use
    :func:`render_certificate_latex`.  Needs amsmath and amssymb when compiled by LaTeX.

    >>> from closure_check.families import lu
    >>> from closure_check.decide import check
    >>> from closure_check.output.certificate_json.two_factor import certificate_json
    >>> text = render_certificate_mathjax(certificate_json(lu(2), check(lu(2)), name="lu2"))
    >>> print(text.splitlines()[1])
    \\textbf{lu2}
    >>> "begin{proposition}" in text, text.count("$$") % 2
    (False, 0)
    """
    statement, body = _document(cert)
    title = cert.get("name") or "closure-check certificate"
    unknown_verdict = cert.get("verdict") == "unknown"
    parts = [mj_heading(title)]
    label, proof_label = ("Open question.", "Status.") if unknown_verdict else ("Proposition.", "Proof.")
    parts += [mj_block(b, lead=label if i == 0 else "") for i, b in enumerate(statement)]
    last = len(body) - 1
    parts += [
        mj_block(b, lead=proof_label if i == 0 else "", end="\\blacksquare" if i == last and not unknown_verdict else "")
        for i, b in enumerate(body)
    ]
    return "\n\n".join(parts) + "\n"
