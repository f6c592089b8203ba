// What the browser tests share: Debian's Chromium launched headless as this machine allows, and
// a page's problems (console errors and warnings, page errors, failed requests, 4xx/5xx answers)
// collected as they happen.
import { chromium } from "playwright-core";

/** Headless Chromium (CHROMIUM, or Debian's /usr/bin/chromium), with nothing of its own online. */
export const launchChromium = () => chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});

/** The list a page's problems are pushed to from now on. */
export const collectProblems = (page) => {
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return problems;
};
