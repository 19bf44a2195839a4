"""TEST STAND-IN for apache-airflow-providers-apache-spark's SparkSubmitOperator: records the keyword
arguments it was built with and the tasks downstream of it, nothing else."""
from airflow import DAG


class SparkSubmitOperator:
    # The operator's templated fields, as its documentation lists them ("(templated)").
    template_fields = ("application", "conf", "files", "py_files", "jars", "driver_class_path", "packages",
                       "exclude_packages", "keytab", "principal", "proxy_user", "name", "application_args",
                       "env_vars", "properties_file")

    def __init__(self, *, task_id, **kwargs):
        self.task_id = task_id
        self.kwargs = kwargs
        self.downstream = []
        if DAG._current is None:
            raise RuntimeError(f"task {task_id} was created outside a DAG")
        DAG._current.tasks.append(self)

    def __rshift__(self, other):
        self.downstream.append(other.task_id)
        return other
