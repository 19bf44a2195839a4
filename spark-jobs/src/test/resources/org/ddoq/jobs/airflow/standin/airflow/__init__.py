"""TEST STAND-IN for Apache Airflow, which cannot be installed where ddoq's tests run.

Only what ddoq's DAG file touches: ``DAG`` as a context manager that collects the operators created
inside it. It records what the DAG file passes and nothing more; rendering and the spark-submit command
are built by the test (render_dag.py), not here.
"""


class DAG:
    """Records the DAG's constructor arguments and the tasks created inside ``with DAG(...)``."""

    _current = None

    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.params = dict(kwargs.get("params") or {})
        self.tasks = []

    def __enter__(self):
        DAG._current = self
        return self

    def __exit__(self, *exc):
        DAG._current = None
        return False
