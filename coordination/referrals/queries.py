"""Read-only listings of referrals for the partner space: inbox, outbox, what waits.

Every query is limited to the actor's organisations. Listings never decrypt the person's details:
reading them is audited one referral at a time (``services.personal_data``), so a list shows the
anonymous parts only (service, place, organisations, dates, status, urgency).
"""
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from coordination.auth import permissions as auth_permissions
from coordination.auth.models import Organisation
from coordination.extensions import db
from coordination.referrals import workflow
from coordination.referrals.models import Referral

LIST_LIMIT = 200


@dataclass
class ReferralFilter:
    status: str | None = None
    service: str | None = None
    organisation_id: int | None = None  # either side of the referral


@dataclass
class Listing:
    referrals: list[Referral]
    truncated: bool  # more than LIST_LIMIT matched: the oldest are not shown


@dataclass
class Board:
    """What the partner space's referrals page shows."""
    inbox: Listing
    outbox: Listing
    counts: dict[str, int]
    organisations: list[Organisation] = field(default_factory=list)  # choices of the organisation filter


def organisation_ids(actor) -> list[int]:
    if not auth_permissions.is_authenticated(actor):
        return []
    return [membership.organisation_id for membership in actor.memberships]


def _filtered(query, filters: ReferralFilter | None):
    filters = filters or ReferralFilter()
    if filters.status:
        query = query.where(Referral.status == filters.status)
    if filters.service:
        query = query.where(Referral.service == filters.service)
    if filters.organisation_id:
        query = query.where(or_(Referral.sender_organisation_id == filters.organisation_id,
                                Referral.receiver_organisation_id == filters.organisation_id))
    return query


def _listing(column, actor, filters: ReferralFilter | None) -> Listing:
    ids = organisation_ids(actor)
    if not ids:
        return Listing([], False)
    query = _filtered(select(Referral).where(column.in_(ids)), filters).options(
        joinedload(Referral.place), joinedload(Referral.sender_organisation),
        joinedload(Referral.receiver_organisation),
    ).order_by(Referral.created_at.desc(), Referral.id.desc()).limit(LIST_LIMIT + 1)
    rows = list(db.session.scalars(query))
    return Listing(rows[:LIST_LIMIT], len(rows) > LIST_LIMIT)


def inbox(actor, filters: ReferralFilter | None = None) -> Listing:
    """Referrals received by the actor's organisations, newest first."""
    return _listing(Referral.receiver_organisation_id, actor, filters)


def outbox(actor, filters: ReferralFilter | None = None) -> Listing:
    """Referrals sent by the actor's organisations, newest first."""
    return _listing(Referral.sender_organisation_id, actor, filters)


def _count(*conditions) -> int:
    return db.session.scalar(select(func.count(Referral.id)).where(*conditions)) or 0


def waiting_counts(actor) -> dict[str, int]:
    """to_answer: received, waiting for an answer; to_close: accepted, waiting for an outcome;
    sent_waiting: sent by the actor's organisations, not answered yet."""
    ids = organisation_ids(actor)
    if not ids:
        return {"to_answer": 0, "to_close": 0, "sent_waiting": 0}
    return {
        "to_answer": _count(Referral.receiver_organisation_id.in_(ids), Referral.status == workflow.SENT),
        "to_close": _count(Referral.receiver_organisation_id.in_(ids), Referral.status == workflow.ACCEPTED),
        "sent_waiting": _count(Referral.sender_organisation_id.in_(ids), Referral.status == workflow.SENT),
    }


def to_answer_count(actor) -> int:
    """Received referrals waiting for an answer (the navigation's badge): one indexed count."""
    ids = organisation_ids(actor)
    if not ids:
        return 0
    return _count(Referral.receiver_organisation_id.in_(ids), Referral.status == workflow.SENT)


def counterpart_organisations(actor) -> list[Organisation]:
    """The actor's organisations and those they exchanged referrals with, by name."""
    ids = organisation_ids(actor)
    if not ids:
        return []
    mine = or_(Referral.sender_organisation_id.in_(ids), Referral.receiver_organisation_id.in_(ids))
    touched = select(Referral.sender_organisation_id).where(mine).union(
        select(Referral.receiver_organisation_id).where(mine))
    return list(db.session.scalars(
        select(Organisation).where(or_(Organisation.id.in_(ids), Organisation.id.in_(touched)))
        .order_by(Organisation.name)))


def board(actor, filters: ReferralFilter | None = None) -> Board:
    return Board(inbox=inbox(actor, filters), outbox=outbox(actor, filters), counts=waiting_counts(actor),
                 organisations=counterpart_organisations(actor))
