#!/usr/bin/env python3
"""Write tiny int8 models whose TFLite Micro arena is limited by Prepare.

In a real model the final layout (head + tail) is what limits TFLite Micro's
arena. In a model of a few hundred activation bytes it is not: the
temporary tensors kernels take while they prepare, and the memory planner's
working space, need more. These probes test that PatchTop replays those
phases byte for byte too. One model per kernel family, seeded, no downloads.

Usage:
  pip install tensorflow-cpu
  python3 Scripts/make_tflm_probes.py        # -> SampleModels/tflm-probes/*.tflite
  python3 Scripts/measure_tflm_arena.py      # measures them with the rest
"""

import os

import numpy as np
import tensorflow as tf
import keras

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "SampleModels", "tflm-probes")
L = keras.layers


def convert(name, build, shape, float_io=False):
    keras.utils.set_random_seed(7)
    inputs = keras.Input(shape, batch_size=1)
    model = keras.Model(inputs, build(inputs))
    rng = np.random.default_rng(7)

    def representative():
        for _ in range(16):
            yield [rng.uniform(-1, 1, (1,) + shape).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if not float_io:
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    with open(os.path.join(OUT, f"{name}.tflite"), "wb") as handle:
        handle.write(converter.convert())


def bias():
    return {"bias_initializer": "random_normal"}


PROBES = {
    "conv": (lambda x: L.Conv2D(4, 3, padding="same", **bias())(x), (4, 4, 2)),
    "conv-1x1-16": (lambda x: L.Conv2D(16, 1, **bias())(x), (2, 2, 3)),
    "depthwise": (lambda x: L.DepthwiseConv2D(3, padding="same", **bias())(x), (4, 4, 8)),
    "mean": (lambda x: L.GlobalAveragePooling2D()(L.Conv2D(8, 1, **bias())(x)), (3, 3, 2)),
    "add": (lambda x: L.Add()([L.Conv2D(4, 1, **bias())(x), L.Conv2D(4, 1, **bias())(x)]), (2, 2, 2)),
    "pool-reshape-softmax": (
        lambda x: L.Softmax()(L.Reshape((16,))(L.AveragePooling2D(2)(L.Conv2D(2, 1, **bias())(x)))), (4, 8, 1)),
    "pad-maxpool-concat": (
        lambda x: L.Concatenate()([L.MaxPooling2D(2)(L.ZeroPadding2D(1)(x)), L.AveragePooling2D(2)(L.ZeroPadding2D(1)(x))]),
        (2, 2, 3)),
    "dense-per-tensor": (lambda x: L.Dense(1, **bias())(x), (16,)),
    "float-io": (lambda x: L.Conv2D(2, 1, **bias())(x), (2, 2, 2), True),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, spec in PROBES.items():
        convert(name, *spec)
        print(name)


if __name__ == "__main__":
    main()
