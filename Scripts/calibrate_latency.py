#!/usr/bin/env python3
"""Measure the firmware export under QEMU and fit PatchTop's latency cost model.

For every model and plan below and every target core, this runs

    patchtop export MODEL [plan flags] --target CORE -o DIR --verify --per-op --json

(QEMU `-icount`: instructions executed, per op and for one inference) and

    patchtop plan MODEL [plan flags] --json --cost-features

(the cost model's features of every op, read off the same plan), fits the
coefficients per kernel class (non-negative least squares on each op's
relative error) and writes them to the committed table
Sources/PatchTopPlan/Latency/Resources/latency-calibration.json.

It then prints predicted against measured instructions for every plan, twice:
with the table fitted on everything (what ships), and leaving each model out
of the fit (how the model does on a model it never saw). `--markdown FILE`
writes that table for BENCHMARKS.md.

When the export's kernels change (a DSP path, say), run this again: it is
the one command that re-measures.

    Scripts/calibrate_latency.py                       # M4 and M7, every model
    Scripts/calibrate_latency.py --targets cortex-m4 --quick
    Scripts/calibrate_latency.py --from-cache          # refit the saved measurements

Needs the Arm toolchain and qemu-system-arm (as `export --verify` does) and a
built patchtop (`swift build`). Measurements are cached in
.build/latency-measurements.json, so a refit needs no emulator.
"""
import argparse
import concurrent.futures
import hashlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "Sources/PatchTopPlan/Latency/Resources/latency-calibration.json")
CACHE = os.path.join(ROOT, ".build/latency-measurements.json")
def shared_models():
    """../shared/models from the checkout or any folder above it (worktrees sit deeper), or $PATCHTOP_SHARED_MODELS."""
    if os.environ.get("PATCHTOP_SHARED_MODELS"):
        return os.environ["PATCHTOP_SHARED_MODELS"]
    folder = ROOT
    while os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
        if os.path.isdir(os.path.join(folder, "shared", "models")):
            return os.path.join(folder, "shared", "models")
    return os.path.join(os.path.dirname(ROOT), "shared", "models")


SHARED = shared_models()
_HASHES = {}


def export_hash(patchtop):
    """export_hash_of, kept while the binary is unchanged (mtime and size)."""
    st = os.stat(patchtop)
    key = (patchtop, st.st_mtime_ns, st.st_size)
    if key not in _HASHES:
        _HASHES[key] = export_hash_of(patchtop)
    return _HASHES[key]


def export_hash_of(patchtop):
    """What the measured instructions depend on besides the model and plan:
    the C library, harness and emitted program that `patchtop` (the built
    binary, whose resources may differ from the source tree until rebuilt)
    exports, read off an export of a small sample model. Cached
    measurements are reused only under the same hash."""
    work = tempfile.mkdtemp(prefix="patchtop-latency-hash-")
    try:
        out = os.path.join(work, "export")
        code, _, err = run([patchtop, "export", os.path.join(ROOT, "SampleModels", "tiny-moreops.tflite"),
                            "--target", "cortex-m4", "-o", out])
        if code != 0:
            raise SystemExit(f"patchtop export failed: {err.strip()}")
        digest = hashlib.sha256()
        for folder, _, files in sorted(os.walk(out)):
            for name in sorted(files):
                if name.endswith((".c", ".h", ".ld")) or name == "Makefile":
                    path = os.path.join(folder, name)
                    digest.update(os.path.relpath(path, out).encode())
                    with open(path, "rb") as f:
                        digest.update(f.read())
        return digest.hexdigest()[:16]
    finally:
        shutil.rmtree(work, ignore_errors=True)

WEIGHT = lambda y: 1.0 / (y + 2000.0) ** 0.5
# Feature names come from `patchtop plan --cost-features` (set from the data
# in main()); each kernel class is fitted on the features its C kernel's
# loops follow, so every coefficient is one loop body's cost.
KERNEL_FEATURES = []
MOVEMENT_FEATURES = []
LOOPS = ["blockRuns", "blockWords", "blockBytes", "dotRuns", "dotWords", "dotBytes", "edgeTaps", "edgeBytes", "edgeElements", "insidePixels"]
CLASS_FEATURES = {
    # pt_conv_s8's paired KxK path: per step and row; per pixel (edge tests)
    # and per fast-path pixel block; per 2x2 block row and its words; per
    # odd-channel dot run, its words and bytes; per edge tap, edge filter row
    # and edge MAC; per output requantized.
    "conv": ["steps", "outputRows", "outputPixels", "insidePixels", "blockRuns", "blockWords",
             "dotRuns", "dotWords", "dotBytes", "edgeTaps", "edgeRows", "edgeBytes", "outputElements"],
    # pt_conv_im2col (a first conv on 1-7 channels): pixel pairs of the
    # paired 1x1 loops (blocks, words, loop iterations, blocks requantized
    # in C, wide words), inline-gathered filter rows (edgeRows), taps and
    # pixels gathered one by one (edgeTaps, edgeElements), per output.
    "conv-im2col": ["steps", "outputRows", "insidePixels", "blockRuns", "blockWords", "blockBytes", "wordLoops",
                    "dotRuns", "dotWords", "dotBytes", "edgeTaps", "edgeRows", "edgeElements", "outputElements",
                    "plainWords", "plainOutputs"],
    # pt_conv_s8's paired 1x1 path: per step and row run; per pixel pair; per
    # 2x2 block, its words, and blocks requantized in C; per odd-channel dot
    # and its words; per output; a pair's sign extension (edgeBytes: words),
    # the assembly loop's iterations (wordLoops) and the words of its loop
    # over sign-extended weights (dotBytes); per run of pixels (edgeRows:
    # one pt_conv_1x1_run call for the whole rectangle, else one a row); the
    # C loop's blocks (a lone pixel's, a clamped output's) apart: their
    # words (plainWords) and the outputs requantized in C (plainOutputs).
    "conv-1x1": ["steps", "outputRows", "insidePixels", "blockRuns", "blockWords", "blockBytes", "dotRuns", "dotWords", "dotBytes",
                 "outputElements", "edgeBytes", "wordLoops", "edgeRows", "plainWords", "plainOutputs"],
    # pt_depthwise_s8 through pt_dw_tile4 (channels in fours): per group its
    # weights sign-extended (blockRuns: group taps); per chunk of outputs the
    # window extent's words copied (edgeTaps), padding words (dotWords),
    # plane rows (edgeElements); per output pixel and group its
    # requantization (insidePixels), a word a tap in assembly (blockWords;
    # 3x3: a row a loop, wordLoops; 5x5/7x7: a call a pixel, edgeRows) or in
    # C (dotRuns, dotBytes); per output.
    "depthwise": ["steps", "outputRows", "outputPixels", "insidePixels", "blockRuns", "blockWords", "dotRuns", "dotWords", "dotBytes",
                  "edgeTaps", "edgeElements", "edgeRows", "wordLoops", "outputElements"],
    # pt_depthwise_s8's pixel-by-pixel path (channels not in fours, a depth
    # multiplier, dilated or larger windows): per pixel and inside pixel; per
    # 4-channel group tap, leftover-channel tap; per edge tap, edge filter
    # row, edge output; per output requantized.
    "depthwise-generic": ["steps", "outputRows", "outputPixels", "insidePixels", "blockRuns", "dotRuns",
                          "edgeTaps", "edgeBytes", "edgeElements", "outputElements"],
    # pt_depthwise_inplace_s8 (KernelLoops.inPlace): per channel; per packed
    # weight word pair or sign-extended group tap (blockRuns); per byte of a
    # plane or region staged (blockBytes); per word of the assembly paths
    # (blockWords); per row loop or group (insidePixels); taps and outputs
    # in C (dotRuns, dotBytes); pt_dw_tile4's and the whole-map four-channel
    # paths' words copied (edgeTaps), padding words (dotWords), plane rows or
    # edge windows (edgeElements), 3x3 row loops (wordLoops), per-pixel calls
    # (edgeRows).
    "depthwise-in-place": ["steps", "channelSteps", "insidePixels", "outputElements", "blockRuns", "blockWords", "blockBytes", "dotRuns",
                           "dotWords", "dotBytes", "edgeTaps", "edgeBytes", "edgeElements", "edgeRows", "wordLoops"],
    # pt_fc_s8: per step, multiply-accumulate; its outputs' pt_requantize is
    # the shared requantizedOutputs (with the convs without fast constants).
    "fully-connected": ["steps", "macs"],
    # pt_pool_s8: per step, row, pixel (window bounds), output (its
    # division and clamp), tap x channel (a load and add or compare) and
    # filter row x channel.
    "pool": ["steps", "outputRows", "outputPixels", "outputElements", "taps", "filterRows"],
    # pt_mean_s8 and pt_mean_f32: per step, output (its requantization or
    # division), reduced row, input summed.
    "mean": ["steps", "outputElements", "reducedRows", "reducedElements"],
    "float-mean": ["steps", "outputElements", "reducedRows", "reducedElements"],
    # Element by element in runs (pt_runs): per step, run, element; the
    # broadcasting path per position and element.
    "binary": ["steps", "runs", "outputElements", "broadcastPixels", "broadcastElements"],
    "quantize": ["steps", "runs", "outputElements"],
    "dequantize": ["steps", "runs", "outputElements"],
    "unary": ["steps", "runs", "outputElements"],
    # PT_COPY: one memmove.
    "copy": ["steps", "memBytes"],
    # pt_softmax_s8 / pt_log_softmax_s8: per step, row (its max, reciprocal
    # or logarithm set-up), element (three passes), exponential, logarithm.
    "softmax": ["steps", "loopRows", "outputElements", "expCalls", "logCalls"],
    # PAD, CONCATENATION, TRANSPOSE, STRIDED_SLICE, RESIZE, fills: per
    # step, outer-loop body, element-loop body, memcpy call and byte,
    # memset call and byte.
    "movement": ["steps", "loopRows", "elementLoops", "memCalls", "memBytes", "fillCalls", "fillBytes"],
    # pt_conv_f32 / pt_fc_f32 / pt_depthwise_inplace_f32: per step, pixel,
    # output, filter-row and filter-column iteration, conv tap, depthwise
    # tap, multiply-add; in place, the staging memset and copy and the
    # taps on the staged plane.
    "float-weighted": ["steps", "outputPixels", "outputElements", "rowLoops", "columnLoops", "convTaps", "depthwiseTaps",
                       "floatMACs", "fillCalls", "fillBytes", "elementLoops", "inPlaceTaps"],
    # pt_pool_f32: per step, pixel, output (init and final passes), window
    # tap, tap x channel.
    "float-pool": ["steps", "outputRows", "outputPixels", "outputElements", "windowTaps", "floatMACs"],
    # pt_unary_f32 in runs: per step, run, element, pt_expf, tanhf.
    "float-unary": ["steps", "runs", "outputElements", "expCalls", "tanhCalls"],
    "float-binary": ["steps", "runs", "outputElements", "broadcastPixels", "broadcastElements"],
    # pt_softmax_f32 / pt_log_softmax_f32: per step, row, element, pt_expf, pt_logf.
    "float-softmax": ["steps", "loopRows", "outputElements", "expCalls", "logCalls"],
    "float-other": ["steps", "outputPixels", "outputElements", "inputBytes"],
}

SAMPLE_MODELS = [
    "mbv2-w0.35-r144", "mbv1-w0.25-r96-g", "mbv3s-r96", "mcunet-kmix-r112", "resnet8-r32", "dscnn-kws",
    "pytorch-style", "tiny-allops", "tiny-moreops", "mbv2-mini-f32",
    # (mbv2-w1.0-r224 is left out: its export does not fit the emulated boards' 4 MiB of flash.)
    # Small ops and float32 kernels in more than one or two instances: the
    # other toy sample models, and the ones Scripts/make_latency_models.py
    # generates (PyTorch-style heads: PAD, MEANs over one or two axes,
    # TRANSPOSE, LOG_SOFTMAX, float QUANTIZE; int8 and float32).
    "tiny-float-io", "tiny-dynbatch", "tiny-allops-f32", "tiny-moreops-f32", "pytorch-style-f32",
    "latency/torch-se-r24", "latency/torch-rows-r16", "latency/torch-se-r24-f32", "latency/torch-rows-r16-f32",
    "latency/keras-convs-r16",
    # Convs on maps of 6-24 pixels a side, cut into tiles of a few pixels
    # (the conv kernels' per-call and per-row loops measured on more than
    # tiny-dynbatch alone).
    "latency/tiles-a-r12", "latency/tiles-b-r24", "latency/tiles-c-r16",
]
# Models this small (file bytes) get every plan (not only --quick's four):
# they take seconds under QEMU, and their small ops are what needs instances.
SMALL_MODEL_BYTES = 40_000
SHARED_MODELS = ["person_detect.tflite", "tinyengine/vww.tflite", "tinyengine/mcunetv2_large.tflite", "tinyengine/detection.tflite"]

# Memory options: what TFLite Micro does, and what TinyEngine does.
TFLM = []
TINYENGINE = ["--inplace-depthwise", "--fuse-residual", "--fold-pad", "--int8-io"]
# Multi-stage plans (`sweep --multi-stage`, issue 22) under TinyEngine's and
# msf-CNN's options: in-place depthwise, PADs folded, int8 I/O, the input
# streamed tile by tile (without --stream-input where a model cannot stream).
MULTI_STAGE = ["--inplace-depthwise", "--fold-pad", "--int8-io", "--stream-input"]
MULTI_STAGE_FALLBACK = ["--inplace-depthwise", "--fold-pad", "--int8-io"]
# The chosen plans are committed here (their stages and memory options, read
# back with `--plan`), named by a hash of their stages, and an index keeps
# the choice per model: the instruction front moves with the table, the
# measured set should not (--replan chooses again).
PLANS_DIR = os.path.join(ROOT, "Scripts/latency-plans/fronts")
PLAN_KEYS = ["stages", "foldPad", "inplaceDepthwise", "int8IO", "streamInput", "fuseResidual"]
# Hand-written plans measured besides (Scripts/latency-plans/): VWW with
# 2x1 fused stages over its tail (ops 33-36, 45-46, 56-57), where an
# in-place 7x7 depthwise conv covers each tile's whole 5x5 map: the case
# the multi-stage search first found the cost model wrong on (issue 22).
FIXED_PLANS = {
    "vww.tflite": [("multi-stage 2x1 tail stages (issue 22), streamed",
                    MULTI_STAGE + ["--plan", "Scripts/latency-plans/vww-tail-2x1.json"])],
}
# Models whose export does not fit the emulated boards' flash (when named with --models).
MULTI_STAGE_SKIP = {"mbv2-w1.0-r224.tflite"}


def run(command, timeout=1800):
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return result.returncode, result.stdout, result.stderr


def models(quick):
    out = []
    for name in SAMPLE_MODELS:
        path = os.path.join(ROOT, "SampleModels", name + ".tflite")
        if os.path.exists(path):
            out.append(path)
    for name in SHARED_MODELS:
        path = os.path.join(SHARED, name)
        if os.path.exists(path):
            out.append(path)
    return out


def plans(patchtop, model, quick):
    """Layer by layer under both memory options; patched plans from the
    sweep's front (the smallest peak with p <= 4, and the front's middle),
    each without and with halo caches."""
    out = [("layer by layer", []), ("layer by layer, TinyEngine options", TINYENGINE)]
    quick = quick or os.path.getsize(model) > SMALL_MODEL_BYTES
    code, text, _ = run([patchtop, "sweep", model, "--max-patches", "4", "--json"])
    if code != 0:
        return out
    front = [p for p in json.loads(text)["paretoFront"] if p["patches"] > 1]
    picks = []
    if front:
        picks.append(front[0])
        if not quick and len(front) > 2 and front[len(front) // 2] is not front[0]:
            picks.append(front[len(front) // 2])
    for plan in picks:
        flags = ["-p", str(plan["patches"]), "-n", str(plan["patchLayers"])]
        out.append((f"p={plan['patches']} n={plan['patchLayers']}", flags))
        out.append((f"p={plan['patches']} n={plan['patchLayers']}, halo caches", flags + ["--halo-cache", "all"]))
        if not quick:
            out.append((f"p={plan['patches']} n={plan['patchLayers']}, TinyEngine options", flags + TINYENGINE))
    if MULTI_STAGE_ON:
        out += multi_stage_plans(patchtop, model, replan=REPLAN)
        out += FIXED_PLANS.get(os.path.basename(model), [])
    return out


MULTI_STAGE_ON = True
REPLAN = False


def multi_stage_plans(patchtop, model, replan=False):
    """Two plans of the multi-stage instruction front on Cortex-M4
    (`sweep --multi-stage --cost instructions`): its smallest peak, and the
    plan halfway along the front (by position), each written as a plan file
    and exported with `--plan`. Plans whose stages are all layer by layer
    are left out (the layer-by-layer plans measure those)."""
    name = os.path.basename(model)
    if name in MULTI_STAGE_SKIP:
        return []
    os.makedirs(PLANS_DIR, exist_ok=True)
    index_path = os.path.join(PLANS_DIR, "index.json")
    index = {}
    if os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)
    if name in index and not replan and all(os.path.exists(os.path.join(ROOT, flags[-1])) for _, flags in index[name]):
        return [(label, flags) for label, flags in index[name]]
    chosen = []
    for options in (MULTI_STAGE, MULTI_STAGE_FALLBACK):
        code, text, err = run([patchtop, "sweep", model, "--multi-stage", "--cost", "instructions", "--target", "cortex-m4",
                               *options, "--json"], timeout=900)
        if code != 0:
            continue
        front = [p for p in json.loads(text).get("paretoFront", [])
                 if any(tuple(s.get("grid", [1, 1])) != (1, 1) for s in p.get("stages", []))]
        if not front:
            continue
        def exports(plan):
            """Written as a plan file; whether `export` takes it (a plan
            whose input is not read tile by tile cannot stream it)."""
            stages = json.dumps(plan["stages"], sort_keys=True)
            digest = hashlib.sha256((stages + " ".join(options)).encode()).hexdigest()[:10]
            path = os.path.join(PLANS_DIR, f"{name.removesuffix('.tflite')}-{digest}.json")
            with open(path, "w") as f:
                json.dump({k: plan[k] for k in PLAN_KEYS if k in plan}, f, indent=1, sort_keys=True)
            work = tempfile.mkdtemp(prefix="patchtop-latency-plan-")
            try:
                code, _, _ = run([patchtop, "export", model, *options, "--plan", path, "--target", "cortex-m4",
                                  "-o", os.path.join(work, "export")])
            finally:
                shutil.rmtree(work, ignore_errors=True)
            if code != 0:
                os.remove(path)
                return None
            return path

        picks = []
        for tag, start in (("smallest peak", 0), ("mid-front", len(front) // 2)):
            if tag == "mid-front" and len(front) <= 2:
                break
            for plan in front[start:]:
                if picks and plan is picks[-1][1]:
                    continue
                path = exports(plan)
                if path:
                    picks.append((tag, plan, path))
                    break
        if not picks:
            continue
        for tag, plan, path in picks:
            grids = " ".join(f"{s['grid'][0]}x{s['grid'][1]}" for s in plan["stages"] if tuple(s.get("grid", [1, 1])) != (1, 1))
            streamed = ", streamed" if "--stream-input" in options else ""
            label = f"multi-stage {tag} {plan['peakBytes']:,} B ({grids}){streamed}"
            chosen.append((label, [*options, "--plan", os.path.relpath(path, ROOT)]))
        break
    index[name] = chosen
    with open(index_path + ".tmp", "w") as f:
        json.dump(index, f, indent=1, sort_keys=True)
    os.replace(index_path + ".tmp", index_path)
    return chosen


def runs_no_depthwise(sample):
    """Whether no op of the measured plan runs an int8 depthwise kernel
    (pt_depthwise.c): by its kernel classes."""
    return not any(f["kernel"] in ("depthwise", "depthwise-generic", "depthwise-in-place") and f["kernelFeatures"].get("steps", 0) > 0
                   for f in sample["features"].values())


def is_multi_stage(sample):
    return "--plan" in sample["flags"]


def measure(patchtop, model, flags, target):
    """One export under QEMU: its verification report {instructions, ops: [{index, op, macs, instructions}], ...}
    (`export --json` nests it under "verification"), or the error."""
    work = tempfile.mkdtemp(prefix="patchtop-latency-")
    try:
        out_dir = os.path.join(work, "export")
        code, text, err = run([patchtop, "export", model, *flags, "--target", target, "-o", out_dir,
                               "--verify", "--per-op", "--json"])
        if code != 0:
            return None, (err.strip() or text.strip()).splitlines()[-1:] or ["exit %d" % code]
        report = json.loads(text)
        report = report.get("verification", report)
        if not report.get("identical", True):
            return None, ["the firmware's output differs from the runtime's"]
        if report.get("instructions") is None or not report.get("ops"):
            return None, ["no instruction counts in the report (not a Cortex-M target?)"]
        return report, None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def features(patchtop, model, flags):
    code, text, err = run([patchtop, "plan", model, *flags, "--json", "--cost-features"])
    if code != 0:
        raise SystemExit(f"plan failed for {model} {flags}: {err.strip()}")
    data = json.loads(text)
    return {f["index"]: f for f in data["costFeatures"]}, data


# ------------------------------------------------------------------ fitting

def nnls(a, b, iterations=200):
    """Lawson–Hanson non-negative least squares on the normal equations
    (the systems here are a few dozen columns)."""
    n = len(a[0]) if a else 0
    try:
        import numpy
        am = numpy.array(a, dtype=float)
        ata = (am.T @ am).tolist()
        atb = (am.T @ numpy.array(b, dtype=float)).tolist()
    except ImportError:
        ata = [[sum(row[i] * row[j] for row in a) for j in range(n)] for i in range(n)]
        atb = [sum(row[i] * y for row, y in zip(a, b)) for i in range(n)]
    x = [0.0] * n
    passive = set()

    def solve(cols):
        cols = sorted(cols)
        m = [[ata[i][j] for j in cols] + [atb[i]] for i in cols]
        k = len(cols)
        for i in range(k):
            m[i][i] += 1e-12 * (1 + abs(m[i][i]))
        for c in range(k):
            p = max(range(c, k), key=lambda r: abs(m[r][c]))
            m[c], m[p] = m[p], m[c]
            if abs(m[c][c]) < 1e-30:
                continue
            for r in range(k):
                if r != c and m[r][c] != 0:
                    f = m[r][c] / m[c][c]
                    for j in range(c, k + 1):
                        m[r][j] -= f * m[c][j]
        out = [0.0] * n
        for i, col in enumerate(cols):
            out[col] = m[i][k] / m[i][i] if abs(m[i][i]) > 1e-30 else 0.0
        return out

    for _ in range(iterations):
        w = [atb[i] - sum(ata[i][j] * x[j] for j in range(n)) for i in range(n)]
        candidates = [i for i in range(n) if i not in passive and w[i] > 1e-9 * (1 + abs(atb[i]))]
        if not candidates:
            break
        passive.add(max(candidates, key=lambda i: w[i]))
        while True:
            z = solve(passive)
            if all(z[i] > 0 for i in passive):
                x = z
                break
            alpha = min(x[i] / (x[i] - z[i]) for i in passive if z[i] <= 0 and x[i] - z[i] != 0) if any(z[i] <= 0 for i in passive) else 1
            x = [x[i] + alpha * (z[i] - x[i]) for i in range(n)]
            passive = {i for i in passive if x[i] > 1e-15}
            if not passive:
                break
    return x


def fit(samples):
    """samples: [{features: {index: f}, measured: {index: instructions}, total, steps}] for one core."""
    rows = []
    for s in samples:
        for index, count in s["measured"].items():
            f = s["features"].get(index)
            if f is not None:
                rows.append((f, count))
    kernels = sorted({f["kernel"] for f, _ in rows})
    columns = [("kernel", k, name) for k in kernels for name in KERNEL_FEATURES if name in CLASS_FEATURES.get(k, KERNEL_FEATURES)]
    columns += [("movement", None, name) for name in MOVEMENT_FEATURES]

    def vector(f):
        v = []
        for kind, kernel, name in columns:
            if kind == "kernel":
                v.append(f["kernelFeatures"][name] if f["kernel"] == kernel else 0.0)
            else:
                v.append(f["movementFeatures"][name])
        return v

    matrix = [vector(f) for f, _ in rows]
    scale = [math.sqrt(sum(r[j] ** 2 for r in matrix) / max(len(matrix), 1)) or 1.0 for j in range(len(columns))]
    # Relative error per op: each row divided by its measurement (plus a floor for tiny ops).
    a, b = [], []
    for r, (_, y) in zip(matrix, rows):
        w = WEIGHT(y)
        a.append([r[j] / scale[j] * w for j in range(len(columns))])
        b.append(y * w)
    x = nnls(a, b)
    coef = [x[j] / scale[j] for j in range(len(columns))]
    table = {"kernels": {k: {name: 0.0 for name in KERNEL_FEATURES} for k in kernels}, "movement": {}}
    for (kind, kernel, name), c in zip(columns, coef):
        if kind == "kernel":
            table["kernels"].setdefault(kernel, {})[name] = c
        else:
            table["movement"][name] = c
    # Fallback for classes never measured: the median coefficient per feature.
    table["fallback"] = {name: statistics.median([table["kernels"][k][name] for k in kernels]) if kernels else 0.0 for name in KERNEL_FEATURES}
    # Outside the ops (measured apart: the total less every op's count, which
    # also holds ops the model does not run as kernels, e.g. fused-away ADDs'
    # empty steps): invoke + betweenSteps × steps + pt_invoke's copies of the
    # caller's inputs and outputs the arena holds (ioCopies, ioBytes). The
    # per-op counts come from the profiling build, whose timer calls inside
    # each step's window the total's build does not run: betweenSteps may be
    # negative (its own column twice, +steps and -steps, under NNLS).
    gaps = []
    for s in samples:
        inside = sum(count for index, count in s["measured"].items() if index in s["features"])
        io = s.get("invokeCopies") or {"copies": 0, "bytes": 0}
        gaps.append((s["steps"], io["copies"], io["bytes"], s["total"] - inside))
    table["ioBytes"] = table["ioCopies"] = 0.0
    if len(gaps) >= 2 and len({g[0] for g in gaps}) > 1:
        tops = [max(abs(g[j]) for g in gaps) or 1.0 for j in range(3)]
        x = nnls([[1.0, g[0] / tops[0], -g[0] / tops[0], g[1] / tops[1], g[2] / tops[2]] for g in gaps], [g[3] for g in gaps])
        table["invoke"] = x[0]
        table["betweenSteps"] = (x[1] - x[2]) / tops[0]
        table["ioCopies"] = x[3] / tops[1]
        table["ioBytes"] = x[4] / tops[2]
    else:
        table["betweenSteps"] = 0.0
        table["invoke"] = max(statistics.mean(g[3] for g in gaps), 0.0) if gaps else 0.0
    return table


def op_prediction(table, f):
    k = table["kernels"].get(f["kernel"], table.get("fallback", {}))
    total = sum(k.get(name, 0.0) * f["kernelFeatures"].get(name, 0.0) for name in KERNEL_FEATURES)
    total += sum(table["movement"].get(name, 0.0) * f["movementFeatures"].get(name, 0.0) for name in MOVEMENT_FEATURES)
    return max(total, 0.0)


def plan_prediction(table, sample):
    ops = sum(round(op_prediction(table, f)) for f in sample["features"].values())
    io = sample.get("invokeCopies") or {"copies": 0, "bytes": 0}
    outside = table["invoke"] + table["betweenSteps"] * sample["steps"] + table.get("ioCopies", 0.0) * io["copies"] \
        + table.get("ioBytes", 0.0) * io["bytes"]
    return max(ops + outside, 0.0)


def errors(table, samples):
    return [abs(plan_prediction(table, s) - s["total"]) / s["total"] for s in samples if s["total"] > 0]


# --------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", default="cortex-m4,cortex-m7")
    parser.add_argument("--patchtop", default=os.path.join(ROOT, ".build/debug/patchtop"))
    parser.add_argument("--quick", action="store_true", help="four plans a model: layer by layer (two memory options), the smallest-peak patched plan with and without halo caches")
    parser.add_argument("--models", help="comma-separated model names (sample names, or shared paths like tinyengine/vww.tflite) instead of the full set")
    parser.add_argument("--cache", default=CACHE, help="where measurements are saved and reused (plans already measured with this checkout's export kernels are not measured again); several comma-separated files are read, the first is written")
    parser.add_argument("--from-cache", action="store_true", help="refit the measurements saved by earlier runs (--cache) without measuring")
    parser.add_argument("--any-kernels", action="store_true", help="also use cached measurements of other export kernels than this checkout's")
    parser.add_argument("--jobs", type=int, default=1, help="exports measured at a time (QEMU counts instructions, so the counts do not depend on it)")
    parser.add_argument("--markdown", help="write the predicted-vs-measured table here")
    parser.add_argument("--no-write", action="store_true", help="do not write the calibration table")
    parser.add_argument("--no-multi-stage", action="store_true", help="leave out the multi-stage front plans")
    parser.add_argument("--no-check", action="store_true", help="skip checking patchtop's own predictions against the fit's")
    parser.add_argument("--carry-over", action="store_true", help="reuse measurements of other export kernels for plans that run no int8 depthwise conv (for a change to pt_depthwise.c only)")
    parser.add_argument("--replan", action="store_true", help="choose the multi-stage plans again from today's front (else the ones chosen before, Scripts/latency-plans/fronts/index.json)")
    args = parser.parse_args()
    global MULTI_STAGE_ON, REPLAN
    MULTI_STAGE_ON = not args.no_multi_stage
    REPLAN = args.replan
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]

    if args.models:
        global SAMPLE_MODELS, SHARED_MODELS
        names = [n.strip() for n in args.models.split(",") if n.strip()]
        SAMPLE_MODELS = [n for n in names if not n.endswith(".tflite")]
        SHARED_MODELS = [n for n in names if n.endswith(".tflite")]
    kernels = export_hash(args.patchtop) if os.path.exists(args.patchtop) else None
    cached = []
    for path in args.cache.split(","):
        if os.path.exists(path):
            with open(path) as f:
                cached += json.load(f)
    # Measurements of other kernels stay in the cache but are not fitted
    # (--any-kernels fits them too, e.g. caches written before the hash).
    current = [s for s in cached if args.any_kernels or kernels is None or s.get("kernels") == kernels]
    if args.carry_over and kernels is not None:
        # A plan that runs no int8 depthwise kernel executes the same
        # instructions when only pt_depthwise.c changed: its latest
        # measurement under other kernels is reused (and says so).
        have = {(s["model"], tuple(s["flags"]), s["target"]) for s in current}
        latest = {}
        for s in cached:
            if s.get("kernels") == kernels or not runs_no_depthwise(s):
                continue
            latest[(s["model"], tuple(s["flags"]), s["target"])] = s
        for key, s in latest.items():
            if key not in have:
                current.append(dict(s, kernels=kernels, carriedOverFrom=s.get("kernels")))
        print(f"{sum(1 for s in current if s.get('carriedOverFrom'))} plans without an int8 depthwise conv carried over "
              f"from other kernels", file=sys.stderr)
    if args.from_cache:
        wanted = {os.path.basename(m) for m in models(args.quick)} if args.models else None
        samples = [s for s in current if s["target"] in targets and (wanted is None or s["model"] in wanted)]
    else:
        if not os.path.exists(args.patchtop):
            raise SystemExit(f"{args.patchtop} is missing: run `swift build` first")
        samples = []
        done = {(s["model"], tuple(s["flags"]), s["target"]): s for s in current}
        todo = []
        wanted = {}
        for model in models(args.quick):
            for label, flags in plans(args.patchtop, model, args.quick):
                name = os.path.basename(model)
                for target in targets:
                    wanted.setdefault((name, tuple(flags), target), len(wanted))
                    if (name, tuple(flags), target) in done:
                        samples.append(done[(name, tuple(flags), target)])
                    else:
                        todo.append((model, label, flags, target))
        lock = threading.Lock()
        feature_memo = {}

        def work(job):
            model, label, flags, target = job
            name = os.path.basename(model)
            key = (model, tuple(flags))
            if key not in feature_memo:
                feature_memo[key] = features(args.patchtop, model, flags)
            feats, plan = feature_memo[key]
            if export_hash(args.patchtop) != kernels:
                raise SystemExit(f"{args.patchtop} was rebuilt with other export kernels while measuring: run again")
            started = time.time()
            measured, error = measure(args.patchtop, model, flags, target)
            if measured is None:
                print(f"skip {name} ({label}) on {target}: {error[0] if error else '?'}", file=sys.stderr)
                return
            ops = {op["index"]: op["instructions"] for op in measured.get("ops", [])}
            sample = {
                "model": name, "plan": label, "flags": flags, "target": target, "kernels": kernels,
                "total": measured["instructions"], "measured": ops,
                "opNames": {op["index"]: op.get("op", "") for op in measured.get("ops", [])},
                "features": {str(k): v for k, v in feats.items()},
                "steps": sum(f["kernelFeatures"]["steps"] for f in feats.values()),
                "peakBytes": plan["peakBytes"], "macs": plan["macs"],
            }
            with lock:
                samples.append(sample)
                cached.append(sample)
                print(f"{name:34} {label:38} {target:10} {measured['instructions']:>12,} instructions"
                      f"  ({time.time() - started:.0f} s)", file=sys.stderr)
                path = args.cache.split(",")[0]
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
                with open(path + ".tmp", "w") as f:
                    json.dump(cached, f)
                os.replace(path + ".tmp", path)

        # Small models first: they take seconds, and a run cut short still has their small ops.
        todo.sort(key=lambda job: os.path.getsize(job[0]))
        print(f"{len(samples)} plans cached, {len(todo)} to measure ({args.jobs} at a time)", file=sys.stderr)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for result in pool.map(work, todo):
                pass
        # Keep the plan order of the set (the tables read in it).
        samples.sort(key=lambda s: wanted.get((s["model"], tuple(s["flags"]), s["target"]), len(wanted)))
    if args.no_multi_stage:
        samples = [s for s in samples if not is_multi_stage(s)]
    for s in samples:
        s["measured"] = {str(k): v for k, v in s["measured"].items()}
    if os.path.exists(args.patchtop):
        # The features come from this PatchTop: a change to the cost model's
        # features is refitted without measuring again.
        paths = {os.path.basename(m): m for m in models(False)}
        memo = {}
        for s in samples:
            if s["model"] in paths:
                key = (s["model"], tuple(s["flags"]))
                if key not in memo:
                    memo[key] = features(args.patchtop, paths[s["model"]], s["flags"])
                feats, data = memo[key]
                s["features"] = {str(k): v for k, v in feats.items()}
                s["steps"] = sum(f["kernelFeatures"]["steps"] for f in feats.values())
                s["invokeCopies"] = data.get("invokeCopies", {"copies": 0, "bytes": 0})
    global KERNEL_FEATURES, MOVEMENT_FEATURES
    for s in samples:
        for f in s["features"].values():
            KERNEL_FEATURES += [n for n in f["kernelFeatures"] if n not in KERNEL_FEATURES]
            MOVEMENT_FEATURES += [n for n in f["movementFeatures"] if n not in MOVEMENT_FEATURES]
    if not samples:
        raise SystemExit("nothing was measured: does `patchtop export --verify --per-op` run here?")

    table = {"format": 1,
             "source": "Scripts/calibrate_latency.py: QEMU -icount measurements of `patchtop export --verify --per-op` "
                       f"({time.strftime('%Y-%m-%d')}, {len(samples)} plans)",
             "cores": {}}
    fit_cache = {}
    lines = ["| model | plan | target | measured | predicted | error | held-out prediction | error |", "|---|---|---|---:|---:|---:|---:|---:|"]
    summary = ["| core | plans | fitted: median | fitted: worst | held out: median | held out: worst |", "|---|---:|---:|---:|---:|---:|"]
    per_model = {}
    for target in targets:
        mine = [s for s in samples if s["target"] == target]
        if not mine:
            continue
        coefficients = fit(mine)
        fit_cache[target] = coefficients
        fitted = errors(coefficients, mine)
        entry = {"board": {"cortex-m4": "mps2-an386", "cortex-m7": "mps2-an500", "cortex-m33": "mps2-an505",
                           "cortex-m55": "mps3-an547"}.get(target, "?"),
                 "invoke": coefficients["invoke"], "betweenSteps": coefficients["betweenSteps"],
                 "ioBytes": coefficients["ioBytes"], "ioCopies": coefficients["ioCopies"],
                 "kernels": coefficients["kernels"], "fallback": coefficients["fallback"], "movement": coefficients["movement"],
                 "fit": {"plans": len(mine), "ops": sum(len(s["measured"]) for s in mine),
                         "medianError": statistics.median(fitted), "worstError": max(fitted)}}
        table["cores"][target] = entry
        held = []
        refits = {}
        for s in mine:
            if s["model"] not in refits:
                others = [o for o in mine if o["model"] != s["model"]]
                refits[s["model"]] = fit(others) if others else None
            predicted = plan_prediction(refits[s["model"]], s) if refits[s["model"]] else float("nan")
            held.append(abs(predicted - s["total"]) / s["total"])
            p = plan_prediction(coefficients, s)
            lines.append(f"| {s['model']} | {s['plan']}{' (carried over)' if s.get('carriedOverFrom') else ''} | {target} | {s['total']:,} | {round(p):,} | "
                         f"{100 * (p - s['total']) / s['total']:+.1f}% | {round(predicted) if predicted == predicted else '–':,} | "
                         f"{100 * (predicted - s['total']) / s['total']:+.1f}% |")
            per_model.setdefault(s["model"], {}).setdefault(target, []).append((fitted[len(held) - 1], held[-1]))
        worst_fit = max(range(len(mine)), key=lambda i: fitted[i])
        worst_held = max(range(len(mine)), key=lambda i: held[i])
        summary.append(f"| {target} ({entry['board']}) | {len(mine)} | {100 * statistics.median(fitted):.1f}% | "
                       f"{100 * fitted[worst_fit]:.1f}% ({mine[worst_fit]['model']}) | {100 * statistics.median(held):.1f}% | "
                       f"{100 * held[worst_held]:.1f}% ({mine[worst_held]['model']}, {mine[worst_held]['plan']}) |")
        print(f"{target}: {len(mine)} plans; fitted: median {100 * statistics.median(fitted):.1f}%, worst {100 * max(fitted):.1f}%; "
              f"each model held out: median {100 * statistics.median(held):.1f}%, worst {100 * max(held):.1f}%")
        multi = [i for i, s in enumerate(mine) if is_multi_stage(s)]
        if multi:
            worst_multi = max(multi, key=lambda i: held[i])
            summary.append(f"| {target} ({entry['board']}), multi-stage plans only | {len(multi)} | "
                           f"{100 * statistics.median(fitted[i] for i in multi):.1f}% | {100 * max(fitted[i] for i in multi):.1f}% | "
                           f"{100 * statistics.median(held[i] for i in multi):.1f}% | {100 * held[worst_multi]:.1f}% "
                           f"({mine[worst_multi]['model']}, {mine[worst_multi]['plan']}) |")
            print(f"{target}: {len(multi)} multi-stage plans; held out: median {100 * statistics.median(held[i] for i in multi):.1f}%, "
                  f"worst {100 * held[worst_multi]:.1f}%")
    models_lines = ["| model | " + " | ".join(f"{t}: fitted worst | {t}: held out worst" for t in targets) + " |",
                    "|---|" + "---:|---:|" * len(targets)]
    for model, by_target in per_model.items():
        cells = []
        for t in targets:
            errs = by_target.get(t, [])
            cells += [f"{100 * max(e[0] for e in errs):.1f}%" if errs else "–", f"{100 * max(e[1] for e in errs):.1f}%" if errs else "–"]
        models_lines.append(f"| {model} | " + " | ".join(cells) + " |")
    lines = summary + [""] + models_lines + [""] + lines
    print("\n".join(lines))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")
    path = TABLE if not args.no_write else os.path.join(tempfile.mkdtemp(prefix="patchtop-table-"), "table.json")
    with open(path, "w") as f:
        json.dump(table, f, indent=1, sort_keys=True)
        f.write("\n")
    # PatchTop's own prediction with this table must be the script's (to rounding).
    if (not args.from_cache or os.path.exists(args.patchtop)) and not args.no_check:
        worst = 0
        for s in samples:
            if s["target"] not in table["cores"]:
                continue
            model = next((m for m in models(False) if os.path.basename(m) == s["model"]), None)
            if model is None:
                continue
            code, text, err = run([args.patchtop, "plan", model, *s["flags"], "--target", s["target"], "--cost-table", path, "--json"])
            if code != 0:
                print(f"patchtop plan failed on {s['model']} {s['plan']}: {err.strip()}", file=sys.stderr)
                continue
            swift = json.loads(text)["instructions"]
            python = plan_prediction(fit_cache[s["target"]], s)
            if abs(swift - python) > worst:
                worst, where = abs(swift - python), f"{s['model']}, {s['plan']}, {s['target']}: {swift:,} against {python:,.0f}"
        print(f"patchtop's predictions with this table match the fit's within {worst:.0f} instructions"
              + (f" (the most apart: {where})" if worst > 0 else ""))
    if not args.no_write:
        print(f"wrote {os.path.relpath(TABLE, ROOT)}; `swift build` copies it into the resources")


if __name__ == "__main__":
    main()
