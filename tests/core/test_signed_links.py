"""Signed links: the links mailed before the links had one module still open, and a link is
refused in French for each reason (altered, too old)."""
from datetime import datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from coordination.auth import services as auth_services
from coordination.core.signed_links import BadLink, LinkExpired, LinkSigner
from coordination.freshness import services as freshness
from coordination.events import rsvp


@pytest.mark.parametrize(("links", "salt", "payload"), [
    (auth_services.RESET_LINKS, "password-reset", {"u": 7, "p": "0123456789abcdef"}),
    (auth_services.INVITATION_LINKS, "invitation", {"i": 3, "n": "nonce"}),
    (freshness.LINKS, "coordination.directory.freshness", 12),
])
def test_a_timed_link_mailed_before_still_reads(app, links, salt, payload):
    mailed = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt).dumps(payload)
    assert links.read(mailed, max_age=3600) == payload


def test_a_meeting_answer_link_mailed_before_is_the_same_link(app):
    mailed = URLSafeSerializer(app.config["SECRET_KEY"], salt="coordination.events.rsvp").dumps([5, "y"])
    assert rsvp.make_token(5, "yes") == mailed


def test_a_link_of_another_kind_is_refused_with_its_message(app):
    invitation_token = auth_services.INVITATION_LINKS.sign({"i": 3, "n": "nonce"})
    with pytest.raises(BadLink, match="réinitialisation"):
        auth_services.RESET_LINKS.read(invitation_token, max_age=3600)


def test_a_link_older_than_its_age_has_expired(app):
    links = LinkSigner("test", expired="Trop vieux.")
    signed_at = datetime(2026, 3, 1, 12, 0)
    token = links.sign(1, now=signed_at)
    assert links.read(token, max_age=3600, now=signed_at + timedelta(minutes=59)) == 1
    with pytest.raises(LinkExpired, match="Trop vieux") as caught:
        links.read(token, max_age=3600, now=signed_at + timedelta(minutes=61))
    assert caught.value.status == 410 and caught.value.title == "Ce lien a expiré"
