"""The coordinators' upload page: dry run, then apply the same file."""
import pytest

from coordination.directory.models import Place
from coordination.testing.factories import make_organisation, make_user
from coordination.directory.imports import report, staging
from tests.directory.imports.helpers import URL, csv_text, row, token_of, upload
from tests.french import plain

pytestmark = pytest.mark.usefixtures("private_uploads")


def test_anonymous_people_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_partners_are_refused(client, login, db):
    partner = make_user("p@exemple.fr")
    login(partner)
    assert client.get(URL).status_code == 403
    assert upload(client, csv_text([row()])).status_code == 403
    assert Place.query.count() == 0


def test_dry_run_then_apply(client, login, coordinator):
    login(coordinator)
    page = plain(client.get(URL).get_data(as_text=True))
    assert "Vérifier" in page and 'enctype="multipart/form-data"' in page
    response = upload(client, csv_text([row(), row(id="lieu-2", nom="Lieu 2", date_maj="15/03/2024")]))
    page = plain(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Lieux à créer : 2" in page and ">Appliquer l'import</button>" in page
    assert "lue comme 2024-03-15" in page  # the warning, in the table
    assert Place.query.count() == 0
    token = client.get_cookie("session") and token_of(page)
    response = client.post(f"{URL}/appliquer", data={"token": token})
    page = plain(response.get_data(as_text=True))
    assert response.status_code == 200, page
    assert "Import appliqué : 2 lieux créés" in page
    assert Place.query.count() == 2
    # the same token cannot be applied twice
    response = client.post(f"{URL}/appliquer", data={"token": token})
    assert response.status_code == 302 and Place.query.count() == 2


def test_a_file_with_errors_cannot_be_applied(client, login, coordinator):
    login(coordinator)
    page = plain(upload(client, csv_text([row(), row(id="lieu-2", latitude="-47.2305")])).get_data(as_text=True))
    assert "hors de France" in page and "<td>3</td>" in page and "<td>latitude</td>" in page
    assert ">Appliquer l'import</button>" not in page
    assert "Rien n'a encore été importé : corrigez le fichier et envoyez-le à nouveau." in page


def test_a_token_from_another_session_is_refused(client, login, coordinator, app):
    login(coordinator)
    page = plain(upload(client, csv_text([row()])).get_data(as_text=True))
    token = token_of(page)
    other = app.test_client()
    other_coordinator = make_user("autre@exemple.fr", coordinator=True)
    response = other.post("/connexion", data={"email": other_coordinator.email, "password": "motdepasse-solide-42"})
    assert response.status_code == 302
    response = other.post(f"{URL}/appliquer", data={"token": token})
    assert response.status_code == 302 and Place.query.count() == 0


def test_a_file_changed_after_its_dry_run_is_not_applied(client, login, coordinator):
    login(coordinator)
    token = token_of(upload(client, csv_text([row()])).get_data(as_text=True))
    kept = staging.upload_folder() / token / staging.FILE_NAME
    kept.write_text(csv_text([row(nom="Remplacé")]))
    response = client.post(f"{URL}/appliquer", data={"token": token})
    assert response.status_code == 302 and Place.query.count() == 0


def test_a_file_over_the_limit_is_refused(client, login, coordinator, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1000)
    login(coordinator)
    page = plain(upload(client, csv_text([row(id=f"l{i}") for i in range(20)])).get_data(as_text=True))
    assert "la limite est de 1\u00a0000 octets" in page and "Découpez-le" in page
    assert ">Appliquer l'import</button>" not in page


def test_an_empty_upload_is_explained(client, login, coordinator):
    login(coordinator)
    page = plain(upload(client, "").get_data(as_text=True))
    assert "Le fichier est vide" in page or "Choisissez un fichier" in page
    make_organisation()  # nothing else was created
    assert Place.query.count() == 0


def test_errors_come_before_warnings_counted_by_reason(client, login, coordinator, monkeypatch):
    monkeypatch.setattr(report, "REPORT_LIMIT", 5)
    login(coordinator)
    rows = [row(id=f"l{i}", nom=f"Lieu {i}", date_maj="15/03/2024") for i in range(12)]
    rows.append(row(id="mauvais", nom="Mauvais", latitude="-47.2305"))
    page = upload(client, csv_text(rows)).get_data(as_text=True)
    errors, by_reason = page.index("Erreurs (1)"), page.index("Avertissements par motif")
    assert errors < page.index("sont hors de France") < by_reason
    assert "<td>date JJ/MM/AAAA</td><td>12</td>" in page
    assert page.count("lue comme 2024-03-15") == 4  # the cap: 1 error + 4 warning lines
    assert "… et 8 autres lignes du rapport" in page
