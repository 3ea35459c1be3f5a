// The place picker (templates/_place_picker.html): the text field becomes a combobox over the
// places whose name or commune begin with what is typed (ARIA 1.2 combobox with a listbox popup).
// Down/Up move in the list, Enter chooses, Escape closes it; the number of places is announced.
// Without this script the form is posted with the text and the server offers the matches as radios.
(function () {
  "use strict";
  var DELAY_MS = 200;
  var MIN_LENGTH = 2;

  function setup(root, index) {
    var input = root.querySelector("input[type=text]");
    var hidden = root.querySelector("input[type=hidden]");
    if (!input || !hidden || !window.fetch) { return; }
    var listId = input.id + "-liste-" + index;
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "place-picker-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", root.querySelector("label").textContent);
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var places = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function say(text) { status.textContent = text; }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(position) {
      var options = list.querySelectorAll("[role=option]");
      active = position;
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === position ? "true" : "false"); });
      if (position >= 0 && options[position]) {
        input.setAttribute("aria-activedescendant", options[position].id);
        options[position].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(position) {
      var place = places[position];
      if (!place) { return; }
      input.value = place.label;
      hidden.value = place.id;
      close();
      say(root.dataset.chosen.replace("%(label)s", place.label));
    }

    function show(found) {
      places = found;
      list.textContent = "";
      found.forEach(function (place, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.className = "place-picker-name";
        name.textContent = place.name;
        var where = document.createElement("span");
        where.className = "place-picker-commune";
        where.textContent = (place.postcode ? place.postcode + " " : "") + place.commune;
        option.appendChild(name);
        option.appendChild(where);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(i); });
        list.appendChild(option);
      });
      active = -1;
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      input.removeAttribute("aria-activedescendant");
      var count = found.length === 0 ? root.dataset.countNone :
        (found.length === 1 ? root.dataset.countOne : root.dataset.countMany).replace("%(num)s", found.length);
      say(count);
    }

    function search() {
      var text = input.value.trim();
      if (text.length < MIN_LENGTH) { places = []; close(); say(""); return; }
      var ticket = ++asked;
      fetch(root.dataset.source + "?q=" + encodeURIComponent(text),
            {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (body) { if (ticket === asked) { show(body.places || []); } })
        .catch(function () { if (ticket === asked) { close(); say(root.dataset.failed); } });
    }

    input.addEventListener("input", function () {
      hidden.value = "";  // the text no longer names the place chosen
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && places.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { if (places.length) { show(places); } else { search(); } return; }
        highlight(active + 1 >= places.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        if (!open) { return; }
        event.preventDefault();
        highlight(active <= 0 ? places.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); choose(active); }
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { close(); });
  }

  document.querySelectorAll("[data-place-picker]").forEach(setup);
})();
