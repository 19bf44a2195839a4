#!/usr/bin/env bash
# ddoq under spark-submit in local mode: the driver runs everything in one JVM on this machine's cores.
# (bin/ddoq does the same without a Spark installation; this is for machines that have one.)
set -euo pipefail
DDOQ_SCRIPT="$(basename "$0")"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DDOQ_MANAGER=local
DDOQ_DEFAULT_APP_JAR="$DDOQ_ROOT/spark-jobs/target/ddoq-app.jar"
DDOQ_DEFAULT_DJL_CACHE="${HOME}/.djl.ai"
DDOQ_DEFAULT_DISCOVERY="$DDOQ_ROOT/conf/gpu/getGpusResources.sh"
DDOQ_MANAGER_HELP="
  DDOQ_MASTER              default local[*] (all cores); local[N] for N"
ddoq_parse_args "$@"
DDOQ_MASTER="${DDOQ_MASTER:-local[*]}"
[[ "$DDOQ_MASTER" =~ ^local(\[([0-9]+|\*)\])?$ ]] || ddoq_die "DDOQ_MASTER=$DDOQ_MASTER is not local, local[N] or local[*] (for a cluster use submit-standalone.sh, submit-yarn.sh or submit-k8s.sh)"
ddoq_common_settings
ddoq_submit
