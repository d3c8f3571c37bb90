// Keeps a page current without a full-screen refresh loop: the ticket page
// re-renders when its JSON changes; a [data-refresh] part of a page (the
// counter console's queue) is fetched again every few seconds and replaced
// in place, so focus and scroll stay where the officer left them; and what
// a page says just happened ([data-announce]) is read out by screen readers
// through its live region.
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
  if (refresh && refresh.id) {
    var seconds = parseInt(refresh.getAttribute("data-refresh"), 10) || 20;
    setInterval(function () {
      // Never under the officer's hands: not while focus is inside it.
      if (refresh.contains(document.activeElement)) return;
      fetch(location.href, { headers: { Accept: "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(refresh.id);
          if (fresh && fresh.innerHTML !== refresh.innerHTML) refresh.innerHTML = fresh.innerHTML;
        })
        .catch(function () {});
    }, seconds * 1000);
  }
  var region = document.querySelector("[data-live-region]");
  var said = document.querySelector("[data-announce]");
  if (region && said) {
    // Filled a moment after load, so that screen readers notice the change.
    setTimeout(function () { region.textContent = said.textContent.trim(); }, 300);
  }
})();
