"""The long fuzzing campaign (a script, not part of the test run):

    python benchmarks/fuzz_campaign.py [--cases 6000] [--valid 3000] [--seconds 20] [--memory 3G]
                                       [--workers 2] [--report DIR] [--inputs dot,onnx,...]

Generates ``--cases`` inputs, shared equally among the ``--inputs`` generators: those of
``tests/fuzzing.py`` (mutated DOT and GraphML, valid graphs with extreme values) and of
``tests/fuzzing_formats.py`` (node-link JSON, ``.jsonl`` batches, ``.keras`` files, ONNX
models, the audit's classes of valid graphs, chains checked against the textbook recursion);
every analysis command, ``import``, ``batch``, or the Python API; and
``--valid`` random valid graphs whose ``region --all`` and ``table`` answers are checked
against the brute-force references of ``tests/reference.py``. Every case runs in a forked
child limited to ``--seconds`` and ``--memory`` (beyond the parent's own virtual memory).

Prints the count of each outcome: results, clear errors, tracebacks, hangs, memory
blow-ups (and, for the valid graphs, wrong numbers); every bad case is written to
``--report`` (default: a temporary folder) to be replayed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
import multiprocessing
from multiprocessing.connection import wait
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

import fuzzing  # noqa: E402
import fuzzing_formats  # noqa: E402
from fuzzing import OUTCOMES, Case, run_case  # noqa: E402

from rfgraph.core.limits import parse_amount  # noqa: E402

WRONG = fuzzing_formats.WRONG
#: The generators, by the name ``--inputs`` takes.
INPUTS = {"dot": fuzzing.cases(fuzzing.dot_inputs), "graphml": fuzzing.cases(fuzzing.graphml_inputs),
          "extreme": fuzzing.cases(fuzzing.extreme_inputs),
          "node_link": fuzzing_formats.format_cases(fuzzing_formats.node_link_inputs),
          "jsonl": fuzzing_formats.format_cases(fuzzing_formats.jsonl_inputs),
          "keras": fuzzing_formats.format_cases(fuzzing_formats.keras_inputs),
          "onnx": fuzzing_formats.format_cases(fuzzing_formats.onnx_inputs),
          "audit": fuzzing_formats.audit_cases()}


def collect(strategy, count: int) -> list:
    """``count`` examples of a hypothesis strategy (generation only: nothing to shrink)."""
    found: list = []

    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def gather(value):
        found.append(value)

    gather()
    return found


def differential_case(net_and_size) -> tuple[Case, dict]:
    """A valid sized graph with what ``region --all`` must answer (the set-based reference)."""
    from reference import exact_sets

    import rfgraph

    net, size = net_and_size
    edges = [(str(net.nodes[e.src]), str(net.nodes[e.dst]), dict(e.attrs)) for e in net.edges]
    x, y = (str(net.nodes[i]) for i in net.endpoints())
    shape, sets = exact_sets(edges, [str(n) for n in net.nodes], x, size)
    want = {}
    for pos, found in sets[y].items():
        want[json.dumps(list(pos))] = None if not found else (
            [min(p[a] for p in found) for a in range(len(size))], [max(p[a] for p in found) for a in range(len(size))])
    data = rfgraph.dumps(net, "dot").encode()
    return Case(data, ".dot", ("region", "{file}", "--all", "--json"), kind="valid graph"), want


def check_answer(case: Case, want: dict, seconds: float, memory: int) -> str:
    """Run ``region --all --json`` in a child and compare its hulls with the reference."""
    import io
    from contextlib import redirect_stdout

    def capture(path: str, folder: str) -> str:  # runs in the child
        out = io.StringIO()
        with redirect_stdout(out):
            code = fuzzing.rfgraph.cli.main([a.replace("{file}", path) for a in case.argv])
        if code != 0:
            return f"{fuzzing.TRACEBACK}: a valid graph refused (exit {code})"
        data = json.loads(out.getvalue())
        for item in data["positions"]:
            expected = want[json.dumps(item["at"])]
            got = None if item["lo"] is None else (item["lo"], item["hi"])
            if got != (list(expected[0]), list(expected[1])) if expected else got is not None:
                return f"{WRONG}: position {item['at']}: {got} instead of {expected}"
        if len(data["positions"]) != len(want):
            return f"{WRONG}: {len(data['positions'])} positions instead of {len(want)}"
        return fuzzing.RESULT

    return run_case(case, seconds, memory, job=capture)


def in_workers(task, items: list, workers: int):
    """Yield ``task(item)`` for every item, computed in ``workers`` forked processes (each
    forks one child per case in turn: never fork from a process with threads, whose locks
    the child would inherit held)."""
    ctx = multiprocessing.get_context("fork")
    pipes, procs = [], []
    for w in range(workers):
        receive, send = ctx.Pipe(duplex=False)

        def work(shard=items[w::workers], conn=send) -> None:
            for item in shard:
                conn.send(task(item))
            conn.send(None)
            conn.close()

        proc = ctx.Process(target=work)
        proc.start()
        send.close()
        pipes.append(receive)
        procs.append(proc)
    while pipes:
        for conn in wait(pipes):
            message = conn.recv()
            if message is None:
                pipes.remove(conn)
            else:
                yield message
    for proc in procs:
        proc.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=6000)
    parser.add_argument("--valid", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--memory", type=parse_amount, default=3 << 30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--inputs", default=",".join(INPUTS),
                        help=f"generators, comma-separated (default: all of {', '.join(INPUTS)})")
    args = parser.parse_args()
    report = args.report or Path(tempfile.mkdtemp(prefix="fuzz_campaign_"))
    report.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    names = [name for name in args.inputs.split(",") if name]
    unknown = sorted(set(names) - set(INPUTS))
    if unknown:
        parser.error(f"unknown --inputs {unknown[0]!r} (known: {', '.join(INPUTS)})")
    per_kind = max(args.cases // len(names), 1) if names else 0
    cases = [c for name in names for c in collect(INPUTS[name], per_kind)]
    valid = collect(fuzzing.sized_dags(ndim=1, max_nodes=7, max_size=12, whole=True), args.valid // 2)
    valid += collect(fuzzing.sized_dags(ndim=2, max_nodes=5, max_size=6, whole=True), args.valid - len(valid))
    generated = time.perf_counter() - start
    print(f"generated {len(cases)} fuzz cases and {len(valid)} valid graphs in {generated:.0f} s", flush=True)

    def task(item) -> tuple[Case, str]:
        if isinstance(item, Case):
            return item, run_case(item, args.seconds, args.memory, job=fuzzing_formats.job_for(item))
        if isinstance(item[0], Case):  # an audit case, with what analyze --json must say (or None)
            case, want = item
            job = fuzzing_formats.oracle_job(case, want) if want else None
            return case, run_case(case, args.seconds, args.memory, job=job)
        case, want = differential_case(item)
        return case, check_answer(case, want, args.seconds, args.memory)

    tallies: dict[str, Counter] = {}
    bad = 0
    for done, (case, outcome) in enumerate(in_workers(task, cases + valid, args.workers), 1):
        if done % 500 == 0:
            print(f"{done} of {len(cases) + len(valid)} cases run ({time.perf_counter() - start:.0f} s)", flush=True)
        kind = outcome.split(":", 1)[0]
        tallies.setdefault(case.kind, Counter())[kind] += 1
        if kind not in (fuzzing.RESULT, fuzzing.ERROR):
            bad += 1
            (report / f"case{bad:04d}{case.suffix}").write_bytes(case.data)
            (report / f"case{bad:04d}.txt").write_text(f"{case.describe()}\n\n{outcome}\n")
    elapsed = time.perf_counter() - start
    columns = list(OUTCOMES) + [WRONG]
    print(f"{'inputs':<18}{'cases':>7}" + "".join(f"{c:>16}" for c in columns))
    total = Counter()
    for kind, counts in sorted(tallies.items()):
        total.update(counts)
        print(f"{kind:<18}{sum(counts.values()):>7}" + "".join(f"{counts[c]:>16}" for c in columns))
    print(f"{'all':<18}{sum(total.values()):>7}" + "".join(f"{total[c]:>16}" for c in columns))
    print(f"{elapsed:.0f} s; limits per case: {args.seconds:g} s, {args.memory >> 20} MiB; "
          f"{bad} bad cases written to {report}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
