// The reports page: a report takes a few seconds to make. On submit the form's indicator shows
// (htmx's indicator class, styled in kinerja.css) until the download's answer sets the cookie
// named by the form's token. No inline script: the page's CSP allows 'self' only.
(function () {
  "use strict";
  function cookie(name) {
    var parts = document.cookie.split("; ");
    for (var i = 0; i < parts.length; i++) {
      var kv = parts[i].split("=");
      if (kv[0] === name) { return kv.slice(1).join("="); }
    }
    return "";
  }
  document.querySelectorAll("[data-report-form]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var token = Math.random().toString(36).slice(2, 14).replace(/[^a-z0-9]/g, "") || "t";
      form.querySelector("[data-report-token]").value = token;
      var busy = form.querySelector("[data-report-busy]");
      busy.classList.add("htmx-request");
      var timer = window.setInterval(function () {
        if (cookie("laporan_siap") === token) {
          busy.classList.remove("htmx-request");
          window.clearInterval(timer);
        }
      }, 400);
      window.setTimeout(function () { busy.classList.remove("htmx-request"); window.clearInterval(timer); }, 120000);
    });
  });
})();
