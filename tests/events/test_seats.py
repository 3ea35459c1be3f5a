"""Seats of a meeting with a capacity: only people who may still come hold one, a freed seat goes to
the waiting list, and two answers at once for the last seat give one seat and one waiting (PostgreSQL)."""
import threading

import pytest

from coordination.events import rsvp, services
from coordination.events.models import MeetingInvitation
from tests.events.conftest import invite, make_meeting
from tests.plugin import using_postgres


def reload(db, invitation) -> MeetingInvitation:
    db.session.expire_all()
    return db.session.get(MeetingInvitation, invitation.id)


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
    services.send_invitations()
    assert reload(db, waiting).waitlisted_at is None
    assert [m.subject for m in mail_outbox()] == [f"Une place s’est libérée : {full.title}"]


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
