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
  // Unit picker (templates/orgs/_unit_picker.html): the options come from htmx; choosing one puts
  // its code into the form's hidden field and submits the form (unless data-autosubmit="false");
  // the list is a listbox.
  function picker(el) { return el && el.closest(".qz-unit-picker"); }
  function closeList(box) {
    var list = box.querySelector(".qz-unit-list");
    list.innerHTML = "";
    box.querySelector(".qz-unit-text").setAttribute("aria-expanded", "false");
  }
  function choose(box, code, name) {
    var value = box.querySelector(".qz-unit-value");
    var changed = value.value !== code;
    value.value = code;
    box.querySelector(".qz-unit-text").value = name;
    closeList(box);
    var form = value.form;
    if (changed && form && box.dataset.autosubmit !== "false") form.requestSubmit();
  }
  document.addEventListener("click", function (event) {
    var option = event.target.closest(".qz-unit-option");
    if (option) { choose(picker(option), option.dataset.code, option.dataset.name); return; }
    var clear = event.target.closest(".qz-unit-clear");
    if (clear) { choose(picker(clear), "", ""); return; }
    document.querySelectorAll(".qz-unit-picker").forEach(function (box) {
      if (!box.contains(event.target)) closeList(box);
    });
  });
  document.addEventListener("keydown", function (event) {
    var box = picker(event.target);
    if (!box) return;
    var options = Array.prototype.slice.call(box.querySelectorAll(".qz-unit-option"));
    var at = options.indexOf(event.target);
    if (event.key === "Escape") { closeList(box); box.querySelector(".qz-unit-text").focus(); return; }
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault(); options[Math.min(at + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault(); (at === 0 ? box.querySelector(".qz-unit-text") : options[at - 1]).focus();
    } else if (event.key === "Enter" && event.target.classList.contains("qz-unit-text")) {
      event.preventDefault();  // Enter in the name box chooses the first option, not the form
      if (options.length) choose(box, options[0].dataset.code, options[0].dataset.name);
    }
  });
  document.addEventListener("input", function (event) {
    if (!event.target.classList.contains("qz-unit-text") || event.target.value) return;
    choose(picker(event.target), "", "");  // emptied: no unit filter
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var box = picker(event.detail.target);
    if (box && event.detail.target.classList.contains("qz-unit-list")) {
      box.querySelector(".qz-unit-text").setAttribute("aria-expanded",
        String(box.querySelector(".qz-unit-option") !== null));
    }
  });
  // Scheme editor (考核方案): the sum of the indicator weights, live; it must be exactly 100.
  // Counted in ten-thousandths (weights have at most 4 decimals), so the sum is exact.
  function weightTotal() {
    var out = document.getElementById("weight-total");
    if (!out) return;
    var units = 0, bad = false;
    document.querySelectorAll(".js-weight").forEach(function (input) {
      var row = input.closest("tr");
      var drop = row && row.querySelector('input[type="checkbox"][name$="-DELETE"]');
      var value = input.value.trim();
      if ((drop && drop.checked) || !value) return;
      var match = /^(\d+)(?:\.(\d{1,4}))?$/.exec(value);
      if (!match) { bad = true; return; }
      units += parseInt(match[1], 10) * 10000 + parseInt(((match[2] || "") + "0000").slice(0, 4), 10);
    });
    var whole = Math.floor(units / 10000), part = String(units % 10000).padStart(4, "0").replace(/0+$/, "");
    out.textContent = bad ? "有权重不是数字" : (part ? whole + "." + part : String(whole)) +
      (units === 1000000 ? "（正确）" : "（应为 100）");
    out.classList.toggle("text-danger", bad || units !== 1000000);
    out.classList.toggle("text-success", !bad && units === 1000000);
  }
  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("js-weight")) weightTotal();
  });
  document.addEventListener("change", function (event) {
    if (event.target.name && /-DELETE$/.test(event.target.name)) weightTotal();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", weightTotal);
  else weightTotal();
})();
