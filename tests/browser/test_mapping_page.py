"""The mapping page in a real browser (issue 15, item 2), at 360 and 1280 px: upload a file in no
known format, « Faire correspondre les colonnes », preview, save the profile; no serious
accessibility violation and no sideways scrolling on any of these screens."""
import pytest

from coordination.testing.factories import PASSWORD, make_user
from tests.directory.imports.helpers import SAMPLE
from tests.french import plain

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)


@pytest.fixture(autouse=True)
def private_folders(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path / "imports"))
    monkeypatch.setitem(app.config, "IMPORT_PROFILES_DIR", str(tmp_path / "profils"))
    return tmp_path / "profils"


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", WIDTHS)
def test_map_preview_and_save_a_profile(page, live_server, axe_violations, browser_login, private_folders, width):
    page.set_viewport_size({"width": width, "height": 800})
    browser_login(make_user(name="Claire Coordination", coordinator=True), PASSWORD)
    page.goto(f"{live_server}/coordination/import")
    assert page.get_by_label("Profil de correspondance").is_visible()
    page.get_by_label("Fichier à importer (CSV ou JSON)").set_input_files(
        files=[{"name": "annuaire-regional.csv", "mimeType": "text/csv", "buffer": SAMPLE.encode()}])
    page.get_by_role("button", name="Vérifier").click()
    page.get_by_role("link", name="Faire correspondre les colonnes").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "Faire correspondre les colonnes"
    assert page.get_by_label("« Nom de la structure »").input_value() == "nom"  # suggested
    assert axe_violations(page) == [] and _fits(page)

    page.get_by_label("« Réf »").select_option("identifiant")
    page.get_by_label("« Heures d'ouverture »").select_option("horaires")
    page.get_by_label("« Aides »").select_option("services")
    page.get_by_label("« Dernière modification »").select_option("date_maj")
    page.get_by_label("Séparateur des listes (entre les valeurs d’une même cellule)").fill("/")
    page.get_by_label("Texte libre (une colonne)", exact=False).check()
    page.get_by_role("button", name="Prévisualiser").click()
    page.wait_for_load_state()
    table = page.get_by_role("table")
    assert "premiers lieux convertis" in table.locator("caption").inner_text()
    assert "Médiathèque des Tilleuls" in table.inner_text()
    assert axe_violations(page) == [] and _fits(page)

    page.get_by_label("Nom du profil (a-z, 0-9, « - » et « _ »)").fill("annuaire-21")
    page.get_by_role("button", name="Enregistrer le profil").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Appliquer l’import").is_visible()
    assert "fichier lu avec le profil « annuaire-21 »" in plain(page.locator("main").inner_text())
    assert (private_folders / "annuaire-21.json").is_file()
    assert axe_violations(page) == [] and _fits(page)
