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
    found = set()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):  # imports for type checkers only never run: leave them out
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("rfgraph"):
                continue
            for alias in node.names:  # `from . import x` may import a submodule
                sub = f"{target}.{alias.name}"
                found.add(sub if (ROOT.parent / (sub.replace(".", "/") + ".py")).exists()
                          or (ROOT.parent / sub.replace(".", "/")).is_dir() else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("rfgraph"))
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
