#!/usr/bin/env bash
# The four plots over IPC of docs/results.md's full table (nearest20 against random real, both data sets, both
# label protocols), drawn from the results JSON kept in docs/results/ (an IPC not measured yet is left out).
# usage: docs/bench/plot-full-table.sh   (needs Debian's python3-matplotlib)
set -euo pipefail
cd "$(dirname "$0")/../.."
R=docs/results
plot() {   # OUT TITLE JSON...
  local out=$1 title=$2; shift 2
  local have=(); for f in "$@"; do [[ -f $R/$f ]] && have+=("$R/$f"); done
  SETS=nearest20 /usr/bin/python3 docs/bench/plot_results.py "$R/$out" "$title" "${have[@]}"
  echo "$R/$out from ${have[*]}"
}
plot fashion-nearest20-teacher-vs-ipc.png "Fashion-MNIST, teacher labels (91.2 % ConvNet-3), nearest20" \
  fashion-ipc1-teacher-builtin-nearest20.json fashion-ipc10-teacher-builtin-decoders.json \
  fashion-ipc10-teacher-builtin-nearest20-weights.json fashion-ipc50-teacher-builtin-nearest20.json
plot fashion-nearest20-hard-vs-ipc.png "Fashion-MNIST, hard labels, nearest20" \
  fashion-ipc1-hard-builtin-nearest20.json fashion-ipc10-hard-builtin-nearest20.json \
  fashion-ipc10-hard-builtin-nearest20-weights.json fashion-ipc50-hard-builtin-nearest20.json
plot cifar-nearest20-teacher-vs-ipc.png "CIFAR-10, teacher labels (77.8 % ConvNet-3), nearest20" \
  cifar-ipc1-teacher-builtin-nearest20.json cifar-ipc10-teacher-builtin-nearest20-weights.json \
  cifar-ipc50-teacher-builtin-nearest20.json
plot cifar-nearest20-hard-vs-ipc.png "CIFAR-10, hard labels, nearest20" \
  cifar-ipc1-hard-builtin-nearest20.json cifar-ipc10-hard-builtin-nearest20.json \
  cifar-ipc10-hard-builtin-nearest20-weights.json cifar-ipc50-hard-builtin-nearest20.json
