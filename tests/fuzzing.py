"""Fuzzing rfgraph: inputs that are generated and mutated, and a runner that classifies what
the command line and the Python API do with them.

The only acceptable outcomes are a result, or an :class:`~rfgraph.RFGraphError` (on the
command line: exit 2 and one line ``rfgraph: error: ...``). Every case runs in a forked child
with a memory limit (``RLIMIT_AS``) and a time limit, so a hang or a memory blow-up is seen
as such instead of stopping the run. Used by ``tests/test_fuzz.py`` (a few hundred cases,
seconds) and ``benchmarks/fuzz_campaign.py`` (thousands, minutes).

Inputs:

- :func:`dot_inputs` and :func:`graphml_inputs`: random valid graphs written by rfgraph's own
  writers (every kind of layer, 1-D and 2-D, typed GraphML values), then mutated: bytes
  deleted, inserted (the languages' own punctuation, huge numbers, entities, NUL, invalid
  UTF-8), spans repeated, numbers replaced by extreme ones, the XML declaration's encoding
  changed;
- :func:`extreme_inputs`: valid graphs with one extreme value (a 4301-digit kernel, 10^24
  strides, 10^30 paddings, 65 axes, axes=10^8, input sizes of 10^9, upsampling by 10^9, ...);
- :func:`commands`: every analysis command with its options, some extreme (``--input-size
  99999999999``, ``--limit 10^20``, ``--at`` far outside).
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

from hypothesis import strategies as st

from strategies import dags, sized_dags

import rfgraph
import rfgraph.cli
from rfgraph.core.raw import RawGraph
from rfgraph.io.dot import format_dot
from rfgraph.io.graphml import format_graphml

# ---------------------------------------------------------------------------------------------
# Cases


@dataclass(frozen=True)
class Case:
    """One input file and what to do with it: ``argv`` (with ``{file}`` and ``{out}``
    standing for the input and an output file), or ``api`` for the Python API."""

    data: bytes
    suffix: str
    argv: tuple[str, ...] = ()
    api: bool = False
    kind: str = ""  # which generator made it, for reports

    def describe(self) -> str:
        shown = self.data[:300].decode("utf-8", "replace")
        return f"[{self.kind}] {'API' if self.api else 'rfgraph ' + ' '.join(self.argv)} on {self.suffix}:\n{shown}"


HUGE = ["9" * 4301, str(10**24), str(10**30), str(-(10**30)), "100000000", "1" + "0" * 30, str(2**63),
        str(2**20), str(2**20 + 1), "0", "-1", "-0", "+3", "1e30", "2.0", "2.5", "nan", "inf", "-inf",
        ",".join(["1"] * 65), ",".join(["3"] * 9), "", "0x10", "1_000", "3,", ",3", "1,,1"]
EXTREME_ATTRS = ["k", "s", "d", "p", "p_l", "p_r", "scale"]
EXTREME_GRAPH_ATTRS = ["input_size", "axes"]


@st.composite
def raw_graphs(draw) -> RawGraph:
    """A random valid graph as a RawGraph (every kind of layer, sometimes an input size)."""
    if draw(st.booleans()):
        net, size = draw(sized_dags(ndim=draw(st.integers(1, 2)), whole=True))
    else:
        net = draw(dags(fractional=True, whole=True))
    return net.to_raw()


def _typed(raw: RawGraph, draw) -> RawGraph:
    """Some geometry values as the typed values GraphML can hold (double 2.0, int, bool)."""
    for _, _, _, attrs in raw.edges:
        for name, value in list(attrs.items()):
            if isinstance(value, int) and not isinstance(value, bool) and draw(st.integers(0, 3)) == 0:
                attrs[name] = float(value)
    return raw


_PUNCTUATION = [b"{", b"}", b"[", b"]", b"=", b";", b",", b'"', b"<", b">", b"->", b"--", b"/*", b"*/", b"//",
                b"\\", b"\n", b"#", b"+", b":", b"\x00", b"\xff\xfe", b"\xc3", b"digraph", b"subgraph", b"strict",
                b"&lol;", b"<!DOCTYPE x [<!ENTITY lol 'lol'>]>", b"<graph>", b"</graph>", b"<data key='e0'>",
                b"<node id='a'/>", b"<edge source='a' target='b'/>", b"attr.type='double'", b"]]>", b"<![CDATA["]


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """``data`` with a few random mutations."""
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "repeat", "number", "bytes"]))
        n = len(data)
        i = draw(st.integers(0, n))
        if kind == "delete" and n:
            j = draw(st.integers(i, min(n, i + 40)))
            data = data[:i] + data[j:]
        elif kind == "insert":
            data = data[:i] + draw(st.sampled_from(_PUNCTUATION)) + data[i:]
        elif kind == "repeat" and n:
            j = draw(st.integers(i, min(n, i + 30)))
            data = data[:i] + data[i:j] * draw(st.integers(2, 50)) + data[j:]
        elif kind == "number":
            digits = [k for k in range(n) if data[k:k + 1].isdigit()]
            if digits:
                k = draw(st.sampled_from(digits))
                data = data[:k] + draw(st.sampled_from(HUGE)).encode() + data[k + 1:]
        elif kind == "bytes":
            data = data[:i] + draw(st.binary(min_size=1, max_size=8)) + data[i:]
    return data


@st.composite
def dot_inputs(draw) -> tuple[bytes, str]:
    raw = draw(raw_graphs())
    return draw(mutated(format_dot(raw).encode())), ".dot"


_ENCODINGS = [b"utf-8", b"utf-16", b"ebcdic", b"utf-32", b"latin-1", b"cp500", b"x-unknown", b"ascii"]


@st.composite
def graphml_inputs(draw) -> tuple[bytes, str]:
    raw = _typed(draw(raw_graphs()), draw)
    data = format_graphml(raw).encode()
    if draw(st.integers(0, 4)) == 0:
        data = data.replace(b'encoding="utf-8"', b'encoding="' + draw(st.sampled_from(_ENCODINGS)) + b'"', 1)
    if draw(st.booleans()):
        data = draw(mutated(data))
    return data, ".graphml"


@st.composite
def extreme_inputs(draw) -> tuple[bytes, str]:
    """A valid graph with one attribute (of an edge or the graph) set to an extreme value."""
    raw = draw(raw_graphs())
    value = draw(st.sampled_from(HUGE))
    if draw(st.booleans()) and raw.edges:
        _, _, _, attrs = draw(st.sampled_from(raw.edges))
        name = draw(st.sampled_from(EXTREME_ATTRS))
        if name == "scale":
            attrs.clear()
            attrs["op"] = "upsample"
        elif name in ("k", "s") and draw(st.booleans()):
            attrs.clear()
            attrs["op"] = draw(st.sampled_from(["conv_transpose", "conv", "maxpool"]))
            attrs["k"] = "3"
        attrs[name] = value
    else:
        raw.graph[draw(st.sampled_from(EXTREME_GRAPH_ATTRS))] = value
    if draw(st.booleans()):
        return format_dot(raw).encode(), ".dot"
    return format_graphml(raw).encode(), ".graphml"


_SIZES = ["1", "8", "13", "8,8", "99999999999", "1000000000", "1048577", "0", "-3", "1,2,3", ",".join(["2"] * 65)]
_POSITIONS = ["0", "1", "-1", "3,4", "99999999999999999999", "-99999999999", "1,2,3"]


@st.composite
def commands(draw) -> tuple[str, ...]:
    """An rfgraph command line on ``{file}`` (every analysis command, extreme options too)."""
    command = draw(st.sampled_from(["analyze", "table", "paths", "region", "region-all", "convert"]))
    size = ["--input-size", draw(st.sampled_from(_SIZES))] if draw(st.booleans()) else []
    if command == "analyze":
        return ("analyze", "{file}", "--json", *size)
    if command == "table":
        extra = ["--from-output"] if draw(st.booleans()) else []
        return ("table", "{file}", *extra, *size, *(["--json"] if draw(st.booleans()) else []))
    if command == "paths":
        limit = draw(st.sampled_from(["0", "3", "20", "-5", str(10**20), "2000000"]))
        return ("paths", "{file}", "--limit", limit, "--json")
    if command == "region":
        return ("region", "{file}", "--at", draw(st.sampled_from(_POSITIONS)), *size, "--json",
                *(["--set"] if draw(st.booleans()) else []))
    if command == "region-all":
        return ("region", "{file}", "--all", *size, "--json")
    out = draw(st.sampled_from(["{out}.dot", "{out}.graphml"]))
    return ("convert", "{file}", "-o", out, *(["--values"] if draw(st.booleans()) else []))


@st.composite
def cases(draw, inputs=None) -> Case:
    """A case: an input (mutated DOT or GraphML, or a graph with an extreme value) with a
    command line or the Python API."""
    maker = inputs or draw(st.sampled_from([dot_inputs, graphml_inputs, extreme_inputs]))
    data, suffix = draw(maker())
    if draw(st.integers(0, 3)) == 0:
        return Case(data, suffix, api=True, kind=maker.__name__)
    return Case(data, suffix, draw(commands()), kind=maker.__name__)


# ---------------------------------------------------------------------------------------------
# Running a case

RESULT, ERROR, TRACEBACK, HANG, MEMORY = "result", "clear error", "traceback", "hang", "memory blow-up"
OUTCOMES = (RESULT, ERROR, TRACEBACK, HANG, MEMORY)


def _api(path: str) -> str:
    """The Python API on a file: load, then every question that applies."""
    try:
        net = rfgraph.load(path)
        rfgraph.analyze(net).to_dict()
        rfgraph.table(net).to_dict()
        rfgraph.list_paths(net, limit=5).to_dict()
        if net.input_size is not None:
            rfgraph.regions_at(net, None).to_dict()
        rfgraph.dumps(net, "graphml")
    except rfgraph.RFGraphError as exc:
        message = str(exc)
        if not message.strip():
            return f"{TRACEBACK}: an RFGraphError without a message ({type(exc).__name__})"
        return ERROR
    return RESULT


def _cli(case: Case, path: str, folder: str) -> str:
    argv = [a.replace("{file}", path).replace("{out}", os.path.join(folder, "out")) for a in case.argv]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = rfgraph.cli.main(argv)
    text = err.getvalue()
    if code == 0:
        return RESULT
    if code == 2 and text.startswith("rfgraph: error: ") and text.count("\n") == 1:
        return ERROR
    if "out of memory" in text:
        return f"{MEMORY}: {text.strip()}"
    return f"{TRACEBACK}: exit {code}, stderr {text[:500]!r}"


class _TimeUp(BaseException):
    pass


def _child(case: Case, seconds: float, memory: int, conn, job) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    gc.callbacks.clear()  # hypothesis's, inherited: an alarm raised inside one would be ignored

    def alarm(*_):
        raise _TimeUp

    signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "input" + case.suffix)
            with open(path, "wb") as fh:
                fh.write(case.data)
            outcome = job(path, folder) if job else _api(path) if case.api else _cli(case, path, folder)
    except _TimeUp:
        outcome = HANG
    except MemoryError:
        outcome = MEMORY
    except BaseException:  # noqa: BLE001 - every other exception is the finding
        outcome = f"{TRACEBACK}: {traceback.format_exc(limit=8)}"
    signal.setitimer(signal.ITIMER_REAL, 0)
    conn.send(outcome)
    conn.close()


def baseline_memory() -> int:
    """Virtual memory of this process now (RLIMIT_AS counts it all)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def run_case(case: Case, seconds: float = 10.0, memory: int = 3 << 30, job=None) -> str:
    """The outcome of ``case`` in a forked child limited to ``seconds`` and ``memory`` bytes
    beyond this process's own virtual memory: one of :data:`OUTCOMES`, with details after a
    colon for the bad ones. ``job(path, folder)``, if given, runs in the child instead of
    the case's command (and returns the outcome)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(case, seconds, baseline_memory() + memory, child, job))
    proc.start()
    child.close()
    got = parent.poll(seconds + 5)
    outcome = parent.recv() if got else None
    proc.join(2)
    if proc.is_alive():  # stuck where the alarm cannot reach (inside C code)
        proc.kill()
        proc.join()
        return HANG
    if outcome is None:
        code = proc.exitcode
        return MEMORY if code in (-signal.SIGKILL, -signal.SIGSEGV) else f"{TRACEBACK}: the child died ({code})"
    return outcome


if sys.platform != "linux":  # pragma: no cover
    raise ImportError("the fuzzing runner needs Linux (fork, RLIMIT_AS, /proc)")
