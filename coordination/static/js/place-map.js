// Place page: a small map of the place with Leaflet (served from /vendor). Without JavaScript, or
// when Leaflet is missing, the map stays hidden and the « Voir sur une carte » link is the map.
// The map never takes the keyboard: its container is not a tab stop (keyboard: false) and one
// finger scrolls the page on a phone (no dragging on touch screens); the address is beside it.
(function () {
  "use strict";
  var box = document.getElementById("place-map");
  if (!box || !window.L) {
    return;
  }
  var position = [parseFloat(box.dataset.latitude), parseFloat(box.dataset.longitude)];
  if (isNaN(position[0]) || isNaN(position[1])) {
    return;
  }
  box.hidden = false;
  var map = L.map(box, {
    center: position,
    zoom: 16,
    keyboard: false,
    scrollWheelZoom: false,
    dragging: !L.Browser.mobile,
    tap: false,
    zoomControl: false
  });
  L.control.zoom({zoomInTitle: box.dataset.zoomIn, zoomOutTitle: box.dataset.zoomOut}).addTo(map);
  L.tileLayer(box.dataset.tiles, {maxZoom: 19, attribution: box.dataset.attribution}).addTo(map);
  L.marker(position, {title: box.dataset.name, alt: box.dataset.name, keyboard: false, interactive: false})
    .addTo(map);
})();
