"""Account use cases: authentication, password reset, organisations joining the network,
coordinator decisions, members and invitations.

Each public function is one use case: it loads, checks permissions (coordination.auth.permissions),
validates, applies, records an audit record, queues mail through the outbox and commits.
"""
import functools
import hashlib
import hmac
import logging
import math
import re
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext

from coordination import audit, mail, signals
from coordination.auth import permissions
from coordination.auth.models import (Invitation, LoginFailure, Membership, Organisation, OrganisationImport, User,
                                      UserSession)
from coordination.core.clock import utcnow
from coordination.core.french import de
from coordination.core import csv_writer, paging, validators
from coordination.core.signed_links import BadLink, LinkExpired, LinkRevoked, LinkSigner, LinkUsed
from coordination.errors import Conflict, DomainError, Invalid, NotFound, PermissionDenied
from coordination.extensions import db
from coordination.utils import external_url
from coordination.vocabularies import ORGANISATION_KINDS, ORGANISATION_STATUSES, ROLES

log = logging.getLogger(__name__)

PASSWORD_MIN_LENGTH = 12
# The salts and payloads of the links already mailed: changing them kills those links.
RESET_LINKS = LinkSigner("password-reset", bad=lazy_gettext("Ce lien de réinitialisation n'est pas valide."),
                         expired=lazy_gettext("Ce lien de réinitialisation a expiré."))
INVITATION_LINKS = LinkSigner("invitation", bad=lazy_gettext("Ce lien d'invitation n'est pas valide."),
                              expired=lazy_gettext("Cette invitation a expiré."))
INVITATION_USED = lazy_gettext("Cette invitation a déjà été acceptée.")


# --- small helpers ---------------------------------------------------------------------------

def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _actor(actor) -> User | None:
    """The authenticated, active user behind `actor` (Flask-Login's anonymous user gives None)."""
    if not permissions.is_authenticated(actor):
        return None
    # Flask-Login's current_user is a proxy: keep the real User (a proxy stored in g loops forever).
    return actor._get_current_object() if hasattr(actor, "_get_current_object") else actor


def _password_fingerprint(user: User) -> str:
    """The fingerprint signed into password-reset links: a digest of the whole password hash, so a
    link dies with the password it was asked for and reveals nothing of it."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _check_password_strength(password: str | None, field: str = "password") -> str:
    if not password or len(password) < PASSWORD_MIN_LENGTH:
        raise Invalid(errors={field: [_("Le mot de passe doit contenir au moins %(num)s caractères.",
                                        num=PASSWORD_MIN_LENGTH)]})
    return password


def _check_email(email: str, field: str = "email") -> str:
    """A required address, lower-cased: accounts are found by their address whatever its case."""
    address = validators.checked(field, validators.email, email)
    if address is None:
        raise Invalid(errors={field: [_(validators.INVALID_EMAIL)]})
    return address.lower()


def _required_text(value: str | None, field: str, message: str, max_length: int, *,
                   multiline: bool = False) -> str:
    """A trimmed, non-empty text. One line unless `multiline` (line breaks normalised to \n)."""
    value = validators.checked(field, validators.text if multiline else validators.one_line, value,
                               max_length=max_length)
    if not value:
        raise Invalid(errors={field: [message]})
    return value


# --- validation of organisation data (also used by the forms, so errors sit next to fields) ---

def normalise_pivot(value: str | None) -> str:
    """A SIRET or an RNA number, required (``validators.pivot``)."""
    pivot = validators.checked("pivot", validators.pivot, value)
    if pivot is None:
        raise Invalid(errors={"pivot": [_("Indiquez le SIRET ou le numéro RNA de l'organisation.")]})
    return pivot


def _required_phone(value: str | None, field: str) -> str:
    number = validators.checked(field, validators.phone, value)
    if number is None:
        raise Invalid(errors={field: [_(validators.INVALID_PHONE)]})
    return number


# --- sessions and login ----------------------------------------------------------------------

SESSION_TOUCH_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, *, remember: bool = False) -> User:
    """Opens a server-side session for `user` (after a login, a new password or an accepted
    invitation) and puts its token on the object, where `User.get_id` reads it."""
    token = secrets.token_urlsafe(32)
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"]
    now = utcnow()
    db.session.add(UserSession(user_id=user.id, token_hash=_token_hash(token), remember=remember,
                               created_at=now, last_seen_at=now, expires_at=now + lifetime))
    db.session.commit()
    user.session_token = token
    return user


def load_user(session_id: str) -> User | None:
    """Flask-Login loader, for the session cookie and the « rester connecté » cookie alike: the
    session must still be open on the server (not logged out, not expired)."""
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    now = utcnow()
    session_row = db.session.scalar(select(UserSession).where(
        UserSession.token_hash == _token_hash(token), UserSession.user_id == int(user_id),
        UserSession.revoked_at.is_(None), UserSession.expires_at > now))
    if session_row is None:
        return None
    user = db.session.get(User, session_row.user_id)
    if user is None or not user.active:
        return None
    if now - session_row.last_seen_at > SESSION_TOUCH_EVERY:
        session_row.last_seen_at = now
        db.session.commit()
    user.session_token = token
    return user


def close_session(actor) -> None:
    """Logout: this browser's session is revoked on the server (the cookies die with it)."""
    actor = _actor(actor)
    if actor is None or not actor.session_token:
        return
    db.session.execute(update(UserSession).where(
        UserSession.token_hash == _token_hash(actor.session_token), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow()))
    audit.record(actor, "user.logout", "user", actor.id)
    db.session.commit()


def _revoke_every_session(user: User) -> int:
    return db.session.execute(update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)).values(revoked_at=utcnow())).rowcount


def close_every_session(*, actor) -> int:
    """« Se déconnecter de tous les appareils »: every open session of the account ends, this one too."""
    actor = _actor(actor)
    if actor is None:
        raise PermissionDenied()
    closed = _revoke_every_session(actor)
    audit.record(actor, "user.logout_everywhere", "user", actor.id, sessions=closed)
    db.session.commit()
    return closed


@dataclass
class AccountOverview:
    user: User
    sessions: list[UserSession]
    current_session_id: int | None


def account_overview(*, actor) -> AccountOverview:
    """The account page: who is logged in, and the sessions open on other browsers."""
    actor = _actor(actor)
    if actor is None:
        raise PermissionDenied()
    sessions = db.session.scalars(select(UserSession).where(
        UserSession.user_id == actor.id, UserSession.revoked_at.is_(None), UserSession.expires_at > utcnow())
        .order_by(UserSession.last_seen_at.desc())).all()
    current = _token_hash(actor.session_token or "")
    return AccountOverview(actor, sessions, next((s.id for s in sessions if s.token_hash == current), None))


def find_user_by_email(email: str) -> User | None:
    # Emails are stored lower-cased: a plain comparison lets PostgreSQL use the unique index.
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made once with the method of real hashes: unknown accounts
    cost a login the same hashing work as known ones (no timing oracle on account existence)."""
    return generate_password_hash(secrets.token_urlsafe(24))


# Failures are counted per typed address, whether an account has it or not. The client addresses
# that failed on an account wait after LOGIN_FREE_FAILURES, twice as long at each new failure (up
# to LOGIN_MAX_WAIT); an address that has not failed is never refused the right password.
LOGIN_FREE_FAILURES = 5
LOGIN_FIRST_WAIT = timedelta(seconds=2)
LOGIN_MAX_WAIT = timedelta(minutes=15)
LOGIN_FAILURE_MEMORY = timedelta(hours=24)


class TooManyFailures(DomainError):
    status = 429
    default_message = (lazy_gettext("Trop de tentatives pour ce compte depuis cette connexion. Réessayez plus tard, "
                       "ou choisissez un nouveau mot de passe avec « Mot de passe oublié »."))

    def __init__(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(ngettext("Trop de tentatives pour ce compte depuis cette connexion. Réessayez dans "
                                  "%(num)s minute, ou choisissez un nouveau mot de passe avec « Mot de passe oublié ».",
                                  "Trop de tentatives pour ce compte depuis cette connexion. Réessayez dans "
                                  "%(num)s minutes, ou choisissez un nouveau mot de passe avec « Mot de passe oublié ».",
                                  minutes), retry_after=retry_after)
        self.retry_after = retry_after


def _address_hash(address: str | None) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


def login_wait(email: str, address: str | None) -> int:
    """Seconds this client address must still wait before trying this account again (0: go)."""
    email = normalise_email(email)
    since = utcnow() - LOGIN_FAILURE_MEMORY
    recent = (LoginFailure.email == email, LoginFailure.failed_at > since)
    if db.session.scalar(select(LoginFailure.id).where(
            *recent, LoginFailure.address_hash == _address_hash(address)).limit(1)) is None:
        return 0
    count, last = db.session.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.failed_at)).where(*recent)).one()
    if count < LOGIN_FREE_FAILURES:
        return 0
    wait = min(LOGIN_FIRST_WAIT * 2 ** (count - LOGIN_FREE_FAILURES), LOGIN_MAX_WAIT)
    remaining = (last + wait - utcnow()).total_seconds()
    return max(0, math.ceil(remaining))


def authenticate(email: str, password: str, *, address: str | None = None) -> User | None:
    """Returns the active user with these credentials, or None (same answer, and the same
    hashing work, for every failure: the password is checked before anything else).
    TooManyFailures when this client address must wait (the password is then not checked)."""
    wait = login_wait(email, address)
    if wait:
        raise TooManyFailures(wait)
    user = find_user_by_email(email)
    has_password = user is not None and bool(user.password_hash)
    matches = check_password_hash(user.password_hash if has_password else _dummy_hash(), password or "")
    if not (has_password and matches and user.active):
        log.info("failed login")
        db.session.add(LoginFailure(email=normalise_email(email)[:254], address_hash=_address_hash(address)))
        db.session.commit()
        return None
    user.last_login_at = utcnow()
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))
    audit.record(user, "user.login", "user", user.id)
    db.session.commit()
    return user


# A revoked session is kept a while so that the account page and the audit can be understood.
ENDED_SESSION_KEPT = timedelta(days=30)


def purge_sessions() -> int:
    """Nightly job: deletes the sessions that ended (revoked or expired) more than ENDED_SESSION_KEPT ago."""
    before = utcnow() - ENDED_SESSION_KEPT
    deleted = db.session.execute(delete(UserSession).where(
        or_(UserSession.revoked_at < before, UserSession.expires_at < before))).rowcount
    db.session.commit()
    return deleted


def purge_login_failures() -> int:
    """Nightly job: wrong passwords are remembered for a day only (they carry a hash of the client address)."""
    deleted = db.session.execute(delete(LoginFailure).where(
        LoginFailure.failed_at < utcnow() - LOGIN_FAILURE_MEMORY)).rowcount
    db.session.commit()
    return deleted


# --- password reset --------------------------------------------------------------------------

def request_password_reset(*, email: str) -> None:
    """Queues a reset link when an active account has this email, at most one per quarter of an
    hour; does nothing visible otherwise (the caller answers the same either way: no account
    enumeration). Both paths sign a token and render the mail, so they take about as long."""
    user = find_user_by_email(email)
    account = user if user is not None and user.active else None
    recipient = account or _NoAccount(email=normalise_email(email))
    token = RESET_LINKS.sign({"u": recipient.id, "p": _password_fingerprint(recipient)})
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    context = {"user": recipient, "link": external_url("auth.reset_password", token=token),
               "minutes": max(max_age // 60, 1)}
    if account is None:
        render_template("auth/mail/password_reset.txt", network_name=current_app.config["NETWORK_NAME"], **context)
        log.info("password reset asked for an unknown or inactive address")
        return
    queued = mail.queue(account.email, _("Réinitialiser votre mot de passe"), "auth/mail/password_reset",
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
    """The user a reset link belongs to; a LinkError when expired, tampered or used."""
    payload = RESET_LINKS.read(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not user.active:
        raise BadLink(RESET_LINKS.bad)
    if payload.get("p") != _password_fingerprint(user):
        raise LinkUsed(_("Ce lien de réinitialisation a déjà servi."))
    return user


def reset_password(*, token: str, password: str) -> User:
    """Sets a new password from a reset link. The link dies with the old password, and every
    open session of the account ends (the caller opens a new one for this browser)."""
    user = user_for_reset_token(token)
    user.set_password(_check_password_strength(password))
    _revoke_every_session(user)
    audit.record(user, "user.password_reset", "user", user.id)
    mail.queue(user.email, _("Votre mot de passe a été modifié"), "auth/mail/password_changed", user=user,
               link=external_url("auth.forgot_password"))
    db.session.commit()
    return user


# --- joining the network ---------------------------------------------------------------------

DESCRIPTION_MAX = 1000  # the column's size


def join_network(*, name: str, kind: str, pivot: str, contact_email: str, contact_phone: str,
                 website: str | None = None, description: str | None = None, admin_name: str | None = None, admin_email: str | None = None,
                 password: str | None = None, actor=None) -> tuple[Organisation, User] | None:
    """An organisation asks to join the network. It is created 'pending' with its first admin:
    the logged-in person (actor) or a new account. Coordinators are notified.

    When an anonymous visitor gives the address of an existing account, nothing is created and
    None is returned: the caller answers as for a success (no account enumeration), and the
    address gets a mail asking to log in first."""
    actor = _actor(actor)
    name = _required_text(name, "name", _("Indiquez le nom de l'organisation."), 200)
    if csv_writer.starts_like_formula(name):
        raise Invalid(errors={"name": [csv_writer.FORMULA_MESSAGE]})
    if kind not in ORGANISATION_KINDS:
        raise Invalid(errors={"kind": [_("Choisissez un type d'organisation dans la liste.")]})
    pivot = normalise_pivot(pivot)
    contact_email = _check_email(contact_email, "contact_email")
    contact_phone = _required_phone(contact_phone, "contact_phone")
    website = validators.checked("website", validators.url, website)
    description = validators.checked("description", validators.text, description, max_length=DESCRIPTION_MAX)
    if actor is None:
        admin_name = _required_text(admin_name, "admin_name", _("Indiquez votre nom."), 120)
        admin_email = _check_email(admin_email, "admin_email")
        _check_password_strength(password)
    _check_pivot_free(pivot)
    if actor is None and find_user_by_email(admin_email):
        return _join_with_existing_account(admin_email, password)

    organisation = Organisation(name=name, kind=kind, pivot=pivot, contact_email=contact_email,
                                contact_phone=contact_phone, website=website, description=description,
                                status="pending")
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
    mail.queue(contact_email, _("Votre demande d'adhésion au réseau a bien été reçue"), "auth/mail/join_received",
               organisation=organisation)
    link = external_url("moderation.queue")
    for coordinator in _coordinators():
        mail.queue(coordinator.email, _("Nouvelle demande d'adhésion : %(name)s", name=organisation.name),
                   "auth/mail/join_coordinator", organisation=organisation, kind_label=ORGANISATION_KINDS[kind],
                   link=link)
    _commit_or_conflict(pivot)
    return organisation, admin


def _join_with_existing_account(email: str, password: str) -> None:
    """Mails the owner of an existing account (once a day per address) instead of telling the
    visitor. The mail carries no text from the form: strangers cannot use it to write to people."""
    generate_password_hash(password)  # the hashing work of a new account: both answers take as long
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    mail.queue(email, _("Votre demande d'adhésion au réseau"), "auth/mail/join_account_exists",
               dedupe_key=f"join-account-exists:{digest}:{utcnow().date().isoformat()}",
               login_link=external_url("auth.login"), join_link=external_url("auth.join"),
               forgot_link=external_url("auth.forgot_password"))
    log.info("join form used with the address of an existing account")
    try:
        db.session.commit()
    except IntegrityError:  # the same mail was queued by a simultaneous request
        db.session.rollback()
    return None


_PIVOT_TAKEN = lazy_gettext("Une organisation avec ce SIRET ou ce numéro RNA est déjà inscrite sur le réseau.")


def _check_pivot_free(pivot: str) -> None:
    if db.session.scalar(select(Organisation.id).where(Organisation.pivot == pivot)):
        raise Invalid(errors={"pivot": [_PIVOT_TAKEN]})


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

def pending_organisations(*, actor, import_id: int | None = None, imported: bool | None = None,
                          limit: int | None = None) -> list[Organisation]:
    """Organisations waiting for a decision, oldest first; with ``import_id``, only those that import
    created; with ``imported`` False, only those that asked to join (True: only imported ones)."""
    permissions.require_coordinator(actor)
    query = select(Organisation).where(Organisation.status == "pending")
    if import_id is not None:
        query = query.where(Organisation.import_id == import_id)
    if imported is not None:
        query = query.where(Organisation.import_id.is_not(None) if imported else Organisation.import_id.is_(None))
    if limit is not None:
        query = query.limit(limit)
    return db.session.scalars(query.order_by(Organisation.created_at, Organisation.id)).all()


def requesters(organisation_ids, *, actor) -> dict[int, User]:
    """Who asked each organisation to join: its first admin (the account the request created or was
    sent from), for the coordinators deciding on it."""
    permissions.require_coordinator(actor)
    found: dict[int, User] = {}
    for organisation_id, user in db.session.execute(
            select(Membership.organisation_id, User).join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id.in_(list(organisation_ids)), Membership.role == "admin")
            .order_by(Membership.organisation_id, Membership.id)):
        found.setdefault(organisation_id, user)
    return found


def imports_with_pending(*, actor) -> list[tuple[OrganisationImport, int]]:
    """The imports that still have organisations waiting, newest first, with how many."""
    permissions.require_coordinator(actor)
    rows = db.session.execute(
        select(OrganisationImport, func.count(Organisation.id))
        .join(Organisation, Organisation.import_id == OrganisationImport.id)
        .where(Organisation.status == "pending")
        .group_by(OrganisationImport.id).order_by(OrganisationImport.id.desc())).all()
    return [(record, count) for record, count in rows]


def pending_organisation_count(*, actor) -> int:
    """How many organisations wait for a decision, those created by an import included."""
    permissions.require_coordinator(actor)
    return db.session.scalar(select(func.count(Organisation.id)).where(Organisation.status == "pending")) or 0


ORGANISATIONS_SORTS = {
    "nom": (func.lower(Organisation.name),),
    "type": (Organisation.kind, func.lower(Organisation.name)),
    "statut": (Organisation.status, func.lower(Organisation.name)),
    "date": (Organisation.created_at,),
}


def organisations_page(*, actor, query: str = "", status: str | None = None, kind: str | None = None,
                       sort: str | None = None, descending: bool = False, page: int = 1,
                       size: int = paging.PAGE_SIZE) -> paging.Page:
    """One page of the network's organisations for coordinators: ``query`` in the name, the contact
    address or the SIRET/RNA (spaces ignored), optionally one status or kind, sorted by one of
    ``ORGANISATIONS_SORTS`` (the name unless said otherwise)."""
    permissions.require_coordinator(actor)
    sort = paging.sort_key(sort, ORGANISATIONS_SORTS, "nom")
    statement = select(Organisation)
    if status in ORGANISATION_STATUSES:
        statement = statement.where(Organisation.status == status)
    if kind in ORGANISATION_KINDS:
        statement = statement.where(Organisation.kind == kind)
    if query:
        compact = re.sub(r"[\s.\-]", "", query).upper()
        statement = statement.where(or_(Organisation.name.icontains(query, autoescape=True),
                                        Organisation.contact_email.icontains(query, autoescape=True),
                                        *([Organisation.pivot.startswith(compact, autoescape=True)] if compact else [])))
    columns = [column.desc() if descending else column for column in ORGANISATIONS_SORTS[sort]]
    return paging.paginate(db.session, statement.order_by(*columns, Organisation.id), number=page, size=size,
                           sort=sort, descending=descending)


def accept_organisation(organisation_id: int, *, actor) -> Organisation:
    organisation = _decide(organisation_id, "organisation.accepted", actor=actor, from_status="pending",
                           to_status="active")
    _tell_accepted(organisation)
    _commit_decision(organisation)
    return organisation


def _tell_accepted(organisation: Organisation) -> None:
    """The acceptance mail; an organisation created by an import gets, at most, the import's invitation
    (only if « prévenir les structures » was ticked), never the mail meant for those who asked to join."""
    _notify_organisation(organisation, _("Votre organisation a rejoint le réseau"), "auth/mail/organisation_accepted",
                         link=external_url("directory.partner_home"))  # imported: its admins only
    record = organisation.source_import
    if record is not None and record.notify:
        queue_import_invitations([organisation], record)


BULK_ACTIONS = ("accept", "refuse")
BULK_MAX = 20_000


def decide_organisations(organisation_ids: list[int], *, action: str, actor, reason: str | None = None) -> int:
    """Accepts or refuses many pending organisations in one transaction (the moderation queue's bulk
    action, e.g. every organisation of one import). Those no longer pending are left alone; returns how
    many were decided. Mails follow the one-by-one rules (nothing to an address taken from a file)."""
    permissions.require_coordinator(actor)
    if action not in BULK_ACTIONS:
        raise Invalid(_("Choisissez d'accepter ou de refuser."))
    if action == "refuse":
        reason = _reason(reason, _("Indiquez le motif du refus."))
    ids = sorted({int(i) for i in organisation_ids})
    if not ids:
        raise Invalid(_("Aucune organisation en attente ne correspond à cette sélection."))
    if len(ids) > BULK_MAX:
        raise Invalid(_("%(num)s organisations : c'est plus que les %(max)s d'une seule décision.",
                        num=len(ids), max=BULK_MAX))
    organisations = []
    for start in range(0, len(ids), 1000):  # bounded IN lists; memberships loaded with them (the mails)
        organisations += db.session.scalars(
            select(Organisation).where(Organisation.id.in_(ids[start:start + 1000]), Organisation.status == "pending")
            .options(selectinload(Organisation.memberships).joinedload(Membership.user))
            .order_by(Organisation.id).with_for_update(of=Organisation)).all()
    now = utcnow()
    invitations: dict[int, list[Organisation]] = defaultdict(list)
    for organisation in organisations:
        organisation.status = "active" if action == "accept" else "refused"
        organisation.decided_at, organisation.decided_by_id = now, actor.id
        if action == "accept":
            audit.record(actor, "organisation.accepted", "organisation", organisation.id, bulk=True)
            _notify_organisation(organisation, _("Votre organisation a rejoint le réseau"),
                                 "auth/mail/organisation_accepted", link=external_url("directory.partner_home"))
            if organisation.source_import is not None and organisation.source_import.notify:
                invitations[organisation.import_id].append(organisation)  # spread together, below
        else:
            organisation.refusal_reason = reason
            audit.record(actor, "organisation.refused", "organisation", organisation.id, reason=reason, bulk=True)
            _notify_organisation(organisation, _("Votre demande d'adhésion au réseau"), "auth/mail/organisation_refused",
                                 reason=reason)
    for group in invitations.values():
        queue_import_invitations(group, group[0].source_import)
    db.session.commit()
    if organisations:
        signals.organisations_status_changed.send([o.id for o in organisations], status=organisations[0].status)
    return len(organisations)


def get_organisation_import(import_id: int, *, actor) -> OrganisationImport:
    permissions.require_coordinator(actor)
    record = db.session.get(OrganisationImport, import_id)
    if record is None:
        raise NotFound(_("Cet import n'existe pas."))
    return record


def pending_of_import(import_id: int, *, actor) -> list[int]:
    """The ids of the organisations an import created that still wait for a decision."""
    get_organisation_import(import_id, actor=actor)
    return list(db.session.scalars(select(Organisation.id).where(
        Organisation.import_id == import_id, Organisation.status == "pending").order_by(Organisation.id)))


def decide_imported_organisations(import_id: int, *, action: str, actor, reason: str | None = None,
                                  expected: int | None = None) -> int:
    """Accepts or refuses every organisation of one import still pending. ``expected`` is the count the
    coordinator confirmed: if it changed meanwhile (another coordinator decided some), nothing is done."""
    ids = pending_of_import(import_id, actor=actor)
    if expected is not None and len(ids) != expected:
        raise Conflict(ngettext("%(num)s organisation de cet import est en attente, et non %(expected)s : la "
                                "sélection a changé entre-temps. Rien n'a été fait ; vérifiez-la à nouveau.",
                                "%(num)s organisations de cet import sont en attente, et non %(expected)s : la "
                                "sélection a changé entre-temps. Rien n'a été fait ; vérifiez-la à nouveau.",
                                len(ids), expected=expected))
    return decide_organisations(ids, action=action, actor=actor, reason=reason)


INVITATION_KEY = "import-invitation:"


def queue_import_invitations(organisations: list[Organisation], record: OrganisationImport) -> int:
    """« Prévenir les structures »: one invitation per organisation created by an import, through the
    outbox, spread at IMPORT_INVITATIONS_PER_HOUR after those already waiting (a file of 2,000
    structures does not leave in one burst). Never twice to one organisation; never to the importing
    coordinator's own address (given when the file had none). Adds to the caller's transaction."""
    interval = timedelta(seconds=3600 / int(current_app.config["IMPORT_INVITATIONS_PER_HOUR"]))
    now = utcnow()
    last = db.session.scalar(select(func.max(mail.Message.next_attempt_at)).where(
        mail.Message.dedupe_key.like(f"{INVITATION_KEY}%"), mail.Message.status == "pending"))
    at = max(now, last + interval) if last else now
    actor_email = normalise_email(record.actor.email) if record.actor_id and record.actor else None
    queued = 0
    for organisation in organisations:
        address = normalise_email(organisation.contact_email)
        if not address or address == actor_email:
            continue
        message = mail.queue(address, _("« %(name)s » dans l'annuaire du réseau", name=organisation.name),
                             "auth/mail/organisation_imported", dedupe_key=f"{INVITATION_KEY}{organisation.id}",
                             organisation=organisation, link=external_url("directory.home"), contact=actor_email,
                             active=organisation.status == "active")
        if message is not None:
            message.next_attempt_at = at
            at += interval
            queued += 1
    return queued


def refuse_organisation(organisation_id: int, *, reason: str, actor) -> Organisation:
    reason = _reason(reason, _("Indiquez le motif du refus."))
    organisation = _decide(organisation_id, "organisation.refused", actor=actor, from_status="pending",
                           to_status="refused", reason=reason)
    organisation.refusal_reason = reason
    _notify_organisation(organisation, _("Votre demande d'adhésion au réseau"), "auth/mail/organisation_refused",
                         reason=reason)
    _commit_decision(organisation)
    return organisation


def suspend_organisation(organisation_id: int, *, reason: str, actor) -> Organisation:
    reason = _reason(reason, _("Indiquez le motif de la suspension."))
    organisation = _decide(organisation_id, "organisation.suspended", actor=actor, from_status="active",
                           to_status="suspended", reason=reason)
    _notify_organisation(organisation, _("Votre organisation est suspendue du réseau"), "auth/mail/organisation_suspended",
                         reason=reason)
    _commit_decision(organisation)
    return organisation


def reactivate_organisation(organisation_id: int, *, reason: str, actor) -> Organisation:
    reason = _reason(reason, _("Indiquez le motif de la réactivation."))
    organisation = _decide(organisation_id, "organisation.reactivated", actor=actor, from_status="suspended",
                           to_status="active", reason=reason)
    _notify_organisation(organisation, _("Votre organisation est de nouveau active sur le réseau"),
                         "auth/mail/organisation_reactivated", reason=reason, link=external_url("directory.partner_home"))
    _commit_decision(organisation)
    return organisation


# The organisations list's action bar (issue 18): each action is the one-by-one use case above.
STATUS_ACTIONS = {
    "suspendre": (suspend_organisation, lazy_gettext("Indiquez le motif de la suspension.")),
    "reactiver": (reactivate_organisation, lazy_gettext("Indiquez le motif de la réactivation.")),
}


def change_organisations_status(organisation_ids: list[int], *, action: str, reason: str | None, actor) -> int:
    """Suspends or reactivates the organisations ticked in the coordinators' list, each through its own
    use case (its checks, mails, audit record and commit). Those whose status does not allow the action
    (or that no longer exist) are left alone. Returns how many changed."""
    permissions.require_coordinator(actor)
    errors: dict[str, list[str]] = {}
    if action not in STATUS_ACTIONS:
        errors["action"] = [_("Choisissez de suspendre ou de réactiver.")]
    if not organisation_ids:
        errors["ids"] = [_("Cochez au moins une organisation dans la liste.")]
    if errors:
        raise Invalid(_("Rien n'a été modifié : corrigez le formulaire."), errors=errors)
    service, missing = STATUS_ACTIONS[action]
    reason = _reason(reason, str(missing))
    changed = 0
    for organisation_id in sorted(set(organisation_ids)):
        try:
            service(organisation_id, reason=reason, actor=actor)
        except (Conflict, NotFound):
            db.session.rollback()
        else:
            changed += 1
    return changed


def _commit_decision(organisation: Organisation) -> None:
    """Commits a status decision, then tells the other domains (the directory re-indexes the places)."""
    db.session.commit()
    signals.organisation_status_changed.send(organisation.id, status=organisation.status)


def _reason(value: str | None, missing: str) -> str:
    """The reason a coordinator gives for a decision: required, several lines allowed."""
    return _required_text(value, "reason", missing, 1000, multiline=True)


def _decide(organisation_id: int, event: str, *, actor, from_status: str, to_status: str, **details) -> Organisation:
    """Moves one organisation from ``from_status`` to ``to_status`` (a coordinator's decision) and records
    ``event`` in the audit log with ``details``; the caller mails and commits."""
    permissions.require_coordinator(actor)
    organisation = db.session.get(Organisation, organisation_id, with_for_update=True)
    if organisation is None:
        raise NotFound(_("Cette organisation n'existe pas."))
    if organisation.status != from_status:
        raise Conflict(_("Cette organisation a changé de statut entre-temps : rechargez la page."))
    organisation.status = to_status
    organisation.decided_at = utcnow()
    organisation.decided_by_id = actor.id
    audit.record(actor, event, "organisation", organisation.id, **details)
    return organisation


def _notify_organisation(organisation: Organisation, subject: str, template: str, **context) -> None:
    """Mails the organisation's contact address and its admins (each address once). The contact address
    of an organisation created by an import was taken from a file: it is never mailed (only its admins,
    people with an account, are), see ``queue_import_invitations`` (issue 15)."""
    recipients = ([] if organisation.import_id is not None else [organisation.contact_email]) + [
        m.user.email for m in organisation.memberships if m.role == "admin" and m.user.active]
    for recipient in dict.fromkeys(normalise_email(r) for r in recipients):
        mail.queue(recipient, subject, template, organisation=organisation, **context)


# --- members and invitations -----------------------------------------------------------------

@dataclass
class MembersOverview:
    organisation: Organisation
    memberships: list[Membership]
    invitations: list[Invitation]
    can_manage: bool  # remove members, cancel invitations
    can_invite: bool  # an admin, or a coordinator giving an organisation with no admin its first one


@dataclass
class Welcome:
    """What a new member reads after accepting an invitation (issue 18)."""
    organisation: Organisation
    role: str  # the reader's role in it
    admins: list[User]  # its active admins, the reader included when they are one


def welcome(organisation_id: int, *, actor) -> Welcome:
    """The welcome page of an organisation's member: their role and the organisation's admins."""
    organisation = get_organisation(organisation_id)
    membership = actor.membership_in(organisation.id) if permissions.is_authenticated(actor) else None
    if membership is None:
        raise PermissionDenied()
    admins = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id, Membership.role == "admin", User.active.is_(True))
        .order_by(func.lower(User.name))
    ).all()
    return Welcome(organisation, membership.role, list(admins))


def get_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("Cette organisation n'existe pas."))
    return organisation


def _has_admin(organisation: Organisation) -> bool:
    return db.session.scalar(select(func.count(Membership.id)).where(
        Membership.organisation_id == organisation.id, Membership.role == "admin")) > 0


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
    can_invite = permissions.can_invite(actor, organisation, has_admin=_has_admin(organisation))
    return MembersOverview(organisation, memberships, invitations,
                           permissions.can_manage_members(actor, organisation), can_invite)


def _managed_organisation(organisation_id: int, actor) -> Organisation:
    organisation = get_organisation(organisation_id)
    if not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied()
    return organisation


def _inviting_organisation(organisation_id: int, actor) -> tuple[Organisation, bool]:
    """The organisation `actor` may invite into, and whether they do it as the coordination
    (giving an organisation with no admin its first admin) rather than as its admin."""
    organisation = get_organisation(organisation_id)
    if permissions.can_manage_members(actor, organisation):
        return organisation, False
    if permissions.can_invite_first_admin(actor, organisation, has_admin=_has_admin(organisation)):
        return organisation, True
    raise PermissionDenied()


def _check_first_admin_invitation(email: str, role: str, existing: User | None, actor: User) -> None:
    """A coordinator bootstraps an organisation for someone else, never for the coordination."""
    if email == normalise_email(actor.email):
        raise Invalid(errors={"email": [_("Vous ne pouvez pas vous inviter vous-même : la coordination ne devient "
                                        "pas membre d'une organisation. Invitez la personne qui l'administrera.")]})
    if existing is not None and existing.is_coordinator:
        raise Invalid(errors={"email": [_("Cette adresse est celle d'un compte de coordination : invitez une "
                                        "personne de l'organisation.")]})
    if role != "admin":
        raise Invalid(errors={"role": [_("Cette organisation n'a pas encore d'administrateur : invitez d'abord "
                                         "la personne qui l'administrera (rôle « %(role)s »).", role=ROLES['admin'])]})


def invite_member(organisation_id: int, *, email: str, role: str, actor) -> Invitation:
    """Emails a signed, single-use invitation link. A new invitation replaces a pending one
    for the same address."""
    actor = _actor(actor)
    organisation, by_coordination = _inviting_organisation(organisation_id, actor)
    email = _check_email(email)
    if role not in ROLES:
        raise Invalid(errors={"role": [_("Choisissez un rôle dans la liste.")]})
    existing = find_user_by_email(email)
    if existing is not None and existing.membership_in(organisation.id):
        raise Invalid(errors={"email": [_("Cette personne est déjà membre de l'organisation.")]})
    if by_coordination:
        _check_first_admin_invitation(email, role, existing, actor)
    now = utcnow()
    db.session.execute(
        update(Invitation).where(Invitation.organisation_id == organisation.id, Invitation.email == email,
                                 Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    max_age = current_app.config["INVITATION_MAX_AGE"]
    invitation = Invitation(organisation=organisation, email=email, role=role, nonce=secrets.token_urlsafe(24),
                            invited_by_id=actor.id, by_coordination=by_coordination, created_at=now,
                            expires_at=now + timedelta(seconds=max_age))
    db.session.add(invitation)
    db.session.flush()
    token = INVITATION_LINKS.sign({"i": invitation.id, "n": invitation.nonce})
    mail.queue(email, _("Invitation à rejoindre %(name)s sur Maillage", name=organisation.name), "auth/mail/invitation",
               organisation=organisation, inviter=actor, role_label=ROLES[role], has_account=existing is not None,
               by_coordination=by_coordination, link=external_url("auth.invitation", token=token),
               expires_at=invitation.expires_at)
    audit.record(actor, "invitation.created", "invitation", invitation.id, organisation_id=organisation.id,
                 role=role, by_coordination=by_coordination)
    db.session.commit()
    return invitation


def revoke_invitation(organisation_id: int, invitation_id: int, *, actor) -> Invitation:
    organisation, _ = _inviting_organisation(organisation_id, _actor(actor))
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        raise NotFound(_("Cette invitation n'existe pas."))
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
        raise NotFound(_("Ce membre n'existe pas ou a déjà été retiré."))
    if membership.role == "admin":
        admins = db.session.scalar(select(func.count(Membership.id)).where(
            Membership.organisation_id == organisation.id, Membership.role == "admin"))
        if admins <= 1:
            raise Conflict(_("Impossible de retirer le dernier administrateur de l'organisation : "
                           "nommez d'abord un autre administrateur."))
    audit.record(actor, "membership.removed", "organisation", organisation.id, user_id=membership.user_id,
                 role=membership.role)
    db.session.delete(membership)
    db.session.commit()


# Invitation links

def invitation_from_token(token: str) -> Invitation:
    """The pending invitation behind a link; a LinkError otherwise."""
    payload = INVITATION_LINKS.read(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    invitation = db.session.get(Invitation, payload.get("i")) if isinstance(payload, dict) else None
    if invitation is None or not secrets.compare_digest(str(payload.get("n", "")), invitation.nonce):
        raise BadLink(INVITATION_LINKS.bad)
    if invitation.accepted_at is not None:
        raise LinkUsed(INVITATION_USED)
    if invitation.revoked_at is not None:
        raise LinkRevoked(_("Cette invitation a été annulée."))
    if invitation.expires_at <= utcnow():
        raise LinkExpired(INVITATION_LINKS.expired)
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
        if step == "confirm":
            _check_acceptor(invitation, actor)
    else:
        step = "login" if find_user_by_email(invitation.email) else "signup"
    return InvitationState(invitation, step)


def accept_invitation(*, token: str, actor=None, name: str | None = None, password: str | None = None) -> User:
    """Accepts an invitation: as the logged-in account with the invited address, or by creating
    that account (name + password). Single use, even with two simultaneous clicks."""
    invitation = invitation_from_token(token)
    actor = _actor(actor)
    if actor is not None and normalise_email(actor.email) != invitation.email:
        raise PermissionDenied(_("Cette invitation est destinée à une autre adresse électronique."))
    if actor is not None:
        _check_acceptor(invitation, actor)
    if actor is None:
        if find_user_by_email(invitation.email):
            raise PermissionDenied(_("Un compte existe déjà pour cette adresse : connectez-vous pour accepter."))
        name = _required_text(name, "name", _("Indiquez votre nom."), 120)
        _check_password_strength(password)
    claimed = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None)).values(accepted_at=utcnow())
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise LinkUsed(INVITATION_USED)
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
        raise LinkUsed(INVITATION_USED) from None
    if actor is None:
        audit.record(user, "user.created", "user", user.id, via="invitation")
    audit.record(user, "invitation.accepted", "invitation", invitation.id,
                 organisation_id=invitation.organisation_id, role=invitation.role)
    _tell_organisation_of_new_member(invitation, user)
    db.session.commit()
    return user


def _check_acceptor(invitation: Invitation, user: User) -> None:
    """Membership comes from the organisation, never from the coordination role: an invitation one
    sent oneself (possible before this rule existed) or, for a coordinator, one sent by the
    coordination, is refused."""
    if invitation.invited_by_id == user.id:
        raise PermissionDenied(_("Vous ne pouvez pas accepter une invitation que vous vous êtes envoyée : "
                               "seuls les administrateurs de l'organisation y font entrer de nouveaux membres."))
    if invitation.by_coordination and user.is_coordinator:
        raise PermissionDenied(_("Un compte de coordination ne devient pas membre d'une organisation par une "
                               "invitation de la coordination."))


def _tell_organisation_of_new_member(invitation: Invitation, member: User) -> None:
    """Every admin learns who joined (members see the residents' data of the organisation's
    referrals); the contact address too when the coordination sent the invitation."""
    organisation = invitation.organisation
    recipients = [m.user.email for m in organisation.memberships
                  if m.role == "admin" and m.user.active and m.user_id != member.id]
    if invitation.by_coordination or not recipients:
        recipients.append(organisation.contact_email)
    inviter = db.session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    context = {"organisation": organisation, "member": member, "role_label": ROLES[invitation.role],
               "inviter": inviter, "by_coordination": invitation.by_coordination,
               "link": external_url("auth.members", organisation_id=organisation.id)}
    for recipient in dict.fromkeys(normalise_email(r) for r in recipients if r):
        if recipient != normalise_email(member.email):
            mail.queue(recipient, _("Nouveau membre %(of_name)s : %(member)s", of_name=de(organisation.name),
                                    member=member.name), "auth/mail/member_added",
                       **context)


# --- command line ----------------------------------------------------------------------------

def create_coordinator(*, email: str, name: str | None = None, password: str | None = None,
                       actor=None) -> tuple[User, bool]:
    """Creates a coordinator account, or makes an existing account coordinator.
    Returns (user, created)."""
    email = _check_email(email)
    user = find_user_by_email(email)
    created = user is None
    if created:
        user = User(email=email, name=_required_text(name or email.split("@")[0], "name", _("Indiquez un nom."), 120))
        user.set_password(_check_password_strength(password))
        db.session.add(user)
    elif password:
        user.set_password(_check_password_strength(password))
        _revoke_every_session(user)
    user.is_coordinator = True
    db.session.flush()
    audit.record(_actor(actor), "user.coordinator_granted", "user", user.id, created=created)
    db.session.commit()
    return user, created
