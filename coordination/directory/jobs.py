"""Scheduled jobs of this domain (run by coordination.scheduler)."""
from coordination.jobs import Job


def _every_minute(tz):
    from apscheduler.triggers.interval import IntervalTrigger
    return IntervalTrigger(minutes=1, timezone=tz)


JOBS: list = [
    # Places saved without coordinates (or with a new address) wait for the geocoder: every minute,
    # with backoff per place (geocoding.geocode_pending_places).
    Job(id="geocoding.pending_places", func="coordination.directory.geocoding:geocode_pending_places",
        trigger=_every_minute),
]
