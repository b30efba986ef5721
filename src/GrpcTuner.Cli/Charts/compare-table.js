// The comparison's table, shared by the report and the dashboard: each study's colour stands before
// its name, so the table is the legend and nothing covers the lines.
"use strict";
const CompareTable = {
  fill(body, data) {
    body.replaceChildren();
    data.studies.forEach((s, i) => {
      const row = body.insertRow();
      row.dataset.study = s.name;
      const name = row.insertCell();
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = Charts.palette[i % Charts.palette.length];
      name.append(swatch, s.name);
      for (const text of [`${s.sampler} / ${s.pruner}`, s.best === null ? "-" : Charts.fmt(s.best), s.test || "-", `${Charts.fmt(s.compute)} ${data.unit}`, String(s.trials), String(s.pruned)]) {
        row.insertCell().textContent = text;
      }
    });
  },
};
