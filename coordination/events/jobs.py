"""Scheduled jobs of the network meetings (run by coordination.scheduler); the work is in services.py."""
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from coordination.jobs import Job


def _every_15_minutes(tz):
    return IntervalTrigger(minutes=15, timezone=tz)


JOBS: list = [
    # The next occurrences of every series kept as meetings, every hour (and at once when a series
    # is created).
    Job(id="events.materialise", func="coordination.events.services:materialise_occurrences",
        trigger=lambda tz: CronTrigger(minute=5, timezone=tz)),
    # Invitations once a meeting's invitation date has come; members who joined since, at the next run.
    Job(id="events.invitations", func="coordination.events.services:send_invitations",
        trigger=_every_15_minutes),
    # Reminders MEETING_REMINDER_DAYS days before (from 9:00, Paris time), and the coordinators' list.
    Job(id="events.reminders", func="coordination.events.services:send_reminders", trigger=_every_15_minutes),
]
