"""Serving the open-data files (ETag, Last-Modified, 304, media types, CORS), the data package, the
DCAT catalogue and the /open-data page."""
import hashlib
import json
import re

import pytest

from coordination.directory.serializers import STANDARD_FIELDS, STANDARD_HOMEPAGE, STANDARD_SCHEMA_URL
from coordination.testing.factories import make_organisation, make_place
from export import catalog, publish
from export.formats import DATA_INCLUSION_SCHEMA_URLS
from tests.french import plain

FILES = {
    "lieux-de-mediation-numerique.csv": "text/csv; charset=utf-8",
    "lieux-de-mediation-numerique.json": "application/json",
    "lieux-de-mediation-numerique.geojson": "application/geo+json",
    "data-inclusion/structures.json": "application/json",
    "data-inclusion/services.json": "application/json",
    "datapackage.json": "application/json",
}
LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


def fetch(client, url, method="GET", **kwargs):
    """The response, read and closed (a file response holds its file open until closed)."""
    with client.open(url, method=method, **kwargs) as response:
        response.get_data()
    return response


@pytest.fixture
def library_places(app):
    organisation = make_organisation("Médiathèque de l'Erdre", kind="mediatheque", pivot="35600000000048")
    return [make_place(organisation, name="Médiathèque Jacques Demy"),
            make_place(organisation, name="Espace multimédia", services=["Loisirs et créations numériques"])]


@pytest.mark.parametrize(("name", "media_type"), FILES.items())
def test_each_file_is_served_with_its_type_length_validators_and_cors(client, library_places, open_data_dir, name,
                                                                      media_type):
    response = fetch(client, f"/open-data/{name}")  # never generated: the first request generates them

    assert response.status_code == 200
    body = response.get_data()
    entry = catalog.file_entry(catalog.read_manifest(), name)
    assert response.headers["Content-Type"] == media_type
    assert int(response.headers["Content-Length"]) == len(body) == entry["bytes"]
    assert response.headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"' == f'"{entry["sha256"]}"'
    assert response.headers["Last-Modified"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert body == (catalog.files_dir(catalog.read_manifest()) / name).read_bytes()


def test_a_download_during_a_publication_matches_the_etag_and_length_it_is_served_with(client, library_places,
                                                                                       monkeypatch):
    """The new files are all written before the manifest switches to them: a request arriving
    between the two gets the previous files with the previous validators, never a mix."""
    publish.publish_all()
    make_place(library_places[0].organisation, name="Un lieu ajouté pendant l'export")
    seen = []
    real = catalog.datapackage

    def download_meanwhile(entries, **kwargs):  # every data file is written, the manifest not yet
        for name in ("lieux-de-mediation-numerique.csv", "data-inclusion/services.json"):
            response = fetch(client, f"/open-data/{name}")
            seen.append((response.headers["ETag"], int(response.headers["Content-Length"]), response.get_data()))
        return real(entries, **kwargs)
    monkeypatch.setattr(catalog, "datapackage", download_meanwhile)
    publish.publish_all()

    assert len(seen) == 2
    for etag, length, body in seen:
        assert etag == f'"{hashlib.sha256(body).hexdigest()}"' and length == len(body)
    assert "Un lieu ajouté" not in seen[0][2].decode()
    after = fetch(client, "/open-data/lieux-de-mediation-numerique.csv")
    assert "Un lieu ajouté" in after.get_data(as_text=True) and after.headers["ETag"] != seen[0][0]


def test_etag_answers_304_until_the_files_change(client, library_places):
    first = fetch(client, "/open-data/lieux-de-mediation-numerique.csv")
    etag = first.headers["ETag"]

    again = fetch(client, "/open-data/lieux-de-mediation-numerique.csv", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag

    make_place(library_places[0].organisation, name="Un nouveau lieu")
    publish.publish_all()
    changed = fetch(client, "/open-data/lieux-de-mediation-numerique.csv", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag and "Un nouveau lieu" in changed.get_data(as_text=True)


def test_last_modified_answers_304(client, library_places):
    first = fetch(client, "/open-data/lieux-de-mediation-numerique.geojson")
    since = first.headers["Last-Modified"]
    manifest = catalog.read_manifest()
    assert first.last_modified == catalog.modified(manifest["files"][2])

    again = fetch(client, "/open-data/lieux-de-mediation-numerique.geojson", headers={"If-Modified-Since": since})
    assert again.status_code == 304
    older = fetch(client, "/open-data/lieux-de-mediation-numerique.geojson",
                       headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
    assert older.status_code == 200


def test_head_gives_the_length_without_the_body(client, library_places):
    response = fetch(client, "/open-data/lieux-de-mediation-numerique.json", method="HEAD")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == catalog.file_entry(
        catalog.read_manifest(), "lieux-de-mediation-numerique.json")["bytes"]


@pytest.mark.parametrize("name", ["inconnu.csv", "manifest.json", "../manifest.json", "data-inclusion/../manifest.json",
                                  "%2e%2e/%2e%2e/etc/passwd", ".publish.lock"])
def test_only_the_published_files_are_served(client, library_places, name):
    response = fetch(client, f"/open-data/{name}")
    assert response.status_code == 404


def test_a_large_network_without_files_gets_a_503_in_french(client, library_places, monkeypatch):
    monkeypatch.setattr(publish, "ON_DEMAND_MAX_PLACES", 1)
    response = fetch(client, "/open-data/lieux-de-mediation-numerique.csv")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "en cours de préparation" in response.get_data(as_text=True)


def test_the_data_package_describes_every_data_file(client, library_places):
    package = fetch(client, "/open-data/datapackage.json").get_json()
    manifest = catalog.read_manifest()

    assert re.fullmatch(r"[a-z0-9._-]+", package["name"])
    assert package["title"]
    assert package["licenses"] == [{"name": "etalab-2.0", "title": catalog.LICENCE_TITLE, "path": LICENCE}]
    resources = {resource["path"]: resource for resource in package["resources"]}
    data = catalog.data_files(manifest)
    assert set(resources) == {entry["name"] for entry in data}
    for entry in data:
        resource = resources[entry["name"]]
        assert resource["bytes"] == entry["bytes"]
        assert resource["hash"] == f"sha256:{entry['sha256']}"
        assert resource["mediatype"] == entry["media_type"]
        assert resource["format"] == entry["format"]
        # the relative path resolves to the file's own URL, next to the data package
        assert fetch(client, f"/open-data/{resource['path']}").status_code == 200
    assert resources["lieux-de-mediation-numerique.csv"]["schema"] == STANDARD_SCHEMA_URL
    assert len({resource["name"] for resource in package["resources"]}) == len(package["resources"])


def test_the_data_package_metadata_is_valid_for_frictionless(client, library_places):
    from frictionless import Package

    descriptor = fetch(client, "/open-data/datapackage.json").get_json()
    errors = Package.metadata_validate(descriptor)
    assert [error.message for error in errors] == []


# --- DCAT -----------------------------------------------------------------------------------------

def test_the_dcat_catalogue_lists_one_distribution_per_data_file_matching_the_manifest(client, library_places):
    response = client.get("/catalog.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = response.get_json()
    manifest = catalog.read_manifest()

    assert document["@type"] == "dcat:Catalog"
    assert document["@id"] == "http://localhost/catalog.jsonld"
    (dataset,) = document["dcat:dataset"]
    assert dataset["@type"] == "dcat:Dataset"
    assert dataset["dct:license"] == {"@id": LICENCE}
    assert dataset["dct:modified"]["@value"] == manifest["generated_at"]
    distributions = {d["dcat:downloadURL"]["@id"]: d for d in dataset["dcat:distribution"]}
    data = catalog.data_files(manifest)
    assert set(distributions) == {f"http://localhost/open-data/{entry['name']}" for entry in data}
    for entry in data:
        distribution = distributions[f"http://localhost/open-data/{entry['name']}"]
        assert distribution["@type"] == "dcat:Distribution"
        assert distribution["dcat:mediaType"] == {
            "@id": f"https://www.iana.org/assignments/media-types/{entry['media_type']}"}
        assert distribution["dct:format"] == entry["format"].upper()
        assert int(distribution["dcat:byteSize"]["@value"]) == entry["bytes"]
        assert distribution["spdx:checksum"]["spdx:algorithm"] == {"@id": "spdx:checksumAlgorithm_sha256"}
        assert distribution["spdx:checksum"]["spdx:checksumValue"]["@value"] == entry["sha256"]
        assert distribution["dct:modified"] == {"@value": entry["generated_at"], "@type": "xsd:dateTime"}
        assert distribution["dct:license"] == {"@id": LICENCE}
        body = fetch(client, distribution["dcat:downloadURL"]["@id"].removeprefix("http://localhost")).get_data()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
    by_name = {name.rsplit("/", 1)[-1]: d for name, d in distributions.items()}
    conforms = {name: d["dct:conformsTo"]["@id"] for name, d in by_name.items()}
    # every file names the same kind of URL: its standard's versioned schema file (issue 15, item 8)
    assert conforms == {
        "lieux-de-mediation-numerique.csv": STANDARD_SCHEMA_URL,
        "lieux-de-mediation-numerique.json": STANDARD_SCHEMA_URL,
        "lieux-de-mediation-numerique.geojson": STANDARD_SCHEMA_URL,
        "structures.json": DATA_INCLUSION_SCHEMA_URLS["structure"],
        "services.json": DATA_INCLUSION_SCHEMA_URLS["service"],
    }
    for name in ("lieux-de-mediation-numerique.csv", "lieux-de-mediation-numerique.json",
                 "lieux-de-mediation-numerique.geojson"):
        assert by_name[name]["foaf:page"] == {"@id": STANDARD_HOMEPAGE}


def test_every_term_of_the_catalogue_uses_a_declared_prefix_and_absolute_iris(client, library_places):
    document = client.get("/catalog.jsonld").get_json()
    context = document["@context"]
    assert context == {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                       "foaf": "http://xmlns.com/foaf/0.1/", "skos": "http://www.w3.org/2004/02/skos/core#",
                       "spdx": "http://spdx.org/rdf/terms#", "vcard": "http://www.w3.org/2006/vcard/ns#",
                       "xsd": "http://www.w3.org/2001/XMLSchema#"}

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@id":
                    assert value.startswith(("http://", "https://")) or value.split(":")[0] in context, value
                elif key == "@type":
                    assert value.split(":")[0] in context, value
                elif key != "@context" and not key.startswith("@"):
                    assert key.split(":")[0] in context, key
                if key != "@context":
                    walk(value)
    walk(document)


def test_the_catalogue_uses_base_url_not_the_request_host(client, library_places, app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://maillage.exemple.fr")
    document = client.get("/catalog.jsonld", base_url="http://autre-hote.test").get_json()
    urls = [d["dcat:downloadURL"]["@id"] for d in document["dcat:dataset"][0]["dcat:distribution"]]
    assert urls and all(url.startswith("https://maillage.exemple.fr/open-data/") for url in urls)


# --- the page -----------------------------------------------------------------------------------

def test_the_open_data_page_explains_the_data_in_french(client, library_places):
    response = client.get("/open-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    manifest = catalog.read_manifest()

    assert "<h1>Données ouvertes</h1>" in html
    assert "Licence Ouverte 2.0" in html and LICENCE in html
    assert "Dernière mise à jour" in html
    assert "2 lieux publiés" in html
    for entry in manifest["files"]:
        assert f'href="/open-data/{entry["name"]}"' in html
        # the page gives the size in the page's language, with non-breaking spaces before the unit
        assert catalog.human_size(entry["bytes"]) in html.replace("\u202f", " ").replace("\xa0", " ")
    for name in STANDARD_FIELDS:
        assert f"<code>{name}</code>" in html
    assert len(catalog.FIELD_MEANINGS) == 32 and list(catalog.FIELD_MEANINGS) == list(STANDARD_FIELDS)
    assert 'href="/api/v1/lieux"' in html and "/api/v1/lieux/changements" in html
    assert 'href="/catalog.jsonld"' in html


def test_the_page_says_when_files_are_being_prepared(client, library_places, monkeypatch):
    monkeypatch.setattr(publish, "ON_DEMAND_MAX_PLACES", 1)
    html = client.get("/open-data").get_data(as_text=True)
    assert "en cours de préparation" in html


def test_file_sizes_read_in_the_page_language(app):
    from export.views import file_size
    with app.test_request_context("/open-data"):
        app.preprocess_request()
        assert [file_size(size) for size in (1, 850, 12_400, 3_100_000)] == [
            "1\xa0octet", "850\xa0octets", "12,4\u202fko", "3,1\u202fMo"]
    with app.test_request_context("/en/open-data"):
        app.preprocess_request()
        assert [file_size(size) for size in (850, 12_400)] == ["850 bytes", "12.4 kB"]


def test_human_sizes_read_in_french():
    assert catalog.human_size(1) == "1 octet"
    assert catalog.human_size(999) == "999 octets"
    assert catalog.human_size(12_400) == "12,4 ko"
    assert catalog.human_size(3_150_000) == "3,1 Mo" or catalog.human_size(3_150_000) == "3,2 Mo"


def test_manifest_json_is_not_corrupted_by_a_reader_during_publication(client, library_places, open_data_dir):
    """Readers see the old manifest or the new one, never a half-written file."""
    publish.publish_all()
    (open_data_dir / "manifest.json").write_text("{tronqué", encoding="utf-8")
    assert catalog.read_manifest() is None  # unreadable: treated as missing, so regenerated
    assert fetch(client, "/open-data/lieux-de-mediation-numerique.csv").status_code == 200
    assert json.loads((open_data_dir / "manifest.json").read_text())["places"] == 2


def test_the_csv_is_downloaded_and_the_page_says_how_to_open_it_in_excel(client, library_places):
    """A click on the CSV saves the file instead of showing its text in the browser; the machines'
    files (JSON, GeoJSON) stay readable in place. Excel users learn how to open UTF-8."""
    csv = fetch(client, "/open-data/lieux-de-mediation-numerique.csv")
    assert csv.headers["Content-Disposition"] == "attachment; filename=lieux-de-mediation-numerique.csv"
    geojson = fetch(client, "/open-data/lieux-de-mediation-numerique.geojson")
    assert "Content-Disposition" not in geojson.headers or "inline" in geojson.headers["Content-Disposition"]

    html = plain(client.get("/open-data").get_data(as_text=True))
    assert "Ouvrir le CSV dans Excel : le fichier est en UTF-8" in html
    assert "« 65001 : Unicode (UTF-8) »" in html
