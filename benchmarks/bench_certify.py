"""Benchmark: proofs that scale like the decision (issue 14).

For each pattern a support file (``.npz``) is written once; then, each in a fresh
subprocess, so that peak memory is that command's alone:

* ``check FILE`` -- the decision (the reference);
* ``certify FILE -o CERT`` -- decision, certificate, in-process verification, JSON file;
* ``verify CERT`` -- the independent verifier on that file;
* the Jupyter displays: ``check`` on the loaded file, then ``_repr_markdown_()`` and
  ``_repr_latex_()`` of the result, each timed alone (the peak memory is the process's).

Times are wall-clock seconds of the whole command (Python start-up and file loading
included) except for the displays (the call alone); peak memory is the child's maximum
resident set (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, measured by a runner
process that starts only that child).  Ratios are to ``check`` on the same file, in the
same run.  A command that fails (MemoryError, timeout, nonzero exit) is reported with
its last stderr line.  Targets: certify and verify within 2× the time and the peak
memory of check on the 2^16 butterfly split and Monarch n = 65536; the Markdown display
of the 2^12 split under 0.5 s.

Run:  python benchmarks/bench_certify.py [--sizes 12,14,16] [--no-monarch]
      [--memory-cap GB] [--timeout S] [--skip-display-above L]
(from the repository root; to measure another checkout, copy this file into its
``benchmarks/`` and run it there).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's package, for writing the patterns too

CLI = "import sys; sys.argv[0] = 'closure-check'; from cli.main import main; main()"

DISPLAY = """
import json, sys, time
from closure_check.io import read_case
from closure_check.decide import check
result = check(read_case(sys.argv[1]).support)
times = {}
for hook in ("_repr_markdown_", "_repr_latex_"):
    start = time.perf_counter()
    text = getattr(result, hook)()
    times[hook] = (time.perf_counter() - start, len(text))
print(json.dumps(times))
"""

RUNNER = """
import json, resource, subprocess, sys, time
cap, timeout, command = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
def limit():
    if cap > 0:
        size = int(cap * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
start = time.perf_counter()
try:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, preexec_fn=limit)
    status, out, err = done.returncode, done.stdout, done.stderr
except subprocess.TimeoutExpired as error:
    status, out, err = "timeout", "", f"timeout after {timeout:g} s"
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"seconds": elapsed, "peak": peak, "status": status, "stdout": out[-2000:], "stderr": err[-2000:]}))
"""


def measure(command: list[str], cap: float, timeout: float) -> dict:
    """Run ``command`` under a fresh runner; its time, peak memory, status and output tails."""
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(cap), str(timeout), *command],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    return json.loads(done.stdout)


def write_patterns(folder: Path, sizes: list[int], monarch: bool) -> list[tuple[str, Path]]:
    from closure_check.core.case import Case
    from closure_check.families import butterfly_split, monarch as monarch_support
    from closure_check.io import write_case

    made = []
    for L in sizes:
        path = folder / f"butterfly-split-{L}.npz"
        write_case(Case(name=path.stem, support=butterfly_split(L, L // 2)), path)
        made.append((f"butterfly split 2^{L}", path))
    if monarch:
        path = folder / "monarch-256.npz"
        write_case(Case(name=path.stem, support=monarch_support(256)), path)
        made.append(("Monarch n=65536", path))
    return made


def _cell(run: dict, reference: dict | None) -> str:
    if run["status"] != 0:
        last = (run["stderr"].strip().splitlines() or ["?"])[-1][:60]
        return f"FAILED ({run['status']}) {run['seconds']:.1f} s {run['peak'] / 2**30:.2f} GB: {last}"
    text = f"{run['seconds']:8.2f} s {run['peak'] / 2**30:6.2f} GB"
    if reference is not None and reference["status"] == 0:
        text += f"  ({run['seconds'] / reference['seconds']:.2f}× t, {run['peak'] / reference['peak']:.2f}× mem)"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="12,14,16", help="butterfly split exponents L (split at L/2)")
    parser.add_argument("--no-monarch", action="store_true", help="skip Monarch n = 65536")
    parser.add_argument("--memory-cap", type=float, default=0.0, help="address-space cap per command, GB (0: none)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per command")
    parser.add_argument("--skip-display-above", type=int, default=16,
                        help="no display run for butterfly splits larger than 2^this (nor for Monarch when below 16)")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",") if s]
    cap, timeout = options.memory_cap, options.timeout
    with tempfile.TemporaryDirectory() as folder:
        for label, path in write_patterns(Path(folder), sizes, not options.no_monarch):
            cert = path.with_suffix(".json")
            check = measure([sys.executable, "-c", CLI, "check", str(path)], cap, timeout)
            certify = measure([sys.executable, "-c", CLI, "certify", str(path), "-o", str(cert)], cap, timeout)
            size = f"{cert.stat().st_size / 1000:.1f} kB" if cert.exists() else "none"
            verify = (measure([sys.executable, "-c", CLI, "verify", str(cert)], cap, timeout)
                      if cert.exists() else None)
            exponent = int(label.split("^")[1]) if label.startswith("butterfly") else 16  # Monarch n = 2^16
            big = exponent > options.skip_display_above
            display = None if big else measure([sys.executable, "-c", DISPLAY, str(path)], cap, timeout)
            print(f"== {label}  ({path.stat().st_size / 2**20:.1f} MB npz; certificate {size})")
            print(f"   check    {_cell(check, None)}")
            print(f"   certify  {_cell(certify, check)}")
            print(f"   verify   {_cell(verify, check) if verify else 'not run (no certificate)'}")
            if display is None:
                print("   display  not run")
            elif display["status"] != 0:
                print(f"   display  {_cell(display, None)}")
            else:
                hooks = json.loads(display["stdout"].strip().splitlines()[-1])
                md, tex = hooks["_repr_markdown_"], hooks["_repr_latex_"]
                print(f"   display  markdown {md[0]:.3f} s ({md[1]} chars), latex {tex[0]:.3f} s ({tex[1]} chars); "
                      f"check + displays peak {display['peak'] / 2**30:.2f} GB")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
