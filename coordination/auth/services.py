"""Account use cases: authentication, password reset, organisations joining the network,
coordinator decisions, members and invitations.

Each public function is one use case: it loads, checks permissions (coordination.auth.permissions),
validates, applies, records an audit event, queues mail through the outbox and commits.
"""
import functools
import hashlib
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError
from stdnum.fr import siret as stdnum_siret
from werkzeug.security import check_password_hash, generate_password_hash

from coordination import audit, signals, mail
from coordination.auth import permissions
from coordination.auth.models import Invitation, Membership, Organisation, User
from coordination.clock import utcnow
from coordination.errors import Conflict, Invalid, NotFound, PermissionDenied
from coordination.extensions import db
from coordination.utils import external_url
from coordination.vocabularies import ORGANISATION_KINDS, ROLES

log = logging.getLogger(__name__)

PASSWORD_MIN_LENGTH = 12
RESET_SALT = "password-reset"
INVITATION_SALT = "invitation"

# Reasons a signed link is refused; views map them to an HTTP status.
LINK_BAD, LINK_EXPIRED, LINK_USED, LINK_REVOKED = "bad", "expired", "used", "revoked"


# --- small helpers ---------------------------------------------------------------------------

def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _actor(actor) -> User | None:
    """The authenticated, active user behind `actor` (Flask-Login's anonymous user gives None)."""
    if not permissions.is_authenticated(actor):
        return None
    # Flask-Login's current_user is a proxy: keep the real User (a proxy stored in g loops forever).
    return actor._get_current_object() if hasattr(actor, "_get_current_object") else actor


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _password_fingerprint(user: User) -> str:
    """The fingerprint signed into password-reset links: a digest of the whole password hash, so a
    link dies with the password it was asked for and reveals nothing of it. Not the session stamp
    (see `session_stamp`), which must stay what `User.get_id` embeds in existing sessions."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _check_password_strength(password: str | None, field: str = "password") -> str:
    if not password or len(password) < PASSWORD_MIN_LENGTH:
        raise Invalid(errors={field: f"Le mot de passe doit contenir au moins {PASSWORD_MIN_LENGTH} caractères."})
    return password


# Names, emails and subjects are single-line: they end up in mail subjects and headers.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_CHARACTERS_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # multi-line texts keep \n and \t
_SINGLE_LINE = "Ce champ ne peut contenir ni retour à la ligne ni caractère de contrôle."
_PRINTABLE = "Ce champ contient un caractère de contrôle : retirez-le."


def _single_line(value: str, field: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise Invalid(errors={field: _SINGLE_LINE})
    return value


def _check_email(email: str, field: str = "email") -> str:
    email = _single_line(normalise_email(email), field)
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise Invalid(errors={field: "Adresse électronique invalide."}) from None


def _required_text(value: str | None, field: str, message: str, max_length: int, *,
                   multiline: bool = False) -> str:
    """A trimmed, non-empty text. Single-line unless `multiline` (line breaks normalised to \n)."""
    value = (value or "").strip()
    if not value:
        raise Invalid(errors={field: message})
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if CONTROL_CHARACTERS_BUT_LINES.search(value):
            raise Invalid(errors={field: _PRINTABLE})
    else:
        _single_line(value, field)
    if len(value) > max_length:
        raise Invalid(errors={field: f"{max_length} caractères au maximum."})
    return value


# --- validation of organisation data (also used by the forms, so errors sit next to fields) ---

RNA_PATTERN = re.compile(r"W\d{9}")


def normalise_pivot(value: str | None) -> str:
    """A SIRET (14 digits, Luhn checksum) or an RNA number (W followed by 9 digits), spaces removed."""
    compact = re.sub(r"[\s.\-]", "", value or "").upper()
    if not compact:
        raise Invalid(errors={"pivot": "Indiquez le SIRET ou le numéro RNA de l'organisation."})
    if compact.startswith("W"):
        if not RNA_PATTERN.fullmatch(compact):
            raise Invalid(errors={"pivot": "Le numéro RNA commence par W suivi de 9 chiffres (ex. : W441234567)."})
        return compact
    try:
        return stdnum_siret.validate(compact)
    except InvalidChecksum:
        raise Invalid(errors={"pivot": "Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle incorrecte)."}) from None
    except InvalidLength:
        raise Invalid(errors={"pivot": "Le SIRET comporte 14 chiffres."}) from None
    except ValidationError:
        raise Invalid(errors={"pivot": "Indiquez un SIRET (14 chiffres) ou un numéro RNA (W suivi de 9 chiffres)."}) from None


def normalise_phone(value: str | None, field: str = "contact_phone") -> str:
    """A French (or international) phone number in E.164 form, e.g. +33240000000."""
    try:
        number = phonenumbers.parse((value or "").strip(), "FR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise Invalid(errors={field: "Numéro de téléphone invalide (ex. : 02 40 00 00 00)."})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_website(value: str | None, field: str = "website") -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    _single_line(value, field)
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or "." not in parts.netloc or len(value) > 500:
        raise Invalid(errors={field: "Adresse de site invalide : elle commence par https:// (ex. : https://exemple.fr)."})
    return value


# --- sessions and login ----------------------------------------------------------------------

def load_user(session_id: str) -> User | None:
    """Flask-Login loader. The session id embeds a fragment of the password hash, so that
    changing a password ends every other session."""
    user_id, _, stamp = (session_id or "").partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or session_stamp(user) != stamp:
        return None
    return user


def session_stamp(user: User) -> str:
    """The password stamp of a session id: whatever `User.get_id` puts after the colon."""
    return user.get_id().partition(":")[2]


def find_user_by_email(email: str) -> User | None:
    # Emails are stored lower-cased: a plain comparison lets PostgreSQL use the unique index.
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made once with the method of real hashes: unknown accounts
    cost a login the same hashing work as known ones (no timing oracle on account existence)."""
    return generate_password_hash(secrets.token_urlsafe(24))


def authenticate(email: str, password: str) -> User | None:
    """Returns the active user with these credentials, or None (same answer, and the same
    hashing work, for every failure: the password is checked before anything else)."""
    user = find_user_by_email(email)
    has_password = user is not None and bool(user.password_hash)
    matches = check_password_hash(user.password_hash if has_password else _dummy_hash(), password or "")
    if not (has_password and matches and user.active):
        log.info("failed login")
        return None
    user.last_login_at = utcnow()
    audit.record(user, "user.login", "user", user.id)
    db.session.commit()
    return user


# --- password reset --------------------------------------------------------------------------

def request_password_reset(*, email: str) -> None:
    """Queues a reset link when an active account has this email, at most one per quarter of an
    hour; does nothing visible otherwise (the caller answers the same either way: no account
    enumeration). Both paths sign a token and render the mail, so they take about as long."""
    user = find_user_by_email(email)
    account = user if user is not None and user.active else None
    recipient = account or _NoAccount(email=normalise_email(email))
    token = _serializer(RESET_SALT).dumps({"u": recipient.id, "p": _password_fingerprint(recipient)})
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    context = {"user": recipient, "link": external_url("auth.reset_password", token=token),
               "minutes": max(max_age // 60, 1)}
    if account is None:
        render_template("mail/auth_password_reset.txt", network_name=current_app.config["NETWORK_NAME"], **context)
        log.info("password reset asked for an unknown or inactive address")
        return
    queued = mail.queue(account.email, "Réinitialiser votre mot de passe", "auth_password_reset",
                        dedupe_key=f"reset:{account.id}:{int(time.time()) // 900}", **context)
    if queued is None:
        log.info("password reset already mailed to user %s this quarter of an hour", account.id)
        return
    audit.record(account, "user.password_reset_requested", "user", account.id)
    db.session.commit()


@dataclass
class _NoAccount:
    """Stands in for the user when nobody has the address, so the same work is done."""
    email: str
    id: int = 0
    name: str = ""
    password_hash: str = ""


def user_for_reset_token(token: str) -> User:
    """The user a reset link belongs to; Invalid (with reason) when expired, tampered or used."""
    try:
        payload = _serializer(RESET_SALT).loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise Invalid("Ce lien de réinitialisation a expiré.", reason=LINK_EXPIRED) from None
    except BadSignature:
        raise Invalid("Ce lien de réinitialisation n'est pas valide.", reason=LINK_BAD) from None
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not user.active:
        raise Invalid("Ce lien de réinitialisation n'est pas valide.", reason=LINK_BAD)
    if payload.get("p") != _password_fingerprint(user):
        raise Invalid("Ce lien de réinitialisation a déjà servi.", reason=LINK_USED)
    return user


def reset_password(*, token: str, password: str) -> User:
    """Sets a new password from a reset link. The link dies with the old password, and so do
    the other sessions of this account (their session id carries the old password stamp)."""
    user = user_for_reset_token(token)
    user.set_password(_check_password_strength(password))
    audit.record(user, "user.password_reset", "user", user.id)
    mail.queue(user.email, "Votre mot de passe a été modifié", "auth_password_changed", user=user,
               link=external_url("auth.forgot_password"))
    db.session.commit()
    return user


# --- joining the network ---------------------------------------------------------------------

def join_network(*, name: str, kind: str, pivot: str, contact_email: str, contact_phone: str,
                 website: str | None = None, admin_name: str | None = None, admin_email: str | None = None,
                 password: str | None = None, actor=None) -> tuple[Organisation, User] | None:
    """An organisation asks to join the network. It is created 'pending' with its first admin:
    the logged-in person (actor) or a new account. Coordinators are notified.

    When an anonymous visitor gives the address of an existing account, nothing is created and
    None is returned: the caller answers as for a success (no account enumeration), and the
    address gets a mail asking to log in first."""
    actor = _actor(actor)
    name = _required_text(name, "name", "Indiquez le nom de l'organisation.", 200)
    if kind not in ORGANISATION_KINDS:
        raise Invalid(errors={"kind": "Choisissez un type d'organisation dans la liste."})
    pivot = normalise_pivot(pivot)
    contact_email = _check_email(contact_email, "contact_email")
    contact_phone = normalise_phone(contact_phone)
    website = normalise_website(website)
    if actor is None:
        admin_name = _required_text(admin_name, "admin_name", "Indiquez votre nom.", 120)
        admin_email = _check_email(admin_email, "admin_email")
        _check_password_strength(password)
    _check_pivot_free(pivot)
    if actor is None and find_user_by_email(admin_email):
        return _join_with_existing_account(admin_email, password)

    organisation = Organisation(name=name, kind=kind, pivot=pivot, contact_email=contact_email,
                                contact_phone=contact_phone, website=website, status="pending")
    admin = actor
    if admin is None:
        admin = User(email=admin_email, name=admin_name)
        admin.set_password(password)
        db.session.add(admin)
    db.session.add(organisation)
    db.session.add(Membership(user=admin, organisation=organisation, role="admin"))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        _check_pivot_free(pivot)
        if actor is None and find_user_by_email(admin_email):
            return _join_with_existing_account(admin_email, password)
        raise
    if actor is None:
        audit.record(admin, "user.created", "user", admin.id, via="join")
    audit.record(admin, "organisation.join_requested", "organisation", organisation.id, kind=kind)
    mail.queue(contact_email, "Votre demande d'adhésion au réseau a bien été reçue", "auth_join_received",
               organisation=organisation)
    link = external_url("auth.coordination_home")
    for coordinator in _coordinators():
        mail.queue(coordinator.email, f"Nouvelle demande d'adhésion : {organisation.name}",
                   "auth_join_coordinator", organisation=organisation, kind_label=ORGANISATION_KINDS[kind],
                   link=link)
    _commit_or_conflict(pivot)
    return organisation, admin


def _join_with_existing_account(email: str, password: str) -> None:
    """Mails the owner of an existing account (once a day per address) instead of telling the
    visitor. The mail carries no text from the form: strangers cannot use it to write to people."""
    generate_password_hash(password)  # the hashing work of a new account: both answers take as long
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    mail.queue(email, "Votre demande d'adhésion au réseau", "auth_join_account_exists",
               dedupe_key=f"join-account-exists:{digest}:{utcnow().date().isoformat()}",
               login_link=external_url("auth.login"), join_link=external_url("auth.join"),
               forgot_link=external_url("auth.forgot_password"))
    log.info("join form used with the address of an existing account")
    try:
        db.session.commit()
    except IntegrityError:  # the same mail was queued by a simultaneous request
        db.session.rollback()
    return None


_PIVOT_TAKEN = "Une organisation avec ce SIRET ou ce numéro RNA est déjà inscrite sur le réseau."


def _check_pivot_free(pivot: str) -> None:
    if db.session.scalar(select(Organisation.id).where(Organisation.pivot == pivot)):
        raise Invalid(errors={"pivot": _PIVOT_TAKEN})


def _commit_or_conflict(pivot: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        _check_pivot_free(pivot)
        raise


def _coordinators() -> list[User]:
    return db.session.scalars(
        select(User).where(User.is_coordinator.is_(True), User.active.is_(True)).order_by(User.id)
    ).all()


# --- coordinator decisions -------------------------------------------------------------------

def pending_organisations(*, actor) -> list[Organisation]:
    _require_coordinator(actor)
    return db.session.scalars(
        select(Organisation).where(Organisation.status == "pending").order_by(Organisation.created_at)
    ).all()


def all_organisations(*, actor) -> list[Organisation]:
    _require_coordinator(actor)
    return db.session.scalars(select(Organisation).order_by(func.lower(Organisation.name))).all()


def accept_organisation(organisation_id: int, *, actor) -> Organisation:
    organisation = _decide(organisation_id, actor=actor, from_status="pending", to_status="active")
    audit.record(actor, "organisation.accepted", "organisation", organisation.id)
    _notify_organisation(organisation, "Votre organisation a rejoint le réseau", "auth_organisation_accepted",
                         link=external_url("directory.partner_home"))
    _commit_decision(organisation)
    return organisation


def refuse_organisation(organisation_id: int, *, reason: str, actor) -> Organisation:
    reason = _required_text(reason, "reason", "Indiquez le motif du refus.", 1000, multiline=True)
    organisation = _decide(organisation_id, actor=actor, from_status="pending", to_status="refused")
    organisation.refusal_reason = reason
    audit.record(actor, "organisation.refused", "organisation", organisation.id, reason=reason)
    _notify_organisation(organisation, "Votre demande d'adhésion au réseau", "auth_organisation_refused",
                         reason=reason)
    _commit_decision(organisation)
    return organisation


def suspend_organisation(organisation_id: int, *, reason: str, actor) -> Organisation:
    reason = _required_text(reason, "reason", "Indiquez le motif de la suspension.", 1000, multiline=True)
    organisation = _decide(organisation_id, actor=actor, from_status="active", to_status="suspended")
    audit.record(actor, "organisation.suspended", "organisation", organisation.id, reason=reason)
    _notify_organisation(organisation, "Votre organisation est suspendue du réseau", "auth_organisation_suspended",
                         reason=reason)
    _commit_decision(organisation)
    return organisation


def reactivate_organisation(organisation_id: int, *, reason: str, actor) -> Organisation:
    reason = _required_text(reason, "reason", "Indiquez le motif de la réactivation.", 1000, multiline=True)
    organisation = _decide(organisation_id, actor=actor, from_status="suspended", to_status="active")
    audit.record(actor, "organisation.reactivated", "organisation", organisation.id, reason=reason)
    _notify_organisation(organisation, "Votre organisation est de nouveau active sur le réseau",
                         "auth_organisation_reactivated", reason=reason, link=external_url("directory.partner_home"))
    _commit_decision(organisation)
    return organisation


def _commit_decision(organisation: Organisation) -> None:
    """Commits a status decision, then tells the other domains (the directory re-indexes the places)."""
    db.session.commit()
    signals.organisation_status_changed.send(organisation.id, status=organisation.status)


def _require_coordinator(actor) -> None:
    if not permissions.can_decide_organisation(actor):
        raise PermissionDenied()


def _decide(organisation_id: int, *, actor, from_status: str, to_status: str) -> Organisation:
    _require_coordinator(actor)
    organisation = db.session.get(Organisation, organisation_id, with_for_update=True)
    if organisation is None:
        raise NotFound("Cette organisation n'existe pas.")
    if organisation.status != from_status:
        raise Conflict("Cette organisation a changé de statut entre-temps : rechargez la page.")
    organisation.status = to_status
    organisation.decided_at = utcnow()
    organisation.decided_by_id = actor.id
    return organisation


def _notify_organisation(organisation: Organisation, subject: str, template: str, **context) -> None:
    """Mails the organisation's contact address and its admins (each address once)."""
    recipients = [organisation.contact_email] + [
        m.user.email for m in organisation.memberships if m.role == "admin" and m.user.active]
    for recipient in dict.fromkeys(normalise_email(r) for r in recipients):
        mail.queue(recipient, subject, template, organisation=organisation, **context)


# --- members and invitations -----------------------------------------------------------------

@dataclass
class MembersOverview:
    organisation: Organisation
    memberships: list[Membership]
    invitations: list[Invitation]
    can_manage: bool


def get_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("Cette organisation n'existe pas.")
    return organisation


def members_overview(organisation_id: int, *, actor) -> MembersOverview:
    """The members and pending invitations of an organisation, for its members and coordinators."""
    organisation = get_organisation(organisation_id)
    if not permissions.can_view_organisation(actor, organisation):
        raise PermissionDenied()
    memberships = db.session.scalars(
        select(Membership).join(User).where(Membership.organisation_id == organisation.id)
        .order_by(Membership.role, func.lower(User.name))
    ).all()
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.organisation_id == organisation.id, Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at)
    ).all()
    return MembersOverview(organisation, memberships, invitations,
                           permissions.can_manage_members(actor, organisation))


def _managed_organisation(organisation_id: int, actor) -> Organisation:
    organisation = get_organisation(organisation_id)
    if not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied()
    return organisation


def invite_member(organisation_id: int, *, email: str, role: str, actor) -> Invitation:
    """Emails a signed, single-use invitation link. A new invitation replaces a pending one
    for the same address."""
    organisation = _managed_organisation(organisation_id, actor)
    email = _check_email(email)
    if role not in ROLES:
        raise Invalid(errors={"role": "Choisissez un rôle dans la liste."})
    existing = find_user_by_email(email)
    if existing is not None and existing.membership_in(organisation.id):
        raise Invalid(errors={"email": "Cette personne est déjà membre de l'organisation."})
    now = utcnow()
    db.session.execute(
        update(Invitation).where(Invitation.organisation_id == organisation.id, Invitation.email == email,
                                 Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    max_age = current_app.config["INVITATION_MAX_AGE"]
    invitation = Invitation(organisation=organisation, email=email, role=role, nonce=secrets.token_urlsafe(24),
                            invited_by_id=actor.id, created_at=now, expires_at=now + timedelta(seconds=max_age))
    db.session.add(invitation)
    db.session.flush()
    token = _serializer(INVITATION_SALT).dumps({"i": invitation.id, "n": invitation.nonce})
    mail.queue(email, f"Invitation à rejoindre {organisation.name} sur Maillage", "auth_invitation",
               organisation=organisation, inviter=actor, role_label=ROLES[role], has_account=existing is not None,
               link=external_url("auth.invitation", token=token), expires_at=invitation.expires_at)
    audit.record(actor, "invitation.created", "invitation", invitation.id, organisation_id=organisation.id,
                 role=role)
    db.session.commit()
    return invitation


def revoke_invitation(organisation_id: int, invitation_id: int, *, actor) -> Invitation:
    organisation = _managed_organisation(organisation_id, actor)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        raise NotFound("Cette invitation n'existe pas.")
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        audit.record(actor, "invitation.revoked", "invitation", invitation.id, organisation_id=organisation.id)
        db.session.commit()
    return invitation


def remove_member(organisation_id: int, membership_id: int, *, actor) -> None:
    """Removes a member. The last admin of an organisation cannot be removed."""
    organisation = _managed_organisation(organisation_id, actor)
    db.session.refresh(organisation, with_for_update=True)  # serialises concurrent removals (PostgreSQL)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != organisation.id:
        raise NotFound("Ce membre n'existe pas ou a déjà été retiré.")
    if membership.role == "admin":
        admins = db.session.scalar(select(func.count(Membership.id)).where(
            Membership.organisation_id == organisation.id, Membership.role == "admin"))
        if admins <= 1:
            raise Conflict("Impossible de retirer le dernier administrateur de l'organisation : "
                           "nommez d'abord un autre administrateur.")
    audit.record(actor, "membership.removed", "organisation", organisation.id, user_id=membership.user_id,
                 role=membership.role)
    db.session.delete(membership)
    db.session.commit()


# Invitation links

INVITATION_MESSAGES = {
    LINK_BAD: "Ce lien d'invitation n'est pas valide.",
    LINK_EXPIRED: "Cette invitation a expiré.",
    LINK_USED: "Cette invitation a déjà été acceptée.",
    LINK_REVOKED: "Cette invitation a été annulée.",
}


def _invitation_error(reason: str) -> Invalid:
    return Invalid(INVITATION_MESSAGES[reason], reason=reason)


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation behind a link; Invalid (with reason) otherwise."""
    try:
        payload = _serializer(INVITATION_SALT).loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except SignatureExpired:
        raise _invitation_error(LINK_EXPIRED) from None
    except BadSignature:
        raise _invitation_error(LINK_BAD) from None
    invitation = db.session.get(Invitation, payload.get("i")) if isinstance(payload, dict) else None
    if invitation is None or not secrets.compare_digest(str(payload.get("n", "")), invitation.nonce):
        raise _invitation_error(LINK_BAD)
    if invitation.accepted_at is not None:
        raise _invitation_error(LINK_USED)
    if invitation.revoked_at is not None:
        raise _invitation_error(LINK_REVOKED)
    if invitation.expires_at <= utcnow():
        raise _invitation_error(LINK_EXPIRED)
    return invitation


@dataclass
class InvitationState:
    invitation: Invitation
    step: str  # "signup" (no account yet) | "login" (account exists, not logged in) | "wrong_account" | "confirm"


def invitation_state(token: str, *, actor) -> InvitationState:
    """What the person holding an invitation link has to do next."""
    invitation = invitation_from_token(token)
    actor = _actor(actor)
    if actor is not None:
        step = "confirm" if normalise_email(actor.email) == invitation.email else "wrong_account"
    else:
        step = "login" if find_user_by_email(invitation.email) else "signup"
    return InvitationState(invitation, step)


def accept_invitation(*, token: str, actor=None, name: str | None = None, password: str | None = None) -> User:
    """Accepts an invitation: as the logged-in account with the invited address, or by creating
    that account (name + password). Single use, even with two simultaneous clicks."""
    invitation = invitation_from_token(token)
    actor = _actor(actor)
    if actor is not None and normalise_email(actor.email) != invitation.email:
        raise PermissionDenied("Cette invitation est destinée à une autre adresse électronique.")
    if actor is None:
        if find_user_by_email(invitation.email):
            raise PermissionDenied("Un compte existe déjà pour cette adresse : connectez-vous pour accepter.")
        name = _required_text(name, "name", "Indiquez votre nom.", 120)
        _check_password_strength(password)
    claimed = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None)).values(accepted_at=utcnow())
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise _invitation_error(LINK_USED)
    user = actor
    if user is None:
        user = User(email=invitation.email, name=name)
        user.set_password(password)
        db.session.add(user)
    if user.membership_in(invitation.organisation_id) is None:
        db.session.add(Membership(user=user, organisation_id=invitation.organisation_id, role=invitation.role))
    try:
        db.session.flush()
    except IntegrityError:  # the account or the membership appeared meanwhile
        db.session.rollback()
        raise _invitation_error(LINK_USED) from None
    if actor is None:
        audit.record(user, "user.created", "user", user.id, via="invitation")
    audit.record(user, "invitation.accepted", "invitation", invitation.id,
                 organisation_id=invitation.organisation_id, role=invitation.role)
    db.session.commit()
    return user


# --- command line ----------------------------------------------------------------------------

def create_coordinator(*, email: str, name: str | None = None, password: str | None = None,
                       actor=None) -> tuple[User, bool]:
    """Creates a coordinator account, or makes an existing account coordinator.
    Returns (user, created)."""
    email = _check_email(email)
    user = find_user_by_email(email)
    created = user is None
    if created:
        user = User(email=email, name=_required_text(name or email.split("@")[0], "name", "Indiquez un nom.", 120))
        user.set_password(_check_password_strength(password))
        db.session.add(user)
    elif password:
        user.set_password(_check_password_strength(password))
    user.is_coordinator = True
    db.session.flush()
    audit.record(_actor(actor), "user.coordinator_granted", "user", user.id, created=created)
    db.session.commit()
    return user, created
