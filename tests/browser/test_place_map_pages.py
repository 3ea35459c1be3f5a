"""Issue 18, item 5 in a real browser: the place page with its call button and small map, on a phone
and a desktop, in French and Arabic (axe clean, no sideways scroll, the map no keyboard trap); a
partner places an unlocated place by clicking the form's map, or with the keyboard, and saves it."""
import pytest
from sqlalchemy import select

from coordination.directory.models import Place
from coordination.extensions import db
from coordination.testing.factories import PASSWORD, make_member, make_organisation, make_place
from tests.browser.test_search_pages import local_tiles  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def centre():
    return make_organisation("Centre social du Breil", kind="centre_social")


@pytest.fixture
def breil(centre):
    return make_place(centre, name="Espace numérique du Breil", address="12 rue du Breil", postcode="44100",
                      commune="Nantes", latitude=47.2305, longitude=-1.5901, phone="+33240123456",
                      appointment_url="https://rdv.exemple.fr/breil", fees=["Gratuit sous condition"],
                      fee_details="Gratuit pour les demandeurs d'emploi, 2 € la séance sinon.",
                      access_modes=["Se présenter", "Prendre un RDV en ligne"], itinerance=["Fixe"],
                      services=["Aide aux démarches administratives"])


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("language", ["", "/ar"])
@pytest.mark.parametrize("width", [360, 1280])
def test_the_place_page_with_its_map_and_call_button(page, live_server, axe_violations, local_tiles, breil,  # noqa: F811
                                                     language, width):
    local_tiles(page)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server}{language}/lieux/{breil.public_id}")
    page.wait_for_selector("#place-map .leaflet-marker-icon")
    page.wait_for_function("document.querySelectorAll('#place-map img.leaflet-tile-loaded').length > 0")
    assert local_tiles.served
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []
    call = page.locator("a.button-call")
    assert call.get_attribute("href") == "tel:+33240123456" and "02 40 12 34 56" in call.inner_text()
    box = call.bounding_box()
    assert box["height"] >= 44
    if width == 360:  # the whole width on a phone
        assert box["width"] >= 300
    assert page.locator(".place-map-link a").is_visible()
    # The map is no tab stop of its own (its zoom buttons are), so Tab goes through it and on.
    assert page.locator("#place-map").get_attribute("tabindex") is None
    assert page.locator("#place-map .leaflet-marker-icon").get_attribute("tabindex") is None


def test_without_javascript_the_map_is_its_link(browser, live_server, breil):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    tab = context.new_page()
    try:
        tab.goto(f"{live_server}/lieux/{breil.public_id}")
        assert not tab.locator("#place-map").is_visible()
        assert tab.get_by_role("link", name="Voir sur une carte").get_attribute("href").startswith(
            "https://www.openstreetmap.org/?mlat=47.230500&mlon=-1.590100")
    finally:
        context.close()


@pytest.fixture
def lost(centre):
    make_place(centre, name="Médiathèque voisine", postcode="44100", commune="Nantes", latitude=47.2305,
               longitude=-1.5901)
    return make_place(centre, name="Espace perdu", address="3 impasse inconnue", postcode="44100", commune="Nantes",
                      latitude=None, longitude=None, coordinates_source=None, geocode_status="failed")


def stored(place_id):
    db.session.expire_all()
    return db.session.scalar(select(Place).where(Place.id == place_id))


@pytest.mark.parametrize("width", [360, 1280])
def test_a_partner_places_the_marker_by_clicking_the_map_and_saves(page, live_server, browser_login, axe_violations,
                                                                   local_tiles, centre, lost, width):  # noqa: F811
    local_tiles(page)
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(make_member(centre, role="admin"), PASSWORD)
    home = page.locator("li.card", has_text="Espace perdu")
    assert "Adresse non localisée" in home.inner_text()
    home.get_by_role("link", name="Placer le lieu sur la carte").click()
    page.wait_for_selector("#position-map .leaflet-tile-loaded")
    assert page.url.endswith("#position")
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []
    assert page.locator("#latitude").input_value() == ""
    page.locator("#position-map").click(position={"x": 60, "y": 60})
    latitude, longitude = page.locator("#latitude").input_value(), page.locator("#longitude").input_value()
    assert latitude and longitude and page.locator("#position-map .leaflet-marker-icon").count() == 1
    assert abs(float(latitude) - 47.2305) < 0.05 and abs(float(longitude) + 1.5901) < 0.05  # near the neighbour
    assert f"latitude {latitude}, longitude {longitude}" in page.locator("#position-status").inner_text()
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_load_state()
    assert "Les modifications ont été enregistrées" in page.content()
    place = stored(lost.id)
    assert (place.latitude, place.longitude) == (float(latitude), float(longitude))
    assert place.coordinates_source == "manual" and place.geocode_status is None
    assert "Adresse non localisée" not in page.locator("li.card", has_text="Espace perdu").inner_text()


def test_with_the_keyboard_the_marker_goes_to_the_centre_of_the_map(page, live_server, browser_login, local_tiles,  # noqa: F811
                                                                     centre, lost):
    local_tiles(page)
    browser_login(make_member(centre, role="admin"), PASSWORD)
    page.goto(f"{live_server}/espace-partenaire/lieux/{lost.id}/modifier")
    page.wait_for_selector("#position-map .leaflet-tile-loaded")
    pane = "document.querySelector('#position-map .leaflet-map-pane')"
    before = page.evaluate(f"{pane}.style.transform")
    page.locator("#position-map").focus()
    page.keyboard.press("ArrowRight")  # Leaflet pans the focused map, in an animation: wait for its end
    page.wait_for_function(f"([before]) => {pane}.style.transform !== before && "
                           "!document.querySelector('#position-map').classList.contains('leaflet-pan-anim')",
                           arg=[before])
    page.locator("#position-centre").focus()
    page.keyboard.press("Enter")
    latitude, longitude = float(page.locator("#latitude").input_value()), float(page.locator("#longitude").input_value())
    assert abs(latitude - 47.2305) < 0.01 and longitude > -1.5901  # moved east of where it started
    page.keyboard.press("Tab")  # the button is no trap: Tab goes on to the latitude field
    assert page.evaluate("document.activeElement.id") in ("latitude", "longitude")
    page.locator("#latitude").fill("47.25")
    page.locator("#latitude").dispatch_event("change")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_load_state()
    place = stored(lost.id)
    assert place.latitude == 47.25 and place.longitude == longitude and place.coordinates_source == "manual"
