/* Citizen portal behaviours (no inline scripts: CSP script-src 'self'). Everything works without it. */
(function () {
  "use strict";
  function update() {
    var checked = document.querySelector("input[name=petition_type]:checked");
    var box = document.querySelector("[data-accused]");
    if (!checked || !box) return;
    box.hidden = checked.value !== "accusation";
    var needed = checked.value !== "suggestion";
    ["id_name", "id_phone"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.setAttribute("aria-required", needed ? "true" : "false");
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "petition_type") update();
  });
  document.addEventListener("DOMContentLoaded", update);
  // After a failed submission the error summary takes the focus, so a screen reader reads it first
  // and a keyboard user can follow its links to the fields (WCAG 3.3.1).
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  });
})();
