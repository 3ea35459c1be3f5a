"""The place page in Arabic on a phone: mirrored, readable without sideways scrolling, axe clean."""
from datetime import timedelta

import pytest

from coordination.directory import services
from coordination.directory.models import PlaceClosure
from coordination.extensions import db
from coordination.testing.factories import make_organisation, make_place

pytestmark = pytest.mark.browser


@pytest.fixture
def place():
    organisation = make_organisation("Centre social des Dervallières", kind="centre_social")
    place = make_place(organisation, name="Espace numérique des Dervallières", address="5 place des Dervallières",
                       postcode="44100", commune="Nantes", latitude=47.2171, longitude=-1.5932,
                       opening_hours="Mo-Fr 09:00-12:00,14:00-17:30; PH off", phone="+33240123456",
                       emails=["accueil-numerique@dervallieres.exemple.fr"],
                       website="https://www.dervallieres.exemple.fr/espace-numerique/accueil",
                       summary="Aide aux démarches en ligne et prise en main du smartphone.",
                       description="Accueil sans rendez-vous le mardi matin.\nAteliers le jeudi.",
                       services=["Aide aux démarches administratives", "Prise en main d'un smartphone"],
                       publics=["Seniors (+ de 65 ans)"], fees=["Gratuit"], access_modes=["Se présenter"])
    today = services.paris_today()
    db.session.add(PlaceClosure(place=place, starts_on=today + timedelta(days=3),
                                ends_on=today + timedelta(days=9), message="Travaux de peinture"))
    db.session.commit()
    return place


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("path", ["", "/fiche", "/signaler"])
def test_the_arabic_place_pages_read_right_to_left_on_a_phone(page, live_server, axe_violations, place, path):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server}/ar/lieux/{place.public_id}{path}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").get_attribute("lang") == ("fr" if path != "/signaler" else None)
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []
