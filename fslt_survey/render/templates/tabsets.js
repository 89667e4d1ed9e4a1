/* Built-in render engine: panel tabsets (ARIA tabs; without scripts every panel shows). */
(function () {
  "use strict";
  document.querySelectorAll(".panel-tabset").forEach(function (set) {
    var tabs = Array.prototype.slice.call(set.querySelectorAll('[role="tab"]'));
    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
      });
      if (focus) { tab.focus(); }
    }
    set.classList.add("tabs-ready");
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(tab, false); });
      tab.addEventListener("keydown", function (e) {
        var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
        if (next === undefined) { return; }
        e.preventDefault();
        select(tabs[(next + tabs.length) % tabs.length], true);
      });
    });
    if (tabs.length) { select(tabs[0], false); }
  });
})();
