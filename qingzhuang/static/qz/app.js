// 轻装: small behaviours on top of htmx. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  // Tree toggles: the first click loads the children through htmx; later clicks fold them.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".qz-toggle");
    if (!button || !button.classList.contains("qz-loaded")) return;
    var list = button.closest("li").querySelector(":scope > ul");
    var open = button.getAttribute("aria-expanded") === "true";
    list.hidden = open;
    button.setAttribute("aria-expanded", String(!open));
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var button = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (button && button.classList && button.classList.contains("qz-toggle")) {
      button.classList.add("qz-loaded");
      button.setAttribute("aria-expanded", "true");
    }
  });
})();
