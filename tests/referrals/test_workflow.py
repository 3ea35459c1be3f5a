"""The referral state machine through its services: every allowed transition, and every forbidden
one refused (wrong actor, wrong state); consent; double submission; encryption at rest."""
import itertools
import secrets

import pytest
from sqlalchemy import text

from coordination.audit import AuditRecord
from coordination.errors import Invalid, NotFound, PermissionDenied
from coordination.referrals import services, workflow
from coordination.referrals.models import Referral
from coordination.testing.factories import make_member, make_organisation, make_place, make_user

FIRST_NAME = "Zéphyrine"


@pytest.fixture
def parties(db):
    sender_org = make_organisation("France Services Rezé", kind="france_services")
    receiver_org = make_organisation("Association Ordi'Solidaire")
    third_org = make_organisation("Centre social Malakoff", kind="centre_social")
    place = make_place(receiver_org, services=["Aide aux démarches administratives",
                                               "Maîtrise des outils numériques du quotidien"])
    return {
        "sender": make_member(sender_org),
        "receiver": make_member(receiver_org),
        "third": make_member(third_org, role="admin"),
        "coordinator": make_user(coordinator=True),
        "place": place, "sender_org": sender_org, "receiver_org": receiver_org,
    }


def form(parties, **overrides) -> dict:
    data = {"first_name": FIRST_NAME, "last_name": "Marchetti", "phone": "06 12 34 56 78", "email": "",
            "contact_channel": "phone", "language": "fr", "need": "Déclarer ses revenus en ligne.",
            "service": "Aide aux démarches administratives", "urgent": "", "consent": "y",
            "consent_method": "oral", "sender_organisation_id": str(parties["sender_org"].id),
            "submission_key": secrets.token_urlsafe(24)}
    data.update(overrides)
    return data


def send(parties, **overrides) -> Referral:
    return services.create_referral(parties["place"].public_id, form(parties, **overrides), actor=parties["sender"])


# --- sending ----------------------------------------------------------------------------------

def test_a_referral_is_sent_with_its_consent_record(parties):
    referral = send(parties)
    assert referral.status == workflow.SENT
    assert referral.receiver_organisation_id == parties["receiver_org"].id
    assert referral.consent_method == "oral" and referral.consent_recorded_by_id == parties["sender"].id
    assert referral.consent_text_version and referral.consent_at
    assert [e.kind for e in referral.steps] == [workflow.SENT]
    person = services.personal_data(referral, actor=parties["receiver"])
    assert person["first_name"] == FIRST_NAME and person["phone"] == "+33612345678"


def test_no_consent_no_referral(parties):
    with pytest.raises(Invalid) as error:
        send(parties, consent="")
    assert "consent" in error.value.errors
    assert Referral.query.count() == 0


@pytest.mark.parametrize(("field", "value"), [
    ("first_name", ""), ("need", ""), ("need", "x" * 1001), ("phone", "12"), ("contact_channel", "pigeon"),
    ("language", "klingon"), ("service", "Cuisine"), ("service", "Loisirs et créations numériques"),
    ("consent_method", ""), ("sender_organisation_id", "999"),
])
def test_bad_input_is_refused_field_by_field(parties, field, value):
    with pytest.raises(Invalid) as error:
        send(parties, **{field: value})
    assert field in error.value.errors
    assert Referral.query.count() == 0


def test_a_contact_is_needed_for_the_chosen_channel(parties):
    with pytest.raises(Invalid) as error:
        send(parties, phone="", contact_channel="phone")
    assert "phone" in error.value.errors
    assert send(parties, phone="", contact_channel="sender").contact_channel == "sender"


def test_the_same_form_sent_twice_creates_one_referral(parties):
    data = form(parties)
    first = services.create_referral(parties["place"].public_id, dict(data), actor=parties["sender"])
    second = services.create_referral(parties["place"].public_id, dict(data), actor=parties["sender"])
    assert first.id == second.id and Referral.query.count() == 1


@pytest.mark.parametrize("case", ["refuses", "unpublished", "suspended"])
def test_places_that_cannot_receive(parties, db, case):
    place = parties["place"]
    if case == "refuses":
        place.accepts_referrals = False
    elif case == "unpublished":
        place.published = False
    else:
        parties["receiver_org"].status = "suspended"
    db.session.commit()
    with pytest.raises((Invalid, NotFound)):
        send(parties)
    assert Referral.query.count() == 0


def test_only_members_of_an_active_organisation_send(parties, db):
    outsider = make_user()
    with pytest.raises(PermissionDenied):
        services.create_referral(parties["place"].public_id, form(parties), actor=outsider)
    parties["sender_org"].status = "suspended"
    db.session.commit()
    with pytest.raises(PermissionDenied):
        send(parties)


# --- the state machine --------------------------------------------------------------------------

ACTIONS = {
    workflow.ACCEPTED: lambda uid, actor: services.accept_referral(uid, actor=actor),
    workflow.DECLINED: lambda uid, actor: services.decline_referral(uid, actor=actor, reason="full"),
    workflow.CANCELLED: lambda uid, actor: services.cancel_referral(uid, actor=actor),
    workflow.WITHDRAWN: lambda uid, actor: services.withdraw_consent(uid, actor=actor),
    **{outcome: (lambda uid, actor, outcome=outcome: services.record_outcome(
        uid, outcome, actor=actor, redirected_place_public_id=None)) for outcome in workflow.OUTCOMES
       if outcome != workflow.REDIRECTED},
}


def referral_in(parties, status: str) -> Referral:
    referral = send(parties)
    if status == workflow.SENT:
        return referral
    if status == workflow.ACCEPTED:
        return services.accept_referral(referral.uid, actor=parties["receiver"])
    path = {workflow.DECLINED: "receiver", workflow.CANCELLED: "sender", workflow.WITHDRAWN: "sender"}
    if status in path:
        return ACTIONS[status](referral.uid, parties[path[status]])
    if status == workflow.EXPIRED:
        referral.status = workflow.EXPIRED
        services.db.session.commit()
        return referral
    services.accept_referral(referral.uid, actor=parties["receiver"])
    return ACTIONS[status](referral.uid, parties["receiver"])


STATES = [workflow.SENT, workflow.ACCEPTED, workflow.DECLINED, workflow.EXPIRED, workflow.CANCELLED,
          workflow.WITHDRAWN, workflow.COMPLETED, workflow.NO_SHOW, workflow.UNREACHABLE, workflow.CLOSED]
ACTORS = ["sender", "receiver"]


@pytest.mark.parametrize(("state", "target", "actor"), [
    (state, target, actor) for state, target, actor in itertools.product(STATES, ACTIONS, ACTORS)])
def test_every_transition_is_allowed_or_refused_as_the_workflow_says(parties, state, target, actor):
    referral = referral_in(parties, state)
    if target == workflow.WITHDRAWN and state not in workflow.OPEN_STATUSES:
        # Consent can be withdrawn at any time: the person is erased, the outcome stays.
        ACTIONS[target](referral.uid, parties[actor])
        fresh = services.db.session.get(Referral, referral.id)
        assert fresh.status == state and fresh.personal_data is None
        return
    expected = workflow.allowed(state, target, actor)
    if expected:
        ACTIONS[target](referral.uid, parties[actor])
        assert services.db.session.get(Referral, referral.id).status == target
        assert referral.steps[-1].kind == target and referral.steps[-1].actor_id == parties[actor].id
    else:
        with pytest.raises(PermissionDenied):
            ACTIONS[target](referral.uid, parties[actor])
        assert services.db.session.get(Referral, referral.id).status == state


def test_the_expected_transitions(parties):
    assert workflow.allowed(workflow.SENT, workflow.ACCEPTED, "receiver")
    assert not workflow.allowed(workflow.SENT, workflow.ACCEPTED, "sender")
    assert workflow.allowed(workflow.SENT, workflow.CANCELLED, "sender")
    assert not workflow.allowed(workflow.ACCEPTED, workflow.CANCELLED, "sender")
    assert workflow.allowed(workflow.ACCEPTED, workflow.COMPLETED, "receiver")
    assert not workflow.allowed(workflow.SENT, workflow.EXPIRED, "receiver")


@pytest.mark.parametrize("outsider", ["third", "coordinator"])
def test_outsiders_cannot_see_or_act(parties, outsider):
    referral = send(parties)
    for target, action in ACTIONS.items():
        with pytest.raises(NotFound):
            action(referral.uid, parties[outsider])
        assert target  # every action refused the same way
    with pytest.raises(NotFound):
        services.get_referral(referral.uid, actor=parties[outsider])
    with pytest.raises(NotFound):
        services.personal_data(referral, actor=parties[outsider])
    with pytest.raises(NotFound):
        services.add_comment(referral.uid, "Bonjour", actor=parties[outsider])


def test_decline_needs_a_reason_and_other_needs_a_comment(parties):
    referral = send(parties)
    with pytest.raises(Invalid):
        services.decline_referral(referral.uid, actor=parties["receiver"], reason="")
    with pytest.raises(Invalid):
        services.decline_referral(referral.uid, actor=parties["receiver"], reason="other")
    declined = services.decline_referral(referral.uid, actor=parties["receiver"], reason="other",
                                         comment="Atelier complet jusqu'en janvier.")
    assert declined.status == workflow.DECLINED and declined.decline_reason == "other"
    assert declined.steps[-1].reason == "other"


def test_redirected_outcome_names_the_new_place(parties):
    referral = referral_in(parties, workflow.ACCEPTED)
    with pytest.raises(Invalid):
        services.record_outcome(referral.uid, workflow.REDIRECTED, actor=parties["receiver"])
    elsewhere = make_place(parties["sender_org"])
    done = services.record_outcome(referral.uid, workflow.REDIRECTED, actor=parties["receiver"],
                                   redirected_place_public_id=elsewhere.public_id)
    assert done.status == workflow.REDIRECTED and done.redirected_place_id == elsewhere.id
    assert done.closed_at is not None


def test_refused_outcome_leaves_nothing_changed(parties):
    referral = send(parties)  # not accepted yet: no outcome possible
    elsewhere = make_place(parties["sender_org"])
    with pytest.raises(PermissionDenied):
        services.record_outcome(referral.uid, workflow.REDIRECTED, actor=parties["receiver"],
                                redirected_place_public_id=elsewhere.public_id)
    services.db.session.rollback()
    fresh = services.db.session.get(Referral, referral.id)
    assert fresh.redirected_place_id is None and fresh.outcome is None


# --- protection ---------------------------------------------------------------------------------

def test_withdrawal_erases_the_person_and_the_comments_at_once(parties):
    referral = send(parties)
    services.add_comment(referral.uid, f"{FIRST_NAME} viendra mardi.", actor=parties["sender"])
    services.withdraw_consent(referral.uid, actor=parties["receiver"])
    fresh = services.db.session.get(Referral, referral.id)
    assert fresh.status == workflow.WITHDRAWN and fresh.personal_data is None
    assert fresh.consent_withdrawn_at is not None and fresh.purged_at is not None
    assert all(step.comment is None for step in fresh.steps)
    assert services.personal_data(fresh, actor=parties["receiver"]) is None
    assert fresh.service == "Aide aux démarches administratives"  # the anonymous part stays


def test_the_database_never_holds_the_name_in_clear(parties, db):
    referral = send(parties)
    services.add_comment(referral.uid, f"Appeler {FIRST_NAME} le matin.", actor=parties["receiver"])
    rows = db.session.execute(text("SELECT * FROM referrals")).all() + \
        db.session.execute(text("SELECT * FROM referral_steps")).all()
    dump = repr(rows)
    assert FIRST_NAME not in dump and "Marchetti" not in dump and "0612345678" not in dump
    assert "612345678" not in dump


def test_each_read_of_personal_data_is_audited(parties):
    referral = send(parties)
    before = AuditRecord.query.filter_by(action="referral.personal_data_read").count()
    services.personal_data(referral, actor=parties["receiver"])
    services.personal_data(referral, actor=parties["sender"])
    records = AuditRecord.query.filter_by(action="referral.personal_data_read").all()
    assert len(records) == before + 2
    assert {e.actor_id for e in records} == {parties["receiver"].id, parties["sender"].id}
    assert all(FIRST_NAME not in repr(e.details) for e in AuditRecord.query.all())


def test_comments_are_read_back_by_both_sides(parties):
    referral = send(parties)
    step = services.add_comment(referral.uid, "Rendez-vous pris pour jeudi.", actor=parties["receiver"])
    assert services.comments(referral, actor=parties["sender"])[step.id] == "Rendez-vous pris pour jeudi."
    with pytest.raises(Invalid):
        services.add_comment(referral.uid, "   ", actor=parties["sender"])


@pytest.mark.parametrize("closed", [workflow.DECLINED, workflow.CANCELLED, workflow.COMPLETED])
def test_withdrawal_after_closure_erases_at_once_and_keeps_the_outcome(parties, closed):
    referral = referral_in(parties, closed)
    assert referral.personal_data is not None
    services.withdraw_consent(referral.uid, actor=parties["sender"])
    fresh = services.db.session.get(Referral, referral.id)
    assert fresh.status == closed  # the statistics keep the outcome
    assert fresh.personal_data is None and fresh.consent_withdrawn_at is not None
    assert fresh.steps[-1].kind == workflow.WITHDRAWN
    services.withdraw_consent(referral.uid, actor=parties["receiver"])  # twice: nothing more to do
    assert [e.kind for e in fresh.steps].count(workflow.WITHDRAWN) == 1
