"""The network's own labels in a real browser (issue 18, item 6): a coordinator creates a label, a
partner ticks it on a place, a visitor filters the search by it and reads it on the place page;
every page at 360 px and 1280 px with no serious accessibility violation nor sideways scroll."""
from urllib.parse import urlsplit

import pytest

from coordination.directory import search as index
from coordination.extensions import db as _db
from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_place, make_user

pytestmark = pytest.mark.browser
WIDTHS = (360, 1280)
NAME = "Accepte le Pass numérique"
DESCRIPTION = "Le lieu accepte les chèques Pass numérique pour ses ateliers."


@pytest.fixture
def people(app):
    organisation = make_organisation("Association Les Connectés")
    places = [make_place(organisation, name="Point numérique de la mairie", latitude=47.2184, longitude=-1.5536),
              make_place(organisation, name="Centre social du Breil", latitude=47.2305, longitude=-1.5901)]
    index.reindex()
    yield {"coordinator": make_user(coordinator=True), "partner": make_member(organisation), "places": places}
    index.close_searchers()


def checked_at_every_width(page, axe_violations) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        assert axe_violations(page) == [], (page.url, width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (page.url, width)


def test_a_coordinator_creates_a_label_a_partner_ticks_it_a_visitor_filters_by_it(
        page, live_server, browser_login, axe_violations, people):
    browser_login(people["coordinator"], PASSWORD)
    page.goto(f"{live_server}/coordination/labels")
    checked_at_every_width(page, axe_violations)
    page.get_by_label("Nom du label").fill(NAME)
    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_role("button", name="Créer le label").click()
    page.wait_for_load_state()
    assert NAME in page.locator("main").inner_text() and "Porté par 0 lieu" in page.locator("main").inner_text()
    checked_at_every_width(page, axe_violations)

    page.context.clear_cookies()
    browser_login(people["partner"], PASSWORD)
    breil = people["places"][1]
    page.goto(f"{live_server}/espace-partenaire/lieux/{breil.id}/modifier")
    group = page.get_by_role("group", name="Labels du réseau")
    group.get_by_role("checkbox", name=NAME).check()
    checked_at_every_width(page, axe_violations)
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_load_state()
    assert "Les modifications ont été enregistrées." in page.locator("body").inner_text()
    _db.session.expire_all()  # the places as the partner saved them, not as this session loaded them
    index.apply_queue()  # what the scheduler does every few seconds

    page.context.clear_cookies()
    page.set_viewport_size({"width": 360, "height": 800})  # a visitor on a phone
    page.goto(f"{live_server}/recherche?ou=Nantes")
    assert len(page.locator(".result-name a").all_inner_texts()) == 2
    page.get_by_text("Modifier").click()  # on a phone the form is folded after a search
    page.locator(".filters summary").click()
    page.get_by_role("group", name="Labels du réseau").get_by_role("checkbox", name=NAME).check()
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state()
    assert "labels_reseau=accepte-le-pass-numerique" in urlsplit(page.url).query
    assert page.locator(".result-name a").all_inner_texts() == ["Centre social du Breil"]
    checked_at_every_width(page, axe_violations)

    page.get_by_role("link", name="Centre social du Breil").click()
    page.wait_for_load_state()
    section = page.get_by_role("region", name="Labels du réseau")
    assert NAME in section.inner_text() and DESCRIPTION in section.inner_text()
    checked_at_every_width(page, axe_violations)
    page.goto(f"{live_server}/en/lieux/{breil.public_id}")
    assert page.get_by_role("region", name="Network labels").locator("[lang='fr']").count() == 1
    checked_at_every_width(page, axe_violations)
