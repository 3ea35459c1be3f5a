"""Reminders: none before the invitations of a meeting invited late, and a re-run of the reminder job
issues few statements yet still sends what is missing."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from coordination.events import services
from coordination.testing.factories import make_member, make_organisation
from tests.events import (
    BEFORE_SERIES,
    MARCH_INVITATIONS,
    SEVEN_DAYS_BEFORE_MARCH,
    counting_statements,
    quarterly_data,
    set_clock,
    single_meeting_data,
)


def test_no_premature_reminder_nor_unanswered_list_when_invitations_went_out_after_the_stage(
        app, db, coordinator, mail_outbox, monkeypatch):
    person = make_member(make_organisation("Alpha"))
    # Created and invited three days before: the 7-day reminder moment is already past.
    invited_at = datetime(2026, 3, 7, 10, 0)
    set_clock(monkeypatch, invited_at)
    services.create_meeting(single_meeting_data(), actor=coordinator)
    assert services.send_invitations() == 1
    assert services.send_reminders() == 0
    set_clock(monkeypatch, invited_at + timedelta(hours=6))
    assert services.send_reminders() == 0
    assert [m.recipient for m in mail_outbox()] == [person.email]

    # The 1-day reminder comes after the invitations: the person and the coordinators' list.
    set_clock(monkeypatch, datetime(2026, 3, 9, 8, 0))
    assert services.send_reminders() == 2
    assert sorted(m.recipient for m in mail_outbox()[1:]) == sorted([person.email, coordinator.email])
    assert all(":reminder:1d:" in m.dedupe_key for m in mail_outbox()[1:])


def _invited_series(db, coordinator, monkeypatch, organisations: int) -> None:
    set_clock(monkeypatch, BEFORE_SERIES)
    services.create_series(quarterly_data(), actor=coordinator)
    for number in range(organisations):
        organisation = make_organisation(f"Organisation {number:02d}")
        for _ in range(3):
            make_member(organisation)
    set_clock(monkeypatch, MARCH_INVITATIONS)
    services.send_invitations()


@pytest.mark.parametrize("organisations", [2, 10])
def test_a_reminder_run_after_the_first_one_issues_few_statements(app, db, coordinator, mail_outbox,
                                                                   monkeypatch, organisations):
    _invited_series(db, coordinator, monkeypatch, organisations)
    set_clock(monkeypatch, SEVEN_DAYS_BEFORE_MARCH)
    assert services.send_reminders() == organisations * 3 + 1
    db.session.expire_all()
    set_clock(monkeypatch, SEVEN_DAYS_BEFORE_MARCH + timedelta(minutes=15))
    with counting_statements(db) as statements:
        assert services.send_reminders() == 0
    assert len(statements) <= 8, statements


def test_a_reminder_run_still_sends_what_is_missing(app, db, coordinator, mail_outbox, monkeypatch):
    from coordination.mail import Message
    _invited_series(db, coordinator, monkeypatch, 2)
    set_clock(monkeypatch, SEVEN_DAYS_BEFORE_MARCH)
    assert services.send_reminders() == 7
    # Another meeting's keys never count for this one, and a lost message is queued again.
    lost = db.session.scalar(select(Message).where(Message.dedupe_key.like("%:reminder:7d:user:%")))
    db.session.delete(lost)
    db.session.commit()
    assert services.send_reminders() == 1
