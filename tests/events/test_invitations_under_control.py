"""Meetings under control (issue 18): the coordinator who created a meeting is the ORGANIZER of its
calendar files, agendas read as plain text in mails and calendars, « send the invitations now » is
the job's work and invites nobody twice, a meeting invites every organisation or a chosen list
(the job and the reminders respect it), and the answers table lists every invited organisation."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination import mail
from coordination.core.clock import utcnow
from coordination.errors import Invalid, PermissionDenied
from coordination.events import ics, markdown, services
from coordination.events.models import Meeting, MeetingInvitation
from coordination.testing.factories import make_organisation
from tests.events import calendar_of, event_of, quarterly_data

AGENDA = "## Ordre du jour\n\n1. Tour de table\n2. **Actualités** du [réseau](https://reseau.exemple.fr)\n\n- *pause*"


def _single(network, **overrides):
    start = utcnow() + timedelta(days=10)
    data = {"title": "Rencontre du réseau", "date": start.date().isoformat(), "start_time": "14:00",
            "duration_minutes": 120, "address": "Maison des associations, Nantes", "agenda": AGENDA}
    data.update(overrides)
    return services.create_meeting(data, actor=network.coordinator)


def _messages():
    return list(services.db.session.scalars(select(mail.Message).order_by(mail.Message.id)))


def test_markdown_reads_as_plain_text():
    text = markdown.to_text(AGENDA + "\n\n<script>alert(1)</script>")
    assert text == ("Ordre du jour\n\n1. Tour de table\n2. Actualités du réseau (https://reseau.exemple.fr)\n\n"
                    "- pause")
    assert markdown.to_text(None) == "" and markdown.to_text("  ") == ""


def test_the_invitation_names_the_creating_coordinator_as_organizer_and_reads_as_plain_text(app, db, network):
    meeting = _single(network)
    assert services.send_invitations_now(meeting.id, actor=network.coordinator) == 3
    message = next(m for m in _messages() if m.recipient == network.member.email)
    event = event_of(calendar_of(message))
    assert calendar_of(message)["method"] == "REQUEST"
    assert str(event["organizer"]) == f"mailto:{network.coordinator.email}"
    assert event["organizer"].params["cn"] == network.coordinator.name
    description = str(event["description"])
    assert "Actualités du réseau (https://reseau.exemple.fr)" in description
    assert "**" not in description and "##" not in description and "[réseau]" not in description
    assert "1. Tour de table" in message.body_text and "**" not in message.body_text
    assert message.reply_to == network.coordinator.email  # a reply by mail reaches the organiser too


def test_a_series_meeting_is_organised_by_the_series_creator_and_falls_back_to_the_sender(app, db, network):
    series = services.create_series(quarterly_data(first_date=(utcnow() + timedelta(days=40)).date().isoformat()),
                                    actor=network.coordinator)
    meeting = series.meetings[0]
    assert meeting.created_by_id == network.coordinator.id
    assert b"mailto:" + network.coordinator.email.encode() in ics.meeting_calendar(meeting, method="PUBLISH")
    network.coordinator.active = False
    db.session.commit()
    assert b"mailto:" + network.coordinator.email.encode() not in ics.meeting_calendar(meeting, method="PUBLISH")


def test_sending_now_is_idempotent_and_only_for_coordinators(app, db, network):
    meeting = _single(network)
    with pytest.raises(PermissionDenied):
        services.send_invitations_now(meeting.id, actor=network.admin)
    assert services.send_invitations_now(meeting.id, actor=network.coordinator) == 3
    assert services.send_invitations_now(meeting.id, actor=network.coordinator) == 0
    assert services.send_invitations() == 0  # the job finds nothing left either
    assert len([m for m in _messages() if m.subject.startswith("Invitation")]) == 3
    assert db.session.query(MeetingInvitation).count() == 3
    services.cancel_meeting(meeting.id, actor=network.coordinator)
    with pytest.raises(Invalid):
        services.send_invitations_now(meeting.id, actor=network.coordinator)


def test_only_the_chosen_organisations_are_invited_by_the_job_and_reminded(app, db, network, monkeypatch):
    meeting = _single(network, invite="chosen", organisation_ids=[str(network.other.id)])
    assert not meeting.invite_all and [o.id for o in meeting.organisations] == [network.other.id]
    meeting.starts_at = utcnow() + timedelta(days=5)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    assert services.send_invitations() == 1
    assert [m.recipient for m in _messages()] == [network.other_member.email]
    # The list shrinks: the people already invited are not reminded for an organisation left out.
    services.update_meeting(meeting.id, {"invite": "chosen", "organisation_ids": [str(network.active.id)]},
                            actor=network.coordinator)
    assert services.send_invitations() == 2
    reminder_day = services.reminder_moment(meeting, 1) + timedelta(minutes=1)
    assert services.send_reminders(now=reminder_day) >= 2
    reminded = {m.recipient for m in _messages() if m.dedupe_key and ":reminder:" in m.dedupe_key and ":user:" in m.dedupe_key}
    assert reminded == {network.admin.email, network.member.email}


def test_choosing_organisations_needs_at_least_one_active_one(app, db, network):
    with pytest.raises(Invalid) as caught:
        _single(network, invite="chosen", organisation_ids=[str(network.suspended.id)])
    assert "organisation_ids" in caught.value.errors
    assert db.session.query(Meeting).count() == 0


def test_the_answers_table_lists_every_invited_organisation(app, db, network):
    nobody = make_organisation("Centre social sans compte", kind="centre_social")
    meeting = _single(network)
    before = services.responses_by_organisation(meeting.id, actor=network.coordinator)
    assert [g.organisation.name for g in before] == [
        "Association Clic et Déclic", "Centre social sans compte", "Médiathèque Diderot"]
    assert [g.no_account for g in before] == [False, True, False]
    services.send_invitations_now(meeting.id, actor=network.coordinator)
    after = services.responses_by_organisation(meeting.id, actor=network.coordinator)
    assert {g.organisation.name: len(g.invitations) for g in after} == {
        "Association Clic et Déclic": 2, "Centre social sans compte": 0, "Médiathèque Diderot": 1}
    assert next(g for g in after if g.organisation.id == nobody.id).no_account
