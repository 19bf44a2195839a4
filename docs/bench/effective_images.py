#!/usr/bin/python3
"""Effective number of images per class of a distilled set under mass and sqrt weights: (sum w)^2 / sum w^2.

usage: /usr/bin/python3 docs/bench/effective_images.py OUT/manifest.csv
Uniform weights give IPC exactly; the more unequal the cells' masses, the fewer images the weighted loss
effectively trains on. Read from the manifest's `count` column (the cell mass times the class size), so
one run gives both weightings.
"""
import collections
import csv
import math
import sys


def effective(weights):
    return sum(weights) ** 2 / sum(w * w for w in weights)


def main(manifest):
    counts = collections.defaultdict(list)
    with open(manifest, newline="") as f:
        for row in csv.DictReader(f):
            counts[row["class_name"]].append(int(row["count"]))
    sizes = sorted({len(c) for c in counts.values()})
    images = str(sizes[0]) if len(sizes) == 1 else f"{sizes[0]}-{sizes[-1]}"
    for name, weigh in (("mass", lambda n: n), ("sqrt", math.sqrt)):
        per_class = [effective([weigh(n) for n in c]) for c in counts.values()]
        print(f"{name}: {min(per_class):.1f}-{max(per_class):.1f} effective images per class "
              f"(mean {sum(per_class) / len(per_class):.1f}) of {images}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
