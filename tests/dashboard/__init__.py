"""Tests of the coordinators' dashboard, and the fixture network they count."""
import secrets
from datetime import timedelta
from types import SimpleNamespace

from dateutil.relativedelta import relativedelta

from coordination.core.clock import utcnow
from coordination.crypto import encrypt_json
from coordination.directory.models import SearchLog
from coordination.events.models import Meeting, MeetingInvitation
from coordination.extensions import db
from coordination.referrals.models import Referral, ReferralStep
from coordination.testing.factories import make_member, make_organisation, make_place, make_user

S_ADMIN = "Aide aux démarches administratives"
S_TOOLS = "Maîtrise des outils numériques du quotidien"
S_LEISURE = "Loisirs et créations numériques"
S_ACCESS = "Accès internet et matériel informatique"

# Personal values that must never appear on the dashboard nor in its files
PERSON = {"first_name": "Zéphyrine", "last_name": "Quillebeuf", "phone": "07 61 23 45 89",
          "email": "zephyrine.quillebeuf@exemple.fr", "language": "fr",
          "need": "Renouveler sa demande de RSA en ligne, n'a pas d'ordinateur."}
SECRETS = ("Zéphyrine", "Quillebeuf", "07 61 23 45 89", "zephyrine", "Philomène", "Trouvetout",
           "philomene.trouvetout", "corentin.unique", "Corentin", "accueil-secret", "+33240999999",
           "contact@exemple.fr")


def _log(now, count=1, *, query="", commune=None, insee=None, services=None, results=0, radius=None, days=1):
    for _ in range(count):
        db.session.add(SearchLog(at=(now - timedelta(days=days)).replace(minute=0, second=0, microsecond=0),
                                 words=query, facets={"services": services} if services else {},
                                 commune=commune, insee_code=insee, radius_km=radius, results_count=results))


def _referral(now, sender, sender_user, place, service, *, status="sent", answered_hours=None, reason=None):
    created = now - timedelta(days=2)
    referral = Referral(
        submission_key=secrets.token_urlsafe(24), sender_organisation_id=sender.id, sender_user_id=sender_user.id,
        place_id=place.id, receiver_organisation_id=place.organisation_id, service=service,
        contact_channel="phone", personal_data=encrypt_json(PERSON), status=status,
        decline_reason=reason, consent_at=created, consent_recorded_by_id=sender_user.id, consent_method="oral",
        consent_text_version="2025-01", created_at=created, expires_at=created + timedelta(days=10),
        answered_at=created + timedelta(hours=answered_hours) if answered_hours is not None else None)
    db.session.add(referral)
    db.session.flush()
    if status == "declined":
        db.session.add(ReferralStep(referral_id=referral.id, at=referral.answered_at, kind="declined",
                                     from_status="sent", reason=reason))
    return referral


def build_network(now=None) -> SimpleNamespace:
    """Three active organisations, one pending; places of every freshness; search logs; referrals;
    a meeting held a month ago. The expected numbers are in tests/dashboard/test_dashboard.py."""
    now = now or utcnow()
    clic = make_organisation("Association Clic et Déclic", kind="association")
    france_services = make_organisation("France Services de Rezé", kind="france_services")
    diderot = make_organisation("Médiathèque Diderot", kind="mediatheque")
    pending = make_organisation("Centre social en attente", kind="centre_social", status="pending")
    sender = make_member(clic, name="Philomène Trouvetout", email="philomene.trouvetout@exemple.fr")
    receiver = make_member(france_services, name="Bruno Accueil")
    coordinator = make_user("corentin.unique@exemple.fr", name="Corentin Coordination", coordinator=True)
    private = {"emails": ["accueil-secret@exemple.fr"], "phone": "+33240999999"}

    def ago(**delta):
        return now - relativedelta(**delta)
    places = SimpleNamespace(
        clic_1=make_place(clic, services=[S_ADMIN, S_ACCESS], verified_at=ago(months=1), **private),
        clic_2=make_place(clic, services=[S_ADMIN], verified_at=ago(months=4), **private),
        reze=make_place(france_services, commune="Rezé", postcode="44400", insee_code="44143", services=[S_ADMIN, S_TOOLS],
                        verified_at=ago(months=5, days=2), **private),
        diderot=make_place(diderot, commune="Saint-Herblain", postcode="44800", insee_code="44162",
                           services=[S_LEISURE, S_ACCESS], verified_at=ago(months=7), stale_since=ago(months=1),
                           **private),
        unpublished=make_place(diderot, commune="Saint-Herblain", postcode="44800", insee_code="44162",
                               services=[S_ADMIN], verified_at=ago(months=8), published=False, **private),
        deleted=make_place(clic, services=[S_ADMIN], deleted_at=ago(days=3), verified_at=ago(years=2), **private),
        pending=make_place(pending, services=[S_ADMIN], verified_at=ago(years=2), **private),
    )

    reze_logs = dict(query="ordinateur", commune="Rezé", insee="44143", services=[S_ACCESS], radius=20.0)
    _log(now, 3, results=0, **reze_logs)
    _log(now, 2, results=5, **reze_logs)  # found enough: not an unmet need
    _log(now, 1, results=2, **reze_logs)
    _log(now, 1, results=0, days=800, **reze_logs)  # before the period
    _log(now, 1, commune="Saint-Herblain", insee="44162", services=[S_ADMIN, S_ACCESS], radius=10.0)
    _log(now, 1, commune="Saint-Herblain", insee="44162", services=[S_ADMIN, S_ACCESS], radius=30.0)
    _log(now, 1, query="caf", results=1)
    _log(now, 1, query="=hyperlink(\"http://x\")", commune="Nantes", insee="44109")

    _referral(now, clic, sender, places.reze, S_ADMIN)
    _referral(now, clic, sender, places.reze, S_ADMIN, status="accepted", answered_hours=2)
    _referral(now, clic, sender, places.reze, S_TOOLS, status="declined", answered_hours=4, reason="full")

    start = (now - timedelta(days=30)).replace(second=0, microsecond=0)
    meeting = Meeting(title="Réunion trimestrielle du réseau", starts_at=start, ends_at=start + timedelta(hours=2),
                      address="Maison des associations, Nantes")
    db.session.add(meeting)
    db.session.add_all([MeetingInvitation(meeting=meeting, user=sender, organisation=clic, response="yes", attended=True),
                        MeetingInvitation(meeting=meeting, user=receiver, organisation=france_services, response="no",
                                          attended=False)])
    db.session.commit()
    return SimpleNamespace(now=now, clic=clic, reze=france_services, diderot=diderot, pending=pending, sender=sender,
                           receiver=receiver, coordinator=coordinator, places=places)
