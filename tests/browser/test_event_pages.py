"""Meeting pages in a real browser: answering from a signed link and from the partner space, the
calendar link, the coordinator's meeting and participation pages; no serious accessibility
violation (axe-core), usable at 390 px."""
from datetime import timedelta

import pytest

from coordination.core.clock import utcnow
from coordination.events import records, rsvp
from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_user
from tests.events.conftest import invite, make_meeting

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(app):
    organisation = make_organisation("Association Clic et Déclic")
    other = make_organisation("Médiathèque Diderot", kind="mediatheque")
    member = make_member(organisation, role="admin", name="Alice Admin")
    other_member = make_member(other, name="Chloé Diderot")
    coordinator = make_user(coordinator=True, name="Gaëlle Coordination")
    upcoming = make_meeting(capacity=10)
    invitation = invite(upcoming, member, organisation)
    invite(upcoming, other_member, other)
    past = make_meeting(starts_in=-timedelta(days=30), title="Réunion de printemps")
    invite(past, member, organisation, attended=True, response="yes", responded_at=utcnow())
    invite(past, other_member, other, attended=False)
    records.save_minutes(past.id, "## Décisions\n\n- Un *atelier* commun\n\n<script>alert(1)</script>",
                         actor=coordinator, publish=True)
    return {"member": member, "coordinator": coordinator, "upcoming": upcoming, "past": past,
            "invitation": invitation}


def test_answering_from_a_signed_link_then_from_the_partner_space(page, live_server, scene, browser_login):
    link = rsvp.answer_link(scene["invitation"], "yes").replace("http://localhost", live_server)
    page.goto(link)
    assert page.locator("h1").inner_text() == "Confirmer votre réponse"
    page.get_by_role("button", name="Confirmer : « Je viens »").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Réponse enregistrée"

    browser_login(scene["member"], PASSWORD)
    page.goto(live_server + "/reunions")
    page.get_by_role("button", name="Peut-être").click()
    page.wait_for_load_state()
    assert "Votre réponse «\u00a0Peut-être\u00a0» est enregistrée." in page.locator(".flashes").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_altered_link_shows_a_french_page(page, live_server, scene):
    link = rsvp.answer_link(scene["invitation"], "no").replace("http://localhost", live_server)
    response = page.goto(link[:-3] + "xyz")
    assert response.status == 400
    assert page.locator("h1").inner_text() == "Ce lien n’est pas valable"


@pytest.mark.parametrize("path", ["link", "/reunions", "upcoming", "past", "/reunions/calendrier",
                                  "/reunions/participants"])
def test_member_pages_have_no_serious_accessibility_violation(page, live_server, axe_violations, browser_login,
                                                              scene, path):
    if path == "link":
        page.goto(rsvp.answer_link(scene["invitation"], "maybe").replace("http://localhost", live_server))
    else:
        browser_login(scene["member"], PASSWORD)
        path = {"upcoming": f"/reunions/{scene['upcoming'].id}", "past": f"/reunions/{scene['past'].id}"}.get(path, path)
        page.goto(live_server + path)
    assert page.locator("h1").count() == 1
    assert page.locator("script:not([src])").count() == 0  # the minutes' script never reached the page
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("path", ["/coordination/reunions", "manage-upcoming", "manage-past",
                                  "/coordination/reunions/participation", "compilation"])
def test_coordinator_pages_have_no_serious_accessibility_violation(page, live_server, axe_violations,
                                                                   browser_login, scene, path):
    browser_login(scene["coordinator"], PASSWORD)
    path = {"manage-upcoming": f"/coordination/reunions/{scene['upcoming'].id}",
            "manage-past": f"/coordination/reunions/{scene['past'].id}",
            "compilation": "series"}.get(path, path)
    if path == "series":
        from coordination.events.models import MeetingSeries
        from coordination.extensions import db
        series = MeetingSeries(title="Réunions trimestrielles", rrule="FREQ=YEARLY;BYMONTH=3,6,9,12;BYDAY=2TU",
                               first_start_local=utcnow().replace(microsecond=0) - timedelta(days=60))
        db.session.add(series)
        db.session.flush()
        scene["past"].series_id = series.id
        db.session.commit()
        path = f"/reunions/series/{series.id}/compilation"
    page.goto(live_server + path)
    page.locator("details").evaluate_all("items => items.forEach(d => { d.open = true; })")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
    if "participation" in path:
        assert page.locator("svg[role='img'] title").count() == 1
        assert page.locator("table caption").count() == 1
