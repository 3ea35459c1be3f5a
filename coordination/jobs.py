"""Job declaration shared by every domain's jobs.py (a leaf module: no domain imports)."""
from dataclasses import dataclass, field
from collections.abc import Callable


@dataclass(frozen=True)
class Job:
    id: str
    func: str  # "module:function", run inside an application context by the scheduler
    trigger: Callable  # tz -> APScheduler trigger object (timezone passed explicitly)
    kwargs: dict = field(default_factory=dict)


def outbox_jobs(interval_seconds: int) -> list[Job]:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger
    return [
        Job(id="mail.send_pending", func="coordination.mail:send_pending",
            trigger=lambda tz: IntervalTrigger(seconds=interval_seconds, timezone=tz)),
        Job(id="mail.release_stuck", func="coordination.mail:release_stuck",
            trigger=lambda tz: IntervalTrigger(minutes=15, timezone=tz)),
        Job(id="mail.erase_sent", func="coordination.mail:erase_sent",
            trigger=lambda tz: CronTrigger(hour=3, minute=40, timezone=tz)),
    ]
