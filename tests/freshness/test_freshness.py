"""Listing freshness: ages, reminders and their timing, the signed "Tout est à jour" link, stale
places, unpublication, campaigns and their progress. Fixed clocks throughout."""
import re
from types import SimpleNamespace
from datetime import datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from flask import render_template_string
from sqlalchemy import select

from coordination.audit import AuditRecord
from coordination.core.clock import utcnow
from coordination.core import signed_links
from coordination.directory import services
from coordination.freshness import services as freshness
from coordination.directory.models import Place, SearchIndexQueue
from coordination.freshness.models import FreshnessCampaign, FreshnessReminder
from coordination.errors import Invalid, PermissionDenied
from coordination.testing.factories import make_member, make_organisation, make_place, make_user

NOW = datetime(2026, 9, 15, 8, 0)  # naive UTC, a Tuesday in September (Paris)
FIVE_MONTHS_AGO = datetime(2026, 4, 15, 8, 0)
SIX_MONTHS_AGO = datetime(2026, 3, 15, 8, 0)


@pytest.fixture
def settings(app, monkeypatch):
    def apply(**values):
        for name, value in values.items():
            monkeypatch.setitem(app.config, name, value)
    apply(FRESHNESS_REMIND_MONTHS=5, FRESHNESS_STALE_MONTHS=6, FRESHNESS_UNPUBLISH_MONTHS=0,
          FRESHNESS_LINK_DAYS=30)
    return apply


def reload(db, model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def reminders(db, organisation=None):
    query = select(FreshnessReminder).order_by(FreshnessReminder.id)
    if organisation is not None:
        query = query.where(FreshnessReminder.organisation_id == organisation.id)
    return db.session.scalars(query).all()


def token_in(message) -> str:
    match = re.search(r"/fraicheur/(\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


# --- ages -------------------------------------------------------------------------------------

def test_months_since_verified_counts_whole_calendar_months():
    assert freshness.months_since_verified(FIVE_MONTHS_AGO, NOW) == 5
    assert freshness.months_since_verified(FIVE_MONTHS_AGO + timedelta(days=1), NOW) == 4
    assert freshness.months_since_verified(FIVE_MONTHS_AGO + timedelta(seconds=1), NOW) == 4
    assert freshness.months_since_verified(NOW - timedelta(days=3), NOW) == 0
    assert freshness.months_since_verified(NOW + timedelta(days=1), NOW) == 0  # clock skew: not negative
    assert freshness.months_since_verified(datetime(2024, 9, 15, 8, 0), NOW) == 24
    # End of month: 31 March + 5 months is not reached on 30 August.
    assert freshness.months_since_verified(datetime(2026, 3, 31), datetime(2026, 8, 30)) == 4
    assert freshness.months_since_verified(datetime(2026, 3, 31), datetime(2026, 8, 31)) == 5
    assert freshness.months_since_verified(None, NOW) is None


def test_verified_text_in_french():
    assert freshness.verified_text(NOW - timedelta(days=10), NOW) == "Vérifié ce mois-ci"
    assert freshness.verified_text(NOW - relativedelta(months=1), NOW) == "Vérifié il y a 1 mois"
    assert freshness.verified_text(NOW - relativedelta(months=7), NOW) == "Vérifié il y a 7 mois"
    assert freshness.verified_text(None, NOW) == "Jamais vérifié"


def test_the_template_filter_reads_a_place(db):
    place = make_place(make_organisation(), verified_at=utcnow() - relativedelta(months=3, days=2))
    assert render_template_string("{{ place|verified_ago }}", place=place) == "Vérifié il y a 3 mois"


# --- reminders: timing and once per campaign ----------------------------------------------------

def test_reminder_at_five_months_not_a_day_before(db, settings, mail_outbox):
    due_org, early_org = make_organisation("Due"), make_organisation("Early")
    admin = make_member(due_org, role="admin", email="admin@due.fr")
    make_member(due_org, email="member@due.fr")
    due = make_place(due_org, name="Cyber-base du Breil", verified_at=FIVE_MONTHS_AGO)
    fresh = make_place(due_org, verified_at=NOW - timedelta(days=20))
    make_place(early_org, verified_at=FIVE_MONTHS_AGO + timedelta(days=1))

    assert freshness.send_freshness_reminders(now=NOW) == 1

    [reminder] = reminders(db)
    assert reminder.organisation_id == due_org.id
    assert reminder.place_ids == [due.id]  # only the place due, not the fresh one
    assert reminder.sent_at == NOW and reminder.campaign.automatic
    messages = mail_outbox()
    assert sorted(m.recipient for m in messages) == sorted(["contact@exemple.fr", admin.email])
    body = messages[0].body_text
    assert "Cyber-base du Breil" in body and "Vérifié il y a 5 mois" in body
    assert fresh.name not in body
    assert "http://localhost/fraicheur/" in body and "http://localhost/espace-partenaire" in body
    assert "15 octobre 2026" in body  # the link's last day (30 days)

    # The next day, the early place is due in turn: its organisation is reminded.
    assert freshness.send_freshness_reminders(now=NOW + timedelta(days=1)) == 1
    assert {r.organisation_id for r in reminders(db)} == {due_org.id, early_org.id}


def test_running_the_job_twice_sends_one_reminder(db, settings, mail_outbox):
    organisation = make_organisation()
    make_place(organisation, verified_at=SIX_MONTHS_AGO)
    make_place(organisation, verified_at=FIVE_MONTHS_AGO)

    assert freshness.send_freshness_reminders(now=NOW) == 1
    assert freshness.send_freshness_reminders(now=NOW) == 0
    assert freshness.send_freshness_reminders(now=NOW + timedelta(days=3)) == 0
    assert len(reminders(db)) == 1 and len(mail_outbox()) == 1
    assert db.session.scalar(select(db.func.count(FreshnessCampaign.id))) == 1


def test_rolling_campaign_reminds_again_only_after_the_remind_delay(db, settings, mail_outbox):
    organisation = make_organisation()
    old = make_place(organisation, verified_at=SIX_MONTHS_AGO)
    assert freshness.send_freshness_reminders(now=NOW) == 1
    first_campaign = reminders(db)[0].campaign_id

    # Next month: a new automatic campaign, but the place was listed less than 5 months ago.
    october = NOW + relativedelta(months=1)
    assert freshness.send_freshness_reminders(now=october) == 0
    # A place newly due in October is announced, with the one still waiting.
    newly_due = make_place(organisation, verified_at=october - relativedelta(months=5))
    assert freshness.send_freshness_reminders(now=october) == 1
    second = reminders(db)[-1]
    assert second.campaign_id != first_campaign and second.place_ids == sorted([old.id, newly_due.id])
    assert reload(db, FreshnessCampaign, first_campaign).closed_at == october
    open_automatic = db.session.scalars(select(FreshnessCampaign).where(
        FreshnessCampaign.automatic.is_(True), FreshnessCampaign.closed_at.is_(None))).all()
    assert [c.id for c in open_automatic] == [second.campaign_id]

    # Ignored: reminded again once the October reminder is 5 months old, not before.
    march = october + relativedelta(months=5)
    assert freshness.send_freshness_reminders(now=march - timedelta(days=1)) == 0
    assert freshness.send_freshness_reminders(now=march) == 1
    assert len(reminders(db)) == 3


def test_no_reminder_for_inactive_organisations_or_deleted_places(db, settings, mail_outbox):
    make_place(make_organisation(status="suspended"), verified_at=SIX_MONTHS_AGO)
    make_place(make_organisation(status="pending"), verified_at=SIX_MONTHS_AGO)
    make_place(make_organisation(), verified_at=SIX_MONTHS_AGO, deleted_at=NOW - timedelta(days=1))
    assert freshness.send_freshness_reminders(now=NOW) == 0
    assert mail_outbox() == []
    assert db.session.scalar(select(db.func.count(FreshnessCampaign.id))) == 0


def test_remind_delay_is_configurable(db, settings):
    settings(FRESHNESS_REMIND_MONTHS=3)
    make_place(make_organisation(), verified_at=NOW - relativedelta(months=3))
    assert freshness.send_freshness_reminders(now=NOW) == 1


# --- stale places -------------------------------------------------------------------------------

def test_flagged_stale_at_six_months(db, settings):
    organisation = make_organisation()
    stale = make_place(organisation, verified_at=SIX_MONTHS_AGO)
    almost = make_place(organisation, verified_at=SIX_MONTHS_AGO + timedelta(days=1))
    suspended = make_place(make_organisation(status="suspended"), verified_at=SIX_MONTHS_AGO)

    assert freshness.flag_stale_places(now=NOW) == 1
    assert reload(db, Place, stale.id).stale_since == NOW
    assert reload(db, Place, almost.id).stale_since is None
    assert reload(db, Place, suspended.id).stale_since is None
    # Idempotent: the date it became stale stays.
    assert freshness.flag_stale_places(now=NOW + timedelta(days=1)) == 1  # "almost" now
    assert reload(db, Place, stale.id).stale_since == NOW
    assert reload(db, Place, almost.id).stale_since == NOW + timedelta(days=1)


def test_a_confirmation_elsewhere_clears_the_flag_at_the_next_run(db, settings):
    organisation = make_organisation()
    member = make_member(organisation)
    place = make_place(organisation, verified_at=SIX_MONTHS_AGO - timedelta(days=30))
    freshness.flag_stale_places(now=NOW - timedelta(days=2))
    assert reload(db, Place, place.id).stale_since is not None
    services.confirm_place_accurate(place.id, actor=member)
    freshness.flag_stale_places(now=utcnow())
    assert reload(db, Place, place.id).stale_since is None


# --- the signed link ----------------------------------------------------------------------------

@pytest.fixture
def reminded(db, settings, mail_outbox):
    """An organisation reminded today (real clock) about two places; one place not listed."""
    organisation = make_organisation("Médiathèque Jacques Demy")
    now = utcnow()
    listed = [make_place(organisation, name="Espace A", verified_at=now - relativedelta(months=7)),
              make_place(organisation, name="Espace B", verified_at=now - relativedelta(months=5, days=3))]
    unlisted = make_place(organisation, name="Espace C", verified_at=now - timedelta(days=40))
    freshness.flag_stale_places(now=now)
    assert freshness.send_freshness_reminders(now=now) == 1
    reminder = reminders(db)[0]
    return dict(organisation=organisation, listed=listed, unlisted=unlisted, reminder=reminder,
                token=token_in(mail_outbox()[0]))


def test_opening_the_link_changes_nothing(db, client, reminded):
    before = {p.id: p.verified_at for p in reminded["listed"]}
    response = client.get(f"/fraicheur/{reminded['token']}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Espace A" in page and "Espace B" in page and "Espace C" not in page
    assert "Tout est à jour" in page and "Vérifié il y a 7 mois" in page
    client.head(f"/fraicheur/{reminded['token']}")
    assert reload(db, FreshnessReminder, reminded["reminder"].id).link_used_at is None
    for place_id, verified_at in before.items():
        assert reload(db, Place, place_id).verified_at == verified_at


def test_the_button_confirms_the_listed_places_once(db, client, reminded):
    listed_ids = [p.id for p in reminded["listed"]]
    unlisted_before = reminded["unlisted"].verified_at
    started = utcnow()
    response = client.post(f"/fraicheur/{reminded['token']}")
    assert response.status_code == 200
    assert "2 lieux de Médiathèque Jacques Demy sont confirmés à jour" in response.get_data(as_text=True)
    for place_id in listed_ids:
        place = reload(db, Place, place_id)
        assert place.verified_at >= started and place.stale_since is None
    assert reload(db, Place, reminded["unlisted"].id).verified_at == unlisted_before
    assert reload(db, FreshnessReminder, reminded["reminder"].id).link_used_at >= started
    assert set(db.session.scalars(select(SearchIndexQueue.place_id))) >= set(listed_ids)
    records = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "place.confirm")).all()
    assert sorted(int(e.object_id) for e in records) == sorted(listed_ids)
    assert all(e.actor_id is None and e.details["by_link"] for e in records)

    # Single use: the second click, and a later opening, are told so and change nothing.
    for method in (client.post, client.get):
        again = method(f"/fraicheur/{reminded['token']}")
        assert again.status_code == 410
        assert "Ce lien a déjà servi" in again.get_data(as_text=True)
    with pytest.raises(signed_links.LinkUsed):
        freshness.confirm_by_link(reminded["token"])
    assert len(db.session.scalars(select(AuditRecord).where(AuditRecord.action == "place.confirm")).all()) == 2


def test_a_tampered_link_is_refused_in_french(db, client, reminded):
    token = reminded["token"]
    forged = freshness.make_token(reminded["reminder"].id + 1)  # genuine signature, no such reminder
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nimportequoi", forged,
                token.replace(".", "x", 1)):
        for method in (client.get, client.post):
            response = method(f"/fraicheur/{bad}")
            assert response.status_code == 400, bad
            assert "Ce lien n’est pas valable" in response.get_data(as_text=True)
    # Another salt's token (e.g. a meeting answer) for the same id does not work here.
    from itsdangerous import URLSafeTimedSerializer
    other = URLSafeTimedSerializer("test-secret", salt="coordination.events.rsvp").dumps(reminded["reminder"].id)
    assert client.post(f"/fraicheur/{other}").status_code == 400
    assert reload(db, FreshnessReminder, reminded["reminder"].id).link_used_at is None


def test_the_link_expires_after_the_configured_days(db, client, reminded, settings):
    reminder_id = reminded["reminder"].id
    expired = freshness.make_token(reminder_id, now=utcnow() - timedelta(days=30, minutes=1))
    for method in (client.get, client.post):
        response = method(f"/fraicheur/{expired}")
        assert response.status_code == 410
        assert "Ce lien a expiré" in response.get_data(as_text=True)
    assert reload(db, FreshnessReminder, reminder_id).link_used_at is None
    # With a fixed clock: valid the day before, expired the day after.
    sent = datetime(2026, 9, 1, 9, 0)
    token = freshness.make_token(reminder_id, now=sent)
    assert freshness.read_token(token, now=sent + timedelta(days=29)).id == reminder_id
    with pytest.raises(signed_links.LinkExpired):
        freshness.read_token(token, now=sent + timedelta(days=31))
    settings(FRESHNESS_LINK_DAYS=60)
    assert freshness.read_token(token, now=sent + timedelta(days=31)).id == reminder_id


def test_the_link_needs_the_csrf_token(app, db, client, reminded, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(f"/fraicheur/{reminded['token']}").get_data(as_text=True)
    assert client.post(f"/fraicheur/{reminded['token']}").status_code == 400
    assert reload(db, FreshnessReminder, reminded["reminder"].id).link_used_at is None
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/fraicheur/{reminded['token']}", data={"csrf_token": csrf}).status_code == 200
    assert reload(db, FreshnessReminder, reminded["reminder"].id).link_used_at is not None


def test_the_link_skips_places_deleted_or_moved_since(db, reminded):
    deleted, moved = reminded["listed"]
    deleted.deleted_at = utcnow()
    moved.organisation = make_organisation()
    db.session.commit()
    before = (reload(db, Place, deleted.id).verified_at, reload(db, Place, moved.id).verified_at)
    freshness.confirm_by_link(reminded["token"])
    assert (reload(db, Place, deleted.id).verified_at, reload(db, Place, moved.id).verified_at) == before


def test_the_link_of_a_suspended_organisation_has_expired(db, client, reminded):
    reminded["organisation"].status = "suspended"
    db.session.commit()
    response = client.post(f"/fraicheur/{reminded['token']}")
    assert response.status_code == 410 and "plus active" in response.get_data(as_text=True)
    assert reload(db, FreshnessReminder, reminded["reminder"].id).link_used_at is None


# --- "tout est à jour" from the partner space ----------------------------------------------------

def test_confirm_all_from_the_partner_space(db, client, login, settings):
    organisation = make_organisation()
    member = make_member(organisation)
    places = [make_place(organisation, verified_at=SIX_MONTHS_AGO, stale_since=NOW) for _ in range(3)]
    gone = make_place(organisation, verified_at=SIX_MONTHS_AGO, deleted_at=NOW)
    other = make_place(make_organisation(), verified_at=SIX_MONTHS_AGO)
    login(member)
    response = client.post(f"/espace-partenaire/organisations/{organisation.id}/tout-est-a-jour")
    assert response.status_code == 302 and response.headers["Location"].endswith("/espace-partenaire")
    for place in places:
        assert reload(db, Place, place.id).verified_at > NOW and reload(db, Place, place.id).stale_since is None
    assert reload(db, Place, gone.id).verified_at == SIX_MONTHS_AGO
    assert reload(db, Place, other.id).verified_at == SIX_MONTHS_AGO
    followed = client.get("/espace-partenaire").get_data(as_text=True)
    assert "Merci\u00a0: 3 lieux confirmés à jour." in followed  # typeset French

    # Another organisation's member, a coordinator, a suspended organisation: refused.
    assert client.post(f"/espace-partenaire/organisations/{other.organisation_id}/tout-est-a-jour").status_code == 403
    with pytest.raises(PermissionDenied):
        freshness.confirm_all(organisation.id, actor=make_user(coordinator=True))
    organisation.status = "suspended"
    db.session.commit()
    with pytest.raises(PermissionDenied):
        freshness.confirm_all(organisation.id, actor=member)


def test_confirm_all_needs_a_login(client, db):
    organisation = make_organisation()
    response = client.post(f"/espace-partenaire/organisations/{organisation.id}/tout-est-a-jour")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


# --- unpublishing -------------------------------------------------------------------------------

def test_no_unpublication_unless_configured(db, settings, mail_outbox):
    place = make_place(make_organisation(), verified_at=NOW - relativedelta(years=3))
    assert freshness.unpublish_stale(now=NOW) == 0
    assert reload(db, Place, place.id).published is True
    assert mail_outbox() == []


def test_unpublished_after_the_limit_and_organisation_told(db, settings, mail_outbox):
    settings(FRESHNESS_UNPUBLISH_MONTHS=12)
    organisation = make_organisation("Centre social Malakoff")
    admin = make_member(organisation, role="admin", email="admin@malakoff.fr")
    limit = NOW - relativedelta(months=12)
    gone = [make_place(organisation, name="Point numérique", verified_at=limit),
            make_place(organisation, name="Atelier mobile", verified_at=limit - timedelta(days=90))]
    kept = make_place(organisation, name="Espace récent", verified_at=limit + timedelta(days=1))
    hidden = make_place(organisation, verified_at=limit, published=False)  # already out: no mail about it
    other = make_place(make_organisation(status="suspended"), verified_at=limit)

    assert freshness.unpublish_stale(now=NOW) == 0  # not flagged yet: coordinators see a place first
    freshness.flag_stale_places(now=NOW)
    assert freshness.unpublish_stale(now=NOW) == 2
    assert [reload(db, Place, p.id).published for p in gone] == [False, False]
    assert reload(db, Place, kept.id).published is True
    assert reload(db, Place, other.id).published is True
    messages = mail_outbox()
    assert sorted(m.recipient for m in messages) == sorted(["contact@exemple.fr", admin.email])
    body = messages[0].body_text
    assert "Point numérique" in body and "Atelier mobile" in body and "Espace récent" not in body
    assert hidden.name not in body and "12 mois" in body
    records = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "place.unpublish")).all()
    assert sorted(int(e.object_id) for e in records) == sorted(p.id for p in gone)
    assert all(e.details["reason"] == "freshness" for e in records)
    assert set(db.session.scalars(select(SearchIndexQueue.place_id))) >= {p.id for p in gone}

    # Twice: nothing more.
    assert freshness.unpublish_stale(now=NOW) == 0
    assert len(mail_outbox()) == 2


# --- campaigns ----------------------------------------------------------------------------------

@pytest.fixture
def places_by_verification(db, settings):
    a, b, c, empty = (make_organisation(name) for name in ("Alpha", "Bravo", "Charlie", "Delta"))
    places = {
        "a1": make_place(a, verified_at=NOW - timedelta(days=10)),
        "a2": make_place(a, verified_at=SIX_MONTHS_AGO),
        "b1": make_place(b, verified_at=NOW - relativedelta(months=2)),
        "c1": make_place(c, verified_at=NOW - timedelta(days=1)),
    }
    make_place(a, verified_at=SIX_MONTHS_AGO, deleted_at=NOW - timedelta(days=1))
    pending = make_organisation("Pending", status="pending")
    return dict(a=a, b=b, c=c, empty=empty, pending=pending, places=places,
                coordinator=make_user(coordinator=True))


def test_campaign_for_some_organisations_and_its_progress(db, places_by_verification, mail_outbox):
    places = places_by_verification["places"]
    campaign = freshness.launch_campaign(" Avant   l'été ", [places_by_verification["a"].id, str(places_by_verification["b"].id),
                                                              places_by_verification["empty"].id],
                                         actor=places_by_verification["coordinator"], now=NOW)
    assert campaign.name == "Avant l'été" and not campaign.automatic
    assert campaign.organisation_ids == sorted([places_by_verification["a"].id, places_by_verification["b"].id, places_by_verification["empty"].id])
    by_org = {r.organisation_id: r for r in reminders(db)}
    assert set(by_org) == {places_by_verification["a"].id, places_by_verification["b"].id}  # no places: no reminder
    assert by_org[places_by_verification["a"].id].place_ids == sorted([places["a1"].id, places["a2"].id])  # every place
    subjects = {m.subject for m in mail_outbox()}
    assert subjects == {"Avant l'été : vos lieux sont-ils à jour ?"}
    assert len(mail_outbox()) == 2  # one contact address each

    progress = freshness.campaign_progress(campaign.id, actor=places_by_verification["coordinator"])
    assert [(r.organisation.name, r.verified, r.pending) for r in progress.rows] == [("Alpha", 0, 2), ("Bravo", 0, 1)]

    # Alpha confirms one place, Bravo uses its link.
    member = make_member(places_by_verification["a"])
    db.session.execute(db.update(Place).where(Place.id == places["a1"].id).values(verified_at=NOW + timedelta(days=1)))
    db.session.commit()
    bravo_token = token_in(next(m for m in mail_outbox() if "Bravo" in m.body_text))
    freshness.confirm_by_link(bravo_token, now=NOW + timedelta(days=2))
    progress = freshness.campaign_progress(campaign.id, actor=places_by_verification["coordinator"])
    assert [(r.organisation.name, r.verified, r.pending, r.done) for r in progress.rows] == [
        ("Alpha", 1, 1, False), ("Bravo", 1, 0, True)]
    assert (progress.verified, progress.pending, progress.organisations_done) == (2, 1, 1)
    assert member  # a member exists; only verification dates count

    # The automatic job does not remind Alpha again about a place the campaign just listed.
    assert freshness.send_freshness_reminders(now=NOW + timedelta(days=3)) == 0


def test_campaign_skips_at_send_time_an_organisation_that_confirmed_every_place_since_it_started(
        app, db, places_by_verification, mail_outbox):
    """Issue 18: a campaign's reminders wait in the outbox; one whose places were all confirmed since the
    campaign started (here Alpha, from its partner space) is cancelled when the outbox comes to it, while
    the others go out."""
    import io

    from coordination import mail
    a, b = places_by_verification["a"], places_by_verification["b"]
    freshness.launch_campaign("Avant l'été", [a.id, b.id], actor=places_by_verification["coordinator"], now=NOW)
    freshness.confirm_all(a.id, actor=make_member(a), now=NOW + timedelta(minutes=1))
    # Bravo confirmed its place too, but before the campaign started: it is still asked.
    stream = io.StringIO()
    counts = mail.send_pending(now=utcnow() + timedelta(minutes=1), backend=mail.ConsoleBackend(app.config, stream=stream))
    assert counts == {"sent": 1, "retry": 0, "failed": 0, "cancelled": 1}
    by_status = {m.status: m for m in mail_outbox()}
    assert set(by_status) == {"sent", "cancelled"}
    assert "Bravo" in by_status["sent"].body_text and "Alpha" in by_status["cancelled"].body_text
    assert "Alpha" not in stream.getvalue()
    # Confirming only one of two places does not cancel anything.
    freshness.launch_campaign("Rentrée", [a.id], actor=places_by_verification["coordinator"], now=NOW + timedelta(days=1))
    db.session.execute(db.update(Place).where(Place.id == places_by_verification["places"]["a1"].id)
                       .values(verified_at=NOW + timedelta(days=1, minutes=1)))
    db.session.commit()
    assert mail.send_pending(now=utcnow() + timedelta(minutes=1),
                             backend=mail.ConsoleBackend(app.config, stream=io.StringIO()))["sent"] == 1


def test_a_reminder_whose_link_was_used_is_not_sent_again(app, db, places_by_verification, mail_outbox):
    import io

    from coordination import mail
    a = places_by_verification["a"]
    freshness.launch_campaign("Avant l'été", [a.id], actor=places_by_verification["coordinator"], now=NOW)
    freshness.confirm_by_link(token_in(mail_outbox()[0]), now=NOW + timedelta(minutes=1))
    counts = mail.send_pending(now=utcnow() + timedelta(minutes=1), backend=mail.ConsoleBackend(app.config, stream=io.StringIO()))
    assert counts["cancelled"] == 1 and counts["sent"] == 0


def test_campaign_for_all_active_organisations(db, places_by_verification):
    campaign = freshness.launch_campaign("Rentrée", None, actor=places_by_verification["coordinator"], now=NOW)
    assert campaign.organisation_ids is None
    assert {r.organisation_id for r in reminders(db)} == {places_by_verification[k].id for k in "abc"}


def test_campaign_form_errors(db, places_by_verification):
    coordinator = places_by_verification["coordinator"]
    with pytest.raises(Invalid) as error:
        freshness.launch_campaign("  ", [], actor=coordinator)
    assert set(error.value.errors) == {"name", "organisation_ids"}
    for chosen in (["x"], [999999], [places_by_verification["a"].id, places_by_verification["pending"].id]):
        with pytest.raises(Invalid):
            freshness.launch_campaign("Essai", chosen, actor=coordinator)
    assert db.session.scalar(select(db.func.count(FreshnessCampaign.id))) == 0


def test_only_coordinators_run_campaigns(db, client, login, places_by_verification):
    member = make_member(places_by_verification["a"], role="admin")
    with pytest.raises(PermissionDenied):
        freshness.launch_campaign("Avant l'été", None, actor=member)
    with pytest.raises(PermissionDenied):
        freshness.launch_campaign("Avant l'été", None, actor=None)
    campaign = freshness.launch_campaign("Avant l'été", None, actor=places_by_verification["coordinator"], now=NOW)
    with pytest.raises(PermissionDenied):
        freshness.campaign_progress(campaign.id, actor=member)

    assert client.get("/coordination/fraicheur").status_code == 302  # to the login page
    login(member)
    assert client.get("/coordination/fraicheur").status_code == 403
    assert client.post("/coordination/fraicheur", data={"name": "Pirate", "scope": "all"}).status_code == 403
    assert client.get(f"/coordination/fraicheur/{campaign.id}").status_code == 403
    assert db.session.scalar(select(db.func.count(FreshnessCampaign.id))) == 1


def test_coordination_pages(db, client, login, places_by_verification, mail_outbox):
    login(places_by_verification["coordinator"])
    page = client.get("/coordination/fraicheur")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Lancer une campagne" in html and "Alpha" in html and "Pending" not in html

    invalid = client.post("/coordination/fraicheur", data={"name": "", "scope": "some"})
    assert invalid.status_code == 400
    assert "Donnez un nom à la campagne" in invalid.get_data(as_text=True)

    response = client.post("/coordination/fraicheur", data={
        "name": "Avant l'été", "scope": "some", "organisation_ids": [places_by_verification["a"].id, places_by_verification["c"].id]})
    assert response.status_code == 302
    campaign = db.session.scalars(select(FreshnessCampaign)).one()
    assert response.headers["Location"].endswith(f"/coordination/fraicheur/{campaign.id}")
    detail = client.get(f"/coordination/fraicheur/{campaign.id}").get_data(as_text=True)
    assert "Avant l&#39;été" in detail and "Alpha" in detail and "Charlie" in detail and "Bravo" not in detail
    # Verified before the launch is not verified for the campaign: nobody is done yet.
    assert "2 organisations relancées, dont 0 à jour" in detail
    listing = client.get("/coordination/fraicheur").get_data(as_text=True)
    assert f"/coordination/fraicheur/{campaign.id}" in listing
    assert client.get("/coordination/fraicheur/999999").status_code == 404


def test_the_a_verifier_badge_follows_the_stale_setting(settings):
    five_months, six_months, never = (SimpleNamespace(verified_at=at) for at in (FIVE_MONTHS_AGO, SIX_MONTHS_AGO, None))
    assert [freshness.needs_review(p, NOW) for p in (five_months, six_months, never)] == [False, True, True]
    settings(FRESHNESS_STALE_MONTHS=4)
    assert freshness.needs_review(five_months, NOW)


def test_campaign_progress_is_searched_filtered_sorted_and_paged(db, places_by_verification):
    """Issue 18: a national campaign reminds hundreds of organisations; its page shows them a page at a
    time while the totals count them all."""
    coordinator = places_by_verification["coordinator"]
    campaign = freshness.launch_campaign("Rentrée", None, actor=coordinator, now=NOW)
    db.session.execute(db.update(Place).where(Place.id == places_by_verification["places"]["c1"].id)
                       .values(verified_at=NOW + timedelta(days=1)))
    db.session.commit()
    progress = freshness.campaign_progress(campaign.id, actor=coordinator, size=2)
    assert [r.organisation.name for r in progress.page.items] == ["Alpha", "Bravo"]  # pending first
    assert (progress.page.pages, progress.page.total, progress.organisations_done) == (2, 3, 1)
    assert [r.organisation.name for r in freshness.campaign_progress(campaign.id, actor=coordinator, size=2,
                                                                     page=2).page.items] == ["Charlie"]
    done = freshness.campaign_progress(campaign.id, actor=coordinator, state="a-jour")
    assert [r.organisation.name for r in done.page.items] == ["Charlie"] and len(done.rows) == 3
    assert [r.organisation.name for r in freshness.campaign_progress(
        campaign.id, actor=coordinator, query="rav").page.items] == ["Bravo"]
    by_pending = freshness.campaign_progress(campaign.id, actor=coordinator, sort="attente", descending=True)
    assert [r.organisation.name for r in by_pending.page.items] == ["Alpha", "Bravo", "Charlie"]


def test_campaign_page_keeps_its_filter_in_its_sort_links(db, client, login, places_by_verification):
    coordinator = places_by_verification["coordinator"]
    campaign = freshness.launch_campaign("Rentrée", None, actor=coordinator, now=NOW)
    db.session.execute(db.update(Place).where(Place.id == places_by_verification["places"]["c1"].id)
                       .values(verified_at=NOW + timedelta(days=1)))
    db.session.commit()
    login(coordinator)
    html = client.get(f"/coordination/fraicheur/{campaign.id}?etat=en-attente&tri=organisation").text
    assert "Alpha" in html and "Bravo" in html and "Charlie" not in html
    assert f'href="/coordination/fraicheur/{campaign.id}?etat=en-attente&amp;tri=envoi"' in html
    assert '<option value="en-attente" selected>' in html
