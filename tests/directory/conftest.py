"""Helpers for the directory tests: the form data a browser would post for a place."""
import pytest

from coordination.directory.forms import EditPlaceForm


def form_data(place=None, **overrides) -> dict:
    """What the place form posts: a valid new place, or an existing place's current values."""
    if place is not None:
        data = {k: v for k, v in EditPlaceForm.initial_data(place).items() if v is not None}
    else:
        data = {
            "name": "Espace numérique du Breil", "address": "12 rue du Breil", "postcode": "44100",
            "commune": "Nantes", "insee_code": "44109", "latitude": "47.2305", "longitude": "-1.5901",
            "phone": "02 40 12 34 56", "emails": "accueil@breil.exemple.fr",
            "website": "https://breil.exemple.fr", "summary": "Aide aux démarches en ligne.",
            "services": ["Aide aux démarches administratives", "Accès internet et matériel informatique"],
            "fees": ["Gratuit"], "hours_mo_1_start": "09:00", "hours_mo_1_end": "12:00",
            "hours_mo_2_start": "14:00", "hours_mo_2_end": "17:30",
        }
    data.update(overrides)
    return data


@pytest.fixture
def place_form():
    return form_data



@pytest.fixture(autouse=True)
def _geocoder_not_remembered_down():
    """Each test starts with a geocoder that has not failed recently (the outage pause is per process)."""
    from coordination.directory import geocoding
    geocoding.forget_outage()
    yield
    geocoding.forget_outage()
