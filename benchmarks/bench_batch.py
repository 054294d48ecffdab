"""Batch analysis benchmark (a plain script, not a test). Run from the repository root:

    python benchmarks/bench_batch.py [--quick] [--profile] [--no-dask]

On a NAS-Bench-201-style space (examples/nas_space.py: 5 stages of 4 cells, the 15,625 cells
with NAS-Bench-201's reduction shortcut, up to 137 edges, 113 on average) written as JSON
lines, reports:

1. per-core throughput, end to end from JSON lines (read, parse, build, analyse, JSON row),
   in this process: graphs per CPU-second (target >= 1,000), without and with witnesses and
   at an input size; and where the time of one graph goes;
2. wall times of the whole space: serial, a pool of 2 worker processes at several chunk
   sizes, and a Dask LocalCluster of 2 single-threaded worker processes (its start-up apart);
3. `rfgraph batch` from the command line, a fresh process, serial and with --jobs 2.

The machine, its number of cores and its load average are printed first: wall times on a
shared machine depend on what else runs; CPU times much less, so parts 2 and 3 also give the
CPU seconds spent in every process of a run (this one, its worker processes, Dask's), and so
graphs per CPU-second: what parallelism costs in overhead, whatever the load (needs psutil,
which Dask installs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

import rfgraph  # noqa: E402
from rfgraph.batch import run  # noqa: E402
from rfgraph.batch.executors import default_jobs  # noqa: E402

import nas_space  # noqa: E402


class CpuUsage:
    """CPU seconds used by this process and all its descendants (worker processes, the
    forkserver, Dask's nannies and workers) while a block runs: a thread samples them every
    50 ms, so a process that lives less than that is missed (none here does). On a busy shared
    machine this stays meaningful where wall times are not: CPU spent is what the work costs,
    whatever else runs."""

    def __init__(self, pid: int | None = None) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def _sample(self) -> None:
        import psutil

        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:  # the root has exited
            return
        for proc in procs:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            used = times.user + times.system
            self.first.setdefault(proc.pid, used if proc.pid in self.started else 0.0)
            self.last[proc.pid] = used

    def __enter__(self) -> "CpuUsage":
        import threading

        self.started = {p.pid for p in [self.root, *self.root.children(recursive=True)]}
        self._stop = threading.Event()
        self._sample()

        self.overhead = 0.0

        def loop() -> None:
            while not self._stop.wait(0.05):
                self._sample()
            self.overhead = time.thread_time()  # the sampling's own CPU time, not the work's

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def seconds(self) -> float:
        own = self.overhead if self.root.pid == os.getpid() else 0.0
        return sum(self.last[pid] - self.first[pid] for pid in self.last) - own

    def descendants_seconds(self) -> float:
        """As :attr:`seconds`, without the root process itself."""
        return sum(self.last[pid] - self.first[pid] for pid in self.last if pid != self.root.pid)


def consume(sources, **options) -> int:
    return sum(len(rows) for rows, _ in run(sources, form="jsonl", **options))


def timed(fn, repeat: int = 3) -> tuple[float, float, object]:
    """Best (wall, CPU) seconds of ``repeat`` runs of ``fn`` in this process, and its result."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, result


def per_graph(fn, n: int = 2000) -> float:
    """CPU microseconds per call of ``fn`` (best of 3 runs of ``n`` calls)."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - start) / n)
    return best * 1e6


def breakdown(line: bytes) -> list[tuple[str, float]]:
    from rfgraph.core.network import build
    from rfgraph.io.node_link import loads_node_link

    raw = loads_node_link(line, "space.jsonl:1")
    net = build(raw)
    fast = rfgraph.analyze(net, diagnose=False)
    return [
        ("json.loads", per_graph(lambda: json.loads(line))),
        ("json.loads + node-link -> RawGraph", per_graph(lambda: loads_node_link(line, "space.jsonl:1"))),
        ("build (validated Network)", per_graph(lambda: build(loads_node_link(line, "space.jsonl:1")))
         - per_graph(lambda: loads_node_link(line, "space.jsonl:1"))),
        ("analyze, verdict only", per_graph(lambda: rfgraph.analyze(net, diagnose=False))),
        ("analyze, with witnesses", per_graph(lambda: rfgraph.analyze(net), n=500)),
        ("analyze at input size 32, verdict only", per_graph(lambda: rfgraph.analyze(net, input_size=32, diagnose=False), n=500)),
        ("row: to_dict + json.dumps", per_graph(lambda: json.dumps({"name": "x", **fast.to_dict()}, separators=(",", ":")))),
    ]


def cpu_part(space: Path, full: Path, big: dict, profile: bool) -> None:
    print("1. per core, end to end from JSON lines (this process, best of 3)")
    rows = []
    for label, source, options in (
            ("space, verdict only (rfgraph batch's default)", space, {}),
            ("space, with witnesses (--diagnose)", space, {"diagnose": True}),
            ("space, verdict only, at input size 32 (sizes of every map in each row)", space, {"input_size": 32}),
            (f"largest architecture ({len(big['edges'])} edges) x 5000, verdict only", full, {})):
        wall, cpu, count = timed(lambda: consume([str(source)], **options))
        rows.append((label, count / cpu, wall))
    width = max(len(r[0]) for r in rows)
    for label, rate, wall in rows:
        print(f"   {label.ljust(width)}  {rate:7.0f} graphs/s per core  (wall {wall:.2f} s)")
    print(f"\n   one graph of {len(big['edges'])} edges, CPU microseconds:")
    for label, micro in breakdown(json.dumps(big).encode()):
        print(f"     {label.ljust(44)} {micro:7.0f} us")
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(consume, [str(space)])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def fresh(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its workers) of ``rfgraph ARGV`` in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "rfgraph.cli", *argv], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    usage = CpuUsage(proc.pid)
    with usage:
        _, status, rusage = os.wait4(proc.pid, 0)  # the exact CPU time of the process itself
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode in (0, 2), proc.returncode
    return time.perf_counter() - start, rusage.ru_utime + rusage.ru_stime + usage.descendants_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a sample of 2,000 cells, fewer chunk sizes")
    parser.add_argument("--profile", action="store_true", help="also print a profile of the serial path")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster runs")
    parser.add_argument("--repeat", type=int, default=2,
                        help="wall-time runs of each configuration, interleaved; the best is shown (default 2)")
    parser.add_argument("--skip-cpu", action="store_true", help="skip part 1 (per-core CPU throughput)")
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores ({default_jobs()} usable), "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    sample = 2000 if args.quick else None
    entries = [e for e in nas_space.space(5, 4, sample) if e[0] == next(iter(nas_space.SHORTCUTS))]
    edges = [len(data["edges"]) for _, _, data in entries]
    with tempfile.TemporaryDirectory() as tmp:
        space = Path(tmp) / "space.jsonl"
        nas_space.write_space(space, entries)
        full = Path(tmp) / "full.jsonl"  # the largest architecture of the space, repeated
        big = nas_space.network(["nor_conv_3x3"] * 6, nas_space.SHORTCUTS[next(iter(nas_space.SHORTCUTS))])
        full.write_text((json.dumps(big) + "\n") * 5000)
        n = len(entries)
        print(f"space: {n} graphs, {min(edges)}-{max(edges)} edges (mean {sum(edges) / n:.0f}); "
              f"{space.stat().st_size / n:.0f} bytes per line\n")

        if not args.skip_cpu:
            cpu_part(space, full, big, args.profile)

        print(f"\n2. wall time of the whole space ({n} graphs, verdict only; best of {args.repeat} interleaved runs)")
        configs = [("serial, this process", {})]
        for chunk in ((1, 64, 1024) if args.quick else (1, 8, 32, 64, 256, 1024)):
            configs.append((f"process pool, 2 workers, chunks of {chunk}", {"jobs": 2, "chunk_size": chunk}))
        cluster = client = None
        if not args.no_dask:
            try:
                from distributed import Client, LocalCluster
            except ImportError:
                print("   (Dask not installed: pip install 'rfgraph[dask]')")
            else:
                start = time.perf_counter()
                cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                       silence_logs=40)
                client = Client(cluster)
                print(f"   (Dask LocalCluster of 2 single-threaded worker processes started in "
                      f"{time.perf_counter() - start:.2f} s, not counted below)")
                for chunk in (64, 256) if args.quick else (16, 64, 256, 1024):
                    configs.append((f"Dask LocalCluster, 2 workers, chunks of {chunk}",
                                    {"client": client, "chunk_size": chunk}))
        best = {label: (float("inf"), float("inf")) for label, _ in configs}
        for _ in range(args.repeat):
            for label, options in configs:
                with CpuUsage() as usage:
                    wall, _, _ = timed(lambda: consume([str(space)], **options), repeat=1)
                best[label] = (min(best[label][0], wall), min(best[label][1], usage.seconds))
        if client is not None:
            client.close()
            cluster.close()
        width = max(len(label) for label in best)
        print(f"   {''.ljust(width)}  {'wall':>8}  {'graphs/s':>8}  {'CPU, all processes':>18}  graphs per CPU-s")
        for label, (wall, cpu) in best.items():
            print(f"   {label.ljust(width)}  {wall:6.2f} s  {n / wall:8.0f}  {cpu:16.2f} s  {n / cpu:8.0f}")

        print("\n3. `rfgraph batch space.jsonl -o rows.jsonl`, a fresh process (interpreter start included)")
        for label, extra in (("serial", []), ("--jobs 2", ["--jobs", "2"])):
            out = Path(tmp) / f"rows{len(extra)}.jsonl"
            wall, cpu = fresh(["batch", str(space), "-o", str(out), *extra])
            print(f"   {label.ljust(10)} {wall:6.2f} s  {n / wall:7.0f} graphs/s; CPU {cpu:.2f} s in all its "
                  f"processes, {n / cpu:.0f} graphs per CPU-s")


if __name__ == "__main__":
    main()
