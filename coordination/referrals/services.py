"""Referral use cases: send, answer, follow to the outcome, comment, withdraw consent.

Each function is one use case owning its transaction. Personal data only ever leaves this module
through ``personal_data()``, which checks the reader and records the read in the audit log. Mail
sent about a referral carries a link and the service asked for, never the person.
"""
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _, lazy_gettext, ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from coordination import audit, crypto, mail
from coordination.auth.models import Membership, Organisation, User
from coordination.core.clock import utcnow, working_days_after
from coordination.core import validators
from coordination.directory import services as directory_services
from coordination.directory.models import Place
from coordination.errors import Conflict, Invalid, NotFound, PermissionDenied
from coordination.extensions import db
from coordination.referrals import permissions, workflow
from coordination.referrals.models import Referral, ReferralStep
from coordination.utils import external_url
from coordination.vocabularies import SERVICES

logger = logging.getLogger(__name__)

NOT_FOUND = lazy_gettext("Cette orientation n'existe pas, ou vous n'y avez pas accès.")
CONFLICT = lazy_gettext("Quelqu'un vient d'agir sur cette orientation en même temps que vous : rechargez la page pour "
              "voir son nouvel état, puis recommencez si besoin.")
# What the pages show when a token cannot be decrypted (a key removed before the rotation ended).
UNREADABLE = {"unreadable": True}
UNREADABLE_COMMENT = lazy_gettext("(commentaire illisible : clé de chiffrement manquante, prévenez l'administrateur)")
CHANNELS = {"phone": lazy_gettext("Téléphone"), "sms": lazy_gettext("SMS"), "email": lazy_gettext("Courriel"),
            "sender": lazy_gettext("Par l'intermédiaire de la structure qui oriente")}
LANGUAGES = {"fr": lazy_gettext("Français"), "en": lazy_gettext("Anglais"), "ar": lazy_gettext("Arabe"), "es": lazy_gettext("Espagnol"),
             "pt": lazy_gettext("Portugais"), "tr": lazy_gettext("Turc"), "ro": lazy_gettext("Roumain"), "ru": lazy_gettext("Russe"), "uk": lazy_gettext("Ukrainien"),
             "fa": lazy_gettext("Persan (dari, farsi)"), "ps": lazy_gettext("Pachto"), "ta": lazy_gettext("Tamoul"), "wo": lazy_gettext("Wolof"),
             "lsf": lazy_gettext("Langue des signes française"), "other": lazy_gettext("Autre")}
CONSENT_METHODS = {"oral": lazy_gettext("À l'oral"), "written": lazy_gettext("Par écrit (formulaire signé)")}
NAME_MAX = 80
_SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


# --- reading ---------------------------------------------------------------------------------

def _load(uid: str, actor) -> Referral:
    referral = db.session.scalar(select(Referral).where(Referral.uid == str(uid)[:36]))
    # An outsider learns nothing, not even that the referral exists.
    if referral is None or not permissions.can_view(actor, referral):
        raise NotFound(NOT_FOUND)
    return referral


def get_referral(uid: str, *, actor) -> Referral:
    return _load(uid, actor)


def personal_data(referral: Referral, *, actor) -> dict | None:
    """The person's details, for a member of one of the two organisations; each read is audited.
    None once erased (closure + retention, or consent withdrawn)."""
    if not permissions.can_view(actor, referral):
        raise NotFound(NOT_FOUND)
    if referral.personal_data is None:
        return None
    try:
        data = crypto.decrypt_json(referral.personal_data)
    except crypto.InvalidToken:
        # A key removed too early: the page still works (answer, withdraw), the person is not shown.
        logger.error("referral %s: personal data cannot be decrypted with the configured keys", referral.id)
        return UNREADABLE
    audit.record(actor, "referral.personal_data_read", "referral", referral.id)
    db.session.commit()
    return data


def comments(referral: Referral, *, actor) -> dict[int, str | None]:
    """Decrypted comment texts by step id (None once erased), for a member of one of the two
    organisations; a read that shows at least one comment is audited, like the person's."""
    if not permissions.can_view(actor, referral):
        raise NotFound(NOT_FOUND)
    texts = {step.id: _readable_comment(step) for step in referral.steps}
    shown = sum(1 for text in texts.values() if text is not None and text != UNREADABLE_COMMENT)
    if shown:
        audit.record(actor, "referral.comments_read", "referral", referral.id, comments=shown)
        db.session.commit()
    return texts


def _readable_comment(step: ReferralStep) -> str | None:
    if not step.comment:
        return None
    try:
        return crypto.decrypt_text(step.comment)
    except crypto.InvalidToken:
        logger.error("referral step %s: comment cannot be decrypted with the configured keys", step.id)
        return UNREADABLE_COMMENT


# --- sending ---------------------------------------------------------------------------------

@dataclass
class ReferralTarget:
    place: Place
    organisations: list[Organisation]  # the actor's organisations that may send


def referral_target(place_public_id: str, *, actor) -> ReferralTarget:
    """The place a member wants to refer someone to, and the organisations they may send from."""
    place = directory_services.get_public_place(place_public_id, actor=actor)
    if not permissions.can_receive(place):
        raise Invalid(_("Ce lieu ne reçoit pas d'orientations par la plateforme : contactez-le directement."))
    organisations = [m.organisation for m in actor.memberships if permissions.can_send_from(actor, m.organisation)]
    if not organisations:
        raise PermissionDenied(_("Seuls les membres d'une organisation active du réseau peuvent orienter une personne."))
    return ReferralTarget(place=place, organisations=organisations)


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _clean_person(data: dict, errors: dict) -> dict:
    person = {"first_name": _text(data, "first_name"), "last_name": _text(data, "last_name")}
    if not person["first_name"]:
        errors["first_name"] = [_("Indiquez le prénom de la personne.")]
    for name in ("first_name", "last_name"):
        if len(person[name]) > NAME_MAX:
            errors[name] = [ngettext("%(num)s caractère au maximum.", "%(num)s caractères au maximum.", NAME_MAX)]
    person["phone"], person["email"] = None, None
    if _text(data, "phone"):
        try:
            person["phone"] = validators.phone(_text(data, "phone"))
        except validators.FieldError:
            errors["phone"] = [_("Numéro de téléphone invalide : saisissez par exemple 06 12 34 56 78.")]
    if _text(data, "email"):
        try:
            person["email"] = validators.email(_text(data, "email"))
        except validators.FieldError:
            errors["email"] = [validators.INVALID_EMAIL]
    channel = _text(data, "contact_channel") or "phone"
    if channel not in CHANNELS:
        errors["contact_channel"] = [_("Choisissez un moyen de contact de la liste.")]
    elif channel in ("phone", "sms") and not person["phone"] and "phone" not in errors:
        errors["phone"] = [_("Indiquez un numéro de téléphone, ou choisissez un autre moyen de contact.")]
    elif channel == "email" and not person["email"] and "email" not in errors:
        errors["email"] = [_("Indiquez une adresse électronique, ou choisissez un autre moyen de contact.")]
    language = _text(data, "language") or "fr"
    if language not in LANGUAGES:
        errors["language"] = [_("Choisissez une langue de la liste.")]
    need = str(data.get("need") or "").strip()
    limit = current_app.config["REFERRAL_NEED_MAX"]
    if not need:
        errors["need"] = [_("Décrivez en quelques mots le besoin de la personne.")]
    elif len(need) > limit:
        errors["need"] = [ngettext("%(num)s caractère au maximum (actuellement %(length)s).",
                                     "%(num)s caractères au maximum (actuellement %(length)s).", limit, length=len(need))]
    person.update(language=language, need=need)
    return {"person": person, "channel": channel}


def _clean_referral(data: dict, place: Place, sender_ids: set[int]) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned = _clean_person(data, errors)
    service = _text(data, "service")
    if service not in SERVICES:
        errors["service"] = [_("Choisissez un service du vocabulaire national.")]
    elif place.services and service not in place.services:
        errors["service"] = [_("Ce lieu ne propose pas ce service : choisissez-en un qu'il propose.")]
    try:
        sender_id = int(data.get("sender_organisation_id") or 0)
    except (TypeError, ValueError):
        sender_id = 0
    if sender_id not in sender_ids:
        errors["sender_organisation_id"] = [_("Choisissez l'organisation au nom de laquelle vous orientez.")]
    if not data.get("consent"):
        errors["consent"] = [_("Sans le consentement de la personne, l'orientation ne peut pas être envoyée.")]
    method = _text(data, "consent_method")
    if method not in CONSENT_METHODS:
        errors["consent_method"] = [_("Indiquez comment le consentement a été recueilli.")]
    if errors:
        raise Invalid(_("Certaines informations de l'orientation ne sont pas valables."), errors=errors)
    return {**cleaned, "service": service, "sender_id": sender_id, "consent_method": method,
            "urgent": bool(data.get("urgent"))}


def _existing_submission(submission_key: str, actor) -> Referral | None:
    referral = db.session.scalar(select(Referral).where(Referral.submission_key == submission_key))
    if referral is not None and referral.sender_user_id != getattr(actor, "id", None):
        raise Invalid(_("Ce formulaire a déjà été utilisé : rechargez la page."))
    return referral


def create_referral(place_public_id: str, data: dict, *, actor) -> Referral:
    """Sends a referral. ``data["submission_key"]`` is the form's one-time key: sending the same
    form twice (double click, reload) returns the referral created the first time."""
    submission_key = _text(data, "submission_key")
    if not _SUBMISSION_KEY.match(submission_key):
        raise Invalid(_("Le formulaire a expiré : rechargez la page."))
    existing = _existing_submission(submission_key, actor)
    if existing is not None:
        return existing
    target = referral_target(place_public_id, actor=actor)
    cleaned = _clean_referral(data, target.place, {o.id for o in target.organisations})
    now = utcnow()
    config = current_app.config
    referral = Referral(
        submission_key=submission_key, sender_organisation_id=cleaned["sender_id"], sender_user_id=actor.id,
        place_id=target.place.id, receiver_organisation_id=target.place.organisation_id,
        service=cleaned["service"], urgent=cleaned["urgent"], contact_channel=cleaned["channel"],
        personal_data=crypto.encrypt_json(cleaned["person"]), status=workflow.SENT,
        consent_at=now, consent_recorded_by_id=actor.id, consent_method=cleaned["consent_method"],
        consent_text_version=config["REFERRAL_CONSENT_VERSION"], created_at=now,
        expires_at=now + timedelta(days=config["REFERRAL_EXPIRY_DAYS"]),
        next_reminder_at=working_days_after(now, config["REFERRAL_REMINDER_FIRST_WORKING_DAYS"]),
    )
    db.session.add(referral)
    try:
        db.session.flush()
    except IntegrityError:  # the same form, posted twice at the same moment: the other one won
        db.session.rollback()
        return _existing_submission(submission_key, actor) or _load_by_key(submission_key)
    referral.steps.append(ReferralStep(actor_id=actor.id, organisation_id=referral.sender_organisation_id,
                                       kind=workflow.SENT, at=now))
    audit.record(actor, "referral.sent", "referral", referral.id, service=referral.service,
                 receiver_organisation_id=referral.receiver_organisation_id)
    _notify(referral, "receiver", "referrals/mail/received", _("Nouvelle orientation reçue"))
    db.session.commit()
    return referral


def _load_by_key(submission_key: str) -> Referral:
    referral = db.session.scalar(select(Referral).where(Referral.submission_key == submission_key))
    if referral is None:
        raise Invalid(_("L'orientation n'a pas pu être enregistrée : réessayez."))
    return referral


# --- notifications ---------------------------------------------------------------------------

def members_to_notify(organisation_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.organisation_id == organisation_id, User.active.is_(True))
        .order_by(User.id)))


def _notify(referral: Referral, side: str, template: str, subject: str, *, key: str | None = None, **context):
    """Mails every member of one side. No personal data: the service, the place, a link."""
    organisation_id = referral.receiver_organisation_id if side == "receiver" else referral.sender_organisation_id
    link = external_url("referrals.detail", uid=referral.uid)
    for user in members_to_notify(organisation_id):
        mail.queue(user.email, str(subject), template, referral=referral, link=link, user=user,
                   status_label=workflow.STATUS_LABELS.get(referral.status), **context,
                   dedupe_key=f"referral:{referral.id}:{key or template}:{user.id}")


# --- transitions -------------------------------------------------------------------------------

TRANSITION_MAIL = {
    workflow.ACCEPTED: ("sender", "referrals/mail/answered", lazy_gettext("Votre orientation a été acceptée")),
    workflow.DECLINED: ("sender", "referrals/mail/answered", lazy_gettext("Votre orientation a été refusée")),
    workflow.CANCELLED: ("receiver", "referrals/mail/cancelled", lazy_gettext("Une orientation a été annulée")),
    workflow.WITHDRAWN: ("other", "referrals/mail/withdrawn", lazy_gettext("Une orientation a été close (consentement retiré)")),
    **{outcome: ("sender", "referrals/mail/closed", lazy_gettext("Une orientation est terminée")) for outcome in workflow.OUTCOMES},
}


def _acting_organisation_id(referral: Referral, side: str) -> int:
    return referral.sender_organisation_id if side == "sender" else referral.receiver_organisation_id


def _erase_personal_data(referral: Referral, now: datetime) -> None:
    referral.personal_data = None
    for step in referral.steps:
        step.comment = None
    referral.purged_at = now


def _move(referral: Referral, target: str, *, actor, side: str, reason: str | None = None,
          comment: str | None = None, now: datetime | None = None) -> ReferralStep:
    now = now or utcnow()
    who = workflow.TRANSITIONS.get((referral.status, target))
    acting_side = who if who in ("sender", "receiver") else ("sender" if side == "both" else side)
    step = ReferralStep(actor_id=getattr(actor, "id", None), kind=target, from_status=referral.status,
                        reason=reason, at=now,
                        organisation_id=_acting_organisation_id(referral, acting_side) if actor else None,
                        comment=crypto.encrypt_text(comment) if comment else None)
    referral.steps.append(step)
    referral.status = target
    referral.last_activity_at = now
    if target in (workflow.ACCEPTED, workflow.DECLINED):
        referral.answered_at = now
    if target in workflow.FINAL_STATUSES:
        referral.closed_at = now
        referral.next_reminder_at = None
    if target == workflow.ACCEPTED:
        referral.next_reminder_at = None
    return step


def _transition(uid: str, target: str, *, actor, reason: str | None = None, comment: str | None = None,
                updates: dict | None = None, **context) -> Referral:
    referral = _load(uid, actor)
    side = permissions.side(actor, referral)
    if target != workflow.WITHDRAWN:  # erasing a person's data is never blocked
        _require_active(referral, _acting_side(referral, target, side))
    if not workflow.allowed(referral.status, target, side):
        raise PermissionDenied(
            _("Impossible : l'orientation est « %(status)s », ou cette action revient à l'autre organisation.",
              status=workflow.STATUS_LABELS[referral.status].lower()))
    comment = _clean_comment(comment, required=False)
    for name, value in (updates or {}).items():
        setattr(referral, name, value)
    _move(referral, target, actor=actor, side=side, reason=reason, comment=comment)
    if target == workflow.WITHDRAWN:
        referral.consent_withdrawn_at = utcnow()
        _erase_personal_data(referral, referral.consent_withdrawn_at)
    audit.record(actor, f"referral.{target}", "referral", referral.id, reason=reason)
    _flush()  # the version check, before the notifications are queued
    notify_side, template, subject = TRANSITION_MAIL[target]
    if notify_side == "other":
        notify_side = "receiver" if side == "sender" else "sender"
    _notify(referral, notify_side, template, subject, key=target, **context)
    db.session.commit()
    return referral


def _acting_side(referral: Referral, target: str, side: str) -> str:
    """The organisation a person acts for: theirs, or for a member of both, the one the transition
    belongs to."""
    if side != "both":
        return side
    who = workflow.TRANSITIONS.get((referral.status, target))
    return who if who in ("sender", "receiver") else "sender"


def _require_active(referral: Referral, side: str) -> None:
    organisation = referral.sender_organisation if side == "sender" else referral.receiver_organisation
    if not organisation.is_active:
        raise PermissionDenied(_("Votre organisation n'est pas active : elle ne peut pas agir sur cette orientation."))


def _flush() -> None:
    """Writes the referral now: another person's change committed meanwhile becomes a Conflict.
    The commit that follows writes no referral any more (only mail), so it needs no such check."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(CONFLICT) from None


def _clean_comment(text: str | None, *, required: bool) -> str | None:
    text = (text or "").strip()
    limit = current_app.config["REFERRAL_COMMENT_MAX"]
    if required and not text:
        raise Invalid(_("Écrivez un commentaire."), errors={"comment": [_("Écrivez un commentaire.")]})
    if len(text) > limit:
        message = ngettext("%(num)s caractère au maximum.", "%(num)s caractères au maximum.", limit)
        raise Invalid(message, errors={"comment": [message]})
    return text or None


def accept_referral(uid: str, *, actor, comment: str | None = None) -> Referral:
    return _transition(uid, workflow.ACCEPTED, actor=actor, comment=comment)


def decline_referral(uid: str, *, actor, reason: str, comment: str | None = None) -> Referral:
    if reason not in workflow.DECLINE_REASONS:
        raise Invalid(_("Choisissez un motif de refus."), errors={"reason": [_("Choisissez un motif de refus.")]})
    if reason == "other" and not (comment or "").strip():
        raise Invalid(_("Précisez le motif en commentaire."), errors={"comment": [_("Précisez le motif en commentaire.")]})
    return _transition(uid, workflow.DECLINED, actor=actor, reason=reason, comment=comment,
                       updates={"decline_reason": reason})


def cancel_referral(uid: str, *, actor, comment: str | None = None) -> Referral:
    return _transition(uid, workflow.CANCELLED, actor=actor, comment=comment)


def record_outcome(uid: str, outcome: str, *, actor, comment: str | None = None,
                   redirected_place_public_id: str | None = None) -> Referral:
    if outcome not in workflow.OUTCOMES:
        raise Invalid(_("Choisissez l'issue de l'orientation."), errors={"outcome": [_("Choisissez une issue.")]})
    redirected = None
    if outcome == workflow.REDIRECTED:
        try:
            redirected = directory_services.get_published_place(redirected_place_public_id or "")
        except NotFound:
            raise Invalid(_("Indiquez le lieu vers lequel la personne a été réorientée."),
                          errors={"redirected_place": [_("Choisissez un lieu publié de l'annuaire.")]}) from None
    updates = {"outcome": outcome, "redirected_place_id": redirected.id if redirected else None}
    return _transition(uid, outcome, actor=actor, reason=outcome, comment=comment, updates=updates)


def withdraw_consent(uid: str, *, actor) -> Referral:
    """The person no longer agrees: their details and the comments are erased now. An open referral
    closes; a closed one keeps its outcome (the statistics) and loses the person at once, without
    waiting for the retention period."""
    referral = _load(uid, actor)
    if referral.status in workflow.OPEN_STATUSES:
        return _transition(uid, workflow.WITHDRAWN, actor=actor)
    if referral.personal_data is None and referral.purged_at is not None:
        return referral  # already erased: nothing left to withdraw
    side = permissions.side(actor, referral)
    now = utcnow()
    referral.steps.append(ReferralStep(
        actor_id=actor.id, kind=workflow.WITHDRAWN, from_status=referral.status, at=now,
        organisation_id=_acting_organisation_id(referral, "sender" if side == "both" else side)))
    referral.consent_withdrawn_at = referral.last_activity_at = now
    _erase_personal_data(referral, now)
    audit.record(actor, "referral.withdrawn", "referral", referral.id, after_closure=True)
    _flush()
    _notify(referral, "receiver" if side == "sender" else "sender", "referrals/mail/withdrawn",
            _("Une orientation a été close (consentement retiré)"), key=workflow.WITHDRAWN)
    db.session.commit()
    return referral


def add_comment(uid: str, text: str, *, actor) -> ReferralStep:
    referral = _load(uid, actor)
    if referral.purged_at is not None:
        raise Invalid(_("Cette orientation est archivée : on ne peut plus la commenter."))
    side = _acting_side(referral, "comment", permissions.side(actor, referral))
    _require_active(referral, side)
    step = ReferralStep(actor_id=actor.id, kind="comment", from_status=referral.status,
                        organisation_id=_acting_organisation_id(referral, side),
                        comment=crypto.encrypt_text(_clean_comment(text, required=True)))
    referral.steps.append(step)
    # Updating the row checks its version: a comment never lands after the erasure committed.
    referral.last_activity_at = utcnow()
    audit.record(actor, "referral.comment", "referral", referral.id)
    _flush()
    other = "receiver" if side == "sender" else "sender"
    _notify(referral, other, "referrals/mail/comment", _("Nouveau commentaire sur une orientation"), key=f"comment-{step.id}")
    db.session.commit()
    return step
