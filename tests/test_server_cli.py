"""``rfgraph serve`` as a user runs it: a real process on port 0, its first line, Ctrl-C, bad
arguments."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "graphs"


def start(*argv: str) -> tuple[subprocess.Popen, str]:
    """Start ``rfgraph serve ARGV`` and return the process and its URL (from its first line)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "rfgraph", "serve", "--port", "0", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if not line.startswith("rfgraph: serving on http://127.0.0.1:"):
        proc.kill()
        raise AssertionError(f"first line {line!r}; stderr: {proc.stderr.read()}")
    return proc, line.split(" on ", 1)[1].strip()


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def test_serve_prints_its_url_answers_and_stops_on_ctrl_c():
    proc, url = start(str(GRAPHS / "distill_fig1_chain.dot"), str(GRAPHS / "zoo"))
    workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    try:
        assert len(workers) >= 2  # the analysis workers and the one that draws
        assert url.endswith("/") and int(url.rsplit(":", 1)[1].rstrip("/")) > 0
        assert get(url + "api/health") == {"version": 1, "status": "ok"}
        names = sorted(g["name"] for g in get(url + "api/graphs")["graphs"])
        assert "distill_fig1_chain.dot" in names and "resnet50.dot" in names and "densenet121.graphml" in names
        with urllib.request.urlopen(url, timeout=30) as r:
            assert b"<!doctype html>" in r.read().lower()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Error" not in err, err
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(int(pid)) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(int(pid))]  # the workers went with it


def alive(pid: int) -> bool:
    """The process runs (a zombie waiting for its reaper does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_serve_with_no_path_serves_the_bundled_graphs():
    proc, url = start()
    try:
        names = {g["name"] for g in get(url + "api/graphs")["graphs"]}
        assert {"resnet50.dot", "distill_fig4_misaligned.dot", "zoo/densenet121.dot"} <= names
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


@pytest.mark.parametrize("argv, message", [
    (["nothing.dot"], "nothing.dot: no such file or folder"),
    (["README.md"], "unknown file type"),
    (["--max-upload", "lots"], "expected a size"),
    (["--port", "70000"], "expected 0 to 65535"),
])
def test_serve_bad_arguments_exit_2(tmp_path, argv, message):
    done = subprocess.run([sys.executable, "-m", "rfgraph", "serve", "--port", "0", *argv], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_serve_a_bad_file_named_on_the_command_line_exits_2_but_one_in_a_folder_is_skipped(tmp_path):
    bad = tmp_path / "bad.dot"
    bad.write_text("digraph { a -> b [op=conv, k=zero] }")
    done = subprocess.run([sys.executable, "-m", "rfgraph", "serve", "--port", "0", str(bad)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 2 and "bad.dot: edge a -> b: attribute k='zero'" in done.stderr
    (tmp_path / "good.dot").write_text("digraph { a -> b [op=conv, k=3] }")
    os.mkfifo(tmp_path / "pipe.dot")  # never read (it would block): not a regular file
    proc, url = start(str(tmp_path))
    try:
        assert [g["name"] for g in get(url + "api/graphs")["graphs"]] == ["good.dot"]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert "rfgraph: warning: skipping bad.dot: " in err
    assert "rfgraph: warning: skipping pipe.dot: " in err and "FIFO" in err


def test_port_in_use_is_a_clear_error():
    proc, url = start(str(GRAPHS / "distill_fig1_chain.dot"))
    try:
        port = url.rsplit(":", 1)[1].rstrip("/")
        done = subprocess.run([sys.executable, "-m", "rfgraph", "serve", "--port", port,
                               str(GRAPHS / "distill_fig1_chain.dot")], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
        assert done.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in done.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def test_the_listening_socket_says_tcp():
    """asyncio disables Nagle's algorithm only on sockets whose proto is IPPROTO_TCP; with
    proto 0 (socket.create_server) every answer waited for the client's delayed ACK (40 ms)."""
    import socket

    from rfgraph.server.run import listen

    sock = listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP and sock.getsockname()[1] > 0
        client = socket.create_connection(sock.getsockname()[:2])
        accepted, _ = sock.accept()
        assert accepted.proto == socket.IPPROTO_TCP  # what asyncio checks before setting TCP_NODELAY
        client.close()
        accepted.close()
    finally:
        sock.close()
