"""Receptive-field geometry of ONE path (math sections 1 and 2).

A path is a sequence of per-axis layer geometries from the input to the output, as returned
by :meth:`rfgraph.core.ops.Layer.symbolic`: ``(WIN, s, k_eff, p_l)`` tuples for integer-stride
layers, ``(FRAC, sigma, tau2)`` for upsampling layers, ``(WHOLE,)`` for whole-input layers,
``(CTX,)`` for layers with statistics over the whole input (their data path is the identity:
the path's numbers are its data path's, and ``whole`` says every output also sees the whole
input). Both the backward recursion and the closed forms are here, so tests can check that they agree.

>>> path = [(WIN, 2, 3, 1), (WIN, 1, 1, 0), (WIN, 1, 1, 0), (WIN, 2, 3, 1)]   # Distill fig. 1
>>> recursion(path)
PathGeometry(rf=7, stride=4, padding=3, center=Fraction(0, 1), whole=False)
>>> closed_form(path) == recursion(path)
True
>>> recursion(path).region(1)
(1, 7)
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from ..core.limits import beyond, stride_bound, too_many_digits
from ..core.numbers import norm
from ..core.ops import CTX, IDENTITY, WHOLE, WIN
from ..results import PathGeometry

__all__ = ["closed_form", "forward", "intermediate_regions", "recursion"]


def recursion(path: Sequence[tuple]) -> PathGeometry:
    """Backward recursion from the output (r_L = 1, S_L = 1, P_L = 0)::

        r_{l-1} = s_l r_l + (k'_l - s_l),  S_{l-1} = s_l S_l,  P_{l-1} = s_l P_l + p_l
    """
    r, S, P = 1, 1, 0
    c2: Fraction | int | None = 0  # twice the centre offset (r - 1)/2 - P
    exact, known, context = True, True, False
    bound = stride_bound()
    for geom in reversed(path):
        kind = geom[0]
        if kind == WHOLE:
            return PathGeometry(None, None, None, None, whole=True)
        if kind == CTX:
            context, kind, geom = True, WIN, IDENTITY
        if kind == WIN:
            _, s, k, p = geom
            if p is None:
                known, p = False, 0
            r, S, P = s * r + (k - s), s * S, s * P + p
            c2 = s * c2 + (k - 1) - 2 * p
        else:
            _, sigma, tau2 = geom
            exact = False
            S, c2 = sigma * S, sigma * c2 + tau2
        if beyond(S, bound):  # stop before the numbers grow past any printable size
            raise too_many_digits("the effective stride of a path")
    return _finish(r, S, P, c2, exact, known, context)


def _finish(r, S, P, c2, exact: bool, known: bool, context: bool = False) -> PathGeometry:
    S = norm(Fraction(S))
    center = Fraction(c2) / 2 if known else None
    return PathGeometry(r if exact else None, S, P if exact and known else None, center, context)


def closed_form(path: Sequence[tuple]) -> PathGeometry:
    """Closed forms, products over the layers before l (from the input)::

        r_0 = 1 + sum_l (k'_l - 1) prod_{i<l} s_i,  S_0 = prod_l s_l,
        P_0 = sum_l p_l prod_{i<l} s_i
    """
    if any(geom[0] == WHOLE for geom in path):
        return PathGeometry(None, None, None, None, whole=True)
    context = any(geom[0] == CTX for geom in path)
    path = [IDENTITY if geom[0] == CTX else geom for geom in path]
    r, P, prod = 1, 0, Fraction(1)
    c2 = Fraction(0)
    exact = all(geom[0] == WIN for geom in path)
    known = all(geom[0] != WIN or geom[3] is not None for geom in path)
    for geom in path:
        if geom[0] == WIN:
            _, s, k, p = geom
            p = 0 if p is None else p
            r += (k - 1) * prod
            P += p * prod
            c2 += (k - 1 - 2 * p) * prod
            prod *= s
        else:
            _, sigma, tau2 = geom
            c2 += tau2 * prod
            prod *= sigma
    return _finish(int(r) if exact else None, prod, int(P) if exact else None, c2, exact, known, context)


def forward(path: Sequence[tuple]) -> list[PathGeometry]:
    """Forward recursion: the geometry of every prefix of the path, i.e. of every node along
    it taken as the end-point (starting with r = 1, S = 1, P = 0 at the input)::

        S(f_l) = S(f_{l-1}) s_l,  r(f_l) = r(f_{l-1}) + (k'_l - 1) S(f_{l-1}),
        P(f_l) = P(f_{l-1}) + p_l S(f_{l-1})
    """
    out = [PathGeometry(1, 1, 0, Fraction(0))]
    r, S, P, c2 = 1, 1, 0, 0
    exact, known, whole, context = True, True, False, False
    for geom in path:
        if geom[0] == WHOLE or whole:
            whole = True
            out.append(PathGeometry(None, None, None, None, whole=True))
            continue
        if geom[0] == CTX:
            context, geom = True, IDENTITY
        if geom[0] == WIN:
            _, s, k, p = geom
            if p is None:
                known, p = False, 0
            r, P, c2 = r + (k - 1) * S, P + p * S, c2 + (k - 1 - 2 * p) * S
            S = S * s
        else:
            _, sigma, tau2 = geom
            exact = False
            c2 = c2 + tau2 * S
            S = S * sigma
        out.append(_finish(r, S, P, c2, exact, known, context))
    return out


def intermediate_regions(path: Sequence[tuple], j: int) -> list[tuple[int, int]]:
    """The region ``(u_l, v_l)`` of output feature ``j`` in every map along an integer-stride
    path, from the input (index 0) to the output (index L)::

        u_{l-1} = s_l u_l - p_l,  v_{l-1} = s_l v_l - p_l + k'_l - 1
    """
    u = v = j
    out = [(u, v)]
    for geom in reversed(path):
        geom = IDENTITY if geom[0] == CTX else geom
        if geom[0] != WIN or geom[3] is None:
            raise ValueError("intermediate regions need integer strides and known padding")
        _, s, k, p = geom
        u, v = s * u - p, s * v - p + k - 1
        out.append((u, v))
    return out[::-1]
