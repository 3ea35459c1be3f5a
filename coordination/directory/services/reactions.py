"""Reactions to other domains: places they changed, organisations they decided (blinker signals)."""
from sqlalchemy import select, update

from coordination import signals
from coordination.core.clock import utcnow
from coordination.directory import search
from coordination.directory.models import Place
from coordination.directory.services import writes
from coordination.extensions import db


def queue_places_for_search(place_ids) -> None:
    """Places another domain changed (freshness verifies or unpublishes them), after its commit:
    the search index picks them up from the queue."""
    search.queue_place_ids(place_ids)


def requeue_organisation_places(organisation_id: int, **_) -> None:
    """An organisation accepted, suspended or reactivated: its places enter or leave the search index
    and the open-data change feed."""
    requeue_organisations_places([organisation_id])


def requeue_organisations_places(organisation_ids: list[int], **_) -> None:
    """Organisations decided (one, or many together): their places, in one statement per thousand
    organisations and one commit."""
    place_ids: list[int] = []
    for start in range(0, len(organisation_ids), 1000):  # bounded IN lists
        batch = organisation_ids[start:start + 1000]
        place_ids += db.session.scalars(select(Place.id).where(Place.organisation_id.in_(batch))).all()
        db.session.execute(update(Place.__table__).where(Place.__table__.c.organisation_id.in_(batch))
                           .values(changed_at=utcnow()))
    writes.commit(place_ids)


def connect_signals() -> None:
    signals.organisation_status_changed.connect(requeue_organisation_places)
    signals.organisations_status_changed.connect(requeue_organisations_places)
