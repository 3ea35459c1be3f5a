"""Scheduled jobs of the open data (run by coordination.scheduler)."""
from apscheduler.triggers.cron import CronTrigger
from flask import current_app, has_app_context

from coordination.jobs import Job


def _nightly(tz):
    """Every night at OPEN_DATA_EXPORT_HOUR, in the scheduler's timezone (Europe/Paris)."""
    hour = current_app.config["OPEN_DATA_EXPORT_HOUR"] if has_app_context() else 2
    return CronTrigger(hour=hour, minute=0, timezone=tz)


JOBS: list = [
    # Regenerates every open-data file (standard CSV/JSON, GeoJSON, data·inclusion, data package,
    # manifest); a run that fails leaves the previous files in place.
    Job(id="opendata.publish", func="export.publish:publish_all", trigger=_nightly),
]
