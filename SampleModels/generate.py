#!/usr/bin/env python3
"""Generate PatchTop's sample TFLite models and their reference outputs.

    pip install tensorflow-cpu ai-edge-litert tflite-micro
    python3 SampleModels/generate.py            # all models
    python3 SampleModels/generate.py tiny-allops mbv3s-r96   # a subset
    python3 SampleModels/generate.py --references-only [names]  # keep the
        .tflite files, recompute their reference outputs with TFLite Micro

Everything is seeded; nothing is downloaded (Keras applications use
weights=None). For each model this writes SampleModels/<name>.tflite,
SampleModels/<name>/in_s{0,1,2}.bin and out_s{0,1,2}.bin (out_sN_oK.bin for
output K of a model with several), and updates SampleModels/manifest.json.

The committed outputs are TFLite Micro's (pip tflite-micro, the interpreter
that runs on the device). LiteRT's BUILTIN_REF kernels run beside it; where
the two disagree, the manifest records it under "disagreements" (per seed
and output: how many values differ and by how much).
The script fails loudly if a model contains an op outside ALLOWED_OPS.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # deterministic float math

import json
from collections import Counter

import numpy as np
import tensorflow as tf
import keras
from keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tflite_graph  # noqa: E402

BASE_OPS = {
    "CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D",
    "FULLY_CONNECTED", "ADD", "MUL", "MEAN", "RESHAPE", "SOFTMAX", "PAD",
    "CONCATENATION", "HARD_SWISH", "QUANTIZE", "DEQUANTIZE", "LOGISTIC",
    "RELU", "RELU6",
}
# Ops added later; tiny-moreops has each of them (tiny-allops predates them).
MORE_OPS = {
    "LEAKY_RELU", "TANH", "SUB", "MAXIMUM", "MINIMUM", "RESIZE_NEAREST_NEIGHBOR",
}
# What PyTorch exports, dynamic-batch Keras exports and float models add.
REAL_MODEL_OPS = {
    "TRANSPOSE", "LOG_SOFTMAX", "SHAPE", "STRIDED_SLICE", "PACK",
}
ALLOWED_OPS = BASE_OPS | MORE_OPS | REAL_MODEL_OPS

PERSON_DETECT = "/work/shared/models/person_detect.tflite"

tf.config.experimental.enable_op_determinism()


def he(seed):
    return keras.initializers.HeNormal(seed=seed)


class Seeds:
    """Hands out distinct, reproducible initializer seeds."""

    def __init__(self, base):
        self.n = base * 10000

    def __call__(self):
        self.n += 1
        return self.n


# --------------------------------------------------------------------------
# Building blocks (BatchNorm after convs; the converter folds it into the conv)
# --------------------------------------------------------------------------

def conv_bn(x, s, filters, k, stride=1, act="relu6", padding="same", dilation=1):
    x = layers.Conv2D(filters, k, strides=stride, padding=padding,
                      dilation_rate=dilation, use_bias=True,
                      kernel_initializer=he(s()))(x)
    x = layers.BatchNormalization()(x)
    return activation(x, act)


def dw_bn(x, s, k, stride=1, act="relu6", mult=1, padding="same"):
    x = layers.DepthwiseConv2D(k, strides=stride, padding=padding,
                               depth_multiplier=mult, use_bias=True,
                               depthwise_initializer=he(s()))(x)
    x = layers.BatchNormalization()(x)
    return activation(x, act)


def hard_sigmoid(x):
    # Same formulation as keras.applications.MobileNetV3; the TFLite
    # converter turns x * hard_sigmoid(x) into HARD_SWISH.
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def activation(x, act):
    if act is None:
        return x
    if act == "relu6":
        return layers.ReLU(6.0)(x)
    if act == "relu":
        return layers.ReLU()(x)
    if act == "hswish":
        return layers.Activation("hard_swish")(x)
    raise ValueError(act)


def make_divisible(v, divisor=8, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def inverted_residual(x, s, expansion, filters, k, stride):
    cin = x.shape[-1]
    inp = x
    if expansion != 1:
        x = conv_bn(x, s, cin * expansion, 1)
    x = dw_bn(x, s, k, stride)
    x = conv_bn(x, s, filters, 1, act=None)
    if stride == 1 and cin == filters:
        x = layers.Add()([inp, x])
    return x


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------

def mobilenet_v2(alpha, res, classes, batch_size, seed):
    """MobileNetV2 as in keras.applications (same widths and blocks), but with
    'same'-padded stride-2 convs (as in TF-slim / the official TFLite models)
    instead of ZeroPadding2D + 'valid', so there are no PAD ops."""
    s = Seeds(seed)
    inp = keras.Input((res, res, 3), batch_size=batch_size)
    x = conv_bn(inp, s, make_divisible(32 * alpha), 3, stride=2)
    settings = [  # t, c, n, s
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
        (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ]
    for t, c, n, st in settings:
        out = make_divisible(int(c * alpha))
        for i in range(n):
            x = inverted_residual(x, s, t, out, 3, st if i == 0 else 1)
    last = make_divisible(1280 * alpha) if alpha > 1.0 else 1280
    x = conv_bn(x, s, last, 1)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(classes, kernel_initializer=he(s()))(x)
    return keras.Model(inp, x)


def mcunet_kmix(batch_size, seed, res=112, classes=100):
    """MCUNet-style inverted-residual net with mixed 3/5/7 depthwise kernels
    and expansion ratios 3/4/6."""
    s = Seeds(seed)
    inp = keras.Input((res, res, 3), batch_size=batch_size)
    x = conv_bn(inp, s, 16, 3, stride=2)                    # 56
    x = dw_bn(x, s, 3)
    x = conv_bn(x, s, 8, 1, act=None)
    blocks = [  # expansion, out channels, kernel, stride
        (3, 16, 7, 2), (4, 16, 3, 1),                       # 28
        (6, 24, 5, 2), (3, 24, 7, 1), (4, 24, 3, 1),        # 14
        (6, 40, 5, 2), (4, 40, 3, 1), (3, 40, 7, 1),        # 7
        (6, 48, 5, 1), (4, 48, 3, 1),                       # 7
        (6, 96, 7, 2), (3, 96, 5, 1), (6, 96, 3, 1),        # 4
    ]
    for e, c, k, st in blocks:
        x = inverted_residual(x, s, e, c, k, st)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(classes, kernel_initializer=he(s()))(x)
    return keras.Model(inp, x)


def mobilenet_v1_vww(batch_size, seed, alpha=0.25, res=96):
    """Visual-Wake-Words-sized MobileNetV1 (like person_detect): grayscale
    input, avg pool, 1x1 conv classifier, reshape, softmax."""
    s = Seeds(seed)
    inp = keras.Input((res, res, 1), batch_size=batch_size)
    x = conv_bn(inp, s, int(32 * alpha), 3, stride=2)
    cfg = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
           (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]
    for c, st in cfg:
        x = dw_bn(x, s, 3, st)
        x = conv_bn(x, s, int(c * alpha), 1)
    x = layers.AveragePooling2D(pool_size=x.shape[1])(x)
    x = layers.Conv2D(2, 1, use_bias=True, kernel_initializer=he(s()))(x)
    x = layers.Reshape((2,))(x)
    x = layers.Softmax()(x)
    return keras.Model(inp, x)


def mobilenet_v3_small(batch_size, seed, res=96, classes=10):
    keras.utils.set_random_seed(seed)
    inp = keras.Input((res, res, 3), batch_size=batch_size)
    return keras.applications.MobileNetV3Small(
        input_tensor=inp, weights=None, classes=classes,
        include_preprocessing=False, classifier_activation=None,
        dropout_rate=0.0)


def tiny_allops(batch_size, seed):
    """A small model with every op PatchTop supports at least once."""
    s = Seeds(seed)
    inp = keras.Input((32, 32, 3), batch_size=batch_size)
    x = conv_bn(inp, s, 8, 3, stride=2, act="relu6")             # CONV_2D SAME s2, even size -> 16x16
    x = dw_bn(x, s, 3, act="relu", mult=2)                       # DEPTHWISE mult 2 -> 16 ch
    x = layers.ZeroPadding2D(((1, 2), (2, 1)))(x)                # PAD (asymmetric) -> 19x19
    x = conv_bn(x, s, 12, 3, padding="valid", act="relu6")       # CONV_2D VALID -> 17x17
    a = conv_bn(x, s, 8, 3, dilation=2, act=None)                # CONV_2D dilated
    a = layers.Activation("hard_swish")(a)                       # HARD_SWISH
    b = layers.MaxPooling2D(2, strides=1, padding="same")(x)     # MAX_POOL_2D
    x = layers.Concatenate()([a, b])                             # CONCATENATION -> 20 ch
    x = layers.ReLU()(x)                                         # standalone RELU
    x = layers.AveragePooling2D(2)(x)                            # AVERAGE_POOL_2D -> 8x8
    y = conv_bn(x, s, 20, 1, act=None)
    x = layers.Add()([x, y])                                     # ADD
    se = layers.GlobalAveragePooling2D()(x)                      # MEAN -> [1, 20]
    se = layers.ReLU(6.0)(se)                                    # standalone RELU6 (MEAN has no fused act)
    se = layers.Reshape((1, 1, 20))(se)                          # RESHAPE
    se = layers.Conv2D(8, 1, activation="relu", kernel_initializer=he(s()))(se)
    se = layers.Conv2D(20, 1, activation="sigmoid", kernel_initializer=he(s()))(se)  # LOGISTIC
    x = layers.Multiply()([x, se])                               # MUL
    x = layers.GlobalAveragePooling2D()(x)                       # MEAN
    x = layers.Dense(10, kernel_initializer=he(s()))(x)          # FULLY_CONNECTED
    x = layers.Softmax()(x)                                      # SOFTMAX
    return keras.Model(inp, x)


def tiny_moreops(batch_size, seed):
    """A small model with LEAKY_RELU, TANH, SUB, MAXIMUM, MINIMUM and
    RESIZE_NEAREST_NEIGHBOR (both option variants). Keras 3's
    UpSampling2D(interpolation="nearest") converts to RESHAPE + TILE, so the
    resizes come from Resizing (tf.image.resize: half_pixel_centers) and
    tf.compat.v1's resize_nearest_neighbor (align_corners)."""
    s = Seeds(seed)
    inp = keras.Input((24, 24, 3), batch_size=batch_size)
    x = conv_bn(inp, s, 8, 3, stride=2, act=None)               # 12x12x8
    x = layers.LeakyReLU(negative_slope=0.2)(x)                  # LEAKY_RELU
    a = conv_bn(x, s, 8, 3, act=None)
    a = layers.Activation("tanh")(a)                             # TANH
    b = conv_bn(x, s, 8, 1, act=None)
    d = layers.Subtract()([a, b])                                # SUB
    m = layers.Maximum()([d, x])                                 # MAXIMUM
    n = layers.Minimum()([m, b])                                 # MINIMUM
    y = conv_bn(n, s, 8, 3, stride=2, act="relu")                # 6x6
    u = layers.Resizing(12, 12, interpolation="nearest")(y)      # RESIZE_NEAREST (half pixel) -> 12x12
    z = layers.Add()([u, n])
    se = layers.GlobalAveragePooling2D(keepdims=True)(z)         # MEAN -> [1, 1, 1, 8]
    z = layers.Lambda(lambda t: tf.compat.v1.image.resize_nearest_neighbor(
        t, (9, 9), align_corners=True))(z)                       # RESIZE_NEAREST (align corners) -> 9x9
    z = layers.Subtract()([z, se])                               # SUB, broadcast
    z = conv_bn(z, s, 12, 3, stride=2, act="relu6")              # 5x5
    z = layers.GlobalAveragePooling2D()(z)
    z = layers.Dense(10, kernel_initializer=he(s()))(z)          # FULLY_CONNECTED
    return keras.Model(inp, z)


def tiny_float_io(batch_size, seed):
    s = Seeds(seed)
    inp = keras.Input((16, 16, 3), batch_size=batch_size)
    x = conv_bn(inp, s, 8, 3, stride=2)
    x = dw_bn(x, s, 3)
    x = conv_bn(x, s, 16, 1)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(4, kernel_initializer=he(s()))(x)
    return keras.Model(inp, x)


def tiny_dynbatch(batch_size, seed):
    """A small classifier whose flatten needs the batch size: converted
    without a fixed batch (the converter's default for Keras models), the
    RESHAPE's target shape is computed at run time by SHAPE, STRIDED_SLICE
    and PACK."""
    s = Seeds(seed)
    inp = keras.Input((16, 16, 3), batch_size=batch_size)
    x = conv_bn(inp, s, 8, 3, stride=2)                          # 8x8x8
    x = dw_bn(x, s, 3)
    x = conv_bn(x, s, 8, 1)
    x = layers.MaxPooling2D(2)(x)                                # 4x4x8
    x = layers.Flatten()(x)                                      # SHAPE/STRIDED_SLICE/PACK + RESHAPE
    x = layers.Dense(10, kernel_initializer=he(s()))(x)
    x = layers.Softmax()(x)
    return keras.Model(inp, x)


def mobilenet_v2_mini(batch_size, seed):
    """A small MobileNetV2 (width 0.35, 32x32, the first four stages) with a
    10-class softmax head: converted to float32 it is the float MobileNet."""
    s = Seeds(seed)
    inp = keras.Input((32, 32, 3), batch_size=batch_size)
    x = conv_bn(inp, s, 16, 3, stride=2)                         # 16x16
    for t, c, n, st in [(1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 2, 2), (6, 24, 2, 1)]:
        for i in range(n):
            x = inverted_residual(x, s, t, c, 3, st if i == 0 else 1)
    x = conv_bn(x, s, 64, 1)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(10, kernel_initializer=he(s()))(x)
    x = layers.Softmax()(x)
    return keras.Model(inp, x)


def pytorch_style(batch_size, seed):
    """What a PyTorch export looks like (MIT's MCUNet models): explicit PAD
    before VALID convs, a squeeze-excite block written as MEAN over one axis
    at a time with keepDims, a head of TRANSPOSE [0,3,1,2] then MEAN over
    [3] and [2] without keepDims, LOG_SOFTMAX; float32 input and output."""
    s = Seeds(seed)
    inp = keras.Input((20, 20, 3), batch_size=batch_size)
    x = layers.ZeroPadding2D(1)(inp)                             # PAD
    x = conv_bn(x, s, 8, 3, stride=2, padding="valid")           # 10x10, VALID
    x = layers.ZeroPadding2D(1)(x)                               # PAD
    x = dw_bn(x, s, 3, padding="valid")                          # 10x10
    se = layers.Lambda(lambda t: tf.reduce_mean(t, axis=2, keepdims=True))(x)   # MEAN [2]
    se = layers.Lambda(lambda t: tf.reduce_mean(t, axis=1, keepdims=True))(se)  # MEAN [1]
    se = layers.Conv2D(8, 1, activation="sigmoid", kernel_initializer=he(s()))(se)
    x = layers.Multiply()([x, se])
    x = conv_bn(x, s, 16, 1, act="relu")
    t = layers.Lambda(lambda t: tf.transpose(t, [0, 3, 1, 2]))(x)  # TRANSPOSE -> [1,16,10,10]
    t = layers.Lambda(lambda t: tf.reduce_mean(t, axis=3))(t)      # MEAN [3] -> [1,16,10]
    t = layers.Lambda(lambda t: tf.reduce_mean(t, axis=2))(t)      # MEAN [2] -> [1,16]
    t = layers.Dense(10, kernel_initializer=he(s()))(t)
    t = layers.Lambda(lambda t: tf.nn.log_softmax(t))(t)           # LOG_SOFTMAX
    return keras.Model(inp, t)


def resnet8(batch_size, seed):
    """MLPerf Tiny's image-classification ResNet-8 (EEMBC ResNetV1 for
    CIFAR-10): a 3x3 conv of 16, three residual stacks of two 3x3 convs
    (16, 32, 64 channels; stride 2 and an unnormalized 1x1 projection
    shortcut at the second and third), ReLU after each ADD, an average pool
    over the whole 8x8 map, dense 10 with softmax."""
    s = Seeds(seed)
    inp = keras.Input((32, 32, 3), batch_size=batch_size)
    x = conv_bn(inp, s, 16, 3, act="relu")                       # 32x32x16
    for filters, stride in [(16, 1), (32, 2), (64, 2)]:
        y = conv_bn(x, s, filters, 3, stride=stride, act="relu")
        y = conv_bn(y, s, filters, 3, act=None)
        if stride != 1:
            x = layers.Conv2D(filters, 1, strides=stride, padding="same",
                              use_bias=True, kernel_initializer=he(s()))(x)  # projection
        x = layers.Add()([x, y])
        x = layers.ReLU()(x)                                     # fused into the ADD
    x = layers.AveragePooling2D(pool_size=x.shape[1])(x)         # 8x8 -> 1x1
    x = layers.Flatten()(x)                                      # folded into the FC by the converter
    x = layers.Dense(10, kernel_initializer=he(s()))(x)
    x = layers.Softmax()(x)
    return keras.Model(inp, x)


def ds_cnn(batch_size, seed):
    """MLPerf Tiny's keyword-spotting DS-CNN: 49x10 MFCC input, a 10x4
    stride-2 SAME conv of 64 (-> 25x5), four depthwise-separable blocks
    (depthwise 3x3 + pointwise 64, BN + ReLU after each), an average pool of
    (24, 5) as in the reference (input size // 2, so VALID on 25x5 gives
    1x1), dense 12 with softmax. Dropout is omitted (inference only)."""
    s = Seeds(seed)
    inp = keras.Input((49, 10, 1), batch_size=batch_size)
    x = conv_bn(inp, s, 64, (10, 4), stride=2, act="relu")      # 25x5x64
    for _ in range(4):
        x = dw_bn(x, s, 3, act="relu")
        x = conv_bn(x, s, 64, 1, act="relu")
    x = layers.AveragePooling2D(pool_size=(49 // 2, 10 // 2))(x)  # (24, 5) -> 1x1
    x = layers.Flatten()(x)                                      # folded into the FC by the converter
    x = layers.Dense(12, kernel_initializer=he(s()))(x)
    x = layers.Softmax()(x)
    return keras.Model(inp, x)


MODELS = {
    # name: (builder(batch_size, seed), float_io, description)
    "mbv2-w0.35-r144": (lambda b, sd: mobilenet_v2(0.35, 144, 1000, b, sd), False,
                        "MobileNetV2 width 0.35, 144x144x3, 1000 classes, no softmax"),
    "mbv2-w1.0-r224": (lambda b, sd: mobilenet_v2(1.0, 224, 1000, b, sd), False,
                       "MobileNetV2 width 1.0, 224x224x3, 1000 classes, no softmax"),
    "mcunet-kmix-r112": (mcunet_kmix, False,
                         "MCUNet-style inverted residuals, 112x112x3, dw kernels 3/5/7, "
                         "expansion 3/4/6, GAP + dense, 100 classes, no softmax"),
    "mbv1-w0.25-r96-g": (mobilenet_v1_vww, False,
                         "VWW-sized MobileNetV1 width 0.25, 96x96x1 grayscale, avg pool, "
                         "1x1 conv, reshape, 2 classes with softmax (like person_detect)"),
    "mbv3s-r96": (mobilenet_v3_small, False,
                  "keras.applications MobileNetV3-Small, 96x96x3, hard-swish, "
                  "squeeze-excite, 10 classes, no softmax"),
    "tiny-allops": (tiny_allops, False,
                    "32x32x3 toy model containing every supported int8 op"),
    "tiny-float-io": (tiny_float_io, True,
                      "16x16x3 toy model with float32 input/output (QUANTIZE ... DEQUANTIZE)"),
    "tiny-moreops": (tiny_moreops, False,
                     "24x24x3 toy model with LEAKY_RELU, TANH, SUB, MAXIMUM, MINIMUM and "
                     "RESIZE_NEAREST_NEIGHBOR (half-pixel and align-corners)"),
    "tiny-dynbatch": (tiny_dynbatch, False,
                      "16x16x3 classifier converted without a fixed batch size: SHAPE, "
                      "STRIDED_SLICE and PACK compute the flatten's RESHAPE target"),
    "pytorch-style": (pytorch_style, True,
                      "20x20x3 model shaped like a PyTorch export: explicit PAD + VALID convs, "
                      "single-axis MEANs (keepDims true and false), TRANSPOSE, LOG_SOFTMAX, "
                      "float32 input and output"),
    "mbv2-mini-f32": (mobilenet_v2_mini, "float32",
                      "float32 MobileNetV2 width 0.35, 32x32x3, four stages, 10 classes with softmax"),
    "tiny-allops-f32": (tiny_allops, "float32", "tiny-allops converted to float32 (no quantization)"),
    "tiny-moreops-f32": (tiny_moreops, "float32", "tiny-moreops converted to float32 (no quantization)"),
    "pytorch-style-f32": (pytorch_style, "float32", "pytorch-style converted to float32 (no quantization)"),
    "resnet8-r32": (resnet8, False,
                    "MLPerf Tiny image-classification ResNet-8, 32x32x3: conv 16, three residual "
                    "stacks of 3x3 convs (16, 32, 64; stride 2 + 1x1 projection at 32 and 64), "
                    "avg pool, dense 10 with softmax"),
    "dscnn-kws": (ds_cnn, False,
                  "MLPerf Tiny keyword-spotting DS-CNN, 49x10x1: conv 64 10x4 stride 2, four "
                  "depthwise-separable blocks (dw 3x3 + pw 64), avg pool, dense 12 with softmax"),
}

# Models converted without a fixed batch size (batch_size=None).
DYNAMIC_BATCH = {"tiny-dynbatch"}

# Ops each model must contain (beyond "all ops allowed").
REQUIRED_OPS = {
    "mbv3s-r96": {"HARD_SWISH", "MEAN", "MUL"},
    "tiny-allops": BASE_OPS - {"QUANTIZE", "DEQUANTIZE"},
    "tiny-moreops": MORE_OPS,
    "tiny-float-io": {"QUANTIZE", "DEQUANTIZE"},
    "tiny-dynbatch": {"SHAPE", "STRIDED_SLICE", "PACK", "RESHAPE"},
    "pytorch-style": {"PAD", "MEAN", "TRANSPOSE", "LOG_SOFTMAX", "QUANTIZE", "DEQUANTIZE"},
    "pytorch-style-f32": {"PAD", "MEAN", "TRANSPOSE", "LOG_SOFTMAX"},
    "tiny-allops-f32": BASE_OPS - {"QUANTIZE", "DEQUANTIZE"},
    "resnet8-r32": {"CONV_2D", "ADD", "AVERAGE_POOL_2D", "FULLY_CONNECTED", "SOFTMAX"},
    "dscnn-kws": {"CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "FULLY_CONNECTED", "SOFTMAX"},
}


# --------------------------------------------------------------------------
# Weight set-up: random biases, BatchNorm statistics from calibration images
# --------------------------------------------------------------------------

def calibration_images(shape, seed, count):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(count,) + tuple(shape[1:])).astype(np.float32)


def prepare_weights(model, seed):
    rng = np.random.default_rng(seed + 777)
    bns = []
    for layer in model.layers:
        if isinstance(layer, (layers.Conv2D, layers.DepthwiseConv2D, layers.Dense)):
            if layer.use_bias:
                b = layer.bias
                b.assign(rng.normal(0.0, 0.1, size=b.shape).astype(np.float32))
        if isinstance(layer, layers.BatchNormalization):
            bns.append(layer)
            c = layer.gamma.shape[0]
            layer.gamma.assign(rng.uniform(0.6, 1.4, size=c).astype(np.float32))
            layer.beta.assign(rng.normal(0.3, 0.5, size=c).astype(np.float32))
    if bns:
        # In training mode every BN normalises with its batch statistics; one
        # pass therefore yields the inputs every BN will see at inference once
        # its moving statistics are set to those same batch statistics.
        probe = keras.Model(model.inputs, [bn.input for bn in bns])
        x = calibration_images(model.inputs[0].shape, seed + 1, 16)
        outs = probe(x, training=True)
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        for bn, o in zip(bns, outs):
            o = np.asarray(o, dtype=np.float64)
            axes = tuple(range(o.ndim - 1))
            bn.moving_mean.assign(o.mean(axis=axes).astype(np.float32))
            bn.moving_variance.assign(o.var(axis=axes).astype(np.float32))


def build(name, seed):
    builder = MODELS[name][0]
    # clear_session resets Keras' layer-name counters: tensor names end up in
    # the .tflite, so without it the bytes depend on what was built before.
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    calib = builder(None, seed)          # any batch size, for BN calibration
    prepare_weights(calib, seed)
    weights = calib.get_weights()
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    batch = None if name in DYNAMIC_BATCH else 1
    model = builder(batch, seed)         # batch-1 graph for the converter
    model.set_weights(weights)
    return model


def convert(model, float_io, seed):
    shape = model.inputs[0].shape

    def rep():
        imgs = calibration_images(shape, seed + 2, 64)
        for i in range(len(imgs)):
            yield [imgs[i:i + 1]]

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    if float_io == "float32":
        return conv.convert()            # a float32 model: no quantization
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = rep
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if float_io:
        conv.inference_input_type = tf.float32
        conv.inference_output_type = tf.float32
    else:
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    return conv.convert()


# --------------------------------------------------------------------------
# Reference outputs and manifest
# --------------------------------------------------------------------------

def ref_interpreter(path):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_path=path, num_threads=1,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    return it


def reference_input(detail, seed):
    shape = tuple(int(d) for d in detail["shape"])
    rng = np.random.default_rng(seed)
    if detail["dtype"] == np.float32:
        return rng.uniform(-1, 1, size=shape).astype(np.float32)
    return rng.integers(-128, 128, size=shape, dtype=np.int8)


def io_entry(d):
    scale, zp = d["quantization"]
    return {
        "tensor": int(d["index"]),
        "shape": [int(x) for x in d["shape"]],
        "dtype": np.dtype(d["dtype"]).name,
        "scale": float(scale),
        "zeroPoint": int(zp),
    }


def tflm_outputs(path, x, count):
    """TFLite Micro's outputs for input x (a fresh interpreter per run)."""
    from tflite_micro import runtime
    it = runtime.Interpreter.from_file(path)
    it.set_input(x, 0)
    it.invoke()
    return [np.array(it.get_output(k)).copy() for k in range(count)]


def disagreement(seed, k, micro, ref):
    """How LiteRT's BUILTIN_REF output differs from TFLite Micro's."""
    a = micro.astype(np.float64).reshape(-1)
    b = ref.astype(np.float64).reshape(-1)
    return {"seed": seed, "output": k, "values": int(a.size),
            "differing": int(np.sum(a != b)), "maxAbsDiff": float(np.max(np.abs(a - b))) if a.size else 0.0}


def write_reference(name, path):
    it = ref_interpreter(path)
    din = it.get_input_details()[0]
    douts = it.get_output_details()
    outdir = os.path.join(HERE, name)
    os.makedirs(outdir, exist_ok=True)
    outs = []
    disagreements = []
    for s in range(3):
        x = reference_input(din, s)
        it.set_tensor(din["index"], x)
        it.invoke()
        refs = [it.get_tensor(d["index"]).copy() for d in douts]
        micro = tflm_outputs(path, x, len(douts))
        x.tofile(os.path.join(outdir, f"in_s{s}.bin"))
        for k, (m, r) in enumerate(zip(micro, refs)):
            if m.shape != r.shape or m.dtype != r.dtype:
                raise SystemExit(f"{name}: TFLite Micro output {k} is {m.dtype}{m.shape}, LiteRT's {r.dtype}{r.shape}")
            suffix = "" if len(douts) == 1 else f"_o{k}"
            m.tofile(os.path.join(outdir, f"out_s{s}{suffix}.bin"))
            if not np.array_equal(m.view(np.uint8), r.view(np.uint8)):
                disagreements.append(disagreement(s, k, m, r))
        outs.append(micro[0])
    # Re-run seed 0 on a fresh interpreter: reference kernels are deterministic.
    if not all(np.array_equal(a, b) for a, b in zip(tflm_outputs(path, reference_input(din, 0), len(douts)),
                                                    [np.fromfile(os.path.join(outdir, f"out_s0{'' if len(douts) == 1 else f'_o{k}'}.bin"),
                                                                 dtype=d["dtype"]).reshape(d["shape"])
                                                     for k, d in enumerate(douts)])):
        raise SystemExit(f"{name}: reference output not reproducible")
    flat = np.stack([o.reshape(-1) for o in outs])
    uniq = len(np.unique(flat[0]))
    differ = int(np.sum(flat[0] != flat[1]))
    print(f"  outputs: {flat.shape[1]} values, seed0 distinct={uniq}, "
          f"min={flat.min()}, max={flat.max()}, seed0!=seed1 at {differ} positions")
    for d in disagreements:
        print(f"  TFLite Micro and LiteRT BUILTIN_REF disagree: seed {d['seed']} output {d['output']}: "
              f"{d['differing']} of {d['values']} values, max |diff| {d['maxAbsDiff']}")
    if flat.shape[1] > 1 and uniq < 2:
        raise SystemExit(f"{name}: output is constant")
    return io_entry(din), [io_entry(d) for d in douts], disagreements


def check_person_detect():
    if not os.path.exists(PERSON_DETECT):
        print("person_detect check: skipped (file absent)")
        return
    r = tflite_graph.analyze(PERSON_DETECT)
    print(f"person_detect check: peak {r['peakBytes']:,} bytes at op {r['peakOp']}, "
          f"{r['macs']:,} MACs, {len(r['ops'])} ops")
    if (r["peakBytes"], r["peakOp"], r["macs"]) != (55296, 2, 7157888):
        raise SystemExit("person_detect liveness/MAC check FAILED")
    # The full interpreter refuses person_detect (bias quantized_dimension=3);
    # reset it in memory and check the reference kernels reproduce TFLM's bytes.
    try:
        from ai_edge_litert.interpreter import Interpreter, OpResolverType
        data = tflite_graph.strip_bias_quantized_dimension(PERSON_DETECT)
        it = Interpreter(model_content=data, num_threads=1,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
        it.allocate_tensors()
    except Exception as e:  # pragma: no cover
        print(f"person_detect reference check: skipped ({str(e)[:80]})")
        return
    d = it.get_input_details()[0]
    o = it.get_output_details()[0]
    base = os.path.join(os.path.dirname(PERSON_DETECT), "person_detect")
    for s in range(3):
        x = np.fromfile(os.path.join(base, f"in_s{s}.bin"), dtype=np.int8).reshape(d["shape"])
        it.set_tensor(d["index"], x)
        it.invoke()
        y = it.get_tensor(o["index"]).reshape(-1)
        want = np.fromfile(os.path.join(base, f"out_s{s}.bin"), dtype=np.int8)
        if not np.array_equal(y, want):
            raise SystemExit(f"person_detect seed {s}: REF gives {y}, TFLM gave {want}")
    print("person_detect check: BUILTIN_REF reproduces out_s0..2 (after resetting "
          "bias quantized_dimension to 0 in memory)")


def versions():
    import importlib.metadata as md
    v = {"tensorflow": tf.__version__, "keras": keras.__version__,
         "numpy": np.__version__, "python": sys.version.split()[0]}
    for pkg in ("ai-edge-litert", "tensorflow-cpu", "flatbuffers", "tflite-micro"):
        try:
            v[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return v


def generate(name, seed):
    builder, float_io, desc = MODELS[name]
    print(f"== {name}: {desc}")
    model = build(name, seed)
    data = convert(model, float_io, seed)
    path = os.path.join(HERE, f"{name}.tflite")
    info = tflite_graph.analyze(data)
    hist = Counter(info["ops"])
    print(f"  ops ({len(info['ops'])}): " + ", ".join(f"{k} x{v}" for k, v in sorted(hist.items())))
    bad = set(hist) - ALLOWED_OPS
    if bad:
        raise SystemExit(f"{name}: ops outside the supported list: {sorted(bad)}")
    missing = REQUIRED_OPS.get(name, set()) - set(hist)
    if missing:
        raise SystemExit(f"{name}: expected ops missing: {sorted(missing)}")
    with open(path, "wb") as f:
        f.write(data)
    inp, outs, disagreements = write_reference(name, path)
    out = outs[0]
    print(f"  {len(data):,} bytes, {info['macs']:,} MACs, weights {info['weightBytes']:,} B, "
          f"peak {info['peakBytes']:,} B at op {info['peakOp']} ({info['ops'][info['peakOp']]})")
    print(f"  input {inp}\n  output {out}")
    return {
        "name": name,
        "description": desc,
        "file": f"{name}.tflite",
        "fileBytes": len(data),
        "seed": seed,
        "input": inp,
        "output": out,
        **({"outputs": outs} if len(outs) > 1 else {}),
        "references": [{"input": f"{name}/in_s{s}.bin", "output": f"{name}/out_s{s}.bin"}
                       if len(outs) == 1 else
                       {"input": f"{name}/in_s{s}.bin", "outputs": [f"{name}/out_s{s}_o{k}.bin" for k in range(len(outs))]}
                       for s in range(3)],
        "referenceSource": "tflite-micro",
        "disagreements": disagreements,
        "ops": info["ops"],
        "opHistogram": dict(sorted(hist.items())),
        "macs": info["macs"],
        "weightBytes": info["weightBytes"],
        "peakBytes": info["peakBytes"],
        "peakOp": info["peakOp"],
        "liveBytes": info["liveBytes"],
    }


def rereference(name, entry):
    """Keeps an existing model file and recomputes its reference outputs
    with TFLite Micro (the converter's float calibration is not bit-stable
    across machines, so rebuilding a committed model can change its bytes)."""
    path = os.path.join(HERE, f"{name}.tflite")
    print(f"== {name}: references only")
    before = {}
    for ref in entry.get("references", []):
        for out in ([ref["output"]] if "output" in ref else ref["outputs"]):
            with open(os.path.join(HERE, out), "rb") as f:
                before[out] = f.read()
    inp, outs, disagreements = write_reference(name, path)
    changed = []
    for out, old in before.items():
        with open(os.path.join(HERE, out), "rb") as f:
            if f.read() != old:
                changed.append(out)
    for out in changed:
        print(f"  {out}: was LiteRT BUILTIN_REF's, now TFLite Micro's")
    entry = dict(entry)
    entry["referenceSource"] = "tflite-micro"
    entry["disagreements"] = disagreements
    if changed:
        entry["referencesChangedToTFLiteMicro"] = sorted(changed)
    return entry


def main(argv):
    if argv and argv[0] == "--references-only":
        manifest_path = os.path.join(HERE, "manifest.json")
        with open(manifest_path) as f:
            manifest = json.load(f)
        names = argv[1:] or [m["name"] for m in manifest["models"]]
        manifest["models"] = [rereference(m["name"], m) if m["name"] in names else m for m in manifest["models"]]
        manifest["referenceKernels"] = ("committed outputs: tflite_micro.runtime.Interpreter (TFLite Micro); "
                                        "compared with ai_edge_litert Interpreter, OpResolverType.BUILTIN_REF, "
                                        "num_threads=1 (differences under each model's disagreements)")
        manifest["versions"] = versions()
        with open(manifest_path, "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
        print(f"wrote {manifest_path}")
        return
    names = argv or list(MODELS)
    for n in names:
        if n not in MODELS:
            raise SystemExit(f"unknown model {n}; choose from {list(MODELS)}")
    check_person_detect()
    manifest_path = os.path.join(HERE, "manifest.json")
    entries = {}
    if os.path.exists(manifest_path) and argv:
        with open(manifest_path) as f:
            for m in json.load(f).get("models", []):
                entries[m["name"]] = m
    for n in names:
        entries[n] = generate(n, seed=list(MODELS).index(n) + 1)
    manifest = {
        "generator": "SampleModels/generate.py",
        "versions": versions(),
        "referenceKernels": ("committed outputs: tflite_micro.runtime.Interpreter (TFLite Micro); "
                             "compared with ai_edge_litert Interpreter, OpResolverType.BUILTIN_REF, "
                             "num_threads=1 (differences under each model's disagreements)"),
        "liveness": ("activation = graph input, graph output, or op output without constant "
                     "data; bytes = prod(shape) x element size; live from producing op (op 0 "
                     "for graph inputs) through last reading op (last op for graph outputs); "
                     "peakOp = first op reaching the peak"),
        "macs": ("CONV_2D: out elems x KH x KW x Cin; DEPTHWISE_CONV_2D: out elems x KH x KW; "
                 "FULLY_CONNECTED: out elems x in features; other ops 0"),
        "models": [entries[n] for n in MODELS if n in entries],
    }
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"wrote {manifest_path}")


if __name__ == "__main__":
    main(sys.argv[1:])
