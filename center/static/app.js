// center: small behaviours for staff pages. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  function toast(message) {
    var el = document.createElement("div");
    el.className = "toast";
    el.setAttribute("role", "alert");
    el.textContent = message;
    document.body.appendChild(el);
    setTimeout(function () { el.remove(); }, 6000);
  }

  // htmx does not swap error responses by default (2.x): tell the person what happened.
  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 401) { return; } // HX-Redirect to the login page follows
    var text = {
      403: "无权执行此操作，或页面已过期，请刷新后重试。",
      404: "内容不存在或已被移除。",
      409: "数据已被他人修改，请刷新后重试。",
      429: "操作过于频繁，请稍后再试。"
    }[status] || "操作失败（" + status + "），请稍后重试。";
    toast(text);
  });
  document.addEventListener("htmx:sendError", function () {
    toast("无法连接服务器，请检查网络后重试。");
  });
})();

// The kiosk counter: everything works from the keyboard.
//   /        focus the search box from anywhere
//   ↓ / ↑    move through the search results; Enter opens one (Enter in the box opens the first)
//   Esc      close the item or case panel and return to the search box
(function () {
  "use strict";
  function search() { return document.getElementById("counter-search"); }
  function results() { return Array.prototype.slice.call(document.querySelectorAll("#search-results [data-result]")); }
  function typing(el) { return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable); }

  document.addEventListener("keydown", function (evt) {
    var box = search();
    if (!box) { return; }
    if (evt.key === "/" && !typing(document.activeElement)) {
      evt.preventDefault(); box.focus(); box.select(); return;
    }
    var list = results();
    var index = list.indexOf(document.activeElement);
    if (evt.key === "ArrowDown" && (document.activeElement === box || index >= 0) && list.length) {
      evt.preventDefault(); list[Math.min(index + 1, list.length - 1)].focus(); return;
    }
    if (evt.key === "ArrowUp" && index >= 0) {
      evt.preventDefault(); (index === 0 ? box : list[index - 1]).focus(); return;
    }
    if (evt.key === "Enter" && document.activeElement === box && list.length) {
      evt.preventDefault(); list[0].click(); return;
    }
    if (evt.key === "Escape") {
      var panel = document.getElementById("work-panel");
      if (panel && window.htmx) {
        evt.preventDefault();
        window.htmx.ajax("GET", "/counter", { target: "#work-panel", swap: "innerHTML" });
        box.focus(); box.select();
      }
    }
  });

  document.addEventListener("click", function (evt) {
    var close = evt.target.closest("[data-close-panel]");
    if (close && window.htmx && document.getElementById("work-panel")) {
      evt.preventDefault();
      window.htmx.ajax("GET", "/counter", { target: "#work-panel", swap: "innerHTML" });
      var box = search(); if (box) { box.focus(); }
    }
  });

  // After a panel arrives, put the cursor where the work continues.
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    if (target && target.id === "desk") {  // the canteen desk: ready for the next card
      var card = document.getElementById("card");
      if (card) { card.focus(); }
      return;
    }
    if (!target || target.id !== "work-panel") { return; }
    var selectors = ["[data-focus]", "input[name=resident_name]", "input:not([type=hidden]), textarea", "button"];
    for (var i = 0; i < selectors.length; i++) {
      var field = target.querySelector(selectors[i]);
      if (field) { field.focus(); return; }
    }
  });
})();

// Layout: on a phone a table wider than the screen scrolls inside its own box (app.css); such a box must be
// reachable from the keyboard (Tab to it, then the arrow keys scroll it), so it gets tabindex=0 while it scrolls.
(function () {
  "use strict";
  function markScrollingTables() {
    var tables = document.querySelectorAll("main .table");
    for (var i = 0; i < tables.length; i++) {
      var t = tables[i];
      if (t.scrollWidth > t.clientWidth + 1) {
        if (!t.hasAttribute("tabindex")) { t.setAttribute("tabindex", "0"); t.setAttribute("data-scroll-box", ""); }
      } else if (t.hasAttribute("data-scroll-box")) {
        t.removeAttribute("tabindex"); t.removeAttribute("data-scroll-box");
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markScrollingTables);
  } else {
    markScrollingTables();
  }
  window.addEventListener("resize", markScrollingTables);
  document.addEventListener("htmx:afterSettle", markScrollingTables);
})();
