// Interop: headless Chromium opens hallpass's check page and runs it to the end; prints what
// the page concluded — its report JSON (window.hallpassCheck), the verdict of each row of
// its table as shown, and every host the page sent a request to — as one JSON object, and
// saves a screenshot of the finished page.
//
//   node check_page.mjs --url https://turn.test:5349/ --screenshot out.png
//       [--executable /usr/bin/chromium] [--proxy http://10.0.2.1:3128] [--timeout 120]
//       [--ca-spki BASE64]   trust a test certificate by its key (Chromium's
//                            --ignore-certificate-errors-spki-list), for page and turns: alike
//
// Exit status 0 when the page finished (its state "done"); 1 with the reason otherwise.

import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    screenshot: { type: 'string' },
    executable: { type: 'string', default: '/usr/bin/chromium' },
    proxy: { type: 'string' },
    timeout: { type: 'string', default: '120' },
    'ca-spki': { type: 'string' },
  },
});

function die(msg) {
  console.error(`FAIL: ${msg}`);
  process.exit(1);
}
if (!opt.url) die('--url is required');

const args = ['--no-sandbox', '--disable-gpu'];
if (opt['ca-spki']) args.push(`--ignore-certificate-errors-spki-list=${opt['ca-spki']}`);
if (opt.proxy) args.push(`--proxy-server=${opt.proxy}`);

const browser = await chromium.launch({ executablePath: opt.executable, args, headless: true });
try {
  const context = await browser.newContext({ viewport: { width: 900, height: 1400 } });
  const page = await context.newPage();
  const hosts = new Set();
  page.on('request', (request) => hosts.add(new URL(request.url()).host));
  page.on('console', (m) => console.error(`page: ${m.text()}`));
  await page.goto(opt.url, { waitUntil: 'load', timeout: 30000 });
  await page.waitForFunction(() => ['done', 'failed'].includes(document.body.dataset.state), null, {
    timeout: Number(opt.timeout) * 1000,
    polling: 250,
  });
  const state = await page.evaluate(() => document.body.dataset.state);
  const status = await page.evaluate(() => document.getElementById('status').textContent);
  if (state !== 'done') die(`the page stopped: ${status}`);
  const rows = await page.$$eval('#paths tbody tr', (trs) =>
    trs.map((tr) => ({ name: tr.cells[0].textContent, kind: tr.dataset.kind, verdict: tr.dataset.verdict })));
  const report = await page.evaluate(() => window.hallpassCheck);
  await page.locator('#it').evaluate((d) => { d.open = true; });
  if (opt.screenshot) await page.screenshot({ path: opt.screenshot, fullPage: true });
  console.log(JSON.stringify({ rows, report, hosts: [...hosts] }));
} finally {
  await browser.close();
}
