// Draws an object's relationships as an SVG star: the object in the centre, each related object
// on a circle around it, one labelled arrow per relationship. Data comes from the json_script
// element the figure names in data-graph (the CSP forbids inline scripts).
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function shorten(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  function draw(figure) {
    var data = JSON.parse(document.getElementById(figure.dataset.graph).textContent);
    var width = 760, height = 420, cx = width / 2, cy = height / 2, radius = 160;
    var svg = el("svg", {viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
                         "class": "intel-graph-svg"});
    var defs = el("defs", {});
    var marker = el("marker", {id: "intel-arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
                               markerWidth: "8", markerHeight: "8", orient: "auto-start-reverse"});
    marker.appendChild(el("path", {d: "M 0 0 L 10 5 L 0 10 z", fill: "#555"}));
    defs.appendChild(marker);
    svg.appendChild(defs);
    var place = {}, others = data.nodes.filter(function (n) { return !n.centre; });
    data.nodes.forEach(function (n) { if (n.centre) { place[n.id] = {x: cx, y: cy}; } });
    others.forEach(function (n, i) {
      var angle = 2 * Math.PI * i / Math.max(others.length, 1) - Math.PI / 2;
      place[n.id] = {x: cx + radius * Math.cos(angle), y: cy + radius * Math.sin(angle)};
    });
    data.edges.forEach(function (e) {
      var a = place[e.source], b = place[e.target];
      var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1, pad = 26;
      svg.appendChild(el("line", {x1: a.x + dx / len * pad, y1: a.y + dy / len * pad,
                                  x2: b.x - dx / len * pad, y2: b.y - dy / len * pad,
                                  stroke: "#555", "marker-end": "url(#intel-arrow)"}));
      svg.appendChild(el("text", {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 4, "text-anchor": "middle",
                                  "font-size": "11", fill: "#333"}, e.label));
    });
    data.nodes.forEach(function (n) {
      var p = place[n.id], group = el("g", {"class": "node node-" + n.type});
      group.appendChild(el("circle", {cx: p.x, cy: p.y, r: n.centre ? 24 : 20,
                                      fill: n.centre ? "#1d4ed8" : (n.url ? "#60a5fa" : "#d1d5db")}));
      group.appendChild(el("title", {}, n.type + ": " + n.label));
      group.appendChild(el("text", {x: p.x, y: p.y + 38, "text-anchor": "middle", "font-size": "12"},
                           shorten(n.type + ": " + n.label, 34)));
      if (n.url) {
        var link = el("a", {href: n.url});
        link.appendChild(group);
        svg.appendChild(link);
      } else {
        svg.appendChild(group);
      }
    });
    figure.appendChild(svg);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("figure[data-graph]").forEach(draw);
  });
})();
