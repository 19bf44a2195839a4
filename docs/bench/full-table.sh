#!/usr/bin/env bash
# The full table of docs/results.md ("The full table for the chosen configuration"): the nearest20 sets (the
# nearest decoder, a teacher's choice among 20 candidates) at IPC 1 / 10 / 50, each evaluated with hard and with
# teacher labels, 3 seeds, random / uniform / mass / sqrt, cheapest cells first.
# usage: docs/bench/full-table.sh NAME DATA PRIOR TEACHER_DIR WORK [CACHE_DIR]
#   NAME        fashion | cifar: folder names WORK/NAME-ipcN-nearest20 (sets), WORK/eval-NAME-ipcN-LABELS (evaluations)
#   TEACHER_DIR the built-in teacher's cache folder (<cache>/teachers/<key>); it picks the images and, through
#               the cache, gives the teacher labels
# Stopped midway, the same command goes on where it was: finished sets and evaluations are skipped and an
# evaluation keeps its finished students (EVAL/students). On a fresh machine it also starts from the students
# committed in docs/results/students/eval-NAME-ipcN-LABELS/ (docs/results/students/README.md). IPCS="50" (default
# "1 10 50") runs only those IPCs. At IPC 1 a class has one image: one weighting is trained.
# Two of these side by side on 2 cores: start each with OMP_NUM_THREADS=1 (one JVM trains one student at a time).
set -uo pipefail
NAME=$1 DATA=$2 PRIOR=$3 TEACHER=$4 WORK=$5 CACHE=${6:-$HOME/.cache/ddoq}
cd "$(dirname "$0")/../.."
run() { echo "+ $(date +%T) $*" >&2; /usr/bin/time -f "%e s wall, %M KB max RSS" "$@"; }
set_of() { echo "$WORK/$NAME-ipc$1-nearest20"; }
distill() {
  [[ -f "$(set_of "$1")/_SUCCESS" ]] || run bin/ddoq distill --input "$DATA" --prior "$PRIOR" --ipc "$1" \
    --decoder nearest --candidates 20 --teacher "$TEACHER" --out "$(set_of "$1")" --resume --overwrite
}
evaluate() {   # IPC LABELS METHODS [SUFFIX]
  local out="$WORK/eval-$NAME-ipc$1-$2${4:-}" kept="docs/results/students/eval-$NAME-ipc$1-$2${4:-}"
  [[ -f "$out/results.json" ]] && return
  if [[ -d "$kept" ]]; then mkdir -p "$out/students" && cp -n "$kept"/*.json "$out/students/"; fi
  run bin/ddoq evaluate --data "$DATA" --labels "$2" --cache-dir "$CACHE" \
    --methods "$3" --distilled "nearest20=$(set_of "$1")" --out "$out"
}
IPCS=${IPCS:-1 10 50}
has() { [[ " $IPCS " == *" $1 "* ]]; }
for ipc in $IPCS; do distill "$ipc"; done
if has 1; then
  evaluate 1 teacher random,mass
  evaluate 1 hard random,mass
fi
if has 10; then
  evaluate 10 teacher random,mass
  evaluate 10 hard random,mass
  evaluate 10 teacher uniform,sqrt -weights
  evaluate 10 hard uniform,sqrt -weights
fi
if has 50; then   # students in this order: mass and random first, so a stopped run already gives the gain
  evaluate 50 teacher mass,random,uniform,sqrt
  evaluate 50 hard mass,random,uniform,sqrt
fi
echo "full table of $NAME done $(date +%T)" >&2
/usr/bin/python3 docs/bench/gain_table.py "$WORK"/eval-"$NAME"-ipc*-teacher*
/usr/bin/python3 docs/bench/gain_table.py "$WORK"/eval-"$NAME"-ipc*-hard*
