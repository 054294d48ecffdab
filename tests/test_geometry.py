"""Single-path formulas: recursion, closed forms and forward recursion agree; regions."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from rfgraph.passes.geometry import closed_form, forward, intermediate_regions, recursion
from rfgraph.core.ops import FRAC, WIN

window = st.builds(lambda s, k, p: (WIN, s, k, p), st.integers(1, 4), st.integers(1, 9), st.integers(-2, 4))
fractional = st.builds(lambda f, t: (FRAC, Fraction(1, f), Fraction(t, f)), st.integers(2, 4), st.integers(-4, 4))


@settings(max_examples=500)
@given(st.lists(window, max_size=12))
def test_recursion_equals_closed_form(path):
    assert recursion(path) == closed_form(path)


@settings(max_examples=300)
@given(st.lists(st.one_of(window, fractional), max_size=10))
def test_recursion_equals_closed_form_with_fractional_layers(path):
    assert recursion(path) == closed_form(path)


@settings(max_examples=300)
@given(st.lists(window, max_size=10))
def test_forward_recursion_gives_every_prefix(path):
    prefixes = forward(path)
    assert len(prefixes) == len(path) + 1
    for i, g in enumerate(prefixes):
        assert g == recursion(path[:i])


@settings(max_examples=300)
@given(st.lists(window, min_size=1, max_size=8), st.integers(-5, 20))
def test_region_by_layers_equals_closed_form(path, j):
    g = recursion(path)
    regions = intermediate_regions(path, j)
    assert regions[-1] == (j, j)
    assert regions[0] == g.region(j)
    u, v = regions[0]
    assert g.stride * j + g.center == Fraction(u + v, 2)


def brute_region(path, j):
    """Input positions reached from output j by following every tap of every layer (no
    clipping: an unbounded axis), the most literal reading of section 1."""
    positions = {j}
    for _, s, k, p in reversed(path):
        positions = {s * t - p + m for t in positions for m in range(k)}
    return min(positions), max(positions)


@settings(max_examples=300)
@given(st.lists(window, min_size=1, max_size=6), st.integers(-3, 10))
def test_region_equals_tap_by_tap_expansion(path, j):
    assert recursion(path).region(j) == brute_region(path, j)


def test_dilation_replaces_k_by_effective_kernel():
    from rfgraph.core.ops import parse_layer

    layer = parse_layer({"op": "conv", "k": 3, "d": 2, "p": 2}, 1, "edge")
    assert layer.symbolic(0) == (WIN, 1, 5, 2)
    assert recursion([layer.symbolic(0)]).rf == 5
