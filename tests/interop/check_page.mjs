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
// The screenshot is checked as a picture: each verdict cell of the table, as rendered, must
// hold coloured (green, orange or red) pixels — a blank or unstyled page has none.
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

// Pixels whose channels differ by more than a grey's would, in a PNG, decoded by the browser.
async function colouredPixels(context, png) {
  const page = await context.newPage();
  try {
    return await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const g = canvas.getContext('2d');
      g.drawImage(bitmap, 0, 0);
      const d = g.getImageData(0, 0, bitmap.width, bitmap.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) n += 1;
      }
      return n;
    }, png.toString('base64'));
  } finally {
    await page.close();
  }
}

// No background requests of Chromium's own (updates, sync, time): only the page's go out.
const args = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-default-browser-check', '--no-first-run'];
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
  let coloured = 0;
  for (const cell of await page.$$('#paths tbody td:nth-child(2)')) {
    if ((await colouredPixels(context, await cell.screenshot())) > 20) coloured += 1;
  }
  console.log(JSON.stringify({ rows, report, hosts: [...hosts], screenshot: { coloured, cells: rows.length } }));
} finally {
  await browser.close();
}
