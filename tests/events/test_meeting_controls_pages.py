"""The pages of issue 18's meeting controls: « Ajouter à mon agenda », « Envoyer les invitations
maintenant » (a flash with the number sent), the picker's previews (with and without JavaScript),
the invited organisations in the forms, the editor's preview (the pages' sanitiser)."""
from datetime import timedelta

from coordination.core.clock import utcnow
from coordination.events.models import Meeting, MeetingSeries
from tests.french import plain


def _create(client, **overrides):
    day = (utcnow() + timedelta(days=12)).date().isoformat()
    data = {"title": "Rencontre", "date": day, "start_time": "14:00", "duration_minutes": "90",
            "address": "Maison des associations, Nantes", "agenda": "1. **Accueil**"}
    data.update(overrides)
    return client.post("/coordination/reunions/reunion", data=data)


def test_send_now_flashes_how_many_were_sent_and_nobody_twice(client, login, db, network):
    login(network.coordinator)
    assert _create(client).status_code == 302
    meeting = db.session.query(Meeting).one()
    first = client.post(f"/coordination/reunions/{meeting.id}/inviter", follow_redirects=True)
    assert "3 invitations envoyées." in plain(first.get_data(as_text=True))
    again = client.post(f"/coordination/reunions/{meeting.id}/inviter", follow_redirects=True)
    assert "Aucune invitation à envoyer : toutes les personnes invitées" in plain(again.get_data(as_text=True))
    assert db.session.query(Meeting).one().invitations_sent_at is not None


def test_a_meeting_for_chosen_organisations_from_the_form(client, login, db, network):
    login(network.coordinator)
    page = client.get("/coordination/reunions").get_data(as_text=True)
    assert "Médiathèque Diderot" in page and "Association suspendue" not in page
    assert _create(client, invite="chosen", organisation_ids=[str(network.other.id)]).status_code == 302
    meeting = db.session.query(Meeting).one()
    assert [o.name for o in meeting.organisations] == ["Médiathèque Diderot"]
    manage = plain(client.get(f"/coordination/reunions/{meeting.id}").get_data(as_text=True))
    assert "1 organisation choisie est invitée." in manage
    assert "Association Clic et Déclic" not in manage.split("Réponses par organisation")[1].split("Déplacer")[0]
    refused = _create(client, invite="chosen")
    assert refused.status_code == 400
    assert "Cochez au moins une organisation à inviter." in plain(refused.get_data(as_text=True))


def test_the_meeting_page_offers_its_calendar_file(client, login, db, network):
    login(network.coordinator)
    _create(client)
    meeting = db.session.query(Meeting).one()
    page = client.get(f"/reunions/{meeting.id}").get_data(as_text=True)
    assert f'href="/reunions/{meeting.id}/agenda.ics"' in page and "Ajouter à mon agenda" in plain(page)
    download = client.get(f"/reunions/{meeting.id}/agenda.ics")
    assert b"METHOD:PUBLISH" in download.data and b"ATTENDEE" not in download.data
    assert "attachment" in download.headers["Content-Disposition"]


def test_the_series_preview_without_and_with_javascript(client, login, db, network):
    login(network.coordinator)
    form = {"title": "Trimestrielle", "kind": "months", "nth": "2", "weekday": "TU", "months": ["3", "6", "9", "12"],
            "first_date": "2040-01-01", "start_time": "14:00", "address": "Nantes", "preview": "1"}
    page = plain(client.post("/coordination/reunions/series", data=form).get_data(as_text=True))
    assert "Rythme : chaque 2e mardi de mars, juin, septembre et décembre." in page
    assert "mardi 13 mars 2040 à 14\u00a0h" in page and "mardi 12 mars 2041 à 14\u00a0h" in page
    assert db.session.query(MeetingSeries).count() == 0  # a preview creates nothing
    live = client.get("/coordination/reunions/series/apercu", query_string={k: v for k, v in form.items() if k != "months"}
                      | {"months": ["3", "6"]})
    assert len(live.json["dates"]) == 5 and plain(live.json["description"]) == "chaque 2e mardi de mars et juin"
    wrong = client.get("/coordination/reunions/series/apercu", query_string={"kind": "months", "first_date": "2040-01-01",
                                                                            "start_time": "14:00"})
    assert wrong.status_code == 400 and wrong.json["errors"]


def test_the_editor_preview_is_the_pages_sanitiser(client, login, network):
    login(network.coordinator)
    response = client.post("/coordination/reunions/apercu-markdown",
                           data={"text": "# Titre\n\n- **un** [lien](https://exemple.fr)\n\n<script>alert(1)</script>"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h2>Titre</h2>" in html and "<strong>un</strong>" in html
    assert 'href="https://exemple.fr"' in html and "<script" not in html
