#!/usr/bin/python3
"""Writes scikit-learn's 1,797 digit scans (bundled with scikit-learn, no download) as a PNG ImageFolder.

usage: /usr/bin/python3 docs/bench/digits_folder.py OUT [--scale S]
  OUT/digit_<d>/<index>.png, 8 x 8 greyscale scans (values 0-16 stretched to 0-255), each pixel repeated
  S x S times (default 4: 32 x 32, large enough for the VAE's 4x downsampling to leave 8 x 8 latents).
The second real data set of docs/benchmarks.md (k-means quality) and docs/usage.md (bad inputs).
Needs Debian's python3-sklearn, python3-numpy and python3-pil (/usr/bin/python3).
"""
import os
import sys

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out = argv[1]
    scale = int(argv[argv.index("--scale") + 1]) if "--scale" in argv else 4
    digits = load_digits()
    for i, (scan, label) in enumerate(zip(digits.images, digits.target)):
        pixels = np.round(scan * (255.0 / 16.0)).astype(np.uint8)
        pixels = np.kron(pixels, np.ones((scale, scale), dtype=np.uint8))
        folder = os.path.join(out, f"digit_{label}")
        os.makedirs(folder, exist_ok=True)
        Image.fromarray(pixels, mode="L").save(os.path.join(folder, f"{i:04d}.png"))
    print(f"wrote {len(digits.target)} images in 10 classes to {out}")


if __name__ == "__main__":
    main(sys.argv)
