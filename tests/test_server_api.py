"""The HTTP API of ``rfgraph serve``: every endpoint against the command line's JSON for the
same question, against the Python API (exact_regions, nearest_output, footprints, the
diagram's DOT) on the bundled graphs, every error path, uploads in each format, eviction,
escaping, time limits and several clients at once."""

from __future__ import annotations

import importlib.util
import json
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from conftest import two_output_onnx
from starlette.testclient import TestClient  # (needs httpx2: the test extra)

import rfgraph
from rfgraph.cli import main
from rfgraph.results import json_schema
from rfgraph.server.app import create_app
from rfgraph.server.config import ServerConfig
from rfgraph.server.openapi import openapi_document
from rfgraph.server.routes import ROUTES
from rfgraph.server.service import Service

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "graphs"
BUNDLED = sorted(p.name for p in GRAPHS.glob("*.dot"))
SMALL = ServerConfig(workers=2, timeout=60)


def client_for(paths, config: ServerConfig = SMALL) -> TestClient:
    service = Service([str(p) for p in paths], config).start()
    return TestClient(create_app(service))


@pytest.fixture(scope="module")
def client():
    with client_for([GRAPHS]) as c:
        yield c


@pytest.fixture(scope="module")
def ids(client) -> dict[str, str]:
    return {g["name"]: g["id"] for g in client.get("/api/graphs").json()["graphs"]}


def cli_json(capsys, *argv) -> dict:
    capsys.readouterr()
    assert main([str(a) for a in argv] + ["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for one in data if isinstance(data, list) else [data]:
        one.pop("file", None)
    return data


def same_as_cli(client, capsys, url: str, argv: list) -> dict:
    """The API's answer to ``url`` is the CLI's: the same JSON (less ``file``), or the same
    one-line error (naming the file by its served name) with 400 or 404."""
    r = client.get(url)
    capsys.readouterr()
    code = main([str(a) for a in argv] + ["--json"])
    out, err = capsys.readouterr()
    if code == 2:
        assert r.status_code in (400, 404), (url, r.text)
        path = Path(str(argv[1]))
        expected = err.strip().removeprefix("rfgraph: error: ").replace(str(path), path.relative_to(GRAPHS).as_posix())
        assert r.json()["error"] == expected
        return r.json()
    assert code == 0 and r.status_code == 200, (url, r.text)
    data = json.loads(out)
    data.pop("file", None)
    assert r.json() == data, url
    return data


def validate(document: str, data: dict) -> None:
    jsonschema.Draft202012Validator(json_schema(document)).validate(data)
    jsonschema.Draft202012Validator(json_schema()).validate(data)


def get_ok(client, url: str) -> dict:
    r = client.get(url)
    assert r.status_code == 200, (url, r.text)
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def error_of(r, status: int) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    validate("error", body)
    assert "Traceback" not in body["error"] and "\n" not in body["error"]
    return body["error"]


# ---------------------------------------------------------------------------------------------
# Listing


def test_health(client):
    body = get_ok(client, "/api/health")
    assert body == {"version": 1, "status": "ok"}
    validate("health", body)


def test_graphs_list_every_served_file_with_its_record(client):
    body = get_ok(client, "/api/graphs")
    validate("graphs", body)
    names = {g["name"]: g for g in body["graphs"]}
    files = sorted(p.relative_to(GRAPHS).as_posix() for p in GRAPHS.rglob("*") if p.suffix in (".dot", ".graphml"))
    assert sorted(names) == files  # zoo/ included, named relative to the folder
    for name in ("resnet50.dot", "zoo/densenet121.graphml", "distill_fig4_misaligned.dot"):
        net = rfgraph.load(GRAPHS / name)
        record = names[name]
        assert record["nodes"] == len(net.nodes) and record["edges"] == len(net.edges)
        assert record["input"] == net.default_input and record["output"] == net.default_output
        assert record["input_size"] == list(net.input_size)


def test_graph_detail_maps_follow_the_diagram_ids(client, ids):
    body = get_ok(client, f"/api/graphs/{ids['resnet50.dot']}")
    validate("graph_detail", body)
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    assert body["maps"] == list(net.nodes)
    assert [(layer["source"], layer["target"]) for layer in body["layers"]] == [(e.src, e.dst) for e in net.edges]


# ---------------------------------------------------------------------------------------------
# Every question equals the command line's JSON


@pytest.mark.parametrize("name", BUNDLED)
def test_questions_equal_the_cli_json(client, ids, capsys, name):
    path, gid = GRAPHS / name, ids[name]
    net = rfgraph.load(path)
    some = net.nodes[len(net.nodes) // 2]
    cases = [
        ("analyze", "", ["analyze", path]),
        ("analyze", f"?output={some}", ["analyze", path, "--output", some]),
        ("table", "", ["table", path]),
        ("table", "?from_output=", ["table", path, "--from-output"]),
        ("paths", "?limit=3", ["paths", path, "--limit", "3"]),
        ("summary", "", ["summary", path]),
        ("summary", "?depth=1", ["summary", path, "--depth", "1"]),
        ("region", "?at=0", ["region", path, "--at", "0"]),
        ("region", "?at=1&set=1", ["region", path, "--at", "1", "--set"]),
        ("region", "?all=1", ["region", path, "--all"]),
        ("region", "?at=0&input_size=231", ["region", path, "--at", "0", "--input-size", "231"]),
    ]
    for question, query, argv in cases:
        api = same_as_cli(client, capsys, f"/api/graphs/{gid}/{question}{query}", argv)
        validate("error" if "error" in api else question, api)


@pytest.mark.parametrize("query, argv", [
    ("analyze?output=nope", ["analyze", "--output", "nope"]),
    ("region?at=99", ["region", "--at", "99"]),
    ("analyze?input_size=0", ["analyze", "--input-size", "0"]),
    ("table?input=nope", ["table", "--input", "nope"]),
    ("paths?input=layer4&output=image", ["paths", "--input", "layer4", "--output", "image"]),
])
def test_errors_are_the_cli_message(client, ids, capsys, query, argv):
    body = same_as_cli(client, capsys, f"/api/graphs/{ids['resnet50.dot']}/{query}",
                       [argv[0], GRAPHS / "resnet50.dot", *argv[1:]])
    assert "error" in body


def test_graphml_and_zoo_answers_equal_the_cli(client, ids, capsys):
    for name in ("resnet50.graphml", "zoo/densenet121.dot", "zoo/unet.dot", "zoo/efficientnet_b0.graphml"):
        same_as_cli(client, capsys, f"/api/graphs/{ids[name]}/analyze", ["analyze", GRAPHS / name])
        same_as_cli(client, capsys, f"/api/graphs/{ids[name]}/table?input_size=64x64",
                    ["table", GRAPHS / name, "--input-size", "64,64"])


def test_region_is_exact_regions(client, ids):
    for name, size, positions in [("distill_fig1_chain.dot", 13, [0, 1, 3]),
                                  ("distill_fig4_misaligned.dot", 8, [0, 1, 2, 3]),
                                  ("resnet50.dot", 224, [(0, 0), (3, 5), (6, 6)])]:
        r = rfgraph.exact_regions(GRAPHS / name, size)
        for pos in positions:
            at = ",".join(map(str, pos if isinstance(pos, tuple) else (pos,)))
            body = get_ok(client, f"/api/graphs/{ids[name]}/region?at={at}&set=1&input_size={size}")
            item = body["positions"][0]
            expected = r.at(pos)
            assert {k: item[k] for k in expected} == expected
            mask = r.exact_set(pos)
            assert item["count"] == int(mask.sum())
            pixels = mask.nonzero()
            listed = item["set"] if mask.ndim > 1 else [[p] for p in item["set"]]
            assert sorted(map(tuple, listed)) == sorted(zip(*[a.tolist() for a in pixels]))


def test_footprints_reach_exactly_the_exact_set_on_1d_graphs(client, ids):
    """In 1-D the input map's footprint of an output is its exact set of pixels (computed by
    another pass: the regions' exact sets)."""
    for name in ("distill_fig1_chain.dot", "distill_fig4_misaligned.dot", "distill_fig5_aligned.dot"):
        net = rfgraph.load(GRAPHS / name)
        r = rfgraph.exact_regions(net)
        for j in range(r.output_size[0]):
            body = get_ok(client, f"/api/graphs/{ids[name]}/footprints?at={j}")
            validate("footprints", body)
            maps = {m["node"]: m for m in body["maps"]}
            assert maps[body["input"]]["positions"] == r.exact_set(j).nonzero()[0].tolist()
            expected = rfgraph.footprints(net, j)
            assert {n: sorted(m["positions"] + m["padding"]) for n, m in maps.items()} == \
                   {str(n): sorted(fp.positions.tolist()) for n, fp in expected.items()}


def test_footprints_follow_the_two_witness_paths_when_misaligned(client, ids):
    body = get_ok(client, f"/api/graphs/{ids['distill_fig4_misaligned.dot']}/footprints?at=2")
    result = rfgraph.analyze(GRAPHS / "distill_fig4_misaligned.dot")
    assert [(w["path"], w["nodes"]) for w in body["witnesses"]] == \
           [(tag, list(p.nodes)) for tag, p in zip("ab", result.mismatches[0].paths)]
    for w in body["witnesses"]:
        assert {m["node"] for m in w["maps"]} == set(w["nodes"])


def test_footprints_of_chosen_maps_are_those_of_every_map(client, ids):
    url = f"/api/graphs/{ids['distill_fig4_misaligned.dot']}/footprints?at=2"
    every = get_ok(client, url)
    chosen = [every["maps"][0]["node"], every["maps"][-1]["node"]]
    some = get_ok(client, f"{url}&maps={urllib.parse.quote(json.dumps(chosen))}")
    validate("footprints", some)
    assert some["maps"] == [m for m in every["maps"] if m["node"] in chosen]
    assert [w["maps"] for w in some["witnesses"]] == \
           [[m for m in w["maps"] if m["node"] in chosen] for w in every["witnesses"]]
    assert get_ok(client, f"{url}&maps=%5B%5D")["maps"] == []
    r = client.get(f"{url}&maps=%5B%22nope%22%5D")
    assert r.status_code == 404 and "nope" in r.json()["error"]
    r = client.get(f"{url}&maps=conv1")
    assert r.status_code == 400 and "JSON array" in r.json()["error"]


def test_path_counts_of_any_size_are_written(client):
    from rfgraph.server.worker import encode

    from rfgraph.core.jsontext import int_text

    text = encode({"paths": 7 * 10 ** 5000}).decode()  # was a 500 (Python's limit on digits)
    assert text.replace(" ", "") == '{"paths":' + int_text(7 * 10 ** 5000) + "}"


def test_nearest_is_nearest_output(client, ids):
    for pixel in [(0, 0), (112, 112), (223, 5)]:
        body = get_ok(client, f"/api/graphs/{ids['resnet50.dot']}/nearest?pixel={pixel[0]},{pixel[1]}")
        validate("nearest", body)
        assert tuple(body["at"]) == rfgraph.nearest_output(GRAPHS / "resnet50.dot", pixel)


def test_diagram_dot_is_architecture_dot_and_svg_has_every_node(client, ids):
    from rfgraph.render.graphviz import architecture_dot

    gid = ids["distill_fig4_misaligned.dot"]
    r = client.get(f"/api/graphs/{gid}/diagram.dot?collapse=1")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/vnd.graphviz")
    assert r.text == architecture_dot(GRAPHS / "distill_fig4_misaligned.dot", collapse=True)
    r = client.get(f"/api/graphs/{gid}/diagram.svg")
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    svg = ET.fromstring(r.content)
    titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
    net = rfgraph.load(GRAPHS / "distill_fig4_misaligned.dot")
    assert {f"n{i}" for i in range(len(net.nodes))} <= titles
    assert "mismatch" in r.text  # the merge where the paths disagree is marked
    assert client.get(f"/api/graphs/{gid}/diagram.svg").content == r.content  # cached, same


# ---------------------------------------------------------------------------------------------
# Errors


def test_unknown_graph_node_route_and_method(client, ids):
    assert "no graph with id" in error_of(client.get("/api/graphs/" + "0" * 32 + "/analyze"), 404)
    for sneaky in ("/api/graphs/../../etc/passwd/analyze", "/api/graphs/..%2F..%2Fetc%2Fpasswd/analyze",
                   "/api/graphs/%2Fetc%2Fpasswd", "/static/%2E%2E/service.py", "/static//etc/passwd"):
        assert "root:" not in error_of(client.get(sneaky), 404)
    assert "no such node" in error_of(client.get(f"/api/graphs/{ids['resnet50.dot']}/analyze?output=nope"), 404)
    assert "no such endpoint" in error_of(client.get("/api/nothing"), 404)
    assert "not allowed" in error_of(client.delete("/api/graphs"), 405)
    assert "no such file" in error_of(client.get("/static/app.py"), 404)


@pytest.mark.parametrize("query, message", [
    ("analyze?foo=1", "unknown parameter 'foo'"),
    ("analyze?output=a&output=b", "more than once"),
    ("analyze?input_size=abc", "parameter input_size='abc'"),
    ("analyze?input_size=0", "input_size"),
    ("paths?limit=ten", "expected an integer"),
    ("region", "say which output feature"),
    ("region?at=1&all=1", "not both"),
    ("region?at=99", "outside the output map"),
    ("region?at=1&set=maybe", "expected 1 or 0"),
    ("footprints", "parameter at is required"),
    ("footprints?at=0&axis=5", "axis 5"),
    ("nearest", "parameter pixel is required"),
    ("diagram.svg?rankdir=XY", "expected TB"),
    ("analyze?input_size=" + ",".join(["1"] * 40), "up to 16 integers"),
])
def test_bad_parameters_are_400_with_one_line(client, ids, query, message):
    assert message in error_of(client.get(f"/api/graphs/{ids['distill_fig1_chain.dot']}/{query}"), 400)


def test_region_all_needs_an_input_size(client):
    r = client.post("/api/graphs?name=nosize.dot", content=b"digraph { x -> y [op=conv, k=3, s=2] }")
    assert r.status_code == 201
    assert "need an input size" in error_of(client.get(f"/api/graphs/{r.json()['id']}/region?all=1"), 400)


def test_bad_uploads_are_400(client):
    cases = [
        ("a.dot", b"digraph { a -> b [op=conv, k=abc] }", "attribute k='abc'"),
        ("a.dot", b"\xff\xfe garbage", "not valid UTF-8"),
        ("a.dot", b"digraph { a -> b; b -> a }", "cycle"),
        ("a.graphml", b"<graphml><graph><node id='a'/>", "malformed GraphML"),
        # Without onnx installed the upload is still a clear 400, saying what to install.
        ("a.onnx", b"\x00\x01 not a model \xff" * 10,
         "not an ONNX model" if importlib.util.find_spec("onnx") else "needs the onnx package"),
        ("a.txt", b"digraph {}", "unknown file type"),
        ("a.json", b'{"nodes": [', "not JSON"),
        ("", b"digraph {}", "give the file's name"),
        ("a.dot", b"", "empty"),
        # a file naming a node it does not have is a bad file (400), not an unknown node (404)
        ("a.dot", b'digraph { output="nope"; a -> b [op=conv, k=3] }', "graph attribute output 'nope': no such node"),
        ("a.graphml", b'<graphml><key id="i" for="graph" attr.name="input" attr.type="string"/><graph edgedefault='
                      b'"directed"><data key="i">zz</data><node id="a"/><node id="b"/><edge source="a" target="b"/>'
                      b'</graph></graphml>', "graph attribute input 'zz': no such node"),
    ]
    for name, data, message in cases:
        assert message in error_of(client.post(f"/api/graphs?name={name}", content=data), 400), name
    assert "parameter name is required" in error_of(client.post("/api/graphs", content=b"digraph {}"), 400)
    assert client.get("/api/health").status_code == 200


def test_hostile_xml_is_refused(client):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i + 1, (b"&lol%d;" % i if i else b"&lol;") * 10) for i in range(9))
              + b']><graphml><graph edgedefault="directed"><node id="&lol9;"/></graph></graphml>')
    assert error_of(client.post("/api/graphs?name=lol.graphml", content=laughs), 400)
    external = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                b'<graphml><graph edgedefault="directed"><node id="&e;"/></graph></graphml>')
    assert error_of(client.post("/api/graphs?name=ext.graphml", content=external), 400)
    assert client.get("/api/health").json()["status"] == "ok"


def test_upload_limit_is_413():
    with client_for([GRAPHS / "distill_fig1_chain.dot"], replace(SMALL, max_upload=1000)) as c:
        message = error_of(c.post("/api/graphs?name=big.dot", content=b"digraph { " + b" " * 2000 + b"}"), 413)
        assert "--max-upload" in message and "1000" in message

        def chunks():  # no Content-Length: counted while streaming
            for _ in range(10):
                yield b"/* padding */" * 20

        message = error_of(c.post("/api/graphs?name=big.dot", content=chunks()), 413)
        assert message == "the upload is more than the limit of 1000 bytes (rfgraph serve --max-upload)"
        assert c.post("/api/graphs?name=ok.dot", content=b"digraph { x -> y }").status_code == 201


def test_timeout_is_503_and_the_service_goes_on(tmp_path):
    """A question past --timeout is stopped (its worker killed and replaced): 503, and the
    next question is answered."""
    big = "digraph {\n" + "".join(f"n{i} -> n{i + 1} [op=conv, k=3, p=1];\n" for i in range(200_000)) + "}\n"
    with client_for([GRAPHS / "distill_fig1_chain.dot"], replace(SMALL, timeout=1.0)) as c:
        message = error_of(c.post("/api/graphs?name=long.dot", content=big.encode()), 503)
        assert "more than 1 s" in message and "--timeout" in message
        gid = c.get("/api/graphs").json()["graphs"][0]["id"]
        assert get_ok(c, f"/api/graphs/{gid}/analyze")["axes"][0]["rf"] == 7


def test_a_worker_that_dies_is_replaced():
    with client_for([GRAPHS / "distill_fig1_chain.dot"]) as c:
        service = c.app.state.service
        for worker in list(service.analysis._all):
            worker.process.kill()
        gid = c.get("/api/graphs").json()["graphs"][0]["id"]
        statuses = [c.get(f"/api/graphs/{gid}/table?input_size={n}").status_code for n in range(20, 26)]
        assert statuses.count(503) <= 2 and statuses[-1] == 200
        assert service.analysis.replaced >= 1


# ---------------------------------------------------------------------------------------------
# Uploads, ids, eviction, escaping


def _onnx_model():
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("MaxPool", ["r"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])]
    weight = helper.make_tensor("w", TensorProto.FLOAT, [4, 3, 3, 3], [0.0] * 108)
    graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 32, 32])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])], [weight])
    return onnx, helper.make_model(graph)


def test_uploads_in_each_format(client, tmp_path, capsys):
    onnx, model = _onnx_model()
    onnx_path = tmp_path / "tiny.onnx"
    onnx.save(model, onnx_path)
    graphml = rfgraph.save(GRAPHS / "distill_fig4_misaligned.dot", tmp_path / "fig4.graphml")
    node_link = rfgraph.save(GRAPHS / "distill_fig5_aligned.dot", tmp_path / "fig5.json")
    for path in (GRAPHS / "vgg16.dot", graphml, node_link, onnx_path):
        data = path.read_bytes()
        r = client.post(f"/api/graphs?name={path.name}", content=data)
        assert r.status_code == 201, r.text
        record = r.json()
        validate("graph", record)
        net = rfgraph.load(path)
        assert (record["name"], record["nodes"], record["edges"]) == (path.name, len(net.nodes), len(net.edges))
        for question, argv in (("analyze", ["analyze", path]), ("table", ["table", path]),
                               ("region?at=1", ["region", path, "--at", "1"])):
            assert get_ok(client, f"/api/graphs/{record['id']}/{question}") == cli_json(capsys, *argv)
        again = client.post(f"/api/graphs?name=renamed{path.suffix}", content=data)
        assert again.status_code == 201 and again.json()["id"] == record["id"]  # content-addressed


def test_a_model_with_several_outputs_answers_one_analysis_each(client, tmp_path, capsys):
    pytest.importorskip("onnx")
    path = two_output_onnx(tmp_path)
    gid = client.post("/api/graphs?name=two.onnx", content=path.read_bytes()).json()["id"]
    answer = get_ok(client, f"/api/graphs/{gid}/analyze")
    expected = cli_json(capsys, "analyze", path)
    assert isinstance(answer, list) and [a["output"] for a in answer] == ["a", "b"] and answer == expected
    assert [a["axes"][0]["rf"] for a in answer] == [3, 5]
    assert get_ok(client, f"/api/graphs/{gid}/analyze?output=b")["axes"][0]["rf"] == 5


def test_eviction_says_upload_again():
    with client_for([GRAPHS / "distill_fig1_chain.dot"], replace(SMALL, store_entries=2)) as c:
        made = [c.post(f"/api/graphs?name=g{k}.dot", content=f"digraph {{ x -> y [op=conv, k={k}] }}".encode()).json()
                for k in (1, 2, 3)]
        message = error_of(c.get(f"/api/graphs/{made[0]['id']}/analyze"), 404)
        assert "g1.dot" in message and "evicted" in message and "upload it again" in message
        assert get_ok(c, f"/api/graphs/{made[2]['id']}/analyze")["axes"][0]["rf"] == 3
        again = c.post("/api/graphs?name=g1.dot", content=b"digraph { x -> y [op=conv, k=1] }").json()
        assert again["id"] == made[0]["id"] and get_ok(c, f"/api/graphs/{again['id']}/analyze")["paths"] == 1


HOSTILE = ['<script>alert("x")</script>', 'say "hi" & \'bye\'', "a&amp;b", "\nleading newline 漢", "]]><x/>"]


def test_names_are_escaped_in_svg_and_kept_in_json(client):
    lines = [f'"{HOSTILE[i].replace(chr(34), chr(92) + chr(34))}" -> "{HOSTILE[i + 1].replace(chr(34), chr(92) + chr(34))}" [op=conv, k=3];'
             for i in range(len(HOSTILE) - 1)]
    r = client.post("/api/graphs?name=hostile.dot", content=("digraph {\n" + "\n".join(lines) + "\n}").encode())
    assert r.status_code == 201, r.text
    gid = r.json()["id"]
    assert get_ok(client, f"/api/graphs/{gid}")["maps"] == HOSTILE
    svg = client.get(f"/api/graphs/{gid}/diagram.svg")
    assert svg.status_code == 200, svg.text
    root = ET.fromstring(svg.content)  # well-formed XML
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1] in ("script", "x", "foreignObject")]
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for name in HOSTILE:  # each name shows exactly as written (the newline starts a line of its own)
        assert name.strip() in texts, name
    assert "default-src 'none'" in svg.headers["content-security-policy"]


# ---------------------------------------------------------------------------------------------
# Several clients, the OpenAPI document, the page


def test_concurrent_clients_get_their_own_answers(client, ids):
    questions = []
    for name, output in [("resnet50.dot", "layer2"), ("vgg16.dot", None), ("distill_fig4_misaligned.dot", None),
                         ("alexnet.dot", None), ("zoo/resnet18.dot", "layer3"), ("zoo/mobilenet_v2.dot", None)]:
        query = f"?output={output}" if output else ""
        expected = rfgraph.analyze(GRAPHS / name, output=output).to_dict()
        expected.pop("file")
        questions.append((f"/api/graphs/{ids[name]}/analyze{query}", expected))
        size = 96 + len(questions) if "distill" not in name else None  # (its branches fit at 8 only)
        table = rfgraph.table(GRAPHS / name, input_size=size).to_dict()
        questions.append((f"/api/graphs/{ids[name]}/table" + (f"?input_size={size}" if size else ""), table))
    failures: list[str] = []

    def worker(k: int) -> None:
        for i in range(12):
            url, expected = questions[(k * 5 + i) % len(questions)]
            body = client.get(url).json()
            if body != expected:
                failures.append(url)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_openapi_lists_every_route_and_its_schemas_resolve(client, ids):
    doc = get_ok(client, "/api/openapi.json")
    assert doc == json.loads(json.dumps(openapi_document()))
    served = {(r.path, m) for r in client.app.routes for m in (r.methods or ()) if r.path.startswith("/api")}
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    assert {(p, m) for p, m in served if m != "HEAD"} == documented
    assert {(e.path, e.method) for e in ROUTES} == documented
    # every answer validates against the schema the OpenAPI document points to
    from referencing import Registry, Resource

    registry = Registry().with_resource("urn:api", Resource.from_contents(
        {**doc, "$schema": "https://json-schema.org/draft/2020-12/schema"}))
    gid = ids["distill_fig4_misaligned.dot"]
    for path, url in [("/api/health", "/api/health"), ("/api/graphs", "/api/graphs"),
                      ("/api/graphs/{id}", f"/api/graphs/{gid}"),
                      ("/api/graphs/{id}/analyze", f"/api/graphs/{gid}/analyze"),
                      ("/api/graphs/{id}/table", f"/api/graphs/{gid}/table"),
                      ("/api/graphs/{id}/paths", f"/api/graphs/{gid}/paths"),
                      ("/api/graphs/{id}/region", f"/api/graphs/{gid}/region?all=1&set=1"),
                      ("/api/graphs/{id}/footprints", f"/api/graphs/{gid}/footprints?at=1"),
                      ("/api/graphs/{id}/nearest", f"/api/graphs/{ids['distill_fig1_chain.dot']}/nearest?pixel=3")]:
        schema = json.loads(json.dumps(doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
                                       ["schema"]).replace('"#/components', '"urn:api#/components'))
        jsonschema.Draft202012Validator(schema, registry=registry).validate(client.get(url).json())
        error_ref = doc["paths"][path]["get"]["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
        assert error_ref == "#/components/schemas/error"


def test_page_and_assets(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    policy = r.headers["content-security-policy"]
    directives = dict((d.split(" ", 1) + [""])[:2] for d in (d.strip() for d in policy.split(";")) if d)
    assert directives["default-src"] == "'none'" and directives["connect-src"] == "'self'"
    # scripts from this server only, never inline (eval stays allowed for browser automation)
    assert directives["script-src"].split() == ["'self'", "'unsafe-eval'"]
    for src in __import__("re").findall(r'(?:src|href)="(/static/[^"]+)"', r.text):
        assert client.get(src).status_code == 200, src
    assert get_ok(client, "/api/schema.json") == json_schema()


def test_big_answers_are_gzipped_for_clients_that_take_it(client, ids, capsys):
    url = f"/api/graphs/{ids['resnet50.dot']}/table"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers and packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(plain.content) / 4
    assert packed.json() == plain.json() == cli_json(capsys, "table", GRAPHS / "resnet50.dot")


def test_rfgraphs_limits_hold_in_the_workers():
    """The service runs every question within rfgraph's limits (rfgraph.core.limits): the
    defaults refuse absurd sizes up front, and ``rfgraph serve --max-length N`` (the config's
    ``limits``) lowers or raises them."""
    from rfgraph.core.limits import DEFAULT

    with client_for([GRAPHS / "resnet50.dot"], replace(SMALL, limits=DEFAULT.changed(max_length=300))) as c:
        gid = c.get("/api/graphs").json()["graphs"][0]["id"]
        assert get_ok(c, f"/api/graphs/{gid}/analyze?input_size=256")["axes"][0]["rf"] == 427
        message = error_of(c.get(f"/api/graphs/{gid}/analyze?input_size=512"), 400)
        assert "512" in message and "limit of 300" in message and "--max-length" in message
        huge = b'digraph { input_size="1000000000"; x -> y [op=conv, k=3] }'
        message = error_of(c.post("/api/graphs?name=huge.dot", content=huge), 400)
        assert "1000000000" in message
