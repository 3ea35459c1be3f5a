"""Referral fixtures: organisation A (sends) and B (receives), each with members, a place of B that
accepts referrals, and a helper that sends a referral through the service."""
import secrets
from types import SimpleNamespace

import pytest

from coordination.referrals import services
from coordination.testing.factories import make_member, make_organisation, make_place, make_user

FIRST_NAME = "Zéphyrine"
SERVICE = "Aide aux démarches administratives"


def referral_data(sender, **changes) -> dict:
    data = {"first_name": FIRST_NAME, "last_name": "Quillebeuf", "phone": "07 61 23 45 89",
            "email": "zephyrine.q@exemple.fr", "contact_channel": "phone", "language": "fr",
            "need": "Renouveler sa demande de RSA en ligne, n'a pas d'ordinateur.", "service": SERVICE,
            "urgent": False, "sender_organisation_id": sender.id, "consent": True, "consent_method": "oral",
            "submission_key": secrets.token_urlsafe(24)}
    data.update(changes)
    return data


@pytest.fixture
def referral_partners(db):
    org_a = make_organisation("France Services de Rezé", kind="france_services")
    org_b = make_organisation("Association Clic et Déclic")
    org_c = make_organisation("Médiathèque Diderot", kind="mediatheque")
    people = SimpleNamespace(
        member_a=make_member(org_a, name="Agathe Envoi"),
        member_b=make_member(org_b, name="Bruno Accueil"),
        admin_c=make_member(org_c, role="admin", name="Clémence Tierce"),
        coordinator=make_user(coordinator=True, name="Corentin Coordination"),
    )
    place_b = make_place(org_b, name="Espace numérique Clic", services=[SERVICE, "Accès internet et matériel informatique"])
    other_place = make_place(org_c, name="Médiathèque Diderot — espace multimédia")
    return SimpleNamespace(org_a=org_a, org_b=org_b, org_c=org_c, place_b=place_b, other_place=other_place,
                           **vars(people))


@pytest.fixture
def send(referral_partners):
    """Sends a referral from A to B's place (through the service), as member_a unless told."""
    def do_send(actor=None, place=None, **changes):
        actor = actor or referral_partners.member_a
        return services.create_referral((place or referral_partners.place_b).public_id,
                                        referral_data(referral_partners.org_a, **changes), actor=actor)
    return do_send
