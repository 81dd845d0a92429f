"""Writes the small models behind issue 19's fuzz findings, for the
end-to-end tests (Tests/PatchTopEndToEndTests/Models/):

    python3 Scripts/make_fuzz_regressions.py

- one-quantize.tflite: a single QUANTIZE (float32 [1,8,8,3] -> int8). TinyEngine
  skips it, so its layer list is empty: `run -p 2 -n 1` trapped mapping n to a
  split index.
- huge-pool.tflite: one int8 MAX_POOL_2D 2x2/2 on [1,16384,16384,255] (a 68 GB
  input): `report --run` allocated the input before the arena limit refused it.

Built with TFLite's own flatbuffer schema; no weights, a few hundred bytes each.
"""
import os

import flatbuffers
from tensorflow.lite.python import schema_py_generated as schema

HERE = os.path.join(os.path.dirname(__file__), "..", "Tests", "PatchTopEndToEndTests", "Models")


def tensor(name, shape, type_, scale=None, zero_point=None):
    t = schema.TensorT()
    t.name = name
    t.shape = shape
    t.type = type_
    t.buffer = 0
    if scale is not None:
        q = schema.QuantizationParametersT()
        q.scale = [scale]
        q.zeroPoint = [zero_point]
        t.quantization = q
    return t


def write(path, description, code, tensors, options_type=None, options=None):
    model = schema.ModelT()
    model.version = 3
    model.description = description
    model.buffers = [schema.BufferT()]
    oc = schema.OperatorCodeT()
    oc.builtinCode = code
    oc.deprecatedBuiltinCode = code
    oc.version = 1
    model.operatorCodes = [oc]
    op = schema.OperatorT()
    op.opcodeIndex = 0
    op.inputs = [0]
    op.outputs = [1]
    if options_type is not None:
        op.builtinOptionsType = options_type
        op.builtinOptions = options
    sub = schema.SubGraphT()
    sub.tensors = tensors
    sub.operators = [op]
    sub.inputs = [0]
    sub.outputs = [1]
    model.subgraphs = [sub]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    with open(path, "wb") as f:
        f.write(builder.Output())


def main():
    os.makedirs(HERE, exist_ok=True)
    write(os.path.join(HERE, "one-quantize.tflite"), "one QUANTIZE", schema.BuiltinOperator.QUANTIZE, [
        tensor("input", [1, 8, 8, 3], schema.TensorType.FLOAT32),
        tensor("output", [1, 8, 8, 3], schema.TensorType.INT8, 0.02, -3),
    ])
    pool = schema.Pool2DOptionsT()
    pool.padding = schema.Padding.VALID
    pool.strideW = pool.strideH = 2
    pool.filterWidth = pool.filterHeight = 2
    write(os.path.join(HERE, "huge-pool.tflite"), "a 68 GB input", schema.BuiltinOperator.MAX_POOL_2D, [
        tensor("input", [1, 16384, 16384, 255], schema.TensorType.INT8, 0.05, 0),
        tensor("output", [1, 8192, 8192, 255], schema.TensorType.INT8, 0.05, 0),
    ], schema.BuiltinOptions.Pool2DOptions, pool)


if __name__ == "__main__":
    main()
