"""The scheduler process: jobs declared per domain, explicit timezone on every trigger, idempotent runs."""
from apscheduler.schedulers.background import BackgroundScheduler

from coordination import mail, scheduler


def stop(built):
    built.shutdown(wait=False)
    built._lookup_jobstore("default").engine.dispose()


def test_scheduler_registers_the_outbox_job_with_safe_defaults(app):
    built = scheduler.build_scheduler(app, BackgroundScheduler)
    built.start(paused=True)
    try:
        jobs = {job.id: job for job in built.get_jobs()}
        assert "mail.send_pending" in jobs
        job = jobs["mail.send_pending"]
        assert str(job.trigger.timezone) == "Europe/Paris"
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == scheduler.MISFIRE_GRACE_SECONDS
        assert job.args == ("coordination.mail:send_pending",)
    finally:
        stop(built)


def test_rebuilding_replaces_jobs_instead_of_duplicating_them(app):
    for _ in range(2):
        built = scheduler.build_scheduler(app, BackgroundScheduler)
        built.start(paused=True)
        ids = [job.id for job in built.get_jobs()]
        stop(built)
    assert ids.count("mail.send_pending") == 1


def test_run_job_sends_the_outbox_once_even_when_run_twice(app, db, mail_outbox, monkeypatch):
    monkeypatch.setattr(scheduler, "_app", app)  # the app the scheduler process runs jobs in
    mail.queue("camille@exemple.fr", "Essai", "mail/test_message", name="Camille")
    db.session.commit()

    first = scheduler.run_job("coordination.mail:send_pending")
    second = scheduler.run_job("coordination.mail:send_pending")

    assert first["sent"] == 1 and second["sent"] == 0
    assert [m.status for m in mail_outbox()] == ["sent"]


def test_cli_lists_declared_jobs(runner):
    result = runner.invoke(args=["scheduler", "jobs"])
    assert result.exit_code == 0
    assert "mail.send_pending" in result.output


def test_a_job_no_longer_declared_is_removed_from_the_store(app, tmp_path):
    app.config["SQLALCHEMY_DATABASE_URI_BACKUP"] = app.config["SQLALCHEMY_DATABASE_URI"]
    store = f"sqlite:///{tmp_path / 'jobs.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = store
    try:
        first = scheduler.build_scheduler(app, BackgroundScheduler)
        first.start(paused=True)
        first.add_job(scheduler.run_job, "interval", minutes=5, id="old.renamed_job",
                      args=["coordination.mail:send_pending"])
        stop(first)
        second = scheduler.build_scheduler(app, BackgroundScheduler)
        second.start(paused=True)
        ids = {job.id for job in second.get_jobs()}
        stop(second)
    finally:
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config.pop("SQLALCHEMY_DATABASE_URI_BACKUP")
    assert "old.renamed_job" not in ids
    assert "mail.send_pending" in ids
