// The dashboard's pages: studies, a study (live), a trial, and a comparison. Routes live in the
// fragment (#/study/NAME), so every page is a link. The API key stays in this tab's session storage.
"use strict";
(function () {
  const KEY = "grpctuner.apiKey";
  const view = document.getElementById("view");
  let leave = () => {};

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  function authorization() {
    const key = sessionStorage.getItem(KEY);
    return key ? { Authorization: `Bearer ${key}` } : {};
  }

  // This script runs before ECharts and the charts load, so that its first request overlaps them;
  // answers wait for them here.
  const scriptsLoaded = new Promise((resolve) => (document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", resolve) : resolve()));

  async function api(path, signal) {
    const response = await fetch(`api/${path}`, { headers: authorization(), signal });
    const body = await response.json().catch(() => ({}));
    await scriptsLoaded;
    if (!response.ok) throw new ApiError(response.status, body.error || response.statusText);
    return body;
  }

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  function link(text, href) { return el("a", { href, textContent: text }); }

  const enc = encodeURIComponent;
  const studyHref = (name) => `#/study/${enc(name)}`;
  const trialHref = (name, number) => `#/study/${enc(name)}/trial/${number}`;

  function when(iso) { return iso ? new Date(iso).toLocaleString() : "-"; }

  function seconds(s) {
    if (!(s > 0)) return "-";
    return s < 120 ? `${Charts.fmt(s)} s` : s < 7200 ? `${Charts.fmt(s / 60)} min` : `${Charts.fmt(s / 3600)} h`;
  }

  function page(title, crumbs, summary) {
    document.getElementById("title").textContent = title;
    document.getElementById("crumbs").replaceChildren(...crumbs.flatMap((c, i) => (i ? [" › ", c] : [c])));
    document.getElementById("summary").textContent = summary || "";
    document.title = `${title}: GrpcTuner dashboard`;
  }

  function showError(e) {
    const box = document.getElementById("error");
    box.hidden = !e;
    box.textContent = !e ? "" : e.status === 401 ? `${e.message}: enter an API key above` : e.message;
  }

  // A sortable, filterable table: columns are [header, value of a row, numeric?, cell of a row?].
  function table(columns, rows, options) {
    const limit = (options && options.limit) || Infinity;
    let sortBy = options && options.sortBy !== undefined ? options.sortBy : 0, descending = !!(options && options.descending), filter = "";
    const body = el("tbody");
    const note = el("span", { className: "note" });
    const head = el("tr", {}, ...columns.map((c, i) => {
      const th = el("th", { textContent: c[0] });
      th.addEventListener("click", () => { descending = sortBy === i ? !descending : false; sortBy = i; fill(); });
      return th;
    }));
    const search = el("input", { type: "search", placeholder: "filter", className: "filter" });
    search.addEventListener("input", () => { filter = search.value.trim().toLowerCase(); fill(); });
    function fill() {
      [...head.children].forEach((th, i) => { th.dataset.sort = i === sortBy ? (descending ? "desc" : "asc") : ""; });
      const get = columns[sortBy][1];
      const shown = rows
        .filter((r) => !filter || columns.some((c) => String(c[1](r) ?? "").toLowerCase().includes(filter)))
        .sort((a, b) => {
          const [x, y] = [get(a), get(b)];
          const order = x === y ? 0 : x === null || x === undefined ? 1 : y === null || y === undefined ? -1 : x < y ? -1 : 1;
          return descending ? -order : order;
        });
      body.replaceChildren(...shown.slice(0, limit).map((r) => el("tr", {}, ...columns.map((c) => {
        const cell = c[3] ? c[3](r) : c[1](r);
        const td = el("td", { className: c[2] ? "num" : "" });
        td.append(cell instanceof Node ? cell : typeof cell === "number" ? Charts.fmt(cell) : String(cell ?? "-"));
        return td;
      }))));
      note.textContent = shown.length > limit ? `showing ${limit} of ${shown.length}` : `${shown.length} of ${rows.length}`;
    }
    fill();
    // Wide tables (many parameters) scroll inside their box, so the page and its plots keep the window's width.
    const box = el("div", { className: "table-box" }, el("table", { className: "grid" }, el("thead", {}, head), body));
    return { search, note, table: box, refill(next) { rows = next; fill(); } };
  }

  async function studiesPage(signal) {
    page("Studies", [link("studies", "#/")]);
    const studies = await api("studies", signal);
    const picked = new Set();
    const compare = el("button", { textContent: "compare selected", disabled: true });
    compare.addEventListener("click", () => { location.hash = `#/compare/${[...picked].map(enc).join(",")}`; });
    const count = (s, state) => s.counts[state] || 0;
    const t = table([
      ["", (s) => (picked.has(s.name) ? 1 : 0), false, (s) => {
        const box = el("input", { type: "checkbox", checked: picked.has(s.name), title: `compare ${s.name}` });
        box.addEventListener("change", () => { box.checked ? picked.add(s.name) : picked.delete(s.name); compare.disabled = picked.size < 2; });
        return box;
      }],
      ["study", (s) => s.name, false, (s) => link(s.name, studyHref(s.name))],
      ["direction", (s) => s.directions.join(", ")],
      ["sampler", (s) => s.sampler],
      ["pruner", (s) => s.pruner],
      ["complete", (s) => count(s, "complete"), true],
      ["pruned", (s) => count(s, "pruned"), true],
      ["failed", (s) => count(s, "fail"), true],
      ["running", (s) => count(s, "running"), true],
      ["waiting", (s) => count(s, "waiting"), true],
      ["best", (s) => s.best, true],
      ["last change", (s) => s.lastChange, false, (s) => when(s.lastChange)],
      ["compute", (s) => s.cpuSeconds, true, (s) => (s.cpuSeconds > 0 ? `${seconds(s.cpuSeconds)} CPU` : seconds(s.wallSeconds))],
    ], studies, { sortBy: 11, descending: true });
    t.table.firstChild.id = "study-list";
    document.getElementById("summary").textContent = `${studies.length} studies`;
    view.replaceChildren(el("div", { className: "tools" }, t.search, t.note, compare), t.table);
  }

  // A study, live: the plots and the trials table follow the study's event stream.
  async function studyPage(name, signal) {
    page(name, [link("studies", "#/"), link(name, studyHref(name))]);
    const data = await api(`study?study=${enc(name)}`, signal);
    // Marks for the dashboard benchmark: where the time to an interactive page goes.
    performance.mark("study:data");
    const plots = el("div", { className: "plots" });
    const download = (kind) => {
      const b = el("button", { textContent: `download ${kind.toUpperCase()}` });
      b.addEventListener("click", () => save(`study/trials.${kind}?study=${enc(name)}`, `${name.replace(/\//g, "_")}.${kind}`));
      return b;
    };
    // The table starts empty: its rows are filled as a panel, when it is near the window.
    const trials = trialsTable(name, data, []);
    const live = el("span", { id: "live" });
    view.replaceChildren(plots, el("div", { className: "tools" }, el("strong", { textContent: "Trials" }), trials.search, trials.note, download("csv"), download("json"), live), trials.table);
    const charts = Charts.place(plots, Charts.study, data);
    const resize = () => Object.values(charts).forEach((c) => c.resize());
    window.addEventListener("resize", resize);
    signal.addEventListener("abort", () => { window.removeEventListener("resize", resize); Object.values(charts).forEach((c) => c.dispose()); });
    const panels = Charts.study.filter((p) => charts[p.id]).map((plot) => ({
      plot,
      element: charts[plot.id].getDom(),
      draw() {
        Charts.draw(plots, [plot], data, charts);
        if (plot.id === "importance" && data.importances) document.body.dataset.importances = "drawn";
      },
    }));
    panels.push({ element: trials.table, draw: () => trials.refill(data.trials) });
    const summarize = () => { document.getElementById("summary").textContent = Charts.summary(data); };
    const painter = Painter.create(panels, signal, () => {
      summarize();
      if (painter.complete()) {
        performance.mark("study:plots");
        document.body.dataset.rendered = String(plots.querySelectorAll("figure").length);
      }
    });
    summarize();
    await painter.settled();
    if (signal.aborted) return;
    performance.mark("study:first-screen");
    const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    await painted();
    if (signal.aborted) return;
    document.body.dataset.firstScreen = "painted";

    // fANOVA takes the dashboard a second of CPU on a large study: asked for once the first screen
    // is painted, so that it does not slow the first paint on a machine with few cores.
    const importancesLoaded = api(`study/importances?study=${enc(name)}`, signal).then((rows) => {
      data.importances = rows;
      painter.redraw(panels.find((p) => p.plot && p.plot.id === "importance"));
    });

    const index = new Map(data.trials.map((t, i) => [t.number, i]));
    const changed = (a, b) => JSON.stringify(a) !== JSON.stringify(b);
    follow(`study/events?study=${enc(name)}`, data.cursor, signal, live, route, (batch) => {
      let any = false;
      for (const t of batch) {
        const at = index.get(t.number);
        if (at === undefined) {
          index.set(t.number, data.trials.length);
          data.trials.push(t);
          any = true;
        } else if (changed(data.trials[at], t)) {
          data.trials[at] = t;
          any = true;
        }
      }
      if (any) painter.changed();
    });
    await importancesLoaded;
  }

  function trialsTable(name, data, rows) {
    const params = data.params.map((p) => p.name);
    const objectives = data.study.directions.map((_, k) => [`value ${k}`, (t) => (t.values.length > k ? t.values[k] : null), true]);
    const duration = (t) => (t.start && t.complete ? (new Date(t.complete) - new Date(t.start)) / 1000 : null);
    return table([
      ["#", (t) => t.number, true, (t) => link(String(t.number), trialHref(name, t.number))],
      ["state", (t) => t.state, false, (t) => el("span", { className: `state-${t.state}`, textContent: t.state })],
      ...objectives,
      ...params.map((p) => [p, (t) => (p in t.params ? t.params[p] : null), false]),
      ["steps", (t) => t.curve.length, true],
      ["worker", (t) => t.worker],
      ["started", (t) => t.start, false, (t) => when(t.start)],
      ["duration", duration, true, (t) => seconds(duration(t))],
      ["CPU", (t) => t.cpu, true, (t) => seconds(t.cpu)],
    ], rows, { limit: 200, sortBy: 0, descending: true });
  }

  // Server-sent events read with fetch, so that the key goes in a header, never in a URL. The stream
  // starts at the cursor the page's data was read at, and a dropped one reconnects with the last
  // event's id: no change is missed, none is sent twice.
  async function follow(path, cursor, signal, status, reload, onTrials) {
    while (!signal.aborted) {
      try {
        const headers = Object.assign({ Accept: "text/event-stream" }, authorization(), cursor ? { "Last-Event-ID": cursor } : {});
        const response = await fetch(`api/${path}`, { headers, signal });
        if (!response.ok) throw new ApiError(response.status, response.statusText);
        status.textContent = "● live";
        document.body.dataset.live = "open";
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const message = { event: "message", data: "", id: null };
            for (const line of buffer.slice(0, end).split("\n")) {
              const colon = line.indexOf(":");
              if (colon <= 0) continue;
              const [field, text] = [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, "")];
              if (field === "data") message.data += text;
              else if (field === "event" || field === "id") message[field] = text;
            }
            buffer = buffer.slice(end + 2);
            if (message.event === "trials") onTrials(JSON.parse(message.data));
            if (message.event === "refused") { status.textContent = ""; showError(JSON.parse(message.data)); return; }
            // The dashboard no longer has the changes since this page's cursor: the page loads the study again.
            if (message.event === "reload") { reload(); return; }
            if (message.id !== null) cursor = message.id;
          }
        }
      } catch (e) {
        if (signal.aborted) return;
      }
      status.textContent = "○ reconnecting";
      document.body.dataset.live = "reconnecting";
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async function save(path, filename) {
    const response = await fetch(`api/${path}`, { headers: authorization() });
    if (!response.ok) { showError(new ApiError(response.status, (await response.json().catch(() => ({}))).error || response.statusText)); return; }
    const url = URL.createObjectURL(await response.blob());
    const a = el("a", { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function trialPage(name, number, signal) {
    page(`${name}: trial ${number}`, [link("studies", "#/"), link(name, studyHref(name)), link(`trial ${number}`, trialHref(name, number))]);
    const { detail: t, drawn } = await api(`study/trial?study=${enc(name)}&number=${number}`, signal);
    const compute = t.compute || {};
    const fields = [
      ["state", drawn.state],
      ["values", drawn.values.length ? drawn.values.map(Charts.fmt).join(", ") : "-"],
      ["reason", t.reason || "-"],
      ["worker", t.workerId || "-"],
      ["lease deadline", when(t.leaseDeadline)],
      ["started", when(t.startTime)],
      ["finished", when(t.completeTime)],
      ["duration", seconds(drawn.start && drawn.complete ? (new Date(drawn.complete) - new Date(drawn.start)) / 1000 : null)],
      ["compute", compute.wallSeconds || compute.cpuSeconds
        ? `${seconds(compute.wallSeconds)} wall, ${seconds(compute.cpuSeconds)} CPU, ${compute.deviceCount || 0} × ${compute.deviceKind || "device"}, ${compute.samples || 0} samples, ${compute.epochs || 0} epochs` : "-"],
      ["retried from", t.retriedFrom !== undefined ? link(`trial ${t.retriedFrom}`, trialHref(name, t.retriedFrom)) : "-"],
      ["checkpoint", t.checkpoint || "-"],
    ];
    const list = el("dl", { className: "fields" }, ...fields.flatMap(([k, v]) => [el("dt", { textContent: k }), el("dd", {}, v)]));
    const params = Object.entries(drawn.params).map(([k, v]) => [k, v]);
    const attrs = Object.entries(t.userAttrs || {});
    const lineage = (t.lineage || []).map((e) => [e.step, e.parent, e.checkpoint || "", JSON.stringify(e.newParams || {})]);
    const plots = el("div", { className: "plots" });
    view.replaceChildren(
      list,
      el("h2", { textContent: "Parameters" }), simple(["name", "value"], params),
      el("h2", { textContent: "Lineage (PBT exploits)" }),
      lineage.length ? simple(["step", "parent", "checkpoint", "new params"], lineage, (row) => [row[0], link(`trial ${row[1]}`, trialHref(name, row[1])), row[2], row[3]]) : el("p", { textContent: "none" }),
      el("h2", { textContent: "User attributes" }), attrs.length ? simple(["name", "value"], attrs) : el("p", { textContent: "none" }),
      plots);
    Charts.draw(plots, Charts.study.filter((p) => p.id === "curves"), { study: { directions: [] }, trials: [drawn] });
    document.body.dataset.rendered = "1";
  }

  function simple(headers, rows, cells) {
    return el("table", { className: "grid" }, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { textContent: h })))),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, ...(cells ? cells(r) : r).map((c) => el("td", {}, c instanceof Node ? c : typeof c === "number" ? Charts.fmt(c) : String(c)))))));
  }

  async function comparePage(names, signal) {
    page(`Compare ${names.join(", ")}`, [link("studies", "#/"), link("compare", location.hash)]);
    const data = await api(`compare?${names.map((n) => `study=${enc(n)}`).join("&")}`, signal);
    const plots = el("div", { className: "plots" });
    const rows = el("tbody");
    view.replaceChildren(plots, el("table", { id: "studies" }, el("thead", {}, el("tr", {}, ...["study", "sampler / pruner", "best", "test metric of the best trial", "compute", "trials run", "pruned"].map((h) => el("th", { textContent: h })))), rows));
    Charts.draw(plots, Charts.comparison, data);
    CompareTable.fill(rows, data);
    document.getElementById("summary").textContent = `${data.studies.length} studies, ${data.unit} summed over finished trials`;
    document.body.dataset.rendered = String(plots.querySelectorAll("figure").length);
  }

  async function route() {
    leave();
    const controller = new AbortController();
    leave = () => controller.abort();
    for (const key of ["rendered", "firstScreen", "importances", "live", "ready"]) delete document.body.dataset[key];
    view.replaceChildren();
    showError(null);
    const raw = location.hash.replace(/^#\/?/, "").split("/");
    const parts = raw.map(decodeURIComponent);
    try {
      if (parts[0] === "study" && parts[2] === "trial") await trialPage(parts[1], Number(parts[3]), controller.signal);
      else if (parts[0] === "study") await studyPage(parts[1], controller.signal);
      else if (parts[0] === "compare") await comparePage((raw[1] || "").split(",").filter(Boolean).map(decodeURIComponent), controller.signal);
      else await studiesPage(controller.signal);
      document.body.dataset.ready = "true";
    } catch (e) {
      if (!controller.signal.aborted) { showError(e); document.body.dataset.ready = "error"; }
    }
  }

  function keyState() {
    document.getElementById("key-state").textContent = sessionStorage.getItem(KEY) ? "key set for this session" : "no key";
  }

  document.getElementById("key").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = document.getElementById("key-input");
    if (input.value.trim()) sessionStorage.setItem(KEY, input.value.trim());
    input.value = "";
    keyState();
    route();
  });
  document.getElementById("key-forget").addEventListener("click", () => { sessionStorage.removeItem(KEY); keyState(); route(); });
  window.addEventListener("hashchange", route);
  keyState();
  route();
})();
