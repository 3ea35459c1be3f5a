"""Outbox. Every message is a row first; `send_pending` (a scheduler job and `flask mail send-pending`)
delivers them, retries failures with backoff, and never sends one twice.

Just before sending, a message with a dedupe key is offered to ``signals.mail_due``: a domain may
cancel a message that became pointless while it waited (status 'cancelled', never sent).

A message is claimed (status 'sending') and committed before the SMTP conversation, then marked
'sent'. If the process dies in between, the message stays 'sending' and is not retried
automatically: a lost message is better noticed than a duplicate sent (see `release_stuck`).
"""
import base64
import logging
import re
import smtplib
import ssl
import sys
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import JSON, String, Text, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from coordination import signals
from coordination.core.clock import utcnow
from coordination.core import validators
from coordination.extensions import db

log = logging.getLogger(__name__)

BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720, 1440)


class Message(db.Model):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    reply_to: Mapped[str | None] = mapped_column(String(254))  # where answers go, when not to the sender
    subject: Mapped[str] = mapped_column(String(250))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list] = mapped_column(JSON, default=list)  # [{filename, content_type, data(base64)}]
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)  # pending|sending|sent|failed|cancelled
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]


SUBJECT_MAX = 250  # the column's size


def subject_line(text: str) -> str:
    """A mail subject that no stored text can break (issue 13, finding 7): every line break and run
    of whitespace becomes one space, control characters go, and it is cut at SUBJECT_MAX characters."""
    text = _NOT_IN_SUBJECT.sub("", validators.collapse(text))
    return text if len(text) <= SUBJECT_MAX else text[: SUBJECT_MAX - 1].rstrip() + "…"


_NOT_IN_SUBJECT = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def attachment(filename: str, content_type: str, data: bytes) -> dict:
    return {"filename": filename, "content_type": content_type, "data": base64.b64encode(data).decode()}


def queue(recipient: str, subject: str, template: str, *, dedupe_key: str | None = None,
          attachments: list | None = None, reply_to: str | None = None, **context) -> Message | None:
    """Adds a message to the caller's transaction, rendered from ``<template>.txt`` (and ``.html`` when it
    exists), a domain's mail template named by its path: "auth/mail/invitation" is
    ``coordination/auth/templates/auth/mail/invitation.txt``. ``reply_to``: where an answer goes (a
    meeting's organiser), the sender being a no-reply address. Returns None when a message with the
    same dedupe key exists."""
    if dedupe_key and _dedupe_key_taken(dedupe_key):
        return None
    context.setdefault("network_name", current_app.config["NETWORK_NAME"])
    context.setdefault("base_url", current_app.config["BASE_URL"])
    # Mail goes to partners and coordinators, whose spaces are French: French whatever the page's language.
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        subject = subject_line(str(subject))
        body_text = render_template(f"{template}.txt", **context)
        try:
            body_html = render_template(f"{template}.html", **context)
        except Exception as error:
            if error.__class__.__name__ != "TemplateNotFound":
                raise
            body_html = None
    message = Message(recipient=recipient, reply_to=reply_to, subject=subject, body_text=body_text, body_html=body_html,
                      attachments=attachments or [], dedupe_key=dedupe_key)
    if not dedupe_key:
        db.session.add(message)
        return message
    # Two senders may race on one key: the loser's savepoint rolls back, not the caller's transaction.
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    return message


def _dedupe_key_taken(dedupe_key: str) -> bool:
    return db.session.scalar(select(Message.id).where(Message.dedupe_key == dedupe_key)) is not None


def build_email(message: Message, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = subject_line(message.subject)  # also a message queued before subjects were cleaned
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email["Message-ID"] = make_msgid(idstring=f"maillage-{message.id}")
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for item in message.attachments or []:
        kind, *parameters = (part.strip() for part in item["content_type"].split(";"))
        maintype, subtype = kind.split("/", 1)
        # Parameters matter: a calendar needs method=REQUEST/CANCEL to be an invitation or a
        # cancellation in mail clients, and a charset for its accents.
        params = dict(p.split("=", 1) for p in parameters if "=" in p)
        email.add_attachment(base64.b64decode(item["data"]), maintype=maintype, subtype=subtype,
                             filename=item["filename"], params=params)
    return email


class ConsoleBackend:
    """Prints messages: the embedded default, so `make run` needs no mail server."""

    def __init__(self, config, stream=None):
        self.stream = stream or sys.stdout

    def send(self, email: EmailMessage) -> None:
        body = email.get_body(preferencelist=("plain",))
        self.stream.write(f"\n----- courriel -----\nÀ : {email['To']}\nObjet : {email['Subject']}\n\n"
                          f"{body.get_content() if body else ''}\n--------------------\n")
        self.stream.flush()


class SMTPBackend:
    def __init__(self, config):
        self.config = config

    def send(self, email: EmailMessage) -> None:
        c = self.config
        if c["SMTP_SECURITY"] == "ssl":
            client = smtplib.SMTP_SSL(c["SMTP_HOST"], c["SMTP_PORT"], timeout=c["SMTP_TIMEOUT"],
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(c["SMTP_HOST"], c["SMTP_PORT"], timeout=c["SMTP_TIMEOUT"])
        try:
            if c["SMTP_SECURITY"] == "starttls":
                client.starttls(context=ssl.create_default_context())
            if c["SMTP_USERNAME"]:
                client.login(c["SMTP_USERNAME"], c["SMTP_PASSWORD"])
            client.send_message(email)
        except BaseException:
            client.close()
            raise
        # Accepted: a failing QUIT must not make the message look unsent (it would go out twice).
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


BACKENDS = {"console": ConsoleBackend, "smtp": SMTPBackend}


def get_backend():
    config = current_app.config
    return BACKENDS[config["MAIL_BACKEND"]](config)


def _claim(message_id: int) -> bool:
    """Marks one due message as being sent; False if another sender took it first."""
    claimed = db.session.execute(
        update(Message).where(Message.id == message_id, Message.status == "pending")
        .values(status="sending", attempts=Message.attempts + 1, next_attempt_at=utcnow())
    ).rowcount
    db.session.commit()
    return claimed == 1


def send_pending(*, now: datetime | None = None, limit: int = 100, backend=None) -> dict:
    """Sends due messages. Returns counts {'sent', 'retry', 'failed', 'cancelled'}."""
    now = now or utcnow()
    backend = backend or get_backend()
    config = current_app.config
    counts = {"sent": 0, "retry": 0, "failed": 0, "cancelled": 0}
    due = db.session.scalars(
        select(Message.id).where(Message.status == "pending", Message.next_attempt_at <= now)
        .order_by(Message.next_attempt_at, Message.id).limit(limit)
    ).all()
    for message_id in due:
        if not _claim(message_id):
            continue
        message = db.session.get(Message, message_id)
        if not _still_wanted(message):
            message.status = "cancelled"
            message.last_error = "Annulé avant l'envoi : devenu inutile"
            counts["cancelled"] += 1
            db.session.commit()
            continue
        try:
            email = build_email(message, config["MAIL_FROM"])
        except (ValueError, TypeError, KeyError) as error:  # a message that can never be built
            message.status = "failed"
            message.last_error = f"Message invalide : {type(error).__name__}: {error}"[:1000]
            counts["failed"] += 1
            log.error("message %s cannot be built: %s", message.id, message.last_error)
            db.session.commit()
            continue
        try:
            backend.send(email)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:1000]
            if message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
                message.status = "failed"
                counts["failed"] += 1
                log.error("message %s failed for good: %s", message.id, message.last_error)
            else:
                message.status = "pending"
                delay = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
                message.next_attempt_at = now + timedelta(minutes=delay)
                counts["retry"] += 1
                log.warning("message %s will be retried in %s min: %s", message.id, delay, message.last_error)
        else:
            message.status = "sent"
            message.sent_at = utcnow()
            message.last_error = None
            counts["sent"] += 1
        db.session.commit()
    return counts


def _still_wanted(message: Message) -> bool:
    """False when a receiver of ``signals.mail_due`` says the message became pointless."""
    if not message.dedupe_key:
        return True
    return all(answer is not False for _receiver, answer in signals.mail_due.send(message.dedupe_key))


def retry_failed() -> int:
    """Puts failed messages back in the queue (after fixing the mail configuration)."""
    count = db.session.execute(
        update(Message).where(Message.status == "failed").values(status="pending", attempts=0,
                                                                  next_attempt_at=utcnow())
    ).rowcount
    db.session.commit()
    return count


def release_stuck(older_than: timedelta = timedelta(hours=1)) -> int:
    """Messages left 'sending' by a crashed sender (claimed more than `older_than` ago) are marked
    failed for a human to look at: resending them blindly could deliver twice."""
    count = db.session.execute(
        update(Message).where(Message.status == "sending", Message.next_attempt_at < utcnow() - older_than)
        .values(status="failed", last_error="Envoi interrompu : vérifier avant de relancer.")
    ).rowcount
    db.session.commit()
    if count:
        log.error("%s message(s) interrupted while sending, marked failed", count)
    return count


def erase_sent(now: datetime | None = None) -> int:
    """What a sent message said, and to whom, is erased MAIL_RETENTION_DAYS after it was queued: the
    outbox holds residents' words (the contact form) and people's addresses. The row stays, empty, so
    that its dedupe key still stops the same message from being queued twice."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["MAIL_RETENTION_DAYS"])
    count = db.session.execute(
        update(Message).where(Message.status.in_(("sent", "cancelled")), Message.created_at < cutoff,
                              Message.recipient != "")
        .values(recipient="", subject="", body_text="", body_html=None, attachments=[])
    ).rowcount
    db.session.commit()
    if count:
        log.info("%s sent message(s) erased after the retention period", count)
    return count


__all__ = ["Message", "attachment", "erase_sent", "queue", "release_stuck", "retry_failed", "send_pending",
           "subject_line"]
