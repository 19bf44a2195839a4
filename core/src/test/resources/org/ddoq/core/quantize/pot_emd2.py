"""Reference W2^2 for UniformTransportTest: exact EMD from POT with uniform masses.

Input file: repeated cases, each a line "n k d", then n point rows, then k centroid rows.
Prints one repr(float) per case.
"""
import sys

import numpy as np
import ot

with open(sys.argv[1]) as f:
    tokens = f.read().split()
pos = 0
while pos < len(tokens):
    n, k, d = (int(t) for t in tokens[pos:pos + 3])
    pos += 3
    x = np.array(tokens[pos:pos + n * d], dtype=np.float64).reshape(n, d)
    pos += n * d
    c = np.array(tokens[pos:pos + k * d], dtype=np.float64).reshape(k, d)
    pos += k * d
    m = ot.dist(x, c, metric="sqeuclidean")
    print(repr(float(ot.emd2(np.full(n, 1.0 / n), np.full(k, 1.0 / k), m, numItermax=10_000_000))))
