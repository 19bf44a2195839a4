#!/usr/bin/env bash
# The CIFAR-10 student evaluations of docs/results.md, one after the other (each uses both cores; run
# nothing heavy beside them). Expects the distilled sets of the "CIFAR-10" section:
#   bin/ddoq distill --input CIFAR --prior PRIOR --ipc N --out SETS/cN          (N = 1, 10, 50)
#   bin/ddoq decode --distilled SETS/cN --decoder vae --out SETS/cN-vae
# usage: docs/bench/cifar-evaluations.sh CIFAR SETS EVALS
# Estimated on 2 idle cores (students ~250 img/s at 32x32x3): IPC 1 ~5 min, IPC 10 ~30 min, IPC 50
# ~2 h per label protocol; teacher labels add ~25 %. The teacher (4 epochs) is trained once and cached.
# Stopped midway, the script starts again where it was: finished evaluations are skipped and an
# interrupted one keeps its finished students (EVAL/students, docs/evaluation.md).
set -euo pipefail
CIFAR=$1 SETS=$2 EVALS=$3
cd "$(dirname "$0")/../.."
for ipc in 1 10 50; do
  for labels in hard teacher; do
    out="$EVALS/cifar-ipc$ipc-$labels"
    [[ -f "$out/results.json" ]] && continue   # finished in an earlier session
    # VAE decoding only: the teacher recognises 60-71 % of its images against 40-46 % of the tiny DiT's.
    /usr/bin/time -f "%e s wall" bin/ddoq evaluate --distilled "vae=$SETS/c$ipc-vae" --data "$CIFAR" \
      --out "$out" --labels "$labels" --overwrite
  done
done
