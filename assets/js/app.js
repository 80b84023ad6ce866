// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // After a failed submission, move focus to the error summary so screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("form-error-summary");
    if (summary) { summary.focus(); }
  });

  // Upload with a progress bar on slow connections; falls back to a normal submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-upload") || !window.XMLHttpRequest || !window.FormData) { return; }
    var bar = form.querySelector(".upload-progress");
    if (!bar) { return; }
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open(form.method || "POST", form.action);
    if (form.elements.csrf) { xhr.setRequestHeader("X-CSRF-Token", form.elements.csrf.value); }
    bar.hidden = false;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 100); }
    });
    xhr.addEventListener("load", function () {
      // Show whatever page the server answered (a redirect target or the form with errors).
      if (xhr.responseURL && xhr.responseURL !== form.action && xhr.status < 400) {
        window.location.assign(xhr.responseURL);
        return;
      }
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () { form.submit(); });
    xhr.send(new FormData(form));
  });
})();

// Forms that save as people type (the entry form, the score sheet): a copy of every keystroke in
// this browser (so a closed tab or a lost connection loses nothing), saving to the server a few
// seconds after typing stops, and the entry form's live word count.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave");
  var status = document.getElementById("autosave-status");
  var counter = document.getElementById("word-count");
  var narrative = document.getElementById("f-narrative");
  var key = "biw-draft:" + url;
  var timer = null;
  var saving = false;

  function words(text) {
    var m = text.match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu);
    return m ? m.length : 0;
  }
  function updateCount() {
    if (!counter || !narrative) { return; }
    var n = words(narrative.value);
    counter.textContent = counter.getAttribute("data-template").replace("{n}", n);
    counter.classList.toggle("short", n < Number(counter.getAttribute("data-min")));
  }
  function snapshot() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf" || el.name === "lock_version" || el.type === "submit") { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      data[el.name] = el.value;
    });
    return data;
  }
  function say(text) { if (status) { status.textContent = text; } }

  // Offer back what this browser kept if it differs from what the server has.
  try {
    var kept = JSON.parse(window.localStorage.getItem(key) || "null");
    if (kept) {
      var differs = Object.keys(kept).some(function (n) { return form.elements[n] && form.elements[n].value !== kept[n]; });
      if (differs) {
        Object.keys(kept).forEach(function (n) { if (form.elements[n]) { form.elements[n].value = kept[n]; } });
        say(document.documentElement.lang === "en" ? "Restored what you typed earlier in this browser." : "Isian yang sebelumnya Anda ketik di peramban ini dipulihkan.");
      }
    }
  } catch (e) { /* storage unavailable: the server copy still works */ }

  function save() {
    if (saving) { timer = setTimeout(save, 1000); return; }
    saving = true;
    var body = new URLSearchParams(new FormData(form));
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "X-CSRF-Token": form.elements.csrf.value } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        if (res.ok) {
          form.elements.lock_version.value = res.j.lock_version;
          form.dispatchEvent(new CustomEvent("biw:saved", { detail: res.j }));
          try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
          say(res.j.message);
        } else {
          say(res.j.error);
        }
      })
      .catch(function () {
        say(document.documentElement.lang === "en" ? "Offline: kept in this browser, will save when the connection returns." : "Tidak tersambung: isian disimpan di peramban ini dan akan dikirim saat koneksi kembali.");
      })
      .then(function () { saving = false; });
  }

  form.addEventListener("input", function () {
    updateCount();
    try { window.localStorage.setItem(key, JSON.stringify(snapshot())); } catch (e) { /* ignore */ }
    clearTimeout(timer);
    timer = setTimeout(save, 3000);
  });
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
  });
  updateCount();
})();

// Rubric editor: the sum of the counted weights, as the organiser types (the server checks it again).
(function () {
  var form = document.querySelector(".rubric-editor");
  var out = document.getElementById("r-weights");
  if (!form || !out) return;
  var en = document.documentElement.lang === "en";
  function update() {
    var sum = 0;
    form.querySelectorAll(".list-row").forEach(function (row) {
      var w = row.querySelector(".js-weight"), c = row.querySelector(".js-counted"), r = row.querySelector(".js-removed");
      if (w && c && c.checked && !(r && r.checked)) sum += parseInt(w.value, 10) || 0;
    });
    out.textContent = (en ? "Counted weights add up to " : "Jumlah bobot yang dihitung: ") + sum +
      (sum === 100 ? (en ? " (as required)." : " (sesuai).") : (en ? "; they must add up to 100." : "; harus 100."));
    out.classList.toggle("field-error", sum !== 100);
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
})();

// The score sheet: the weighted total (0-100) as the judge picks scores; the server computes the
// stored one.
(function () {
  var form = document.getElementById("sheet-form");
  var out = document.getElementById("sheet-total");
  if (!form || !out) return;
  var max = parseInt(form.getAttribute("data-scale"), 10) || 5;
  var en = document.documentElement.lang === "en";
  function update() {
    var sum = 0, complete = true;
    form.querySelectorAll("fieldset.criterion").forEach(function (fs) {
      if (fs.getAttribute("data-counted") !== "1") return;
      var picked = fs.querySelector("input[type=radio]:checked");
      if (!picked) { complete = false; return; }
      sum += parseInt(fs.getAttribute("data-weight"), 10) * parseInt(picked.value, 10);
    });
    if (!complete) { out.textContent = out.getAttribute("data-incomplete"); return; }
    var total = (sum / max).toFixed(2);
    out.textContent = out.getAttribute("data-label") + " " + (en ? total : total.replace(".", ","));
  }
  form.addEventListener("change", update);
  update();
})();

// Printable pages (feedback report, certificates): a button that opens the browser's print dialog.
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});

// A form the server refused with a message over the page it came from (a redirect) would lose what
// was typed: the fields of every posted form are kept in this tab until the next page, and put back
// into the same form when that page shows an error. Passwords and files are never kept.
(function () {
  "use strict";
  var KEY = "biw-posted-form";
  function kept(el) {
    return el.name && el.name !== "csrf" && el.name !== "lock_version" &&
      ["submit", "button", "file", "password", "hidden"].indexOf(el.type) < 0;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post" ||
        form.hasAttribute("data-autosave") || form.hasAttribute("data-upload")) { return; }
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) { return; }
      var check = el.type === "checkbox" || el.type === "radio";
      fields.push([el.name, el.value, check ? el.checked : null]);
    });
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify({ action: form.action, at: Date.now(), fields: fields }));
    } catch (e) { /* storage unavailable: nothing to restore */ }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var posted = null;
    try {
      posted = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
      window.sessionStorage.removeItem(KEY);
    } catch (e) { return; }
    if (!posted || Date.now() - posted.at > 120000 || !document.querySelector(".flash-error")) { return; }
    var form = Array.prototype.filter.call(document.forms, function (f) { return f.action === posted.action; })[0];
    if (!form) { return; }
    // Fields of one name are put back in order; boxes by their value.
    var next = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = posted.fields.some(function (f) { return f[0] === el.name && f[1] === el.value && f[2]; });
        return;
      }
      var same = posted.fields.filter(function (f) { return f[0] === el.name; });
      var i = next[el.name] || 0;
      if (i < same.length) { el.value = same[i][1]; }
      next[el.name] = i + 1;
    });
    var details = form.closest("details");
    if (details) { details.open = true; }
  });
})();
