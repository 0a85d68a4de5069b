/* "Nieuw initiatief": send the form to POST /api/connections and show the ranked suggestions,
   each with its reasons (explanation paths read as chains). The form state lives in the URL. */
(function () {
  "use strict";
  var K = window.Knooppunt;
  var form = document.getElementById("initiatief");
  if (!form) return;
  var out = document.getElementById("suggestions");
  var results = form.parentNode.querySelector(".results");
  var status = results.querySelector("[data-status]");
  var share = results.querySelector(".share");
  var shareInput = document.getElementById("share-url");
  var SECTIONS = ["projects", "materials", "organisations", "people", "needs", "suggestions", "results"];

  function payload() {
    var fd = new FormData(form);
    function one(name) { var v = fd.get(name); return v ? String(v) : null; }
    return {
      title: one("title") || "", description: one("description") || "",
      themes: fd.getAll("themes"), competencies: fd.getAll("competencies"), levels: fd.getAll("levels"),
      region: one("region"), organisation: one("organisation")
    };
  }
  function queryString() {
    var q = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v) q.append(k, v); });
    return q.toString();
  }
  function chain(path) {
    if (!path) return "";
    if (typeof path === "string") return path;
    if (path.text) return path.text;
    var edges = path.edges || path.steps || [];
    if (!edges.length) return path.label || "";
    var nodes = path.nodes || [];
    var text = edges[0].subject === nodes[0] || !nodes.length ? edges[0].subject_label : edges[0].object_label;
    var here = nodes[0] || edges[0].subject;
    edges.forEach(function (e) {
      if (e.subject === here) { text += " —" + e.predicate_label + "→ " + e.object_label; here = e.object; }
      else { text += " ←" + e.predicate_label + "— " + e.subject_label; here = e.subject; }
    });
    return text;
  }
  function reasonsOf(r) {
    var list = [];
    (r.paths || r.explanations || r.explanation_paths || []).forEach(function (p) { var t = chain(p); if (t) list.push(t); });
    (r.reasons || []).forEach(function (t) { if (typeof t === "string") list.push(t); else list.push(chain(t)); });
    if (typeof r.explanation === "string") list.push(r.explanation);
    return list.filter(function (t, i) { return t && list.indexOf(t) === i; });
  }
  function heading(name) {
    var tpl = results.querySelector('template[data-msg="sec_' + name + '"]');
    return tpl ? tpl.innerHTML.trim() : "";
  }
  function renderItem(r, rank) {
    var li = K.el("li", { "class": "suggestion", "data-score": r.score });
    var a = K.el("a", { href: K.pageUrl(K.localPath(r.iri)), "class": "g-" + K.group(r.iri) }, r.label || r.iri);
    var h = K.el("h4", null); h.appendChild(a); li.appendChild(h);
    var meta = K.el("p", { "class": "kind" });
    if (r.type_label) meta.appendChild(document.createTextNode(r.type_label + " · "));
    meta.appendChild(K.el("span", { "class": "score" }, K.msg(results, "score") + " " + (Math.round((r.score || 0) * 100) / 100)));
    li.appendChild(meta);
    var reasons = reasonsOf(r);
    if (reasons.length) {
      li.appendChild(K.el("p", { "class": "why-label" }, K.msg(results, "why")));
      var ul = K.el("ul", { "class": "why" });
      reasons.slice(0, 4).forEach(function (t) { ul.appendChild(K.el("li", { "class": "reason" }, t)); });
      li.appendChild(ul);
    }
    return li;
  }
  function render(data) {
    out.innerHTML = "";
    var total = 0;
    var sections = Array.isArray(data) ? [["suggestions", data]] :
      SECTIONS.filter(function (s) { return Array.isArray(data[s]) && data[s].length; }).map(function (s) { return [s, data[s]]; });
    sections.forEach(function (pair) {
      var sec = K.el("li", { "class": "section", "data-section": pair[0] });
      var title = heading(pair[0]);
      if (title) sec.appendChild(K.el("h3", null, title));
      var ol = K.el("ol", { "class": "ranked" });
      pair[1].forEach(function (r, i) { ol.appendChild(renderItem(r, i + 1)); total += 1; });
      sec.appendChild(ol);
      out.appendChild(sec);
    });
    status.textContent = total ? "" : K.msg(results, "none");
  }
  function run(push) {
    var qs = queryString();
    var url = window.location.pathname + (qs ? "?" + qs : "");
    if (push) history.replaceState(null, "", url);
    shareInput.value = window.location.origin + url;
    share.hidden = false;
    status.textContent = K.msg(results, "searching");
    out.setAttribute("aria-busy", "true");
    fetch("/api/connections?limit=5&lang=" + K.lang, {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload())
    }).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(render)
      .catch(function () { out.innerHTML = ""; status.textContent = K.msg(results, "error"); })
      .finally(function () { out.removeAttribute("aria-busy"); });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); run(true); });
  results.querySelector("[data-copy]").addEventListener("click", function () {
    shareInput.select();
    var done = function () { status.textContent = K.msg(results, "copied"); };
    if (navigator.clipboard) navigator.clipboard.writeText(shareInput.value).then(done, done); else { document.execCommand("copy"); done(); }
  });
  if (form.dataset.run) run(false);
})();
