"""The contact page and the accessibility statement in a real browser, on a phone (360 px) and a
desktop (1280 px): no serious accessibility violation, no sideways scrolling, the form's errors then
its success, and the icons the browser fetches on its own."""
import pytest

pytestmark = pytest.mark.browser

WIDTHS = [360, 1280]


def no_horizontal_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_accessibility_statement_reads_well_at_every_width(page, live_server, axe_violations, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server}/accessibilite")
    assert page.locator("h1").inner_text() == "Déclaration d’accessibilité"
    assert page.get_by_role("link", name="Accessibilité\u00a0: partiellement conforme").is_visible()
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_resident_writes_to_the_network_at_every_width(page, live_server, axe_violations, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server}/contact")
    assert not page.get_by_label("Ne remplissez pas ce champ").is_visible()  # the honeypot
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)

    page.get_by_label("Votre nom").fill("Awa Diallo")
    page.get_by_label("Votre adresse électronique").fill("awa-sans-arobase")
    page.get_by_role("button", name="Envoyer le message").click()
    page.wait_for_load_state()
    email = page.get_by_label("Votre adresse électronique")
    assert email.get_attribute("aria-invalid") == "true"
    assert page.locator("#email-error").inner_text().startswith("L’adresse électronique n’est pas valide")
    assert page.locator("#message-error").inner_text() == "Écrivez votre message."
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)

    email.fill("awa@exemple.fr")
    page.get_by_label("Votre message").fill("Bonjour, où trouver de l'aide pour la CAF\u00a0?")
    page.get_by_role("button", name="Envoyer le message").click()
    page.wait_for_load_state()
    assert page.get_by_text("votre message a été envoyé").is_visible()
    assert axe_violations(page) == []


def test_the_arabic_contact_page_reads_right_to_left_on_a_phone(page, live_server, axe_violations):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server}/ar/contact")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)  # the hidden skip link once pushed right-to-left pages sideways
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link").bounding_box()
    assert skip["y"] >= 0 and skip["x"] + skip["width"] <= 360  # shown on the reader's side when focused


def test_the_browser_finds_every_icon(page, live_server):
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status >= 400 else None)
    page.goto(f"{live_server}/contact")
    for path in ("/favicon.ico", "/apple-touch-icon.png"):
        assert page.request.get(f"{live_server}{path}").status == 200
    assert missing == []
