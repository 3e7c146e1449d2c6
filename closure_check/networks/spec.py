"""Sparse ReLU network specifications: layer supports, biases, metadata; the text format.

A specification fixes the *architecture* of a fully connected ReLU network whose weight
matrices are constrained to given supports:

    f_θ(x) = W_L σ(W_{L-1} σ(⋯ σ(W_1 x + b_1) ⋯) + b_{L-1}) + b_L,    σ = max(·, 0),

with ``W_ℓ`` of size ``N_ℓ × N_{ℓ-1}`` and ``supp W_ℓ ⊆ I_ℓ`` (layer 1 is applied first,
``N_0`` is the input dimension, ``N_L`` the output dimension).  Each layer has a bias
vector ``b_ℓ ∈ ℝ^{N_ℓ}`` (free, no support constraint) or none (``b_ℓ = 0``).

On a set of inputs where every hidden neuron keeps the sign of its pre-activation
(an *activation pattern*, diagonal 0/1 matrices ``D_ℓ``) the network is affine with linear
part ``W_L D_{L-1} W_{L-1} ⋯ D_1 W_1``, a product of matrices with ``supp ⊆ I_L, …, I_1``.
So the linear set behind the network is the chain ``P_{I_L..I_1}`` in the convention of
:class:`~closure_check.core.support.ChainSupport` -- **the order is reversed**:
:meth:`ReluSpec.chain` is ``ChainSupport((I_L, …, I_1))`` (``docs/theory.md §7``).

>>> from pathlib import Path
>>> text = b"name: lu\\nexpect: no\\nlayer 1:\\n11\\n01\\nlayer 2: bias off\\n10\\n11\\n"
>>> spec = parse_relu_text(text, Path("lu.relu"))
>>> spec.widths, spec.biases, spec.hidden
((2, 2, 2), (True, False), 2)
>>> [f.toarray().tolist() for f in spec.chain().factors]
[[[1, 0], [1, 1]], [[1, 1], [0, 1]]]
>>> parse_relu_text(b"layer 1:\\n12\\n", Path("bad.relu"))
Traceback (most recent call last):
...
closure_check.networks.spec.ReluSpecError: bad.relu:2: bad character '2' in row '12' (entries are 0 or 1)

The format is described in ``docs/formats.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from os import PathLike
from pathlib import Path

from closure_check.core.support import (
    ChainSupport,
    SupportError,
    SupportMatrix,
    as_support_matrix,
)
from closure_check.io.common import BLANK, decode_utf8, read_bytes, show
from closure_check.io.errors import SupportFileError
from closure_check.io.text import BITS, BLANKS, KEY, bit_matrix, content_lines

__all__ = ["ReluVerdict", "ReluSpec", "ReluSpecError", "parse_relu_text", "read_relu_spec"]


class ReluVerdict(str, Enum):
    """Answer to "does training have an optimum for every finite data set?"."""

    YES = "yes"
    NO = "no"
    OPEN = "open"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


class ReluSpecError(SupportFileError):
    """A network specification file cannot be read: ``PATH:LINE: message`` on one line."""


@dataclass(frozen=True, eq=False)
class ReluSpec:
    """A sparse ReLU architecture: supports of ``W_1, …, W_L`` and which layers have biases.

    Parameters
    ----------
    layers
        0/1 supports ``I_1, …, I_L``; ``I_ℓ`` is ``N_ℓ × N_{ℓ-1}`` (row j lists the
        neurons of layer ℓ-1, or the inputs, that neuron j of layer ℓ reads).
    biases
        For each layer, whether it has a (free) bias vector.
    name, expect, source
        Metadata; they never enter a decision.

    Raises
    ------
    SupportError
        If there are fewer than two layers, an entry is not 0/1, the dimensions do not
        chain (``I_ℓ`` must have ``N_{ℓ-1}`` columns) or ``biases`` has the wrong length.
    """

    layers: tuple[SupportMatrix, ...]
    biases: tuple[bool, ...]
    name: str = ""
    expect: ReluVerdict | None = None
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        layers = tuple(as_support_matrix(m, f"layer {k}") for k, m in enumerate(self.layers, start=1))
        if len(layers) < 2:
            raise SupportError("a ReLU network needs at least two layers (one hidden layer)")
        for k in range(1, len(layers)):
            if layers[k].shape[1] != layers[k - 1].shape[0]:
                raise SupportError(
                    f"layer {k + 1} has {layers[k].shape[1]} columns but layer {k} has "
                    f"{layers[k - 1].shape[0]} rows (neurons)"
                )
        if len(self.biases) != len(layers):
            raise SupportError(f"{len(self.biases)} bias flags for {len(layers)} layers")
        object.__setattr__(self, "layers", layers)
        object.__setattr__(self, "biases", tuple(bool(b) for b in self.biases))

    @property
    def depth(self) -> int:
        """Number L of layers (L - 1 hidden layers)."""
        return len(self.layers)

    @property
    def widths(self) -> tuple[int, ...]:
        """``(N_0, N_1, …, N_L)``: input dimension, hidden widths, output dimension."""
        return (self.layers[0].shape[1],) + tuple(int(m.shape[0]) for m in self.layers)

    @property
    def hidden(self) -> int:
        """Number H of hidden neurons, ``N_1 + ⋯ + N_{L-1}``."""
        return sum(self.widths[1:-1])

    def chain(self) -> ChainSupport:
        """The linear set behind the network: ``ChainSupport((I_L, …, I_1))``."""
        return ChainSupport(tuple(reversed(self.layers)))


# ----------------------------------------------------------------------------- text format

_LAYER = re.compile(r"layer[ \t]*([0-9]+)[ \t]*:(.*)", re.DOTALL)
_SWITCH = {"on": True, "off": False}
_EXPECT = {verdict.value: verdict for verdict in ReluVerdict}
_HEADER_KEYS = ("name", "expect", "source", "bias")


@dataclass
class _Layer:
    """A layer section being read: its number, header line, bias override and rows."""

    index: int
    line: int
    bias: bool | None
    rows: list[str] = field(default_factory=list)


class _Parser:
    """State of one pass over the lines of a specification file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta: dict[str, tuple[str, int]] = {}
        self.layers: list[_Layer] = []

    def fail(self, line: int, message: str) -> ReluSpecError:
        return ReluSpecError(self.path, line, message)

    def parse(self, text: str) -> ReluSpec:
        lines, last = content_lines(text)
        for number, content in lines:
            self.line(number, content)
        if self.layers:
            self.finish(self.layers[-1])
        if len(self.layers) < 2:
            found = "no layer" if not self.layers else "only one layer"
            raise self.fail(last, f"{found}: a ReLU network needs at least layer 1: and layer 2: (one hidden layer)")
        return self.build()

    def build(self) -> ReluSpec:
        default = _SWITCH[self.meta["bias"][0]] if "bias" in self.meta else True
        expect = self.meta.get("expect", ("", 0))[0]
        return ReluSpec(
            layers=tuple(bit_matrix(layer.rows) for layer in self.layers),
            biases=tuple(default if layer.bias is None else layer.bias for layer in self.layers),
            name=self.meta.get("name", (self.path.stem, 0))[0],
            expect=_EXPECT[expect] if expect else None,
            source=self.meta.get("source", ("", 0))[0],
        )

    def line(self, number: int, content: str) -> None:
        layer = _LAYER.fullmatch(content)
        if layer is not None:
            self.section(number, layer.group(1), layer.group(2).strip(BLANK))
            return
        key = KEY.fullmatch(content)
        if key is not None:
            self.header(number, key.group(1), key.group(2).strip(BLANK))
            return
        self.row(number, content)

    def header(self, number: int, key: str, value: str) -> None:
        if key not in _HEADER_KEYS:
            raise self.fail(number, f"unknown key {show(key)} (expected name, expect, source, bias, or 'layer 1:')")
        if self.layers:
            raise self.fail(number, f"'{key}:' must come before the first layer")
        if key in self.meta:
            raise self.fail(number, f"duplicate key {show(key)} (first on line {self.meta[key][1]})")
        if not value:
            raise self.fail(number, f"key {show(key)} has no value")
        if key == "expect" and value not in _EXPECT:
            raise self.fail(number, f"bad expect value {show(value)} (expected yes, no, open or unknown)")
        if key == "bias" and value not in _SWITCH:
            raise self.fail(number, f"bad bias value {show(value)} (expected on or off)")
        self.meta[key] = (value, number)

    def section(self, number: int, digits: str, rest: str) -> None:
        if self.layers:
            self.finish(self.layers[-1])
        expected = len(self.layers) + 1
        if len(digits) > 9 or int(digits) != expected:
            raise self.fail(number, f"layer {digits}: out of order: expected 'layer {expected}:'")
        words = rest.split()
        if rest and (len(words) != 2 or words[0] != "bias" or words[1] not in _SWITCH):
            raise self.fail(number, f"unexpected text {show(rest)} after 'layer {expected}:' (only 'bias on' or 'bias off')")
        self.layers.append(_Layer(expected, number, _SWITCH[words[1]] if rest else None))

    def finish(self, layer: _Layer) -> None:
        if not layer.rows:
            raise self.fail(layer.line, f"layer {layer.index}: has no rows")
        if layer.index > 1:
            previous = self.layers[layer.index - 2]
            if len(layer.rows[0]) != len(previous.rows):
                raise self.fail(
                    layer.line,
                    f"layer {layer.index} has {len(layer.rows[0])} columns but layer "
                    f"{previous.index} has {len(previous.rows)} rows (neurons)",
                )

    def row(self, number: int, content: str) -> None:
        if not self.layers:
            raise self.fail(number, f"unexpected text {show(content)} before 'layer 1:' (expected 'key: value')")
        tokens = BLANKS.split(content)
        for token in tokens:
            if not BITS.fullmatch(token):
                bad = next(ch for ch in token if ch not in "01")
                raise self.fail(number, f"bad character {show(bad)} in row {show(token)} (entries are 0 or 1)")
        if len(tokens) > 1 and any(len(token) > 1 for token in tokens):
            raise self.fail(number, f"mixed row spellings in {show(content)}: write '1 0 1' or '101'")
        bits = "".join(tokens)
        layer = self.layers[-1]
        if layer.rows and len(bits) != len(layer.rows[0]):
            raise self.fail(
                number, f"row of layer {layer.index} has {len(bits)} entries but its first row has {len(layer.rows[0])}"
            )
        layer.rows.append(bits)


def parse_relu_text(data: bytes, path: Path) -> ReluSpec:
    """Read a specification from the bytes of a file (``docs/formats.md``).

    Raises
    ------
    ReluSpecError
        At the line of the first problem.
    """
    return _Parser(path).parse(decode_utf8(data, path))


def read_relu_spec(path: str | PathLike[str]) -> ReluSpec:
    """Read the specification file at ``path``; the file stem is the name when none is given.

    Raises
    ------
    ReluSpecError
        For anything wrong with the file, missing or unreadable included; the message
        is one line, ``PATH:LINE: problem`` (``PATH: problem`` when not on a line).
    """
    path = Path(path)
    try:
        return parse_relu_text(read_bytes(path), path)
    except ReluSpecError:
        raise
    except SupportFileError as error:
        raise ReluSpecError(error.path, error.line, error.message) from None
