"""TEST STAND-IN package (see airflow/__init__.py)."""
