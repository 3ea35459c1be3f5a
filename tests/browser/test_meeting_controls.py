"""Issue 18's meeting controls in a real browser: the recurrence picker (only the details of the
rhythm chosen, a live preview of five French dates), the agenda and minutes editor (toolbar and
« Aperçu » with the keyboard, the page's sanitiser), the invited organisations' list, « send now »;
no serious accessibility violation and no horizontal scroll at 360 and 1280 px."""
from datetime import timedelta

import pytest

from coordination.core.clock import utcnow
from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_user
from tests.events.conftest import make_meeting

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)


@pytest.fixture
def coordinator(app):
    for number in range(10):
        make_member(make_organisation(f"Organisation {number:02d}"), name=f"Membre {number}")
    make_organisation("Médiathèque Diderot", kind="mediatheque")
    return make_user(coordinator=True, name="Gaëlle Coordination")


def _series_form(page):
    page.get_by_text("Créer une série de réunions").click()
    return page.locator("form[action$='/coordination/reunions/series']")


def test_the_recurrence_picker_previews_five_french_dates(page, live_server, browser_login, coordinator):
    browser_login(coordinator, PASSWORD)
    page.goto(live_server + "/coordination/reunions")
    form = _series_form(page)
    # Only the details of the rhythm chosen show: « certains mois » has months, no day of the month.
    assert form.get_by_role("group", name="Mois (pour « certains mois »)").is_visible()
    assert not form.get_by_label("Jour du mois").is_visible()
    form.get_by_label("Première réunion le").fill("2040-01-01")
    form.get_by_label("Heure de début").fill("14:00")
    output = form.locator("[data-recurrence-output]")
    output.locator("li").nth(4).wait_for()
    assert output.locator("li").all_inner_texts() == [
        "mardi 13 mars 2040 à 14\u00a0h", "mardi 12 juin 2040 à 14\u00a0h", "mardi 11 septembre 2040 à 14\u00a0h",
        "mardi 11 décembre 2040 à 14\u00a0h", "mardi 12 mars 2041 à 14\u00a0h"]
    assert "chaque 2e mardi de mars, juin, septembre et décembre" in output.inner_text()

    # With the keyboard: « toutes les semaines », every two weeks, on Mondays.
    weekly = form.get_by_role("radio", name="Toutes les semaines, ou toutes les deux semaines…")
    weekly.focus()
    page.keyboard.press("Space")
    assert weekly.is_checked()
    assert not form.get_by_role("group", name="Mois (pour « certains mois »)").is_visible()
    form.get_by_label("Jour de la semaine", exact=True).select_option("MO")
    form.get_by_label("Toutes les combien (semaines ou mois)").fill("2")
    page.wait_for_function("document.querySelector('[data-recurrence-output] p').textContent.includes('lundi')")
    # Every other week from the week of 1 January 2040 (a Sunday): from Monday 9 January.
    assert output.locator("li").first.inner_text() == "lundi 9 janvier 2040 à 14\u00a0h"
    assert output.locator("li").nth(1).inner_text() == "lundi 23 janvier 2040 à 14\u00a0h"


def test_the_editor_toolbar_and_preview_with_the_keyboard(page, live_server, browser_login, coordinator):
    browser_login(coordinator, PASSWORD)
    page.goto(live_server + "/coordination/reunions")
    form = _series_form(page)
    area = form.get_by_role("textbox", name="Ordre du jour")
    area.fill("Tour de table")
    area.press("Control+a")
    toolbar = form.get_by_role("group", name="Mise en forme : Ordre du jour")
    toolbar.get_by_role("button", name="Gras").focus()
    page.keyboard.press("Enter")
    assert area.input_value() == "**Tour de table**"
    area.press("End")
    area.press("Enter")
    area.type("Actualités")
    page.keyboard.press("Shift+Home")
    toolbar.get_by_role("button", name="Liste").focus()
    page.keyboard.press("Enter")
    assert area.input_value() == "**Tour de table**\n\n- Actualités"  # a list needs a blank line before it
    area.press("End")
    area.type("\n\n<script>alert(1)</script>")
    preview_button = toolbar.get_by_role("button", name="Aperçu")
    preview_button.focus()
    page.keyboard.press("Enter")
    preview = form.get_by_role("region", name="Aperçu : Ordre du jour")
    preview.locator("strong").wait_for()
    assert preview.locator("strong").inner_text() == "Tour de table"
    assert preview.locator("li").inner_text() == "Actualités"
    assert preview.locator("script").count() == 0
    assert preview_button.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == preview.get_attribute("id")


def test_the_editor_without_javascript_is_a_plain_textarea(browser, live_server, coordinator):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    tab = context.new_page()
    tab.goto(f"{live_server}/connexion")
    tab.get_by_label("Adresse électronique").fill(coordinator.email)
    tab.get_by_label("Mot de passe").fill(PASSWORD)
    tab.get_by_role("button", name="Se connecter").click()
    tab.goto(live_server + "/coordination/reunions")
    tab.get_by_text("Créer une série de réunions").click()
    form = tab.locator("form[action$='/coordination/reunions/series']")
    assert not form.locator(".md-toolbar").is_visible()
    assert form.get_by_role("textbox", name="Ordre du jour").is_visible()
    form.get_by_label("Première réunion le").fill("2040-01-01")
    form.get_by_label("Heure de début").fill("14:00")
    form.get_by_role("button", name="Voir les prochaines dates").click()
    assert tab.locator("[data-recurrence-output] li").count() == 5
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_meeting_pages_are_accessible_at_360_and_1280(page, live_server, browser_login, axe_violations,
                                                         coordinator, width):
    meeting = make_meeting(starts_in=timedelta(days=20), minutes=None)
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(coordinator, PASSWORD)
    for path in ("/coordination/reunions", f"/coordination/reunions/{meeting.id}", f"/reunions/{meeting.id}"):
        page.goto(live_server + path)
        page.locator("details").evaluate_all("items => items.forEach(d => { d.open = true; })")
        for choice in page.get_by_role("radio", name="Seulement les organisations cochées").all():
            choice.check()
        assert axe_violations(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    # The invitation list is filtered as you type, and « send now » says how many were sent.
    page.goto(live_server + f"/coordination/reunions/{meeting.id}")
    move = page.locator("form[action$='/deplacer']")
    move.get_by_role("radio", name="Seulement les organisations cochées").check()
    move.get_by_label("Filtrer les organisations").fill("diderot")
    assert [text.strip() for text in move.locator("li[data-name]:visible").all_inner_texts()] == ["Médiathèque Diderot"]
    page.get_by_role("button", name="Envoyer les invitations maintenant").click()
    page.wait_for_load_state()
    assert "10 invitations envoyées." in page.locator(".flashes").inner_text()
    assert utcnow() < meeting.starts_at
