// Kiosk helpers: print the ticket, and go back to the start screen when a
// visitor walks away. Everything works without this file; it only adds.
// A kiosk set up with ?cetak=1 once prints each ticket as it appears
// (run the browser with --kiosk-printing to print without a dialog).
(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  if (params.get("cetak") === "1") localStorage.setItem("mppKioskPrint", "1");
  if (params.get("cetak") === "0") localStorage.removeItem("mppKioskPrint");

  var print = document.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
    if (localStorage.getItem("mppKioskPrint") === "1") window.print();
  }

  // Back to the start after a while without a touch (sooner on the ticket).
  var home = document.querySelector(".kiosk-home");
  if (!home) return;
  var done = document.querySelector("[data-idle-home]");
  var idleMs = done ? 30000 : 90000;
  var target = (done || home).getAttribute("href");
  var timer;
  function arm() {
    clearTimeout(timer);
    timer = setTimeout(function () { location.href = target; }, idleMs);
  }
  ["pointerdown", "keydown", "input"].forEach(function (e) { document.addEventListener(e, arm); });
  if (location.pathname !== home.getAttribute("href")) arm();
})();
