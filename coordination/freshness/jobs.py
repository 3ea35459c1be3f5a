"""Scheduled jobs of the freshness domain (run by coordination.scheduler)."""
from apscheduler.triggers.cron import CronTrigger

from coordination.jobs import Job

JOBS: list = [
    # Places not verified for FRESHNESS_STALE_MONTHS are flagged for coordinators (cleared once verified).
    Job(id="freshness.flag_stale", func="coordination.freshness.services:flag_stale_places",
        trigger=lambda tz: CronTrigger(hour=4, minute=40, timezone=tz)),
    # Off unless FRESHNESS_UNPUBLISH_MONTHS > 0: unpublishes places not verified for that long, tells their organisation.
    Job(id="freshness.unpublish_stale", func="coordination.freshness.services:unpublish_stale",
        trigger=lambda tz: CronTrigger(hour=4, minute=50, timezone=tz)),
    # The monthly automatic campaign: at most one reminder per organisation per campaign (working days, 9:30 Paris).
    Job(id="freshness.reminders", func="coordination.freshness.services:send_freshness_reminders",
        trigger=lambda tz: CronTrigger(day_of_week="mon-fri", hour=9, minute=30, timezone=tz)),
]
