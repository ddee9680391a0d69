/* 统计分析 charts (no inline scripts: CSP script-src 'self'). Each [data-chart] box draws the chart whose
   data the page put in the #analytics-charts json_script block; clicking a bar opens the cases behind
   it (the same link as the figure in the table below the chart, which works without JavaScript). */
(function () {
  "use strict";
  window.huiyinCharts = window.huiyinCharts || {};

  function draw() {
    var holder = document.getElementById("analytics-charts");
    if (!holder || !window.echarts) return;
    var all = JSON.parse(holder.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var key = box.id.replace(/^chart-/, "");
      var d = all[key];
      if (!d || !d.series) return;
      var chart = window.echarts.init(box);
      var category = { type: "category", data: d.categories, axisLabel: { interval: 0, hideOverlap: true } };
      var value = { type: "value", minInterval: 1 };
      if (d.horizontal) category.inverse = true;
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis", renderMode: "richText" },  // drawn on the canvas: no inline-styled HTML (CSP)
        legend: { top: 0, data: d.series.map(function (s) { return s.name; }) },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        xAxis: d.horizontal ? value : category,
        yAxis: d.horizontal ? category : value,
        series: d.series.map(function (s) {
          return { name: s.name, type: "bar", stack: d.stack ? "total" : undefined, data: s.data, cursor: "pointer" };
        })
      });
      chart.on("click", function (p) {
        var link = d.series[p.seriesIndex] && d.series[p.seriesIndex].links[p.dataIndex];
        if (link) window.location.assign(link);
      });
      window.huiyinCharts[key] = chart;
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
