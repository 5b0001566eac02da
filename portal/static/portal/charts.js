// Each chart of a dashboard is drawn from the table right behind it (its aria-describedby): the
// first column names the categories, the columns in data-series are the series, each cell's
// data-value its number. The table stays the figure of record for screen readers and print.
(function () {
  "use strict";

  function cellText(cell) {
    return cell ? cell.textContent.trim() : "";
  }

  function readTable(table) {
    var headers = Array.prototype.map.call(table.tHead.rows[0].cells, cellText);
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var columns = table.dataset.series.split(",").map(Number);
    return {
      categories: rows.map(function (row) { return cellText(row.cells[0]); }),
      series: columns.map(function (column) {
        return {
          name: headers[column],
          values: rows.map(function (row) { return Number(row.cells[column].dataset.value); })
        };
      })
    };
  }

  function pieOption(data) {
    var only = data.series[0];
    return {
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { bottom: 0 },
      series: [{
        type: "pie", name: only.name, radius: ["35%", "65%"],
        data: data.categories.map(function (name, i) { return { name: name, value: only.values[i] }; })
          .filter(function (slice) { return slice.value > 0; })
      }]
    };
  }

  function barOption(data, stacked) {
    return {
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: data.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: data.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.values, stack: stacked ? "total" : undefined };
      })
    };
  }

  function draw(box) {
    var table = document.getElementById(box.getAttribute("aria-describedby"));
    if (!table || !window.echarts) { return; }
    var data = readTable(table);
    var option = table.dataset.chart === "pie" ? pieOption(data) : barOption(data, table.dataset.stack === "1");
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(option);
    box.dataset.rendered = String(data.categories.length);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".chart[aria-describedby]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
