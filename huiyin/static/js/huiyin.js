/* Huiyin staff UI behaviours. No inline scripts anywhere (CSP script-src 'self'). */
(function () {
  "use strict";

  function isTyping(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // "/" focuses the search box, like most web tools.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || isTyping(document.activeElement)) return;
    var box = document.querySelector("[data-hotkey='/']");
    if (box) { e.preventDefault(); box.focus(); }
  });

  // Formset rows: clone the empty form from <template data-formset-empty="prefix">.
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-formset-add]");
    if (!button) return;
    var prefix = button.getAttribute("data-formset-add");
    var template = document.querySelector("template[data-formset-empty='" + prefix + "']");
    var body = document.querySelector("[data-formset-body='" + prefix + "']");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!template || !body || !total) return; // no JS support: the button submits and the server adds the row
    e.preventDefault();
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__num__/g, String(index + 1));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = body.lastElementChild && body.lastElementChild.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  });

  // Petitioner look-up: "use this person" asks the server for the unmasked identity (an audited
  // reveal, POST with the form's CSRF token) and fills the first petitioner row that has no name yet.
  function fillPetitioner(data) {
    var rows = document.querySelectorAll("[data-formset-body='p'] [data-petitioner-row]");
    var target = null;
    rows.forEach(function (row) {
      var name = row.querySelector("[name$='-name']");
      if (!target && name && !name.value.trim()) target = row;
    });
    if (!target) {
      var add = document.querySelector("[data-formset-add='p']");
      if (add) add.click();
      rows = document.querySelectorAll("[data-formset-body='p'] [data-petitioner-row]");
      target = rows[rows.length - 1];
    }
    if (!target) return;
    ["name", "kind", "id_number", "phone", "address"].forEach(function (key) {
      var field = target.querySelector("[name$='-" + key + "']");
      if (field && typeof data[key] === "string") field.value = data[key];
    });
    var nameField = target.querySelector("[name$='-name']");
    if (nameField) nameField.focus();
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-fill-petitioner]");
    if (!button) return;
    e.preventDefault();
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    button.disabled = true;
    fetch(button.getAttribute("data-reveal-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" }
    })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (result) {
        button.disabled = false;
        if (result[0]) fillPetitioner(result[1]);
        else window.alert(result[1].message || "无法填入");
      })
      .catch(function () { button.disabled = false; window.alert("网络错误，请重试"); });
  });

  // Buttons marked data-print open the browser's print dialog (print views).
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-print]")) { e.preventDefault(); window.print(); }
  });

  // After htmx loads an action form, move focus into it (keyboard users land on the first field).
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail && e.detail.target;
    if (target && target.id === "action-panel") {
      var field = target.querySelector("input:not([type=hidden]), select, textarea, button");
      if (field) field.focus();
      target.scrollIntoView({ block: "nearest" });
    }
  });
  // File pickers in the page's language (includes/file_picker.html): the native input stays (focusable,
  // labelled, clickable over the whole control) but invisible; the button and the chosen names are ours.
  function showFiles(picker) {
    var input = picker.querySelector("input[type=file]");
    var names = picker.querySelector(".file-picker-names");
    var files = input.files ? Array.prototype.map.call(input.files, function (f) { return f.name; }) : [];
    names.textContent = files.length
      ? picker.getAttribute("data-count").replace("{n}", String(files.length)) + files.join("、")
      : picker.getAttribute("data-none");
  }
  document.querySelectorAll("[data-file-picker]").forEach(function (picker) {
    picker.classList.add("is-enhanced");
    showFiles(picker);
  });
  document.addEventListener("change", function (e) {
    var picker = e.target.closest && e.target.closest("[data-file-picker]");
    if (picker) showFiles(picker);
  });
})();

/* Enter in a look-up box searches; it must not submit the surrounding form. */
document.addEventListener("keydown", function (e) {
  if (e.key === "Enter" && e.target.closest && e.target.closest("[data-no-submit]")) {
    e.preventDefault();
    if (window.htmx) window.htmx.trigger(e.target, "search");
  }
});
