"""maps.py: places in, an HTML fragment out — no CDN, escaped names, clusters beyond a few hundred
markers, a light page for 5,000; and the CSP that lets the map run."""
import json
import re
from pathlib import Path

import folium
import pytest
from folium.plugins import FastMarkerCluster

from coordination.directory.maps import CLUSTER_THRESHOLD, MapPlace, results_map
from coordination.security import content_security_policy, tile_source

TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ATTRIBUTION = "© les contributeurs d'OpenStreetMap"
NANTES = (47.2173, -1.5534)


def places(count: int) -> list[MapPlace]:
    return [MapPlace(47.0 + (i % 100) / 100, -2.0 + (i // 100) / 100, f"Espace numérique n° {i}",
                     f"/lieux/{i:08d}-0000-4000-8000-000000000000", f"à {i % 50},{i % 10}\u00a0km — Nantes")
            for i in range(count)]


def render(items, center=NANTES, **kwargs):
    return results_map(items, center, tile_url=TILES, attribution=ATTRIBUTION, **kwargs)


@pytest.mark.parametrize("count", [1, 20, CLUSTER_THRESHOLD + 1])
def test_nothing_comes_from_a_cdn(count):
    html = render(places(count))
    urls = re.findall(r"""https?://[^\s"'<>`)\\]+""", html)
    assert urls and set(urls) == {TILES}
    assert "cdn" not in html.lower() and "//" not in html.replace(TILES, "").replace("://", "")
    assert 'src="/vendor/leaflet/leaflet.js"' in html
    assert 'href="/vendor/leaflet/leaflet.css"' in html
    assert "AwesomeMarkers" not in html and "$(" not in html and "bootstrap" not in html.lower()


def test_folium_defaults_are_left_alone():
    """The overrides are subclasses: nothing global is patched."""
    assert "cdn.jsdelivr.net" in dict(folium.Map.default_js)["leaflet"]
    render(places(CLUSTER_THRESHOLD + 1))
    assert "cdnjs.cloudflare.com" in dict(FastMarkerCluster.default_js)["markerclusterjs"]


def test_vendor_prefix_for_an_app_under_a_path():
    html = render(places(CLUSTER_THRESHOLD + 1), vendor="/reseau/vendor")
    assert 'src="/reseau/vendor/leaflet/leaflet.js"' in html
    assert 'src="/reseau/vendor/leaflet.markercluster/leaflet.markercluster.js"' in html
    assert 'href="/reseau/vendor/leaflet.markercluster/MarkerCluster.Default.css"' in html


def test_a_fragment_for_our_template_with_one_nonced_script():
    html = render(places(3), nonce="abc123")
    for tag in ("<html", "<head", "<body", "<title", "<meta", "<style", "<!DOCTYPE"):
        assert tag.lower() not in html.lower()
    assert "style=" not in html
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' nonce="abc123"']
    assert re.search(r'<div class="folium-map results-map-canvas" role="region" aria-label="Carte des résultats" '
                     r'id="map_[0-9a-f]+"', html)


def test_names_are_data_never_markup():
    html = render([MapPlace(47.2, -1.55, "<script>alert(1)</script>", "/lieux/x", "</script><b>")])
    assert "<script>alert" not in html and "</script><b>" not in html
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html
    assert "\\u003c/script\\u003e\\u003cb\\u003e" in html
    # the popup is built from text nodes, not parsed HTML
    assert "textContent = row[2]" in html and "innerHTML" not in html


def test_attribution_is_a_javascript_string():
    attribution = 'OSM"; alert(1); "'
    html = results_map(places(1), tile_url=TILES, attribution=attribution)
    literals = re.findall(r'attribution: ("(?:[^"\\]|\\.)*")', html)
    assert [json.loads(literal) for literal in literals] == [attribution]  # one string literal, the text intact
    assert html.count("alert(1)") == 1


def test_plain_markers_up_to_the_threshold_then_one_fast_cluster():
    plain = render(places(CLUSTER_THRESHOLD))
    assert "markerClusterGroup" not in plain and "leaflet.markercluster" not in plain
    assert plain.count("Espace num") == CLUSTER_THRESHOLD
    clustered = render(places(CLUSTER_THRESHOLD + 1))
    assert clustered.count("L.markerClusterGroup(") == 1
    assert 'src="/vendor/leaflet.markercluster/leaflet.markercluster.js"' in clustered
    assert 'href="/vendor/leaflet.markercluster/MarkerCluster.css"' in clustered


def test_places_without_coordinates_are_left_out_and_the_view_fits_the_rest():
    items = [*places(2), MapPlace(None, None, "Sans coordonnées", "/lieux/y")]
    html = render(items)
    assert "Sans coordonn" not in html
    assert '"center":[47.2173,-1.5534],"bounds":[[47.0,-2.0],[47.2173,-1.5534]]' in html


def test_one_place_no_center_is_centred_on_it():
    html = results_map(places(1), tile_url=TILES, attribution=ATTRIBUTION)
    assert '{"center":null,"bounds":null,"start":[47.0,-2.0],"zoom":13}' in html


def test_no_place_no_center_shows_france():
    html = results_map([], tile_url=TILES, attribution=ATTRIBUTION)
    assert '{"center":null,"bounds":null,"start":[46.6,2.4],"zoom":6}' in html
    assert "var rows = [];" in html


def test_the_folium_skeleton_is_built_once_per_configuration():
    first, second = render(places(2)), render(places(3))
    map_id = re.search(r'id="(map_[0-9a-f]+)"', first)[1]
    assert f'id="{map_id}"' in second
    other = results_map(places(2), tile_url="https://autre.example.org/{z}/{x}/{y}.png", attribution="x")
    assert f'id="{map_id}"' not in other and "autre.example.org" in other


def test_placeholders_never_leak_nor_are_replaced_twice():
    html = render([MapPlace(47.2, -1.55, "__MAILLAGE_VIEW__", "/lieux/x", '"__MAILLAGE_ROWS__"')])
    assert html.count("__MAILLAGE_VIEW__") == 1 and html.count("__MAILLAGE_ROWS__") == 1
    assert '"bounds":[[' in html


def test_five_thousand_markers_stay_light():
    html = render(places(5000))  # its time is measured by the bench (make bench)
    assert len(html.encode()) < 1_000_000
    assert html.count("L.markerClusterGroup(") == 1


def test_only_maps_imports_folium():
    package = Path(__file__).resolve().parents[2] / "coordination"
    importers = {str(path.relative_to(package)) for path in package.rglob("*.py")
                 if re.search(r"^\s*(import folium|from folium)", path.read_text(), re.M)}
    assert importers == {"directory/maps.py"}


# --- the policy that lets the map run -----------------------------------------------------------

@pytest.mark.parametrize("url, source", [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.fr"),
    ("http://127.0.0.1:5000/static/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:5000"),
    ("/static/tiles/{z}/{x}/{y}.png", None),
    ("https://tiles{s}.example.org/{z}/{x}/{y}.png", None),
    ("https://a.example.org; script-src *", None),
    ("", None),
    (None, None),
])
def test_tile_source(url, source):
    assert tile_source(url) == source


def test_policy_with_tiles_and_nonce():
    policy = content_security_policy(TILES, "n0nce")
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    assert "script-src 'self' 'nonce-n0nce';" in policy
    assert "style-src 'self';" in policy and "unsafe" not in policy
    assert "nonce" not in content_security_policy(TILES)
