"""Moved to ``coordination.core.clock``. Kept for ``coordination/directory/imports.py`` (and any
branch written before the move) until they import from there; new code must not import it."""
from coordination.core.clock import (  # noqa: F401
    DAY_FORMAT,
    FIRST_DAY,
    LAST_DAY,
    MONTHS,
    PARIS,
    DateOutOfRange,
    check_day,
    date_fr,
    datetime_fr,
    is_weekend,
    parse_day,
    to_paris,
    utcnow,
    working_days_after,
)
