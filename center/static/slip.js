// The slip's print button (no inline handlers: the CSP forbids them).
document.addEventListener("click", function (evt) {
  if (evt.target.closest("[data-print]")) { window.print(); }
});
