// Draws the charts of an Origen report's sections on registration quality
// over time (conversion curves, cohort heat maps, weekly trend, prospect
// calibration) from the JSON in #origen-maturity-data. Every text shown
// comes from that JSON, formatted by Origen, and reaches the DOM only
// through esc(): ECharts tooltips are HTML, and channel names are user data.
(function () {
  "use strict";
  var el = document.getElementById("origen-maturity-data");
  if (!el || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(el.textContent);
  var entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return entities[c]; });
  }

  // A colour of a series is one of Origen's own; anything else (a
  // gradient object) gets no swatch.
  function swatch(color) {
    if (typeof color !== "string" || !/^(#[0-9a-fA-F]{3,8}|rgba?\([0-9., ]+\))$/.test(color)) {
      return "";
    }
    return '<span style="display:inline-block;width:9px;height:9px;border-radius:2px;margin-right:6px;background:' + color + '"></span>';
  }

  function title(text) {
    return '<div style="font-weight:600;max-width:320px;white-space:normal;overflow-wrap:anywhere">' + esc(text) + "</div>";
  }

  function line(color, name, value) {
    return "<tr><td style=\"max-width:220px;white-space:normal;overflow-wrap:anywhere\">" + swatch(color) + esc(name) +
      '</td><td style="text-align:right;padding-left:12px;font-weight:600;white-space:nowrap">' + esc(value) + "</td></tr>";
  }

  // A tooltip per category (a day, a week, a decile): its title, then a
  // line per series that has a text for it, in the chart's order.
  function axisTip(tip) {
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      if (!list.length) {
        return "";
      }
      var i = list[0].dataIndex;
      var rows = "";
      list.forEach(function (p) {
        var s = tip.series && tip.series[p.seriesId];
        if (s && s.values[i]) {
          rows += line(p.color, s.name, s.values[i]);
        }
      });
      return title(tip.titles ? tip.titles[i] || "" : "") + "<table>" + rows + "</table>";
    };
  }

  function cellKey(p) {
    var v = p.value || (p.data && p.data.value) || [];
    return v[0] + "," + v[1];
  }

  // A tooltip per heat-map cell: its lines, the first as the title.
  function itemTip(tip) {
    return function (p) {
      var lines = (tip.cells && tip.cells[cellKey(p)]) || [];
      if (!lines.length) {
        return "";
      }
      return title(lines[0]) + lines.slice(1).map(function (l) {
        return '<div style="max-width:320px;white-space:normal">' + esc(l) + "</div>";
      }).join("");
    };
  }

  // Category labels turn upright when each category has less than 44
  // pixels, as on phones.
  function fitLabels(chart, node, spec) {
    var axis = spec.option.xAxis && spec.option.xAxis[0];
    if (!axis || axis.type !== "category" || !axis.axisLabel || !axis.axisLabel.rotate) {
      return;
    }
    var narrow = node.clientWidth / Math.max((axis.data || []).length, 1) < 44;
    chart.setOption({ xAxis: [{ axisLabel: { rotate: narrow ? 90 : 35 } }] });
  }

  var drawn = [];
  (data.charts || []).forEach(function (spec) {
    var node = document.getElementById(spec.id);
    if (!node) {
      return;
    }
    var opt = spec.option;
    var tip = spec.tip || {};
    opt.tooltip = opt.tooltip || {};
    opt.tooltip.renderMode = "html";
    opt.tooltip.confine = true;
    opt.tooltip.formatter = tip.mode === "item" ? itemTip(tip) : axisTip(tip);
    if (tip.labels) {
      (opt.series || []).forEach(function (s) {
        if (s.label && s.label.show) {
          s.label.formatter = function (p) { return tip.labels[cellKey(p)] || ""; };
        }
      });
    }
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
