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
  // A part that refreshes itself (the counter's window strip) keeps what it shows when a refresh fails: no toast
  // every 15 s (its own requests, the forms in it, still say what happened).
  function quiet(evt) { return evt.detail && evt.detail.elt && evt.detail.elt.hasAttribute("data-window-strip"); }
  document.addEventListener("htmx:responseError", function (evt) {
    if (quiet(evt)) { return; }
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
  document.addEventListener("htmx:sendError", function (evt) {
    if (quiet(evt)) { return; }
    toast("无法连接服务器，请检查网络后重试。");
  });
})();

// The kiosk counter: everything works from the keyboard.
//   F2       the window strip's big button: 叫号 (or 恢复叫号 while paused), from anywhere, the search box too
//   /        focus the search box from anywhere (in the box itself: select the query, never type a "/")
//   ↓ / ↑    move through the search results; Enter opens one (Enter in the box opens the first)
//   Esc      close the item or case panel and return to the search box (asks first if something was typed)
// Keys pressed while an input method composes (拼音 candidates: isComposing) belong to the input method.
(function () {
  "use strict";
  function search() { return document.getElementById("counter-search"); }
  function results() { return Array.prototype.slice.call(document.querySelectorAll("#search-results [data-result]")); }
  function typing(el) { return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable); }

  function closePanel() {
    if (window.center) { window.center.panelCloseAgreed = true; }  // asked already (closePanelAsking)
    window.htmx.ajax("GET", "/counter", { target: "#work-panel", swap: "innerHTML" });
    if (window.center) { window.center.panelCloseAgreed = false; }
    var box = search(); if (box) { box.focus(); box.select(); }
  }
  // Close the panel; if a form in it holds typed data, only once the worker agrees to discard it.
  function closePanelAsking(panel) {
    if (window.center && window.center.hasTypedData(panel)) { window.center.askDiscard(closePanel); }
    else { closePanel(); }
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.isComposing || evt.keyCode === 229 || evt.defaultPrevented) { return; }
    if (document.querySelector("dialog[open]")) { return; } // the dialog answers its own keys
    var box = search();
    if (!box) { return; }
    if (evt.key === "/" && document.activeElement === box) {
      evt.preventDefault(); box.select(); return;
    }
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
        closePanelAsking(panel);
      }
    }
  });

  document.addEventListener("click", function (evt) {
    var close = evt.target.closest("[data-close-panel]");
    var panel = document.getElementById("work-panel");
    if (close && window.htmx && panel) {
      evt.preventDefault();
      closePanelAsking(panel);
    }
  });

  // A result list that arrives late (typing outran the network) must not throw away the result the worker had
  // moved to with ↓: keep the focus at the same place in the new list.
  var focusedResult = -1;
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "search-results") {
      focusedResult = results().indexOf(document.activeElement);
    }
  });

  // After a panel arrives, put the cursor where the work continues.
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    if (target && target.id === "search-results") {
      var list = results();
      if (focusedResult >= 0 && list.length) { list[Math.min(focusedResult, list.length - 1)].focus(); }
      focusedResult = -1;
      return;
    }
    if (target && target.id === "desk") {  // the canteen desk: ready for the next card
      var card = document.getElementById("card");
      if (card) { card.focus(); }
    }
  });
  // The work panel: once settled, when htmx has wired its new forms (focused any earlier, an Enter pressed at
  // once would post the form without htmx).
  document.addEventListener("htmx:afterSettle", function (evt) {
    var target = evt.detail.target;
    if (!target || target.id !== "work-panel") { return; }
    var selectors = ["[data-focus]", "input[name=resident_name]", "input:not([type=hidden]), textarea", "button"];
    for (var i = 0; i < selectors.length; i++) {
      var field = target.querySelector(selectors[i]);
      if (field) { field.focus(); return; }
    }
  });
})();

// Typed work is never discarded without asking: center.hasTypedData(root) tells whether a form in root holds
// something the person typed; center.askDiscard(then) asks "放弃已填写的内容？" in a modal dialog (取消, the
// default, keeps everything and puts the cursor back; Esc is 取消) and calls then() only on 放弃.
// A form marked data-guard-typed counts any filled field as typed (it may come back filled from the server:
// a 422, a draft kept over a login); other forms count what differs from how the page sent them.
(function () {
  "use strict";
  var center = window.center = window.center || {};
  var dialog = null;

  function typedIn(form) {
    var guard = form.hasAttribute("data-guard-typed");
    return Array.prototype.some.call(form.elements, function (el) {
      if (el.disabled || /^(hidden|submit|button|reset|image)$/.test(el.type)) { return false; }
      if (el.type === "checkbox" || el.type === "radio") { return guard ? el.checked : el.checked !== el.defaultChecked; }
      if (el.tagName === "SELECT") {
        if (!el.multiple) {
          // A single select with no option marked selected starts on its first option: that is not typed.
          var start = Array.prototype.findIndex.call(el.options, function (o) { return o.defaultSelected; });
          return el.selectedIndex !== (start < 0 ? 0 : start) && !(guard && el.value === "");
        }
        return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      if (typeof el.value !== "string") { return false; }
      return guard ? el.value.trim() !== "" : el.value !== el.defaultValue;
    });
  }

  center.hasTypedData = function (root) {
    if (!root) { return false; }
    var forms = root.tagName === "FORM" ? [root] : Array.prototype.slice.call(root.querySelectorAll("form"));
    return forms.some(typedIn);
  };

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "discard-dialog";
    dialog.setAttribute("aria-labelledby", "discard-title");
    dialog.setAttribute("aria-describedby", "discard-body");
    dialog.innerHTML = '<h2 id="discard-title">放弃已填写的内容？</h2>' +
      '<p id="discard-body">已填写的居民信息、勾选的材料和备注都将清空，不会保存。</p>' +
      '<form method="dialog" class="actions">' +
      '<button type="submit" value="keep" class="btn btn-primary" autofocus>取消</button> ' +
      '<button type="submit" value="discard" class="btn">放弃</button></form>';
    document.body.appendChild(dialog);
  }

  center.askDiscard = function (then) {
    if (!dialog) { build(); }
    if (dialog.open) { return; }
    var back = document.activeElement;
    dialog.returnValue = "";
    dialog.addEventListener("close", function done() {
      dialog.removeEventListener("close", done);
      if (dialog.returnValue === "discard") { then(); }
      else if (back && back.focus) { back.focus(); }
    });
    dialog.showModal();
  };
})();

// Confirmation steps (_macros.html confirm_step, used for 办结 / 不予受理 and anything else that cannot be
// undone): when one appears, 确认 has the focus (Enter confirms); Esc means its 取消.
(function () {
  "use strict";
  function focusStep(root) {
    var ok = root && root.querySelector ? root.querySelector("[data-confirm-step] [data-confirm-ok]") : null;
    if (ok) { ok.focus(); }
  }
  document.addEventListener("htmx:afterSettle", function (evt) {
    focusStep((evt.detail && evt.detail.target) || evt.target);
  });
  // htmx wires swapped-in forms when the swap settles (20 ms on); the browser itself may focus an [autofocus]
  // button of that content before (the page's first autofocus), and an Enter then posted natively and reloaded
  // the page. Wire such forms at once, in the same task as the swap, before the browser can focus anything.
  document.addEventListener("htmx:afterSwap", function () {
    if (!window.htmx) { return; }
    var buttons = document.querySelectorAll("form [autofocus]");
    for (var i = 0; i < buttons.length; i++) { window.htmx.process(buttons[i].closest("form")); }
  });
  // Capture phase: the step answers Esc before any page-wide Esc (the counter's "close the panel").
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape" || evt.isComposing || evt.keyCode === 229 || evt.defaultPrevented) { return; }
    if (document.querySelector("dialog[open]")) { return; }
    var step = (evt.target.closest && evt.target.closest("[data-confirm-step]")) ||
      document.querySelector("[data-confirm-step]");
    var cancel = step && step.querySelector("[data-confirm-cancel]");
    if (!cancel) { return; }
    evt.preventDefault();
    evt.stopPropagation();
    cancel.click();
  }, true);
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

// Counter (fixcounter): typed work is not lost by a click elsewhere. A request that would replace the work panel
// (another search result, a case in 我的在办 / 今日提醒, Esc) while a form in it holds typed data asks
// "放弃已填写的内容？" first (center.askDiscard) and is sent only on 放弃; the data a form sends with its own request
// does not count (受理 travels with it). Leaving or reloading the page with typed data asks the browser's question
// (beforeunload), except when the typed data leaves with the navigation: a plain form post of that form, or a
// redirect the server answered (HX-Redirect: the data was received, or kept over a login).
(function () {
  "use strict";
  var center = window.center = window.center || {};
  var leavingWith = null;  // the form whose plain post is taking its data along
  var serverLeads = false;  // the server sent the browser elsewhere (HX-Redirect / HX-Refresh)

  function panel() { return document.getElementById("work-panel"); }

  // Whether the panel holds typed data a request from `elt` would lose: every form of the panel but the one that
  // makes the request (its fields go with it).
  function typedLostBy(elt) {
    var p = panel();
    if (!p || !center.hasTypedData) { return false; }
    var own = elt && elt.closest ? elt.closest("form") : null;
    return Array.prototype.some.call(p.querySelectorAll("form"), function (f) {
      return f !== own && center.hasTypedData(f);
    });
  }

  // Esc and 取消 ask before they close the panel (closePanelAsking); their request is not asked about again.
  center.panelCloseAgreed = false;

  document.addEventListener("htmx:confirm", function (evt) {
    var target = evt.detail.target, p = panel();
    if (!p || !target || !(target === p || target.contains(p))) { return; }
    if (center.panelCloseAgreed) { center.panelCloseAgreed = false; return; }
    if (!typedLostBy(evt.detail.elt)) { return; }
    evt.preventDefault();
    center.askDiscard(function () { evt.detail.issueRequest(true); });
  });

  document.addEventListener("submit", function (evt) {
    if (!evt.defaultPrevented) { leavingWith = evt.target; }  // htmx prevents the default of the posts it sends
  });
  document.addEventListener("htmx:beforeOnLoad", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && (xhr.getResponseHeader("HX-Redirect") || xhr.getResponseHeader("HX-Refresh") === "true")) {
      serverLeads = true;
    }
  });

  window.addEventListener("beforeunload", function (evt) {
    var typed = !serverLeads && typedLostBy(leavingWith);
    leavingWith = null;
    if (typed) {
      evt.preventDefault();
      evt.returnValue = "";  // older Chromium asks only when returnValue is set
    }
  });
})();

// Counter intake (一次性告知): the line by 受理 says, as the boxes are ticked, whether the case will wait for
// materials (待补正, the clock paused) and which; its two wordings are the template's, only shown or hidden here.
(function () {
  "use strict";
  function update(form) {
    var line = form.querySelector("[data-accept-outcome]");
    if (!line) { return; }
    var missing = Array.prototype.filter.call(form.querySelectorAll("input[name=brought][data-required]"),
      function (box) { return !box.checked; }).map(function (box) { return box.getAttribute("data-name"); });
    line.querySelector("[data-missing-list]").textContent = missing.join("、");
    line.querySelector("[data-when-missing]").hidden = !missing.length;
    line.querySelector("[data-when-complete]").hidden = !!missing.length;
  }
  document.addEventListener("change", function (evt) {
    var box = evt.target;
    if (box && box.name === "brought" && box.form) { update(box.form); }
  });
})();

// The browser's own validation bubbles follow the browser's language ("Please fill out this field."): every form
// field answers in Chinese instead, from what is wrong with it (its validity state). A message the page set itself
// (setCustomValidity elsewhere) is left alone; ours is cleared as soon as the field is changed, so the browser
// checks it again. Forms whose fields the server checks (novalidate, e.g. the reasons of 不予受理 / 转交) never
// reach this: the server's message appears at the field.
(function () {
  "use strict";
  var OWN = "centerValidity";
  function message(el) {
    var v = el.validity, type = (el.type || "").toLowerCase();
    if (v.valueMissing) {
      return type === "checkbox" || type === "radio" ? "请勾选此项" : el.tagName === "SELECT" ? "请选择一项" : "请填写此项";
    }
    if (v.badInput) {
      return {date: "请输入有效的日期", time: "请输入有效的时间", month: "请输入有效的月份", number: "请输入有效的数字"}[type] ||
        "请输入有效的值";
    }
    if (v.typeMismatch) { return {email: "请输入有效的电子邮箱地址", url: "请输入有效的网址"}[type] || "格式不正确"; }
    if (v.rangeUnderflow) { return "不能小于 " + el.min; }
    if (v.rangeOverflow) { return "不能大于 " + el.max; }
    if (v.stepMismatch) {
      var step = el.getAttribute("step");
      return !step || step === "1" ? "请输入整数" : "请输入 " + step + " 的整数倍";
    }
    if (v.tooLong) { return "不能超过 " + el.maxLength + " 个字"; }
    if (v.tooShort) { return "至少填写 " + el.minLength + " 个字"; }
    if (v.patternMismatch) { return el.title ? "格式不正确：" + el.title : "格式不正确"; }
    return "";
  }
  document.addEventListener("invalid", function (evt) {
    var el = evt.target;
    if (!el || !el.validity || !el.setCustomValidity) { return; }
    if (el.validity.customError && !el.dataset[OWN]) { return; }  // the page's own message
    el.setCustomValidity("");
    var text = message(el);
    if (text) { el.setCustomValidity(text); el.dataset[OWN] = "1"; }
  }, true);  // invalid does not bubble
  function reset(evt) {
    var el = evt.target;
    if (el && el.dataset && el.dataset[OWN]) { el.setCustomValidity(""); delete el.dataset[OWN]; }
  }
  document.addEventListener("input", reset, true);
  document.addEventListener("change", reset, true);
})();

// The window strip (叫号, routes/window.py). F2 presses its big button (叫号, or 恢复叫号 while paused) from
// anywhere on the counter, the search box included; a focused button takes Enter as usual. 重呼 waits out its
// cooldown: the button counts down and comes back by itself. The strip refreshes itself every 15 s: a refresh that
// fails keeps what it shows (no redirect, no toast: a person's request says what happened); one that would swap
// the strip while the worker is choosing in it (转队 open, a field focused) waits for the next round; after a swap
// the focus stays on the same button, or moves to the next thing to press (开始办理 after 叫号).
(function () {
  "use strict";
  function strip() { return document.getElementById("window-strip"); }
  function polled(evt) { var s = strip(); return !!(s && evt.detail && evt.detail.elt === s); }

  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "F2" || evt.isComposing || evt.defaultPrevented) { return; }
    if (document.querySelector("dialog[open]")) { return; }
    var s = strip();
    var button = s && s.querySelector(".btn-call:not([disabled])");
    if (!button) { return; }
    evt.preventDefault();
    button.focus();
    button.click();
  });

  document.addEventListener("htmx:confirm", function (evt) {
    if (!polled(evt)) { return; }
    var s = strip(), active = document.activeElement;
    if (s.querySelector("details[open]") || (s.contains(active) && /^(SELECT|INPUT|TEXTAREA)$/.test(active.tagName))) {
      evt.preventDefault();  // not now: the next round
    }
  });
  // Capture phase: before the page-wide listeners, which would follow a redirect to the login page (an expired
  // session) and take typed work with it.
  document.addEventListener("htmx:beforeOnLoad", function (evt) {
    if (polled(evt) && evt.detail.xhr && evt.detail.xhr.status !== 200) {
      evt.preventDefault();
      evt.stopPropagation();
    }
  }, true);

  var focusKey = null;
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var s = strip();
    if (!s || evt.detail.target !== s) { return; }
    var active = document.activeElement;
    focusKey = s.contains(active) ? (active.getAttribute("data-strip-key") || "") : null;
  });
  document.addEventListener("htmx:afterSettle", function (evt) {
    var s = strip();
    if (!s || evt.detail.target !== s || focusKey === null) { arm(); return; }
    var same = focusKey && s.querySelector('[data-strip-key="' + focusKey + '"]:not([disabled])');
    var next = same || s.querySelector("[data-strip-key]:not([disabled])");
    if (next) { next.focus(); }
    focusKey = null;
    arm();
  });

  var timer = null;
  function tick() {
    var waiting = document.querySelectorAll("[data-recall-in]");
    if (!waiting.length) { clearInterval(timer); timer = null; return; }
    for (var i = 0; i < waiting.length; i++) {
      var button = waiting[i], note = button.querySelector("[data-recall-left]");
      var left = Math.ceil((Number(button.getAttribute("data-recall-until")) - Date.now()) / 1000);
      if (left > 0) {
        if (note) { note.textContent = "（" + left + " 秒后）"; }
        button.title = "刚刚叫过：大厅刚听到，" + left + " 秒后可重呼";
        continue;
      }
      button.removeAttribute("data-recall-in");
      button.disabled = false;
      button.title = "再叫一次这个号";
      if (note) { note.remove(); }
    }
  }
  function arm() {
    var waiting = document.querySelectorAll("[data-recall-in]:not([data-recall-until])");
    for (var i = 0; i < waiting.length; i++) {
      var seconds = parseInt(waiting[i].getAttribute("data-recall-in"), 10) || 0;
      waiting[i].setAttribute("data-recall-until", String(Date.now() + seconds * 1000));
    }
    if (document.querySelector("[data-recall-in]") && !timer) { timer = setInterval(tick, 1000); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", arm); } else { arm(); }
})();
