#!/usr/bin/env bash
# ddoq on Kubernetes, cluster mode: driver and executors are pods of the image built from
# submit-scripts/k8s/Dockerfile, which holds the application jar and PyTorch's native library.
# --input, --out and --prior must be paths the pods reach (s3a://, or a volume mounted in every pod).
set -euo pipefail
DDOQ_SCRIPT="$(basename "$0")"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DDOQ_MANAGER=k8s
DDOQ_DEFAULT_APP_JAR=local:///opt/ddoq/ddoq-app.jar
DDOQ_DEFAULT_DJL_CACHE=/opt/djl-cache
DDOQ_DEFAULT_DISCOVERY=/opt/ddoq/conf/gpu/getGpusResources.sh
DDOQ_MANAGER_HELP="
  DDOQ_MASTER              required: k8s://https://API-SERVER:PORT (kubectl cluster-info shows it)
  DDOQ_IMAGE               required: the ddoq image (submit-scripts/k8s/Dockerfile), e.g. registry/ddoq:0.1.0
  DDOQ_NAMESPACE           default 'default'
  DDOQ_SERVICE_ACCOUNT     the driver's service account, allowed to create pods (default 'spark')
  DDOQ_NUM_EXECUTORS       executor pods (default 2)"
ddoq_parse_args "$@"
[[ -n "${DDOQ_MASTER:-}" ]] || ddoq_die "DDOQ_MASTER is not set: export DDOQ_MASTER=k8s://https://API-SERVER:PORT (from 'kubectl cluster-info')"
[[ "$DDOQ_MASTER" == k8s://* ]] || ddoq_die "DDOQ_MASTER=$DDOQ_MASTER is not a Kubernetes master URL (k8s://https://HOST:PORT)"
[[ -n "${DDOQ_IMAGE:-}" ]] || ddoq_die "DDOQ_IMAGE is not set: build and push submit-scripts/k8s/Dockerfile (docs/deploy.md) and export DDOQ_IMAGE=REGISTRY/ddoq:TAG"
DDOQ_NUM_EXECUTORS="${DDOQ_NUM_EXECUTORS:-2}"
ddoq_require_number DDOQ_NUM_EXECUTORS "$DDOQ_NUM_EXECUTORS" '^[1-9][0-9]*$' "a positive number of executors"
DDOQ_DEPLOY_MODE=cluster
ddoq_common_settings
DDOQ_CONF+=("spark.kubernetes.container.image=$DDOQ_IMAGE"
  "spark.kubernetes.namespace=${DDOQ_NAMESPACE:-default}"
  "spark.kubernetes.authenticate.driver.serviceAccountName=${DDOQ_SERVICE_ACCOUNT:-spark}"
  "spark.kubernetes.driverEnv.DJL_CACHE_DIR=$DJL_CACHE_DIR")
if (( DDOQ_GPUS_PER_EXECUTOR > 0 )); then
  # Kubernetes asks the device plugin for nvidia.com/gpu: the vendor names the extended resource.
  DDOQ_CONF+=("spark.executor.resource.gpu.vendor=nvidia.com")
fi
ddoq_submit
