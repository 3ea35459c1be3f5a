/* The coordination lists' action bar (issue 18): a « tout cocher » box for the rows of the page, and the
   number of rows ticked, read out politely. Without JavaScript each row is ticked on its own. */
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var form = all.form;
    if (!form) { return; }
    var rows = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][name=ids]"));
    var count = form.querySelector("[data-selection-count]");
    if (!rows.length) { return; }
    all.hidden = false;
    var fallback = form.querySelector("[data-select-all-fallback]");
    if (fallback) { fallback.remove(); }
    if (all.labels) { Array.prototype.forEach.call(all.labels, function (label) { label.hidden = false; }); }
    function update() {
      var ticked = rows.filter(function (row) { return row.checked; }).length;
      all.checked = ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
      if (count) {
        var text = ticked <= 1 ? count.getAttribute("data-one") : count.getAttribute("data-many");
        count.textContent = ticked === 0 ? "" : text.replace("{n}", String(ticked));
      }
    }
    all.addEventListener("change", function () {
      rows.forEach(function (row) { row.checked = all.checked; });
      update();
    });
    rows.forEach(function (row) { row.addEventListener("change", update); });
    update();
  });
}());
