"""The importers' shared builder on its own: layouts through reshapes (cuts and merges of a
spatial axis), leading entries (class tokens), and the guard against maps whose positions
were lost."""

from __future__ import annotations

import pytest

from rfgraph.core.errors import ModelImportError
from rfgraph.importers.builder import Geom, GraphBuilder, TensorInfo, permute_lead, reshape_split


def test_a_window_on_a_map_without_tracked_positions_is_an_error():
    # what the LeViT bug looked like from inside: a 3x3 convolution on a tensor of shape
    # [1, 8, 4, 4] that the importer believed had no positions left (after attention)
    b = GraphBuilder(ndim=2, source="m.onnx")
    x = b.input("x", (1, 1, 8, 8))
    whole = b.whole([x], "attn", (1, 8, 4, 4), "fc")
    with pytest.raises(ModelImportError, match="m.onnx: conv: a conv on a tensor of shape"):
        b.window(whole, "conv", (1, 8, 4, 4), "conv", [Geom(3, 1, 1, 1, 1)] * 2)


def test_reshapes_that_cut_an_axis_into_blocks_and_those_that_do_not():
    x = TensorInfo("x", (1, 3, 8, 6), ((2, 1), (3, 1)), (8, 6))
    assert reshape_split(x, (1, 3, 4, 2, 6)) == (((2, 1), (4, 1)), {0: 2}, None)
    assert reshape_split(x, (1, 3, 2, 4, 6)) == (((2, 1), (4, 1)), {0: 4}, None)
    assert reshape_split(x, (1, 3, 48)) == (((2, 6), (2, 1)), {}, None)
    assert reshape_split(x, (1, 3, 6, 8)) is None  # not a cut into blocks: the rows are mixed up


def test_leading_entries_follow_permutations_and_reshapes():
    # tokens [B, 1 + H W, C] with one class token before 2 x 3 positions
    t = TensorInfo("t", (1, 7, 4), ((1, 3), (1, 1)), (2, 3), (1, 1, False))
    axes, splits, lead = reshape_split(t, (1, 7, 2, 2))
    assert axes == ((1, 3), (1, 1)) and lead == (1, 1, False) and not splits
    assert permute_lead(t, (0, 2, 1)) == (2, 1, False)
    assert reshape_split(t, (1, 28)) is None  # the token dimension merged away: no layout
