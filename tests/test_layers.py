"""The package's architecture: imports flow one way, from the views down to the core.

The layers, top to bottom (a module may import from its own layer's package and from any
layer below; never from above):

    cli                      the command line
    server                   the HTTP service (rfgraph serve)
    batch                    many graphs at once, in processes or on a Dask cluster
    api                      files and models in and out (load, save, annotate)
    render, importers,       views; model importers; the questions of the command line and
    questions                the service, with their parameters
    analysis, autograd       the questions users ask (and the PyTorch cross-check)
    passes                   the algorithms (graph in, plain data out)
    io                       graph file formats
    results                  result records and their JSON
    core                     errors, attributes, the op table, the validated network

Every import counts, including the ones inside functions (which are only for heavy
dependencies), so a cycle cannot hide there; only ``if TYPE_CHECKING:`` imports, which never
run, are left out.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import rfgraph

ROOT = Path(rfgraph.__file__).parent

#: layer of each top-level part of the package (lower numbers are lower layers)
LAYERS = {
    "core": 0, "results": 1, "io": 1, "passes": 2, "analysis": 3, "autograd": 3,
    "importers": 4, "render": 4, "questions": 4, "api": 5, "batch": 6, "server": 6, "cli": 7,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """The rfgraph modules that ``path`` imports anywhere (module-level or inside functions)."""
    mod = module_name(path)
    package = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):  # imports for type checkers only never run: leave them out
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = []
    found = {t for node in ast.walk(tree) for t in _targets(node, package) if t.startswith("rfgraph")}
    found.discard(mod)
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in ROOT.rglob("*.py")}


def part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_no_import_cycle():
    edges = graph()
    # a package's __init__ is imported with any of its modules: depend on it too
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(edges.get(m, ())):
            if n not in edges or n == "rfgraph":
                continue
            if state.get(n) == 1:
                cycle = stack[stack.index(n):] + [n]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)


def test_imports_flow_down_the_layers():
    wrong = []
    for m, targets in graph().items():
        src = part(m)
        if src is None or src not in LAYERS:
            continue
        for t in targets:
            dst = part(t)
            if dst is None or dst == src or dst not in LAYERS:
                continue
            if LAYERS[dst] >= LAYERS[src]:
                wrong.append(f"{m} -> {t}")
    assert not wrong, "imports that go up or sideways:\n" + "\n".join(sorted(wrong))


def test_every_part_has_a_layer():
    parts = {part(module_name(p)) for p in ROOT.rglob("*.py")} - {None, "__main__"}
    assert parts <= set(LAYERS), parts - set(LAYERS)


def test_the_check_finds_a_cycle(tmp_path, monkeypatch):
    """The walker must see imports inside functions (a check that cannot fail is no check)."""
    pkg = tmp_path / "rfgraph"
    (pkg / "core").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "core" / "__init__.py").write_text("")
    (pkg / "core" / "a.py").write_text("from . import b\n")
    (pkg / "core" / "b.py").write_text("def f():\n    from .a import x\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", pkg)
    found = graph()
    assert "rfgraph.core.b" in found["rfgraph.core.a"] and "rfgraph.core.a" in found["rfgraph.core.b"]


def test_public_names():
    """``__all__`` lists what the package offers, ``dir()`` shows it (lazy names included),
    and every public function has a docstring with an example."""
    assert set(rfgraph.__all__) <= set(dir(rfgraph))
    for name in rfgraph.__all__:
        value = getattr(rfgraph, name)
        if callable(value) and not isinstance(value, type) and not name.endswith("Error"):
            assert value.__doc__ and ">>>" in value.__doc__, f"rfgraph.{name} has no doctested example"
    for internal in ("forward_pass", "backward_pass", "StrideClass", "regions", "layer_table"):
        assert internal not in rfgraph.__all__


def test_import_rfgraph_is_light():
    """``import rfgraph`` loads neither numpy nor networkx nor matplotlib (the CLI's start)."""
    import subprocess
    import sys

    code = ("import sys, rfgraph; heavy = [m for m in ('numpy', 'networkx', 'matplotlib', 'torch', 'onnx') "
            "if m in sys.modules]; print(','.join(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def _top_level_imports(path: Path) -> tuple[set[str], set[str]]:
    """What ``path`` imports when it is loaded: (rfgraph modules, other top-level modules)."""
    mod = module_name(path)
    package = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    inner, outer = set(), set()
    for node in _module_level(ast.parse(path.read_text()).body):
        for target in _targets(node, package):
            (inner if target.startswith("rfgraph") else outer).add(target)
    inner.discard(mod)
    return inner, {t.split(".")[0] for t in outer}


def _module_level(body: list[ast.stmt]):
    """The statements that run on import (functions' and classes' bodies do not... classes' do,
    but nobody imports there; ``if TYPE_CHECKING`` never runs)."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        if isinstance(node, (ast.If, ast.Try)):
            yield from _module_level(node.body + node.orelse + getattr(node, "finalbody", [])
                                     + [s for h in getattr(node, "handlers", []) for s in h.body])
        else:
            yield node


def _targets(node: ast.AST, package: list[str]) -> list[str]:
    """The modules an import statement in ``package`` loads (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        if not base.startswith("rfgraph"):
            return [base]
        found = []  # `from . import x` may import a submodule
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            exists = ((ROOT.parent / (sub.replace(".", "/") + ".py")).exists()
                      or (ROOT.parent / sub.replace(".", "/")).is_dir())
            found.append(sub if exists else base)
        return found
    return []


#: parts of rfgraph loaded on first use, like a heavy dependency: each is a large subsystem
#: (tens of milliseconds to import) that most commands never need, so the command line and
#: ``import rfgraph`` start without them. Loading one from outside is a lazy import's job.
ON_DEMAND = (
    "rfgraph.importers.torch_fx", "rfgraph.importers.onnx", "rfgraph.importers.keras",
    "rfgraph.api", "rfgraph.questions", "rfgraph.render", "rfgraph.server",
)


#: standard modules loaded on first use: slow to import (python -X importtime: concurrent.futures
#: 22 ms, multiprocessing 9 ms, webbrowser 9 ms, tempfile 5 ms, against a 50 ms start) or there
#: on POSIX only (resource)
SLOW_OR_POSIX = {"concurrent", "multiprocessing", "webbrowser", "tempfile", "resource"}


def on_demand(target: str, importer: str) -> bool:
    """Whether ``importer`` may load ``target`` lazily: an on-demand part, from outside it."""
    return any((target == part or target.startswith(part + "."))
               and not (importer == part or importer.startswith(part + "."))
               for part in ON_DEMAND)


def test_imports_inside_functions_are_for_heavy_dependencies():
    """An import inside a function defers loading something heavy (a third-party package, an
    rfgraph module that loads one, or an on-demand part); anything else belongs at the top of
    the module, where readers look for a module's dependencies."""
    import sys

    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    loads = {m: _top_level_imports(p) for m, p in modules.items()}

    def third_party(name: str) -> bool:
        root = name.split(".")[0]
        return (root not in sys.stdlib_module_names or root in SLOW_OR_POSIX) \
            and root not in ("rfgraph", "__future__")

    heavy: dict[str, bool] = {}

    def is_heavy(m: str, seen: frozenset = frozenset()) -> bool:
        if m not in heavy:
            inner, outer = loads.get(m, (set(), set()))
            parents = {".".join(m.split(".")[:i]) for i in range(2, m.count(".") + 1)}
            heavy[m] = any(third_party(o) for o in outer) or any(
                is_heavy(n, seen | {m}) for n in (inner | parents) - seen - {m} if n in modules)
        return heavy[m]

    wrong = []
    for m, path in sorted(modules.items()):
        package = m.split(".") if path.name == "__init__.py" else m.split(".")[:-1]
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                for target in _targets(node, package):
                    if third_party(target) or (target in modules and is_heavy(target)) \
                            or on_demand(target, m):
                        continue
                    wrong.append(f"{m}.{function.name}: {target}")
    assert not wrong, "imports inside functions that load nothing heavy:\n" + "\n".join(sorted(set(wrong)))
