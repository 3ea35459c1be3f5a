"""The import page in a real browser, 390 px wide: the « sans courriels personnels » checkbox is
labelled and described (issue 15, item 8); no serious accessibility violation."""
import pytest

from coordination.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_the_import_page_and_its_personal_email_option(page, live_server, axe_violations, browser_login, app):
    coordinator = make_user(name="Claire Coordination", coordinator=True)
    browser_login(coordinator, PASSWORD)
    page.goto(f"{live_server}/coordination/import")
    option = page.get_by_label("Ne pas importer les adresses électroniques nominatives (prénom.nom@…)")
    assert option.is_visible() and not option.is_checked()
    assert option.get_attribute("aria-describedby") == "strip_personal_emails-hint"
    assert page.locator("#strip_personal_emails-hint").is_visible()
    option.check()
    assert option.is_checked()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
