"""What a person or a program reads; never feeds back into a decision.

* :mod:`~closure_check.output.certificate_json` -- versioned JSON certificates (two factors, chains);
* :mod:`~closure_check.output.proof_text` -- the same proofs as Markdown and LaTeX propositions;
* :mod:`~closure_check.output.terminal` -- the text of ``closure-check check`` and ``show``;
* :mod:`~closure_check.output.plot` -- PNGs: supports and rectangles, and a NOT CLOSED certificate's curve
  diverging (matplotlib, imported on use).
"""
