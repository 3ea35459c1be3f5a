"""What happens when a referral's time runs out: expiry, reminders, closing without outcome, purge.

Each function is one use case owning its transactions, run by the scheduler (jobs.py) and by
`flask referrals …` (cli.py). Each is idempotent: running it twice, or two runs at the same time,
does the work once. They work in batches committed one by one, so a long backlog never holds a
long transaction, and a run that stops halfway is finished by the next one.

``now`` is naive UTC, as stored; tests pass fixed clocks.

Working days and weekends. A reminder is due ``REFERRAL_REMINDER_FIRST_WORKING_DAYS`` working days
(Monday to Friday) after the referral was sent (set by ``services.create_referral``), then every
``REFERRAL_REMINDER_EVERY_WORKING_DAYS`` working days after the previous reminder, at the same time
of day, counted on the Europe/Paris calendar (the network's time). Nothing is sent on a Saturday or
a Sunday, Paris time. A reminder that falls due on a weekend — or that was due on Friday evening
while the scheduler was stopped — waits, and goes out at the first run on Monday (from Monday 00:00,
Paris time): one reminder, however many were missed, and the next one is counted from that Monday.
"""
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from coordination import audit
from coordination.core.clock import is_weekend, utcnow, working_days_after
from coordination.extensions import db
from coordination.referrals import services, workflow
from coordination.referrals.models import Referral, ReferralStep

log = logging.getLogger(__name__)

BATCH_SIZE = 200


def _in_batches(job: str, act: Callable[[Referral], None], *conditions, options=(), done: str) -> int:
    """Applies ``act`` to every referral matching ``conditions`` (which ``act`` must make false),
    in batches committed one by one; logs ``done`` with the count. Returns how many were handled."""
    count = 0
    while batch := _locked_batch(*conditions, options=options):
        for referral in batch:
            act(referral)
        if not _commit_batch(job):
            break
        count += len(batch)
    if count:
        log.info(done, count)
    return count


def _commit_batch(job: str) -> bool:
    """Commits a batch; False when a person acted on one of its referrals meanwhile (the version
    check refused the write): the batch is dropped and the next run takes it again."""
    try:
        db.session.commit()
        return True
    except StaleDataError:
        db.session.rollback()
        log.info("%s: a referral changed while the job ran; the next run takes the batch again", job)
        return False


def _locked_batch(*conditions, options=()) -> list[Referral]:
    """Up to BATCH_SIZE referrals matching ``conditions``, locked for this transaction on
    PostgreSQL (rows another run holds are skipped: that run handles them). SQLite has one writer
    at a time and ignores the lock clause."""
    return list(db.session.scalars(
        select(Referral).where(*conditions).order_by(Referral.id).limit(BATCH_SIZE)
        .options(*options).with_for_update(skip_locked=True, of=Referral)))


# --- expiry ---------------------------------------------------------------------------------

def expire_referrals(now: datetime | None = None) -> int:
    """Referrals still waiting for an answer at their expiry date become "expired"; the sending
    organisation is told. Returns how many expired."""
    now = now or utcnow()
    return _in_batches("expiry", lambda referral: _expire(referral, now),
                       Referral.status == workflow.SENT, Referral.expires_at <= now,
                       done="%d referral(s) expired")


def _expire(referral: Referral, now: datetime) -> None:
    services._move(referral, workflow.EXPIRED, actor=None, side="system", now=now)
    audit.record(None, "referral.expired", "referral", referral.id)
    services._notify(referral, "sender", "referrals/mail/expired", "Une orientation est restée sans réponse",
                     key=workflow.EXPIRED)


# --- reminders ------------------------------------------------------------------------------

def send_reminders(now: datetime | None = None) -> int:
    """One reminder to each member of the receiving organisation of every referral still waiting
    whose reminder is due; nothing on weekends (see the module's docstring). Returns how many
    referrals were reminded."""
    now = now or utcnow()
    if is_weekend(now):
        return 0
    every = current_app.config["REFERRAL_REMINDER_EVERY_WORKING_DAYS"]

    def remind(referral: Referral) -> None:
        referral.reminders_sent += 1
        services._notify(referral, "receiver", "referrals/mail/reminder", _("Une orientation attend votre réponse"),
                         key=f"reminder-{referral.reminders_sent}", reminder_number=referral.reminders_sent,
                         waiting_days=(now - referral.created_at).days)
        referral.next_reminder_at = working_days_after(now, every)

    return _in_batches("reminders", remind, Referral.status == workflow.SENT, Referral.next_reminder_at <= now,
                       # about to expire: the expiry notice follows, not a reminder
                       Referral.expires_at > now, done="reminders sent for %d referral(s)")


# --- purge ----------------------------------------------------------------------------------

def purge_personal_data(now: datetime | None = None) -> int:
    """Erases the person's details and the comments of referrals closed REFERRAL_RETENTION_DAYS
    days ago or more; the anonymous fields (service, organisations, dates, outcome) stay.
    Returns how many referrals were purged."""
    now = now or utcnow()
    limit = now - timedelta(days=current_app.config["REFERRAL_RETENTION_DAYS"])

    def purge(referral: Referral) -> None:
        services._erase_personal_data(referral, now)
        audit.record(None, "referral.purged", "referral", referral.id)

    count = _in_batches("purge", purge, Referral.closed_at.is_not(None), Referral.closed_at <= limit,
                        Referral.purged_at.is_(None), options=[selectinload(Referral.steps)],
                        done="personal data of %d referral(s) erased")
    # Belt and braces: no comment survives on a referral already erased, however it got there.
    purged = select(Referral.id).where(Referral.purged_at.is_not(None))
    db.session.execute(update(ReferralStep).where(ReferralStep.comment.is_not(None),
                                                  ReferralStep.referral_id.in_(purged)).values(comment=None))
    db.session.commit()
    return count


# --- accepted referrals whose outcome was never recorded -------------------------------------

def close_unfinished(now: datetime | None = None) -> int:
    """Accepted referrals with no outcome REFERRAL_OUTCOME_DAYS days after acceptance are closed by
    the platform (both organisations are told), so that the person's data reaches the end of its
    retention instead of staying for ever. Returns how many were closed."""
    now = now or utcnow()
    limit = now - timedelta(days=current_app.config["REFERRAL_OUTCOME_DAYS"])
    return _in_batches("closure", lambda referral: _close_without_outcome(referral, now),
                       Referral.status == workflow.ACCEPTED, Referral.answered_at <= limit,
                       done="%d accepted referral(s) without outcome closed")


def _close_without_outcome(referral: Referral, now: datetime) -> None:
    services._move(referral, workflow.CLOSED, actor=None, side="system", reason="auto", now=now)
    referral.outcome = workflow.CLOSED
    audit.record(None, "referral.closed", "referral", referral.id, reason="auto")
    for side in ("sender", "receiver"):
        services._notify(referral, side, "referrals/mail/closed", _("Une orientation a été close faute d'issue"),
                         key="auto-closed", automatic=True)
