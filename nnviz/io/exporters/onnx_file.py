"""``.onnx``: the whole inference pipeline as one ONNX graph (opset 17, ``ir_version`` 8).

    inputs [N, n_inputs] float32 ── Cast(double)
      → feature expansion: Gather one column per input used, then per feature
        x (Identity of the column), x² and a·b (Mul), sin x (Sin); Concat along axis 1
      → scaling: Sub(mean), Div(std)                        (absent when scaling is off)
        (when the features are the raw inputs, the scaling is folded into the first layer
        instead, and a standardized regression target is folded into the last: see
        :mod:`.folding`; the output is then in the target's own units)
      → per layer: Gemm(h, Wᵀ, b, transB=1) → the activation's operator (Relu, LeakyRelu,
        Tanh, Sigmoid or Identity, with attributes: the row of nnviz.core.activations)
      → Cast(float) → output [N, 1] float32: P(class 1), or the predicted value
    K classes: the last activation is Softmax(axis=1) and output is [N, K] float32, one
    probability per class (in the order of the header's ``classes``), plus ``label`` [N] int64,
    the ArgMax of the probabilities (ties go to the first class, as NumPy's argmax)

The graph computes in float64 like the engine does, so its output matches nnviz's to float32
rounding (the interface is float32 because that is what most tools feed). The weights are
stored as Wᵀ (fan_out, fan_in), PyTorch's layout, with ``transB=1``. ``metadata_props`` holds
the nnviz header (inputs, features, scaling, activations) as JSON under ``nnviz``.
"""
from __future__ import annotations

import json

import numpy as np

from nnviz import __version__
from nnviz.io import weights_io
from nnviz.data.features import parse_features
from nnviz.io.fileio import atomic_write
from nnviz.core import activations
from nnviz.core.model import Model
from nnviz.io.exporters import folding
from nnviz.io.exporters.optional import require

OPSET = 17
IR_VERSION = 8


def build(model: Model):
    """The :class:`onnx.ModelProto` of ``model``'s pipeline, checked with ``full_check=True``."""
    onnx = require("onnx", "ONNX export")
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    x = node("Cast", ["inputs"], "inputs_f64", to=TensorProto.DOUBLE)
    feats = parse_features(model.features, model.inputs)
    layers, fold_in, fold_out = folding.export_layers(model)
    if folding.features_are_inputs(model):
        h = x                                              # the features are the inputs
    else:
        columns = {}

        def column(i):
            if i not in columns:
                idx = const(f"column_{i}_index", np.array([i], dtype=np.int64))
                columns[i] = node("Gather", [x, idx], f"column_{i}", axis=1)
            return columns[i]

        parts = []
        for c, f in enumerate(feats):
            out = f"feature_{c}"
            if f.kind == "input":
                parts.append(node("Identity", [column(f.i)], out))
            elif f.kind == "sin":
                parts.append(node("Sin", [column(f.i)], out))
            else:
                parts.append(node("Mul", [column(f.i), column(f.j)], out))
        h = node("Concat", parts, "features", axis=1)
    if model.scaler is not None and not fold_in:
        h = node("Sub", [h, const("scaling_mean", model.scaler.mean.astype(np.float64))], "centred")
        h = node("Div", [h, const("scaling_std", model.scaler.std.astype(np.float64))], "scaled")
    for k, ((Wk, bk), act) in enumerate(zip(layers, model.network.activations), 1):
        W = const(f"W{k}_transposed", Wk.T.astype(np.float64))
        b = const(f"b{k}", bk.astype(np.float64))
        z = node("Gemm", [h, W, b], f"z{k}", transB=1)
        fn = activations.get(act)
        h = node(fn.onnx_op, [z], f"a{k}", **dict(fn.onnx_attrs))
    node("Cast", [h], "output", to=TensorProto.FLOAT)
    K = model.network.n_outputs
    outputs = [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", K])]
    if K > 1:
        node("ArgMax", [h], "label", axis=1, keepdims=0)
        outputs.append(helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]))

    n_in = len(model.inputs)
    graph = helper.make_graph(
        nodes, "nnviz_pipeline",
        [helper.make_tensor_value_info("inputs", TensorProto.FLOAT, ["N", n_in])],
        outputs, initializer=inits)
    what = "P(class 1)" if model.task == "classification" else "the predicted value"
    if K > 1:
        what = (f"P(each class) for {json.dumps(weights_io.to_dict(model)['classes'])}, "
                "and label [N] = the index of the largest")
    graph.doc_string = (f"inputs [N, {n_in}] columns {json.dumps(model.inputs)} → features "
                        f"{json.dumps(model.features)} → "
                        f"{'standardized → ' if model.scaler is not None else ''}"
                        f"{' → '.join(map(str, model.network.sizes))} network "
                        f"({', '.join(model.network.activations)}) → output [N, {K}] = {what}"
                        + (f"; {folding.description(fold_in, fold_out)}" if fold_in or fold_out else ""))
    proto = helper.make_model(graph, producer_name="nnviz", producer_version=__version__,
                              opset_imports=[helper.make_opsetid("", OPSET)])
    proto.ir_version = IR_VERSION
    header = weights_io.to_dict(model)
    for layer in header["layers"]:
        del layer["weights"], layer["biases"]
    helper.set_model_props(proto, {"nnviz": json.dumps(header), "task": model.task})
    onnx.checker.check_model(proto, full_check=True)
    return proto


def save(model: Model, path) -> None:
    atomic_write(path, build(model).SerializeToString())
