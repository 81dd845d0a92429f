#!/usr/bin/env python3
"""Fuzz the CLI surfaces of issue 20-23: --plan FILE, -p ROWSxCOLS,
sweep --multi-stage, --target/--clock/--calibration, calibrate --from,
export -o DIR (odd folders, inputs, models).

Every case runs the built binary (default .build/debug/patchtop) with a
time limit and is judged:
  trap   -- killed by a signal or exit 132..139 (a Swift trap): always a bug
  hang   -- still running after the limit
  silent -- a non-zero exit with nothing on stderr
  wrong  -- an exit other than the case expects (bad input: 1 or 64;
            good input: 0)
Prints one line per failure and a count; exits 1 if anything failed.

    python3 Scripts/fuzz_cli.py [--binary PATH] [--only SUBSTRING] [--skip SUBSTRING] [-v]
    python3 Scripts/fuzz_cli.py --random N [--seed S]   # random plan files through `run`
"""
import argparse
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = "SampleModels/tiny-allops.tflite"       # 22 ops, int8
MBV2 = "SampleModels/mbv2-w0.35-r144.tflite"
BAD = (1, 64)   # a message and exit 1, or argument-parser's usage error
# Root reads and writes past file modes: the unreadable/read-only cases pass then.
AS_ROOT = os.geteuid() == 0


def cases(tmp):
    """(name, args, expected exits, limit seconds)."""
    out = []

    def add(name, args, expect=BAD, limit=60):
        if AS_ROOT and ("unreadable" in name or "readonly" in name):
            expect = tuple(expect) + (0,)
        out.append((name, args, expect, limit))

    def planfile(name, content, binary=False):
        path = os.path.join(tmp, name)
        with open(path, "wb" if binary else "w") as f:
            f.write(content)
        return path

    good = {"stages": [{"firstOp": 0, "lastOp": 2, "grid": [2, 2]}, {"firstOp": 3, "lastOp": 21, "grid": [1, 1]}]}

    def stages(*entries, **extra):
        obj = {"stages": list(entries)}
        obj.update(extra)
        return json.dumps(obj)

    plans = {
        "good": (json.dumps(good), (0,)),
        "empty-stages": (stages(), (0,)),
        "extra-keys": (json.dumps(dict(good, extra={"a": [1, 2]}, model="x")), (0,)),
        "overlap": (stages({"firstOp": 0, "lastOp": 3, "grid": [2, 2]}, {"firstOp": 2, "lastOp": 5, "grid": [2, 2]}), BAD),
        "first-gt-last": (stages({"firstOp": 5, "lastOp": 2, "grid": [2, 2]}), BAD),
        "negative-op": (stages({"firstOp": -1, "lastOp": 2, "grid": [2, 2]}), BAD),
        "huge-op": (stages({"firstOp": 0, "lastOp": 10**14, "grid": [2, 2]}), BAD),
        "huger-op": (stages({"firstOp": 0, "lastOp": 10**30, "grid": [2, 2]}), BAD),
        "float-op": (stages({"firstOp": 0.5, "lastOp": 2, "grid": [2, 2]}), BAD),
        "string-op": (stages({"firstOp": "0", "lastOp": 2, "grid": [2, 2]}), BAD),
        "bool-op": (stages({"firstOp": False, "lastOp": 2, "grid": [2, 2]}), BAD),
        "null-op": (stages({"firstOp": None, "lastOp": 2, "grid": [2, 2]}), BAD),
        "grid-0x0": (stages({"firstOp": 0, "lastOp": 2, "grid": [0, 0]}), BAD),
        "grid-neg": (stages({"firstOp": 0, "lastOp": 2, "grid": [-2, 2]}), BAD),
        "grid-1e12": (stages({"firstOp": 0, "lastOp": 2, "grid": [10**12, 1]}), BAD),
        "grid-1e14sq": (stages({"firstOp": 0, "lastOp": 2, "grid": [10**14, 10**14]}), BAD),
        "grid-big-both": (stages({"firstOp": 0, "lastOp": 2, "grid": [4294967296, 4294967296]}), BAD),
        "grid-1e12-1e12": (stages({"firstOp": 0, "lastOp": 2, "grid": [10**12, 10**12]}), BAD),
        "grid-1000x1": (stages({"firstOp": 0, "lastOp": 2, "grid": [1000, 1]}), BAD),
        "grid-strings": (stages({"firstOp": 0, "lastOp": 2, "grid": ["2", "2"]}), BAD),
        "grid-3": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2, 2]}), BAD),
        "grid-int": (stages({"firstOp": 0, "lastOp": 2, "grid": 2}), BAD),
        "grid-obj": (stages({"firstOp": 0, "lastOp": 2, "grid": {"rows": 2}}), BAD),
        "grid-nested": (stages({"firstOp": 0, "lastOp": 2, "grid": [[2], [2]]}), BAD),
        "grid-missing": (stages({"firstOp": 0, "lastOp": 2}), BAD),
        "grid-1x1-caches": (stages({"firstOp": 0, "lastOp": 2, "grid": [1, 1], "caches": [{"tensor": 1, "direction": "row"}]}), BAD),
        "grid-2x1": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 1]}), (0, 1)),
        "grid-1x7": (stages({"firstOp": 0, "lastOp": 2, "grid": [1, 7]}), (0, 1)),
        "grid-whole-model": (stages({"firstOp": 0, "lastOp": 21, "grid": [2, 2]}), (0, 1)),
        "stage-every-op": (json.dumps({"stages": [{"firstOp": i, "lastOp": i, "grid": [2, 2]} for i in range(22)]}), (0, 1)),
        "stage-last-op": (stages({"firstOp": 21, "lastOp": 21, "grid": [2, 2]}), (0, 1)),
        "stage-middle": (stages({"firstOp": 10, "lastOp": 15, "grid": [3, 2]}), (0, 1)),
        "missing-stages": (json.dumps({"plan": []}), BAD),
        "stages-null": (json.dumps({"stages": None}), BAD),
        "stages-obj": (json.dumps({"stages": {"firstOp": 0}}), BAD),
        "stage-string": (json.dumps({"stages": ["a"]}), BAD),
        "whole-sweep": (json.dumps({"plans": [good], "paretoFront": []}), BAD),
        "top-list": (json.dumps([good]), BAD),
        "top-number": ("42", BAD),
        "top-null": ("null", BAD),
        "empty-file": ("", BAD),
        "truncated": (json.dumps(good)[:-5], BAD),
        "nan-literal": ('{"stages": [{"firstOp": NaN, "lastOp": 2, "grid": [2,2]}]}', BAD),
        "infinity": ('{"stages": [{"firstOp": 0, "lastOp": 2, "grid": [1e999, 2]}]}', BAD),
        "neg-zero": ('{"stages": [{"firstOp": -0.0, "lastOp": 2, "grid": [2,2]}]}', (0, 1)),
        "exp-int": ('{"stages": [{"firstOp": 0, "lastOp": 2e0, "grid": [2,2]}]}', (0, 1)),
        "big-exp-int": ('{"stages": [{"firstOp": 0, "lastOp": 1e15, "grid": [2,2]}]}', BAD),
        "halo-bad": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "haloCache": "sideways"}), BAD),
        "halo-num": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "haloCache": 3}), BAD),
        "halo-all": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "haloCache": "all"}), (0, 1)),
        "halo-auto": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "haloCache": "auto"}), (0, 1)),
        "halo-rows": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "haloCache": "rows"}), (0, 1)),
        "caches-absent-tensor": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "caches": [{"tensor": 999, "direction": "row"}]}), BAD),
        "caches-neg-tensor": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "caches": [{"tensor": -1, "direction": "row"}]}), BAD),
        "caches-huge-tensor": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "caches": [{"tensor": 10**14, "direction": "column"}]}), BAD),
        "caches-bad-dir": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "caches": [{"tensor": 1, "direction": "diagonal"}]}), BAD),
        "caches-no-dir": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "caches": [{"tensor": 1}]}), BAD),
        "caches-not-list": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "caches": "all"}), BAD),
        "caches-input-tensor": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "caches": [{"tensor": 0, "direction": "row"}]}), (0, 1)),
        "caches-outside-stage": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "caches": [{"tensor": 25, "direction": "row"}]}), BAD),
        "caches-all-tensors": (stages({"firstOp": 0, "lastOp": 4, "grid": [3, 3], "caches": [{"tensor": t, "direction": d} for t in range(40) for d in ("row", "column")]}), BAD),
        "caches-dup": (stages({"firstOp": 0, "lastOp": 2, "grid": [2, 2], "caches": [{"tensor": 1, "direction": "row"}] * 3}), (0, 1)),
        "flag-string": (json.dumps(dict(good, inplaceDepthwise="yes")), BAD),
        "flag-number": (json.dumps(dict(good, streamInput=1)), BAD),
        "flags-all-true": (json.dumps(dict(good, inplaceDepthwise=True, streamInput=True, fuseResidual=True, foldPad=True, int8IO=True)), (0, 1)),
        "peak-wrong": (json.dumps(dict(good, peakBytes=1)), BAD),
        "peak-string": (json.dumps(dict(good, peakBytes="1")), BAD),
        "peak-huge": (json.dumps(dict(good, peakBytes=10**40)), BAD),
        "macoverhead-string": (json.dumps(dict(good, macOverhead="x")), (0, 1)),
        "macoverhead-nan-ish": (json.dumps(dict(good, macOverhead=1e308)), (0, 1)),
        "deep-nest": ('{"stages": ' + "[" * 100000 + "]" * 100000 + "}", BAD),
        "deep-nest-obj": ('{"a":' * 50000 + "1" + "}" * 50000, BAD),
        "many-stages": (json.dumps({"stages": [{"firstOp": 0, "lastOp": 0, "grid": [1, 1]}] * 200000}), BAD),
        "bom": ("\ufeff" + json.dumps(good), (0, 1)),
        "utf16": (None, (0, 1)),
        "invalid-utf8": (None, BAD),
        "nul-bytes": (None, BAD),
    }
    models = [MODEL, MBV2, "Tests/PatchTopEndToEndTests/Models/one-quantize.tflite"]
    for name, (content, expect) in plans.items():
        if name == "utf16":
            path = planfile(name + ".json", json.dumps(good).encode("utf-16"), binary=True)
        elif name == "invalid-utf8":
            path = planfile(name + ".json", b'{"stages": [{"firstOp": 0, "lastOp": 2, "grid": [2, 2], "x": "\xff\xfe"}]}', binary=True)
        elif name == "nul-bytes":
            path = planfile(name + ".json", b'{"stages": \x00[]}', binary=True)
        else:
            path = planfile(name + ".json", content)
        for cmd in (["plan"], ["run"], ["report"], ["export", "--target", "cortex-m7", "-o", os.path.join(tmp, "exp-" + name)]):
            model = MODEL
            add(f"planfile/{name}/{cmd[0]}", cmd[:1] + [model, "--plan", path] + cmd[1:], expect)
        add(f"planfile/{name}/plan-mbv2", ["plan", MBV2, "--plan", path], expect if expect != (0,) else (0, 1))
        add(f"planfile/{name}/plan-onequant", ["plan", models[2], "--plan", path], expect if expect == BAD else (0, 1))
    add("planfile/good/latency", ["plan", MODEL, "--plan", os.path.join(tmp, "good.json"), "--target", "cortex-m7", "--clock", "216MHz"], (0,))
    add("planfile/good/report-run", ["report", "--run", MODEL, "--plan", os.path.join(tmp, "good.json")], (0,))

    # The plan file itself odd.
    big = os.path.join(tmp, "big.json")
    with open(big, "w") as f:
        f.write('{"stages": [], "pad": "' + "a" * (100 << 20) + '"}')
    d = os.path.join(tmp, "a-dir.json"); os.mkdir(d)
    fifo = os.path.join(tmp, "fifo.json"); os.mkfifo(fifo)
    unread = planfile("unreadable.json", json.dumps(good)); os.chmod(unread, 0)
    link = os.path.join(tmp, "dangling.json"); os.symlink(os.path.join(tmp, "nowhere"), link)
    for name, path in [("100MB", big), ("dir", d), ("fifo", fifo), ("missing", os.path.join(tmp, "absent.json")),
                       ("unreadable", unread), ("dangling", link), ("dev-zero", "/dev/zero"), ("dev-null", "/dev/null"),
                       ("empty-name", ""), ("proc", "/proc/self/status")]:
        for cmd in ("plan", "run", "report", "export", "tui"):
            extra = ["--target", "cortex-m7", "-o", os.path.join(tmp, "exp-file-" + name)] if cmd == "export" else []
            add(f"planpath/{name}/{cmd}", [cmd, MODEL, "--plan", path] + extra, BAD, limit=60)
    add("planfile/with-p", ["plan", MODEL, "--plan", os.path.join(tmp, "good.json"), "-p", "2"])
    add("planfile/with-n", ["run", MODEL, "--plan", os.path.join(tmp, "good.json"), "-n", "2"])

    # -p ROWSxCOLS
    for p in ["4x2", "2x4", "1x1", "4x1", "1x4", "0x3", "3x0", "0", "-1", "-1x2", "2x-1", "99999999999x1", "1x99999999999",
              "99999999999999999999x1", "x", "4x", "x4", "4x2x1", "4X2", "4 x 2", " 4x2", "4x2 ", "", "4×2", "0x0", "+4x+2",
              "0x4x2", "4x02", "2147483648x2", "9223372036854775807", "9223372036854775807x9223372036854775807", "1e3", "４"]:
        expect = (0,) if p in ("4x2", "2x4", "1x1", "4x1", "1x4", "4X2", "4x02", "+4x+2") else BAD + (0,)
        for cmd in ("plan", "run", "report"):
            add(f"p/{p!r}/{cmd}", [cmd, MODEL, "-p", p, "-n", "3"], expect if cmd != "report" else BAD + (0,))
        add(f"p/{p!r}/export", ["export", MODEL, "--target", "cortex-m7", "-p", p, "-n", "3", "-o", os.path.join(tmp, "exp-p-" + str(abs(hash(p))))], BAD + (0,))
        add(f"p/{p!r}/n-huge", ["plan", MODEL, "-p", p, "-n", "99999999999"], BAD)
    for n in ["-1", "0", "22", "23", "9223372036854775807", "-9223372036854775808", "x"]:
        add(f"n/{n}/plan", ["plan", MODEL, "-p", "2", "-n", n], BAD + (0,))
        add(f"n/{n}/run", ["run", MODEL, "-p", "2", "-n", n], BAD + (0,))
    for s in ["-1", "0", "1", "999", "9223372036854775807"]:
        add(f"split/{s}", ["plan", MBV2, "--split-index", s], BAD + (0,))

    # sweep --multi-stage
    for f in ["0", "-1", "nan", "NaN", "inf", "-inf", "1e308", "1e-308", "0.5", "x", "", "1e400", "-0"]:
        add(f"sweep/F={f}", ["sweep", MODEL, "--multi-stage", "--max-mac-overhead", f, "--max-side", "2"], BAD + (0,), limit=180)
    for k in ["0", "-1", "1", "2", "99999999999", "9223372036854775807", "x", ""]:
        add(f"sweep/k={k}", ["sweep", MODEL, "--multi-stage", "--max-side", k], BAD + (0,), limit=180)
    add("sweep/F-without-multi", ["sweep", MODEL, "--max-mac-overhead", "0.5"], BAD + (0,))
    for mp in ["0", "-1", "99999999999", "9223372036854775807"]:
        add(f"sweep/max-patches={mp}", ["sweep", MODEL, "--max-patches", mp], BAD + (0,), limit=180)
    add("sweep/multi-onequant", ["sweep", models[2], "--multi-stage", "--json"], (0, 1), limit=180)
    add("sweep/multi-hugepool", ["sweep", "Tests/PatchTopEndToEndTests/Models/huge-pool.tflite", "--multi-stage", "--max-side", "2"], BAD + (0,), limit=180)

    # --target / --clock
    for clock in ["0MHz", "0", "-5", "-5MHz", "1e30", "1e30MHz", "99999999999999999999MHz", "nan", "NaNMHz", "infMHz",
                  "216", "216MHz", "216mhz", "1GHz", "0.000001Hz", "1Hz", "MHz", "", "216 MHz", "9223372036854775807GHz",
                  "1e-320MHz", "216kHz"]:
        for cmd in ("plan", "sweep", "report", "run"):
            add(f"clock/{clock!r}/{cmd}", [cmd, MODEL, "--target", "cortex-m7", "--clock", clock], BAD + (0,), limit=120)
        add(f"clock/{clock!r}/calibrate", ["calibrate", MODEL, "--target", "cortex-m7", "--clock", clock,
                                           "--from", os.path.join(tmp, "table-good.txt"), "-o", os.path.join(tmp, "cal-clock.json")], BAD + (0,))
    for target in ["cortex-m0", "host", "", "CORTEX-M7", "cortex-m55", "x86"]:
        add(f"target/{target!r}/plan", ["plan", MODEL, "--target", target], BAD + (0,))
    add("clock-without-target", ["plan", MODEL, "--clock", "216MHz"], BAD + (0,))

    # calibrate --from tables and --calibration files
    analysis = json.loads(subprocess.run([BINARY, "analyze", MODEL, "--json"], capture_output=True, text=True, cwd=ROOT).stdout)
    names = [op["op"] for op in analysis["ops"]]
    good_table = "".join(f"PT op {i} {op} {1000 + 37 * i}\n" for i, op in enumerate(names))
    tables = {
        "good": good_table,
        "empty": "",
        "no-pt": "hello\nworld\n",
        "bad-count": "PT op 0 CONV_2D x\n",
        "neg-count": "PT op 0 CONV_2D -5\n",
        "huge-count": "PT op 0 CONV_2D 99999999999999999999999\n",
        "max-count": "".join(f"PT op {i} {op} 9223372036854775807\n" for i, op in enumerate(names)),
        "zero-count": "".join(f"PT op {i} {op} 0\n" for i, op in enumerate(names)),
        "one-count": "".join(f"PT op {i} {op} 1\n" for i, op in enumerate(names)),
        "half-table": "".join(f"PT op {i} {op} 1000\n" for i, op in enumerate(names[:11])),
        "extra-op": good_table + "PT op 22 CONV_2D 5\n",
        "lower-op": good_table.lower(),
        "neg-index": "PT op -1 CONV_2D 5\n",
        "huge-index": "PT op 99999999999 CONV_2D 5\n",
        "dup-index": "PT op 0 CONV_2D 5\nPT op 0 CONV_2D 6\n",
        "wrong-op": "".join(f"PT op {i} SOFTMAX 100\n" for i in range(22)),
        "few-fields": "PT op 0\n",
        "many-fields": "PT op 0 CONV_2D 5 6 7 8\n",
        "binary": None,
        "long-line": "PT op 0 CONV_2D " + "9" * 1000000 + "\n",
        "crlf": good_table.replace("\n", "\r\n"),
        "tabs": good_table.replace(" ", "\t"),
    }
    for name, text in tables.items():
        path = os.path.join(tmp, f"table-{name}.txt")
        with open(path, "wb") as f:
            f.write(text.encode() if text is not None else bytes(range(256)) * 100)
        expect = (0,) if name in ("good", "crlf") else BAD + (0,)
        for target in ("cortex-m7", "cortex-m0", "host"):
            add(f"calibrate/{name}/{target}", ["calibrate", MODEL, "--target", target, "--board", "STM32F746",
                                               "--from", path, "-o", os.path.join(tmp, f"cal-{name}.json")], expect if target == "cortex-m7" else BAD, )
    add("calibrate/from-dir", ["calibrate", MODEL, "--target", "cortex-m7", "--from", tmp, "-o", os.path.join(tmp, "c.json")])
    add("calibrate/from-fifo", ["calibrate", MODEL, "--target", "cortex-m7", "--from", fifo, "-o", os.path.join(tmp, "c.json")])
    add("calibrate/from-zero", ["calibrate", MODEL, "--target", "cortex-m7", "--from", "/dev/zero", "-o", os.path.join(tmp, "c.json")])
    add("calibrate/to-dir", ["calibrate", MODEL, "--target", "cortex-m7", "--board", "STM32F746", "--from", os.path.join(tmp, "table-good.txt"), "-o", tmp])
    add("calibrate/to-unwritable", ["calibrate", MODEL, "--target", "cortex-m7", "--board", "STM32F746", "--from", os.path.join(tmp, "table-good.txt"), "-o", "/proc/x.json"])
    add("calibrate/no-clock", ["calibrate", MODEL, "--target", "cortex-m7", "--from", os.path.join(tmp, "table-good.txt"), "-o", os.path.join(tmp, "c2.json")], BAD + (0,))
    cal_files = {
        "empty": "", "not-json": "xx", "list": "[]", "obj-empty": "{}",
        "wrong-types": json.dumps({"target": 5, "clockHz": "x", "scale": []}),
        "nan-scale": '{"target": "cortex-m7", "clockHz": 216000000, "scales": {"CONV_2D": NaN}}',
        "deep": "[" * 100000 + "]" * 100000,
    }
    # A real calibration, then mutated numbers.
    cal_good = os.path.join(tmp, "cal-real.json")
    subprocess.run([BINARY, "calibrate", MODEL, "--target", "cortex-m7", "--board", "STM32F746", "--from",
                    os.path.join(tmp, "table-good.txt"), "-o", cal_good], capture_output=True, cwd=ROOT)
    if os.path.exists(cal_good):
        real = json.load(open(cal_good))
        cal_files["real"] = json.dumps(real)

        def mutate(obj, value):
            """Every number in obj replaced by value, one at a time."""
            found = []

            def walk(o, path):
                if isinstance(o, dict):
                    for k, v in o.items():
                        walk(v, path + [k])
                elif isinstance(o, list):
                    for i, v in enumerate(o):
                        walk(v, path + [i])
                elif isinstance(o, (int, float)) and not isinstance(o, bool):
                    found.append(path)
            walk(obj, [])
            for path in found[:12]:
                copy = json.loads(json.dumps(obj))
                o = copy
                for k in path[:-1]:
                    o = o[k]
                o[path[-1]] = value
                yield ".".join(map(str, path)), copy
        for label, value in [("neg", -1), ("zero", 0), ("huge", 1e308), ("hugeint", 10**30), ("str", "x")]:
            for where, copy in mutate(real, value):
                cal_files[f"{label}@{where}"] = json.dumps(copy)
        for key in list(real)[:8]:
            copy = dict(real); del copy[key]
            cal_files[f"missing-{key}"] = json.dumps(copy)
    for name, text in cal_files.items():
        path = os.path.join(tmp, f"calib-{name}.json")
        with open(path, "w") as f:
            f.write(text)
        expect = (0,) if name == "real" else BAD + (0,)
        add(f"calibration/{name}/plan", ["plan", MODEL, "--target", "cortex-m7", "--calibration", path], expect)
        add(f"calibration/{name}/sweep", ["sweep", MODEL, "--target", "cortex-m7", "--calibration", path], expect, limit=120)
    add("calibration/other-target", ["plan", MODEL, "--target", "cortex-m4", "--calibration", cal_good], BAD + (0,))
    add("calibration/no-target", ["plan", MODEL, "--calibration", cal_good], BAD + (0,))
    add("calibration/dir", ["plan", MODEL, "--target", "cortex-m7", "--calibration", tmp])

    # export folders
    afile = planfile("a-file", "x")
    ro = os.path.join(tmp, "readonly"); os.mkdir(ro); os.chmod(ro, 0o555)
    userdir = os.path.join(tmp, "users-folder"); os.mkdir(userdir)
    with open(os.path.join(userdir, "precious.txt"), "w") as f:
        f.write("mine")
    symlink = os.path.join(tmp, "link-to-users"); os.symlink(userdir, symlink)
    nonempty = os.path.join(tmp, "nonempty"); os.mkdir(nonempty)
    with open(os.path.join(nonempty, "x.c"), "w") as f:
        f.write("x")
    for name, path in [("file", afile), ("readonly", ro), ("readonly-child", os.path.join(ro, "sub")),
                       ("symlink-users", symlink), ("users", userdir), ("nonempty", nonempty),
                       ("proc", "/proc/patchtop"), ("empty", ""), ("under-file", os.path.join(afile, "sub")),
                       ("dev-null", "/dev/null"), ("dangling", link)]:
        add(f"export-dir/{name}", ["export", MODEL, "--target", "cortex-m7", "-o", path])
        add(f"export-dir/{name}/json", ["export", MODEL, "--target", "cortex-m7", "-o", path, "--json"])
    add("export-dir/nested-new", ["export", MODEL, "--target", "cortex-m7", "-o", os.path.join(tmp, "a", "b", "c")], (0, 1))
    add("export/target-host", ["export", MODEL, "--target", "host", "-o", os.path.join(tmp, "exp-host")], BAD + (0,))
    add("export/target-host-verify", ["export", MODEL, "--target", "host", "--verify", "-o", os.path.join(tmp, "exp-host-v")], BAD + (0,), limit=300)
    add("export/per-op-no-verify", ["export", MODEL, "--target", "cortex-m7", "--per-op", "-o", os.path.join(tmp, "exp-perop")], BAD + (0,))
    add("export/input-no-verify", ["export", MODEL, "--target", "cortex-m7", "--input", afile, "-o", os.path.join(tmp, "exp-in0")], BAD + (0,))
    for name, size in [("short", 10), ("long", 100000), ("empty", 0)]:
        path = planfile(f"input-{name}.bin", b"\x01" * size, binary=True)
        add(f"export/input-{name}", ["export", MODEL, "--target", "host", "--verify", "--input", path,
                                     "-o", os.path.join(tmp, f"exp-in-{name}")], BAD, limit=300)
    for name, path in [("dir", tmp), ("fifo", fifo), ("zero", "/dev/zero"), ("missing", os.path.join(tmp, "none.bin"))]:
        add(f"export/input-path-{name}", ["export", MODEL, "--target", "host", "--verify", "--input", path,
                                          "-o", os.path.join(tmp, f"exp-inp-{name}")], BAD, limit=300)
    for name, path in [("file", afile), ("readonly", ro), ("proc", "/proc/x")]:
        add(f"export/output-dir-{name}", ["export", MODEL, "--target", "host", "--verify", "--output-dir", path,
                                          "-o", os.path.join(tmp, f"exp-od-{name}")], BAD, limit=300)
    for seed in ["-1", "99999999999999999999", "x"]:
        add(f"export/seed-{seed}", ["export", MODEL, "--verify", "--target", "host", "--seed", seed, "-o", os.path.join(tmp, f"exp-s-{seed}")], BAD + (0,), limit=300)
    # export of every odd model
    mdir = os.path.join(ROOT, "Tests/PatchTopEndToEndTests/Models")
    for m in sorted(os.listdir(mdir)):
        if m.endswith(".tflite"):
            add(f"export-model/{m}", ["export", "--target", "cortex-m7", os.path.join(mdir, m), "-o", os.path.join(tmp, "expm-" + m)], BAD + (0,), limit=120)
            add(f"export-model/{m}/p2", ["export", "--target", "cortex-m7", os.path.join(mdir, m), "-p", "2", "-n", "1", "-o", os.path.join(tmp, "expm2-" + m)], BAD + (0,), limit=120)
    sdir = os.path.join(ROOT, "SampleModels")
    opts = [[], ["-p", "3x2", "-n", "4"], ["--inplace-depthwise", "--stream-input", "--fuse-residual", "--fold-pad", "--int8-io"],
            ["--halo-cache", "all", "-p", "4", "-n", "6"], ["-p", "1x8", "-n", "2", "--int8-io"]]
    for m in sorted(os.listdir(sdir)):
        if m.endswith(".tflite") and "r224" not in m:
            for i, o in enumerate(opts):
                add(f"export-sample/{m}/{i}", ["export", "--target", "cortex-m7", os.path.join(sdir, m), "-o", os.path.join(tmp, f"exps{i}-" + m)] + o, BAD + (0,), limit=180)
    # report headless with the new flags
    for extra in [["--plan", os.path.join(tmp, "good.json")], ["-p", "4x2", "-n", "3"], ["--target", "cortex-m7", "--clock", "0MHz"],
                  ["--target", "cortex-m7", "--calibration", os.path.join(tmp, "calib-not-json.json")], ["--plan", fifo],
                  ["--plan", os.path.join(tmp, "grid-1e12.json")], ["--plan", os.path.join(tmp, "caches-absent-tensor.json")]]:
        for view in (["--view", "all"], []):
            add(f"report/{' '.join(extra)}/{' '.join(view)}", ["report", MODEL] + extra + view, BAD + (0,), limit=120)
    return out


def random_plans(count, seed):
    """`run --plan` on random stage lists over the sample models: each run
    exits 0 with the output of layer by layer byte for byte (a patched plan
    prints `identical     yes`), or 1 with a message; anything else fails."""
    rng = random.Random(seed)
    models = sorted(m for m in os.listdir(os.path.join(ROOT, "SampleModels")) if m.endswith(".tflite") and "r224" not in m)
    failures, ok, refused = [], 0, 0
    with tempfile.TemporaryDirectory(prefix="patchtop-fuzz-rand-") as tmp:
        for trial in range(count):
            model = os.path.join("SampleModels", rng.choice(models))
            ops = len(json.loads(subprocess.run([BINARY, "analyze", model, "--json"], capture_output=True, text=True, cwd=ROOT).stdout)["ops"])
            stages, op = [], 0
            while op < ops and rng.random() < 0.8:
                first = op + rng.randint(0, 2)
                last = first + rng.randint(0, 6)
                if last >= ops:
                    break
                stage = {"firstOp": first, "lastOp": last, "grid": [rng.choice([1, 2, 3, 4, 7]), rng.choice([1, 2, 3, 5])]}
                if rng.random() < 0.3:
                    stage["haloCache"] = rng.choice(["all", "auto", "rows", "columns", "none"])
                stages.append(stage)
                op = last + 1
            plan = {"stages": stages}
            for key in ["inplaceDepthwise", "streamInput", "fuseResidual", "foldPad", "int8IO"]:
                if rng.random() < 0.3:
                    plan[key] = True
            path = os.path.join(tmp, f"plan{trial}.json")
            with open(path, "w") as f:
                json.dump(plan, f)
            try:
                proc = subprocess.run([BINARY, "run", model, "--plan", path], capture_output=True, text=True, cwd=ROOT, timeout=300)
            except subprocess.TimeoutExpired:
                failures.append(f"HANG   {model} {json.dumps(plan)}")
                continue
            if proc.returncode == 0:
                if "identical     yes" in proc.stdout or "plan          layer-by-layer" in proc.stdout:
                    ok += 1
                else:
                    failures.append(f"WRONG  {model} {json.dumps(plan)}: {proc.stdout[:300]}")
            elif proc.returncode == 1 and proc.stderr.strip():
                refused += 1
            else:
                failures.append(f"TRAP   {model} {json.dumps(plan)}: exit {proc.returncode} {proc.stderr[-300:]}")
    for line in failures:
        print(line, flush=True)
    print(f"{count} random plans: {ok} ran identical to layer by layer, {refused} refused with a message, {len(failures)} failures")
    return len(failures)


def judge(case):
    name, args, expect, limit = case
    try:
        proc = subprocess.run([BINARY] + args, capture_output=True, cwd=ROOT, timeout=limit, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return name, args, "hang", f"still running after {limit}s"
    rc = proc.returncode
    err = proc.stderr.decode("utf-8", "replace")
    if rc < 0 or 132 <= rc <= 139 or "Fatal error" in err or "Swift runtime failure" in err:
        return name, args, "trap", f"exit {rc}: {err.strip()[-600:]}"
    if rc != 0 and not err.strip():
        return name, args, "silent", f"exit {rc} with nothing on stderr"
    if rc not in expect:
        return name, args, "wrong", f"exit {rc} (expected {expect}): {err.strip()[:300] or proc.stdout.decode('utf-8', 'replace')[:300]}"
    return name, args, None, f"exit {rc}: {err.strip().splitlines()[0][:200] if err.strip() else ''}"


def main():
    global BINARY
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/patchtop"))
    ap.add_argument("--only", default="")
    ap.add_argument("--skip", default=None, help="leave out cases whose name contains this")
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--random", type=int, default=0, metavar="N", help="instead: run N random plan files (see random_plans)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    BINARY = os.path.abspath(a.binary)
    if a.random:
        return 1 if random_plans(a.random, a.seed) else 0
    tmp = tempfile.mkdtemp(prefix="patchtop-fuzz-")
    try:
        all_cases = [c for c in cases(tmp) if a.only in c[0] and not (a.skip and a.skip in c[0])]
        failures = 0
        with ThreadPoolExecutor(a.j) as pool:
            for name, args, verdict, detail in pool.map(judge, all_cases):
                if verdict:
                    failures += 1
                    print(f"{verdict.upper():6} {name}: patchtop {' '.join(args)[:200]}\n       {detail}", flush=True)
                elif a.v:
                    print(f"ok     {name}: {detail}", flush=True)
        print(f"{len(all_cases)} cases, {failures} failures")
        return 1 if failures else 0
    finally:
        for root, dirs, _ in os.walk(tmp):
            for d in dirs:
                try:
                    os.chmod(os.path.join(root, d), 0o755)
                except OSError:
                    pass
        shutil.rmtree(tmp, ignore_errors=True)


BINARY = None
if __name__ == "__main__":
    sys.exit(main())
