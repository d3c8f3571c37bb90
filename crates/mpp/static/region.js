// The region picker (region/mod.rs) without round trips: choosing a
// province, regency or district empties the levels below and fills the next
// one from /api/v1/regions/{code}. Without this script the "show choices"
// button sends the form back to be re-rendered with the next level.
(function () {
  "use strict";
  document.querySelectorAll("[data-region]").forEach(function (box) {
    if (box.getAttribute("data-bound")) return; // one script tag per picker
    box.setAttribute("data-bound", "1");
    var selects = Array.prototype.slice.call(box.querySelectorAll("select"));
    var refine = box.querySelector(".region-refine");
    if (refine) refine.hidden = true;
    function empty(s) {
      s.length = 1;
      s.disabled = true;
    }
    selects.forEach(function (sel, i) {
      sel.addEventListener("change", function () {
        for (var j = i + 1; j < selects.length; j++) empty(selects[j]);
        var next = selects[i + 1];
        if (!next || !sel.value) return;
        fetch("/api/v1/regions/" + encodeURIComponent(sel.value), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
          .then(function (region) {
            if (sel.value !== region.code) return; // changed again meanwhile
            region.children.forEach(function (c) { next.add(new Option(c.name, c.code)); });
            next.disabled = false;
          })
          .catch(function () { if (refine) refine.hidden = false; });
      });
    });
  });
})();
