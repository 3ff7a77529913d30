// Draws the charts of an Origen HTML report from the JSON in
// #origen-chart-data. Channel names reach the DOM only through esc():
// ECharts tooltips are HTML, and names are user data.
(function () {
  "use strict";
  var el = document.getElementById("origen-chart-data");
  if (!el || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(el.textContent);
  var entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return entities[c]; });
  }

  // The channel of a tooltip: bar series hold one item per channel, in
  // Report order, so their dataIndex is the channel's index.
  function channelIndex(params) {
    var list = Array.isArray(params) ? params : [params];
    for (var i = 0; i < list.length; i++) {
      if (list[i].seriesType === "bar") {
        return list[i].dataIndex;
      }
    }
    return -1;
  }

  var tooltipLines = {
    "chart-customers": function (t) {
      return [["Customers", t.customers], ["Cost per customer", t.cac], ["Registrations", t.registrations]];
    },
    "chart-conversion": function (t) {
      return [["Conversion rate", t.rate], ["95% interval", t.low + " – " + t.high],
        ["Customers / registrations", t.customers + " / " + t.registrations]];
    }
  };

  // An error bar from low to high at the channel's row (series data item
  // [channel index, low %, high %]).
  function wilsonBar(params, api) {
    var cat = api.value(0), lo = api.value(1), hi = api.value(2);
    var a = api.coord([lo, cat]), b = api.coord([hi, cat]);
    var h = Math.min(api.size([0, 1])[1] * 0.4, 16);
    var style = { stroke: "#1f2937", lineWidth: 1.5 };
    return {
      type: "group",
      children: [
        { type: "line", shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style: style },
        { type: "line", shape: { x1: a[0], y1: a[1] - h / 2, x2: a[0], y2: a[1] + h / 2 }, style: style },
        { type: "line", shape: { x1: b[0], y1: b[1] - h / 2, x2: b[0], y2: b[1] + h / 2 }, style: style }
      ]
    };
  }

  // Category labels of the vertical chart turn upright when each channel
  // has less than 70 pixels, as on phones.
  function fitLabels(chart, node, spec) {
    var axis = spec.option.xAxis && spec.option.xAxis[0];
    if (!axis || axis.type !== "category") {
      return;
    }
    var narrow = node.clientWidth / Math.max((axis.data || []).length, 1) < 70;
    chart.setOption({ xAxis: [{ axisLabel: { rotate: narrow ? 90 : 35, width: narrow ? 80 : 100 } }] });
  }

  var drawn = [];
  data.charts.forEach(function (spec) {
    var node = document.getElementById(spec.id);
    var lines = tooltipLines[spec.id];
    if (!node || !lines) {
      return;
    }
    var opt = spec.option;
    opt.tooltip = opt.tooltip || {};
    opt.tooltip.renderMode = "html";
    opt.tooltip.confine = true;
    opt.tooltip.formatter = function (params) {
      var t = data.tips[channelIndex(params)];
      if (!t) {
        return "";
      }
      var rows = lines(t).map(function (l) {
        return "<tr><td>" + esc(l[0]) + '</td><td style="text-align:right;padding-left:12px;font-weight:600">' +
          esc(l[1]) + "</td></tr>";
      }).join("");
      return '<div style="font-weight:600;max-width:260px;white-space:normal;overflow-wrap:anywhere">' +
        esc(t.name) + "</div><table>" + rows + "</table>";
    };
    (opt.series || []).forEach(function (s) {
      if (s.type === "custom") {
        s.renderItem = wilsonBar;
      }
    });
    var chart = echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(opt);
    fitLabels(chart, node, spec);
    drawn.push({ chart: chart, node: node, spec: spec });
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (d) {
      d.chart.resize();
      fitLabels(d.chart, d.node, d.spec);
    });
  });
})();
