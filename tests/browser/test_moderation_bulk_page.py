"""The moderation of one import in a real browser, 390 px wide: the queue's line for the import, the
bulk page, the confirmation step with the count, then the decision; no serious accessibility
violation (issue 15, item 3)."""
import pytest

from coordination.auth.models import Organisation
from coordination.extensions import db
from coordination.testing.factories import PASSWORD, make_user
from coordination.directory import imports
from tests.directory.imports.helpers import three_organisations
from tests.french import plain

pytestmark = pytest.mark.browser


@pytest.fixture
def imported(tmp_path):
    coordinator = make_user(name="Claire Coordination", coordinator=True)
    path = tmp_path / "cartographie.csv"
    path.write_text(three_organisations(), encoding="utf-8")
    outcome = imports.apply_file(path, actor=coordinator)
    return coordinator, outcome.report.import_id


def no_horizontal_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_coordinator_accepts_the_organisations_of_one_import(page, live_server, axe_violations, browser_login,
                                                              imported):
    coordinator, import_id = imported
    browser_login(coordinator, PASSWORD)
    page.goto(f"{live_server}/coordination/moderation")
    link = page.get_by_role("link", name="cartographie.csv : 3 organisations en attente")
    assert link.is_visible()
    assert axe_violations(page) == []
    link.click()
    page.wait_for_url(f"**/coordination/moderation/imports/{import_id}")
    assert plain(page.locator("h1").inner_text()) == f"Organisations créées par l'import n° {import_id}"
    assert page.get_by_role("cell", name="Médiathèque Jacques Demy").is_visible()
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)

    page.get_by_role("radio", name="Refuser toutes ces organisations").check()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_load_state()
    assert page.get_by_text("Indiquez le motif du refus.").first.is_visible()
    assert axe_violations(page) == []

    page.get_by_role("radio", name="Accepter toutes ces organisations").check()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Confirmer : accepter 3 organisations").is_visible()
    assert page.get_by_text("3 lieux deviendront visibles").is_visible()
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Confirmer : accepter les 3 organisations").click()
    page.wait_for_url("**/coordination/moderation")
    assert page.get_by_text("3 organisations acceptées.").is_visible()
    db.session.expire_all()
    assert {o.status for o in db.session.query(Organisation)} == {"active"}


def test_the_import_page_asks_what_to_do_with_the_new_organisations(page, live_server, axe_violations,
                                                                   browser_login, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path / "imports"))
    coordinator = make_user(name="Claire Coordination", coordinator=True)
    path = tmp_path / "cartographie.csv"
    path.write_text(three_organisations(), encoding="utf-8")
    browser_login(coordinator, PASSWORD)
    page.goto(f"{live_server}/coordination/import")
    pending = page.get_by_role("radio", name="En attente", exact=False)
    assert pending.is_checked()  # the careful choice by default
    assert not page.get_by_role("checkbox", name="Prévenir les structures", exact=False).is_checked()
    assert axe_violations(page) == []
    page.get_by_label("Fichier à importer (CSV ou JSON)").set_input_files(str(path))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_load_state()
    assert page.get_by_text("Lieux visibles dans l’annuaire public juste après l’import : 0 ; non visibles : 3"
                            ).is_visible()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    apply_form = page.locator("form", has=page.get_by_role("button", name="Appliquer l’import"))
    apply_form.get_by_role("radio", name="Acceptées (source de confiance)", exact=False).check()
    page.get_by_role("button", name="Appliquer l’import").click()
    page.wait_for_load_state()
    assert page.get_by_text("Import appliqué : 3 lieux créés").is_visible()
    assert page.get_by_text("Lieux visibles dans l’annuaire public juste après l’import : 3").is_visible()
    assert axe_violations(page) == []
    db.session.expire_all()
    assert {o.status for o in db.session.query(Organisation)} == {"active"}
