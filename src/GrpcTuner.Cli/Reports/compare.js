// Draws one best-so-far line per study against cumulative compute, and the table beside it, with chart.js.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const { el, fmt, frame, axes, empty } = Chart;
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
  const drawn = data.studies.filter((s) => s.points.length > 0);

  function lines(svg) {
    if (drawn.length === 0) return empty(svg, "no study has a complete trial yet");
    const xs = drawn.flatMap((s) => s.points.map((p) => p[0]));
    const ys = drawn.flatMap((s) => s.points.map((p) => p[1]));
    const [x, y] = axes(0, Math.max(...xs), Math.min(...ys), Math.max(...ys));
    frame(svg, x, y, `cumulative compute (${data.unit})`, "best so far (objective 0)");
    drawn.forEach((s) => {
      const c = palette[data.studies.indexOf(s) % palette.length];
      // A step line: the best holds until the next improvement, and up to the study's last compute.
      let d = "", best;
      for (const [cx, v] of s.points) {
        d += best === undefined ? `M${x.at(cx)},${y.at(v)}` : ` H${x.at(cx)} V${y.at(v)}`;
        best = v;
      }
      d += ` H${x.at(s.compute)}`;
      el("path", { d, fill: "none", stroke: c, "stroke-width": 2.5, "data-study": s.name }, svg);
    });
    return drawn.length;
  }

  const figure = document.getElementById("compute");
  const svg = figure.querySelector("svg");
  figure.dataset.marks = String(lines(svg));
  const r = svg.getBoundingClientRect();
  figure.dataset.rect = [r.left, r.top, r.width, r.height].map(Math.round).join(",");

  // The legend is the table: each study's colour stands before its name, so nothing covers the lines.
  const body = document.querySelector("#studies tbody");
  data.studies.forEach((s, i) => {
    const row = body.insertRow();
    const name = row.insertCell();
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = palette[i % palette.length];
    name.append(swatch, s.name);
    for (const text of [`${s.sampler} / ${s.pruner}`, s.best === null ? "-" : fmt(s.best), s.test || "-", `${fmt(s.compute)} ${data.unit}`, String(s.trials), String(s.pruned)]) {
      row.insertCell().textContent = text;
    }
  });
  document.getElementById("summary").textContent = `${data.studies.length} studies, ${data.unit} summed over finished trials; generated ${data.generated}`;
  document.body.dataset.rendered = String(data.studies.length);
})();
