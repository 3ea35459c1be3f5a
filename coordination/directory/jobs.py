"""Scheduled jobs of this domain (run by coordination.scheduler)."""
from apscheduler.triggers.cron import CronTrigger
from flask import current_app, has_app_context

from coordination.jobs import Job


def _every_queue_interval(tz):
    from apscheduler.triggers.interval import IntervalTrigger
    seconds = current_app.config["SEARCH_QUEUE_INTERVAL"] if has_app_context() else 5
    return IntervalTrigger(seconds=seconds, timezone=tz)


def _every_minute(tz):
    from apscheduler.triggers.interval import IntervalTrigger
    return IntervalTrigger(minutes=1, timezone=tz)


JOBS: list = [
    # The only writer of the search index: applies the queue of changed places (and builds the
    # index when it is missing), every SEARCH_QUEUE_INTERVAL seconds.
    Job(id="search.apply_queue", func="coordination.directory.search:apply_queue", trigger=_every_queue_interval),
    # Places saved without coordinates (or with a new address) wait for the geocoder: every minute,
    # with backoff per place (geocoding.geocode_pending_places).
    Job(id="geocoding.pending_places", func="coordination.directory.geocoding:geocode_pending_places",
        trigger=_every_minute),
    # Cached geocoder answers (addresses typed by residents among them) are forgotten after 30 days.
    Job(id="geocoding.purge_cache", func="coordination.directory.geocoding:purge_cache",
        trigger=lambda tz: CronTrigger(hour=3, minute=20, timezone=tz)),
    # The search log is kept SEARCH_LOG_RETENTION_DAYS (395: a year and a month of comparison), then purged.
    Job(id="search.purge_log", func="coordination.directory.services:purge_search_log",
        trigger=lambda tz: CronTrigger(hour=3, minute=25, timezone=tz)),
]
