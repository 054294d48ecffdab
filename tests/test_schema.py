"""Every JSON document the command line prints is valid against the published JSON Schema
(rfgraph/schema/rfgraph-v1.schema.json), on the bundled graphs, the zoo and random graphs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

jsonschema = pytest.importorskip("jsonschema")

from rfgraph.cli import main  # noqa: E402
from rfgraph.results import json_schema  # noqa: E402

from strategies import dags, sized_dags  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = sorted((ROOT / "graphs").glob("*.dot")) + sorted((ROOT / "graphs" / "zoo").glob("*.dot"))
SCHEMA = json_schema()
VALIDATORS = {name: jsonschema.Draft202012Validator(json_schema(name))
              for name in ("analyze", "table", "paths", "region", "wrote")}
ANY = jsonschema.Draft202012Validator(SCHEMA)


def validate(document: str, data: dict) -> None:
    VALIDATORS[document].validate(data)
    ANY.validate(data)  # and the document is one of the published kinds


def run_json(capsys, *argv) -> dict:
    assert main([str(a) for a in argv] + ["--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_schema_rejects_what_it_should(capsys):
    """The schema is strict enough to catch a renamed key or a wrong type."""
    data = run_json(capsys, "analyze", ROOT / "graphs" / "distill_fig1_chain.dot")
    bad = json.loads(json.dumps(data))
    bad["axes"][0]["r"] = bad["axes"][0].pop("rf")
    with pytest.raises(jsonschema.ValidationError):
        validate("analyze", bad)
    bad = json.loads(json.dumps(data))
    bad["version"] = 2
    with pytest.raises(jsonschema.ValidationError):
        validate("analyze", bad)


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.name)
def test_analyze_table_paths(capsys, path):
    validate("analyze", run_json(capsys, "analyze", path))
    validate("table", run_json(capsys, "table", path))
    validate("table", run_json(capsys, "table", path, "--from-output"))
    validate("paths", run_json(capsys, "paths", path, "--limit", "3"))


@pytest.mark.parametrize("name", ["distill_fig1_chain", "distill_fig4_misaligned", "distill_fig5_aligned", "resnet50"])
def test_region(capsys, name):
    path = ROOT / "graphs" / f"{name}.dot"
    validate("region", run_json(capsys, "region", path, "--at", "0"))
    validate("region", run_json(capsys, "region", path, "--at", "1", "--set"))


def test_region_all_and_symbolic(capsys, tmp_path):
    validate("region", run_json(capsys, "region", ROOT / "graphs" / "distill_fig4_misaligned.dot", "--all"))
    plain = tmp_path / "plain.dot"  # no input size: symbolic regions
    plain.write_text('digraph { x -> y [op=conv, k=3, s=2, p=1]; y -> z [op=upsample, scale=2]; }')
    validate("region", run_json(capsys, "region", plain, "--at", "3"))
    validate("analyze", run_json(capsys, "analyze", plain))


def _write(net, folder: Path) -> Path:
    import rfgraph

    return rfgraph.save(net, folder / "g.graphml", overwrite=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dags(max_nodes=7, fractional=True, whole=True))
def test_random_graphs(capsys, tmp_path, net):
    path = _write(net, tmp_path)
    validate("analyze", run_json(capsys, "analyze", path))
    validate("table", run_json(capsys, "table", path))
    validate("paths", run_json(capsys, "paths", path, "--limit", "2"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sized_dags(ndim=1, max_nodes=6, max_size=10))
def test_random_sized_graphs(capsys, tmp_path, case):
    net, size = case
    path = _write(net, tmp_path)
    size = ",".join(map(str, size))
    validate("analyze", run_json(capsys, "analyze", path, "--input-size", size))
    validate("region", run_json(capsys, "region", path, "--all", "--set", "--input-size", size))


def test_wrote(capsys, tmp_path):
    out = tmp_path / "fig1.dot"
    validate("wrote", run_json(capsys, "render", ROOT / "graphs" / "distill_fig1_chain.dot", "-o", out))
