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
