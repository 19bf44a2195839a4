#!/usr/bin/python3
"""Accuracy against images per class, one line per method, from several `ddoq evaluate` results.json.

usage: [SETS=a,b] /usr/bin/python3 docs/bench/plot_results.py OUT.png TITLE RESULTS [RESULTS ...]
RESULTS is an evaluation folder (its results.json) or a results JSON file (docs/results/*.json). Needs Debian's
python3-matplotlib. Rows with the same method and set name across the runs form a line (a point given twice,
as the random rows several evaluations share, is drawn once); the whole-training-set accuracy is drawn as a
horizontal line. SETS keeps only the rows of those distilled sets (and random real and whole).
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {"random": "random real", "uniform": "uniform (D4M)", "mass": "DDOQ mass", "sqrt": "DDOQ sqrt"}


def main(out, title, dirs):
    lines, whole = {}, None
    sets = [s for s in os.environ.get("SETS", "").split(",") if s]
    for d in dirs:
        with open(d if d.endswith(".json") else f"{d}/results.json") as f:
            results = json.load(f)
        for m in results["methods"]:
            if m["method"] == "whole":
                whole = 100 * m["mean"]
                continue
            if sets and m["method"] != "random" and m["set"] not in sets:
                continue
            name = LABELS.get(m["method"], m["method"])
            if m["method"] != "random":
                name += f" [{m['set']}]"
            points = lines.setdefault(name, {})
            points.setdefault(m["ipc"], (m["ipc"], 100 * m["mean"], 100 * m["std"]))
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    for name, points in sorted(lines.items()):
        xs, ys, es = zip(*sorted(points.values()))
        ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=name)
    if whole is not None:
        ax.axhline(whole, color="grey", linestyle="--", label=f"whole training set ({whole:.1f})")
    ax.set_xscale("log")
    ax.set_xlabel("images per class")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
