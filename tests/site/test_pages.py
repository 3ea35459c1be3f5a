"""The pages a public service must have: each answers in French and in the reader's language, says
who publishes and hosts the site from the configuration (« non renseigné » when a fact is missing),
and every public page links to them from its footer."""
import re

import pytest

PAGES = {
    "/mentions-legales": ("Mentions légales", "Legal notice"),
    "/accessibilite": ("Déclaration d’accessibilité", "Accessibility statement"),
    "/confidentialite": ("Politique de confidentialité", "Privacy policy"),
    "/plan-du-site": ("Plan du site", "Site map"),
    "/contact": ("Contact", "Contact"),
}
FOOTER_LINKS = ["/mentions-legales", "/accessibilite", "/confidentialite", "/plan-du-site", "/contact"]


def heading(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page, re.S).group(1).strip()


@pytest.mark.parametrize("address", PAGES)
def test_each_page_answers_in_french(client, address):
    response = client.get(address)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="fr"' in page
    assert heading(page) == PAGES[address][0]


@pytest.mark.parametrize("address", PAGES)
def test_each_page_answers_in_english_under_its_language_prefix(client, address):
    page = client.get(f"/en{address}").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert heading(page) == PAGES[address][1]


@pytest.mark.parametrize("address", ["/ar/accessibilite", "/es/confidentialite", "/uk/contact"])
def test_the_other_languages_answer_too(client, address):
    response = client.get(address)
    assert response.status_code == 200
    assert "non renseigné" not in response.get_data(as_text=True)


def footer(page: str) -> str:
    return re.search(r'<footer class="site-footer".*?</footer>', page, re.S).group(0)


@pytest.mark.parametrize("address", ["/", "/recherche", "/lieux/{place}", "/open-data",
                                     "/connexion", "/mentions-legales", "/contact", "/en/", "/ar/plan-du-site"])
def test_every_public_page_links_to_them_from_its_footer(client, place, address):
    """(The printable sheet has no footer: it is made for paper.)"""
    page = client.get(address.format(place=place.public_id)).get_data(as_text=True)
    links = re.findall(r'href="([^"]+)"', footer(page))
    prefix = address[:3] if address.startswith(("/en/", "/ar/")) else ""
    assert [link for link in links if link.removeprefix(prefix) in FOOTER_LINKS] == [
        prefix + link for link in FOOTER_LINKS]


def test_the_footer_states_the_accessibility_conformity(client):
    assert "Accessibilité\u00a0: partiellement conforme" in footer(client.get("/").get_data(as_text=True))


def test_the_legal_notice_names_publisher_director_and_host_from_the_configuration(app, client):
    page = client.get("/mentions-legales").get_data(as_text=True)
    for name in ("SITE_PUBLISHER_NAME", "SITE_PUBLISHER_ADDRESS", "SITE_PUBLICATION_DIRECTOR", "SITE_HOST_NAME",
                 "SITE_HOST_ADDRESS"):
        assert app.config[name].replace("'", "&#39;") in page
    assert f'href="mailto:{app.config["SITE_CONTACT_EMAIL"]}"' in page


def test_a_fact_left_empty_in_production_is_said_not_filled_in(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SITE_HOST_NAME", "")
    monkeypatch.setitem(app.config, "SITE_DPO_CONTACT", "  ")
    assert client.get("/mentions-legales").get_data(as_text=True).count("non renseigné") == 1
    assert client.get("/confidentialite").get_data(as_text=True).count("non renseigné") == 1


def test_development_fills_the_facts_for_the_demonstration_and_production_does_not():
    import os

    from coordination.config import DEMO_SITE, Config, DevelopmentConfig
    assert all(getattr(DevelopmentConfig, name) for name in DEMO_SITE)
    assert all(getattr(Config, name) == os.environ.get(name, "") for name in DEMO_SITE)


def test_the_accessibility_statement_is_honest_about_its_state(client):
    page = client.get("/accessibilite").get_data(as_text=True)
    assert "partiellement conforme" in page
    assert "7 décembre 2026" in page
    assert "axe-core" in page and "Aucun audit complet du RGAA" in page
    assert "Critères 3.3 et 10.7" in page  # the focus outline's contrast (issue 18)
    assert "Défenseur des droits" in page and "Libre réponse 71120" in page
    assert 'href="/contact"' in page


def test_the_privacy_policy_quotes_the_retention_periods_of_the_configuration(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_LOG_RETENTION_DAYS", 200)
    monkeypatch.setitem(app.config, "REFERRAL_RETENTION_DAYS", 45)
    monkeypatch.setitem(app.config, "REFERRAL_EXPIRY_DAYS", 1)
    monkeypatch.setitem(app.config, "REFERRAL_CONSENT_VERSION", "2027-02")
    page = client.get("/confidentialite").get_data(as_text=True)
    assert "Ce journal est effacé au bout de 200 jours." in page
    assert "effacés 45 jours après la fin de l" in page
    assert "ne répond pas dans les 1 jour," in page
    assert "version 2027-02" in page
    assert "tile.openstreetmap.org" in page  # the map tiles' server sees the address


def test_the_privacy_policy_in_ukrainian_uses_the_plural_of_the_number(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REFERRAL_RETENTION_DAYS", 3)
    page = client.get("/uk/confidentialite").get_data(as_text=True)
    assert "через 3 дні після завершення направлення" in page


def test_the_site_map_lists_the_public_pages(client):
    page = client.get("/plan-du-site").get_data(as_text=True)
    for link in ("/", "/recherche", "/open-data", "/api/v1/", "/rejoindre", "/connexion", *FOOTER_LINKS):
        assert f'href="{link}"' in page
