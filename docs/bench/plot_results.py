#!/usr/bin/python3
"""Accuracy against images per class, one line per method, from several `ddoq evaluate` results.json.

usage: /usr/bin/python3 docs/bench/plot_results.py OUT.png TITLE EVAL_DIR [EVAL_DIR ...]
Needs Debian's python3-matplotlib. Rows with the same method and set name across the runs form a line;
the whole-training-set accuracy is drawn as a horizontal line.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {"random": "random real", "uniform": "uniform (D4M)", "mass": "DDOQ mass", "sqrt": "DDOQ sqrt"}


def main(out, title, dirs):
    lines, whole = {}, None
    for d in dirs:
        with open(f"{d}/results.json") as f:
            results = json.load(f)
        for m in results["methods"]:
            if m["method"] == "whole":
                whole = 100 * m["mean"]
                continue
            name = LABELS.get(m["method"], m["method"])
            if m["method"] != "random":
                name += f" [{m['set']}]"
            lines.setdefault(name, []).append((m["ipc"], 100 * m["mean"], 100 * m["std"]))
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    for name, points in sorted(lines.items()):
        points.sort()
        xs, ys, es = zip(*points)
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
