"""Browser fixtures: the test app served on 127.0.0.1 and Debian's Chromium driven by Playwright."""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def whole_bodies(app):
    """Each response read whole before it is written: when the browser leaves a page while a file
    (an icon) is still coming, werkzeug's development server can lose the connection before it closes
    the file it was sending, and the unclosed file fails whichever test runs next (-W error)."""
    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return wsgi


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, whole_bodies(app), threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing in CI: the browser tests must run (make test installs it)")
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    # bypass_csp lets the test inject axe-core; the app's own pages never rely on it.
    context = browser.new_context(bypass_csp=True, locale="fr-FR", viewport={"width": 390, "height": 844})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def axe_violations():
    """Runs axe-core (WCAG 2.1 A and AA rules) on the page; returns serious and critical violations."""
    def run(tab):
        tab.add_script_tag(path=str(AXE))
        result = tab.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")
        ]
    return run


@pytest.fixture
def browser_login(page, live_server):
    def do_login(user, password):
        page.goto(f"{live_server}/connexion")
        page.get_by_label("Adresse électronique").fill(user.email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
    return do_login
