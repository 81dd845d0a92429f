#!/usr/bin/env python3
"""The exported C library on emulated Cortex-M cores: instructions, not time.

Runs `patchtop export MODEL ... --target T -o DIR --verify --per-op --json`
for each configuration and core, and prints:

1. Instructions per MAC for each kernel shape (CONV_2D 1x1, dense 3x3,
   DEPTHWISE 3x3/5x5/7x7 by stride, FULLY_CONNECTED ...), summed over the
   ops of that shape in the models measured, on each core, against the
   core's arithmetic limit: SMLAD does two int8 MACs per instruction, so
   0.5 instructions per MAC.
2. Whole models: instructions for one inference, per MAC, flash, static
   RAM besides the arena, and the stack, for MIT's VWW (shared vww.tflite)
   layer by layer and at 2x2 patches split 5, with TinyEngine's options
   (--inplace-depthwise --fold-pad --int8-io, and --stream-input for the
   patched plan), beside the instructions TinyEngine's own generated code
   executes on the same emulated M4 (issue 20; GCC -Ofast).

Every run is also a proof: the export's outputs must be byte-identical to
the runtime's (the script stops otherwise) and its arena equal to the plan.

QEMU counts instructions (-icount shift=0, SysTick to the nearest 40), not
cycles: an instruction that takes 3 cycles on the real core counts 1.

Usage:
  swift build --product patchtop && python3 Scripts/bench_firmware.py
  python3 Scripts/bench_firmware.py --cores cortex-m4 --json
  python3 Scripts/bench_firmware.py --binary .build/release/patchtop SampleModels/mbv2-w0.35-r144.tflite
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "models")
VWW = os.path.join(SHARED, "tinyengine", "vww.tflite")
TINYENGINE_OPTIONS = ["--inplace-depthwise", "--fold-pad", "--int8-io"]

# Issue 20's measurements of TinyEngine's own generated VWW code, Cortex-M4,
# GCC -Ofast, instructions for one inference (same QEMU counting).
TINYENGINE_VWW_M4 = OrderedDict([
    ("layer by layer, float requantization (not TFLite Micro's output)", 34_782_120),
    ("layer by layer, integer requantization", 43_364_400),
    ("2x2 patches, split 5", 45_440_560),
])
CMSIS_NN_M4 = {"dense 3x3 conv": 2.33, "1x1 conv": 2.06, "depthwise 3x3": "8.4-9.3"}


def export(binary, model, target, plan, options, out_dir):
    cmd = [binary, "export", model, "--target", target, "-o", out_dir,
           "--verify", "--per-op", "--json"] + plan + options
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("bench_firmware: %s failed:\n%s%s" % (" ".join(cmd), result.stdout[-2000:], result.stderr))
    report = json.loads(result.stdout)
    v = report["verification"]
    if not v["identical"] or v["arenaBytes"] != v["plannedArenaBytes"]:
        sys.exit("bench_firmware: %s: not identical to the runtime, or arena differs" % " ".join(cmd))
    return v


def shape_of(op):
    """'CONV_2D 3x3/1 16->32 @48x48' -> 'CONV_2D 3x3/1' (1x1 and dense apart)."""
    m = re.match(r"(\S+)(?: (\d+)x(\d+)/(\d+))?", op)
    kind, kh, kw, stride = m.group(1), m.group(2), m.group(3), m.group(4)
    if kh is None:
        return kind
    return "%s %sx%s/%s" % (kind, kh, kw, stride)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="*", help="extra models for the kernel table (VWW is always measured)")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "patchtop"))
    parser.add_argument("--cores", default="cortex-m4,cortex-m7")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(VWW):
        sys.exit("bench_firmware: %s is absent" % VWW)
    cores = args.cores.split(",")
    configs = [("VWW layer by layer", VWW, ["-p", "1", "-n", "0"], TINYENGINE_OPTIONS),
               ("VWW 2x2 split 5", VWW, ["-p", "2", "--split-index", "5"], TINYENGINE_OPTIONS + ["--stream-input"])]
    for path in args.models:
        name = os.path.splitext(os.path.basename(path))[0]
        configs.append((name + " layer by layer", path, ["-p", "1", "-n", "0"], []))

    results = []
    shapes = OrderedDict()
    with tempfile.TemporaryDirectory(prefix="patchtop-bench-fw-") as tmp:
        for core in cores:
            for i, (label, model, plan, options) in enumerate(configs):
                out = os.path.join(tmp, "%s-%d" % (core, i))
                v = export(args.binary, model, core, plan, options, out)
                results.append({"core": core, "config": label, "options": " ".join(options),
                                "instructions": v["instructions"], "macs": v["macs"],
                                "instructionsPerMAC": v["instructionsPerMAC"], "flashBytes": v["flashBytes"],
                                "arenaBytes": v["arenaBytes"], "staticRAMRestBytes": v["staticRAMRestBytes"],
                                "stackBytes": v["stackBytes"]})
                if "split" in label:
                    continue  # the kernel table counts each layer once
                for op in v.get("ops") or []:
                    key = (core, shape_of(op["op"]))
                    entry = shapes.setdefault(key, {"instructions": 0, "macs": 0, "ops": 0, "worst": 0.0})
                    entry["instructions"] += op["instructions"]
                    entry["macs"] += op["macs"]
                    entry["ops"] += 1
                    if op["macs"] > 0:
                        entry["worst"] = max(entry["worst"], op["instructions"] / op["macs"])

    kernel_rows = [{"core": core, "shape": shape, "ops": e["ops"], "macs": e["macs"], "instructions": e["instructions"],
                    "instructionsPerMAC": (e["instructions"] / e["macs"]) if e["macs"] else None, "worstOp": e["worst"]}
                   for (core, shape), e in shapes.items() if e["macs"] > 0]
    if args.json:
        print(json.dumps({"models": results, "kernels": kernel_rows,
                          "tinyEngineVWWCortexM4": TINYENGINE_VWW_M4, "cmsisNNCortexM4": CMSIS_NN_M4}, indent=2))
        return
    print("Kernel shapes (instructions per MAC, all ops of the shape; limit 0.5 = SMLAD, two MACs an instruction)")
    print("| core | kernel | ops | MACs | instructions/MAC | worst op |")
    print("|---|---|---:|---:|---:|---:|")
    for r in sorted(kernel_rows, key=lambda r: (r["core"], r["shape"])):
        print("| %s | %s | %d | %s | %.2f | %.2f |" % (r["core"], r["shape"], r["ops"], format(r["macs"], ","),
                                                       r["instructionsPerMAC"], r["worstOp"]))
    print()
    print("Whole models (instructions for one inference)")
    print("| core | plan | instructions | per MAC | flash | arena | other static RAM | stack |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print("| %s | %s | %s | %.2f | %s | %s | %s | %s |" % (
            r["core"], r["config"], format(r["instructions"], ","), r["instructionsPerMAC"], format(r["flashBytes"], ","),
            format(r["arenaBytes"], ","), format(r["staticRAMRestBytes"], ","), format(r["stackBytes"], ",")))
    print()
    print("TinyEngine's own generated VWW code, Cortex-M4 (issue 20):")
    for label, count in TINYENGINE_VWW_M4.items():
        print("  %-66s %s" % (label, format(count, ",")))


if __name__ == "__main__":
    main()
