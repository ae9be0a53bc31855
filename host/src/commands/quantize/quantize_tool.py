#!/usr/bin/env python3
"""liveswap's int8 quantizer: ONNX Runtime's static quantization on recorded calibration inputs.

Run by `liveswap models quantize` (the script is compiled into liveswap and written to a
temporary file), in a private virtual environment with onnxruntime, onnx and numpy. Not meant
to be run by hand, but it can be:

    python quantize_tool.py SOURCE.onnx OUTPUT.onnx CALIB_DIR RECIPE.json

CALIB_DIR holds `index.json` ({"samples": [[{"name", "shape", "file"}, ...], ...]}) and raw
little-endian float32 files: the model inputs liveswap's processors prepared for the
calibration images (recorded at the session boundary, so exactly what the model sees).

RECIPE.json (what liveswap's recipe table decides; see quantize/recipe.rs):
  format "QDQ" | "QOperator", activation_type/weight_type "QUInt8" | "QInt8", per_channel,
  calibrate_method "MinMax" | "Entropy" | "Percentile", op_types (null = all the tool knows),
  exclude_op_types, exclude_depthwise, exclude_first_conv, exclude_last (n nodes from the end
  that are quantizable), extra_options (passed through), opset (minimum opset; per-channel QDQ
  needs 13).

An initializer that no node reads and that ends the source graph (inswapper's identity
projection `emap`, which the swapper reads as the file's last initializer) is put back at the
end of the output: ONNX Runtime's tools drop unused initializers.

Prints one JSON line on stdout: tool versions and the recipe as applied (node names excluded).
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import version_converter
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                      QuantType, quantize_static)
from onnxruntime.quantization.shape_inference import quant_pre_process

QUANTIZABLE = {"Conv", "Gemm", "MatMul", "ConvTranspose"}


class Recorded(CalibrationDataReader):
    """Feeds the recorded calls one sample at a time (batched calls are split)."""

    def __init__(self, calib_dir):
        with open(os.path.join(calib_dir, "index.json")) as f:
            index = json.load(f)
        self.items = []
        for call in index["samples"]:
            feeds = {}
            for t in call:
                a = np.fromfile(os.path.join(calib_dir, t["file"]), dtype="<f4")
                feeds[t["name"]] = a.reshape(t["shape"])
            batch = {v.shape[0] for v in feeds.values()}
            if len(batch) == 1 and next(iter(batch)) > 1:
                n = next(iter(batch))
                self.items.extend({k: v[i:i + 1] for k, v in feeds.items()} for i in range(n))
            else:
                self.items.append(feeds)
        self.pos = 0

    def get_next(self):
        if self.pos >= len(self.items):
            return None
        self.pos += 1
        return self.items[self.pos - 1]

    def rewind(self):
        self.pos = 0


def excluded_nodes(model, recipe):
    nodes = list(model.graph.node)
    names = []
    types = set(recipe.get("exclude_op_types") or [])
    names += [n.name for n in nodes if n.op_type in types]
    if recipe.get("exclude_depthwise"):
        names += [n.name for n in nodes if n.op_type == "Conv"
                  and any(a.name == "group" and a.i > 1 for a in n.attribute)]
    quantizable = [n for n in nodes if n.op_type in QUANTIZABLE]
    if recipe.get("exclude_first_conv") and quantizable:
        names.append(quantizable[0].name)
    last = int(recipe.get("exclude_last") or 0)
    if last:
        names += [n.name for n in quantizable[-last:]]
    return sorted(set(names))


def data_initializer(model):
    """The graph's last initializer when no node reads it: data carried in the file rather than
    weights (inswapper keeps its identity projection `emap` there, and readers look for it as
    the last initializer). None otherwise."""
    if not model.graph.initializer:
        return None
    last = model.graph.initializer[-1]
    used = {i for n in model.graph.node for i in n.input}
    return None if last.name in used else last


def keep_last(dst, carried):
    """Puts `carried` back as the output's last initializer: ONNX Runtime's pre-processing and
    quantizer drop initializers no node uses."""
    out = onnx.load(dst)
    rest = [i for i in out.graph.initializer if i.name != carried.name]
    del out.graph.initializer[:]
    out.graph.initializer.extend(rest + [carried])
    onnx.save(out, dst)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    src, dst, calib_dir, recipe_path = sys.argv[1:]
    with open(recipe_path) as f:
        recipe = json.load(f)
    work = dst + ".work"
    os.makedirs(work, exist_ok=True)
    model = onnx.load(src)
    carried = data_initializer(model)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    want = int(recipe.get("opset") or 13)
    if opset < want:
        # Per-channel DequantizeLinear (axis attribute) exists from opset 13 on.
        model = version_converter.convert_version(model, want)
    # Name every node: exclusion lists and the tool need names.
    for i, n in enumerate(model.graph.node):
        if not n.name:
            n.name = f"{n.op_type}_{i}"
    converted = os.path.join(work, "converted.onnx")
    onnx.save(model, converted)
    prepared = os.path.join(work, "prepared.onnx")
    try:
        # Shape inference + graph folding, as ONNX Runtime recommends before quantizing.
        quant_pre_process(converted, prepared, skip_symbolic_shape=True)
    except Exception as e:  # an optimisation only; quantize the converted graph instead
        print(f"pre-processing skipped: {e}", file=sys.stderr)
        prepared = converted
    model = onnx.load(prepared)
    exclude = excluded_nodes(model, recipe)
    reader = Recorded(calib_dir)
    quantize_static(
        prepared,
        dst,
        reader,
        quant_format=QuantFormat.QDQ if recipe.get("format", "QDQ") == "QDQ" else QuantFormat.QOperator,
        activation_type=getattr(QuantType, recipe.get("activation_type", "QUInt8")),
        weight_type=getattr(QuantType, recipe.get("weight_type", "QInt8")),
        per_channel=bool(recipe.get("per_channel", True)),
        calibrate_method=getattr(CalibrationMethod, recipe.get("calibrate_method", "MinMax")),
        op_types_to_quantize=recipe.get("op_types"),
        nodes_to_exclude=exclude,
        extra_options=recipe.get("extra_options") or {},
    )
    if carried is not None:
        keep_last(dst, carried)
    for f in os.listdir(work):
        os.remove(os.path.join(work, f))
    os.rmdir(work)
    applied = dict(recipe, nodes_excluded=exclude, source_opset=opset,
                   kept_initializer=carried.name if carried is not None else None,
                   calibration_samples=len(reader.items))
    print(json.dumps({
        "tool": "onnxruntime.quantization.quantize_static",
        "version": onnxruntime.__version__,
        "onnx": onnx.__version__,
        "numpy": np.__version__,
        "recipe": applied,
    }))


if __name__ == "__main__":
    main()
