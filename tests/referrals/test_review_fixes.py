"""Races between people (and jobs), keys removed too early, suspended organisations, and accepted
referrals that nobody closes."""
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text, update

from coordination.core.clock import utcnow
from coordination.errors import Conflict, PermissionDenied
from coordination.extensions import db
from coordination.referrals import maintenance, services, workflow
from coordination.referrals.models import Referral
from tests.conftest import make_member
from tests.referrals.conftest import FIRST_NAME


def someone_else_commits(referral, **values):
    """Another transaction changes the row (and its version) behind this session's back."""
    db.session.execute(update(Referral.__table__).where(Referral.__table__.c.id == referral.id)
                       .values(version=Referral.__table__.c.version + 1, **values))


def test_accept_and_decline_at_once_the_second_gets_a_conflict(send, network):
    referral = send()
    services.get_referral(referral.uid, actor=network.member_b)  # loaded: status "sent", version 1
    someone_else_commits(referral, status=workflow.DECLINED)
    with pytest.raises(Conflict):
        services.accept_referral(referral.uid, actor=network.member_b)
    db.session.expire_all()
    fresh = db.session.get(Referral, referral.id)
    # Nothing of the late "accept" was written (the test's stand-in for the other transaction is
    # rolled back with it: both ran in this session's transaction).
    assert fresh.status != workflow.ACCEPTED and [e.kind for e in fresh.events] == [workflow.SENT]


def test_a_comment_never_lands_after_the_erasure(send, network):
    referral = send()
    services.get_referral(referral.uid, actor=network.member_a)
    someone_else_commits(referral, personal_data=None, purged_at=utcnow())
    with pytest.raises(Conflict):
        services.add_comment(referral.uid, f"{FIRST_NAME} rappellera.", actor=network.member_a)
    assert db.session.execute(text("SELECT count(*) FROM referral_events WHERE comment IS NOT NULL")).scalar() == 0


def test_the_purge_also_clears_a_comment_left_on_an_erased_referral(send, network):
    referral = send()
    event = services.add_comment(referral.uid, "Rappel jeudi.", actor=network.member_b)
    db.session.execute(update(Referral.__table__).values(purged_at=utcnow(), personal_data=None))
    db.session.commit()
    maintenance.purge_personal_data()
    assert db.session.execute(text("SELECT comment FROM referral_events WHERE id = :id"),
                              {"id": event.id}).scalar() is None


def test_a_key_removed_too_early_leaves_the_page_usable(app, client, login, send, network, monkeypatch):
    referral = send()
    services.add_comment(referral.uid, "Rendez-vous mardi.", actor=network.member_b)
    monkeypatch.setitem(app.config, "PERSONAL_DATA_KEYS", Fernet.generate_key().decode())
    login(network.member_b)
    page = client.get(f"/orientations/{referral.uid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ne peuvent pas être lues" in html and "commentaire illisible" in html
    assert client.post(f"/orientations/{referral.uid}/accepter", data={}).status_code == 302
    assert db.session.get(Referral, referral.id).status == workflow.ACCEPTED


def test_a_suspended_organisation_cannot_comment(send, network):
    referral = send()
    network.org_b.status = "suspended"
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.add_comment(referral.uid, "Bonjour", actor=network.member_b)


def test_a_member_of_both_acts_for_the_side_the_action_belongs_to(send, network):
    both = make_member(network.org_a)
    make_member(network.org_b, email=None)  # someone else in B
    from coordination.auth.models import Membership
    db.session.add(Membership(user=both, organisation=network.org_b, role="member"))
    db.session.commit()
    referral = send()
    network.org_b.status = "suspended"
    db.session.commit()
    with pytest.raises(PermissionDenied):  # accepting is B's action, and B is suspended
        services.accept_referral(referral.uid, actor=both)


def test_erasure_is_never_blocked_by_a_suspension(send, network):
    referral = send()
    network.org_a.status = "suspended"
    db.session.commit()
    services.withdraw_consent(referral.uid, actor=network.member_a)
    fresh = db.session.get(Referral, referral.id)
    assert fresh.status == workflow.WITHDRAWN and fresh.personal_data is None


def test_accepted_referrals_without_outcome_are_closed_then_purged(app, send, network, mail_outbox):
    old, recent = send(), send()
    for referral in (old, recent):
        services.accept_referral(referral.uid, actor=network.member_b)
    now = utcnow()
    outcome_days = app.config["REFERRAL_OUTCOME_DAYS"]
    db.session.execute(update(Referral.__table__).where(Referral.__table__.c.id == old.id)
                       .values(answered_at=now - timedelta(days=outcome_days + 1)))
    db.session.execute(update(Referral.__table__).where(Referral.__table__.c.id == recent.id)
                       .values(answered_at=now - timedelta(days=outcome_days - 1)))
    db.session.commit()
    db.session.expire_all()

    assert maintenance.close_unfinished(now=now) == 1
    assert maintenance.close_unfinished(now=now) == 0  # idempotent
    closed = db.session.get(Referral, old.id)
    assert closed.status == workflow.CLOSED and closed.closed_at == now
    assert closed.events[-1].actor_id is None and closed.events[-1].reason == "auto"
    assert db.session.get(Referral, recent.id).status == workflow.ACCEPTED
    notices = [m for m in mail_outbox() if "faute d'issue" in m.subject]
    assert {m.recipient for m in notices} == {network.member_a.email, network.member_b.email}
    assert all(FIRST_NAME not in m.body_text for m in notices)

    later = now + timedelta(days=app.config["REFERRAL_RETENTION_DAYS"])
    assert maintenance.purge_personal_data(now=later) == 1
    assert db.session.get(Referral, old.id).personal_data is None
