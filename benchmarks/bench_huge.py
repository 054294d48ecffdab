"""The explorer page on very large graphs (a script, not a test). Run from the repository root:

    python benchmarks/bench_huge.py [--sizes 1000,10000,100000] [--kind dag|chain] [--keep DIR]

Writes generated DOT files (:func:`write_dot`: a chain, or a random CNN-like DAG with module
names ``s<stage>.b<block>.m<i>``, five stride-2 stages, input size 224), serves them with
``rfgraph serve`` (port 0) and opens each in headless Chromium, cold (a fresh server: the
analysis is computed) then warm (the service's caches hold the answers; a new browser context).
For each it reports:

- time to interactive: ``body[data-view=ready]`` (headline, map panel and regions shown);
- every request the page made: status, bytes over the wire (gzip) and decoded, and where its
  time went (server answer = request start to first byte; transfer = first to last byte);
- the rest of the time to interactive: the page's own work (parsing JSON, building the DOM).

Then it opens the Table tab and reports the time until its rows are shown.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_service import stop  # the same server, stopped the same way

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def write_dot(path: Path, maps: int, kind: str = "dag", seed: int = 0) -> None:
    """A graph of ``maps`` maps: ``chain`` (one path) or ``dag`` (each map reads the previous
    one and, one time in two, one of the eight before it in its stage). Five stride-2 layers
    split it into stages; maps are named ``s<stage>.b<block>.m<i>`` (blocks of 10 maps), so
    the graph has a module hierarchy of depth 2."""
    rng = random.Random(seed)
    ops = ["op=conv, k=3, p=1", "op=relu", "op=bn", "op=conv, k=1", "op=add", "op=maxpool, k=3, p=1"]
    stage_len = max(1, maps // 6)
    name = lambda i: f"s{min(i // stage_len, 5)}.b{(i % stage_len) // 10}.m{i}"  # noqa: E731
    lines = [f"digraph huge_{kind}_{maps} {{", f'  input = "{name(0)}";', f'  output = "{name(maps - 1)}";',
             '  input_size = "224";']
    for v in range(1, maps):
        stage_start = (v // stage_len) * stage_len
        if v % stage_len == 0 and v // stage_len <= 5:
            lines.append(f'  "{name(v - 1)}" -> "{name(v)}" [op=conv, k=3, s=2, p=1];')
            continue
        lines.append(f'  "{name(v - 1)}" -> "{name(v)}" [{rng.choice(ops)}];')
        if kind == "dag" and v - 2 >= stage_start and rng.random() < 0.5:
            u = rng.randint(max(stage_start, v - 8), v - 2)
            lines.append(f'  "{name(u)}" -> "{name(v)}" [{rng.choice(ops[:4])}];')
    lines.append("}")
    path.write_text("\n".join(lines) + "\n")


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "rfgraph", "serve", "--port", "0", "--timeout", "120", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = proc.stdout.readline()
    if "serving on" not in line:
        raise SystemExit(f"the server did not start: {line!r} {proc.stderr.read()}")
    return proc, line.split(" on ", 1)[1].strip()


RESOURCES = """() => performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/')).map((r) => ({
  url: r.name.replace(location.origin, ''), wire: r.transferSize, body: r.decodedBodySize,
  server: r.responseStart - r.requestStart, transfer: r.responseEnd - r.responseStart,
  start: r.startTime, end: r.responseEnd}))"""


def open_once(browser, url: str, gid: str) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors, statuses = [], {}
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: statuses.__setitem__(r.url.replace(url.rstrip("/"), ""), r.status))
    t = time.perf_counter()
    page.goto(f"{url}#graph={gid}")
    page.wait_for_selector("body[data-view=ready]", timeout=600_000)
    ready = time.perf_counter() - t
    resources = page.evaluate(RESOURCES)
    t = time.perf_counter()
    page.locator("#tab-table").click()
    try:
        page.wait_for_selector("#node-table tbody tr", timeout=180_000)
        table = time.perf_counter() - t
    except Exception:  # noqa: BLE001 (Playwright's timeout): reported as no table
        table = float("nan")
    later = page.evaluate(RESOURCES)[len(resources):]
    out = {"ready": ready, "table": table, "resources": resources, "table_resources": later,
           "rf": page.inner_text("#m-rf"), "banner": page.inner_text("#banner-text")[:200], "diagram": page.inner_text("#diagram-status")[:140],
           "errors": errors, "statuses": statuses}
    context.close()
    return out


def report(maps: int, kind: str, label: str, r: dict) -> None:
    wire = sum(x["wire"] for x in r["resources"])
    body = sum(x["body"] for x in r["resources"])
    net_end = max((x["end"] for x in r["resources"]), default=0) / 1000
    print(f"{kind} {maps:>8,} maps {label}: ready {r['ready']:.2f} s, {wire / 1e6:.2f} MB over the wire "
          f"({body / 1e6:.2f} MB decoded), last API byte at {net_end:.2f} s; table tab {r['table']:.2f} s; rf {r['rf']}")
    for x in r["resources"] + r["table_resources"]:
        status = r["statuses"].get(x["url"], "?")
        print(f"    {status} {x['url'][:90]:90} {x['wire'] / 1e3:9.1f} kB wire {x['body'] / 1e3:9.1f} kB  "
              f"server {x['server']:7.0f} ms  transfer {x['transfer']:6.0f} ms")
    print(f"    diagram pane: {r['diagram']!r}")
    if r["banner"]:
        print(f"    banner: {r['banner']!r}")
    if r["errors"]:
        print(f"    console errors: {r['errors'][:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--kind", default="dag", choices=("dag", "chain"))
    parser.add_argument("--keep", type=Path, help="write the generated graphs here (default: a temporary folder)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for maps in map(int, args.sizes.split(",")):
            path = folder / f"{args.kind}{maps}.dot"
            write_dot(path, maps, args.kind)
            one = folder / f"only{maps}"
            one.mkdir(exist_ok=True)
            (one / path.name).write_bytes(path.read_bytes())
            proc, url = start_server(one)
            try:
                with urllib.request.urlopen(url + "api/graphs", timeout=600) as resp:
                    gid = json.loads(resp.read())["graphs"][0]["id"]
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                    report(maps, args.kind, "cold", open_once(browser, url, gid))
                    report(maps, args.kind, "warm", open_once(browser, url, gid))
                    browser.close()
            finally:
                stop(proc)


if __name__ == "__main__":
    main()
