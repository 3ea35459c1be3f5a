"""Freshness in a real browser: a coordinator launches a campaign and follows it, a partner opens the
reminder's « Tout est à jour » link and confirms; no serious accessibility violation on the way."""
import re

import pytest

from coordination.testing.factories import PASSWORD, make_organisation, make_place, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def network(app):
    organisation = make_organisation("Centre social des Dervallières")
    make_place(organisation, name="Espace numérique des Dervallières")
    return {"coordinator": make_user(coordinator=True)}


def test_a_coordinator_launches_a_campaign_and_follows_it(page, live_server, browser_login, axe_violations, network,
                                                          mail_outbox):
    browser_login(network["coordinator"], PASSWORD)
    page.goto(f"{live_server}/coordination/fraicheur")
    assert axe_violations(page) == []
    page.get_by_label("Nom de la campagne").fill("Avant l'été")
    page.get_by_role("button", name="Lancer la campagne et envoyer les rappels").click()
    page.wait_for_load_state()

    assert page.locator("h1").inner_text() == "Avant l'été"
    progress = page.get_by_role("table", name="Avancement par organisation : lieux du rappel vérifiés depuis le lancement")
    assert progress.locator("tbody th").inner_text() == "Centre social des Dervallières"
    assert axe_violations(page) == []
    page.get_by_role("link", name="Revenir aux campagnes").click()
    page.wait_for_load_state()
    campaigns = page.get_by_role("table", name="Campagnes, de la plus récente à la plus ancienne")
    assert campaigns.get_by_role("link", name="Avant l'été").count() == 1
    assert axe_violations(page) == []

    link = re.search(r"http://localhost(/fraicheur/\S+)", mail_outbox()[0].body_text).group(1)
    page.context.clear_cookies()
    page.goto(live_server + link)
    assert "Espace numérique des Dervallières" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name=re.compile("Tout est à jour")).click()
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
