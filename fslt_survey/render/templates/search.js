/* Built-in render engine: offline site search over window.RENDER_SEARCH (search-index.js).
   Nothing is fetched from anywhere; results are links to the pages' sections. */
(function () {
  "use strict";
  var form = document.querySelector("form.site-search");
  if (!form || !window.RENDER_SEARCH) { return; }
  var input = form.querySelector("input");
  var list = form.querySelector(".site-search-results");
  var root = form.getAttribute("data-root") || "";
  function norm(s) { return (s || "").toLocaleLowerCase(); }
  function item(text, href) {
    var li = document.createElement("li");
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      li.appendChild(a);
    } else {
      li.textContent = text;
    }
    list.appendChild(li);
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var first = list.querySelector("a");
    if (first) { window.location.href = first.href; }
  });
  input.addEventListener("input", function () {
    var words = norm(input.value).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { return; }
    var hits = window.RENDER_SEARCH.filter(function (e) {
      var text = norm(e.title + " " + e.section + " " + e.text);
      return words.every(function (w) { return text.indexOf(w) >= 0; });
    }).slice(0, 10);
    if (!hits.length) { item(form.getAttribute("data-none"), null); return; }
    hits.forEach(function (e) {
      item(e.section ? e.title + " – " + e.section : e.title, root + e.href);
    });
  });
})();
