"""Results maps: places in, an HTML fragment out. The only module that imports Folium.

The fragment is embedded in our own templates (title, language, layout): the Leaflet and
Leaflet.markercluster assets come from ``/vendor`` (npm packages served by the app), never from a
CDN; markers use Leaflet's default image (served from ``/vendor/leaflet/images``), never
``folium.Icon``; Folium's inline ``<style>`` blocks are dropped (the map's size is in our CSS), and
its one inline ``<script>`` carries the request's CSP nonce. Popups are built with DOM text nodes
from JSON data, so a place's name is never parsed as HTML.

Up to ``CLUSTER_THRESHOLD`` places become plain markers; beyond, one ``FastMarkerCluster`` whose
data is a compact JSON array (5,000 places stay well under 1 MB).

Folium builds a map "skeleton" once per configuration (tiles, vendor path, clustered or not), with
placeholders for the view and the markers; each map pours its JSON into it. A Folium render costs
about 10 ms — too much for every results page — the substitution a few microseconds.
"""
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

import folium
from branca.element import MacroElement
from folium.plugins import FastMarkerCluster
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps

CLUSTER_THRESHOLD = 300
DEFAULT_ZOOM = 13
FRANCE = (46.6, 2.4)


@dataclass(frozen=True)
class MapPlace:
    """What a marker needs: where, what to say, where to link."""
    latitude: float
    longitude: float
    name: str
    url: str
    detail: str = ""  # e.g. "à 1,2 km — Nantes"

    def row(self) -> list:
        return [round(self.latitude, 6), round(self.longitude, 6), self.name, self.url, self.detail]


def _assets(vendor: str) -> tuple[list, list, list, list]:
    leaflet_js = [("leaflet", f"{vendor}/leaflet/leaflet.js")]
    leaflet_css = [("leaflet_css", f"{vendor}/leaflet/leaflet.css")]
    cluster_js = [("markerclusterjs", f"{vendor}/leaflet.markercluster/leaflet.markercluster.js")]
    cluster_css = [("markerclustercss", f"{vendor}/leaflet.markercluster/MarkerCluster.css"),
                   ("markerclusterdefaultcss", f"{vendor}/leaflet.markercluster/MarkerCluster.Default.css")]
    return leaflet_js, leaflet_css, cluster_js, cluster_css


# A marker from a JSON row [lat, lon, name, url, detail]; the popup is built from text nodes.
_MARKER_JS = """function (row) {
    var marker = L.marker(new L.LatLng(row[0], row[1]), {title: row[2], alt: row[2], keyboard: true});
    marker.bindPopup(function () {
        var box = document.createElement("div");
        var link = document.createElement("a");
        link.href = row[3];
        link.textContent = row[2];
        box.appendChild(link);
        if (row[4]) {
            var detail = document.createElement("p");
            detail.textContent = row[4];
            box.appendChild(detail);
        }
        return box;
    });
    return marker;
}"""


# Placeholders of the cached skeletons, replaced by each map's JSON (one pass: data never re-scanned).
_ROWS, _VIEW = "__MAILLAGE_ROWS__", "__MAILLAGE_VIEW__"
_PLACEHOLDER = re.compile(r'"(__MAILLAGE_(?:ROWS|VIEW)__)"')


class _View(MacroElement):
    """Sets the view (fit the points, or centre) before any tile is asked; rings the searched position."""
    _template = Template("""
        {% macro script(this, kwargs) %}
            (function (map, view) {
                if (view.bounds) {
                    map.fitBounds(view.bounds, {padding: [20, 20], maxZoom: 15});
                } else {
                    map.setView(view.start, view.zoom);
                }
                if (view.center) {
                    L.circleMarker(view.center, {radius: 9, color: "#b00020", weight: 3, fill: false,
                                                 interactive: false}).addTo(map);
                }
            })({{ this._parent.get_name() }}, {{ this.view|tojson }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "View"
        self.view = _VIEW


class _PlainMarkers(MacroElement):
    """Plain markers (no clustering) from one JSON array: the same marker function as the cluster."""
    _template = Template("""
        {% macro script(this, kwargs) %}
            (function () {
                var makeMarker = {{ this.callback }};
                var rows = {{ this.rows|tojson }};
                for (var i = 0; i < rows.length; i++) {
                    makeMarker(rows[i]).addTo({{ this._parent.get_name() }});
                }
            })();
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "PlainMarkers"
        self.rows = _ROWS
        self.callback = _MARKER_JS


class _Tiles(MacroElement):
    """The tile layer, URL and attribution as JSON strings. (folium.TileLayer would first look the URL
    up among xyzservices' hundreds of providers: 20 ms a map.)"""
    _template = Template("""
        {% macro script(this, kwargs) %}
            L.tileLayer({{ this.url|tojson }}, {maxZoom: 19, attribution: {{ this.attribution|tojson }}})
                .addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, url: str, attribution: str):
        super().__init__()
        self._name = "Tiles"
        self.url = url
        self.attribution = attribution


class _FrenchControls(MacroElement):
    """Zoom buttons labelled in the page's language (Leaflet's defaults are English) and a metric scale."""
    _template = Template("""
        {% macro script(this, kwargs) %}
            L.control.zoom({zoomInTitle: {{ this.zoom_in|tojson }}, zoomOutTitle: {{ this.zoom_out|tojson }}})
                .addTo({{ this._parent.get_name() }});
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, zoom_in: str, zoom_out: str):
        super().__init__()
        self.zoom_in, self.zoom_out = zoom_in, zoom_out


def _tags(scripts: Iterable[tuple[str, str]], styles: Iterable[tuple[str, str]]) -> list[str]:
    tags = [f'<link rel="stylesheet" href="{escape(url)}">' for _, url in styles]
    tags += [f'<script src="{escape(url)}"></script>' for _, url in scripts]
    return tags


@functools.lru_cache(maxsize=16)
def _skeleton(tile_url: str, attribution: str, vendor: str, clustered: bool, label: str,
              zoom: tuple[str, str] = ("Zoomer", "Dézoomer")) -> tuple[str, str, str]:
    """(asset tags, container, script) of a map whose view and markers are placeholders. Folium
    builds it once per configuration; each map then only pours its JSON in (microseconds, where a
    Folium render costs milliseconds)."""
    leaflet_js, leaflet_css, cluster_js, cluster_css = _assets(vendor)

    class Map(folium.Map):
        default_js = leaflet_js
        default_css = leaflet_css

    class Cluster(FastMarkerCluster):
        default_js = cluster_js
        default_css = cluster_css

    fmap = Map(location=list(FRANCE), zoom_start=6, tiles=None, zoom_control=False)
    _View().add_to(fmap)  # before the tiles: no tile of the placeholder view is ever asked
    _Tiles(tile_url, attribution).add_to(fmap)
    _FrenchControls(*zoom).add_to(fmap)
    if clustered:
        cluster = Cluster([], callback=_MARKER_JS, options={"chunkedLoading": True})
        cluster.data = _ROWS
        cluster.add_to(fmap)
    else:
        _PlainMarkers().add_to(fmap)

    figure = fmap.get_root()
    figure.render()
    assets = "\n".join(_tags(leaflet_js + (cluster_js if clustered else []),
                             leaflet_css + (cluster_css if clustered else [])))
    container = figure.html.render().strip().replace(
        'class="folium-map"', f'class="folium-map results-map-canvas" role="region" aria-label="{escape(label)}"', 1)
    script = figure.script.render()
    assert len(_PLACEHOLDER.findall(script)) == 2, "a map skeleton holds each placeholder once"
    return assets, container, script


def _view(points: list[tuple[float, float]], center: tuple[float, float] | None) -> dict:
    view: dict = {"center": list(center) if center else None, "bounds": None, "start": list(FRANCE), "zoom": 6}
    if len(points) > 1:
        view["bounds"] = [[min(p[0] for p in points), min(p[1] for p in points)],
                          [max(p[0] for p in points), max(p[1] for p in points)]]
    elif points:
        view["start"], view["zoom"] = list(points[0]), DEFAULT_ZOOM
    return view


def results_map(places_with_coords: Iterable[MapPlace], center: tuple[float, float] | None = None, *,
                tile_url: str, attribution: str, nonce: str | None = None, vendor: str = "/vendor",
                label: str = "Carte des résultats", zoom: tuple[str, str] = ("Zoomer", "Dézoomer")) -> str:
    """An HTML fragment: asset tags, the map's container, and its script (with ``nonce``).

    ``center`` (latitude, longitude) is the searched position: shown as a ring, included in the view.
    ``attribution`` is the tile provider's notice (HTML, from configuration); ``label`` and ``zoom``
    (the buttons' titles) are in the page's language.
    """
    places = [p for p in places_with_coords if p.latitude is not None and p.longitude is not None]
    rows = [p.row() for p in places]
    points = [(p.latitude, p.longitude) for p in places] + ([tuple(center)] if center else [])
    assets, container, script = _skeleton(tile_url, attribution, vendor, len(rows) > CLUSTER_THRESHOLD, label,
                                          tuple(zoom))
    data = {_ROWS: htmlsafe_json_dumps(rows, separators=(",", ":"), ensure_ascii=False),
            _VIEW: htmlsafe_json_dumps(_view(points, center), separators=(",", ":"))}
    script = _PLACEHOLDER.sub(lambda match: data[match[1]], script)
    nonce_attr = f' nonce="{escape(nonce)}"' if nonce else ""
    return f"{assets}\n{container}\n<script{nonce_attr}>{script}</script>"
