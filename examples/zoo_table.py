"""The rows of the zoo tables (graphs/zoo/README.md), computed by rfgraph from the graphs:
shared by examples/make_zoo.py (torchvision) and examples/make_keras_zoo.py
(keras.applications). Run it alone to recompute the tables' numbers from the DOT files (no
torch, torchvision or keras needed):

    python examples/zoo_table.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rfgraph  # noqa: E402
from rfgraph.results import size_text  # noqa: E402
from rfgraph.results.report import note_text, padding_text, rf_text, stride_text, yes  # noqa: E402

KERAS_MARKER = "## Keras applications"
ZOO = ROOT / "graphs" / "zoo"


def row(name: str, net, seconds: float) -> dict:
    """The cells of one model's row: what ``rfgraph analyze`` says of its default output."""
    net = rfgraph.infer_shapes(net) if net.input_size is not None else net
    result = rfgraph.analyze(net)
    a = result.axes[0]
    data = a.local if a.whole_input is not None and a.local is not None else a
    return {"name": name, "output": str(result.output),
            "size": size_text(net.sizes[result.output]) if net.sized else "",
            "rf": rf_text(a), "stride": stride_text(a), "padding": padding_text(a),
            "aligned": yes(data.aligned if a.whole_input is not None else result.aligned).replace("NO", "no"),
            "paths": result.paths, "note": note_text(a),
            "nodes": len(net.nodes), "edges": len(net.edges), "seconds": seconds,
            "input": size_text(net.input_size) if net.input_size else ""}


def line(r: dict) -> str:
    """A table line of a row."""
    return (f"| {r['name']} | {r['input']} | `{r['output']}` | {r['size']} | {r['rf']} | {r['stride']} | "
            f"{r['padding']} | {r['aligned']} | {r['paths']} | {r['note']} |")


def refresh(readme: Path = ZOO / "README.md") -> None:
    """Recompute every table line of the zoo README from its graph file."""
    out = []
    for text in readme.read_text().splitlines():
        found = re.match(r"\| (keras )?(\w+) \| \d", text)
        if found:
            keras, model = found.groups()
            path = ZOO / (f"keras_{model.lower()}.dot" if keras else f"{model}.dot")
            text = line(row(f"{keras or ''}{model}", rfgraph.load(path), 0.0))
        out.append(text)
    readme.write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    refresh()
