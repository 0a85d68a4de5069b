/* "Zet dit initiatief in Knooppunt": the link at the end of /initiatief carries the initiative
   form's current values to the proposal form, so what the ambassador searched becomes a proposal. */
(function () {
  "use strict";
  var form = document.getElementById("initiatief");
  var link = document.getElementById("propose-initiative");
  if (!form || !link) return;
  function update() {
    var q = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v) q.append(k, v); });
    var query = q.toString();
    link.href = "/voorstellen/initiatief" + (query ? "?" + query : "");
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  link.addEventListener("click", update);
  update();
})();
