#!/usr/bin/env python3
"""How long `patchtop sweep` takes on MobileNetV2 at 224 with predicted
instructions (issue 21: "a sweep with predictions stays under about a
second"), against the same sweep by MACs. Median of --runs runs of the
built binary (PatchTopPlan is optimised in debug builds too).

The timing does not depend on the coefficients' values: when the committed
table has no entry for the target yet, a table with every coefficient 1 is
used, and the output says so.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "Sources/PatchTopPlan/Latency/Resources/latency-calibration.json")


def timed(command, runs):
    """Median wall seconds and median CPU seconds (user + system) of the
    command: on a machine other jobs share, wall time includes waiting for
    a core; CPU time is what the sweep itself costs."""
    times, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times), statistics.median(cpus)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patchtop", default=os.path.join(ROOT, ".build/debug/patchtop"))
    parser.add_argument("--model", default=os.path.join(ROOT, "SampleModels/mbv2-w1.0-r224.tflite"))
    parser.add_argument("--target", default="cortex-m4")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with open(TABLE) as f:
        table = json.load(f)
    extra = []
    note = "the committed table"
    if args.target not in table["cores"]:
        ones = {"format": 1, "source": "benchmark", "cores": {args.target: {
            "board": "-", "invoke": 1, "betweenSteps": 1, "fallback": {"steps": 1, "macs": 1},
            "kernels": {}, "movement": {"copies": 1, "copyBytes": 1}}}}
        path = os.path.join(tempfile.mkdtemp(prefix="patchtop-bench-"), "table.json")
        with open(path, "w") as f:
            json.dump(ones, f)
        extra = ["--cost-table", path]
        note = "a table of ones (the committed table has no " + args.target + " yet)"
    base = [args.patchtop, "sweep", args.model]
    macs = timed(base, args.runs)
    predicted = timed(base + ["--target", args.target, "--cost", "instructions"] + extra, args.runs)
    load = os.getloadavg()[0]
    print(f"| sweep of {os.path.basename(args.model)} (median of {args.runs}; load average {load:.1f} on {os.cpu_count()} cores) | wall seconds | CPU seconds |")
    print("|---|---:|---:|")
    print(f"| by MACs | {macs[0]:.2f} | {macs[1]:.2f} |")
    print(f"| by instructions predicted on {args.target} ({note}) | {predicted[0]:.2f} | {predicted[1]:.2f} |")


if __name__ == "__main__":
    main()
