"""Throughput of the search page over HTTP (issue 8): gunicorn, 2 workers, keep-alive, the load coming
from a separate process.

    BENCH_WORK=/some/dir python -m bench.load [--seconds 30] [--threads 4] [--connections 16]
    BENCH_WORK=/some/dir python -m bench.load --seconds 10 --settings 2x8,4x16,8x32   # several settings
    BENCH_LOAD_TOOL=python ...                                                        # no wrk

The folder must hold a benchmark database and index (``python -m bench.run`` builds them). gunicorn
serves them with ``bench/server.py`` (``bench.run.BenchConfig``, the search clock pinned in each worker,
each worker warmed up before it accepts a connection); the load is Debian's ``wrk`` with
``bench/search.lua`` when it is on the PATH, else a Python load generator (two processes, one
persistent ``http.client`` connection per thread). Every connection cycles through the URLs of the mix.
Counted as errors: connection errors, timeouts (``REQUEST_TIMEOUT``) and responses that are not 2xx.
"""
import argparse
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA_SCRIPT = ROOT / "bench" / "search.lua"
WRK_MARK = "BENCH-WRK "
GENERATOR_MARK = "BENCH-LOAD "
TARGET_REQUESTS_PER_S = 300  # DESIGN.md: 2 workers on 2 cores, no errors
REQUEST_TIMEOUT = 10  # seconds; a slower answer is an error (wrk --timeout, http.client's timeout)
READY_TIMEOUT = 300  # seconds for the workers to start and warm up (a few at 100,000 places)
KEEPALIVE = 5  # gunicorn --keep-alive, seconds
GENERATOR_PROCESSES = 2  # like wrk -t2

# The defaults, for 2 workers on 2 cores. A search is CPU-bound Python: under the GIL, and with the
# index searched under a per-process lock, a worker computes one request at a time whatever its
# threads. Threads only overlap that work with the waits of the other requests (sending a 30-600 KB
# page, SQLite reads, the SearchLog commit): measured at 5,000 places on an idle machine, one thread
# per worker left a sixth of the CPU idle (46 requests/s), two already kept both cores busy
# (53 requests/s), four and eight gave the same throughput; 4 keep a margin for when a request costs
# less CPU and the waits weigh more. More threads add memory (+10 MB a worker from 2 to 8) and a
# database connection each. Connections: 2 per server thread (16), so that every thread finds a
# request waiting when it finishes one, and the two workers, which each keep the connections they
# accepted, both get enough of them; beyond, only the queue grows (latency ~ connections / throughput)
# without adding throughput. ``--settings`` compares others.
THREADS = 4
CONNECTIONS = 16


# --- small helpers ----------------------------------------------------------------------------------

def interleaved(mix: dict[str, list[str]]) -> list[str]:
    """The URLs of every kind of ``bench.run.query_mix()``, one of each kind in turn."""
    longest = max((len(urls) for urls in mix.values()), default=0)
    return [urls[index % len(urls)] for index in range(longest) for urls in mix.values() if urls]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _proc_status(pid: int) -> dict:
    """VmRSS and VmHWM (peak) of a process, in MiB."""
    figures = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                figures[key] = round(int(value.split()[0]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return figures


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _machine_busy_seconds() -> float | None:
    """CPU seconds the machine's processes used so far, all cores (/proc/stat: user, nice, system, irq,
    softirq; neither idle, iowait nor the hypervisor's steal)."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    return (sum(fields[:7]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _latency_ms(samples: list[float]) -> dict:
    if len(samples) < 2:
        return {}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": round(cuts[49], 1), "p90": round(cuts[89], 1), "p99": round(cuts[98], 1),
            "mean": round(statistics.fmean(samples), 1), "max": round(max(samples), 1)}


# --- the server -------------------------------------------------------------------------------------

class _Server:
    """gunicorn with bench/server.py, in a session of its own (stopped by its process group)."""

    def __init__(self, work_dir: Path, folder: Path, urls_file: Path, workers: int, threads: int):
        self.folder, self.workers, self.threads = folder, workers, threads
        self.port = free_port()
        self.log_path = folder / "gunicorn.log"
        env = {**os.environ, "BENCH_WORK": str(work_dir), "BENCH_READY_DIR": str(folder),
               "BENCH_URLS_FILE": str(urls_file), "MAILLAGE_ENV": "development"}
        command = [sys.executable, "-m", "gunicorn", "-c", "python:bench.server", "--chdir", str(ROOT),
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--worker-class", "gthread",
                   "--threads", str(threads), "--keep-alive", str(KEEPALIVE), "--error-logfile", "-"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def ready_files(self) -> list[dict]:
        return [json.loads(path.read_text()) for path in sorted(self.folder.glob("*.ready.json"))]

    def exit_files(self) -> dict[int, dict]:
        return {entry["pid"]: entry for entry in
                (json.loads(path.read_text()) for path in sorted(self.folder.glob("*.exit.json")))}

    def wait_ready(self) -> list[dict]:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn s'est arrêté (code {self.process.returncode}) :\n{self.log_tail()}")
            ready = self.ready_files()
            if len(ready) >= self.workers:
                return ready
            time.sleep(0.2)
        raise RuntimeError(f"les workers ne sont pas prêts après {READY_TIMEOUT} s :\n{self.log_tail()}")

    def check(self, url: str) -> None:
        """One request through the socket: the server answers 200 on the mix before the load starts."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", url)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"{url} : HTTP {response.status} avant la charge\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM (graceful: the workers finish and write their exit files), SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the workers too, if any is left
        except ProcessLookupError:
            pass
        self.process.wait()

    def log_problems(self) -> dict:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return {"search_log_not_written": text.count("search log not written"),
                "tracebacks": text.count("Traceback (most recent call last)"),
                "worker_timeouts": text.count("WORKER TIMEOUT"),
                "database_locked": text.count("database is locked")}


# --- the load generators ----------------------------------------------------------------------------

def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _wrk_version() -> str | None:
    try:
        done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"wrk\s+(\S+)", done.stdout + done.stderr)
    return match.group(1) if match else None


def _run_wrk(port: int, urls_file: Path, seconds: int, connections: int) -> dict:
    threads = max(1, min(2, connections))
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               f"--timeout={REQUEST_TIMEOUT}s", "-s", str(LUA_SCRIPT), f"http://127.0.0.1:{port}",
               "--", str(urls_file), str(threads)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(WRK_MARK)]
    if done.returncode or not lines:
        raise RuntimeError(f"wrk a échoué (code {done.returncode}) :\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    figures = json.loads(lines[-1].removeprefix(WRK_MARK))
    duration = figures["duration_us"] / 1e6
    socket_errors = {key: figures[key] for key in ("connect", "read", "write", "timeout") if figures[key]}
    latency = {key: round(value / 1000, 1) for key, value in figures["latency_us"].items()}
    return {"tool": "wrk", "tool_version": _wrk_version(), "tool_threads": threads, "command": " ".join(command),
            "duration_s": round(duration, 2), "requests": figures["requests"], "non_2xx": figures["non_2xx"],
            "socket_errors": socket_errors, "latency_ms": latency, "connections_opened": None,
            "megabytes": round(figures["bytes"] / 2**20, 1)}


def _client(port: int, urls: list[str], position: int, start: float, deadline: float, out: dict) -> None:
    """One connection, kept alive, cycling through the URLs from ``position`` until ``deadline``."""
    latencies, non_2xx, errors, opened, received = [], 0, {}, 0, 0
    connection = None
    while time.perf_counter() < start:
        time.sleep(min(0.05, start - time.perf_counter()))
    while time.perf_counter() < deadline:
        url = urls[position % len(urls)]
        position += 1
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
                connection.connect()
                opened += 1
            started = time.perf_counter()
            connection.request("GET", url)
            response = connection.getresponse()
            received += len(response.read())
            latencies.append((time.perf_counter() - started) * 1000)
            if not 200 <= response.status < 300:
                non_2xx += 1
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as error:
            kind = "timeout" if isinstance(error, TimeoutError) else type(error).__name__
            errors[kind] = errors.get(kind, 0) + 1
            if connection is not None:
                connection.close()
                connection = None
            time.sleep(0.05)  # a refused connection must not spin
    if connection is not None:
        connection.close()
    out.update(latencies=latencies, non_2xx=non_2xx, errors=errors, opened=opened, received=received,
               finished=time.perf_counter())


def generate(port: int, urls: list[str], seconds: float, connections: int, first: int, total: int,
             start_at: float) -> dict:
    """In a load-generating process: ``connections`` threads, each its own connection; the ``first``
    of ``total`` connections overall (their starting points are spread over the round)."""
    offset = time.perf_counter() - time.time()
    start, deadline = start_at + offset, start_at + offset + seconds
    outputs = [{} for _ in range(connections)]
    clients = [threading.Thread(target=_client, args=(port, urls, (first + index) * len(urls) // total, start,
                                                     deadline, outputs[index]), daemon=True)
               for index in range(connections)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    errors: dict[str, int] = {}
    for output in outputs:
        for kind, count in output["errors"].items():
            errors[kind] = errors.get(kind, 0) + count
    return {"latencies": [round(ms, 2) for output in outputs for ms in output["latencies"]],
            "non_2xx": sum(output["non_2xx"] for output in outputs), "errors": errors,
            "opened": sum(output["opened"] for output in outputs),
            "received": sum(output["received"] for output in outputs),
            "duration_s": max(output["finished"] for output in outputs) - start}


def _run_python(port: int, urls_file: Path, seconds: int, connections: int) -> dict:
    processes = max(1, min(GENERATOR_PROCESSES, connections))
    shares = [connections // processes + (1 if index < connections % processes else 0) for index in range(processes)]
    start_at = time.time() + 1.5  # every process has imported and started its threads by then
    children, first = [], 0
    for share in shares:
        command = [sys.executable, "-m", "bench.load", "--generate", "--port", str(port), "--urls-file",
                   str(urls_file), "--seconds", str(seconds), "--connections", str(share), "--first", str(first),
                   "--total", str(connections), "--start-at", repr(start_at)]
        children.append(subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True))
        first += share
    results = []
    try:
        for child in children:
            try:
                stdout, stderr = child.communicate(timeout=seconds + REQUEST_TIMEOUT + 60)
            except subprocess.TimeoutExpired:
                child.kill()
                stdout, stderr = child.communicate()
            lines = [line for line in stdout.splitlines() if line.startswith(GENERATOR_MARK)]
            if child.returncode or not lines:
                raise RuntimeError(f"le générateur de charge a échoué (code {child.returncode}) :\n{stderr[-2000:]}")
            results.append(json.loads(lines[-1].removeprefix(GENERATOR_MARK)))
    finally:
        for child in children:  # after a failure, the others stop now rather than at their deadline
            if child.poll() is None:
                child.kill()
                child.wait()
    latencies = [ms for result in results for ms in result["latencies"]]
    socket_errors: dict[str, int] = {}
    for result in results:
        for kind, count in result["errors"].items():
            socket_errors[kind] = socket_errors.get(kind, 0) + count
    return {"tool": "python", "tool_version": f"http.client, Python {sys.version.split()[0]}",
            "tool_threads": processes, "command": f"{processes} processus python -m bench.load --generate",
            "duration_s": round(max(result["duration_s"] for result in results), 2), "requests": len(latencies),
            "non_2xx": sum(result["non_2xx"] for result in results), "socket_errors": socket_errors,
            "latency_ms": _latency_ms(latencies), "connections_opened": sum(result["opened"] for result in results),
            "megabytes": round(sum(result["received"] for result in results) / 2**20, 1)}


# --- the measure ------------------------------------------------------------------------------------

def measure_throughput(work_dir: Path, urls: list[str], seconds: int = 30, workers: int = 2,
                       connections: int = CONNECTIONS, *, threads: int = THREADS, tool: str | None = None) -> dict:
    """Requests per second of the search page served by gunicorn (``workers`` gthread workers of
    ``threads`` threads, keep-alive) on the benchmark database and index of ``work_dir``, under
    ``connections`` persistent connections cycling through ``urls`` for ``seconds``.

    ``tool``: "wrk", "python" or None (BENCH_LOAD_TOOL, else wrk when it is on the PATH). Returns the
    figures (requests/s, requests, errors and their kinds, latencies, the memory and CPU of each
    worker after the load); raises RuntimeError when the server does not start or does not answer
    200 before the load. gunicorn is stopped whatever happens. Besides ``seconds``, the start and the
    workers' warm-up take a few seconds (about 15 at 100,000 places)."""
    work_dir = Path(work_dir).resolve()
    if not (work_dir / "maillage-bench.db").is_file() or not (work_dir / "index").is_dir():
        raise RuntimeError(f"pas de base ni d'index du banc d'essai dans {work_dir} : lancez python -m bench.run")
    if not urls:
        raise ValueError("no URL to request")
    tool = tool or os.environ.get("BENCH_LOAD_TOOL") or ("wrk" if wrk_available() else "python")
    if tool not in ("wrk", "python"):
        raise ValueError(f"unknown load tool {tool!r}")
    with tempfile.TemporaryDirectory(prefix="maillage-load-") as folder_name:
        folder = Path(folder_name)
        urls_file = folder / "urls.txt"
        urls_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        started = time.perf_counter()
        server = _Server(work_dir, folder, urls_file, workers, threads)
        try:
            ready = server.wait_ready()
            startup = time.perf_counter() - started
            server.check(urls[0])
            pids = [entry["pid"] for entry in ready]
            cpu_before = {pid: _cpu_seconds(pid) for pid in pids}
            children_before, busy_before = _children_cpu_seconds(), _machine_busy_seconds()
            load_started = time.perf_counter()
            measured = (_run_wrk if tool == "wrk" else _run_python)(server.port, urls_file, seconds, connections)
            generator_cpu = _children_cpu_seconds() - children_before
            busy = None if busy_before is None else _machine_busy_seconds() - busy_before
            load_wall = time.perf_counter() - load_started  # the Python generators' start included
            cpu_after = {pid: _cpu_seconds(pid) for pid in pids}
            memory = {pid: _proc_status(pid) for pid in pids}
            restarted = len(server.ready_files()) - len(ready)
        finally:
            server.stop()
        exits = server.exit_files()
        problems = server.log_problems()
        log_tail = server.log_tail(20) if any(problems.values()) or restarted else None

    duration = measured["duration_s"] or seconds
    socket_errors = sum(measured["socket_errors"].values())
    workers_detail = []
    for entry in ready:
        pid = entry["pid"]
        cpu = (None if cpu_before[pid] is None or cpu_after[pid] is None
               else round(cpu_after[pid] - cpu_before[pid], 1))
        workers_detail.append({
            "pid": pid, "warmup_seconds": entry["warmup_seconds"], "rss_after_warmup_mb": entry["rss_after_warmup_mb"],
            "rss_after_load_mb": memory[pid].get("VmRSS"), "peak_rss_mb": memory[pid].get("VmHWM"),
            "cpu_seconds": cpu, "cpu_percent": None if cpu is None else round(100 * cpu / duration),
            "requests": exits.get(pid, {}).get("requests"), "non_2xx": exits.get(pid, {}).get("non_2xx")})
    rss = [worker["rss_after_load_mb"] for worker in workers_detail if worker["rss_after_load_mb"] is not None]
    cpu_total = sum(worker["cpu_seconds"] or 0 for worker in workers_detail)
    return {
        "tool": measured["tool"], "tool_version": measured["tool_version"], "tool_threads": measured["tool_threads"],
        "command": measured["command"], "seconds": seconds, "duration_s": measured["duration_s"],
        "workers": workers, "worker_class": "gthread", "threads": threads, "keepalive_s": KEEPALIVE,
        "connections": connections, "connections_opened": measured["connections_opened"], "urls": len(urls),
        "requests": measured["requests"], "requests_per_s": round(measured["requests"] / duration, 1),
        "errors": socket_errors + measured["non_2xx"], "non_2xx": measured["non_2xx"], "socket_errors": measured["socket_errors"],
        "latency_ms": measured["latency_ms"], "megabytes_received": measured["megabytes"],
        # what one request costs the server, whatever else the machine was doing meanwhile
        "server_cpu_ms_per_request": round(1000 * cpu_total / measured["requests"], 1) if measured["requests"] else None,
        "server_cpu_percent": round(100 * cpu_total / duration),
        # the rest of the machine meanwhile: other processes perturb the measure (100 = one core)
        "other_cpu_percent": None if busy is None else max(0, round(100 * (busy - cpu_total - generator_cpu) / load_wall)),
        "worker_rss_mb": rss, "worker_rss_max_mb": max(rss, default=None), "workers_detail": workers_detail,
        "workers_restarted": restarted, "load_generator_cpu_seconds": round(generator_cpu, 1),
        "server_startup_seconds": round(startup, 1), "server_log_problems": problems, "server_log_tail": log_tail,
        "target_requests_per_s": TARGET_REQUESTS_PER_S,
        "meets_target": measured["requests"] / duration >= TARGET_REQUESTS_PER_S and socket_errors + measured["non_2xx"] == 0,
    }


def summary_lines(result: dict) -> list[str]:
    """A short French summary of one measure."""
    latency = result["latency_ms"]
    errors = result["errors"]
    detail = ", ".join(f"{kind} {count}" for kind, count in
                       {**result["socket_errors"], **({"non 2xx": result["non_2xx"]} if result["non_2xx"] else {})}
                       .items())
    lines = [
        f"{result['workers']} workers {result['worker_class']} × {result['threads']} threads, "
        f"{result['connections']} connexions keep-alive, {result['tool']} ({result['tool_version']}), "
        f"{result['duration_s']} s",
        f"  débit : {result['requests_per_s']:.1f} requêtes/s ({result['requests']} requêtes), "
        f"erreurs : {errors}{f' ({detail})' if detail else ''} — cible ≥ {result['target_requests_per_s']} "
        f"req/s sans erreur : {'atteinte' if result['meets_target'] else 'non atteinte'}",
    ]
    if latency:
        lines.append(f"  latence : p50 {latency['p50']} ms, p90 {latency.get('p90', '—')} ms, p99 {latency['p99']} ms, "
                     f"max {latency['max']} ms")
    for worker in result["workers_detail"]:
        lines.append(f"  worker {worker['pid']} : {worker['requests']} requêtes, CPU {worker['cpu_percent']} %, "
                     f"RSS {worker['rss_after_load_mb']} Mo après la charge (pic {worker['peak_rss_mb']} Mo, "
                     f"{worker['rss_after_warmup_mb']} Mo après l'échauffement de {worker['warmup_seconds']} s)")
    lines.append(f"  CPU du serveur : {result['server_cpu_ms_per_request']} ms par requête, "
                 f"{result['server_cpu_percent']} % d'un cœur ; générateur de charge : "
                 f"{result['load_generator_cpu_seconds']} s de CPU ; autres processus : "
                 f"{result['other_cpu_percent']} % d'un cœur")
    problems = {key: value for key, value in result["server_log_problems"].items() if value}
    if problems or result["workers_restarted"]:
        lines.append(f"  journal du serveur : {problems}, workers redémarrés : {result['workers_restarted']}")
    return lines


def _settings(text: str) -> list[tuple[int, int]]:
    pairs = []
    for part in text.split(","):
        threads, _, connections = part.strip().partition("x")
        pairs.append((int(threads), int(connections)))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description="Débit de la page de recherche sous gunicorn (issue 8).")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--settings", help="plusieurs réglages THREADSxCONNEXIONS séparés par des virgules, ex. 2x8,4x16")
    parser.add_argument("--tool", choices=("wrk", "python"), help="wrk s'il est installé, sinon python")
    parser.add_argument("--json", action="store_true", help="les chiffres complets en JSON après le résumé")
    # the load-generating process started by _run_python
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--urls-file", help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--total", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.generate:
        urls = [line for line in Path(arguments.urls_file).read_text(encoding="utf-8").splitlines() if line]
        result = generate(arguments.port, urls, arguments.seconds, arguments.connections, arguments.first,
                          arguments.total or arguments.connections, arguments.start_at or time.time())
        print(GENERATOR_MARK + json.dumps(result), flush=True)
        return

    from bench import run  # BENCH_WORK chooses the folder, as for bench.run

    urls = interleaved(run.query_mix())
    settings = (_settings(arguments.settings) if arguments.settings
                else [(arguments.threads, arguments.connections)])
    print(f"débit de la page de recherche : {run.WORK}, {len(urls)} URL du mélange, {arguments.seconds} s par mesure",
          flush=True)
    for threads, connections in settings:
        result = measure_throughput(run.WORK, urls, arguments.seconds, arguments.workers, connections,
                                    threads=threads, tool=arguments.tool)
        print("\n".join(summary_lines(result)), flush=True)
        if arguments.json:
            print(json.dumps(result, ensure_ascii=False, indent=2), flush=True)


if __name__ == "__main__":
    main()
