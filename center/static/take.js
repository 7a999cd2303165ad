// The take page: one touch, one ticket. A second touch while the first is on its way is ignored (a double tap on a
// tablet would otherwise print two numbers). The queue button's value must still be sent, so nothing is disabled
// before the browser has built the form's data: the form only remembers that it was sent.
document.addEventListener("submit", function (evt) {
  var form = evt.target.closest("[data-take-form]");
  if (!form) { return; }
  if (form.dataset.sent) { evt.preventDefault(); return; }
  form.dataset.sent = "1";
  form.classList.add("is-sending");
});
// Back on the page from the browser's cache (the ticket page returns here): ready for the next person.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("[data-take-form]").forEach(function (form) {
    delete form.dataset.sent;
    form.classList.remove("is-sending");
  });
});
