"""The coordinators' dashboard: the directory's aggregates, the unmet needs of the search log, the
referral statistics and the meeting participation, composed into tables (each with its chart and
its CSV). Every figure is an aggregate: no resident, no referred person, no user appears.

Other domains are read through their statistics and records modules only.
"""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from dateutil.relativedelta import relativedelta
from flask import current_app
from markupsafe import Markup
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from coordination.auth import permissions
from coordination.core.clock import PARIS, to_paris, utcnow
from coordination.core.csv_writer import csv_text
from coordination.directory import statistics as directory
from coordination.errors import Invalid, NotFound
from coordination.events import charts, records
from coordination.referrals.statistics import referral_statistics
from coordination.vocabularies import SERVICES

CHART_ROWS = 15  # a chart shows the first rows of its table
NO_PLACE = lazy_gettext("Sans lieu précisé")
NO_TEXT = lazy_gettext("(aucun mot)")
NO_SERVICE = "—"


@dataclass
class Column:
    label: str  # French header on the page
    name: str  # header in the CSV
    number: bool = False
    blank: str = "—"  # shown on the page for an empty cell (the CSV leaves it empty)


@dataclass
class Table:
    key: str  # the CSV's name: /coordination/tableau-de-bord/<key>.csv
    title: str
    columns: list[Column]
    rows: list[tuple]
    empty: str = lazy_gettext("Aucune donnée pour le moment.")
    chart_rows: list[tuple[str, float]] = field(default_factory=list)
    chart_title: str = ""
    chart_description: str = ""
    chart_column: str = ""  # the CSV name of the column the chart draws (its other number columns are not drawn)

    def display(self) -> list[list[str]]:
        """The cells as the page shows them: French numbers, "—" for nothing."""
        return [[_display(value, column) for value, column in zip(row, self.columns, strict=True)]
                for row in self.rows]

    def chart(self) -> Markup | None:
        if not self.chart_rows:
            return None
        shown = self.chart_rows[:CHART_ROWS]
        if len(self.chart_rows) > len(shown):
            description = _("%(description)s Les %(num)s premières lignes du tableau. Les mêmes chiffres figurent "
                            "dans le tableau.", description=self.chart_description, num=len(shown))
        else:
            description = _("%(description)s Les mêmes chiffres figurent dans le tableau.",
                            description=self.chart_description)
        return charts.bar_chart(shown, title=self.chart_title, chart_id=f"graphique-{self.key}",
                                description=description)

    def chart_caption(self) -> str:
        """What the chart draws of the table: the same figures, or one column of several (said)."""
        drawn = next((column for column in self.columns if column.name == self.chart_column), None)
        others = [column.label for column in self.columns if column.number and column is not drawn]
        if drawn is None or not others:
            return _("Les mêmes chiffres que le tableau « %(title)s ».", title=self.title)
        return _("Le graphique montre la colonne « %(shown)s » du tableau « %(title)s » ; le tableau donne aussi : "
                 "%(others)s.", shown=drawn.label, title=self.title,
                 others=", ".join(_("« %(name)s »", name=label) for label in others))


@dataclass
class Section:
    id: str
    title: str
    intro: str
    tables: list[Table]


@dataclass
class Dashboard:
    since: datetime  # naive UTC: midnight in Paris on the first day of the period
    since_day: date
    service: str  # the service of the coverage view
    service_choices: tuple[str, ...]
    sections: list[Section]

    def table(self, key: str) -> Table:
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        raise NotFound(_("Ce tableau n'existe pas."))


def _display(value, column: Column) -> str:
    if value is None or value == "":
        return column.blank
    if column.number:  # French format from Babel: « 1 234 », « 2,5 »
        return format_decimal(value, format="#,##0.#")
    return str(value)


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def default_since(now: datetime | None = None) -> date:
    """Twelve months back from today in Paris."""
    return to_paris(now or utcnow()).date() - relativedelta(months=12)


def _midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None)


def build_dashboard(*, actor, since: date | None = None, service: str | None = None,
                    now: datetime | None = None) -> Dashboard:
    """Every table of the dashboard; searches and referrals counted from ``since`` (twelve months
    by default), meetings over the last twelve months."""
    permissions.require_coordinator(actor, _("Le tableau de bord est réservé à l'équipe de coordination."))
    if service is not None and service not in SERVICES:
        raise Invalid(_("Ce service ne fait pas partie des services du standard."))
    now = now or utcnow()
    since_day = since or default_since(now)
    start = _midnight_utc(since_day)
    unmet_services = directory.unmet_by_service(since=start)
    if service is None:
        service = next((row.label for row in unmet_services if row.without_results and row.label in SERVICES),
                       SERVICES[0])
    sections = [
        Section("annuaire", _("L'annuaire"),
                _("Les organisations actives et leurs lieux publiés (ce que voient les habitants)."),
                [_kinds_table(), _communes_table(), _services_table()]),
        Section("fraicheur", _("Fraîcheur des fiches"),
                _("Les lieux des organisations actives, publiés ou non, selon le temps écoulé depuis "
                "leur dernière vérification par leur organisation."),
                [_freshness_table(now)]),
        Section("besoins", _("Besoins non couverts"),
                _("Les recherches des habitants qui n'ont trouvé aucun lieu ou au plus %(num)s, d'après le journal "
                  "des recherches (qui ne garde rien de personnel).", num=directory.FEW_RESULTS),
                [_unmet_table(start), _unmet_service_table(unmet_services), _unmet_commune_table(start)]),
        Section("couverture", _("Couverture d'un service"),
                _("Les communes d'où des recherches de ce service n'ont trouvé aucun lieu qui le propose "
                "dans leur rayon."),
                [_coverage_table(service, start)]),
        Section("orientations", _("Orientations entre partenaires"),
                _("Des comptes et des délais : aucune information sur les personnes orientées."),
                _referral_tables(actor, start)),
        Section("reunions", _("Participation aux réunions du réseau"),
                _("Sur les douze derniers mois, par organisation active."),
                [_participation_table(actor, now)]),
    ]
    return Dashboard(since=start, since_day=since_day, service=service, service_choices=SERVICES,
                     sections=sections)


# --- the tables ---------------------------------------------------------------------------------

def _kinds_table() -> Table:
    rows = directory.by_kind()
    return Table(
        "types", _("Organisations actives et lieux publiés par type d'organisation"),
        [Column(_("Type d'organisation"), "type"), Column(_("Organisations"), "organisations", True),
         Column(_("Lieux publiés"), "lieux", True)],
        [(row.label, row.organisations, row.places) for row in rows],
        chart_rows=[(row.label, row.organisations) for row in rows if row.organisations],
        chart_title=_("Organisations actives par type"), chart_column="organisations",
        chart_description=_("Diagramme en barres : nombre d'organisations actives de chaque type."))


def _communes_table() -> Table:
    rows = directory.by_commune()
    return Table(
        "communes", _("Lieux publiés par commune"),
        [Column(_("Commune"), "commune"), Column(_("Code INSEE"), "code_insee"), Column(_("Lieux publiés"), "lieux", True)],
        [(row.commune, row.insee_code, row.places) for row in rows],
        empty=_("Aucun lieu publié."),
        chart_rows=[(row.commune, row.places) for row in rows],
        chart_title=_("Lieux publiés par commune"), chart_column="lieux",
        chart_description=_("Diagramme en barres : nombre de lieux publiés dans chaque commune, de la plus pourvue à la moins pourvue."))


def _services_table() -> Table:
    rows = directory.by_service()
    return Table(
        "services", _("Lieux publiés par service proposé"),
        [Column(_("Service"), "service"), Column(_("Lieux publiés qui le proposent"), "lieux", True)],
        [(row.service, row.places) for row in rows],
        chart_rows=[(row.service, row.places) for row in rows],
        chart_title=_("Lieux publiés par service"), chart_column="lieux",
        chart_description=_("Diagramme en barres : nombre de lieux publiés proposant chaque service du standard "
                          "(un lieu compte pour chacun de ses services)."))


def _freshness_table(now: datetime) -> Table:
    rows = directory.freshness(now=now)
    return Table(
        "fraicheur", _("Lieux selon leur dernière vérification"),
        [Column(_("Dernière vérification"), "anciennete"), Column(_("Lieux"), "lieux", True)],
        [(row.label, row.places) for row in rows],
        chart_rows=[(row.label, row.places) for row in rows] if any(row.places for row in rows) else [],
        chart_title=_("Fraîcheur des fiches"), chart_column="lieux",
        chart_description=_("Diagramme en barres : nombre de lieux par ancienneté de leur dernière vérification, "
                          "des plus récentes aux signalés obsolètes."))


def _unmet_table(since: datetime) -> Table:
    rows = directory.unmet_searches(since=since, min_searches=current_app.config["DASHBOARD_MIN_SEARCHES"])

    def label(row) -> str:
        return " · ".join(str(part) for part in (row.words or NO_TEXT, row.commune or NO_PLACE, row.service or NO_SERVICE))
    return Table(
        "recherches", _("Recherches les plus fréquentes sans résultat ou presque"),
        [Column(_("Mots cherchés"), "recherche", blank=NO_TEXT), Column(_("Commune"), "commune", blank=NO_PLACE),
         Column(_("Code INSEE"), "code_insee"), Column(_("Service demandé"), "service", blank=NO_SERVICE), Column(_("Recherches (au plus %(num)s résultats)", num=directory.FEW_RESULTS),
                                                      "recherches", True),
         Column(_("Dont sans aucun résultat"), "sans_resultat", True)],
        [(row.words, row.commune, row.insee_code, row.service, row.searches, row.without_results) for row in rows],
        empty=_("Aucune recherche sans résultat sur la période."),
        chart_rows=[(label(row), row.searches) for row in rows],
        chart_title=_("Recherches les plus fréquentes sans résultat ou presque"), chart_column="recherches",
        chart_description=_("Diagramme en barres : pour chaque recherche (mots, commune, service), le nombre de "
                            "fois où elle a trouvé au plus %(num)s lieux.", num=directory.FEW_RESULTS))


def _unmet_service_table(rows: list) -> Table:
    return Table(
        "recherches-par-service", _("Recherches sans résultat ou presque, par service demandé"),
        [Column(_("Service demandé"), "service"), Column(_("Recherches"), "recherches", True),
         Column(_("Dont sans aucun résultat"), "sans_resultat", True)],
        [(row.label, row.searches, row.without_results) for row in rows],
        empty=_("Aucune recherche d'un service sans résultat sur la période."),
        chart_rows=[(row.label, row.searches) for row in rows],
        chart_title=_("Recherches sans résultat ou presque, par service"), chart_column="recherches",
        chart_description=_("Diagramme en barres : nombre de recherches de chaque service ayant trouvé "
                            "au plus %(num)s lieux.", num=directory.FEW_RESULTS))


def _unmet_commune_table(since: datetime) -> Table:
    rows = directory.unmet_by_commune(since=since)
    return Table(
        "recherches-par-commune", _("Recherches sans résultat ou presque, par commune"),
        [Column(_("Commune"), "commune"), Column(_("Code INSEE"), "code_insee"), Column(_("Recherches"), "recherches", True),
         Column(_("Dont sans aucun résultat"), "sans_resultat", True)],
        [(row.label, row.code, row.searches, row.without_results) for row in rows],
        empty=_("Aucune recherche autour d'une commune sans résultat sur la période."),
        chart_rows=[(row.label, row.searches) for row in rows],
        chart_title=_("Recherches sans résultat ou presque, par commune"), chart_column="recherches",
        chart_description=_("Diagramme en barres : nombre de recherches autour de chaque commune ayant trouvé "
                            "au plus %(num)s lieux.", num=directory.FEW_RESULTS))


def _coverage_table(service: str, since: datetime) -> Table:
    rows = directory.coverage_gaps(service, since=since)
    return Table(
        "couverture", _("Communes sans lieu trouvé pour « %(service)s »", service=service),
        [Column(_("Commune"), "commune"), Column(_("Code INSEE"), "code_insee"),
         Column(_("Recherches sans aucun lieu dans le rayon"), "recherches_sans_lieu", True),
         Column(_("Plus grand rayon cherché (km)"), "rayon_max_km", True),
         Column(_("Lieux publiés qui le proposent aujourd'hui dans la commune"), "lieux_aujourd_hui", True)],
        [(row.commune, row.insee_code, row.searches, row.largest_radius_km, row.places_now) for row in rows],
        empty=_("Aucune recherche de ce service n'est restée sans lieu sur la période."),
        chart_rows=[(row.commune, row.searches) for row in rows],
        chart_title=_("Communes sans lieu trouvé pour « %(service)s »", service=service), chart_column="recherches_sans_lieu",
        chart_description=_("Diagramme en barres : pour chaque commune, le nombre de recherches de ce service "
                          "qui n'ont trouvé aucun lieu dans leur rayon."))


def _referral_tables(actor, since: datetime) -> list[Table]:
    stats = referral_statistics(actor=actor, since=since)
    rate = None if stats.acceptance_rate is None else round(stats.acceptance_rate * 100)
    overview = Table(
        "orientations", _("Orientations : vue d'ensemble"),
        [Column(_("Indicateur"), "indicateur"), Column(_("Valeur"), "valeur", True)],
        [(_("Orientations envoyées"), stats.total), (_("Réponses (acceptées ou refusées)"), stats.answered),
         (_("Acceptées"), stats.accepted), (_("Taux d'acceptation (%)"), rate),
         (_("Délai médian de réponse (heures)"), stats.median_hours_to_answer),
         (_("En attente de réponse"), stats.waiting_answer), (_("Acceptées, issue pas encore indiquée"), stats.waiting_outcome)])
    by_service = Table(
        "orientations-par-service", _("Orientations par service demandé"),
        [Column(_("Service"), "service"), Column(_("Orientations"), "orientations", True)],
        list(stats.by_service), empty=_("Aucune orientation sur la période."),
        chart_rows=list(stats.by_service), chart_title=_("Orientations par service demandé"), chart_column="orientations",
        chart_description=_("Diagramme en barres : nombre d'orientations pour chaque service demandé."))
    by_status = Table(
        "orientations-par-statut", _("Orientations par statut et par issue"),
        [Column(_("Statut"), "statut"), Column(_("Orientations"), "orientations", True)],
        [(label, n) for _status, label, n in stats.by_status], empty=_("Aucune orientation sur la période."),
        chart_rows=[(label, n) for _status, label, n in stats.by_status],
        chart_title=_("Orientations par statut et par issue"), chart_column="orientations",
        chart_description=_("Diagramme en barres : nombre d'orientations dans chaque statut."))
    return [overview, by_service, by_status]


def _participation_table(actor, now: datetime) -> Table:
    stats = records.participation(actor=actor, now=now)
    return Table(
        "reunions", _("Participation aux réunions par organisation, douze derniers mois"),
        [Column(_("Organisation"), "organisation"), Column(_("Réunions où elle était invitée"), "reunions_invitee", True),
         Column(_("Réunions avec au moins une personne présente"), "reunions_presente", True),
         Column(_("Personnes présentes (au total)"), "personnes_presentes", True),
         Column(_("Taux de participation (%)"), "taux_participation", True)],
        [(row.organisation.name, row.invited, row.attended, row.people,
          None if row.rate is None else round(row.rate * 100)) for row in stats.rows],
        empty=_("Aucune organisation active."),
        chart_rows=[(row.organisation.name, row.attended) for row in stats.rows if row.invited],
        chart_title=_("Réunions avec au moins une personne présente, par organisation"), chart_column="reunions_presente",
        chart_description=_("Diagramme en barres : pour chaque organisation invitée, le nombre de réunions "
                          "des douze derniers mois où au moins une de ses personnes était présente."))


# --- CSV ------------------------------------------------------------------------------------------

def table_csv(table: Table) -> str:
    """One table for spreadsheets (``;``, BOM, decimal commas)."""
    return csv_text([column.name for column in table.columns],
                    ([("" if value is None else _number(value).replace(".", ",")) if column.number
                      else "" if value is None else str(value) for value, column in zip(row, table.columns, strict=True)]
                     for row in table.rows))


def dashboard_csv(key: str, *, actor, since: date | None = None, service: str | None = None) -> tuple[str, str]:
    """(file name, CSV text) of one table of the dashboard."""
    board = build_dashboard(actor=actor, since=since, service=service)
    return f"tableau-de-bord-{key}.csv", table_csv(board.table(key))
