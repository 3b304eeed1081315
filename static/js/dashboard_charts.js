// Draws the dashboard's charts from the JSON that the page carries (json_script), since the CSP
// allows no inline script. Each canvas gets data-chart-ready="true" once Chart.js has drawn it,
// which the browser test reads.
(function () {
  "use strict";

  var COLOURS = ["#0a58ca", "#146c43", "#b02a37", "#6f42c1", "#997404", "#087990"];

  function rtl() {
    return document.documentElement.dir === "rtl";
  }

  function draw(canvas, config) {
    config.options = Object.assign(
      {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { rtl: rtl(), position: "bottom" } },
      },
      config.options || {}
    );
    var chart = new window.Chart(canvas, config);
    canvas.dataset.chartReady = "true";
    return chart;
  }

  function hoursChart(canvas, data, section) {
    draw(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, index) {
          return {
            label: set.label,
            data: set.data,
            borderColor: COLOURS[index % COLOURS.length],
            backgroundColor: COLOURS[index % COLOURS.length],
            stepped: true,
          };
        }),
      },
      options: {
        scales: {
          x: { reverse: rtl() },
          y: { beginAtZero: true, title: { display: true, text: section.dataset.hoursLabel } },
        },
      },
    });
  }

  function metricChart(canvas, chart, section) {
    var datasets = [
      {
        label: chart.label + " (" + chart.unit + ")",
        data: chart.values,
        borderColor: COLOURS[0],
        backgroundColor: COLOURS[0],
      },
    ];
    if (chart.standard !== null) {
      datasets.push({
        label: section.dataset.standardLabel,
        data: chart.values.map(function () {
          return chart.standard;
        }),
        borderColor: COLOURS[2],
        borderDash: [6, 4],
        pointRadius: 0,
        fill: false,
      });
    }
    draw(canvas, {
      type: "line",
      data: { labels: chart.labels, datasets: datasets },
      options: { scales: { x: { reverse: rtl() } } },
    });
  }

  function start() {
    var source = document.getElementById("dashboard-charts");
    var section = document.getElementById("dashboard-chart-section");
    if (!source || !section || !window.Chart) {
      return;
    }
    var charts = JSON.parse(source.textContent);
    // Canvas text does not fall back through the page's fonts by itself: give Chart.js the
    // page's own stack, whose vendored Urdu and Chinese faces hold the labels' glyphs.
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    section.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.chart === "hours") {
        hoursChart(canvas, charts.hours, section);
      } else {
        metricChart(canvas, charts.metrics[Number(canvas.dataset.index)], section);
      }
    });
  }

  // Draw once the web fonts are in, so the labels are not drawn with a fallback font.
  function startWhenFontsAreReady() {
    if (document.fonts && document.fonts.ready) {
      document.fonts.ready.then(start);
    } else {
      start();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startWhenFontsAreReady);
  } else {
    startWhenFontsAreReady();
  }
})();
