// 民情日记 drafts survive a lost connection (issue 14): every keystroke is kept in localStorage under
// the form's data-draft-key; a reload restores it; the draft is cleared only once the server has
// confirmed the save (the next page is the entry itself). A client key generated once per draft lets
// the server recognise a resend of the same draft and never record it twice. No dependencies.
(function () {
  "use strict";
  var form = document.getElementById("diary-form");
  if (!form || !window.localStorage) { return; }
  var key = form.getAttribute("data-draft-key");
  var fields = ["pairing", "visited_on", "place", "people_met", "heard", "problems", "client_key"];
  function el(name) { return form.elements.namedItem(name); }
  function read() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function save() {
    var draft = {};
    fields.forEach(function (n) { var f = el(n); if (f) { draft[n] = f.value; } });
    localStorage.setItem(key, JSON.stringify(draft));
  }
  var ck = el("client_key");
  var draft = read();
  var serverFilled = form.querySelector(".is-invalid") !== null; // a refused post: the server's values win
  if (draft && !serverFilled) {
    var restored = false;
    fields.forEach(function (n) {
      var f = el(n);
      if (f && typeof draft[n] === "string" && draft[n] !== "" && draft[n] !== f.value) { f.value = draft[n]; restored = true; }
    });
    if (restored) { var note = document.getElementById("draft-note"); if (note) { note.classList.remove("d-none"); } }
  }
  if (ck && !ck.value) {
    ck.value = (draft && draft.client_key) || (Date.now().toString(36) + Math.random().toString(36).slice(2, 12));
  }
  save();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  // the draft is cleared when the saved entry's page loads (entry.js-free: a marker on that page)
  form.addEventListener("submit", function () { save(); });
})();
(function () {
  "use strict";
  var saved = document.querySelector("[data-diary-saved]");
  if (saved && window.localStorage) { localStorage.removeItem(saved.getAttribute("data-diary-saved")); }
})();
