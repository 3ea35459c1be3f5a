"""Network statistics of the referrals, for coordinators: counts and delays, never a person.

Every figure is computed from the anonymous columns (service, organisations, status, outcome, dates)
with SQL aggregates; ``personal_data`` and the comments are never selected.
"""
import statistics as pystats
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from coordination.auth.models import Organisation
from coordination.errors import PermissionDenied
from coordination.core import paging
from coordination.core.clock import PARIS, utcnow
from coordination.core.csv_writer import SPREADSHEET, CsvWriter, number
from coordination.extensions import db
from coordination.referrals import permissions, workflow
from coordination.referrals.models import Referral, ReferralStep


@dataclass
class PairCount:
    sender: str
    receiver: str
    count: int


@dataclass
class ReferralStatistics:
    since: datetime | None
    total: int = 0
    by_service: list[tuple[str, int]] = field(default_factory=list)  # most frequent first
    by_pair: list[PairCount] = field(default_factory=list)
    by_status: list[tuple[str, str, int]] = field(default_factory=list)  # (status, French label, count)
    by_decline_reason: list[tuple[str, str, int]] = field(default_factory=list)
    answered: int = 0  # accepted or declined (expired ones were not answered)
    accepted: int = 0  # accepted, whatever happened next
    median_hours_to_answer: float | None = None
    waiting_answer: int = 0  # sent, not answered yet
    waiting_outcome: int = 0  # accepted, outcome not recorded yet

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted among answered, from 0 to 1; None when nothing was answered."""
        return self.accepted / self.answered if self.answered else None


def referral_statistics(*, actor, since: date | datetime | None = None) -> ReferralStatistics:
    """The referrals created since ``since`` (all of them when None), counted for a coordinator."""
    if not permissions.can_see_statistics(actor):
        raise PermissionDenied(_("Les statistiques des orientations sont réservées à l'équipe de coordination."))
    if isinstance(since, date) and not isinstance(since, datetime):
        # The day a coordinator picks starts at midnight in Paris, stored times are naive UTC.
        since = datetime(since.year, since.month, since.day, tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None)
    period = [Referral.created_at >= since] if since else []
    stats = ReferralStatistics(since=since)

    accepted = case((Referral.answered_at.is_not(None) & (Referral.status != workflow.DECLINED), 1), else_=0)
    row = db.session.execute(select(
        func.count(Referral.id),
        func.count(Referral.answered_at),
        func.coalesce(func.sum(accepted), 0),
        func.coalesce(func.sum(case((Referral.status == workflow.SENT, 1), else_=0)), 0),
        func.coalesce(func.sum(case((Referral.status == workflow.ACCEPTED, 1), else_=0)), 0),
    ).where(*period)).one()
    stats.total, stats.answered, stats.accepted, stats.waiting_answer, stats.waiting_outcome = (int(v) for v in row)

    count = func.count(Referral.id).label("count")
    stats.by_service = [(service, n) for service, n in db.session.execute(
        select(Referral.service, count).where(*period).group_by(Referral.service)
        .order_by(count.desc(), Referral.service))]

    sender, receiver = aliased(Organisation), aliased(Organisation)
    stats.by_pair = [PairCount(sender=s, receiver=r, count=n) for s, r, n in db.session.execute(
        select(sender.name, receiver.name, count)
        .join(sender, sender.id == Referral.sender_organisation_id)
        .join(receiver, receiver.id == Referral.receiver_organisation_id)
        .where(*period)
        .group_by(sender.id, sender.name, receiver.id, receiver.name)
        .order_by(count.desc(), sender.name, receiver.name))]

    by_status = dict(db.session.execute(select(Referral.status, count).where(*period).group_by(Referral.status)).all())
    stats.by_status = [(status, str(label), by_status[status]) for status, label in workflow.STATUS_LABELS.items()
                       if by_status.get(status)]
    # The reason as recorded in the timeline (the declining step), the anonymous part of the answer.
    by_reason = dict(db.session.execute(
        select(ReferralStep.reason, func.count(ReferralStep.id)).join(Referral, Referral.id == ReferralStep.referral_id)
        .where(*period, ReferralStep.kind == workflow.DECLINED).group_by(ReferralStep.reason)).all())
    stats.by_decline_reason = [(reason, str(label), by_reason[reason]) for reason, label in workflow.DECLINE_REASONS.items()
                               if by_reason.get(reason)]
    stats.median_hours_to_answer = _median_hours_to_answer(period)
    return stats


PAIR_SORTS = {
    "nombre": lambda pair: (-pair.count, pair.sender.lower(), pair.receiver.lower()),
    "envoi": lambda pair: (pair.sender.lower(), pair.receiver.lower()),
    "reception": lambda pair: (pair.receiver.lower(), pair.sender.lower()),
}


def pairs_page(stats: ReferralStatistics, *, query: str = "", sort: str | None = None, descending: bool = False,
               page: int = 1, size: int = paging.PAGE_SIZE) -> paging.Page:
    """One page of the statistics' pairs of organisations (N organisations make up to N² pairs): those
    where ``query`` is in either name, the most frequent first unless sorted by a name (issue 18)."""
    sort = paging.sort_key(sort, PAIR_SORTS, "nombre")
    needle = query.casefold()
    shown = [pair for pair in stats.by_pair if needle in pair.sender.casefold() or needle in pair.receiver.casefold()]
    shown.sort(key=PAIR_SORTS[sort], reverse=descending)
    return paging.page_of(shown, number=page, size=size, sort=sort, descending=descending)


def overdue_count(*, actor, now: datetime | None = None) -> int:
    """Referrals still waiting for an answer after their first reminder was due: a count, nothing
    about the people referred (the coordination home)."""
    if not permissions.can_see_statistics(actor):
        raise PermissionDenied(_("Les statistiques des orientations sont réservées à l'équipe de coordination."))
    now = now or utcnow()
    return db.session.scalar(select(func.count(Referral.id)).where(
        Referral.status == workflow.SENT,
        (Referral.reminders_sent > 0) | (Referral.next_reminder_at <= now))) or 0


def _median_hours_to_answer(period: list) -> float | None:
    answered = [Referral.answered_at.is_not(None), *period]
    if db.engine.dialect.name == "postgresql":
        seconds = func.extract("epoch", Referral.answered_at - Referral.created_at)
        median = db.session.scalar(select(func.percentile_cont(0.5).within_group(seconds)).where(*answered))
        return None if median is None else round(float(median) / 3600, 1)
    # SQLite has no median aggregate: the durations are computed by the database, the median here.
    hours = (func.julianday(Referral.answered_at) - func.julianday(Referral.created_at)) * 24
    values = list(db.session.scalars(select(hours).where(*answered)))
    return round(pystats.median(values), 1) if values else None


# --- CSV ------------------------------------------------------------------------------------

CSV_HEADER = ("rubrique", "service", "organisation_orientatrice", "organisation_destinataire", "statut", "valeur")


def statistics_csv(stats: ReferralStatistics) -> str:
    """One table, one figure per line, for spreadsheets (``;``, BOM, decimal commas)."""
    writer = CsvWriter(SPREADSHEET)
    writer.row(CSV_HEADER)
    rate = stats.acceptance_rate
    for name, value in (("total", stats.total), ("repondues", stats.answered), ("acceptees", stats.accepted),
                        ("taux_acceptation", number(rate)),
                        ("delai_median_reponse_heures", number(stats.median_hours_to_answer)),
                        ("en_attente_reponse", stats.waiting_answer), ("en_attente_issue", stats.waiting_outcome)):
        writer.row((name, "", "", "", "", value))
    for service, n in stats.by_service:
        writer.row(("par_service", service, "", "", "", n))
    for pair in stats.by_pair:
        writer.row(("par_organisations", "", pair.sender, pair.receiver, "", pair.count))
    for status, _label, n in stats.by_status:
        writer.row(("par_statut", "", "", "", status, n))
    for reason, _label, n in stats.by_decline_reason:
        writer.row(("motif_refus", "", "", "", reason, n))
    return writer.text()
