"""Review fixes: single-line fields and links, reminders of meetings invited late, statement counts
of the coordinator page and of a re-run reminder job, seats of people who can no longer come,
updates to people who left, and two answers at once for the last seat (PostgreSQL)."""
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select

from coordination.auth.models import Membership
from coordination.errors import Invalid
from coordination.events import maintenance, rsvp, services
from coordination.events.models import Meeting, MeetingInvitation
from coordination.testing.factories import make_member, make_organisation, make_user
from tests.events import MARCH_MEETING_UTC, quarterly_data, set_clock
from tests.events.conftest import invite, make_meeting
from tests.plugin import using_postgres

BEFORE_SERIES = datetime(2026, 2, 1, 9, 0)
MARCH_INVITATIONS = MARCH_MEETING_UTC - timedelta(days=30)
SEVEN_DAYS_BEFORE_MARCH = datetime(2026, 3, 3, 8, 0)  # 9:00 Paris


@pytest.fixture
def coordinator(app):
    return make_user("coordination@exemple.fr", name="Claude Coordinatrice", coordinator=True)


@contextmanager
def counting_statements(db):
    """Counts the SQL statements sent to the database inside the block."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def reload(db, invitation) -> MeetingInvitation:
    db.session.expire_all()
    return db.session.get(MeetingInvitation, invitation.id)


def single_meeting_data(**overrides) -> dict:
    data = {"title": "Atelier du réseau", "date": "2026-03-10", "start_time": "14:00", "duration_minutes": 120,
            "address": "Maison des associations, Nantes"}
    data.update(overrides)
    return data


# --- 1. single-line fields and the video link ---------------------------------------------------

@pytest.mark.parametrize("link", [
    "https://visio.ex/a\nBEGIN:VEVENT", "https://visio.ex/a\r\nX-INJECTED:1", "https://visio.ex/a\tb",
    "https://visio.ex/a\x00b", "https://visio.ex/a\x7fb", "https://visio.ex/a\u2028b", "https://visio.ex/a\u200bb",
    "https://visio.ex/a\u00a0b", "https://visio.ex/a b",
])
def test_a_video_link_with_whitespace_or_a_control_character_is_refused(app, coordinator, monkeypatch, link):
    set_clock(monkeypatch, BEFORE_SERIES)
    with pytest.raises(Invalid) as caught:
        services.create_meeting(single_meeting_data(video_url=link), actor=coordinator)
    assert set(caught.value.errors) == {"video_url"}
    assert "espace" in caught.value.errors["video_url"][0]


@pytest.mark.parametrize("name", ["title", "address"])
@pytest.mark.parametrize("value", ["Réunion\nBEGIN:VEVENT", "Réunion\r\nX: 1", "Réunion\u2028suite", "Réu\x00nion"])
def test_single_line_fields_refuse_line_breaks_in_french(app, coordinator, monkeypatch, name, value):
    set_clock(monkeypatch, BEFORE_SERIES)
    with pytest.raises(Invalid) as caught:
        services.create_meeting(single_meeting_data(**{name: value}), actor=coordinator)
    assert set(caught.value.errors) == {name}
    assert "une seule ligne" in caught.value.errors[name][0]


def test_the_same_rules_apply_to_series_and_changes(app, db, coordinator, monkeypatch):
    set_clock(monkeypatch, BEFORE_SERIES)
    with pytest.raises(Invalid) as caught:
        services.create_series(quarterly_data(video_url="https://visio.ex/a\nBEGIN:VEVENT"), actor=coordinator)
    assert set(caught.value.errors) == {"video_url"}
    meeting = services.create_meeting(single_meeting_data(), actor=coordinator)
    with pytest.raises(Invalid) as caught:
        services.update_meeting(meeting.id, {"title": "Atelier\nBEGIN:VALARM"}, actor=coordinator)
    assert set(caught.value.errors) == {"title"}
    # What remains allowed: spaces inside a title or an address, tabs collapsed, a clean link.
    changed = services.update_meeting(meeting.id, {"title": "  Atelier\tdu   réseau ", "address": "2 rue  Kervégan",
                                                   "video_url": "https://visio.ex/a?b=c#d"}, actor=coordinator)
    assert (changed.title, changed.address, changed.video_url) == (
        "Atelier du réseau", "2 rue Kervégan", "https://visio.ex/a?b=c#d")


# --- 2. reminders of a meeting invited late ---------------------------------------------------

def test_no_premature_reminder_nor_unanswered_list_when_invitations_went_out_after_the_stage(
        app, db, coordinator, mail_outbox, monkeypatch):
    person = make_member(make_organisation("Alpha"))
    # Created and invited three days before: the 7-day reminder moment is already past.
    invited_at = datetime(2026, 3, 7, 10, 0)
    set_clock(monkeypatch, invited_at)
    services.create_meeting(single_meeting_data(), actor=coordinator)
    assert maintenance.send_invitations() == 1
    assert maintenance.send_reminders() == 0
    set_clock(monkeypatch, invited_at + timedelta(hours=6))
    assert maintenance.send_reminders() == 0
    assert [m.recipient for m in mail_outbox()] == [person.email]

    # The 1-day reminder comes after the invitations: the person and the coordinators' list.
    set_clock(monkeypatch, datetime(2026, 3, 9, 8, 0))
    assert maintenance.send_reminders() == 2
    assert sorted(m.recipient for m in mail_outbox()[1:]) == sorted([person.email, coordinator.email])
    assert all(":reminder:1d:" in m.dedupe_key for m in mail_outbox()[1:])


# --- 3. the coordinator's meeting page ----------------------------------------------------------

def _meeting_with_organisations(count: int, *, members: int = 3) -> Meeting:
    meeting = make_meeting(capacity=count * members)
    for number in range(count):
        organisation = make_organisation(f"Organisation {number:02d}")
        for _ in range(members):
            invitation = invite(meeting, make_member(organisation, name=f"Membre {number}"), organisation)
            invitation.response = ("yes", "no", "maybe")[number % 3]
    services.db.session.commit()
    return meeting


def _manage_page_statements(db, client, meeting) -> int:
    db.session.expire_all()
    with counting_statements(db) as statements:
        response = client.get(f"/coordination/reunions/{meeting.id}")
    assert response.status_code == 200
    assert "Organisation 00" in response.get_data(as_text=True)
    return len(statements)


def test_the_coordinator_page_issues_a_constant_number_of_statements(app, db, client, login, coordinator):
    login(coordinator)
    small = _manage_page_statements(db, client, _meeting_with_organisations(3))
    large = _manage_page_statements(db, client, _meeting_with_organisations(15))
    assert large == small
    assert large <= 12


def test_the_started_meeting_page_with_attendance_too(app, db, client, login, coordinator, monkeypatch):
    login(coordinator)
    meeting = _meeting_with_organisations(12)
    meeting.starts_at = meeting.starts_at - timedelta(days=20)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    assert _manage_page_statements(db, client, meeting) <= 12


# --- 4. the reminder job re-run ---------------------------------------------------------------

def _invited_series(db, coordinator, monkeypatch, organisations: int) -> None:
    set_clock(monkeypatch, BEFORE_SERIES)
    services.create_series(quarterly_data(), actor=coordinator)
    for number in range(organisations):
        organisation = make_organisation(f"Organisation {number:02d}")
        for _ in range(3):
            make_member(organisation)
    set_clock(monkeypatch, MARCH_INVITATIONS)
    maintenance.send_invitations()


@pytest.mark.parametrize("organisations", [2, 10])
def test_a_reminder_run_after_the_first_one_issues_few_statements(app, db, coordinator, mail_outbox,
                                                                   monkeypatch, organisations):
    _invited_series(db, coordinator, monkeypatch, organisations)
    set_clock(monkeypatch, SEVEN_DAYS_BEFORE_MARCH)
    assert maintenance.send_reminders() == organisations * 3 + 1
    db.session.expire_all()
    set_clock(monkeypatch, SEVEN_DAYS_BEFORE_MARCH + timedelta(minutes=15))
    with counting_statements(db) as statements:
        assert maintenance.send_reminders() == 0
    assert len(statements) <= 8, statements


def test_a_reminder_run_still_sends_what_is_missing(app, db, coordinator, mail_outbox, monkeypatch):
    from coordination.mail import Message
    _invited_series(db, coordinator, monkeypatch, 2)
    set_clock(monkeypatch, SEVEN_DAYS_BEFORE_MARCH)
    assert maintenance.send_reminders() == 7
    # Another meeting's keys never count for this one, and a lost message is queued again.
    lost = db.session.scalar(select(Message).where(Message.dedupe_key.like("%:reminder:7d:user:%")))
    db.session.delete(lost)
    db.session.commit()
    assert maintenance.send_reminders() == 1


# --- 5. seats of people who can no longer come ------------------------------------------------

def test_seats_count_only_people_who_may_still_come(db, meeting, network):
    meeting.capacity = 3
    for invitation in vars(meeting.test_invitations).values():
        invitation.response = "yes"
    db.session.commit()
    assert rsvp.seats_taken(meeting) == 3  # the suspended organisation's member holds no seat
    network.member.active = False
    db.session.delete(network.other_member.memberships[0])
    db.session.commit()
    assert rsvp.seats_taken(meeting) == 1


def test_a_seat_held_by_someone_who_left_goes_to_the_waiting_list(db, network, mail_outbox):
    full = make_meeting(capacity=1)
    leaving = invite(full, network.admin, network.active)
    waiting = invite(full, network.other_member, network.other)
    late = invite(full, network.member, network.active)
    rsvp.respond(leaving.id, "yes", actor=network.admin)
    assert rsvp.respond(waiting.id, "yes", actor=network.other_member).waitlisted
    db.session.delete(network.admin.memberships[0])
    db.session.commit()

    # The next answer finds the seat free: the first waiting person takes it, not the newcomer.
    assert rsvp.respond(late.id, "yes", actor=network.member).waitlisted
    assert reload(db, waiting).waitlisted_at is None
    assert rsvp.seats_taken(full) == 1
    assert [m.recipient for m in mail_outbox()] == [network.other_member.email]


def test_a_suspended_organisations_seat_is_free_for_the_next_yes(db, network):
    full = make_meeting(capacity=1)
    invite(full, network.suspended_member, network.suspended, response="yes")
    admin = invite(full, network.admin, network.active)
    assert not rsvp.respond(admin.id, "yes", actor=network.admin).waitlisted


def test_the_invitation_job_moves_the_waiting_list_up_when_a_seat_was_freed(db, network, mail_outbox):
    full = make_meeting(capacity=1, invitation_days=30)
    seated = invite(full, network.admin, network.active, sent_sequence=0)
    waiting = invite(full, network.other_member, network.other, sent_sequence=0)
    rsvp.respond(seated.id, "yes", actor=network.admin)
    rsvp.respond(waiting.id, "yes", actor=network.other_member)
    network.active.status = "suspended"
    db.session.commit()
    maintenance.send_invitations()
    assert reload(db, waiting).waitlisted_at is None
    assert [m.subject for m in mail_outbox()] == [f"Une place s'est libérée : {full.title}"]


# --- 6. updates, delegates and the partner space ------------------------------------------------

def test_an_update_to_someone_who_left_carries_no_answer_links_and_the_cancellation_still_goes(
        db, coordinator, mail_outbox, monkeypatch):
    organisation = make_organisation("Alpha")
    staying, leaving = make_member(organisation), make_member(organisation)
    set_clock(monkeypatch, BEFORE_SERIES)
    meeting = services.create_meeting(single_meeting_data(), actor=coordinator)
    set_clock(monkeypatch, MARCH_INVITATIONS)
    maintenance.send_invitations()
    db.session.delete(db.session.scalar(select(Membership).where(Membership.user_id == leaving.id)))
    db.session.commit()

    services.update_meeting(meeting.id, {"start_time": "15:00"}, actor=coordinator)
    updates = {m.recipient: m for m in mail_outbox() if m.subject.startswith("Modification")}
    assert "/reunions/reponse/" in updates[staying.email].body_text
    assert "/reunions/reponse/" not in updates[leaving.email].body_text
    services.cancel_meeting(meeting.id, actor=coordinator)
    assert sorted(m.recipient for m in mail_outbox() if m.subject.startswith("Annulée")) == sorted(
        [staying.email, leaving.email])


@pytest.mark.parametrize("user_ids", [["abc"], ["1x"], [None], [""]])
def test_delegates_with_an_unreadable_person_are_refused_in_french(db, network, user_ids):
    with pytest.raises(Invalid) as caught:
        rsvp.set_delegates(network.active.id, user_ids, actor=network.admin)
    assert "membre" in caught.value.message


@pytest.mark.parametrize("organisation_id", ["abc", None, "3.5"])
def test_delegates_of_an_unreadable_organisation_are_refused_in_french(db, network, organisation_id):
    with pytest.raises(Invalid) as caught:
        rsvp.set_delegates(organisation_id, [], actor=network.admin)
    assert "organisation" in caught.value.message


def test_the_delegates_form_with_a_forged_value_is_a_400_not_a_500(client, login, network):
    login(network.admin)
    response = client.post("/reunions/participants", data={"organisation_id": str(network.active.id),
                                                           "user_id": ["abc"]})
    assert response.status_code == 400
    assert "membre" in response.get_data(as_text=True)


def test_my_invitations_show_cancelled_meetings_as_cancelled(db, meeting, network):
    meeting.status = "cancelled"
    db.session.commit()
    assert [i.meeting.status for i in rsvp.my_invitations(network.member)] == ["cancelled"]
    assert "cancelled" in rsvp.my_invitations.__doc__ or "annulée" in rsvp.my_invitations.__doc__


# --- 7. two answers at once for the last seat ---------------------------------------------------

@pytest.mark.skipif(not using_postgres(), reason="SQLite has no row locks (SELECT … FOR UPDATE) and serialises "
                                                 "every writer: the race only exists on PostgreSQL "
                                                 "(set TEST_DATABASE_URL=postgresql://…)")
def test_two_yes_at_once_for_the_last_seat_give_one_seat_and_one_waiting(app, db, network):
    full = make_meeting(capacity=1)
    invitations = [invite(full, network.admin, network.active), invite(full, network.other_member, network.other)]
    tokens = {i.id: rsvp.make_token(i.id, "yes") for i in invitations}
    start = threading.Barrier(len(invitations))
    results, failures = {}, []

    def answer(invitation_id):
        try:
            with app.app_context():  # its own application context, so its own session and connection
                try:
                    start.wait(timeout=10)
                    results[invitation_id] = rsvp.respond(invitation_id, "yes", token=tokens[invitation_id]).waitlisted
                finally:
                    services.db.session.remove()
        except Exception as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=answer, args=(i.id,)) for i in invitations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures
    assert sorted(results.values()) == [False, True]
    db.session.expire_all()
    assert rsvp.seats_taken(full) == 1
    assert len(rsvp.waiting_list(full)) == 1
