"""The receptive-field analysis a user asks for: one input/output pair, or every node.

These functions put the passes together and return plain result records
(:mod:`rfgraph.results`): :func:`analyze` for an input/output pair (with the misalignment
diagnosis), :func:`layer_table` for every node as an end-point seen from the input (one
forward pass), :func:`output_table` for the output seen from every node (one backward pass).

>>> import networkx as nx
>>> G = nx.DiGraph()
>>> G.add_edge("f0", "f1", op="conv", k=3, s=2, p=1)
>>> G.add_edge("f1", "f2", op="relu")
>>> G.add_edge("f2", "f3", op="conv", k=1)
>>> G.add_edge("f3", "f4", op="maxpool", k=3, s=2, p=1)
>>> result = analyze(G)
>>> result.rf, result.stride, result.padding, result.aligned
((7,), (4,), (3,), True)
>>> result.region(1)
((1, 7),)
>>> layer_table(G)["f1"].axes[0].rf
3
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import lcm

from .passes.aggregate import Flow, StrideClass, axis_geometry, backward_pass, forward_pass, half
from .passes.alignment import find_mismatches
from .core.errors import UnsupportedError
from .core.network import Network, Node, as_network
from .passes.paths import count_between
from .core.perf import paused_gc
from .results import Analysis, AxisResult, NodeResult, per_axis, text


def axis_groups(net: Network, layers: Sequence | None = None) -> list[tuple[tuple[int, ...], list[tuple]]]:
    """Group the axes that have identical geometry, so each group is computed once."""
    groups: list[tuple[list[int], list[tuple]]] = []
    for axis in range(net.ndim):
        geoms = axis_geometry(net, axis, layers)
        for members, other in groups:
            if other == geoms:
                members.append(axis)
                break
        else:
            groups.append(([axis], geoms))
    return [(tuple(members), geoms) for members, geoms in groups]


def _combine(values) -> bool | None:
    """False if any is False, else None if any is None, else True."""
    result: bool | None = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def summarize(axis: int, classes: Sequence[StrideClass], whole: str | None = None,
              period: int | None = None) -> AxisResult:
    """Turn the stride classes between two nodes into one :class:`AxisResult`."""
    local = _summarize_local(axis, classes, period) if classes else None
    if whole is None:
        assert local is not None, "a reachable node has local paths or a whole-input path"
        return local
    return AxisResult(
        axis, None, None, None, None, local.aligned if local is not None else True,
        reason=f"every output feature depends on the whole input ({whole})",
        classes=tuple(classes), whole_input=whole, local=local,
    )


def _summarize_local(axis: int, classes: Sequence[StrideClass], period: int | None) -> AxisResult:
    classes = tuple(classes)
    if len(classes) > 1:
        strides = ", ".join(text(c.stride) for c in classes)
        return AxisResult(axis, None, None, None, None, False,
                          f"paths have different strides ({strides}): the region size depends on the output position",
                          classes)
    c = classes[0]
    if c.fractional:
        reason = f"fractional stride {text(c.stride)}: the region size depends on the output position"
        if period is not None:
            reason += f" (it repeats every {period} output positions)"
        return AxisResult(axis, None, c.stride, None, c.center_max if c.aligned else None,
                          c.aligned, reason, classes, period=period)
    if not c.padding_known:
        single = c.paths == 1
        return AxisResult(axis, c.rf, c.stride, None, None, True if single else None,
                          "the effective padding depends on the input size (padding=same with "
                          "stride > 1): give an input size" + ("" if single else " to get the receptive field"),
                          classes)
    center = half(c.rf - 1 - 2 * c.padding)
    return AxisResult(axis, c.rf, c.stride, c.padding, center, c.aligned, None, classes)


def _whole_text(net: Network, flow: Flow, node: int) -> str | None:
    e = flow.whole_edge(node)
    if e is None:
        return None
    return f"{net.edges[e].layer.op} on edge {net.edge_name(e)}"


def _period(net: Network, x: int, y: int, within: Sequence[bool], geoms: Sequence[tuple]) -> int:
    """Smallest output shift T after which every intermediate region shifts by whole pixels:
    the lcm of the denominators of the effective strides from every node to the output."""
    back = backward_pass(net, y, geoms)
    period = 1
    for v in range(x, y + 1):
        if within[v] and back.records[v]:
            for S in back.records[v]:
                period = lcm(period, Fraction(S).denominator)
    return period


def analyze(G, input: Node | None = None, output: Node | None = None, *, input_size=None,
            layers: Sequence | None = None) -> Analysis:
    """Receptive field, effective stride and padding, alignment and its diagnosis between
    ``input`` and ``output`` (defaults: the graph's ``input``/``output`` attributes, else its
    unique source/sink).

    With an input size (``input_size``, else the graph attribute), SAME padding is resolved
    and the result also holds every feature map's size (``extra["sizes"]``) and the resolved
    paddings (``extra["padding"]``). ``layers`` overrides the edges' layers directly."""
    net = as_network(G)
    extra: dict = {}
    if layers is None and (input_size is not None or net.input_size is not None):
        from .passes.shapes import infer_shapes

        shapes = infer_shapes(net, input_size, input)
        shapes.size_of(net.nodes[net.endpoint("input", input)])
        net, layers = shapes.net, shapes.layers
        extra = _size_report(shapes)
    x, y = net.endpoints(input, output)
    within = net.between(x, y)
    axes: list[AxisResult | None] = [None] * net.ndim
    mismatches = []
    for members, geoms in axis_groups(net, layers):
        flow = forward_pass(net, x, geoms, within)
        classes = flow.classes(y)
        period = _period(net, x, y, within, geoms) if any(c.fractional for c in classes) else None
        whole = _whole_text(net, flow, y)
        for axis in members:
            axes[axis] = summarize(axis, classes, whole, period)
            if period is not None and len(classes) == 1 and whole is None and classes[0].padding_known:
                axes[axis] = axes[axis]._replace(phases=_phases(net, x, y, layers, axis, period))
        mismatches.extend(find_mismatches(net, x, y, geoms, flow, members))
    if extra and any(a.rf is None and a.whole_input is None for a in axes):
        extra["position_sizes"] = _position_sizes(net, x, y, axes, extra["sizes"])
    return Analysis(
        input=net.nodes[x], output=net.nodes[y], paths=count_between(net, x, y),
        aligned=_combine(a.aligned for a in axes), axes=tuple(axes), mismatches=tuple(mismatches),
        source=net.source, extra=extra,
    )


def _position_sizes(net: Network, x: int, y: int, axes: Sequence[AxisResult], sizes: dict) -> list[dict]:
    """Where one size does not describe the region (misaligned or fractional strides), its
    size at every output position along each such axis (other coordinates 0), padding
    included and clipped to the image, with the positions where the size changes."""
    from .passes.regions import regions

    r = regions(net, sizes[str(net.nodes[x])], net.nodes[x], net.nodes[y])
    out = []
    for a in axes:
        if a.rf is not None or a.whole_input is not None:
            continue
        index = tuple(slice(None) if b == a.axis else 0 for b in range(net.ndim))
        out.append({"axis": a.axis, "sizes": r.sizes(a.axis)[index].tolist(),
                    "clipped_sizes": r.sizes(a.axis, clipped=True)[index].tolist(),
                    "changes": r.changes(a.axis)})
    return out


def _phases(net: Network, x: int, y: int, layers, axis: int, period: int) -> tuple[dict, ...]:
    from .passes.regions import unbounded_regions

    found = unbounded_regions(net, list(range(period)), axis, net.nodes[x], net.nodes[y], layers)
    return tuple({"at": j, "u": r[0] if r else None, "v": r[1] if r else None,
                  "size": r[1] - r[0] + 1 if r else 0} for j, r in enumerate(found))


def _size_report(shapes) -> dict:
    net = shapes.net
    resolved = []
    for e, layer in enumerate(shapes.layers):
        edge = net.edges[e]
        if edge.layer.padding == "same" and layer is not edge.layer:
            resolved.append({"edge": [str(net.nodes[edge.src]), str(net.nodes[edge.dst]), str(edge.key)],
                             "p_l": list(layer.p_l), "p_r": list(layer.p_r)})
    return {"input_size": list(shapes.input_size),
            "sizes": {str(n): list(size) for n, size in shapes.sizes.items()},
            "padding": resolved}


def _counts(net: Network, origin: int, forward: bool) -> list[int]:
    """Number of paths between ``origin`` and every node (forward: origin -> v)."""
    counts = [0] * len(net.nodes)
    counts[origin] = 1
    if forward:
        src = [e.src for e in net.edges]
        for v in range(origin + 1, len(net.nodes)):
            total = 0
            for e in net.in_edges[v]:
                total += counts[src[e]]
            counts[v] = total
    else:
        dst = [e.dst for e in net.edges]
        for w in range(origin - 1, -1, -1):
            total = 0
            for e in net.out_edges[w]:
                total += counts[dst[e]]
            counts[w] = total
    return counts


def _table(net: Network, origin: int, forward: bool, layers: Sequence | None) -> dict[Node, NodeResult]:
    with paused_gc():
        return _table_rows(net, origin, forward, layers)


def _table_rows(net: Network, origin: int, forward: bool, layers: Sequence | None) -> dict[Node, NodeResult]:
    flows = []
    for members, geoms in axis_groups(net, layers):
        flow = forward_pass(net, origin, geoms) if forward else backward_pass(net, origin, geoms)
        flows.append((members, flow))
    reach = flows[0][1].reach
    flow = flows[0][1]
    if all(w < 0 for w in flow.whole):  # every path is in a stride class: count from them
        counts = [sum(rec[0] for rec in recs.values()) if recs else 0 for recs in flow.records]
    else:
        counts = _counts(net, origin, forward)
    table: dict[Node, NodeResult] = {}
    for v, name in enumerate(net.nodes):
        if not reach[v]:
            continue
        axes: list[AxisResult | None] = [None] * net.ndim
        for members, flow in flows:
            first = summarize(members[0], flow.classes(v), _whole_text(net, flow, v))
            for axis in members:
                axes[axis] = first if axis == members[0] else first._replace(axis=axis)
        table[name] = NodeResult(name, counts[v], _combine([a.aligned for a in axes]), tuple(axes))
    return table


def layer_table(G, input: Node | None = None, *, layers: Sequence | None = None) -> dict[Node, NodeResult]:
    """Every node reachable from ``input`` as an end-point: its receptive field, stride and
    padding seen from the input (the per-layer table), in one forward pass."""
    net = as_network(G)
    x = net.endpoint("input", input)
    return _table(net, x, True, layers)


def output_table(G, output: Node | None = None, *, layers: Sequence | None = None) -> dict[Node, NodeResult]:
    """The output seen from every node that reaches it (each node taken as the input), in one
    backward pass."""
    net = as_network(G)
    y = net.endpoint("output", output)
    return _table(net, y, False, layers)


def nearest_output(G, pixel, input: Node | None = None, output: Node | None = None) -> tuple[int, ...]:
    """The output feature whose receptive-field centre is nearest to input ``pixel`` (per
    axis; ties go to the smaller index). Needs one stride per axis (aligned or not)."""
    result = analyze(G, input, output)
    out = []
    for axis, i in zip(result.axes, per_axis(pixel, len(result.axes))):
        if axis.stride is None or axis.center is None:
            raise UnsupportedError(f"axis {axis.axis}: no single centre per output feature ({axis.reason})")
        t = (Fraction(i) - axis.center) / axis.stride
        out.append(-((-(2 * t - 1)) // 2))  # ceil(t - 1/2): nearest, ties to the smaller
    return tuple(int(j) for j in out)
