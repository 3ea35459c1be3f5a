"""The /open-data page in a real browser: no serious accessibility violation, readable at 360 px
(the field table scrolls inside its own focusable region), and its links reach the files."""
import shutil
from pathlib import Path

import pytest

from coordination.testing.factories import make_organisation, make_place

pytestmark = pytest.mark.browser


@pytest.fixture
def published(app):
    """Two public places and no open-data file yet: the page generates them on its first visit."""
    directory = Path(app.config["OPEN_DATA_DIR"])
    shutil.rmtree(directory, ignore_errors=True)
    organisation = make_organisation("Association Les Connectés")
    places = [make_place(organisation, name="Point numérique de la mairie"),
              make_place(organisation, name="Médiathèque Hermeland", commune="Saint-Herblain", postcode="44800")]
    yield places
    shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_open_data_page_has_no_serious_accessibility_violation(browser, live_server, axe_violations, published,
                                                               width):
    context = browser.new_context(bypass_csp=True, locale="fr-FR", viewport={"width": width, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(f"{live_server}/open-data")
        assert tab.locator("h1").count() == 1
        assert tab.get_by_role("heading", name="Les 32 champs du standard").is_visible()
        assert tab.locator("table tbody tr").count() == 32
        assert axe_violations(tab) == []
    finally:
        context.close()


def test_open_data_page_fits_a_small_screen_and_its_links_reach_the_files(page, live_server, published):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server}/open-data")

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    region = page.get_by_role("region", name="Tableau des champs, défilant horizontalement")
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")

    links = page.locator("#telecharger + ul a")
    assert links.count() == 6
    for href in links.evaluate_all("links => links.map(link => link.href)"):
        response = page.request.get(href)
        assert response.status == 200, href
        assert response.headers["access-control-allow-origin"] == "*"
    assert "Point numérique de la mairie" in page.request.get(
        f"{live_server}/open-data/lieux-de-mediation-numerique.csv").text()
