"""Issue 15: on the import page, a file whose errors are on some rows only can be applied without
those rows — the page's « --skip-invalid », offered after the dry run and said in plain words."""
from coordination.directory.models import Place
import pytest

from tests.directory.imports.helpers import URL, csv_text, row, token_of, upload
from tests.french import plain

pytestmark = pytest.mark.usefixtures("private_uploads")


def test_rows_in_error_can_be_left_out_after_the_dry_run(client, login, coordinator):
    login(coordinator)
    content = csv_text([row(), row(id="lieu-2", nom=""), row(id="lieu-3", nom="Lieu 3")])
    page = plain(upload(client, content).get_data(as_text=True))
    assert "1 ligne du fichier contient des erreurs" in page
    assert ">Importer sans la ligne en erreur</button>" in page
    assert 'name="skip_invalid" type="hidden" value="1"' in page
    token = token_of(page)
    # without the choice the page offered, nothing is applied
    response = client.post(f"{URL}/appliquer", data={"token": token})
    assert response.status_code == 302 and Place.query.count() == 0
    response = client.post(f"{URL}/appliquer", data={"token": token, "skip_invalid": "1"})
    assert response.status_code == 200, plain(response.get_data(as_text=True))
    assert sorted(p.name for p in Place.query.all()) == sorted(["Lieu 3", row()["nom"]])


def test_a_clean_file_is_applied_as_before(client, login, coordinator):
    login(coordinator)
    page = plain(upload(client, csv_text([row()])).get_data(as_text=True))
    assert ">Appliquer l'import</button>" in page and "ligne en erreur" not in page
    assert 'name="skip_invalid" type="hidden" value=""' in page


def test_a_file_error_offers_no_way_to_apply(client, login, coordinator):
    login(coordinator)
    page = plain(upload(client, "ceci n'est pas un annuaire\n").get_data(as_text=True))
    assert "Importer sans" not in page and "Appliquer l'import</button>" not in page
    assert Place.query.count() == 0
