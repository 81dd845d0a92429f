#!/usr/bin/env python3
"""Measure the PEAK_MEM that TinyEngine's code generator reserves for a model and a plan.

PatchTop predicts TinyEngine's `#define PEAK_MEM` (activation arena + im2col
buffer + kernel buffer) without running TinyEngine. This script is how the
predictions are checked: it runs TinyEngine's own Python code generator
(mit-han-lab/tinyengine, MIT licence; NOT part of this repository — pass the
path of a checkout) on a .tflite file for one or more plans and prints what
its memory scheduler computed, the way TinyEngine's examples do
(`examples/vww.py`, `examples/vww_patchbased.py`): parse with
TfliteConvertor, for a patch plan getPatchParams + PatchResizer, then
GeneralMemoryScheduler(inplace=True).allocateMemory().

Usage:
    python3 Scripts/measure_tinyengine_peak.py TINYENGINE_DIR MODEL.tflite [PLAN ...]
        PLAN is `lbl` (layer by layer) or `P:S` (P×P patches, split_index S).
    python3 Scripts/measure_tinyengine_peak.py TINYENGINE_DIR MODEL.tflite --all-plans PMAX
        every p in 2...PMAX and every split_index its scheduler accepts.
    --dump prints the layer list and the allocator's rectangles (for debugging).

Output: one tab-separated line per plan:
    model  plan  peakMem  arena  im2col  kernel       (or: model plan REJECTED reason)

It only measures: nothing of TinyEngine is copied here. Its allocator draws a
PNG with matplotlib; the drawing is replaced by a no-op so matplotlib is not
needed.
"""

import contextlib
import io
import os
import sys
import types


def _stub_matplotlib():
    """TinyEngine's allocator module imports matplotlib only to draw its lifetime PNG."""
    if "matplotlib" in sys.modules:
        return
    try:
        import matplotlib  # noqa: F401

        return
    except ImportError:
        pass
    mpl = types.ModuleType("matplotlib")
    pyplot = types.ModuleType("matplotlib.pyplot")
    ticker = types.ModuleType("matplotlib.ticker")
    ticker.MaxNLocator = object
    mpl.pyplot = pyplot
    mpl.ticker = ticker
    sys.modules["matplotlib"] = mpl
    sys.modules["matplotlib.pyplot"] = pyplot
    sys.modules["matplotlib.ticker"] = ticker


def _load(tinyengine_dir):
    _stub_matplotlib()
    sys.path.insert(0, os.path.abspath(tinyengine_dir))
    from code_generator.allocator.base_allocator import BaseAllocator
    from code_generator.GeneralMemoryScheduler import GeneralMemoryScheduler
    from code_generator.InputResizer import PatchResizer
    from code_generator.PatchBasedUtil import getPatchParams
    from code_generator.TfliteConvertor import TfliteConvertor

    BaseAllocator.visualize = lambda self, *args, **kwargs: None
    return TfliteConvertor, getPatchParams, PatchResizer, GeneralMemoryScheduler


def measure(mods, model_path, plan, dump=False):
    """Returns (peakMem, arena, im2col, kernel) or raises what TinyEngine raised."""
    TfliteConvertor, getPatchParams, PatchResizer, GeneralMemoryScheduler = mods
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        convertor = TfliteConvertor(model_path)
        convertor.parseOperatorInfo()
        layers = convertor.layer
        if plan is not None:
            p, split = plan
            params = getPatchParams(layers, split, p)
            PatchResizer(layers).patchResize(params["layer_cnt"], params["grain_rf"], params["grain_rf_height"])
        scheduler = GeneralMemoryScheduler(
            layers, False, False, outputTables=[], inplace=True, mem_visual_path=os.devnull, VisaulizeTrainable=False
        )
        scheduler.USE_INPLACE = True
        scheduler.allocateMemory()
    if dump:
        for i, layer in enumerate(layers):
            info = layer.params
            ins = ",".join(f"{t.graph_idx}:{t.len()}" for t in layer.input_tensors)
            outs = ",".join(f"{t.graph_idx}:{t.len()}" for t in layer.output_tensors)
            print(
                f"# layer {i} {info['op']} in[{ins}] out[{outs}] "
                f"sbuf {layer.get_sbuf_size()} kbuf {layer.get_kbuf_size()}",
                file=sys.stderr,
            )
        for r in scheduler.allocator.rectangles:
            print(
                f"# rect {r['idx']} {r['name']} [{r['start']},{r['end']}) size {r['size']} "
                f"at {r['placement']} s2 {r['stride2_inplace_idx']}",
                file=sys.stderr,
            )
    buffers = scheduler.buffers
    return scheduler.peakmem, buffers["input_output"], buffers["im2col"], buffers["kernel"]


def layer_count(mods, model_path):
    TfliteConvertor = mods[0]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        convertor = TfliteConvertor(model_path)
        convertor.parseOperatorInfo()
    return len(convertor.layer)


def main(argv):
    dump = "--dump" in argv
    argv = [a for a in argv if a != "--dump"]
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    mods = _load(argv[0])
    model_path = argv[1]
    name = os.path.splitext(os.path.basename(model_path))[0]
    plans = []
    rest = argv[2:]
    if rest[:1] == ["--all-plans"]:
        pmax = int(rest[1])
        count = layer_count(mods, model_path)
        plans = [None] + [(p, s) for p in range(2, pmax + 1) for s in range(1, count)]
    else:
        for text in rest or ["lbl"]:
            if text == "lbl":
                plans.append(None)
            else:
                p, s = text.split(":")
                plans.append((int(p), int(s)))
    for plan in plans:
        label = "lbl" if plan is None else f"{plan[0]}:{plan[1]}"
        try:
            peak, arena, im2col, kernel = measure(mods, model_path, plan, dump)
        except Exception as error:  # TinyEngine refused the plan: record why
            reason = f"{type(error).__name__}: {error}".replace("\t", " ").replace("\n", " ")
            print(f"{name}\t{label}\tREJECTED\t{reason}", flush=True)
            continue
        print(f"{name}\t{label}\t{peak}\t{arena}\t{im2col}\t{kernel}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
