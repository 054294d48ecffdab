"""A NAS-Bench-201-style search space, analysed with ``rfgraph batch``.

Run from the repository root:

    python examples/nas_space.py FOLDER [--jobs N] [--sample N] [--stages 5] [--cells 4] [--force]

Writes into FOLDER (created if its parent exists; existing files are kept unless --force):

- ``space.jsonl``: every architecture as one networkx node-link graph per line (what
  ``json.dumps(nx.node_link_data(G))`` writes), for each reduction shortcut below (46,875
  lines, about 400 MB; ``--sample N`` takes N random cells);
- ``rows.jsonl``: ``rfgraph batch space.jsonl`` (one row per architecture, in order);
- ``nas_space.png``: the distribution of receptive fields, and the share of misaligned
  architectures per reduction shortcut;

and prints a summary.

The space, as in NAS-Bench-201 (Dong and Yang, ICLR 2020): a cell is a DAG of 4 nodes where
each node sums its predecessors, and each of the 6 edges i -> j (i < j) is one of
``nor_conv_3x3``, ``nor_conv_1x1``, ``avg_pool_3x3``, ``skip_connect`` or ``none`` (no edge):
5^6 = 15,625 cells. The network is a 3x3 stem, then stages of identical cells separated by a
residual reduction block: a 3x3 stride-2 convolution and a 3x3 convolution, beside a shortcut.
NAS-Bench-201 has 3 stages of 5 cells (``--stages 3 --cells 5``); the default here, 5 stages of
4 cells (137 edges at most), is the size the batch benchmark uses.

NAS-Bench-201's shortcut is a 2x2 average pool of stride 2 followed by a 1x1 convolution. Its
window is centred half a pixel to the right of the 3x3/2 convolution's, so every architecture
with that shortcut is misaligned: each reduction puts the centres of paths through its two
branches half a pixel of its input apart, and the spread adds up: 0.5, 1.5, 3.5 and 7.5 input
pixels after the four reductions of five stages (0.5 (2^r - 1) after r). The space is generated with that shortcut and
two centred ones (3x3 average pool of stride 2 with padding 1, and a strided 1x1 convolution),
and the figure shows what the choice does. Cells with no path from their input to their output
(every path through ``none``) give networks whose output ignores the input: their rows are
errors ("no path from input ... to output ...").
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: NAS-Bench-201's operations, as rfgraph edges (None: no edge)
OPS = {
    "nor_conv_3x3": {"op": "conv", "k": 3, "p": 1},
    "nor_conv_1x1": {"op": "conv", "k": 1},
    "avg_pool_3x3": {"op": "avgpool", "k": 3, "p": 1},
    "skip_connect": {"op": "identity"},
    "none": None,
}
#: the cell's edges (i -> j), in NAS-Bench-201's order
CELL_EDGES = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
#: reduction shortcuts: NAS-Bench-201's, and two centred ones
SHORTCUTS = {
    "avgpool k2 s2 (NAS-Bench-201)": {"op": "avgpool", "k": 2, "s": 2},
    "avgpool k3 s2 p1": {"op": "avgpool", "k": 3, "s": 2, "p": 1},
    "conv 1x1 s2": {"op": "conv", "k": 1, "s": 2},
}


def arch_string(cell: Sequence[str]) -> str:
    """NAS-Bench-201's name of a cell: ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``."""
    ops = iter(cell)
    return "+".join("|" + "|".join(f"{next(ops)}~{i}" for i in range(j)) + "|" for j in (1, 2, 3))


def network(cell: Sequence[str], shortcut: dict, stages: int = 5, cells: int = 4) -> dict:
    """One architecture as node-link data (what ``networkx.node_link_data`` gives)."""
    nodes: list[str] = []
    edges: list[dict] = []

    def edge(u: str, v: str, attrs: dict) -> None:
        for n in (u, v):
            if n not in seen:
                seen.add(n)
                nodes.append(n)
        edges.append({"source": u, "target": v, **attrs})

    seen: set[str] = set()
    edge("image", "stem", {"op": "conv", "k": 3, "p": 1})
    current = "stem"
    for stage in range(stages):
        if stage:  # residual reduction block
            r = f"reduce{stage}"
            edge(current, f"{r}.conv_a", {"op": "conv", "k": 3, "s": 2, "p": 1})
            edge(f"{r}.conv_a", r, {"op": "conv", "k": 3, "p": 1})
            edge(current, f"{r}.shortcut", dict(shortcut))
            edge(f"{r}.shortcut", r, {"op": "conv", "k": 1})
            current = r
        for c in range(cells):
            names = [current] + [f"s{stage}.c{c}.n{i}" for i in (1, 2, 3)]
            for name in names[1:]:  # every node exists, even one no edge reaches
                if name not in seen:
                    seen.add(name)
                    nodes.append(name)
            for (i, j), op in zip(CELL_EDGES, cell):
                if OPS[op] is not None:
                    edge(names[i], names[j], OPS[op])
            current = names[3]
    return {"directed": True, "multigraph": True,
            "graph": {"name": arch_string(cell), "input": "image", "output": current},
            "nodes": [{"id": n} for n in nodes], "edges": edges}


def space(stages: int = 5, cells: int = 4, sample: int | None = None,
          seed: int = 0) -> Iterator[tuple[str, str, dict]]:
    """(shortcut, arch string, node-link data) for every cell (or a random sample of
    ``sample`` cells) with every shortcut."""
    all_cells = list(itertools.product(OPS, repeat=6))
    chosen = random.Random(seed).sample(all_cells, sample) if sample else all_cells
    for shortcut, attrs in SHORTCUTS.items():
        for cell in chosen:
            yield shortcut, arch_string(cell), network(cell, attrs, stages, cells)


def write_space(path: Path, entries: Sequence[tuple[str, str, dict]]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for _, _, data in entries:
            fh.write(json.dumps(data, separators=(",", ":")) + "\n")


def analyse(space_file: Path, rows_file: Path, jobs: int, force: bool) -> None:
    """``rfgraph batch`` on the space (exit status 2 is expected: cells without a path are
    error rows; ``rows_file`` does not exist before, so it is there only if the run finished)."""
    if force:
        rows_file.unlink(missing_ok=True)
    command = [sys.executable, "-m", "rfgraph.cli", "batch", str(space_file), "-o", str(rows_file),
               "--jobs", str(jobs)] + (["--force"] if force else [])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run(command, env=env)
    if done.returncode not in (0, 2) or not rows_file.exists():
        sys.exit(f"rfgraph batch failed (exit status {done.returncode})")


def summarize(entries: Sequence[tuple[str, str, dict]], rows: Sequence[dict]) -> dict:
    """Per shortcut: receptive fields, verdicts and centre offsets of the architectures."""
    summary: dict = {name: {"rf": Counter(), "aligned": 0, "misaligned": 0, "no path": 0, "offsets": Counter()}
                     for name in SHORTCUTS}
    for (shortcut, _, _), row in zip(entries, rows, strict=True):
        s = summary[shortcut]
        if "error" in row:
            assert "no path" in row["error"], row  # the only way this space fails
            s["no path"] += 1
            continue
        s["rf"][row["axes"][0]["rf"]] += 1
        s["aligned" if row["aligned"] else "misaligned"] += 1
        s["offsets"][tuple((m["node"], m.get("offset")) for m in row["mismatches"])] += 1
    return summary


def plot(summary: dict, path: Path, stages: int, cells: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [3, 2]})
    names = list(SHORTCUTS)
    first = summary[names[0]]
    same = all(summary[n]["rf"] == first["rf"] for n in names)
    shown = names[:1] if same else names
    sizes = sorted(set().union(*(summary[n]["rf"] for n in shown)))
    width = 0.8 / len(shown)
    for i, name in enumerate(shown):
        bars = left.bar([x + i * width for x in range(len(sizes))], [summary[name]["rf"][r] for r in sizes],
                        width=width, label=None if same else name)
        left.bar_label(bars, fontsize=7)
    left.set_xticks([x + (len(shown) - 1) * width / 2 for x in range(len(sizes))], [str(r) for r in sizes],
                    fontsize=8, rotation=90 if len(sizes) > 12 else 0)
    left.set_xlabel("receptive field of the last feature map (pixels, per axis)")
    left.set_ylabel("architectures")
    total = sum(first["rf"].values()) + first["no path"]
    note = "the same with every shortcut" if same else "per shortcut"
    left.set_title(f"Receptive fields of {total:,} cells ({stages} stages of {cells} cells), {note}\n"
                   f"({first['no path']:,} cells have no input-output path)")
    if not same:
        left.legend(fontsize=8)

    parts = [("aligned", "#55A868"), ("misaligned", "#C44E52"), ("no path", "#8C8C8C")]
    bottom = [0.0] * len(names)
    for part, colour in parts:
        shares = [100 * summary[n][part] / max(1, sum(summary[n][p] for p, _ in parts)) for n in names]
        right.bar(range(len(names)), shares, bottom=bottom, color=colour, label=part)
        bottom = [b + s for b, s in zip(bottom, shares)]
    right.set_xticks(range(len(names)), [n.replace(" (", "\n(") for n in names], fontsize=8)
    right.set_ylabel("share of architectures (%)")
    right.set_title("Alignment by reduction shortcut\n(beside a 3x3/2 conv)")
    right.legend(loc="lower right", fontsize=8)
    offsets = summary[names[0]]["offsets"]
    if offsets:
        (common, _), = offsets.most_common(1)
        text = "centres apart (input px):\n" + "\n".join(f"{node}: {off}" for node, off in common)
        right.text(0, 50, text, ha="center", va="center", fontsize=7,
                   bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"})
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description="Generate a NAS-Bench-201-style space, analyse it with "
                                                 "`rfgraph batch`, plot receptive fields and alignment.")
    parser.add_argument("folder", help="where to write space.jsonl, rows.jsonl, nas_space.png")
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (default 0: every core)")
    parser.add_argument("--sample", type=int, help="a random sample of this many cells (default: all 15,625)")
    parser.add_argument("--stages", type=int, default=5, help="stages (default 5; NAS-Bench-201: 3)")
    parser.add_argument("--cells", type=int, default=4, help="cells per stage (default 4; NAS-Bench-201: 5)")
    parser.add_argument("--force", action="store_true", help="replace existing files")
    args = parser.parse_args()

    folder = Path(args.folder)
    if not folder.parent.is_dir():
        sys.exit(f"{folder.parent}: no such folder")
    folder.mkdir(exist_ok=True)
    space_file, rows_file, figure = folder / "space.jsonl", folder / "rows.jsonl", folder / "nas_space.png"
    for path in (space_file, rows_file, figure):
        if path.exists() and not args.force:
            sys.exit(f"{path}: already exists (--force replaces it)")

    entries = list(space(args.stages, args.cells, args.sample))
    write_space(space_file, entries)
    analyse(space_file, rows_file, args.jobs, args.force)
    with open(rows_file, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    summary = summarize(entries, rows)
    plot(summary, figure, args.stages, args.cells)

    for name, s in summary.items():
        total = s["aligned"] + s["misaligned"] + s["no path"]
        print(f"{name}: {total} architectures: {s['aligned']} aligned, {s['misaligned']} misaligned, "
              f"{s['no path']} without an input-output path; receptive fields {min(s['rf'])}..{max(s['rf'])}")
        for offsets, n in s["offsets"].most_common(2):
            if offsets:
                print(f"  {n} architectures: centres apart at " + ", ".join(f"{node} by {off} px" for node, off in offsets))
    print(f"wrote {space_file}, {rows_file}, {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
