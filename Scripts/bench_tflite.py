#!/usr/bin/env python3
"""Time TFLite's interpreter (one thread) on PatchTop's sample models.

For each model, with a seeded input, measures the median milliseconds per
inference (after warm-up) of:
  ref        OpResolverType.BUILTIN_REF (reference kernels; bit-exact baseline)
  optimized  OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES (optimized
             kernels, no XNNPACK)
  xnnpack    OpResolverType.AUTO (default: optimized kernels + XNNPACK)

Usage:
  pip install ai-edge-litert numpy
  python3 Scripts/bench_tflite.py                       # all SampleModels/*.tflite
  python3 Scripts/bench_tflite.py path/to/model.tflite --runs 50
  python3 Scripts/bench_tflite.py --json > tflite.json
  python3 Scripts/bench_tflite.py --patchtop-json ours.json
      (ours.json: {"model name": milliseconds, ...} from PatchTop's Swift
       benchmark; prints ours/optimized and ours/ref ratios)
"""

import argparse
import glob
import json
import os
import statistics
import sys
import time

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "SampleModels")

KINDS = [
    ("ref_ms", OpResolverType.BUILTIN_REF),
    ("optimized_ms", OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES),
    ("xnnpack_ms", OpResolverType.AUTO),
]


def model_name(path):
    return os.path.splitext(os.path.basename(path))[0]


def seeded_input(detail, seed):
    shape = tuple(int(d) for d in detail["shape"])
    rng = np.random.default_rng(seed)
    if detail["dtype"] == np.float32:
        return rng.uniform(-1, 1, size=shape).astype(np.float32)
    info = np.iinfo(detail["dtype"])
    return rng.integers(info.min, info.max + 1, size=shape, dtype=detail["dtype"])


def fixed_quantized_dimensions(path):
    """The model's bytes with every quantized_dimension that is not an axis
    of its tensor set to 0, or None when none needed it. person_detect
    carries quantized_dimension = 3 on its 1-D biases: TFLite Micro ignores
    it, LiteRT's interpreter refuses the model. A bias has one axis, so 0 is
    what the exporter meant; nothing else in the model changes."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema
    with open(path, "rb") as f:
        model = schema.ModelT.InitFromObj(schema.Model.GetRootAs(f.read(), 0))
    changed = False
    for graph in model.subgraphs or []:
        for tensor in graph.tensors or []:
            q = tensor.quantization
            rank = len(tensor.shape) if tensor.shape is not None else 0
            if q is not None and q.quantizedDimension and q.quantizedDimension >= rank:
                q.quantizedDimension = 0
                changed = True
    if not changed:
        return None
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def make_interpreter(path, resolver, seed):
    """A one-thread interpreter for `path` with `resolver`, its tensors
    allocated and its first input set to seeded values (raises when the
    interpreter refuses the model). A model LiteRT refuses only for a
    quantized_dimension outside its tensor's axes (person_detect) runs with
    that field set to 0 (`fixed_quantized_dimensions`)."""
    try:
        it = Interpreter(model_path=path, num_threads=1,
                         experimental_op_resolver_type=resolver)
    except ValueError as e:
        fixed = fixed_quantized_dimensions(path) if "quantized_dimension" in str(e) else None
        if fixed is None:
            raise
        it = Interpreter(model_content=fixed, num_threads=1,
                         experimental_op_resolver_type=resolver)
    it.allocate_tensors()
    d = it.get_input_details()[0]
    it.set_tensor(d["index"], seeded_input(d, seed))
    return it


def time_invoke(it, warmup, runs, min_seconds):
    """Median milliseconds of `it.invoke()` after `warmup` untimed calls:
    at least `runs` timed calls, more (up to 10x) until `min_seconds` passed."""
    for _ in range(warmup):
        it.invoke()
    times = []
    start = time.perf_counter()
    while len(times) < runs or (time.perf_counter() - start < min_seconds and len(times) < 10 * runs):
        t0 = time.perf_counter()
        it.invoke()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def time_model(path, resolver, seed, warmup, runs, min_seconds):
    return time_invoke(make_interpreter(path, resolver, seed), warmup, runs, min_seconds)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="*", help="model paths (default: SampleModels/*.tflite)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--runs", type=int, default=30, help="minimum timed runs per configuration")
    ap.add_argument("--min-seconds", type=float, default=1.0,
                    help="keep timing (up to 10x --runs) until this much time has passed")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--patchtop-json", metavar="FILE",
                    help='JSON {"model name": ms} from the Swift benchmark; prints ratios')
    args = ap.parse_args()

    paths = args.models or sorted(glob.glob(os.path.join(SAMPLES, "*.tflite")))
    if not paths:
        sys.exit("no models found")
    ours = {}
    if args.patchtop_json:
        with open(args.patchtop_json) as f:
            ours = {k: float(v) for k, v in json.load(f).items()}

    results = {}
    for p in paths:
        name = model_name(p)
        row = {}
        for key, resolver in KINDS:
            try:
                row[key] = round(time_model(p, resolver, args.seed, args.warmup,
                                            args.runs, args.min_seconds), 4)
            except Exception as e:  # e.g. a model the full interpreter refuses
                row[key] = None
                print(f"{name}: {key[:-3]} failed: {str(e).splitlines()[0][:100]}", file=sys.stderr)
        results[name] = row
        if not args.json:
            print(f"  timed {name}", file=sys.stderr)

    if args.json:
        out = dict(results)
        if ours:
            out = {n: dict(r, patchtop_ms=ours.get(n)) for n, r in results.items()}
        print(json.dumps(out, indent=1))
        return

    def fmt(v, w=10, p=3):
        return f"{v:>{w}.{p}f}" if isinstance(v, (int, float)) else f"{'-':>{w}}"

    header = f"{'model':<20}{'ref ms':>10}{'opt ms':>10}{'xnnpack ms':>12}"
    if ours:
        header += f"{'ours ms':>10}{'ours/opt':>10}{'ours/ref':>10}"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        line = f"{name:<20}{fmt(r['ref_ms'])}{fmt(r['optimized_ms'])}{fmt(r['xnnpack_ms'], 12)}"
        if ours:
            o = ours.get(name)
            ratio = lambda b: (o / b) if (o is not None and b) else None  # noqa: E731
            line += f"{fmt(o)}{fmt(ratio(r['optimized_ms']), 10, 2)}{fmt(ratio(r['ref_ms']), 10, 2)}"
        print(line)
    if ours:
        missing = sorted(set(ours) - set(results))
        if missing:
            print(f"(not benchmarked here: {', '.join(missing)})")


if __name__ == "__main__":
    main()
