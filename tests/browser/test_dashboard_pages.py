"""The coordinators' dashboard in a real browser: charts and tables, the coverage form, a CSV
download, and no serious accessibility violation at 390 px."""
from pathlib import Path

import pytest

from coordination.testing.factories import PASSWORD
from tests.dashboard import S_ADMIN, build_network

pytestmark = pytest.mark.browser


@pytest.fixture
def dashboard_network(app):
    return build_network()


def test_a_coordinator_reads_the_dashboard_and_downloads_a_table(page, live_server, browser_login, dashboard_network):
    browser_login(dashboard_network.coordinator, PASSWORD)
    page.goto(f"{live_server}/coordination/tableau-de-bord")
    assert page.locator("h1").inner_text() == "Tableau de bord du réseau"
    charts = page.locator("svg[role='img']")
    assert charts.count() >= 8
    assert page.get_by_role("img", name="Fraîcheur des fiches").count() == 1
    table = page.get_by_role("table", name="Recherches sans résultat ou presque, par commune")
    assert table.locator("tbody tr").first.inner_text().split("\t")[:3] == ["Rezé", "44143", "4"]

    page.get_by_label("Service de la vue de couverture").select_option(S_ADMIN)
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state()
    coverage = page.get_by_role("table", name=f"Communes sans lieu trouvé pour « {S_ADMIN} »")
    assert coverage.locator("tbody tr").count() == 1
    assert coverage.locator("tbody th").inner_text() == "Saint-Herblain"

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger ce tableau (CSV) « Lieux publiés par commune »").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert content.startswith("\ufeffcommune;code_insee;lieux")
    assert download.value.suggested_filename == "tableau-de-bord-communes.csv"


def test_a_partner_is_refused(page, live_server, browser_login, dashboard_network):
    browser_login(dashboard_network.sender, PASSWORD)
    response = page.goto(f"{live_server}/coordination/tableau-de-bord")
    assert response.status == 403


def test_no_serious_accessibility_violation(page, live_server, browser_login, axe_violations, dashboard_network):
    browser_login(dashboard_network.coordinator, PASSWORD)
    page.goto(f"{live_server}/coordination/tableau-de-bord")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
