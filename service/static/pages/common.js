/* Shared helpers of the Knooppunt pages (ours, no libraries). */
(function () {
  "use strict";
  var KIND_GROUP = {
    project: "project", programma: "project", organisatie: "organisation", persoon: "person",
    lidmaatschap: "person", materiaal: "material", curriculum: "material", dekking: "material",
    canmeds: "competency", competentie: "competency", thema: "theme", regio: "region",
    bijeenkomst: "event", behoefte: "event", actieplan: "plan", bouwsteen: "plan",
    focuspunt: "plan", rapportagemoment: "plan"
  };
  var base = (document.body && document.body.dataset.base) || "";
  var lang = document.documentElement.lang || "nl";

  // Our own resources by their local path; other IRIs only if they are http(s), else "#": a
  // javascript: or data: IRI in the data never becomes a link (pagedata.href does the same).
  function localPath(iri) {
    if (base && iri.indexOf(base + "/id/") === 0) return iri.slice(base.length);
    return /^https?:\/\//i.test(iri) ? iri : "#";
  }
  function kind(iri) {
    var i = iri.indexOf("/id/");
    return i < 0 ? "" : iri.slice(i + 4).split("/")[0];
  }
  function group(iri) { return KIND_GROUP[kind(iri)] || "other"; }
  function pageUrl(path, params) {
    if (path === "#") return path;
    var q = new URLSearchParams(params || {});
    if (lang !== "nl") q.set("lang", lang);
    var s = q.toString();
    return path + (s ? (path.indexOf("?") < 0 ? "?" : "&") + s : "");
  }
  function items(data, keys) {
    if (Array.isArray(data)) return data;
    for (var i = 0; i < keys.length; i++) if (data && Array.isArray(data[keys[i]])) return data[keys[i]];
    return [];
  }
  function msg(root, name) {
    var tpl = root.querySelector('template[data-msg="' + name + '"]');
    return tpl ? tpl.innerHTML.trim() : name;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  window.Knooppunt = { localPath: localPath, group: group, kind: kind, pageUrl: pageUrl,
    items: items, msg: msg, el: el, lang: lang, base: base };
})();
