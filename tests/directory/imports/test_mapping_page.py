"""The mapping page (issue 15, item 2): a file in no known format is mapped column by column,
previewed, saved as a profile, then checked and applied as any upload."""
import io
import json

import pytest

from coordination.directory.models import Place
from coordination.testing.factories import make_user
from coordination.directory.imports import profiles
from tests.directory.imports.helpers import URL, token_of, upload
from tests.french import plain

MAPPING = f"{URL}/correspondance"

MAPPED = {"colonne-0": "identifiant", "colonne-1": "nom", "colonne-2": "adresse", "colonne-3": "code_postal",
          "colonne-4": "commune", "colonne-5": "latitude", "colonne-6": "longitude", "colonne-7": "courriels",
          "colonne-8": "horaires", "colonne-9": "date_maj",
          "colonne-10": "services", "separateur": "/", "format_horaires": "texte-libre"}


@pytest.fixture(autouse=True)
def private_folders(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path / "instance" / "imports"))
    monkeypatch.setitem(app.config, "IMPORT_PROFILES_DIR", str(tmp_path / "profils"))
    return tmp_path / "profils"


def test_upload_unknown_map_preview_save_check_apply(client, login, coordinator, private_folders):
    login(coordinator)
    page = plain(upload(client).get_data(as_text=True))
    assert "Format non reconnu" in page and "Faire correspondre les colonnes" in page
    assert f'href="{MAPPING}"' in page and "Appliquer l'import</button>" not in page

    page = plain(client.get(MAPPING).get_data(as_text=True))
    assert "« Nom de la structure »" in page and "« Médiathèque des Tilleuls »" in page
    assert page.count("<select") == 11
    # suggestions from the names and values: the e-mail column, the postcode, the name
    assert '<option value="courriels" selected>' in page and '<option value="code_postal" selected>' in page
    assert '<option value="nom" selected>' in page

    response = client.post(MAPPING, data=MAPPED)
    page = plain(response.get_data(as_text=True))
    assert response.status_code == 200, page
    assert "<caption" in page and 'scope="col">nom</th>' in page and 'scope="row">2</th>' in page
    assert "Médiathèque des Tilleuls" in page and "Mo-Fr 09:00-12:00" in page
    # the row's warning, in its row of the preview
    row_3 = page[page.index('scope="row">3</th>'):page.index('scope="row">4</th>')]
    assert "Horaires en texte libre « le mardi matin »" in row_3 and "Espace numérique du Port" in row_3
    assert Place.query.count() == 0 and not private_folders.exists()

    response = client.post(f"{MAPPING}/enregistrer", data={**MAPPED, "nom_profil": "annuaire-21"})
    page = plain(response.get_data(as_text=True))
    assert response.status_code == 200, page
    assert "fichier lu avec le profil « annuaire-21 »" in page and "Lieux à créer : 3" in page
    saved = json.loads((private_folders / "annuaire-21.json").read_text(encoding="utf-8"))
    assert saved["colonnes"]["nom"] == ["Nom de la structure"] and saved["identifiant"] == {"colonne": "Réf"}
    assert saved["horaires"] == {"format": "texte-libre", "colonne": "Heures d'ouverture"}
    assert profiles.load("annuaire-21").separator == "/"

    response = client.post(f"{URL}/appliquer", data={"token": token_of(page)})
    assert response.status_code == 200 and "Import appliqué : 3 lieux créés" in plain(response.get_data(as_text=True))
    assert {p.name for p in Place.query} == {"Médiathèque des Tilleuls", "Espace numérique du Port",
                                             "Tiers-lieu La Forge"}

    # the saved profile is offered on the upload form, and reads the same file at once
    assert '<option value="annuaire-21">' in plain(client.get(URL).get_data(as_text=True))
    page = plain(upload(client, profil="annuaire-21").get_data(as_text=True))
    assert "fichier lu avec le profil « annuaire-21 »" in page and "inchangés : 3" in page


def test_a_shipped_profile_can_be_chosen_on_the_upload_form(client, login, coordinator):
    login(coordinator)
    page = plain(client.get(URL).get_data(as_text=True))
    assert '<option value="mednum-bfc-2023">' in page
    response = upload(client, profil="profil-qui-n-existe-pas")
    page = plain(response.get_data(as_text=True))
    assert response.status_code == 400 and "Profil « profil-qui-n-existe-pas » introuvable" in page


@pytest.mark.parametrize("name, message", [
    ("Mon Profil", "Nom du profil « Mon Profil » : de 1 à 64 caractères parmi a-z"),
    ("", "Nom du profil : indiquez un nom"),
    ("../../etc/passwd", "Nom du profil « ../../etc/passwd » : de 1 à 64 caractères"),
    ("mednum-bfc-2023", "c'est le nom d'un profil fourni avec Maillage"),
])
def test_a_bad_profile_name_gets_a_french_error(client, login, coordinator, private_folders, name, message):
    login(coordinator)
    upload(client)
    response = client.post(f"{MAPPING}/enregistrer", data={**MAPPED, "nom_profil": name})
    page = plain(response.get_data(as_text=True))
    assert response.status_code == 400
    assert message.replace("'", "&#39;") in page or message in page
    assert "Faire correspondre les colonnes</h1>" in page  # the page again, as filled in
    assert not private_folders.exists()


def test_a_mapping_without_required_fields_gets_a_french_error(client, login, coordinator):
    login(coordinator)
    upload(client)
    response = client.post(MAPPING, data={"colonne-1": "nom", "separateur": "|", "format_horaires": ""})
    page = plain(response.get_data(as_text=True))
    assert response.status_code == 400 and "obligatoire" in page and "adresse" in page


def test_without_a_staged_file_the_page_says_so(client, login, coordinator):
    login(coordinator)
    response = client.get(MAPPING)
    assert response.status_code == 404 and "déposez-le à nouveau" in plain(response.get_data(as_text=True))


def test_partners_are_refused_and_anonymous_people_sent_to_log_in(client, login, db):
    for response in (client.get(MAPPING), client.post(MAPPING, data=MAPPED),
                     client.post(f"{MAPPING}/enregistrer", data={**MAPPED, "nom_profil": "x"})):
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    login(make_user("p@exemple.fr"))
    assert client.get(MAPPING).status_code == 403
    assert client.post(MAPPING, data=MAPPED).status_code == 403
    assert client.post(f"{MAPPING}/enregistrer", data={**MAPPED, "nom_profil": "x"}).status_code == 403


def test_the_forms_need_the_csrftoken_of(client, login, coordinator, app, monkeypatch):
    login(coordinator)
    upload(client)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"{MAPPING}/enregistrer", data={**MAPPED, "nom_profil": "sans-jeton"}).status_code == 400


def test_a_profile_whose_dry_run_fails_is_mapped_again_and_replaced(client, login, coordinator, private_folders):
    login(coordinator)
    upload(client)
    without_services = {k: v for k, v in MAPPED.items() if k != "colonne-10"}
    page = client.post(f"{MAPPING}/enregistrer", data={**without_services, "nom_profil": "annuaire-21"}).get_data(
        as_text=True)
    assert "Lu avec ce profil, le fichier contient des erreurs" in page and "Appliquer l'import</button>" not in page
    assert f'href="{MAPPING}"' in page
    page = plain(client.get(MAPPING).get_data(as_text=True))  # the choices just saved, and the name
    assert '<option value="identifiant" selected>' in page and 'value="annuaire-21"' in page
    assert '<option value="services" selected>' not in page
    page = plain(client.post(f"{MAPPING}/enregistrer", data={**MAPPED, "nom_profil": "annuaire-21"}).get_data(as_text=True))
    assert "Lieux à créer : 3" in page and "Appliquer l'import</button>" in page
    assert profiles.load("annuaire-21").columns["services"] == ["Aides"]
    client.post(f"{URL}/appliquer", data={"token": token_of(page)})
    assert Place.query.count() == 3
    assert client.get(MAPPING).status_code == 404  # applied: nothing left to map


def test_a_real_regional_file_is_offered_the_mapping_page_and_reads_with_its_shipped_profile(
        client, login, coordinator, reference):
    content = (reference / "real-world" / "mednum-bfc-2023.csv").read_bytes()
    login(coordinator)

    def send(**fields):
        return plain(client.post(URL, data={"file": (io.BytesIO(content), "mednum-bfc-2023.csv"), **fields},
                                 content_type="multipart/form-data").get_data(as_text=True))

    assert "Faire correspondre les colonnes</a>" in send()
    page = plain(client.get(MAPPING).get_data(as_text=True))
    assert "« nom_structure »" in page and "« code_postal »" in page
    assert page.count("<select") > 10 and '<option value="code_postal" selected>' in page
    page = send(profil="mednum-bfc-2023")
    assert "fichier lu avec le profil « mednum-bfc-2023 »" in page and "Lieux à créer : 697" in page
