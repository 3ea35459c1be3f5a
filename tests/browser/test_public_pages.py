"""Public pages in a real browser: no serious accessibility violation, usable with the keyboard."""
import pytest

from coordination.testing.factories import make_organisation, make_place

pytestmark = pytest.mark.browser

PUBLIC_PAGES = ["/", "/connexion", "/rejoindre", "/page-inconnue"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_serious_accessibility_violation(page, live_server, axe_violations, path):
    organisation = make_organisation("Centre social Les Dervallières", kind="centre_social")
    make_place(organisation, name="Espace numérique des Dervallières")
    page.goto(live_server + path)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


def test_skip_link_is_the_first_stop_and_leads_to_the_content(page, live_server):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"


def test_login_form_works_with_the_keyboard_only(page, live_server):
    from coordination.testing.factories import PASSWORD, make_user
    user = make_user("clavier@exemple.fr")
    page.goto(live_server + "/connexion")
    page.get_by_label("Adresse électronique").focus()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/espace-partenaire")
    assert page.locator("h1").inner_text() == "Espace partenaire"


def test_the_accessibility_check_itself_catches_a_violation(page, axe_violations):
    page.set_content('<html lang="fr"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>')
    assert "image-alt" in {v["id"] for v in axe_violations(page)}
