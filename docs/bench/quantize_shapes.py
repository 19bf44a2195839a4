#!/usr/bin/python3
"""scikit-learn and faiss k-means on the latents QuantizeShapesBenchmark wrote, against ddoq's quantize stage.

usage: OMP_NUM_THREADS=2 /usr/bin/python3 docs/bench/quantize_shapes.py DIR [--repeats R] [--no-faiss]
  DIR  the benchmark's output: label_<L>.npy (float32, n x d) per class and ddoq.json (ddoq's per-class
       distortion, fit times, k).
Per class, in one process, timing only the fit (not the .npy load):
  sklearn  KMeans(n_clusters=k, init="k-means++", n_init=3, random_state=label) on the float32 latents
  faiss    faiss.Kmeans(d, k, niter=50, nredo=3, seed=label, max_points_per_centroid=n): 50 iterations
           = ddoq's maxIter, every point used (faiss would otherwise subsample above 256 points per centroid,
           and warn below 39)
The distortion of each is recomputed here the same way (mean squared distance to the nearest centroid, in
float64), and compared with ddoq's (exact, in double, in the stage). Wall times: the sum of the per-class
fits, median over R repeats of the whole loop; CPU: the process's CPU seconds over the same fits (all
threads, OpenMP's spinning included). Prints a markdown summary and writes DIR/peers.json.
Needs Debian's python3-sklearn and python3-numpy; faiss from the faiss-cpu wheel (docs/benchmarks.md).
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.cluster import KMeans


def distortion(x64, centroids):
    c = np.asarray(centroids, dtype=np.float64)
    d2 = (x64 * x64).sum(1)[:, None] - 2.0 * x64 @ c.T + (c * c).sum(1)[None, :]
    return float(np.maximum(d2.min(1), 0.0).mean())


def run(directory, peer, repeats, ddoq):
    k, n_classes = ddoq["k"], ddoq["classes"]
    totals, cpu, dist = [], [], []
    for r in range(repeats):
        total, total_cpu = 0.0, 0.0
        for label in range(n_classes):
            x = np.load(os.path.join(directory, f"label_{label}.npy"))
            t0, c0 = time.perf_counter(), time.process_time()
            centroids = peer(x, k, label)
            total += time.perf_counter() - t0
            total_cpu += time.process_time() - c0
            if r == 0:
                dist.append(distortion(x.astype(np.float64), centroids))
        totals.append(total)
        cpu.append(total_cpu)
    return totals, cpu, dist


def sklearn_fit(x, k, label):
    return KMeans(n_clusters=k, init="k-means++", n_init=3, random_state=label).fit(x).cluster_centers_


def faiss_fit(x, k, label):
    import faiss

    km = faiss.Kmeans(x.shape[1], k, niter=50, nredo=3, seed=label, max_points_per_centroid=x.shape[0], min_points_per_centroid=1,
                      verbose=False)
    km.train(x)
    return km.centroids


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    directory = argv[1]
    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 3
    ddoq = json.load(open(os.path.join(directory, "ddoq.json")))
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    peers = {"sklearn": sklearn_fit}
    faiss_version = None
    if "--no-faiss" not in argv:
        try:
            import faiss

            faiss_version = faiss.__version__
            peers["faiss"] = faiss_fit
        except ImportError as e:
            print(f"faiss does not import ({e}); sklearn only")
    import sklearn
    from threadpoolctl import threadpool_info

    results = {}
    for name, peer in peers.items():
        totals, cpu, dist = run(directory, peer, repeats, ddoq)
        results[name] = {"seconds": totals, "cpu_seconds": cpu, "distortion": dist}
        print(f"{name}: {[round(t, 2) for t in totals]} s wall, {[round(t, 2) for t in cpu]} s CPU", flush=True)

    ddoq_s = float(np.median(ddoq["fit_seconds"]))
    ddoq_d = np.asarray(ddoq["distortion"])
    print()
    print(f"shape {ddoq['shape']}: {ddoq['classes']} classes x {ddoq['n']} x {ddoq['d']}, k = {ddoq['k']}; "
          f"OMP_NUM_THREADS={threads}, sklearn {sklearn.__version__}, faiss {faiss_version}, "
          f"numpy {np.__version__}; threadpools: "
          + ", ".join(f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info()))
    ddoq_cpu = float(np.median(ddoq["fit_cpu_seconds"]))
    print(f"ddoq quantize (ClassQuantizer.fit): median {ddoq_s:.2f} s of {[round(t, 2) for t in ddoq['fit_seconds']]}"
          f" wall, median {ddoq_cpu:.2f} s of the JVM's CPU")
    print()
    print("| peer | peer s (median) | ddoq s / peer s | peer CPU s | ddoq CPU / peer CPU"
          " | distortion ratio ddoq/peer median | worst | best |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        s = float(np.median(r["seconds"]))
        c = float(np.median(r["cpu_seconds"]))
        ratio = ddoq_d / np.asarray(r["distortion"])
        r["median_seconds"] = s
        r["distortion_ratio"] = {"median": float(np.median(ratio)), "worst": float(ratio.max()),
                                 "best": float(ratio.min())}
        print(f"| {name} | {s:.2f} | {ddoq_s / s:.2f} | {c:.2f} | {ddoq_cpu / c:.2f} | {np.median(ratio):.4f}"
              f" | {ratio.max():.4f} | {ratio.min():.4f} |")
    if "faiss" in results:
        f = np.asarray(results["faiss"]["distortion"]) / np.asarray(results["sklearn"]["distortion"])
        print(f"\nfaiss/sklearn distortion: median {np.median(f):.4f}, worst {f.max():.4f}")
    json.dump({"omp_num_threads": threads, "sklearn": sklearn.__version__, "faiss": faiss_version,
               "numpy": np.__version__, "results": results},
              open(os.path.join(directory, "peers.json"), "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv)
