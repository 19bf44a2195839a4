#!/usr/bin/python3
"""The DD-Ranking view of several `ddoq evaluate` runs of one label protocol: every row's mean accuracy
and its gain over the random real subset of the same IPC (from whichever of the runs trained it).

usage: /usr/bin/python3 docs/bench/gain_table.py EVAL_DIR_OR_RESULTS_JSON ...   (markdown on stdout)
"""
import json
import sys


def main(dirs):
    rows, random, whole, protocol = [], {}, None, set()
    for d in dirs:
        with open(d if d.endswith(".json") else f"{d}/results.json") as f:
            results = json.load(f)
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
            print(f"| {ipc} | {m['set']} | {m['method']} | {acc:.2f} +- {100 * m['std']:.2f} | {acc - mean:+.2f} |")
    if whole is not None:
        print(f"| - | whole training set (teacher) | - | {whole:.2f} | |")


if __name__ == "__main__":
    main(sys.argv[1:])
