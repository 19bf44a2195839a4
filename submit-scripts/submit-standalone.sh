#!/usr/bin/env bash
# ddoq on a Spark standalone cluster (client mode: the driver runs here and writes summary.json etc.
# through Hadoop's file system, so --out must be a path every executor and this machine can reach:
# a shared disk, HDFS or s3a://).
set -euo pipefail
DDOQ_SCRIPT="$(basename "$0")"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DDOQ_MANAGER=standalone
DDOQ_DEFAULT_APP_JAR="$DDOQ_ROOT/spark-jobs/target/ddoq-app.jar"
DDOQ_DEFAULT_DJL_CACHE=/var/tmp/ddoq-djl-cache
DDOQ_DEFAULT_DISCOVERY="$DDOQ_ROOT/conf/gpu/getGpusResources.sh"
DDOQ_MANAGER_HELP="
  DDOQ_MASTER              required: the Master's URL, spark://HOST:7077 (shown on its web UI)
  DDOQ_TOTAL_EXECUTOR_CORES  cores of the whole application (default: every free core of the cluster)
  DDOQ_DEPLOY_MODE         client (default) or cluster"
ddoq_parse_args "$@"
[[ -n "${DDOQ_MASTER:-}" ]] || ddoq_die "DDOQ_MASTER is not set: export DDOQ_MASTER=spark://HOST:7077, the URL your standalone Master shows on its web UI"
[[ "$DDOQ_MASTER" == spark://* ]] || ddoq_die "DDOQ_MASTER=$DDOQ_MASTER is not a standalone Master URL (spark://HOST:PORT); for YARN use submit-yarn.sh, for Kubernetes submit-k8s.sh"
DDOQ_DEPLOY_MODE="${DDOQ_DEPLOY_MODE:-client}"
[[ "$DDOQ_DEPLOY_MODE" == client || "$DDOQ_DEPLOY_MODE" == cluster ]] || ddoq_die "DDOQ_DEPLOY_MODE must be client or cluster, not '$DDOQ_DEPLOY_MODE'"
if [[ -n "${DDOQ_TOTAL_EXECUTOR_CORES:-}" ]]; then
  ddoq_require_number DDOQ_TOTAL_EXECUTOR_CORES "$DDOQ_TOTAL_EXECUTOR_CORES" '^[1-9][0-9]*$' "a positive number of cores"
fi
ddoq_common_settings
ddoq_submit
