// Behaviour that would otherwise be inline script (the Content-Security-Policy allows none):
// a <select data-autosubmit> submits its form when changed (the language switch).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.dataset.autosubmit !== undefined && el.form) {
    el.form.submit();
  }
});
