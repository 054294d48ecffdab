"""Receptive-field figures with matplotlib: regions through the layers, regions over an image,
and how r, S and P grow with depth.

Every function returns a :class:`matplotlib.figure.Figure` drawn with the Agg canvas (no
window, no pyplot state: safe in scripts, servers and notebooks, where the figure shows
itself) and, given ``path=``, also writes it there (format from the suffix: ``.png``,
``.svg``, ``.pdf``; an existing file is only replaced with ``overwrite=True``).

- :func:`plot_region` (:mod:`rfgraph.render.region`): one row of cells per feature map along
  one axis, the input at the bottom and the output at the top (as in the first figure of
  Araujo et al., Distill 2019), with the cells that one output feature depends on coloured in
  every map, padding cells hatched, and for a misaligned graph one colour per path (a cell
  split in stripes when several paths reach it).
- :func:`plot_overlay` (:mod:`rfgraph.render.overlay`): the exact region (solid, inside the
  image) and the unclipped region (dashed, padding included) of output features, with their
  centres, over an image or a plain grid of the input size.
- :func:`plot_growth` (:mod:`rfgraph.render.growth`): r, S and P of every map (seen from the
  input) against depth.

matplotlib is imported only when a function is called.

>>> import rfgraph
>>> from rfgraph.render import plot_region
>>> fig = plot_region(rfgraph.load("graphs/distill_fig1_chain.dot"), at=1)
>>> fig.axes[0].get_title()
'f4[1] along axis 0: input f0[1..7], 7 pixels'
"""

from __future__ import annotations

from .figures import COLORS, FIGURE_FORMATS, finish, new_figure, refuse_existing, save_figure  # noqa: F401
from .growth import plot_growth  # noqa: F401
from .overlay import plot_overlay, read_image  # noqa: F401
from .region import CELL_EDGE, PAD_FILL, UNION_FILL, plot_region  # noqa: F401

# The command line's name for the check before drawing.
_refuse_existing = refuse_existing
