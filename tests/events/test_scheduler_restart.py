"""The real scheduler (coordination.scheduler's BlockingScheduler, its SQLAlchemy job store and
run_job entry point), started, stopped and started again twice, sends each invitation once."""
import threading
from datetime import datetime

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from coordination import scheduler
from coordination.events import jobs as event_jobs
from coordination.events import services
from coordination.jobs import Job
from coordination.testing.factories import make_member, make_organisation, make_user
from tests.events import MARCH_MEETING_UTC, quarterly_data, set_clock

INVITATION_DAY = datetime(2026, 2, 8, 13, 0)  # 30 days before the meeting of 10 March 2026
RUNS_PER_START = 3


@pytest.fixture
def short_interval_jobs(monkeypatch):
    """The declared invitation job, on a 0.2-second interval; the other domains' jobs left out
    (the outbox's own jobs stay: they are part of every scheduler)."""
    [declared] = [job for job in event_jobs.JOBS if job.id == "events.invitations"]
    monkeypatch.setattr(event_jobs, "JOBS", [
        Job(id=declared.id, func=declared.func, trigger=lambda tz: IntervalTrigger(seconds=0.2, timezone=tz))])
    monkeypatch.setattr(scheduler, "DOMAIN_JOB_MODULES", ("coordination.events.jobs",))


def _run_once(app, store_url: str, monkeypatch) -> list:
    """Builds the real scheduler on a persistent job store, runs it in a thread until the
    invitation job ran RUNS_PER_START times, and stops it. Returns the job events."""
    with monkeypatch.context() as patch:
        patch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", store_url)  # the job store's database only
        built = scheduler.build_scheduler(app, BlockingScheduler)
    assert isinstance(built, BlockingScheduler)
    events, done = [], threading.Event()

    def listener(event):
        if event.job_id == "events.invitations":
            events.append(event)
            if len(events) >= RUNS_PER_START or event.exception:
                done.set()

    built.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    thread = threading.Thread(target=built.start, name="scheduler-under-test", daemon=True)
    thread.start()
    try:
        assert done.wait(timeout=20), "the invitation job did not run"
    finally:
        built.shutdown(wait=True)
        thread.join(timeout=10)
        built._lookup_jobstore("default").engine.dispose()
    assert not thread.is_alive()
    assert [e.exception for e in events if e.exception] == []
    return events


def test_the_real_scheduler_restarted_twice_sends_each_invitation_once(app, db, mail_outbox, monkeypatch,
                                                                       tmp_path, short_interval_jobs):
    set_clock(monkeypatch, datetime(2026, 2, 1, 9, 0))
    services.create_series(quarterly_data(), actor=make_user(coordinator=True))
    alpha, beta = make_organisation("Alpha"), make_organisation("Beta")
    people = [make_member(alpha), make_member(alpha), make_member(beta)]
    beta_id = beta.id
    make_member(make_organisation("En attente", status="pending"))
    emails = [person.email for person in people]
    set_clock(monkeypatch, INVITATION_DAY)  # the clock the jobs read, in the scheduler's threads too
    store = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    db.session.remove()  # the scheduler's threads use their own sessions meanwhile

    _run_once(app, store, monkeypatch)
    first = [(m.recipient, m.dedupe_key) for m in mail_outbox()]
    assert sorted(r for r, _ in first) == sorted(emails)
    db.session.remove()

    _run_once(app, store, monkeypatch)  # restarted: the job store gives the same job back
    assert [(m.recipient, m.dedupe_key) for m in mail_outbox()] == first

    late = make_member(db.session.get(type(beta), beta_id))  # joins between two restarts: invited at the next run
    late_id, late_email = late.id, late.email
    db.session.remove()
    _run_once(app, store, monkeypatch)

    messages = mail_outbox()
    recipients = [m.recipient for m in messages]
    assert sorted(recipients) == sorted([*emails, late_email])
    assert len(set(recipients)) == len(recipients)
    assert len({m.dedupe_key for m in messages}) == len(messages)
    assert all(m.subject.startswith("Invitation") for m in messages)
    march = services.meetings_for_user(db.session.get(type(late), late_id))[0]
    assert march.starts_at == MARCH_MEETING_UTC
    assert len(march.invitations) == 4

    # The job store kept one invitation job through the restarts, with its trigger.
    stored = SQLAlchemyJobStore(url=store, tablename="apscheduler_jobs")
    try:
        ids = [job.id for job in stored.get_all_jobs()]
    finally:
        stored.engine.dispose()
    assert ids.count("events.invitations") == 1


def test_run_job_twice_invites_once(app, db, mail_outbox, monkeypatch):
    monkeypatch.setattr(scheduler, "_app", app)
    set_clock(monkeypatch, datetime(2026, 2, 1, 9, 0))
    services.create_series(quarterly_data(), actor=make_user(coordinator=True))
    make_member(make_organisation())
    set_clock(monkeypatch, INVITATION_DAY)
    assert scheduler.run_job("coordination.events.services:send_invitations") == 1
    assert scheduler.run_job("coordination.events.services:send_invitations") == 0
    assert len(mail_outbox()) == 1


def test_every_meeting_job_is_declared_with_an_explicit_timezone(app):
    from zoneinfo import ZoneInfo
    tz = ZoneInfo("Europe/Paris")
    declared = {job.id: job for job in event_jobs.JOBS}
    assert set(declared) == {"events.materialise", "events.invitations", "events.reminders"}
    for job in declared.values():
        assert job.trigger(tz).timezone == tz
        module, _, name = job.func.partition(":")
        assert callable(getattr(__import__(module, fromlist=[name]), name))
