"""Scheduled jobs of the referrals (run by coordination.scheduler); the work is in deadlines.py."""
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from coordination.jobs import Job


def _every_15_minutes(tz):
    return IntervalTrigger(minutes=15, timezone=tz)


JOBS: list = [
    # Referrals still waiting at their expiry date become "expired"; the sender is told.
    Job(id="referrals.expire", func="coordination.referrals.deadlines:expire_referrals", trigger=_every_15_minutes),
    # The receiving organisation is reminded of a waiting referral (working days only, Paris time).
    Job(id="referrals.remind", func="coordination.referrals.deadlines:send_reminders", trigger=_every_15_minutes),
    # Accepted referrals with no outcome after REFERRAL_OUTCOME_DAYS are closed, every night.
    Job(id="referrals.close_unfinished", func="coordination.referrals.deadlines:close_unfinished",
        trigger=lambda tz: CronTrigger(hour=3, minute=30, timezone=tz)),
    # Personal data erased REFERRAL_RETENTION_DAYS after closure, every night.
    Job(id="referrals.purge", func="coordination.referrals.deadlines:purge_personal_data",
        trigger=lambda tz: CronTrigger(hour=3, minute=40, timezone=tz)),
]
