"""Import a broad set of timm backbones with rfgraph and check each against autograd on the
real model; print (and write) the coverage table for the README.

For each model: ``timm.create_model(name, pretrained=False)``, its ``forward_features`` (the
last feature map before the classifier) imported with :func:`rfgraph.importers.from_torch`
at a small input size, and compared at several output positions (corners, centre, an edge)
with the support of the gradient on a linear copy of the same model: float64, convolution
and linear weights 1 / fan-in, biases 0, batch norm an identity, max pooling averaged over
the same windows (TensorFlow 'same' ones included), activations removed, layer norms over
channels removed and group norms replaced by a positive mean over the group's positions,
weight standardisation (NFNet) skipped, attention weights uniform constants and other
softmaxes (gates over branches) the identity. The gradient
of an output feature is then non-zero exactly on the input pixels it depends on (math
section 7), and must equal rfgraph's exact set.

Outcomes: ``exact`` (every tested position equal), ``MISMATCH`` (a wrong region: must never
happen), ``refused`` (a ModelImportError saying what to do), ``CRASH`` (any other exception
from rfgraph: must never happen), ``skip`` (the model itself could not be built or run).

    /work/venv-timm/bin/python examples/check_timm.py [--onnx] [--out graphs/zoo/timm.md] [NAME ...]

``--onnx`` also exports each model with torch.onnx (TorchScript exporter, opset 17, at the
same static size) and checks the ONNX import against the same autograd supports.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
import traceback
import types
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import rfgraph
from rfgraph.core.errors import RFGraphError
from rfgraph import exact_regions as regions

sys.path.insert(0, str(Path(__file__).resolve().parent))
from linear_models import WindowAverage, positive_weights, submodules  # noqa: E402

# name -> input size (transformers at the size they are built for, or a smaller img_size)
MODELS = {
    "resnet18": 128, "resnet50": 128, "resnet50d": 128, "resnext26ts": 128, "seresnext26d_32x4d": 128,
    "res2net50_26w_4s": 128, "resnest14d": 128, "convnext_atto": 128, "convnextv2_atto": 128,
    "efficientnet_b0": 128, "tf_efficientnet_b0": 128, "tf_efficientnetv2_b0": 128, "efficientnetv2_rw_t": 128,
    "mobilenetv2_100": 128, "mobilenetv3_small_050": 128, "mobilenetv3_large_100": 128,
    "mobilenetv4_conv_small": 128, "regnetx_002": 128, "regnety_002": 128, "densenet121": 128,
    "inception_v3": 139, "xception41": 128, "dla34": 128, "hrnet_w18_small": 128, "cspdarknet53": 128,
    "cspresnet50": 128, "ghostnet_100": 128, "mixnet_s": 128, "rexnet_100": 128, "vovnet39a": 128,
    "ese_vovnet19b_dw": 128, "dpn68": 128, "dm_nfnet_f0": 128, "nf_resnet26": 128, "repvgg_a0": 128,
    "mobileone_s0": 128, "tresnet_m": 128, "selecsls42b": 128, "hardcorenas_a": 128, "fbnetc_100": 128,
    "mnasnet_100": 128, "spnasnet_100": 128, "lcnet_050": 128, "tinynet_e": 128, "gernet_s": 128,
    "darknet53": 128, "skresnet18": 128, "regnetz_b16": 128, "efficientformer_l1": 224,
    "poolformer_s12": 128, "convmixer_768_32": 128, "vit_tiny_patch16_224": 224, "deit_tiny_patch16_224": 224,
    "swin_tiny_patch4_window7_224": 224, "levit_conv_128s": 224, "maxvit_nano_rw_256": 256,
    "halonet26t": 256, "mobilevit_xxs": 256, "coatnet_nano_rw_224": 224, "edgenext_xx_small": 256,
    "ghostnetv2_100": 128, "fastvit_t8": 256, "pit_ti_224": 224,
}

_ACTIVATIONS = {"ReLU", "ReLU6", "LeakyReLU", "PReLU", "GELU", "GELUTanh", "QuickGELU", "SiLU", "Swish", "Mish",
                "HardSwish", "Hardswish", "HardSigmoid", "Hardsigmoid", "HardMish", "Sigmoid", "Tanh", "ELU",
                "SELU", "CELU", "Softplus", "Dropout", "Dropout2d", "DropPath", "Identity", "StarReLU",
                "GluMlp", "Hardtanh"}


class MeanAdd(nn.Module):
    """A group norm's dependence (every position of the group) with positive coefficients."""

    def forward(self, x):
        return x + x.mean(dim=tuple(range(1, x.dim())), keepdim=True)


def _plain_conv(conv: nn.Conv2d, same: bool):
    def forward(self, x):
        if same:
            pads = []
            for n, kk, ss, dd in zip(x.shape[2:], self.kernel_size, self.stride, self.dilation):
                total = max((-(-n // ss) - 1) * ss + dd * (kk - 1) + 1 - n, 0)
                pads.append((total // 2, total - total // 2))
            x = F.pad(x, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
        return F.conv2d(x, self.weight, None, self.stride, 0 if same else self.padding, self.dilation, self.groups)

    return types.MethodType(forward, conv)


def uniform_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, **kw):
    weights = torch.full((*q.shape[:-1], k.shape[-2]), 1.0 / k.shape[-2], dtype=v.dtype)
    return weights @ v


def linear_copy(model: nn.Module) -> nn.Module:
    m = copy.deepcopy(model)
    for owner, leaf, child in submodules(m):
        cls = type(child).__name__
        if isinstance(child, nn.MaxPool2d):
            setattr(owner, leaf, WindowAverage(child, cls.endswith("Same")))
        elif isinstance(child, nn.AdaptiveMaxPool2d):
            setattr(owner, leaf, nn.AdaptiveAvgPool2d(child.output_size))
        elif cls in _ACTIVATIONS and not list(child.children()):
            setattr(owner, leaf, nn.Identity())
        elif isinstance(child, nn.GroupNorm) or cls in ("GroupNorm1", "GroupNormAct"):
            setattr(owner, leaf, MeanAdd())
        elif isinstance(child, nn.LayerNorm) or cls in ("LayerNorm2d", "LayerNormAct2d", "RmsNorm", "RmsNorm2d"):
            setattr(owner, leaf, nn.Identity())  # over channels: per position
        elif "StdConv" in cls and isinstance(child, nn.Conv2d):
            child.forward = _plain_conv(child, cls.endswith("Same"))
        if hasattr(child, "act") and isinstance(getattr(child, "act"), nn.Module) and \
                type(child.act).__name__ in _ACTIVATIONS:
            child.act = nn.Identity()
        if hasattr(child, "fused_attn"):
            child.fused_attn = True  # through F.scaled_dot_product_attention (made uniform below)
    m = m.double().eval()
    positive_weights(m)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if p.dim() == 0 or name.endswith(("gamma", "scale", "layer_scale", "ls1.gamma", "ls2.gamma")) \
                    or "pos_embed" in name or "cls_token" in name or "reg_token" in name:
                p.fill_(1.0)
    return m


class Features(nn.Module):
    """``forward_features`` as a module: the map rfgraph analyses; NHWC outputs made NCHW."""

    def __init__(self, model: nn.Module, nhwc: bool) -> None:
        super().__init__()
        self.model, self.nhwc = model, nhwc

    def forward(self, x):
        y = self.model.forward_features(x)
        return y.permute(0, 3, 1, 2) if self.nhwc else y


def check(name: str, size: int, positions: int = 4, onnx: bool = False) -> dict:
    import timm

    row = {"model": name, "size": size, "imported": "no", "rf": "", "stride": "", "padding": "", "aligned": "",
           "exact": "", "outcome": "", "note": "", "seconds": 0.0, "onnx": ""}
    try:
        model = timm.create_model(name, pretrained=False).eval()
        x = torch.zeros(1, 3, size, size)
        with torch.no_grad():
            y = model.forward_features(x)
        nhwc = y.dim() == 4 and y.shape[-1] == model.num_features and y.shape[1] != model.num_features
    except Exception as exc:  # the model itself: not rfgraph's
        row.update(outcome="skip", note=f"timm: {type(exc).__name__}: {' '.join(str(exc).split())[:120]}")
        return row
    features = Features(model, nhwc).eval()
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = rfgraph.from_torch(features, x)
    except RFGraphError as exc:
        row.update(outcome="refused", note=" ".join(str(exc).split())[:220], seconds=time.perf_counter() - t0)
        return row
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        row.update(outcome="CRASH", note=f"{type(exc).__name__}: {exc} at {tb.filename}:{tb.lineno}")
        return row
    row["seconds"] = time.perf_counter() - t0
    row["imported"] = "yes"
    try:
        result = rfgraph.analyze(net)
        a = result.axes[0]
        if a.whole_input is not None:
            local = "" if a.local is None else f" (local {a.local.rf})" if a.local.rf else " (local: by position)"
            row["rf"] = "whole input" + local
            if a.local is not None:
                row["stride"], row["padding"] = _text(a.local.stride), _text(a.local.padding)
        else:
            row["rf"], row["stride"], row["padding"] = _text(a.rf) if a.rf else "by position", _text(a.stride), \
                _text(a.padding)
        row["aligned"] = {True: "yes", False: "no", None: "?"}[result.aligned]
        r = regions(net, (size, size))
    except RFGraphError as exc:
        row.update(outcome="refused", note="analysis: " + " ".join(str(exc).split())[:200])
        return row
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        row.update(outcome="CRASH", note=f"analysis {type(exc).__name__}: {exc} at {tb.filename}:{tb.lineno}")
        return row
    # autograd on the linear copy
    # attention with uniform weights; softmax (gates over branches, attention scores) the
    # identity: positive and linear, the same dependence, no cancellation through its Jacobian
    patched = [(F, "scaled_dot_product_attention", uniform_attention), (F, "softmax", _identity),
               (torch, "softmax", _identity), (torch.Tensor, "softmax", _identity)]
    saved = [(obj, attr, getattr(obj, attr)) for obj, attr, _ in patched]
    for obj, attr, value in patched:
        setattr(obj, attr, value)
    try:
        lin = Features(linear_copy(model), nhwc).double().eval()
        inp = torch.ones((1, 3, size, size), dtype=torch.float64, requires_grad=True)
        out = lin(inp)
        if out.dim() == 4:
            h, w = out.shape[2:]
            chosen = sorted({(0, 0), (h // 2, w // 2), (h - 1, w - 1), (0, w - 1)})[:positions]
            pick = lambda p: out[0, :, p[0], p[1]].sum()  # noqa: E731
        else:  # tokens: the first token against rfgraph's first output position
            chosen = [(0,) * 2]
            pick = lambda p: out[0, 0].sum()  # noqa: E731
        if tuple(r.output_size) != tuple(out.shape[2:]) and out.dim() == 4:
            row.update(outcome="MISMATCH", note=f"output size {tuple(out.shape[2:])}, rfgraph {tuple(r.output_size)}")
            return row
        good = 0
        for pos in chosen:
            (g,) = torch.autograd.grad(pick(pos), inp, retain_graph=True)
            support = (g[0].abs().sum(0) != 0).numpy()
            pos_r = pos if out.dim() == 4 else (0,) * len(r.output_size)
            if np.array_equal(support, r.exact_set(pos_r)):
                good += 1
            elif not support.any():
                row["note"] = "autograd support empty (the linear copy underflows): not compared"
        row["exact"] = f"{good}/{len(chosen)}"
        row["outcome"] = "exact" if good == len(chosen) else ("unchecked" if "empty" in row["note"] else "MISMATCH")
        if onnx:
            row["onnx"] = check_onnx(features, x, chosen, out.dim(), inp, pick)
    except Exception as exc:
        row.update(outcome="unchecked", note=f"autograd on the linear copy failed: {type(exc).__name__}: "
                                             f"{' '.join(str(exc).split())[:100]}")
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)
    return row


def _identity(x, *args, **kwargs):
    return x


def check_onnx(features: nn.Module, x, chosen, out_dim: int, inp, pick) -> str:
    """The same model through ONNX (torch.onnx.export, TorchScript exporter, opset 17, static
    size): imported with from_onnx and compared with the same autograd supports."""
    import io

    from rfgraph.importers import from_onnx

    buf = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(features, (x,), buf, dynamo=False, opset_version=17)
    except Exception as exc:
        return f"export failed ({type(exc).__name__})"
    try:
        net = from_onnx(buf.getvalue())
        r = regions(net, tuple(x.shape[2:]))
    except RFGraphError as exc:
        return "refused: " + " ".join(str(exc).split())[:160]
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        return f"CRASH {type(exc).__name__}: {exc} at {tb.filename}:{tb.lineno}"
    good = 0
    for pos in chosen:
        (g,) = torch.autograd.grad(pick(pos), inp, retain_graph=True)
        support = (g[0].abs().sum(0) != 0).numpy()
        pos_r = pos if out_dim == 4 else (0,) * len(r.output_size)
        good += bool(np.array_equal(support, r.exact_set(pos_r)))
    return f"exact {good}/{len(chosen)}" if good == len(chosen) else f"MISMATCH {good}/{len(chosen)}"


def _text(v) -> str:
    from rfgraph.results import text

    return text(v) if v is not None else "-"


def table(rows: list[dict]) -> str:
    counts = {k: sum(r["outcome"] == k for r in rows) for k in ("exact", "MISMATCH", "refused", "CRASH", "skip",
                                                                 "unchecked")}
    tried = len(rows) - counts["skip"]
    imported = sum(r["imported"] == "yes" for r in rows)
    onnx_rows = [r for r in rows if r.get("onnx")]
    onnx_exact = sum(r["onnx"].startswith("exact") for r in onnx_rows)
    onnx_refused = sum(r["onnx"].startswith("refused") for r in onnx_rows)
    onnx_bad = sum(r["onnx"].startswith(("MISMATCH", "CRASH")) for r in onnx_rows)
    lines = [
        f"timm {_timm_version()}, torch {torch.__version__.split('+')[0]}: {tried} models tried, {imported} imported, "
        f"{counts['exact']} exact against autograd at every tested position, {counts['MISMATCH']} wrong, "
        f"{counts['refused']} refused with an error saying what to do, {counts['CRASH']} crashes"
        + (f", {counts['unchecked']} imported but not checked" if counts["unchecked"] else "")
        + (f" ({counts['skip']} could not be built by timm itself)" if counts["skip"] else "") + "."
        + (f" Through ONNX (exported by torch.onnx): {len(onnx_rows)} tried, {onnx_exact} exact, {onnx_refused} "
           f"refused, {onnx_bad} wrong or crashed." if onnx_rows else ""),
        "",
        "| model | input | imported | rf | stride | padding | aligned | autograd | ONNX | note |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        note = r["note"].replace("|", "\\|")
        lines.append(f"| {r['model']} | {r['size']} | {r['imported']} | {r['rf']} | {r['stride']} | {r['padding']} | "
                     f"{r['aligned']} | {r['exact'] or r['outcome']} | {r.get('onnx', '')} | {note} |")
    return "\n".join(lines) + "\n"


def _timm_version() -> str:
    import timm

    return timm.__version__


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="timm model names (default: the built-in list)")
    parser.add_argument("--out", help="write the markdown table here")
    parser.add_argument("--onnx", action="store_true", help="also export each model to ONNX and check that import")
    args = parser.parse_args()
    torch.set_num_threads(2)
    names = args.models or list(MODELS)
    rows = []
    for name in names:
        row = check(name, MODELS.get(name, 128), onnx=args.onnx)
        rows.append(row)
        print(f"{row['model']}: {row['outcome']} {row['exact']} rf {row['rf']} stride {row['stride']} "
              f"({row['seconds']:.2f} s) onnx: {row['onnx'][:80]} {row['note'][:160]}", flush=True)
    text = table(rows)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    bad = any(r["outcome"] in ("CRASH", "MISMATCH") or r.get("onnx", "").startswith(("CRASH", "MISMATCH"))
              for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
