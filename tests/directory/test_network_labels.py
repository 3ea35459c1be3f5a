"""The network's own labels (issue 18, item 6): coordinators define them, partners tick the active
ones on their places through the one write path (version, conflicts, search index queue), residents
filter the search by them and read them on place pages, open data publishes them among
``autres_formations_labels``."""
import csv
from datetime import datetime

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from coordination.audit import AuditRecord
from coordination.directory import search, serializers, services
from coordination.directory.models import NetworkLabel, Place, SearchIndexQueue
from coordination.errors import Conflict, Invalid, PermissionDenied
from coordination.extensions import db as _db
from coordination.testing.factories import make_member, make_organisation, make_place
from tests.directory.conftest import form_data
from export import publish
from tests.french import plain

LONG_AGO = datetime(2020, 1, 1)
PASS = {"name": "Accepte le Pass numérique", "description": "Le lieu accepte les chèques Pass numérique."}
CHARTER = {"name": "Charte locale d'accueil", "description": "Accueil sans rendez-vous le mercredi."}


def actions(prefix: str) -> list[str]:
    return list(_db.session.scalars(select(AuditRecord.action).where(AuditRecord.action.startswith(prefix))
                                     .order_by(AuditRecord.id)))


def stored(place_id: int) -> Place:
    _db.session.expire_all()
    return _db.session.get(Place, place_id)


@pytest.fixture
def labels(coordinator):
    """Two active labels of the network."""
    return (services.create_label(PASS, actor=coordinator), services.create_label(CHARTER, actor=coordinator))


# --- coordinators define the labels ----------------------------------------------------------------

def test_a_coordinator_creates_edits_and_deactivates_a_label_each_step_audited(coordinator):
    label = services.create_label(PASS, actor=coordinator)
    assert (label.code, label.name, label.active) == ("accepte-le-pass-numerique", PASS["name"], True)
    services.update_label(label.id, {"name": "Pass numérique accepté", "description": "Chèques acceptés."},
                          actor=coordinator)
    assert (label.code, label.name, label.description) == ("accepte-le-pass-numerique", "Pass numérique accepté",
                                                           "Chèques acceptés.")  # the code never changes
    services.set_label_active(label.id, False, actor=coordinator)
    services.set_label_active(label.id, True, actor=coordinator)
    assert actions("network_label.") == ["network_label.create", "network_label.update",
                                         "network_label.deactivate", "network_label.activate"]


def test_partners_and_strangers_cannot_define_labels(network, labels):
    for actor in (network.admin, network.member, None):
        with pytest.raises(PermissionDenied):
            services.create_label({"name": "Label pirate"}, actor=actor)
        with pytest.raises(PermissionDenied):
            services.update_label(labels[0].id, {"name": "Renommé"}, actor=actor)
        with pytest.raises(PermissionDenied):
            services.set_label_active(labels[0].id, False, actor=actor)
        with pytest.raises(PermissionDenied):
            services.all_labels(actor=actor)
    _db.session.expire_all()
    assert [(label.name, label.active) for label in _db.session.scalars(select(NetworkLabel).order_by(NetworkLabel.id))] \
        == [(PASS["name"], True), (CHARTER["name"], True)]


def test_a_label_needs_a_name_of_its_own_on_one_line(coordinator, labels):
    for data, message in (({"name": ""}, "Ce champ est obligatoire."),
                          ({"name": PASS["name"]}, "Un label du réseau porte déjà ce nom."),
                          ({"name": "Deux\nlignes"}, None)):
        with pytest.raises(Invalid) as caught:
            services.create_label(data, actor=coordinator)
        assert "name" in caught.value.errors
        if message:
            assert plain(caught.value.errors["name"][0]) == message


def test_two_labels_whose_names_give_the_same_code_get_two_codes(coordinator):
    first = services.create_label({"name": "Charte locale"}, actor=coordinator)
    second = services.create_label({"name": "Charte  Locale !"}, actor=coordinator)
    assert (first.code, second.code) == ("charte-locale", "charte-locale-2")


def test_the_coordination_page_lists_creates_and_deactivates_labels(client, login, coordinator, organisation):
    login(coordinator)
    response = client.post("/coordination/labels", data=PASS, follow_redirects=True)
    page = plain(response.get_data(as_text=True))
    assert response.status_code == 200 and "Le label « Accepte le Pass numérique » a été créé" in page
    label = _db.session.scalar(select(NetworkLabel))
    make_place(organisation, network_labels=[label.id])
    page = plain(client.get("/coordination/labels").get_data(as_text=True))
    assert "Porté par 1 lieu" in page and "accepte-le-pass-numerique" in page
    client.post(f"/coordination/labels/{label.id}/activation", data={"active": "0"})
    _db.session.expire_all()
    assert _db.session.get(NetworkLabel, label.id).active is False
    response = client.post(f"/coordination/labels/{label.id}/modifier", data={"name": "", "description": ""})
    assert response.status_code == 400 and "Ce champ est obligatoire." in plain(response.get_data(as_text=True))


def test_renaming_or_deactivating_a_label_lists_its_places_again_in_the_change_feed(coordinator, organisation, labels):
    carrier = make_place(organisation, network_labels=[labels[0].id])
    other = make_place(organisation)
    places = Place.__table__
    for change in ({"name": "Pass numérique"}, None):
        _db.session.execute(update(places).values(changed_at=LONG_AGO))
        _db.session.commit()
        if change:
            services.update_label(labels[0].id, change, actor=coordinator)
        else:
            services.set_label_active(labels[0].id, False, actor=coordinator)
        assert stored(carrier.id).changed_at > LONG_AGO and stored(carrier.id).version == 1  # not a content edit
        assert stored(other.id).changed_at == LONG_AGO


# --- partners tick them on their places --------------------------------------------------------------

def test_a_partner_ticks_active_labels_through_the_write_path(member, place, labels):
    _db.session.execute(delete(SearchIndexQueue))
    _db.session.commit()
    services.update_place(place.id, {"network_labels": [str(labels[1].id), str(labels[0].id)]}, actor=member,
                          expected_version=1)
    edited = stored(place.id)
    assert (edited.network_labels, edited.version) == ([labels[1].id, labels[0].id], 2)
    assert list(_db.session.scalars(select(SearchIndexQueue.place_id))) == [place.id]
    assert actions("place.update") == ["place.update"]


def test_a_partner_cannot_tick_a_deactivated_or_unknown_label(coordinator, member, place, labels):
    services.set_label_active(labels[1].id, False, actor=coordinator)
    for ids in ([labels[1].id], [9999], ["x"]):
        with pytest.raises(Invalid) as caught:
            services.update_place(place.id, {"network_labels": ids}, actor=member, expected_version=1)
        assert "network_labels" in caught.value.errors
    assert stored(place.id).network_labels == [] and stored(place.id).version == 1


def test_a_place_keeps_a_deactivated_label_until_its_partner_unticks_it(coordinator, member, organisation, labels):
    place = make_place(organisation, network_labels=[labels[1].id])
    services.set_label_active(labels[1].id, False, actor=coordinator)
    services.update_place(place.id, {"name": "Renommé", "network_labels": [labels[1].id]}, actor=member,
                          expected_version=1)
    assert stored(place.id).network_labels == [labels[1].id]
    services.update_place(place.id, {"network_labels": []}, actor=member, expected_version=2)
    with pytest.raises(Invalid):
        services.update_place(place.id, {"network_labels": [labels[1].id]}, actor=member, expected_version=3)


def test_a_concurrent_edit_of_the_labels_is_still_a_conflict(member, organisation, labels, db):
    place = make_place(organisation, name="Point numérique")
    place_id = place.id
    with Session(db.engine) as other:
        other.get(Place, place_id).network_labels = [labels[1].id]
        other.commit()
    with pytest.raises(Conflict) as caught:
        services.update_place(place_id, {"network_labels": [labels[0].id]}, actor=member, expected_version=1)
    assert caught.value.changes == [("Labels du réseau", PASS["name"], CHARTER["name"])]
    assert stored(place_id).network_labels == [labels[1].id]


def test_the_place_form_offers_the_active_labels_and_shows_a_kept_deactivated_one(
        client, login, coordinator, member, organisation, labels):
    retired = services.create_label({"name": "Ancienne charte"}, actor=coordinator)
    unused = services.create_label({"name": "Label abandonné"}, actor=coordinator)
    place = make_place(organisation, network_labels=[retired.id])
    services.set_label_active(retired.id, False, actor=coordinator)
    services.set_label_active(unused.id, False, actor=coordinator)
    login(member)
    page = plain(client.get(f"/espace-partenaire/lieux/{place.id}/modifier").get_data(as_text=True))
    assert "<legend>Labels du réseau</legend>" in page
    assert PASS["name"] in page and "Ancienne charte (label retiré par le réseau)" in page
    assert "Label abandonné" not in page
    response = client.post(f"/espace-partenaire/lieux/{place.id}/modifier",
                           data=form_data(stored(place.id), network_labels=[str(retired.id), str(labels[0].id)]))
    assert response.status_code == 302
    assert stored(place.id).network_labels == [retired.id, labels[0].id]


# --- residents: the search facet, the place page -------------------------------------------------------

@pytest.fixture
def labelled(organisation, labels):
    """Three places in Nantes: one with the Pass label, one with both labels, one with none."""
    pass_only = make_place(organisation, name="Pass seul", network_labels=[labels[0].id], fees=["Gratuit"])
    both = make_place(organisation, name="Les deux", network_labels=[labels[1].id, labels[0].id], fees=["Payant"])
    none = make_place(organisation, name="Aucun label", fees=["Gratuit"])
    search.reindex()
    yield {"pass": pass_only, "both": both, "none": none}
    search.close_searchers()


def names(results) -> set[str]:
    return {hit.place.name for hit in results.hits}


def test_the_facet_filters_and_counts_the_places_of_a_label(labels, labelled):
    everything = services.search_places(services.SearchRequest(), log=False)
    assert dict(everything.facets["network_labels"]) == {labels[0].id: 2, labels[1].id: 1}
    chosen = services.search_places(services.SearchRequest(facets={"network_labels": [labels[1].id]}), log=False)
    assert names(chosen) == {"Les deux"}
    # counted with the other facets' selections applied, and not changing their results
    free = services.search_places(services.SearchRequest(facets={"fees": ["Gratuit"]}), log=False)
    assert names(free) == {"Pass seul", "Aucun label"} and dict(free.facets["network_labels"]) == {labels[0].id: 1}
    both = services.search_places(services.SearchRequest(facets={"fees": ["Gratuit"], "network_labels": [labels[0].id]}),
                                  log=False)
    assert names(both) == {"Pass seul"}


def test_the_search_page_reads_the_labels_code_from_the_url(client, labels, labelled):
    page = plain(client.get("/recherche?labels_reseau=charte-locale-d-accueil").get_data(as_text=True))
    assert "Les deux" in page and "Pass seul" not in page and "Aucun label" not in page
    assert 'name="labels_reseau" value="charte-locale-d-accueil" checked' in page
    assert "<legend>Labels du réseau</legend>" in page
    unknown = plain(client.get("/recherche?labels_reseau=inconnu").get_data(as_text=True))
    assert "Le filtre « inconnu » n'existe pas : il a été ignoré." in unknown


def test_a_deactivated_label_is_no_filter(client, coordinator, labels, labelled):
    services.set_label_active(labels[1].id, False, actor=coordinator)
    page = plain(client.get("/recherche?labels_reseau=charte-locale-d-accueil").get_data(as_text=True))
    assert "Le filtre « charte-locale-d-accueil » n'existe pas" in page
    assert 'value="charte-locale-d-accueil"' not in page and 'value="accepte-le-pass-numerique"' in page


def test_the_search_page_in_english_keeps_label_names_french(client, labels, labelled):
    page = client.get("/en/recherche").get_data(as_text=True)
    assert "<legend>Network labels</legend>" in page
    assert f'<span lang="fr">{PASS["name"]}</span>' in page


def test_the_place_page_shows_its_active_labels_with_their_description(client, coordinator, labels, labelled):
    url = f"/lieux/{labelled['both'].public_id}"
    page = plain(client.get(url).get_data(as_text=True))
    assert "Labels du réseau" in page and PASS["name"] in page and PASS["description"] in page
    assert CHARTER["description"] in page
    english = client.get("/en" + url).get_data(as_text=True)
    assert "Network labels" in english and f'<li lang="fr"><strong>{PASS["name"]}</strong>' in english
    services.set_label_active(labels[1].id, False, actor=coordinator)
    page = plain(client.get(url).get_data(as_text=True))
    assert CHARTER["name"] not in page and PASS["name"] in page
    assert "Labels du réseau" not in plain(client.get(f"/lieux/{labelled['none'].public_id}").get_data(as_text=True))


# --- open data -----------------------------------------------------------------------------------------

def test_open_data_publishes_active_labels_among_the_other_labels_once(app, coordinator, organisation, labels):
    place = make_place(organisation, other_labels=["Label Numérique Inclusif", "accepte le pass numérique"],
                       network_labels=[labels[1].id, labels[0].id])
    names = services.active_label_names()
    record = serializers.standard_record(place, source="Réseau", network_labels=names)
    assert record["autres_formations_labels"] == "Label Numérique Inclusif|accepte le pass numérique|" + CHARTER["name"]
    services.set_label_active(labels[1].id, False, actor=coordinator)
    record = serializers.standard_record(place, source="Réseau", network_labels=services.active_label_names())
    assert record["autres_formations_labels"] == "Label Numérique Inclusif|accepte le pass numérique"


def test_the_api_and_the_files_carry_the_labels(app, client, organisation, labels, open_data_dir):
    place = make_place(organisation, network_labels=[labels[0].id])
    record = client.get(f"/api/v1/lieux/{place.public_id}").get_json()
    assert record["autres_formations_labels"] == PASS["name"]
    listed = client.get("/api/v1/lieux").get_json()["lieux"]
    assert [r["autres_formations_labels"] for r in listed] == [PASS["name"]]
    publish.publish_all()
    with (open_data_dir / "lieux-de-mediation-numerique.csv").open(encoding="utf-8", newline="") as stream:
        assert [row["autres_formations_labels"] for row in csv.DictReader(stream)] == [PASS["name"]]


def test_a_partner_of_another_organisation_cannot_tick_labels_on_a_place_it_does_not_edit(organisation, labels):
    place = make_place(organisation)
    outsider = make_member(make_organisation("Autre association"))
    with pytest.raises(PermissionDenied):
        services.update_place(place.id, {"network_labels": [labels[0].id]}, actor=outsider, expected_version=1)
    assert stored(place.id).network_labels == []
