"""The coordination's long lists in a real browser (issue 18): the organisations' action bar used with
the keyboard alone, and the places list paged at 360 px (no sideways scroll), axe clean at 360 and 1280 px."""
import re

import pytest

from coordination.auth.models import Organisation
from coordination.extensions import db
from coordination.testing.factories import PASSWORD, make_organisation, make_place, make_user
from tests.french import plain

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)


def no_horizontal_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_action_bar_suspends_the_rows_ticked_with_the_keyboard(page, live_server, axe_violations, browser_login):
    coordinator = make_user(name="Claire Coordination", coordinator=True)
    for number in range(28):
        make_organisation(f"Association {number:02d}")
    browser_login(coordinator, PASSWORD)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server}/coordination/organisations?q=association&tri=nom")
        assert plain(page.get_by_role("status").first.inner_text()).startswith("1 à 25 sur 28")
        assert axe_violations(page) == [], width
        assert no_horizontal_scroll(page), width

    # Tick every row of the page, then untick all but two, with the keyboard only.
    select_all = page.get_by_label("Cocher toutes les organisations de cette page")
    select_all.focus()
    page.keyboard.press("Space")
    assert page.locator("input[name=ids]:checked").count() == 25
    assert plain(page.locator("[data-selection-count]").inner_text()) == "25 organisations cochées"
    page.keyboard.press("Space")
    assert page.locator("input[name=ids]:checked").count() == 0
    for name in ("Association 03", "Association 07"):
        page.get_by_label(f"Cocher « {name} »").focus()
        page.keyboard.press("Space")
    assert plain(page.locator("[data-selection-count]").inner_text()) == "2 organisations cochées"
    page.get_by_role("radio", name="Suspendre").focus()
    page.keyboard.press("Space")
    page.get_by_label("Motif (envoyé aux organisations concernées)").focus()
    page.keyboard.type("Fiches jamais mises à jour.")
    page.get_by_role("button", name="Appliquer aux organisations cochées").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("2 organisations suspendues.").is_visible()
    assert "q=association" in page.url and "tri=nom" in page.url  # back on the same list
    assert axe_violations(page) == []
    db.session.expire_all()
    suspended = db.session.scalars(db.select(Organisation.name).where(Organisation.status == "suspended")).all()
    assert sorted(suspended) == ["Association 03", "Association 07"]


def test_the_places_list_pages_at_360_px_without_sideways_scrolling(page, live_server, axe_violations, browser_login):
    coordinator = make_user(name="Claire Coordination", coordinator=True)
    organisation = make_organisation("Centre social du Vignoble")
    for number in range(40):
        make_place(organisation, name=f"Espace numérique de la Loire {number:02d}", commune="Saint-Sébastien-sur-Loire")
    browser_login(coordinator, PASSWORD)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server}/coordination/lieux?q=loire&tri=nom")
        assert no_horizontal_scroll(page), width
        assert axe_violations(page) == [], width
    page.set_viewport_size({"width": 360, "height": 800})
    with page.expect_navigation():
        page.get_by_role("navigation", name="Pages de la liste des lieux").get_by_role("link", name="Suivante").click()
    assert "q=loire" in page.url and "tri=nom" in page.url and "page=2" in page.url
    assert plain(page.get_by_text("26 à 40 sur 40").inner_text()).startswith("26 à 40 sur 40")
    assert page.get_by_role("link", name="Espace numérique de la Loire 39 (modifier)").is_visible()
    assert no_horizontal_scroll(page) and axe_violations(page) == []
    # The sort of a column header: the other way round, still searched.
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Nom \(trier dans l.ordre inverse\)$")).click()
    assert "ordre=desc" in page.url and "q=loire" in page.url and "page=" not in page.url
    assert page.locator("th[aria-sort=descending]").count() == 1
