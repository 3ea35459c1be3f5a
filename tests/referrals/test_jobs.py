"""The referrals' scheduled jobs at fixed clocks: reminders (working days, weekends, idempotence),
expiry, purge of personal data; their commands and their declarations."""
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text

from coordination.audit import AuditRecord
from coordination.core.clock import is_weekend, working_days_after
from coordination.extensions import db
from coordination.referrals import deadlines, jobs, services, workflow
from coordination.referrals.models import Referral
from coordination.testing.factories import make_member, make_organisation, make_place

FIRST_NAME = "Zéphyrine"
LAST_NAME = "Quintavalle"
COMMENT = "Zéphyrine préfère être appelée le matin"
SERVICE = "Aide aux démarches administratives"
FRIDAY = datetime(2026, 1, 9, 10, 0)  # a Friday, naive UTC (11:00 in Paris)
PARIS = ZoneInfo("Europe/Paris")


class Clock:
    """services.utcnow, frozen: the timeline, answers and closures happen at ``now``."""

    def __init__(self, now):
        self.now = now


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock(FRIDAY)
    monkeypatch.setattr(services, "utcnow", lambda: frozen.now)
    return frozen


@pytest.fixture
def referral_parties(app):
    sender_org = make_organisation("Médiathèque Jacques Demy", kind="mediatheque")
    receiver_org = make_organisation("France Services Nantes Nord", kind="france_services")
    other_org = make_organisation("Centre social Malakoff", kind="centre_social")
    return {
        "sender": make_member(sender_org),
        "receivers": [make_member(receiver_org), make_member(receiver_org, role="admin")],
        "outsider": make_member(other_org),
        "place": make_place(receiver_org, name="Espace France Services Bellevue", commune="Nantes",
                            services=[SERVICE]),
        "sender_org": sender_org, "receiver_org": receiver_org,
    }


def send(referral_parties, clock, at: datetime) -> Referral:
    clock.now = at
    data = {"submission_key": secrets.token_urlsafe(18), "first_name": FIRST_NAME, "last_name": LAST_NAME,
            "phone": "06 12 34 56 78", "contact_channel": "phone", "language": "fr",
            "need": "Refaire son dossier de retraite en ligne", "service": SERVICE,
            "sender_organisation_id": referral_parties["sender_org"].id, "consent": "y", "consent_method": "oral"}
    return services.create_referral(referral_parties["place"].public_id, data, actor=referral_parties["sender"])


def messages(mail_outbox, template_key: str) -> list:
    return [m for m in mail_outbox() if m.dedupe_key and f":{template_key}" in m.dedupe_key]


def reminders(mail_outbox) -> list:
    return messages(mail_outbox, "reminder-")


# --- reminders ------------------------------------------------------------------------------

def test_a_referral_sent_on_friday_is_first_reminded_on_tuesday_at_the_same_time(referral_parties, clock, mail_outbox):
    referral = send(referral_parties, clock, FRIDAY)
    tuesday = datetime(2026, 1, 13, 10, 0)
    assert referral.next_reminder_at == tuesday

    for moment in (FRIDAY + timedelta(minutes=15), datetime(2026, 1, 10, 10, 0), datetime(2026, 1, 11, 23, 0),
                   datetime(2026, 1, 12, 10, 0), tuesday - timedelta(minutes=1)):
        assert deadlines.send_reminders(now=moment) == 0, moment
    assert reminders(mail_outbox) == []

    assert deadlines.send_reminders(now=tuesday) == 1
    sent = reminders(mail_outbox)
    assert sorted(m.recipient for m in sent) == sorted(u.email for u in referral_parties["receivers"])
    assert {m.subject for m in sent} == {"Une orientation attend votre réponse"}
    referral = db.session.get(Referral, referral.id)
    assert referral.reminders_sent == 1
    assert referral.next_reminder_at == datetime(2026, 1, 20, 10, 0)  # five working days after Tuesday


def test_running_the_reminder_job_twice_sends_one_reminder(referral_parties, clock, mail_outbox):
    referral = send(referral_parties, clock, FRIDAY)
    due = referral.next_reminder_at
    assert deadlines.send_reminders(now=due) == 1
    assert deadlines.send_reminders(now=due) == 0
    assert deadlines.send_reminders(now=due + timedelta(minutes=15)) == 0
    assert len(reminders(mail_outbox)) == len(referral_parties["receivers"])
    assert referral.reminders_sent == 1


def test_reminders_repeat_every_five_working_days_until_the_referral_expires(referral_parties, clock, mail_outbox):
    referral = send(referral_parties, clock, FRIDAY)  # expires two weeks later, Friday 23 January 10:00
    for day in range(0, 16):
        for hour in range(0, 24, 2):
            deadlines.send_reminders(now=FRIDAY + timedelta(days=day, hours=hour))
    keys = sorted({m.dedupe_key.split(":")[2] for m in reminders(mail_outbox)})
    # Tuesday 13 and Tuesday 20; the next one (Tuesday 27) is after the expiry
    assert keys == ["reminder-1", "reminder-2"]
    assert referral.reminders_sent == 2
    assert referral.next_reminder_at == datetime(2026, 1, 27, 10, 0)


def test_a_reminder_due_on_friday_evening_missed_before_the_weekend_goes_out_on_monday(referral_parties, clock, mail_outbox):
    referral = send(referral_parties, clock, datetime(2026, 1, 14, 21, 30))  # Wednesday, 22:30 in Paris
    assert referral.next_reminder_at == datetime(2026, 1, 16, 21, 30)  # Friday, 22:30 in Paris
    # The scheduler was stopped on Friday evening; it runs again during the weekend.
    saturday_paris = datetime(2026, 1, 16, 23, 5)  # Saturday 00:05 in Paris
    for moment in (saturday_paris, datetime(2026, 1, 17, 12, 0), datetime(2026, 1, 18, 22, 59)):
        assert deadlines.send_reminders(now=moment) == 0, moment
    assert reminders(mail_outbox) == []
    monday_paris = datetime(2026, 1, 18, 23, 0)  # Monday 00:00 in Paris, still Sunday in UTC
    assert deadlines.send_reminders(now=monday_paris) == 1
    assert len(reminders(mail_outbox)) == len(referral_parties["receivers"])
    # one reminder only, and the next one five working days after that Monday, same Paris time
    assert referral.reminders_sent == 1
    assert referral.next_reminder_at == datetime(2026, 1, 25, 23, 0)  # Monday 26 January, 00:00 in Paris


def test_a_reminder_due_on_friday_evening_is_sent_on_friday_evening(referral_parties, clock, mail_outbox):
    referral = send(referral_parties, clock, datetime(2026, 1, 14, 21, 30))
    assert deadlines.send_reminders(now=datetime(2026, 1, 16, 21, 30)) == 1  # Friday 22:30 in Paris
    assert referral.next_reminder_at == datetime(2026, 1, 23, 21, 30)


def test_working_days_keep_the_paris_time_of_day_across_summer_time():
    # Friday 27 March 2026 10:00 in Paris (UTC+1); Monday 30 March is in summer time (UTC+2)
    assert working_days_after(datetime(2026, 3, 27, 9, 0), 1) == datetime(2026, 3, 30, 8, 0)
    assert working_days_after(datetime(2026, 1, 9, 10, 0), 5) == datetime(2026, 1, 16, 10, 0)
    assert is_weekend(datetime(2026, 1, 9, 23, 30))  # Saturday 00:30 in Paris
    assert not is_weekend(datetime(2026, 1, 11, 23, 30))  # Monday 00:30 in Paris


def test_reminders_carry_no_personal_data_and_reach_only_the_receiving_organisation(referral_parties, clock, mail_outbox):
    referral = send(referral_parties, clock, FRIDAY)
    deadlines.send_reminders(now=referral.next_reminder_at)
    sent = reminders(mail_outbox)
    assert sent
    for message in sent:
        assert message.recipient not in (referral_parties["sender"].email, referral_parties["outsider"].email)
        body = message.body_text + (message.body_html or "")
        assert FIRST_NAME not in body and LAST_NAME not in body and "retraite" not in body
        assert SERVICE in body and "Espace France Services Bellevue" in body
        assert f"/orientations/{referral.uid}" in body
        assert "Rappel n° 1" in body


def test_answered_or_cancelled_referrals_are_not_reminded(referral_parties, clock, mail_outbox):
    accepted = send(referral_parties, clock, FRIDAY)
    cancelled = send(referral_parties, clock, FRIDAY)
    clock.now = FRIDAY + timedelta(hours=1)
    services.accept_referral(accepted.uid, actor=referral_parties["receivers"][0])
    services.cancel_referral(cancelled.uid, actor=referral_parties["sender"])
    assert deadlines.send_reminders(now=datetime(2026, 1, 13, 12, 0)) == 0
    assert reminders(mail_outbox) == []


# --- expiry ---------------------------------------------------------------------------------

def test_a_referral_without_answer_expires_and_the_sender_is_told(referral_parties, clock, mail_outbox):
    referral = send(referral_parties, clock, FRIDAY)
    expiry = FRIDAY + timedelta(days=14)
    assert referral.expires_at == expiry
    assert deadlines.expire_referrals(now=expiry - timedelta(minutes=1)) == 0
    assert referral.status == workflow.SENT

    clock.now = expiry + timedelta(seconds=42)  # the machine's clock, a little later than the job's
    assert deadlines.expire_referrals(now=expiry) == 1
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert referral.status == workflow.EXPIRED
    assert referral.closed_at == expiry
    assert referral.next_reminder_at is None
    assert referral.answered_at is None
    step = referral.steps[-1]
    assert (step.kind, step.from_status, step.actor_id, step.at) == (workflow.EXPIRED, workflow.SENT, None, expiry)
    assert db.session.query(AuditRecord).filter_by(action="referral.expired",
                                                          object_id=str(referral.id)).count() == 1

    notices = messages(mail_outbox, "expired")
    assert [m.recipient for m in notices] == [referral_parties["sender"].email]
    body = notices[0].body_text
    assert FIRST_NAME not in body and LAST_NAME not in body and "retraite" not in body
    assert SERVICE in body and "Espace France Services Bellevue" in body and referral.uid in body


def test_expiry_is_idempotent_and_leaves_answered_referrals_alone(referral_parties, clock, mail_outbox):
    waiting = send(referral_parties, clock, FRIDAY)
    accepted = send(referral_parties, clock, FRIDAY)
    clock.now = FRIDAY + timedelta(days=1)
    services.accept_referral(accepted.uid, actor=referral_parties["receivers"][0])
    later = FRIDAY + timedelta(days=30)
    assert deadlines.expire_referrals(now=later) == 1
    assert deadlines.expire_referrals(now=later) == 0
    assert deadlines.expire_referrals(now=later + timedelta(minutes=15)) == 0
    assert len(messages(mail_outbox, "expired")) == 1
    assert (waiting.status, accepted.status) == (workflow.EXPIRED, workflow.ACCEPTED)
    assert [e.kind for e in waiting.steps] == [workflow.SENT, workflow.EXPIRED]


def test_an_expired_referral_is_not_reminded(referral_parties, clock, mail_outbox):
    referral = send(referral_parties, clock, FRIDAY)
    # The scheduler was down for three weeks: expiry and reminder are both due.
    later = FRIDAY + timedelta(days=21)
    assert deadlines.send_reminders(now=later) == 0  # about to expire: no reminder
    assert deadlines.expire_referrals(now=later) == 1
    assert deadlines.send_reminders(now=later) == 0
    assert reminders(mail_outbox) == []
    assert referral.status == workflow.EXPIRED


# --- purge ----------------------------------------------------------------------------------

def raw_row(referral_id: int):
    return db.session.execute(
        text("SELECT personal_data, status, service, outcome, closed_at, purged_at FROM referrals WHERE id = :id"),
        {"id": referral_id}).one()


def raw_comments(referral_id: int) -> list:
    return list(db.session.execute(
        text("SELECT comment FROM referral_steps WHERE referral_id = :id ORDER BY id"), {"id": referral_id}).scalars())


def test_the_purge_erases_exactly_the_referrals_closed_for_the_retention_period(referral_parties, clock, mail_outbox):
    now = datetime(2026, 6, 1, 3, 40)
    receiver = referral_parties["receivers"][0]

    def closed(days_ago: float, how: str) -> Referral:
        referral = send(referral_parties, clock, now - timedelta(days=days_ago + 2))
        clock.now = now - timedelta(days=days_ago)
        if how == "declined":
            services.decline_referral(referral.uid, actor=receiver, reason="full", comment=COMMENT)
        else:
            services.accept_referral(referral.uid, actor=receiver, comment=COMMENT)
            services.record_outcome(referral.uid, workflow.COMPLETED, actor=receiver, comment="Dossier envoyé")
        return referral

    long_ago = closed(200, "completed")
    exactly = closed(90, "declined")
    not_yet = closed(89, "completed")
    almost = closed(90 - 1 / 24, "declined")  # 89 days and 23 hours
    open_old = send(referral_parties, clock, now - timedelta(days=300))
    clock.now = now - timedelta(days=299)
    services.accept_referral(open_old.uid, actor=receiver, comment=COMMENT)  # accepted, never closed
    waiting_old = send(referral_parties, clock, now - timedelta(days=300))  # never expired (scheduler down)

    assert deadlines.purge_personal_data(now=now) == 2
    db.session.expire_all()
    for referral in (long_ago, exactly):
        row = raw_row(referral.id)
        assert row.personal_data is None
        assert row.purged_at is not None
        assert all(comment is None for comment in raw_comments(referral.id))
        assert row.service == SERVICE and row.closed_at is not None and row.status in ("completed", "declined")
    assert raw_row(long_ago.id).outcome == "completed"
    fresh = db.session.get(Referral, long_ago.id)
    assert [e.kind for e in fresh.steps] == ["sent", "accepted", "completed"]  # the timeline stays
    assert services.personal_data(fresh, actor=referral_parties["sender"]) is None

    for referral in (not_yet, almost, open_old, waiting_old):
        row = raw_row(referral.id)
        assert row.personal_data is not None and row.purged_at is None, referral.status
        kept = db.session.get(Referral, referral.id)
        assert services.personal_data(kept, actor=referral_parties["sender"])["first_name"] == FIRST_NAME
    assert COMMENT in services.comments(db.session.get(Referral, open_old.id),
                                        actor=referral_parties["sender"]).values()

    # idempotent: nothing more today; the next ones when their day comes
    assert deadlines.purge_personal_data(now=now) == 0
    assert deadlines.purge_personal_data(now=now + timedelta(hours=1)) == 1  # "almost" reached 90 days
    assert deadlines.purge_personal_data(now=now + timedelta(days=1)) == 1  # "not_yet"
    assert deadlines.purge_personal_data(now=now + timedelta(days=1)) == 0


def test_the_purge_keeps_the_date_of_a_withdrawal(referral_parties, clock, mail_outbox):
    referral = send(referral_parties, clock, FRIDAY)
    clock.now = FRIDAY + timedelta(hours=3)
    services.withdraw_consent(referral.uid, actor=referral_parties["sender"])
    assert referral.purged_at == FRIDAY + timedelta(hours=3)
    assert deadlines.purge_personal_data(now=FRIDAY + timedelta(days=365)) == 0
    assert db.session.get(Referral, referral.id).purged_at == FRIDAY + timedelta(hours=3)


def test_the_retention_period_is_a_setting(app, referral_parties, clock, monkeypatch):
    referral = send(referral_parties, clock, FRIDAY)
    clock.now = FRIDAY + timedelta(hours=1)
    services.cancel_referral(referral.uid, actor=referral_parties["sender"])
    monkeypatch.setitem(app.config, "REFERRAL_RETENTION_DAYS", 7)
    assert deadlines.purge_personal_data(now=FRIDAY + timedelta(days=6)) == 0
    assert deadlines.purge_personal_data(now=FRIDAY + timedelta(days=7, hours=1)) == 1


# --- commands and declarations --------------------------------------------------------------

def test_the_commands_run_each_job_once(referral_parties, clock, runner, mail_outbox):
    long_ago = datetime(2020, 1, 6, 10, 0)
    waiting = send(referral_parties, clock, long_ago)
    closed = send(referral_parties, clock, long_ago)
    clock.now = long_ago + timedelta(hours=1)
    services.cancel_referral(closed.uid, actor=referral_parties["sender"])

    result = runner.invoke(args=["referrals", "remind"])
    assert result.exit_code == 0, result.output
    # the referral is long past its expiry: no reminder, whatever day the test runs
    assert result.output.strip() == "Rappels envoyés pour 0 orientation."

    result = runner.invoke(args=["referrals", "expire"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 orientation expirée."
    assert db.session.get(Referral, waiting.id).status == workflow.EXPIRED

    result = runner.invoke(args=["referrals", "purge"])
    assert result.exit_code == 0, result.output
    # the cancelled one is old enough; the one expired just now is not
    assert result.output.strip() == "Données personnelles effacées pour 1 orientation."
    assert raw_row(closed.id).personal_data is None and raw_row(waiting.id).personal_data is not None

    assert runner.invoke(args=["referrals", "expire"]).output.strip() == "0 orientation expirée."


def test_the_jobs_are_declared_with_their_schedule_in_paris_time(app):
    from coordination.scheduler import declared_jobs

    by_id = {job.id: job for job in jobs.JOBS}
    assert set(by_id) == {"referrals.expire", "referrals.remind", "referrals.close_unfinished", "referrals.purge"}
    assert {job.id for job in declared_jobs(app)} >= set(by_id)
    for job in by_id.values():
        module, _, name = job.func.partition(":")
        assert module == "coordination.referrals.deadlines" and callable(getattr(deadlines, name))
    for job_id in ("referrals.expire", "referrals.remind"):
        trigger = by_id[job_id].trigger(PARIS)
        assert isinstance(trigger, IntervalTrigger) and trigger.interval == timedelta(minutes=15)
        assert trigger.timezone == PARIS
    purge = by_id["referrals.purge"].trigger(PARIS)
    assert isinstance(purge, CronTrigger) and purge.timezone == PARIS
    after = datetime(2026, 3, 28, 12, 0, tzinfo=PARIS)  # the night of the change to summer time
    fire = purge.get_next_fire_time(None, after)
    assert (fire.date().isoformat(), fire.hour, fire.minute) == ("2026-03-29", 3, 40)
    assert fire.utcoffset() == timedelta(hours=2)
