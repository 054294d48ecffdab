"""The command line's JSON against independent computations: ``table`` and ``paths`` against
plain path enumeration with the textbook recursion, ``region --all`` against the set-based
reference, and ``convert`` round trips (DOT and GraphML, typed values) that must read back to
the same answers."""

from __future__ import annotations

import json
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import STATISTICS, enumerate_paths, exact_sets, path_geometry
from strategies import dags, sized_dags

import rfgraph
from rfgraph.cli import main
from rfgraph.results import number

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def cli_json(capsys, *argv) -> dict:
    code = main([str(a) for a in argv] + ["--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def edge_list(net) -> list[tuple[str, str, dict]]:
    return [(str(net.nodes[e.src]), str(net.nodes[e.dst]), dict(e.attrs)) for e in net.edges]


def write(net, folder, name: str) -> str:
    path = folder / name
    rfgraph.save(net, path, overwrite=True)
    return str(path)


def expected_axis(paths: list, axis: int) -> dict:
    """What a table row's axis object must say about these paths: through a whole-input layer
    or a normalisation's statistics, every output sees the whole input, and ``local`` is what
    the data paths say (paths through a normalisation included, as the identity)."""
    geoms = [path_geometry(p, axis) for p in paths]
    statistics = any(a.get("op") in STATISTICS for p in paths for _, _, a in p)
    if any(g is None for g in geoms) or statistics:
        data = [g for g in geoms if g is not None]
        return {"whole": True, "local": _data_axis(data) if data else None}
    return _data_axis(geoms)


def _data_axis(geoms: list) -> dict:
    """What the data paths' (r, S, P) give: one stride class, or several."""
    strides = sorted({S for _, S, _ in geoms})
    centres = [Fraction(r - 1, 2) - P for r, _, P in geoms]
    if len(strides) > 1:
        return {"rf": None, "stride": None, "aligned": False, "strides": strides}
    pad = max(P for _, _, P in geoms)
    rf = max(r - 1 - P for r, _, P in geoms) + pad + 1
    return {"rf": rf, "stride": strides[0], "padding": pad, "center": number(Fraction(rf - 1, 2) - pad),
            "aligned": len(set(centres)) == 1}


@SETTINGS
@given(dags(fractional=False, whole=True, max_nodes=7))
def test_table_matches_path_enumeration(capsys, tmp_path_factory, net):
    path = write(net, tmp_path_factory.mktemp("t"), "g.dot")
    data = cli_json(capsys, "table", path)
    edges = edge_list(net)
    x = str(net.nodes[net.endpoint("input")])
    for name in map(str, net.nodes):
        paths = enumerate_paths(edges, x, name)
        row = data["nodes"].get(name)
        if not paths:
            assert row is None
            continue
        assert row["paths"] == len(paths)
        for axis in range(net.ndim):
            want, got = expected_axis(paths, axis), row["axes"][axis]
            if want.get("whole"):
                assert got["rf"] is None and "whole_input" in got
                local = want["local"]
                if local is None:
                    assert got["local"] is None
                elif "strides" in local:
                    assert [c["stride"] for c in got["local"]["classes"]] == local["strides"]
                else:
                    assert {k: got["local"][k] for k in local} == local, (name, axis)
            elif "strides" in want:
                assert got["rf"] is None and got["aligned"] is False
                assert [c["stride"] for c in got["classes"]] == want["strides"]
            else:
                assert {k: got[k] for k in want} == want, (name, axis)


@SETTINGS
@given(dags(fractional=False, whole=True, max_nodes=7), st.integers(0, 6))
def test_paths_match_enumeration(capsys, tmp_path_factory, net, limit):
    path = write(net, tmp_path_factory.mktemp("p"), "g.graphml")
    data = cli_json(capsys, "paths", path, "--limit", limit)
    x, y = (str(net.nodes[i]) for i in net.endpoints())
    paths = enumerate_paths(edge_list(net), x, y)
    assert data["count"] == len(paths)
    assert len(data["paths"]) == min(limit, len(paths)) and data["truncated"] == (limit < len(paths))
    expected = []  # (nodes, per-axis geometry) of every path, a multiset
    for p in paths:
        nodes = [x] + [e[1] for e in p]
        geoms = [path_geometry(p, a) for a in range(net.ndim)]
        expected.append((nodes, [None if g is None else {"rf": g[0], "stride": g[1], "padding": g[2]}
                                 for g in geoms]))
    for listed in data["paths"]:
        got = (listed["nodes"], [None if a["rf"] is None and a["stride"] is None else
                                 {"rf": a["rf"], "stride": a["stride"], "padding": a["padding"]}
                                 for a in listed["axes"]])
        assert got in expected
        expected.remove(got)  # each path listed once


@SETTINGS
@given(sized_dags(ndim=1, max_nodes=6, max_size=10, whole=True))
def test_region_all_1d_matches_reference(capsys, tmp_path_factory, case):
    check_region_all(capsys, tmp_path_factory, *case)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sized_dags(ndim=2, max_nodes=5, max_size=6, whole=True))
def test_region_all_2d_matches_reference(capsys, tmp_path_factory, case):
    check_region_all(capsys, tmp_path_factory, *case)


def check_region_all(capsys, tmp_path_factory, net, size):
    path = write(net, tmp_path_factory.mktemp("r"), "g.dot")
    data = cli_json(capsys, "region", path, "--all")
    x, y = (str(net.nodes[i]) for i in net.endpoints())
    shape, sets = exact_sets(edge_list(net), [str(n) for n in net.nodes], x, size)
    assert data["output_size"] == list(shape[y])
    assert len(data["positions"]) == len(sets[y])
    for item in data["positions"]:
        want = sets[y][tuple(item["at"])]
        if not want:
            assert item["lo"] is None and item["hi"] is None
        else:
            assert item["lo"] == [min(p[a] for p in want) for a in range(len(size))]
            assert item["hi"] == [max(p[a] for p in want) for a in range(len(size))]


@st.composite
def typed_graphs(draw):
    """Random graphs whose integer values are sometimes floats (GraphML doubles) or tuples."""
    net = draw(st.one_of(dags(fractional=True, whole=True), sized_dags(ndim=2, whole=True).map(lambda c: c[0])))
    raw = net.to_raw()
    for _, _, _, attrs in raw.edges:
        for key, value in list(attrs.items()):
            if isinstance(value, int) and not isinstance(value, bool) and draw(st.booleans()):
                attrs[key] = float(value)
            elif isinstance(value, tuple) and draw(st.booleans()):
                attrs[key] = tuple(float(v) for v in value)
    return raw


@SETTINGS
@given(typed_graphs(), st.sampled_from([("dot", "graphml"), ("graphml", "dot"), ("graphml", "graphml"),
                                        ("dot", "dot")]))
def test_convert_round_trips_read_back_the_same(capsys, tmp_path_factory, raw, formats):
    folder = tmp_path_factory.mktemp("c")
    net = rfgraph.build(raw)
    first = write(net, folder, "first.graphml")  # typed values: doubles, longs
    second, third = folder / f"second.{formats[0]}", folder / f"third.{formats[1]}"
    assert main(["convert", first, "-o", str(second)]) == 0
    assert main(["convert", str(second), "-o", str(third), "--values"]) == 0
    capsys.readouterr()
    for command in ("table", "analyze"):
        answers = [cli_json(capsys, command, p) for p in (first, second, third)]
        for other in answers[1:]:
            other.pop("file", None)
            assert other == {k: v for k, v in answers[0].items() if k != "file"}
    layers = [[e.layer for e in rfgraph.load(p).edges] for p in (first, second, third)]
    assert layers[1] == layers[0] and layers[2] == layers[0]
