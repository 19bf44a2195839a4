"""Test helper (run by AirflowDagTest with Debian's /usr/bin/python3): loads ddoq's Airflow DAG file against
the stand-in Airflow classes in standin/, renders each task's templated arguments with Jinja (as Airflow
does) for one logical date, and prints, per task, the spark-submit command line that Airflow's
SparkSubmitHook would run, as JSON.

usage: render_dag.py DAG_FILE DS MASTER

The command follows the flag order of SparkSubmitHook._build_spark_submit_command /
_build_spark_common_args (apache-airflow-providers-apache-spark): binary, --master, each --conf in dict
order, --properties-file, --files, --py-files, --archives, --driver-class-path, --jars, --packages,
--exclude-packages, --repositories, --num-executors, --total-executor-cores, --executor-cores,
--executor-memory, --driver-memory, --keytab, --principal, --proxy-user, --name, --class, --verbose,
--queue, --deploy-mode, the application, its arguments. env_vars do not appear on the command line in
standalone client mode (the hook puts them in the process environment).
"""
import ast
import importlib.util
import json
import os
import shlex
import sys

import jinja2

HERE = os.path.dirname(os.path.abspath(__file__))
# (operator keyword, spark-submit flag) in the hook's order, after --master and the --conf pairs.
FLAGS = [("properties_file", "--properties-file"), ("files", "--files"), ("py_files", "--py-files"),
         ("archives", "--archives"), ("driver_class_path", "--driver-class-path"), ("jars", "--jars"),
         ("packages", "--packages"), ("exclude_packages", "--exclude-packages"),
         ("repositories", "--repositories"), ("num_executors", "--num-executors"),
         ("total_executor_cores", "--total-executor-cores"), ("executor_cores", "--executor-cores"),
         ("executor_memory", "--executor-memory"), ("driver_memory", "--driver-memory"),
         ("keytab", "--keytab"), ("principal", "--principal"), ("proxy_user", "--proxy-user"),
         ("name", "--name"), ("java_class", "--class")]


def render(value, env, context):
    """Renders strings inside lists and dicts too, as Airflow renders templated fields."""
    if isinstance(value, str):
        return env.from_string(value).render(**context)
    if isinstance(value, (list, tuple)):
        return type(value)(render(v, env, context) for v in value)
    if isinstance(value, dict):
        return {k: render(v, env, context) for k, v in value.items()}
    return value


def command(kwargs, master):
    cmd = [kwargs.get("spark_binary") or "spark-submit", "--master", master]
    for key, value in (kwargs.get("conf") or {}).items():
        cmd += ["--conf", f"{key}={value}"]
    for keyword, flag in FLAGS:
        if kwargs.get(keyword):
            cmd += [flag, str(kwargs[keyword])]
    if kwargs.get("verbose"):
        cmd.append("--verbose")
    if kwargs.get("yarn_queue"):
        cmd += ["--queue", kwargs["yarn_queue"]]
    if kwargs.get("deploy_mode"):
        cmd += ["--deploy-mode", kwargs["deploy_mode"]]
    return cmd + [kwargs["application"]] + [str(a) for a in kwargs.get("application_args") or []]


def main(dag_file, ds, master):
    with open(dag_file) as f:
        ast.parse(f.read(), dag_file)  # a syntax error names the line
    sys.path.insert(0, os.path.join(HERE, "standin"))
    from airflow import DAG
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
    spec = importlib.util.spec_from_file_location("ddoq_dag", dag_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dags = [v for v in vars(module).values() if isinstance(v, DAG)]
    if len(dags) != 1:
        raise SystemExit(f"{dag_file}: expected one DAG, found {len(dags)}")
    dag = dags[0]
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)  # a misspelt template variable fails here
    context = {"ds": ds, "ds_nodash": ds.replace("-", ""), "params": dag.params}
    tasks = {}
    for task in dag.tasks:
        kwargs = {k: (render(v, env, context) if k in SparkSubmitOperator.template_fields else v)
                  for k, v in task.kwargs.items()}
        cmd = command(kwargs, master)
        tasks[task.task_id] = {"command": cmd, "shell": " ".join(shlex.quote(w) for w in cmd),
                               "application_args": kwargs.get("application_args") or [],
                               "env_vars": kwargs.get("env_vars") or {}, "downstream": task.downstream,
                               "conn_id": kwargs.get("conn_id")}
    json.dump({"dag_id": dag.dag_id, "tasks": tasks}, sys.stdout, indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:])
