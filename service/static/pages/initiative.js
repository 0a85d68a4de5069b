/* "Nieuw initiatief": send the form to POST /api/connections and show the ranked suggestions,
   each with one or two readable reasons (names link to their pages) and how well it fits (a
   meter, relative to the best of its list). A description alone is enough. The form state lives
   in the URL, so a filled-in form can be shared as a link. */
(function () {
  "use strict";
  var K = window.Knooppunt;
  var form = document.getElementById("initiatief");
  if (!form) return;
  var out = document.getElementById("suggestions");
  var results = form.parentNode.querySelector(".results");
  var status = results.querySelector("[data-status]");
  var understood = results.querySelector("[data-understood]");
  var share = results.querySelector(".share");
  var shareInput = document.getElementById("share-url");
  var SECTIONS = ["people", "organisations", "projects", "materials", "needs"];

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
  function link(iri, text) {
    var path = K.localPath(iri);
    if (path.charAt(0) !== "/") return document.createTextNode(text);  // only our own pages
    return K.el("a", { href: K.pageUrl(path), "class": "g-" + K.group(iri) }, text);
  }
  function reason(sentence) {
    var p = K.el("p", { "class": "reason" });
    (sentence.parts || [{ text: sentence.text }]).forEach(function (part) {
      p.appendChild(part.iri ? link(part.iri, part.text) : document.createTextNode(part.text));
    });
    return p;
  }
  function fit(relevance) {
    var word = relevance >= 0.66 ? "match_strong" : relevance >= 0.33 ? "match_good" : "match_weak";
    var wrap = K.el("span", { "class": "fit" });
    var meter = K.el("meter", { min: "0", max: "1", low: "0.33", high: "0.66", optimum: "1",
      value: String(relevance), "aria-label": K.msg(results, "match") });
    meter.textContent = K.msg(results, word);
    wrap.appendChild(meter);
    wrap.appendChild(K.el("span", { "class": "fit-word" }, K.msg(results, word)));
    return wrap;
  }
  function renderItem(r) {
    var li = K.el("li", { "class": "suggestion", "data-rank": r.rank, "data-relevance": r.relevance });
    var h = K.el("h4", null);
    h.appendChild(link(r.iri, r.label || r.iri));
    li.appendChild(h);
    var meta = K.el("p", { "class": "kind" });
    if (r.type_label) meta.appendChild(document.createTextNode(r.type_label + " · "));
    meta.appendChild(fit(r.relevance || 0));
    li.appendChild(meta);
    (r.reasons || []).forEach(function (s) { li.appendChild(reason(s)); });
    return li;
  }
  function showUnderstood(initiative) {
    var names = [];
    (initiative && initiative.recognised || []).forEach(function (x) { if (names.indexOf(x.label) < 0) names.push(x.label); });
    (initiative && initiative.study_years || []).forEach(function (y) { names.push((K.lang === "en" ? "year " : "leerjaar ") + y); });
    understood.hidden = !names.length;
    understood.textContent = names.length ? K.msg(results, "understood") + " " + names.join(", ") : "";
  }
  function render(data) {
    out.innerHTML = "";
    var total = 0;
    showUnderstood(data.initiative);
    SECTIONS.forEach(function (name) {
      var list = data[name] || [];
      if (!list.length) return;
      var sec = K.el("li", { "class": "section", "data-section": name });
      var id = "sec-" + name;
      sec.appendChild(K.el("h3", { id: id }, K.msg(results, "sec_" + name)));
      var ol = K.el("ol", { "class": "ranked", "aria-labelledby": id });
      list.forEach(function (r) { ol.appendChild(renderItem(r)); total += 1; });
      sec.appendChild(ol);
      out.appendChild(sec);
    });
    status.textContent = total ? "" : K.msg(results, "none");
  }
  function fail(response) {
    out.innerHTML = "";
    understood.hidden = true;
    status.textContent = K.msg(results, response && response.status === 422 ? "invalid" : "error");
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
    }).then(function (r) { if (!r.ok) { fail(r); return null; } return r.json(); })
      .then(function (data) { if (data) render(data); })
      .catch(function () { fail(null); })
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
