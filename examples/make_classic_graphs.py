"""Write the classic architectures bundled in graphs/ (AlexNet, VGG-16, ResNet-50), in DOT and
GraphML, from the layer tables of their papers (in torchvision's layout, so they can be
checked against the imported models); and the GraphML copies of the hand-written Distill
examples (graphs/distill_*.dot).

Run from the repository root:  python examples/make_classic_graphs.py [--force]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import rfgraph
from rfgraph.api import dumps
from rfgraph.io.formats import read_raw
from rfgraph.io.safe_write import write_text
from rfgraph.core.raw import RawGraph

GRAPHS = Path(__file__).resolve().parent.parent / "graphs"


class Builder:
    """Append layers to a chain; ``self.cur`` is the current feature map."""

    def __init__(self, start: str, **graph_attrs: str) -> None:
        self.raw = RawGraph(graph=dict(graph_attrs))
        self.raw.add_node(start)
        self.cur = start

    def layer(self, name: str, op: str, src: str | None = None, **geometry: object) -> str:
        attrs = {"op": op, **{k: str(v) for k, v in geometry.items()}}
        self.raw.add_edge(src or self.cur, name, attrs)
        self.cur = name
        return name


def classifier(b: Builder) -> None:
    """AlexNet's and VGG's head: flatten, then three fully connected layers."""
    b.layer("flatten", "flatten")
    for i in (6, 7):
        b.layer(f"fc{i}", "fc")
        b.layer(f"relu{i}", "relu")
    b.layer("fc8", "fc")


def alexnet() -> tuple[RawGraph, str]:
    b = Builder("image", input="image", output="pool5", input_size="224,224")
    b.layer("conv1", "conv", k=11, s=4, p=2)
    b.layer("relu1", "relu")
    b.layer("pool1", "maxpool", k=3, s=2)
    b.layer("conv2", "conv", k=5, p=2)
    b.layer("relu2", "relu")
    b.layer("pool2", "maxpool", k=3, s=2)
    for i in (3, 4, 5):
        b.layer(f"conv{i}", "conv", k=3, p=1)
        b.layer(f"relu{i}", "relu")
    b.layer("pool5", "maxpool", k=3, s=2)
    classifier(b)
    header = (
        "AlexNet: Krizhevsky, Sutskever and Hinton, \"ImageNet Classification with Deep\n"
        "Convolutional Neural Networks\", NIPS 2012, with the single-tower layout and the\n"
        "conv1 padding of 2 that torchvision uses (the paper's 224 px input and unpadded conv1 do\n"
        "not give its stated 55x55 maps). Dropout and the adaptive average pool (an identity at\n"
        "224 px) are left out; they do not change the geometry. Output: pool5, the last spatial map."
    )
    return b.raw, header


def vgg16() -> tuple[RawGraph, str]:
    b = Builder("image", input="image", output="pool5", input_size="224,224")
    for stage, convs in enumerate((2, 2, 3, 3, 3), start=1):
        for i in range(1, convs + 1):
            b.layer(f"conv{stage}_{i}", "conv", k=3, p=1)
            b.layer(f"relu{stage}_{i}", "relu")
        b.layer(f"pool{stage}", "maxpool", k=2, s=2)
    classifier(b)
    header = (
        "VGG-16 (configuration D): Simonyan and Zisserman, \"Very Deep Convolutional Networks for\n"
        "Large-Scale Image Recognition\", ICLR 2015, Table 1: 3x3 convolutions with stride 1 and\n"
        "padding 1, 2x2 max-pooling with stride 2, three fully connected layers. Output: pool5."
    )
    return b.raw, header


def resnet50() -> tuple[RawGraph, str]:
    return resnet((3, 4, 6, 3), 50)


def resnet(stages: tuple[int, ...], depth: int) -> tuple[RawGraph, str]:
    """A bottleneck ResNet (v1.5) with ``stages`` blocks per stage: (3, 4, 6, 3) is ResNet-50,
    (3, 8, 36, 3) ResNet-152."""
    b = Builder("image", input="image", output="layer4", input_size="224,224")
    b.layer("conv1", "conv", k=7, s=2, p=3)
    b.layer("bn1", "bn")
    b.layer("relu", "relu")
    b.layer("maxpool", "maxpool", k=3, s=2, p=1)
    for stage, blocks in enumerate(stages, start=1):
        for i in range(blocks):
            stride = 2 if i == 0 and stage > 1 else 1
            name = f"layer{stage}.{i}"
            block_in = b.cur
            b.layer(f"{name}.conv1", "conv", k=1)
            b.layer(f"{name}.bn1", "bn")
            b.layer(f"{name}.relu1", "relu")
            b.layer(f"{name}.conv2", "conv", k=3, s=stride, p=1)  # v1.5: the stride sits here
            b.layer(f"{name}.bn2", "bn")
            b.layer(f"{name}.relu2", "relu")
            b.layer(f"{name}.conv3", "conv", k=1)
            b.layer(f"{name}.bn3", "bn")
            b.layer(f"{name}.add", "add")
            if i == 0:  # projection shortcut: 1x1 conv with the block's stride, then batch norm
                b.layer(f"{name}.downsample.0", "conv", src=block_in, k=1, s=stride)
                b.layer(f"{name}.downsample.1", "bn")
            else:
                b.cur = block_in
            b.layer(f"{name}.add", "add")
            # a stage's output (its last block's) carries the stage's name, as torchvision's
            # module layerN returns it
            b.layer(f"layer{stage}" if i == blocks - 1 else name, "relu")
    b.layer("avgpool", "global_avgpool")
    b.layer("flatten", "flatten")
    b.layer("fc", "fc")
    header = (
        f"ResNet-{depth}: He, Zhang, Ren and Sun, \"Deep Residual Learning for Image Recognition\",\n"
        f"CVPR 2016, Table 1 ({depth}-layer bottleneck network), in torchvision's \"v1.5\" layout: the\n"
        "stride of the first block of stages 2-4 sits in its 3x3 convolution, and projection\n"
        "shortcuts are 1x1 convolutions with that stride. Node names follow torchvision's module\n"
        "names; each block's output node is named after the block, and each stage's output\n"
        "(its last block's) after the stage. Output: layer4 (the last\n"
        "spatial map, before global average pooling)."
    )
    return b.raw, header


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="replace existing files")
    args = parser.parse_args()
    for name, make in (("alexnet", alexnet), ("vgg16", vgg16), ("resnet50", resnet50)):
        raw, header = make()
        raw.name = name
        net = rfgraph.build(raw)  # validates
        comment = "".join(f"// {line}\n" for line in header.splitlines())
        comment += "// Generated by examples/make_classic_graphs.py.\n"
        write_text(GRAPHS / f"{name}.dot", comment + dumps(net, "dot"), overwrite=args.force)
        raw.graph["description"] = " ".join(header.split())  # GraphML has no comments
        write_text(GRAPHS / f"{name}.graphml", dumps(rfgraph.build(raw), "graphml"), overwrite=args.force)
        result = rfgraph.analyze(net)
        print(f"{name}: rf {result.rf}, stride {result.stride}, padding {result.padding}, "
              f"aligned {result.aligned}, {len(net.edges)} edges")
    for path in sorted(GRAPHS.glob("distill_*.dot")):
        raw = read_raw(path)
        lines = [line[2:].strip() for line in path.read_text().splitlines() if line.startswith("//")]
        raw.graph["description"] = " ".join(lines)
        write_text(path.with_suffix(".graphml"), dumps(rfgraph.build(raw), "graphml"), overwrite=args.force)
        print(f"{path.stem}: GraphML copy written")


if __name__ == "__main__":
    main()
