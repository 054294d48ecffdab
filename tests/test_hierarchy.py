"""The module hierarchy read from node names: real importers' names (torchvision through the
zoo), hand-written names, repeated calls, containers that are left and re-entered."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from conftest import GRAPHS

import rfgraph
from rfgraph.passes.hierarchy import components, hierarchy
from rfgraph.core.network import build

# The torchvision zoo: PyTorch importers write dotted module names (the Keras applications name
# their layers conv2_block1_1_conv, with no hierarchy written in them).
ZOO = sorted(p for p in (GRAPHS / "zoo").glob("*.dot") if not p.name.startswith("keras_"))


def without_module_attributes(net):
    raw = net.to_raw()
    for attrs in raw.nodes.values():
        attrs.pop("module", None)
    return build(raw)


def item_graph_is_acyclic(net, h, depth) -> bool:
    index = h.item_of(depth)
    G = nx.DiGraph()
    G.add_nodes_from(set(index.values()))
    for e in net.edges:
        a, b = index[net.nodes[e.src]], index[net.nodes[e.dst]]
        if a != b:
            G.add_edge(a, b)
    return nx.is_directed_acyclic_graph(G)


@pytest.mark.parametrize("path", ZOO, ids=lambda p: p.stem)
def test_zoo_items_partition_the_maps_and_collapse_to_a_dag(path: Path):
    net = rfgraph.load(path)
    h = hierarchy(net)
    assert h.depth >= 1
    for depth in range(h.depth + 1):
        items = h.items(depth)
        nodes = [n for item in items for n in item.nodes]
        assert sorted(map(str, nodes)) == sorted(map(str, net.nodes))  # every map exactly once
        firsts = [net.index[item.nodes[0]] for item in items]
        assert firsts == sorted(firsts)  # in topological order
        assert item_graph_is_acyclic(net, h, depth)
    assert len(h.items(0)) == len(net.nodes)


@pytest.mark.parametrize("path", ZOO, ids=lambda p: p.stem)
def test_structure_places_container_outputs_where_the_importer_says(path: Path):
    """The importers' ``module`` attribute and the inference from in-edges agree everywhere."""
    net = rfgraph.load(path)
    with_attrs, from_names = hierarchy(net), hierarchy(without_module_attributes(net))
    assert [with_attrs.scope(n) for n in net.nodes] == [from_names.scope(n) for n in net.nodes]


def test_resnet50_stages_and_blocks():
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    h = hierarchy(net)
    assert [i.name for i in h.items(1)] == ["image", "conv1", "bn1", "relu", "maxpool", "layer1", "layer2",
                                           "layer3", "layer4", "avgpool", "flatten", "fc"]
    blocks = [i.name for i in h.items(2) if i.container]
    assert blocks == [f"layer{s}.{b}" for s, n in zip((1, 2, 3, 4), (3, 4, 6, 3)) for b in range(n)]
    # the stage output is the last block's output: "layer3" lies in block layer3.5
    assert h.scope("layer3") == ("layer3", "layer3.5") and h.scope("layer3.4") == ("layer3", "layer3.4")
    assert h.scope("layer3.2.conv1") == ("layer3", "layer3.2")
    stage = h.containers["layer3"]
    assert stage.output == "layer3" and stage.depth == 1 and stage.parent is None and stage.convex
    assert h.containers["layer3.5"].output is None and h.containers["layer3.5"].nodes[-1] == "layer3"
    assert len(stage.nodes) == sum(1 for n in net.nodes if str(n).startswith("layer3"))


def test_zoo_names_group_as_expected():
    dense = hierarchy(rfgraph.load(GRAPHS / "zoo/densenet121.dot"))
    names = [i.name for i in dense.items(2)]
    assert names[:5] == ["input", "features.conv0", "features.norm0", "features.relu0", "features.pool0"]
    assert [n for n in names if "block" in n or "transition" in n] == [
        "features.denseblock1", "features.transition1", "features.denseblock2", "features.transition2",
        "features.denseblock3", "features.transition3", "features.denseblock4"]
    assert len(dense.containers["features.denseblock3"].nodes) == 24 * 7 + 1  # 24 layers of 7 maps, the concat
    inception = hierarchy(rfgraph.load(GRAPHS / "zoo/inception_v3.dot"))
    assert inception.scope("Mixed_5b.branch5x5_1.conv") == ("Mixed_5b", "Mixed_5b.branch5x5_1")
    assert inception.scope("Mixed_5b") == ("Mixed_5b",)  # the concat of the branches
    resnet = hierarchy(rfgraph.load(GRAPHS / "zoo/resnet50.dot"))
    assert resnet.scope("layer1.0.relu_1") == ("layer1", "layer1.0")  # a repeated call is a map like others
    effnet = hierarchy(rfgraph.load(GRAPHS / "zoo/efficientnet_b0.dot"))
    assert effnet.scope("features.1") == ("features", "features.1", "features.1.0", "features.1.0.block",
                                          "features.1.0.block.2")


KERAS = sorted((GRAPHS / "zoo").glob("keras_*.dot"))


@pytest.mark.parametrize("path", KERAS, ids=lambda p: p.stem)
def test_keras_blocks_come_from_the_scope_the_importer_writes(path: Path):
    """Keras layer names have no dots: the importer's ``scope`` attribute groups them; the
    groups partition the maps in topological order and collapse to a DAG at every depth,
    and every map of a block is named after it."""
    net = rfgraph.load(path)
    h = hierarchy(net)
    for depth in range(h.depth + 1):
        items = h.items(depth)
        assert sorted(map(str, (n for item in items for n in item.nodes))) == sorted(map(str, net.nodes))
        firsts = [net.index[item.nodes[0]] for item in items]
        assert firsts == sorted(firsts) and item_graph_is_acyclic(net, h, depth)
    for name, container in h.containers.items():
        stem = name.replace(".", "_")
        assert all(str(n).startswith((stem, name.split(".")[-1])) for n in container.nodes), name
    if "inceptionv3" not in path.stem:  # Inception names its layers conv2d_85, mixed0: no blocks
        assert h.depth >= 1 and len(h.items(1)) < len(net.nodes) / 2


def test_keras_resnet50_stages():
    h = hierarchy(rfgraph.load(GRAPHS / "zoo/keras_resnet50.dot"))
    stages = [i.name for i in h.items(1) if i.container]
    assert stages == ["conv2", "conv3", "conv4", "conv5"]
    blocks = [i.name for i in h.items(2) if i.container]
    assert blocks == [f"conv{s}.block{b}" for s, n in zip((2, 3, 4, 5), (3, 4, 6, 3)) for b in range(1, n + 1)]
    assert h.scope("conv3_block2_2_conv") == ("conv3", "conv3.block2")


def test_unet_containers_left_and_reentered_are_split():
    h = hierarchy(rfgraph.load(GRAPHS / "zoo/unet.dot"))
    assert {c.name for c in h.containers.values() if not c.convex} == {"down", "up", "merge"}
    names = [i.name for i in h.items(1)]
    assert names[:5] == ["input", "down.0", "pool", "down.1", "pool_1"] and "down" not in names
    assert names[-3:] == ["cat_3", "merge.3", "head"]


def test_hand_written_and_odd_names():
    G = nx.MultiDiGraph()
    G.add_edge("x", "a..b", op="relu")
    G.add_edge("a..b", 7, op="relu")
    G.add_edge(7, ".c", op="relu")
    h = hierarchy(G)
    assert h.depth == 0 and not h.containers
    assert [i.name for i in h.items(1)] == ["x", "a..b", "7", ".c"]
    assert components("a.b") == ("a", "b") and components("") is None and components(("a",)) is None


def test_a_module_called_twice():
    G = nx.MultiDiGraph()
    G.add_edge("x", "shared.conv", op="conv", k=3)
    G.add_edge("shared.conv", "shared", op="relu")
    G.add_edge("shared", "mid", op="conv", k=1)  # something between the two calls
    G.add_edge("mid", "shared.conv_1", op="conv", k=3)
    G.add_edge("shared.conv_1", "shared_1", op="relu")
    h = hierarchy(G)
    assert not h.containers["shared"].convex
    assert [i.name for i in h.items(1)] == ["x", "shared.conv", "shared", "mid", "shared.conv_1", "shared_1"]
    assert item_graph_is_acyclic(rfgraph.as_network(G), h, 1)


def test_an_output_fed_from_several_children_stays_at_its_level():
    G = nx.MultiDiGraph()
    G.add_edge("x", "blk.a.conv", op="conv", k=3)
    G.add_edge("x", "blk.b.conv", op="conv", k=5)
    G.add_edge("blk.a.conv", "blk", op="concat")
    G.add_edge("blk.b.conv", "blk", op="concat")
    h = hierarchy(G)
    assert h.scope("blk") == ("blk",)
    assert [i.name for i in h.items(2)] == ["x", "blk.a", "blk.b", "blk"]
    assert h.item_of(1) == {"x": 0, "blk.a.conv": 1, "blk.b.conv": 1, "blk": 1}
