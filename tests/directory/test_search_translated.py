"""Issue 17: the residents' search in another language. Labels are translated, what the URL carries
(searches, filter values) stays French, numbers follow the page's language."""
from html import unescape

import pytest

from coordination.directory.search_page import distance, format_distance
from coordination.web.i18n import LANGUAGES


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.get_data(as_text=True))


def test_the_home_page_in_english_keeps_the_searches_in_french(client):
    html = page(client, "/en/")
    assert '<html lang="en" dir="ltr">' in html
    assert "Find help with digital tools near you" in html
    assert '<button type="submit" name="q" value="CAF">CAF (family benefits) paperwork</button>' in html
    assert "Places are described in French" in html


def test_the_french_page_has_no_note_about_french_listings(client):
    assert "décrits en français" not in page(client, "/")
    assert "décrits en français" not in page(client, "/recherche?q=caf")


def test_filters_are_labelled_in_the_page_language_with_french_values(client):
    html = page(client, "/es/recherche?q=x&services=Aide+aux+d%C3%A9marches+administratives&frais=Gratuit")
    assert '<html lang="es" dir="ltr">' in html
    assert 'name="services" value="Aide aux démarches administratives" checked' in html
    assert "Ayuda con los trámites administrativos" in html
    assert "Filtrar (2 filtros activos)" in html
    assert "2 filtros" in html  # the folded summary


def test_an_unknown_filter_is_explained_in_the_page_language(client):
    html = page(client, "/uk/recherche?q=x&services=Cuisine")
    assert '<html lang="uk" dir="ltr">' in html
    assert "Фільтра «Cuisine» не існує: його не враховано." in html


def test_arabic_pages_are_right_to_left(client):
    html = page(client, "/ar/recherche?q=x")
    assert '<html lang="ar" dir="rtl">' in html and "العثور على مساعدة رقمية" in html


@pytest.mark.parametrize(("code", "km", "expected"), [
    ("fr", 1.5, "à 1,5\u00a0km"),
    ("en", 1.5, "1.5\u00a0km away"),
    ("fr", 0.34, "à 340\u00a0m"),
    ("fr", 12.4, "à 12\u00a0km"),
    ("es", 2.25, "a 2,2\u00a0km"),
])
def test_distances_in_the_page_language(app, code, km, expected):
    prefix = "" if code == "fr" else f"/{code}"
    with app.test_request_context(f"{prefix}/recherche"):
        app.preprocess_request()
        assert code in LANGUAGES
        assert format_distance(km) == expected
        assert distance(km).replace("\u00a0", " ") in expected.replace("\u00a0", " ")
