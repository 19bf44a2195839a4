# Shared by submit-local.sh, submit-standalone.sh, submit-yarn.sh and submit-k8s.sh (sourced, not run).
# Builds one spark-submit command for a ddoq sub-command and runs it, or prints it with --dry-run.
# The flags come in the order Airflow's SparkSubmitHook writes them (binary, --master, every --conf,
# --properties-file, --archives, --num-executors, --total-executor-cores, --executor-cores, --executor-memory,
# --driver-memory, --name, --class, --queue, --deploy-mode, the jar, the arguments), so the command of
# submit-scripts/airflow/ddoq_distill_evaluate.py can be checked against --dry-run word for word.
# Settings are environment variables (DDOQ_*), because everything after the command is ddoq's own.

DDOQ_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DDOQ_COMMANDS="distill train-prior train-teacher evaluate export-latents"

ddoq_die() {
  echo "$DDOQ_SCRIPT: error: $*" >&2
  exit 2
}

# Quotes one word for a POSIX shell exactly as Python's shlex.quote does, so a printed command can be
# pasted into a shell and compared with the argument list Airflow builds.
ddoq_quote() {
  if [[ -z "$1" ]]; then
    printf "''"
  elif [[ "$1" =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\"\'\"\'}"
  fi
}

ddoq_usage() {
  cat >&2 <<USAGE
usage: $DDOQ_SCRIPT [--dry-run] <command> [ddoq options]
  command: one of: $DDOQ_COMMANDS (options: bin/ddoq <command> --help)
  --dry-run  print the spark-submit command instead of running it
settings (environment): $1
  DDOQ_APP_JAR             application jar (default: $DDOQ_DEFAULT_APP_JAR)
  DDOQ_CONF_FILE           Spark properties file (default: conf/spark-defaults.$DDOQ_MANAGER.conf)
  DJL_CACHE_DIR            where executors unpack PyTorch's native library (default: $DDOQ_DEFAULT_DJL_CACHE)
  DDOQ_DRIVER_MEMORY       default 4g (train-prior trains on the driver: give it 8g)
  DDOQ_EXECUTOR_MEMORY     default 4g; PyTorch's native memory comes on top (spark.executor.memoryOverhead)
  DDOQ_EXECUTOR_CORES      default 2, or 1/DDOQ_GPU_PER_TASK with GPUs
  DDOQ_GPUS_PER_EXECUTOR   GPUs per executor (default 0: CPU only)
  DDOQ_GPU_PER_TASK        GPU share of one task (default 0.25: four tasks share a GPU)
  DDOQ_GPU_DISCOVERY       discovery script on the executor hosts (default: $DDOQ_DEFAULT_DISCOVERY)
  DDOQ_NAME                application name (default ddoq-<command>)
  DDOQ_ARCHIVES            archives unpacked in every executor's (and a cluster-mode driver's) working
                           directory, e.g. prior.tgz#prior with --prior prior (spark-submit --archives)
  SPARK_HOME               Spark 4.2 installation whose bin/spark-submit runs the job (else spark-submit on PATH)
USAGE
}

# Parses [--dry-run] <command> [options] into DDOQ_DRY_RUN, DDOQ_COMMAND and DDOQ_ARGS.
ddoq_parse_args() {
  DDOQ_DRY_RUN=0
  if [[ "${1:-}" == "--dry-run" ]]; then
    DDOQ_DRY_RUN=1
    shift
  fi
  if [[ $# -eq 0 || "$1" == "-h" || "$1" == "--help" || "$1" == "help" ]]; then
    ddoq_usage "$DDOQ_MANAGER_HELP"
    [[ $# -eq 0 ]] && ddoq_die "no command given: name one of: $DDOQ_COMMANDS"
    exit 0
  fi
  DDOQ_COMMAND="$1"
  shift
  [[ " $DDOQ_COMMANDS " == *" $DDOQ_COMMAND "* ]] \
    || ddoq_die "unknown command '$DDOQ_COMMAND': name one of: $DDOQ_COMMANDS"
  DDOQ_ARGS=("$@")
}

ddoq_require_number() { # name value pattern meaning
  [[ "$2" =~ $3 ]] || ddoq_die "$1='$2' is not $4"
}

# Fills DDOQ_CONF (ordered "key=value" words) with what every cluster manager needs: where executors
# unpack the native library, and the GPU resource settings when GPUs are asked for.
ddoq_common_settings() {
  DDOQ_APP_JAR="${DDOQ_APP_JAR:-$DDOQ_DEFAULT_APP_JAR}"
  DDOQ_CONF_FILE="${DDOQ_CONF_FILE:-$DDOQ_ROOT/conf/spark-defaults.$DDOQ_MANAGER.conf}"
  DJL_CACHE_DIR="${DJL_CACHE_DIR:-$DDOQ_DEFAULT_DJL_CACHE}"
  DDOQ_DRIVER_MEMORY="${DDOQ_DRIVER_MEMORY:-4g}"
  DDOQ_EXECUTOR_MEMORY="${DDOQ_EXECUTOR_MEMORY:-4g}"
  DDOQ_GPUS_PER_EXECUTOR="${DDOQ_GPUS_PER_EXECUTOR:-0}"
  DDOQ_GPU_PER_TASK="${DDOQ_GPU_PER_TASK:-0.25}"
  DDOQ_GPU_DISCOVERY="${DDOQ_GPU_DISCOVERY:-$DDOQ_DEFAULT_DISCOVERY}"
  DDOQ_NAME="${DDOQ_NAME:-ddoq-$DDOQ_COMMAND}"
  [[ -f "$DDOQ_CONF_FILE" ]] || ddoq_die "DDOQ_CONF_FILE=$DDOQ_CONF_FILE does not exist (templates: $DDOQ_ROOT/conf/spark-defaults.*.conf)"
  ddoq_require_number DDOQ_GPUS_PER_EXECUTOR "$DDOQ_GPUS_PER_EXECUTOR" '^[0-9]+$' "a whole number of GPUs"
  ddoq_require_number DDOQ_GPU_PER_TASK "$DDOQ_GPU_PER_TASK" '^(0?\.[0-9]+|1(\.0*)?)$' "a share of one GPU in (0, 1], e.g. 0.25"
  DDOQ_CONF=()
  if [[ "$DDOQ_MANAGER" != local ]]; then
    DDOQ_CONF+=("spark.executorEnv.DJL_CACHE_DIR=$DJL_CACHE_DIR")
  fi
  if (( DDOQ_GPUS_PER_EXECUTOR > 0 )); then
    [[ "$DDOQ_MANAGER" != local ]] || ddoq_die "DDOQ_GPUS_PER_EXECUTOR needs a cluster: local mode has no executors to give GPUs to"
    awk -v f="$DDOQ_GPU_PER_TASK" 'BEGIN { exit !(f > 0) }' || ddoq_die "DDOQ_GPU_PER_TASK must be above 0"
    # One task per GPU share: more cores would sit idle, fewer would leave part of the GPU unused.
    DDOQ_EXECUTOR_CORES="${DDOQ_EXECUTOR_CORES:-$(awk -v f="$DDOQ_GPU_PER_TASK" -v g="$DDOQ_GPUS_PER_EXECUTOR" 'BEGIN { printf "%d", g / f + 0.5 }')}"
    DDOQ_CONF+=("spark.executor.resource.gpu.amount=$DDOQ_GPUS_PER_EXECUTOR"
      "spark.executor.resource.gpu.discoveryScript=$DDOQ_GPU_DISCOVERY"
      "spark.task.resource.gpu.amount=$DDOQ_GPU_PER_TASK")
  fi
  DDOQ_EXECUTOR_CORES="${DDOQ_EXECUTOR_CORES:-2}"
  ddoq_require_number DDOQ_EXECUTOR_CORES "$DDOQ_EXECUTOR_CORES" '^[1-9][0-9]*$' "a positive number of cores"
}

# Assembles DDOQ_CMD from the settings; manager-specific words come in through the DDOQ_* variables
# DDOQ_MASTER, DDOQ_NUM_EXECUTORS, DDOQ_TOTAL_EXECUTOR_CORES, DDOQ_QUEUE and DDOQ_DEPLOY_MODE.
ddoq_build_command() {
  local submit="spark-submit"
  if [[ -n "${SPARK_HOME:-}" ]]; then
    submit="$SPARK_HOME/bin/spark-submit"
  fi
  DDOQ_CMD=("$submit" --master "$DDOQ_MASTER")
  local c
  for c in "${DDOQ_CONF[@]}"; do
    DDOQ_CMD+=(--conf "$c")
  done
  DDOQ_CMD+=(--properties-file "$DDOQ_CONF_FILE")
  if [[ -n "${DDOQ_ARCHIVES:-}" ]]; then
    DDOQ_CMD+=(--archives "$DDOQ_ARCHIVES")
  fi
  if [[ -n "${DDOQ_NUM_EXECUTORS:-}" ]]; then
    DDOQ_CMD+=(--num-executors "$DDOQ_NUM_EXECUTORS")
  fi
  if [[ -n "${DDOQ_TOTAL_EXECUTOR_CORES:-}" ]]; then
    DDOQ_CMD+=(--total-executor-cores "$DDOQ_TOTAL_EXECUTOR_CORES")
  fi
  if [[ "$DDOQ_MANAGER" != local ]]; then
    DDOQ_CMD+=(--executor-cores "$DDOQ_EXECUTOR_CORES" --executor-memory "$DDOQ_EXECUTOR_MEMORY")
  fi
  DDOQ_CMD+=(--driver-memory "$DDOQ_DRIVER_MEMORY" --name "$DDOQ_NAME" --class org.ddoq.jobs.Ddoq)
  if [[ -n "${DDOQ_QUEUE:-}" ]]; then
    DDOQ_CMD+=(--queue "$DDOQ_QUEUE")
  fi
  if [[ -n "${DDOQ_DEPLOY_MODE:-}" ]]; then
    DDOQ_CMD+=(--deploy-mode "$DDOQ_DEPLOY_MODE")
  fi
  DDOQ_CMD+=("$DDOQ_APP_JAR" "$DDOQ_COMMAND" "${DDOQ_ARGS[@]}")
}

# Prints the command (--dry-run) or checks that it can run and runs it. A client-mode driver takes
# DJL_CACHE_DIR and ONEDNN_MAX_CPU_ISA from this environment.
ddoq_submit() {
  ddoq_build_command
  export DJL_CACHE_DIR
  export ONEDNN_MAX_CPU_ISA="${ONEDNN_MAX_CPU_ISA:-AVX2}"
  if (( DDOQ_DRY_RUN )); then
    local out="" w
    for w in "${DDOQ_CMD[@]}"; do
      out+="${out:+ }$(ddoq_quote "$w")"
    done
    printf '%s\n' "$out"
    return 0
  fi
  if [[ "$DDOQ_APP_JAR" != *://* && ! -f "$DDOQ_APP_JAR" ]]; then
    ddoq_die "application jar $DDOQ_APP_JAR not found: build it with 'mvn -B -DskipTests package' in $DDOQ_ROOT, or set DDOQ_APP_JAR"
  fi
  if [[ -n "${SPARK_HOME:-}" ]]; then
    [[ -x "$SPARK_HOME/bin/spark-submit" ]] || ddoq_die "SPARK_HOME=$SPARK_HOME has no bin/spark-submit: point it at a Spark 4.2 (Scala 2.13) installation"
  elif ! command -v spark-submit >/dev/null 2>&1; then
    ddoq_die "spark-submit not found: set SPARK_HOME to a Spark 4.2 (Scala 2.13) installation, or put its bin/ on PATH"
  fi
  exec "${DDOQ_CMD[@]}"
}
