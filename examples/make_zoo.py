"""Generate graphs/zoo/: classic architectures imported from PyTorch by rfgraph itself, in DOT
and GraphML, and graphs/zoo/README.md, a table of their receptive fields computed by rfgraph.

The torchvision models are built with weights=None (no download: only the architecture
matters) in eval mode and imported with rfgraph.importers.from_torch; the U-Net (Ronneberger
et al. 2015, valid convolutions, crop-and-concatenate skips, 2x2 up-convolutions) is defined
here. Each graph's ``output`` attribute names the map people analyse: the last spatial feature
map before global pooling and the classifier (the whole-input layers after it are kept in the
graph), or the segmentation output.

Needs torch and torchvision (not rfgraph's own test environment):

    python -m venv /work/venv-tv && /work/venv-tv/bin/pip install torch torchvision networkx pydot numpy
    /work/venv-tv/bin/pip install -e . --no-deps
    /work/venv-tv/bin/python examples/make_zoo.py [--force]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torchvision

import rfgraph
from rfgraph.importers import from_torch
from rfgraph.api import dumps
from rfgraph.io.safe_write import write_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zoo_table import KERAS_MARKER, line, row  # noqa: E402

ZOO = Path(__file__).resolve().parent.parent / "graphs" / "zoo"


class UNet(nn.Module):
    """The original U-Net (Ronneberger, Fischer and Brox, MICCAI 2015, Fig. 1): per level two
    unpadded 3x3 convolutions with ReLU, 2x2 max-pooling, 2x2 up-convolutions (transposed,
    stride 2), the skip connection centre-cropped and concatenated, a final 1x1 convolution;
    572x572 input, 388x388 output. Channel widths are divided by ``shrink`` (geometry only)."""

    def __init__(self, shrink: int = 8, classes: int = 2) -> None:
        super().__init__()
        widths = [64 // shrink * 2**i for i in range(5)]

        def double(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3), nn.ReLU(inplace=True), nn.Conv2d(cout, cout, 3),
                                 nn.ReLU(inplace=True))

        self.down = nn.ModuleList([double(1 if i == 0 else widths[i - 1], widths[i]) for i in range(5)])
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList([nn.ConvTranspose2d(widths[i], widths[i - 1], 2, stride=2) for i in range(4, 0, -1)])
        self.merge = nn.ModuleList([double(widths[i], widths[i - 1]) for i in range(4, 0, -1)])
        self.head = nn.Conv2d(widths[0], classes, 1)

    def forward(self, x):
        skips = []
        for i, block in enumerate(self.down):
            x = block(x)
            if i < 4:
                skips.append(x)
                x = self.pool(x)
        for up, merge, skip in zip(self.up, self.merge, reversed(skips)):
            x = up(x)
            dy = (skip.shape[2] - x.shape[2]) // 2
            dx = (skip.shape[3] - x.shape[3]) // 2
            crop = skip[:, :, dy:dy + x.shape[2], dx:dx + x.shape[3]]
            x = merge(torch.cat([crop, x], dim=1))
        return self.head(x)


# name, builder, input size, output node, what the output is, source text
def models():
    tv = torchvision.models
    seg = torchvision.models.segmentation
    return [
        ("alexnet", lambda: tv.alexnet(weights=None), 224, "features",
         "features (pool5, the last spatial map)",
         "Krizhevsky, Sutskever and Hinton, NIPS 2012 (torchvision's single-tower variant)"),
        ("vgg16", lambda: tv.vgg16(weights=None), 224, "features", "features (pool5)",
         "Simonyan and Zisserman, ICLR 2015, configuration D"),
        ("resnet18", lambda: tv.resnet18(weights=None), 224, "layer4", "layer4 (before global pooling)",
         "He, Zhang, Ren and Sun, CVPR 2016, 18 layers (basic blocks)"),
        ("resnet50", lambda: tv.resnet50(weights=None), 224, "layer4", "layer4 (before global pooling)",
         "He et al., CVPR 2016, 50 layers (bottlenecks; torchvision's v1.5 stride placement)"),
        ("resnet152", lambda: tv.resnet152(weights=None), 224, "layer4", "layer4 (before global pooling)",
         "He et al., CVPR 2016, 152 layers"),
        ("densenet121", lambda: tv.densenet121(weights=None), 224, "features",
         "features (norm5, before the final ReLU and global pooling)",
         "Huang, Liu, van der Maaten and Weinberger, CVPR 2017"),
        ("inception_v3", lambda: tv.inception_v3(weights=None, aux_logits=False, init_weights=False), 299,
         "Mixed_7c", "Mixed_7c (before global pooling)",
         "Szegedy et al., CVPR 2016 (no auxiliary classifier)"),
        ("mobilenet_v2", lambda: tv.mobilenet_v2(weights=None), 224, "features",
         "features (the last 1x1 convolution block)", "Sandler et al., CVPR 2018"),
        ("efficientnet_b0", lambda: tv.efficientnet_b0(weights=None), 224, "features",
         "features (the last 1x1 convolution block)",
         "Tan and Le, ICML 2019; squeeze-and-excitation blocks make every feature depend on the whole image"),
        ("unet", lambda: UNet(), 572, None, "the segmentation output (388x388)",
         "Ronneberger, Fischer and Brox, MICCAI 2015, defined in examples/make_zoo.py (channels / 8)"),
        ("deeplabv3_resnet50", lambda: seg.deeplabv3_resnet50(weights=None, weights_backbone=None, aux_loss=False),
         224, "classifier.3", "classifier.3 (class scores at stride 8, before the final upsampling)",
         "Chen, Papandreou, Schroff and Adam, 2017 (torchvision deeplabv3_resnet50: dilated ResNet-50 "
         "backbone, output stride 8, ASPP with rates 12, 24, 36 and image pooling)"),
    ]


def header(name: str, size: int, output_text: str, source: str, net) -> str:
    lines = [
        f"{name}: {source}.",
        f"Imported with rfgraph.importers.from_torch from torchvision {torchvision.__version__} "
        f"(torch {torch.__version__.split('+')[0]}), weights=None,",
        f"eval mode, input 1x3x{size}x{size} (1 channel for the U-Net). Nodes are the model's feature maps, "
        "named by module path.",
        f"Graph attribute output: {output_text}; input_size {size},{size}.",
        "Generated by examples/make_zoo.py: do not edit by hand.",
    ]
    return "".join(f"// {line}\n" for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="replace existing files")
    parser.add_argument("--only", nargs="*", help="only these models")
    args = parser.parse_args()
    ZOO.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, build, size, output, output_text, source in models():
        if args.only and name not in args.only:
            continue
        model = build().eval()
        channels = 1 if name == "unet" else 3
        t0 = time.perf_counter()
        net = from_torch(model, torch.zeros(1, channels, size, size), output=output, name=name,
                         description=f"{name}: {source}; output {output_text}")
        seconds = time.perf_counter() - t0
        write_text(ZOO / f"{name}.dot", header(name, size, output_text, source, net) + dumps(net, "dot"),
                   overwrite=args.force)
        rfgraph.save(net, ZOO / f"{name}.graphml", overwrite=args.force)
        again = rfgraph.load(ZOO / f"{name}.dot")  # the table is computed from the files as written
        rows.append(row(name, again, seconds))
        print(f"{name}: {rows[-1]['rf']} / {rows[-1]['stride']} ({seconds:.2f} s import)")
    if not args.only:
        write_text(ZOO / "README.md", readme(rows) + keras_section(), overwrite=args.force)


def keras_section() -> str:
    """The Keras section of the zoo's README (written by examples/make_keras_zoo.py), kept."""
    path = ZOO / "README.md"
    if not path.exists():
        return ""
    text = path.read_text()
    return "\n" + text[text.index(KERAS_MARKER):] if KERAS_MARKER in text else ""


def readme(rows: list[dict]) -> str:
    out = [
        "# The zoo: classic architectures as rfgraph graphs",
        "",
        "Generated by `examples/make_zoo.py` (torchvision models imported with "
        "`rfgraph.importers.from_torch`; the U-Net is defined in the script). Each graph's `output` "
        "attribute is the map people analyse: the last spatial feature map before global pooling and "
        "the classifier (which stay in the graph), or the segmentation output. The numbers below are "
        "computed by rfgraph from the DOT files (`rfgraph analyze graphs/zoo/NAME.dot`); both axes "
        "agree for every model. `rf`, `stride` and `padding` are the receptive field, effective stride "
        "and effective padding of the output seen from the input image; a model whose output depends "
        "on the whole image through some path (squeeze-and-excitation, ASPP image pooling) says so, "
        "with the numbers of the paths that avoid it.",
        "",
        f"torchvision {torchvision.__version__}, torch {torch.__version__.split('+')[0]}. "
        "Checked against autograd on the real models by `examples/check_zoo_autograd.py`.",
        "",
        "| model | input | output node | output size | rf | stride | padding | aligned | paths | notes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        out.append(line(r))
    out += ["", "Graph sizes: " + ", ".join(f"{r['name']} {r['nodes']} nodes / {r['edges']} edges" for r in rows)
            + ".", ""]
    return "\n".join(out)


if __name__ == "__main__":
    main()
