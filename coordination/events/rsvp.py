"""Answers to meeting invitations: one-click signed links, the partner space, and the waiting list.

A link carries the invitation id and the answer, signed with the app's secret and a salt of its
own. It holds no date: it is valid until the meeting ends (a moved meeting moves the limit too),
which the database says, not the token. Opening a link shows a confirmation page with one button
(a POST with a CSRF token): mail scanners that fetch every link change nothing.

When the meeting has a capacity, a "yes" beyond it waits (``waitlisted_at``, first come first
served); when someone with a seat declines, the first waiting person moves up and is told by mail.
Only people who may still come hold a seat (active user, still a member, organisation active): a
seat left that way is free again, for the first waiting person, at the next answer or invitation run.
The meeting row is locked while seats are counted, so two answers at once never overfill it.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext
from sqlalchemy import func, select

from coordination import audit, mail
from coordination.auth import permissions as auth_permissions
from coordination.auth.models import Membership, Organisation, User
from coordination.core.clock import datetime_fr, utcnow
from coordination.core.signed_links import BadLink, LinkExpired, LinkSigner
from coordination.errors import Invalid, NotFound, PermissionDenied
from coordination.events import permissions
from coordination.events.models import Meeting, MeetingDelegate, MeetingInvitation
from coordination.extensions import db
from coordination.utils import external_url

# No date in the token (the meeting's end is the limit); the salt of the links already mailed.
LINKS = LinkSigner("coordination.events.rsvp", timed=False,
                   bad=lazy_gettext("Ce lien de réponse n'est pas valable : il a peut-être été mal copié. Utilisez le lien "
                       "complet du courriel, ou répondez depuis votre espace partenaire."))
ANSWERS = {"yes": lazy_gettext("Je viens"), "no": lazy_gettext("Je ne viens pas"), "maybe": lazy_gettext("Peut-être")}
RESPONSE_LABELS = {**ANSWERS, "pending": lazy_gettext("Pas encore répondu")}
_CODES = {"yes": "y", "no": "n", "maybe": "m"}
_ANSWER_OF = {code: answer for answer, code in _CODES.items()}


@dataclass
class Answer:
    invitation: MeetingInvitation
    changed: bool
    waitlisted: bool
    promoted: list = field(default_factory=list)


# --- who may see and answer ---------------------------------------------------------------------



def may_answer_now(invitation: MeetingInvitation) -> bool:
    """The invitee is still an active member of an active organisation (also for signed links)."""
    user = invitation.user
    return (user.active and invitation.organisation.is_active
            and user.membership_in(invitation.organisation_id) is not None)


# --- signed links -------------------------------------------------------------------------------

def make_token(invitation_id: int, answer: str) -> str:
    if answer not in _CODES:
        raise ValueError(f"unknown answer {answer!r}")
    return LINKS.sign([invitation_id, _CODES[answer]])


def answer_link(invitation: MeetingInvitation, answer: str) -> str:
    """The absolute one-click link for invitation mails ("yes", "no" or "maybe")."""
    return external_url("events.rsvp_link", token=make_token(invitation.id, answer))


def answer_links(invitation: MeetingInvitation) -> dict[str, str]:
    """The three links of an invitation mail: {"yes": url, "no": url, "maybe": url}."""
    return {answer: answer_link(invitation, answer) for answer in ANSWERS}


def read_token(token: str) -> tuple[MeetingInvitation, str]:
    """The invitation and answer a link stands for. BadLink when it was altered or names nothing;
    LinkExpired once the meeting has ended or was cancelled, or the person can no longer answer."""
    payload = LINKS.read(token)
    try:
        invitation_id, code = payload
        answer = _ANSWER_OF[code]
        invitation_id = int(invitation_id)
    except (ValueError, TypeError, KeyError):
        raise BadLink(LINKS.bad) from None
    invitation = db.session.get(MeetingInvitation, invitation_id)
    if invitation is None:
        raise BadLink(LINKS.bad)
    _check_open(invitation)
    return invitation, answer


def _check_open(invitation: MeetingInvitation) -> None:
    meeting = invitation.meeting
    if meeting.ends_at <= utcnow():
        raise LinkExpired(_("Ce lien a expiré : la réunion est terminée."))
    if meeting.status == "cancelled":
        raise LinkExpired(_("Ce lien a expiré : la réunion a été annulée."))
    if not may_answer_now(invitation):
        raise LinkExpired(_("Ce lien a expiré : votre organisation ne fait plus partie des invitées "
                          "à cette réunion."))


# --- answering ----------------------------------------------------------------------------------

def seats_taken(meeting: Meeting) -> int:
    """The seats held: "yes" answers not waiting, of people who may still come (``may_answer_now``:
    an active user, still a member of an active organisation)."""
    return db.session.scalar(
        select(func.count(MeetingInvitation.id))
        .join(User, User.id == MeetingInvitation.user_id)
        .join(Organisation, Organisation.id == MeetingInvitation.organisation_id)
        .join(Membership, (Membership.user_id == MeetingInvitation.user_id)
              & (Membership.organisation_id == MeetingInvitation.organisation_id))
        .where(MeetingInvitation.meeting_id == meeting.id, MeetingInvitation.response == "yes",
               MeetingInvitation.waitlisted_at.is_(None), User.active.is_(True), Organisation.status == "active")
    ) or 0


def waiting_list(meeting: Meeting) -> list[MeetingInvitation]:
    return list(db.session.scalars(select(MeetingInvitation).where(
        MeetingInvitation.meeting_id == meeting.id, MeetingInvitation.response == "yes",
        MeetingInvitation.waitlisted_at.is_not(None)).order_by(MeetingInvitation.waitlisted_at,
                                                               MeetingInvitation.id)))


def respond(invitation_id: int, answer: str, *, actor=None, token: str | None = None) -> Answer:
    """Records an answer, from a signed link (``token``) or by the invitee logged in (``actor``).
    Answering again the same thing changes nothing (and keeps one's place on the waiting list).
    With a capacity, a new "yes" joins the end of the waiting list and the list moves up at once
    while seats are free: people already waiting go first into a seat freed by someone who left."""
    if answer not in ANSWERS:
        raise Invalid(_("Réponse inconnue."), errors={"answer": [_("Choisissez « Je viens », « Je ne viens pas » "
                                                              "ou « Peut-être ».")]})
    if token is not None:
        linked, linked_answer = read_token(token)
        if linked.id != invitation_id or linked_answer != answer:
            raise BadLink(LINKS.bad)
    invitation = db.session.get(MeetingInvitation, invitation_id)
    if invitation is None:
        raise NotFound(_("Cette invitation n'existe pas."))
    if token is None and not permissions.can_answer(actor, invitation):
        raise PermissionDenied(_("Vous ne pouvez répondre qu'à vos propres invitations, pour une organisation active."))
    # One answer at a time per meeting: the seats are counted under this lock (PostgreSQL).
    db.session.get(Meeting, invitation.meeting_id, with_for_update=True, populate_existing=True)
    db.session.refresh(invitation)
    _check_open(invitation)
    meeting = invitation.meeting
    if invitation.response == answer:
        return Answer(invitation, changed=False, waitlisted=invitation.waitlisted_at is not None)
    had_seat = invitation.response == "yes" and invitation.waitlisted_at is None
    previous = invitation.response
    now = utcnow()
    invitation.response, invitation.responded_at, invitation.waitlisted_at = answer, now, None
    if answer == "yes" and meeting.capacity is not None:
        invitation.waitlisted_at = now  # last in the queue; seated below if a seat is free for it
    promoted = (promote_waitlisted(meeting, answering=invitation)
                if had_seat or meeting.capacity is not None else [])
    audit.record(actor if token is None else invitation.user, "meeting.answer", "meeting_invitation",
                 invitation.id, meeting_id=meeting.id, answer=answer, previous=previous,
                 waitlisted=invitation.waitlisted_at is not None, by_link=token is not None)
    db.session.commit()
    return Answer(invitation, changed=True, waitlisted=invitation.waitlisted_at is not None, promoted=promoted)


def promote_waitlisted(meeting: Meeting, *, answering: MeetingInvitation | None = None) -> list[MeetingInvitation]:
    """Moves people up from the waiting list while seats are free, and mails each of them. Part
    of the caller's transaction (which holds the meeting's lock). Also for the service that raises
    a meeting's capacity, and for the invitation job (seats freed by people who left).
    ``answering``, the invitation being answered now, is seated without mail nor being listed."""
    db.session.flush()
    free = None if meeting.capacity is None else meeting.capacity - seats_taken(meeting)
    promoted = []
    for invitation in waiting_list(meeting):
        if free is not None and free <= 0:
            break
        if not may_answer_now(invitation):
            continue
        since = invitation.waitlisted_at
        invitation.waitlisted_at = None
        if free is not None:
            free -= 1
        if answering is not None and invitation.id == answering.id:
            continue
        promoted.append(invitation)
        mail.queue(invitation.user.email, _("Une place s'est libérée : %(title)s", title=meeting.title),
                   "events/mail/waitlist_promoted",
                   dedupe_key=f"meeting-waitlist-promoted:{invitation.id}:{since.isoformat()}",
                   name=invitation.user.name, meeting=meeting, when=datetime_fr(meeting.starts_at),
                   meeting_link=external_url("events.meeting", meeting_id=meeting.id),
                   decline_link=answer_link(invitation, "no"))
    db.session.flush()
    return promoted


# --- the partner space --------------------------------------------------------------------------

def my_invitations(actor, *, upcoming: bool = True) -> list[MeetingInvitation]:
    """The actor's invitations for active organisations, to meetings not yet ended (every one with
    ``upcoming=False``). Cancelled meetings are included on purpose: the partner space shows them
    as cancelled, without answer buttons, so that a cancellation is not missed."""
    if not auth_permissions.is_authenticated(actor):
        return []
    query = (select(MeetingInvitation).join(Meeting).join(Organisation, MeetingInvitation.organisation_id == Organisation.id)
             .where(MeetingInvitation.user_id == actor.id, Organisation.status == "active"))
    if upcoming:
        query = query.where(Meeting.ends_at > utcnow())
    return list(db.session.scalars(query.order_by(Meeting.starts_at, MeetingInvitation.id)))


def next_unanswered_invitation(actor, *, now: datetime | None = None) -> MeetingInvitation | None:
    """The actor's invitation to the next scheduled meeting they have not answered yet, among
    ``my_invitations`` (the partner home)."""
    if not auth_permissions.is_authenticated(actor):
        return None
    return db.session.scalars(
        select(MeetingInvitation).join(Meeting).join(Organisation, MeetingInvitation.organisation_id == Organisation.id)
        .where(MeetingInvitation.user_id == actor.id, Organisation.status == "active",
               MeetingInvitation.response == "pending", Meeting.status == "scheduled",
               Meeting.ends_at > (now or utcnow()))
        .order_by(Meeting.starts_at, MeetingInvitation.id).limit(1)).first()


# --- delegates ----------------------------------------------------------------------------------

def delegates(organisation: Organisation) -> set[int]:
    return set(db.session.scalars(select(MeetingDelegate.user_id).where(
        MeetingDelegate.organisation_id == organisation.id)))


def set_delegates(organisation_id: int, user_ids: list[int], *, actor) -> set[int]:
    """An admin of an active organisation names who attends the network's meetings (none: every
    member is invited)."""
    try:
        organisation_id = int(organisation_id)
    except (TypeError, ValueError):
        raise Invalid(_("Cette organisation n'est pas valable : choisissez-la dans la liste.")) from None
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("Cette organisation n'existe pas."))
    if not permissions.can_name_delegates(actor, organisation):
        raise PermissionDenied(_("Seuls les administrateurs d'une organisation active désignent ses participants."))
    members = {m.user_id for m in db.session.scalars(select(Membership).join(User).where(
        Membership.organisation_id == organisation.id, User.active.is_(True)))}
    try:
        chosen = {int(user_id) for user_id in user_ids}
    except (TypeError, ValueError):
        raise Invalid(_("Seuls des membres de l'organisation peuvent être désignés : choisissez-les dans "
                      "la liste.")) from None
    if chosen - members:
        raise Invalid(_("Seuls des membres de l'organisation peuvent être désignés."))
    current = delegates(organisation)
    for user_id in chosen - current:
        db.session.add(MeetingDelegate(organisation_id=organisation.id, user_id=user_id))
    for delegate in db.session.scalars(select(MeetingDelegate).where(
            MeetingDelegate.organisation_id == organisation.id, MeetingDelegate.user_id.in_(current - chosen))):
        db.session.delete(delegate)
    audit.record(actor, "meeting.delegates", "organisation", organisation.id, user_ids=sorted(chosen))
    db.session.commit()
    return chosen
