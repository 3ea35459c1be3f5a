"""Scheduled jobs of this domain (run by coordination.scheduler); the functions are in services.py."""
from apscheduler.triggers.cron import CronTrigger

from coordination.jobs import Job

JOBS: list = [
    # Ended sessions and old login failures are deleted every night.
    Job(id="auth.purge_sessions", func="coordination.auth.services:purge_sessions",
        trigger=lambda tz: CronTrigger(hour=3, minute=10, timezone=tz)),
    Job(id="auth.purge_login_failures", func="coordination.auth.services:purge_login_failures",
        trigger=lambda tz: CronTrigger(hour=3, minute=15, timezone=tz)),
]
