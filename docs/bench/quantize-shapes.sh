#!/usr/bin/env bash
# The quantize stage against scikit-learn and faiss at ImageNet-like shapes (issue 17), in one run on one
# machine, on the very same synthetic latents.
#
# usage: docs/bench/quantize-shapes.sh SHAPE... (A B10 B50 C D)   env: OUT (default /tmp/qshapes), REPEATS
#   A 10 x 6,000 x 196 k 10 | B10, B50: 100 x 1,300 x 1,024 k 10, 50 | C 1,000 x 1,300 x 64 k 10 | D 1,000 x 1,300 x 1,024 k 10
# For each shape: QuantizeShapesBenchmark (Maven's bench profile, local[2], the stage's defaults) generates
# the latents on the executors, times ClassQuantizer.fit (median of REPEATS) and writes them as
# OUT/SHAPE/label_<L>.npy; then docs/bench/quantize_shapes.py fits scikit-learn's KMeans (k-means++,
# n_init 3) and faiss's Kmeans (nredo 3) per class on those files. Threads are pinned equal: 2 Spark
# task slots, one OpenBLAS thread per task (OPENBLAS_NUM_THREADS=1: netlib's JNIBLAS calls the system
# OpenBLAS), and OMP_NUM_THREADS=2 for scikit-learn and faiss. Peak RSS of each side: /usr/bin/time -f %M.
# faiss: pip install --target /work/pylib --no-deps faiss_cpu-*.whl (docs/benchmarks.md); FAISS_PATH
# overrides /work/pylib. Prints the load average before and after each side; logs in OUT/SHAPE/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-/tmp/qshapes}"
REPEATS="${REPEATS:-3}"
FAISS_PATH="${FAISS_PATH:-/work/pylib}"
[[ $# -ge 1 ]] || { sed -n 2,15p "$0"; exit 2; }

for shape in "$@"; do
  dir="$OUT/$shape"
  rm -rf "$dir" && mkdir -p "$dir"
  echo "== shape $shape, $(date -u +%FT%TZ), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd "$ROOT" && OPENBLAS_NUM_THREADS=1 /usr/bin/time -f "ddoq peak RSS %M KB, %e s wall" -o "$dir/time-ddoq.txt" \
     mvn -o -B -pl core test -Pbench -Dtest=QuantizeShapesBenchmark -Dddoq.excludedGroups= \
       -Dddoq.shape="$shape" -Dddoq.out="$dir" -Dddoq.repeats="$REPEATS" > "$dir/maven.log" 2>&1) \
    || { echo "benchmark failed: $dir/maven.log"; tail -20 "$dir/maven.log"; exit 1; }
  cp "$ROOT/core/target/surefire-reports/org.ddoq.core.stage.QuantizeShapesBenchmark-output.txt" "$dir/ddoq.log"
  grep -E '^(shape|generated|repeat|ddoq quantize|in-task|sgemm)' "$dir/ddoq.log"
  cat "$dir/time-ddoq.txt"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  # FAISS_OPT_LEVEL: the wheel's loader reads the CPU features through numpy>=2's numpy._core; with
  # Debian's numpy 1.24 that import fails unless the level is given (the wheel has one library).
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 FAISS_OPT_LEVEL="${FAISS_OPT_LEVEL:-AVX2}" \
    PYTHONPATH="$FAISS_PATH${PYTHONPATH:+:$PYTHONPATH}" \
    /usr/bin/time -f "peers peak RSS %M KB, %e s wall" -o "$dir/time-peers.txt" \
    /usr/bin/python3 "$ROOT/docs/bench/quantize_shapes.py" "$dir" --repeats "$REPEATS" | tee "$dir/peers.txt"
  cat "$dir/time-peers.txt"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  # The latents are large (B: 0.5 GB, D: 5.3 GB); keep them with KEEP_NPY=1.
  [[ "${KEEP_NPY:-0}" == 1 ]] || rm -f "$dir"/label_*.npy
done
