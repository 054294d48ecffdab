"""Draw the README's example figures from the bundled graphs into a folder you name.

Run from the repository root:

    python examples/draw_figures.py docs/figures [--force]

Writes (nothing outside FOLDER; the folder itself is created if its parent exists; existing
files are kept unless --force):

- ``fig1_chain.svg``, ``fig4_misaligned.svg``, ``fig5_aligned.svg``: annotated diagrams of the
  Distill examples (SVG uses Graphviz on PATH or the embedded Graphviz installed with
  rfgraph; without either, the ``.dot`` text is written instead)
- ``resnet50_collapsed.svg``: ResNet-50 with elementwise runs folded into their edges, its
  stages and blocks boxed
- ``resnet50_depth1.svg``: ResNet-50 with each stage drawn as one node (r, S, P in and out)
- ``densenet121_depth2.svg``: DenseNet-121 (the zoo's) with each dense block and transition as
  one node
- ``resnet50_layer2.svg``: only the maps between ``layer1`` and ``layer2``, blocks boxed
- ``fig1_region.png``, ``fig4_region.png``: the region of one output feature through the maps
  (fig. 4: one colour per path, ``path ①`` and ``path ②`` as in its diagram)
- ``resnet50_overlay.png``: regions of ResNet-50 ``layer2`` features over an image resized to
  224×224 (matplotlib's sample photograph when it is installed, else a grid)
- ``resnet50_growth.png``, ``efficientnet_b0_growth.png``, ``unet_growth.png``: r, S and P
  against depth, stages named; EfficientNet's local rf beside its squeeze-excitation context,
  the U-Net decoder's range over output positions as a band
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rfgraph  # noqa: E402
from rfgraph.core.errors import RenderError, RFGraphError  # noqa: E402
from rfgraph.render import diagram, plot_growth, plot_overlay, plot_region  # noqa: E402

GRAPHS = ROOT / "graphs"


def sample_image() -> Path | None:
    """matplotlib's sample photograph (a JPEG: reading it needs Pillow), if present."""
    try:
        import matplotlib
        import PIL  # noqa: F401
    except ImportError:
        return None
    path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    return path if path.is_file() else None


def main() -> int:
    parser = argparse.ArgumentParser(description="Draw rfgraph's example figures into FOLDER.")
    parser.add_argument("folder", help="where to write the figures (created if its parent exists)")
    parser.add_argument("--force", action="store_true", help="replace existing files")
    args = parser.parse_args()
    folder = Path(args.folder)
    if not folder.is_dir():
        if not folder.parent.is_dir():
            parser.error(f"{folder.parent} does not exist")
        folder.mkdir()

    written = []

    def save_diagram(name: str, graph, **options) -> None:
        d = diagram(graph, **options)
        try:
            written.append(d.save(folder / f"{name}.svg", overwrite=args.force))
        except RenderError as exc:
            print(f"{name}: no SVG renderer ({exc}); writing DOT instead", file=sys.stderr)
            written.append(d.save(folder / f"{name}.dot", overwrite=args.force))

    chain = rfgraph.load(GRAPHS / "distill_fig1_chain.dot")
    misaligned = rfgraph.load(GRAPHS / "distill_fig4_misaligned.dot")
    aligned = rfgraph.load(GRAPHS / "distill_fig5_aligned.dot")
    resnet = rfgraph.load(GRAPHS / "resnet50.dot")
    zoo = GRAPHS / "zoo"
    try:
        save_diagram("fig1_chain", chain, rankdir="LR")
        save_diagram("fig4_misaligned", misaligned)
        save_diagram("fig5_aligned", aligned)
        save_diagram("resnet50_collapsed", resnet, collapse=True)
        save_diagram("resnet50_depth1", resnet, depth=1, collapse=True)
        save_diagram("densenet121_depth2", rfgraph.load(zoo / "densenet121.dot"), depth=2, collapse=True)
        save_diagram("resnet50_layer2", resnet, input="layer1", output="layer2", collapse=True)
        plot_region(chain, at=1, path=folder / "fig1_region.png", overwrite=args.force)
        written.append(folder / "fig1_region.png")
        plot_region(misaligned, at=1, path=folder / "fig4_region.png", overwrite=args.force)
        written.append(folder / "fig4_region.png")
        image = sample_image()
        if image is not None:
            plot_overlay(resnet, [(13, 13), (0, 0), (0, 1), (1, 0), (27, 27)], image=image, input_size=224,
                         output="layer2", path=folder / "resnet50_overlay.png", overwrite=args.force)
        else:
            plot_overlay(resnet, [(13, 13), (0, 0)], output="layer2", input_size=(112, 112),
                         path=folder / "resnet50_overlay.png", overwrite=args.force)
        written.append(folder / "resnet50_overlay.png")
        plot_growth(resnet, path=folder / "resnet50_growth.png", overwrite=args.force)
        written.append(folder / "resnet50_growth.png")
        for name in ("efficientnet_b0", "unet"):
            plot_growth(zoo / f"{name}.dot", path=folder / f"{name}_growth.png", overwrite=args.force)
            written.append(folder / f"{name}_growth.png")
    except RFGraphError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
