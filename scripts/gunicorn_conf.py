"""gunicorn settings for metrics in multiprocess mode (`gunicorn -c scripts/gunicorn_conf.py
wsgi:app`): a worker that exits leaves its live gauges behind unless it is marked dead."""
import os


def child_exit(server, worker):  # gunicorn's hook name
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
