"""The network meetings' scheduled work, run by the scheduler (jobs.py) and by `flask events …` (cli.py).

Each function reads the clock here (``utcnow``, which tests replace) and calls the use case in
``services``. Each is idempotent: running it twice, or restarting the scheduler in the middle,
never creates a meeting twice nor sends a message twice (dedupe keys, one invitation row per person).
"""
from datetime import datetime

from coordination.core.clock import utcnow
from coordination.events import services


def materialise_occurrences(now: datetime | None = None) -> int:
    """Creates the next MEETING_MATERIALISED meetings of every active series."""
    return services.materialise_occurrences(now or utcnow())


def send_invitations(now: datetime | None = None) -> int:
    """Invites everyone due (invitation date reached, late joiners included)."""
    return services.send_invitations(now or utcnow())


def send_reminders(now: datetime | None = None) -> int:
    """Reminders MEETING_REMINDER_DAYS days before, and the coordinators' list of silent organisations."""
    return services.send_reminders(now or utcnow())
