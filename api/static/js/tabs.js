// Tabs (the WAI-ARIA tab pattern) that work from the first paint. This is a classic
// script in the head that listens on the document, so a tab clicked while the page's
// module is still loading opens its panel all the same (a listener on the buttons,
// attached by the module, would miss that click). Arrow keys, Home and End move
// between the tabs of a tablist.
(function () {
  "use strict";
  function tabsOf(tab) {
    const list = tab.closest('[role="tablist"]');
    return list ? [...list.querySelectorAll('[role="tab"]')] : [tab];
  }
  function show(tab) {
    for (const other of tabsOf(tab)) {
      const on = other === tab;
      other.setAttribute("aria-selected", on ? "true" : "false");
      other.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    }
  }
  function tabAt(target) {
    return target instanceof Element ? target.closest('[role="tab"]') : null;
  }
  document.addEventListener("click", (e) => {
    const tab = tabAt(e.target);
    if (tab) show(tab);
  });
  const STEP = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  document.addEventListener("keydown", (e) => {
    const tab = tabAt(e.target);
    if (!tab) return;
    const tabs = tabsOf(tab);
    const i = tabs.indexOf(tab);
    let next = null;
    if (e.key in STEP) next = tabs[(i + STEP[e.key] + tabs.length) % tabs.length];
    else if (e.key === "Home") next = tabs[0];
    else if (e.key === "End") next = tabs[tabs.length - 1];
    if (!next) return;
    e.preventDefault();
    next.focus();
    show(next);
  });
})();
