// The public screen: a live clock, and a discreet notice while the server cannot be reached
// (htmx keeps the last content when a poll fails; nothing is blanked).
(function () {
  "use strict";
  var clock = document.getElementById("clock");
  var fixed = clock && clock.getAttribute("data-at");
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    if (!clock || fixed) { return; }
    var now = new Date();
    clock.textContent = pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
  }
  tick();
  setInterval(tick, 1000);

  var offline = document.getElementById("offline");
  function show(on) { if (offline) { offline.hidden = !on; } }
  document.addEventListener("htmx:sendError", function () { show(true); });
  document.addEventListener("htmx:timeout", function () { show(true); });
  document.addEventListener("htmx:responseError", function () { show(true); });
  document.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail.successful) { show(false); }
  });
})();
