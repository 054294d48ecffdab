"""Batch analysis on a Dask distributed cluster (a LocalCluster of 2 worker processes): the
same rows as in this process, from Python (client=) and from the command line
(--scheduler). CI installs Dask and fails if these tests are skipped."""

from __future__ import annotations

import json
import logging

import pytest
from conftest import GRAPHS

distributed = pytest.importorskip("distributed")

import rfgraph  # noqa: E402
from rfgraph.cli import main  # noqa: E402
from rfgraph.core.errors import RFGraphError  # noqa: E402
from rfgraph.io.node_link import format_node_link  # noqa: E402

BUNDLED = sorted(GRAPHS.glob("*.dot")) + sorted((GRAPHS / "zoo").glob("*.dot"))


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster, set_as_default=False) as c:
        yield c


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """The bundled and zoo graphs, and a JSON-lines file with good and bad lines."""
    folder = tmp_path_factory.mktemp("space")
    good = [format_node_link(rfgraph.load(p).to_raw()) for p in BUNDLED[:4]]
    space = folder / "space.jsonl"
    space.write_text("\n".join(good[:2] + ["not json", '{"edges": [{"source": "x", "target": "y", "op": "warp"}]}']
                               + good[2:]) + "\n")
    return [str(p) for p in BUNDLED] + [str(space), str(folder / "missing.dot")]


@pytest.mark.parametrize("diagnose", [False, True])
def test_dask_rows_are_the_local_rows(client, sources, diagnose):
    local = [r.to_dict() for r in rfgraph.analyze_many(sources, diagnose=diagnose)]
    remote = [r.to_dict() for r in rfgraph.analyze_many(sources, client=client, diagnose=diagnose, chunk_size=3)]
    assert remote == local
    assert sum("error" in r for r in local) == 3
    pool = [r.to_dict() for r in rfgraph.analyze_many(sources, jobs=2, diagnose=diagnose, chunk_size=5)]
    assert pool == local


def test_dask_unordered_gives_the_same_rows(client, sources):
    local = [r.to_dict() for r in rfgraph.analyze_many(sources)]
    remote = [r.to_dict() for r in rfgraph.analyze_many(sources, client=client, ordered=False, chunk_size=1)]
    assert sorted(remote, key=json.dumps) == sorted(local, key=json.dumps)


def test_scheduler_option(cluster, sources, capsys, tmp_path):
    assert main(["batch", *sources, "--format", "csv"]) == 2
    local = capsys.readouterr().out
    out = tmp_path / "rows.csv"
    assert main(["batch", *sources, "--format", "csv", "--scheduler", cluster.scheduler_address, "-o", str(out)]) == 2
    assert out.read_text() == local


def test_unreachable_scheduler_is_a_clear_error(capsys):
    assert main(["batch", str(BUNDLED[0]), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rfgraph: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9") and err.count("\n") == 1


def test_workers_must_run_the_same_rfgraph(client, monkeypatch):
    monkeypatch.setattr(rfgraph.batch.executors, "__version__", "0.0.0-other")  # this process only
    with pytest.raises(RFGraphError, match=r"has rfgraph 0\.1\.0, this is 0\.0\.0-other"):
        list(rfgraph.analyze_many([str(BUNDLED[0])], client=client))


@pytest.mark.parametrize("address", ["garbage", "tcp://host-without-port", "http://127.0.0.1:1"])
def test_malformed_scheduler_address_is_one_line_and_exits_at_once(address):
    """Checked before a Client is made: a half-made Client used to hang 20 s at exit and
    print a traceback after the error line."""
    import subprocess
    import sys
    import time

    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "rfgraph.cli", "batch", str(BUNDLED[0]), "--scheduler", address],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"rfgraph: error: Dask scheduler address {address!r}: expected tcp://HOST:PORT")
    assert done.stderr.count("\n") == 1
    assert time.perf_counter() - start < 15
    with pytest.raises(RFGraphError, match="expected tcp://HOST:PORT"):
        list(rfgraph.analyze_many([str(BUNDLED[0])], client=address))
