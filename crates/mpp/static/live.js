// Keeps a page current without a full-screen refresh loop: the ticket page
// re-renders when its JSON changes; the counter console reloads its queue
// every few seconds unless the officer is in the middle of a form.
(function () {
  "use strict";
  var live = document.querySelector("[data-live]");
  if (live) {
    var last = null;
    setInterval(function () {
      fetch(live.getAttribute("data-live"), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (body) {
          if (body === null) return;
          if (last !== null && body !== last) location.reload();
          last = body;
        })
        .catch(function () {});
    }, 10000);
  }
  var refresh = document.querySelector("[data-refresh]");
  if (refresh) {
    var seconds = parseInt(refresh.getAttribute("data-refresh"), 10) || 20;
    setInterval(function () {
      var busy = document.activeElement && /^(SELECT|INPUT|TEXTAREA|BUTTON)$/.test(document.activeElement.tagName);
      if (!busy && !document.querySelector("details[open]")) location.reload();
    }, seconds * 1000);
  }
})();
