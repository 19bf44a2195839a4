#!/usr/bin/env bash
# Issue 18: a distill killed with kill -9 during k-means and during decode, resumed with --resume, against
# the same distill never stopped: the files must be byte-identical (summary.json but for its timings) and
# the resumed run's time is what a user waits after the kill.
#   usage: docs/bench/resume.sh WORK -- DISTILL-OPTIONS (without --out)
#   e.g.:  docs/bench/resume.sh /tmp/resume -- --input /usr/share/datasets/fashion-mnist --prior PRIOR --ipc 10
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
W=$1; shift; [[ ${1:-} == -- ]] && shift
mkdir -p "$W"
now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{printf "%.1f", $2 - $1}'; }

# An uninterrupted run, the reference.
rm -rf "$W/whole"
t0=$(now); "$ROOT/bin/ddoq" distill "$@" --out "$W/whole" >"$W/whole.log" 2>&1 || { echo "whole run failed: $W/whole.log"; exit 1; }
echo "uninterrupted: $(secs "$t0" "$(now)") s"

# kill_at NAME PATTERN: starts the run, kill -9 as soon as its log shows PATTERN, then resumes it.
kill_at() {
  local name=$1 pattern=$2 out="$W/$1"; shift 2
  rm -rf "$out"
  t0=$(now)
  "$ROOT/bin/ddoq" distill "$@" --out "$out" >"$out.log" 2>&1 &   # bin/ddoq execs java: $! is the JVM
  local pid=$!
  until grep -q "$pattern" "$out.log" 2>/dev/null; do
    kill -0 $pid 2>/dev/null || { echo "$name: the run ended before '$pattern'"; return 1; }
    sleep 0.1
  done
  kill -9 $pid; wait $pid 2>/dev/null
  local killed; killed=$(secs "$t0" "$(now)")
  echo "$name: killed after $killed s; OUT then: $(cd "$out" && find . -maxdepth 2 | sort | tr '\n' ' ')"
  t0=$(now)
  "$ROOT/bin/ddoq" distill "${ARGS[@]}" --out "$out" --resume >"$out.resume.log" 2>&1 || { echo "resume failed: $out.resume.log"; return 1; }
  echo "$name: resumed in $(secs "$t0" "$(now)") s ($(grep -o 'Resuming.*' "$out.resume.log"))"
  if diff -r -x summary.json "$W/whole" "$out" >/dev/null && same_summary "$W/whole" "$out"; then
    echo "$name: byte-identical to the uninterrupted run (summary.json but for its timings)"
  else
    echo "$name: DIFFERS from the uninterrupted run"; diff -r -q "$W/whole" "$out"
  fi
}
# summary.json equal but for what a clock or the resume itself writes.
same_summary() {
  /usr/bin/python3 - "$1/summary.json" "$2/summary.json" <<'PY'
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("seconds", "started", "finished", "resumed_after")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
a, b = (strip(json.load(open(f))) for f in sys.argv[1:])
sys.exit(0 if a == b else 1)
PY
}
ARGS=("$@")
kill_at kmeans "ClassQuantizer: Quantizing" "$@"
kill_at decode "Replaced\|Decoding" "$@"
