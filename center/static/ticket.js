// The printed ticket prints itself, then the tablet goes back to the take page for the next person (a kiosk's
// Chromium runs with --kiosk-printing, so no dialog waits for a touch). No inline script: the CSP forbids it.
(function () {
  var body = document.body;
  var back = body.getAttribute("data-return-url");
  var after = parseInt(body.getAttribute("data-return-after"), 10) || 8;
  document.addEventListener("click", function (evt) {
    if (evt.target.closest("[data-print]")) { window.print(); }
  });
  window.print();
  if (back) { window.setTimeout(function () { window.location.assign(back); }, after * 1000); }
})();
