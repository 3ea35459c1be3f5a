// Place form: a live character counter for fields with data-counter (the form works without it).
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-counter]").forEach(function (field) {
    var max = parseInt(field.getAttribute("data-counter"), 10);
    var output = document.createElement("p");
    output.className = "hint counter";
    output.id = field.id + "-counter";
    output.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", output);
    var describedBy = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + output.id);
    function update() {
      var length = field.value.replace(/\r\n/g, "\n").trim().length;
      output.textContent = length + " / " + max + " caractères" + (length > max ? " : texte trop long" : "");
      output.classList.toggle("counter-over", length > max);
    }
    field.addEventListener("input", update);
    update();
  });
})();
