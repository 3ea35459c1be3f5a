"""Places enter and leave the search index with their organisation's status."""
from coordination.auth import services as auth_services
from coordination.directory.models import SearchIndexQueue
from coordination.testing.factories import make_organisation, make_place, make_user


def queued_ids(db):
    return sorted(row.place_id for row in db.session.query(SearchIndexQueue))


def test_suspending_and_reactivating_an_organisation_requeues_its_places(db):
    coordinator = make_user(coordinator=True)
    organisation = make_organisation()
    other = make_organisation()
    places = [make_place(organisation), make_place(organisation)]
    make_place(other)
    db.session.query(SearchIndexQueue).delete()
    db.session.commit()

    auth_services.suspend_organisation(organisation.id, reason="Fiches obsolètes", actor=coordinator)
    assert queued_ids(db) == sorted(p.id for p in places)

    db.session.query(SearchIndexQueue).delete()
    db.session.commit()
    auth_services.reactivate_organisation(organisation.id, reason="Fiches à jour", actor=coordinator)
    assert queued_ids(db) == sorted(p.id for p in places)
