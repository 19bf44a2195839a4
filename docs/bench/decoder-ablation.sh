#!/usr/bin/env bash
# The decoder ablation of docs/results.md ("Which decoder"): the same IPC centroids (seed 0) delivered as
# VAE decodings, DiT decodings (strength 0.3 and 0.1) and as their nearest training images, each trained
# on with mass weights beside a random real subset; the nearest set also with uniform and sqrt weights.
# usage: docs/bench/decoder-ablation.sh NAME DATA PRIOR WORK LABELS [IPC] [-- extra evaluate flags]
#   NAME    a short name for the data set (fashion, cifar): output folders are WORK/NAME-ipcIPC-*
#   LABELS  hard | teacher (with extra flags such as --teacher FILE after --, named by TEACHER_NAME)
#   DECODERS (environment) the sets compared, default "vae dit03 dit01 nearest"; "nearestM" (e.g. nearest20)
#            is the nearest decoder choosing among M candidates by the teacher in SELECT_TEACHER (a .pt file
#            or a built-in teacher's cache folder); DiT sets are decoded only when named
# Stopped midway, it starts again where it was: finished sets and evaluations are skipped and an interrupted
# evaluation keeps its finished students (EVAL/students, docs/evaluation.md). Students use every core PyTorch
# sees; with two evaluations side by side on 2 cores, start each with OMP_NUM_THREADS=1.
set -euo pipefail
NAME=$1 DATA=$2 PRIOR=$3 WORK=$4 LABELS=$5 IPC=${6:-10}
shift $(( $# >= 6 ? 6 : $# ))
[[ "${1:-}" == "--" ]] && shift
EXTRA=("$@")
cd "$(dirname "$0")/../.."
SETS="$WORK/$NAME-ipc$IPC"
run() { echo "+ $*" >&2; /usr/bin/time -f "%e s wall, %M KB max RSS" "$@"; }
[[ -f "$SETS-vae/_SUCCESS" ]] || run bin/ddoq distill --input "$DATA" --prior "$PRIOR" --ipc "$IPC" --decoder vae \
  --keep-latents --out "$SETS-vae" --overwrite
[[ -f "$SETS-nearest/_SUCCESS" ]] || run bin/ddoq distill --input "$DATA" --prior "$PRIOR" --ipc "$IPC" \
  --decoder nearest --out "$SETS-nearest" --overwrite
for d in ${DECODERS:-}; do
  [[ $d =~ ^nearest([0-9]+)$ ]] || continue
  [[ -f "$SETS-$d/_SUCCESS" ]] || run bin/ddoq distill --input "$DATA" --prior "$PRIOR" --ipc "$IPC" \
    --decoder nearest --candidates "${BASH_REMATCH[1]}" --teacher "${SELECT_TEACHER:?set SELECT_TEACHER=FILE.pt for $d}" \
    --out "$SETS-$d" --overwrite
done
for s in 0.3 0.1; do
  [[ " ${DECODERS:-vae dit03 dit01 nearest} " == *" dit${s/./} "* ]] || continue
  [[ -f "$SETS-dit${s/./}/_SUCCESS" ]] || run bin/ddoq decode --distilled "$SETS-vae" --decoder dit --strength "$s" \
    --out "$SETS-dit${s/./}" --overwrite
done
tag="$LABELS${TEACHER_NAME:+-$TEACHER_NAME}"
EVAL="$WORK/eval-$NAME-ipc$IPC-$tag"
sets=""
for d in ${DECODERS:-vae dit03 dit01 nearest}; do sets+="${sets:+,}$d=$SETS-$d"; done
[[ -f "$EVAL-decoders/results.json" ]] || run bin/ddoq evaluate --data "$DATA" --labels "$LABELS" --methods random,mass \
  --distilled "$sets" --out "$EVAL-decoders" \
  --overwrite "${EXTRA[@]}"
[[ -f "$EVAL-weights/results.json" ]] || run bin/ddoq evaluate --data "$DATA" --labels "$LABELS" --methods uniform,sqrt \
  --distilled "nearest=$SETS-nearest" --out "$EVAL-weights" --overwrite "${EXTRA[@]}"
