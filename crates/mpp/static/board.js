// The display board. Calls arrive over server-sent events; each new call
// is shown, a chime plays, and the call is spoken: by the browser's speech
// synthesis when it has a voice for the board's language, otherwise by
// MPP's own audio. A snapshot (first connect) is shown, never spoken.
// When calls come faster than they can be said, the newest is said first
// and stale ones are dropped, said so on screen (board-queue.js).
(function () {
  "use strict";
  var body = document.body;
  var nowList = document.querySelector("[data-now]");
  var history = document.querySelector("[data-history]");
  var empty = document.querySelector("[data-empty]");
  var conn = document.querySelector("[data-conn]");
  var soundButton = document.querySelector("[data-sound]");
  var tpl = document.getElementById("call-tpl");
  var calls = []; // newest first
  var seen = {};
  var lastId = "";
  var pending = []; // calls waiting to be said (board-queue.js decides the order)
  var speaking = false;
  var skippedEl = document.querySelector("[data-skipped]");
  var skipped = [];
  var skippedTimer = null;
  var audioCtx = null;
  var soundOn = false;

  function item(c) {
    var li = tpl.content.firstElementChild.cloneNode(true);
    li.querySelector(".board-number").textContent = c.label;
    var counter = li.querySelector(".board-counter");
    counter.textContent = counter.getAttribute("data-counter-label") + " " + c.counter;
    return li;
  }

  function render() {
    // "Now": the latest call at each counter, up to four.
    var byCounter = {}, now = [];
    calls.forEach(function (c) {
      if (!byCounter[c.counter] && now.length < 4) { byCounter[c.counter] = true; now.push(c); }
    });
    nowList.replaceChildren.apply(nowList, now.map(item));
    history.replaceChildren.apply(history, calls.slice(0, 10).map(item));
    empty.hidden = calls.length > 0;
  }

  function add(c) {
    if (seen[c.id]) return false;
    seen[c.id] = true;
    calls.unshift(c);
    calls.sort(function (a, b) { return b.at - a.at; });
    calls = calls.slice(0, 30);
    return true;
  }

  function chime(done) {
    if (!audioCtx) return done();
    var t = audioCtx.currentTime;
    [[880, 0], [660, 0.35]].forEach(function (n) {
      var o = audioCtx.createOscillator(), g = audioCtx.createGain();
      o.frequency.value = n[0];
      g.gain.setValueAtTime(0.0001, t + n[1]);
      g.gain.exponentialRampToValueAtTime(0.3, t + n[1] + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, t + n[1] + 0.3);
      o.connect(g); g.connect(audioCtx.destination);
      o.start(t + n[1]); o.stop(t + n[1] + 0.32);
    });
    setTimeout(done, 750);
  }

  function voiceFor(lang) {
    if (!("speechSynthesis" in window)) return null;
    var prefix = lang.slice(0, 2).toLowerCase();
    var voices = speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().indexOf(prefix) === 0) return voices[i];
    }
    return null;
  }

  function speak(c, done) {
    var voice = voiceFor(c.lang);
    if (voice) {
      var u = new SpeechSynthesisUtterance(c.speech);
      u.lang = c.lang;
      u.voice = voice;
      u.rate = 0.9;
      u.onend = u.onerror = function () { done(); };
      speechSynthesis.speak(u);
    } else {
      // No voice for this language in this browser: MPP speaks it.
      var a = new Audio(c.audio);
      a.onended = a.onerror = function () { done(); };
      a.play().catch(function () { done(); });
    }
  }

  // Says on screen which calls were not announced (for half a minute).
  function notAnnounced(dropped) {
    if (!dropped.length) return;
    dropped.forEach(function (c) { skipped.push(c.label + " → " + c.counter); });
    skipped = skipped.slice(-6);
    skippedEl.textContent = skippedEl.getAttribute("data-text").replace("{list}", skipped.join(", "));
    skippedEl.hidden = false;
    clearTimeout(skippedTimer);
    skippedTimer = setTimeout(function () { skippedEl.hidden = true; skipped = []; }, 30000);
  }

  function next() {
    if (speaking) return;
    var choice = MPPBoardQueue.pick(pending, Date.now());
    notAnnounced(choice.dropped);
    pending = choice.waiting;
    var c = choice.next;
    if (!c) return;
    speaking = true;
    body.setAttribute("data-announcing", c.label);
    chime(function () {
      speak(c, function () { speaking = false; body.removeAttribute("data-announcing"); next(); });
    });
  }

  function announce(c) {
    if (!soundOn) return;
    c.arrived = Date.now();
    pending.push(c);
    next();
  }

  soundButton.addEventListener("click", function () {
    soundOn = true;
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx) { audioCtx = new Ctx(); }
    soundButton.hidden = true;
  });

  var source = null;
  function connect() {
    var url = body.getAttribute("data-events") + (lastId ? "&last=" + encodeURIComponent(lastId) : "");
    source = new EventSource(url);
    source.onopen = function () { conn.textContent = ""; conn.hidden = true; };
    source.onerror = function () {
      conn.hidden = false;
      conn.textContent = "…";
      // A proxy error closes the stream for good: open a new one, saying
      // which call we saw last so nothing is missed or repeated.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    };
    source.addEventListener("snapshot", function (e) {
      JSON.parse(e.data).forEach(add);
      lastId = e.lastEventId || lastId;
      render();
    });
    source.addEventListener("call", function (e) {
      var c = JSON.parse(e.data);
      lastId = e.lastEventId || lastId;
      if (add(c)) {
        render();
        if (c.fresh) announce(c);
      }
    });
  }
  connect();
})();
