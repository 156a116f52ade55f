// Behaviour that would otherwise be inline script (the Content-Security-Policy allows none):
// a <select data-autosubmit> submits its form when changed (the language switch).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.dataset.autosubmit !== undefined && el.form) {
    el.form.submit();
  }
});

// A table or chart wider than a phone scrolls inside its own box (kinerja.css); such a box must be
// reachable by keyboard to be scrolled without a pointer, so it joins the tab order while it
// overflows (and leaves it when the screen is wide enough).
function markScrollBoxes() {
  for (const box of document.querySelectorAll("main table, main .chart")) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.dataset.scrollbox = "";
    } else if (!scrolls && box.dataset.scrollbox !== undefined) {
      box.removeAttribute("tabindex");
      delete box.dataset.scrollbox;
    }
  }
}
document.addEventListener("DOMContentLoaded", () => {
  markScrollBoxes();
  if ("ResizeObserver" in window) {
    const watch = new ResizeObserver(() => markScrollBoxes());
    for (const box of document.querySelectorAll("main table, main .chart, main .chart > *")) watch.observe(box);
  }
  window.addEventListener("resize", markScrollBoxes);
});
document.addEventListener("htmx:afterSwap", markScrollBoxes);

// A refused filter (400) comes with its message in place of the rows: show it, as a full page load
// would, instead of leaving the old rows under a filter they do not match.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 400 && event.detail.target && event.detail.target.id === "rows") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
