"""Referrals in a real browser, 390 px wide: from the place page to the form (errors, then sent), the
detail page, the receiver's answer and the inbox; no serious accessibility violation."""
import pytest

from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_place

pytestmark = pytest.mark.browser

SERVICE = "Aide aux démarches administratives"


@pytest.fixture
def partners():
    sender = make_organisation("France Services de Rezé", kind="france_services")
    receiver = make_organisation("Association Clic et Déclic")
    place = make_place(receiver, name="Espace numérique Clic", services=[SERVICE])
    return make_member(sender, name="Agathe Envoi"), make_member(receiver, name="Bruno Accueil"), place


def no_horizontal_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_send_a_referral_then_answer_it(app, page, live_server, axe_violations, browser_login, partners):
    sender, receiver, place = partners
    browser_login(sender, PASSWORD)
    page.goto(f"{live_server}/lieux/{place.public_id}")
    page.get_by_role("link", name="Orienter une personne vers ce lieu").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Orienter une personne"
    version = app.config["REFERRAL_CONSENT_VERSION"]
    assert page.get_by_text(f"Texte à lire à la personne (version {version})").is_visible()
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)

    page.get_by_role("button", name="Envoyer l’orientation").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le formulaire contient des erreurs").is_visible()
    first_name = page.get_by_label("Prénom", exact=True)
    assert first_name.get_attribute("aria-invalid") == "true"
    assert "Indiquez le prénom de la personne." in page.locator(f"#{first_name.get_attribute('aria-describedby').split()[-1]}").inner_text()
    assert axe_violations(page) == []

    first_name.fill("Zéphyrine")
    page.get_by_label("Téléphone").fill("07 61 23 45 89")
    page.get_by_label("Service demandé").select_option(SERVICE)
    page.get_by_label("Le besoin, en quelques mots").fill("Renouveler sa demande de RSA en ligne.")
    page.get_by_label("La personne a donné son accord").check()
    page.get_by_label("À l’oral").check()
    page.get_by_role("button", name="Envoyer l’orientation").click()
    page.wait_for_url("**/orientations/*")
    assert page.get_by_text("L’orientation a été envoyée").is_visible()
    assert page.get_by_text("Zéphyrine").is_visible()
    assert page.get_by_role("link", name="La personne retire son consentement…").is_visible()
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)
    detail = page.url

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()
    browser_login(receiver, PASSWORD)
    page.goto(f"{live_server}/orientations")
    assert page.get_by_role("link", name="Orientations 1 en attente de réponse").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name=SERVICE).first.click()
    page.wait_for_url(detail)
    page.get_by_role("button", name="Accepter l’orientation").click()
    page.wait_for_load_state()
    assert page.get_by_text("Vous avez accepté l’orientation.").is_visible()
    page.get_by_label("Issue de l’orientation").select_option("completed")
    page.get_by_role("button", name="Enregistrer l’issue").click()
    page.wait_for_load_state()
    assert page.locator(".badge").first.inner_text() == "Aide apportée"
    assert axe_violations(page) == []


def test_the_withdrawal_confirmation_page(page, live_server, axe_violations, browser_login, partners):
    from coordination.referrals import services
    from tests.referrals.conftest import referral_data
    sender, _, place = partners
    referral = services.create_referral(place.public_id, referral_data(sender.memberships[0].organisation),
                                        actor=sender)
    browser_login(sender, PASSWORD)
    page.goto(f"{live_server}/orientations/{referral.uid}/retirer-consentement")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirmer\u00a0: effacer les données et clore l’orientation").click()
    page.wait_for_load_state()
    assert page.get_by_text("Données personnelles effacées").is_visible()
    assert axe_violations(page) == []
