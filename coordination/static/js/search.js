// Search pages. Everything works without this file: it unfolds the search form on wide screens
// and offers « Autour de moi », which asks the browser's position only when the button is clicked.
(function () {
  "use strict";

  var fold = document.querySelector("[data-search-fold]");
  if (fold && window.matchMedia("(min-width: 60rem)").matches) {
    fold.open = true;
  }

  var button = document.querySelector("[data-near-button]");
  if (!button || !navigator.geolocation) {
    return;
  }
  var form = button.form;
  var near = form.querySelector("[data-near]");
  var status = form.querySelector("[data-near-status]");  // its messages, in the page's language
  var where = form.querySelector("[name=ou]");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = status.dataset.searching;
    navigator.geolocation.getCurrentPosition(function (position) {
      // about 100 m: enough to sort places by distance, no more travels in the address
      near.value = position.coords.latitude.toFixed(3) + "," + position.coords.longitude.toFixed(3);
      near.disabled = false;
      where.value = "";
      status.textContent = status.dataset.found;
    }, function () {
      near.disabled = true;
      status.textContent = status.dataset.unavailable;
    }, {maximumAge: 600000, timeout: 15000});
  });
})();
