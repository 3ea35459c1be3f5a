"""Signed links in mails: one-click answers, password resets, invitations, « tout est à jour ».

A link carries a small payload signed with the app's secret and a salt per kind of link
(``LinkSigner``). A *timed* signer stamps the signing time and refuses the token after ``max_age``
seconds; an untimed one leaves the limit to the database (a meeting's end, say). What makes a link
single use (a nonce, a ``used_at`` column) is the domain's; the errors are these four, each with
its French title, shown by one page (``coordination.web.links``). Salts and payloads are the ones
the links already mailed were signed with: changing either kills them.
"""
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

from coordination.errors import Invalid


class LinkError(Invalid):
    """A link that cannot be used; ``title`` heads its page, ``message`` says why."""
    title = "Ce lien n'est pas valable"


class BadLink(LinkError):
    status = 400
    default_message = "Ce lien n'est pas valable : il a peut-être été mal copié. Utilisez le lien complet du courriel."


class LinkExpired(LinkError):
    status = 410
    title = "Ce lien a expiré"
    default_message = "Ce lien a expiré."


class LinkUsed(LinkError):
    status = 410
    title = "Ce lien a déjà servi"
    default_message = "Ce lien a déjà servi."


class LinkRevoked(LinkError):
    status = 410
    title = "Ce lien a été annulé"
    default_message = "Ce lien a été annulé."


def _signer_at(now: datetime) -> type[TimestampSigner]:
    """A signer whose clock is ``now`` (naive UTC): jobs and tests given a fixed clock."""
    stamp = int(now.replace(tzinfo=UTC).timestamp())

    class FixedClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp
    return FixedClockSigner


@dataclass(frozen=True)
class LinkSigner:
    """Signs and reads one kind of link. ``bad`` and ``expired`` are the French messages of a
    token that was altered or is too old (``read`` may replace the second)."""
    salt: str
    timed: bool = True
    bad: str = BadLink.default_message
    expired: str = LinkExpired.default_message

    def _serializer(self, now: datetime | None):
        secret = current_app.config["SECRET_KEY"]
        if not self.timed:
            return URLSafeSerializer(secret, salt=self.salt)
        signer = TimestampSigner if now is None else _signer_at(now)
        return URLSafeTimedSerializer(secret, salt=self.salt, signer=signer)

    def sign(self, payload, *, now: datetime | None = None) -> str:
        return self._serializer(now).dumps(payload)

    def read(self, token: str, *, max_age: int | None = None, now: datetime | None = None,
             expired: str | None = None):
        """The payload; BadLink when the token was altered, LinkExpired when older than ``max_age``
        seconds (only for a genuine signature: the date cannot be forged)."""
        serializer = self._serializer(now)
        try:
            return serializer.loads(token, max_age=max_age) if self.timed else serializer.loads(token)
        except SignatureExpired:
            raise LinkExpired(expired or self.expired) from None
        except BadSignature:
            raise BadLink(self.bad) from None
