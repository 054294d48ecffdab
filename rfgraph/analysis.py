"""The questions users ask, answered by putting the passes together.

Every function takes a graph (a :class:`~rfgraph.core.network.Network`, a networkx graph or a
graph file), names nodes by their names, takes the input size the same way (argument, else the
graph attribute ``input_size``: see :func:`rfgraph.passes.shapes.with_sizes`) and returns a
result record of :mod:`rfgraph.results` (or :class:`~rfgraph.passes.regions.Regions`):

- :func:`analyze`: one input/output pair, with the misalignment diagnosis;
- :func:`table`: every node as an end-point seen from the input (one forward pass), or the
  output seen from every node (one backward pass);
- :func:`exact_regions`, :func:`regions_at`: exact regions at an input size, or symbolic ones;
- :func:`nearest_output`, :func:`count_paths`, :func:`iter_paths`, :func:`list_paths`,
  :func:`footprints`.

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
>>> table(G)["f1"].axes[0].rf
3
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from fractions import Fraction
from itertools import islice
from typing import TYPE_CHECKING, Any

from .core.attrs import position
from .core.errors import UnsupportedError, where
from .core.limits import check
from .core.network import Network, Node, as_network
from .core.numbers import half
from .core.perf import paused_gc
from .passes.aggregate import Flow, axis_geometry, backward_pass, forward_pass
from .passes.alignment import find_mismatches
from .passes.hierarchy import hierarchy
from .passes.paths import count_between, decimal_path_counts, iter_between, make_path, path_counts
from .passes.shapes import infer_shapes, with_sizes
from .results import (Analysis, AxisResult, Footprint, NodeResult, Path, PathList, PositionSizes, RegionList,
                      ResolvedPadding, StrideClass, Summary, SummaryRow, Table, number, text)

if TYPE_CHECKING:
    from .passes.phases import PhaseTable
    from .passes.regions import Regions

# The numpy passes (exact regions, footprints) are imported where they are used: numpy alone
# costs more than the rest of `import rfgraph`, and most questions never need it.

__all__ = ["analyze", "count_paths", "exact_regions", "footprints", "hierarchy", "infer_shapes", "iter_paths",
           "list_paths", "nearest_output", "path_of", "regions_at", "summary", "table", "with_sizes"]


# ---------------------------------------------------------------------------------------------
# Stride classes -> per-axis results


def axis_groups(net: Network) -> list[tuple[tuple[int, ...], list[tuple]]]:
    """Group the axes that have identical geometry, so each group is computed once."""
    groups: list[tuple[list[int], list[tuple]]] = []
    for axis in range(net.ndim):
        geoms = axis_geometry(net, axis)
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
              phases: PhaseTable | None = None) -> AxisResult:
    """Turn the stride classes between two nodes into one :class:`~rfgraph.results.AxisResult`
    (``phases``: the output's :class:`~rfgraph.passes.phases.PhaseTable`, for fractional
    strides)."""
    local = _summarize_local(axis, classes, phases) if classes else None
    if whole is None:
        assert local is not None, "a reachable node has local paths or a whole-input path"
        return local
    return AxisResult(
        axis, None, None, None, None, local.aligned if local is not None else True,
        reason=f"every output feature depends on the whole input ({whole})",
        classes=tuple(classes), whole_input=whole, local=local,
    )


def _summarize_local(axis: int, classes: Sequence[StrideClass], phases: PhaseTable | None) -> AxisResult:
    classes = tuple(classes)
    if len(classes) > 1:
        strides = ", ".join(text(c.stride) for c in classes)
        return AxisResult(axis, None, None, None, None, False,
                          f"paths have different strides ({strides}): the region size depends on the output position",
                          classes)
    c = classes[0]
    if c.fractional:
        return _summarize_periodic(axis, c, phases)
    if not c.padding_known:
        single = c.paths == 1
        return AxisResult(axis, c.rf, c.stride, None, None, True if single else None,
                          "the effective padding depends on the input size (padding=same with stride > 1): "
                          + ("give an input size" if single else
                             "give an input size to get the receptive field (the hull of several paths needs it)"),
                          classes)
    center = half(c.rf - 1 - 2 * c.padding)
    return AxisResult(axis, c.rf, c.stride, c.padding, center, c.aligned, None, classes)


def _summarize_periodic(axis: int, c: StrideClass, table: PhaseTable | None) -> AxisResult:
    """A stride class with upsampling or transposed convolutions on its paths: the exact
    regions per phase give the size (one, or a range) and, when the region moves evenly,
    the padding."""
    continuous = c.center_max if c.aligned else None
    through = f"stride {text(c.stride)} (through upsampling)"
    if table is None or not table.alive.any():
        why = ("the effective padding depends on the input size (padding=same with stride > 1): give an input size"
               if not c.padding_known else "the region depends on the output position")
        return AxisResult(axis, None, c.stride, None, continuous, c.aligned, f"{through}: {why}", (c,))
    alive = table.alive
    sizes = (table.v - table.u + 1)[alive]
    rf_min, rf_max = int(sizes.min()), int(sizes.max())
    offset = table.offset()  # the same for every phase, or None
    rf = rf_min if rf_min == rf_max else None
    padding = None
    if offset is not None:
        padding = int(offset) if offset == int(offset) else None
    center, reason = continuous, None
    if rf is not None and padding is not None:
        center = half(rf - 1 - 2 * padding)
    elif rf is None:
        reason = (f"{through}: the region size depends on the output position: {rf_min}-{rf_max}, "
                  f"repeating every {table.period} outputs")
    else:
        reason = (f"{through}: every region has {rf} pixels but its offset varies with the output position, "
                  f"repeating every {table.period} outputs")
    return AxisResult(axis, rf, c.stride, padding, center, c.aligned, reason, (c,),
                      period=table.period, phases=table.phases(), rf_min=rf_min, rf_max=rf_max)


def _whole_text(net: Network, flow: Flow, node: int) -> str | None:
    e = flow.whole_edge(node)
    if e is None:
        return None
    return f"{net.edges[e].layer.op} on edge {net.edge_name(e)}"


# ---------------------------------------------------------------------------------------------
# One input/output pair


def analyze(G: Any, input: Node | None = None, output: Node | None = None, *,
            input_size: Any = None, diagnose: bool = True) -> Analysis:
    """Receptive field, effective stride and padding, alignment and its diagnosis between two
    maps.

    Parameters
    ----------
    G : Network, networkx graph or graph file
    input, output : node, optional
        The end-points (default: the graph's ``input``/``output`` attributes, else its unique
        source/sink).
    input_size : int or sequence of int, optional
        Length per axis of the input (default: the graph attribute ``input_size``). With it,
        SAME padding is resolved and the result also holds every map's size, the resolved
        paddings and, where one size does not describe the region, the size per position.
    diagnose : bool
        Build two witness paths for every mismatch (the default). Without, each mismatch is
        the verdict alone (kind, axes, node; the offset of a centre mismatch): everything
        else in the record is the same, and it is several times faster on misaligned
        graphs (what :func:`rfgraph.analyze_many` does unless told to diagnose).

    Returns
    -------
    Analysis

    Examples
    --------
    >>> import rfgraph
    >>> result = rfgraph.analyze("graphs/distill_fig5_aligned.dot")
    >>> result.rf, result.stride, result.padding, result.aligned
    ((3,), (4,), (1,), True)
    >>> verdict = rfgraph.analyze("graphs/distill_fig4_misaligned.dot", diagnose=False)
    >>> verdict.aligned, verdict.diagnosed, verdict.mismatches[0].to_dict()
    (False, False, {'kind': 'stride', 'axes': [0], 'node': 'y'})
    """
    net = with_sizes(G, input_size, input)
    x, y = net.endpoints(input, output)
    if net.sized:
        net.size_of(net.nodes[x])  # the input itself must have a size
    within = net.between(x, y)
    axes: list[AxisResult | None] = [None] * net.ndim
    mismatches = []
    passes = []
    for members, geoms in axis_groups(net):
        flow = forward_pass(net, x, geoms, within)
        classes = flow.classes(y)
        tables = _phase_tables(net, x, members[0], flow.fractional(), within)
        whole = _whole_text(net, flow, y)
        for axis in members:
            axes[axis] = summarize(axis, classes, whole, tables[y] if tables else None)
        mismatches.extend(find_mismatches(net, x, y, geoms, flow, members, witnesses=diagnose,
                                          within=within))
        passes.append((members, flow, tables))
    last_local = None
    if all(a.whole_input is not None and a.local is None for a in axes):
        last_local = _last_local(net, x, y, within, passes)
    sized: dict[str, Any] = {}
    if net.sized:
        sized = dict(input_size=net.size_of(net.nodes[x]), sizes=net.sizes, same_padding=_same_padding(net))
        if any(a.rf is None and a.whole_input is None for a in axes):
            sized["position_sizes"] = _position_sizes(net, x, y, axes)
    # A model returning several maps (timm's features_only) analysed without naming one: the
    # first is answered, and the record says which others there are rather than hiding them.
    others = tuple(n for n in net.outputs if n != net.nodes[y]) if output is None and len(net.outputs) > 1 else ()
    return Analysis(
        input=net.nodes[x], output=net.nodes[y], paths=count_between(net, x, y),
        aligned=_combine(a.aligned for a in axes), axes=tuple(axes), mismatches=tuple(mismatches),
        source=net.source, last_local=last_local, diagnosed=diagnose, other_outputs=others, **sized,
    )


def _last_local(net: Network, x: int, y: int, within: Sequence[bool], passes: list) -> NodeResult | None:
    """When every output depends on the whole input and no data path reaches it (a
    classifier's logits), the last map on the way that still has a local receptive field
    (ResNet-50's ``layer4``; EfficientNet's ``features``, whose data paths add global context):
    the topologically last node between the input and the output with data paths."""
    free = [v for v in range(x, y) if within[v] and all(flow.records[v] for _, flow, _ in passes)]
    if not free:
        return None
    v = free[-1]
    axes: list[AxisResult | None] = [None] * net.ndim
    for members, flow, tables in passes:
        for axis in members:
            axes[axis] = summarize(axis, flow.classes(v), _whole_text(net, flow, v), tables[v] if tables else None)
    return NodeResult(net.nodes[v], count_between(net, x, v), _combine(a.aligned for a in axes), tuple(axes))


def _phase_tables(net: Network, x: int, axis: int, needed: bool,
                  within: Sequence[bool] | None = None) -> list | None:
    """Every node's :class:`~rfgraph.passes.phases.PhaseTable` from ``x`` along ``axis`` when
    ``needed`` (some node has a fractional stride); None otherwise."""
    if not needed:
        return None
    from .passes.phases import forward_phases

    return forward_phases(net, x, axis, within)


def _same_padding(net: Network) -> tuple[ResolvedPadding, ...]:
    """The SAME paddings that shape inference resolved, per edge."""
    declared = net.declared.edges if net.declared is not None else net.edges
    names = net.nodes
    return tuple(ResolvedPadding((names[e.src], names[e.dst], e.key), e.layer.p_l, e.layer.p_r)
                 for e, d in zip(net.edges, declared) if d.layer.padding == "same" and e.layer is not d.layer)


def _position_sizes(net: Network, x: int, y: int, axes: Sequence[AxisResult]) -> tuple[PositionSizes, ...]:
    """Where one size does not describe the region (misaligned or fractional strides), its
    size at every output position along each such axis (other coordinates 0)."""
    from .passes.regions import compute_regions

    r = compute_regions(net, x, y)
    return tuple(PositionSizes(a.axis, tuple(r.profile(a.axis).tolist()),
                               tuple(r.profile(a.axis, clipped=True).tolist()), tuple(r.changes(a.axis)))
                 for a in axes if a.rf is None and a.whole_input is None)


# ---------------------------------------------------------------------------------------------
# Every node


def table(G: Any, input: Node | None = None, output: Node | None = None, *, from_output: bool = False,
          input_size: Any = None) -> Table:
    """Every node as an end-point: seen from the input (the per-layer table, one forward
    pass), or with ``from_output`` the output seen from every node (one backward pass).

    Parameters
    ----------
    G : Network, networkx graph or graph file
    input, output : node, optional
        The origin of the table: the input (default) or, with ``from_output``, the output.
    from_output : bool
        Rows are the output seen from each node (each node taken as the input).
    input_size : int or sequence of int, optional
        As for :func:`analyze` (SAME padding is resolved at it).

    Returns
    -------
    Table
        A mapping node -> :class:`~rfgraph.results.NodeResult`, in topological order, with
        only the nodes connected to the origin.

    Examples
    --------
    >>> import rfgraph
    >>> rows = rfgraph.table("graphs/distill_fig1_chain.dot")
    >>> [(name, row.axes[0].rf) for name, row in rows.items()]
    [('f0', 1), ('f1', 3), ('f2', 3), ('f3', 3), ('f4', 7)]
    >>> rfgraph.table("graphs/distill_fig1_chain.dot", from_output=True)["f1"].axes[0].rf
    3
    """
    net = with_sizes(G, input_size, input)
    if from_output:
        origin = net.endpoint("output", output)
    else:
        origin = net.endpoint("input", input)
    with paused_gc():
        rows = _table_rows(net, origin, not from_output)
    return Table("output" if from_output else "input", net.nodes[origin], rows,
                 _count_texts(net, origin, not from_output, rows))


# Path counts above this many bits are written from a Decimal count (see decimal_path_counts).
_BIG_COUNT_BITS = 2048


def _count_texts(net: Network, origin: int, forward: bool, rows: dict) -> dict | None:
    """The table's big path counts as Decimals, to be written as text (None if none is big)."""
    if all(row.paths.bit_length() <= _BIG_COUNT_BITS for row in rows.values()):
        return None
    counts = decimal_path_counts(net, origin, forward)
    return {name: counts[v] for v, name in enumerate(net.nodes)
            if name in rows and rows[name].paths.bit_length() > _BIG_COUNT_BITS}


def _table_rows(net: Network, origin: int, forward: bool) -> dict[Node, NodeResult]:
    flows = []
    for members, geoms in axis_groups(net):
        flow = forward_pass(net, origin, geoms) if forward else backward_pass(net, origin, geoms)
        # Periodic regions per node need a forward pass from the origin (seen from the output,
        # each row would need its own): the table from the output reports the period only.
        tables = _phase_tables(net, origin, members[0], forward and flow.fractional())
        flows.append((members, flow, tables))
    flow = flows[0][1]
    reach = flow.reach
    if all(w < 0 for w in flow.whole):  # every path is in a stride class: count from them
        # (one class: its count as is; sum() would copy counts of thousands of digits)
        counts = [(next(iter(recs.values()))[0] if len(recs) == 1 else sum(rec[0] for rec in recs.values()))
                  if recs else 0 for recs in flow.records]
    else:
        counts = path_counts(net, origin, forward)
    rows: dict[Node, NodeResult] = {}
    ndim = net.ndim
    for v, name in enumerate(net.nodes):
        if not reach[v]:
            continue
        axes: list[AxisResult | None] = [None] * ndim
        for members, flow, tables in flows:
            first = summarize(members[0], flow.classes(v), _whole_text(net, flow, v), tables[v] if tables else None)
            for axis in members:
                axes[axis] = first if axis == members[0] else _on_axis(first, axis)
        rows[name] = NodeResult(name, counts[v], _combine([a.aligned for a in axes]), tuple(axes))
    return rows


def _on_axis(result: AxisResult, axis: int) -> AxisResult:
    """The same result reported for another axis with identical geometry."""
    return replace(result, axis=axis, local=replace(result.local, axis=axis) if result.local else None)


def summary(G: Any, input_size: Any = None, *, depth: int | None = None, input: Node | None = None) -> Summary:
    """A per-layer summary in the style of torchinfo: one row per map (the layer that makes
    it), or with ``depth`` one row per module at that depth of the module hierarchy in the
    node names (``layer3.2.conv1`` is in block ``layer3.2`` of stage ``layer3``), each with
    its output size and the receptive field of its output map seen from the input.

    Parameters
    ----------
    G : Network, networkx graph, graph or model file, PyTorch module
        A PyTorch module is imported at ``input_size``.
    input_size : int or sequence of int, optional
        As for :func:`analyze` (default: the graph attribute ``input_size``).
    depth : int, optional
        1: stages (``layer3``), 2: blocks (``layer3.2``), ...; default: every map.
    input : node, optional

    Returns
    -------
    Summary
        Prints as a table; ``.format("markdown")``, ``.to_rows()``, ``.to_pandas()``,
        ``.to_dict()``; an HTML table in Jupyter.

    Examples
    --------
    >>> import rfgraph
    >>> s = rfgraph.summary("graphs/resnet50.dot", depth=1)
    >>> [(r.name, r.axes[0].rf) for r in s.rows][-4:]
    [('layer4', 427), ('avgpool', None), ('flatten', None), ('fc', None)]
    """
    net = with_sizes(G, input_size, input)
    x = net.endpoint("input", input)
    rows = table(net, net.nodes[x])
    h = hierarchy(net)
    in_edges: dict[Node, list] = {}
    for e in net.edges:
        in_edges.setdefault(net.nodes[e.dst], []).append(e)
    found = []
    for item in h.items(depth if depth is not None else h.depth + 1):
        nodes = [n for n in item.nodes if n in rows]
        if not nodes:
            continue
        out = nodes[-1]
        layers = sum(len(in_edges.get(n, ())) for n in nodes)
        if item.container and len(nodes) > 1:
            layer = f"{layers} layers"
        else:
            labels = list(dict.fromkeys(e.layer.label() for e in in_edges.get(out, ())))
            layer = ", ".join(labels) if labels else "input"
            if len(in_edges.get(out, ())) > 1:
                layer += f" ({len(in_edges[out])} inputs)"
        row = rows[out]
        found.append(SummaryRow(item.name, layer, layers, out, net.sizes.get(out), row.paths, row.aligned, row.axes))
    return Summary(net.nodes[x], depth, tuple(found), net.size_of(net.nodes[x]) if net.sized else None)


# ---------------------------------------------------------------------------------------------
# Regions


def exact_regions(G: Any, input_size: Any = None, input: Node | None = None,
                  output: Node | None = None) -> Regions:
    """Exact regions of every output position at an input size (math sections 4 and 5).

    Parameters
    ----------
    G : Network, networkx graph or graph file
    input_size : int or sequence of int, optional
        Default: the graph attribute ``input_size``.
    input, output : node, optional

    Returns
    -------
    Regions
        The hull ``[lo, hi]`` of the exact set of input pixels of every output position, the
        unclipped ``[u, v]``, and the exact sets on request.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("x", "h", op="conv", k=3, d=2, p=2)
    0
    >>> G.add_edge("h", "y", op="conv", k=3, d=2, p=2)
    0
    >>> r = exact_regions(G, 5)
    >>> r.at(0)
    {'at': [0], 'lo': [0], 'hi': [4], 'u': [-4], 'v': [4], 'center': [0]}
    >>> r.exact_set(0).astype(int)
    array([1, 0, 1, 0, 1])
    """
    from .passes.regions import compute_regions

    net = with_sizes(G, input_size, input)
    if not net.sized:
        net = infer_shapes(net)  # no size anywhere: its error says how to give one
    x, y = net.endpoints(input, output)
    return compute_regions(net, x, y)


def regions_at(G: Any, at: Any = None, *, input: Node | None = None, output: Node | None = None,
               input_size: Any = None, sets: bool = False) -> RegionList:
    """The regions of output positions ``at`` (a position, a list of positions, or None for
    every position, which needs an input size).

    With an input size (argument or graph attribute) the regions are exact: each position has
    the hull ``lo``/``hi`` inside the image, the unclipped ``u``/``v`` and the centre, and with
    ``sets`` the exact pixels (``count``, ``set``). Without one they are symbolic (``u``,
    ``v``, ``center`` from the effective stride and padding). Negative coordinates count from
    the end of the output map (they need its size).

    Examples
    --------
    >>> import rfgraph
    >>> import networkx as nx
    >>> G = nx.DiGraph([("x", "y", {"op": "conv", "k": 3, "s": 2, "p": 1})])
    >>> rfgraph.regions_at(G, 1).positions                  # no input size: symbolic
    ({'at': [1], 'u': [1], 'v': [3], 'center': [2]},)
    >>> rfgraph.regions_at("graphs/distill_fig1_chain.dot", 0, input_size=13).positions
    ({'at': [0], 'lo': [0], 'hi': [3], 'u': [-3], 'v': [3], 'center': [0]},)
    """
    net = with_sizes(G, input_size, input)
    if net.sized:
        from .passes.regions import compute_regions

        x, y = net.endpoints(input, output)
        r = compute_regions(net, x, y)
        chosen = None if at is None else [r.index(p) for p in _position_list(at)]
        return r.report(chosen, sets=sets)
    if at is None or sets:
        raise UnsupportedError(f"{where(net.source)}every output position (--all) and exact pixel sets (--set) "
                               "need an input size: give one (graph attribute input_size, or --input-size)")
    result = analyze(net, input, output)
    items = []
    for pos in _position_list(at):
        pos = position(pos, net.ndim)
        if any(j < 0 for j in pos):
            raise UnsupportedError(f"{where(net.source)}position {list(pos)}: negative positions count from the end "
                                   "of the output map, which needs an input size")
        bounds = result.region(pos)
        u, v = [b[0] for b in bounds], [b[1] for b in bounds]
        items.append({"at": list(pos), "u": u, "v": v, "center": [number(half(a + b)) for a, b in zip(u, v)]})
    return RegionList(result.input, result.output, tuple(items))


def _position_list(at: Any) -> list:
    """One position or a list of positions, as a list of positions."""
    if isinstance(at, list) and at and isinstance(at[0], (tuple, list)):
        return list(at)
    return [at]


def footprints(G: Any, at: int, axis: int = 0, *, input_size: Any = None, input: Node | None = None,
               output: Node | None = None, edges: Sequence[int] | None = None) -> dict[Node, Footprint]:
    """Follow output feature ``at`` back through every map along ``axis``: for each node on
    an input-output path, the positions it reads (with the padding positions it touches).

    With an input size (argument or graph attribute), maps have their lengths and padding
    positions stop there; without, the axis is unbounded. ``edges`` restricts the walk to
    some edge ids (one path, say). Each axis is taken alone.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("x", "h", op="conv", k=3, s=2, p=1)
    0
    >>> G.add_edge("h", "y", op="conv", k=3, p=1)
    0
    >>> fp = footprints(G, 0, input_size=8)
    >>> fp["h"].positions.tolist(), fp["x"].positions.tolist(), fp["x"].padding.tolist()
    ([-1, 0, 1], [-1, 0, 1, 2, 3], [-1])
    """
    from .passes.footprints import trace_footprints

    net = with_sizes(G, input_size, input)
    x, y = net.endpoints(input, output)
    return trace_footprints(net, x, y, at, axis, edges)


def nearest_output(G: Any, pixel: Any, input: Node | None = None, output: Node | None = None) -> tuple[int, ...]:
    """The output feature whose receptive-field centre is nearest to input ``pixel`` (per
    axis; ties go to the smaller index). Needs one stride per axis (aligned or not).

    Examples
    --------
    >>> import rfgraph
    >>> rfgraph.nearest_output("graphs/distill_fig1_chain.dot", 9)
    (2,)
    """
    result = analyze(G, input, output)
    out = []
    for axis, i in zip(result.axes, position(pixel, len(result.axes))):
        if axis.stride is None or axis.center is None:
            raise UnsupportedError(f"axis {axis.axis}: no single centre per output feature ({axis.reason})")
        t = (Fraction(i) - axis.center) / axis.stride
        out.append(-((-(2 * t - 1)) // 2))  # ceil(t - 1/2): nearest, ties to the smaller
    return tuple(int(j) for j in out)


# ---------------------------------------------------------------------------------------------
# Paths


def count_paths(G: Any, input: Node | None = None, output: Node | None = None) -> int:
    """Exact number of input-to-output paths (a Python int, 2^60 and beyond).

    Examples
    --------
    >>> import rfgraph
    >>> rfgraph.count_paths("graphs/resnet50.dot")
    65536
    """
    net = as_network(G)
    x, y = net.endpoints(input, output)
    return count_between(net, x, y)


def iter_paths(G: Any, input: Node | None = None, output: Node | None = None) -> Iterator[Path]:
    """Lazily yield the input-to-output paths as :class:`~rfgraph.results.Path` records.

    Examples
    --------
    >>> import rfgraph
    >>> path = next(rfgraph.iter_paths("graphs/distill_fig5_aligned.dot"))
    >>> path.nodes, path.geometry[0].rf
    (('x', 'a', 'y'), 1)
    """
    net = as_network(G)
    x, y = net.endpoints(input, output)
    return iter_between(net, x, y)


def list_paths(G: Any, input: Node | None = None, output: Node | None = None, limit: int = 20) -> PathList:
    """The first ``limit`` input-to-output paths and how many there are.

    Examples
    --------
    >>> import rfgraph
    >>> listed = rfgraph.list_paths("graphs/resnet50.dot", limit=2)
    >>> listed.count, len(listed.paths), listed.truncated
    (65536, 2, True)
    """
    net = as_network(G)
    x, y = net.endpoints(input, output)
    check("max_items", limit, f"listing {limit} paths")
    paths = tuple(islice(iter_between(net, x, y), max(limit, 0)))
    return PathList(net.nodes[x], net.nodes[y], count_between(net, x, y), paths)


def path_of(G: Any, start: Node, edges: Sequence[int]) -> Path:
    """The :class:`~rfgraph.results.Path` from node ``start`` along the edge ids ``edges``
    (as the ``edges`` of a witness path), with its geometry on every axis.

    Examples
    --------
    >>> import rfgraph
    >>> m = rfgraph.analyze("graphs/distill_fig4_misaligned.dot").mismatches[0]
    >>> rfgraph.analysis.path_of("graphs/distill_fig4_misaligned.dot", "x", m.paths[0].edges).nodes
    ('x', 'a', 'y')
    """
    net = as_network(G)
    return make_path(net, net.node_index(start), edges)
