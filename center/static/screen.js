// The public screen: a live clock in Asia/Shanghai time, announcements paged one at a time on the TV, and a
// discreet notice while the server cannot be reached (htmx keeps the last content when a poll fails).
(function () {
  "use strict";
  var SHANGHAI_MS = 8 * 3600 * 1000; // Asia/Shanghai is UTC+08:00 all year (no daylight saving since 1991)
  var PAGE_MS = 10000;                // each announcement stays 10 s on the TV

  // ---- the clock: the TV's own instant (UTC, kept right by the network) shown at UTC+8, never in the TV's zone
  var clock = document.getElementById("clock");
  var fixed = clock && clock.getAttribute("data-at");
  var offset = clock ? Number(clock.getAttribute("data-offset")) || 0 : 0;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    if (!clock || fixed) { return; }
    var shanghai = new Date(Date.now() + offset + SHANGHAI_MS);
    clock.textContent = pad(shanghai.getUTCHours()) + ":" + pad(shanghai.getUTCMinutes()) + ":" +
      pad(shanghai.getUTCSeconds());
  }
  tick();
  setInterval(tick, 1000);

  // ---- announcements: one at a time (the CSS shows only .is-current on the TV; a phone shows them all)
  var current = 0;
  function showAnnouncement() {
    var items = document.querySelectorAll(".announcements .ann");
    if (!items.length) { return; }
    current = current % items.length;
    for (var i = 0; i < items.length; i++) {
      items[i].classList.toggle("is-current", i === current);
    }
    var counter = document.querySelector(".announcements .ann-page");
    if (counter) { counter.textContent = (current + 1) + "/" + items.length; }
  }
  setInterval(function () { current += 1; showAnnouncement(); }, PAGE_MS);
  // A poll swaps the content in again: keep the page that was showing instead of starting over.
  document.addEventListener("htmx:afterSwap", showAnnouncement);

  // ---- offline notice
  var offline = document.getElementById("offline");
  function show(on) { if (offline) { offline.hidden = !on; } }
  document.addEventListener("htmx:sendError", function () { show(true); });
  document.addEventListener("htmx:timeout", function () { show(true); });
  document.addEventListener("htmx:responseError", function () { show(true); });
  document.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail.successful) { show(false); }
  });
})();
