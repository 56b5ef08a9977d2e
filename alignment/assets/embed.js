// Draws every chart of the page with the vega-embed bundle above; no request leaves the page.
// window.alignmentCharts tells how many charts were found, drawn and failed.
(function () {
  "use strict";
  var state = { total: 0, drawn: 0, failed: 0, done: false };
  window.alignmentCharts = state;
  var nodes = document.querySelectorAll("script.alignment-chart-spec");
  state.total = nodes.length;
  var finish = function () { if (state.drawn + state.failed === state.total) { state.done = true; } };
  finish();
  nodes.forEach(function (node) {
    var target = document.getElementById(node.getAttribute("data-chart"));
    var chart;
    try {
      chart = JSON.parse(node.textContent);
    } catch (err) {
      state.failed += 1; finish();
      console.error("chart " + node.getAttribute("data-chart") + ": unreadable spec", err);
      return;
    }
    vegaEmbed(target, chart.spec, chart.options).then(function () {
      state.drawn += 1; finish();
    }).catch(function (err) {
      state.failed += 1; finish();
      target.textContent = "This chart could not be drawn: " + err;
      target.className += " alignment-chart-error";
      console.error("chart " + node.getAttribute("data-chart") + " could not be drawn", err);
    });
  });
})();
