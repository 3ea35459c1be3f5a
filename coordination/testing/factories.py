"""Factories shared by the demo seed (coordination/directory/demo.py) and the test suite: one way to
build a user, an organisation, a member and a place that the models and the validation accept.

Each factory adds its object to the session and commits, so that a test gets a saved row;
``commit=False`` leaves the transaction open for a caller that writes a whole network at once (the demo
seed). Defaults are a plausible place in Nantes and unique names, so that a test states only what it
is about.
"""
import functools
import itertools

from werkzeug.security import generate_password_hash

from coordination.auth.models import Membership, Organisation, User
from coordination.directory.models import Place
from coordination.extensions import db

PASSWORD = "motdepasse-solide-42"

PLACE_DEFAULTS = dict(
    address="12 rue de Strasbourg", postcode="44000", commune="Nantes", insee_code="44109",
    latitude=47.2173, longitude=-1.5534, coordinates_source="manual", opening_hours="Mo-Fr 09:00-12:00,14:00-17:30",
    phone="+33240000000", emails=["accueil@exemple.fr"], services=["Aide aux démarches administratives"],
    fees=["Gratuit"], support_modes=["Accompagnement individuel"], published=True,
)

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    """The prefix followed by a number never given before in this process."""
    return f"{prefix}{next(_counter)}"


@functools.lru_cache
def quick_hash(password: str) -> str:
    """A cheap password hash (1,000 PBKDF2 rounds): keeps the suite fast; never for a real account."""
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


def _save(obj, commit: bool):
    db.session.add(obj)
    if commit:
        db.session.commit()
    return obj


def make_user(email=None, *, name="Camille Martin", coordinator=False, active=True, password=PASSWORD,
              quick=True, commit=True) -> User:
    """A user (lower-cased email, unique when none is given). ``quick=False`` hashes the password the
    way the application does (the demo's accounts can be signed in to)."""
    user = User(email=(email or f"{unique('user')}@exemple.fr").lower(), name=name,
                is_coordinator=coordinator, active=active)
    if quick:
        user.password_hash = quick_hash(password)
    else:
        user.set_password(password)
    return _save(user, commit)


def make_organisation(name=None, *, status="active", kind="association", pivot=None,
                      contact_email="contact@exemple.fr", contact_phone=None, commit=True) -> Organisation:
    """An organisation, active unless told; a unique name and RNA-like pivot when none is given."""
    organisation = Organisation(name=name or unique("Association "), kind=kind,
                                pivot=pivot or f"W{next(_counter):09d}", contact_email=contact_email,
                                contact_phone=contact_phone, status=status)
    return _save(organisation, commit)


def make_member(organisation, *, role="member", email=None, commit=True, **user_fields) -> User:
    """A new user who is a member (or ``role="admin"``) of the organisation."""
    user = make_user(email, commit=False, **user_fields)
    _save(Membership(user=user, organisation=organisation, role=role), commit)
    return user


def make_place(organisation, *, commit=True, **fields) -> Place:
    """A published place of the organisation: PLACE_DEFAULTS and a unique name, overridden by ``fields``."""
    values = {"name": unique("Espace numérique "), **PLACE_DEFAULTS, **fields}
    return _save(Place(organisation=organisation, **values), commit)
