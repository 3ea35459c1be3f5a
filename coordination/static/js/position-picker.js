// Place form: place the marker on a map (Leaflet, from /vendor) to fill the latitude and longitude
// fields. Without JavaScript, or when Leaflet is missing, the map stays hidden and the two fields
// are the way. With a keyboard: the map is one tab stop (arrows move it, + and - zoom) and the
// button places the marker at its centre; the fields stay editable and move the marker.
(function () {
  "use strict";
  var box = document.getElementById("position-map");
  var latitude = document.getElementById("latitude");
  var longitude = document.getElementById("longitude");
  if (!box || !latitude || !longitude || !window.L) {
    return;
  }
  var status = document.getElementById("position-status");
  var data = box.dataset;
  box.parentElement.hidden = false;
  var map = L.map(box, {center: [parseFloat(data.latitude), parseFloat(data.longitude)],
                        zoom: parseInt(data.zoom, 10), zoomControl: false, scrollWheelZoom: false});
  L.control.zoom({zoomInTitle: data.zoomIn, zoomOutTitle: data.zoomOut}).addTo(map);
  L.tileLayer(data.tiles, {maxZoom: 19, attribution: data.attribution}).addTo(map);
  var marker = null;

  function typed() {
    var lat = parseFloat(latitude.value.replace(",", "."));
    var lon = parseFloat(longitude.value.replace(",", "."));
    return isNaN(lat) || isNaN(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180 ? null : L.latLng(lat, lon);
  }

  function show(position) {
    if (!marker) {
      marker = L.marker(position, {draggable: true, keyboard: false, title: data.marker, alt: data.marker})
        .addTo(map);
      marker.on("dragend", function () { fill(marker.getLatLng()); });
    } else {
      marker.setLatLng(position);
    }
  }

  function fill(position) {
    var lat = position.lat.toFixed(6);
    var lon = L.Util.wrapNum(position.lng, [-180, 180], true).toFixed(6);
    latitude.value = lat;
    longitude.value = lon;
    show(L.latLng(lat, lon));
    status.textContent = data.placed.replace("__LAT__", lat).replace("__LON__", lon);
  }

  var start = typed();
  if (start) {
    show(start);
  }
  map.on("click", function (event) { fill(event.latlng); });
  document.getElementById("position-centre").addEventListener("click", function () { fill(map.getCenter()); });
  [latitude, longitude].forEach(function (field) {
    field.addEventListener("change", function () {
      var position = typed();
      if (position) {
        show(position);
        map.setView(position, Math.max(map.getZoom(), 15));
      }
    });
  });
})();
