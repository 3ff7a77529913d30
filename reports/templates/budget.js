// Draws the response curve of each paid channel of an Origen report's
// budget section from the JSON in #origen-budget-data: the weekly points,
// the fitted curve with its 95% band, and the current and suggested
// spend. Every text shown comes from that JSON, formatted by Origen, and
// reaches the DOM only through esc(): ECharts tooltips are HTML, and
// channel names are user data.
(function () {
  "use strict";
  var el = document.getElementById("origen-budget-data");
  if (!el || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(el.textContent);
  var entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return entities[c]; });
  }

  function tipBox(text) {
    return '<div style="max-width:300px;white-space:normal;overflow-wrap:anywhere">' + esc(text) + "</div>";
  }

  var drawn = [];
  (data.charts || []).forEach(function (c) {
    var node = document.getElementById(c.id);
    if (!node) {
      return;
    }
    var series = [];
    if (c.curve && c.curve.length) {
      // The band is one polygon: the upper bound left to right, then the
      // lower bound back (a stacked area would stack along the spend
      // axis, as both axes hold values).
      series.push({ id: "band", type: "custom", silent: true, clip: true, data: [0], z: 1, tooltip: { show: false },
        renderItem: function (params, api) {
          var pts = [];
          c.high.forEach(function (p) { pts.push(api.coord(p)); });
          for (var i = c.low.length - 1; i >= 0; i--) {
            pts.push(api.coord(c.low[i]));
          }
          return { type: "polygon", shape: { points: pts }, style: { fill: c.color, opacity: 0.18 } };
        } });
      series.push({ id: "curve", type: "line", data: c.curve, symbol: "none", smooth: false,
        lineStyle: { color: c.color, width: 2 }, itemStyle: { color: c.color },
        markLine: { symbol: "none", silent: true, animation: false,
          data: (c.marks || []).map(function (m) {
            return { xAxis: m.x, lineStyle: { color: m.color, type: "dashed", width: 1.5 },
              label: { formatter: m.label, color: m.color, position: m.now ? "insideStartTop" : "insideEndTop", fontSize: 10 } };
          }) } });
    }
    series.push({ id: "points", type: "scatter", data: c.points, symbolSize: 7, itemStyle: { color: c.color, opacity: 0.85 } });
    var chart = echarts.init(node, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 28, bottom: 40 },
      xAxis: { type: "value", name: c.x_name, nameLocation: "middle", nameGap: 26, min: 0 },
      yAxis: { type: "value", name: c.y_name, nameTextStyle: { align: "left" }, min: 0 },
      tooltip: { trigger: "item", renderMode: "html", confine: true, formatter: function (p) {
        if (p.seriesId === "points") {
          return tipBox(c.tips[p.dataIndex] || "");
        }
        if (p.seriesId === "curve") {
          return tipBox(c.curve_tips[p.dataIndex] || "");
        }
        return "";
      } },
      series: series
    });
    drawn.push(chart);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (ch) { ch.resize(); });
  });
})();
