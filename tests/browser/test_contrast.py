"""Colours computed by the browser from the site's CSS, measured with the WCAG contrast formula
(issue 18, item 4): the keyboard focus is seen on light and dark backgrounds (≥ 3:1), and buttons
keep their text readable (≥ 4.5:1) at rest, hovered and focused, each styled by its weight."""
import pytest

pytestmark = pytest.mark.browser

# WCAG 2.x: relative luminance of sRGB colours and their contrast ratio; a colour's effective
# background is the first opaque background among the element and its ancestors (white at the top).
COLOURS = """
window.rgb = text => (text.match(/[\\d.]+/g) || []).map(Number);
window.luminance = ([r, g, b]) => {
  const linear = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
};
window.contrast = (a, b) => {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
};
window.background = element => {
  for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || colour[3] > 0) return colour.slice(0, 3);
  }
  return [255, 255, 255];
};
"""

FOCUS = """element => {
  const style = getComputedStyle(element);
  const around = background(element.parentElement);
  const ring = rgb(style.outlineColor);
  const halo = style.boxShadow === "none" ? null : rgb(style.boxShadow).slice(0, 3);
  return {
    visible: element.matches(":focus-visible"), style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    ring: contrast(ring, around), halo: halo ? contrast(halo, around) : 0, ringOnHalo: halo ? contrast(ring, halo) : 0,
  };
}"""

TEXT = "element => contrast(rgb(getComputedStyle(element).color), background(element))"

BUTTONS = """
<form id="essai-boutons" action="#" onsubmit="return false">
  <button type="submit" id="principal">Enregistrer</button>
  <button type="submit" id="secondaire" class="button-secondary">Annuler</button>
  <button type="submit" id="danger" class="button-danger">Supprimer</button>
  <a id="lien" class="button" href="#essai-boutons">Modifier</a>
  <a id="lien-secondaire" class="button button-secondary" href="#essai-boutons">Fermetures</a>
  <a id="lien-danger" class="button button-danger" href="#essai-boutons">Retirer</a>
</form>"""


@pytest.fixture
def styled_page(page, live_server):
    page.goto(f"{live_server}/")
    page.add_script_tag(content=COLOURS)
    return page


def _focus(page, selector):
    page.locator(selector).first.focus()
    return page.evaluate_handle("document.activeElement")


@pytest.mark.parametrize("path, selector, where", [
    ("/", "header .brand", "sur le bandeau foncé"),
    ("/plan-du-site", "main a[href]", "sur le fond clair de la page"),
    ("/", "main form button[type=submit]", "un bouton principal sur le fond gris du formulaire"),
    ("/", "main form input[type=text], main form input[type=search]", "un champ sur le fond gris du formulaire"),
    ("/", "footer a[href]", "dans le pied de page"),
])
def test_the_keyboard_focus_is_seen_on_light_and_dark_backgrounds(styled_page, live_server, path, selector, where):
    if path != "/":
        styled_page.goto(f"{live_server}{path}")
        styled_page.add_script_tag(content=COLOURS)
    styled_page.keyboard.press("Tab")  # the last interaction is the keyboard's: focus is shown
    focused = _focus(styled_page, selector)
    measured = styled_page.evaluate(FOCUS, focused)
    assert measured["visible"] and measured["style"] != "none" and measured["width"] >= 2, (where, measured)
    # the ring or its halo stands out from the background around the element, and from each other
    assert max(measured["ring"], measured["halo"]) >= 3, (where, measured)
    assert measured["halo"] == 0 or measured["ringOnHalo"] >= 3, (where, measured)


@pytest.mark.parametrize("button", ["principal", "secondaire", "danger", "lien", "lien-secondaire", "lien-danger"])
def test_button_text_is_readable_at_rest_hovered_and_focused(styled_page, button):
    styled_page.evaluate("html => document.querySelector('main').insertAdjacentHTML('afterbegin', html)", BUTTONS)
    element = styled_page.locator(f"#{button}")
    at_rest = element.evaluate(TEXT)
    element.hover()
    hovered = element.evaluate(TEXT)
    styled_page.mouse.move(0, 0)
    element.focus()
    focused = element.evaluate(TEXT)
    assert min(at_rest, hovered, focused) >= 4.5, {"repos": at_rest, "survol": hovered, "focus": focused}


def test_buttons_are_styled_by_their_weight(styled_page):
    styled_page.evaluate("html => document.querySelector('main').insertAdjacentHTML('afterbegin', html)", BUTTONS)
    looks = styled_page.evaluate("""() => Object.fromEntries(["principal", "secondaire", "danger", "lien-danger"].map(id => {
      const style = getComputedStyle(document.getElementById(id));
      return [id, {background: style.backgroundColor, colour: style.color, border: style.borderTopColor}];
    }))""")
    error = styled_page.evaluate("""() => {
      const probe = document.createElement("span"); probe.style.color = "var(--error)"; document.body.append(probe);
      return getComputedStyle(probe).color; }""")
    # the main action is filled; the secondary one is not (outlined, on the page's background)
    assert looks["principal"]["background"] != looks["secondaire"]["background"]
    assert looks["secondaire"]["border"] == looks["secondaire"]["colour"]
    # a destructive action is red, outlined at rest like a secondary action (never the primary look)
    for danger in (looks["danger"], looks["lien-danger"]):
        assert danger["colour"] == error and danger["border"] == error
        assert danger["background"] != looks["principal"]["background"]
