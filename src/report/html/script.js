(function () {
  "use strict";
  var byId = function (id) { return document.getElementById(id); };
  var table = byId("findings-table");
  var filters = byId("filters");
  if (!table || !filters) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.finding"));
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
  var selects = ["account", "environment", "severity", "check"].map(function (name) {
    return { key: name, el: byId("filter-" + name) };
  });
  var text = byId("filter-text");
  var boxes = Array.prototype.slice.call(byId("filter-status").querySelectorAll("input[type=checkbox]"));
  var defaults = boxes.map(function (box) { return box.checked; });
  var count = byId("filter-count");
  var empty = byId("findings-empty");

  function apply() {
    var statuses = {};
    boxes.forEach(function (box) { statuses[box.value] = box.checked; });
    var query = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row, i) {
      var ok = statuses[row.getAttribute("data-status")] === true;
      selects.forEach(function (s) {
        if (ok && s.el.value !== "" && row.getAttribute("data-" + s.key) !== s.el.value) { ok = false; }
      });
      if (ok && query !== "" && texts[i].indexOf(query) < 0) { ok = false; }
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " findings shown";
    empty.hidden = shown > 0;
  }

  selects.forEach(function (s) { s.el.addEventListener("change", apply); });
  boxes.forEach(function (box) { box.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  byId("filter-all").addEventListener("click", function () {
    boxes.forEach(function (box) { box.checked = true; });
    apply();
  });
  byId("filter-reset").addEventListener("click", function () {
    boxes.forEach(function (box, i) { box.checked = defaults[i]; });
    selects.forEach(function (s) { s.el.value = ""; });
    text.value = "";
    apply();
  });
  // "findings" links of the checks table: show every finding of that check.
  Array.prototype.slice.call(document.querySelectorAll("a.show-check")).forEach(function (link) {
    link.addEventListener("click", function () {
      selects.forEach(function (s) { s.el.value = ""; });
      byId("filter-check").value = link.getAttribute("data-check");
      boxes.forEach(function (box) { box.checked = true; });
      text.value = "";
      apply();
    });
  });
  // A link can carry filters: #status=fail,unknown&account=222222222222&severity=high&text=rds
  function fromHash() {
    var hash = location.hash.replace(/^#/, "");
    if (hash.indexOf("=") < 0) { return false; }
    // A link names every filter it wants: the others start from their defaults.
    selects.forEach(function (s) { s.el.value = ""; });
    text.value = "";
    boxes.forEach(function (box, i) { box.checked = defaults[i]; });
    hash.split("&").forEach(function (pair) {
      var parts = pair.split("=");
      var key = decodeURIComponent(parts[0]);
      var value = decodeURIComponent(parts.slice(1).join("="));
      if (key === "status") {
        var wanted = value.split(",");
        boxes.forEach(function (box) { box.checked = wanted.indexOf(box.value) >= 0; });
      } else if (key === "text") {
        text.value = value;
      } else {
        selects.forEach(function (s) { if (s.key === key) { s.el.value = value; } });
      }
    });
    return true;
  }
  window.addEventListener("hashchange", function () {
    if (fromHash()) {
      apply();
      byId("findings").scrollIntoView();
    }
  });
  fromHash();
  filters.hidden = false;
  Array.prototype.slice.call(document.querySelectorAll(".nojs-note")).forEach(function (el) { el.hidden = true; });
  apply();
})();
