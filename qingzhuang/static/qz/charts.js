// 轻装: the workbench charts. Each chart's ECharts option is built on the server and written into
// the page with json_script; this file draws them (no inline scripts: the CSP forbids them) and
// keeps them sized to their card on phones and desktops alike.
(function () {
  "use strict";
  if (!window.echarts) return;
  var encode = echarts.format.encodeHTML;

  function number(value, unit) {
    if (value === null || value === undefined || value === "-") return "—";
    return Number(value).toLocaleString("zh-CN") + (unit ? " " + unit : "");
  }

  function prepare(spec) {
    var option = spec.option;
    var unit = spec.unit || "";
    option.tooltip = option.tooltip || {};
    var heatmap = (option.series || []).some(function (s) { return s.type === "heatmap"; });
    if (heatmap) {
      // A cell: "指标名<br>月份：n 个单位".
      option.tooltip.formatter = function (params) {
        var x = option.xAxis.data[params.value[0]], y = option.yAxis.data[params.value[1]];
        return encode(y) + "<br>" + encode(x) + "：" + number(params.value[2], unit);
      };
    } else {
      option.tooltip.valueFormatter = function (value) { return number(value, unit); };
    }
    return option;
  }

  document.querySelectorAll("[data-qz-chart]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-qz-chart"));
    if (!source) return;
    var chart = echarts.init(element, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(prepare(JSON.parse(source.textContent)));
    element.setAttribute("data-drawn", "true");
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(element);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
  });
})();
