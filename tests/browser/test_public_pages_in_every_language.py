"""Every public page, in every language, on a phone: the right language and direction, one heading,
no sideways scrolling, no serious accessibility violation. The list of pages is read from the
application (every view marked ``@translated``), so a public page added later is checked too."""
import re

import pytest

from coordination.testing.factories import make_organisation, make_place
from coordination.web.i18n import LANGUAGES, is_translated

pytestmark = pytest.mark.browser


def public_paths(app, public_id: str) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "lang" in rule.arguments or "GET" not in rule.methods or not is_translated(rule.endpoint, app):
            continue
        paths.append(re.sub(r"<(?:\w+:)?public_id>", public_id, rule.rule))
    assert all("<" not in path for path in paths), paths  # a new argument: give the test a value for it
    return sorted(paths)


@pytest.fixture
def public_place(db):
    organisation = make_organisation("Centre social Les Dervallières", kind="centre_social")
    return make_place(organisation, name="Espace numérique des Dervallières")


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_every_public_page_reads_right_in_each_language_at_360_px(app, browser, live_server, axe_violations,
                                                                  public_place, code):
    context = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 740})  # axe is injected
    tab = context.new_page()
    prefix = "" if code == "fr" else f"/{code}"
    problems = []
    try:
        for path in public_paths(app, public_place.public_id):
            tab.goto(live_server + prefix + path)
            html = tab.locator("html")
            if (html.get_attribute("lang"), html.get_attribute("dir")) != (code, LANGUAGES[code].direction):
                problems.append((path, "lang/dir", html.get_attribute("lang"), html.get_attribute("dir")))
            if tab.locator("h1").count() != 1:
                problems.append((path, "h1", tab.locator("h1").count()))
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                problems.append((path, "scrollWidth", width))
            violations = axe_violations(tab)
            if violations:
                problems.append((path, "axe", [violation["id"] for violation in violations]))
    finally:
        context.close()
    assert problems == []
