"""Recurrence rules of meeting series (RFC 5545 RRULE, expanded with dateutil), in Paris time.

Occurrences are computed in Paris wall-clock time and only then converted to UTC: a series at 14:00
stays at 14:00 in winter and in summer. No database; the messages go through gettext.
"""
from datetime import UTC, date, datetime, timedelta

from dateutil.rrule import rrulestr
from flask_babel import gettext as _, lazy_gettext, ngettext

from coordination.core.clock import MONTHS, PARIS, date_fr
from coordination.core.french import time_fr

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
    """The next ``count`` occurrences (naive Paris wall-clock) strictly after ``after_local``. A
    list of chosen dates (``RDATE:…``) gives those days at the first start's time."""
    if rule.startswith(DATES_PREFIX):
        moments = sorted(datetime.combine(day, first_start_local.time()) for day in rule_dates(rule))
        return [moment for moment in moments if moment > after_local][:count]
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


# --- the picker: a rule chosen in words -------------------------------------------------------
#
# The picker's choices (``kind`` and its details) build the RRULE that stays the storage, and an
# RRULE of one of these shapes is read back into them (``picker_values``); any other rule is kept
# as it is and shown in the « advanced » field.

KINDS = {
    "months": lazy_gettext("Certains mois (par exemple le 2e mardi de mars, juin, septembre et décembre)"),
    "monthly_weekday": lazy_gettext("Tous les mois, un jour de la semaine (par exemple le 1er jeudi)"),
    "monthly_day": lazy_gettext("Tous les mois, à une date (par exemple le 15)"),
    "weekly": lazy_gettext("Toutes les semaines, ou toutes les deux semaines…"),
    "dates": lazy_gettext("À des dates choisies"),
    "custom": lazy_gettext("Avancé : règle iCalendar (RRULE)"),
}
WEEKDAYS = {"MO": lazy_gettext("lundi"), "TU": lazy_gettext("mardi"), "WE": lazy_gettext("mercredi"),
            "TH": lazy_gettext("jeudi"), "FR": lazy_gettext("vendredi"), "SA": lazy_gettext("samedi"),
            "SU": lazy_gettext("dimanche")}
ORDINALS = {1: lazy_gettext("1er"), 2: lazy_gettext("2e"), 3: lazy_gettext("3e"), 4: lazy_gettext("4e"),
            -1: lazy_gettext("dernier")}
DATES_PREFIX = "RDATE:"
MAX_DATES = 24
INTERVAL_MAX = 12
DEFAULT_PICKER = {"kind": "months", "nth": 2, "weekday": "TU", "months": [3, 6, 9, 12], "interval": 1,
                  "month_day": 1, "dates": []}


def rule_dates(rule: str) -> list[date]:
    """The days of a ``RDATE:AAAAMMJJ,…`` rule (RuleError when one cannot be read)."""
    days = []
    for chunk in rule.removeprefix(DATES_PREFIX).split(","):
        try:
            days.append(datetime.strptime(chunk.strip(), "%Y%m%d").date())
        except ValueError:
            raise RuleError(_("Date incomprise dans la liste : « %(chunk)s ».", chunk=chunk.strip()[:20])) from None
    return sorted(set(days))


def _number(value, *, minimum: int, maximum: int, default: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return number if minimum <= number <= maximum else default


def build_rule(choice: dict) -> str:
    """The RRULE (or ``RDATE:`` list) for the picker's choices; RuleError when a choice is missing.
    ``choice``: kind, interval, nth (1–4 or -1), weekday (MO…SU), month_day, months (1–12), dates
    (date objects), rrule (the advanced field)."""
    kind = choice.get("kind") or "months"
    interval = _number(choice.get("interval"), minimum=1, maximum=INTERVAL_MAX, default=1)
    every = f";INTERVAL={interval}" if interval > 1 else ""
    weekday = str(choice.get("weekday") or "").upper()
    nth = _number(choice.get("nth"), minimum=-1, maximum=4, default=0)
    if kind == "custom":
        return validate_rule(choice.get("rrule"))
    if kind == "dates":
        days = sorted(set(choice.get("dates") or []))
        if not days:
            raise RuleError(_("Indiquez au moins une date."))
        if len(days) > MAX_DATES:
            raise RuleError(ngettext("%(num)s date au plus.", "%(num)s dates au plus.", MAX_DATES))
        return DATES_PREFIX + ",".join(f"{day:%Y%m%d}" for day in days)
    if kind == "monthly_day":
        day = _number(choice.get("month_day"), minimum=1, maximum=31, default=0)
        if not day:
            raise RuleError(_("Choisissez le jour du mois, de 1 à 31."))
        return f"FREQ=MONTHLY{every};BYMONTHDAY={day}"
    if weekday not in WEEKDAYS:
        raise RuleError(_("Choisissez le jour de la semaine."))
    if kind == "weekly":
        return f"FREQ=WEEKLY{every};BYDAY={weekday}"
    if nth not in ORDINALS:
        raise RuleError(_("Choisissez quel jour du mois : le 1er, 2e, 3e, 4e ou le dernier."))
    if kind == "monthly_weekday":
        return f"FREQ=MONTHLY{every};BYDAY={nth}{weekday}"
    if kind == "months":
        months = sorted({m for m in (_number(v, minimum=1, maximum=12, default=0) for v in choice.get("months") or []) if m})
        if not months:
            raise RuleError(_("Cochez au moins un mois."))
        return f"FREQ=YEARLY;BYMONTH={','.join(map(str, months))};BYDAY={nth}{weekday}"
    raise RuleError(_("Choisissez un rythme."))


def picker_values(rule: str | None) -> dict | None:
    """The picker's choices for a stored rule, or None when the picker cannot show it (the rule is
    then kept as it is, in the advanced field)."""
    if not rule:
        return dict(DEFAULT_PICKER)
    if rule.startswith(DATES_PREFIX):
        try:
            return {**DEFAULT_PICKER, "kind": "dates", "dates": rule_dates(rule)}
        except RuleError:
            return None
    try:
        parts = parse_rule(rule)
    except RuleError:
        return None
    frequency, interval = parts.pop("FREQ", ""), parts.pop("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= INTERVAL_MAX:
        return None
    values = {**DEFAULT_PICKER, "interval": int(interval)}
    day = parts.pop("BYDAY", "")
    nth, weekday = day[:-2], day[-2:]
    if frequency == "MONTHLY" and set(parts) == {"BYMONTHDAY"} and not day and parts["BYMONTHDAY"].isdigit() \
            and 1 <= int(parts["BYMONTHDAY"]) <= 31:
        return {**values, "kind": "monthly_day", "month_day": int(parts["BYMONTHDAY"])}
    if weekday not in WEEKDAYS or parts.keys() - {"BYMONTH"}:
        return None
    if frequency == "WEEKLY" and not nth and not parts:
        return {**values, "kind": "weekly", "weekday": weekday}
    if nth.lstrip("+") not in ("1", "2", "3", "4", "-1"):
        return None
    values.update(nth=int(nth), weekday=weekday)
    if frequency == "MONTHLY" and not parts:
        return {**values, "kind": "monthly_weekday"}
    months = parts.get("BYMONTH", "").split(",")
    if frequency == "YEARLY" and interval == "1" and all(m.isdigit() and 1 <= int(m) <= 12 for m in months):
        return {**values, "kind": "months", "months": sorted({int(m) for m in months})}
    return None


def _and(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s et %(last)s", items=", ".join(items[:-1]), last=items[-1])


def describe(rule: str) -> str:
    """The rule in words: « chaque 2e mardi de mars, juin, septembre et décembre »; a rule the
    picker cannot show is given as it is (« règle avancée FREQ=… »)."""
    values = picker_values(rule)
    if values is None:
        return _("règle avancée %(rule)s", rule=rule)
    kind, interval = values["kind"], values["interval"]
    weekday, nth = str(WEEKDAYS.get(values["weekday"], "")), str(ORDINALS.get(values["nth"], ""))
    if kind == "dates":
        return ngettext("le %(dates)s", "aux dates choisies : %(dates)s", len(values["dates"]),
                        dates=_and([date_fr(day) for day in values["dates"]]))
    if kind == "months":
        return _("chaque %(nth)s %(weekday)s de %(months)s", nth=nth, weekday=weekday,
                 months=_and([MONTHS[m - 1] for m in values["months"]]))
    if kind == "weekly":
        return (_("chaque %(weekday)s", weekday=weekday) if interval == 1 else
                ngettext("toutes les %(num)s semaine, le %(weekday)s", "toutes les %(num)s semaines, le %(weekday)s",
                         interval, weekday=weekday))
    day = (_("le %(nth)s %(weekday)s", nth=nth, weekday=weekday) if kind == "monthly_weekday"
           else _("le %(day)s", day="1er" if values["month_day"] == 1 else values["month_day"]))
    if interval == 1:
        return _("chaque mois, %(day)s", day=day)
    return ngettext("tous les %(num)s mois, %(day)s", "tous les %(num)s mois, %(day)s", interval, day=day)


def preview(rule: str, first_start_local: datetime, *, count: int = 5, after_local: datetime | None = None) -> list[str]:
    """The next ``count`` dates of a rule in French, from the first start (« mardi 9 mars 2027 à 14 h »)."""
    start = first_start_local - timedelta(seconds=1)
    moments = occurrences_local(rule, first_start_local, count=count,
                                after_local=max(after_local, start) if after_local else start)
    return [_("%(weekday)s %(date)s à %(time)s", weekday=str(list(WEEKDAYS.values())[moment.weekday()]),
              date=date_fr(moment.date()), time=time_fr(moment)) for moment in moments]
