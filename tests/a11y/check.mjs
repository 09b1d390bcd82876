// The accessibility check of an HTML report, as a reader's browser sees it:
// opens the file in headless Chromium (puppeteer-core, no bundled browser),
// runs axe-core at desktop (1366 px) and phone (400 px) widths; checks at
// those widths and at 1024 px that no word of a heading, caption or table
// header is broken across two lines and that no table cell's content runs
// out of its cell; and checks that the page never scrolls sideways at 400 px
// and 360 px.
//
//   node tests/a11y/check.mjs output/2018-19-Q3/board-report.html [MORE.html …]
//
// Exits 0 when every page is clean; 1 with every problem listed otherwise; 2
// when it could not run (no file, no browser). One browser checks them all. CHROMIUM overrides the
// browser's path (default /usr/bin/chromium).
//
// Fails on every axe violation (WCAG 2.0, 2.1 and 2.2 A and AA, and axe's
// best practices), and on any "incomplete" colour-contrast result: axe
// reports contrast it cannot measure (text over a gradient, an overlap) as
// incomplete, not as a violation, so a page could otherwise pass with text
// nobody checked.

import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const files = process.argv.slice(2);
if (!files.length || !files.every((f) => existsSync(f))) {
  const absent = files.filter((f) => !existsSync(f));
  console.error(`usage: node check.mjs FILE.html… (${absent.length ? `${absent.join(", ")} does not exist` : "no file given"})`);
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
if (!existsSync(executablePath)) {
  console.error(`no browser at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
  process.exit(2);
}

const axeWidths = [
  { name: "desktop", width: 1366, height: 900 },
  { name: "phone", width: 400, height: 800 },
];
// The narrow phones still in use: 360 px is the smallest common CSS width.
const scrollWidths = [400, 360];
const layoutWidths = [1024];
const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"];

// Runs in the page: words of headings, captions and table headers broken
// across two lines ("Reoffendin|g"), and table cells whose content runs out
// of them (into the next column: the "Progress update" over "Next steps"
// overlap). Elements not shown (the cards' hidden header row) are skipped.
function measureLayout() {
  const shown = (e) => {
    const r = e.getBoundingClientRect();
    return r.width > 2 && r.height > 2;
  };
  const broken = [];
  for (const element of document.querySelectorAll("h1, h2, h3, h4, caption, th, dt")) {
    if (!shown(element)) continue;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\s\-\u2010\u2013\u2014\/]+/gu)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(`"${match[0]}" in ${element.tagName.toLowerCase()} "${element.textContent.trim().slice(0, 60)}"`);
      }
    }
  }
  const overflowing = [...document.querySelectorAll("th, td")]
    .filter((cell) => shown(cell) && cell.scrollWidth > cell.clientWidth + 1)
    .map((cell) => `${cell.tagName.toLowerCase()} "${cell.textContent.trim().slice(0, 40)}" (${cell.scrollWidth}px in ${cell.clientWidth}px)`);
  return { broken, overflowing };
}

function layout(summary, problems, name, width, { broken, overflowing }) {
  summary.push(`${name} ${width}px: ${broken.length} words broken in headings and headers, ${overflowing.length} table cells overflowing`);
  for (const b of broken.slice(0, 20)) problems.push(`${name} ${width}px: a word breaks across lines: ${b}`);
  for (const o of overflowing.slice(0, 20)) problems.push(`${name} ${width}px: a table cell's content runs out of it: ${o}`);
}
const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
// Checks one page in a tab of its own; the pages are checked side by side.
async function check(file) {
  const summary = [];
  const problems = [];
  const page = await browser.newPage();
  // The report fetches nothing; anything it tries to fetch is a fault.
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = request.url();
    if (url.startsWith("file:") || url.startsWith("data:")) request.continue();
    else {
      problems.push(`${file}: the page requested ${url}`);
      request.abort();
    }
  });
  const url = pathToFileURL(resolve(file)).href;
  const where = files.length > 1 ? `${file}: ` : "";

  for (const { name: device, width, height } of axeWidths) {
    const name = where + device;
    await page.setViewport({ width, height });
    await page.goto(url, { waitUntil: "load" });
    await page.evaluate(axeSource);
    const result = await page.evaluate(
      (tags) => axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations", "incomplete"] }),
      tags,
    );
    const contrastUnsure = result.incomplete.filter((r) => r.id === "color-contrast");
    const unsureNodes = contrastUnsure.reduce((n, r) => n + r.nodes.length, 0);
    summary.push(`${name} ${width}px: ${result.violations.length} violations, ${unsureNodes} incomplete colour-contrast results`);
    for (const rule of [...result.violations, ...contrastUnsure]) {
      const what = result.violations.includes(rule) ? "violation" : "incomplete";
      problems.push(`${name} ${width}px: ${what} ${rule.id} (${rule.impact}): ${rule.help}`);
      for (const node of rule.nodes.slice(0, 10)) {
        problems.push(`    ${node.target.join(" ")}: ${(node.failureSummary || node.any.map((c) => c.message).join("; ")).replace(/\s+/g, " ")}`);
      }
      if (rule.nodes.length > 10) problems.push(`    … and ${rule.nodes.length - 10} more`);
    }

    layout(summary, problems, name, width, await page.evaluate(measureLayout));
  }

  // A small laptop or a tablet on its side: the narrowest the full tables
  // are likely to be shown.
  for (const width of layoutWidths) {
    await page.setViewport({ width, height: 800 });
    await page.goto(url, { waitUntil: "load" });
    layout(summary, problems, `${where}laptop`, width, await page.evaluate(measureLayout));
  }

  for (const width of scrollWidths) {
    await page.setViewport({ width, height: 800 });
    await page.goto(url, { waitUntil: "load" });
    const { scrollWidth, wide } = await page.evaluate(() => {
      const viewport = document.documentElement.clientWidth;
      // Name the elements that stick out, so a failure says where to look.
      const wide = [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > viewport + 0.5)
        .filter((e) => !e.parentElement || e.parentElement.getBoundingClientRect().right <= viewport + 0.5)
        .slice(0, 10)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + String(e.className).trim().replace(/\s+/g, ".") : ""} (right edge ${Math.round(e.getBoundingClientRect().right)}px)`);
      return { scrollWidth: document.documentElement.scrollWidth, wide };
    });
    summary.push(`${where}scroll width at ${width}px: ${scrollWidth}px`);
    if (scrollWidth > width) problems.push(`${where}at ${width}px the page is ${scrollWidth}px wide and scrolls sideways: ${wide.join(", ")}`);
  }
  await page.close();
  return { summary, problems };
}

const summary = [];
const problems = [];
try {
  for (const result of await Promise.all(files.map(check))) {
    summary.push(...result.summary);
    problems.push(...result.problems);
  }
} finally {
  await browser.close();
}

console.log(summary.join("\n"));
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
