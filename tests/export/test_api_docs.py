"""The OpenAPI document /api/v1/openapi.json and the French docs page /api/v1/."""
import re

from coordination.directory import search
from coordination.directory.serializers import STANDARD_FIELDS
from coordination.testing.factories import make_organisation, make_place
from coordination.vocabularies import SERVICES
from export import parameters as api_parameters
from tests.french import plain


def test_openapi_document_describes_every_route(app, client):
    response = client.get("/api/v1/openapi.json")
    spec = response.get_json()

    assert response.status_code == 200 and spec["openapi"].startswith("3.0")
    documented = {"/api/v1" + re.sub(r"\{(\w+)\}", r"<\1>", path).replace("<id>", "<public_id>")
                  for path in spec["paths"]}
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert routes - {"/api/v1/"} == documented
    for methods in spec["paths"].values():
        for operation in methods.values():
            assert {"200", "304"} <= set(operation["responses"])


def test_openapi_place_schema_has_the_32_standard_fields(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    place = spec["components"]["schemas"]["Lieu"]

    # the 32 fields, then id_source (issue 15), the only field beyond the standard
    assert list(place["properties"]) == [*STANDARD_FIELDS, "id_source"] and len(STANDARD_FIELDS) == 32
    assert place["required"] == list(place["properties"]) and place["additionalProperties"] is False
    nullable = {name for name, field in place["properties"].items() if field.get("nullable")}
    assert nullable == {*STANDARD_FIELDS, "id_source"} - {"id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"}
    assert place["properties"]["latitude"]["type"] == "number"
    assert place["properties"]["date_maj"] == {"type": "string", "format": "date",
                                               "description": place["properties"]["date_maj"]["description"]}


def test_openapi_parameters_and_errors(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    listing = spec["paths"]["/lieux"]["get"]
    parameters = {p["name"]: p for p in listing["parameters"]}

    assert list(parameters) == list(api_parameters.LIST_PARAMETERS)
    assert parameters["par_page"]["schema"]["maximum"] == 500
    assert parameters["services"]["schema"]["items"]["enum"] == list(SERVICES)
    assert [p["name"] for p in spec["paths"]["/lieux/changements"]["get"]["parameters"]] == \
        list(api_parameters.FEED_PARAMETERS)
    for status in ("400", "429", "503"):
        assert listing["responses"][status]["content"]["application/json"]["schema"] == \
            {"$ref": "#/components/schemas/Erreur"}
    assert "404" in spec["paths"]["/lieux/{id}"]["get"]["responses"]
    assert set(listing["responses"]["200"]["headers"]) >= {"ETag", "Link", "X-Total-Count"}


def test_docs_page_in_french_from_the_document(client):
    response = client.get("/api/v1/")
    html = response.get_data(as_text=True)
    spec = client.get("/api/v1/openapi.json").get_json()

    assert response.status_code == 200 and response.mimetype == "text/html"
    assert '<html lang="fr" dir="ltr">' in html and "<h1>API des lieux de médiation numérique</h1>" in html
    for path, methods in spec["paths"].items():
        assert f"GET http://localhost/api/v1{path}" in html
        for parameter in methods["get"].get("parameters", ()):
            assert f"<code>{parameter['name']}</code>" in html
    assert "curl -i &#39;http://localhost/api/v1/lieux?code_postal=44000&#39;" in html
    assert "120 requêtes par minute" in html
    for field in STANDARD_FIELDS:
        assert f"<code>{field}</code>" in html
    # no outside assets: scripts, styles and images come from the app
    assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)="(https?:)?//', html)
    assert html.count("<h1") == 1 and "<caption>" in html and 'scope="col"' in html


def test_docs_examples_are_valid_requests(client):
    """Every curl example of the docs answers 200 (the cursor example, and the place of « Une fiche »:
    a published place of the network, not a made-up id)."""
    place = make_place(make_organisation("Les Connecteurs de l'Erdre"))
    spec = client.get("/api/v1/openapi.json").get_json()
    search.reindex()  # the q example needs the text index
    try:
        for methods in spec["paths"].values():
            for example in methods["get"].get("x-exemples", ()):
                assert client.get("/api/v1" + example["requete"]).status_code == 200, example
    finally:
        search.close_searchers()
    assert spec["paths"]["/lieux/{id}"]["get"]["x-exemples"][0]["requete"] == f"/lieux/{place.public_id}"
    assert f"/api/v1/lieux/{place.public_id}&#39;" in client.get("/api/v1/").get_data(as_text=True)


def test_without_a_published_place_the_docs_say_there_is_no_example_yet(client):
    make_place(make_organisation("Les Connecteurs de l'Erdre"), published=False)
    html = plain(client.get("/api/v1/").get_data(as_text=True))
    assert "Aucun lieu n'est publié pour l'instant : l'exemple viendra avec le premier lieu publié." in html
    assert "/api/v1/lieux/" not in re.sub(r"/api/v1/lieux/changements|/api/v1/lieux/\{id\}", "", html)


def test_docs_page_seen_by_a_partner_is_not_kept_in_shared_caches(client, login):
    from coordination.testing.factories import make_user
    login(make_user())
    response = client.get("/api/v1/")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
