"""Engine benchmarks (not part of the test run). Run from the repository root:

    python benchmarks/bench_engine.py

Reports, with the targets of the foundation and regions issues:
- aggregate + path count of a chain of 60 residual blocks (2^60 paths): target < 50 ms
- first path of that graph from the lazy enumerator: target < 10 ms
- per-node table of a random DAG with 100,000 edges: target < 1 s
- whole analysis of a ResNet-152-sized graph, once loaded: target < 10 ms
- exact regions, all output positions: a 4096-long axis through a 150-layer ResNet-like
  graph (target < 0.5 s), 1024x1024 through ResNet-50 (target < 1 s), and a dilated
  DeepLab-style network
- loading: the bundled ResNet-50 in DOT and GraphML, and a 100,000-edge DOT/GraphML file, in a
  fresh process
"""

from __future__ import annotations

import dataclasses
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

import rfgraph  # noqa: E402
from rfgraph.core.raw import RawGraph  # noqa: E402
from rfgraph import iter_paths  # noqa: E402


def best(fn, repeat: int = 5) -> float:
    """Best wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def residual_chain(blocks: int) -> rfgraph.Network:
    raw = RawGraph()
    for i in range(blocks):
        raw.add_edge(f"b{i}", f"c{i}", {"op": "conv", "k": "3", "p": "1"})
        raw.add_edge(f"c{i}", f"b{i + 1}", {"op": "conv", "k": "3", "p": "1"})
        raw.add_edge(f"b{i}", f"b{i + 1}", {"op": "add"})
    return rfgraph.build(raw)


def random_dag(edges: int, seed: int = 0) -> rfgraph.Network:
    """A random DAG shaped like a CNN: stages of random skip connections (each node reads the
    previous node and up to two of the eight before it, with random ops: 3x3 and 1x1 convs,
    pools, elementwise), separated by stride-2 layers that every path crosses (maps of
    different strides cannot be merged: their sizes differ)."""
    rng = random.Random(seed)
    raw = RawGraph()
    ops = [{"op": "conv", "k": "3", "p": "1"}, {"op": "relu"}, {"op": "bn"},
           {"op": "conv", "k": "1"}, {"op": "add"}, {"op": "maxpool", "k": "3", "p": "1"},
           {"op": "conv", "k": "5", "p": "2"}, {"op": "conv", "k": "3", "d": "2", "p": "2"}]
    count, v, stage_start = 0, 1, 0
    while count < edges:
        if rng.random() < 0.002:  # a stage boundary: one strided layer, no skips across it
            raw.add_edge(f"n{v - 1}", f"n{v}", {"op": "conv", "k": "3", "s": "2", "p": "1"})
            count += 1
            stage_start = v
        else:
            raw.add_edge(f"n{v - 1}", f"n{v}", rng.choice(ops))
            count += 1
            for _ in range(rng.choice((0, 1, 1, 2))):
                if count >= edges:
                    break
                u = rng.randint(max(stage_start, v - 8), v - 1)
                raw.add_edge(f"n{u}", f"n{v}", rng.choice(ops))
                count += 1
        v += 1
    return rfgraph.build(raw)


def graph_from(make) -> rfgraph.Network:
    raw, _ = make
    return rfgraph.build(raw)


def fresh(code: str) -> float:
    """Wall time of a fresh Python process running ``code`` (best of 3)."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    from make_classic_graphs import resnet

    rows = []

    chain = residual_chain(60)
    t = best(lambda: (rfgraph.analyze(chain), rfgraph.count_paths(chain)))
    assert rfgraph.count_paths(chain) == 2**60
    rows.append(("aggregate + path count, 60 residual blocks (2^60 paths)", t, 0.050))
    t = best(lambda: next(rfgraph.iter_paths(chain)))
    rows.append(("first path of the 2^60 graph", t, 0.010))

    dag = random_dag(100_000)
    t = best(lambda: rfgraph.table(dag), repeat=3)
    rows.append((f"per-node table, random DAG ({len(dag.edges)} edges, {len(dag.nodes)} nodes)", t, 1.0))

    r152 = graph_from(resnet((3, 8, 36, 3), 152))
    unsized = dataclasses.replace(r152, input_size=None)  # the symbolic analysis alone
    t = best(lambda: rfgraph.analyze(unsized), repeat=20)
    rows.append((f"analysis of ResNet-152 ({len(r152.edges)} edges), once loaded", t, 0.010))
    t = best(lambda: rfgraph.analyze(r152), repeat=10)
    rows.append(("  ... the same with shapes at 224x224 (SAME resolution, sizes)", t, None))

    regions = rfgraph.exact_regions

    deep = graph_from(resnet((3, 20, 24, 3), 152))  # ~150 layers of 3x3/1x1 convs
    t = best(lambda: regions(deep, 4096), repeat=3)
    rows.append((f"exact regions, 4096-long axis, 150-layer ResNet ({len(deep.edges)} edges)", t, 0.5))
    r50 = graph_from(resnet((3, 4, 6, 3), 50))
    t = best(lambda: regions(r50, (1024, 1024)), repeat=3)
    rows.append(("exact regions, 1024x1024 through ResNet-50, all outputs", t, 1.0))
    dilated = deeplab_like()
    t = best(lambda: regions(dilated, (1024, 1024)), repeat=3)
    rows.append(("exact regions, 1024x1024 through a DeepLab-style dilated ResNet-50 + ASPP", t, None))
    r = regions(dilated, (513, 513))

    def one_set():
        r.__dict__.pop("exact_pieces", None)  # recompute the exact sets of every map
        r.exact_set((32, 32))

    t = best(one_set, repeat=2)
    rows.append(("  exact pixel set of one output (513x513, sets for every map)", t, None))

    with tempfile.TemporaryDirectory() as tmp:
        big = random_dag(100_000, seed=1)
        dot = Path(tmp) / "big.dot"
        gml = Path(tmp) / "big.graphml"
        rfgraph.save(big, dot)
        rfgraph.save(big, gml)
        for name, path in (("bundled resnet50.dot", ROOT / "graphs" / "resnet50.dot"),
                           ("bundled resnet50.graphml", ROOT / "graphs" / "resnet50.graphml"),
                           ("100,000-edge DOT", dot), ("100,000-edge GraphML", gml)):
            t = fresh(f"import rfgraph; rfgraph.load({str(path)!r})")
            rows.append((f"load {name} in a fresh process", t, 0.3 if "bundled" in name else 10.0))
        t = fresh("pass")
        rows.append(("  (an empty fresh Python process, for reference)", t, None))
        r152_path = Path(tmp) / "resnet152.dot"
        rfgraph.save(r152, r152_path)
        t = fresh(f"import rfgraph; rfgraph.load({str(r152_path)!r})")
        rows.append((f"load ResNet-152 DOT ({len(r152.edges)} edges) in a fresh process", t, 0.3))
        t = fresh(f"import rfgraph.cli as c; c.main(['analyze', {str(r152_path)!r}])")
        rows.append(("`rfgraph analyze resnet152.dot` end to end (fresh process)", t, None))

    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark'.ljust(width)}  {'time':>10}  target")
    for name, seconds, target in rows:
        mark = "" if target is None else (f"< {target * 1000:g} ms " + ("ok" if seconds < target else "MISSED"))
        print(f"{name.ljust(width)}  {seconds * 1000:8.1f} ms  {mark}")


def deeplab_like() -> rfgraph.Network:
    """ResNet-50 with output stride 8 (stages 3 and 4 dilated by 2 and 4 instead of strided)
    and an ASPP head of parallel dilated 3x3 convolutions (rates 12, 24, 36) and a 1x1 conv."""
    from make_classic_graphs import Builder

    b = Builder("image", input="image", output="aspp", input_size="513,513")
    b.layer("conv1", "conv", k=7, s=2, p=3)
    b.layer("pool", "maxpool", k=3, s=2, p=1)
    for stage, (blocks, stride, dil) in enumerate(((3, 1, 1), (4, 2, 1), (6, 1, 2), (3, 1, 4)), start=1):
        for i in range(blocks):
            s = stride if i == 0 else 1
            block_in = b.cur
            b.layer(f"l{stage}.{i}.c1", "conv", k=1)
            b.layer(f"l{stage}.{i}.c2", "conv", k=3, s=s, d=dil, p=dil)
            b.layer(f"l{stage}.{i}.c3", "conv", k=1)
            b.layer(f"l{stage}.{i}.out", "add", src=b.cur)
            b.layer(f"l{stage}.{i}.out", "conv" if i == 0 else "add", src=block_in,
                    **({"k": 1, "s": s} if i == 0 else {}))
            b.cur = f"l{stage}.{i}.out"
    top = b.cur
    for rate in (12, 24, 36):
        b.layer("aspp", "conv", src=top, k=3, d=rate, p=rate)
    b.layer("aspp", "conv", src=top, k=1)
    return rfgraph.build(b.raw)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
