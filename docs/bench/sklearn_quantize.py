#!/usr/bin/python3
"""Per-class k-means distortion of ddoq (in-task k-means, or MLlib for classes over maxTaskBytes) against scikit-learn on the same latents.

usage: /usr/bin/python3 docs/bench/sklearn_quantize.py OUT NPY_DIR [--ipc K]
  OUT      a distill output (its summary.json holds ddoq's per-class distortion and quantize time)
  NPY_DIR  `bin/ddoq export-latents --latents OUT/latents --out NPY_DIR`
Prints a markdown table: per class, ddoq's distortion, scikit-learn KMeans (k-means++, 3 inits) and
MiniBatchKMeans (D4M's choice), the ratio ddoq / sklearn, and the wall times.
Needs Debian's python3-sklearn and python3-numpy (/usr/bin/python3, not a pyenv python).
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    out, npy_dir = argv[1], argv[2]
    summary = json.load(open(os.path.join(out, "summary.json")))
    k = int(argv[argv.index("--ipc") + 1]) if "--ipc" in argv else summary["parameters"]["ipc"]
    print(f"| class | n | ddoq distortion | sklearn KMeans (3 inits) | ratio | MiniBatchKMeans | sklearn s |")
    print("|---|---|---|---|---|---|---|")
    ratios, sk_total = [], 0.0
    for c in summary["classes"]:
        x = np.load(os.path.join(npy_dir, f"label_{c['label']}.npy")).astype(np.float64)
        t0 = time.perf_counter()
        km = KMeans(n_clusters=k, init="k-means++", n_init=3, random_state=0).fit(x)
        sk_s = time.perf_counter() - t0
        sk_total += sk_s
        mb = MiniBatchKMeans(n_clusters=k, random_state=0, n_init=3).fit(x)
        sk = km.inertia_ / len(x)
        mbd = mb.inertia_ / len(x)
        ratio = c["distortion"] / sk
        ratios.append(ratio)
        print(f"| {c['class_name']} | {len(x)} | {c['distortion']:.5g} | {sk:.5g} | {ratio:.4f} | {mbd:.5g} | {sk_s:.2f} |")
    print()
    print(f"median ratio ddoq/sklearn: {np.median(ratios):.4f}; worst: {max(ratios):.4f}")
    print(f"quantize wall time: ddoq {summary['seconds']['quantize']:.1f} s (all classes, incl. exact W2), "
          f"sklearn KMeans {sk_total:.1f} s (all classes, one process)")


if __name__ == "__main__":
    main(sys.argv)
