"""Recurrence rules of meeting series (RFC 5545 RRULE, expanded with dateutil), in Paris time.

Occurrences are computed in Paris wall-clock time and only then converted to UTC: a series at 14:00
stays at 14:00 in winter and in summer. No database; the messages go through gettext.
"""
from datetime import UTC, datetime

from dateutil.rrule import rrulestr
from flask_babel import gettext as _, lazy_gettext

from coordination.core.clock import PARIS

PRESETS = {
    # The second Tuesday of March, June, September and December.
    "quarterly": (lazy_gettext("Chaque trimestre (2e mardi de mars, juin, septembre, décembre)"),
                  "FREQ=YEARLY;BYMONTH=3,6,9,12;BYDAY=2TU"),
    "monthly": (lazy_gettext("Chaque mois (2e mardi)"), "FREQ=MONTHLY;BYDAY=2TU"),
}
ALLOWED_FREQUENCIES = ("WEEKLY", "MONTHLY", "YEARLY")
MAX_RULE_LENGTH = 300


class RuleError(ValueError):
    """A recurrence rule that cannot be used; the message is translated."""


def parse_rule(rule: str) -> dict[str, str]:
    parts = {}
    for chunk in rule.strip().upper().removeprefix("RRULE:").split(";"):
        if not chunk:
            continue
        name, _equals, value = chunk.partition("=")
        if not value:
            raise RuleError(_("Élément de règle incompris : « %(chunk)s ».", chunk=chunk[:40]))
        parts[name] = value
    return parts


def validate_rule(rule: str | None) -> str:
    """The rule, normalised; RuleError when it is empty, too frequent or not understood."""
    text = (rule or "").strip().upper().removeprefix("RRULE:")
    if not text:
        raise RuleError(_("Indiquez une règle de récurrence, par exemple FREQ=MONTHLY;BYDAY=2TU."))
    if len(text) > MAX_RULE_LENGTH:
        raise RuleError(_("La règle fait plus de %(num)s caractères.", num=MAX_RULE_LENGTH))
    parts = parse_rule(text)
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise RuleError(_("La fréquence doit être hebdomadaire, mensuelle ou annuelle (FREQ=WEEKLY, MONTHLY ou YEARLY)."))
    if {"BYHOUR", "BYMINUTE", "BYSECOND"} & set(parts):
        raise RuleError(_("L'heure se règle avec l'heure de début, pas dans la règle."))
    try:
        rrulestr(text, dtstart=datetime(2026, 1, 1, 14, 0))
    except (ValueError, TypeError) as error:
        raise RuleError(_("Règle de récurrence non reconnue (%(error)s).", error=error)) from None
    return text


def occurrences_local(rule: str, first_start_local: datetime, *, after_local: datetime, count: int) -> list[datetime]:
    """The next ``count`` occurrences (naive Paris wall-clock) strictly after ``after_local``."""
    expansion = rrulestr(rule, dtstart=first_start_local)
    found, moment = [], after_local
    while len(found) < count:
        moment = expansion.after(moment, inc=False)
        if moment is None:
            break
        found.append(moment)
    return found


def local_to_utc(local: datetime) -> datetime:
    """Paris wall-clock (naive) to naive UTC."""
    return local.replace(tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(PARIS).replace(tzinfo=None)


def describe(rule: str) -> str:
    for label, preset in PRESETS.values():
        if preset == rule:
            return str(label)
    return rule
