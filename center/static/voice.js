// The hall screen's voice (issue #13 point 6): every new call on the page is spoken in Mandarin from the clips in
// static/voice/ — a chime, then "请 A012 号 到 3 号窗口" twice. The clips' fingerprinted URLs come from
// #voice-clips (screen/_voice.html). Browsers play sound only after a click on the page, so nothing is heard until
// 开始播报 is pressed; volume and 静音 are kept per screen in localStorage. Plain ES5, no eval, no inline script.
//
// A call is an element `.call-now[data-call-id][data-ticket][data-window]` (the call panel, swapped in by htmx or
// the SSE extension): one whose call id has not been spoken yet is said when it appears or changes. What the page
// showed when it loaded is not said. `data-recall="1"` marks a recall: said the same way, once per call id and
// `data-recall-at` (the panel may keep the call id and only mark it as recalled).
//
// window.centerVoice = {say(ticketNo, window), queue, lastSequence, played, speaking, unlocked, muted, volume}:
// lastSequence is the clip keys of the latest call, recorded even when muted or not yet unlocked; played counts
// the clips actually started.
(function () {
  "use strict";
  var MAX_QUEUED = 3;        // calls waiting while one is spoken; beyond this the oldest waiting one is dropped
  var REPEAT_GAP_MS = 600;   // the pause between the two times the call is said
  var CHIME_GAP_MS = 150;    // the pause after the chime
  var CLIP_TIMEOUT_MS = 4000; // a clip that never ends (no audio device, a stalled load) does not stop the queue
  var CALLS = ".call-now[data-call-id][data-ticket][data-window]";

  var clips = {};
  var data = document.getElementById("voice-clips");
  if (data) {
    try { clips = JSON.parse(data.textContent) || {}; } catch (e) { clips = {}; }
  }
  var box = document.getElementById("voice");
  var startButton = document.getElementById("voice-start");
  var status = document.getElementById("voice-status");
  var volumeInput = document.getElementById("voice-volume");
  var muteButton = document.getElementById("voice-mute");
  var storageKey = "center.voice." + ((box && box.getAttribute("data-slug")) || "screen");

  var voice = {
    say: say,
    queue: [],
    lastSequence: [],
    played: 0,
    speaking: false,
    unlocked: false,
    muted: false,
    volume: 0.8
  };
  window.centerVoice = voice;

  // ---- settings remembered per screen
  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storageKey) || "{}");
      if (typeof saved.volume === "number" && saved.volume >= 0 && saved.volume <= 1) { voice.volume = saved.volume; }
      voice.muted = saved.muted === true;
    } catch (e) { /* no storage (private mode): the defaults */ }
  }
  function save() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({ volume: voice.volume, muted: voice.muted }));
    } catch (e) { /* not kept: still applies until the page reloads */ }
  }
  function showSettings() {
    if (volumeInput) { volumeInput.value = String(Math.round(voice.volume * 100)); }
    if (muteButton) {
      muteButton.setAttribute("aria-pressed", voice.muted ? "true" : "false");
      // The label says the state, not only the colour: 已静音 while muted (press to hear again).
      muteButton.textContent = voice.muted ? "已静音" : "静音";
    }
    if (status) {
      status.hidden = !voice.unlocked;
      status.textContent = voice.muted ? "播报已静音" : "播报中";
      status.classList.toggle("is-muted", voice.muted);  // muted reads red, not the green of 播报中
    }
  }

  // ---- what a call says
  var DIGITS = /^[0-9]$/;
  function characters(text) {
    var keys = [];
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (clips.hasOwnProperty(c) || DIGITS.test(c)) { keys.push(c); }
    }
    return keys;
  }
  // A window number up to 99 is read as a number (3 三, 10 十, 12 十二, 20 二十, 21 二十一); anything else one
  // character at a time.
  function windowWords(label) {
    var text = String(label).replace(/^\s+|\s+$/g, "");
    if (!/^[0-9]{1,2}$/.test(text)) { return characters(text.toUpperCase()); }
    var n = parseInt(text, 10);
    var tens = Math.floor(n / 10);
    var ones = n % 10;
    if (n < 10) { return [String(n)]; }
    var keys = tens === 1 ? ["十"] : [String(tens), "十"];
    if (ones) { keys.push(String(ones)); }
    return keys;
  }
  // "A012" → A 零 一 二: the letter by its name, then the digits one by one.
  function sequence(ticketNo, windowLabel) {
    var once = ["请"].concat(characters(String(ticketNo).toUpperCase()), ["号", "到"], windowWords(windowLabel), ["号", "窗口"]);
    return ["chime"].concat(once, once);
  }

  // ---- playing: one audio element for every clip (the one the click unlocked, which a phone's browser needs)
  var audio = null;
  var current = null;   // the call being said: {keys, at}
  var timer = null;

  function player() {
    if (!audio) {
      audio = new Audio();
      audio.preload = "auto";
      audio.addEventListener("ended", next);
      audio.addEventListener("error", next);
    }
    return audio;
  }

  function say(ticketNo, windowLabel) {
    var keys = sequence(ticketNo, windowLabel);
    voice.lastSequence = keys.slice();
    if (!voice.unlocked || voice.muted) { return keys; }
    var call = { ticket: String(ticketNo), window: String(windowLabel), keys: keys, at: 0 };
    if (voice.speaking) {
      voice.queue.push(call);
      while (voice.queue.length > MAX_QUEUED) { voice.queue.shift(); }
    } else {
      begin(call);
    }
    return keys;
  }

  function begin(call) {
    current = call;
    voice.speaking = true;
    play();
  }

  function play() {
    clearTimeout(timer);
    if (!current || voice.muted) { stop(); return; }
    var key = current.keys[current.at];
    var url = clips[key];
    if (!url) { next(); return; }
    var element = player();
    element.volume = voice.volume;
    element.src = url;
    voice.played += 1;
    timer = setTimeout(next, CLIP_TIMEOUT_MS);
    var started = element.play();
    if (started && typeof started.catch === "function") {
      started.catch(function () { /* refused or interrupted: the timeout or the error event moves on */ });
    }
  }

  function next() {
    clearTimeout(timer);
    if (!current) { return; }
    var finished = current.keys[current.at];
    current.at += 1;
    if (current.at >= current.keys.length) {
      current = null;
      if (voice.queue.length) { timer = setTimeout(function () { begin(voice.queue.shift()); }, REPEAT_GAP_MS); }
      else { voice.speaking = false; }
      return;
    }
    // A pause after the chime and between the two times the call is said ("窗口" ends the first).
    var gap = finished === "chime" ? CHIME_GAP_MS : (finished === "窗口" ? REPEAT_GAP_MS : 0);
    if (gap) { timer = setTimeout(play, gap); } else { play(); }
  }

  function stop() {
    clearTimeout(timer);
    current = null;
    voice.queue.length = 0;
    voice.speaking = false;
    if (audio) { audio.pause(); }
  }

  // ---- the controls
  function unlock() {
    voice.unlocked = true;
    if (startButton) { startButton.hidden = true; }
    showSettings();
    if (volumeInput) { volumeInput.focus(); }
    // Played inside the click: the browser then lets the page play sound for as long as it stays open.
    var element = player();
    if (!voice.muted && clips.chime) {
      current = { keys: ["chime"], at: 0 };
      voice.speaking = true;
      play();
    } else {
      // Muted: still start the element within the click, silently, so a call after unmuting is heard (a phone's
      // browser lets only an element started by a click play later).
      var done = function () {
        if (!voice.speaking) { element.pause(); }
        element.muted = false;
      };
      element.muted = true;
      if (clips.chime) { element.src = clips.chime; }
      var started = element.play();
      if (started && typeof started.then === "function") { started.then(done, done); } else { done(); }
    }
  }

  function setVolume() {
    voice.volume = Math.max(0, Math.min(1, Number(volumeInput.value) / 100));
    if (audio) { audio.volume = voice.volume; }
    save();
  }

  function toggleMute() {
    voice.muted = !voice.muted;
    if (voice.muted) { stop(); }
    showSettings();
    save();
  }

  // ---- watching the page for calls
  var spoken = {};
  function callKey(el) {
    var key = el.getAttribute("data-call-id");
    if (el.getAttribute("data-recall") === "1") { key += "|recall|" + (el.getAttribute("data-recall-at") || ""); }
    return key;
  }
  function scan(speak) {
    var calls = document.querySelectorAll(CALLS);
    for (var i = 0; i < calls.length; i++) {
      var key = callKey(calls[i]);
      if (spoken[key]) { continue; }
      spoken[key] = true;
      if (speak) { say(calls[i].getAttribute("data-ticket"), calls[i].getAttribute("data-window")); }
    }
  }

  load();
  showSettings();
  if (startButton) { startButton.addEventListener("click", unlock); }
  if (volumeInput) {
    volumeInput.addEventListener("input", setVolume);
    volumeInput.addEventListener("change", setVolume);
  }
  if (muteButton) { muteButton.addEventListener("click", toggleMute); }

  scan(false); // the panel the page loaded with is not said
  if (window.MutationObserver && document.body) {
    new MutationObserver(function () { scan(true); }).observe(document.body, {
      childList: true, subtree: true, attributes: true,
      attributeFilter: ["data-call-id", "data-ticket", "data-window", "data-recall", "data-recall-at"]
    });
  }
})();
