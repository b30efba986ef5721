// Draws a page's panels (its plots and its trials table) so that the page keeps answering while it
// does: one panel per task, in page order, and only panels in or near the window. A panel further
// down is drawn once it is scrolled near, as Grafana draws its panels, so that a large study does
// not pay for plots nobody has looked at; one whose data changed while out of sight is drawn again
// when it comes back.
"use strict";
const Painter = (function () {
  // How far beyond the window a panel counts as near: it is drawn just before it is scrolled to.
  const margin = 300;

  // panels: [{ element, draw() }] in page order; onRound: called after each round that drew.
  function create(panels, signal, onRound) {
    const byElement = new Map(panels.map((p) => [p.element, p]));
    const stale = new Set(panels);
    const near = new Set(panels.filter((p) => {
      const r = p.element.getBoundingClientRect();
      return r.bottom > -margin && r.top < window.innerHeight + margin;
    }));
    // drawn: the panels the running round has drawn; behind: those of them drawn before a change came.
    const drawn = new Set(), behind = new Set();
    let running = false, timer = null, lastEnd = -Infinity, lastCost = 0, waiting = [];

    const observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (e.isIntersecting) near.add(byElement.get(e.target)); else near.delete(byElement.get(e.target));
      }
      if (!timer) run();
    }, { rootMargin: `${margin}px 0px` });
    panels.forEach((p) => observer.observe(p.element));
    signal.addEventListener("abort", () => { observer.disconnect(); clearTimeout(timer); });

    const next = () => panels.find((p) => stale.has(p) && near.has(p));

    async function run() {
      if (running || signal.aborted || !next()) return settle();
      running = true;
      const began = performance.now();
      for (let p; !signal.aborted && (p = next());) {
        stale.delete(p);
        p.draw();
        drawn.add(p);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      running = false;
      drawn.clear();
      lastEnd = performance.now();
      lastCost = lastEnd - began;
      if (signal.aborted) return;
      onRound();
      if (behind.size > 0) { changed(behind); behind.clear(); } else settle();
    }

    function settle() {
      if (running || next()) return;
      waiting.forEach((resolve) => resolve());
      waiting = [];
    }

    // The study changed: every panel is drawn again, at once after a quiet spell, then at most every
    // 250 ms and never more than half of the time, so that a burst of changes on a large study
    // leaves the page responsive; the last change is always drawn. During a round, the panels it
    // has drawn wait for the next one; those it has not drawn yet will show the change.
    function changed(which) {
      if (running) { panels.forEach((p) => (drawn.has(p) ? behind : stale).add(p)); return; }
      (which || panels).forEach((p) => stale.add(p));
      if (timer) return;
      timer = setTimeout(() => { timer = null; run(); }, Math.max(0, lastEnd + Math.max(250, lastCost) - performance.now()));
    }

    // One panel's data arrived (the importances): it is drawn as soon as it is near.
    function redraw(panel) {
      stale.add(panel);
      if (!timer) run();
    }

    run();
    return {
      changed,
      redraw,
      // Resolves once no panel in or near the window is waiting to be drawn.
      settled: () => new Promise((resolve) => { waiting.push(resolve); settle(); }),
      // Whether every panel, in sight or not, shows the page's data.
      complete: () => stale.size === 0 && !running,
    };
  }

  return { create };
})();
