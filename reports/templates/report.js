// Makes the channel table of an Origen HTML report sortable and filterable,
// and draws the charts from the JSON in #origen-chart-data. The table is
// plain HTML, complete without this script. Channel names reach the DOM
// only as text or through esc(): ECharts tooltips are HTML, and names are
// user data.
(function () {
  "use strict";
  var entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return entities[c]; });
  }

  // --- the table ---

  // Sort keys: numbers compare as numbers, other text with the locale's
  // collation; n/a (an empty key) always sorts last.
  function compareKeys(a, b, dir) {
    if (a === "" || b === "") {
      return a === b ? 0 : (a === "" ? 1 : -1);
    }
    var x = Number(a), y = Number(b);
    var c = (isNaN(x) || isNaN(y)) ? a.localeCompare(b) : x - y;
    return dir === "ascending" ? c : -c;
  }

  function enhanceTable() {
    var table = document.getElementById("channel-table");
    var tools = document.getElementById("table-tools");
    if (!table || !tools || !table.tBodies.length) {
      return;
    }
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) {
      return r.cells.length > 1;
    });
    if (!rows.length) {
      return;
    }
    var original = rows.slice();
    var heads = table.tHead.rows[0].cells;

    Array.prototype.forEach.call(heads, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      button.title = "Sort by " + th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var next = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
        if (col === 0 && !th.hasAttribute("aria-sort")) {
          next = "ascending"; // names read best A to Z first
        }
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", next);
        var sorted = original.slice().sort(function (a, b) {
          var c = compareKeys(a.cells[col].getAttribute("data-sort") || "", b.cells[col].getAttribute("data-sort") || "", next);
          return c || original.indexOf(a) - original.indexOf(b);
        });
        sorted.forEach(function (r) { body.appendChild(r); });
      });
    });

    var label = document.createElement("label");
    label.textContent = "Filter channels ";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "name contains…";
    input.setAttribute("aria-controls", "channel-table");
    label.appendChild(input);
    var count = document.createElement("span");
    count.className = "count";
    count.setAttribute("aria-live", "polite");
    tools.appendChild(label);
    tools.appendChild(count);
    function filter() {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      original.forEach(function (r) {
        var match = !q || (r.cells[0].getAttribute("data-sort") || "").toLowerCase().indexOf(q) >= 0;
        r.hidden = !match;
        shown += match ? 1 : 0;
      });
      count.textContent = q ? shown + " of " + original.length + " channels shown; the Total row covers all of them" : "";
    }
    input.addEventListener("input", filter);
    tools.hidden = false;
  }

  // Printing shows the folded details too.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });

  enhanceTable();

  // --- the charts ---

  var el = document.getElementById("origen-chart-data");
  if (!el || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(el.textContent);

  // The channel of a tooltip: bar series hold one item per channel, in
  // table order, so their dataIndex is the channel's index.
  function channelIndex(params) {
    var list = Array.isArray(params) ? params : [params];
    for (var i = 0; i < list.length; i++) {
      if (list[i].seriesType === "bar" || list[i].seriesId === "channels") {
        return list[i].dataIndex;
      }
    }
    return -1;
  }

  // The status line, when the report has targets.
  function withStatus(lines, t) {
    return t.status ? lines.concat([["Status", t.status]]) : lines;
  }

  var tooltipLines = {
    "chart-cac": function (t) {
      var l = [["Cost per customer", t.cac]];
      if (t.cac_target) {
        l.push(["CAC target", t.cac_target]);
      }
      return withStatus(l.concat([["Customers", t.customers], ["Spend", t.spend]]), t);
    },
    "chart-quadrant": function (t) {
      return withStatus([["Customers", t.customers], ["Cost per customer", t.cac], ["Spend", t.spend], ["ROAS", t.roas],
        ["Registrations", t.registrations]], t);
    },
    "chart-conversion": function (t) {
      return [["Conversion rate", t.rate], ["95% interval", t.low + " – " + t.high],
        ["Customers / registrations", t.customers + " / " + t.registrations]];
    },
    "chart-change": function (t) {
      return [["Customers", t.customers], ["Previous period", t.prev_customers], ["Change", t.change_customers]];
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

  // Category labels of the vertical charts turn upright when each channel
  // has less than 70 pixels, as on phones; with less than a line's height
  // they would overlap, and ECharts shows every few (the tooltips name
  // each bar).
  function fitLabels(chart, node, spec) {
    var axis = spec.option.xAxis && spec.option.xAxis[0];
    if (!axis || axis.type !== "category") {
      return;
    }
    var each = node.clientWidth / Math.max((axis.data || []).length, 1);
    spec.labelChars = each < 70 ? 12 : 16;
    chart.setOption({ xAxis: [{ axisLabel: { rotate: each < 70 ? 90 : 35, interval: each < 15 ? "auto" : 0 } }] });
  }

  // A channel label too long for its axis keeps its start and its end
  // ("utm_sourc…ner-0002"): dirty labels often differ only at the end. The
  // tooltip has the whole name; the row of other channels keeps its own.
  function shorten(spec, chars) {
    return function (value) {
      var max = spec.labelChars || chars;
      var s = Array.from(String(value));
      if (s.length <= max || value === data.other) {
        return s.join("");
      }
      var head = Math.ceil((max - 1) / 2);
      return s.slice(0, head).join("") + "…" + s.slice(s.length - (max - 1 - head)).join("");
    };
  }

  var drawn = [];
  data.charts.forEach(function (spec) {
    var node = document.getElementById(spec.id);
    var lines = tooltipLines[spec.id];
    if (!node || !lines) {
      return;
    }
    var opt = spec.option;
    [[opt.xAxis, 16], [opt.yAxis, 18]].forEach(function (a) {
      var axis = a[0] && a[0][0];
      if (axis && axis.type === "category") {
        axis.axisLabel = axis.axisLabel || {};
        axis.axisLabel.formatter = shorten(spec, a[1]);
        // Named here too, so that the room kept for the labels is
        // measured in the font they are drawn in.
        axis.axisLabel.fontFamily = opt.textStyle && opt.textStyle.fontFamily;
      }
    });
    opt.tooltip = opt.tooltip || {};
    opt.tooltip.renderMode = "html";
    opt.tooltip.confine = true;
    opt.tooltip.formatter = function (params) {
      var i = channelIndex(params);
      var t = data.tips[spec.rows && i >= 0 ? spec.rows[i] : i];
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
