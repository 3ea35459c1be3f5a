// Meeting forms: the recurrence picker shows the details of the rhythm chosen and a live preview of
// the next dates (computed by the server, in French); the invited organisations' list shows when
// « les organisations cochées » is chosen, with a filter when it is long. Without JavaScript every
// field shows and « Voir les prochaines dates » submits the form for the same preview.
(function () {
  "use strict";

  function checked(container, name) {
    var input = container.querySelector("input[name=" + name + "]:checked");
    return input ? input.value : "";
  }

  function setupRecurrence(picker) {
    var form = picker.closest("form"), output = picker.querySelector("[data-recurrence-output]");
    var timer = null, serial = 0;

    function showKinds() {
      var kind = checked(picker, "kind");
      picker.querySelectorAll("[data-kinds]").forEach(function (part) {
        part.hidden = part.getAttribute("data-kinds").split(" ").indexOf(kind) === -1;
      });
    }

    function render(data) {
      output.textContent = "";
      if (data.errors) {
        var error = document.createElement("p");
        error.className = "error-message";
        error.textContent = data.errors.join(" ");
        output.appendChild(error);
        return;
      }
      var rule = document.createElement("p");
      rule.textContent = data.description;
      output.appendChild(rule);
      var list = document.createElement("ol");
      data.dates.forEach(function (day) {
        var item = document.createElement("li");
        item.textContent = day;
        list.appendChild(item);
      });
      output.appendChild(list);
    }

    function refresh() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (name !== "csrf_token" && name !== "agenda") { params.append(name, value); }
      });
      var mine = ++serial;
      fetch(picker.getAttribute("data-preview-url") + "?" + params.toString(), {credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (data) { if (mine === serial) { render(data); } })
        .catch(function () {});
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    }

    picker.addEventListener("change", function () { showKinds(); later(); });
    picker.addEventListener("input", later);
    showKinds();
    if (form.querySelector("input[name=first_date]").value || checked(picker, "kind") === "dates") { refresh(); }
  }

  function setupInvited(fieldset) {
    var list = fieldset.querySelector("[data-invited-list]");
    var items = Array.prototype.slice.call(list.querySelectorAll("li[data-name]"));
    var filter = fieldset.querySelector("[data-invited-filter]");

    function showList() { list.hidden = checked(fieldset, "invite") !== "chosen"; }
    fieldset.addEventListener("change", showList);
    showList();
    if (items.length > 8) {
      filter.hidden = false;
      filter.querySelector("input").addEventListener("input", function (event) {
        var wanted = event.target.value.trim().toLowerCase();
        items.forEach(function (item) {
          var box = item.querySelector("input");
          item.hidden = wanted !== "" && item.getAttribute("data-name").indexOf(wanted) === -1 && !box.checked;
        });
      });
    }
  }

  document.querySelectorAll("[data-recurrence]").forEach(setupRecurrence);
  document.querySelectorAll("[data-invited]").forEach(setupInvited);
})();
