"""The coordinators' dashboard: numbers checked against a known network, coordinators only, no
personal data on the page nor in any CSV, CSV for spreadsheets (";", BOM, no formula)."""
import csv
import io
from datetime import date, datetime

import pytest
from dateutil.relativedelta import relativedelta
from html import unescape


from coordination.dashboard import services
from coordination.directory import statistics
from coordination.errors import Invalid, NotFound, PermissionDenied
from coordination.testing.factories import make_organisation, make_place, make_user
from tests.dashboard import S_ACCESS, S_ADMIN, S_LEISURE, S_TOOLS, SECRETS, build_network
from tests.french import plain

URL = "/coordination/tableau-de-bord"


@pytest.fixture
def dashboard_network(db):
    return build_network()


def rows(board, key):
    return board.table(key).rows


def read_csv(text):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


# --- the numbers ------------------------------------------------------------------------------------

def test_directory_tables_on_a_known_network(dashboard_network):
    board = services.build_dashboard(actor=dashboard_network.coordinator, now=dashboard_network.now)
    kinds = {row[0]: row[1:] for row in rows(board, "types")}
    assert kinds["Association"] == (1, 2)  # the deleted place does not count
    assert kinds["France Services"] == (1, 1)
    assert kinds["Bibliothèque, médiathèque"] == (1, 1)  # the unpublished place does not count
    assert kinds["Centre social"] == (0, 0)  # pending organisation: neither it nor its place
    assert rows(board, "types")[0][0] == "Association"  # most organisations, then most places
    assert rows(board, "communes") == [("Nantes", "44109", 2), ("Rezé", "44143", 1), ("Saint-Herblain", "44162", 1)]
    by_service = dict(rows(board, "services"))
    assert by_service[S_ADMIN] == 3 and by_service[S_ACCESS] == 2
    assert by_service[S_TOOLS] == 1 and by_service[S_LEISURE] == 1
    assert by_service["Insertion professionnelle via le numérique"] == 0  # nobody offers it: listed
    assert rows(board, "services")[0] == (S_ADMIN, 3)


def test_freshness_distribution(dashboard_network):
    board = services.build_dashboard(actor=dashboard_network.coordinator, now=dashboard_network.now)
    assert [row[1] for row in rows(board, "fraicheur")] == [1, 1, 1, 1, 1]  # 0–2, 3–4, 5, 6+, stale
    assert rows(board, "fraicheur")[4] == ("Signalés obsolètes", 1)


def test_freshness_boundaries_in_whole_months(db):
    now = datetime(2026, 8, 31, 10, 0)
    organisation = make_organisation()
    for months, seconds in ((3, 1), (3, 0), (5, 1), (5, 0), (6, 1), (6, 0)):
        make_place(organisation, verified_at=now - relativedelta(months=months) + relativedelta(seconds=seconds))
    counts = {bucket.key: bucket.places for bucket in statistics.freshness(now=now)}
    # a second before 3 months: 0–2; exactly 3 months: 3–4; the same at 5 and 6 months
    assert counts == {"0-2": 1, "3-4": 2, "5": 2, "6+": 1, "stale": 0}


def test_a_search_text_shown_only_once_shared_by_several_searches(dashboard_network):
    # The fixture's one-off searches (« caf », a formula) are texts only one resident typed.
    board = services.build_dashboard(actor=dashboard_network.coordinator, now=dashboard_network.now)
    unmet = rows(board, "recherches")
    assert [row[0] for row in unmet] == ["ordinateur"]  # 4 searches; the others are 2 or fewer


def test_unmet_needs_by_search_commune_and_service(dashboard_network, app, monkeypatch):
    monkeypatch.setitem(app.config, "DASHBOARD_MIN_SEARCHES", 1)
    board = services.build_dashboard(actor=dashboard_network.coordinator, now=dashboard_network.now)
    unmet = rows(board, "recherches")
    assert unmet[:3] == [("ordinateur", "Rezé", "44143", S_ACCESS, 4, 3),
                         ("", "Saint-Herblain", "44162", S_ACCESS, 2, 2),
                         ("", "Saint-Herblain", "44162", S_ADMIN, 2, 2)]
    assert sorted(unmet[3:], key=str) == sorted([("caf", None, None, None, 1, 0),
                                                 ('=hyperlink("http://x")', "Nantes", "44109", None, 1, 1)], key=str)
    shown = board.table("recherches").display()
    assert shown[1][:4] == ["(aucun mot)", "Saint-Herblain", "44162", S_ACCESS]
    assert ["caf", "Sans lieu précisé", "—", "—", "1", "0"] in shown
    assert len(unmet) == 5  # the search with 5 results and the one before the period are not there
    assert rows(board, "recherches-par-service") == [(S_ACCESS, 6, 5), (S_ADMIN, 2, 2)]
    assert rows(board, "recherches-par-commune") == [("Rezé", "44143", 4, 3), ("Saint-Herblain", "44162", 2, 2),
                                                     ("Nantes", "44109", 1, 1)]


def test_the_period_starts_where_the_coordinator_says(dashboard_network):
    since = (dashboard_network.now - relativedelta(years=3)).date()
    board = services.build_dashboard(actor=dashboard_network.coordinator, since=since, now=dashboard_network.now)
    assert rows(board, "recherches")[0] == ("ordinateur", "Rezé", "44143", S_ACCESS, 5, 4)
    later = services.build_dashboard(actor=dashboard_network.coordinator, since=date(2999, 1, 1), now=dashboard_network.now)
    assert rows(later, "recherches") == [] and rows(later, "orientations")[0] == ("Orientations envoyées", 0)


def test_coverage_of_a_service(dashboard_network):
    board = services.build_dashboard(actor=dashboard_network.coordinator, now=dashboard_network.now)
    assert board.service == S_ACCESS  # by default, the service most searched without result
    # Saint-Herblain: the searches found nothing, a place offering it is listed there today
    assert rows(board, "couverture") == [("Rezé", "44143", 3, 20.0, 0), ("Saint-Herblain", "44162", 2, 30.0, 1)]
    board = services.build_dashboard(actor=dashboard_network.coordinator, service=S_ADMIN, now=dashboard_network.now)
    assert rows(board, "couverture") == [("Saint-Herblain", "44162", 2, 30.0, 0)]  # its place is unpublished
    board = services.build_dashboard(actor=dashboard_network.coordinator, service=S_LEISURE, now=dashboard_network.now)
    assert rows(board, "couverture") == []
    with pytest.raises(Invalid):
        services.build_dashboard(actor=dashboard_network.coordinator, service="Réparer les vélos")


def test_referrals_and_meetings(dashboard_network):
    board = services.build_dashboard(actor=dashboard_network.coordinator, now=dashboard_network.now)
    assert plain(dict(rows(board, "orientations"))) == {
        "Orientations envoyées": 3, "Réponses (acceptées ou refusées)": 2, "Acceptées": 1,
        "Taux d'acceptation (%)": 50, "Délai médian de réponse (heures)": 3.0, "En attente de réponse": 1,
        "Acceptées, issue pas encore indiquée": 1}
    assert rows(board, "orientations-par-service") == [(S_ADMIN, 2), (S_TOOLS, 1)]
    assert rows(board, "orientations-par-statut") == [("En attente de réponse", 1), ("Acceptée", 1), ("Refusée", 1)]
    assert rows(board, "reunions") == [("Association Clic et Déclic", 1, 1, 1, 100),
                                       ("France Services de Rezé", 1, 0, 0, 0),
                                       ("Médiathèque Diderot", 0, 0, 0, None)]


def test_an_empty_network_has_every_table(db):
    coordinator = make_user(coordinator=True)
    board = services.build_dashboard(actor=coordinator)
    assert rows(board, "communes") == [] and rows(board, "recherches") == []
    assert board.service == S_ADMIN
    assert all(row[1] == 0 for row in rows(board, "fraicheur"))


# --- access -----------------------------------------------------------------------------------------

def test_only_coordinators(dashboard_network, client, login):
    assert client.get(URL).status_code == 302
    assert "/connexion" in client.get(URL).headers["Location"]
    assert "/connexion" in client.get(URL + "/communes.csv").headers["Location"]
    login(dashboard_network.sender)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "/communes.csv").status_code == 403
    with pytest.raises(PermissionDenied):
        services.build_dashboard(actor=dashboard_network.sender)
    with pytest.raises(PermissionDenied):
        services.build_dashboard(actor=None)


def test_bad_parameters(dashboard_network, client, login):
    login(dashboard_network.coordinator)
    assert client.get(URL + "?depuis=hier").status_code == 400
    assert client.get(URL + "?service=Autre").status_code == 400
    assert client.get(URL + "/inconnu.csv").status_code == 404
    with pytest.raises(NotFound):
        services.dashboard_csv("inconnu", actor=dashboard_network.coordinator)


# --- the page and the files -----------------------------------------------------------------------

def test_page_has_a_chart_and_a_table_for_each_figure(dashboard_network, client, login):
    login(dashboard_network.coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    body = plain(response.get_data(as_text=True))
    board = services.build_dashboard(actor=dashboard_network.coordinator, now=dashboard_network.now)
    for section in board.sections:
        for table in section.tables:
            assert f"<caption>{plain(table.title)}</caption>" in plain(unescape(body))
            assert f'href="/coordination/tableau-de-bord/{table.key}.csv?' in body
            if table.chart_rows:
                assert f'id="graphique-{table.key}-title"' in body and f'id="graphique-{table.key}-desc"' in body
    assert body.count('role="img"') == sum(1 for s in board.sections for t in s.tables if t.chart_rows)
    assert "<th scope=\"row\">Rezé</th><td>44143</td><td>4</td><td>3</td>" in body
    assert '<th scope="row">Délai médian de réponse (heures)</th><td>3</td>' in body
    assert '<th scope="row">Médiathèque Diderot</th><td>0</td><td>0</td><td>0</td><td>—</td>' in body


def test_no_personal_data_on_the_page_nor_in_any_csv(dashboard_network, client, login):
    login(dashboard_network.coordinator)
    pages = [plain(client.get(URL).get_data(as_text=True))]
    board = services.build_dashboard(actor=dashboard_network.coordinator, now=dashboard_network.now)
    for section in board.sections:
        for table in section.tables:
            response = client.get(f"{URL}/{table.key}.csv")
            assert response.status_code == 200, table.key
            pages.append(response.get_data(as_text=True))
    for text in pages:
        for secret in SECRETS:
            assert secret.casefold() not in text.casefold(), secret


def test_csv_for_spreadsheets(dashboard_network, client, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "DASHBOARD_MIN_SEARCHES", 1)
    make_organisation("=CMD|' /C calc'!A0")
    login(dashboard_network.coordinator)
    response = client.get(f"{URL}/recherches-par-commune.csv?depuis=2020-01-01")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="tableau-de-bord-recherches-par-commune.csv"'
    assert read_csv(response.get_data(as_text=True)) == [
        ["commune", "code_insee", "recherches", "sans_resultat"],
        ["Rezé", "44143", "5", "4"], ["Saint-Herblain", "44162", "2", "2"], ["Nantes", "44109", "1", "1"]]
    unmet = read_csv(client.get(f"{URL}/recherches.csv").get_data(as_text=True))
    assert ["'=hyperlink(\"http://x\")", "Nantes", "44109", "", "1", "1"] in unmet
    assert ["caf", "", "", "", "1", "0"] in unmet
    meetings = read_csv(client.get(f"{URL}/reunions.csv").get_data(as_text=True))
    assert ["'=CMD|' /C calc'!A0", "0", "0", "0", ""] in meetings
    assert ["Association Clic et Déclic", "1", "1", "1", "100"] in meetings
    overview = read_csv(client.get(f"{URL}/orientations.csv").get_data(as_text=True))
    assert ["Délai médian de réponse (heures)", "3"] in overview


def test_every_formula_start_is_neutralised():
    table = services.Table("t", "T", [services.Column("Nom", "nom"), services.Column("N", "n", True)],
                           [(start + "1", 2.5) for start in "=+-@"] + [("Ordinaire", None)])
    # "+1" and "-1" are numbers to a spreadsheet, nothing runs: the one guard of every CSV leaves them
    assert read_csv(services.table_csv(table))[1:] == [["'=1", "2,5"], ["+1", "2,5"], ["-1", "2,5"],
                                                        ["'@1", "2,5"], ["Ordinaire", ""]]
    assert table.display()[0] == ["=1", "2,5"] and table.display()[4] == ["Ordinaire", "—"]  # the page escapes


def test_an_absurd_period_is_a_french_400(dashboard_network, client, login):
    login(dashboard_network.coordinator)
    response = client.get(f"{URL}?depuis=0001-01-01")
    assert response.status_code == 400 and "entre 2000 et 2100" in plain(response.get_data(as_text=True))


def test_numbers_read_the_french_way_on_the_page_and_in_the_spreadsheet(app):
    from coordination.dashboard.services import Column, Table, _display, table_csv
    column = Column("Lieux", "lieux", True)
    with app.test_request_context():
        assert [_display(value, column) for value in (1234, 2.5, 3.0, None)] == ["1\u202f234", "2,5", "3", "—"]
    table = Table("t", "Titre", [Column("Commune", "commune"), column], [("Nantes", 1234), ("Rezé", 2.5)])
    assert table_csv(table).splitlines()[1:] == ["Nantes;1234", "Rezé;2,5"]
