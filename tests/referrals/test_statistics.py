"""Coordinators' referral statistics: the numbers on a known network, the period filter, the page and
the CSV, who may see them — and never a person in them."""
import csv
import io
import secrets
from datetime import date, datetime, timedelta

import pytest

from coordination.errors import PermissionDenied
from coordination.referrals import services, statistics, workflow
from coordination.testing.factories import make_member, make_organisation, make_place, make_user

FIRST_NAME = "Zéphyrine"
LAST_NAME = "Quintavalle"
COMMENT = "Zéphyrine rappellera jeudi"
ADMIN = "Aide aux démarches administratives"
TOOLS = "Maîtrise des outils numériques du quotidien"
T0 = datetime(2026, 2, 2, 9, 0)  # a Monday, naive UTC


class Clock:
    def __init__(self, now):
        self.now = now


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock(T0)
    monkeypatch.setattr(services, "utcnow", lambda: frozen.now)
    return frozen


@pytest.fixture
def referral_history(app, clock):
    """Five referrals this month, one last year:

    | # | from → to               | service | created | answer             | then      | status    |
    |---|-------------------------|---------|---------|--------------------|-----------|-----------|
    | 1 | Médiathèque → France S. | ADMIN   | T0      | accepted T0 + 2 h  | completed | completed |
    | 2 | Médiathèque → France S. | ADMIN   | T0      | declined T0 + 10 h | —         | declined  |
    | 3 | Médiathèque → Centre    | TOOLS   | T0      | accepted T0 + 4 h  | —         | accepted  |
    | 4 | Centre → France S.      | ADMIN   | T0      | —                  | —         | sent      |
    | 5 | Médiathèque → Centre    | TOOLS   | T0      | —                  | expired   | expired   |
    | 0 | Médiathèque → France S. | ADMIN   | 2025    | declined + 1 h     | —         | declined  |
    """
    media = make_organisation("Médiathèque Jacques Demy", kind="mediatheque")
    france = make_organisation("France Services Nantes Nord", kind="france_services")
    centre = make_organisation("Centre social Malakoff", kind="centre_social")
    people = {"media": make_member(media), "france": make_member(france), "centre": make_member(centre)}
    places = {"france": make_place(france, services=[ADMIN, TOOLS]), "centre": make_place(centre, services=[ADMIN, TOOLS])}
    orgs = {"media": media, "france": france, "centre": centre}

    def send(sender, receiver, service, at):
        clock.now = at
        data = {"submission_key": secrets.token_urlsafe(18), "first_name": FIRST_NAME, "last_name": LAST_NAME,
                "phone": "06 12 34 56 78", "contact_channel": "phone", "language": "fr",
                "need": "Zéphyrine doit déclarer ses revenus", "service": service,
                "sender_organisation_id": orgs[sender].id, "consent": "y", "consent_method": "oral"}
        return services.create_referral(places[receiver].public_id, data, actor=people[sender])

    def at(moment, action, *args, **kwargs):
        clock.now = moment
        return action(*args, **kwargs)

    r0 = send("media", "france", ADMIN, datetime(2025, 5, 5, 9, 0))
    at(datetime(2025, 5, 5, 10, 0), services.decline_referral, r0.uid, actor=people["france"], reason="full")
    r1 = send("media", "france", ADMIN, T0)
    at(T0 + timedelta(hours=2), services.accept_referral, r1.uid, actor=people["france"], comment=COMMENT)
    at(T0 + timedelta(days=3), services.record_outcome, r1.uid, workflow.COMPLETED, actor=people["france"])
    r2 = send("media", "france", ADMIN, T0)
    at(T0 + timedelta(hours=10), services.decline_referral, r2.uid, actor=people["france"], reason="out_of_scope",
       comment=COMMENT)
    r3 = send("media", "centre", TOOLS, T0)
    at(T0 + timedelta(hours=4), services.accept_referral, r3.uid, actor=people["centre"])
    send("centre", "france", ADMIN, T0)
    r5 = send("media", "centre", TOOLS, T0)
    at(T0 + timedelta(days=20), services._move, r5, workflow.EXPIRED, actor=None, side="system")
    services.db.session.commit()
    return {"people": people, "coordinator": make_user(coordinator=True, name="Claude Coordination")}


SINCE = date(2026, 1, 1)


def test_the_numbers_of_a_known_network(referral_history):
    stats = statistics.referral_statistics(actor=referral_history["coordinator"], since=SINCE)
    assert stats.total == 5
    assert stats.by_service == [(ADMIN, 3), (TOOLS, 2)]
    assert [(p.sender, p.receiver, p.count) for p in stats.by_pair] == [
        ("Médiathèque Jacques Demy", "Centre social Malakoff", 2),
        ("Médiathèque Jacques Demy", "France Services Nantes Nord", 2),
        ("Centre social Malakoff", "France Services Nantes Nord", 1),
    ]
    assert [(status, n) for status, _label, n in stats.by_status] == [
        ("sent", 1), ("accepted", 1), ("declined", 1), ("expired", 1), ("completed", 1)]
    assert [(reason, n) for reason, _label, n in stats.by_decline_reason] == [("out_of_scope", 1)]
    assert (stats.answered, stats.accepted) == (3, 2)  # the expired one was not answered
    assert stats.acceptance_rate == pytest.approx(2 / 3)
    assert stats.median_hours_to_answer == 4.0  # of 2, 10 and 4 hours
    assert (stats.waiting_answer, stats.waiting_outcome) == (1, 1)


def test_the_pairs_are_searched_sorted_and_paged(referral_history):
    """Issue 18: N organisations make up to N² pairs; the page shows them a page at a time."""
    stats = statistics.referral_statistics(actor=referral_history["coordinator"], since=SINCE)
    page = statistics.pairs_page(stats, size=2)
    assert [(p.sender, p.receiver) for p in page.items] == [("Médiathèque Jacques Demy", "Centre social Malakoff"),
                                                            ("Médiathèque Jacques Demy", "France Services Nantes Nord")]
    assert (page.pages, page.total, page.sort) == (2, 3, "nombre")
    assert [p.count for p in statistics.pairs_page(stats, size=2, page=2).items] == [1]
    malakoff = statistics.pairs_page(stats, query="malakoff", sort="envoi")
    assert [p.sender for p in malakoff.items] == ["Centre social Malakoff", "Médiathèque Jacques Demy"]
    by_receiver = statistics.pairs_page(stats, sort="reception", descending=True).items
    assert by_receiver[0].receiver == "France Services Nantes Nord"


def test_without_a_period_every_referral_counts(referral_history):
    stats = statistics.referral_statistics(actor=referral_history["coordinator"])
    assert stats.total == 6
    assert stats.by_service[0] == (ADMIN, 4)
    assert (stats.answered, stats.accepted) == (4, 2)
    assert stats.acceptance_rate == 0.5
    assert stats.median_hours_to_answer == 3.0  # of 1, 2, 4 and 10 hours
    assert [(reason, n) for reason, _label, n in stats.by_decline_reason] == [("out_of_scope", 1), ("full", 1)]


def test_no_referral_no_rate(app):
    stats = statistics.referral_statistics(actor=make_user(coordinator=True), since=SINCE)
    assert (stats.total, stats.acceptance_rate, stats.median_hours_to_answer) == (0, None, None)
    assert stats.by_service == stats.by_pair == stats.by_status == []


def test_only_coordinators_see_the_statistics(referral_history):
    for person in referral_history["people"].values():
        with pytest.raises(PermissionDenied):
            statistics.referral_statistics(actor=person)


def test_the_page_shows_the_numbers_and_no_person(referral_history, client, login):
    login(referral_history["coordinator"])
    response = client.get("/coordination/orientations?depuis=2026-01-01")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Statistiques des orientations" in page and "depuis le 1er janvier 2026" in page
    for expected in ("<caption>Orientations par service demandé</caption>",
                     "<caption>Orientations par paire d’organisations</caption>",
                     "Médiathèque Jacques Demy", "Centre social Malakoff", "67 %", "4 heures",
                     "Ce service n’est pas proposé ici", "Expirée sans réponse"):
        assert expected in page, expected
    assert 'href="/coordination/orientations?depuis=2026-01-01&amp;tri=reception#paires">Organisation qui reçoit' in page
    for personal in (FIRST_NAME, "Zephyrine", LAST_NAME, "revenus", "06 12", "rappellera"):
        assert personal not in page


def test_the_csv_has_the_numbers_and_no_person(referral_history, client, login):
    login(referral_history["coordinator"])
    response = client.get("/coordination/orientations.csv?depuis=2026-01-01")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="orientations-depuis-2026-01-01.csv"' in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    for personal in (FIRST_NAME, "Zephyrine", LAST_NAME, "revenus", "06 12", "rappellera"):
        assert personal not in body
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    summary = {row["rubrique"]: row["valeur"] for row in rows if not (row["service"] or row["statut"]
                                                                      or row["organisation_orientatrice"])}
    assert summary == {"total": "5", "repondues": "3", "acceptees": "2", "taux_acceptation": "0,667",
                       "delai_median_reponse_heures": "4", "en_attente_reponse": "1", "en_attente_issue": "1"}
    assert [(r["service"], r["valeur"]) for r in rows if r["rubrique"] == "par_service"] == [(ADMIN, "3"), (TOOLS, "2")]
    assert ("Centre social Malakoff", "France Services Nantes Nord", "1") in [
        (r["organisation_orientatrice"], r["organisation_destinataire"], r["valeur"])
        for r in rows if r["rubrique"] == "par_organisations"]
    assert {r["statut"]: r["valeur"] for r in rows if r["rubrique"] == "par_statut"} == {
        "sent": "1", "accepted": "1", "declined": "1", "expired": "1", "completed": "1"}


def test_a_name_typed_as_a_formula_is_not_a_formula_in_the_csv(app, clock):
    stats = statistics.ReferralStatistics(since=None, total=1, by_pair=[
        statistics.PairCount(sender="=HYPERLINK(\"http://x\")", receiver="+33 Lieu", count=1)])
    body = statistics.statistics_csv(stats)
    row = next(r for r in csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";") if r[0] == "par_organisations")
    assert row[2:4] == ["'=HYPERLINK(\"http://x\")", "'+33 Lieu"]


@pytest.mark.parametrize("path", ["/coordination/orientations", "/coordination/orientations.csv"])
def test_partners_and_anonymous_visitors_are_refused(referral_history, client, login, path):
    assert client.get(path).status_code == 302  # to the login page
    login(referral_history["people"]["media"])
    response = client.get(path)
    assert response.status_code == 403
    assert "Médiathèque Jacques Demy" not in response.get_data(as_text=True)


def test_a_malformed_date_is_refused_in_french(referral_history, client, login):
    login(referral_history["coordinator"])
    response = client.get("/coordination/orientations?depuis=hier")
    assert response.status_code == 400
    assert "AAAA-MM-JJ" in response.get_data(as_text=True)


def test_a_period_starts_at_midnight_in_paris(referral_history):
    from coordination.extensions import db
    from coordination.referrals.models import Referral

    every = db.session.scalars(db.select(Referral).order_by(Referral.id)).all()
    day = date(2026, 3, 2)
    # 23:30 UTC on 1 March is 00:30 on 2 March in Paris: inside the period starting on 2 March.
    every[0].created_at = datetime(2026, 3, 1, 23, 30)
    for referral in every[1:]:
        referral.created_at = datetime(2026, 3, 1, 22, 30)  # 23:30 in Paris on 1 March: outside
    db.session.commit()
    assert statistics.referral_statistics(actor=referral_history["coordinator"], since=day).total == 1
