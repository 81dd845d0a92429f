#!/usr/bin/env python3
"""Generate the small models the latency calibration fits its non-conv
kernels on (Scripts/calibrate_latency.py), into SampleModels/latency/.

    pip install tensorflow-cpu            # the versions of SampleModels/README.md
    python3 Scripts/make_latency_models.py

The sample models have PyTorch's and Keras' small ops (a float QUANTIZE of
the input, PAD stored per patch, MEANs over one axis, TRANSPOSE,
LOG_SOFTMAX, float32 kernels) once or twice each in the whole set, so a
model left out of the fit took its only instance with it. These models add
the same ops in other shapes: PAD before and after, on the channels too,
MEANs over one and two axes (with and without keepDims), TRANSPOSEs that
move and keep the channels, LOG_SOFTMAX and SOFTMAX over many rows, TANH
and LOGISTIC, each int8 with float32 input and output (as a PyTorch export
through the converter has) and float32; and a Keras-like model of 3x3 convs
of 16-32 channels on small maps (the conv path ResNet-8 otherwise has alone);
three models of convs on maps of 6-16 pixels a side (tiles-*), so that the
conv kernels' per-call, per-row and per-block loops on tiles of a few pixels
(a patch plan of a small map, with and without halo caches) are measured on
more than one model (tiny-dynbatch had them alone).

Seeded like SampleModels/generate.py, whose building blocks, weight set-up
and conversion this uses: the same package versions give the same bytes.
They carry no reference outputs (`export --verify` checks the firmware
against PatchTop's runtime, which is what the calibration needs).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "SampleModels", "latency")
sys.path.insert(0, os.path.join(ROOT, "SampleModels"))

import generate as g  # noqa: E402  (SampleModels/generate.py)
import tflite_graph  # noqa: E402
from collections import Counter  # noqa: E402

tf, keras, layers = g.tf, g.keras, g.layers


def torch_se(batch_size, seed):
    """24x24x3 PyTorch-like: PAD + VALID convs, squeeze-excite as MEAN [1]
    then [2] with keepDims, TRANSPOSE [0,3,1,2] then one MEAN over [2,3],
    dense, LOG_SOFTMAX."""
    s = g.Seeds(seed)
    inp = keras.Input((24, 24, 3), batch_size=batch_size)
    x = layers.ZeroPadding2D(1)(inp)                                              # PAD
    x = g.conv_bn(x, s, 12, 3, stride=2, padding="valid")                         # 12x12x12
    x = layers.ZeroPadding2D(1)(x)                                                # PAD
    x = g.dw_bn(x, s, 3, padding="valid")                                         # 12x12x12
    se = layers.Lambda(lambda t: tf.reduce_mean(t, axis=1, keepdims=True))(x)     # MEAN [1]
    se = layers.Lambda(lambda t: tf.reduce_mean(t, axis=2, keepdims=True))(se)    # MEAN [2]
    se = layers.Conv2D(12, 1, activation="sigmoid", kernel_initializer=g.he(s()))(se)
    x = layers.Multiply()([x, se])
    x = g.conv_bn(x, s, 24, 1, act="relu")                                        # 12x12x24
    t = layers.Lambda(lambda t: tf.transpose(t, [0, 3, 1, 2]))(x)                  # TRANSPOSE -> [1,24,12,12]
    t = layers.Lambda(lambda t: tf.reduce_mean(t, axis=[2, 3]))(t)                 # MEAN [2,3] -> [1,24]
    t = layers.Dense(6, kernel_initializer=g.he(s()))(t)
    t = layers.Lambda(lambda t: tf.nn.log_softmax(t))(t)                           # LOG_SOFTMAX
    return keras.Model(inp, t)


def torch_rows(batch_size, seed):
    """16x16x3: TANH, an uneven PAD, a TRANSPOSE of rows and columns, a PAD
    of the channels, LOG_SOFTMAX over 81 rows of channels, a MEAN over one
    axis without keepDims, SOFTMAX over 9 rows, dense, LOG_SOFTMAX."""
    s = g.Seeds(seed)
    inp = keras.Input((16, 16, 3), batch_size=batch_size)
    x = layers.Conv2D(8, 3, padding="same", kernel_initializer=g.he(s()))(inp)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("tanh")(x)                                               # TANH
    x = layers.Lambda(lambda t: tf.pad(t, [[0, 0], [2, 1], [1, 2], [0, 0]]))(x)    # PAD -> 19x19x8
    x = g.conv_bn(x, s, 16, 3, stride=2, padding="valid", act="relu")             # 9x9x16
    x = layers.Lambda(lambda t: tf.transpose(t, [0, 2, 1, 3]))(x)                  # TRANSPOSE H<->W
    x = layers.Lambda(lambda t: tf.pad(t, [[0, 0], [0, 0], [0, 0], [0, 4]]))(x)    # PAD channels -> 9x9x20
    x = layers.Lambda(lambda t: tf.nn.log_softmax(t))(x)                           # LOG_SOFTMAX, 81 rows
    x = layers.Lambda(lambda t: tf.reduce_mean(t, axis=1))(x)                      # MEAN [1] -> [1,9,20]
    x = layers.Softmax()(x)                                                        # SOFTMAX, 9 rows
    x = layers.Reshape((180,))(x)
    x = layers.Dense(5, kernel_initializer=g.he(s()))(x)
    x = layers.Lambda(lambda t: tf.nn.log_softmax(t))(x)
    return keras.Model(inp, x)


def keras_convs(batch_size, seed):
    """16x16x3 Keras-like: 3x3 convs of 16, 24 and 32 channels on small
    maps (stride 1 and 2, a residual ADD), global average pool, dense,
    softmax; int8 input and output."""
    s = g.Seeds(seed)
    inp = keras.Input((16, 16, 3), batch_size=batch_size)
    x = g.conv_bn(inp, s, 16, 3)                                                  # 16x16x16
    x = g.conv_bn(x, s, 24, 3)                                                    # 16x16x24
    x = g.conv_bn(x, s, 32, 3, stride=2)                                          # 8x8x32
    y = g.conv_bn(x, s, 32, 3, act=None)
    x = layers.ReLU()(layers.Add()([x, y]))
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(10, kernel_initializer=g.he(s()))(x)
    x = layers.Softmax()(x)
    return keras.Model(inp, x)


def tiles_a(batch_size, seed):
    """12x12x3 with int8 I/O, convs on small maps for tiles of a few
    pixels: a 3x3 first conv (im2col), 1x1 convs of 8->10 and 10->9
    channels (the paired path; an odd last channel, inputs not in fours),
    a strided depthwise of 10 channels (not in groups of four), a
    3x3 conv of 9 input channels (a filter row of 27 bytes, not whole
    words) and a 5x5 conv on a 6x6 map (most windows cross the edge)."""
    s = g.Seeds(seed)
    inp = keras.Input((12, 12, 3), batch_size=batch_size)
    x = g.conv_bn(inp, s, 8, 3)                                                   # 12x12x8, im2col
    x = g.conv_bn(x, s, 10, 1)                                                    # 1x1 paired
    x = g.dw_bn(x, s, 3, stride=2)                                                # 6x6x10, channels not in fours
    x = g.conv_bn(x, s, 9, 1, act="relu")                                         # 1x1, odd channels
    x = g.conv_bn(x, s, 12, 3)                                                    # 3x3 of 9 channels
    x = g.conv_bn(x, s, 8, 5, act=None)                                           # 5x5 on 6x6
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(4, kernel_initializer=g.he(s()))(x)
    return keras.Model(inp, x)


def tiles_b(batch_size, seed):
    """24x24x1 with float32 I/O (a streamed input is quantized as it is
    loaded): a 3x3 first conv of one channel (im2col), a strided 3x3 conv
    of 8 channels, a 5x5 depthwise on 12x12, 1x1 convs of 16->9 and a
    strided 3x3 conv of 9 channels, a 2x2 max pool."""
    s = g.Seeds(seed)
    inp = keras.Input((24, 24, 1), batch_size=batch_size)
    x = g.conv_bn(inp, s, 8, 3)                                                   # 24x24x8, im2col
    x = g.conv_bn(x, s, 16, 3, stride=2)                                          # 12x12x16, 3x3 paired
    x = g.dw_bn(x, s, 5)                                                          # 5x5 depthwise
    x = g.conv_bn(x, s, 9, 1)                                                     # 1x1, odd channels
    x = g.conv_bn(x, s, 8, 3, stride=2, act="relu")                               # 6x6x8, 3x3 of 9 channels
    x = layers.MaxPooling2D(2)(x)                                                 # 3x3x8
    x = layers.Flatten()(x)
    x = layers.Dense(3, kernel_initializer=g.he(s()))(x)
    return keras.Model(inp, x)


def tiles_c(batch_size, seed):
    """16x16x3 with int8 I/O: a 5x5 strided first conv too large for
    im2col (the paired KxK path on 3 channels), a 1x1 conv, 3x3
    convs of 16 and 24 channels with a residual ADD, a 3x3 depthwise of
    depth multiplier 2, a strided 1x1 conv at the end."""
    s = g.Seeds(seed)
    inp = keras.Input((16, 16, 3), batch_size=batch_size)
    x = g.conv_bn(inp, s, 12, 5, stride=2)                                        # 8x8x12, KxK on 3 channels
    x = g.conv_bn(x, s, 16, 1)                                                    # 1x1
    y = g.conv_bn(x, s, 24, 3)                                                    # 3x3 of 16 channels
    y = g.conv_bn(y, s, 16, 3, act=None)                                          # 3x3 of 24 channels
    x = layers.Add()([x, y])
    x = g.dw_bn(x, s, 3, mult=2)                                                  # 3x3 depthwise, multiplier 2
    x = g.conv_bn(x, s, 20, 1, stride=2)                                          # strided 1x1: 4x4x20
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(5, kernel_initializer=g.he(s()))(x)
    return keras.Model(inp, x)


MODELS = {
    # name: (builder, float_io ("float32": no quantization), seed, ops it must have)
    "torch-se-r24": (torch_se, True, 101, {"QUANTIZE", "PAD", "MEAN", "TRANSPOSE", "LOG_SOFTMAX", "DEQUANTIZE"}),
    "torch-rows-r16": (torch_rows, True, 102, {"QUANTIZE", "TANH", "PAD", "TRANSPOSE", "LOG_SOFTMAX", "MEAN", "SOFTMAX"}),
    "torch-se-r24-f32": (torch_se, "float32", 103, {"PAD", "MEAN", "TRANSPOSE", "LOG_SOFTMAX"}),
    "torch-rows-r16-f32": (torch_rows, "float32", 104, {"TANH", "PAD", "TRANSPOSE", "LOG_SOFTMAX", "MEAN", "SOFTMAX"}),
    "keras-convs-r16": (keras_convs, False, 105, {"CONV_2D", "ADD", "MEAN", "FULLY_CONNECTED", "SOFTMAX"}),
    # Convs on small maps, for tiles of a few pixels (the per-call, per-row
    # and per-block loops of every conv path, with and without halo caches).
    "tiles-a-r12": (tiles_a, False, 106, {"CONV_2D", "DEPTHWISE_CONV_2D", "MEAN", "FULLY_CONNECTED"}),
    "tiles-b-r24": (tiles_b, True, 107, {"QUANTIZE", "CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "FULLY_CONNECTED", "DEQUANTIZE"}),
    "tiles-c-r16": (tiles_c, False, 108, {"CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "MEAN", "FULLY_CONNECTED"}),
}


def main(argv):
    names = argv or list(MODELS)
    os.makedirs(OUT, exist_ok=True)
    for name in names:
        builder, float_io, seed, required = MODELS[name]
        g.MODELS[name] = (builder, float_io, name)
        model = g.build(name, seed)
        data = g.convert(model, float_io, seed)
        hist = Counter(tflite_graph.analyze(data)["ops"])
        print(f"{name}: {len(data):,} bytes; " + ", ".join(f"{k} x{v}" for k, v in sorted(hist.items())))
        if set(hist) - g.ALLOWED_OPS:
            raise SystemExit(f"{name}: ops outside the supported list: {sorted(set(hist) - g.ALLOWED_OPS)}")
        if required - set(hist):
            raise SystemExit(f"{name}: expected ops missing: {sorted(required - set(hist))}")
        with open(os.path.join(OUT, f"{name}.tflite"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1:])
