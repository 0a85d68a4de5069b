/* Search as you type: an ARIA 1.2 combobox with a listbox popup, fed by /api/search. */
(function () {
  "use strict";
  var K = window.Knooppunt;
  function setup(form) {
    var input = form.querySelector('[role="combobox"]');
    var list = form.querySelector('[role="listbox"]');
    var status = form.querySelector("[data-status]");
    var emptyText = form.querySelector("template[data-empty]").innerHTML.trim();
    var countText = form.querySelector("template[data-count]").innerHTML.trim();
    var oneText = form.querySelector("template[data-one]") ? form.querySelector("template[data-one]").innerHTML.trim() : countText;
    var target = form.dataset.target || "page";
    var results = [], active = -1, timer = null, seq = 0;

    function close() {
      list.hidden = true; input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant"); active = -1;
    }
    function hrefFor(r) {
      if (target === "explorer") return K.pageUrl("/verkenner", { focus: r.iri });
      return K.pageUrl(K.localPath(r.iri));
    }
    function choose(i) { if (results[i]) window.location.href = hrefFor(results[i]); }
    function highlight(i) {
      var opts = list.querySelectorAll('[role="option"]');
      opts.forEach(function (o, j) { o.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && opts[i]) {
        input.setAttribute("aria-activedescendant", opts[i].id);
        opts[i].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }
    function render(rows) {
      results = rows; list.innerHTML = ""; active = -1;
      if (!rows.length) {
        list.appendChild(K.el("li", { "class": "empty", role: "presentation" }, emptyText));
      }
      rows.forEach(function (r, i) {
        var li = K.el("li", { role: "option", id: input.id + "-opt-" + i, "aria-selected": "false", "data-iri": r.iri });
        var a = K.el("span", { "class": "label" }, r.label || r.iri);
        li.appendChild(a);
        if (r.type_label) li.appendChild(K.el("span", { "class": "kind" }, r.type_label));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      list.hidden = false; input.setAttribute("aria-expanded", "true");
      status.textContent = rows.length === 1 ? oneText : rows.length ? countText.replace("{n}", rows.length) : emptyText;
    }
    function lookup() {
      var q = input.value.trim();
      if (q.length < 2) { close(); results = []; return; }
      var mine = ++seq;
      fetch("/api/search?" + new URLSearchParams({ q: q, limit: "8", lang: K.lang }), { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) { if (mine === seq) render(K.items(data, ["results", "items"])); })
        .catch(function () { if (mine === seq) close(); });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 150); });
    input.addEventListener("keydown", function (e) {
      var n = results.length;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden && n) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        if (n) highlight((active + 1) % n);
      } else if (e.key === "ArrowUp") {
        e.preventDefault(); if (n) highlight(active <= 0 ? n - 1 : active - 1);
      } else if (e.key === "Enter") {
        if (active >= 0) { e.preventDefault(); choose(active); }
        else if (target === "explorer" && n) { e.preventDefault(); choose(0); }
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); close(); } else input.value = "";
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("focus", function () { if (results.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); } });
  }
  document.querySelectorAll("form.search").forEach(setup);
})();
