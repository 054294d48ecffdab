"""Scale benchmark (a script, not a test): the whole command line on a 100,000-edge graph
against networkx merely reading the same file, and the ~600-edge cases.

    python benchmarks/bench_scale.py [--repeat 3] [--keep DIR]

Every figure is the wall time of a fresh process (interpreter start included), best of
``--repeat`` runs, with the peak resident memory (RSS) of that process:

- ``networkx``: ``networkx.read_graphml`` + ``list(networkx.topological_sort(G))``;
- ``rfgraph table dag100k.graphml --json`` (and ``.dot``), output written to a file;
- the same for ResNet-152 (565 edges): ``table --json``, ``analyze --json``, ``analyze``.

The target of issue 12: ``rfgraph table dag100k.graphml --json`` faster than networkx merely
reading and sorting the file (ratio < 1.0), peak RSS under 1 GB, and the ~600-edge cases
unchanged or faster. The 100,000-edge graph is ``bench_engine.random_dag(100_000)``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "examples"))


def run(argv: list[str], out: Path | None = None) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in bytes, CPU seconds) of one fresh process; its stdout goes
    to ``out``. CPU time (user + system) is steadier than wall time on a shared machine."""
    # As installed: byte-code cached (a sandbox's PYTHONDONTWRITEBYTECODE would make every run
    # compile every module; the first of the repeats writes the cache).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    sink = open(out, "wb") if out is not None else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    finally:
        if out is not None:
            sink.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.read().decode().strip().splitlines()[-1])
    return seconds, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def best(argv: list[str], repeat: int, out: Path | None = None) -> tuple[float, int, float]:
    runs = [run(argv, out) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs), min(r[2] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="write the graphs here (and reuse them)")
    parser.add_argument("--small", action="store_true", help="only the ~600-edge cases")
    args = parser.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_scale_"))
    folder.mkdir(parents=True, exist_ok=True)
    files = {"dag100k.graphml": None, "dag100k.dot": None, "resnet152.dot": None, "resnet152.graphml": None}
    if not all((folder / name).exists() for name in files):
        import rfgraph
        from bench_engine import random_dag
        from make_classic_graphs import resnet

        dag = random_dag(100_000)
        r152 = rfgraph.build(resnet((3, 8, 36, 3), 152)[0])
        for name in files:
            net = dag if name.startswith("dag") else r152
            rfgraph.save(net, folder / name, overwrite=True)
    py = sys.executable
    out = folder / "out.json"
    rows = []

    def measure(label: str, argv: list[str], stdout: Path | None = None) -> tuple[float, int, float]:
        try:
            t, rss, cpu = best(argv, args.repeat, stdout)
        except RuntimeError as exc:  # an older rfgraph may fail on the big graph
            rows.append((label, float("nan"), 0, float("nan"), f"failed: {str(exc)[:60]}"))
            return float("nan"), 0, float("nan")
        size = stdout.stat().st_size if stdout is not None else None
        rows.append((label, t, rss, cpu, size))
        return t, rss, cpu

    gml = str(folder / "dag100k.graphml")
    t_nx = t_table = cpu_nx = cpu_table = float("nan")
    rss_table = 0
    if not args.small:
        t_nx, _, cpu_nx = measure("networkx: read_graphml + topological_sort (dag100k.graphml)",
                                  [py, "-c", "import sys, networkx as nx; G = nx.read_graphml(sys.argv[1]); "
                                             "list(nx.topological_sort(G))", gml])
        t_table, rss_table, cpu_table = measure("rfgraph table dag100k.graphml --json",
                                                [py, "-m", "rfgraph.cli", "table", gml, "--json"], out)
        measure("rfgraph table dag100k.dot --json",
                [py, "-m", "rfgraph.cli", "table", str(folder / "dag100k.dot"), "--json"], out)
        measure("rfgraph table dag100k.graphml (text)", [py, "-m", "rfgraph.cli", "table", gml], out)
    for name in ("resnet152.dot", "resnet152.graphml"):
        path = str(folder / name)
        measure(f"rfgraph table {name} --json", [py, "-m", "rfgraph.cli", "table", path, "--json"], out)
        measure(f"rfgraph analyze {name} --json", [py, "-m", "rfgraph.cli", "analyze", path, "--json"], out)
        measure(f"rfgraph analyze {name}", [py, "-m", "rfgraph.cli", "analyze", path], out)
    measure("python -c pass (interpreter start)", [py, "-c", "pass"])

    width = max(len(r[0]) for r in rows)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; best of {args.repeat} fresh processes")
    print(f"{'command'.ljust(width)}  {'time':>8}  {'CPU':>8}  {'peak RSS':>9}  output")
    for label, t, rss, cpu, size in rows:
        shown = size if isinstance(size, str) else f"{size / 1e6:.1f} MB" if size is not None else ""
        print(f"{label.ljust(width)}  {t:7.3f}s  {cpu:7.3f}s  {rss / 2**20:6.0f} MiB  {shown}")
    print(f"ratio rfgraph table --json / networkx read: {t_table / t_nx:.2f} wall, {cpu_table / cpu_nx:.2f} CPU "
          f"(target < 1.0); peak RSS {rss_table / 2**20:.0f} MiB (target < 1 GB)")


if __name__ == "__main__":
    main()
