// The rating pad: after the thanks, back to the waiting page by itself for the next person (the 返回 link's
// address, after its data-return-after seconds). No inline script: the CSP forbids it.
(function () {
  var back = document.querySelector("[data-return-after]");
  if (!back) { return; }
  var after = parseInt(back.getAttribute("data-return-after"), 10) || 8;
  window.setTimeout(function () { window.location.replace(back.getAttribute("href")); }, after * 1000);
})();
