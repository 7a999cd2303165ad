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
