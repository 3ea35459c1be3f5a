"""The scheduler process: one APScheduler BlockingScheduler, started by `flask scheduler run`.

Never started inside web workers: under gunicorn every worker would run every job. Jobs are
declared in each domain's jobs.py (a JOBS list) and must be idempotent.
"""
import importlib
import logging
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext

log = logging.getLogger(__name__)

DOMAIN_JOB_MODULES = (
    "coordination.auth.jobs",
    "coordination.directory.jobs",
    "coordination.events.jobs",
    "coordination.freshness.jobs",
    "coordination.referrals.jobs",
    "export.jobs",
)
MISFIRE_GRACE_SECONDS = 300

_app = None  # the application the running scheduler executes jobs in


def declared_jobs(app) -> list:
    from coordination.jobs import outbox_jobs
    jobs = outbox_jobs(app.config["SCHEDULER_MAIL_INTERVAL"])
    for name in DOMAIN_JOB_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        jobs.extend(getattr(module, "JOBS", []))
    return jobs


def run_job(func_path: str, **kwargs):
    """Entry point stored in the job store: imports the job function and runs it in the app."""
    module_name, _, attr = func_path.partition(":")
    func = getattr(importlib.import_module(module_name), attr)
    with _app.app_context():
        try:
            return func(**kwargs)
        except Exception:
            log.exception("job %s failed", func_path)
            from coordination.extensions import db
            db.session.rollback()
            raise


def build_scheduler(app, scheduler_class=None):
    from apscheduler.events import EVENT_SCHEDULER_STARTED
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    global _app
    _app = app
    tz = ZoneInfo(app.config["SCHEDULER_TIMEZONE"])
    scheduler = (scheduler_class or BlockingScheduler)(
        jobstores={"default": SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"],
                                                 tablename="apscheduler_jobs")},
        executors={"default": ThreadPoolExecutor(2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        timezone=tz,
    )
    declared = declared_jobs(app)
    for job in declared:
        scheduler.add_job(run_job, trigger=job.trigger(tz), id=job.id, name=job.id,
                          args=[job.func], kwargs=job.kwargs, replace_existing=True)
    scheduler.add_listener(_forget_undeclared(scheduler, {job.id for job in declared}), EVENT_SCHEDULER_STARTED)
    return scheduler


def _forget_undeclared(scheduler, declared_ids: set):
    """A job renamed or removed from the code must not stay in the persistent job store."""
    def listener(event):
        for job in scheduler.get_jobs():
            if job.id not in declared_ids:
                log.info("removing job %s, no longer declared", job.id)
                job.remove()
    return listener


scheduler_cli = AppGroup("scheduler", help=lazy_gettext("Processus planificateur (un seul, hors des workers web)."))


@scheduler_cli.command("run", help=lazy_gettext("Démarre le planificateur (bloquant)."))
def run():
    scheduler = build_scheduler(current_app._get_current_object())
    click.echo(_("Planificateur démarré (Ctrl+C pour arrêter)."))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@scheduler_cli.command("jobs", help=lazy_gettext("Liste les tâches déclarées."))
def list_jobs():
    for job in declared_jobs(current_app):
        click.echo(f"{job.id}\t{job.func}")
