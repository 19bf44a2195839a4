"""Airflow DAG: distill a labelled image dataset with ddoq, then evaluate the distilled set.

Each run writes under OUTPUT_ROOT/<logical date>/: ``distilled/`` (images, manifest.csv, summary.json,
_SUCCESS) and ``evaluation/`` (results.json, results.md). Both tasks are spark-submit calls on a Spark
standalone cluster, with the same flags as ``submit-scripts/submit-standalone.sh`` (a test in
spark-jobs, AirflowDagTest, checks that word for word). Set-up: docs/deploy.md, section Airflow.

Needs apache-airflow-providers-apache-spark, ``spark-submit`` on the PATH of the Airflow workers, and a
Spark connection ``spark_ddoq`` whose host is the Master (spark://HOST:7077).
"""
import os
from datetime import datetime

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# Where ddoq is installed on the Airflow workers (the repository with spark-jobs/target/ddoq-app.jar built).
DDOQ_HOME = os.environ.get("DDOQ_HOME", "/opt/ddoq")
APP_JAR = f"{DDOQ_HOME}/spark-jobs/target/ddoq-app.jar"
PROPERTIES_FILE = f"{DDOQ_HOME}/conf/spark-defaults.standalone.conf"
# Where driver and executors unpack PyTorch's native library (a local disk with ~0.5 GB free on every host).
DJL_CACHE_DIR = os.environ.get("DJL_CACHE_DIR", "/var/tmp/ddoq-djl-cache")

OUT = "{{ params.output_root }}/{{ ds }}"

# Settings both tasks share: the spark-submit flags of submit-standalone.sh with its defaults.
SPARK = dict(
    conn_id="spark_ddoq",
    application=APP_JAR,
    java_class="org.ddoq.jobs.Ddoq",
    properties_file=PROPERTIES_FILE,
    conf={"spark.executorEnv.DJL_CACHE_DIR": DJL_CACHE_DIR},
    # The driver runs on the Airflow worker (client mode) and reads these from its environment.
    env_vars={"DJL_CACHE_DIR": DJL_CACHE_DIR, "ONEDNN_MAX_CPU_ISA": "AVX2"},
    executor_cores=2,
    executor_memory="4g",
    driver_memory="4g",
    deploy_mode="client",
)

with DAG(
    dag_id="ddoq_distill_evaluate",
    description="ddoq: distill a labelled image dataset, then train students on the distilled set",
    start_date=datetime(2026, 1, 1),
    schedule=None,  # run on demand (Trigger DAG, with params); set a schedule to distill new data regularly
    catchup=False,
    params={
        "input": "/data/fashion-mnist",  # IDX files or an ImageFolder tree the driver and executors can read
        "output_root": "/data/ddoq",     # a shared disk, hdfs:// or s3a:// path
        "ipc": 10,                       # images per class
    },
    tags=["ddoq", "spark"],
) as dag:
    # --resume --overwrite: a retry continues the stopped run from its last finished stage (kept latents,
    # kept centroids); a re-run of a finished date, or a run with other settings, replaces the output.
    distill = SparkSubmitOperator(
        task_id="distill",
        name="ddoq-distill",
        application_args=["distill", "--input", "{{ params.input }}", "--ipc", "{{ params.ipc }}",
                          "--out", f"{OUT}/distilled", "--resume", "--overwrite"],
        **SPARK,
    )
    evaluate = SparkSubmitOperator(
        task_id="evaluate",
        name="ddoq-evaluate",
        application_args=["evaluate", "--distilled", f"{OUT}/distilled", "--data", "{{ params.input }}",
                          "--out", f"{OUT}/evaluation", "--overwrite"],
        **SPARK,
    )
    distill >> evaluate
