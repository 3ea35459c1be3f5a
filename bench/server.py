"""The benchmark's web server (issue 8): gunicorn's configuration and the WSGI app in one module.

    BENCH_WORK=/some/dir python -m gunicorn -c python:bench.server

serves the search page of the benchmark database (``<BENCH_WORK>/maillage-bench.db`` and its index) with
``bench.run.BenchConfig``. ``bench/load.py`` starts it (and overrides bind, workers and threads on the
command line) to measure the throughput; it can also be run by hand.

Each worker builds its own app (no preload, as in production), with the search clock pinned as in the
in-process measure (``bench.run.pin_clock``), then warms itself up before it accepts a connection: the
first search opens the Whoosh index and loads its coordinates, several seconds at 100,000 places, which
the measure must not count. It then writes ``<pid>.ready.json`` in BENCH_READY_DIR, and at its exit
``<pid>.exit.json`` with the number of requests it answered (and how many were not 2xx).

Environment: BENCH_WORK (the working folder, as for bench.run), BENCH_READY_DIR, BENCH_URLS_FILE (the
URLs of the mix, one a line: the warm-up uses its first BENCH_SERVER_WARMUP, 20 by default).
"""
import json
import os
import threading
import time
from pathlib import Path

# --- gunicorn settings (names gunicorn knows; everything else here starts with an underscore) ---------

wsgi_app = "bench.server:application()"
bind = "127.0.0.1:8008"
workers = 2
# gthread keeps connections alive (the sync worker closes each one after its response).
worker_class = "gthread"
threads = 4
keepalive = 5  # seconds an idle connection is kept; the load generator never leaves one idle that long
# The warm-up runs before the worker's first heartbeat: at 100,000 places it takes a few seconds, and a
# loaded machine may stretch it; the default 30 s would have the arbiter kill a slow-starting worker.
timeout = 120
graceful_timeout = 10
loglevel = "warning"
accesslog = None  # one line per request would be measured too

_READY_DIR = os.environ.get("BENCH_READY_DIR")
_URLS_FILE = os.environ.get("BENCH_URLS_FILE")
_WARMUP = int(os.environ.get("BENCH_SERVER_WARMUP") or 20)

_lock = threading.Lock()
_answered = {"requests": 0, "non_2xx": 0}


def application():
    """The WSGI app, built in each worker (gunicorn calls this factory after the fork)."""
    from bench import run  # reads BENCH_WORK and sets MAILLAGE_VAR_DIR at import

    app = run.make_app()
    run.pin_clock()
    return app


def _urls() -> list[str]:
    if _URLS_FILE:
        lines = Path(_URLS_FILE).read_text(encoding="utf-8").splitlines()
        return [line for line in lines if line.strip()]
    from bench import run

    return [url for urls in run.query_mix().values() for url in urls[:5]]


def _rss_mb(pid: int | str = "self") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def _write(name: str, content: dict) -> None:
    if _READY_DIR:
        path = Path(_READY_DIR) / name
        path.with_suffix(".tmp").write_text(json.dumps(content), encoding="utf-8")
        path.with_suffix(".tmp").replace(path)  # the harness never reads a half-written file


def post_worker_init(worker):
    """Warms the worker up (in-process, before it accepts connections), then says it is ready."""
    from werkzeug.test import Client

    client = Client(worker.wsgi)
    started = time.perf_counter()
    urls = _urls()
    statuses = []
    for index in range(min(_WARMUP, len(urls))):
        response = client.get(urls[index])
        statuses.append(response.status_code)
        response.close()
    _write(f"{os.getpid()}.ready.json", {
        "pid": os.getpid(), "warmup_requests": len(statuses), "warmup_seconds": round(time.perf_counter() - started, 2),
        "warmup_non_2xx": sum(1 for status in statuses if not 200 <= status < 300),
        "rss_after_warmup_mb": _rss_mb()})


def post_request(worker, req, environ, resp):
    status = getattr(resp, "status_code", None) or 0
    with _lock:
        _answered["requests"] += 1
        if not 200 <= status < 300:
            _answered["non_2xx"] += 1


def worker_exit(server, worker):
    with _lock:
        _write(f"{os.getpid()}.exit.json", {"pid": os.getpid(), **_answered, "rss_at_exit_mb": _rss_mb()})
