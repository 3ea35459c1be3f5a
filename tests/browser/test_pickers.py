"""The pickers in a real browser: a place chosen with the keyboard in the meeting form and in a
referral's redirection (combobox: arrows, Enter, Escape, the number of places announced), and the
exceptional-hours editor of the closures page filled and saved; no serious accessibility violation
at 360 and 1280 px, no sideways scrolling."""
from datetime import timedelta

import pytest

from coordination.directory import services as directory_services
from coordination.events.models import Meeting
from coordination.extensions import db
from coordination.referrals import services as referral_services
from coordination.referrals.models import Referral
from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_place, make_user
from tests.referrals.conftest import referral_data

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)
SERVICE = "Aide aux démarches administratives"


def no_horizontal_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def check_widths(tab, axe_violations):
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(tab) == [], width
        assert no_horizontal_scroll(tab), width


@pytest.fixture
def places():
    diderot = make_organisation("Médiathèque Diderot", kind="mediatheque")
    clic = make_organisation("Association Clic et Déclic")
    return {
        "diderot": make_place(diderot, name="Médiathèque Diderot", commune="Rezé", postcode="44400",
                              services=[SERVICE]),
        "verne": make_place(diderot, name="Médiathèque Jules Verne", commune="Rezé", postcode="44400"),
        "clic": make_place(clic, name="Espace numérique Clic", commune="Nantes", services=[SERVICE]),
    }


def fill_meeting(form):
    # (the series form above has fields of the same ids: the single meeting's are found by name)
    form.locator("[name=title]").fill("Rencontre des aidants")
    form.locator("[name=date]").fill("2030-05-05")
    form.locator("[name=start_time]").fill("10:00")


def pick(tab, field, text, presses):
    """Types ``text`` in the picker ``field``, waits for the list, goes down ``presses`` times, Enter."""
    field.click()
    field.press_sequentially(text, delay=30)
    listbox = tab.locator(f"#{field.get_attribute('aria-controls')}")
    listbox.get_by_role("option").first.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    for _ in range(presses):
        field.press("ArrowDown")
    active = field.get_attribute("aria-activedescendant")
    assert tab.locator(f"#{active}").get_attribute("aria-selected") == "true"
    field.press("Enter")
    assert field.get_attribute("aria-expanded") == "false" and listbox.is_hidden()


def test_a_coordinator_chooses_the_meeting_place_with_the_keyboard(page, live_server, axe_violations, browser_login,
                                                                   places):
    coordinator = make_user(coordinator=True, name="Gaëlle Coordination")
    browser_login(coordinator, PASSWORD)
    page.goto(live_server + "/coordination/reunions")
    page.get_by_text("Créer une réunion unique").click()
    form = page.locator("form[action$='/coordination/reunions/reunion']")
    fill_meeting(form)
    field = form.get_by_role("combobox", name="Lieu du réseau (facultatif)")

    field.click()
    field.press_sequentially("reze", delay=30)
    listbox = page.locator(f"#{field.get_attribute('aria-controls')}")
    listbox.get_by_role("option").first.wait_for()
    assert listbox.get_by_role("option").all_inner_texts() == ["Médiathèque Diderot\n44400 Rezé",
                                                               "Médiathèque Jules Verne\n44400 Rezé"]
    status = form.locator("[role=status]")
    assert status.inner_text() == "2 lieux trouvés, choisissez avec les flèches puis Entrée."
    check_widths(page, axe_violations)  # the list open
    field.press("Escape")
    assert field.get_attribute("aria-expanded") == "false" and listbox.is_hidden()
    assert field.input_value() == "reze"
    field.press("ArrowDown")  # opens the list again, nothing chosen yet
    field.press("ArrowDown")
    field.press("ArrowDown")
    field.press("Enter")
    assert field.input_value() == "Médiathèque Jules Verne — Rezé"
    assert form.locator("input[type=hidden][name=place_public_id]").input_value() == places["verne"].public_id
    assert status.inner_text() == "Lieu choisi\u00a0: Médiathèque Jules Verne — Rezé"

    form.get_by_role("button", name="Créer la réunion").click()
    page.wait_for_url("**/coordination/reunions/*")
    db.session.expire_all()
    assert db.session.query(Meeting).one().place_id == places["verne"].id
    assert "Médiathèque Jules Verne" in page.locator("main").inner_text()


def test_a_typed_name_without_a_choice_is_searched_by_the_server(page, live_server, browser_login, places,
                                                                axe_violations):
    coordinator = make_user(coordinator=True, name="Gaëlle Coordination")
    browser_login(coordinator, PASSWORD)
    page.goto(live_server + "/coordination/reunions")
    page.get_by_text("Créer une réunion unique").click()
    form = page.locator("form[action$='/coordination/reunions/reunion']")
    fill_meeting(form)
    form.get_by_role("combobox", name="Lieu du réseau (facultatif)").fill("Rezé")
    with page.expect_navigation():
        form.get_by_role("button", name="Créer la réunion").click()
    form = page.locator("form[action$='/coordination/reunions/reunion']")
    assert "Plusieurs lieux correspondent" in form.locator("#reunion-place_public_id-error").inner_text()
    form.get_by_label("Médiathèque Diderot — Rezé").check()
    check_widths(page, axe_violations)
    form.get_by_role("button", name="Créer la réunion").click()
    page.wait_for_url("**/coordination/reunions/*")
    db.session.expire_all()
    assert db.session.query(Meeting).one().place_id == places["diderot"].id


def test_a_receiver_chooses_the_new_place_of_a_redirected_referral(app, page, live_server, axe_violations,
                                                                 browser_login, places):
    sender = make_member(make_organisation("France Services de Rezé", kind="france_services"), name="Agathe Envoi")
    receiver = make_member(places["clic"].organisation, name="Bruno Accueil")
    referral = referral_services.create_referral(places["clic"].public_id,
                                                 referral_data(sender.memberships[0].organisation), actor=sender)
    referral_services.accept_referral(referral.uid, actor=receiver)
    browser_login(receiver, PASSWORD)
    page.goto(f"{live_server}/orientations/{referral.uid}")
    page.get_by_label("Issue de l’orientation").select_option(label="Réorientée vers un autre lieu")
    field = page.get_by_role("combobox", name="Si la personne a été réorientée : le nouveau lieu")
    pick(page, field, "diderot", 1)
    assert field.input_value() == "Médiathèque Diderot — Rezé"
    check_widths(page, axe_violations)
    page.get_by_role("button", name="Enregistrer l’issue").click()
    page.wait_for_url("**/orientations/*")
    db.session.expire_all()
    saved = db.session.get(Referral, referral.id)
    assert saved.status == "redirected" and saved.redirected_place_id == places["diderot"].id
    assert page.get_by_role("link", name="Médiathèque Diderot").is_visible()


def slot(tab, day: str, number: int, edge: str):
    return tab.locator(f"#hours_{day}_{number}_{edge}")


def test_a_partner_declares_exceptional_hours_in_the_weekday_editor(page, live_server, axe_violations, browser_login):
    place = make_place(make_organisation("Médiathèque Diderot", kind="mediatheque"), name="Médiathèque Diderot",
                       opening_hours="Mo-Fr 09:00-12:00,14:00-17:30")
    partner = make_member(place.organisation, name="Chloé Diderot")
    browser_login(partner, PASSWORD)
    page.goto(f"{live_server}/espace-partenaire/lieux/{place.id}/fermetures")
    assert "ne publient que les horaires habituels" in page.locator("main").inner_text()
    editor = page.locator("#hours")
    assert editor.is_hidden()  # « fermé » is chosen
    page.get_by_label("ouvert avec des horaires exceptionnels").check()
    assert editor.is_visible()
    monday = page.get_by_label("De (lundi, créneau 1, ouverture)")
    assert monday.input_value() == "09:00"  # the regular hours, to change
    check_widths(page, axe_violations)

    start = directory_services.paris_today() + timedelta(days=7)
    page.get_by_label("Du", exact=True).fill(start.isoformat())
    page.get_by_label("Au (inclus)").fill((start + timedelta(days=6)).isoformat())
    for day in ("mo", "tu", "we", "th", "fr"):
        slot(page, day, 2, "start").fill("")
        slot(page, day, 2, "end").fill("")
    slot(page, "fr", 2, "start").fill("11:00")
    slot(page, "fr", 2, "end").fill("16:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la période").click()
    wrong = slot(page, "fr", 2, "start")
    assert wrong.get_attribute("aria-invalid") == "true"
    message = page.locator(f"#{wrong.get_attribute('aria-describedby')}").inner_text()
    assert message.startswith("Vendredi\u00a0:") and "doit commencer après la fin du créneau précédent" in message
    assert slot(page, "fr", 1, "start").get_attribute("aria-invalid") is None
    check_widths(page, axe_violations)

    wrong.fill("")
    slot(page, "fr", 2, "end").fill("")
    slot(page, "we", 1, "start").fill("")
    slot(page, "we", 1, "end").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la période").click()
    assert "La période a été enregistrée" in page.locator(".flashes").inner_text()
    listed = page.locator(".closure-list").inner_text()
    assert "Lundi, mardi, jeudi et vendredi\u00a0: 9\u00a0h – 12\u00a0h" in listed
    assert "Mercredi, samedi et dimanche\u00a0: fermé" in listed
    db.session.expire_all()
    assert place.closures[0].opening_hours == "Mo-Tu,Th-Fr 09:00-12:00"
