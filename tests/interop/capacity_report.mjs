// Opens a `hallpass-bench capacity --html` page in headless Chromium and checks what a
// planner's manager would see: the answer sentence, three charts whose lines hold one point
// per measured step, the table of steps, and no request for anything outside the file.
// Usage: node capacity_report.mjs --page FILE --measured N [--screenshot FILE.png]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const { values: opt } = parseArgs({
  options: {
    page: { type: 'string' },
    measured: { type: 'string' },
    screenshot: { type: 'string' },
    executable: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const die = (why) => { console.error(`FAIL: ${why}`); process.exit(1); };
if (!opt.page || !opt.measured) die('--page and --measured are required');
const measured = Number(opt.measured);
const url = pathToFileURL(opt.page).href;

const browser = await chromium.launch({ executablePath: opt.executable, headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const elsewhere = [];
  page.on('request', (r) => { if (r.url() !== url) elsewhere.push(r.url()); });
  await page.goto(url);
  const seen = await page.evaluate(() => ({
    answer: document.querySelector('#answer')?.textContent ?? '',
    charts: [...document.querySelectorAll('svg.chart')].map((svg) => ({
      id: svg.id,
      width: svg.getBoundingClientRect().width,
      lines: [...svg.querySelectorAll('polyline.series')].map((l) => ({
        series: l.dataset.series,
        points: l.getAttribute('points').trim().split(/\s+/).filter(Boolean).length,
        length: l.getTotalLength(),
      })),
    })),
    rows: document.querySelectorAll('#steps tr').length - 1,
  }));
  if (!/classrooms \(\d+ students\) within the limits/.test(seen.answer)) die(`no answer: "${seen.answer}"`);
  const ids = seen.charts.map((c) => c.id).join(',');
  if (ids !== 'loss,latency,cpu') die(`charts ${ids}, expected loss,latency,cpu`);
  for (const c of seen.charts) {
    if (c.width < 300) die(`chart ${c.id} is ${c.width}px wide`);
    if (c.lines.length === 0) die(`chart ${c.id} has no line`);
    for (const l of c.lines) {
      if (l.points !== measured) die(`chart ${c.id}, ${l.series}: ${l.points} points, expected ${measured}`);
      if (measured > 1 && !(l.length > 0)) die(`chart ${c.id}, ${l.series}: the line is not drawn`);
    }
  }
  if (seen.rows < measured) die(`${seen.rows} rows in the table of steps, expected at least ${measured}`);
  if (elsewhere.length) die(`the page asked for ${elsewhere.join(', ')}`);
  if (opt.screenshot) await page.screenshot({ path: opt.screenshot, fullPage: true });
  console.log(`ok: answer, 3 charts with ${measured} points a line, ${seen.rows} steps, nothing fetched`);
} finally {
  await browser.close();
}
