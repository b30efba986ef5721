// Draws the four plots as SVG from the embedded data with chart.js; no library, so the page works offline.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const { el, scale, fmt, frame, axes, empty, W, H, M } = Chart;
  const minimize = data.study.directions[0] !== "maximize";
  const complete = data.trials.filter((t) => t.state === "complete" && t.values.length > 0);

  // hue 220 (blue) for the best objective value down to 20 (orange) for the worst: saturated either way.
  function color(value, lo, hi) {
    const q = hi === lo ? 0 : (value - lo) / (hi - lo);
    const good = minimize ? 1 - q : q;
    return `hsl(${Math.round(20 + 200 * good)}, 70%, 45%)`;
  }

  const objective = `objective 0 (${minimize ? "minimize" : "maximize"})`;
  const values = complete.map((t) => t.values[0]);
  const [vLo, vHi] = [Math.min(...values), Math.max(...values)];

  function history(svg) {
    if (complete.length === 0) return empty(svg, "no complete trials yet");
    const numbers = complete.map((t) => t.number);
    const [xs, ys] = axes(Math.min(...numbers), Math.max(...numbers), vLo, vHi);
    frame(svg, xs, ys, "trial number", objective);
    let best, path = "";
    for (const t of complete) {
      const v = t.values[0];
      best = best === undefined || (minimize ? v < best : v > best) ? v : best;
      path += `${path ? "L" : "M"}${xs.at(t.number)},${ys.at(best)} `;
    }
    el("path", { d: path, fill: "none", stroke: "#d62728", "stroke-width": 2 }, svg);
    for (const t of complete) el("circle", { cx: xs.at(t.number), cy: ys.at(t.values[0]), r: 3.5, fill: "#1f77b4" }, svg);
    return complete.length;
  }

  function parallel(svg) {
    if (complete.length === 0) return empty(svg, "no complete trials yet");
    const dims = data.params.map((p) => ({
      name: p.name,
      to: p.kind === "categorical"
        ? ((s) => (v) => s(Math.max(0, p.choices.indexOf(v))))(scale(0, Math.max(p.choices.length - 1, 1), H - M.b, M.t, false))
        : scale(p.low, p.high, H - M.b, M.t, p.log),
      labels: p.kind === "categorical" ? p.choices.map((c, i) => [i / Math.max(p.choices.length - 1, 1), fmt(c)]) : [[0, fmt(p.low)], [1, fmt(p.high)]],
      get: (t) => t.params[p.name],
    }));
    dims.push({ name: "objective", to: scale(vLo, vHi === vLo ? vLo + 1 : vHi, H - M.b, M.t, false), labels: [[0, fmt(vLo)], [1, fmt(vHi)]], get: (t) => t.values[0] });
    const x = (i) => M.l + (i * (W - M.l - M.r - 20)) / Math.max(dims.length - 1, 1);
    for (const t of complete) {
      let d = "", pen = "M";
      dims.forEach((dim, i) => {
        const v = dim.get(t);
        if (v === undefined) { pen = "M"; return; }
        d += `${pen}${x(i)},${dim.to(v)} `;
        pen = "L";
      });
      el("path", { d, fill: "none", stroke: color(t.values[0], vLo, vHi), "stroke-width": 1.5, "stroke-opacity": 0.85 }, svg);
    }
    dims.forEach((dim, i) => {
      el("line", { class: "axis", x1: x(i), x2: x(i), y1: M.t, y2: H - M.b }, svg);
      el("text", { x: x(i), y: H - M.b + 28, "text-anchor": "middle" }, svg, dim.name);
      for (const [q, label] of dim.labels) el("text", { x: x(i) + 4, y: H - M.b - q * (H - M.b - M.t) + (q === 0 ? -2 : 10) }, svg, label);
    });
    return complete.length;
  }

  function curves(svg) {
    const reported = data.trials.filter((t) => t.curve.length > 0);
    if (reported.length === 0) return empty(svg, "no intermediate values reported");
    const steps = reported.flatMap((t) => t.curve.map((p) => p[0]));
    const vals = reported.flatMap((t) => t.curve.map((p) => p[1]));
    const [xs, ys] = axes(Math.min(...steps), Math.max(...steps), Math.min(...vals), Math.max(...vals));
    frame(svg, xs, ys, "step", "intermediate value");
    const stroke = { complete: "#1f77b4", pruned: "#ff7f0e", running: "#2ca02c", fail: "#d62728" };
    for (const t of reported) {
      const d = t.curve.map((p, i) => `${i ? "L" : "M"}${xs.at(p[0])},${ys.at(p[1])}`).join(" ");
      el("path", { d, fill: "none", stroke: stroke[t.state] || "#9467bd", "stroke-width": 1.5, "stroke-opacity": 0.85 }, svg);
      const last = t.curve[t.curve.length - 1];
      el("circle", { cx: xs.at(last[0]), cy: ys.at(last[1]), r: 2.5, fill: stroke[t.state] || "#9467bd" }, svg);
    }
    Object.entries(stroke).forEach(([state, c], i) => {
      el("rect", { x: W - M.r - 90, y: M.t + 4 + i * 16, width: 10, height: 10, fill: c }, svg);
      el("text", { x: W - M.r - 74, y: M.t + 13 + i * 16 }, svg, state);
    });
    return reported.length;
  }

  function importance(svg) {
    if (complete.length < 2) return empty(svg, "needs two complete trials");
    const rows = data.importances, top = Math.max(...rows.map((r) => r.importance), 1e-12);
    const rowH = Math.min(36, (H - M.t - M.b) / rows.length), left = 140, right = W - 70;
    rows.forEach((r, i) => {
      const y = M.t + i * rowH;
      el("text", { x: left - 8, y: y + rowH / 2 + 4, "text-anchor": "end" }, svg, r.name);
      el("rect", { x: left, y: y + rowH * 0.15, width: Math.max(1, ((right - left) * r.importance) / top), height: rowH * 0.7, fill: "#1f77b4" }, svg);
      el("text", { x: left + ((right - left) * r.importance) / top + 6, y: y + rowH / 2 + 4 }, svg, r.importance.toFixed(3));
    });
    el("text", { x: (left + right) / 2, y: H - 6, "text-anchor": "middle" }, svg, `share of ${objective} variance explained (first order)`);
    return rows.length;
  }

  // One lane per trial over the steps it reported, coloured by its final value; a vertical link at
  // each exploit runs from the donor's lane to the trial that took its checkpoint.
  function lineage(svg) {
    const exploits = data.trials.flatMap((t) => t.lineage.map((e) => ({ child: t.number, step: e.step, parent: e.parent })));
    if (exploits.length === 0) return empty(svg, "no trial has exploited another yet");
    const lanes = data.trials.filter((t) => t.curve.length > 0);
    const laneOf = new Map(lanes.map((t, i) => [t.number, i]));
    const steps = lanes.flatMap((t) => t.curve.map((p) => p[0]));
    const [xs] = axes(Math.min(...steps), Math.max(...steps), 0, 1);
    const top = M.t + 8, bottom = H - M.b - 8;
    const y = (i) => (lanes.length === 1 ? (top + bottom) / 2 : top + ((i * (bottom - top)) / (lanes.length - 1)));
    frame(svg, xs, { at: y, ticks: [] }, "step", "trial");
    const every = Math.ceil(lanes.length / 24);
    lanes.forEach((t, i) => {
      const first = t.curve[0][0], last = t.curve[t.curve.length - 1][0];
      const stroke = t.state === "complete" && t.values.length > 0 ? color(t.values[0], vLo, vHi) : "#999";
      el("line", { x1: xs.at(first), x2: xs.at(last) + (first === last ? 2 : 0), y1: y(i), y2: y(i), stroke, "stroke-width": 3 }, svg);
      if (i % every === 0) el("text", { x: M.l - 6, y: y(i) + 4, "text-anchor": "end" }, svg, `#${t.number}`);
    });
    for (const e of exploits) {
      if (!laneOf.has(e.parent) || !laneOf.has(e.child)) continue;
      el("line", { x1: xs.at(e.step), x2: xs.at(e.step), y1: y(laneOf.get(e.parent)), y2: y(laneOf.get(e.child)), stroke: "#222", "stroke-width": 1.2 }, svg);
      el("circle", { cx: xs.at(e.step), cy: y(laneOf.get(e.child)), r: 3.5, fill: "#d62728" }, svg);
    }
    return exploits.length;
  }

  const plots = { history, parallel, curves, importance };
  if (data.study.pruner === "Pbt") plots.lineage = lineage;
  else document.getElementById("lineage").remove();
  for (const [id, draw] of Object.entries(plots)) {
    const figure = document.getElementById(id);
    const svg = figure.querySelector("svg");
    figure.dataset.marks = String(draw(svg));
    const r = svg.getBoundingClientRect();
    figure.dataset.rect = [r.left, r.top, r.width, r.height].map(Math.round).join(",");
  }
  const counts = {};
  for (const t of data.trials) counts[t.state] = (counts[t.state] || 0) + 1;
  document.getElementById("summary").textContent =
    `${data.trials.length} trials (${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(", ")}); ` +
    `sampler ${data.study.sampler}, pruner ${data.study.pruner}; ` +
    (complete.length ? `best ${fmt(minimize ? vLo : vHi)}` : "no complete trial") + `; generated ${data.generated}`;
  document.body.dataset.rendered = String(Object.keys(plots).length);
})();
