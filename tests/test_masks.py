"""Pruning masks from framework files: reading, the out × in convention, verdicts, bad input."""

from __future__ import annotations

import sys
import types
from functools import reduce
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import main
from closure_check.core.case import Verdict
from closure_check.core.support import ChainSupport, TwoFactorSupport
from closure_check.decide import check
from closure_check.io import SupportFileError
from closure_check.io.masks import natural_key, read_masks
from closure_check.networks.masks import mask_report
from closure_check.networks.spec import ReluVerdict
from closure_check.verifier import verify_certificate

UPPER = np.triu(np.ones((2, 2), np.float32))
LOWER = np.tril(np.ones((2, 2), np.float32))
DIAG = np.eye(2, dtype=np.float32)


def _npz(tmp_path: Path, arrays: dict, name: str = "m.npz") -> Path:
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def test_natural_order_and_explicit_order(tmp_path: Path) -> None:
    arrays = {f"fc{k}.weight_mask": np.ones((3, 3)) for k in (10, 2, 1)} | {"fc1.weight_orig": np.zeros((3, 3))}
    path = _npz(tmp_path, arrays)
    assert read_masks(path).names == ("fc1", "fc2", "fc10")
    assert read_masks(path, ["fc10", "fc1"]).keys == ("fc10.weight_mask", "fc1.weight_mask")
    assert natural_key("layers.2.lin") < natural_key("layers.10.lin")


def test_convention_out_by_in_is_the_chain_in_reverse(tmp_path: Path) -> None:
    """W_1 upper, W_2 lower: the network computes W_2 W_1 = L·U, the LU set (not closed);
    the chain (M_2, M_1) is the two-factor support I = M_2, J = M_1ᵀ, and its product
    support is the boolean product M_2 M_1."""
    rng = np.random.default_rng(3)
    masks = [(rng.random((5, 4)) < 0.5), (rng.random((3, 5)) < 0.5), (rng.random((2, 3)) < 0.5)]
    path = _npz(tmp_path, {f"l{k}.mask": m.astype(np.int8) for k, m in enumerate(masks, start=1)})
    read = read_masks(path)
    assert read.widths == (4, 5, 3, 2)
    chain = ChainSupport(tuple(reversed(read.masks)))
    expected = (masks[2].astype(int) @ masks[1].astype(int) @ masks[0].astype(int)) > 0
    product = reduce(np.matmul, [factor.toarray().astype(int) for factor in chain.factors])
    assert np.array_equal(product > 0, expected)

    lu_path = _npz(tmp_path, {"fc1.weight_mask": UPPER, "fc2.weight_mask": LOWER}, "lu.npz")
    report = mask_report(read_masks(lu_path), relu=True)
    assert report.chain.verdict is Verdict.NOT_CLOSED
    assert check(TwoFactorSupport.from_dense(LOWER.astype(int), UPPER.T.astype(int))).verdict is Verdict.NOT_CLOSED
    assert report.relu.verdict is ReluVerdict.NO and report.relu.counterexample is not None


def test_three_layers_pairs_and_orientation(tmp_path: Path) -> None:
    """Forward masks lower, upper, diag: the linear map diag·upper·lower, not closed (MATH.md §3),
    with a chain certificate that verifies; its pairs are decided one by one."""
    path = _npz(tmp_path, {"a.mask": LOWER, "b.mask": UPPER, "c.mask": DIAG})
    report = mask_report(read_masks(path), budget=5)
    assert report.chain.verdict is Verdict.NOT_CLOSED
    assert verify_certificate(report.chain.certificate_json()).ok
    assert [(p.first, p.second) for p in report.pairs] == [("a", "b"), ("b", "c")]
    # pair a→b is W_b W_a = upper·lower = I = M_b, J = M_aᵀ
    assert report.pairs[0].result.verdict is check(TwoFactorSupport.from_dense(UPPER.astype(int), LOWER.T.astype(int))).verdict
    # pair b→c is diag·upper: a linear space, closed
    assert report.pairs[1].result.verdict is Verdict.CLOSED


def test_safetensors_reads_only_masks(tmp_path: Path) -> None:
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "lu.safetensors"
    safetensors_numpy.save_file(
        {"fc1.weight_mask": UPPER, "fc2.weight_mask": LOWER, "fc1.weight_orig": np.ones((2, 2), np.float32)}, str(path)
    )
    masks = read_masks(path)
    assert masks.names == ("fc1", "fc2") and [m.toarray().tolist() for m in masks.masks] == [UPPER.tolist(), LOWER.tolist()]
    result = CliRunner().invoke(main, ["network", str(path), "--relu"])
    assert result.exit_code == 0, result.output
    assert "linear chain: NOT-CLOSED" in result.output and "answer: NO" in result.output


def test_torch_missing_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "model.pt"
    path.write_bytes(b"\x80\x04not really")
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch raises ImportError
    with pytest.raises(SupportFileError, match="skipped: reading .pt needs PyTorch"):
        read_masks(path)


def test_torch_state_dict_through_a_stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The state-dict path (nested under "state_dict", tensors → numpy) with a stand-in for
    torch.load; PyTorch itself is not installed in CI."""

    class Tensor:
        def __init__(self, array: np.ndarray) -> None:
            self.array = array

        def detach(self) -> "Tensor":
            return self

        def cpu(self) -> "Tensor":
            return self

        def numpy(self) -> np.ndarray:
            return self.array

    fake = types.ModuleType("torch")
    fake.load = lambda *args, **kwargs: {"state_dict": {"0.weight_mask": Tensor(UPPER), "2.weight_mask": Tensor(LOWER), "epoch": 3}}
    monkeypatch.setitem(sys.modules, "torch", fake)
    path = tmp_path / "model.pt"
    path.write_bytes(b"x")
    assert read_masks(path).names == ("0", "2")


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"a.mask": np.ones((2, 2))}, "at least two layers"),
        ({"a.mask": np.ones((2, 3)), "b.mask": np.ones((2, 3))}, "layers do not chain"),
        ({"a.mask": np.ones((2, 2, 3, 3)), "b.mask": np.ones((2, 2))}, "4 dimensions (a convolution?)"),
        ({"a.mask": np.full((2, 2), 0.5), "b.mask": np.ones((2, 2))}, "entries other than 0 and 1"),
    ],
)
def test_bad_masks_are_one_line_exit_2(tmp_path: Path, arrays: dict, message: str) -> None:
    path = _npz(tmp_path, arrays)
    result = CliRunner().invoke(main, ["network", str(path)])
    assert result.exit_code == 2 and message in result.output and result.output.count("\n") == 1, result.output


@pytest.mark.parametrize("name", ["junk.npz", "junk.safetensors", "junk.h5", "missing.npz"])
def test_unreadable_files_are_one_line(tmp_path: Path, name: str) -> None:
    if name.endswith("safetensors"):
        pytest.importorskip("safetensors")
    path = tmp_path / name
    if not name.startswith("missing"):
        path.write_bytes(b"garbage" * 10)
    result = CliRunner().invoke(main, ["network", str(path)])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and str(path) in result.output, result.output


def test_order_option_and_json(tmp_path: Path) -> None:
    path = _npz(tmp_path, {"enc.mask": LOWER, "dec.mask": UPPER})
    result = CliRunner().invoke(main, ["network", str(path), "--order", "dec,enc", "--json"])
    assert result.exit_code == 0 and '"layers": ["dec", "enc"]' in result.output
    bad = CliRunner().invoke(main, ["network", str(path), "--order", "dec,nope"])
    assert bad.exit_code == 2 and "nope" in bad.output


def test_write_chain_then_repair(tmp_path: Path) -> None:
    """The chain written by --write-chain is the LU-type pair; repair finds one added entry."""
    path = _npz(tmp_path, {"fc1.weight_mask": UPPER, "fc2.weight_mask": LOWER})
    chain = tmp_path / "net.sup"
    out = CliRunner().invoke(main, ["network", str(path), "--write-chain", str(chain), "--certificates", str(tmp_path / "certs")])
    assert out.exit_code == 0 and chain.exists() and (tmp_path / "certs" / "chain.json").exists()
    from closure_check.io import read_case

    assert read_case(chain).support == ChainSupport((LOWER.astype(int), UPPER.astype(int)))
    fixed = CliRunner().invoke(main, ["repair", str(chain)])
    assert fixed.exit_code == 0 and "1 change(s)" in fixed.output
