// Agenda and minutes editor: a toolbar that writes Markdown around the selection, and a preview
// rendered by the server's sanitiser (the same as the pages). The textarea works without it.
(function () {
  "use strict";

  function wrap(area, before, after, placeholder) {
    var start = area.selectionStart, end = area.selectionEnd, value = area.value;
    var chosen = value.slice(start, end) || placeholder || "";
    area.value = value.slice(0, start) + before + chosen + after + value.slice(end);
    area.focus();
    area.setSelectionRange(start + before.length, start + before.length + chosen.length);
  }

  // Markdown needs a blank line between a paragraph and a list or heading: added when missing.
  function prefixLines(area, prefix) {
    var value = area.value, start = value.lastIndexOf("\n", area.selectionStart - 1) + 1;
    var end = area.selectionEnd, lines = value.slice(start, end).split("\n");
    var changed = lines.map(function (line) { return line.indexOf(prefix) === 0 ? line : prefix + line; }).join("\n");
    var previous = value.slice(0, Math.max(start - 1, 0)).split("\n").pop();
    var gap = start > 0 && previous.trim() !== "" && previous.indexOf(prefix) !== 0 ? "\n" : "";
    area.value = value.slice(0, start) + gap + changed + value.slice(end);
    area.focus();
    area.setSelectionRange(start + gap.length, start + gap.length + changed.length);
  }

  var ACTIONS = {
    bold: function (area) { wrap(area, "**", "**"); },
    heading: function (area) { prefixLines(area, "## "); },
    list: function (area) { prefixLines(area, "- "); },
    link: function (area, button) {
      var start = area.selectionStart, selected = area.value.slice(start, area.selectionEnd);
      var text = selected || button.getAttribute("data-link-text");
      area.value = area.value.slice(0, start) + "[" + text + "](https://)" + area.value.slice(area.selectionEnd);
      area.focus();
      var address = start + text.length + 3;  // after "[text](": the cursor on the address
      area.setSelectionRange(address, address + 8);
    }
  };

  function preview(editor, area, button) {
    var box = editor.querySelector(".md-preview");
    var output = box.querySelector("[data-md-output]");
    var form = area.form, body = new FormData();
    body.append("text", area.value);
    var token = form.querySelector("input[name=csrf_token]");
    if (token) { body.append("csrf_token", token.value); }
    box.hidden = false;
    button.setAttribute("aria-expanded", "true");
    box.querySelector("[data-md-failed]").hidden = true;
    fetch(editor.getAttribute("data-preview-url"), {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        output.innerHTML = html;  // sanitised by the server (events/markdown.py), as on the page
        box.querySelector("[data-md-empty]").hidden = html.trim() !== "";
        box.focus();
      })
      .catch(function () { box.querySelector("[data-md-failed]").hidden = false; });
  }

  document.querySelectorAll("[data-md-editor]").forEach(function (editor) {
    var area = editor.querySelector("textarea");
    var toolbar = editor.querySelector(".md-toolbar");
    if (!area || !toolbar || !window.fetch) { return; }
    toolbar.hidden = false;
    toolbar.querySelectorAll("[data-md]").forEach(function (button) {
      button.addEventListener("click", function () { ACTIONS[button.getAttribute("data-md")](area, button); });
    });
    var previewButton = toolbar.querySelector("[data-md-preview]");
    previewButton.addEventListener("click", function () { preview(editor, area, previewButton); });
    area.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "b") {
        event.preventDefault();
        ACTIONS.bold(area);
      }
    });
  });
})();
