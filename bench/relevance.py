"""The relevance benchmark (issue 14, item 9): do residents find the places that help them?

    python -m bench.relevance            # or: make relevance

A fresh SQLite database under ``bench/work/relevance/`` (deleted at the start), built by the
migrations; every file of the real-world folder (RELEVANCE_DATA, ``../shared/reference/real-world``
by default, relative to the repository) offered to the product's own import (``apply_file``, invalid
rows skipped), the demo network, the search index rebuilt; then each judged query of
``bench/relevance_queries.csv`` asked on the search page as a resident would (``/recherche?q=…&ou=…``,
default radius and order), its first results read from the page and judged by what the data says.

Judgment: a place is relevant to a query when it offers one of the query's accepted services,
programmes or typologies (or is the named place, for ``lieu:`` rules) and lies within 10 km of the
town's true centre, written in the queries file with its INSEE code. A query counts only when such
places exist. success@5: the first result is relevant and at least 3 of the first 5 are (all of them
when fewer than 3 exist). The geocoder is off: nothing leaves the machine.

Writes ``docs/relevance.md`` (RELEVANCE_REPORT for another path) with the method, the table and the figures.
"""
import csv
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from coordination.config import DevelopmentConfig
from coordination.vocabularies import PROGRAMMES, SERVICES, TYPOLOGIES

ROOT = Path(__file__).resolve().parent.parent
WORK = (ROOT / "bench" / "work" / "relevance").resolve()
QUERIES_FILE = ROOT / "bench" / "relevance_queries.csv"
DATA_DIR = (ROOT / os.environ.get("RELEVANCE_DATA", "../shared/reference/real-world")).resolve()
REPORT_FILE = (ROOT / os.environ.get("RELEVANCE_REPORT", "docs/relevance.md")).resolve()
COORDINATOR = "banc-pertinence@maillage.fr"  # never mailed: nobody logs in as this account
RADIUS_KM = 10.0
TOP = 5
# Places at the same distance are ordered by a rank that changes every day: the search reads this
# fixed day (a Tuesday), so that two runs on the same data give the same table.
PINNED_NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


# « nom » is for the kinds of places the standard's typology names but the 0.1 files do not carry
# (a « CCAS de … » imported from them has no typology): the place's name says what it is.
RULE_KINDS = {"service": SERVICES, "programme": PROGRAMMES, "typologie": TYPOLOGIES, "nom": None, "lieu": None}


class RelevanceConfig(DevelopmentConfig):
    """Every path under WORK (no environment variable to set: importing this module changes nothing)."""
    SECRET_KEY = "relevance-only-secret"
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{WORK / 'maillage-pertinence.db'}"
    SEARCH_INDEX_DIR = str(WORK / "index")
    OPEN_DATA_DIR = str(WORK / "open-data")
    IMPORT_UPLOAD_DIR = str(WORK / "imports")
    GEOCODER_ENABLED = False  # offline: « ou » is resolved without the address service
    RATELIMIT_ENABLED = False
    MAIL_BACKEND = "console"
    LOG_LEVEL = "WARNING"


# --- the judged queries --------------------------------------------------------------------------

@dataclass
class Query:
    line: int
    text: str
    where: str
    insee: str
    latitude: float
    longitude: float
    rules: list[tuple[str, str]]  # (kind, value): service, programme, typologie, nom (words of the name) or
                                  # lieu (the place's id in its file, as the product keeps it)
    kind: str                     # besoin, faute, sans accent, pluriel, nom…: how the table groups them


def parse_rules(text: str, line: int) -> list[tuple[str, str]]:
    """« service:Aide aux démarches administratives | programme:France Services » -> pairs, each value
    checked against the national standard (a typo in the file must not judge every answer wrong)."""
    rules = []
    for part in text.split("|"):
        kind, _, value = part.strip().partition(":")
        kind, value = kind.strip(), value.strip()
        if kind not in RULE_KINDS or not value:
            raise ValueError(f"ligne {line} : règle « {part.strip()} » illisible "
                             f"(attendu {', '.join(RULE_KINDS)} suivi de « : » et d'une valeur)")
        known = RULE_KINDS[kind]
        if known is not None and value not in known:
            raise ValueError(f"ligne {line} : « {value} » n'est pas une valeur « {kind} » du standard")
        rules.append((kind, value))
    return rules


def load_queries(path: Path = QUERIES_FILE) -> list[Query]:
    queries = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                queries.append(Query(line=line, text=row["requete"].strip(), where=row["ou"].strip(),
                                     insee=row["insee"].strip(), latitude=float(row["latitude"]),
                                     longitude=float(row["longitude"]), rules=parse_rules(row["attendu"], line),
                                     kind=row["genre"].strip()))
            except (KeyError, TypeError, ValueError) as error:
                raise SystemExit(f"{path.name}, {error}") from None
    return queries


# --- judging -------------------------------------------------------------------------------------

def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@dataclass
class PlaceFacts:
    """What the data says of a public place: enough to judge it."""
    public_id: str
    external_id: str | None
    name: str
    commune: str
    latitude: float | None
    longitude: float | None
    services: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    typology: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe: « Médiathèque » and « MEDIATHEQUE » are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def offers(place: PlaceFacts, rules: list[tuple[str, str]]) -> bool:
    lists = {"service": place.services, "programme": place.programmes, "typologie": place.typology}
    for kind, value in rules:
        if kind == "lieu" and value.lower() in (place.public_id.lower(), (place.external_id or "").lower()):
            return True
        if kind == "nom" and re.search(r"\b" + re.escape(fold(value)), fold(place.name)):
            return True
        if value in lists.get(kind, ()):
            return True
    return False


def is_relevant(place: PlaceFacts, query: Query) -> bool:
    return (place.latitude is not None and place.longitude is not None and offers(place, query.rules)
            and distance_km(query.latitude, query.longitude, place.latitude, place.longitude) <= RADIUS_KM)


def success_at_5(first_five: list[bool], relevant_count: int) -> bool:
    """The first result is relevant and at least 3 of the first 5 are (all of them when fewer exist)."""
    return bool(first_five) and first_five[0] and sum(first_five[:TOP]) >= min(3, relevant_count)


# --- reading the results page --------------------------------------------------------------------

PLACE_LINK = re.compile(r"^/lieux/([^/?#]+)$")


class ResultsPage(HTMLParser):
    """The public ids of the results list, in order: the first place link of each ``<li class="result">``."""

    def __init__(self):
        super().__init__()
        self.public_ids: list[str] = []
        self._in_result = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "li":
            self._in_result = "result" in (attributes.get("class") or "").split()
        elif tag == "a" and self._in_result:
            found = PLACE_LINK.match(attributes.get("href") or "")
            if found:
                self.public_ids.append(found.group(1))
                self._in_result = False

    def handle_endtag(self, tag):
        if tag == "li":
            self._in_result = False


@contextmanager
def pinned_search_day():
    """The search service's clock at PINNED_NOW for the block only: a benchmark device, the
    application is not changed."""
    from coordination.directory.services import search as search_use_case

    class PinnedDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return PINNED_NOW.astimezone(tz) if tz else PINNED_NOW.replace(tzinfo=None)

    original, search_use_case.datetime = search_use_case.datetime, PinnedDatetime
    try:
        yield
    finally:
        search_use_case.datetime = original


def results_of(client, query: Query) -> tuple[int, list[str]]:
    response = client.get("/recherche?" + urlencode({"q": query.text, "ou": query.where}))
    page = ResultsPage()
    page.feed(response.get_data(as_text=True))
    return response.status_code, page.public_ids


# --- building the database -----------------------------------------------------------------------

def make_app():
    from coordination import create_app
    return create_app(RelevanceConfig)


def fresh_work_dir() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)


def migrate() -> None:
    import logging

    from flask_migrate import upgrade
    upgrade(directory=str(ROOT / "migrations"))
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise here


def import_files(actor, folder: Path = DATA_DIR) -> list[tuple[str, str]]:
    """Every file of the folder through the product's import (valid rows only): per file, « importé :
    N lieux » or « non lu : <the import's first error> », so that a format counts as soon as it is read."""
    from coordination.directory import imports
    from coordination.errors import DomainError

    lines = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        try:
            outcome = imports.apply_file(path, actor=actor, max_bytes=path.stat().st_size + 1, skip_invalid=True,
                                         name=path.name)
        except DomainError as error:
            lines.append((path.name, f"non lu : {error.message}"))
            continue
        report = outcome.report
        if report is not None and report.applied:
            skipped = len(outcome.plan.rejected_lines)
            lines.append((path.name, f"importé : {report.created + report.updated} lieux"
                                     + (f" ({skipped} lignes en erreur laissées de côté)" if skipped else "")))
        else:
            errors = [p for p in outcome.problems if p.severity == imports.ERROR]
            # the first sentence: « Colonnes obligatoires absentes : … », not the list of the columns found
            reason = errors[0].message.split(". ")[0].rstrip(".") if errors else "rien d'importable"
            lines.append((path.name, f"non lu : {reason}"))
    return lines


def accept_imported_organisations() -> int:
    """Imported organisations wait for a coordinator's decision. ``accept_organisation`` mails each
    one: here they are accepted directly, in one statement, so that their places are public."""
    from sqlalchemy import update

    from coordination.auth.models import Organisation
    from coordination.extensions import db

    accepted = db.session.execute(update(Organisation).where(Organisation.status == "pending")
                                  .values(status="active")).rowcount
    db.session.commit()
    return accepted


def public_places() -> dict[str, PlaceFacts]:
    from coordination.directory import services

    return {p.public_id: PlaceFacts(p.public_id, getattr(p, "external_id", None), p.name, p.commune, p.latitude,
                                    p.longitude, list(p.services or []), list(p.programmes or []),
                                    list(p.typology or []))
            for p in services.iter_public_places()}


def build(app) -> dict:
    from coordination.auth import services as accounts
    from coordination.directory import demo, search

    timings = {}
    with app.app_context():
        started = time.perf_counter()
        migrate()
        actor, _ = accounts.create_coordinator(email=COORDINATOR, name="Banc de pertinence",
                                               password=secrets.token_urlsafe(24))
        timings["migrations"] = time.perf_counter() - started
        started = time.perf_counter()
        files = import_files(actor)
        accepted = accept_imported_organisations()
        timings["import"] = time.perf_counter() - started
        demo_lines = []
        demo.seed(if_empty=False, echo=demo_lines.append)
        started = time.perf_counter()
        documents = search.reindex(processes=search.default_processes())
        timings["index"] = time.perf_counter() - started
    return {"files": files, "organisations_accepted": accepted, "demo": demo_lines[0] if demo_lines else "",
            "documents": documents, "timings": timings}


# --- the run -------------------------------------------------------------------------------------

@dataclass
class Verdict:
    query: Query
    relevant_count: int
    excluded: str | None = None
    status: int = 200
    first: str = ""
    top: list[bool] = field(default_factory=list)
    results: int = 0

    @property
    def success(self) -> bool:
        return self.status == 200 and success_at_5(self.top, self.relevant_count)


def judge(app, queries: list[Query]) -> list[Verdict]:
    verdicts = []
    with app.app_context():
        places = public_places()
    client = app.test_client()
    with pinned_search_day():
        found_per_query = [results_of(client, query) for query in queries]
    for query, (status, found) in zip(queries, found_per_query, strict=True):
        relevant = {pid for pid, place in places.items() if is_relevant(place, query)}
        verdict = Verdict(query, len(relevant))
        if not relevant:
            named = any(kind == "lieu" for kind, _ in query.rules)
            verdict.excluded = ("lieu nommé absent des données importées" if named
                                else f"aucun lieu pertinent à moins de {RADIUS_KM:g} km")
        verdict.status = status
        verdict.results = len(found)
        verdict.top = [pid in relevant for pid in found[:TOP]]
        if found:
            first = places.get(found[0])
            verdict.first = (f"{first.name} ({first.commune}, "
                             f"{distance_km(query.latitude, query.longitude, first.latitude, first.longitude):.1f} km)"
                             if first and first.latitude is not None else (first.name if first else found[0]))
        verdicts.append(verdict)
    if not any(v.results for v in verdicts):
        raise SystemExit("Aucun résultat lu sur aucune page : la liste des résultats (<li class=\"result\">) a-t-elle "
                         "changé ? Adaptez ResultsPage dans bench/relevance.py.")
    return verdicts


def figures(verdicts: list[Verdict]) -> dict:
    counted = [v for v in verdicts if v.excluded is None]
    successes = sum(v.success for v in counted)
    empty = sum(v.results == 0 for v in counted)
    return {"counted": len(counted), "excluded": len(verdicts) - len(counted), "successes": successes,
            "success_rate": successes / len(counted) if counted else 0.0, "empty": empty,
            "empty_rate": empty / len(counted) if counted else 0.0,
            "errors": sum(v.status != 200 for v in verdicts)}


def by_kind(verdicts: list[Verdict]) -> list[tuple[str, int, int, int]]:
    """(kind, counted, successes, without result) per kind of query, most frequent first: where the
    search fails (needs, acronyms, typos, plurals, place names)."""
    kinds: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        if verdict.excluded is None:
            kinds.setdefault(verdict.query.kind, []).append(verdict)
    return [(kind, len(group), sum(v.success for v in group), sum(v.results == 0 for v in group))
            for kind, group in sorted(kinds.items(), key=lambda item: (-len(item[1]), item[0]))]


def verdict_text(verdict: Verdict) -> str:
    if verdict.excluded:
        return f"exclue : {verdict.excluded}"
    if verdict.status != 200:
        return f"erreur {verdict.status}"
    if not verdict.results:
        return "aucun résultat"
    return "réussie" if verdict.success else "échec"


def percent(value: float) -> str:
    return f"{value * 100:.1f}\u00a0%".replace(".", ",")


def table_rows(verdicts: list[Verdict]) -> list[tuple[str, ...]]:
    return [(str(i), v.query.text, v.query.where, v.query.kind, v.first or "—",
             f"{sum(v.top)}/{min(TOP, v.relevant_count)}" if not v.excluded else "—", str(v.relevant_count),
             verdict_text(v)) for i, v in enumerate(verdicts, start=1)]


HEADERS = ("n°", "requête", "où", "genre", "premier résultat", "pertinents (5 premiers)", "pertinents à 10 km",
           "verdict")


def print_report(build_info: dict, verdicts: list[Verdict], numbers: dict, seconds: float) -> None:
    print()
    for name, line in build_info["files"]:
        print(f"{name} — {line}")
    print(build_info["demo"])
    print(f"index : {build_info['documents']} lieux publics")
    print()
    widths = (3, 28, 22, 11, 50, 9, 8, 14)
    print("  ".join(h[:w].ljust(w) for h, w in zip(HEADERS, widths, strict=True)))
    for row in table_rows(verdicts):
        print("  ".join(cell[:w].ljust(w) for cell, w in zip(row, widths, strict=True)))
    print()
    print(f"requêtes comptées : {numbers['counted']} (exclues : {numbers['excluded']}, aucun lieu pertinent "
          f"à moins de {RADIUS_KM:g} km ou lieu nommé absent)")
    print(f"success@5 : {percent(numbers['success_rate'])} ({numbers['successes']}/{numbers['counted']})")
    print(f"sans résultat : {percent(numbers['empty_rate'])} ({numbers['empty']}/{numbers['counted']})")
    if numbers["errors"]:
        print(f"pages en erreur : {numbers['errors']}")
    print("par genre : " + " ; ".join(f"{kind} {ok}/{counted} réussies, {empty} sans résultat"
                                      for kind, counted, ok, empty in by_kind(verdicts)))
    print(f"durée totale : {seconds:.0f} s")


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "inconnu"


def markdown_cell(text: str) -> str:
    return text.replace("|", "\\|")


def write_report(build_info: dict, verdicts: list[Verdict], numbers: dict, seconds: float) -> None:
    timings = build_info["timings"]
    lines = [
        "# Pertinence de la recherche : le banc d'essai",
        "",
        f"Mesure du {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit `{git_commit()}`, Python "
        f"{sys.version.split()[0]}, durée totale {seconds:.0f} s (migrations {timings['migrations']:.0f} s, "
        f"imports {timings['import']:.0f} s, index {timings['index']:.0f} s).",
        "",
        "## Les chiffres",
        "",
        f"- **success@5 : {percent(numbers['success_rate'])}** ({numbers['successes']} requêtes réussies "
        f"sur {numbers['counted']} comptées) ;",
        f"- **sans résultat : {percent(numbers['empty_rate'])}** ({numbers['empty']} sur {numbers['counted']}) ;",
        f"- requêtes exclues : {numbers['excluded']} (aucun lieu pertinent à moins de {RADIUS_KM:g} km du centre "
        "de la commune, ou lieu nommé absent des données importées : voir le tableau) ;",
        "- cibles de l'issue 14 : success@5 ≥ 90 %, sans résultat ≤ 5 % ; aucune requête qui nomme un lieu ne "
        "le manque.",
        "",
        "| genre de requête | comptées | réussies | sans résultat |",
        "|---|---|---|---|",
        *(f"| {kind} | {counted} | {ok} | {empty} |" for kind, counted, ok, empty in by_kind(verdicts)),
        "",
        "## Les données",
        "",
        f"Fichiers du dossier `{os.path.relpath(DATA_DIR, ROOT)}`, chacun proposé à l'import du produit "
        "(`coordination.directory.imports.imports.apply_file`, lignes en erreur laissées de côté) :",
        "",
    ]
    lines += [f"- `{name}` — {line}" for name, line in build_info["files"]]
    lines += [
        f"- réseau de démonstration (`demo.seed`, comme `flask demo seed`) — {build_info['demo']}",
        "",
        f"Organisations importées acceptées : {build_info['organisations_accepted']} (directement par le banc, "
        "en une requête : le service `accept_organisation` écrit à chacune). Index : "
        f"{build_info['documents']} lieux publics.",
        "",
        "## La méthode",
        "",
        "Chaque requête de `bench/relevance_queries.csv` est posée à la page de recherche comme le ferait "
        "un habitant (`/recherche?q=…&ou=…`, rayon et tri par défaut) ; les résultats sont lus sur la page, "
        "dans l'ordre. Le service d'adresses (BAN) n'est jamais appelé (`GEOCODER_ENABLED = False`) : "
        "« où » est résolu hors ligne, comme le ferait le produit sans réseau. Les lieux à égale distance "
        "sont départagés par un rang qui change chaque jour : la recherche lit un jour fixe "
        f"({PINNED_NOW:%Y-%m-%d}), pour que deux mesures sur les mêmes données donnent le même tableau.",
        "",
        "Un lieu est **pertinent** quand les données le disent : il propose l'un des services, programmes "
        "ou typologies du standard national acceptés pour la requête (colonne `attendu`), ou il est le lieu "
        f"nommé (`lieu:<id du fichier>`), **et** il est à moins de {RADIUS_KM:g} km du centre réel de la "
        "commune (coordonnées et code INSEE écrits dans le fichier de requêtes). Ce que la recherche renvoie "
        "aujourd'hui n'entre pas dans le jugement.",
        "",
        "Ce que chaque besoin accepte (la colonne `attendu` le dit requête par requête) :",
        "",
        "- démarches (CAF, impôts, carte grise, passeport, ameli, retraite, RSA…) : le service « Aide aux démarches "
        "administratives », ou les programmes France Services, Aidants Connect, Point d'accès numérique CAF, qui "
        "existent pour cela ;",
        "- se servir d'un ordinateur, d'un smartphone, d'une tablette, du courriel : « Maîtrise des outils numériques "
        "du quotidien » ; « aide / atelier / cours d'informatique » accepte aussi « Compréhension du monde "
        "numérique » et « Loisirs et créations numériques » ;",
        "- imprimer, scanner, accès internet, ordinateur en libre accès : « Accès internet et matériel informatique » "
        "ou le programme France Services (sa charte impose des postes informatiques en accès libre) ; le wifi : le "
        "service seul ;",
        "- emploi, Pôle emploi, France Travail : démarches, « Insertion professionnelle via le numérique » ou France "
        "Services ; CV et lettre de motivation : l'insertion professionnelle seule ;",
        "- arnaques : « Utilisation sécurisée du numérique » ; Pronote, parentalité : « Parentalité et éducation avec "
        "le numérique » ; ordinateur pas cher ou reconditionné : « Acquisition de matériel informatique à prix "
        "solidaire » ;",
        "- médiathèque, CCAS, centre social : la typologie, ou le nom du lieu (`nom:`), car les fichiers au standard "
        "0.1 n'ont pas de typologie ;",
        "- un lieu nommé : son identifiant tel que le produit le garde (l'`id` du fichier ; `france-services-<id_fs>` "
        "pour la liste France Services).",
        "",
        "Les centres des communes sont écrits dans le fichier de requêtes avec leur code INSEE (mairie ou centre "
        "historique, de connaissance publique, à un kilomètre près) : la liste officielle des communes pourra les "
        "remplacer quand le produit l'aura.",
        "",
        "Une requête **réussit** (success@5) quand le premier résultat est pertinent et qu'au moins 3 des 5 "
        "premiers le sont (tous, quand il en existe moins de 3). Une requête sans aucun lieu pertinent à "
        f"moins de {RADIUS_KM:g} km est exclue : elle compte dès que les données en contiennent (par exemple "
        "quand un nouveau format de fichier est lu).",
        "",
        "## Lancer le banc",
        "",
        "```",
        "make relevance                                  # ou : .venv/bin/python -m bench.relevance",
        "make relevance REAL_WORLD=/chemin/des/fichiers  # un autre dossier de fichiers",
        "```",
        "",
        "La base SQLite et l'index sont refaits à chaque fois dans `bench/work/relevance/` (ignoré par git). "
        "Un autre jeu de requêtes jugées, au même format, se passe par `RELEVANCE_QUERIES=chemin.csv`.",
        "",
        "## Le tableau",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---" for _ in HEADERS) + "|",
    ]
    lines += ["| " + " | ".join(markdown_cell(cell) for cell in row) + " |" for row in table_rows(verdicts)]
    REPORT_FILE.parent.mkdir(parents=True, exist_ok=True)
    REPORT_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    started = time.perf_counter()
    queries = load_queries(Path(os.environ.get("RELEVANCE_QUERIES") or QUERIES_FILE))
    if not DATA_DIR.is_dir():
        raise SystemExit(f"Dossier des fichiers réels introuvable : {DATA_DIR} (variable RELEVANCE_DATA).")
    fresh_work_dir()
    app = make_app()
    print(f"base neuve dans {WORK.relative_to(ROOT)}, import des fichiers de {DATA_DIR}…", flush=True)
    build_info = build(app)
    print(f"{len(queries)} requêtes jugées…", flush=True)
    verdicts = judge(app, queries)
    numbers = figures(verdicts)
    seconds = time.perf_counter() - started
    print_report(build_info, verdicts, numbers, seconds)
    write_report(build_info, verdicts, numbers, seconds)
    print(f"rapport : {os.path.relpath(REPORT_FILE, ROOT)}")


if __name__ == "__main__":
    main()
