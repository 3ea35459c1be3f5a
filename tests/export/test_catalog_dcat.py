"""Issue 15, item 8: the catalogue a portal harvests (/catalog.jsonld), the data package's version,
and what /open-data says about personal data, with the import option that leaves nominative
addresses out."""
import io
import json
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from coordination.directory.models import Place
from coordination.directory.serializers import STANDARD_VERSION
from coordination.testing.factories import make_organisation, make_place
from export import catalog, publish
from coordination.directory import imports
from coordination.directory.imports import views as import_views
from tests.directory.imports.helpers import csv_text, row

THEMES = {"http://publications.europa.eu/resource/authority/data-theme/SOCI",
          "http://publications.europa.eu/resource/authority/data-theme/GOVE"}


@pytest.fixture
def dated_places(app):
    organisation = make_organisation("Médiathèque de l'Erdre", kind="mediatheque", pivot="35600000000048")
    return [make_place(organisation, name="Médiathèque Jacques Demy", updated_at=datetime(2024, 3, 15, 12),
                       verified_at=datetime(2024, 3, 15, 12)),
            make_place(organisation, name="Espace multimédia", updated_at=datetime(2025, 6, 2, 12),
                       verified_at=datetime(2025, 6, 2, 12))]


def dataset_of(document):
    (dataset,) = document["dcat:dataset"]
    return dataset


def test_the_catalogue_has_what_a_portal_harvests(client, dated_places, app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_DATA_CONTACT_EMAIL", "opendata@reseau.exemple.fr")
    document = client.get("/catalog.jsonld").get_json()
    manifest = catalog.read_manifest()
    dataset = dataset_of(document)

    assert document["dct:language"] == {"@id": "http://publications.europa.eu/resource/authority/language/FRA"}
    assert document["dct:modified"] == {"@value": manifest["generated_at"], "@type": "xsd:dateTime"}
    assert dataset["dcat:contactPoint"] == {"@type": "vcard:Organization", "vcard:fn": app.config["NETWORK_NAME"],
                                            "vcard:hasEmail": {"@id": "mailto:opendata@reseau.exemple.fr"}}
    assert dataset["dct:issued"] == {"@value": manifest["issued"], "@type": "xsd:dateTime"}
    assert dataset["dct:temporal"] == {"@type": "dct:PeriodOfTime",
                                       "dcat:startDate": {"@value": "2024-03-15", "@type": "xsd:date"},
                                       "dcat:endDate": {"@value": "2025-06-02", "@type": "xsd:date"}}
    assert {theme["@id"] for theme in dataset["dcat:theme"]} == THEMES
    (territory,) = dataset["dct:spatial"]
    assert territory["@type"] == "dct:Location" and territory["dct:identifier"] == "44"
    assert territory["skos:prefLabel"]["@value"] in ("Loire-Atlantique (44)", "Département 44")


def test_without_a_contact_address_the_open_data_page_is_the_contact(client, dated_places, app):
    dataset = dataset_of(client.get("/catalog.jsonld").get_json())
    assert dataset["dcat:contactPoint"]["vcard:hasURL"] == {"@id": "http://localhost/open-data"}


def test_the_territory_follows_network_departements(client, dated_places, app, monkeypatch):
    monkeypatch.setitem(app.config, "NETWORK_DEPARTEMENTS", "44, 49")
    dataset = dataset_of(client.get("/catalog.jsonld").get_json())
    assert [place["dct:identifier"] for place in dataset["dct:spatial"]] == ["44", "49"]
    monkeypatch.setitem(app.config, "NETWORK_DEPARTEMENTS", "")
    dataset = dataset_of(client.get("/catalog.jsonld").get_json())
    assert dataset["dct:spatial"] == [{"@id": "http://publications.europa.eu/resource/authority/country/FRA",
                                       "@type": "dct:Location"}]


def test_the_issue_date_stays_the_first_publication(client, dated_places):
    first = publish.publish_all()
    second = publish.publish_all()
    assert second["issued"] == first["issued"] == first["generated_at"]
    dataset = dataset_of(client.get("/catalog.jsonld").get_json())
    assert dataset["dct:issued"]["@value"] == first["generated_at"]


def test_the_identifier_resolves_to_the_dataset(client, dated_places):
    dataset = dataset_of(client.get("/catalog.jsonld").get_json())
    identifier = dataset["dct:identifier"]
    assert identifier == dataset["@id"]
    url = urlsplit(identifier)
    assert url.netloc == "localhost" and url.fragment
    page = client.get(url.path)
    assert page.status_code == 200
    assert f'id="{url.fragment}"' in page.get_data(as_text=True)


def test_every_conforms_to_is_a_versioned_schema_file(client, dated_places):
    dataset = dataset_of(client.get("/catalog.jsonld").get_json())
    targets = [dataset["dct:conformsTo"]["@id"]] + [d["dct:conformsTo"]["@id"] for d in dataset["dcat:distribution"]]
    assert len(targets) == 6
    for target in targets:
        assert target.startswith("https://raw.githubusercontent.com/") and target.endswith(".json"), target
        assert "/v1.0." in target, target  # a tag: the schema of that version, not a moving branch


def test_the_catalogue_has_an_etag_a_cache_lifetime_and_answers_304(client, dated_places):
    first = client.get("/catalog.jsonld")
    etag = first.headers["ETag"]
    assert etag and first.headers["Cache-Control"] == "public, max-age=3600"
    assert first.headers["Last-Modified"]
    again = client.get("/catalog.jsonld", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""

    make_place(dated_places[0].organisation, name="Nouveau lieu")
    publish.publish_all()  # a new export: another file, another checksum, another ETag
    fresh = client.get("/catalog.jsonld", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    assert json.loads(fresh.get_data()) != json.loads(first.get_data())


def test_the_data_package_version_is_the_dataset_s(client, dated_places, open_data_dir):
    manifest = publish.publish_all()
    package = json.loads((catalog.files_dir(manifest) / catalog.DATAPACKAGE).read_text(encoding="utf-8"))
    assert package["version"] != STANDARD_VERSION
    assert package["version"] == catalog.dataset_version(datetime.fromisoformat(manifest["generated_at"]))


# --- personal data ---------------------------------------------------------------------------------

def test_the_open_data_page_no_longer_claims_there_is_no_personal_data(client, dated_places):
    html = client.get("/open-data").get_data(as_text=True)
    assert "Aucune donnée personnelle" not in html
    assert "nominative" in html and "id_source" in html


@pytest.mark.parametrize(("address", "personal"), [
    ("marie.curie@exemple.fr", True), ("j.dupont@exemple.fr", True), ("Jean-Luc.Pétain@exemple.fr", True),
    ("anne_martin@exemple.fr", True),
    ("contact@exemple.fr", False), ("france.services@exemple.fr", False), ("mairie.nantes@exemple.fr", False),
    ("conseiller.numerique@exemple.fr", False), ("epn2@exemple.fr", False), ("mfs@ville-louvres.fr", False),
    # seen in the real files: services, acronyms and places, not people
    ("franceservices.bergerac@exemple.fr", False), ("fs.brest@exemple.fr", False), ("msp.montsalvy@exemple.fr", False),
    ("maison.service.public@exemple.fr", False), ("annexe.bellemene@exemple.fr", False), ("bij.pontet@exemple.fr", False),
])
def test_what_looks_like_a_nominative_address(address, personal):
    assert imports.personal_email(address) is personal


@pytest.fixture
def nominative_file(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text(csv_text([row(courriels="marie.curie@exemple.fr|accueil@breil.exemple.fr")]), encoding="utf-8")
    return path


def test_the_import_option_leaves_nominative_addresses_out_with_a_warning(coordinator, db, nominative_file):
    outcome = imports.apply_file(nominative_file, actor=coordinator, strip_personal_emails=True)
    assert outcome.report.applied
    [warning] = [p for p in outcome.problems if p.column == "courriels"]
    assert warning.severity == "warning" and warning.line == 2 and "marie.curie@exemple.fr" in warning.message
    assert db.session.scalar(select(Place)).emails == ["accueil@breil.exemple.fr"]


def test_without_the_option_every_address_is_imported(coordinator, db, nominative_file):
    outcome = imports.apply_file(nominative_file, actor=coordinator)
    assert outcome.report.applied
    assert db.session.scalar(select(Place)).emails == ["marie.curie@exemple.fr", "accueil@breil.exemple.fr"]


def test_the_command_line_flag(coordinator, runner, db, nominative_file):
    result = runner.invoke(args=["opendata", "import", str(nominative_file), "--as", coordinator.email,
                                 "--sans-courriels-personnels"])
    assert result.exit_code == 0, result.output
    assert "ressemble à une adresse nominative" in result.output
    assert db.session.scalar(select(Place)).emails == ["accueil@breil.exemple.fr"]


def test_the_import_page_checkbox_holds_from_the_check_to_the_apply(app, client, login, coordinator, db,
                                                                    tmp_path, monkeypatch):
    if "opendata_import" not in app.blueprints:
        got_first_request = app._got_first_request
        app._got_first_request = False
        app.register_blueprint(import_views.bp)
        app._got_first_request = got_first_request
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path / "instance" / "imports"))
    login(coordinator)
    assert 'name="strip_personal_emails"' in client.get("/coordination/import").get_data(as_text=True)
    content = csv_text([row(courriels="marie.curie@exemple.fr|accueil@breil.exemple.fr")]).encode()
    page = client.post("/coordination/import", data={"file": (io.BytesIO(content), "lieux.csv"),
                                                      "strip_personal_emails": "y"},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "ressemble à une adresse nominative" in page
    marker = 'name="token" type="hidden" value="'
    token = page[page.index(marker) + len(marker):].split('"', 1)[0]
    assert client.post("/coordination/import/appliquer", data={"token": token}).status_code == 200
    assert db.session.scalar(select(Place)).emails == ["accueil@breil.exemple.fr"]


def test_the_option_on_the_conseillers_numeriques_file(reference, coordinator, db):
    path = reference / "real-world" / "conseillers-numeriques-lieux-2022.mednum-0.1.json"
    without = imports.check_file(path, actor=coordinator, max_bytes=200 * 1024 * 1024)
    outcome = imports.check_file(path, actor=coordinator, max_bytes=200 * 1024 * 1024, strip_personal_emails=True)
    dropped = [p for p in outcome.problems if p.reason == "courriel nominatif non importé"]
    assert 100 <= len(dropped) <= 200  # 137 of 1,913 addresses
    assert not [p for p in without.problems if p.reason == "courriel nominatif non importé"]
    assert all(p.severity == "warning" and p.column == "courriels" for p in dropped)
    assert outcome.plan.rows == without.plan.rows  # no place is lost for it
