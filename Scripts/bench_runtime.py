#!/usr/bin/env python3
"""PatchTop's runtime against LiteRT, back to back on one machine, one thread.

For every model, several rounds; each round times, in turn (the order
rotates from round to round):
  ours       `patchtop bench MODEL --inference-only --json -p 1` (median
             inference of a reused arena, layer by layer)
  optimized  LiteRT, OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
             (optimized builtin kernels, no XNNPACK)
  xnnpack    LiteRT, OpResolverType.AUTO (optimized kernels + XNNPACK)
all with one thread. The table gives each engine's median over the rounds
and the median of the per-round ratios (both engines timed in the same
round, so a noisy neighbour skews both). These machines are noisy: trust
ratios more than milliseconds.

Models: SampleModels/*.tflite, ../shared/models/person_detect.tflite and
../shared/models/tinyengine/*.tflite (skipped with a note when absent), or
the paths given. Where LiteRT's interpreter refuses a model (person_detect's
bias quantization, for one) its columns say '-'.

Usage:
  swift build -c release --product patchtop && python3 Scripts/bench_runtime.py
  python3 Scripts/bench_runtime.py --rounds 3 --kernels portable
  python3 Scripts/bench_runtime.py SampleModels/mbv2-w0.35-r144.tflite --json
"""

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_tflite  # noqa: E402  (make_interpreter, time_invoke, model_name)
from bench_tflite import OpResolverType  # noqa: E402

ROOT = bench_tflite.ROOT
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "models")

ENGINES = ["ours", "optimized", "xnnpack"]
RESOLVERS = {
    "optimized": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    "xnnpack": OpResolverType.AUTO,
}


def default_models():
    """Sample models, then the shared real models when present; notes for
    what is absent."""
    paths = sorted(glob.glob(os.path.join(ROOT, "SampleModels", "*.tflite")))
    notes = []
    person = os.path.join(SHARED, "person_detect.tflite")
    if os.path.exists(person):
        paths.append(person)
    else:
        notes.append(f"skipped person_detect: {person} is absent")
    tinyengine = sorted(glob.glob(os.path.join(SHARED, "tinyengine", "*.tflite")))
    if tinyengine:
        paths += tinyengine
    else:
        notes.append(f"skipped TinyEngine's models: nothing at {os.path.join(SHARED, 'tinyengine', '*.tflite')}")
    return paths, notes


def first_line(text):
    lines = [line for line in str(text).splitlines() if line.strip()]
    return lines[0][:110] if lines else "(no message)"


class Ours:
    """Runs `patchtop bench` once per round; PATCHTOP_KERNELS set when asked."""

    def __init__(self, binary, runs, kernels, timeout):
        self.binary = binary
        self.runs = runs
        self.env = dict(os.environ)
        if kernels:
            self.env["PATCHTOP_KERNELS"] = kernels
        self.timeout = timeout

    def time(self, path):
        """The bench JSON (dict), or raises RuntimeError with the reason."""
        command = [self.binary, "bench", path, "--inference-only", "--json", "-p", "1", "--runs", str(self.runs)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, env=self.env, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"patchtop bench took more than {self.timeout} s")
        if done.returncode != 0:
            raise RuntimeError(f"patchtop bench failed: {first_line(done.stderr or done.stdout)}")
        try:
            return json.loads(done.stdout)
        except json.JSONDecodeError as e:
            raise RuntimeError(f"patchtop bench printed no JSON ({e})")


def bench_model(path, ours, args):
    """Every engine on `path`, interleaved over `args.rounds` rounds."""
    name = bench_tflite.model_name(path)
    row = {"model": name, "path": os.path.relpath(path, ROOT), "notes": [],
           "rounds": {engine: [] for engine in ENGINES}}
    interpreters = {}
    for engine, resolver in RESOLVERS.items():
        try:
            interpreters[engine] = bench_tflite.make_interpreter(path, resolver, args.seed)
            for _ in range(args.warmup):
                interpreters[engine].invoke()
        except Exception as e:  # LiteRT refuses the model
            row["notes"].append(f"LiteRT {engine} refused it: {first_line(e)}")
    ours_failed = False
    for r in range(args.rounds):
        order = ENGINES[r % len(ENGINES):] + ENGINES[:r % len(ENGINES)]
        for engine in order:
            if engine == "ours":
                if ours_failed:
                    continue
                try:
                    figures = ours.time(path)
                except RuntimeError as e:
                    row["notes"].append(f"ours: {e}")
                    ours_failed = True
                    continue
                ms = figures.get("inferenceMilliseconds")
                if ms is None:
                    row["notes"].append("ours: the runtime cannot execute this model")
                    ours_failed = True
                    continue
                row["rounds"]["ours"].append(ms)
                row["macs"] = figures.get("macs")
                row["kernelPath"] = figures.get("kernelPath")
                row["cpuFeatures"] = figures.get("cpuFeatures")
                row["measuredArenaBytes"] = figures.get("measuredArenaBytes")
            elif engine in interpreters:
                try:
                    ms = bench_tflite.time_invoke(interpreters[engine], 0, args.runs, args.min_seconds)
                except Exception as e:
                    row["notes"].append(f"LiteRT {engine} failed: {first_line(e)}")
                    del interpreters[engine]
                    continue
                row["rounds"][engine].append(ms)
    for engine in ENGINES:
        samples = row["rounds"][engine]
        row[f"{engine}_ms"] = round(statistics.median(samples), 4) if samples else None
    # Ratios round by round (both engines timed in the same round), then
    # their median.
    for other in ["optimized", "xnnpack"]:
        pairs = list(zip(row["rounds"]["ours"], row["rounds"][other]))
        ratios = [a / b for a, b in pairs if b > 0]
        row[f"ours_over_{other}"] = round(statistics.median(ratios), 3) if ratios else None
    row.setdefault("macs", None)
    row.setdefault("kernelPath", None)
    if args.kernels and row["kernelPath"] and row["kernelPath"] != args.kernels:
        row["notes"].append(f"asked for {args.kernels} kernels, patchtop ran {row['kernelPath']} "
                            "(this CPU lacks them, or PATCHTOP_KERNELS does not name a path)")
    return row


def print_table(rows, notes, args):
    def num(v, width, digits):
        return f"{v:>{width}.{digits}f}" if isinstance(v, (int, float)) else f"{'-':>{width}}"

    kernels = sorted({r["kernelPath"] for r in rows if r.get("kernelPath")})
    cpu = next((r["cpuFeatures"] for r in rows if r.get("cpuFeatures")), None)
    print(f"PatchTop vs LiteRT, one thread, medians over {args.rounds} rounds "
          f"(each round: every engine on the model in turn; LiteRT at least {args.runs} runs, ours {min(args.runs, 30)}); "
          f"ratios are medians of per-round ratios")
    print(f"PatchTop kernels: {', '.join(kernels) or '-'}; CPU features: {cpu or '-'}"
          + (f"; PATCHTOP_KERNELS={args.kernels}" if args.kernels else ""))
    header = (f"{'model':<22}{'MACs (M)':>10}{'ours ms':>10}{'opt ms':>10}{'xnnpack ms':>12}"
              f"{'ours/opt':>10}{'ours/xnn':>10}  kernels")
    print(header)
    print("-" * len(header))
    for r in rows:
        macs = r["macs"] / 1e6 if isinstance(r.get("macs"), int) else None
        print(f"{r['model']:<22}{num(macs, 10, 1)}{num(r['ours_ms'], 10, 3)}{num(r['optimized_ms'], 10, 3)}"
              f"{num(r['xnnpack_ms'], 12, 3)}{num(r['ours_over_optimized'], 10, 2)}{num(r['ours_over_xnnpack'], 10, 2)}"
              f"  {r.get('kernelPath') or '-'}")
    for r in rows:
        for note in dict.fromkeys(r["notes"]):
            print(f"note: {r['model']}: {note}")
    for note in notes:
        print(f"note: {note}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="*", help="model paths (default: sample models and the shared real models)")
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "patchtop"),
                    help="the patchtop executable (default: .build/release/patchtop)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds per model (default 5)")
    ap.add_argument("--runs", type=int, default=30, help="timed inferences per engine per round (default 30)")
    ap.add_argument("--min-seconds", type=float, default=0.2,
                    help="LiteRT: keep timing (up to 10x --runs) until this much time has passed in a round")
    ap.add_argument("--warmup", type=int, default=5, help="untimed LiteRT inferences before the first round")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kernels", metavar="PATH",
                    help="PATCHTOP_KERNELS for the patchtop runs (vnni, avx2, portable); default: the best the CPU has")
    ap.add_argument("--timeout", type=float, default=300, help="seconds one patchtop bench may take")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()
    if args.rounds < 1 or args.runs < 1:
        sys.exit("--rounds and --runs must be at least 1")
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary}: not an executable; build it with `swift build -c release --product patchtop`")

    if args.models:
        paths, notes = args.models, []
    else:
        paths, notes = default_models()
    missing = [p for p in paths if not os.path.exists(p)]
    notes += [f"skipped {p}: absent" for p in missing]
    paths = [p for p in paths if os.path.exists(p)]
    if not paths:
        sys.exit("no models found")

    ours = Ours(args.binary, args.runs, args.kernels, args.timeout)
    rows = []
    for path in paths:
        print(f"  timing {bench_tflite.model_name(path)}", file=sys.stderr, flush=True)
        rows.append(bench_model(path, ours, args))

    if args.json:
        print(json.dumps({"rounds": args.rounds, "runs": args.runs, "kernels": args.kernels,
                          "models": rows, "notes": notes}, indent=1))
    else:
        print_table(rows, notes, args)


if __name__ == "__main__":
    main()
