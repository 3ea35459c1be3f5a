"""Issue 14, items 5, 7 and 8: « Ouvert maintenant » with nothing open shows the next openings,
« Autour de moi » searches from the browser's position without storing it, the home page's
« Je cherche… » buttons, and the folded form after a search."""
import re
from datetime import datetime
from html import unescape

import pytest
from sqlalchemy import select

from coordination.core.clock import PARIS
from coordination.directory import search, services
from coordination.directory.models import SearchLog
from coordination.directory.views import COMMON_NEEDS
from coordination.extensions import db
from coordination.testing.factories import make_organisation, make_place
from tests.directory.test_search import index_and_geocoder, offset, run  # noqa: F401 (autouse fixture)

SUNDAY_EVENING = datetime(2026, 3, 8, 19, 0, tzinfo=PARIS)
TUESDAY_MORNING = datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)


@pytest.fixture
def week_places():
    organisation = make_organisation()

    def at(name, km, hours, **fields):
        point = offset(km, 0)
        return make_place(organisation, name=name, latitude=point[0], longitude=point[1], opening_hours=hours,
                          **fields)
    places = [at("Ouvre mardi", 1, "Tu 14:00-17:00"), at("Ouvre lundi matin", 2, "Mo 09:00-12:00"),
              at("Horaires inconnus", 3, ""), at("Ouvre lundi après-midi", 4, "Mo 14:00-17:00")]
    search.reindex()
    return places


def names(hits):
    return [hit.place.name for hit in hits]


def test_nothing_open_now_shows_the_next_openings_soonest_first(week_places):
    results = run(open_now=True, now=SUNDAY_EVENING)
    assert results.total == 0 and results.hits == []
    # the nearest place opens last; a place without hours cannot be promised
    assert names(results.next_openings) == ["Ouvre lundi matin", "Ouvre lundi après-midi", "Ouvre mardi"]
    assert services.NOTHING_OPEN_NOW in results.messages
    assert not any("même dans un rayon" in message for message in results.messages)


def test_something_open_now_needs_no_next_openings(week_places):
    results = run(open_now=True, now=TUESDAY_MORNING.replace(hour=15))
    assert names(results.hits) == ["Ouvre mardi"]
    assert results.next_openings == []


def test_next_openings_only_for_what_matches_the_words(week_places):
    results = run(text="zzzzzz", open_now=True, now=SUNDAY_EVENING)
    assert results.next_openings == [] and services.NOTHING_OPEN_NOW not in results.messages


def test_the_page_says_nothing_is_open_and_when_places_open(client, week_places, monkeypatch):
    real = services.search_places
    monkeypatch.setattr(services, "search_places", lambda request, **kw: real(request, now=SUNDAY_EVENING, log=False))
    html = unescape(client.get("/recherche?ou=Nantes&ouvert=1").get_data(as_text=True))
    assert "Aucun lieu ouvert en ce moment" in html
    assert "Prochaines ouvertures" in html
    assert re.findall(r'<h3 class="result-name"><a href="/lieux/[^"]+">([^<]+)</a>', html) == [
        "Ouvre lundi matin", "Ouvre lundi après-midi", "Ouvre mardi"]
    assert "ouvre demain à 9\u00a0h" in html  # the status of each place says when
    assert 'href="/recherche?ou=Nantes">Voir tous ces lieux, ouverts ou non' in html


# --- « Autour de moi » ---------------------------------------------------------------------

def test_around_me_searches_from_the_position_and_stores_nothing_of_it(client, week_places):
    lat, lon = offset(4, 0)
    html = unescape(client.get(f"/recherche?autour={lat:.5f},{lon:.5f}").get_data(as_text=True))
    assert "autour de votre position" in html
    first = re.findall(r'<h3 class="result-name"><a href="/lieux/[^"]+">([^<]+)</a>', html)[0]
    assert first == "Ouvre lundi après-midi"  # the place at 4 km north of Nantes is the nearest
    # the form keeps the position (rounded to about 100 m) for the next search, not more
    assert f'name="autour" value="{lat:.3f},{lon:.3f}"' in html
    rows = db.session.scalars(select(SearchLog)).all()
    assert len(rows) == 1 and rows[0].commune is None and rows[0].insee_code is None
    columns = " ".join(str(value) for value in vars(rows[0]).values())
    assert f"{lat:.3f}"[:5] not in columns and f"{lon:.3f}"[:5] not in columns


def test_a_typed_commune_wins_over_the_position(client, week_places):
    html = unescape(client.get("/recherche?ou=Nantes&autour=48.85,2.35").get_data(as_text=True))
    assert "autour de Nantes" in html and "votre position" not in html


def plain(text):
    """French as typed in the code: the pages set it with non-breaking spaces and ’ (issue 17)."""
    if isinstance(text, list):
        return [plain(item) for item in text]
    return str(text).replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")


@pytest.mark.parametrize("value", ["abc", "91,0", "45,200", "1,2,3", "nan,nan", "inf,0", ","])
def test_a_bad_position_is_ignored_with_a_french_notice(client, week_places, value):
    response = client.get(f"/recherche?autour={value}")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "La position transmise par le navigateur n'est pas valable : elle a été ignorée." in plain(html)
    assert "votre position" not in html


# --- the home page's « Je cherche… » -------------------------------------------------------

def test_home_offers_the_common_needs_as_buttons_of_one_form(client):
    html = unescape(client.get("/").get_data(as_text=True))
    assert "Je cherche…" in html
    form = re.search(r'<form class="needs-form" method="get" action="/recherche">(.*?)</form>', html, re.S).group(1)
    buttons = re.findall(r'<button type="submit" name="q" value="([^"]+)">([^<]+)</button>', form)
    assert buttons == [(query, label) for label, query in COMMON_NEEDS]
    assert 8 <= len(buttons) <= 12
    assert 'name="ou"' in form and '<label for="needs-ou">Près de</label>' in form
    # « Autour de moi » exists only once the script shows it; the position field is off until then
    assert re.search(r'<input type="hidden" name="autour" value="" disabled data-near>', form)
    assert re.search(r'<button type="button"[^>]*hidden data-near-button>Autour de moi</button>', form)


def test_a_need_button_leads_to_results_around_the_commune(client, week_places):
    html = unescape(client.get("/recherche?ou=Nantes&q=").get_data(as_text=True))
    assert "autour de Nantes" in html


# --- the folded form -----------------------------------------------------------------------

def test_after_a_search_the_form_folds_into_a_one_line_summary(client, week_places):
    html = unescape(client.get("/recherche?q=smartphone&ou=Nantes&rayon=20&ouvert=1").get_data(as_text=True))
    summary = re.search(r'<details class="search-fold" data-search-fold>\s*<summary>(.*?)</summary>', html, re.S)
    assert summary, "the form is not folded after a search"
    text = re.sub(r"<[^>]+>", "", summary.group(1))
    assert text == "Votre recherche\u00a0: smartphone · Nantes · 20\u00a0km · ouvert maintenant Modifier"
    assert '<details class="search-fold" data-search-fold open' not in html


def test_without_a_search_the_form_is_not_folded(client):
    html = client.get("/recherche").get_data(as_text=True)
    assert "search-fold" not in html and 'class="search-form"' in html


def test_every_need_button_is_understood_as_a_need(app):
    """Each button's search is a term of the needs vocabulary: it finds the places offering the
    service whatever their own words (« CAF » never means « café »)."""
    for label, query in COMMON_NEEDS:
        assert search.TextQuery.parse(query).needs, f"« {label} » ({query}) is not a known need"
