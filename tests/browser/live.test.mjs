// Opens the live server's dashboard in headless Chromium (Debian's package, driven by
// playwright-core) and checks, with no reload, what a sales director watching it would see: every
// section drawn from the server's views; a light that turns red in the engine turning red on the
// page within a second of the event being posted; the drill-down company -> region -> distributor
// down to its shops; a KPI's history as an interactive chart; a phone's width without sideways
// scrolling; no console error, and nothing fetched from anywhere but the server.
//
// OMO_URL=http://127.0.0.1:PORT OMO_TOKEN=SECRET node live.test.mjs <screenshot directory>
import { mkdirSync } from "node:fs";
import { collectProblems, launchChromium } from "./support.mjs";

const base = (process.env.OMO_URL || "").replace(/\/$/, "");
const token = process.env.OMO_TOKEN || "";
const [shots = "."] = process.argv.slice(2);
if (!base || !token) {
  console.error("usage: OMO_URL=http://127.0.0.1:PORT OMO_TOKEN=SECRET node live.test.mjs <screenshot directory>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const origin = new URL(base).origin;
const SECTIONS = ["feed", "scorecard", "alerts", "spi", "forecast", "health", "credit", "customers"];
// Month-to-date KPIs an invoice long overdue turns red: the overdue share of receivables, and DSO.
const INVOICE_KPIS = ["overdue_ratio", "dso"];
const LIMIT_MS = 1000;

let passed = 0, failures = 0;
const check = (what, ok, detail = "") => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : " " + detail}`);
  if (ok) passed += 1; else failures += 1;
};

async function api(path) {
  const response = await fetch(base + path);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function post(path, body) {
  const response = await fetch(base + path, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** The first day of the month before `day` ("YYYY-MM-DD"): the oldest day the engine's books take. */
function firstOfPreviousMonth(day) {
  const d = new Date(`${day}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
}

const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = collectProblems(page);
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  let loads = 0;
  page.on("load", () => { loads += 1; });

  // --- The page and its sections -------------------------------------------------------------
  const opened = Date.now();
  await page.goto(base + "/", { waitUntil: "load" });
  await page.waitForSelector("#live-lights tbody tr[data-member]", { timeout: 30000 });
  await page.waitForSelector("body[data-ready]", { timeout: 60000 });
  console.log(`page ready in ${Date.now() - opened} ms`);
  await page.evaluate(() => { window.__sameDocument = "yes"; });

  check("title", (await page.title()).includes("live dashboard"));
  const seq0 = await api("/api/seq");
  const header = await page.evaluate(() => ({ seq: document.getElementById("seq").textContent, asOf: document.getElementById("as-of").textContent,
                                               conn: document.getElementById("conn").getAttribute("data-state") }));
  check("the header shows the engine's seq and day", header.seq === String(seq0.seq) && header.asOf === seq0.as_of,
    `${JSON.stringify(header)} against ${JSON.stringify(seq0)}`);
  await page.waitForFunction(() => document.getElementById("conn").getAttribute("data-state") === "live", null, { timeout: 5000 })
    .then(() => check("the stream is connected", true), () => check("the stream is connected", false, header.conn));
  for (const id of SECTIONS) {
    const stats = await page.evaluate((id) => {
      const section = document.querySelector(`section[data-section="${id}"]`);
      if (!section) return null;
      const box = section.getBoundingClientRect();
      const canvases = [...section.querySelectorAll(".chart canvas")].map((c) => { const b = c.getBoundingClientRect(); return [b.width, b.height]; });
      const rows = [...section.querySelectorAll("tbody tr")].filter((tr) => !tr.classList.contains("empty")).length;
      const errors = [...section.querySelectorAll(".error")].filter((e) => !e.hidden).map((e) => e.textContent);
      return { title: section.querySelector("h2")?.textContent, height: box.height, canvases, rows, errors };
    }, id);
    check(`section ${id} is on the page`, stats !== null);
    if (!stats) continue;
    check(`section ${id} has a title and no error`, !!stats.title && stats.errors.length === 0, JSON.stringify(stats));
    if (id === "feed") continue;
    check(`section ${id} shows rows of its view`, stats.rows > 0, JSON.stringify(stats));
    if (["spi", "forecast", "alerts"].includes(id)) {
      check(`section ${id} draws its chart`, stats.canvases.some(([w, h]) => w > 200 && h > 100), JSON.stringify(stats.canvases));
    }
  }

  // --- The lights: the company's level first --------------------------------------------------
  const live = await api("/api/live");
  const rows = new Map(live.rows.map((r) => [r.member, r]));
  const root = live.rows.find((r) => !r.parent);
  const shown = await page.evaluate(() => [...document.querySelectorAll("#live-lights tbody tr")].map((tr) =>
    [tr.getAttribute("data-member"), tr.className, [...tr.querySelectorAll("td.cell")].map((td) => [td.getAttribute("data-kpi"), td.getAttribute("data-light")])]));
  const topMembers = [root.member, ...live.rows.filter((r) => r.parent === root.member).map((r) => r.member)];
  check("the lights start at the company with its regions below", JSON.stringify(shown.map(([m]) => m)) === JSON.stringify(topMembers),
    JSON.stringify(shown.map(([m]) => m)));
  const wrong = shown.flatMap(([m, , cells]) => cells.filter(([k, l]) => rows.get(m).cells.find((c) => c.kpi === k)?.light !== l).map(([k, l]) => `${m}/${k}: ${l}`));
  check(`the company's level shows the engine's lights (${shown.length} rows x ${live.kpis.length} KPIs)`, wrong.length === 0 && shown.length > 0, wrong.join(", "));

  // A distributor whose light of an invoice KPI is not red, and its region.
  const customers = await api("/api/customers");
  const distributors = new Set(customers.filter((c) => c.kind === "distributor").map((c) => c.customer));
  let target = null;
  for (const kpi of INVOICE_KPIS) {
    const row = live.rows.find((r) => distributors.has(r.member) && r.cells.find((c) => c.kpi === kpi)?.light !== "red");
    if (row) { target = { member: row.member, kpi, region: row.parent }; break; }
  }
  check("a distributor has a light an overdue invoice can turn red", target !== null);
  if (!target) throw new Error("no distributor light to turn red");
  const path = [];
  for (let m = target.region; m; m = rows.get(m)?.parent) path.unshift(m);

  // --- Down to the region ---------------------------------------------------------------------
  for (const member of path.slice(1)) {
    await page.click(`#live-lights tr.child[data-member="${member}"] button.drill`);
    await page.waitForSelector(`#live-lights tr.current[data-member="${member}"]`, { timeout: 2000 });
  }
  const regionLevel = await page.evaluate(() => ({
    crumbs: [...document.querySelectorAll("#crumbs .crumb")].map((c) => c.textContent),
    rows: [...document.querySelectorAll("#live-lights tbody tr")].map((tr) => [tr.getAttribute("data-member"), tr.getAttribute("data-kind")]),
    region: document.getElementById("f-region").value,
  }));
  check(`clicking region ${target.region} shows its distributors with breadcrumbs`,
    regionLevel.crumbs.length === path.length && regionLevel.rows.some(([m, kind]) => m === target.member && kind === "distributor")
      && regionLevel.region === target.region,
    JSON.stringify(regionLevel));

  // --- A light turns red in the engine: red on the page within a second ------------------------
  const cell = `#live-lights td.cell[data-member="${target.member}"][data-kpi="${target.kpi}"]`;
  const before = await page.getAttribute(cell, "class");
  check(`${target.member} x ${target.kpi} is not red before`, before !== null && !before.includes("light-red"), before ?? "no cell");
  const stock = await api("/api/stock");
  const product = stock[0]?.product;
  const seq = await api("/api/seq");
  const { currency } = await api("/api/info");
  const date = firstOfPreviousMonth(seq.as_of);
  const invoice = {
    type: "invoice",
    id: `live-test-${Date.now()}`,
    record: {
      id: `LIVE-TEST-${Date.now()}`, customer: target.member, date, due_date: addDays(date, 14), currency,
      lines: [{ product, quantity: "1000", unit_price: "10000" }],
    },
  };
  const requestsBefore = requests.length;
  const t0 = Date.now();
  const waiting = page.waitForFunction((sel) => document.querySelector(sel)?.classList.contains("light-red"), cell,
    { timeout: 5000, polling: 10 }).then(() => Date.now() - t0, () => null);
  const answer = await post("/events", invoice);
  const acknowledged = Date.now() - t0;
  const red = await waiting;
  const accepted = answer.status === 200 && typeof answer.body.results?.[0]?.seq === "number";
  check(`POST /events books the overdue invoice (${acknowledged} ms)`, accepted, JSON.stringify(answer));
  check(`${target.member} x ${target.kpi} turns red on the page within ${LIMIT_MS} ms of the post (${red ?? "never"} ms)`,
    red !== null && red <= LIMIT_MS);
  const feed = await page.evaluate(({ member, kpi }) => [...document.querySelectorAll("#feed-list li")]
    .filter((li) => li.getAttribute("data-member") === member && li.getAttribute("data-kpi") === kpi).map((li) => li.textContent), target);
  check("the live feed shows the change with what it means", feed.some((t) => t.includes("turned red")), JSON.stringify(feed));
  // After the burst the views are read again (debounced), the header follows the seq.
  const newSeq = answer.body.results?.[0]?.seq;
  const refreshed = await page.waitForFunction((s) => document.getElementById("seq").textContent === String(s), newSeq, { timeout: 5000 })
    .then(() => true, () => false);
  await page.waitForTimeout(1500);
  const reread = requests.slice(requestsBefore).filter((u) => u.startsWith(`${origin}/api/live`)).length;
  check(`the header shows seq ${newSeq} and the views are read again after the change (${reread} reads of /api/live)`, refreshed && reread >= 1);
  const title = await page.getAttribute(cell, "title");
  check("the red cell's tooltip has the engine's new value", /overdue|DSO|Overdue/i.test(title ?? "") && /\d/.test(title ?? ""), title ?? "");

  // --- Down to the distributor: its credit, shops and their customers --------------------------
  await page.click(`#live-lights tr.child[data-member="${target.member}"] button.drill`);
  await page.waitForSelector(`#distributor[data-distributor="${target.member}"]:not([hidden])`, { timeout: 2000 });
  await page.waitForSelector("#shops tbody tr:not(.empty)", { timeout: 5000 });
  const drilled = await page.evaluate(() => ({
    crumbs: [...document.querySelectorAll("#crumbs .crumb")].map((c) => c.textContent),
    rows: [...document.querySelectorAll("#live-lights tbody tr")].map((tr) => tr.getAttribute("data-member")),
    shops: document.querySelectorAll("#shops tbody tr:not(.empty)").length,
    customers: document.querySelectorAll("#top-customers tbody tr:not(.empty)").length,
    cards: [...document.querySelectorAll("#distributor-position .card .label")].map((c) => c.textContent),
    visible: document.getElementById("shops").getBoundingClientRect().height > 0,
  }));
  const view = await api(`/api/distributor?id=${encodeURIComponent(target.member)}`);
  check(`clicking ${target.member} shows its shops (${drilled.shops}), best customers (${drilled.customers}) and credit position`,
    drilled.visible && drilled.shops === view.shops.length && drilled.customers === Math.min(20, view.top_customers.length)
      && drilled.crumbs.length === path.length + 1 && drilled.rows.length === 1 && drilled.rows[0] === target.member
      && (view.position === null || drilled.cards.includes("limit used")),
    JSON.stringify(drilled));

  // --- A KPI's history: an interactive chart ---------------------------------------------------
  await page.click(cell);
  await page.waitForSelector("#history:not([hidden]) #history-chart canvas", { timeout: 5000 });
  const chart = await page.evaluate(() => {
    const c = document.querySelector("#history-chart canvas").getBoundingClientRect();
    return { width: c.width, height: c.height, points: Number(document.getElementById("history-chart").getAttribute("data-points")),
             title: document.getElementById("history-title").textContent };
  });
  const series = await api(`/api/kpi_series?member=${encodeURIComponent(target.member)}&kpi=${target.kpi}`);
  check(`clicking the light draws its history (${chart.points} months)`,
    chart.width > 200 && chart.height > 100 && chart.points >= series.length && chart.points > 1, JSON.stringify(chart));
  const over = await page.locator("#history-chart .u-over").boundingBox();
  const legend = () => page.evaluate(() => [...document.querySelectorAll("#history-chart .u-legend .u-series")].slice(1)
    .map((s) => s.querySelector(".u-value")?.textContent ?? ""));
  await page.mouse.move(over.x + over.width * 0.95, over.y + over.height / 2);
  await page.waitForTimeout(100);
  const hovered = await legend();
  check("hovering the chart shows the values", hovered.some((v) => /\d/.test(v)), JSON.stringify(hovered));
  const xLabels = () => page.evaluate(() => document.querySelector("#history-chart .u-legend .u-series .u-value")?.textContent ?? "");
  await page.mouse.move(over.x + 2, over.y + over.height / 2);
  await page.waitForTimeout(50);
  const leftBefore = await xLabels();
  await page.mouse.move(over.x + over.width * 0.5, over.y + over.height / 2);
  await page.mouse.down();
  await page.mouse.move(over.x + over.width * 0.75, over.y + over.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(100);
  await page.mouse.move(over.x + 2, over.y + over.height / 2);
  await page.waitForTimeout(50);
  const leftAfter = await xLabels();
  check(`dragging across the chart zooms in (left edge ${leftBefore} -> ${leftAfter})`, leftBefore !== leftAfter && leftAfter !== "");

  // --- Filters: period, category and region for S-P-I, business unit for the month's scorecard ---
  const category = await page.$eval("#f-category", (s) => s.options[1]?.value ?? "");
  await page.selectOption("#f-period", "quarter");
  await page.selectOption("#f-category", category);
  const spi = await api("/api/spi?nodes=region&products=category&period=quarter");
  const regions = new Set(live.rows.filter((r) => !distributors.has(r.member)).map((r) => r.member));
  const under = (m) => { for (let r = m; r; r = rows.get(r)?.parent) if (r === target.region) return true; return false; };
  const mine = spi.filter((r) => r.products === category && regions.has(r.nodes) && under(r.nodes));
  const lastQuarter = mine.map((r) => r.period).sort().at(-1);
  const sales = mine.filter((r) => r.period === lastQuarter).reduce((s, r) => s + Number(r.sales), 0);
  const quarterLabel = lastQuarter ? `${lastQuarter.slice(0, 4)} Q${Math.floor((+lastQuarter.slice(5, 7) - 1) / 3) + 1}` : "";
  // The period and the category are read one after the other: wait for the table of both (the
  // quarter's row with the category's sales), not the first answer that shows the quarter.
  const spiShown = await page.waitForFunction(({ label, sales }) => {
    const cells = [...(document.querySelector("#spi-table tbody tr")?.cells ?? [])].map((c) => c.textContent);
    return cells[0] === label && Math.abs(Number(cells[3].replace(/,/g, "")) - sales) < 0.5 ? cells : null;
  }, { label: quarterLabel, sales }, { timeout: 5000 }).then((h) => h.jsonValue(), () => null);
  check(`S-P-I of region ${target.region}, category ${category}, per quarter: ${quarterLabel} sales ${sales}`,
    spiShown !== null && Math.abs(Number(spiShown[3].replace(/,/g, "")) - sales) < 0.5, JSON.stringify(spiShown));
  const unit = await page.$eval("#f-unit", (s) => (s.options.length > 1 ? s.options[s.options.length - 1].value : ""));
  await page.selectOption("#f-unit", unit);
  const byUnit = await page.waitForFunction((u) => document.getElementById("month-card-title").textContent.includes("business unit")
      && [...document.querySelectorAll("#month-card td[data-card-member]")].some((td) => td.getAttribute("data-card-member") === u),
    unit, { timeout: 5000 }).then(() => true, () => false);
  check(`business unit ${unit}: the last month's scorecard by business unit`, unit !== "" && byUnit);

  await page.screenshot({ path: `${shots}/live-1400.png`, fullPage: true });

  // --- A phone's width ------------------------------------------------------------------------
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(400);
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    body: document.body.scrollWidth,
    wide: [...document.querySelectorAll("main *, header *, form *")].filter((e) => e.getBoundingClientRect().right > 391 && !e.closest(".table-wrap"))
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`),
  }));
  await page.screenshot({ path: `${shots}/live-390.png`, fullPage: true });
  check(`no sideways scrolling at 390 px (scrollWidth ${widths.scroll})`, widths.scroll <= 390, JSON.stringify(widths));
  const phoneChart = await page.evaluate(() => document.querySelector("#spi-chart canvas")?.getBoundingClientRect().width ?? 0);
  check(`the charts fit the phone (S-P-I chart ${Math.round(phoneChart)} px)`, phoneChart > 200 && phoneChart <= 390);

  // --- The whole run ---------------------------------------------------------------------------
  check("no reload: the same document all along", loads === 1 && (await page.evaluate(() => window.__sameDocument)) === "yes", `loads ${loads}`);
  check("no console error or warning, no failed request", problems.length === 0, problems.join(" | "));
  const foreign = requests.filter((u) => !u.startsWith(origin + "/"));
  check(`every request (${requests.length}) went to the server`, foreign.length === 0, foreign.join(" "));
  console.log(`screenshots: ${shots}/live-1400.png ${shots}/live-390.png`);
} catch (e) {
  check("the test ran to its end", false, e.stack || String(e));
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failures} failed`);
if (failures > 0) process.exit(1);
