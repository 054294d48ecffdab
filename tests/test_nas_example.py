"""examples/nas_space.py runs end to end on a sample of the space (rfgraph batch in a fresh
process, the figure), and what it reports is right: computed here from the definitions."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

import nas_space  # noqa: E402


def connected(cell) -> bool:
    """Whether the cell has a path from node 0 to node 3 (edges listed in topological order)."""
    reach = {0}
    for (i, j), op in zip(nas_space.CELL_EDGES, cell):
        if op != "none" and i in reach:
            reach.add(j)
    return 3 in reach


def test_arch_string_is_nas_bench_201s():
    cell = ["nor_conv_3x3", "nor_conv_3x3", "avg_pool_3x3", "skip_connect", "nor_conv_3x3", "skip_connect"]
    assert nas_space.arch_string(cell) == ("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+"
                                           "|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
    assert sum(not connected(c) for c in itertools.product(nas_space.OPS, repeat=6)) == 341


def test_example_on_a_sample(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "nas_space.py"), str(tmp_path / "out"),
                           "--sample", "40", "--jobs", "1", "--stages", "3", "--cells", "2"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    assert (out / "nas_space.png").stat().st_size > 10_000
    lines = (out / "space.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in (out / "rows.jsonl").read_text().splitlines()]
    assert len(rows) == len(lines) == 40 * len(nas_space.SHORTCUTS)
    for line, row in zip(lines, rows):
        data = json.loads(line)
        shortcut = next(s for s, attrs in nas_space.SHORTCUTS.items()
                        if any(e["target"] == "reduce1.shortcut" and {k: v for k, v in e.items()
                               if k not in ("source", "target")} == attrs for e in data["edges"]))
        cell = [part.split("~")[0] for part in data["graph"]["name"].split("|") if part not in ("", "+")]
        assert len(cell) == 6 and nas_space.arch_string(cell) == data["graph"]["name"]
        if not connected(cell):
            assert "no path from input 'image'" in row["error"]
            continue
        if shortcut.startswith("avgpool k2"):
            # reduction r puts the branches' centres half a pixel of its input (2^(r-1) input
            # pixels a pixel) apart; the spread adds up to 0.5 (2^r - 1)
            assert row["aligned"] is False
            assert [(m["kind"], m["node"], Fraction(m["offset"])) for m in row["mismatches"]] == \
                [("center", f"reduce{r}", Fraction(2**r - 1, 2)) for r in (1, 2)]
        else:
            assert row["aligned"] is True and row["mismatches"] == []
    assert "avgpool k2 s2 (NAS-Bench-201): 40 architectures: 0 aligned" in done.stdout
