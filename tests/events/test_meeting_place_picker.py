"""The meeting form's place: chosen by its name or commune (the place picker), not by an id. The
service still checks that the place is public."""
import re
from html import unescape

from coordination.events.models import Meeting
from coordination.testing.factories import make_place
from tests.french import plain

MEETING = {"title": "Rencontre des aidants", "date": "2030-05-05", "start_time": "10:00", "duration_minutes": "90"}


def page(response) -> str:
    return plain(unescape(response.get_data(as_text=True)))


def test_the_form_offers_a_place_picker_not_an_id(client, login, network):
    login(network.coordinator)
    html = page(client.get("/coordination/reunions"))
    assert re.search(r'data-place-picker\s+data-source="/espace-partenaire/lieux/choisir"', html)
    assert 'name="place_public_id_texte"' in html and 'type="hidden" name="place_public_id"' in html
    assert "identifiant" not in html.lower()
    assert "/static/js/place-picker.js" in html


def test_a_place_typed_by_name_is_chosen_when_it_is_the_only_match(client, login, db, network):
    place = make_place(network.other, name="Médiathèque Diderot", commune="Rezé")
    login(network.coordinator)
    response = client.post("/coordination/reunions/reunion", data={**MEETING, "place_public_id_texte": "mediatheque reze"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.query(Meeting).one().place_id == place.id


def test_several_matches_are_offered_and_the_other_fields_kept(client, login, db, network):
    first = make_place(network.other, name="Médiathèque Diderot", commune="Rezé")
    make_place(network.active, name="Médiathèque Jules Verne", commune="Rezé")
    login(network.coordinator)
    response = client.post("/coordination/reunions/reunion", data={**MEETING, "place_public_id_texte": "Rezé"})
    html = page(response)
    assert response.status_code == 400 and "Plusieurs lieux correspondent à « Rezé » : choisissez le bon dans la liste." in html
    assert html.count('name="place_public_id_choix"') == 2 and "Médiathèque Jules Verne — Rezé" in html
    assert 'value="Rencontre des aidants"' in html
    assert db.session.query(Meeting).count() == 0
    response = client.post("/coordination/reunions/reunion", data={
        **MEETING, "place_public_id_texte": "Rezé", "place_public_id_choix": first.public_id})
    assert response.status_code == 302
    assert db.session.query(Meeting).one().place_id == first.id


def test_the_id_the_script_chose_is_used_and_still_checked(client, login, db, network):
    place = make_place(network.other, name="Médiathèque Diderot", commune="Rezé")
    hidden = make_place(network.other, name="Salle réservée", commune="Rezé", published=False)
    login(network.coordinator)
    response = client.post("/coordination/reunions/reunion", data={
        **MEETING, "place_public_id": hidden.public_id, "place_public_id_texte": "Salle réservée — Rezé"})
    assert response.status_code == 400
    assert "Aucun lieu publié de l'annuaire ne correspond à « Salle réservée — Rezé »" in page(response)
    response = client.post("/coordination/reunions/reunion", data={
        **MEETING, "place_public_id": place.public_id, "place_public_id_texte": "Médiathèque Diderot — Rezé"})
    assert response.status_code == 302
    assert db.session.query(Meeting).one().place_id == place.id


def test_a_name_in_the_offered_list_is_escaped(client, login, db, network):
    make_place(network.other, name="<b>Atelier</b> A", commune="Nantes")
    make_place(network.other, name="<b>Atelier</b> B", commune="Nantes")
    login(network.coordinator)
    response = client.post("/coordination/reunions/reunion", data={**MEETING, "place_public_id_texte": "atelier"})
    raw = response.get_data(as_text=True)
    assert response.status_code == 400 and "<b>Atelier</b>" not in raw and "&lt;b&gt;Atelier&lt;/b&gt; A" in raw
