/* Graph explorer: our own force-directed layout on SVG. Zoom (wheel, pinch, buttons), pan (drag
   the background), drag a node, click (or Enter) a node to fetch its neighbours from
   /api/graph?focus=...&depth=1 and merge them, filter by kind; colours by kind with a legend. */
(function () {
  "use strict";
  var K = window.Knooppunt;
  var root = document.getElementById("explorer");
  if (!root) return;
  var SVGNS = "http://www.w3.org/2000/svg";
  var svg = document.getElementById("graph");
  var viewport = svg.querySelector(".viewport");
  var linkLayer = svg.querySelector(".links");
  var nodeLayer = svg.querySelector(".nodes");
  var status = root.querySelector("[data-status]");
  var panel = root.querySelector(".selected");
  var nodes = new Map(), links = new Map();
  var view = { x: 0, y: 0, k: 1 };
  var hidden = new Set();
  var alpha = 0, running = false, userMoved = false;

  function size() { var r = svg.getBoundingClientRect(); return { w: r.width || 800, h: r.height || 500 }; }
  function applyView() { viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")"); }

  function normNode(n) {
    var id = n.id || n.iri || n["@id"];
    return id ? { id: id, label: n.label || n.name || id, type_label: n.type_label || "", group: K.group(id) } : null;
  }
  function endId(v) { return typeof v === "object" && v ? (v.id || v.iri) : v; }
  function merge(data, around) {
    var added = 0;
    var c = around || { x: 0, y: 0 };
    K.items(data, ["nodes"]).forEach(function (raw) {
      var n = normNode(raw);
      if (!n) return;
      if (nodes.has(n.id)) { var old = nodes.get(n.id); if (old.label === old.id) old.label = n.label; return; }
      var a = Math.random() * 2 * Math.PI, d = 40 + Math.random() * 60;
      n.x = c.x + Math.cos(a) * d; n.y = c.y + Math.sin(a) * d; n.vx = 0; n.vy = 0;
      nodes.set(n.id, n); added += 1;
    });
    (data.links || data.edges || []).forEach(function (l) {
      var s = endId(l.source || l.from), t = endId(l.target || l.to);
      if (!nodes.has(s) || !nodes.has(t) || s === t) return;
      var key = s < t ? s + " " + t : t + " " + s;
      if (!links.has(key)) links.set(key, { source: s, target: t, label: l.label || l.predicate_label || "" });
    });
    return added;
  }

  function draw() {
    linkLayer.innerHTML = ""; nodeLayer.innerHTML = "";
    links.forEach(function (l) {
      var line = document.createElementNS(SVGNS, "line");
      line.setAttribute("class", "link"); l.el = line;
      var title = document.createElementNS(SVGNS, "title"); title.textContent = l.label; line.appendChild(title);
      linkLayer.appendChild(line);
    });
    nodes.forEach(function (n) {
      var g = document.createElementNS(SVGNS, "g");
      g.setAttribute("class", "node" + (n.id === root.dataset.focus ? " focus" : "") + (n.expanded ? " expanded" : ""));
      g.setAttribute("tabindex", "0"); g.setAttribute("role", "button");
      g.setAttribute("aria-label", n.label + (n.type_label ? " (" + n.type_label + ")" : ""));
      g.dataset.iri = n.id; g.dataset.group = n.group;
      var c = document.createElementNS(SVGNS, "circle");
      c.setAttribute("r", n.id === root.dataset.focus ? 13 : 9); c.setAttribute("class", "n-" + n.group);
      var t = document.createElementNS(SVGNS, "text");
      t.setAttribute("y", 22); t.setAttribute("text-anchor", "middle");
      t.textContent = n.label.length > 28 ? n.label.slice(0, 26) + "…" : n.label;
      g.appendChild(c); g.appendChild(t);
      g.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); activate(n); } });
      g.addEventListener("focus", function () { select(n); });
      n.el = g; nodeLayer.appendChild(g);
    });
    filter(); position();
    svg.dataset.count = nodes.size;
    status.textContent = K.msg(root, "count").replace("{n}", nodes.size);
  }
  function filter() {
    nodes.forEach(function (n) { n.el.style.display = hidden.has(n.group) ? "none" : ""; });
    links.forEach(function (l) {
      var off = hidden.has(nodes.get(l.source).group) || hidden.has(nodes.get(l.target).group);
      l.el.style.display = off ? "none" : "";
    });
  }
  function position() {
    links.forEach(function (l) {
      var a = nodes.get(l.source), b = nodes.get(l.target);
      l.el.setAttribute("x1", a.x); l.el.setAttribute("y1", a.y); l.el.setAttribute("x2", b.x); l.el.setAttribute("y2", b.y);
    });
    nodes.forEach(function (n) { n.el.setAttribute("transform", "translate(" + n.x + "," + n.y + ")"); });
  }

  /* A small force simulation: repulsion between all nodes, springs on links, a pull to the centre. */
  function tick() {
    var list = Array.from(nodes.values()).filter(function (n) { return !hidden.has(n.group); });
    for (var i = 0; i < list.length; i++) {
      var a = list[i];
      for (var j = i + 1; j < list.length; j++) {
        var b = list[j], dx = b.x - a.x, dy = b.y - a.y, d2 = dx * dx + dy * dy || 0.01;
        if (d2 > 360000) continue;
        var f = 2600 / d2, d = Math.sqrt(d2);
        a.vx -= f * dx / d; a.vy -= f * dy / d; b.vx += f * dx / d; b.vy += f * dy / d;
      }
    }
    links.forEach(function (l) {
      var a = nodes.get(l.source), b = nodes.get(l.target);
      if (hidden.has(a.group) || hidden.has(b.group)) return;
      var dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) || 0.01, f = (d - 110) * 0.04;
      a.vx += f * dx / d; a.vy += f * dy / d; b.vx -= f * dx / d; b.vy -= f * dy / d;
    });
    list.forEach(function (n) {
      n.vx -= n.x * 0.004; n.vy -= n.y * 0.004;
      if (n.fixed) { n.vx = 0; n.vy = 0; return; }
      n.vx *= 0.6; n.vy *= 0.6;
      n.x += Math.max(-30, Math.min(30, n.vx * alpha)); n.y += Math.max(-30, Math.min(30, n.vy * alpha));
    });
  }
  function animate() {
    if (!running) return;
    for (var s = 0; s < 2; s++) tick();
    alpha *= 0.985; position();
    if (!userMoved) fit();  /* keep the whole picture in view until the reader takes over */
    if (alpha > 0.02) requestAnimationFrame(animate);
    else { running = false; svg.dataset.settled = "1"; }
  }
  function start() { alpha = 1; svg.dataset.settled = "0"; if (!running) { running = true; requestAnimationFrame(animate); } }

  function fit() {
    var vis = Array.from(nodes.values()).filter(function (n) { return !hidden.has(n.group); });
    if (!vis.length) return;
    var s = size(), minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    vis.forEach(function (n) { minX = Math.min(minX, n.x); maxX = Math.max(maxX, n.x); minY = Math.min(minY, n.y); maxY = Math.max(maxY, n.y); });
    var k = Math.min(1.3, Math.min(s.w / (maxX - minX + 160), s.h / (maxY - minY + 120)));
    view.k = k; view.x = s.w / 2 - k * (minX + maxX) / 2; view.y = s.h / 2 - k * (minY + maxY) / 2; applyView();
  }
  function zoomAt(factor, px, py) {
    var k = Math.max(0.2, Math.min(5, view.k * factor));
    view.x = px - (px - view.x) * k / view.k; view.y = py - (py - view.y) * k / view.k; view.k = k; applyView();
  }

  function select(n) {
    panel.hidden = false;
    panel.querySelector("[data-selected]").textContent = n.label + (n.type_label ? " — " + n.type_label : "");
    panel.querySelector("[data-open]").href = K.pageUrl(K.localPath(n.id));
  }
  function activate(n) {
    select(n);
    if (n.expanded) return;
    n.expanded = true;
    load(n.id, n);
  }
  function load(iri, around) {
    var q = new URLSearchParams({ focus: iri, depth: "1", lang: K.lang });
    return fetch("/api/graph?" + q, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { merge(data, around); draw(); start(); })
      .catch(function () { status.textContent = K.msg(root, "error"); });
  }

  /* Pointer input: one pointer pans (background) or drags (node); two pointers pinch-zoom. */
  var pointers = new Map(), drag = null, pinch = null;
  function local(e) { var r = svg.getBoundingClientRect(); return { x: e.clientX - r.left, y: e.clientY - r.top }; }
  svg.addEventListener("pointerdown", function (e) {
    var p = local(e);
    pointers.set(e.pointerId, p);
    svg.setPointerCapture(e.pointerId);
    if (pointers.size === 2) {
      var ps = Array.from(pointers.values());
      pinch = { d: Math.hypot(ps[0].x - ps[1].x, ps[0].y - ps[1].y), k: view.k }; drag = null; return;
    }
    var g = e.target.closest && e.target.closest(".node");
    var n = g ? nodes.get(g.dataset.iri) : null;
    drag = { node: n, start: p, last: p, moved: false };
    if (!n) svg.classList.add("dragging");
  });
  svg.addEventListener("pointermove", function (e) {
    if (!pointers.has(e.pointerId)) return;
    var p = local(e); pointers.set(e.pointerId, p);
    if (pinch && pointers.size === 2) {
      var ps = Array.from(pointers.values());
      var d = Math.hypot(ps[0].x - ps[1].x, ps[0].y - ps[1].y);
      userMoved = true;
      zoomAt((pinch.k * d / pinch.d) / view.k, (ps[0].x + ps[1].x) / 2, (ps[0].y + ps[1].y) / 2); return;
    }
    if (!drag) return;
    if (Math.hypot(p.x - drag.start.x, p.y - drag.start.y) > 4) drag.moved = true;
    if (drag.node) {
      drag.node.fixed = true;
      drag.node.x = (p.x - view.x) / view.k; drag.node.y = (p.y - view.y) / view.k; position();
    } else {
      view.x += p.x - drag.last.x; view.y += p.y - drag.last.y; applyView(); userMoved = true;
    }
    drag.last = p;
  });
  function end(e) {
    pointers.delete(e.pointerId);
    if (pointers.size < 2) pinch = null;
    svg.classList.remove("dragging");
    if (drag && drag.node) { if (!drag.moved) activate(drag.node); else { drag.node.fixed = false; start(); } }
    drag = null;
  }
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
  svg.addEventListener("wheel", function (e) {
    e.preventDefault(); userMoved = true; var p = local(e); zoomAt(Math.exp(-e.deltaY * 0.0015), p.x, p.y);
  }, { passive: false });
  root.querySelectorAll("[data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () {
      var s = size();
      if (b.dataset.zoom === "fit") { userMoved = false; fit(); } else { userMoved = true; zoomAt(b.dataset.zoom === "in" ? 1.3 : 1 / 1.3, s.w / 2, s.h / 2); }
    });
  });
  root.querySelectorAll(".panel input[type=checkbox]").forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked) hidden.delete(box.value); else hidden.add(box.value);
      if (nodes.size) { filter(); start(); }
    });
  });

  var focus = root.dataset.focus;
  if (focus) {
    nodes.set(focus, { id: focus, label: document.title.split(":").slice(1).join(":").split("·")[0].trim() || focus, type_label: "", group: K.group(focus), x: 0, y: 0, vx: 0, vy: 0, expanded: true });
    var s0 = size(); view.x = s0.w / 2; view.y = s0.h / 2; applyView();
    load(focus, { x: 0, y: 0 });
  }
})();
