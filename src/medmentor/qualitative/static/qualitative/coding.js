// Coding page: turn a text selection (mouse, touch) or a focused sentence (Tab) into
// the character positions of document.text that the form posts. Each sentence span
// carries data-start, its first character's position; the offset inside it is the
// length of the text from the span's start to the selection point.
(function () {
  "use strict";
  var root = document.getElementById("document-text");
  var start = document.getElementById("start");
  var end = document.getElementById("end");
  var preview = document.getElementById("selection-preview");
  if (!root || !start || !end) return;
  var length = parseInt(root.dataset.length, 10);

  function unitOf(node) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    return el ? el.closest(".unit") : null;
  }

  function position(node, offset) {
    var unit = unitOf(node);
    if (!unit || !root.contains(unit)) return null;
    var range = document.createRange();
    range.setStart(unit, 0);
    range.setEnd(node, offset);
    // Server positions count Unicode code points (as REFI-QDA does); a JavaScript
    // string's length counts UTF-16 units, so an emoji would count twice.
    return parseInt(unit.dataset.start, 10) + Array.from(range.toString()).length;
  }

  function show(from, to, text) {
    start.value = from;
    end.value = to;
    var words = text.replace(/\s+/g, " ").trim();
    preview.textContent = "Selected " + from + "–" + to + ": “" +
      (words.length > 120 ? words.slice(0, 119) + "…" : words) + "”";
  }

  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    var range = selection.getRangeAt(0);
    if (!root.contains(range.commonAncestorContainer)) return;
    var from = position(range.startContainer, range.startOffset);
    var to = position(range.endContainer, range.endOffset);
    if (from === null || to === null) {
      // The selection starts or ends on a speaker label or between turns: snap to the
      // nearest sentences it touches.
      var units = Array.prototype.filter.call(root.querySelectorAll(".unit"), function (u) {
        return selection.containsNode(u, true);
      });
      if (!units.length) return;
      from = from === null ? parseInt(units[0].dataset.start, 10) : from;
      to = to === null ? parseInt(units[units.length - 1].dataset.end, 10) : to;
    }
    if (to > from && from >= 0 && to <= length) show(from, to, range.toString());
  });

  root.addEventListener("focusin", function (event) {
    var unit = event.target.closest(".unit");
    if (unit) show(parseInt(unit.dataset.start, 10), parseInt(unit.dataset.end, 10), unit.textContent);
  });

  root.addEventListener("keydown", function (event) {
    var unit = event.target.closest(".unit");
    if (unit && event.key === "Enter") {
      event.preventDefault();
      var first = document.querySelector("#coding input[name=codes]") || document.getElementById("apply-codes");
      if (first) first.focus();
    }
  });
})();
