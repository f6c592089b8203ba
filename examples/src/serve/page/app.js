// The live dashboard: reads the engine's views from this server (/api/...), draws them, and keeps
// them current from its stream of changes (/api/stream, server-sent events) without a reload.
//
// Plain JavaScript, no build step. Every text from the data goes into the page through
// textContent or setAttribute (the `h` helper below), never through innerHTML.
"use strict";

(() => {
  // ---------------------------------------------------------------------------------------------
  // Small helpers

  const $ = (id) => document.getElementById(id);

  /** An element: `attrs` sets attributes (`class`, `data-*`, `title`, ...) and listeners (`on*`);
   *  children are elements, strings (as text), arrays of them, or null (skipped). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
      else if (key === "class") el.className = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) append(el, child);
      else if (child instanceof Node) el.appendChild(child);
      else el.appendChild(document.createTextNode(String(child)));
    }
  }

  /** Replaces the children of `el`. */
  function fill(el, ...children) {
    el.replaceChildren();
    append(el, children);
  }

  /** A table's head and body: `columns` are [label, class?]; rows are arrays of cells (a cell is
   *  text, an element, or {text|node, class, attrs}). */
  function fillTable(table, columns, rows, rowAttrs) {
    const thead = table.tHead || table.createTHead();
    fill(thead, h("tr", null, columns.map(([label, cls, title]) => h("th", { class: cls, scope: "col", title }, label))));
    const tbody = table.tBodies[0] || table.createTBody();
    const trs = rows.map((cells, i) =>
      h("tr", rowAttrs ? rowAttrs(i) : null, cells.map((cell, k) => {
        const cls = columns[k] && columns[k][1];
        if (cell && typeof cell === "object" && !(cell instanceof Node)) {
          return h("td", Object.assign({ class: [cls, cell.class].filter(Boolean).join(" ") || null }, cell.attrs), cell.node ?? cell.text);
        }
        return h("td", { class: cls }, cell);
      })));
    if (trs.length === 0) trs.push(h("tr", { class: "empty" }, h("td", { colspan: columns.length }, "nothing to show")));
    fill(tbody, trs);
  }

  const num = (x) => (x === null || x === undefined || x === "" ? null : Number(x));

  function fmt(x, digits = 0) {
    const v = num(x);
    if (v === null || !Number.isFinite(v)) return "-";
    return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  /** A quantity: whole units unless it has fractions worth showing. */
  function qty(x) {
    const v = num(x);
    if (v === null) return "-";
    return fmt(v, Math.abs(v) < 100 && !Number.isInteger(v) ? 1 : 0);
  }

  const pct = (x, digits = 1) => (num(x) === null ? "-" : `${fmt(num(x) * 100, digits)} %`);

  /** A KPI value in its unit. */
  function kpiValue(kpi, x) {
    const v = num(x);
    if (v === null) return "no value";
    if (kpi && kpi.unit === "ratio") return pct(v);
    if (kpi && kpi.unit === "days") return `${fmt(v, 0)} days`;
    return `${fmt(v, 2)}${kpi && kpi.unit ? " " + kpi.unit : ""}`;
  }

  /** Dates "YYYY-MM-DD" as seconds since the epoch (UTC), the x values of the charts. */
  const epoch = (date) => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / 1000;
  const dateOf = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10);

  function periodLabel(date, period) {
    if (period === "year") return date.slice(0, 4);
    if (period === "quarter") return `${date.slice(0, 4)} Q${Math.floor((+date.slice(5, 7) - 1) / 3) + 1}`;
    return date.slice(0, 7);
  }

  const SEVERITY = { green: 0, grey: 1, yellow: 2, red: 3 };
  const LIGHTS = ["green", "grey", "yellow", "red"];
  const worst = (lights) => lights.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), "green");
  const dot = (light, title) => h("span", { class: `dot light-${light}`, "data-light": light, title, role: "img", "aria-label": light });

  /** Short column labels of the standard KPIs (the full name is the column's tooltip). */
  const SHORT = {
    revenue_vs_plan: "Rev / plan", revenue_growth: "Rev / LY", sell_through: "Sell-thru", days_of_cover: "Cover",
    ineffective_stock_share: "Ineff. stock", forecast_wape: "WAPE", dso: "DSO", overdue_ratio: "Overdue",
    otif: "OTIF", active_retailers: "Active shops", average_order_value: "AOV", collection_rate: "Collection",
  };

  // ---------------------------------------------------------------------------------------------
  // The server

  class ApiError extends Error {}

  async function api(path) {
    let response;
    try {
      response = await fetch(path, { headers: { Accept: "application/json" } });
    } catch (e) {
      throw new ApiError(`${path}: the server did not answer (${e.message})`);
    }
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
    if (!response.ok) throw new ApiError(`${path}: ${response.status} ${(body && body.error) || text}`);
    if (body === null && text) throw new ApiError(`${path}: the answer is not JSON`);
    return body;
  }

  /** Shows (or clears, with no message) a section's error line. */
  function showError(id, message) {
    const el = $(id);
    if (!el) return;
    el.hidden = !message;
    el.textContent = message || "";
  }

  // ---------------------------------------------------------------------------------------------
  // State

  const state = {
    seq: null, asOf: null,
    live: null,          // /api/live
    rows: new Map(),     // member -> row of the live card
    children: new Map(), // member (or "" for the top) -> [member]
    kpis: new Map(),     // kpi id -> definition
    path: [],            // the drill-down: member ids from the top
    distributors: null,  // Set of distributor ids (from /api/customers), once known
    selected: null,      // {member, kpi} whose history is shown
    units: [],           // business units: [{member, name, depth}]
    categories: new Map(), // category id -> name
    forecastPreset: null, // the filter that last chose the forecast's series
    received: [],        // light changes received while /api/live was being read
    liveReading: false,
    changes: 0,
  };

  const filters = {
    period: () => $("f-period").value,
    region: () => $("f-region").value,
    unit: () => $("f-unit").value,
    category: () => $("f-category").value,
  };

  // ---------------------------------------------------------------------------------------------
  // Header: seq, as of, stream state

  function setStatus() {
    if (state.seq !== null) { $("seq").textContent = String(state.seq); $("seq").setAttribute("data-seq", String(state.seq)); }
    if (state.asOf) { $("as-of").textContent = state.asOf; $("as-of").setAttribute("data-as-of", state.asOf); }
  }

  function setConnection(name) {
    $("conn").textContent = name;
    $("conn").setAttribute("data-state", name);
  }

  function touched() {
    $("updated").textContent = new Date().toLocaleTimeString("en-GB");
  }

  async function refreshSeq() {
    const s = await api("/api/seq");
    if (state.seq === null || s.seq >= state.seq) state.seq = s.seq;
    const dayChanged = state.asOf !== null && state.asOf !== s.as_of;
    state.asOf = s.as_of;
    setStatus();
    return dayChanged;
  }

  // ---------------------------------------------------------------------------------------------
  // The live lights, one level of the region tree at a time

  function indexLive(live) {
    state.live = live;
    state.rows = new Map(live.rows.map((r) => [r.member, r]));
    state.children = new Map();
    for (const r of live.rows) {
      const parent = r.parent && state.rows.has(r.parent) ? r.parent : "";
      if (!state.children.has(parent)) state.children.set(parent, []);
      state.children.get(parent).push(r.member);
    }
    state.kpis = new Map(live.kpis.map((k) => [k.id, k]));
    // The drill-down path must still exist; else start from the top.
    if (state.path.some((m) => !state.rows.has(m))) state.path = [];
    if (state.path.length === 0) {
      const roots = state.children.get("") || [];
      if (roots.length === 1) state.path = [roots[0]];
    }
  }

  /** A region (or the root) of the tree: a member with members below, or one that is not a
   *  distributor once the distributors are known (a region may have none yet). */
  const isRegion = (member) => state.children.has(member) || (state.distributors !== null && state.rows.has(member) && !state.distributors.has(member));
  function isDistributor(member) {
    if (state.distributors) return state.distributors.has(member);
    return !isRegion(member) && (state.rows.get(member)?.depth ?? 0) > 0;
  }

  /** The light of a cell changed (from the stream): the model, then the table, at once. */
  function applyLight(change) {
    const row = state.rows.get(change.member);
    if (!row) return false;
    const cell = row.cells.find((c) => c.kpi === change.kpi);
    if (!cell) return false;
    cell.light = change.to;
    cell.evaluated = true;
    if ("value" in change) cell.value = change.value ?? null; // a roll-up's change has none, as its cell

    row.overall = worst(row.cells.map((c) => c.light));
    for (const td of document.querySelectorAll("#live-lights td.cell")) {
      if (td.getAttribute("data-member") === change.member && td.getAttribute("data-kpi") === change.kpi) {
        paintCell(td, row, cell);
        td.classList.remove("flash");
        void td.offsetWidth; // restart the animation
        td.classList.add("flash");
      }
    }
    for (const td of document.querySelectorAll("#live-lights td.overall")) {
      if (td.getAttribute("data-member") === change.member) fill(td, dot(row.overall, `worst light: ${row.overall}`));
    }
    return true;
  }

  function cellTitle(row, cell) {
    const kpi = state.kpis.get(cell.kpi);
    const name = kpi ? kpi.name : cell.kpi;
    if (!cell.evaluated) return `${row.name} · ${name}: no value`;
    const value = num(cell.value) === null ? (isRegion(row.member) ? "rolled up" : "no value") : kpiValue(kpi, cell.value);
    const threshold = num(cell.threshold) === null ? "" : ` (threshold ${kpiValue(kpi, cell.threshold)})`;
    const reds = cell.red_members && cell.red_members.length ? ` · red below: ${cell.red_members.length}` : "";
    return `${row.name} · ${name}: ${value}${threshold}${reds} · ${cell.light}`;
  }

  function paintCell(td, row, cell) {
    for (const l of LIGHTS) td.classList.remove(`light-${l}`);
    td.classList.add(`light-${cell.light}`);
    td.setAttribute("data-light", cell.light);
    td.title = cellTitle(row, cell);
    fill(td, dot(cell.light, null));
  }

  function renderCrumbs() {
    const crumbs = $("crumbs");
    const items = [];
    const roots = state.children.get("") || [];
    if (roots.length !== 1) items.push({ label: "All", path: [] });
    state.path.forEach((m, i) => items.push({ label: state.rows.get(m)?.name ?? m, path: state.path.slice(0, i + 1), member: m }));
    fill(crumbs, items.map((item, i) => [
      i > 0 ? h("span", { class: "sep", "aria-hidden": "true" }, "›") : null,
      i === items.length - 1
        ? h("span", { class: "crumb current", "aria-current": "page", "data-member": item.member }, item.label)
        : h("button", { type: "button", class: "crumb", "data-member": item.member, onclick: () => goTo(item.path) }, item.label),
    ]));
  }

  function renderLive() {
    const live = state.live;
    if (!live) return;
    $("live-month").textContent = `month to date: ${live.month.slice(0, 7)}`;
    renderCrumbs();
    const kpis = live.kpis;
    const current = state.path[state.path.length - 1];
    const members = [];
    if (current !== undefined) members.push([current, "current"]);
    if (current === undefined || isRegion(current)) {
      for (const m of state.children.get(current ?? "") || []) members.push([m, "child"]);
    }
    const table = $("live-lights");
    fill(table.tHead, h("tr", null,
      h("th", { scope: "col", class: "member" }, "member"),
      h("th", { scope: "col", title: "the worst light of any KPI" }, "all"),
      kpis.map((k) => h("th", { scope: "col", title: `${k.name} (${k.unit})`, "data-kpi": k.id }, SHORT[k.id] || k.name))));
    const trs = members.map(([m, role]) => {
      const row = state.rows.get(m);
      const down = role === "child";
      const label = down
        ? h("button", { type: "button", class: "drill", "data-member": m, title: isRegion(m) ? "show the members below" : "show this distributor" }, row.name)
        : h("strong", null, row.name);
      const kind = isRegion(m) ? (row.depth === 0 ? "company" : "region") : isDistributor(m) ? "distributor" : "member";
      const tr = h("tr", { class: role, "data-member": m, "data-kind": kind },
        h("th", { scope: "row", class: "member" }, label, h("span", { class: "kind" }, kind)),
        h("td", { class: "overall", "data-member": m }, dot(row.overall, `worst light: ${row.overall}`)),
        row.cells.map((cell) => {
          const td = h("td", { class: "cell", "data-member": m, "data-kpi": cell.kpi, tabindex: 0, role: "button" });
          paintCell(td, row, cell);
          if (state.selected && state.selected.member === m && state.selected.kpi === cell.kpi) td.classList.add("selected");
          return td;
        }));
      if (down) tr.addEventListener("click", (e) => { if (!e.target.closest("td.cell")) goTo([...state.path, m]); });
      return tr;
    });
    fill(table.tBodies[0], trs);
  }

  function goTo(path) {
    state.path = path;
    syncRegionFilter();
    renderLive();
    const current = path[path.length - 1];
    if (current !== undefined && isDistributor(current)) guard("distributor-error", () => loadDistributor(current))();
    else $("distributor").hidden = true;
    guard("spi-error", refreshSpi)();
    guard("month-card-error", refreshMonthCard)();
    if ($("forecast-by").value === "region") guard("forecast-error", refreshForecast)();
  }

  // Clicking a light shows its history; keyboard too.
  function onCellActivate(e) {
    const td = e.target.closest("#live-lights td.cell");
    if (!td) return;
    if (e.type === "keydown" && e.key !== "Enter" && e.key !== " ") return;
    e.preventDefault();
    e.stopPropagation();
    for (const other of document.querySelectorAll("#live-lights td.cell.selected")) other.classList.remove("selected");
    td.classList.add("selected");
    state.selected = { member: td.getAttribute("data-member"), kpi: td.getAttribute("data-kpi") };
    guard("live-error", loadHistory)();
  }

  async function refreshLive() {
    state.liveReading = true;
    state.received = [];
    try {
      const live = await api("/api/live");
      indexLive(live);
      // Changes that arrived while the answer was on its way: the answer may predate them.
      for (const change of state.received) applyLight(change);
      fillRegionFilter();
      renderLive();
      showError("live-error", null);
    } finally {
      state.liveReading = false;
      state.received = [];
    }
  }

  // ---------------------------------------------------------------------------------------------
  // A KPI's history (uPlot)

  async function loadHistory() {
    const sel = state.selected;
    if (!sel) return;
    const panel = $("history");
    panel.hidden = false;
    const kpi = state.kpis.get(sel.kpi);
    const name = state.rows.get(sel.member)?.name ?? sel.member;
    $("history-title").textContent = `${name} · ${kpi ? kpi.name : sel.kpi}, month by month`;
    panel.setAttribute("data-member", sel.member);
    panel.setAttribute("data-kpi", sel.kpi);
    let points;
    try {
      points = await api(`/api/kpi_series?member=${encodeURIComponent(sel.member)}&kpi=${encodeURIComponent(sel.kpi)}`);
    } catch (e) {
      fill($("history-chart"), h("p", { class: "error" }, e.message));
      fill($("history-strip"));
      return;
    }
    if (state.selected !== sel) return; // another cell was clicked meanwhile
    // The month to date from the live card, after the complete months.
    const now = state.rows.get(sel.member)?.cells.find((c) => c.kpi === sel.kpi);
    if (now && state.live && (points.length === 0 || points[points.length - 1].month < state.live.month)) {
      points = [...points, { month: state.live.month, light: now.light, value: now.value, threshold: now.threshold, toDate: true }];
    }
    const scale = kpi && kpi.unit === "ratio" ? 100 : 1;
    const unit = kpi && kpi.unit === "ratio" ? "%" : kpi ? kpi.unit : "";
    const value = (x) => (num(x) === null ? null : num(x) * scale);
    const label = (p) => (p.toDate ? `${p.month.slice(0, 7)} to date` : p.month.slice(0, 7));
    const xFormat = (d) => label(points.find((p) => p.month === d) || { month: d });
    const hasValues = points.some((p) => num(p.value) !== null);
    if (hasValues) {
      const series = [{ label: `${kpi ? kpi.name : sel.kpi} (${unit})`, values: points.map((p) => value(p.value)), color: "#1f77b4" }];
      if (points.some((p) => num(p.threshold) !== null)) {
        series.push({ label: "threshold", values: points.map((p) => value(p.threshold)), color: "#d62728", dash: [6, 4] });
      }
      lineChart($("history-chart"), { id: `${sel.member}/${sel.kpi}/${points.length}`, xs: points.map((p) => epoch(p.month)), series, yLabel: unit, xFormat, xTick: (d) => d.slice(0, 7), height: 240 });
    } else {
      // A roll-up has no value of its own: its light month by month.
      const level = { green: 0, yellow: 1, red: 2 };
      lineChart($("history-chart"), {
        id: `${sel.member}/${sel.kpi}/${points.length}`, xs: points.map((p) => epoch(p.month)), yLabel: "light", xFormat, xTick: (d) => d.slice(0, 7), height: 200,
        yValues: (v) => ["green", "yellow", "red"][v] ?? "", yRange: [-0.25, 2.25],
        series: [{ label: "light (roll-up)", values: points.map((p) => level[p.light] ?? null), color: "#4a5866",
          format: (v) => ["green", "yellow", "red"][Math.round(v)] ?? "-" }],
      });
    }
    fill($("history-strip"), points.map((p) =>
      h("span", { class: "strip-item", title: `${label(p)}: ${kpiValue(kpi, p.value)} · ${p.light}` },
        dot(p.light, null), h("small", null, p.toDate ? "now" : p.month.slice(2, 7)))));
  }

  // ---------------------------------------------------------------------------------------------
  // Charts

  const charts = new Map(); // holder -> {chart, height}
  const resizer = typeof ResizeObserver === "function" ? new ResizeObserver((entries) => {
    for (const entry of entries) {
      const item = charts.get(entry.target);
      if (!item) continue;
      const width = Math.floor(entry.contentRect.width);
      if (width > 0 && Math.abs(width - item.chart.width) > 1) item.chart.setSize({ width, height: item.height });
    }
  }) : null;

  function compact(v) {
    const a = Math.abs(v);
    if (a >= 1e9) return `${fmt(v / 1e9, 1)}G`;
    if (a >= 1e6) return `${fmt(v / 1e6, 1)}M`;
    if (a >= 1e4) return `${fmt(v / 1e3, 0)}k`;
    return fmt(v, a < 10 && !Number.isInteger(v) ? 1 : 0);
  }

  /** A line chart in `holder`: x values in seconds (days), one line per series; hover shows the
   *  values in the legend, dragging across zooms, a double click zooms out. */
  function lineChart(holder, { id = "", xs, series, yLabel, height = 260, xFormat = (d) => d, xTick = xFormat, yValues = compact, yRange = null }) {
    const data = [xs, ...series.map((s) => s.values)];
    const key = JSON.stringify([id, yLabel, series.map((s) => s.label)]);
    const json = JSON.stringify(data);
    const old = charts.get(holder);
    if (old && old.key === key && xs.length > 0) {
      // The same chart with new numbers: keep it, and keep the reader's zoom if the periods are the same.
      if (old.json !== json) {
        const before = old.chart.data[0];
        const samePeriods = before.length === xs.length && xs.every((x, i) => x === before[i]);
        old.json = json;
        old.chart.setData(data, !samePeriods);
        holder.setAttribute("data-points", String(xs.length));
      }
      return old.chart;
    }
    if (old) { old.chart.destroy(); charts.delete(holder); resizer && resizer.unobserve(holder); }
    holder.replaceChildren();
    if (typeof uPlot !== "function") { fill(holder, h("p", { class: "error" }, "the chart library did not load")); return null; }
    if (xs.length === 0) { fill(holder, h("p", { class: "empty" }, "no data")); return null; }
    const width = Math.max(240, Math.floor(holder.clientWidth || 600));
    const options = {
      width, height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
      cursor: { drag: { x: true, y: false, setScale: true }, points: { size: 7 } },
      scales: yRange ? { x: { time: true }, y: { range: yRange } } : { x: { time: true } },
      legend: { live: true },
      axes: [
        // One tick per data point in view (periods, not calendar days), thinned to fit.
        { stroke: "#4a5866", grid: { stroke: "#e3e7eb" }, ticks: { stroke: "#e3e7eb" },
          splits: (u, axis, min, max) => {
            const shown = u.data[0].filter((x) => x >= min && x <= max);
            const room = Math.max(1, Math.floor(u.bbox.width / (window.devicePixelRatio || 1) / 64));
            const step = Math.ceil(shown.length / room);
            return shown.filter((_, i) => i % step === 0);
          },
          values: (u, splits) => splits.map((v) => xTick(dateOf(v))) },
        { stroke: "#4a5866", grid: { stroke: "#e3e7eb" }, ticks: { stroke: "#e3e7eb" }, label: yLabel, size: 56, labelSize: 18,
          values: (u, vals) => vals.map((v) => (v === null ? "" : yValues(v))) },
      ],
      series: [
        { label: "period", value: (u, v) => (v === null || v === undefined ? "-" : xFormat(dateOf(v))) },
        ...series.map((s) => ({
          label: s.label, stroke: s.color, width: 2, dash: s.dash, spanGaps: false,
          points: { show: true, size: 4, fill: s.color },
          value: (u, v) => (v === null || v === undefined ? "-" : s.format ? s.format(v) : fmt(v, Math.abs(v) < 100 ? 1 : 0)),
        })),
      ],
    };
    const chart = new uPlot(options, data, holder);
    charts.set(holder, { chart, height, key, json });
    if (resizer) resizer.observe(holder);
    holder.setAttribute("data-points", String(xs.length));
    return chart;
  }

  // ---------------------------------------------------------------------------------------------
  // The distributor, the last step of the drill-down

  async function loadDistributor(id) {
    const panel = $("distributor");
    panel.hidden = false;
    panel.setAttribute("data-distributor", id);
    $("distributor-title").textContent = `${state.rows.get(id)?.name ?? id}: credit, shops and their customers`;
    let view;
    try {
      view = await api(`/api/distributor?id=${encodeURIComponent(id)}`);
    } catch (e) {
      showError("distributor-error", e.message);
      return;
    }
    if (state.path[state.path.length - 1] !== id) return;
    showError("distributor-error", null);
    $("distributor-title").textContent = `${view.name} (${view.distributor}, region ${state.rows.get(view.region)?.name ?? view.region}): credit, shops and their customers`;
    const p = view.position;
    if (p) {
      const c = p.check || p;
      fill($("distributor-position"),
        card("limit", fmt(c.limit)), card("exposure", fmt(c.exposure_before ?? c.exposure)),
        card("available", fmt(c.available)), card("limit used", pct(p.used, 0)),
        card("status", h("span", { class: `badge status-${p.status}` }, p.status)),
        card("risk class", p.risk_class ?? "-"));
    } else {
      fill($("distributor-position"), h("p", null, "No credit account."));
    }
    fillTable($("shops"),
      [["shop"], ["name"], ["node"], ["on hand", "n"], ["units sold (year)", "n"], ["revenue (year)", "n"], ["buyers", "n"]],
      view.shops.map((s) => [s.customer, s.name, s.node ?? "-", qty(s.on_hand), qty(s.sell_out_units), fmt(s.sell_out_revenue), fmt(s.buyers)]));
    fillTable($("top-customers"), customerColumns(), view.top_customers.map(customerCells));
  }

  const card = (label, value) => h("div", { class: "card" }, h("div", { class: "big" }, value), h("div", { class: "label" }, label));

  // ---------------------------------------------------------------------------------------------
  // Filters

  function fillRegionFilter() {
    const select = $("f-region");
    const regions = state.live.rows.filter((r) => isRegion(r.member) && r.parent);
    const wanted = regions.map((r) => r.member).join("|");
    if (select.getAttribute("data-members") !== wanted) {
      const chosen = select.value;
      fill(select, h("option", { value: "" }, "all regions"),
        regions.map((r) => h("option", { value: r.member }, `${"\u00a0\u00a0".repeat(Math.max(0, r.depth - 1))}${r.name}`)));
      select.setAttribute("data-members", wanted);
      select.value = regions.some((r) => r.member === chosen) ? chosen : "";
    }
    syncRegionFilter();
  }

  /** The region filter shows the deepest region of the drill-down path. */
  function syncRegionFilter() {
    const region = [...state.path].reverse().find((m) => isRegion(m) && state.rows.get(m)?.parent);
    $("f-region").value = region ?? "";
  }

  function pathTo(member) {
    const path = [];
    for (let m = member; m && state.rows.has(m); m = state.rows.get(m).parent) path.unshift(m);
    return path;
  }

  // ---------------------------------------------------------------------------------------------
  // Last complete month's scorecard (by region or business unit)

  async function refreshMonthCard() {
    const unit = filters.unit();
    const axis = unit ? "business_unit" : "region";
    const lines = await api(`/api/scorecard?axis=${axis}`);
    if (axis === "business_unit") fillUnitFilter(lines);
    // The members (parents first) with their cells, kept within the chosen subtree.
    const rows = new Map();
    for (const line of lines) {
      if (!rows.has(line.member)) rows.set(line.member, { member: line.member, name: line.name, parent: line.parent, depth: line.depth, cells: new Map() });
      rows.get(line.member).cells.set(line.kpi, line);
    }
    const top = axis === "business_unit" ? unit : filters.region();
    const keep = (member) => {
      if (!top) return true;
      for (let m = member; m; m = rows.get(m)?.parent) if (m === top) return true;
      return false;
    };
    const kpis = state.live ? state.live.kpis : [...new Set(lines.map((l) => l.kpi))].map((id) => ({ id, name: id, unit: "" }));
    const shown = [...rows.values()].filter((r) => keep(r.member));
    $("month-card-title").textContent = `Last complete month, by ${axis === "region" ? "region" : "business unit"}${top ? ": " + (rows.get(top)?.name ?? top) : ""}`;
    fillTable($("month-card"),
      [["member", "member"], ...kpis.map((k) => [SHORT[k.id] || k.name, null, k.name])],
      shown.map((r) => [
        { node: h("span", { style: `padding-left:${Math.min(r.depth, 6) * 0.8}em` }, r.name), attrs: { "data-card-member": r.member } },
        ...kpis.map((k) => {
          const line = r.cells.get(k.id);
          const light = line ? line.light : "grey";
          const tip = line ? `${r.name} · ${k.name}: ${kpiValue(k, line.value)}${num(line.threshold) === null ? "" : ` (threshold ${kpiValue(k, line.threshold)})`}` : "no value";
          return { node: dot(light, tip), class: `mcell light-${light}`, attrs: { "data-card-member": r.member, "data-kpi": k.id } };
        }),
      ]));
    showError("month-card-error", null);
  }

  function fillUnitFilter(lines) {
    const units = [];
    const seen = new Set();
    const parents = new Set(lines.map((l) => l.parent).filter(Boolean));
    for (const l of lines) if (!seen.has(l.member) && parents.has(l.member)) { seen.add(l.member); units.push(l); }
    const select = $("f-unit");
    const wanted = units.map((u) => u.member).join("|");
    if (select.getAttribute("data-members") === wanted) return;
    const chosen = select.value;
    fill(select, h("option", { value: "" }, "by region"),
      units.map((u) => h("option", { value: u.member }, `${"\u00a0\u00a0".repeat(Math.max(0, u.depth))}${u.name}`)));
    select.setAttribute("data-members", wanted);
    select.value = units.some((u) => u.member === chosen) ? chosen : "";
  }

  // ---------------------------------------------------------------------------------------------
  // Alerts

  async function refreshAlertStates() {
    const states = await api("/api/alert_states");
    const counts = {};
    for (const s of states) counts[s.state] = (counts[s.state] || 0) + 1;
    fill($("alert-counts"), ["firing", "pending", "recovering", "no_data", "normal"].map((name) =>
      h("span", { class: `chip state-${name}`, "data-state": name }, `${name.replace("_", " ")}: ${counts[name] || 0}`)));
    const order = { firing: 0, pending: 1, recovering: 2, no_data: 3, normal: 4 };
    const open = states.filter((s) => s.state !== "normal" && s.state !== "no_data")
      .sort((a, b) => (order[a.state] - order[b.state]) || a.member.localeCompare(b.member) || a.kpi.localeCompare(b.kpi));
    fillTable($("alert-states"), [["state"], ["member"], ["KPI"], ["raised at"]],
      open.slice(0, 40).map((s) => [
        { node: h("span", { class: `badge state-${s.state}` }, s.state) },
        state.rows.get(s.member)?.name ?? s.member,
        state.kpis.get(s.kpi)?.name ?? s.kpi,
        s.raised ? { node: [dot(s.raised, s.raised), ` ${s.raised}`] } : "-",
      ]));
    showError("alerts-error", null);
  }

  async function refreshAlertEvents() {
    const events = await api("/api/alerts?months=12");
    const months = [...new Set(events.map((e) => e.period))].sort();
    const per = (kind) => months.map((m) => events.filter((e) => e.period === m && e.kind === kind).length);
    lineChart($("alerts-chart"), {
      xs: months.map(epoch), yLabel: "alerts", height: 200, xFormat: (d) => d.slice(0, 7),
      series: [
        { label: "raised", values: per("raised"), color: "#ff7f0e" },
        { label: "escalated", values: per("escalated"), color: "#d62728" },
        { label: "resolved", values: per("resolved"), color: "#2ca02c" },
      ],
    });
    const recent = [...events].sort((a, b) => b.period.localeCompare(a.period)).slice(0, 20);
    fillTable($("alert-events"), [["month"], ["event"], ["member"], ["KPI"], ["light"], ["value", "n"]],
      recent.map((e) => {
        const kpi = state.kpis.get(e.kpi);
        return [e.period.slice(0, 7), { node: h("span", { class: `badge kind-${e.kind}` }, e.kind) },
          state.rows.get(e.member)?.name ?? e.member, kpi ? kpi.name : e.kpi, { node: dot(e.light, e.light) }, kpiValue(kpi, e.value)];
      }));
  }

  // ---------------------------------------------------------------------------------------------
  // S-P-I

  async function refreshSpi() {
    const period = filters.period();
    const region = filters.region();
    const category = filters.category();
    // The region's nodes taken together (transfers inside it cancelled by the core), or the company.
    const nodes = region ? `region=${encodeURIComponent(region)}` : "nodes=company";
    const products = category ? "category" : "all";
    const rows = await api(`/api/spi?${nodes}&products=${products}&period=${period}`);
    if (products === "category") for (const r of rows) if (!state.categories.has(r.products)) state.categories.set(r.products, r.products);
    const byPeriod = new Map();
    const FLOWS = ["opening", "receipts", "sales", "customer_returns", "supplier_returns", "transfers_in", "transfers_out", "adjustments", "closing"];
    for (const r of rows) {
      if (category && r.products !== category) continue;
      if (!byPeriod.has(r.period)) byPeriod.set(r.period, Object.fromEntries(FLOWS.map((f) => [f, 0])));
      const sum = byPeriod.get(r.period);
      for (const f of FLOWS) sum[f] += num(r[f]) || 0;
    }
    const periods = [...byPeriod.keys()].sort();
    const where = region ? state.rows.get(region)?.name ?? region : "the company";
    const what = category ? `category ${state.categories.get(category) ?? category}` : "all products";
    $("spi-title").textContent = `${where}, ${what}, per ${period}`;
    lineChart($("spi-chart"), {
      id: `${period}/${region}/${category}`, xs: periods.map(epoch), yLabel: "units", xFormat: (d) => periodLabel(d, period),
      series: [
        { label: "S: sales", values: periods.map((p) => byPeriod.get(p).sales), color: "#1f77b4" },
        { label: "P: receipts", values: periods.map((p) => byPeriod.get(p).receipts), color: "#ff7f0e" },
        { label: "I: closing", values: periods.map((p) => byPeriod.get(p).closing), color: "#2ca02c" },
      ],
    });
    const recent = periods.slice(-12).reverse();
    fillTable($("spi-table"),
      [["period"], ["opening", "n"], ["receipts", "n"], ["sales", "n"], ["returns in", "n"], ["returns out", "n"], ["transfers", "n"], ["adjust.", "n"], ["closing", "n"]],
      recent.map((p) => {
        const f = byPeriod.get(p);
        return [periodLabel(p, period), qty(f.opening), qty(f.receipts), qty(f.sales), qty(f.customer_returns),
          qty(f.supplier_returns), qty(f.transfers_in - f.transfers_out), qty(f.adjustments), qty(f.closing)];
      }));
    showError("spi-error", null);
  }

  /** The categories for the filter (their names once the forecasts by category have been read). */
  async function loadCategories() {
    const spi = await api("/api/spi?nodes=company&products=category&period=year");
    for (const r of spi) if (!state.categories.has(r.products)) state.categories.set(r.products, r.products);
    renderCategoryFilter();
  }

  function renderCategoryFilter() {
    const select = $("f-category");
    const chosen = select.value;
    fill(select, h("option", { value: "" }, "all categories"),
      [...state.categories].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => h("option", { value: id }, name === id ? id : `${name} (${id})`)));
    select.value = chosen;
  }

  // ---------------------------------------------------------------------------------------------
  // Forecast

  async function refreshForecast() {
    const by = $("forecast-by").value;
    const rows = await api(`/api/forecasts?by=${by}`);
    if (by === "category" && rows.some((r) => state.categories.get(r.key) !== r.name)) {
      for (const r of rows) state.categories.set(r.key, r.name);
      renderCategoryFilter();
    }
    const keySelect = $("forecast-key");
    const keys = new Map(rows.map((r) => [r.key, r.name]));
    const wanted = [...keys.keys()].join("|");
    if (keySelect.getAttribute("data-keys") !== `${by}:${wanted}`) {
      const chosen = keySelect.value;
      fill(keySelect, h("option", { value: "" }, by === "company" ? "the company" : "all"),
        [...keys].map(([key, name]) => h("option", { value: key }, name)));
      keySelect.setAttribute("data-keys", `${by}:${wanted}`);
      keySelect.value = keys.has(chosen) ? chosen : "";
    }
    // The filters above choose the series when they name one (and when they change).
    const preset = by === "region" ? filters.region() : by === "category" ? filters.category() : "";
    if (`${by}:${preset}` !== state.forecastPreset) {
      state.forecastPreset = `${by}:${preset}`;
      keySelect.value = keys.has(preset) ? preset : "";
    }
    keySelect.disabled = by === "company";
    const key = keySelect.value;
    const shown = rows.filter((r) => !key || r.key === key);
    const months = [...new Set(shown.map((r) => r.month))].sort();
    const total = (m, field) => shown.filter((r) => r.month === m).reduce((s, r) => s + (num(r[field]) || 0), 0);
    lineChart($("forecast-chart"), {
      id: `${by}/${key}`, xs: months.map(epoch), yLabel: "units", height: 220, xFormat: (d) => d.slice(0, 7),
      series: [
        { label: "forecast", values: months.map((m) => total(m, "volume")), color: "#1f77b4" },
        { label: "same month last year", values: months.map((m) => total(m, "volume_last_year")), color: "#ff7f0e", dash: [6, 4] },
      ],
    });
    fillTable($("forecast-table"),
      [["series"], ["month"], ["units", "n"], ["last year", "n"], ["change", "n"], ["revenue", "n"], ["revenue LY", "n"]],
      shown.map((r) => [r.name, r.month.slice(0, 7), qty(r.volume), qty(r.volume_last_year),
        num(r.change) === null ? "-" : pct(r.change), fmt(r.revenue), fmt(r.revenue_last_year)]));
    showError("forecast-error", null);
  }

  // ---------------------------------------------------------------------------------------------
  // Inventory health

  async function refreshHealth() {
    const health = await api("/api/health");
    const unhealthy = health.unhealthy || [];
    fill($("health-cards"),
      card("dead stock value", fmt(health.dead_value)), card("slow stock value", fmt(health.slow_value)),
      card("ineffective share", pct(health.ineffective_share)), card("dead and slow lines", fmt(health.unhealthy_lines)));
    fillTable($("abc"), [["class"], ["products", "n"], ["value", "n"], ["share", "n"]],
      (health.abc || []).map((a) => [a.class, fmt(a.products), fmt(a.value), pct(a.share)]));
    fillTable($("unhealthy"), [["node"], ["product"], ["status"], ["on hand", "n"], ["value", "n"], ["last issue"], ["days of cover", "n"]],
      unhealthy.slice(0, 20).map((s) => [s.node, s.product, { node: h("span", { class: `badge stock-${s.status}` }, s.status) },
        qty(s.on_hand), fmt(s.value), s.last_issue ?? "never", s.days_of_cover === null || s.days_of_cover === undefined ? "-" : fmt(s.days_of_cover)]));
    showError("health-error", null);
  }

  // ---------------------------------------------------------------------------------------------
  // Credit

  async function refreshCredit() {
    const positions = await api("/api/credit/positions");
    const counts = { over: 0, near: 0, within: 0 };
    for (const p of positions) counts[p.status] = (counts[p.status] || 0) + 1;
    fill($("credit-counts"), Object.entries(counts).map(([s, n]) => h("span", { class: `chip status-${s}`, "data-status": s }, `${s}: ${n}`)));
    fillTable($("positions"),
      [["customer"], ["status"], ["used", "n"], ["limit", "n"], ["exposure", "n"], ["available", "n"], ["risk"]],
      positions.slice(0, 25).map((p) => {
        const c = p.check || p;
        const used = num(p.used);
        const name = state.rows.get(c.customer)?.name;
        return [
          { node: name ? [name, " ", h("small", null, c.customer)] : c.customer, attrs: { "data-customer": c.customer } },
          { node: h("span", { class: `badge status-${p.status}` }, p.status) },
          { node: [h("span", { class: "bar", style: `width:${Math.max(0, Math.min(100, (used || 0) * 100)).toFixed(0)}%` }), h("span", { class: "v" }, pct(used, 0))], class: "used" },
          fmt(c.limit), fmt(c.exposure_before ?? c.exposure), fmt(c.available), p.risk_class ?? "-",
        ];
      }));
    if (positions.length > 25) $("positions").tBodies[0].appendChild(h("tr", { class: "more" }, h("td", { colspan: 7 }, `… and ${positions.length - 25} more accounts`)));
    showError("credit-error", null);
  }

  // ---------------------------------------------------------------------------------------------
  // Customers

  let customerData = [];

  const customerColumns = () => [["customer"], ["kind"], ["activity"], ["last purchase"], ["deals", "n"], ["revenue", "n"], ["avg order", "n"], ["open", "n"], ["overdue", "n"]];
  const customerCells = (s) => [s.customer, s.kind, { node: h("span", { class: `badge activity-${s.activity}` }, s.activity) },
    s.last_purchase ?? "-", fmt(s.deals), fmt(s.revenue), fmt(s.average_order_value), fmt(s.open_receivables), fmt(s.overdue)];

  async function refreshCustomers() {
    customerData = await api("/api/customers");
    state.distributors = new Set(customerData.filter((c) => c.kind === "distributor").map((c) => c.customer));
    const select = $("customer-kind");
    const kinds = [...new Set(customerData.map((c) => c.kind))].sort();
    if (select.getAttribute("data-kinds") !== kinds.join("|")) {
      const chosen = select.value;
      fill(select, h("option", { value: "" }, "all"), kinds.map((k) => h("option", { value: k }, k.replace("_", " "))));
      select.setAttribute("data-kinds", kinds.join("|"));
      select.value = kinds.includes(chosen) ? chosen : "";
    }
    renderCustomers();
    showError("customers-error", null);
  }

  function renderCustomers() {
    const kind = $("customer-kind").value;
    const shown = customerData.filter((c) => !kind || c.kind === kind);
    const activity = {};
    for (const c of shown) activity[c.activity] = (activity[c.activity] || 0) + 1;
    fill($("customer-counts"), h("span", { class: "chip" }, `${fmt(shown.length)} customers`),
      Object.entries(activity).map(([a, n]) => h("span", { class: `chip activity-${a}` }, `${a}: ${fmt(n)}`)));
    const top = [...shown].sort((a, b) => (num(b.revenue) || 0) - (num(a.revenue) || 0)).slice(0, 20);
    fillTable($("customer-table"), customerColumns(), top.map(customerCells));
  }

  // ---------------------------------------------------------------------------------------------
  // Refreshing, in three tiers: the quick views after each burst of changes; the heavier ones at
  // most every 10 s; the forecasts (a model per series) when the day changes, at most every 60 s.

  const SLOW_EVERY_MS = 10000;
  const DAILY_EVERY_MS = 60000;
  const guard = (errorId, job) => async () => {
    try { await job(); } catch (e) { showError(errorId, e.message); }
  };
  const first = [
    guard("live-error", async () => { if (await refreshSeq()) { slowDue = true; dailyDue = true; } }),
    guard("live-error", refreshLive),
  ];
  const quick = [
    guard("alerts-error", refreshAlertStates),
    guard("credit-error", refreshCredit),
    guard("distributor-error", async () => {
      const current = state.path[state.path.length - 1];
      if (current !== undefined && isDistributor(current)) await loadDistributor(current);
    }),
    guard("live-error", loadHistory),
  ];
  const slow = [
    guard("month-card-error", refreshMonthCard),
    guard("alerts-error", refreshAlertEvents),
    guard("spi-error", refreshSpi),
    guard("health-error", refreshHealth),
    guard("customers-error", refreshCustomers),
  ];
  const daily = [guard("forecast-error", refreshForecast)];

  let running = false, again = false, slowDue = false, dailyDue = false, lastSlow = 0, lastDaily = 0, slowTimer = null;

  async function refresh({ all = false } = {}) {
    if (all) { slowDue = true; dailyDue = true; }
    if (running) { again = true; return; }
    running = true;
    try {
      await Promise.all(first.map((job) => job()));
      const jobs = [...quick];
      const now = Date.now();
      const doSlow = slowDue || now - lastSlow >= SLOW_EVERY_MS;
      const doDaily = dailyDue || now - lastDaily >= DAILY_EVERY_MS;
      if (doSlow) { slowDue = false; lastSlow = now; jobs.push(...slow); }
      if (doDaily) { dailyDue = false; lastDaily = now; jobs.push(...daily); }
      await Promise.all(jobs.map((job) => job()));
      if (doSlow) renderLive(); // the distributors are known from the customers now
      if (!doSlow && !slowTimer) {
        // Changes came too soon after the last heavy read: read again once the 10 s are up.
        slowTimer = setTimeout(() => { slowTimer = null; slowDue = true; refresh(); }, Math.max(0, lastSlow + SLOW_EVERY_MS - Date.now()));
      }
      touched();
    } finally {
      running = false;
      if (again) { again = false; refresh(); }
    }
  }

  // Debounced: 500 ms after the last change of a burst, but at least every 3 s under a steady stream.
  let debounce = null, burstStart = 0;
  function changed() {
    const now = Date.now();
    if (!burstStart) burstStart = now;
    clearTimeout(debounce);
    debounce = setTimeout(() => { burstStart = 0; refresh(); }, Math.max(0, Math.min(500, burstStart + 3000 - now)));
  }

  // ---------------------------------------------------------------------------------------------
  // The live feed and the stream

  const FEED_MAX = 80;

  function feedItem(change) {
    const time = new Date().toLocaleTimeString("en-GB");
    const type = change.type || "change";
    const mark = type === "light" ? dot(change.to, change.to)
      : type === "alert" ? dot(change.light || "grey", change.kind) : h("span", { class: "mark" }, type === "stock_out" ? "!" : "§");
    const label = type === "alert" ? `alert ${change.kind || ""}` : type.replace("_", " ");
    return h("li", { class: `feed-item type-${type}${type === "alert" ? " kind-" + change.kind : ""}`, "data-type": type, "data-seq": change.seq,
      "data-member": change.member, "data-kpi": change.kpi },
      mark, " ",
      h("span", { class: `badge type-${type}` }, label), " ",
      h("span", { class: "action" }, change.action || JSON.stringify(change)),
      h("span", { class: "meta" }, ` · ${change.date || ""} · event ${change.seq ?? "-"} · ${time}`));
  }

  function onChange(change) {
    state.changes += 1;
    if (typeof change.seq === "number" && (state.seq === null || change.seq > state.seq)) { state.seq = change.seq; setStatus(); }
    if (change.type === "light") {
      applyLight(change);
      if (state.liveReading) state.received.push(change);
    }
    if (change.type === "alert") slowDue = true;
    const list = $("feed-list");
    list.insertBefore(feedItem(change), list.firstChild);
    while (list.children.length > FEED_MAX) list.removeChild(list.lastChild);
    $("feed-count").textContent = `${fmt(state.changes)} change${state.changes === 1 ? "" : "s"} since this page opened`;
    changed();
  }

  function connect() {
    if (typeof EventSource !== "function") { setConnection("unsupported"); return; }
    const source = new EventSource("/api/stream");
    let opened = false;
    source.onopen = () => {
      setConnection("live");
      if (opened) refresh({ all: true }); // back after a break: changes may have been missed
      opened = true;
    };
    source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
    source.onmessage = (e) => {
      let change;
      try { change = JSON.parse(e.data); } catch { return; }
      onChange(change);
    };
    source.addEventListener("lagged", () => {
      $("feed-count").textContent = "the stream skipped changes: reading every view again";
      refresh({ all: true });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Start

  function start() {
    $("filters").addEventListener("submit", (e) => e.preventDefault());
    $("f-period").addEventListener("change", guard("spi-error", refreshSpi));
    $("f-category").addEventListener("change", () => { guard("spi-error", refreshSpi)(); guard("forecast-error", refreshForecast)(); });
    $("f-region").addEventListener("change", () => {
      const region = filters.region();
      const roots = state.children.get("") || [];
      goTo(region ? pathTo(region) : roots.length === 1 ? [roots[0]] : []);
    });
    $("f-unit").addEventListener("change", guard("month-card-error", refreshMonthCard));
    $("forecast-by").addEventListener("change", guard("forecast-error", refreshForecast));
    $("forecast-key").addEventListener("change", guard("forecast-error", refreshForecast));
    $("customer-kind").addEventListener("change", renderCustomers);
    $("live-lights").addEventListener("click", onCellActivate, true);
    $("live-lights").addEventListener("keydown", (e) => {
      if (e.target.closest("td.cell")) onCellActivate(e);
    });
    $("history-close").addEventListener("click", () => {
      state.selected = null;
      $("history").hidden = true;
      for (const td of document.querySelectorAll("#live-lights td.cell.selected")) td.classList.remove("selected");
    });
    connect();
    document.body.setAttribute("data-loading", "");
    Promise.all([
      refresh({ all: true }),
      guard("spi-error", loadCategories)(),
      guard("month-card-error", async () => { fillUnitFilter(await api("/api/scorecard?axis=business_unit")); })(),
    ]).finally(() => {
      document.body.removeAttribute("data-loading");
      document.body.setAttribute("data-ready", "");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
