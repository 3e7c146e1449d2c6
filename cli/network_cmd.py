"""``network``: verdicts for the pruning masks of a network (safetensors, NPZ, PyTorch state dict).

Exit status: 0 when the report is printed (whatever the verdicts); 2 bad input -- the mask
file cannot be read, or a certificate cannot be written (one line on stderr).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.common import Seconds, fail_bad_input


@click.command()
@click.argument("masks_path", metavar="MASKS")
@click.option("--order", metavar="A,B,C", help="Layer names in forward order (default: every *.weight_mask / *.mask array, names in natural order).")
@click.option("--relu", "with_relu", is_flag=True, help="Also answer: does training the ReLU network always have an optimum?")
@click.option("--bias/--no-bias", default=True, show_default=True, help="With --relu: every layer has a bias, or none has.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: layers, verdicts and reasons of the chain, the pairs and the ReLU answer.")
@click.option("--certificates", "certificate_dir", metavar="DIR",
              help="Write the certificate of every decided verdict: DIR/chain.json and DIR/pair-A-B.json.")
@click.option("--write-chain", "chain_path", metavar="FILE",
              help="Also write the masks' chain (W1 = last layer, …) as a support file (format by suffix), for repair, certify or show.")
@click.option("--budget", default=0.0, show_default=True, type=Seconds(),
              help="Effort of the algebraic stage for each check (the chain, each pair), in nominal seconds of counted work "
                   "(docs/algebra.md §4).  Default 0 (rules only), unlike `check`: real-size masks leave parts with hundreds "
                   "of units, far beyond what the algebraic stage can settle.")
def network(masks_path: str, order: str | None, with_relu: bool, bias: bool, as_json: bool,
            certificate_dir: str | None, chain_path: str | None, budget: float) -> None:
    """Is training with the masks in MASKS well-posed?  The linear chain, each pair of layers, the ReLU question.

    MASKS: .safetensors, .npz, or .pt/.pth (needs PyTorch); masks are out × in as frameworks
    store them (torch.nn.utils.prune's <layer>.weight_mask).
    """
    from closure_check.core.case import Verdict
    from closure_check.io import SupportFileError
    from closure_check.io.masks import read_masks
    from closure_check.networks.masks import chain_of_masks as report_chain
    from closure_check.networks.masks import mask_report
    from closure_check.networks.masks_text import mask_report_json, render_mask_report
    from closure_check.output.certificate_json.two_factor import dump_certificate

    names = None if order is None else [name.strip() for name in order.split(",")]
    if names is not None and not all(names):
        fail_bad_input(f"closure-check network: --order {order!r}: empty layer name")
    try:
        masks = read_masks(masks_path, names)
    except SupportFileError as error:
        fail_bad_input(str(error))
    if chain_path is not None:
        from closure_check.core.case import Case
        from closure_check.io import write_case

        try:
            write_case(Case(report_chain(masks), Path(masks_path).stem, source=f"masks of {masks_path}"), Path(chain_path))
        except SupportFileError as error:
            fail_bad_input(str(error))
        if not as_json:
            click.echo(f"wrote {chain_path}")
    report = mask_report(masks, relu=with_relu, biases=bias, budget=budget)
    if as_json:
        click.echo(json.dumps(mask_report_json(report), ensure_ascii=False))
    else:
        click.echo(render_mask_report(masks_path, report))
    if certificate_dir is None:
        return
    stem = Path(masks_path).stem
    named = [("chain", report.chain)] + [(f"pair-{p.first}-{p.second}", p.result) for p in report.pairs]
    for label, result in named:
        if result.verdict is Verdict.UNKNOWN:
            continue
        target = Path(certificate_dir) / f"{label}.json"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            dump_certificate(result.certificate_json(name=f"{stem} {label}"), target)
        except OSError as error:
            fail_bad_input(f"{target}: cannot write the certificate ({error.strerror or error})")
        if not as_json:
            click.echo(f"wrote {target}")
