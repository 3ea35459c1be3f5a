"""Issue 18, item 5: the place page's call button, one « Comment en bénéficier » list, itinerance
said plainly, a small map with its link; the condition behind « Gratuit sous condition » from the
place form to the page; a partner told when a place's address is not located, with a map to place it."""
import re
from html import unescape

import pytest
from sqlalchemy import select

from coordination.directory import serializers, validation
from coordination.directory.models import Place
from coordination.errors import Invalid
from coordination.extensions import db as _db
from coordination.testing.factories import make_member, make_organisation, make_place
from tests.french import plain

CONDITION = "Gratuit pour les demandeurs d'emploi, 2 € la séance sinon."


def page_of(client, place, language="") -> str:
    response = client.get(f"{language}/lieux/{place.public_id}")
    assert response.status_code == 200
    return plain(response.get_data(as_text=True))


def section(html: str, heading_id: str) -> str:
    """The HTML of the section a heading id opens."""
    return re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)[1]


@pytest.fixture
def centre():
    return make_organisation("Centre social du Breil", kind="centre_social")


@pytest.fixture
def admin(centre):
    return make_member(centre, role="admin")


# --- the condition behind « Gratuit sous condition » -------------------------------------------

def test_fee_details_are_cleaned_and_limited():
    assert validation.clean_place({"fee_details": "  " + CONDITION + "\r\n"}, partial=True) == {"fee_details": CONDITION}
    assert validation.clean_place({"fee_details": "  "}, partial=True) == {"fee_details": None}
    with pytest.raises(Invalid) as error:
        validation.clean_place({"fee_details": "x" * (validation.FEE_DETAILS_MAX + 1)}, partial=True)
    assert "300" in error.value.errors["fee_details"][0]
    with pytest.raises(Invalid) as error:
        validation.clean_place({"fee_details": "Gratuit\x07"}, partial=True)
    assert "fee_details" in error.value.errors


def test_a_partner_fills_the_condition_and_the_page_shows_it_beside_the_fee(client, login, admin, centre, place_form):
    place = make_place(centre, name="Espace numérique du Breil", fees=["Gratuit sous condition"])
    login(admin)
    form = plain(client.get(f"/espace-partenaire/lieux/{place.id}/modifier").get_data(as_text=True))
    assert 'for="fee_details">Conditions de gratuité ou tarifs' in form
    assert form.index('id="fees"') < form.index('id="fee_details"') < form.index('id="programmes"')
    response = client.post(f"/espace-partenaire/lieux/{place.id}/modifier",
                           data=place_form(place, fee_details=CONDITION + "\n<script>alert(1)</script>"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    _db.session.refresh(place)
    assert place.fee_details == CONDITION + "\n<script>alert(1)</script>" and place.version == 2
    html = page_of(client, place)
    offer = section(html, "offre")
    fees = re.search(r"<dt>Frais à charge</dt>\s*<dd>(.*?)</dd>", offer, re.S)[1]
    assert "<li>Gratuit sous condition</li>" in fees
    assert unescape(re.search(r'<p class="fee-details prewrap">(.*?)</p>', fees, re.S)[1]) == place.fee_details
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    sheet = plain(client.get(f"/lieux/{place.public_id}/fiche").get_data(as_text=True))
    assert "Gratuit pour les demandeurs d&#39;emploi" in sheet or "Gratuit pour les demandeurs d'emploi" in sheet


def test_a_condition_too_long_is_refused_under_its_field(client, login, admin, centre, place_form):
    place = make_place(centre)
    login(admin)
    response = client.post(f"/espace-partenaire/lieux/{place.id}/modifier",
                           data=place_form(place, fee_details="é" * 301))
    assert response.status_code == 400
    html = plain(response.get_data(as_text=True))
    assert re.search(r'<p class="error-message" id="fee_details-error">[^<]*300', html)
    _db.session.refresh(place)
    assert place.fee_details is None and place.version == 1


def test_the_condition_is_shown_without_a_fee_ticked_and_is_kept_out_of_the_open_data(client, centre):
    place = make_place(centre, fees=[], fee_details=CONDITION)
    offer = section(page_of(client, place), "offre")
    assert "<dt>Frais à charge</dt>" in offer and "demandeurs d" in offer
    # The standard 1.0.1 has no free-text column for it: not in the record, the CSV nor the JSON.
    record = serializers.standard_record(place, source="Réseau")
    assert "demandeurs" not in repr(record) and "fee_details" not in serializers.RECORD_FIELDS


def test_the_page_in_arabic_marks_the_condition_as_french(client, centre):
    place = make_place(centre, fees=["Gratuit sous condition"], fee_details=CONDITION)
    html = page_of(client, place, "/ar")
    assert '<p class="fee-details prewrap" lang="fr" dir="ltr">' in html


# --- the place page ------------------------------------------------------------------------

@pytest.fixture
def breil(centre):
    return make_place(centre, name="Espace numérique du Breil", phone="+33240123456", latitude=47.2305,
                      longitude=-1.5901, appointment_url="https://rdv.exemple.fr/breil",
                      accessibility_url="https://acceslibre.beta.gouv.fr/breil", itinerance=["Fixe"],
                      access_modes=["Se présenter", "Prendre un RDV en ligne", "Téléphoner"])


def test_a_call_button_leads_to_the_number_formatted_in_french(client, breil):
    html = page_of(client, breil)
    links = re.search(r'<p class="place-links">(.*?)</p>', html, re.S)[1]
    call = re.search(r'<a class="button button-call" href="([^"]+)">(.*?)</a>', links, re.S)
    assert call[1] == "tel:+33240123456"
    assert re.sub(r"<[^>]+>", "", call[2]).split() == "Appeler Espace numérique du Breil 02 40 12 34 56".split()
    assert links.index("button-call") < links.index("Itinéraire")  # first, where a thumb reaches it
    english = page_of(client, breil, "/en")
    assert re.search(r'class="button button-call" href="tel:\+33240123456">Call<', english)


def test_no_call_button_without_a_phone(client, centre):
    assert "button-call" not in page_of(client, make_place(centre, phone=None))


def test_how_to_benefit_is_one_list_with_its_links(client, breil):
    address = section(page_of(client, breil), "adresse")
    assert address.count("<ul") == 1 and address.count("Comment en bénéficier") == 1
    items = re.findall(r"<li>(.*?)</li>", re.search(r'<ul class="access-list">(.*?)</ul>', address, re.S)[1], re.S)
    assert [re.sub(r"<[^>]+>", "", item).strip() for item in items] == [
        "Se présenter", "Prendre un RDV en ligne", "Téléphoner", "Informations d'accessibilité (Accès libre)"]
    assert '<a href="https://rdv.exemple.fr/breil" rel="noopener">Prendre un RDV en ligne</a>' in items[1]
    assert 'href="https://acceslibre.beta.gouv.fr/breil"' in items[3]


def test_a_booking_link_without_its_access_mode_is_still_in_the_list(client, centre):
    place = make_place(centre, access_modes=["Se présenter"], appointment_url="https://rdv.exemple.fr/x")
    access = re.search(r'<ul class="access-list">(.*?)</ul>', page_of(client, place), re.S)[1]
    assert access.count("<li>") == 2 and "Prendre rendez-vous en ligne</a>" in access


def test_a_fixed_place_says_nothing_under_its_address_an_itinerant_one_says_what_it_means(client, centre, breil):
    assert "Fixe" not in section(page_of(client, breil), "adresse")
    bus = make_place(centre, itinerance=["Itinérant"])
    assert "<p class=\"itinerance\">Itinérant : ce lieu se déplace" in page_of(client, bus)
    both = make_place(centre, itinerance=["Itinérant", "Fixe"])
    assert "<p class=\"itinerance\">Lieu fixe, et aussi itinérant" in page_of(client, both)


def test_the_small_map_has_its_link_and_the_address_beside_it(client, breil):
    html = page_of(client, breil)
    address = section(html, "adresse")
    box = re.search(r'<div class="place-map" id="place-map" hidden role="region" aria-label="Carte : emplacement du lieu"'
                    r'([^>]*)>', address)
    assert box and 'data-latitude="47.230500"' in box[1] and 'data-longitude="-1.590100"' in box[1]
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in box[1]
    assert ('href="https://www.openstreetmap.org/?mlat=47.230500&amp;mlon=-1.590100#map=17/47.230500/-1.590100"'
            in address)
    assert "Voir sur une carte" in address and "<address>" in address
    assert '/vendor/leaflet/leaflet.js" defer></script>' in html and '/static/js/place-map.js" defer>' in html
    assert '/vendor/leaflet/leaflet.css">' in html


def test_no_map_for_a_place_without_coordinates(client, centre):
    html = page_of(client, make_place(centre, latitude=None, longitude=None))
    assert "place-map" not in html and "leaflet" not in html and "Voir sur une carte" not in html


# --- a place whose address is not located --------------------------------------------------

def test_the_partner_is_told_a_place_is_not_located_and_where_to_place_it(client, login, admin, centre):
    lost = make_place(centre, name="Espace perdu", latitude=None, longitude=None, coordinates_source=None,
                      geocode_status="failed")
    found = make_place(centre, name="Espace trouvé")
    login(admin)
    html = plain(client.get("/espace-partenaire").get_data(as_text=True))
    cards = dict(re.findall(r'<li class="card">\s*<h3>([^<]+)</h3>(.*?)</li>\s*(?=<li class="card">|</ul>)', html, re.S))
    assert "Adresse non localisée : ce lieu n'apparaît pas dans les recherches par commune" in cards["Espace perdu"]
    assert f'href="/espace-partenaire/lieux/{lost.id}/modifier#position">Placer le lieu sur la carte' in cards["Espace perdu"]
    assert "non localisée" not in cards["Espace trouvé"] and found.latitude is not None
    form = plain(client.get(f"/espace-partenaire/lieux/{lost.id}/modifier").get_data(as_text=True))
    position = re.search(r'<fieldset class="position" id="position"(.*?)</fieldset>', form, re.S)[1]
    assert "Adresse non localisée" in position and 'id="latitude"' in position and 'id="longitude"' in position
    assert 'id="position-map"' in position and "Placer le repère au centre de la carte" in position
    assert '/static/js/position-picker.js" defer>' in form


def test_a_place_waiting_for_the_geocoder_says_so(client, login, admin, centre):
    make_place(centre, latitude=None, longitude=None, coordinates_source=None, geocode_status="pending")
    login(admin)
    assert "Adresse pas encore localisée" in plain(client.get("/espace-partenaire").get_data(as_text=True))


def test_the_coordination_list_flags_it_too(client, login, coordinator, centre):
    make_place(centre, latitude=None, longitude=None, geocode_status="failed")
    login(coordinator)
    assert "Adresse non localisée" in plain(client.get("/coordination/lieux").get_data(as_text=True))


def test_the_form_map_starts_near_the_places_of_the_same_postcode(client, login, admin, centre):
    make_place(centre, postcode="44100", commune="Nantes", latitude=47.2, longitude=-1.6)
    lost = make_place(centre, postcode="44100", commune="Nantes", latitude=None, longitude=None,
                      geocode_status="failed")
    login(admin)
    form = plain(client.get(f"/espace-partenaire/lieux/{lost.id}/modifier").get_data(as_text=True))
    box = re.search(r'<div class="position-map"([^>]*)>', form)[1]
    assert 'data-latitude="47.2"' in box and 'data-longitude="-1.6"' in box and 'data-zoom="14"' in box


def test_typed_coordinates_place_it_as_manual_and_end_the_notice(client, login, admin, centre, place_form):
    lost = make_place(centre, latitude=None, longitude=None, coordinates_source=None, geocode_status="failed")
    login(admin)
    response = client.post(f"/espace-partenaire/lieux/{lost.id}/modifier",
                           data=place_form(lost, latitude="47.21835", longitude="-1.55362"))
    assert response.status_code == 302
    _db.session.expire_all()
    place = _db.session.scalar(select(Place).where(Place.id == lost.id))
    assert (place.latitude, place.longitude, place.coordinates_source, place.geocode_status) == (
        47.21835, -1.55362, "manual", None)
    assert "non localisée" not in plain(client.get("/espace-partenaire").get_data(as_text=True))


@pytest.mark.parametrize("latitude", ["nan", "200", "abc"])
def test_a_refused_coordinate_does_not_become_the_form_maps_start(client, login, admin, centre, place_form, latitude):
    place = make_place(centre)
    login(admin)
    response = client.post(f"/espace-partenaire/lieux/{place.id}/modifier",
                           data=place_form(place, latitude=latitude, longitude="-1.55"))
    assert response.status_code == 400
    box = re.search(r'<div class="position-map"([^>]*)>', response.get_data(as_text=True))[1]
    assert re.search(r'data-latitude="(-?\d+(\.\d+)?)"', box) and 'data-zoom="17"' not in box
