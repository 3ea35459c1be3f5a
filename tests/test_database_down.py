"""A database that fails mid-request gives a French 503 page and leaves nothing half-written."""
from sqlalchemy.exc import OperationalError

from coordination.auth.models import Organisation, User
from coordination.directory.models import Place
from coordination.testing.factories import make_member, make_organisation, make_place


def fail_on_commit(monkeypatch, db):
    def commit():
        db.session.flush()  # the statements reach the database, the transaction never completes
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))
    monkeypatch.setattr(db.session, "commit", commit)


def test_join_form_when_the_database_fails(client, db, monkeypatch):
    fail_on_commit(monkeypatch, db)
    response = client.post("/rejoindre", data={
        "name": "Association Les Connectés", "kind": "association", "pivot": "73282932000074",
        "contact_email": "contact@connectes.fr", "contact_phone": "02 40 00 00 00",
        "admin_name": "Alex Dupont", "admin_email": "alex@connectes.fr", "password": "un-mot-de-passe-long",
        "confirm": "un-mot-de-passe-long",
    })
    monkeypatch.undo()
    assert response.status_code == 503, response.get_data(as_text=True)[-3000:]
    assert "momentanément indisponible" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.query(Organisation).count() == 0
    assert db.session.query(User).count() == 0


def test_place_confirmation_when_the_database_fails(client, db, login, monkeypatch):
    organisation = make_organisation()
    member = make_member(organisation)
    place = make_place(organisation)
    verified_at = place.verified_at
    login(member)
    fail_on_commit(monkeypatch, db)
    response = client.post(f"/espace-partenaire/lieux/{place.id}/confirmer")
    monkeypatch.undo()
    assert response.status_code == 503
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Place, place.id).verified_at == verified_at
