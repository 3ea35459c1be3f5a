""""Signaler une erreur" and the moderation queue: what a report stores and who is told, the honeypot,
the rate limit, French errors, and each coordinator decision with its reason and audit record."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination.audit import AuditRecord
from coordination.core.clock import utcnow
from coordination.core.french import typography
from coordination.moderation import services as reports
from coordination.directory.models import Place
from coordination.moderation.models import PlaceReport
from coordination.errors import Conflict, Invalid, NotFound, PermissionDenied
from coordination.testing.factories import make_member, make_organisation, make_place, make_user

RESIDENT_ADDRESS = "203.0.113.77"


@pytest.fixture
def reported_place(app):
    organisation = make_organisation("Association Les Connectés")
    organisation.contact_email = "Contact@Connectes.exemple.fr"
    admin = make_member(organisation, role="admin", email="admin@connectes.exemple.fr")
    member = make_member(organisation, role="member", email="membre@connectes.exemple.fr")
    coordinator = make_user("coordination@reseau.exemple.fr", coordinator=True)
    make_user("ancienne@reseau.exemple.fr", coordinator=True, active=False)
    place = make_place(organisation, name="Point numérique de la mairie")
    return {"organisation": organisation, "admin": admin, "member": member, "coordinator": coordinator,
            "place": place}


def post_report(client, place, **data):
    data.setdefault("kind", "hours")
    return client.post(f"/lieux/{place.public_id}/signaler", data=data,
                       environ_base={"REMOTE_ADDR": RESIDENT_ADDRESS})


def open_reports(db):
    return db.session.scalars(select(PlaceReport).order_by(PlaceReport.id)).all()


# --- the public form -----------------------------------------------------------------------

def test_the_form_is_shown_in_french(client, reported_place):
    response = client.get(f"/lieux/{reported_place['place'].public_id}/signaler")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Signaler une erreur" in page and "Point numérique de la mairie" in page
    for label in reports.REPORT_KINDS.values():
        assert typography(label) in page  # the resident's form shows them typeset


def test_a_report_is_stored_and_mailed_to_the_organisation_and_coordinators(client, db, reported_place, mail_outbox):
    response = post_report(client, reported_place["place"], kind="hours",
                           message="Fermé le mercredi après-midi depuis janvier.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/lieux/{reported_place['place'].public_id}/signaler/merci")
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "votre signalement a été transmis" in thanks

    [report] = open_reports(db)
    assert (report.place_id, report.kind, report.status) == (reported_place["place"].id, "hours", "open")
    assert report.message == "Fermé le mercredi après-midi depuis janvier."

    messages = mail_outbox()
    recipients = sorted(m.recipient for m in messages)
    # contact (normalised, once), the admin (not the plain member), the active coordinator only
    assert recipients == ["admin@connectes.exemple.fr", "contact@connectes.exemple.fr",
                          "coordination@reseau.exemple.fr"]
    for message in messages:
        assert message.subject == "Erreur signalée sur « Point numérique de la mairie »"
        assert "Les horaires sont faux" in message.body_text
        assert "Fermé le mercredi après-midi depuis janvier." in message.body_text
        assert f"/lieux/{reported_place['place'].public_id}" in message.body_text
    by_recipient = {m.recipient: m.body_text for m in messages}
    assert "/coordination/moderation" in by_recipient["coordination@reseau.exemple.fr"]
    assert f"/espace-partenaire/lieux/{reported_place['place'].id}/modifier" in by_recipient["admin@connectes.exemple.fr"]


def test_a_report_from_a_page_in_english_is_mailed_in_french(client, reported_place, mail_outbox):
    response = client.post(f"/en/lieux/{reported_place['place'].public_id}/signaler", data={"kind": "hours"},
                           environ_base={"REMOTE_ADDR": RESIDENT_ADDRESS})
    assert response.status_code == 302
    messages = mail_outbox()
    assert len(messages) == 3
    for message in messages:
        assert message.subject == "Erreur signalée sur « Point numérique de la mairie »"
        assert "Les horaires sont faux" in message.body_text and "Bonjour" in message.body_text


def test_nothing_about_the_reporter_is_kept_or_sent(client, db, reported_place, mail_outbox, login):
    login(reported_place["member"])  # even a logged-in person stays anonymous
    post_report(client, reported_place["place"], kind="closed")
    [report] = open_reports(db)
    stored = " ".join(str(getattr(report, column.key)) for column in PlaceReport.__table__.columns)
    assert RESIDENT_ADDRESS not in stored and "membre@" not in stored
    for message in mail_outbox():
        assert RESIDENT_ADDRESS not in message.body_text
        assert "membre@connectes" not in message.body_text
        assert "Mozilla" not in message.body_text and "werkzeug" not in message.body_text.lower()
    records = db.session.scalars(select(AuditRecord)).all()
    assert all(RESIDENT_ADDRESS not in str(record.details) for record in records)


def test_a_filled_honeypot_answers_like_a_success_and_stores_nothing(client, db, reported_place, mail_outbox):
    response = post_report(client, reported_place["place"], kind="hours", message="Visitez mon site", nickname="robot")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/signaler/merci")
    assert open_reports(db) == [] and mail_outbox() == []
    # even with an invalid kind: a robot learns nothing from the answer
    response = post_report(client, reported_place["place"], kind="spam", nickname="robot")
    assert response.status_code == 302 and open_reports(db) == []


def test_posts_are_rate_limited_per_address_with_a_french_429(app, client, db, reported_place):
    limit = int(app.config["RATELIMIT_REPORT"].split()[0])
    for _ in range(limit):
        assert post_report(client, reported_place["place"]).status_code == 302
    response = post_report(client, reported_place["place"])
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)
    assert len(open_reports(db)) == limit
    assert client.get(f"/lieux/{reported_place['place'].public_id}/signaler").status_code == 200  # only POSTs
    other = client.post(f"/lieux/{reported_place['place'].public_id}/signaler", data={"kind": "hours"},
                        environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 302  # another address is not blocked


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kind": ""}, "kind", "Indiquez ce qui ne va pas"),
    ({"kind": "spam"}, "kind", "Indiquez ce qui ne va pas"),
    ({"kind": "other", "message": "   "}, "message", "Décrivez en quelques mots ce qui ne va pas."),
    ({"kind": "address", "message": "x" * 1001}, "message", "1000 caractères au maximum"),
])
def test_bad_input_is_explained_in_french(client, db, reported_place, mail_outbox, data, field, message):
    response = post_report(client, reported_place["place"], **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page.replace("&#39;", "'")
    assert f'id="{field}-error"' in page
    assert open_reports(db) == [] and mail_outbox() == []


def test_control_characters_are_dropped(db, reported_place):
    report = reports.report_error(reported_place["place"].public_id, {"kind": "other", "message": "Ferm\x00é\x07 !"})
    assert report.message == "Fermé !"


@pytest.mark.parametrize("state", ["unknown", "unpublished", "deleted", "suspended"])
def test_only_public_places_can_be_reported(client, db, reported_place, state):
    place = reported_place["place"]
    public_id = place.public_id
    if state == "unknown":
        public_id = "00000000-0000-4000-8000-000000000000"
    elif state == "unpublished":
        place.published = False
    elif state == "deleted":
        place.deleted_at = utcnow()
    else:
        reported_place["organisation"].status = "suspended"
    db.session.commit()
    assert client.get(f"/lieux/{public_id}/signaler").status_code == 404
    assert client.post(f"/lieux/{public_id}/signaler", data={"kind": "hours"}).status_code == 404
    assert client.get(f"/lieux/{public_id}/signaler/merci").status_code == 404
    assert open_reports(db) == []


# --- the moderation queue ------------------------------------------------------------------

def make_stale(place, days=10):
    place.stale_since = utcnow() - timedelta(days=days)
    from coordination.extensions import db
    db.session.commit()
    return place


def test_the_queue_is_for_coordinators_only(client, reported_place, login):
    response = client.get("/coordination/moderation")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    login(reported_place["admin"])
    assert client.get("/coordination/moderation").status_code == 403
    for url in ("/coordination/moderation/signalements/1/traiter", "/coordination/moderation/signalements/1/ecarter",
                f"/coordination/moderation/lieux/{reported_place['place'].id}/retirer",
                f"/coordination/moderation/organisations/{reported_place['organisation'].id}/accepter",
                f"/coordination/moderation/organisations/{reported_place['organisation'].id}/refuser"):
        assert client.post(url, data={}).status_code == 403, url
    with pytest.raises(PermissionDenied):
        reports.moderation_queue(actor=reported_place["admin"])


def test_the_queue_lists_pending_organisations_open_reports_and_stale_public_places(client, db, reported_place, login):
    pending = make_organisation("Centre social en attente", status="pending")
    reports.report_error(reported_place["place"].public_id, {"kind": "closed", "message": "Fermé pour de bon"})
    decided = reports.report_error(reported_place["place"].public_id, {"kind": "hours"})
    reports.dismiss_report(decided.id, actor=reported_place["coordinator"], reason="Doublon")
    stale = make_stale(make_place(reported_place["organisation"], name="Médiathèque ancienne"))
    make_stale(make_place(reported_place["organisation"], name="Fiche retirée", published=False))
    make_place(reported_place["organisation"], name="Fiche à jour")

    queue = reports.moderation_queue(actor=reported_place["coordinator"])
    assert [o.name for o in queue.organisations] == [pending.name]
    assert [(r.kind, r.message) for r in queue.reports] == [("closed", "Fermé pour de bon")]
    assert [p.id for p in queue.stale_places] == [stale.id]
    assert queue.count == 3

    login(reported_place["coordinator"])
    page = client.get("/coordination/moderation").get_data(as_text=True)
    assert "Centre social en attente" in page and "Fermé pour de bon" in page
    assert "Médiathèque ancienne" in page and "Fiche retirée" not in page and "Fiche à jour" not in page
    assert "Le lieu est fermé définitivement" in page


def audit_records(db, action):
    return db.session.scalars(select(AuditRecord).where(AuditRecord.action == action)).all()


def test_resolving_a_report_records_the_reason_and_is_audited(client, db, reported_place, login):
    report = reports.report_error(reported_place["place"].public_id, {"kind": "hours"})
    login(reported_place["coordinator"])
    url = f"/coordination/moderation/signalements/{report.id}/traiter"
    response = client.post(url, data={f"traiter-{report.id}-reason": "  "})
    assert response.status_code == 400
    assert "Indiquez ce qui a été fait." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PlaceReport, report.id).status == "open"

    response = client.post(url, data={f"traiter-{report.id}-reason": "Horaires corrigés avec la structure"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/coordination/moderation")
    db.session.expire_all()
    report = db.session.get(PlaceReport, report.id)
    assert report.status == "resolved" and report.decided_by_id == reported_place["coordinator"].id
    assert report.decision_reason == "Horaires corrigés avec la structure" and report.decided_at is not None
    [record] = audit_records(db, "report.resolved")
    assert record.actor_id == reported_place["coordinator"].id and record.object_id == str(report.id)
    assert record.details["reason"] == "Horaires corrigés avec la structure"
    assert record.details["unpublished"] is False
    assert db.session.get(Place, reported_place["place"].id).published is True
    # decided once: a second click gets a French conflict, nothing changes
    assert client.post(url, data={f"traiter-{report.id}-reason": "encore"}).status_code == 409


def test_resolving_with_unpublish_takes_the_place_offline_in_the_same_decision(client, db, reported_place, login):
    report = reports.report_error(reported_place["place"].public_id, {"kind": "closed"})
    login(reported_place["coordinator"])
    response = client.post(f"/coordination/moderation/signalements/{report.id}/traiter",
                           data={f"traiter-{report.id}-reason": "Fermeture confirmée par la mairie",
                                 f"traiter-{report.id}-unpublish": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Place, reported_place["place"].id).published is False
    assert db.session.get(PlaceReport, report.id).status == "resolved"
    assert audit_records(db, "report.resolved")[0].details["unpublished"] is True
    assert len(audit_records(db, "place.unpublish")) == 1
    assert client.get(f"/lieux/{reported_place['place'].public_id}/signaler").status_code == 404


def test_dismissing_a_report_records_the_reason_and_is_audited(client, db, reported_place, login):
    report = reports.report_error(reported_place["place"].public_id, {"kind": "address"})
    login(reported_place["coordinator"])
    url = f"/coordination/moderation/signalements/{report.id}/ecarter"
    response = client.post(url, data={})
    assert response.status_code == 400
    assert "Indiquez pourquoi le signalement est écarté." in response.get_data(as_text=True)
    response = client.post(url, data={f"ecarter-{report.id}-reason": "L'adresse est la bonne"})
    assert response.status_code == 302
    db.session.expire_all()
    report = db.session.get(PlaceReport, report.id)
    assert (report.status, report.decision_reason) == ("dismissed", "L'adresse est la bonne")
    [record] = audit_records(db, "report.dismissed")
    assert record.details["reason"] == "L'adresse est la bonne"
    assert db.session.get(Place, reported_place["place"].id).published is True
    assert reports.moderation_queue(actor=reported_place["coordinator"]).reports == []


def test_unpublishing_a_stale_place_records_the_reason_and_is_audited(client, db, reported_place, login):
    place = make_stale(reported_place["place"])
    login(reported_place["coordinator"])
    url = f"/coordination/moderation/lieux/{place.id}/retirer"
    response = client.post(url, data={f"retirer-{place.id}-reason": ""})
    assert response.status_code == 400 and "Indiquez le motif du retrait." in response.get_data(as_text=True)
    response = client.post(url, data={f"retirer-{place.id}-reason": "Aucune nouvelle depuis 8 mois"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Place, place.id).published is False
    [record] = audit_records(db, "place.stale_unpublished")
    assert record.details["reason"] == "Aucune nouvelle depuis 8 mois" and record.object_id == str(place.id)
    assert reports.moderation_queue(actor=reported_place["coordinator"]).stale_places == []


def test_a_place_no_longer_stale_is_not_unpublished(db, reported_place):
    with pytest.raises(Conflict):
        reports.unpublish_stale_place(reported_place["place"].id, actor=reported_place["coordinator"], reason="Trop vieux")
    assert db.session.get(Place, reported_place["place"].id).published is True
    with pytest.raises(NotFound):
        reports.unpublish_stale_place(999_999, actor=reported_place["coordinator"], reason="Trop vieux")


def test_organisations_are_accepted_or_refused_from_the_queue(client, db, reported_place, login):
    accepted = make_organisation("Espace accepté", status="pending")
    refused = make_organisation("Espace refusé", status="pending")
    login(reported_place["coordinator"])
    assert client.post(f"/coordination/moderation/organisations/{accepted.id}/accepter").status_code == 302
    url = f"/coordination/moderation/organisations/{refused.id}/refuser"
    response = client.post(url, data={f"refuser-{refused.id}-reason": ""})
    assert response.status_code == 400 and "Indiquez le motif du refus." in response.get_data(as_text=True)
    assert client.post(url, data={f"refuser-{refused.id}-reason": "Hors du territoire"}).status_code == 302
    db.session.expire_all()
    assert (accepted.status, refused.status, refused.refusal_reason) == ("active", "refused", "Hors du territoire")
    assert audit_records(db, "organisation.accepted")[0].object_id == str(accepted.id)
    assert audit_records(db, "organisation.refused")[0].details["reason"] == "Hors du territoire"
    assert reports.moderation_queue(actor=reported_place["coordinator"]).organisations == []


def test_the_services_check_the_reason_and_the_actor(db, reported_place):
    report = reports.report_error(reported_place["place"].public_id, {"kind": "hours"})
    with pytest.raises(Invalid) as error:
        reports.dismiss_report(report.id, actor=reported_place["coordinator"], reason="x" * 1001)
    assert error.value.errors["reason"] == ["Le motif doit faire 1000 caractères au maximum."]
    with pytest.raises(PermissionDenied):
        reports.resolve_report(report.id, actor=reported_place["admin"], reason="Corrigé")
    with pytest.raises(NotFound):
        reports.resolve_report(999_999, actor=reported_place["coordinator"], reason="Corrigé")
    with pytest.raises(NotFound):
        reports.report_error("pas-un-identifiant", {"kind": "hours"})


def test_the_queue_shows_the_oldest_stale_places_a_page_at_a_time(db):
    coordinator = make_user(coordinator=True)
    organisation = make_organisation()
    start = utcnow() - timedelta(days=400)
    for n in range(reports.STALE_SHOWN + 2):
        make_place(organisation, name=f"Lieu {n:03d}", stale_since=start + timedelta(hours=n))
    queue = reports.moderation_queue(actor=coordinator)
    assert len(queue.stale_places) == reports.STALE_SHOWN and queue.stale_total == reports.STALE_SHOWN + 2
    assert queue.stale_places[0].name == "Lieu 000"  # stale longest first
    assert queue.count == reports.STALE_SHOWN + 2


def test_open_reports_are_shown_a_page_at_a_time_oldest_first(db, client, login, reported_place):
    """Issue 18: a national directory may hold hundreds of open reports; the queue shows 25 at a time and
    counts them all."""
    place = reported_place["place"]
    start = utcnow() - timedelta(days=40)
    for number in range(30):
        db.session.add(PlaceReport(place_id=place.id, kind="other", message=f"Signalement {number:02d}",
                                   created_at=start + timedelta(days=number)))
    db.session.commit()
    coordinator = reported_place["coordinator"]
    first = reports.moderation_queue(actor=coordinator)
    assert [r.message for r in first.reports][:2] == ["Signalement 00", "Signalement 01"] and len(first.reports) == 25
    assert first.reports_page.total == 30 and first.count >= 30
    second = reports.moderation_queue(actor=coordinator, page=2)
    assert [r.message for r in second.reports] == [f"Signalement {n}" for n in range(25, 30)]
    login(coordinator)
    html = client.get("/coordination/moderation?page=2").text
    assert "Signalement 29" in html and "Signalement 00" not in html
    assert 'href="/coordination/moderation#signalements"' in html  # back to page 1, at the reports
