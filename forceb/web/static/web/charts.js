// Draws every Plotly figure of the page from the JSON the server put beside it with json_script:
// the Content-Security-Policy forbids inline script, so pages carry data and this file draws it.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.Plotly) return;
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source) return;
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, {displayModeBar: false, responsive: true});
  });
});
