// The reports page: a report takes seconds to make. With this script a form's submit starts a job
// on the server (POST to the form's data-start, with the page's CSRF token), the page asks for the
// job's progress every half second and shows it (the <progress> bar, and the status line screen
// readers read out), then starts the download; a refusal or a failure shows its message. Without
// script the form stays a plain GET download. No inline script: the page's CSP allows 'self' only.
(function () {
  "use strict";
  var POLL_MS = 500;
  var GIVE_UP_MS = 10 * 60 * 1000;

  function answer(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return {ok: response.ok, body: body};
    });
  }

  document.querySelectorAll("[data-report-form]").forEach(function (form) {
    var box = form.parentElement.querySelector("[data-report-progress]");
    var bar = box.querySelector("progress");
    var status = box.querySelector("[data-report-status]");
    var error = box.querySelector("[data-report-error]");
    var button = form.querySelector("button[type=submit]");

    function say(text) { if (status.textContent !== text) { status.textContent = text; } }
    function finish() { button.disabled = false; }
    function fail(message) {
      bar.hidden = true;
      say("");
      error.textContent = message || form.dataset.failed;
      finish();
    }
    function show(job) {
      bar.max = job.total;
      bar.value = job.value;
      say(job.text);
    }
    function follow(job, since) {
      show(job);
      if (job.state === "selesai") {
        finish();
        window.location.assign(job.download_url);
        return;
      }
      if (job.state === "gagal") { fail(job.error); return; }
      if (job.state === "diunduh") { finish(); return; }
      if (Date.now() - since > GIVE_UP_MS) { fail(""); return; }
      window.setTimeout(function () {
        fetch(job.status_url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(answer)
          .then(function (r) { if (r.ok) { follow(r.body, since); } else { fail(r.body.error); } })
          .catch(function () { fail(""); });
      }, POLL_MS);
    }

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }  // the plain download
      event.preventDefault();
      button.disabled = true;
      error.textContent = "";
      bar.value = 0;
      bar.hidden = false;
      fetch(form.dataset.start, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: {"X-CSRFToken": form.dataset.csrf, "Accept": "application/json"}
      })
        .then(answer)
        .then(function (r) { if (r.ok) { follow(r.body, Date.now()); } else { fail(r.body.error); } })
        .catch(function () { fail(""); });
    });
  });
})();
