"""Directory use cases called directly (as the CLI and the import will): validation, permissions,
audit, optimistic locking."""
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.audit import AuditRecord
from coordination.core.clock import utcnow
from coordination.directory import services
from coordination.directory.models import Place
from coordination.errors import Conflict, Invalid, NotFound, PermissionDenied
from coordination.extensions import db as _db
from coordination.testing.factories import make_member, make_organisation, make_place, make_user

VALID = {
    "name": "Médiathèque de la Bottière", "address": "2 rue de la Bottière", "postcode": "44300",
    "commune": "Nantes", "insee_code": "44109", "phone": "02 40 41 42 43",
    "emails": "accueil@bottiere.exemple.fr, numerique@bottiere.exemple.fr",
    "services": ["Maîtrise des outils numériques du quotidien"], "opening_hours": "Tu-Sa 10:00-18:00",
}


def audit_records(action=None):
    query = select(AuditRecord).order_by(AuditRecord.id)
    if action:
        query = query.where(AuditRecord.action == action)
    return _db.session.scalars(query).all()


def test_create_place_normalises_and_records(member, organisation):
    place = services.create_place(organisation.id, VALID, actor=member)
    assert place.id and len(place.public_id) == 36
    assert place.phone == "+33240414243"
    assert place.emails == ["accueil@bottiere.exemple.fr", "numerique@bottiere.exemple.fr"]
    assert place.published is True and place.version == 1
    assert place.coordinates_source is None
    [record] = audit_records("place.create")
    assert (record.actor_id, record.object_id) == (member.id, str(place.id))


def test_create_place_with_coordinates_marks_them_manual(member, organisation):
    place = services.create_place(organisation.id, {**VALID, "latitude": "47,2301", "longitude": "-1.52"},
                                  actor=member)
    assert (place.latitude, place.longitude, place.coordinates_source) == (47.2301, -1.52, "manual")


def test_create_place_refuses_bad_data_with_french_errors_per_field(member, organisation):
    bad = {**VALID, "postcode": "4400", "insee_code": "99", "phone": "12", "emails": "pas-une-adresse",
           "website": "javascript:alert(1)", "summary": "x" * 281, "opening_hours": "lundi 9h-12h",
           "services": ["Cours de cuisine"], "latitude": "47.2", "name": " "}
    with pytest.raises(Invalid) as caught:
        services.create_place(organisation.id, bad, actor=member)
    errors = caught.value.errors
    assert set(errors) == {"postcode", "insee_code", "phone", "emails", "website", "summary", "opening_hours",
                           "services", "longitude", "name"}
    assert errors["postcode"] == ["Le code postal doit comporter 5 chiffres, par exemple 44000."]
    assert "281" in errors["summary"][0]
    assert errors["name"] == ["Ce champ est obligatoire."]
    assert audit_records() == [] and _db.session.scalars(select(Place)).all() == []


def test_create_place_requires_the_standard_fields(member, organisation):
    with pytest.raises(Invalid) as caught:
        services.create_place(organisation.id, {"name": "Sans adresse"}, actor=member)
    assert set(caught.value.errors) == {"address", "postcode", "commune", "services"}
    assert caught.value.errors["services"] == ["Choisissez au moins un service."]


def test_create_place_refuses_unknown_fields(member, organisation):
    with pytest.raises(Invalid) as caught:
        services.create_place(organisation.id, {**VALID, "colour": "bleu"}, actor=member)
    assert caught.value.errors == {"colour": ["Champ inconnu."]}


def test_pending_organisation_cannot_add_places():
    pending = make_organisation(status="pending")
    admin = make_member(pending, role="admin")
    with pytest.raises(PermissionDenied, match="en attente de validation"):
        services.create_place(pending.id, VALID, actor=admin)


def test_outsider_cannot_add_places(organisation):
    outsider = make_member(make_organisation())
    with pytest.raises(PermissionDenied):
        services.create_place(organisation.id, VALID, actor=outsider)


def test_coordinator_can_add_places_anywhere(organisation):
    place = services.create_place(organisation.id, VALID, actor=make_user(coordinator=True))
    assert place.organisation_id == organisation.id


def test_update_place_saves_changes_and_bumps_dates(member, organisation):
    place = make_place(organisation)
    before = (place.updated_at, place.verified_at)
    updated = services.update_place(place.id, {"phone": "0251000000", "summary": "Nouveau"}, actor=member,
                                    expected_version=1)
    assert updated.phone == "+33251000000" and updated.summary == "Nouveau"
    assert updated.version == 2
    assert updated.updated_at > before[0] and updated.verified_at > before[1]
    [record] = audit_records("place.update")
    assert record.details == {"fields": ["phone", "summary"]}


def test_update_without_change_does_nothing(member, organisation):
    place = make_place(organisation)
    services.update_place(place.id, {"name": place.name, "phone": "02 40 00 00 00"}, actor=member,
                          expected_version=1)
    assert place.version == 1 and audit_records() == []


def test_update_by_coordinator_does_not_count_as_partner_verification(organisation):
    place = make_place(organisation)
    verified = place.verified_at
    services.update_place(place.id, {"name": "Renommé"}, actor=make_user(coordinator=True), expected_version=1)
    assert place.verified_at == verified and place.name == "Renommé"


def test_update_from_an_old_version_is_a_conflict_and_saves_nothing(member, organisation):
    place = make_place(organisation, name="Cyberbase")
    services.update_place(place.id, {"name": "Cyberbase du Breil"}, actor=member, expected_version=1)
    with pytest.raises(Conflict) as caught:
        services.update_place(place.id, {"name": "Cyber-base", "phone": "0240000000"}, actor=member,
                              expected_version=1)
    assert caught.value.changes == [("Nom du lieu", "Cyber-base", "Cyberbase du Breil")]
    assert caught.value.details["current_version"] == 2
    assert place.name == "Cyberbase du Breil" and place.version == 2
    assert len(audit_records("place.update")) == 1


def test_concurrent_commit_is_turned_into_a_conflict(member, organisation, db):
    """Both transactions start from version 1; the other one commits first (StaleDataError)."""
    place = make_place(organisation, name="Point numérique")
    place_id = place.id
    assert place.version == 1  # loaded in this session, not expired
    with Session(db.engine) as other:
        other.get(Place, place_id).name = "Point numérique CAF"
        other.commit()
    with pytest.raises(Conflict) as caught:
        services.update_place(place_id, {"name": "Point numérique de la mairie"}, actor=member, expected_version=1)
    assert caught.value.changes == [("Nom du lieu", "Point numérique de la mairie", "Point numérique CAF")]
    db.session.expire_all()
    stored = db.session.get(Place, place_id)
    assert (stored.name, stored.version) == ("Point numérique CAF", 2)
    assert audit_records("place.update") == []


def test_update_checks_permissions(organisation):
    place = make_place(organisation, name="A")
    outsider = make_member(make_organisation())
    with pytest.raises(PermissionDenied):
        services.update_place(place.id, {"name": "Pris"}, actor=outsider, expected_version=1)
    assert place.name == "A"


def test_suspended_organisation_members_cannot_edit():
    suspended = make_organisation(status="suspended")
    member = make_member(suspended)
    place = make_place(suspended)
    with pytest.raises(PermissionDenied, match="suspendue"):
        services.update_place(place.id, {"name": "x"}, actor=member, expected_version=1)


def test_update_refuses_bad_values(member, organisation):
    place = make_place(organisation)
    with pytest.raises(Invalid) as caught:
        services.update_place(place.id, {"postcode": "ABCDE", "services": []}, actor=member, expected_version=1)
    assert set(caught.value.errors) == {"postcode", "services"}


def test_set_published_keeps_the_content_version(member, organisation):
    place = make_place(organisation)
    services.set_published(place.id, False, actor=member)
    assert place.published is False and place.version == 1
    services.set_published(place.id, True, actor=member)
    assert place.published is True
    assert [e.action for e in audit_records()] == ["place.unpublish", "place.publish"]
    # an edit started before the unpublishing still saves
    services.update_place(place.id, {"name": "Après"}, actor=member, expected_version=1)
    assert place.name == "Après"


def test_confirm_place_accurate(member, organisation):
    place = make_place(organisation)
    updated_at, verified_at = place.updated_at, place.verified_at
    services.confirm_place_accurate(place.id, actor=member)
    assert place.verified_at > verified_at and place.updated_at == updated_at and place.version == 1
    assert [e.action for e in audit_records()] == ["place.confirm"]


def test_only_partners_confirm(organisation):
    place = make_place(organisation)
    with pytest.raises(PermissionDenied):
        services.confirm_place_accurate(place.id, actor=make_user(coordinator=True))


def test_delete_place_is_soft_and_final(member, organisation):
    place = make_place(organisation)
    public_id = place.public_id
    services.delete_place(place.id, actor=member)
    assert place.deleted_at is not None and place.published is False and place.public_id == public_id
    [record] = audit_records("place.delete")
    assert record.details == {"public_id": public_id}
    with pytest.raises(NotFound):
        services.update_place(place.id, {"name": "x"}, actor=member, expected_version=None)
    with pytest.raises(NotFound):
        services.get_public_place(public_id, actor=member)
    assert place not in services.published_places()


def test_public_place_visibility(member, organisation):
    place = make_place(organisation, published=False)
    anonymous = None
    with pytest.raises(NotFound):
        services.get_public_place(place.public_id, actor=anonymous)
    assert services.get_public_place(place.public_id, actor=member) is place
    suspended = make_organisation(status="suspended")
    hidden = make_place(suspended)
    with pytest.raises(NotFound):
        services.get_public_place(hidden.public_id, actor=anonymous)


def test_moderation_is_for_coordinators(member, organisation):
    make_place(organisation, name="Visible")
    make_place(organisation, name="Masqué", published=False)
    coordinator = make_user(coordinator=True)
    assert [p.name for p in services.network_places(actor=coordinator, published=False).items] == ["Masqué"]
    assert services.network_places(actor=coordinator, organisation_id=organisation.id).total == 2
    with pytest.raises(PermissionDenied):
        services.network_places(actor=member)


def test_partner_dashboard(member, organisation):
    make_place(organisation, name="B")
    deleted = make_place(organisation, name="A")
    services.delete_place(deleted.id, actor=member)
    [entry] = services.partner_dashboard(actor=member)
    assert entry.organisation == organisation and [p.name for p in entry.places] == ["B"]
    assert entry.can_add_places and not entry.can_manage_members


def test_recently_updated_places_are_public_ones_last_updated_first(organisation):
    from datetime import datetime, timedelta
    start = datetime(2026, 3, 1, 9, 0)
    made = [make_place(organisation, name=f"Lieu {i}", updated_at=start + timedelta(days=i)) for i in range(8)]
    make_place(organisation, name="Masqué", published=False, updated_at=start + timedelta(days=30))
    make_place(organisation, name="Supprimé", published=False, deleted_at=start,
               updated_at=start + timedelta(days=31))
    make_place(make_organisation(status="suspended"), name="Suspendu", updated_at=start + timedelta(days=32))
    assert [p.name for p in services.recently_updated_places()] == [f"Lieu {i}" for i in (7, 6, 5, 4, 3, 2)]
    made[0].updated_at = start + timedelta(days=40)
    _db.session.commit()
    assert [p.name for p in services.recently_updated_places(limit=2)] == ["Lieu 0", "Lieu 7"]


def test_network_places_are_paged_searched_and_sorted(organisation):
    """Issue 18: one page at a time, by name, commune or postcode, sorted by the column asked for."""
    coordinator = make_user(coordinator=True)
    other = make_organisation("Bibliothèque Zola")
    for number in range(1, 8):
        make_place(organisation, name=f"Lieu {number:02d}", commune="Nantes", postcode="44000")
    make_place(other, name="Point d'accès", commune="Rezé", postcode="44400")
    make_place(other, name="100% numérique", commune="Orvault", postcode="44700")
    page = services.network_places(actor=coordinator, sort="nom", page=2, size=3)
    assert (page.number, page.pages, page.total, page.first, page.last) == (2, 3, 9, 4, 6)
    assert [p.name for p in page.items] == ["Lieu 03", "Lieu 04", "Lieu 05"]  # "100 % numérique" first
    assert services.network_places(actor=coordinator, sort="nom", page=99, size=3).number == 3  # past the end: the last
    assert [p.name for p in services.network_places(actor=coordinator, query="rez").items] == ["Point d'accès"]
    assert [p.name for p in services.network_places(actor=coordinator, query="44700").items] == ["100% numérique"]
    assert services.network_places(actor=coordinator, query="%").total == 1  # a wildcard is a character
    by_commune = services.network_places(actor=coordinator, sort="commune", descending=True, size=20)
    assert [p.commune for p in by_commune.items][:2] == ["Rezé", "Orvault"] and by_commune.descending
    assert services.network_places(actor=coordinator, sort="n'importe", size=20).sort == "organisation"


def test_the_places_action_bar_goes_through_set_published(organisation, member):
    coordinator = make_user(coordinator=True)
    one, two = make_place(organisation), make_place(organisation, published=False)
    gone = make_place(organisation, deleted_at=utcnow())
    assert services.change_places_publication([one.id, two.id, gone.id, 999_999], action="retirer",
                                              actor=coordinator) == 1
    assert services.change_places_publication([one.id, two.id], action="publier", actor=coordinator) == 2
    assert _db.session.scalars(select(AuditRecord.action).where(AuditRecord.action.like("place.%publish"))).all() == [
        "place.unpublish", "place.publish", "place.publish"]
    with pytest.raises(Invalid) as error:
        services.change_places_publication([], action="effacer", actor=coordinator)
    assert set(error.value.errors) == {"action", "ids"}
    with pytest.raises(PermissionDenied):
        services.change_places_publication([one.id], action="retirer", actor=member)
