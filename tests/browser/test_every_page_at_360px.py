"""Every page of the demo network fits a 360 px wide phone: nothing scrolls sideways (issue 18, item 4).

The pages are found as the French-wording sweep finds them — every GET route whose arguments the demo
provides — plus the pages reached by following links from each user's home, plus the pages only a
form or an error leads to (the page after accepting an invitation, « page introuvable », « accès
refusé », a used link). Each user's pages are visited in Chromium at 360 px; a page is too wide
when ``document.documentElement.scrollWidth`` exceeds ``clientWidth``. A table may scroll inside
its own region (``scroll_table``): that does not widen the page. On the way, each form is checked
for buttons by weight (one primary button at most, the others outlined — ``button-secondary``,
``button-danger`` — or links) and for its asterisks (on the line of their label's last word, and
explained by « * champ obligatoire »)."""
import pytest

from coordination.auth import services as auth_services
from coordination.directory import demo
from coordination.extensions import db
from tests.demo_network import NOT_PAGES, crawl, demo_network, route_pages

pytestmark = pytest.mark.browser

WIDTH = 360
HOMES = {"visiteur": ["/"], "membre": ["/espace-partenaire"], "administration": ["/espace-partenaire"],
         "coordination": ["/coordination", "/espace-partenaire"]}
# pages a link does not lead to: errors (their status is not 200)
ERROR_PAGES = ["/une-page-qui-n-existe-pas", "/invitation/lien-inconnu", "/mot-de-passe/lien-inconnu"]


def _users(network):
    return {"visiteur": None, "membre": network["member"], "administration": network["partner"],
            "coordination": network["coordinator"]}


def _pages_of(app, client, login, network, role) -> list[str]:
    user = _users(network)[role]
    if user is not None:
        login(user, demo.PASSWORD)
    homes = crawl(client, HOMES[role], limit=len(HOMES[role]))
    assert len(homes) == len(HOMES[role]), f"{HOMES[role]} : page d'accueil introuvable ({role})"
    found = set(crawl(client, HOMES[role] + route_pages(app, network["arguments"])))
    return sorted(url for url in found if not NOT_PAGES.search(url)) + ERROR_PAGES


# The buttons of a form styled as its main action: neither outlined (secondary, danger) nor a link. Buttons
# in a list are choices of equal weight (the home's « Je cherche… »), not actions of different weights.
PRIMARY_BUTTONS = """() => Array.from(document.forms).map(form => Array.from(
    form.querySelectorAll("button:not([type=button]):not([type=reset]), input[type=submit], .button"))
    .filter(button => !button.closest(".button-secondary, .button-danger, .link-button, li") && !button.hidden)
    .map(button => button.textContent.trim().replace(/\\s+/g, " ") || button.value))
  .filter(names => names.length > 1)"""


# The labels whose required-field asterisk is not on the line of their last word, and whether the page
# says what the asterisk means (« * champ obligatoire »).
ASTERISKS = """() => {
  const stars = Array.from(document.querySelectorAll(".required")).filter(star => !star.closest(".required-note"));
  const alone = stars.filter(star => {
    const walker = document.createTreeWalker(star.parentElement, NodeFilter.SHOW_TEXT);
    let last = null;
    while (walker.nextNode() && !star.contains(walker.currentNode)) {
      if (walker.currentNode.textContent.trim()) last = walker.currentNode;
    }
    if (!last) return false;
    const range = document.createRange();
    const end = last.textContent.trimEnd().length;
    range.setStart(last, end - 1); range.setEnd(last, end);
    const rects = star.getClientRects();
    return rects.length && Math.abs(rects[rects.length - 1].bottom - range.getBoundingClientRect().bottom) > 2;
  }).map(star => star.parentElement.textContent.trim());
  const unexplained = stars.length > 0 && !document.querySelector(".required-note");
  return {alone, unexplained};
}"""


def _sweep(page, live_server, urls) -> tuple[dict[str, int], dict[str, list]]:
    """The pages wider than the screen (their width), and those whose forms are at fault: more than one
    primary button, an asterisk on its own line, asterisks not explained."""
    wide, faults = {}, {}
    for url in urls:
        page.goto(f"{live_server}{url}")
        width, client_width = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if width > client_width:
            wide[url] = width
        found = []
        if forms := page.evaluate(PRIMARY_BUTTONS):
            found.append(f"plus d'un bouton principal : {forms}")
        asterisks = page.evaluate(ASTERISKS)
        if asterisks["alone"]:
            found.append(f"astérisque seul sur sa ligne : {asterisks['alone']}")
        if asterisks["unexplained"]:
            found.append("astérisques sans « * champ obligatoire »")
        if found:
            faults[url] = found
    return wide, faults


def _browser_login(page, live_server, user):
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(demo.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


@pytest.fixture
def narrow_page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": WIDTH, "height": 740})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.mark.parametrize("role", ["visiteur", "membre", "administration", "coordination"])
def test_no_page_scrolls_sideways_at_360px(app, runner, client, login, narrow_page, live_server, role):
    network = demo_network(runner)
    urls = _pages_of(app, client, login, network, role)
    assert len(urls) > 30
    user = _users(network)[role]
    if user is not None:
        _browser_login(narrow_page, live_server, user)
    wide, faults = _sweep(narrow_page, live_server, urls)
    if role == "visiteur":
        wide.update(_after_accepting_an_invitation(narrow_page, live_server, network))
    report = "\n".join(f"  {url} : {width} px" for url, width in sorted(wide.items()))
    assert not wide, f"{len(wide)} page(s) plus larges que {WIDTH} px ({role}) :\n{report}"
    report = "\n".join(f"  {url} : {found}" for url, found in sorted(faults.items()))
    assert not faults, f"formulaires à revoir ({role}) :\n{report}"


def _after_accepting_an_invitation(page, live_server, network) -> dict[str, int]:
    """A new person accepts an invitation by creating an account: the page they land on."""
    invitation = auth_services.invite_member(network["organisation"].id, email="nouvelle.personne@example.org",
                                             role="member", actor=network["partner"])
    db.session.commit()
    token = auth_services.INVITATION_LINKS.sign({"i": invitation.id, "n": invitation.nonce})
    page.goto(f"{live_server}/invitation/{token}")
    page.get_by_label("Votre nom").fill("Nouvelle Personne")
    page.get_by_label("Mot de passe", exact=True).fill("un mot de passe assez long")
    page.get_by_label("Confirmez le mot de passe").fill("un mot de passe assez long")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    landed = page.url.removeprefix(live_server)
    assert "/invitation/" not in landed, page.content()[:2000]
    width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    return {f"{landed} (après l'invitation)": width} if width > client_width else {}


# the pages issue 18 reworked for narrow screens (tables in regions, buttons, asterisks, charts, lists)
REWORKED = {"administration": ["/organisations/{organisation_id}/membres", "/compte", "/espace-partenaire",
                               "/espace-partenaire/lieux/{place_id}/modifier"],
            "coordination": ["/coordination/organisations", "/coordination/tableau-de-bord", "/coordination/moderation",
                             "/coordination/fraicheur", "/coordination/reunions/participation"],
            "visiteur": ["/api/v1/", "/open-data", "/rejoindre", "/lieux/{public_id}/signaler"]}


@pytest.mark.parametrize("width", [360, 1280])
def test_the_reworked_pages_have_no_serious_accessibility_violation(runner, browser, live_server, axe_violations,
                                                                    width):
    network = demo_network(runner)
    context = browser.new_context(bypass_csp=True, locale="fr-FR", viewport={"width": width, "height": 900})
    tab = context.new_page()
    violations = {}
    try:
        for role, paths in REWORKED.items():
            user = _users(network)[role]
            tab.context.clear_cookies()
            if user is not None:
                _browser_login(tab, live_server, user)
            for path in paths:
                url = path.format(**network["arguments"])
                assert tab.goto(f"{live_server}{url}").status == 200, url
                if found := axe_violations(tab):
                    violations[url] = found
    finally:
        context.close()
    assert violations == {}

