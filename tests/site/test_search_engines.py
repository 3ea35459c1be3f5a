"""What robots, browsers and sharing previews ask of the site: robots.txt keeps them out of the
members' spaces, sitemap.xml lists the public pages and places in every language, the icons answer
(no 404 on any page), and a place page describes itself (escaped) for search results and shared links."""
import re
from html import unescape
from xml.etree import ElementTree

import pytest

from coordination.extensions import db
from coordination.testing.factories import make_place

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_robots_keep_out_of_the_members_spaces_and_announce_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    rules = response.get_data(as_text=True).splitlines()
    for prefix in ("/espace-partenaire", "/coordination", "/orientations", "/reunions", "/compte", "/connexion",
                   "/mot-de-passe", "/invitation/", "/fraicheur/", "/calendrier/", "/organisations/"):
        assert f"Disallow: {prefix}" in rules
    assert "Sitemap: http://localhost/sitemap.xml" in rules
    assert not any(rule in ("Disallow: /", "Disallow: /lieux", "Disallow: /recherche") for rule in rules)


def test_every_disallowed_prefix_is_a_real_members_page(app):
    """robots.txt must follow the blueprints: each prefix it names still leads somewhere."""
    rules = [rule.rule for rule in app.url_map.iter_rules()]
    page = app.test_client().get("/robots.txt").get_data(as_text=True)
    for prefix in re.findall(r"^Disallow: (/[^*\s]*)$", page, re.M):
        assert any(rule.startswith(prefix) for rule in rules), prefix


@pytest.fixture
def places(organisation):
    published = make_place(organisation, name="Espace numérique publié")
    hidden = make_place(organisation, name="Lieu pas encore publié", published=False)
    db.session.commit()
    return published, hidden


def sitemap(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return ElementTree.fromstring(response.get_data())


def test_the_sitemap_lists_the_public_pages_and_published_places_only(client, places):
    published, hidden = places
    urls = [url.findtext(f"{SITEMAP}loc") for url in sitemap(client).iter(f"{SITEMAP}url")]
    for address in ("/", "/recherche", "/open-data", "/mentions-legales", "/accessibilite", "/confidentialite",
                    "/plan-du-site", "/contact"):
        assert f"http://localhost{address}" in urls
    assert f"http://localhost/lieux/{published.public_id}" in urls
    assert not any(hidden.public_id in url for url in urls)


def test_the_sitemap_gives_each_translated_page_its_languages(client, places):
    published, _ = places
    entry = next(url for url in sitemap(client).iter(f"{SITEMAP}url")
                 if url.findtext(f"{SITEMAP}loc").endswith(published.public_id))
    alternates = {link.get("hreflang"): link.get("href") for link in entry.iter(f"{XHTML}link")}
    assert alternates == {
        "fr": f"http://localhost/lieux/{published.public_id}", "en": f"http://localhost/en/lieux/{published.public_id}",
        "es": f"http://localhost/es/lieux/{published.public_id}", "ar": f"http://localhost/ar/lieux/{published.public_id}",
        "uk": f"http://localhost/uk/lieux/{published.public_id}", "x-default": f"http://localhost/lieux/{published.public_id}"}
    assert entry.findtext(f"{SITEMAP}lastmod") == published.changed_at.date().isoformat()


@pytest.mark.parametrize("address", ["/favicon.ico", "/apple-touch-icon.png", "/static/icons/icon.svg",
                                     "/static/icons/icon-32.png", "/static/icons/icon-192.png",
                                     "/static/icons/icon-512.png", "/static/icons/manifest.webmanifest"])
def test_no_icon_a_browser_asks_for_is_missing(client, address):
    with client.get(address) as response:
        assert response.status_code == 200 and response.data


def test_every_page_points_to_the_icons(client):
    page = client.get("/").get_data(as_text=True)
    links = re.findall(r'<link rel="(?:icon|apple-touch-icon|manifest)"[^>]*href="([^"]+)"', page)
    assert len(links) == 4
    for link in links:
        with client.get(link) as response:
            assert response.status_code == 200
    assert '<link rel="icon" href="/static/icons/icon.svg" type="image/svg+xml">' in page


def meta(page: str) -> dict:
    found = re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)">', page)
    return {name: content for name, content in found}


def test_a_place_page_describes_itself_for_search_engines_and_shared_links(client, organisation):
    place = make_place(organisation, name="Espace <b>numérique</b> \"Clic\"", commune="Rezé",
                       services=["Aide aux démarches administratives", "Prise en main d'un ordinateur"])
    page = client.get(f"/lieux/{place.public_id}").get_data(as_text=True)
    tags = meta(page)
    expected = ("Espace <b>numérique</b> \"Clic\", Rezé\u00a0: Aide aux démarches administratives, "
                "Prise en main d'un ordinateur.")
    assert unescape(tags["description"]) == expected
    assert "<b>" not in tags["description"] and "&lt;b&gt;" in tags["description"]  # escaped, once
    assert unescape(tags["og:title"]) == 'Espace <b>numérique</b> "Clic" — Rezé'
    assert unescape(tags["og:description"]) == unescape(tags["twitter:description"]) == expected
    assert tags["og:url"] == f"http://localhost/lieux/{place.public_id}"
    assert tags["og:image"] == "http://localhost/static/icons/icon-512.png"
    assert tags["twitter:card"] == "summary"
    assert tags["og:locale"] == "fr_FR"


def test_a_long_description_is_cut_at_a_word(client, organisation):
    place = make_place(organisation, name="Médiathèque", services=[f"Accompagnement numéro {n} aux démarches en ligne" for n in range(12)])
    description = unescape(meta(client.get(f"/lieux/{place.public_id}").get_data(as_text=True))["description"])
    assert len(description) <= 200 and description.endswith("…")
    assert "numéro 3 " in description and "numéro 6 " not in description


def test_the_description_follows_the_page_language(client, organisation):
    place = make_place(organisation, name="Médiathèque", commune="Nantes", services=[])
    tags = meta(client.get(f"/ar/lieux/{place.public_id}").get_data(as_text=True))
    assert tags["description"] == "Médiathèque، Nantes."
    assert tags["og:locale"] == "ar_AR"
    assert tags["og:url"] == f"http://localhost/ar/lieux/{place.public_id}"
