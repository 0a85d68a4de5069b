/* Graph explorer on Cytoscape.js with the fCoSE force-directed layout (vendored in
   /static/vendor/cytoscape, see its README). The page carries the first neighbourhood as JSON
   (#graph-data) and as a list (#alt-list, the text alternative); clicking a node (or "Toon buren"
   in the list) fetches /api/graph?focus=...&depth=1 and merges it. Each kind has a shape and a
   colour (the legend shows both). After every layout, labels that would overlap another label or
   node are moved to another side of their node, and hidden (until the node is selected or
   hovered) only where no side is free: no two visible labels overlap. */
(function () {
  "use strict";
  var K = window.Knooppunt;
  var root = document.getElementById("explorer");
  if (!root || !window.cytoscape) return;
  if (window.cytoscapeFcose) window.cytoscape.use(window.cytoscapeFcose);
  var data = JSON.parse(document.getElementById("graph-data").textContent || "{}");
  var container = document.getElementById("graph");
  var status = root.querySelector("[data-shown]");
  var panel = root.querySelector(".selected");
  var altList = document.getElementById("alt-list");
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var hidden = new Set();
  var COLOURS = {
    project: "#1f6fb2", organisation: "#2e8540", person: "#c0392b", material: "#8e44ad",
    competency: "#c45100", theme: "#9a7d0a", region: "#138a72", event: "#7f5539", plan: "#d63384", other: "#6c7a7d"
  };
  var SHAPES = {
    project: "rectangle", organisation: "hexagon", person: "ellipse", material: "triangle", competency: "diamond",
    theme: "star", region: "pentagon", event: "octagon", plan: "rhomboid", other: "round-rectangle"
  };

  function nodeData(n) {
    var group = n.group || K.group(n.id);
    return { group: "nodes", data: { id: n.id, label: n.label || n.id, group: group, shape: SHAPES[group] || "ellipse", type_label: n.type_label || "" } };
  }
  function edgeData(l) {
    return { group: "edges", data: { id: l.source + " " + l.predicate + " " + l.target, source: l.source, target: l.target, label: l.label || "" } };
  }

  var cy = window.cytoscape({
    container: container,
    elements: (data.nodes || []).map(nodeData).concat((data.links || []).map(edgeData)),
    minZoom: 0.2, maxZoom: 4, boxSelectionEnabled: false,
    style: [
      { selector: "node", style: {
        "shape": "data(shape)", "width": 20, "height": 20, "background-color": function (n) { return COLOURS[n.data("group")] || COLOURS.other; },
        "border-width": 2, "border-color": "#ffffff",
        "label": "data(label)", "font-size": 12, "color": "#1b1f23", "text-valign": "bottom", "text-halign": "center", "text-margin-y": 4,
        "text-wrap": "ellipsis", "text-max-width": 120, "text-background-color": "#f3f6f8", "text-background-opacity": 0.9,
        "text-background-padding": 2, "min-zoomed-font-size": 0
      } },
      { selector: "node.focus", style: { "width": 30, "height": 30, "border-color": "#1b1f23", "border-width": 3, "font-weight": "bold", "text-max-width": 180 } },
      { selector: "node.expanded", style: { "border-color": "#1b1f23", "border-style": "dashed" } },
      { selector: "node.label-top", style: { "text-valign": "top", "text-margin-y": -4 } },
      { selector: "node.label-right", style: { "text-valign": "center", "text-halign": "right", "text-margin-x": 5, "text-margin-y": 0 } },
      { selector: "node.label-left", style: { "text-valign": "center", "text-halign": "left", "text-margin-x": -5, "text-margin-y": 0 } },
      { selector: "node.no-label", style: { "label": "" } },
      { selector: "node.no-label.hover, node.no-label:selected", style: { "label": "data(label)", "z-index": 20 } },
      { selector: "node:selected", style: { "border-color": "#ffbf47", "border-width": 4 } },
      { selector: "edge", style: { "width": 1.3, "line-color": "#9aa7b0", "curve-style": "straight" } },
      { selector: ".filtered", style: { "display": "none" } }
    ]
  });
  root.cy = cy;  /* for the tests, which measure the rendered labels */
  if (data.focus) { cy.getElementById(data.focus).addClass("focus expanded"); }

  var SIDES = ["", "label-top", "label-right", "label-left"];
  function overlaps(a, b) { return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2; }
  function labelBox(n) { return n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true }); }
  function bodyBox(n) { return n.boundingBox({ includeNodes: true, includeEdges: false, includeLabels: false }); }
  /* Label placement after a layout: the best connected nodes keep their labels first; each next
     label takes the first side where it meets no placed label and no other node, else hides. */
  function placeLabels() {
    var nodes = cy.nodes(":visible").sort(function (a, b) {
      return (b.hasClass("focus") - a.hasClass("focus")) || (b.degree() - a.degree()) || (a.id() < b.id() ? -1 : 1);
    });
    cy.batch(function () { nodes.removeClass("label-top label-right label-left no-label"); });
    var bodies = nodes.map(function (n) { return { id: n.id(), box: bodyBox(n) }; });
    var placed = [];
    nodes.forEach(function (n) {
      var ok = false;
      for (var i = 0; i < SIDES.length && !ok; i++) {
        if (i) n.addClass(SIDES[i]);
        var box = labelBox(n);
        ok = placed.every(function (p) { return !overlaps(box, p); }) &&
          bodies.every(function (b) { return b.id === n.id() || !overlaps(box, b.box); });
        if (ok) placed.push(box); else if (i) n.removeClass(SIDES[i]);
      }
      if (!ok) n.addClass("no-label");
    });
  }

  /* Fit the picture, but never below a zoom where labels stop being readable (a phone): then
     centre on the subject (or the node just expanded) and let the reader pan and pinch. */
  var MIN_READABLE_ZOOM = 0.8;
  function view(around) {
    cy.fit(cy.elements(":visible"), 24);
    if (cy.zoom() < MIN_READABLE_ZOOM) {
      cy.zoom(MIN_READABLE_ZOOM);
      cy.center(around && around.length ? around : cy.nodes(".focus"));
    }
  }

  function layout(fixedIds, around) {
    var opts = {
      name: window.cytoscapeFcose ? "fcose" : "cose", quality: "proof", randomize: !fixedIds, animate: !reduced && !!fixedIds,
      animationDuration: 350, fit: true, padding: 24, nodeDimensionsIncludeLabels: true, uniformNodeDimensions: false,
      packComponents: true, nodeRepulsion: 8000, idealEdgeLength: 80, edgeElasticity: 0.35, nestingFactor: 0.1,
      gravity: 0.4, numIter: 2500, tile: true, nodeSeparation: 70
    };
    container.dataset.settled = "0";
    var run = cy.elements(":visible").layout(opts);
    run.one("layoutstop", function () { placeLabels(); view(around); container.dataset.settled = "1"; });
    run.run();
  }

  function countText() {
    var n = cy.nodes().length;
    return n === 1 ? K.msg(root, "count_one") : K.msg(root, "count").replace("{n}", n.toLocaleString(K.lang === "en" ? "en-GB" : "nl-NL"));
  }
  function select(n) {
    panel.hidden = false;
    panel.querySelector("[data-selected]").textContent = n.data("label") + (n.data("type_label") ? " — " + n.data("type_label") : "");
    panel.querySelector("[data-open]").href = K.pageUrl(K.localPath(n.id()));
  }
  function addToList(n, fresh) {
    if (!fresh.length) return;
    var dl = altList.querySelector("dl") || altList.appendChild(K.el("dl", { "class": "linkgroups" }));
    dl.appendChild(K.el("dt", null, K.msg(root, "neighbours_of").replace("{label}", n.data("label"))));
    var dd = dl.appendChild(K.el("dd")), ul = dd.appendChild(K.el("ul", { "class": "links" }));
    fresh.forEach(function (m) { ul.appendChild(listItem(m.id(), m.data("label"), m.data("group"))); });
  }
  function listItem(id, label, group) {
    var li = K.el("li");
    var a = li.appendChild(K.el("a", { href: K.pageUrl(K.localPath(id)), "class": "g-" + group }, label));
    a.dataset.iri = id;
    li.appendChild(document.createTextNode(" "));
    li.appendChild(expandButton(id, label));
    return li;
  }
  function expandButton(id, label) {
    var b = K.el("button", { type: "button", "class": "link-button" }, K.msg(root, "expand"));
    b.appendChild(K.el("span", { "class": "visually-hidden" }, " " + K.msg(root, "expand_of").replace("{label}", label)));
    b.addEventListener("click", function () { var n = cy.getElementById(id); if (n.length) activate(n); });
    return b;
  }
  function activate(n) {
    select(n);
    cy.$(":selected").unselect(); n.select();
    if (n.hasClass("expanded")) return;
    n.addClass("expanded");
    container.dataset.settled = "0";  /* until the new neighbours are laid out */
    var q = new URLSearchParams({ focus: n.id(), depth: "1", limit: "50", lang: K.lang });
    fetch("/api/graph?" + q, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (d) {
        var p = n.position(), fresh = [];
        cy.batch(function () {
          (d.nodes || []).forEach(function (raw) {
            if (cy.getElementById(raw.id).length) return;
            var el = cy.add(nodeData(raw));
            el.position({ x: p.x + (Math.random() - 0.5) * 60, y: p.y + (Math.random() - 0.5) * 60 });
            if (hidden.has(el.data("group"))) el.addClass("filtered");
            fresh.push(el);
          });
          (d.links || []).forEach(function (l) {
            var e = edgeData(l);
            if (!cy.getElementById(e.data.id).length && cy.getElementById(l.source).length && cy.getElementById(l.target).length) cy.add(e);
          });
        });
        status.textContent = countText();
        addToList(n, fresh);
        if (fresh.length) layout(true, n); else { placeLabels(); container.dataset.settled = "1"; }
      })
      .catch(function () { status.textContent = K.msg(root, "error"); container.dataset.settled = "1"; });
  }

  cy.on("tap", "node", function (e) { activate(e.target); });
  cy.on("mouseover", "node", function (e) { e.target.addClass("hover"); });
  cy.on("mouseout", "node", function (e) { e.target.removeClass("hover"); });
  root.querySelectorAll("[data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () {
      if (b.dataset.zoom === "fit") { cy.fit(cy.elements(":visible"), 24); return; }  /* all of it, however small */
      var z = cy.zoom() * (b.dataset.zoom === "in" ? 1.3 : 1 / 1.3);
      cy.zoom({ level: z, renderedPosition: { x: container.clientWidth / 2, y: container.clientHeight / 2 } });
    });
  });
  root.querySelectorAll(".panel input[type=checkbox]").forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked) hidden.delete(box.value); else hidden.add(box.value);
      cy.batch(function () { cy.nodes().forEach(function (n) { n.toggleClass("filtered", hidden.has(n.data("group"))); }); });
      placeLabels();
    });
  });
  /* the server-rendered list gets its "Toon buren" buttons */
  altList.querySelectorAll("li > a[href]").forEach(function (a) {
    var iri = a.href.indexOf("/id/") >= 0 ? K.base + a.getAttribute("href").split("?")[0] : "";
    if (!iri || !cy.getElementById(iri).length) return;
    a.parentNode.appendChild(document.createTextNode(" "));
    a.parentNode.appendChild(expandButton(iri, a.textContent));
  });
  status.textContent = countText();
  layout(false);
})();
