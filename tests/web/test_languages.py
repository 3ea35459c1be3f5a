"""Public pages in the reader's language: the language is in the URL, so that a shared link opens in
the language it was read in; partner and coordination pages stay French at their one address."""
import re

import pytest


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_a_french_page_has_no_prefix_and_says_it_is_french(client):
    page = client.get("/recherche").get_data(as_text=True)
    assert html_tag(page) == '<html lang="fr" dir="ltr">'
    assert ">Trouver de l’aide<" in page   # French typeset from the plainly typed source


def test_an_english_address_gives_the_page_in_english(client):
    page = client.get("/en/recherche").get_data(as_text=True)
    assert html_tag(page) == '<html lang="en" dir="ltr">'
    assert ">Find help<" in page and ">Log in<" in page


def test_arabic_pages_read_right_to_left(client):
    assert html_tag(client.get("/ar/").get_data(as_text=True)) == '<html lang="ar" dir="rtl">'


def test_every_version_of_the_page_is_announced_to_search_engines(client):
    page = client.get("/es/recherche?q=caf").get_data(as_text=True)
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', page))
    assert alternates == {
        "fr": "http://localhost/recherche?q=caf", "en": "http://localhost/en/recherche?q=caf",
        "es": "http://localhost/es/recherche?q=caf", "ar": "http://localhost/ar/recherche?q=caf",
        "uk": "http://localhost/uk/recherche?q=caf", "x-default": "http://localhost/recherche?q=caf"}


def test_the_switcher_names_each_language_in_itself_and_marks_the_current_one(client):
    page = client.get("/uk/").get_data(as_text=True)
    switcher = re.search(r'<nav class="languages".*?</nav>', page, re.S).group(0)
    assert 'lang="ar" hreflang="ar">العربية</a>' in switcher
    assert re.search(r'hreflang="uk" aria-current="true">Українська</a>', switcher)


def test_links_stay_in_the_language_on_public_pages_only(client):
    page = client.get("/en/recherche").get_data(as_text=True)
    assert 'href="/en/"' in page            # « Find help »: the home page, in English
    assert 'href="/connexion"' in page      # the partner space has one address, in French


@pytest.mark.parametrize("address", ["/en/connexion", "/fr/recherche", "/de/recherche"])
def test_no_language_prefix_where_there_is_no_translated_page(client, address):
    assert client.get(address).status_code == 404


def test_pages_outside_the_public_site_stay_french(client):
    page = client.get("/connexion", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="fr" dir="ltr">'
    assert '<nav class="languages"' not in page


def test_each_request_has_its_own_language(app, client):
    with app.app_context():  # one context for several requests, as in a test or a shell
        assert ">Find help<" in client.get("/en/").get_data(as_text=True)
        assert ">Trouver de l’aide<" in client.get("/").get_data(as_text=True)
        assert '<html lang="fr"' in client.get("/nulle-part").get_data(as_text=True)
