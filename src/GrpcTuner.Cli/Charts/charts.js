// The study plots as Apache ECharts options, from the data ReportData builds. The static report and the
// dashboard both draw with this file, so the two never diverge.
"use strict";
const Charts = (function () {
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
  const stateColours = { complete: "#1f77b4", pruned: "#ff7f0e", running: "#2ca02c", fail: "#d62728", waiting: "#bcbd22" };
  // Blue for the best objective value through to orange for the worst: saturated either way, so a screenshot shows every mark.
  const goodToBad = ["#1f4fb4", "#2ca0a0", "#e0a030", "#e8641e"];
  const text = { fontSize: 11, color: "#444" };

  function fmt(v) {
    if (typeof v !== "number") return String(v);
    return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : +v.toPrecision(4) + "";
  }

  function minimizes(data, k) { return data.study.directions[k || 0] !== "maximize"; }

  function completeTrials(data) { return data.trials.filter((t) => t.state === "complete" && t.values.length > 0); }

  function objectiveName(data, k) { return `objective ${k || 0} (${minimizes(data, k) ? "minimize" : "maximize"})`; }

  function extent(values) {
    let lo = Infinity, hi = -Infinity;
    for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
    return [lo, hi];
  }

  function valueAxis(name, extra) {
    return Object.assign({ type: "value", name, nameLocation: "middle", nameGap: 30, nameTextStyle: text, axisLabel: Object.assign({ formatter: fmt }, text), splitLine: { lineStyle: { color: "#eee" } } }, extra || {});
  }

  // A plot with nothing to draw says why, in grey, with no axes, so that empty plots hold no ink.
  function empty(why) {
    return { option: { title: { text: why, left: "center", top: "middle", textStyle: { color: "#999", fontSize: 14, fontWeight: "normal" } } }, marks: 0 };
  }

  const grid = { left: 70, right: 24, top: 36, bottom: 48 };

  // Past this many, a plot of one line per trial draws the best half of them and the latest half:
  // ten thousand lines cost seconds to draw and show no more than a thousand do.
  const maxLines = 1000;
  function someLines(trials, score, minimize) {
    if (trials.length <= maxLines) return { shown: trials, note: undefined };
    // Each score is read once, not in each of the sort's ~130,000 comparisons on 10,000 trials.
    const scores = Float64Array.from(trials, (t) => (minimize ? score(t) : -score(t)));
    const ranked = Uint32Array.from(trials.keys()).sort((a, b) => scores[a] - scores[b]);
    const picked = new Uint8Array(trials.length);
    ranked.subarray(0, maxLines / 2).forEach((i) => { picked[i] = 1; });
    for (let i = trials.length - 1, count = maxLines / 2; count < maxLines; i--) if (!picked[i]) { picked[i] = 1; count++; }
    return { shown: trials.filter((_, i) => picked[i]), note: `the best ${maxLines / 2} and the latest of ${trials.length.toLocaleString("en")} trials` };
  }

  // Past this many points, a scatter draws every k-th trial, evenly along the study, so that its
  // spread stays as it is.
  const maxPoints = 2000;
  function somePoints(trials) {
    if (trials.length <= maxPoints) return { shown: trials, note: undefined };
    const every = Math.ceil(trials.length / maxPoints);
    return { shown: trials.filter((_, i) => i % every === 0), note: `1 in ${every} of ${trials.length.toLocaleString("en")} trials` };
  }

  function history(data) {
    const complete = completeTrials(data);
    if (complete.length === 0) return empty("no complete trials yet");
    const minimize = minimizes(data);
    // The best-so-far step line needs a point only where the best improves, and one at the end.
    let best;
    const bestPath = [];
    for (const t of complete) {
      const v = t.values[0];
      if (best === undefined || (minimize ? v < best : v > best)) { best = v; bestPath.push([t.number, best]); }
    }
    bestPath.push([complete[complete.length - 1].number, best]);
    return {
      marks: complete.length,
      option: {
        grid, legend: { top: 4, right: 10, textStyle: text },
        tooltip: { trigger: "item", formatter: (p) => `trial #${p.value[0]}: ${fmt(p.value[1])}` },
        xAxis: valueAxis("trial number", { min: "dataMin", max: "dataMax" }),
        yAxis: valueAxis(objectiveName(data), { scale: true, nameGap: 52 }),
        series: [
          { type: "scatter", name: "objective value", data: complete.map((t) => [t.number, t.values[0]]), symbolSize: 6, itemStyle: { color: "#1f77b4" }, large: complete.length > maxPoints },
          { type: "line", name: "best so far", step: "end", data: bestPath, showSymbol: false, lineStyle: { color: "#d62728", width: 2 }, itemStyle: { color: "#d62728" } },
        ],
      },
    };
  }

  // A bound of a parallel axis is labelled unless it sits within a label's height of the nearest
  // tick ECharts labels (powers of ten on a log axis; multiples of a 1-2-3-5 step on a linear one).
  const axisPixels = 360 - 44 - 28;
  function edgeLabels(lo, hi, log) {
    const [a, b] = log ? [Math.log10(lo), Math.log10(hi)] : [lo, hi];
    let step = 1;
    if (!log) {
      const raw = (b - a) / 5, magnitude = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / magnitude;
      step = (f < 1.5 ? 1 : f < 2.5 ? 2 : f < 4 ? 3 : f < 7 ? 5 : 10) * magnitude;
    }
    const first = Math.ceil(a / step - 1e-9) * step, last = Math.floor(b / step + 1e-9) * step;
    const near = (x, y) => (Math.abs(x - y) / (b - a)) * axisPixels < 14 && Math.abs(x - y) > 1e-9 * (b - a);
    return { showMinLabel: !(first <= b && near(first, a)), showMaxLabel: !(last >= a && near(last, b)) };
  }

  // One vertical axis per parameter and one for the objective. Names are cut to the room between two
  // axes, so that twelve and more parameters never print over each other; the tooltip has them whole.
  function parallel(data, width) {
    const all = completeTrials(data);
    if (all.length === 0) return empty("no complete trials yet");
    const { shown: complete, note } = someLines(all, (t) => t.values[0], minimizes(data));
    const [vLo, vHi] = extent(complete.map((t) => t.values[0]));
    const dims = data.params.map((p) => ({
      name: p.name,
      axis: p.kind === "categorical"
        ? { type: "category", data: p.choices.map(String) }
        : { type: p.log ? "log" : "value", min: p.low, max: p.high, axisLabel: edgeLabels(p.low, p.high, p.log) },
      get: (t) => (p.name in t.params ? (p.kind === "categorical" ? String(t.params[p.name]) : t.params[p.name]) : "-"),
    }));
    const vTop = vHi === vLo ? vLo + 1 : vHi;
    dims.push({ name: "objective", axis: { type: "value", min: vLo, max: vTop, axisLabel: edgeLabels(vLo, vTop, false) }, get: (t) => t.values[0] });
    const layout = { left: 48, right: 110, top: 44, bottom: 28 };
    const room = ((width || 1200) - layout.left - layout.right) / Math.max(dims.length - 1, 1);
    return {
      marks: complete.length, note,
      option: {
        parallel: Object.assign({ parallelAxisDefault: { nameLocation: "end", nameGap: 12 } }, layout),
        parallelAxis: dims.map((d, i) => Object.assign({}, d.axis, {
          dim: i, name: d.name, nameTextStyle: text, nameTruncate: { maxWidth: Math.max(24, room - 10), ellipsis: "…" },
          axisLabel: Object.assign({ formatter: (v) => fmt(v) }, text, { fontSize: 10, width: Math.max(20, room - 14), overflow: "truncate" }, d.axis.axisLabel),
          tooltip: { show: true, formatter: d.name },
        })),
        tooltip: { show: true },
        visualMap: {
          type: "continuous", dimension: dims.length - 1, min: vLo, max: vHi === vLo ? vLo + 1 : vHi, right: 8, top: "middle", itemHeight: 160,
          text: ["objective", ""], textStyle: text, formatter: fmt, calculable: false,
          inRange: { color: minimizes(data) ? goodToBad.slice().reverse() : goodToBad },
        },
        series: [{ type: "parallel", data: complete.map((t) => dims.map((d) => d.get(t))), lineStyle: { width: 1.2, opacity: 0.8 }, smooth: false }],
      },
    };
  }

  // Bounds on ticks of a 1-2-5 step around [lo, hi], so that the axis labels its ends and nothing else near them.
  function niceBounds(lo, hi) {
    if (!(hi > lo)) return [lo - 1, hi + 1];
    const raw = (hi - lo) / 5, magnitude = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / magnitude;
    const step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * magnitude;
    return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step].map((v) => +v.toPrecision(12));
  }

  // Intermediate values of every trial, one polyline each, coloured by the trial's state, with a dot
  // at its last report; the legend sits above the plot, never over the curves.
  function curves(data) {
    const all = data.trials.filter((t) => t.curve.length > 0);
    if (all.length === 0) return empty("no intermediate values reported");
    const { shown: reported, note } = someLines(all, (t) => t.curve[t.curve.length - 1][1], minimizes(data));
    const [sLo, sHi] = extent(reported.flatMap((t) => t.curve.map((p) => p[0])));
    const [vLo, vHi] = niceBounds(...extent(reported.flatMap((t) => t.curve.map((p) => p[1]))));
    const states = Object.keys(stateColours).filter((s) => reported.some((t) => t.state === s));
    return {
      marks: reported.length, note,
      option: {
        grid, legend: { top: 4, right: 10, textStyle: text, data: states },
        xAxis: valueAxis("step", { min: sLo, max: sHi === sLo ? sLo + 1 : sHi, minInterval: 1 }),
        yAxis: valueAxis("intermediate value", { min: vLo, max: vHi, nameGap: 52 }),
        series: states.flatMap((s) => {
          const mine = reported.filter((t) => t.state === s);
          const style = { color: stateColours[s] };
          return [
            // One line per state, its trials' curves apart by gaps: far cheaper to lay out than a line per trial.
            { type: "line", name: s, showSymbol: false, connectNulls: false, animation: false, data: mine.flatMap((t) => [...t.curve, ["-", "-"]]), lineStyle: Object.assign({ width: 1.4, opacity: 0.85 }, style), itemStyle: style },
            { type: "scatter", name: s, data: mine.map((t) => t.curve[t.curve.length - 1]), symbolSize: 5, itemStyle: style },
          ];
        }),
      },
    };
  }

  // One small scatter per parameter: its value against the objective, darker for later trials.
  function slices(data, width) {
    const all = completeTrials(data);
    if (all.length === 0 || data.params.length === 0) return empty("no complete trials yet");
    const { shown: complete, note } = somePoints(all);
    const cols = Math.min(data.params.length, Math.max(1, Math.floor((width || 1200) / 300))), rows = Math.ceil(data.params.length / cols);
    const cell = 100 / cols, rowH = 100 / rows;
    const grids = [], xAxes = [], yAxes = [], series = [];
    let marks = 0;
    data.params.forEach((p, i) => {
      const c = i % cols, r = Math.floor(i / cols);
      grids.push({ left: `${c * cell + 5}%`, width: `${cell - 8}%`, top: `${r * rowH + 4}%`, height: `${rowH - 14}%` });
      const cat = p.kind === "categorical";
      xAxes.push(cat
        ? { gridIndex: i, type: "category", data: p.choices.map(String), name: p.name, nameLocation: "middle", nameGap: 22, nameTextStyle: text, axisLabel: text }
        : valueAxis(p.name, { gridIndex: i, type: p.log ? "log" : "value", min: p.low, max: p.high, nameGap: 22 }));
      yAxes.push(valueAxis(c === 0 ? "objective" : "", { gridIndex: i, scale: true, nameGap: 44 }));
      const points = complete.filter((t) => p.name in t.params).map((t) => [cat ? String(t.params[p.name]) : t.params[p.name], t.values[0], t.number]);
      marks += points.length;
      // A thinned study draws in large mode, one colour in one pass; a small one colours by trial number.
      series.push({ type: "scatter", xAxisIndex: i, yAxisIndex: i, data: points, symbolSize: 7, large: !!note, itemStyle: note ? { color: "#1f5fa8" } : undefined });
    });
    const numbers = complete.map((t) => t.number);
    const [nLo, nHi] = extent(numbers);
    return {
      marks, note, height: rows * 230,
      option: {
        grid: grids, xAxis: xAxes, yAxis: yAxes, series,
        visualMap: note ? undefined : { type: "continuous", dimension: 2, min: nLo, max: nHi === nLo ? nLo + 1 : nHi, show: false, inRange: { color: ["#6baed6", "#08306b"] } },
        tooltip: { trigger: "item", formatter: (q) => `trial #${q.value[2]}: ${fmt(q.value[0])} → ${fmt(q.value[1])}` },
      },
    };
  }

  function importance(data) {
    if (data.importances === null) return empty("computing fANOVA importances…");
    if (completeTrials(data).length < 2 || data.importances.length === 0) return empty("needs two complete trials");
    const rows = data.importances.slice().reverse();
    return {
      marks: rows.length,
      option: {
        grid: { left: 150, right: 60, top: 16, bottom: 48 },
        xAxis: valueAxis(`fANOVA importance for ${objectiveName(data)}`, { min: 0 }),
        yAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: Object.assign({ width: 136, overflow: "truncate" }, text) },
        tooltip: { trigger: "item", formatter: (q) => `${q.name}: ${q.value.toFixed(3)}` },
        series: [{ type: "bar", data: rows.map((r) => r.importance), itemStyle: { color: "#1f77b4" }, barMaxWidth: 28, label: { show: true, position: "right", formatter: (q) => q.value.toFixed(3), fontSize: 11 } }],
      },
    };
  }

  // Empirical distribution of the objective: the share of complete trials at or below each value.
  function edf(data) {
    const values = completeTrials(data).map((t) => t.values[0]).sort((a, b) => a - b);
    if (values.length === 0) return empty("no complete trials yet");
    // Past maxPoints values, the step line keeps every k-th rank and the last: the curve is the same to the eye.
    const every = Math.ceil(values.length / maxPoints);
    const ranks = values.map((_, i) => i).filter((i) => i % every === 0 || i === values.length - 1);
    return {
      marks: values.length,
      option: {
        grid,
        xAxis: valueAxis(objectiveName(data), { scale: true }),
        yAxis: valueAxis("cumulative share of trials", { min: 0, max: 1, nameGap: 44 }),
        series: [{ type: "line", step: "end", showSymbol: values.length <= 200, symbolSize: 4, data: ranks.map((i) => [values[i], (i + 1) / values.length]), lineStyle: { color: "#1f77b4", width: 2 }, itemStyle: { color: "#1f77b4" } }],
      },
    };
  }

  // The first two objectives; the best trials (the server's Pareto front) in red, and its hypervolume.
  function pareto(data) {
    const complete = completeTrials(data).filter((t) => t.values.length >= 2);
    if (complete.length === 0) return empty("no complete trials yet");
    const front = new Set(data.pareto.front);
    const point = (t) => [t.values[0], t.values[1], t.number];
    const onFront = complete.filter((t) => front.has(t.number)).map(point).sort((a, b) => a[0] - b[0]);
    return {
      marks: complete.length,
      option: {
        grid, legend: { top: 4, right: 10, textStyle: text },
        title: data.pareto.hypervolume === null ? undefined : { text: `hypervolume ${fmt(data.pareto.hypervolume)} (reference ${data.pareto.reference.map(fmt).join(", ")})`, left: 70, top: 4, textStyle: Object.assign({ fontWeight: "normal" }, text) },
        tooltip: { trigger: "item", formatter: (q) => `trial #${q.value[2]}: ${fmt(q.value[0])}, ${fmt(q.value[1])}` },
        xAxis: valueAxis(objectiveName(data, 0), { scale: true }),
        yAxis: valueAxis(objectiveName(data, 1), { scale: true, nameGap: 52 }),
        series: [
          { type: "scatter", name: "trial", data: complete.filter((t) => !front.has(t.number)).map(point), symbolSize: 6, itemStyle: { color: "#1f77b4" } },
          { type: "scatter", name: "Pareto front", data: onFront, symbolSize: 8, itemStyle: { color: "#d62728" } },
        ],
      },
    };
  }

  // One lane per trial over the steps it reported, coloured by its final value; a vertical link at
  // each exploit runs from the donor's lane to the trial that took its checkpoint.
  function lineage(data) {
    const exploits = data.trials.flatMap((t) => t.lineage.map((e) => ({ child: t.number, step: e.step, parent: e.parent })));
    if (exploits.length === 0) return empty("no trial has exploited another yet");
    const lanes = data.trials.filter((t) => t.curve.length > 0);
    const lane = new Map(lanes.map((t, i) => [t.number, i]));
    const [sLo, sHi] = extent(lanes.flatMap((t) => t.curve.map((p) => p[0])));
    const links = exploits.filter((e) => lane.has(e.parent) && lane.has(e.child));
    return {
      marks: links.length,
      option: {
        grid, tooltip: { trigger: "item" },
        xAxis: valueAxis("step", { min: sLo, max: sHi === sLo ? sLo + 1 : sHi }),
        yAxis: { type: "category", data: lanes.map((t) => `#${t.number}`), name: "trial", nameTextStyle: text, axisLabel: text },
        series: [
          { type: "lines", name: "trial", coordinateSystem: "cartesian2d", data: lanes.map((t, i) => ({ coords: [[t.curve[0][0], i], [t.curve[t.curve.length - 1][0] + (t.curve.length === 1 ? 0.05 : 0), i]] })), lineStyle: { color: "#9ecae1", width: 3, opacity: 1 } },
          { type: "lines", name: "exploit", coordinateSystem: "cartesian2d", data: links.map((e) => ({ coords: [[e.step, lane.get(e.parent)], [e.step, lane.get(e.child)]], name: `#${e.child} took #${e.parent}'s checkpoint at step ${e.step}` })), lineStyle: { color: "#222", width: 1.2, opacity: 1 }, symbol: ["none", "arrow"], symbolSize: 8 },
          { type: "scatter", name: "exploit", data: links.map((e) => [e.step, lane.get(e.child)]), symbolSize: 7, itemStyle: { color: "#d62728" } },
        ],
      },
    };
  }

  // Each study's best so far: against the trials it finished, or against the compute they spent.
  function compareBy(column, label) {
    return function (data) {
      const drawn = data.studies.filter((s) => s.points.length > 0);
      if (drawn.length === 0) return empty("no study has a complete trial yet");
      return {
        marks: drawn.length,
        option: {
          grid,
          tooltip: { trigger: "item", formatter: (q) => `${q.seriesName}: ${fmt(q.value[1])} after ${fmt(q.value[0])}` },
          xAxis: valueAxis(label === "compute" ? `cumulative compute (${data.unit})` : "trials finished", { min: 0 }),
          yAxis: valueAxis("best so far (objective 0)", { scale: true, nameGap: 52 }),
          series: data.studies.map((s, i) => ({
            type: "line", name: s.name, step: "end", showSymbol: false, lineStyle: { width: 2.5, color: palette[i % palette.length] }, itemStyle: { color: palette[i % palette.length] },
            // The best holds until the study's last trial.
            data: s.points.length === 0 ? [] : [...s.points.map((p) => [p[column], p[1]]), [column === 0 ? s.compute : s.trials, s.points[s.points.length - 1][1]]],
          })),
        },
      };
    };
  }

  const study = [
    { id: "history", caption: "Optimization history", draw: history },
    { id: "parallel", caption: "Parallel coordinates", draw: parallel, wide: true },
    { id: "curves", caption: "Intermediate values (learning curves)", draw: curves },
    { id: "importance", caption: "Parameter importances (fANOVA)", draw: importance },
    { id: "slices", caption: "Slice plots: each parameter against the objective", draw: slices, wide: true },
    { id: "edf", caption: "Empirical distribution of the objective", draw: edf },
    { id: "pareto", caption: "Pareto front", draw: pareto, when: (data) => data.study.directions.length > 1 },
    { id: "lineage", caption: "PBT lineage: who took whose checkpoint, and when", draw: lineage, when: (data) => data.study.pruner === "Pbt" },
  ];
  const comparison = [
    { id: "trials", caption: "Best so far against trials", draw: compareBy(2, "trials") },
    { id: "compute", caption: "Best so far against compute", draw: compareBy(0, "compute") },
  ];

  // Canvas past a few thousand trials: SVG keeps every mark in the DOM, which a 10,000-trial study makes slow.
  function renderer(data) { return (data.trials || []).length > 2000 ? "canvas" : "svg"; }

  // Creates the figure and chart of each plot that applies, undrawn, so that a page can see where
  // they fall before it spends time on any.
  function place(container, plots, data, charts) {
    charts = charts || {};
    for (const plot of plots) {
      if ((plot.when && !plot.when(data)) || charts[plot.id]) continue;
      const figure = document.createElement("figure");
      figure.id = plot.id;
      if (plot.wide) figure.className = "wide";
      const caption = document.createElement("figcaption");
      caption.append(plot.caption, Object.assign(document.createElement("span"), { className: "note" }));
      const box = document.createElement("div");
      box.className = "chart";
      figure.append(caption, box);
      container.append(figure);
      charts[plot.id] = echarts.init(box, null, { renderer: renderer(data) });
    }
    return charts;
  }

  // Draws (or redraws) each plot that applies into its figure, creating figures on the first call;
  // each figure says in data-marks how many data marks it drew and in data-rect where it is.
  function draw(container, plots, data, charts) {
    charts = place(container, plots, data, charts);
    for (const plot of plots) {
      const chart = charts[plot.id];
      if (!chart || (plot.when && !plot.when(data))) continue;
      const box = chart.getDom();
      const started = performance.now();
      const made = plot.draw(data, box.clientWidth);
      if (made.height && box.clientHeight !== made.height) { box.style.height = `${made.height}px`; chart.resize(); }
      chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "system-ui, sans-serif" } }, made.option), { notMerge: true });
      const figure = box.parentElement, r = box.getBoundingClientRect();
      figure.dataset.marks = String(made.marks);
      figure.querySelector("figcaption .note").textContent = made.note ? ` (${made.note})` : "";
      // What each plot cost to lay out (the dashboard benchmark reads it); painting follows in the next frame.
      performance.measure(`plot:${plot.id}`, { start: started, end: performance.now() });
      figure.dataset.rect = [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height].map(Math.round).join(",");
    }
    return charts;
  }

  function summary(data) {
    const counts = {};
    for (const t of data.trials) counts[t.state] = (counts[t.state] || 0) + 1;
    const values = completeTrials(data).map((t) => t.values[0]);
    const best = values.length ? (minimizes(data) ? Math.min(...values) : Math.max(...values)) : null;
    return `${data.trials.length} trials (${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(", ") || "none"}); ` +
      `sampler ${data.study.sampler}, pruner ${data.study.pruner}; ` + (best === null ? "no complete trial" : `best ${fmt(best)}`);
  }

  return { study, comparison, place, draw, summary, fmt, palette, stateColours };
})();
