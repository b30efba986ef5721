// Debian's chromium, headless, driven by playwright-core for the dashboard tests: one JSON command per
// line on stdin, one JSON answer per line on stdout. Every console message of level warning or error,
// uncaught page error, failed request and HTTP error response is kept, for the "problems" command.
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const problems = [];
let context = null, page = null;

// Each open is a new tab in a new profile, so no session storage (no key) carries over.
async function newPage() {
  if (context) await context.close();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push({ kind: `console ${m.type()}`, text: m.text(), url: page.url() }); });
  page.on("pageerror", (e) => problems.push({ kind: "page error", text: String(e), url: page.url() }));
  // A live page ends its event stream by aborting it when it is left: that abort is not a failure.
  page.on("requestfailed", (r) => {
    if (!(r.url().includes("/api/study/events") && r.failure()?.errorText === "net::ERR_ABORTED")) problems.push({ kind: "request failed", text: r.failure()?.errorText ?? "", url: r.url() });
  });
  page.on("response", (r) => { if (r.status() >= 400) problems.push({ kind: `HTTP ${r.status()}`, text: r.statusText(), url: r.url() }); });
}

// Waits for a condition; when it does not come, the error says what the page showed and what went wrong.
async function until(condition, timeout) {
  try {
    await page.waitForFunction(condition, null, { timeout: timeout ?? 30000, polling: 10 });
  } catch (e) {
    const shown = await page.evaluate(() => document.body?.innerText.slice(0, 300)).catch(() => "");
    throw new Error(`${e.message}; the page shows: ${JSON.stringify(shown)}; problems: ${JSON.stringify(problems)}`);
  }
}

const commands = {
  // Opens a page with the API key in the tab's session storage, as the key form leaves it.
  async open({ url, key, until: condition }) {
    await newPage();
    if (key !== undefined) {
      await page.addInitScript((k) => { if (!sessionStorage.getItem("grpctuner.apiKey")) sessionStorage.setItem("grpctuner.apiKey", k); }, key);
    }
    const started = Date.now();
    await page.goto(url);
    if (condition) await until(condition);
    return { ms: Date.now() - started };
  },
  // Loads another address in the same tab.
  async goto({ url, until: condition }) {
    const started = Date.now();
    await page.goto(url);
    if (condition) await until(condition);
    return { ms: Date.now() - started };
  },
  async navigate({ hash, until: condition }) {
    const started = Date.now();
    await page.evaluate((h) => { location.hash = h; }, hash);
    if (condition) await until(condition);
    return { ms: Date.now() - started };
  },
  async wait({ until: condition, timeout }) {
    const started = performance.now();
    await until(condition, timeout);
    return { ms: performance.now() - started };
  },
  async eval({ js }) { return { value: await page.evaluate(js) }; },
  // Each figure: its id, the data marks it says it drew, and its box in page pixels. A page draws a
  // plot once it comes near the window, so each figure is scrolled to, as a reader would, and waited
  // for; the page is then back at its top.
  async figures() {
    for (const id of await page.$$eval("figure", (all) => all.map((f) => f.id))) {
      await page.$eval(`#${id}`, (f) => f.scrollIntoView());
      await until(`document.getElementById(${JSON.stringify(id)}).dataset.marks !== undefined`);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    return {
      value: await page.$$eval("figure", (all) => all.map((f) => ({ id: f.id, marks: Number(f.dataset.marks), rect: f.querySelector(".chart").getBoundingClientRect().toJSON(), svg: f.querySelectorAll("svg path").length }))),
    };
  },
  // The boxes of every text element a figure's SVG holds, to check that no two overlap.
  async texts({ figure }) {
    return { value: await page.$$eval(`#${figure} svg text`, (all) => all.filter((t) => t.textContent.trim()).map((t) => ({ text: t.textContent, box: t.getBoundingClientRect().toJSON() }))) };
  },
  async screenshot({ path, fullPage }) {
    await page.screenshot({ path, fullPage: fullPage ?? true });
    return {};
  },
  async problems() { return { value: problems.splice(0) }; },
};

const lines = createInterface({ input: process.stdin });
console.log(JSON.stringify({ ready: true, version: browser.version() }));
for await (const line of lines) {
  const command = JSON.parse(line);
  if (command.op === "close") break;
  try {
    console.log(JSON.stringify(Object.assign({ ok: true }, await commands[command.op](command))));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: String(e && e.message ? e.message : e) }));
  }
}
await browser.close();
