"""The account page (open sessions, « se déconnecter de tous les appareils ») and the members page a
coordinator sees, in a real browser at phone and desktop widths."""
import re

import pytest

from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_user
from tests.french import plain

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_account_page_lists_sessions_and_logs_out_everywhere_from_the_keyboard(
        page, live_server, axe_violations, browser_login, width):
    page.set_viewport_size({"width": width, "height": 800})
    partner = make_member(make_organisation("Association Clic et Déclic"), role="admin")
    browser_login(partner, PASSWORD)
    page.get_by_role("link", name="Mon compte").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Mon compte"
    assert "ce navigateur" in page.locator("table").inner_text()
    assert axe_violations(page) == [] and no_sideways_scroll(page)
    page.get_by_role("button", name="Se déconnecter de tous les appareils").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/connexion")
    assert "Vous êtes déconnecté de tous vos appareils" in page.locator("main").inner_text()
    page.goto(f"{live_server}/compte")
    assert "/connexion" in page.url


@pytest.mark.parametrize("width", WIDTHS)
def test_members_page_of_an_organisation_without_admin_for_a_coordinator(
        page, live_server, axe_violations, browser_login, width):
    page.set_viewport_size({"width": width, "height": 800})
    organisation = make_organisation("Médiathèque importée", kind="mediatheque", status="pending")
    browser_login(make_user(coordinator=True), PASSWORD)
    page.goto(f"{live_server}/organisations/{organisation.id}/membres")
    assert "Inviter la personne qui administrera l'organisation" in plain(page.content())
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_welcome_page_of_a_new_member(page, live_server, axe_violations, browser_login, width):
    """Issue 18: where a new member lands after accepting an invitation."""
    page.set_viewport_size({"width": width, "height": 800})
    organisation = make_organisation("Association Clic et Déclic")
    make_member(organisation, role="admin", name="Inès Dupré", email="ines@exemple.fr")
    member = make_member(organisation, role="member")
    browser_login(member, PASSWORD)
    page.goto(f"{live_server}/organisations/{organisation.id}/bienvenue")
    assert plain(page.locator("h1").inner_text()) == "Bienvenue dans « Association Clic et Déclic »"
    assert page.get_by_role("link", name="ines@exemple.fr").is_visible()
    assert page.get_by_role("link", name=re.compile(r"^Voir nos lieux dans l.espace partenaire$")).is_visible()
    assert axe_violations(page) == [] and no_sideways_scroll(page)
