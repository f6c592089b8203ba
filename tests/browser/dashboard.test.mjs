// Opens the main job's dashboard in headless Chromium (Debian's package, driven by playwright-core)
// and checks what a manager would see: every section rendered with drawn charts, the scorecard's
// lights in the colours omo-core computed (expected-lights.json, written by
// examples/tests/dashboard.rs), no console error, and a screenshot kept in the test output.
//
// node dashboard.test.mjs <dashboard.html> <expected-lights.json> <screenshot.png>
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { collectProblems, launchChromium } from "./support.mjs";

const [page_path, expected_path, screenshot_path] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(expected_path, "utf8"));
const SECTIONS = ["scorecard", "spi", "forecast", "health", "credit", "customers", "plan"];
const COLOURS = { green: "rgb(44, 160, 44)", yellow: "rgb(242, 200, 15)", red: "rgb(214, 39, 40)", grey: "rgb(176, 183, 191)" };

let failures = 0;
const check = (what, ok, detail = "") => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : " " + detail}`);
  if (!ok) failures += 1;
};

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = collectProblems(page);
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(page_path).href, { waitUntil: "load" });

  check("title", (await page.title()).includes("dashboard"));
  for (const id of SECTIONS) {
    const stats = await page.evaluate((id) => {
      const section = document.querySelector(`section[data-section="${id}"]`);
      if (!section) return null;
      const box = section.getBoundingClientRect();
      const charts = [...section.querySelectorAll("svg")].map((svg) => {
        const b = svg.getBoundingClientRect();
        const shapes = svg.querySelectorAll("path, polyline, polygon, line, rect, circle").length;
        const texts = [...svg.querySelectorAll("text")].filter((t) => t.getBBox().width > 0).length;
        return { width: b.width, height: b.height, shapes, texts };
      });
      return { height: box.height, title: section.querySelector("h2")?.textContent, charts,
               rows: section.querySelectorAll("tbody tr").length };
    }, id);
    check(`section ${id} is on the page`, stats !== null);
    if (!stats) continue;
    check(`section ${id} has a title and takes room`, !!stats.title && stats.height > 100, JSON.stringify(stats));
    const drawn = stats.charts.filter((c) => c.width > 100 && c.height > 100 && c.shapes > 10 && c.texts > 3);
    check(`section ${id}: ${drawn.length} of ${stats.charts.length} charts drawn with shapes and labelled axes`,
      stats.charts.length > 0 && drawn.length === stats.charts.length, JSON.stringify(stats.charts));
  }

  // Lights: every member and KPI of both scorecards in the colour the core computed.
  let lights = 0, wrong = [];
  for (const [axis, members] of Object.entries(expected)) {
    const shown = await page.evaluate((axis) => {
      const out = {};
      for (const tr of document.querySelectorAll(`[data-scorecard="${axis}"] tbody tr`)) {
        const member = tr.querySelector("[data-member]")?.getAttribute("data-member");
        out[member] = {};
        for (const cell of tr.querySelectorAll("[data-kpi]")) {
          const dot = cell.querySelector(".light");
          out[member][cell.getAttribute("data-kpi")] = [dot.getAttribute("data-light"), getComputedStyle(dot).backgroundColor];
        }
      }
      return out;
    }, axis);
    for (const [member, kpis] of Object.entries(members)) {
      for (const [kpi, light] of Object.entries(kpis)) {
        lights += 1;
        const [name, colour] = shown[member]?.[kpi] ?? [];
        if (name !== light || colour !== COLOURS[light]) wrong.push(`${axis}/${member}/${kpi}: ${name} ${colour}, want ${light}`);
      }
    }
  }
  const reds = Object.values(expected).flatMap((m) => Object.values(m).flatMap((k) => Object.values(k))).filter((l) => l === "red").length;
  check(`${lights} lights in the core's colours (${reds} red)`, wrong.length === 0 && reds > 0, wrong.slice(0, 5).join("; "));

  check("no console error or warning", problems.length === 0, problems.join(" | "));
  check("nothing fetched but the file itself", requests.every((u) => u.startsWith("file:")), requests.join(" "));
  await page.screenshot({ path: screenshot_path, fullPage: true });
  console.log(`screenshot: ${screenshot_path}`);
} finally {
  await browser.close();
}
if (failures > 0) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log("the dashboard renders in Chromium");
