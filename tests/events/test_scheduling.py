"""Series, meetings, invitations and reminders through the services and the jobs, at fixed clocks."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from coordination.auth.models import Membership
from coordination.errors import Invalid, PermissionDenied
from coordination.events import rsvp, services
from coordination.events.models import Meeting, MeetingDelegate, MeetingInvitation
from coordination.testing.factories import make_member, make_organisation, make_user
from tests.events import (
    BEFORE_SERIES,
    JUNE_MEETING_UTC,
    MARCH_INVITATIONS,
    MARCH_MEETING_UTC,
    calendar_of,
    event_of,
    quarterly_data,
    set_clock,
)


@pytest.fixture
def series(app, monkeypatch, coordinator):
    set_clock(monkeypatch, BEFORE_SERIES)
    return services.create_series(quarterly_data(), actor=coordinator)


def _meetings(db):
    return db.session.scalars(select(Meeting).order_by(Meeting.starts_at)).all()


def _march(db):
    return _meetings(db)[0]


def _to(messages, email):
    return [m for m in messages if m.recipient == email]


# --- series and materialisation ---------------------------------------------------------------

def test_creating_a_series_materialises_exactly_the_next_two_and_runs_never_duplicate(db, series, monkeypatch):
    assert [m.starts_at for m in _meetings(db)] == [MARCH_MEETING_UTC, JUNE_MEETING_UTC]
    assert services.materialise_occurrences() == 0
    assert services.materialise_occurrences() == 0
    assert len(_meetings(db)) == 2

    # The March meeting is over: September joins, twice-run still one.
    set_clock(monkeypatch, datetime(2026, 3, 11, 9, 0))
    assert services.materialise_occurrences() == 1
    assert services.materialise_occurrences() == 0
    assert [m.occurrence_local.month for m in _meetings(db)] == [3, 6, 9]
    assert all(m.series_id == series.id and m.title == series.title for m in _meetings(db))


def test_the_setting_decides_how_many_are_kept(app, db, coordinator, monkeypatch):
    monkeypatch.setitem(app.config, "MEETING_MATERIALISED", 3)
    set_clock(monkeypatch, BEFORE_SERIES)
    services.create_series(quarterly_data(), actor=coordinator)
    assert [m.occurrence_local.month for m in _meetings(db)] == [3, 6, 9]


def test_a_moved_or_cancelled_occurrence_is_not_created_again(db, series, coordinator, monkeypatch):
    march, june = _meetings(db)
    services.update_meeting(march.id, {"date": "2026-03-17"}, actor=coordinator)
    services.cancel_meeting(june.id, actor=coordinator)
    assert services.materialise_occurrences() == 0
    # Occurrences of the rule are counted, not meetings: once 10 March has passed, the next two are
    # June (cancelled, kept as it is) and September; the March occurrence moved to the 17th stays one.
    set_clock(monkeypatch, datetime(2026, 3, 11, 9, 0))
    assert services.materialise_occurrences() == 1
    set_clock(monkeypatch, datetime(2026, 3, 18, 9, 0))
    assert services.materialise_occurrences() == 0
    assert [(m.occurrence_local.month, m.starts_at.day, m.status) for m in _meetings(db)] == [
        (3, 17, "scheduled"), (6, 9, "cancelled"), (9, 8, "scheduled")]


def test_a_stopped_series_is_not_materialised(db, series, coordinator, monkeypatch):
    services.stop_series(series.id, actor=coordinator)
    set_clock(monkeypatch, datetime(2026, 3, 11, 9, 0))
    assert services.materialise_occurrences() == 0


def test_writes_are_for_coordinators_only(db, series, monkeypatch):
    member = make_member(make_organisation(), role="admin")
    meeting = _march(db)
    with pytest.raises(PermissionDenied):
        services.create_series(quarterly_data(), actor=member)
    with pytest.raises(PermissionDenied):
        services.create_meeting({"title": "x", "date": "2026-04-01", "start_time": "10:00",
                                 "address": "ici"}, actor=member)
    with pytest.raises(PermissionDenied):
        services.update_meeting(meeting.id, {"start_time": "10:00"}, actor=member)
    with pytest.raises(PermissionDenied):
        services.cancel_meeting(meeting.id, actor=member)
    with pytest.raises(PermissionDenied):
        services.responses_by_organisation(meeting.id, actor=member)
    with pytest.raises(PermissionDenied):
        services.create_series(quarterly_data(), actor=None)
    assert meeting.sequence == 0 and meeting.status == "scheduled"


def test_invalid_input_is_refused_in_french_by_field(app, coordinator, monkeypatch):
    set_clock(monkeypatch, BEFORE_SERIES)
    with pytest.raises(Invalid) as caught:
        services.create_series(quarterly_data(title="", video_url="http://visio.exemple.fr", address="",
                                              preset="custom", rrule="FREQ=DAILY", first_date="10/03/2026",
                                              start_time="14h", capacity="0"), actor=coordinator)
    errors = caught.value.errors
    assert set(errors) == {"title", "video_url", "rrule", "first_date", "capacity"}
    assert "https" in errors["video_url"][0]
    with pytest.raises(Invalid) as caught:
        services.create_meeting({"title": "Atelier", "date": "2026-01-15", "start_time": "10:00",
                                 "address": "", "video_url": ""}, actor=coordinator)
    assert set(caught.value.errors) == {"date", "address"}
    with pytest.raises(Invalid) as caught:
        services.create_series(quarterly_data(preset="custom", rrule="FREQ=MONTHLY;COUNT=2;BYDAY=2TU",
                                              first_date="2025-01-14"), actor=coordinator)
    assert "à venir" in caught.value.errors["rrule"][0]


def test_a_single_meeting(db, coordinator, monkeypatch):
    set_clock(monkeypatch, BEFORE_SERIES)
    meeting = services.create_meeting({"title": "Atelier France Services", "date": "2026-07-02",
                                       "start_time": "09:30", "duration_minutes": None,
                                       "video_url": "https://visio.exemple.fr/a", "capacity": "12",
                                       "invitation_days": ""}, actor=coordinator)
    assert meeting.series_id is None
    assert meeting.starts_at == datetime(2026, 7, 2, 7, 30)
    assert meeting.ends_at == datetime(2026, 7, 2, 10, 0)
    assert (meeting.capacity, meeting.invitation_days) == (12, 30)


# --- invitations ------------------------------------------------------------------------------

def test_invitations_go_out_on_their_date_once_per_person_even_when_run_twice(db, series, mail_outbox, monkeypatch):
    network = make_organisation("Association Alpha")
    alix = make_member(network, email="alix@exemple.fr")
    bea = make_member(network, email="bea@exemple.fr")
    set_clock(monkeypatch, MARCH_INVITATIONS - timedelta(minutes=1))
    assert services.send_invitations() == 0
    assert mail_outbox() == []

    set_clock(monkeypatch, MARCH_INVITATIONS)
    assert services.send_invitations() == 2
    assert services.send_invitations() == 0
    messages = mail_outbox()
    assert sorted(m.recipient for m in messages) == [alix.email, bea.email]
    assert {m.dedupe_key for m in messages} == {f"meeting:{_march(db).id}:seq:0:user:{alix.id}",
                                                f"meeting:{_march(db).id}:seq:0:user:{bea.id}"}
    march = _march(db)
    assert march.invitations_sent_at == MARCH_INVITATIONS
    assert [i.sent_sequence for i in march.invitations] == [0, 0]
    calendar = calendar_of(messages[0])
    assert calendar["METHOD"] == "REQUEST"
    assert str(event_of(calendar)["UID"]) == march.uid
    body = _to(messages, alix.email)[0].body_text
    assert "10 mars 2026 à 14\u00a0h" in body and "Tour de table" in body
    # The one-click links sign this person's invitation.
    yes_link = next(line for line in body.splitlines() if line.startswith("- Je viens\u00a0: "))
    invitation, answer = rsvp.read_token(yes_link.rsplit("/", 1)[1])
    assert (invitation.user_id, invitation.meeting_id, answer) == (alix.id, march.id, "yes")
    # June's invitation date has not come.
    assert _meetings(db)[1].invitations == []


def test_only_active_organisations_and_active_people_are_invited(db, series, mail_outbox, monkeypatch):
    invited = make_member(make_organisation(status="active"))
    make_member(make_organisation(status="pending"))
    make_member(make_organisation(status="suspended"))
    make_member(make_organisation(status="active"), active=False)
    set_clock(monkeypatch, MARCH_INVITATIONS)
    services.send_invitations()
    assert [m.recipient for m in mail_outbox()] == [invited.email]
    assert [i.user_id for i in _march(db).invitations] == [invited.id]


def test_delegates_only_when_named_and_one_invitation_for_two_organisations(db, series, mail_outbox, monkeypatch):
    alpha, beta = make_organisation("Alpha"), make_organisation("Beta")
    delegate = make_member(alpha)
    make_member(alpha)  # not named: not invited
    both = make_member(beta)
    db.session.add(Membership(user=both, organisation=alpha, role="member"))
    db.session.add(MeetingDelegate(organisation_id=alpha.id, user_id=delegate.id))
    db.session.commit()
    assert [(u.id, o.id) for u, o in services.invitees(_march(db))] == [(delegate.id, alpha.id), (both.id, beta.id)]

    set_clock(monkeypatch, MARCH_INVITATIONS)
    assert services.send_invitations() == 2
    assert sorted(m.recipient for m in mail_outbox()) == sorted([delegate.email, both.email])


def test_a_member_who_joins_later_is_invited_at_the_next_run(db, series, mail_outbox, monkeypatch):
    organisation = make_organisation()
    make_member(organisation)
    set_clock(monkeypatch, MARCH_INVITATIONS)
    assert services.send_invitations() == 1
    late = make_member(organisation)
    set_clock(monkeypatch, MARCH_INVITATIONS + timedelta(days=3))
    assert services.send_invitations() == 1
    assert services.send_invitations() == 0
    assert _to(mail_outbox(), late.email)[0].subject.startswith("Invitation")
    assert len(mail_outbox()) == 2


def test_no_invitation_for_a_cancelled_or_past_meeting(db, series, coordinator, mail_outbox, monkeypatch):
    make_member(make_organisation())
    services.cancel_meeting(_march(db).id, actor=coordinator)
    set_clock(monkeypatch, MARCH_INVITATIONS)
    assert services.send_invitations() == 0
    set_clock(monkeypatch, JUNE_MEETING_UTC + timedelta(hours=1))
    assert services.send_invitations() == 0
    assert mail_outbox() == []


# --- updates and cancellation -----------------------------------------------------------------

def test_a_move_increments_the_sequence_and_sends_an_update_to_everyone_invited(db, series, coordinator,
                                                                                 mail_outbox, monkeypatch):
    alix = make_member(make_organisation(), email="alix@exemple.fr")
    set_clock(monkeypatch, MARCH_INVITATIONS)
    services.send_invitations()
    march = _march(db)

    services.update_meeting(march.id, {"date": "2026-03-12", "start_time": "10:00", "capacity": None},
                            actor=coordinator)
    assert march.sequence == 1
    assert march.starts_at == datetime(2026, 3, 12, 9, 0)
    update = _to(mail_outbox(), alix.email)[-1]
    assert update.subject.startswith("Modification")
    assert update.dedupe_key == f"meeting:{march.id}:seq:1:user:{alix.id}"
    assert "10 mars 2026 à 14\u00a0h" in update.body_text and "12 mars 2026 à 10\u00a0h" in update.body_text
    event = event_of(calendar_of(update))
    assert event["SEQUENCE"] == 1 and str(event["UID"]) == march.uid
    assert march.invitations[0].sent_sequence == 1

    # The same values again: no new sequence, no message.
    services.update_meeting(march.id, {"date": "2026-03-12", "start_time": "10:00"}, actor=coordinator)
    assert march.sequence == 1
    assert len(mail_outbox()) == 2


def test_a_change_before_the_invitations_sends_nothing_and_the_invitation_carries_it(db, series, coordinator,
                                                                                      mail_outbox, monkeypatch):
    make_member(make_organisation())
    march = _march(db)
    services.update_meeting(march.id, {"agenda": "Nouvel ordre du jour"}, actor=coordinator)
    assert march.sequence == 1 and mail_outbox() == []
    set_clock(monkeypatch, MARCH_INVITATIONS)
    services.send_invitations()
    [invitation] = mail_outbox()
    assert event_of(calendar_of(invitation))["SEQUENCE"] == 1
    assert "Nouvel ordre du jour" in invitation.body_text


def test_cancellation_sends_method_cancel_once(db, series, coordinator, mail_outbox, monkeypatch):
    alix = make_member(make_organisation())
    set_clock(monkeypatch, MARCH_INVITATIONS)
    services.send_invitations()
    march = _march(db)
    services.cancel_meeting(march.id, actor=coordinator, reason="Grève des transports")
    services.cancel_meeting(march.id, actor=coordinator)
    assert (march.status, march.sequence) == ("cancelled", 1)
    cancel = _to(mail_outbox(), alix.email)[-1]
    assert len(mail_outbox()) == 2
    assert cancel.subject.startswith("Annulée")
    assert "Grève des transports" in cancel.body_text
    calendar = calendar_of(cancel)
    assert calendar["METHOD"] == "CANCEL"
    assert event_of(calendar)["STATUS"] == "CANCELLED" and event_of(calendar)["SEQUENCE"] == 1
    with pytest.raises(Invalid):
        services.update_meeting(march.id, {"start_time": "09:00"}, actor=coordinator)


# --- reminders --------------------------------------------------------------------------------

def _answered(db, meeting, user, response, *, waitlisted=False):
    invitation = db.session.scalar(select(MeetingInvitation).where(MeetingInvitation.meeting_id == meeting.id,
                                                                   MeetingInvitation.user_id == user.id))
    invitation.response = response
    invitation.waitlisted_at = MARCH_INVITATIONS if waitlisted else None
    db.session.commit()


def test_reminders_at_7_and_1_days_to_yes_maybe_and_silent_not_to_no(db, series, coordinator, mail_outbox,
                                                                      monkeypatch):
    alpha, beta, gamma = make_organisation("Alpha"), make_organisation("Beta"), make_organisation("Gamma")
    yes, maybe = make_member(alpha), make_member(alpha)
    no = make_member(beta)
    silent = make_member(gamma)
    waiting = make_member(alpha)
    set_clock(monkeypatch, MARCH_INVITATIONS)
    services.send_invitations()
    march = _march(db)
    for user, response in ((yes, "yes"), (maybe, "maybe"), (no, "no")):
        _answered(db, march, user, response)
    _answered(db, march, waiting, "yes", waitlisted=True)
    invitations = len(mail_outbox())

    # Seven days before, from 9:00 Paris (08:00 UTC on 3 March).
    set_clock(monkeypatch, datetime(2026, 3, 3, 7, 59))
    assert services.send_reminders() == 0
    set_clock(monkeypatch, datetime(2026, 3, 3, 8, 0))
    assert services.send_reminders() == 5  # four people and the coordinator
    assert services.send_reminders() == 0
    week = mail_outbox()[invitations:]
    assert sorted(m.recipient for m in week) == sorted(
        [yes.email, maybe.email, silent.email, waiting.email, coordinator.email])
    reminder = _to(week, yes.email)[0]
    assert reminder.subject == "Rappel : Réunion trimestrielle du réseau dans 7 jours"
    assert "10 mars 2026 à 14\u00a0h" in reminder.body_text
    assert calendar_of(reminder)["METHOD"] == "REQUEST"
    assert "liste d’attente" in _to(week, waiting.email)[0].body_text
    digest = _to(week, coordinator.email)[0]
    assert "Gamma" in digest.body_text and "Alpha" not in digest.body_text and "Beta" not in digest.body_text

    # One day before, from 9:00 Paris: again, once.
    set_clock(monkeypatch, datetime(2026, 3, 9, 8, 0))
    assert services.send_reminders() == 5
    assert services.send_reminders() == 0
    day = mail_outbox()[invitations + 5:]
    assert all(m.dedupe_key.startswith(f"meeting:{march.id}:reminder:1d:") for m in day)
    assert _to(day, yes.email)[0].subject.endswith("demain")

    # Once the meeting started: nothing.
    set_clock(monkeypatch, MARCH_MEETING_UTC)
    assert services.send_reminders() == 0


def test_a_summer_meeting_is_reminded_at_14_00_paris(db, series, mail_outbox, monkeypatch):
    person = make_member(make_organisation())
    set_clock(monkeypatch, JUNE_MEETING_UTC - timedelta(days=30))
    services.send_invitations()
    set_clock(monkeypatch, datetime(2026, 6, 8, 7, 0))  # 9:00 Paris, summer time
    assert services.send_reminders() == 2  # the person, and the coordinator's list
    [reminder] = _to(mail_outbox(), person.email)[1:]
    assert "9 juin 2026 à 14\u00a0h" in reminder.body_text
    assert b"DTSTART;TZID=Europe/Paris:20260609T140000" in calendar_of(reminder).to_ical()


def test_a_scheduler_stopped_over_the_7_day_reminder_sends_only_the_1_day_one(db, series, mail_outbox,
                                                                              monkeypatch):
    person = make_member(make_organisation())
    set_clock(monkeypatch, MARCH_INVITATIONS)
    services.send_invitations()
    set_clock(monkeypatch, datetime(2026, 3, 9, 10, 0))
    assert services.send_reminders() == 2  # the person and the coordinator's list
    assert [m.dedupe_key.split(":")[3] for m in _to(mail_outbox(), person.email)[1:]] == ["1d"]


def test_someone_invited_after_a_reminder_moment_waits_for_the_next_one(db, series, mail_outbox, monkeypatch):
    organisation = make_organisation()
    make_member(organisation)
    set_clock(monkeypatch, MARCH_INVITATIONS)
    services.send_invitations()
    late = make_member(organisation)
    set_clock(monkeypatch, datetime(2026, 3, 5, 9, 0))  # after the 7-day reminder
    services.send_invitations()
    services.send_reminders()
    assert [m.subject.split(" :")[0] for m in _to(mail_outbox(), late.email)] == ["Invitation"]
    set_clock(monkeypatch, datetime(2026, 3, 9, 8, 0))
    services.send_reminders()
    assert [m.subject.split(" :")[0] for m in _to(mail_outbox(), late.email)] == ["Invitation", "Rappel"]


# --- what people see --------------------------------------------------------------------------

def test_meetings_for_user_only_through_an_active_organisation_they_still_belong_to(db, series, monkeypatch):
    organisation = make_organisation()
    member = make_member(organisation)
    set_clock(monkeypatch, MARCH_INVITATIONS)
    services.send_invitations()
    march = _march(db)
    assert services.meetings_for_user(member) == [march]
    assert services.meetings_for_user(member, since=MARCH_MEETING_UTC + timedelta(days=1)) == []
    organisation.status = "suspended"
    db.session.commit()
    assert services.meetings_for_user(member) == []
    organisation.status = "active"
    db.session.delete(member.memberships[0])
    db.session.commit()
    assert services.meetings_for_user(member) == []
    assert services.meetings_for_user(make_user()) == []


def test_responses_by_organisation(db, series, coordinator, monkeypatch):
    alpha, beta = make_organisation("Alpha"), make_organisation("Beta")
    yes, _ = make_member(alpha), make_member(alpha)
    make_member(beta)
    set_clock(monkeypatch, MARCH_INVITATIONS)
    services.send_invitations()
    march = _march(db)
    _answered(db, march, yes, "yes")
    groups = services.responses_by_organisation(march.id, actor=coordinator)
    assert [(g.organisation.name, g.count("yes"), g.count("pending"), g.answered) for g in groups] == [
        ("Alpha", 1, 1, True), ("Beta", 0, 1, False)]


def test_cli_runs_each_job_once(app, db, series, runner, monkeypatch):
    from coordination.events.cli import events_cli
    make_member(make_organisation())
    set_clock(monkeypatch, MARCH_INVITATIONS)
    for command, expected in (("materialise", "0 réunion créée"), ("invite", "1 invitation envoyée"),
                              ("remind", "0 rappel envoyé")):
        result = runner.invoke(events_cli, [command])
        assert result.exit_code == 0, result.output
        assert expected in result.output
