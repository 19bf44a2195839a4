#!/usr/bin/env bash
# Spark GPU discovery script (spark.worker.resource.gpu.discoveryScript and
# spark.executor.resource.gpu.discoveryScript). Spark runs it once at Worker/executor start and reads one
# JSON object from stdout: {"name":"gpu","addresses":["0","1",...]}.
# The addresses are nvidia-smi indices because ddoq uses an address as the CUDA device ordinal
# (Devices.java): do not renumber GPUs with CUDA_VISIBLE_DEVICES on the executors.
# Exits non-zero when nvidia-smi is missing or lists no GPU, so a misconfigured Worker fails at start
# with this message instead of advertising GPUs it does not have.
set -euo pipefail
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "getGpusResources.sh: nvidia-smi not found on PATH; is the NVIDIA driver installed?" >&2
  exit 1
fi
indices=$(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' \r' | grep -E '^[0-9]+$' || true)
if [[ -z "$indices" ]]; then
  echo "getGpusResources.sh: nvidia-smi lists no GPU" >&2
  exit 1
fi
printf '{"name":"gpu","addresses":[%s]}\n' "$(printf '%s\n' $indices | sed 's/.*/"&"/' | paste -sd, -)"
