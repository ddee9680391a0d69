/* Smart-assist behaviours (no inline scripts: CSP script-src 'self').
   - "采用"/"填入" buttons copy a suggestion into a form field (the person still decides and submits);
   - the hot-issues bar chart reads its data from a json_script block. */
(function () {
  "use strict";
  if (window.huiyinAssist) return; // loaded once even if several partials include it
  window.huiyinAssist = true;

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-assist-fill]");
    if (!button) return;
    e.preventDefault();
    var field = document.getElementById(button.getAttribute("data-assist-fill"));
    if (!field) return;
    field.value = button.getAttribute("data-value");
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.focus();
  });

  function drawChart() {
    var box = document.getElementById("assist-hot-chart");
    var data = document.getElementById("assist-hot-data");
    if (!box || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var chart = window.echarts.init(box);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["反映人数", "件数"] },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: d.labels },
      series: [
        { name: "反映人数", type: "bar", data: d.petitioners },
        { name: "件数", type: "bar", data: d.cases }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawChart);
  else drawChart();
})();
