"""Finding 6 of the security review: a NUL byte gave a 500, anonymously (`/lieux/%00`,
`/lieux/x%00y/fiche`, `/lieux/%00/signaler`), logged in (`/orientations/%00`) and in a place name
posted through the edit form (PostgreSQL refuses NUL in text). One request hook now answers any
C0 control character (and DEL): a 404 in the path, a French 400 in a query string or a form field."""
import pytest
from sqlalchemy import select

from coordination.directory.models import Place
from coordination.testing.factories import make_member, make_organisation, make_place, make_user
from tests.directory.conftest import form_data

CONTROLS = ["%00", "%01", "%07", "%1B", "%1F", "%7F", "%0A", "%0D", "%09"]


def _page(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize("url", ["/lieux/{c}", "/lieux/x{c}y/fiche", "/lieux/{c}/signaler", "/lieux/{c}/orienter",
                                 "/api/v1/lieux/{c}", "/{c}", "/recherche{c}"])
def test_a_control_character_in_the_path_is_a_404_anonymously(client, db, url, control):
    response = client.get(url.format(c=control))
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert response.get_json() == {"error": "Cette page n'existe pas ou plus.", "status": 404}
    else:
        assert "Page introuvable" in _page(response)


@pytest.mark.parametrize("url", ["/orientations/%00", "/orientations/a%00b/accepter", "/espace-partenaire%00",
                                 "/coordination/lieux%01"])
def test_a_control_character_in_the_path_is_a_404_logged_in(client, db, login, url):
    organisation = make_organisation("Les Connectés")
    login(make_member(organisation, role="admin"))
    method = client.post if url.endswith("accepter") else client.get
    assert method(url).status_code == 404


def test_a_report_posted_to_a_path_with_nul_is_a_404(client, db):
    assert client.post("/lieux/%00/signaler", data={"kind": "closed"}).status_code == 404


@pytest.mark.parametrize("query", ["q=a%00b", "q=caf&ou=Nan%00tes", "page=%01", "ou=%1B[31m", "q%00=x", "q=%7F"])
def test_a_control_character_in_a_query_string_is_a_french_400(client, db, query):
    response = client.get(f"/recherche?{query}")
    assert response.status_code == 400
    page = _page(response)
    assert "Demande incorrecte" in page and "caractère de contrôle" in page


def test_tabs_and_line_breaks_in_a_search_are_still_cleaned(client, db):
    assert client.get("/recherche?q=caf%0Aimp%C3%B4ts&ou=%09Nantes%0D%0A").status_code == 200


@pytest.mark.parametrize(("query", "parameter"), [("commune=Nan%00tes", "commune"), ("code_postal=44%00000", "code_postal"),
                                                  ("q=%1B", "q")])
def test_the_api_answers_a_control_character_in_json(client, db, query, parameter):
    response = client.get(f"/api/v1/lieux?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == 400 and parameter in body["error"] and "contrôle" in body["error"]
    assert body["parametres"] == {parameter: "Caractères de contrôle interdits."}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("bad", ["Espace\x00numérique", "Espace\x1bnumérique", "Espace numérique\x7f", "\x08Espace"])
def test_a_place_name_with_a_control_character_is_refused_in_french(client, db, login, bad):
    organisation = make_organisation("Les Connectés")
    place = make_place(organisation, name="Espace numérique")
    login(make_member(organisation, role="admin"))
    response = client.post(f"/espace-partenaire/lieux/{place.id}/modifier", data=form_data(place, name=bad))
    assert response.status_code == 400
    assert "caractère de contrôle" in _page(response) and "« name »" in _page(response)
    db.session.expire_all()
    assert db.session.scalar(select(Place.name).where(Place.id == place.id)) == "Espace numérique"


def test_line_breaks_and_tabs_stay_allowed_in_multi_line_fields(client, db, login):
    organisation = make_organisation("Les Connectés")
    place = make_place(organisation, name="Espace numérique")
    login(make_member(organisation, role="admin"))
    response = client.post(f"/espace-partenaire/lieux/{place.id}/modifier",
                           data=form_data(place, description="Première ligne.\r\n\tDeuxième ligne."))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Place.description).where(Place.id == place.id)) == "Première ligne.\n\tDeuxième ligne."


@pytest.mark.parametrize("data", [{"email": "a@exemple.fr\x00", "password": "x"}, {"email\x00": "a@exemple.fr"},
                                  {"email": "a@exemple.fr", "password": "mot\x1fde passe"}])
def test_the_login_form_refuses_control_characters_anonymously(client, db, data):
    make_user("a@exemple.fr")
    response = client.post("/connexion", data=data)
    assert response.status_code == 400 and "caractère de contrôle" in _page(response)


def test_a_report_with_a_nul_is_refused_in_french(client, db):
    place = make_place(make_organisation("Les Connectés"))
    response = client.post(f"/lieux/{place.public_id}/signaler", data={"kind": "other", "message": "Fermé\x00 !"})
    assert response.status_code == 400 and "caractère de contrôle" in _page(response)


def test_an_uploaded_file_name_with_a_control_character_is_refused(client, db, login):
    import io
    login(make_user("coordination@exemple.fr", coordinator=True))
    response = client.post("/coordination/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"id,nom\n"), "lieux\x00.csv")})
    assert response.status_code == 400 and "nom du fichier" in _page(response)
