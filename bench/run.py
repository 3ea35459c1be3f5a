"""The national-scale benchmark (issue 8), first part: generate, import, reindex, search, export.

    python -m bench.run                      # BENCH_PLACES places (100,000 by default)
    BENCH_PLACES=5000 python -m bench.run    # a quick run

Everything happens in a fresh SQLite database under ``bench/work/`` (deleted at the start). The
import, the reindex and the export each run in a child process of their own (``--step NAME``), so
that each reports its own peak resident memory; the search runs in this process through the Flask
test client, like a web worker, whose resident memory is measured after the query mix. The table
is printed and every figure written to ``bench/results/latest.json`` with the machine's description.

Environment: BENCH_PLACES, BENCH_SEED, BENCH_REQUESTS (per query kind, 200), BENCH_WARMUP (per kind, 20).
"""
import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
# BENCH_WORK: another working folder (two runs side by side); bench/work by default.
WORK = Path(os.environ.get("BENCH_WORK") or ROOT / "bench" / "work").resolve()
RESULTS = ROOT / "bench" / "results"
DATA_FILE = WORK / "lieux-bench.csv"
COORDINATOR = "banc-essai@maillage.localhost"
RESULT_MARK = "BENCH-RESULT "

# coordination.config reads MAILLAGE_VAR_DIR when it is imported: set it before.
os.environ["MAILLAGE_VAR_DIR"] = str(WORK)
os.environ.setdefault("MAILLAGE_ENV", "development")

from bench import generate as generator  # noqa: E402
from bench.communes import COMMUNES  # noqa: E402
from coordination.config import DevelopmentConfig  # noqa: E402

# The targets of DESIGN.md ("Performance targets"), for 100,000 places.
TARGETS = {
    "search_p95_ms": 50, "import_seconds": 120, "reindex_seconds": 120, "export_seconds_per_format": 10,
    "worker_rss_mb": 300, "import_peak_rss_mb": 300,  # issue 15, item 6
}

TEXTS = ("démarches administratives", "smartphone", "ordinateur", "CAF", "emploi", "atelier",
         "médiathèque", "France Services", "seniors", "impôts")
_names = [c[0] for c in COMMUNES]
# Communes whose name is unique in the table (« Saint-Denis » is in the 93 and in La Réunion), one in
# five, so the mix goes from Paris to Mayotte.
# Names other communes of France share are asked with their département, as the choice the search
# page offers (« Saint-André » alone would ask which one).
_DEPARTEMENT = {"Mérignac": "33", "Saint-André": "974"}
WHERE = tuple(f"{name} ({_DEPARTEMENT[name]})" if name in _DEPARTEMENT else name
              for name in _names if _names.count(name) == 1)[::5]
FACETS = (
    {"services": "Aide aux démarches administratives", "frais": "Gratuit"},
    {"services": "Maîtrise des outils numériques du quotidien", "accompagnement": "Accompagnement individuel"},
    {"services": "Insertion professionnelle via le numérique", "frais": "Gratuit"},
    {"services": "Accès internet et matériel informatique", "accompagnement": "En autonomie"},
)


class BenchConfig(DevelopmentConfig):
    SECRET_KEY = "bench-only-secret"
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{WORK / 'maillage-bench.db'}"
    SEARCH_INDEX_DIR = str(WORK / "index")
    OPEN_DATA_DIR = str(WORK / "open-data")
    IMPORT_UPLOAD_DIR = str(WORK / "imports")
    GEOCODER_ENABLED = False  # no network: « ou=<commune> » is resolved from the directory's places
    RATELIMIT_ENABLED = False
    MAIL_BACKEND = "console"
    LOG_LEVEL = "WARNING"


def make_app():
    from coordination import create_app
    return create_app(BenchConfig)


# --- measuring -------------------------------------------------------------------------------------

def peak_rss_mb() -> float:
    """This process's peak resident memory. On Linux, VmHWM of /proc/self/status: ru_maxrss keeps,
    across the exec of a child step, the resident memory of the parent it was forked from (the
    search process, 240 MB), which hid the step's own peak. Elsewhere ru_maxrss (bytes on macOS)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def current_rss_mb() -> float | None:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return round(pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024), 1)


def percentiles(samples: list[float]) -> dict:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49], 2), "p95_ms": round(cuts[94], 2), "p99_ms": round(cuts[98], 2),
            "mean_ms": round(statistics.fmean(samples), 2), "max_ms": round(max(samples), 2),
            "requests": len(samples)}


def machine() -> dict:
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_mb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_mb = int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {"platform": platform.platform(), "machine": platform.machine(), "cpu_model": cpu_model,
            "cpu_count": os.cpu_count(), "cpus_usable": usable, "memory_mb": memory_mb,
            "python": platform.python_version(), "python_implementation": platform.python_implementation(),
            "sqlite": sqlite3.sqlite_version}


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


# --- the steps run in a child process --------------------------------------------------------------

def step_generate() -> dict:
    places, seed = generator.places_from_env(), generator.seed_from_env()
    started = time.perf_counter()
    written = generator.generate(DATA_FILE, places, seed)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "places": written, "seed": seed, "file": DATA_FILE.name,
            "bytes": DATA_FILE.stat().st_size}


def step_import() -> dict:
    from sqlalchemy import update

    from coordination.auth.models import Organisation
    from coordination.auth.services import find_user_by_email
    from coordination.extensions import db
    from coordination.directory import imports

    with make_app().app_context():
        actor = find_user_by_email(COORDINATOR)
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = imports.apply_file(DATA_FILE, actor=actor, max_bytes=DATA_FILE.stat().st_size + 1)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        report = outcome.report
        if report is None or not report.applied:
            raise SystemExit("import refusé :\n" + "\n".join(imports.summary_lines(outcome)[:40]))
        # Imported organisations wait for a coordinator's decision: accept them all, so places are public.
        started = time.perf_counter()
        db.session.execute(update(Organisation).values(status="active"))
        db.session.commit()
        activation = time.perf_counter() - started
        problems = outcome.problems
        by_reason: dict[str, int] = {}
        for problem in problems:
            key = f"{problem.severity_label} : {problem.reason or problem.message}"
            by_reason[key] = by_reason.get(key, 0) + 1
        # cpu_seconds: this process's own time, less sensitive than the wall time to a busy machine
        return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2), "rows": outcome.plan.rows,
                "created": report.created,
                "organisations_created": report.organisations_created,
                "duplicates_reported": len(outcome.plan.duplicates), "problems_by_reason": by_reason,
                "activation_seconds": round(activation, 3)}


def step_reindex() -> dict:
    from coordination.directory import search

    with make_app().app_context():
        processes = search.default_processes()  # as ``flask search reindex`` does
        started = time.perf_counter()
        documents = search.reindex(processes=processes)
        seconds = time.perf_counter() - started
    index_bytes = sum(p.stat().st_size for p in Path(BenchConfig.SEARCH_INDEX_DIR).rglob("*") if p.is_file())
    return {"seconds": round(seconds, 2), "documents": documents, "index_mb": round(index_bytes / 2**20, 1),
            "processes": processes}


def step_export() -> dict:
    from export import publish

    with make_app().app_context():
        started = time.perf_counter()
        manifest = publish.publish_all()
        seconds = time.perf_counter() - started
    files = [{key: entry.get(key) for key in ("name", "bytes", "rows")} for entry in manifest.get("files", [])]
    return {"seconds": round(seconds, 2), "places": manifest.get("places"), "files": files}


def step_export_format(name: str) -> dict:
    """One open-data file on its own, in a process of its own: its time and peak memory."""
    from export import publish

    folder = WORK / "export-per-format"
    (folder / name).unlink(missing_ok=True)  # a previous run's file
    with make_app().app_context():
        started = time.perf_counter()
        written = publish.write_one_format(name, folder)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "rows": written["rows"], "bytes": written["bytes"]}


STEPS = {"generate": step_generate, "import": step_import, "reindex": step_reindex, "export": step_export,
         "export-format": step_export_format}


def run_child_step(name: str, *arguments: str) -> None:
    """In the child: the step, then one line holding its figures and this process's peak memory."""
    baseline = peak_rss_mb()
    result = STEPS[name](*arguments)
    result.update(peak_rss_mb=peak_rss_mb(), rss_at_start_mb=baseline)
    # the largest process this step forked (the reindex's analysing processes), if any
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if children:
        result["children_peak_rss_mb"] = round(children / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
    print(RESULT_MARK + json.dumps(result, ensure_ascii=False), flush=True)


def in_child(name: str, *arguments: str) -> dict:
    """Runs one step in a fresh interpreter; returns its figures (wall time of the whole child included)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.run", "--step", name, *arguments], cwd=ROOT,
                          capture_output=True, text=True, env=os.environ.copy(), check=False)
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode or not lines:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"l'étape « {name} » a échoué (code {done.returncode})")
    result = json.loads(lines[-1].removeprefix(RESULT_MARK))
    result["process_seconds"] = round(wall, 2)
    return result


# --- the steps run here ----------------------------------------------------------------------------

def fresh_work_dir() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    for child in WORK.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def create_schema(app) -> dict:
    from coordination.auth.models import User
    from coordination.extensions import db

    with app.app_context():
        started = time.perf_counter()
        db.create_all()
        seconds = time.perf_counter() - started
        # The import's actor: a coordinator (no password: nobody logs in as this account).
        db.session.add(User(email=COORDINATOR, name="Banc d'essai", is_coordinator=True, active=True))
        db.session.commit()
    return {"seconds": round(seconds, 3), "how": "db.create_all()"}


def query_mix() -> dict[str, list[str]]:
    """The fixed query mix: per kind, the URLs of one full round (requests cycle through it)."""
    urls: dict[str, list[str]] = {"texte": [], "texte + lieu": [], "texte + lieu + filtres": [],
                                  "ouvert maintenant + lieu": []}
    for index, where in enumerate(WHERE):
        text = TEXTS[index % len(TEXTS)]
        urls["texte"].append({"q": TEXTS[(index + 3) % len(TEXTS)]})
        urls["texte + lieu"].append({"q": text, "ou": where})
        urls["texte + lieu + filtres"].append({"q": text, "ou": where, **FACETS[index % len(FACETS)]})
        urls["ouvert maintenant + lieu"].append({"ouvert": "1", "ou": where})
    return {kind: ["/recherche?" + urlencode(params) for params in rounds] for kind, rounds in urls.items()}


# « Ouvert maintenant » depends on the hour: the search process reads a fixed moment, a Tuesday at
# 10:30 in Paris, so that every run asks the same question (at 20:00 nearly every place is closed).
PINNED_NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def pin_clock() -> None:
    """The search page's clock (the search service's ``datetime.now`` and the views' ``utcnow``) pinned
    to PINNED_NOW in this process only: a benchmark device, the application is not changed."""
    from coordination.directory import views
    from coordination.directory.services import search as search_use_case

    class PinnedDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return PINNED_NOW.astimezone(tz) if tz else PINNED_NOW.replace(tzinfo=None)

    def pinned_utcnow() -> datetime:
        return PINNED_NOW.replace(tzinfo=None)

    search_use_case.datetime = PinnedDatetime
    search_use_case.utcnow = views.utcnow = pinned_utcnow


def measure_search(app, requests: int, warmup: int) -> dict:
    pin_clock()
    client = app.test_client()
    results = {}
    for kind, urls in query_mix().items():
        for index in range(warmup):
            client.get(urls[index % len(urls)])
        samples, sizes, errors = [], [], 0
        for index in range(requests):
            url = urls[index % len(urls)]
            started = time.perf_counter()
            response = client.get(url)
            body = response.get_data()  # the page is rendered in full before the clock stops
            samples.append((time.perf_counter() - started) * 1000)
            sizes.append(len(body))
            if response.status_code != 200:
                errors += 1
        results[kind] = {**percentiles(samples), "errors": errors, "page_kb_median": round(
            statistics.median(sizes) / 1024, 1), "example": urls[0]}
    return results


def timed(call, repeats: int) -> tuple[list[float], object]:
    """Milliseconds of each of ``repeats`` calls, and the last call's result."""
    samples, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def measure_map(app, repeats: int) -> dict:
    """A results map of SEARCH_MAP_LIMIT (5,000) places, as the search page builds it: the index's
    points, their names and links from the database (one query), then the HTML fragment."""
    from coordination.directory import search, services, views
    from coordination.directory.services import search as search_use_case

    pin_clock()
    day = PINNED_NOW.date()
    with app.test_request_context("/recherche"):
        # no text, no place: every public place matches, the map takes the SEARCH_MAP_LIMIT best
        index_page = search.search(search.TextQuery.parse(""), point=None, radius_km=None, facets={}, day=day,
                                   map_limit=services.SEARCH_MAP_LIMIT)
        naming, points = timed(lambda: search_use_case._map_points(index_page.map_points, {}), repeats)
        results = services.SearchResults(request=services.SearchRequest(), hits=[], total=index_page.total,
                                         page=1, pages=1, facets={}, location=None, radius_km=None,
                                         widened_from_km=None, suggestion=None, messages=[], index_status="ok",
                                         map_points=points)
        rendering, html = timed(lambda: views.results_map_html(results), repeats)
    return {"places": len(points), "names_query": percentiles(naming), "html": percentiles(rendering),
            "total_p50_ms": round(statistics.median(naming) + statistics.median(rendering), 2),
            "html_bytes": len(html.encode("utf-8")), "repeats": repeats}


# --- the report ------------------------------------------------------------------------------------

def print_table(report: dict) -> None:
    steps = report["steps"]
    print()
    print(f"Banc d'essai Maillage — {report['places']} lieux (graine {report['seed']}) — "
          f"{report['machine']['cpu_count']} CPU, Python {report['machine']['python']}")
    if report["places"] < 100_000:
        print("Attention : petit jeu de données, les chiffres ne se comparent pas aux cibles (100 000 lieux).")
    print()
    print(f"{'étape':<32}{'durée (s)':>12}{'pic RSS (Mo)':>15}  détail")
    rows = (
        ("génération du fichier", steps["generate"], f"{steps['generate']['bytes'] / 2**20:.1f} Mo"),
        ("schéma (create_all)", {**steps["schema"], "peak_rss_mb": None}, ""),
        ("import (apply_file)", steps["import"],
         f"{steps['import']['created']} lieux, {steps['import']['organisations_created']} organisations, "
         f"{steps['import'].get('cpu_seconds', 0):.0f} s de processeur"),
        ("réindexation (reindex)", steps["reindex"],
         f"{steps['reindex']['documents']} documents, index {steps['reindex']['index_mb']} Mo"),
        ("export (publish_all)", steps["export"],
         ", ".join(f"{f['name']} {f['bytes'] / 2**20:.1f} Mo" for f in steps["export"]["files"]
                   if f.get("bytes") and f["name"].startswith("lieux"))),
    )
    for label, step, detail in rows:
        peak = "—" if step.get("peak_rss_mb") is None else f"{step['peak_rss_mb']:.1f}"
        print(f"{label:<32}{step['seconds']:>12.2f}{peak:>15}  {detail}")
    print()
    print(f"{'recherche (page rendue)':<32}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'erreurs':>9}{'page Ko':>9}")
    for kind, figures in report["search"].items():
        print(f"{kind:<32}{figures['p50_ms']:>9.1f}{figures['p95_ms']:>9.1f}{figures['p99_ms']:>9.1f}"
              f"{figures['errors']:>9}{figures['page_kb_median']:>9.1f}")
    figures = report["results_map"]
    print()
    print(f"carte de {figures['places']} lieux : noms et liens {figures['names_query']['p50_ms']:.1f} ms, "
          f"fragment HTML {figures['html']['p50_ms']:.1f} ms (médianes), {figures['html_bytes'] / 2**20:.2f} Mo")
    print()
    print(f"{'export, un format à la fois':<44}{'durée (s)':>10}{'pic RSS (Mo)':>14}{'taille (Mo)':>13}")
    for name, step in report["export_per_format"].items():
        print(f"{name:<44}{step['seconds']:>10.2f}{step['peak_rss_mb']:>14.1f}{step['bytes'] / 2**20:>13.1f}")
    memory = report["worker_memory"]
    print()
    print(f"mémoire du processus de recherche après le mélange de requêtes : {memory['rss_after_mix_mb']} Mo "
          f"résidents (pic {memory['peak_rss_mb']} Mo)")
    from bench import baselines, load
    for label, result in report["throughput"].items():
        print()
        print(f"débit HTTP — {label}")
        for line in load.summary_lines(result):
            print(f"  {line}")
    print()
    baselines.print_table(report["baselines"])
    print(f"résultats : {RESULTS.relative_to(ROOT) / 'latest.json'}")


def main() -> None:
    places = generator.places_from_env()
    requests = int(os.environ.get("BENCH_REQUESTS") or 200)
    warmup = int(os.environ.get("BENCH_WARMUP") or 20)
    fresh_work_dir()
    steps = {}
    print(f"génération de {places} lieux…", flush=True)
    steps["generate"] = in_child("generate")
    app = make_app()
    steps["schema"] = create_schema(app)
    print("import…", flush=True)
    steps["import"] = in_child("import")
    print("réindexation…", flush=True)
    steps["reindex"] = in_child("reindex")
    print(f"recherche : {requests} requêtes par type après {warmup} d'échauffement…", flush=True)
    rss_before_mix = current_rss_mb()
    search = measure_search(app, requests, warmup)
    worker_memory = {"rss_before_mix_mb": rss_before_mix, "rss_after_mix_mb": current_rss_mb(),
                     "peak_rss_mb": peak_rss_mb()}
    from bench import baselines  # imported here: it imports this module (as bench.run)
    print("références (naïve, PostgreSQL) : mêmes requêtes, mêmes données…", flush=True)
    compared = baselines.compare(app, query_mix(), WORK / "maillage-bench.db", requests, warmup)
    from bench import load
    mix = query_mix()
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS") or 30)
    throughput = {}
    # The whole mix, then the searches from a place only (what a resident near home asks): the
    # nationwide text searches cost most of the CPU, and the two figures tell that apart.
    for label, kinds in (("mélange complet", list(mix)), ("recherches autour d'un lieu", [k for k in mix if "lieu" in k])):
        print(f"débit HTTP (gunicorn, 2 workers, {seconds} s) : {label}…", flush=True)
        throughput[label] = load.measure_throughput(WORK, load.interleaved({k: mix[k] for k in kinds}), seconds=seconds,
                                                    connections=8, threads=2)
    print("carte de 5 000 lieux…", flush=True)
    results_map = measure_map(app, repeats=max(5, requests // 10))
    print("export…", flush=True)
    steps["export"] = in_child("export")
    from export.formats import FILES
    export_per_format = {}
    for name, *_ in FILES:
        print(f"export : {name} seul…", flush=True)
        export_per_format[name] = in_child("export-format", name)
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "commit": git_commit(),
        "places": places, "seed": generator.seed_from_env(), "machine": machine(), "database": "sqlite",
        "search_clock": PINNED_NOW.isoformat(),
        "targets_for_100000_places": TARGETS, "steps": steps, "search": search, "worker_memory": worker_memory,
        "results_map": results_map, "export_per_format": export_per_format, "baselines": compared,
        "throughput": throughput,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_table(report)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Banc d'essai national de Maillage (issue 8).")
    parser.add_argument("--step", choices=sorted(STEPS), help="une seule étape (processus enfant)")
    parser.add_argument("arguments", nargs="*", help="les arguments de l'étape (le fichier d'un format)")
    arguments = parser.parse_args()
    if arguments.step:
        run_child_step(arguments.step, *arguments.arguments)
    else:
        main()
