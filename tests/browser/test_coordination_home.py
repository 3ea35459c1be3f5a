"""The coordination home in a real browser: a coordinator lands on it after signing in, reads what
waits and follows its links; the coordination navigation fits 360 px and 1280 px with no serious
accessibility violation."""
import pytest

from coordination.testing.factories import PASSWORD
from tests.dashboard import build_network

pytestmark = pytest.mark.browser


@pytest.fixture
def network(app):
    return build_network()


def test_a_coordinator_lands_on_the_home_and_follows_a_link(page, live_server, browser_login, network):
    browser_login(network.coordinator, PASSWORD)
    assert page.url == f"{live_server}/coordination"
    assert page.locator("h1").inner_text() == "Coordination du réseau"
    navigation = page.get_by_role("navigation", name="Coordination")
    assert navigation.locator("[aria-current='page']").inner_text() == "Accueil"
    assert "1\norganisation attend une décision" in page.locator("#attente-organisations").inner_text()
    page.get_by_role("link", name="Examiner les demandes d’adhésion").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "File de modération"
    assert "Centre social en attente" in page.locator("main").inner_text()
    navigation.get_by_role("link", name="Réunions").click()
    page.wait_for_load_state()
    assert navigation.locator("[aria-current='page']").inner_text() == "Réunions"


@pytest.mark.parametrize("width", [360, 1280])
def test_no_serious_accessibility_violation_nor_sideways_scroll(page, live_server, browser_login, axe_violations,
                                                                network, width):
    page.set_viewport_size({"width": width, "height": 800})
    browser_login(network.coordinator, PASSWORD)
    page.goto(f"{live_server}/coordination")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    links = page.get_by_role("navigation", name="Coordination").get_by_role("link")
    assert links.count() == 10
    for index in range(links.count()):  # every entry visible, none cut off at the edge
        box = links.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width


def test_a_partner_home_says_what_waits(page, live_server, browser_login, axe_violations, network):
    page.set_viewport_size({"width": 360, "height": 800})
    browser_login(network.receiver, PASSWORD)
    assert page.url == f"{live_server}/espace-partenaire"
    waiting = page.get_by_role("region", name="Ce qui vous attend")
    assert "1\norientation attend votre réponse" in waiting.inner_text()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
