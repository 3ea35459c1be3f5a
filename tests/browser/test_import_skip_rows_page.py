"""The import page in a real browser, at 360 and 1280 px (issue 15): a file in the national standard
whose errors are on 2 rows of 5; the report is readable without sideways scrolling, has no serious
accessibility violation, and « Importer sans les 2 lignes en erreur » is reached with the keyboard
and imports the 3 other places."""
import pytest

from coordination.directory.models import Place
from coordination.testing.factories import PASSWORD, make_user
from tests.directory.imports.helpers import csv_text, row
from tests.french import plain

pytestmark = pytest.mark.browser

GOOD = ["Espace numérique du Breil", "Médiathèque des Tilleuls", "Point numérique de la mairie"]
FILE = csv_text([
    row(id="lieu-1", nom=GOOD[0]),
    row(id="lieu-2", nom=""),  # line 3: no name
    row(id="lieu-3", nom=GOOD[1]),
    row(id="lieu-4", nom="Lieu à Moscou", latitude="55.7558", longitude="37.6173"),  # line 5: outside France
    row(id="lieu-5", nom=GOOD[2]),
])


@pytest.fixture(autouse=True)
def private_uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path / "imports"))


def _fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", (360, 1280))
def test_the_rows_in_error_are_left_out_with_the_keyboard(page, live_server, axe_violations, browser_login, width):
    page.set_viewport_size({"width": width, "height": 800})
    browser_login(make_user(name="Claire Coordination", coordinator=True), PASSWORD)
    page.goto(f"{live_server}/coordination/import")
    page.get_by_label("Fichier à importer (CSV ou JSON)").set_input_files(
        files=[{"name": "lieux.csv", "mimeType": "text/csv", "buffer": FILE.encode()}])
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier").click()

    assert page.get_by_role("heading", name="Vérification de « lieux.csv »").is_visible()
    assert page.get_by_role("alert").filter(has_text="2 lignes du fichier contiennent des erreurs").is_visible()
    errors = page.locator("table.import-problems").first
    assert "Chaque erreur rejette sa ligne" in plain(errors.locator("caption").inner_text())
    rows = errors.locator("tbody tr")
    assert rows.count() == 2
    expected = (("3", "nom", "La colonne « nom » est obligatoire"), ("5", "latitude", "sont hors de France"))
    for index, (number, column, message) in enumerate(expected):
        cells = rows.nth(index).locator("td")
        assert all(cells.nth(i).is_visible() for i in range(3))
        assert cells.nth(0).inner_text() == number and cells.nth(1).inner_text() == column
        assert message in plain(cells.nth(2).inner_text())
    assert _fits(page, width)
    # nothing of the errors is pushed out of sight either (a clipping container would hide it)
    assert errors.evaluate("table => [...table.querySelectorAll('th, td')].every("
                           "cell => cell.getBoundingClientRect().right <= window.innerWidth)")
    assert axe_violations(page) == []

    # reached with the Tab key from the choice just before it: the button is in the keyboard's path
    page.locator("#apply-notify").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Importer sans les 2 lignes en erreur"
    with page.expect_navigation():  # Enter on the focused button submits its form
        page.keyboard.press("Enter")

    assert page.get_by_role("heading", level=1).inner_text() == "Import appliqué"
    assert "Import appliqué : 3 lieux créés" in plain(page.locator("main").inner_text())
    assert _fits(page, width)
    assert sorted(place.name for place in Place.query.all()) == sorted(GOOD)
