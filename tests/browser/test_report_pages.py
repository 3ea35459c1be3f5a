""""Signaler une erreur" and the moderation queue in a real browser, 390 px wide: the form (errors,
then sent), the queue with a report and a stale place, a decision with its reason; no serious
accessibility violation."""
from datetime import timedelta

import pytest

from coordination.core.clock import utcnow
from coordination.extensions import db
from coordination.testing.factories import PASSWORD, make_organisation, make_place, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def places_to_moderate():
    organisation = make_organisation("Association Clic et Déclic")
    make_organisation("Centre social en attente", status="pending")
    place = make_place(organisation, name="Espace numérique Clic")
    stale = make_place(organisation, name="Médiathèque à vérifier")
    stale.stale_since = utcnow() - timedelta(days=20)
    db.session.commit()
    return place, stale, make_user(name="Claire Coordination", coordinator=True)


def no_horizontal_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_resident_reports_an_error_then_a_coordinator_resolves_it(page, live_server, axe_violations,
                                                                    browser_login, places_to_moderate):
    place, stale, coordinator = places_to_moderate
    page.goto(f"{live_server}/lieux/{place.public_id}/signaler")
    assert page.locator("h1").inner_text() == "Signaler une erreur"
    assert not page.get_by_label("Ne remplissez pas ce champ").is_visible()  # the honeypot
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)

    page.get_by_role("radio", name="Autre chose").check()
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le signalement n’a pas pu être envoyé").is_visible()
    message = page.get_by_label("Précisez ce qui ne va pas")
    assert message.get_attribute("aria-invalid") == "true"
    assert page.locator("#message-error").inner_text() == "Décrivez en quelques mots ce qui ne va pas."
    assert axe_violations(page) == []

    page.get_by_role("radio", name="Les horaires sont faux").check()
    message.fill("Fermé le mercredi depuis la rentrée.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.wait_for_url("**/signaler/merci")
    assert page.get_by_text("votre signalement a été transmis").is_visible()
    assert axe_violations(page) == []

    browser_login(coordinator, PASSWORD)
    page.goto(f"{live_server}/coordination/moderation")
    assert page.locator("h1").inner_text() == "File de modération"
    assert page.get_by_text("Fermé le mercredi depuis la rentrée.").is_visible()
    assert page.get_by_role("heading", name="Centre social en attente").is_visible()
    assert page.get_by_role("link", name=stale.name).is_visible()
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)

    card = page.locator(".card", has_text="Fermé le mercredi depuis la rentrée.")
    card.get_by_role("button", name="Marquer comme traité").click()
    page.wait_for_load_state()
    reason = page.get_by_label("Ce qui a été fait")
    assert reason.get_attribute("aria-invalid") == "true"
    assert page.get_by_text("Indiquez ce qui a été fait.").is_visible()
    assert axe_violations(page) == []

    reason.fill("Horaires corrigés avec la structure.")
    page.get_by_role("button", name="Marquer comme traité").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le signalement est traité.").is_visible()
    assert page.get_by_text("Aucun signalement en attente.").is_visible()

    stale_card = page.locator(".card", has_text="Médiathèque à vérifier")
    stale_card.get_by_label("Motif du retrait").fill("Aucune nouvelle depuis huit mois.")
    stale_card.get_by_role("button", name="Retirer de l’annuaire").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le lieu est retiré de l’annuaire public.").is_visible()
    assert page.get_by_text("Aucune fiche ancienne en ligne.").is_visible()
    assert axe_violations(page) == []
