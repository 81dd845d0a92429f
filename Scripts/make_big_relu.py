"""Writes a one-op int8 RELU model with a large activation arena, to measure
the memory `patchtop run` needs against the arena (BENCHMARKS.md, issue 12).

    python3 Scripts/make_big_relu.py OUT.tflite HEIGHT WIDTH CHANNELS

The arena is 2 × HEIGHT × WIDTH × CHANNELS bytes (input and output live
together); weights are none. Built with TFLite's own flatbuffer schema.
"""
import sys

import flatbuffers
from tensorflow.lite.python import schema_py_generated as schema


def main(out, height, width, channels):
    model = schema.ModelT()
    model.version = 3
    model.description = "big relu"
    model.buffers = [schema.BufferT()]
    code = schema.OperatorCodeT()
    code.builtinCode = schema.BuiltinOperator.RELU
    code.deprecatedBuiltinCode = schema.BuiltinOperator.RELU
    code.version = 1
    model.operatorCodes = [code]
    tensors = []
    for i, name in enumerate(["input", "output"]):
        t = schema.TensorT()
        t.name = name
        t.shape = [1, height, width, channels]
        t.type = schema.TensorType.INT8
        t.buffer = 0
        q = schema.QuantizationParametersT()
        q.scale = [0.05]
        q.zeroPoint = [-3]
        t.quantization = q
        tensors.append(t)
    op = schema.OperatorT()
    op.opcodeIndex = 0
    op.inputs = [0]
    op.outputs = [1]
    sub = schema.SubGraphT()
    sub.tensors = tensors
    sub.operators = [op]
    sub.inputs = [0]
    sub.outputs = [1]
    model.subgraphs = [sub]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    with open(out, "wb") as f:
        f.write(builder.Output())


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
