#!/usr/bin/env bash
# ddoq on YARN. Cluster mode by default: the driver runs in the ApplicationMaster's container, so
# --input, --out and --prior must be cluster paths (hdfs://, s3a://, or a disk every node mounts).
set -euo pipefail
DDOQ_SCRIPT="$(basename "$0")"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DDOQ_MANAGER=yarn
DDOQ_DEFAULT_APP_JAR="$DDOQ_ROOT/spark-jobs/target/ddoq-app.jar"
DDOQ_DEFAULT_DJL_CACHE=/var/tmp/ddoq-djl-cache
DDOQ_DEFAULT_DISCOVERY="$DDOQ_ROOT/conf/gpu/getGpusResources.sh"
DDOQ_MANAGER_HELP="
  HADOOP_CONF_DIR          required: the directory with the cluster's core-site.xml and yarn-site.xml
  DDOQ_NUM_EXECUTORS       executors (default: Spark's dynamic allocation or 2)
  DDOQ_QUEUE               YARN queue (default: the scheduler's default queue)
  DDOQ_DEPLOY_MODE         cluster (default) or client"
ddoq_parse_args "$@"
HADOOP_CONF_DIR="${HADOOP_CONF_DIR:-${YARN_CONF_DIR:-}}"
[[ -n "$HADOOP_CONF_DIR" ]] || ddoq_die "HADOOP_CONF_DIR is not set: export HADOOP_CONF_DIR=/etc/hadoop/conf (the directory with the cluster's yarn-site.xml)"
[[ -d "$HADOOP_CONF_DIR" ]] || ddoq_die "HADOOP_CONF_DIR=$HADOOP_CONF_DIR is not a directory"
export HADOOP_CONF_DIR
DDOQ_MASTER=yarn
DDOQ_DEPLOY_MODE="${DDOQ_DEPLOY_MODE:-cluster}"
[[ "$DDOQ_DEPLOY_MODE" == client || "$DDOQ_DEPLOY_MODE" == cluster ]] || ddoq_die "DDOQ_DEPLOY_MODE must be client or cluster, not '$DDOQ_DEPLOY_MODE'"
if [[ -n "${DDOQ_NUM_EXECUTORS:-}" ]]; then
  ddoq_require_number DDOQ_NUM_EXECUTORS "$DDOQ_NUM_EXECUTORS" '^[1-9][0-9]*$' "a positive number of executors"
fi
ddoq_common_settings
if [[ "$DDOQ_DEPLOY_MODE" == cluster ]]; then
  # The driver runs in the ApplicationMaster's container: it gets its environment from these settings.
  DDOQ_CONF+=("spark.yarn.appMasterEnv.DJL_CACHE_DIR=$DJL_CACHE_DIR")
fi
ddoq_submit
