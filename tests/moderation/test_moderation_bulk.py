"""The moderation queue's bulk decision (issue 15, item 3): the organisations created by one import,
accepted or refused together after a confirmation step that says how many; permissions in the
services, CSRF on the page, and nothing mailed to an address taken from the file."""
import pytest
from sqlalchemy import func, select

from coordination.audit import AuditRecord
from coordination.auth import services as auth_services
from coordination.auth.models import Organisation
from coordination.directory import imports
from coordination.moderation import services as reports
from coordination.errors import Conflict, Invalid, NotFound, PermissionDenied
from coordination.mail import Message
from coordination.testing.factories import make_organisation
from tests.directory.imports.helpers import three_organisations
from tests.french import plain


@pytest.fixture
def imported(coordinator, tmp_path):
    """An import of three structures, pending; and one organisation that asked to join."""
    path = tmp_path / "cartographie.csv"
    path.write_text(three_organisations(), encoding="utf-8")
    outcome = imports.apply_file(path, actor=coordinator)
    joined = make_organisation("Demande d'adhésion", status="pending")
    return outcome.report.import_id, joined


def statuses(db) -> dict[str, int]:
    return dict(db.session.execute(select(Organisation.status, func.count()).where(
        Organisation.import_id.is_not(None)).group_by(Organisation.status)).all())


def url(import_id) -> str:
    return f"/coordination/moderation/imports/{import_id}"


def test_the_queue_shows_one_line_per_import_and_keeps_join_requests_one_by_one(client, login, coordinator,
                                                                               imported):
    import_id, joined = imported
    queue = reports.moderation_queue(actor=coordinator)
    assert [o.id for o in queue.organisations] == [joined.id]
    assert [(record.id, count) for record, count in queue.imports] == [(import_id, 3)]
    assert queue.count == 4
    login(coordinator)
    page = plain(client.get("/coordination/moderation").get_data(as_text=True))
    assert f'href="{url(import_id)}"' in page and "cartographie.csv : 3 organisations en attente" in page
    assert "Médiathèque Jacques Demy" not in page  # not one card each


def test_accepting_an_import_goes_through_a_confirmation(client, login, coordinator, imported, db, mail_outbox):
    import_id, joined = imported
    login(coordinator)
    page = client.get(url(import_id)).get_data(as_text=True)
    assert "Médiathèque Jacques Demy" in page and "aucune adresse du fichier ne reçoit de courriel" in page
    response = client.post(url(import_id), data={"action": "accept"})
    page = plain(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Confirmer : accepter 3 organisations" in page
    assert "3 lieux deviendront visibles dans l'annuaire public" in page
    assert "Aucun courriel ne sera envoyé aux adresses du fichier." in page
    assert statuses(db) == {"pending": 3}  # nothing decided before the confirmation
    response = client.post(url(import_id), data={"action": "accept", "expected": "3", "confirmed": "oui"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/coordination/moderation")
    assert statuses(db) == {"active": 3}
    assert db.session.get(Organisation, joined.id).status == "pending"  # another filter: left alone
    assert "3 organisations acceptées." in plain(client.get("/coordination/moderation").get_data(as_text=True))
    records = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "organisation.accepted")).all()
    assert len(records) == 3 and all(e.details.get("bulk") for e in records)
    assert mail_outbox() == []
    # their places enter the search index and the change feed (one statement for all, issue 15)
    from coordination.directory.models import Place, SearchIndexQueue
    place_ids = set(db.session.scalars(select(Place.id)).all())
    assert set(db.session.scalars(select(SearchIndexQueue.place_id)).all()) >= place_ids and len(place_ids) == 3


def test_refusing_needs_a_reason_and_mails_no_address_of_the_file(client, login, coordinator, imported, db,
                                                                  mail_outbox):
    import_id, _joined = imported
    login(coordinator)
    response = client.post(url(import_id), data={"action": "refuse", "reason": "  "})
    assert response.status_code == 400 and "Indiquez le motif du refus." in plain(response.get_data(as_text=True))
    response = client.post(url(import_id), data={"action": "refuse", "reason": "Hors du territoire."})
    assert "Confirmer : refuser 3 organisations" in plain(response.get_data(as_text=True))
    response = client.post(url(import_id), data={"action": "refuse", "reason": "Hors du territoire.",
                                                 "expected": "3", "confirmed": "oui"})
    assert response.status_code == 302
    assert statuses(db) == {"refused": 3}
    assert {o.refusal_reason for o in db.session.scalars(select(Organisation).where(
        Organisation.import_id == import_id))} == {"Hors du territoire."}
    assert mail_outbox() == []


def test_no_action_chosen_is_a_french_error(client, login, coordinator, imported):
    login(coordinator)
    response = client.post(url(imported[0]), data={"action": "publier"})
    page = plain(response.get_data(as_text=True)).replace("&#39;", "'")
    assert response.status_code == 400 and "Choisissez d'accepter ou de refuser." in page


def test_if_the_selection_changed_since_the_confirmation_nothing_is_done(client, login, coordinator, imported,
                                                                        db):
    import_id, _joined = imported
    first = db.session.scalars(select(Organisation.id).where(Organisation.import_id == import_id)).first()
    auth_services.accept_organisation(first, actor=coordinator)  # another coordinator, meanwhile
    login(coordinator)
    response = client.post(url(import_id), data={"action": "accept", "expected": "3", "confirmed": "oui"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url(import_id))
    assert statuses(db) == {"active": 1, "pending": 2}
    assert "2 organisations de cet import sont en attente, et non 3" in client.get(url(import_id)).get_data(
        as_text=True)


def test_partners_cannot_see_or_decide(client, login, imported, db):
    import_id, _joined = imported
    organisation = make_organisation("Partenaire")
    from coordination.testing.factories import make_member
    partner = make_member(organisation, role="admin", email="admin@partenaire.exemple.fr")
    login(partner)
    assert client.get(url(import_id)).status_code == 403
    assert client.post(url(import_id), data={"action": "accept", "expected": "3", "confirmed": "oui"}
                       ).status_code == 403
    assert statuses(db) == {"pending": 3}
    with pytest.raises(PermissionDenied):
        auth_services.decide_imported_organisations(import_id, action="accept", actor=partner)
    with pytest.raises(PermissionDenied):
        auth_services.decide_organisations([1], action="accept", actor=partner)
    with pytest.raises(PermissionDenied):
        reports.bulk_selection(import_id, actor=partner)


def test_the_services_check_their_input(coordinator, imported):
    import_id, _joined = imported
    with pytest.raises(NotFound):
        reports.bulk_selection(import_id + 100, actor=coordinator)
    with pytest.raises(Invalid):
        auth_services.decide_imported_organisations(import_id, action="publish", actor=coordinator)
    with pytest.raises(Invalid):
        auth_services.decide_imported_organisations(import_id, action="refuse", actor=coordinator, reason=" ")
    with pytest.raises(Conflict):
        auth_services.decide_imported_organisations(import_id, action="accept", actor=coordinator, expected=2)
    assert auth_services.decide_imported_organisations(import_id, action="accept", actor=coordinator) == 3
    with pytest.raises(Invalid, match="Aucune organisation en attente"):
        auth_services.decide_imported_organisations(import_id, action="accept", actor=coordinator)


def test_the_bulk_form_needs_its_csrf_token(app, client, login, coordinator, imported, db, monkeypatch):
    import_id, _joined = imported
    login(coordinator)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(url(import_id), data={"action": "accept", "expected": "3", "confirmed": "oui"})
    assert response.status_code == 400 and "Le formulaire a expiré" in plain(response.get_data(as_text=True))
    assert statuses(db) == {"pending": 3}


def test_an_import_accepted_at_once_is_not_in_the_queue(coordinator, tmp_path, db):
    path = tmp_path / "confiance.csv"
    path.write_text(three_organisations(), encoding="utf-8")
    imports.apply_file(path, actor=coordinator, publication=imports.ACCEPTED)
    assert reports.moderation_queue(actor=coordinator).imports == []
    assert db.session.scalar(select(func.count(Message.id))) == 0
