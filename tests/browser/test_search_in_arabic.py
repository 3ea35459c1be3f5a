"""Issue 17, item 3: the search page read in Arabic, right to left, on a phone and on a wide screen
(mirrored layout, no sideways scroll, axe clean), and in English on a phone."""
import pytest

from coordination.directory import search as index
from coordination.testing.factories import make_organisation, make_place

pytestmark = pytest.mark.browser

SEARCH = "/recherche?q=smartphone&ou=Nantes&rayon=20"

# Where a box's text starts and ends (a Range around its text, not the box: a block fills its line).
TEXT_EDGES = """selector => {
    const element = document.querySelector(selector);
    const range = document.createRange();
    range.selectNodeContents(element);
    const text = range.getBoundingClientRect(), box = element.getBoundingClientRect();
    return {textLeft: text.left, textRight: text.right, boxLeft: box.left, boxRight: box.right};
}"""


@pytest.fixture
def indexed_places(app):
    organisation = make_organisation("Association Les Connectés")
    for i in range(4):
        make_place(organisation, name=f"Point numérique {i}", summary="Aide aux démarches en ligne et au smartphone",
                   latitude=47.2184 + i / 200, longitude=-1.5536, opening_hours="Mo-Fr 09:00-17:00",
                   services=["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"])
    index.reindex()
    yield organisation
    index.close_searchers()


def open_search(browser, live_server, language, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.goto(f"{live_server}/{language}{SEARCH}")
    return context, tab


def starts_right(tab, selector) -> bool:
    edges = tab.evaluate(TEXT_EDGES, selector)
    return abs(edges["textRight"] - edges["boxRight"]) <= 2 and edges["textLeft"] > edges["boxLeft"] + 2


def starts_left(tab, selector) -> bool:
    edges = tab.evaluate(TEXT_EDGES, selector)
    return abs(edges["textLeft"] - edges["boxLeft"]) <= 2 and edges["textRight"] < edges["boxRight"] - 2


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [360, 1280])
def test_the_arabic_search_page_is_mirrored_without_sideways_scroll_and_axe_clean(
        browser, live_server, indexed_places, axe_violations, width):
    context, tab = open_search(browser, live_server, "ar", width)
    try:
        root = tab.locator("html")
        assert root.get_attribute("lang") == "ar" and root.get_attribute("dir") == "rtl"
        assert tab.evaluate("getComputedStyle(document.body).direction") == "rtl"
        assert "الأماكن التي وُجدت: 4" in tab.locator("#results-title").inner_text()
        if width < 800:  # on a phone the form is folded after a search: open it
            tab.locator(".search-fold > summary").click()
        assert tab.get_by_label("ما حاجتك؟").input_value() == "smartphone"
        # the form's labels and the results' text start at the right edge
        assert starts_right(tab, "label[for=q]")
        assert starts_right(tab, ".result-services")
        assert starts_right(tab, ".result-name")
        name = tab.locator(".result-name a").first
        assert name.get_attribute("lang") == "fr"  # what partners wrote is read in French (RGAA 8.7)
        # a French address and a phone number keep their order inside right-to-left text
        assert tab.locator(".result-where span[lang=fr]").first.get_attribute("dir") == "ltr"
        assert tab.locator(".result-phone a").first.evaluate("a => getComputedStyle(a).direction") == "ltr"
        # the filters' labels are translated, the values in the URL stay French
        services = tab.locator("input[name=services]").first
        assert services.get_attribute("value") == "Aide aux démarches administratives"
        assert "المساعدة في المعاملات الإدارية" in tab.locator(".filters").text_content()
        assert "الأماكن موصوفة باللغة الفرنسية" in tab.locator(".listings-language").inner_text()
        assert no_sideways_scroll(tab)
        tab.screenshot(path=f"/tmp/maillage-search-ar-{width}.png", full_page=True)
        assert axe_violations(tab) == []
    finally:
        context.close()


def test_the_english_search_page_on_a_phone(browser, live_server, indexed_places, axe_violations):
    context, tab = open_search(browser, live_server, "en", 360)
    try:
        root = tab.locator("html")
        assert root.get_attribute("lang") == "en" and root.get_attribute("dir") == "ltr"
        assert "4 places found" in tab.locator("#results-title").inner_text()
        assert "within 20\u00a0km" in tab.locator("#results-title").inner_text()
        tab.locator(".search-fold > summary").click()
        assert starts_left(tab, "label[for=q]")
        assert starts_left(tab, ".result-services")
        distance = tab.locator(".result-where strong").first.inner_text()
        assert distance.endswith(" away") and "," not in distance  # « 1.1 km away », never « 1,1 km »
        assert no_sideways_scroll(tab)
        tab.screenshot(path="/tmp/maillage-search-en-360.png", full_page=True)
        assert axe_violations(tab) == []
    finally:
        context.close()


def test_the_arabic_home_page_on_a_phone(browser, live_server, indexed_places, axe_violations):
    context = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 800})
    tab = context.new_page()
    try:
        tab.goto(f"{live_server}/ar/")
        assert tab.locator("html").get_attribute("dir") == "rtl"
        need = tab.get_by_role("button", name="معاملاتي مع CAF (الإعانات العائلية)")
        assert need.get_attribute("value") == "CAF"  # the search itself stays French, as the listings
        assert starts_right(tab, "label[for=needs-ou]")
        assert no_sideways_scroll(tab)
        tab.screenshot(path="/tmp/maillage-home-ar-360.png", full_page=True)
        assert axe_violations(tab) == []
    finally:
        context.close()
