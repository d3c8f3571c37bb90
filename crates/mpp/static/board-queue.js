// Which call the display board says next. When several counters call at
// once, speaking them one after another (a chime and a sentence, about six
// seconds each) falls behind: so the newest call is said first, a call is
// dropped when its counter has called someone newer, and a call waiting
// longer than STALE_MS is dropped too. What is dropped is shown on screen,
// so nobody waits for a voice that will not come. Pure: board.js and the
// browser tests use it.
var MPPBoardQueue = (function () {
  "use strict";
  var STALE_MS = 45000;

  // pending: calls waiting to be said ({label, counter, at, arrived});
  // returns the call to say now (or null), the calls dropped, and what
  // still waits.
  function pick(pending, now) {
    var newestAt = {};
    pending.forEach(function (c) {
      if (!(c.counter in newestAt) || c.at > newestAt[c.counter]) newestAt[c.counter] = c.at;
    });
    var keep = [], dropped = [];
    pending.forEach(function (c) {
      if (c.at < newestAt[c.counter] || now - c.arrived > STALE_MS) dropped.push(c); else keep.push(c);
    });
    keep.sort(function (a, b) { return b.at - a.at; });
    return { next: keep.length ? keep[0] : null, dropped: dropped, waiting: keep.slice(1) };
  }

  return { pick: pick, STALE_MS: STALE_MS };
})();
