/* Knooppunt query page: editor with highlighting, example queries, results as table, chart or graph.
   Our own small script: no CDN, no build step. Text is Dutch unless the page was opened with ?lang=en. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var lang = data.lang === "en" ? "en" : "nl";
  var T = {
    nl: {
      title: "Zoekvragen (SPARQL)", langSwitch: "English", examples: "Voorbeeldvragen",
      editorLabel: "Zoekvraag (SPARQL 1.1). Ctrl+Enter voert uit.", run: "Uitvoeren",
      labels: "Namen tonen", view: "Weergave", table: "Tabel", chart: "Staafdiagram", graph: "Netwerk",
      download: "Download als CSV", hint: "Stopt na {t} s; hoogstens {n} rijen.",
      running: "Bezig…", rows: "{n} rijen in {ms} ms", truncated: " (afgekapt: er zijn meer rijen)",
      yes: "Ja", no: "Nee", answer: "Antwoord: ", triples: "{n} triples in {ms} ms",
      error: "Fout", line: "regel {l}, kolom {c}", noNumbers: "Geen kolom met getallen om te tekenen.",
      noGraph: "Een netwerk kan alleen van CONSTRUCT- of DESCRIBE-resultaten, of van twee IRI-kolommen.",
      empty: "Geen resultaten."
    },
    en: {
      title: "Queries (SPARQL)", langSwitch: "Nederlands", examples: "Example queries",
      editorLabel: "Query (SPARQL 1.1). Ctrl+Enter runs it.", run: "Run",
      labels: "Show names", view: "View", table: "Table", chart: "Bar chart", graph: "Network",
      download: "Download as CSV", hint: "Stops after {t} s; at most {n} rows.",
      running: "Running…", rows: "{n} rows in {ms} ms", truncated: " (truncated: there are more rows)",
      yes: "Yes", no: "No", answer: "Answer: ", triples: "{n} triples in {ms} ms",
      error: "Error", line: "line {l}, column {c}", noNumbers: "No column with numbers to draw.",
      noGraph: "A network needs CONSTRUCT or DESCRIBE results, or two IRI columns.",
      empty: "No results."
    }
  }[lang];
  function t(key, vars) {
    var s = T[key] || key;
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(vars[k]); });
    return s;
  }
  document.querySelectorAll("[data-i18n]").forEach(function (el) {
    el.textContent = t(el.getAttribute("data-i18n"), { t: data.timeout, n: data.rowCap });
  });
  var SVGNS = "http://www.w3.org/2000/svg";
  var editor = document.getElementById("editor");
  var highlight = document.getElementById("highlight");
  var results = document.getElementById("results");
  var statusEl = document.getElementById("status");
  var viewSel = document.getElementById("view");
  var last = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  /* --- highlighting: a tokenizer for SPARQL, rendered into the <pre> under the textarea --- */
  var KEYWORDS = ("select construct describe ask where from named prefix base distinct reduced " +
    "optional union minus graph service filter bind values group by order having limit offset " +
    "as asc desc not exists in a count sum min max avg sample group_concat separator str lang " +
    "langmatches datatype bound iri uri bnode rand abs ceil floor round concat strlen ucase lcase " +
    "encode_for_uri contains strstarts strends strbefore strafter year month day hours minutes " +
    "seconds timezone tz now uuid struuid md5 sha1 sha256 sha384 sha512 coalesce if strlang strdt " +
    "sameterm isiri isuri isblank isliteral isnumeric regex substr replace true false undef").split(" ");
  var KW = {}; KEYWORDS.forEach(function (k) { KW[k] = true; });
  var TOKEN = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][\w\u00b7\u00c0-\uffff]+)|(@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)|([A-Za-z_\u00c0-\uffff][\w.\-\u00c0-\uffff]*:[\w.\-:%\u00c0-\uffff]*|:[\w.\-:%\u00c0-\uffff]*)|([A-Za-z_][\w]*)|(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  var CLASSES = [null, "c", "s", "i", "v", "l", "p", "k", "n"];
  function render() {
    var text = editor.value, out = document.createDocumentFragment(), pos = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m.index > pos) out.appendChild(document.createTextNode(text.slice(pos, m.index)));
      var cls = null;
      for (var g = 1; g < m.length; g++) { if (m[g] !== undefined) { cls = CLASSES[g]; break; } }
      if (cls === "k" && !KW[m[0].toLowerCase()]) cls = null;
      if (cls) { var span = el("span", { "class": "t-" + cls }, m[0]); out.appendChild(span); }
      else out.appendChild(document.createTextNode(m[0]));
      pos = m.index + m[0].length;
    }
    out.appendChild(document.createTextNode(text.slice(pos) + "\n"));
    highlight.textContent = "";
    highlight.appendChild(out);
  }
  function syncScroll() {
    highlight.parentNode.scrollTop = editor.scrollTop;
    highlight.parentNode.scrollLeft = editor.scrollLeft;
  }
  editor.addEventListener("input", render);
  editor.addEventListener("scroll", syncScroll);
  editor.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
    if (e.key === "Tab" && !e.shiftKey) {
      e.preventDefault();
      var s = editor.selectionStart;
      editor.setRangeText("  ", s, editor.selectionEnd, "end");
      render();
    }
  });

  /* --- examples --- */
  var list = document.getElementById("example-list");
  data.examples.forEach(function (q) {
    var li = el("li"), button = el("button", { type: "button", "class": "example" });
    button.appendChild(el("strong", {}, q.title[lang] || q.title.nl || q.name));
    var desc = q.description[lang] || q.description.nl;
    if (desc) button.appendChild(el("span", {}, desc));
    button.addEventListener("click", function () {
      editor.value = data.prefixes + "\n" + q.query;
      render();
      run();
    });
    li.appendChild(button);
    list.appendChild(li);
  });
  if (!editor.value.trim()) {
    editor.value = data.prefixes + "\nSELECT ?klasse (COUNT(?s) AS ?aantal)\nWHERE { ?s a ?klasse }\nGROUP BY ?klasse\nORDER BY DESC(?aantal)\nLIMIT 20\n";
  }
  render();

  /* --- running --- */
  function queryUrl(format) {
    var params = new URLSearchParams();
    params.set("query", editor.value);
    if (document.getElementById("labels").checked) params.set("labels", lang);
    if (format) params.set("format", format);
    return data.endpoint + "?" + params.toString();
  }
  document.getElementById("download").addEventListener("click", function (e) {
    e.preventDefault();
    window.location.href = queryUrl("csv");
  });
  document.getElementById("query-form").addEventListener("submit", function (e) { e.preventDefault(); run(); });
  viewSel.addEventListener("change", function () { if (last) show(last); });

  function run() {
    var body = new URLSearchParams();
    body.set("query", editor.value);
    var url = data.endpoint + (document.getElementById("labels").checked ? "?labels=" + lang : "");
    statusEl.textContent = t("running");
    statusEl.className = "";
    var started = performance.now();
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json, application/n-triples;q=0.9, application/problem+json;q=0.5" },
      body: body.toString()
    }).then(function (response) {
      var ms = Math.round(performance.now() - started);
      var type = response.headers.get("Content-Type") || "";
      var truncated = response.headers.get("X-Knooppunt-Truncated") === "true";
      return response.text().then(function (text) {
        if (!response.ok) return showError(response.status, type, text);
        if (type.indexOf("n-triples") >= 0) last = { kind: "graph", triples: parseNTriples(text), ms: ms, truncated: truncated };
        else {
          var json = JSON.parse(text);
          last = "boolean" in json ? { kind: "boolean", value: json.boolean, ms: ms }
            : { kind: "table", vars: json.head.vars, rows: json.results.bindings, ms: ms, truncated: truncated };
        }
        show(last);
      });
    }).catch(function (err) { statusEl.textContent = t("error") + ": " + err; statusEl.className = "error"; });
  }

  function showError(status, type, text) {
    var message = text;
    if (type.indexOf("json") >= 0) {
      try {
        var p = JSON.parse(text);
        message = p.title + (p.detail ? ": " + p.detail : "");
        if (p.line) message += " (" + t("line", { l: p.line, c: p.column }) + ")";
      } catch (e) { /* keep the text */ }
    }
    results.textContent = "";
    statusEl.textContent = t("error") + " " + status + " — " + message;
    statusEl.className = "error";
  }

  function show(res) {
    results.textContent = "";
    statusEl.className = "";
    if (res.kind === "boolean") {
      statusEl.textContent = t("answer") + (res.value ? t("yes") : t("no"));
      return;
    }
    if (res.kind === "graph") {
      statusEl.textContent = t("triples", { n: res.triples.length, ms: res.ms }) + (res.truncated ? t("truncated") : "");
      if (viewSel.value === "table") return tableOf(["subject", "predicate", "object"], res.triples.map(function (tr) {
        return { subject: tr[0], predicate: tr[1], object: tr[2] };
      }));
      return drawGraph(res.triples.map(function (tr) { return [tr[0], tr[1], tr[2]]; }));
    }
    statusEl.textContent = t("rows", { n: res.rows.length, ms: res.ms }) + (res.truncated ? t("truncated") : "");
    if (!res.rows.length) { results.appendChild(el("p", {}, t("empty"))); return; }
    if (viewSel.value === "chart") return drawChart(res.vars, res.rows);
    if (viewSel.value === "graph") {
      var iriVars = res.vars.filter(function (v) { return res.rows.some(function (r) { return r[v] && r[v].type === "uri"; }); });
      if (iriVars.length < 2) { results.appendChild(el("p", {}, t("noGraph"))); return; }
      return drawGraph(res.rows.filter(function (r) { return r[iriVars[0]] && r[iriVars[1]]; }).map(function (r) {
        return [withLabel(r, iriVars[0]), { type: "literal", value: iriVars[1] }, withLabel(r, iriVars[1])];
      }));
    }
    tableOf(res.vars, res.rows);
  }
  function withLabel(row, v) {
    var term = row[v];
    return { type: term.type, value: term.value, label: row[v + "Label"] ? row[v + "Label"].value : null };
  }

  function shortIri(iri) {
    for (var p in prefixMap) { if (iri.indexOf(prefixMap[p]) === 0) return p + ":" + iri.slice(prefixMap[p].length); }
    return iri;
  }
  var prefixMap = {};
  data.prefixes.split("\n").forEach(function (line) {
    var m = /^PREFIX\s+([\w-]*):\s*<([^>]*)>/i.exec(line);
    if (m) prefixMap[m[1]] = m[2];
  });

  function cell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      // Only http(s) IRIs become links; a javascript: or data: IRI in a result is shown as text.
      td.appendChild(/^https?:\/\//i.test(term.value) ? el("a", { href: term.value }, shortIri(term.value))
                                                      : el("span", null, shortIri(term.value)));
    } else if (term.type === "bnode") td.textContent = "_:" + term.value;
    else {
      td.textContent = term.value;
      if (term["xml:lang"]) td.appendChild(el("span", { "class": "lang" }, "@" + term["xml:lang"]));
      if (/(integer|decimal|double|float)$/.test(term.datatype || "")) td.className = "num";
    }
    return td;
  }
  function tableOf(vars, rows) {
    var wrap = el("div", { "class": "table-wrap" }), table = el("table"), thead = el("thead"), tr = el("tr");
    vars.forEach(function (v) { tr.appendChild(el("th", { scope: "col" }, v)); });
    thead.appendChild(tr); table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (r) {
      var row = el("tr");
      vars.forEach(function (v) { row.appendChild(cell(r[v])); });
      tbody.appendChild(row);
    });
    table.appendChild(tbody); wrap.appendChild(table); results.appendChild(wrap);
  }

  /* --- bar chart of the first numeric column --- */
  function drawChart(vars, rows) {
    var numVar = vars.find(function (v) {
      return rows.every(function (r) { return !r[v] || (r[v].type === "literal" && !isNaN(parseFloat(r[v].value)) && isFinite(r[v].value)); })
        && rows.some(function (r) { return r[v]; });
    });
    if (!numVar) { results.appendChild(el("p", {}, t("noNumbers"))); return; }
    var labelVar = vars.find(function (v) { return /Label$/.test(v); }) || vars.find(function (v) { return v !== numVar; });
    var items = rows.slice(0, 40).map(function (r) {
      var l = labelVar && r[labelVar] ? r[labelVar] : null;
      return { label: l ? (l.type === "uri" ? shortIri(l.value) : l.value) : "", value: r[numVar] ? parseFloat(r[numVar].value) : 0 };
    });
    var max = Math.max.apply(null, items.map(function (i) { return i.value; }).concat([0]));
    var barH = 22, left = 260, width = 760, height = items.length * barH + 30;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img", "aria-label": numVar });
    items.forEach(function (item, i) {
      var y = 10 + i * barH, w = max > 0 ? (width - left - 70) * item.value / max : 0;
      var label = svg("text", { x: left - 8, y: y + 15, "text-anchor": "end", "class": "bar-label" });
      label.textContent = item.label.length > 38 ? item.label.slice(0, 37) + "…" : item.label;
      var title = svg("title"); title.textContent = item.label + ": " + item.value;
      var rect = svg("rect", { x: left, y: y + 3, width: Math.max(w, 1), height: barH - 6, "class": "bar" });
      rect.appendChild(title);
      var value = svg("text", { x: left + w + 6, y: y + 15, "class": "bar-value" });
      value.textContent = String(item.value);
      chart.appendChild(label); chart.appendChild(rect); chart.appendChild(value);
    });
    results.appendChild(chart);
  }

  /* --- network view: N-Triples (or two IRI columns) as a small force layout --- */
  function parseNTriples(text) {
    var term = /<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([\w-]+)|\^\^<([^>]*)>)?/g;
    var out = [];
    text.split("\n").forEach(function (line) {
      var terms = [], m;
      term.lastIndex = 0;
      while ((m = term.exec(line)) !== null && terms.length < 3) {
        if (m[1] !== undefined) terms.push({ type: "uri", value: m[1] });
        else if (m[2] !== undefined) terms.push({ type: "bnode", value: m[2] });
        else terms.push({ type: "literal", value: JSON.parse('"' + m[3] + '"'), "xml:lang": m[4], datatype: m[5] });
      }
      if (terms.length === 3) out.push(terms);
    });
    return out;
  }
  function drawGraph(triples) {
    var nodes = {}, links = [], labels = {};
    triples.forEach(function (tr) {
      var p = tr[1].value;
      if (/label$|prefLabel$|name$/.test(p) && tr[2].type === "literal") {
        if (!labels[tr[0].value] || tr[2]["xml:lang"] === lang) labels[tr[0].value] = tr[2].value;
        return;
      }
      if (tr[2].type === "literal") return;
      [tr[0], tr[2]].forEach(function (n) { if (!nodes[n.value]) nodes[n.value] = { id: n.value, label: n.label, x: Math.random() * 700, y: Math.random() * 460, vx: 0, vy: 0 }; });
      links.push({ s: nodes[tr[0].value], t: nodes[tr[2].value], p: shortIri(p) });
    });
    var list = Object.keys(nodes).slice(0, 200).map(function (k) { return nodes[k]; });
    if (!list.length) { results.appendChild(el("p", {}, t("noGraph"))); return; }
    links = links.filter(function (l) { return list.indexOf(l.s) >= 0 && list.indexOf(l.t) >= 0; });
    var W = 760, H = 520;
    for (var step = 0; step < 250; step++) {   // a plain spring embedder: enough for 200 nodes
      for (var i = 0; i < list.length; i++) for (var j = i + 1; j < list.length; j++) {
        var a = list[i], b = list[j], dx = a.x - b.x, dy = a.y - b.y, d2 = dx * dx + dy * dy + 0.01;
        var f = 900 / d2; a.vx += dx * f; a.vy += dy * f; b.vx -= dx * f; b.vy -= dy * f;
      }
      links.forEach(function (l) {
        var dx = l.t.x - l.s.x, dy = l.t.y - l.s.y; l.s.vx += dx * 0.02; l.s.vy += dy * 0.02; l.t.vx -= dx * 0.02; l.t.vy -= dy * 0.02;
      });
      list.forEach(function (n) {
        n.vx += (W / 2 - n.x) * 0.005; n.vy += (H / 2 - n.y) * 0.005;
        n.x = Math.min(W - 20, Math.max(20, n.x + n.vx * 0.5)); n.y = Math.min(H - 20, Math.max(20, n.y + n.vy * 0.5));
        n.vx *= 0.5; n.vy *= 0.5;
      });
    }
    var g = svg("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", "class": "graph", role: "img" });
    links.forEach(function (l) {
      var line = svg("line", { x1: l.s.x, y1: l.s.y, x2: l.t.x, y2: l.t.y, "class": "edge" });
      var title = svg("title"); title.textContent = l.p; line.appendChild(title); g.appendChild(line);
    });
    list.forEach(function (n) {
      var name = n.label || labels[n.id] || shortIri(n.id).replace(/^.*[\/#]/, "");
      var c = svg("circle", { cx: n.x, cy: n.y, r: 6, "class": "node" });
      var title = svg("title"); title.textContent = n.id; c.appendChild(title);
      var text = svg("text", { x: n.x + 8, y: n.y + 4, "class": "node-label" }); text.textContent = name;
      g.appendChild(c); g.appendChild(text);
    });
    results.appendChild(g);
  }

  if (data.query) run();
})();
