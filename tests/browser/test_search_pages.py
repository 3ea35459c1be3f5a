"""The resident's path in a real browser: search, filter, open a place, print its sheet; the map
runs under the page's CSP and fetches nothing outside the app; no serious accessibility violation;
usable at 360 px wide."""
import base64
from urllib.parse import urlsplit

import pytest

from coordination.directory import search as index
from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_place

pytestmark = pytest.mark.browser

# 1×1 transparent PNG: what the tile stub answers
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
SHOTS = "/tmp"


def distance_km(text: str) -> float:
    """ "à 350 m" -> 0.35, "à 1,2 km" -> 1.2"""
    number, unit = text.removeprefix("à").split()
    return float(number.replace(",", ".")) / (1000 if unit == "m" else 1)


@pytest.fixture
def indexed_places(app):
    organisation = make_organisation("Association Les Connectés")
    places = [
        make_place(organisation, name="Point numérique de la mairie", summary="Aide aux démarches CAF en ligne",
                   latitude=47.2184, longitude=-1.5536, fees=["Gratuit"],
                   opening_hours="Mo-Sa 09:00-12:00,14:00-17:30"),
        make_place(organisation, name="Médiathèque Hermeland", commune="Saint-Herblain", postcode="44800",
                   insee_code="44162", address="1 rue François Rabelais", latitude=47.2237, longitude=-1.6349,
                   summary="Aide aux démarches et ateliers smartphone", fees=["Payant"]),
        make_place(organisation, name="Centre social du Breil", summary="Démarches administratives",
                   latitude=47.2305, longitude=-1.5901, fees=["Gratuit"], publics=["Seniors"]),
    ]
    index.reindex()
    yield organisation, places
    index.close_searchers()


@pytest.fixture
def local_tiles(app, live_server, monkeypatch):
    """Tiles from a stub path of the live server; the test answers them and counts them."""
    monkeypatch.setitem(app.config, "MAP_TILE_URL", live_server + "/tiles-stub/{z}/{x}/{y}.png")
    served = []

    def install(tab):
        def answer(route):
            served.append(route.request.url)
            route.fulfill(status=200, content_type="image/png", body=PNG)
        tab.route("**/tiles-stub/**", answer)
    install.served = served
    return install


def test_a_resident_searches_filters_opens_a_place_and_its_sheet(page, live_server, indexed_places, local_tiles):
    local_tiles(page)
    page.goto(live_server + "/")
    page.get_by_label("Quel besoin ?").fill("démarches")
    page.get_by_label("Où ?").fill("Nantes")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/recherche?**")
    names = page.locator(".result-name a").all_inner_texts()
    assert set(names) == {"Point numérique de la mairie", "Médiathèque Hermeland", "Centre social du Breil"}
    distances = [distance_km(text) for text in page.locator(".result-where strong").all_inner_texts()]
    assert len(distances) == 3 and distances == sorted(distances)  # nearest first

    page.get_by_text("Modifier").click()  # on a phone the form is folded after a search
    page.locator(".filters summary").click()
    page.get_by_role("checkbox", name="Gratuit").check()
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state()
    query = urlsplit(page.url).query
    assert "frais=Gratuit" in query and "q=d%C3%A9marches" in query and "ou=Nantes" in query
    assert set(page.locator(".result-name a").all_inner_texts()) == {"Point numérique de la mairie",
                                                                      "Centre social du Breil"}
    page.get_by_text("Modifier").click()
    assert page.get_by_role("checkbox", name="Gratuit").is_checked()

    page.get_by_role("link", name="Centre social du Breil").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Centre social du Breil"
    page.get_by_role("link", name="Fiche à imprimer").click()
    page.wait_for_load_state()
    assert page.url.endswith("/fiche")
    assert "Centre social du Breil" in page.locator("h1").inner_text()


def test_the_map_runs_under_the_csp_and_fetches_nothing_outside_the_app(browser, live_server, indexed_places,
                                                                        local_tiles):
    # a context that enforces the CSP (the shared page fixture bypasses it for axe)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    requests, problems = [], []
    tab.on("request", lambda request: requests.append(request.url))
    tab.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    local_tiles(tab)
    try:
        tab.goto(live_server + "/recherche?q=d%C3%A9marches&ou=Nantes&rayon=10")
        tab.wait_for_selector(".results-map-canvas .leaflet-marker-icon")
        tab.wait_for_function("document.querySelectorAll('.results-map-canvas img.leaflet-tile-loaded').length > 0")
        assert tab.locator(".results-map-canvas .leaflet-marker-icon").count() == 3
        assert tab.locator(".results-map-canvas .leaflet-control-zoom-in").get_attribute("title") == "Zoomer"
        # a popup: the place's name as a link to its page
        tab.locator(".leaflet-marker-icon[alt='Centre social du Breil']").click()
        link = tab.locator(".leaflet-popup-content a")
        assert link.inner_text() == "Centre social du Breil"
        assert link.get_attribute("href").startswith("/lieux/")
        tab.screenshot(path=f"{SHOTS}/maillage-results-1280.png", full_page=True)
    finally:
        context.close()
    outside = [url for url in requests if not url.startswith(live_server) and not url.startswith("data:")]
    assert outside == []
    assert local_tiles.served, "the map asked for no tile"
    assert any("/vendor/leaflet/leaflet.js" in url for url in requests)
    assert problems == []  # no CSP violation, no script error


def test_an_escaped_name_stays_text_on_the_map(browser, live_server, indexed_places, local_tiles):
    organisation, _ = indexed_places
    make_place(organisation, name="<img src=x onerror=alert(1)>", summary="démarches", latitude=47.2200,
               longitude=-1.5600)
    index.reindex()
    context = browser.new_context(locale="fr-FR")
    tab = context.new_page()
    dialogs = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    local_tiles(tab)
    try:
        tab.goto(live_server + "/recherche?q=d%C3%A9marches&ou=Nantes")
        tab.wait_for_selector(".results-map-canvas .leaflet-marker-icon")
        tab.locator(".leaflet-marker-icon[alt='<img src=x onerror=alert(1)>']").click()
        assert tab.locator(".leaflet-popup-content a").inner_text() == "<img src=x onerror=alert(1)>"
        assert tab.locator(".leaflet-popup-content img").count() == 0
    finally:
        context.close()
    assert dialogs == []


def test_results_page_at_360_px(browser, live_server, indexed_places, local_tiles):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 780})
    tab = context.new_page()
    local_tiles(tab)
    try:
        tab.goto(live_server + "/recherche?q=d%C3%A9marches&ou=Nantes&frais=Gratuit&samedi=1")
        assert tab.locator("details.filters").evaluate("details => details.open")  # a filter is active
        assert tab.locator(".result").count() == 1
        tab.wait_for_load_state("networkidle")
        width = tab.evaluate("document.documentElement.scrollWidth")
        tab.screenshot(path=f"{SHOTS}/maillage-results-360.png", full_page=True)
        assert width <= 360
        # mobile first: the list comes before the map
        list_top = tab.locator(".results-list").bounding_box()["y"]
        map_box = tab.locator(".results-map").bounding_box()
        assert map_box is None or map_box["y"] > list_top
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/recherche?q=d%C3%A9marches&ou=Nantes",
                                  "/recherche?q=smarphone&ou=Zzyzxville&rayon=abc", "/recherche?ou=Saint-Denis",
                                  "place", "sheet"])
def test_no_serious_accessibility_violation(page, live_server, axe_violations, indexed_places, local_tiles, path):
    local_tiles(page)
    _, places = indexed_places
    path = {"place": f"/lieux/{places[0].public_id}", "sheet": f"/lieux/{places[0].public_id}/fiche"}.get(path, path)
    page.goto(live_server + path)
    if page.locator(".results-map-canvas").count():
        page.wait_for_selector(".results-map-canvas .leaflet-marker-icon")
        page.locator("details.filters").evaluate("details => { details.open = true; }")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


def test_partner_edit_form_has_no_serious_accessibility_violation(page, live_server, axe_violations,
                                                                  browser_login, indexed_places):
    organisation, places = indexed_places
    browser_login(make_member(organisation), PASSWORD)
    page.goto(f"{live_server}/espace-partenaire/lieux/{places[0].id}/modifier")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


def test_a_clustered_map_of_a_thousand_places_renders_under_the_csp(browser, live_server, app, local_tiles):
    """maps.results_map beyond the cluster threshold, served with the app's policy and a nonce."""
    from coordination.directory.maps import MapPlace, results_map
    from coordination.security import content_security_policy

    tiles = live_server + "/tiles-stub/{z}/{x}/{y}.png"
    items = [MapPlace(47.0 + (i % 40) / 100, -1.9 + (i // 40) / 100, f"Lieu {i}", f"/lieux/{i}") for i in range(1000)]
    body = ('<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Carte</title>'
            '<link rel="stylesheet" href="/static/css/maillage.css"></head><body><main>'
            + results_map(items, (47.2, -1.55), tile_url=tiles, attribution="test", nonce="n0nce")
            + "</main></body></html>")
    context = browser.new_context(locale="fr-FR", viewport={"width": 1024, "height": 800})
    tab = context.new_page()
    problems = []
    tab.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    local_tiles(tab)
    tab.route(live_server + "/carte-test", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=body,
        headers={"Content-Security-Policy": content_security_policy(tiles, "n0nce")}))
    try:
        tab.goto(live_server + "/carte-test")
        tab.wait_for_selector(".marker-cluster")
        # chunked loading: the clusters fill up over a few frames; every place ends up counted once
        tab.wait_for_function("""() => {
            const clustered = [...document.querySelectorAll('.marker-cluster span')]
                .reduce((sum, span) => sum + parseInt(span.textContent, 10), 0);
            const single = document.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length;
            return clustered + single === 1000;
        }""", timeout=10_000)
        assert tab.locator(".marker-cluster").count() >= 1
    finally:
        context.close()
    assert problems == []
