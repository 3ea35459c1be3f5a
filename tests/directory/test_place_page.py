"""The public place page and its printable sheet."""
import re
from datetime import timedelta
from html import unescape
from itertools import pairwise

import pytest

from coordination.directory import services
from coordination.directory.models import PlaceClosure
from coordination.extensions import db as _db
from coordination.testing.factories import make_member, make_organisation, make_place
from tests.french import plain

NBSP = "\u00a0"


def html_of(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def breil_place():
    organisation = make_organisation("Centre social du Breil")
    return make_place(
        organisation, name="Espace numérique du Breil", address="12 rue du Breil", postcode="44100", commune="Nantes",
        latitude=47.2305, longitude=-1.5901, opening_hours="Mo-Fr 09:00-12:00,14:00-17:30; PH off",
        phone="+33240123456", emails=["accueil@breil.exemple.fr"], website="https://breil.exemple.fr",
        appointment_url="https://rdv.exemple.fr/breil", accessibility_url="https://acceslibre.beta.gouv.fr/breil",
        summary="Aide aux démarches en ligne.", services=["Aide aux démarches administratives"],
        publics=["Seniors (+ de 65 ans)"], fees=["Gratuit"], access_modes=["Se présenter", "Téléphoner"],
    )


def add_closure(place, days_from=0, days=3, opening_hours=None, message="Travaux de peinture"):
    today = services.paris_today()
    closure = PlaceClosure(place=place, starts_on=today + timedelta(days=days_from),
                           ends_on=today + timedelta(days=days_from + days - 1), opening_hours=opening_hours,
                           message=message)
    _db.session.add(closure)
    _db.session.commit()
    return closure


def test_the_page_has_what_a_resident_needs(client, breil_place):
    response = client.get(f"/lieux/{breil_place.public_id}")
    assert response.status_code == 200
    html = html_of(response)
    for expected in ("Espace numérique du Breil", "12 rue du Breil", "44100 Nantes", "Aide aux démarches administratives",
                     "Seniors (+ de 65 ans)", "Gratuit", "Se présenter", "Téléphoner",
                     'href="tel:+33240123456"', "02 40 12 34 56", 'href="mailto:accueil@breil.exemple.fr"',
                     'href="https://rdv.exemple.fr/breil"', 'href="https://acceslibre.beta.gouv.fr/breil"',
                     f"Lundi au vendredi{NBSP}: 9{NBSP}h – 12{NBSP}h, 14{NBSP}h – 17{NBSP}h{NBSP}30",
                     "Fermé les jours fériés",
                     'href="https://www.openstreetmap.org/directions?to=47.230500,-1.590100"',
                     f'href="/lieux/{breil_place.public_id}/fiche"', "Mis à jour le ", "Vérifié ce mois-ci par la structure"):
        assert expected in html, expected
    status = re.search(r'<p class="open-status[^"]*"><strong>([^<]+)</strong>', html)[1]
    assert status.startswith(("Ouvert maintenant", "Fermé, ouvre"))
    assert "style=" not in html and "<script>" not in html


def test_headings_are_in_order(client, breil_place):
    add_closure(breil_place)
    html = html_of(client.get(f"/lieux/{breil_place.public_id}"))
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in pairwise(levels))


def test_a_current_closure_is_shown_first(client, breil_place):
    add_closure(breil_place, message="Travaux de peinture")
    html = html_of(client.get(f"/lieux/{breil_place.public_id}"))
    assert "Fermé temporairement jusqu'au " in html and "Travaux de peinture" in html
    assert html.index("Fermetures et horaires exceptionnels") < html.index("Adresse et accès")
    until = services.paris_today() + timedelta(days=2)
    assert re.search(rf"Fermé temporairement jusqu'au {until.day}(er)? ", html)


def test_future_exceptional_hours_are_announced(client, breil_place):
    add_closure(breil_place, days_from=10, days=5, opening_hours="10:00-12:00", message=None)
    html = html_of(client.get(f"/lieux/{breil_place.public_id}"))
    assert "horaires exceptionnels" in html and f"Lundi au dimanche{NBSP}: 10{NBSP}h – 12{NBSP}h" in html
    assert "Fermé temporairement" not in html


def test_without_coordinates_there_is_no_itinerary_link(client, breil_place):
    breil_place.latitude = breil_place.longitude = None
    _db.session.commit()
    html = html_of(client.get(f"/lieux/{breil_place.public_id}"))
    assert "openstreetmap.org/directions" not in html


def test_the_sheet_fits_a_desk(client, breil_place):
    add_closure(breil_place, days_from=1, days=1, message="Formation de l'équipe")
    response = client.get(f"/lieux/{breil_place.public_id}/fiche")
    assert response.status_code == 200
    html = html_of(response)
    for expected in ("<title>Fiche à imprimer\u00a0: Espace numérique du Breil", "12 rue du Breil", "02 40 12 34 56",
                     "Aide aux démarches administratives", "Formation de l'équipe", "css/place.css",
                     f"localhost/lieux/{breil_place.public_id}", "Réseau", "Gratuit"):
        assert expected in html, expected
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S)[0]
    assert 'role="img"' in svg and "aria-label=" in svg and "<path" in svg
    assert "style" not in svg and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "style=" not in html and "<script>" not in html and 'src="http' not in html
    response = client.get("/static/css/place.css")
    css = plain(response.get_data(as_text=True))
    response.close()
    assert "@media print" in css and "size: A4" in css


def test_the_qr_code_encodes_the_live_page(client, breil_place, app):
    segno = pytest.importorskip("segno")
    from coordination.directory.views import qr_svg
    url = f"{app.config['BASE_URL']}/lieux/{breil_place.public_id}"
    reference = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, svgclass="qr-code", lineclass=None)
    html = html_of(client.get(f"/lieux/{breil_place.public_id}/fiche"))
    assert re.search(r'd="([^"]+)"', reference)[1] in html
    assert str(qr_svg(url)).startswith('<svg role="img"')


@pytest.mark.parametrize("suffix", ["", "/fiche"])
def test_unknown_or_unpublished_places_are_a_french_404(client, breil_place, suffix):
    response = client.get(f"/lieux/00000000-0000-0000-0000-000000000000{suffix}")
    assert response.status_code == 404 and "n'existe pas" in plain(html_of(response))
    breil_place.published = False
    _db.session.commit()
    response = client.get(f"/lieux/{breil_place.public_id}{suffix}")
    assert response.status_code == 404 and "n'existe pas" in plain(html_of(response))


def test_its_editors_see_an_unpublished_page_and_the_closures_link(client, login, breil_place):
    member = make_member(breil_place.organisation)
    breil_place.published = False
    _db.session.commit()
    login(member)
    html = html_of(client.get(f"/lieux/{breil_place.public_id}"))
    assert "n'est pas visible du public" in html
    assert f"/espace-partenaire/lieux/{breil_place.id}/fermetures" in html
    assert client.get(f"/lieux/{breil_place.public_id}/fiche").status_code == 200


def test_a_place_without_hours(client):
    place = make_place(make_organisation(), opening_hours=None, phone=None, emails=[])
    html = html_of(client.get(f"/lieux/{place.public_id}"))
    assert "Horaires non renseignés" in html
    assert client.get(f"/lieux/{place.public_id}/fiche").status_code == 200
