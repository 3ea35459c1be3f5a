"""Issue 14, items 5 and 7 in a real browser: after a search the results are on a phone's first
screen, the folded form opens with a click or the keyboard, « Autour de moi » asks the browser's
position only on click, and the home page's need buttons lead to results around it."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from coordination.directory import search as index
from coordination.testing.factories import make_organisation, make_place

pytestmark = pytest.mark.browser

NANTES = {"latitude": 47.2184, "longitude": -1.5536}


@pytest.fixture
def six_indexed_places(app):
    organisation = make_organisation("Association Les Connectés")
    for i in range(6):
        make_place(organisation, name=f"Point numérique {i}", summary="Aide aux démarches en ligne et au smartphone",
                   latitude=47.2184 + i / 200, longitude=-1.5536, opening_hours="Mo-Fr 09:00-17:00",
                   services=["Aide aux démarches administratives"])
    index.reindex()
    yield organisation
    index.close_searchers()


def in_first_screen(tab, locator, height):
    box = tab.locator(locator).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 120) <= height


def test_at_360_by_740_the_count_and_the_first_result_are_on_the_first_screen(browser, live_server, six_indexed_places):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
    tab = context.new_page()
    try:
        tab.goto(live_server + "/recherche?q=smartphone&ou=Nantes&rayon=20"
                 "&services=Aide+aux+d%C3%A9marches+administratives")
        summary = tab.locator(".search-fold > summary")
        assert re.sub(r"\s+", " ", tab.locator(".search-summary").inner_text()) == (
            "smartphone · Nantes · 20 km · 1 filtre")
        assert in_first_screen(tab, "#results-title", 740)
        assert in_first_screen(tab, ".result-name", 740), tab.locator(".result").first.bounding_box()
        assert not tab.get_by_label("Quel besoin ?").is_visible()
        assert tab.evaluate("document.documentElement.scrollWidth") <= 360
        tab.screenshot(path="/tmp/maillage-first-screen-360.png")
        # the keyboard opens the form: Tab to the summary, Enter
        summary.focus()
        tab.keyboard.press("Enter")
        assert tab.get_by_label("Quel besoin ?").is_visible()
        assert tab.get_by_label("Quel besoin ?").input_value() == "smartphone"
        # the list/map links jump to the map and back to the list
        tab.get_by_role("link", name="Carte", exact=True).click()
        assert tab.url.endswith("#map-title")
    finally:
        context.close()


def test_at_1280_the_form_stays_open_beside_the_results(browser, live_server, six_indexed_places):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    try:
        tab.goto(live_server + "/recherche?q=smartphone&ou=Nantes")
        tab.wait_for_load_state("load")
        assert tab.locator(".search-fold").evaluate("details => details.open")
        assert tab.get_by_label("Quel besoin ?").is_visible()
        assert not tab.get_by_role("link", name="Carte", exact=True).is_visible()  # both are side by side
    finally:
        context.close()


def test_around_me_asks_the_position_on_click_and_a_need_button_searches_around_it(browser, live_server, six_indexed_places):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740},
                                  geolocation=NANTES, permissions=["geolocation"])
    tab = context.new_page()
    try:
        tab.goto(live_server + "/")
        button = tab.get_by_role("button", name="Autour de moi")
        assert button.is_visible()
        assert tab.evaluate("document.querySelector('[data-near]').disabled")  # nothing sent before the click
        button.click()
        tab.get_by_text("Position trouvée").wait_for()
        tab.get_by_role("button", name="Mes démarches CAF").click()
        tab.wait_for_url("**/recherche?**")
        args = parse_qs(urlsplit(tab.url).query)
        assert args["q"] == ["CAF"] and args["autour"] == ["47.218,-1.554"]
        assert "autour de votre position" in tab.locator("#results-title").inner_text()
    finally:
        context.close()


def test_a_refused_position_asks_for_the_commune(browser, live_server, six_indexed_places):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740}, permissions=[])
    tab = context.new_page()
    try:
        tab.goto(live_server + "/")
        tab.get_by_role("button", name="Autour de moi").click()
        tab.get_by_text("Votre position n’est pas disponible").wait_for()
        tab.get_by_label("Près de").fill("Nantes")
        tab.get_by_role("button", name="Utiliser mon smartphone").click()
        tab.wait_for_url("**/recherche?**")
        args = parse_qs(urlsplit(tab.url).query)
        assert args == {"ou": ["Nantes"], "q": ["smartphone"]}
    finally:
        context.close()


def test_without_javascript_the_need_buttons_still_search(browser, live_server, six_indexed_places):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(live_server + "/")
        assert not tab.get_by_role("button", name="Autour de moi").is_visible()
        tab.get_by_label("Près de").fill("Nantes")
        tab.get_by_role("button", name="Utiliser mon smartphone").click()
        tab.wait_for_url("**/recherche?**")
        assert tab.locator(".result").count() == 6
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/recherche?q=smartphone&ou=Nantes&ouvert=1"])
def test_home_and_folded_results_have_no_serious_accessibility_violation(page, live_server, axe_violations,
                                                                         six_indexed_places, path):
    page.goto(live_server + path)
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
