// Closures page: the exceptional-hours editor shows only while « ouvert avec des horaires
// exceptionnels » is chosen (without JavaScript it is always shown, and ignored for « fermé »).
(function () {
  "use strict";
  var grid = document.querySelector("[data-closure-hours]");
  var radios = document.querySelectorAll("input[type=radio][name=kind]");
  if (!grid || !radios.length) { return; }
  function update() {
    var chosen = document.querySelector("input[type=radio][name=kind]:checked");
    grid.hidden = !chosen || chosen.value !== "hours";
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
