#!/usr/bin/env python3
"""Measure the smallest tensor arena TensorFlow Lite Micro needs for a model.

For each model, finds by bisection the smallest `arena_size` with which
`tflite_micro.runtime.Interpreter.from_bytes(model, arena_size=n)` allocates
its tensors AND runs one inference, then checks the 64 sizes below it all
fail (the allocator aligns absolute addresses, so monotonicity is checked
rather than assumed). At that size it records what TFLite Micro's recording
allocator reports: head (planned activations and scratch buffers), tail
(persistent data) and the tail by kind.

What the figure includes: the Python interpreter allocates with TFLite
Micro's RecordingMicroAllocator, whose own bookkeeping objects (the recording
arena allocator, the greedy planner, the recording allocator itself) live in
the arena's tail, on a 64-bit host, with the reference kernels of the Python
build's op resolver. PatchTop's prediction (Sources/PatchTopPlan/EnginePredictions/)
models exactly that; see README "What will my engine need?".

Each trial runs in a forked child: TFLite Micro's Python wrapper crashes
(instead of raising) when the arena cannot even hold the allocator objects.

Usage:
  pip install tflite-micro
  python3 Scripts/measure_tflm_arena.py                      # sample models, SampleModels/tflm-probes, ../shared models -> SampleModels/tflm-arena.json
  python3 Scripts/measure_tflm_arena.py path/to/model.tflite # print one model's figure (no file written)
  python3 Scripts/measure_tflm_arena.py --output FILE        # write the JSON elsewhere
"""

import argparse
import glob
import hashlib
import json
import os
import re
import sys

import numpy as np
from tflite_micro import runtime

try:
    from tflite_micro.python.tflite_micro import _version as tflm_version
    TFLM_VERSION = tflm_version.__version__
except ImportError:  # older wheels
    TFLM_VERSION = "unknown"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "SampleModels")
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "models"))
DEFAULT_OUTPUT = os.path.join(SAMPLES, "tflm-arena.json")

# How far below the bisected figure every size is re-checked to fail.
MONOTONICITY_WINDOW = 64


def trial(model_bytes, arena_size, capture=False):
    """Runs allocate + invoke in a forked child.

    Returns (ok, text): ok when both succeeded; text is what TFLite Micro
    printed (its print_allocations report when capture is set).
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        os.dup2(write_fd, 1)
        os.dup2(write_fd, 2)
        try:
            interpreter = runtime.Interpreter.from_bytes(model_bytes, arena_size=arena_size)
            details = interpreter.get_input_details(0)
            shape, dtype = details["shape"], details["dtype"]
            interpreter.set_input(np.zeros(shape, dtype=dtype), 0)
            interpreter.invoke()
            if capture:
                interpreter.print_allocations()
            sys.stdout.flush()
            os._exit(0)
        except BaseException:
            os._exit(1)
    os.close(write_fd)
    chunks = []
    while True:
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return ok, b"".join(chunks).decode("utf-8", "replace")


def smallest_arena(model_bytes):
    high = 1024
    while not trial(model_bytes, high)[0]:
        high *= 2
        if high > 1 << 31:
            raise RuntimeError("no arena up to 2 GiB works (an op TFLite Micro lacks?)")
    low = 0  # known to fail (or untested zero)
    while high - low > 1:
        middle = (low + high) // 2
        if trial(model_bytes, middle)[0]:
            high = middle
        else:
            low = middle
    for size in range(max(1, high - MONOTONICITY_WINDOW), high):
        if trial(model_bytes, size)[0]:
            raise RuntimeError(f"not monotonic: {size} works below the bisected {high}")
    return high


ALLOCATION_LINE = re.compile(
    r"'(?P<kind>[^']+)' used (?P<used>\d+) bytes with alignment overhead "
    r"\(requested (?P<requested>\d+) bytes for (?P<count>\d+) "
)


def recorded_allocations(text):
    """Parses RecordingMicroAllocator::PrintAllocations()."""
    figures = {}
    for key, label in (("totalBytes", "total"), ("headBytes", "head"), ("tailBytes", "tail")):
        match = re.search(rf"Arena allocation {label} (\d+) bytes", text)
        if match is None:
            raise RuntimeError(f"no '{label}' line in:\n{text}")
        figures[key] = int(match.group(1))
    figures["tail"] = {
        m.group("kind"): {
            "usedBytes": int(m.group("used")),
            "requestedBytes": int(m.group("requested")),
            "count": int(m.group("count")),
        }
        for m in ALLOCATION_LINE.finditer(text)
    }
    return figures


def measure(path):
    with open(path, "rb") as handle:
        model_bytes = handle.read()
    arena = smallest_arena(model_bytes)
    ok, text = trial(model_bytes, arena, capture=True)
    if not ok:
        raise RuntimeError(f"{path}: arena {arena} worked during bisection but not now")
    return {
        "fileBytes": len(model_bytes),
        "sha256": hashlib.sha256(model_bytes).hexdigest(),
        "arenaBytes": arena,
        "recorded": recorded_allocations(text),
    }


def measure_or_error(path):
    """`measure`, or where TFLite Micro cannot run the model at all (an op
    it lacks, …) a record saying so: PatchTop must then give no figure."""
    try:
        return measure(path)
    except RuntimeError as error:
        with open(path, "rb") as handle:
            model_bytes = handle.read()
        return {"fileBytes": len(model_bytes), "sha256": hashlib.sha256(model_bytes).hexdigest(),
                "arenaBytes": None, "error": str(error)}


def default_models():
    models = []
    for path in sorted(glob.glob(os.path.join(SAMPLES, "*.tflite"))):
        models.append((os.path.splitext(os.path.basename(path))[0],
                       "SampleModels/" + os.path.basename(path), path))
    # Tiny models whose arena Prepare limits (Scripts/make_tflm_probes.py).
    for path in sorted(glob.glob(os.path.join(SAMPLES, "tflm-probes", "*.tflite"))):
        base = os.path.basename(path)
        models.append(("probe " + os.path.splitext(base)[0], "SampleModels/tflm-probes/" + base, path))
    shared = [("person_detect", "person_detect.tflite")] + [
        (name, f"tinyengine/{name}.tflite") for name in ("vww", "mcunetv2_large", "detection")
    ]
    for name, relative in shared:
        path = os.path.join(SHARED, relative)
        if os.path.exists(path):
            models.append((name, "../shared/models/" + relative, path))
        else:
            print(f"skipping {relative}: {path} not found", file=sys.stderr)
    return models


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="models to measure (default: all known)")
    parser.add_argument("--output", default=None, help=f"JSON file (default {DEFAULT_OUTPUT} when no models are named)")
    args = parser.parse_args()

    if args.models:
        for path in args.models:
            result = measure_or_error(path)
            if result["arenaBytes"] is None:
                print(f"{path}: TFLite Micro cannot run it: {result['error']}")
                continue
            print(f"{path}: arena {result['arenaBytes']} bytes "
                  f"(head {result['recorded']['headBytes']}, tail {result['recorded']['tailBytes']})")
            for kind, figures in result["recorded"]["tail"].items():
                print(f"  {kind}: {figures['usedBytes']} bytes ({figures['count']})")
        if args.output is None:
            return

    entries = []
    targets = [(os.path.splitext(os.path.basename(p))[0], p, p) for p in args.models] or default_models()
    for name, label, path in targets:
        result = measure_or_error(path)
        print(f"{name}: {result['arenaBytes']}", file=sys.stderr)
        entries.append({"name": name, "file": label, **result})

    document = {
        "generator": "Scripts/measure_tflm_arena.py",
        "tfliteMicro": TFLM_VERSION,
        "python": ".".join(map(str, sys.version_info[:3])),
        "numpy": np.__version__,
        "method": ("smallest arena_size with which tflite_micro.runtime.Interpreter.from_bytes "
                   "allocates and invokes (bisection, then the 64 sizes below checked to fail); "
                   "recorded = RecordingMicroAllocator.PrintAllocations() at that size"),
        "host": "64-bit (x86-64), the Python wheel's reference kernels",
        "models": entries,
    }
    output = args.output or DEFAULT_OUTPUT
    with open(output, "w") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")
    print(f"wrote {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
