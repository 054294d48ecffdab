"""The module hierarchy written in node names: ``layer3.2.conv1`` is in block ``layer3.2`` of
stage ``layer3``.

Importers name every feature map after the module that made it (torch.fx style), so the
dotted names of a graph already carry the model's structure; diagrams, growth plots, the
per-layer summary and web views group maps by it. This module reads that structure and
returns plain data (names and tuples): it computes nothing about receptive fields.

How names map to groups
-----------------------
- A name is split at its dots: ``layer3.2.conv1`` lies in the *containers* ``layer3`` (depth
  1) and ``layer3.2`` (depth 2). Every proper dotted prefix of a node name is a container.
  Names without dots (``conv1``, ``x``, hand-written graphs) and names that are not strings
  or have an empty component (``a..b``) are top-level maps in no container.
- A node named like a container (``layer3`` when ``layer3.0.conv1`` exists) is that
  container's **output**, and lies inside it. PyTorch importers name the output of the last
  block after the outermost container whose output it is, so ``layer3`` is also the output
  of its last block ``layer3.5``: it is placed in the deepest container whose output it is.
  When the node has a ``module`` attribute extending its name (the importers write
  ``module="layer3.5.relu"``), that attribute says where. Without one, the structure says it:
  a container output whose in-edges all come from one child container that has no output
  node of its own (no node is called ``layer3.5``) is that child's output too.
- Suffixes for repeated calls (``relu_1``, ``pool_1``) and names such as
  ``Mixed_5b.branch5x5_1`` are ordinary components: only dots make containers, so a suffix
  never merges or splits a group.
- A ``scope`` attribute on a node (``scope="conv2.block1"``) names its containers outright,
  for models whose layer names carry no dots: the Keras importer writes it from Keras'
  ``conv2_block1_1_conv`` naming. It takes precedence over the name.
- A container is **convex** when no path leaves it and comes back (``down`` in a U-Net whose
  ``down.0``, ``down.1``, ... are interleaved with a top-level ``pool``; a module called
  twice). Only a convex container can be drawn as one node or as one box: at a given depth, a
  map belongs to the first convex container at that depth or deeper, else it stands alone.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for u, v in [("x", "layer1.0.conv"), ("layer1.0.conv", "layer1.0"), ("layer1.0", "layer1.1.conv"),
...              ("layer1.1.conv", "layer1"), ("layer1", "fc")]:
...     _ = G.add_edge(u, v, op="conv", k=3)
>>> h = hierarchy(G)
>>> h.scope("layer1.0.conv"), h.scope("layer1")      # layer1 is the output of layer1.1 too
(('layer1', 'layer1.0'), ('layer1', 'layer1.1'))
>>> [(item.name, len(item.nodes)) for item in h.items(1)]
[('x', 1), ('layer1', 4), ('fc', 1)]
>>> [item.name for item in h.items(2)]
['x', 'layer1.0', 'layer1.1', 'fc']
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.network import Network, as_network

Node = Hashable


@dataclass(frozen=True)
class Container:
    """A module that holds several maps.

    Attributes
    ----------
    name : str
        The dotted name, ``"layer3.2"``.
    depth : int
        The number of components, 2 for ``layer3.2``.
    parent : str or None
        The enclosing container, ``"layer3"``; None at depth 1.
    nodes : tuple
        The maps inside it (at any depth), in topological order.
    output : node or None
        The map named after it (its output), if the graph has one.
    convex : bool
        No path leaves the container and comes back into it, so it can be drawn as one node
        or one box.
    """

    name: str
    depth: int
    parent: str | None
    nodes: tuple
    output: Node | None
    convex: bool


@dataclass(frozen=True)
class Item:
    """One thing shown at a depth: a container drawn as a whole, or a single map.

    Attributes
    ----------
    name : str
        The container's name, or the map's name (``str``).
    nodes : tuple
        The maps it stands for, in topological order (one for a single map).
    container : bool
        Whether it is a container (it can still hold a single map).
    """

    name: str
    nodes: tuple
    container: bool


class Hierarchy:
    """The containers of a graph and the scope of every map; see :func:`hierarchy`.

    Attributes
    ----------
    nodes : tuple
        The maps in topological order.
    containers : dict
        ``name -> Container``, outer containers before inner ones, in order of their first map.
    depth : int
        The depth of the deepest container (0 when names have no dots).
    """

    def __init__(self, nodes: Sequence[Node], scopes: Sequence[tuple[str, ...]], containers: dict[str, Container]):
        self.nodes = tuple(nodes)
        self._scopes = tuple(scopes)
        self._index = {n: i for i, n in enumerate(self.nodes)}
        self.containers = containers
        self.depth = max((c.depth for c in containers.values()), default=0)

    def scope(self, node: Node) -> tuple[str, ...]:
        """The containers that hold ``node``, outermost first.

        Parameters
        ----------
        node : node name

        Returns
        -------
        tuple of str

        Examples
        --------
        >>> import networkx as nx
        >>> h = hierarchy(nx.MultiDiGraph([("x", "a.b.c"), ("a.b.c", "a.b")]))
        >>> h.scope("a.b.c"), h.scope("a.b"), h.scope("x")
        (('a', 'a.b'), ('a', 'a.b'), ())
        """
        return self._scopes[self._index[node]]

    def items(self, depth: int) -> list[Item]:
        """What is shown at ``depth``: every convex container at that depth as one item (or,
        where a container is not convex, its convex sub-containers), every other map alone.

        Parameters
        ----------
        depth : int
            1 for the outermost containers (stages), 2 for the next level (blocks), ...
            0 shows every map alone.

        Returns
        -------
        list of Item
            In topological order of their first map; together they hold every map once.

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.MultiDiGraph([("x", "down.0.conv"), ("down.0.conv", "down.0"), ("down.0", "pool"),
        ...                      ("pool", "down.1.conv"), ("down.1.conv", "down.1")])
        >>> [item.name for item in hierarchy(G).items(1)]   # "down" is left and re-entered
        ['x', 'down.0', 'pool', 'down.1']
        """
        found: dict[tuple, list[Node]] = {}
        for node, scope in zip(self.nodes, self._scopes):
            owner = self._owner(scope, depth)
            found.setdefault(("container", owner) if owner is not None else ("map", node), []).append(node)
        return [Item(key if kind == "container" else _text(key), tuple(nodes), kind == "container")
                for (kind, key), nodes in found.items()]

    def _owner(self, scope: tuple[str, ...], depth: int) -> str | None:
        """The first convex container at ``depth`` or deeper in ``scope``, if any."""
        if depth <= 0:
            return None
        return next((c for c in scope[depth - 1:] if self.containers[c].convex), None)

    def item_of(self, depth: int) -> dict[Node, int]:
        """``node -> index`` of its item in :meth:`items` at ``depth``.

        Examples
        --------
        >>> import networkx as nx
        >>> hierarchy(nx.MultiDiGraph([("x", "a.b"), ("a.b", "a")])).item_of(1)
        {'x': 0, 'a.b': 1, 'a': 1}
        """
        return {node: i for i, item in enumerate(self.items(depth)) for node in item.nodes}


def _text(node: Node) -> str:
    return node if isinstance(node, str) else str(node)


def components(node: Node) -> tuple[str, ...] | None:
    """The dotted components of a node's name, or None when it has none to split.

    Examples
    --------
    >>> components("layer3.2.conv1"), components("conv1"), components("a..b"), components(3)
    (('layer3', '2', 'conv1'), ('conv1',), None, None)
    """
    if not isinstance(node, str):
        return None
    parts = tuple(node.split("."))
    return parts if all(parts) else None


def hierarchy(G: Any) -> Hierarchy:
    """The module hierarchy of a graph's node names (see the module's docstring for the rules).

    Parameters
    ----------
    G : Network, networkx graph or file path
        Anything :func:`rfgraph.as_network` accepts.

    Returns
    -------
    Hierarchy

    Examples
    --------
    >>> import rfgraph
    >>> h = hierarchy(rfgraph.load("graphs/resnet50.dot"))
    >>> [item.name for item in h.items(1)]
    ['image', 'conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool', 'flatten', 'fc']
    >>> h.containers["layer3.5"].nodes[-1], h.containers["layer3"].output
    ('layer3', 'layer3')

    Containers named by a ``scope`` attribute (Keras models):

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("conv2_block1_1_conv", scope="conv2.block1")
    >>> G.add_node("conv2_block1_out", scope="conv2.block1")
    >>> _ = G.add_edge("pool1", "conv2_block1_1_conv", op="conv", k=1)
    >>> _ = G.add_edge("conv2_block1_1_conv", "conv2_block1_out", op="relu")
    >>> [(item.name, len(item.nodes)) for item in hierarchy(G).items(1)]
    [('pool1', 1), ('conv2', 2)]
    """
    net = G if isinstance(G, Network) else as_network(G)
    parts = [components(n) for n in net.nodes]
    names = {n for n in net.nodes if isinstance(n, str)}
    prefixes = {".".join(p[:k]) for p in parts if p for k in range(1, len(p))}
    preds: list[list[int]] = [[] for _ in net.nodes]
    for e in net.edges:
        preds[e.dst].append(e.src)
    scopes: list[tuple[str, ...]] = []
    for v, p in enumerate(parts):
        declared = components(net.node_attrs[v].get("scope"))
        if declared:  # the importer said which containers hold the map
            scopes.append(tuple(".".join(declared[:k]) for k in range(1, len(declared) + 1)))
            continue
        scope = tuple(".".join(p[:k]) for k in range(1, len(p))) if p else ()
        if p and net.nodes[v] in prefixes:  # named after a container: its output
            scope = scope + (net.nodes[v],)
            scope = _deepest_output(scope, net.node_attrs[v].get("module"), prefixes, names,
                                    [scopes[u] for u in preds[v]])
        scopes.append(scope)
    return Hierarchy(net.nodes, scopes, _containers(net, scopes, preds))


def _deepest_output(scope: tuple[str, ...], module: Any, prefixes: set[str], names: set,
                    pred_scopes: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The scope of a container's output, extended into the deepest container whose output it
    is: from the importer's ``module`` attribute when it extends the name, else from where
    its inputs come from."""
    name = scope[-1]
    if isinstance(module, str) and module.startswith(name + "."):
        parts = module.split(".")
        for k in range(len(name.split(".")) + 1, len(parts)):
            inner = ".".join(parts[:k])
            if inner not in prefixes:
                break
            scope = scope + (inner,)
        return scope
    while pred_scopes:
        depth = len(scope)
        children = {s[depth] if len(s) > depth and s[depth - 1] == scope[-1] else None for s in pred_scopes}
        child = children.pop() if len(children) == 1 else None
        if child is None or child in names:  # inputs from several places, or a child with its own output
            return scope
        scope = scope + (child,)
    return scope


def _containers(net: Network, scopes: Sequence[tuple[str, ...]], preds: list[list[int]]) -> dict[str, Container]:
    """Every container with its maps, output and convexity."""
    members: dict[str, list[int]] = {}
    for v, scope in enumerate(scopes):
        for c in scope:
            members.setdefault(c, []).append(v)
    index = net.index
    out = {}
    for name in sorted(members, key=lambda c: (members[c][0], c.count("."))):
        inside = members[name]
        parent = name.rsplit(".", 1)[0] if "." in name else None
        output = name if name in index and index[name] in set(inside) else None
        out[name] = Container(name, name.count(".") + 1, parent, tuple(net.nodes[v] for v in inside), output,
                              _convex(inside, preds))
    return out


def _convex(inside: Sequence[int], preds: list[list[int]]) -> bool:
    """No path from a member to a member through a non-member. Nodes are in topological
    order, so such a path stays between the first and the last member: mark the non-members
    reached from a member there, and fail if a member is fed by one."""
    members = set(inside)
    left = set()  # non-members reached from a member
    for v in range(inside[0], inside[-1] + 1):
        came = any(u in members or u in left for u in preds[v])
        if v in members:
            if any(u in left for u in preds[v]):
                return False
        elif came:
            left.add(v)
    return True
