"""One row of a zoo table (graphs/zoo/README.md), computed by rfgraph from a graph file: shared
by examples/make_zoo.py (torchvision) and examples/make_keras_zoo.py (keras.applications)."""

from __future__ import annotations

import rfgraph
from rfgraph.results import text

KERAS_MARKER = "## Keras applications"


def row(name: str, net, seconds: float) -> dict:
    result = rfgraph.analyze(net)
    a = result.axes[0]
    note = ""
    if a.whole_input is not None:
        local = a.local
        rf = "whole input"
        note = (f"{a.whole_input.split(' on edge')[0]} on some paths; paths avoiding it: rf "
                f"{text(local.rf)}, stride {text(local.stride)}, padding {text(local.padding)}")
        stride, padding = (text(local.stride), text(local.padding)) if local else ("", "")
        aligned = {True: "yes", False: "no", None: "?"}[local.aligned] if local else "?"
    else:
        rf, stride, padding = text(a.rf), text(a.stride), text(a.padding)
        aligned = {True: "yes", False: "no", None: "?"}[result.aligned]
        if a.phases:  # fractional strides on the way (transposed convolutions): per output phase
            found = sorted({p["size"] for p in a.phases})
            rf = "-".join(map(str, (found[0], found[-1]))) if len(found) > 1 else str(found[0])
            lefts = sorted({-p["u"] + p["at"] * a.stride for p in a.phases})
            padding = "-".join(map(text, (lefts[0], lefts[-1]))) if len(lefts) > 1 else text(lefts[0])
            by = {}
            for p in a.phases:
                by.setdefault(p["size"], []).append(p["at"])
            note = (f"region size depends on the output position j mod {a.period}: "
                    + "; ".join(f"{size} at j mod {a.period} in {_ranges(ats)}" for size, ats in sorted(by.items())))
        elif a.reason:
            note = a.reason
    sizes = result.extra.get("sizes", {})
    out_size = "x".join(map(str, sizes.get(str(result.output), [])))
    return {"name": name, "output": str(result.output), "size": out_size, "rf": rf, "stride": stride,
            "padding": padding, "aligned": aligned, "paths": result.paths, "note": note,
            "nodes": len(net.nodes), "edges": len(net.edges), "seconds": seconds,
            "input": "x".join(map(str, net.input_size))}


def _ranges(values: list[int]) -> str:
    values = sorted(values)
    parts, start = [], values[0]
    for prev, cur in zip(values, values[1:] + [None]):
        if cur != prev + 1:
            parts.append(f"{start}..{prev}" if prev != start else str(start))
            start = cur
    return "{" + ", ".join(parts) + "}"


