"""Temporary closures and exceptional hours, declared by partners: the use cases and the pages."""
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from coordination.audit import AuditRecord
from coordination.core.clock import utcnow
from coordination.directory import hours, search, services
from coordination.directory.models import PlaceClosure
from coordination.errors import Invalid, NotFound, PermissionDenied
from coordination.extensions import db as _db
from coordination.testing.factories import make_member, make_organisation, make_place, make_user
from tests.french import plain


@pytest.fixture
def today():
    return services.paris_today()


@pytest.fixture
def library_place():
    return make_place(make_organisation("Médiathèque Jacques Demy"), opening_hours="Mo-Sa 10:00-18:00")


@pytest.fixture
def library_member(library_place):
    return make_member(library_place.organisation)


@pytest.fixture
def queued(monkeypatch):
    ids = []
    monkeypatch.setattr(search, "queue_place_ids", ids.extend)
    return ids


def days(today, start, end=None):
    return {"starts_on": (today + timedelta(days=start)).isoformat(),
            "ends_on": (today + timedelta(days=start if end is None else end)).isoformat()}


def errors_of(call) -> dict:
    with pytest.raises(Invalid) as error:
        call()
    return plain(error.value.errors)


# --- use cases -----------------------------------------------------------------------------

def test_a_partner_declares_a_closure(library_place, library_member, today, queued):
    closure = services.add_closure(library_place.id, {**days(today, 0, 2), "closed": True, "message": "  Travaux   de peinture "},
                                   actor=library_member)
    assert (closure.starts_on, closure.ends_on, closure.opening_hours, plain(closure.message), closure.created_by_id) == (
        today, today + timedelta(days=2), None, "Travaux de peinture", library_member.id)
    assert queued == [library_place.id]
    record = _db.session.scalar(select(AuditRecord).where(AuditRecord.action == "place.closure.add"))
    assert record.object_id == str(library_place.id) and record.details["closed"] is True
    _db.session.expire_all()
    assert hours.status_text(library_place, utcnow()).startswith("Fermé temporairement jusqu'au ")


def test_exceptional_hours_are_validated_osm_hours(library_place, library_member, today, queued):
    closure = services.add_closure(library_place.id, {**days(today, 3, 9), "closed": False, "opening_hours": "Mo-Fr 10:00-12:00"},
                                   actor=library_member)
    assert closure.opening_hours == "Mo-Fr 10:00-12:00" and plain(closure.message) is None
    assert "Horaires non reconnus" in errors_of(lambda: services.add_closure(
        library_place.id, {**days(today, 20), "closed": False, "opening_hours": "lundi matin"}, actor=library_member))["opening_hours"][0]
    assert "Indiquez au moins un créneau, ou choisissez « fermé »." in errors_of(lambda: services.add_closure(
        library_place.id, {**days(today, 20), "closed": False, "opening_hours": " "}, actor=library_member))["opening_hours"][0]


def test_exceptional_hours_must_open_on_a_day_of_the_period(library_place, library_member, today, queued):
    sunday = today + timedelta(days=(6 - today.weekday()) % 7 + 7)
    period = {"starts_on": sunday.isoformat(), "ends_on": sunday.isoformat(), "closed": False}
    error = errors_of(lambda: services.add_closure(library_place.id, {**period, "opening_hours": "Mo-Fr 10:00-12:00"},
                                                   actor=library_member))["opening_hours"][0]
    assert error.startswith("Avec ces horaires, le lieu n'ouvre aucun jour de la période (le ") and "choisissez « fermé »" in error
    closure = services.add_closure(library_place.id, {**period, "opening_hours": "Su 10:00-12:00"}, actor=library_member)
    assert closure.opening_hours == "Su 10:00-12:00"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"starts_on": "", "ends_on": ""}, "starts_on", "Indiquez la date de début."),
    ({"starts_on": "demain", "ends_on": "2030-01-01"}, "starts_on", "« demain » n'est pas une date valable"),
    ({"starts_on": "31/02/2030", "ends_on": "2030-03-01"}, "starts_on", "n'est pas une date valable"),
    ("end-before-start", "ends_on", "La date de fin doit être le même jour que la date de début ou après."),
    ("past", "starts_on", "La date de début est passée"),
    ("too-long", "ends_on", "au plus un an"),
    ("long-message", "message", "280 caractères au maximum"),
])
def test_bad_closures_get_french_errors(library_place, library_member, today, queued, data, field, message):
    if isinstance(data, str):
        data = {
            "end-before-start": days(today, 5, 4),
            "past": days(today, -3, 2),
            "too-long": days(today, 0, 400),
            "long-message": {**days(today, 1), "message": "x" * 281},
        }[data]
    errors = errors_of(lambda: services.add_closure(library_place.id, {"closed": True, **data}, actor=library_member))
    assert message in errors[field][0]
    assert queued == [] and _db.session.scalars(select(PlaceClosure)).all() == []


def test_french_dates_are_understood(library_place, library_member, today, queued):
    start = today + timedelta(days=2)
    closure = services.add_closure(library_place.id, {"starts_on": start.strftime("%d/%m/%Y"), "ends_on": start.strftime("%d/%m/%Y"),
                                              "closed": True}, actor=library_member)
    assert closure.starts_on == closure.ends_on == start


def test_overlapping_periods_are_refused(library_place, library_member, today, queued):
    services.add_closure(library_place.id, {**days(today, 5, 10), "closed": True}, actor=library_member)
    errors = errors_of(lambda: services.add_closure(library_place.id, {**days(today, 10, 12), "closed": True}, actor=library_member))
    assert "Une autre période est déjà déclarée du " in errors["starts_on"][0]
    services.add_closure(library_place.id, {**days(today, 11, 12), "closed": True}, actor=library_member)  # right after: fine


def test_removing_a_closure(library_place, library_member, today, queued):
    closure = services.add_closure(library_place.id, {**days(today, 1), "closed": True}, actor=library_member)
    queued.clear()
    services.remove_closure(closure.id, actor=library_member)
    assert _db.session.scalars(select(PlaceClosure)).all() == [] and queued == [library_place.id]
    assert "place.closure.remove" in [e.action for e in _db.session.scalars(select(AuditRecord))]
    with pytest.raises(NotFound):
        services.remove_closure(closure.id, actor=library_member)


def test_only_editors_of_the_place_manage_its_closures(library_place, library_member, today, queued):
    outsider = make_member(make_organisation())
    with pytest.raises(PermissionDenied):
        services.add_closure(library_place.id, {**days(today, 1), "closed": True}, actor=outsider)
    closure = services.add_closure(library_place.id, {**days(today, 1), "closed": True}, actor=library_member)
    with pytest.raises(PermissionDenied):
        services.remove_closure(closure.id, actor=outsider)
    coordinator = make_user(coordinator=True)
    services.remove_closure(closure.id, actor=coordinator)


# --- pages ---------------------------------------------------------------------------------

def html_of(response) -> str:
    return re.sub(r"[ \t\n]+", " ", plain(unescape(response.get_data(as_text=True))))


def test_the_closures_page_adds_lists_and_removes(client, login, library_place, library_member, today, queued):
    login(library_member)
    url = f"/espace-partenaire/lieux/{library_place.id}/fermetures"
    html = html_of(client.get(url))
    assert "Aucune fermeture ni aucun horaire exceptionnel n'est prévu." in html
    for field in ("starts_on", "ends_on", "hours_mo_1_start", "hours_su_2_end", "message"):
        assert re.search(rf'<label for="{field}">', html), field
    assert "syntaxe OpenStreetMap" not in html and 'name="opening_hours"' not in html
    response = client.post(url, data={**days(today, 1, 3), "kind": "closed", "message": "Inventaire annuel",
                                      "hours_mo_1_start": "09:00"})  # the editor is ignored when closed
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    html = html_of(client.get(url))
    assert "Inventaire annuel" in html and " : fermé" in html
    assert "Inventaire annuel" in html_of(client.get(f"/lieux/{library_place.public_id}"))

    response = client.post(url, data={**days(today, 10, 16), "kind": "hours", "hours_mo_1_start": "10:00",
                                      "hours_mo_1_end": "12:00", "hours_tu_1_start": "10:00", "hours_tu_1_end": "12:00",
                                      "hours_tu_2_start": "14h", "hours_tu_2_end": "16 h 30"})
    assert response.status_code == 302
    saved = _db.session.scalars(select(PlaceClosure).where(PlaceClosure.opening_hours.is_not(None))).one()
    assert saved.opening_hours == "Mo 10:00-12:00; Tu 10:00-12:00,14:00-16:30"
    html = html_of(client.get(url))
    assert "horaires exceptionnels" in html and re.search(r"Mardi\s:\s10\sh – 12\sh, 14\sh – 16\sh\s30", html)

    closure = _db.session.scalars(select(PlaceClosure).order_by(PlaceClosure.id)).first()
    response = client.post(f"/espace-partenaire/fermetures/{closure.id}/supprimer")
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert "Inventaire annuel" not in html_of(client.get(url))


def test_the_editor_starts_from_the_regular_hours(client, login, library_place, library_member):
    login(library_member)
    html = html_of(client.get(f"/espace-partenaire/lieux/{library_place.id}/fermetures"))
    assert re.search(r'id="hours_sa_1_start" name="hours_sa_1_start" type="time" value="10:00"', html)
    assert re.search(r'id="hours_su_1_start" name="hours_su_1_start" type="time" value=""', html)


def test_the_closures_page_shows_errors_next_to_the_fields(client, login, library_place, library_member, today, queued):
    login(library_member)
    url = f"/espace-partenaire/lieux/{library_place.id}/fermetures"
    response = client.post(url, data={**days(today, 4, 2), "kind": "hours"})
    assert response.status_code == 400
    html = html_of(response)
    assert 'id="ends_on-error">La date de fin doit être' in html
    assert 'id="hours-error">Indiquez au moins un créneau, ou choisissez « fermé ».' in html
    assert 'aria-invalid="true"' in html and "Le formulaire contient des erreurs" in html


def test_an_editor_error_is_next_to_the_slot_at_fault(client, login, library_place, library_member, today, queued):
    login(library_member)
    url = f"/espace-partenaire/lieux/{library_place.id}/fermetures"
    response = client.post(url, data={**days(today, 1, 7), "kind": "hours", "hours_fr_1_start": "09:00",
                                      "hours_fr_1_end": "12:00", "hours_fr_2_start": "11:00", "hours_fr_2_end": "16:00"})
    assert response.status_code == 400
    html = html_of(response)
    assert ('id="hours_fr_2_start-error">Vendredi : le créneau 2 doit commencer après la fin du créneau précédent '
            '(12:00).') in html
    assert re.search(r'aria-describedby="hours_fr_2_start-error" aria-invalid="true" id="hours_fr_2_start"', html)
    assert not re.search(r'aria-invalid="true" id="hours_fr_1_start"', html)
    assert _db.session.scalars(select(PlaceClosure)).all() == []


def test_the_closures_page_tells_that_open_data_carries_the_regular_hours_only(client, login, library_place,
                                                                             library_member, today, queued):
    """The open-data files and the API have no closures (the standard has no field for them): the
    page must not promise them."""
    services.add_closure(library_place.id, {**days(today, 0, 2), "closed": True, "message": "Travaux"},
                         actor=library_member)
    published = client.get(f"/api/v1/lieux/{library_place.public_id}").get_json()
    assert published["horaires"] == "Mo-Sa 10:00-18:00" and "Travaux" not in str(published)
    login(library_member)
    html = html_of(client.get(f"/espace-partenaire/lieux/{library_place.id}/fermetures"))
    assert "les données ouvertes affichent" not in html
    assert "Les données ouvertes (fichiers et API) ne publient que les horaires habituels" in html


def test_the_closures_page_is_for_editors_only(client, login, library_place, today):
    url = f"/espace-partenaire/lieux/{library_place.id}/fermetures"
    assert client.get(url).status_code == 302  # to the login page
    login(make_member(make_organisation()))
    assert client.get(url).status_code == 403
    assert client.post(url, data={**days(today, 1), "kind": "closed"}).status_code == 403
    assert _db.session.scalars(select(PlaceClosure)).all() == []


def test_the_partner_space_links_to_the_closures_page(client, login, library_place, library_member):
    login(library_member)
    url = f"/espace-partenaire/lieux/{library_place.id}/fermetures"
    assert url in html_of(client.get("/espace-partenaire"))
    assert url in html_of(client.get(f"/espace-partenaire/lieux/{library_place.id}/modifier"))
