"""The place picker's list (GET /espace-partenaire/lieux/choisir): who may ask, what it answers
(public places only, by the beginning of the words of their name, commune or postcode, accents and
case aside, a few at most), and that a name is data, never markup."""
import pytest

from coordination.core.clock import utcnow
from coordination.directory import services
from coordination.errors import PermissionDenied
from coordination.extensions import db as _db
from coordination.testing.factories import make_organisation, make_place

URL = "/espace-partenaire/lieux/choisir"


@pytest.fixture
def places(network):
    return {
        "reze": make_place(network.other, name="Médiathèque Diderot", commune="Rezé", postcode="44400"),
        "clic": make_place(network.active, name="Espace numérique Clic", commune="Nantes", postcode="44000"),
        "coeur": make_place(network.active, name="Cœur de quartier", commune="Saint-Herblain", postcode="44800"),
        "hidden": make_place(network.active, name="Médiathèque fermée", commune="Rezé", published=False),
        "gone": make_place(network.active, name="Médiathèque supprimée", commune="Rezé", deleted_at=utcnow()),
        "suspended": make_place(network.suspended, name="Médiathèque suspendue", commune="Rezé"),
    }


def names(response) -> list[str]:
    assert response.status_code == 200 and response.mimetype == "application/json"
    return [place["name"] for place in response.get_json()["places"]]


@pytest.mark.parametrize(("who", "status"), [("member", 200), ("other_member", 200), ("admin", 200),
                                             ("coordinator", 200), ("pending_member", 403),
                                             ("suspended_member", 403), ("outsider", 403)])
def test_only_members_of_active_organisations_and_coordinators_may_search(client, login, network, places, who, status):
    login(getattr(network, who))
    assert client.get(URL, query_string={"q": "reze"}).status_code == status


def test_anonymous_visitors_are_sent_to_the_login(client, places):
    response = client.get(URL, query_string={"q": "reze"})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_public_places_are_found_by_name_or_commune_without_accents(client, login, network, places):
    login(network.member)
    assert names(client.get(URL, query_string={"q": "REZE"})) == ["Médiathèque Diderot"]
    assert names(client.get(URL, query_string={"q": "mediatheque"})) == ["Médiathèque Diderot"]
    assert names(client.get(URL, query_string={"q": "coeur"})) == ["Cœur de quartier"]
    assert names(client.get(URL, query_string={"q": "espace nant"})) == ["Espace numérique Clic"]
    assert names(client.get(URL, query_string={"q": "4440"})) == ["Médiathèque Diderot"]
    assert names(client.get(URL, query_string={"q": "quartier herblain"})) == ["Cœur de quartier"]
    assert names(client.get(URL, query_string={"q": "iderot"})) == []  # words are matched from their start
    assert names(client.get(URL, query_string={"q": "m"})) == []  # two characters at least
    assert names(client.get(URL)) == []


def test_each_place_says_its_name_commune_and_public_id(client, login, network, places):
    login(network.coordinator)
    response = client.get(URL, query_string={"q": "diderot"})
    place = places["reze"]
    assert response.get_json() == {"places": [{
        "id": place.public_id, "name": "Médiathèque Diderot", "commune": "Rezé", "postcode": "44400",
        "label": "Médiathèque Diderot — Rezé"}]}
    assert "no-store" in response.headers["Cache-Control"]


def test_a_pasted_page_address_finds_its_place(client, login, network, places):
    login(network.member)
    address = f"https://maillage.exemple.fr/lieux/{places['clic'].public_id}"
    assert names(client.get(URL, query_string={"q": address})) == ["Espace numérique Clic"]
    hidden = f"https://maillage.exemple.fr/lieux/{places['hidden'].public_id}"
    assert names(client.get(URL, query_string={"q": hidden})) == []


def test_a_few_places_at_most_names_beginning_with_the_text_first(client, login, network):
    organisation = make_organisation("Réseau des bibliothèques")
    for number in range(12):
        make_place(organisation, name=f"Bibliothèque de quartier {number:02d}", commune="Nantes")
    make_place(organisation, name="Annexe de la bibliothèque", commune="Nantes")
    login(network.member)
    found = names(client.get(URL, query_string={"q": "biblio"}))
    assert len(found) == services.PICKER_LIMIT
    assert found[0] == "Bibliothèque de quartier 00" and "Annexe de la bibliothèque" not in found
    assert names(client.get(URL, query_string={"q": "annexe biblio"})) == ["Annexe de la bibliothèque"]


def test_a_name_is_data_never_markup(client, login, network):
    make_place(network.active, name='<img src=x onerror="alert(1)"> Atelier', commune="Nantes")
    login(network.member)
    response = client.get(URL, query_string={"q": "atelier"})
    assert names(response) == ['<img src=x onerror="alert(1)"> Atelier']
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/json"


def test_the_list_is_rate_limited_per_address(app, client, login, network, places, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_PLACE_PICKER", "3 per minute")
    login(network.member)
    for _ in range(3):
        assert client.get(URL, query_string={"q": "reze"}).status_code == 200
    assert client.get(URL, query_string={"q": "reze"}).status_code == 429


def test_the_services_check_who_asks(network, places):
    with pytest.raises(PermissionDenied):
        services.find_places_to_pick("reze", actor=network.outsider)
    with pytest.raises(PermissionDenied):
        services.place_to_pick(places["reze"].public_id, actor=network.pending_member)
    chosen = services.place_to_pick(places["reze"].public_id, actor=network.member)
    assert (chosen.id, chosen.label) == (places["reze"].public_id, "Médiathèque Diderot — Rezé")
    assert services.place_to_pick(places["hidden"].public_id, actor=network.member) is None
    assert services.place_to_pick("pas-un-identifiant", actor=network.member) is None
    places["reze"].organisation.status = "suspended"
    _db.session.commit()
    assert services.find_places_to_pick("diderot", actor=network.coordinator) == []
