#!/usr/bin/python3
"""The DD-Ranking view of several `ddoq evaluate` runs of one label protocol: every row's mean accuracy
and its gain over the random real subset of the same IPC (from whichever of the runs trained it).

usage: /usr/bin/python3 docs/bench/gain_table.py EVAL_DIR_OR_RESULTS_JSON ...   (markdown on stdout)
An evaluation still running (no results.json yet) is read from its finished students (EVAL/students/);
its rows then say how many seeds they hold.
"""
import glob
import json
import os
import statistics
import sys


def from_students(d):
    """results.json's shape, rebuilt from the per-student records of an unfinished evaluation."""
    runs = {}
    for f in sorted(glob.glob(f"{d}/students/*.json")):
        with open(f) as fh:
            r = json.load(fh)
        runs.setdefault(r["method"], []).append(r)
    methods = []
    for key, rs in runs.items():
        method, _, where = key.partition("@")
        acc = [r["accuracy"] for r in rs]
        methods.append({"method": method, "set": where, "ipc": rs[0]["images"] // 10 if method != "random"
                        else int(where.removeprefix("ipc")), "mean": statistics.mean(acc),
                        "std": statistics.pstdev(acc), "seeds": len(acc)})
    return {"settings": {"labels": "(unfinished)"}, "methods": methods}


def main(dirs):
    rows, random, whole, protocol = [], {}, None, set()
    for d in dirs:
        path = d if d.endswith(".json") else f"{d}/results.json"
        if os.path.exists(path):
            with open(path) as f:
                results = json.load(f)
        else:
            results = from_students(d)
        protocol.add(results["settings"]["labels"])
        for m in results["methods"]:
            if m["method"] == "whole":
                whole = 100 * m["mean"]
            elif m["method"] == "random":
                random[m["ipc"]] = (100 * m["mean"], 100 * m["std"])
            else:
                rows.append(m)
    if len(protocol) > 1:
        sys.exit(f"runs of different label protocols {sorted(protocol)}: gains would compare unlike things")
    print("| IPC | set | weights | accuracy % | gain over random |")
    print("|---|---|---|---|---|")
    for ipc, (mean, std) in sorted(random.items()):
        print(f"| {ipc} | random real | uniform | {mean:.2f} +- {std:.2f} | 0 |")
        for m in sorted((r for r in rows if r["ipc"] == ipc), key=lambda r: -r["mean"]):
            acc = 100 * m["mean"]
            seeds = f" ({m['seeds']} seeds)" if "seeds" in m else ""
            print(f"| {ipc} | {m['set']} | {m['method']} | {acc:.2f} +- {100 * m['std']:.2f}{seeds} | {acc - mean:+.2f} |")
    if whole is not None:
        print(f"| - | whole training set (teacher) | - | {whole:.2f} | |")


if __name__ == "__main__":
    main(sys.argv[1:])
