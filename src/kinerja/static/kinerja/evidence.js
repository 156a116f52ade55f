// The evidence reader's code picker (no inline script: the Content-Security-Policy allows none).
// Selecting text in #reader fills the picker with the selection's offsets and asks the server for
// code suggestions (htmx, triggered by the "picked" event on #suggestions).
//
// Offsets are Unicode code points, 0-based, end exclusive, as REFI-QDA and the server count them.
// A JavaScript string counts UTF-16 units (an emoji or a rare CJK character is two), so the text
// before the selection and the selection itself are counted with Array.from, which walks code
// points. The reader's DOM text is the source's text exactly (the server adds nothing between
// its pieces), so counting over it gives the server's positions.
(() => {
  "use strict";

  const codePoints = (text) => Array.from(text).length;

  function selectionOffsets(reader, range) {
    const clipped = range.cloneRange();
    if (!reader.contains(clipped.startContainer)) clipped.setStart(reader, 0);
    if (!reader.contains(clipped.endContainer)) clipped.setEnd(reader, reader.childNodes.length);
    const before = document.createRange();
    before.selectNodeContents(reader);
    before.setEnd(clipped.startContainer, clipped.startOffset);
    const start = codePoints(before.toString());
    const text = clipped.toString();
    return { start, end: start + codePoints(text), text };
  }

  function pick() {
    const reader = document.getElementById("reader");
    const picker = document.getElementById("picker");
    if (!reader || !picker) return;
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(reader)) return;
    const { start, end, text } = selectionOffsets(reader, range);
    if (end <= start || !text.trim()) return;
    const startInput = document.getElementById("pick-start");
    const endInput = document.getElementById("pick-end");
    if (startInput.value === String(start) && endInput.value === String(end) && !picker.hidden) return;
    startInput.value = String(start);
    endInput.value = String(end);
    document.getElementById("picked-text").textContent = text.length > 300 ? text.slice(0, 299) + "…" : text;
    picker.hidden = false;
    document.getElementById("suggestions").dispatchEvent(new CustomEvent("picked"));
  }

  let timer = null;
  document.addEventListener("selectionchange", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(pick, 150);
  });

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const suggestion = target.closest("[data-pick-code]");
    if (suggestion) {
      const select = document.getElementById("pick-code");
      if (select) select.value = suggestion.dataset.pickCode;
      document.querySelectorAll("[data-pick-code]").forEach((b) => b.classList.toggle("chosen", b === suggestion));
      return;
    }
    if (target.closest("[data-pick-cancel]")) {
      const picker = document.getElementById("picker");
      if (picker) picker.hidden = true;
      const selection = document.getSelection();
      if (selection) selection.removeAllRanges();
    }
  });
})();
