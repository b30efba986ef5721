// The SVG drawing both report pages share: elements, scales, ticks, number format, axes and frames.
"use strict";
const Chart = (function () {
  const NS = "http://www.w3.org/2000/svg";
  const W = 600, H = 360, M = { l: 60, r: 16, t: 18, b: 40 };

  function el(tag, attrs, parent, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  }

  function scale(lo, hi, a, b, log) {
    const f = log ? Math.log : (x) => x;
    const [l, h] = [f(lo), f(hi)];
    return (x) => (h === l ? (a + b) / 2 : a + ((f(x) - l) / (h - l)) * (b - a));
  }

  function ticks(lo, hi, count) {
    if (!(hi > lo)) return [lo];
    const raw = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    return out;
  }

  function fmt(v) {
    if (typeof v !== "number") return String(v);
    return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : +v.toPrecision(4) + "";
  }

  function frame(svg, xs, ys, xLabel, yLabel) {
    for (const t of ys.ticks) {
      el("line", { class: "grid", x1: M.l, x2: W - M.r, y1: ys.at(t), y2: ys.at(t) }, svg);
      el("text", { x: M.l - 6, y: ys.at(t) + 4, "text-anchor": "end" }, svg, fmt(t));
    }
    for (const t of xs.ticks) el("text", { x: xs.at(t), y: H - M.b + 16, "text-anchor": "middle" }, svg, fmt(t));
    el("line", { class: "axis", x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b }, svg);
    el("line", { class: "axis", x1: M.l, x2: M.l, y1: M.t, y2: H - M.b }, svg);
    el("text", { x: (M.l + W - M.r) / 2, y: H - 6, "text-anchor": "middle" }, svg, xLabel);
    el("text", { x: 14, y: (M.t + H - M.b) / 2, transform: `rotate(-90 14 ${(M.t + H - M.b) / 2})`, "text-anchor": "middle" }, svg, yLabel);
  }

  function axes(xLo, xHi, yLo, yHi) {
    const pad = (yHi - yLo) * 0.05 || Math.abs(yLo) * 0.05 || 1;
    const [ylo, yhi] = [yLo - pad, yHi + pad];
    const x = scale(xLo, xHi === xLo ? xLo + 1 : xHi, M.l + 8, W - M.r - 8, false);
    const y = scale(ylo, yhi, H - M.b, M.t, false);
    return [{ at: x, ticks: ticks(xLo, xHi, 8) }, { at: y, ticks: ticks(ylo, yhi, 6) }];
  }

  function empty(svg, why) {
    el("text", { class: "empty", x: W / 2, y: H / 2, "text-anchor": "middle" }, svg, why);
    return 0;
  }

  return { el, scale, ticks, fmt, frame, axes, empty, W, H, M };
})();
