"""Graphs in and out: load and save files, annotate a graph with its receptive fields, and
accept file names wherever a graph is expected.

Files are DOT (``.dot``/``.gv``) or GraphML (``.graphml``) graphs, with the same attribute
names, or ONNX models (``.onnx``, converted by :func:`rfgraph.importers.from_onnx`).
Importing this module registers the file loader with :func:`rfgraph.core.network.as_network`,
so every analysis function accepts a file name.

>>> import rfgraph, tempfile, os
>>> net = rfgraph.load("graphs/distill_fig1_chain.dot")
>>> rfgraph.analyze(net).rf
(7,)
>>> folder = tempfile.mkdtemp()
>>> path = rfgraph.save(net, os.path.join(folder, "chain.graphml"), values=True)
>>> again = rfgraph.load(path)
>>> again.node_attrs[again.index["f4"]]["rf"]
'7'
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .analysis import analyze, table
from .core.network import CONVERTERS, Network, Node, as_network, build
from .core.raw import RawGraph
from .core.errors import ModelImportError, RFGraphError
from .importers import from_keras, from_onnx, from_torch
from .importers.named import is_named, load_named
from .io.formats import FORMATS, detect_format, format_raw, not_a_folder, parse_raw, read_raw
from .io.files import check_input
from .io.safe_write import write_text
from .results import AxisResult, joined

__all__ = ["MODELS", "annotate", "dumps", "has_suffix", "load", "load_bytes", "save"]

#: Model formats and their importers (their options pass through :func:`load`).
MODELS = {"onnx": from_onnx, "keras": from_keras}


def load(path: str | os.PathLike, format: str | None = None, **options: Any) -> Network:
    """Load and validate a graph file or a model file.

    Parameters
    ----------
    path : str or os.PathLike
        A DOT (``.dot``/``.gv``), GraphML (``.graphml``) or node-link JSON (``.json``) graph, or
        an ONNX (``.onnx``) or Keras 3 (``.keras``) model.
    format : {"dot", "graphml", "node_link", "onnx", "keras"}, optional
        Default: from the suffix.
    **options
        For models: options of the importer (``input_size=``, ``output=``, ...).

    Returns
    -------
    Network

    Raises
    ------
    RFGraphError
        Every error names the file.

    Examples
    --------
    >>> import rfgraph
    >>> net = rfgraph.load("graphs/resnet50.dot")
    >>> len(net.nodes), len(net.edges), net.input_size
    (176, 191, (224, 224))
    """
    if is_named(path):
        return load_named(path, **options)
    not_a_folder(path)
    kind = detect_format(path, format)
    if kind in MODELS:
        check_input(path, "max_model_size")  # a regular file of a sane size, before the importer opens it
        return MODELS[kind](path, **options)
    return build(read_raw(path, kind))


def load_bytes(data: bytes, name: str, format: str | None = None, **options: Any) -> Network:
    """Load and validate a graph or model from the bytes of its file (an upload, say).

    Parameters
    ----------
    data : bytes
        The file's contents.
    name : str
        The file's name: its suffix gives the format (unless ``format`` is given), and it
        names the graph in errors and in :attr:`Network.source`, as a path does for :func:`load`.
    format : {"dot", "graphml", "node_link", "onnx", "keras"}, optional
    **options
        For models: options of the importer.

    Returns
    -------
    Network

    Examples
    --------
    >>> import rfgraph
    >>> from rfgraph.api import load_bytes
    >>> net = load_bytes(b'digraph { x -> y [op=conv, k=3, s=2] }', "upload.dot")
    >>> rfgraph.analyze(net).rf, net.source
    ((3,), 'upload.dot')
    >>> load_bytes(b'digraph { x -> y [op=conv, k=x] }', "upload.dot")
    Traceback (most recent call last):
    ...
    rfgraph.core.errors.AttributeValueError: upload.dot: edge x -> y: attribute k='x': expected an integer or a comma-separated list of integers
    """
    kind = detect_format(name, format)
    if kind not in MODELS:
        return build(parse_raw(data, kind, name))
    try:
        if kind == "onnx":
            net = from_onnx(data, **options)
        else:  # importers that read files: a private copy, named after the upload in errors
            net = _load_copy(data, name, kind, **options)
    except RFGraphError as exc:  # name the file as load() does
        message = str(exc)
        raise type(exc)(message if message.startswith(f"{name}:") else f"{name}: {message}") from None
    return replace(net, source=name)


def _load_copy(data: bytes, name: str, kind: str, **options: Any) -> Network:
    """A model importer run on a private temporary copy of ``data``; errors name ``name``."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="rfgraph-") as folder:
        path = os.path.join(folder, "upload" + os.path.splitext(name)[1])
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            return MODELS[kind](path, **options)
        except RFGraphError as exc:
            raise type(exc)(str(exc).replace(path, name)) from None


def has_suffix(path: Any) -> bool:
    """``path`` has a suffix :func:`load` knows."""
    return os.path.splitext(os.fspath(path))[1].lower() in FORMATS


def _from_path(value: Any, input_size: Any = None) -> Network | None:
    if isinstance(value, (str, os.PathLike)):
        model = is_named(value) or (has_suffix(value) and detect_format(value) in MODELS)
        return load(value, input_size=input_size) if model and input_size else load(value)
    return None


def _from_model(value: Any, input_size: Any = None) -> Network | None:
    """PyTorch modules and ONNX models given where a graph is expected. For a PyTorch module,
    ``input_size`` is the spatial size (``(224, 224)``; the channels come from its first layer)
    or, with more than three numbers, the whole input shape ``[N, C, *spatial]``."""
    kind = type(value).__module__.split(".")[0]
    if kind == "onnx":
        return from_onnx(value, input_size=input_size)
    if kind != "torch" and not _is_torch_module(value):
        return None
    if input_size is None:
        raise ModelImportError(
            f"got a PyTorch module ({type(value).__name__}): give the input size it runs at "
            "(rfgraph.analyze(model, input_size=(224, 224))), or convert it first: "
            "net = rfgraph.from_torch(model, torch.zeros(1, 3, 224, 224))",
            cli="a PyTorch module needs an input size (--input-size)")
    import torch

    size = tuple(int(n) for n in input_size) if isinstance(input_size, Sequence) else (int(input_size),) * 2
    if len(size) > 3:  # PyTorch convolves at most 3 spatial axes: the whole shape [N, C, *spatial]
        return from_torch(value, torch.zeros(1, *size[1:]))
    example = torch.zeros(1, _in_channels(value), *size)
    return from_torch(value, example)


def _is_torch_module(value: Any) -> bool:
    return any(c.__module__.startswith("torch.nn") and c.__name__ == "Module" for c in type(value).__mro__)


def _in_channels(module: Any) -> int:
    """The channels a model's first convolution (or linear layer) expects."""
    for m in module.modules():
        for name in ("in_channels", "in_features"):
            if isinstance(getattr(m, name, None), int):
                return getattr(m, name)
    raise ModelImportError(f"{type(module).__name__}: cannot tell how many input channels it expects: "
                           "convert it with rfgraph.from_torch(model, example_input)")


CONVERTERS.extend([_from_path, _from_model])


def annotate(G: Any, input: Node | None = None, output: Node | None = None) -> RawGraph:
    """The graph's raw form with the computed values added as attributes.

    On every node reachable from the input: ``rf``, ``stride``, ``padding``, ``aligned``,
    ``paths`` (seen from the input; per-axis values joined by commas, undefined values left
    out); on the graph: the same for the output.

    Examples
    --------
    >>> import rfgraph
    >>> raw = rfgraph.annotate("graphs/distill_fig1_chain.dot")
    >>> raw.nodes["f4"]["rf"], raw.graph["stride"]
    ('7', '4')
    """
    net = as_network(G)
    raw = net.to_raw()
    for name, row in table(net, input).items():
        raw.nodes[name].update(_values(row.axes, row.aligned, row.paths))
    result = analyze(net, input, output)
    raw.graph.update(_values(result.axes, result.aligned, result.paths))
    return raw


def _values(axes: Sequence[AxisResult], aligned: bool | None, paths: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in ("rf", "stride", "padding"):
        values = [getattr(a, name) for a in axes]
        if all(v is not None for v in values):
            out[name] = joined(values)
    if aligned is not None:
        out["aligned"] = "true" if aligned else "false"
    out["paths"] = str(paths)
    return out


def dumps(G: Any, format: str = "dot", *, values: bool = False) -> str:
    """The graph as DOT or GraphML text (with the computed values when ``values``).

    Examples
    --------
    >>> import rfgraph
    >>> print(rfgraph.dumps("graphs/distill_fig5_aligned.dot").splitlines()[0])
    digraph distill_fig5_aligned {
    """
    raw = annotate(G) if values else as_network(G).to_raw()
    return format_raw(raw, format)


def save(G: Any, path: str | os.PathLike, *, format: str | None = None, values: bool = False,
         overwrite: bool = False) -> Path:
    """Write the graph to ``path`` (DOT or GraphML by suffix or ``format``).

    With ``values`` the computed receptive fields are added as attributes (see
    :func:`annotate`). Refuses to replace an existing file unless ``overwrite``; the file is
    written atomically. :func:`load` reads it back identically.

    Examples
    --------
    >>> import rfgraph, tempfile, os
    >>> path = rfgraph.save("graphs/distill_fig1_chain.dot", os.path.join(tempfile.mkdtemp(), "g.dot"))
    >>> rfgraph.load(path).nodes
    ('f0', 'f1', 'f2', 'f3', 'f4')
    """
    return write_text(path, dumps(G, detect_format(path, format), values=values), overwrite=overwrite)
