// The canteen desk (/dining). No inline scripts anywhere (the CSP forbids them).
//   Choosing a meal kind fills the price field with the canteen's menu price for that kind, and notes in the
//   hidden price_kind which kind it was filled for; without this script the server does the same on submit.
(function () {
  "use strict";
  document.addEventListener("change", function (evt) {
    var radio = evt.target;
    if (!radio.matches || !radio.matches(".meal-form input[type=radio][name=kind][data-price]")) { return; }
    var form = radio.form;
    var price = form.querySelector("input[name=price]");
    var filledFor = form.querySelector("input[name=price_kind]");
    if (price) { price.value = radio.getAttribute("data-price"); }
    if (filledFor) { filledFor.value = radio.value; }
  });
})();
