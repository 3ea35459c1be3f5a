"""Partner and coordination pages in a real browser: no serious accessibility violation."""
import pytest

from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_place, make_user

pytestmark = pytest.mark.browser

@pytest.fixture
def listing():
    organisation = make_organisation("Centre social des Dervallières", kind="centre_social")
    place = make_place(organisation, name="Espace numérique des Dervallières",
                       opening_hours="Mo-Fr 09:00-12:00,14:00-17:30; PH off", publics=["Seniors"],
                       website="https://dervallieres.exemple.fr", description="Ligne 1\nLigne 2")
    return organisation, place


def test_public_place_page(page, live_server, axe_violations, listing):
    _, place = listing
    page.goto(f"{live_server}/lieux/{place.public_id}")
    assert page.locator("h1").inner_text() == "Espace numérique des Dervallières"
    assert axe_violations(page) == []


def test_partner_home(page, live_server, axe_violations, browser_login, listing):
    organisation, _ = listing
    browser_login(make_member(organisation, role="admin"), PASSWORD)
    page.goto(f"{live_server}/espace-partenaire")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


def test_coordination_list(page, live_server, axe_violations, browser_login, listing):
    organisation, _ = listing
    make_place(organisation, name="Lieu égaré", latitude=44.5594, longitude=6.0786)  # Nantes' INSEE code, in Gap
    browser_login(make_user(coordinator=True), PASSWORD)
    page.goto(f"{live_server}/coordination/lieux")
    assert page.locator("#misplaced-title").inner_text().startswith("Lieux mal placés")
    assert page.locator(".misplaced").get_by_text("Lieu égaré").count() == 1
    assert axe_violations(page) == []


def test_place_form_with_errors(page, live_server, axe_violations, browser_login, listing):
    organisation, place = listing
    browser_login(make_member(organisation), PASSWORD)
    page.goto(f"{live_server}/espace-partenaire/lieux/{place.id}/modifier")
    page.get_by_label("Code postal").fill("440")
    page.locator("#hours_th_1_start").fill("12:00")
    page.locator("#hours_th_1_end").fill("09:00")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_load_state()
    assert "Le code postal doit comporter 5 chiffres" in page.content()
    assert axe_violations(page) == []
