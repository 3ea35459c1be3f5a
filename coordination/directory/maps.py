"""Results maps: places in, an HTML fragment out. The only module that imports Folium.

The fragment is embedded in our own templates (title, language, layout): the Leaflet and
Leaflet.markercluster assets come from ``/vendor`` (npm packages served by the app), never from a
CDN; markers use Leaflet's default image (served from ``/vendor/leaflet/images``), never
``folium.Icon``; Folium's inline ``<style>`` blocks are dropped (the map's size is in our CSS), and
its one inline ``<script>`` carries the request's CSP nonce. Popups are built with DOM text nodes
from JSON data, so a place's name is never parsed as HTML.

Up to ``CLUSTER_THRESHOLD`` places become plain markers; beyond, one ``FastMarkerCluster`` whose
data is a compact JSON array (5,000 places stay well under 1 MB).
"""
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

import folium
from branca.element import MacroElement
from folium.plugins import FastMarkerCluster
from folium.template import Template

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

    def __init__(self, rows: list):
        super().__init__()
        self._name = "PlainMarkers"
        self.rows = rows
        self.callback = _MARKER_JS


class _FrenchControls(MacroElement):
    """Zoom buttons labelled in French (Leaflet's defaults are English) and a metric scale."""
    _template = Template("""
        {% macro script(this, kwargs) %}
            L.control.zoom({zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer"})
                .addTo({{ this._parent.get_name() }});
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)


def _map_classes(vendor: str):
    leaflet_js, leaflet_css, cluster_js, cluster_css = _assets(vendor)

    class Map(folium.Map):
        default_js = leaflet_js
        default_css = leaflet_css

    class Cluster(FastMarkerCluster):
        default_js = cluster_js
        default_css = cluster_css

    return Map, Cluster


def _tags(scripts: Iterable[tuple[str, str]], styles: Iterable[tuple[str, str]]) -> list[str]:
    tags = [f'<link rel="stylesheet" href="{escape(url)}">' for _, url in styles]
    tags += [f'<script src="{escape(url)}"></script>' for _, url in scripts]
    return tags


def results_map(places_with_coords: Iterable[MapPlace], center: tuple[float, float] | None = None, *,
                tile_url: str, attribution: str, nonce: str | None = None, vendor: str = "/vendor",
                label: str = "Carte des résultats") -> str:
    """An HTML fragment: asset tags, the map's container, and its script (with ``nonce``).

    ``center`` (latitude, longitude) is the searched position: shown as a ring, included in the view.
    ``attribution`` is the tile provider's notice (HTML, from configuration).
    """
    places = [p for p in places_with_coords if p.latitude is not None and p.longitude is not None]
    Map, Cluster = _map_classes(vendor)
    points = [(p.latitude, p.longitude) for p in places] + ([tuple(center)] if center else [])
    start = points[0] if len(points) == 1 else (center or FRANCE)
    fmap = Map(location=list(start), zoom_start=DEFAULT_ZOOM if points else 6, tiles=tile_url, attr=attribution,
               zoom_control=False)
    _FrenchControls().add_to(fmap)
    if center:
        folium.CircleMarker(list(center), radius=9, color="#b00020", weight=3, fill=False,
                            interactive=False).add_to(fmap)
    rows = [p.row() for p in places]
    if len(rows) > CLUSTER_THRESHOLD:
        Cluster(rows, callback=_MARKER_JS, options={"chunkedLoading": True}).add_to(fmap)
    elif rows:
        _PlainMarkers(rows).add_to(fmap)
    if len(points) > 1:
        fmap.fit_bounds([[min(p[0] for p in points), min(p[1] for p in points)],
                         [max(p[0] for p in points), max(p[1] for p in points)]], padding=(20, 20), max_zoom=15)

    figure = fmap.get_root()
    figure.render()
    _, leaflet_css, cluster_js, cluster_css = _assets(vendor)
    scripts = list(Map.default_js) + (list(cluster_js) if len(rows) > CLUSTER_THRESHOLD else [])
    styles = list(leaflet_css) + (list(cluster_css) if len(rows) > CLUSTER_THRESHOLD else [])
    container = figure.html.render().strip()
    container = container.replace('class="folium-map"',
                                  f'class="folium-map results-map-canvas" role="region" aria-label="{escape(label)}"', 1)
    nonce_attr = f' nonce="{escape(nonce)}"' if nonce else ""
    script = f"<script{nonce_attr}>{figure.script.render()}</script>"
    return "\n".join([*_tags(scripts, styles), container, script])
