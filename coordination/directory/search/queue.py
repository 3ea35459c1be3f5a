"""The reindex queue (``SearchIndexQueue``) and the database side of the index: places queued after
their commit, the scheduler's job that applies the queue, and the full reindex from the database."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from sqlalchemy import Integer, cast, delete, func, insert, select
from sqlalchemy.orm import contains_eager, selectinload

from coordination.auth.models import Organisation
from coordination.directory.models import Place, SearchIndexQueue
from coordination.directory.search import storage
from coordination.directory.search.grid import CELL_DEGREES
from coordination.extensions import db

log = logging.getLogger(__name__)

# --- the queue and the single writer ------------------------------------------------------
# Web requests (and jobs) put the ids of changed places in the queue table after their commit;
# the scheduler applies the queue every SEARCH_QUEUE_INTERVAL seconds: the only index writer.

QUEUE_BATCH = 1000


def queue_place_ids(place_ids: Iterable[int]) -> None:
    """Asks for these places' documents to be rewritten. Call it after the commit of the change,
    in its own small transaction; a failure here is logged, never raised (the change is saved,
    and the next full reindex catches up)."""
    ids = sorted({int(i) for i in place_ids if i is not None})
    if not ids:
        return
    try:
        # Multi-row INSERTs of a few thousand: an import queues tens of thousands of places at once.
        for start in range(0, len(ids), 5000):
            db.session.execute(insert(SearchIndexQueue), [{"place_id": i} for i in ids[start:start + 5000]])
        db.session.commit()
    except Exception:
        log.exception("search queue: could not queue places %s", ids[:20])
        db.session.rollback()


def _public_places():
    return (select(Place).join(Place.organisation)
            .where(Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active")
            .options(contains_eager(Place.organisation)))


def public_place_count() -> int:
    return db.session.scalar(select(func.count(Place.id)).join(Place.organisation).where(
        Place.published.is_(True), Place.deleted_at.is_(None), Organisation.status == "active"))


def reindex(*, progress: Callable[[int], None] | None = None, processes: int = 1) -> int:
    """Rebuilds the whole index from the database and swaps it in; returns the documents written.
    ``progress`` is called with 1 after each place (a click progress bar's ``update``);
    ``processes``: see ``rebuild``. Raises
    IndexBusy, having rebuilt nothing, when another rebuild runs or the live index stays locked."""
    # Documents in geographic order (bands of 0.1° of latitude, then longitude): the places near a
    # point get neighbouring document numbers, so the text matcher skips whole posting blocks
    # between the few runs of candidates instead of decoding them all.
    band = cast(Place.latitude * (1 / CELL_DEGREES), Integer)
    with storage.rebuild_lock() as lock:
        # Read under the live index's write lock: no queued edit can be written to the old index
        # between this SELECT and the swap (it would be lost with the old index).
        places = db.session.scalars(_public_places().order_by(Place.latitude.is_(None), band, Place.longitude,
                                                              Place.id).execution_options(yield_per=1000))
        try:
            return storage.rebuild(places, lock=lock, progress=progress, processes=processes)
        finally:
            places.close()  # a rebuild failing mid-way must not leave a server-side cursor open
            db.session.rollback()  # end the read transaction; nothing was written


def _rebuild_for_the_queue(reason: str) -> bool:
    log.warning("search index %s: rebuilding it", reason)
    try:
        reindex()
    except storage.IndexBusy as error:
        log.warning("search index not rebuilt (%s): the next run tries again", error)
        return False
    return True


def apply_queue(limit: int = QUEUE_BATCH) -> int:
    """Scheduler job: applies the queued changes to the index (building the index first when it is
    missing or unreadable, or when writing to it fails). Returns the number of places applied."""
    if not storage.index_exists() and not _rebuild_for_the_queue("missing or unreadable"):
        return 0
    rows = db.session.execute(select(SearchIndexQueue.id, SearchIndexQueue.place_id)
                              .order_by(SearchIndexQueue.id).limit(limit)).all()
    if not rows:
        return 0
    ids = {place_id for _row_id, place_id in rows}
    places = db.session.scalars(select(Place).where(Place.id.in_(ids))
                                .options(selectinload(Place.organisation))).all()
    public = [place for place in places if place.is_public]
    removed = ids - {place.id for place in public}
    try:
        applied = storage.apply_changes(public, removed)
    except Exception:  # a damaged segment (the table of contents reads fine): rebuild, or fail every run
        log.exception("search index: applying the queue failed")
        db.session.rollback()
        _rebuild_for_the_queue("damaged")
        return 0  # the queue is applied to the new index at the next run
    if not applied:
        db.session.rollback()
        log.info("search index busy or swapped: %s queued places wait for the next run", len(ids))
        return 0
    db.session.execute(delete(SearchIndexQueue).where(SearchIndexQueue.id.in_([row_id for row_id, _ in rows])))
    db.session.commit()
    return len(ids)
