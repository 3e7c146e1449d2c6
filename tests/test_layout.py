"""The house: imports follow the data flow, never in a circle, and start-up stays light.

The import graph of ``closure_check/`` and ``cli/`` is read with :mod:`ast` (no module is
imported to build it).  Every module sits on a floor (:data:`FLOORS`, the order data
flows in, README "Layout"):

* no module imports one on a higher floor, at module level or inside a function, except
  the late imports listed in :data:`UPWARD_LATE_IMPORTS` (a result rendering itself);
* the graph of all imports, late ones included, has no cycle once those few edges are
  set aside, and the module-level graph has none at all;
* the verifier imports nothing from the rest of the package;
* ``import closure_check`` and ``closure-check --help`` load no heavy library.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("closure_check", "cli")

#: Floors by module prefix (the longest matching prefix wins); lower floors never import higher ones.
FLOORS = {
    "closure_check.core": 0,
    "closure_check.verifier": 0,
    "closure_check.algebra": 1,
    "closure_check.io": 1,
    "closure_check.families": 1,
    "closure_check.certificates": 2,
    "closure_check.result": 3,
    "closure_check.two_factor": 4,
    "closure_check.chains": 5,
    "closure_check.approximation": 5,
    "closure_check.landscape": 5,
    "closure_check.decide": 6,
    "closure_check.output": 7,
    "closure_check.networks": 8,
    "closure_check.batch": 9,
    "closure_check.census": 9,
    "closure_check.export": 9,
    "closure_check.repair": 9,
    "closure_check.repair_text": 9,
    "cli": 10,
}

#: The only imports that point up the data flow: a result writes its own certificate and
#: Jupyter displays through the writers above the deciders, imported when called.  A ReLU
#: answer displays itself the same way through its writer (same floor, the one late edge
#: back to the module defining the answer).
UPWARD_LATE_IMPORTS = {
    ("closure_check.result", "closure_check.output.certificate_json"),
    ("closure_check.result", "closure_check.output.proof_text"),
    ("closure_check.networks.relu", "closure_check.networks.text"),
}

HEAVY = ("networkx", "z3", "flint", "matplotlib", "sympy", "scipy.sparse.csgraph",
         "closure_check.two_factor.engine", "closure_check.chains.engine", "closure_check.algebra.zariski")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


MODULES = _modules()


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The package modules an import statement loads (the module itself, or its package)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - node.level + 1]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        names = [source] + [f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in MODULES]
    found = []
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name:
            found.append(name)
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports_of(module: str, is_package: bool, tree: ast.Module) -> tuple[set[str], set[str]]:
    """Module-level and late (inside functions) imports of one module, ``TYPE_CHECKING`` blocks left out."""
    top: set[str] = set()
    late: set[str] = set()

    def walk(nodes: list[ast.stmt], inside_function: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                walk(node.orelse, inside_function)
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                targets = {t for t in _targets(node, module, is_package) if t != module}
                (late if inside_function else top).update(targets)
                continue
            nested = inside_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    walk([c for c in children if isinstance(c, ast.AST)], nested)

    walk(tree.body, False)
    return top, late


def _edges() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    top: dict[str, set[str]] = defaultdict(set)
    late: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top[module], late[module] = _imports_of(module, path.name == "__init__.py", tree)
    return top, late


TOP, LATE = _edges()


def floor(module: str) -> int:
    matches = [prefix for prefix in FLOORS if module == prefix or module.startswith(prefix + ".")]
    if not matches:
        raise KeyError(module)
    return FLOORS[max(matches, key=len)]


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` if there is one (iterative depth-first search)."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph.get(start, ()))))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(sorted(graph.get(child, ())))))
                path.append(child)
    return None


def _allowed_upward(source: str, target: str) -> bool:
    return any(source == s and (target == t or target.startswith(t + ".")) for s, t in UPWARD_LATE_IMPORTS)


def test_every_module_has_a_floor():
    assert [module for module in MODULES if module not in ("closure_check",) and _no_floor(module)] == []


def _no_floor(module: str) -> bool:
    try:
        floor(module)
    except KeyError:
        return True
    return False


def test_no_module_imports_one_above_it():
    upward = sorted(
        f"{source} (floor {floor(source)}) → {target} (floor {floor(target)})"
        for edges, late in ((TOP, False), (LATE, True))
        for source, targets in edges.items()
        for target in targets
        if source != "closure_check" and target != "closure_check" and floor(target) > floor(source)
        and not (late and _allowed_upward(source, target))
    )
    assert upward == []


def test_module_level_imports_have_no_cycle():
    assert _cycle(TOP) is None


def test_all_imports_have_no_cycle_but_the_listed_late_ones():
    graph = {m: set(TOP.get(m, ())) | {t for t in LATE.get(m, ()) if not _allowed_upward(m, t)} for m in MODULES}
    assert _cycle(graph) is None


def test_the_listed_upward_imports_exist():
    """The allow-list holds only imports that are really there (no stale exceptions)."""
    for source, target in UPWARD_LATE_IMPORTS:
        assert any(t == target or t.startswith(target + ".") for t in LATE[source]), (source, target)


def test_verifier_imports_nothing_from_the_rest():
    outside = sorted(
        f"{source} → {target}"
        for edges in (TOP, LATE)
        for source, targets in edges.items()
        if source.startswith("closure_check.verifier")
        for target in targets
        if not target.startswith("closure_check.verifier")
    )
    assert outside == []


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_import_reader_sees_late_imports_and_skips_type_checking():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from closure_check.core.support import TwoFactorSupport\n"
        "if TYPE_CHECKING:\n    from closure_check.decide import check\n"
        "class A:\n    def f(self):\n        from closure_check.output.terminal import render_check\n"
        "def g():\n    try:\n        import closure_check.chains.check\n    except ImportError:\n        pass\n"
    )
    top, late = _imports_of("closure_check.core.graph", False, ast.parse(source))
    assert top == {"closure_check.core.support"}
    assert late == {"closure_check.output.terminal", "closure_check.chains.check"}


@pytest.mark.parametrize(
    "code",
    [
        "import closure_check",
        "import sys; sys.argv = ['closure-check', '--help']\nfrom cli.main import main\ntry:\n    main()\nexcept SystemExit:\n    pass",
    ],
    ids=["import closure_check", "closure-check --help"],
)
def test_start_up_loads_no_heavy_library(code: str):
    probe = code + f"\nimport sys\nprint('heavy:', [m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "heavy: []"


def test_help_does_not_load_numpy():
    probe = (
        "import sys; sys.argv = ['closure-check', '--help']\nfrom cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint('numpy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"
