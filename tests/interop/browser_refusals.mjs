// Interop: a real browser meets each refusal a student can meet, so that the server's log
// can be checked for the line that explains it (browser_refusals.sh does the checking).
//
// In one headless page, relay-only RTCPeerConnections try, each with its own user id:
//   wrong_secret      a REST credential signed with a secret the server does not have
//   expired_username  a REST username whose expiry has passed
//   peer_forbidden    two connections whose relay addresses the peer policy refuses
//   quota             two connections under one user id, over allocations_per_user: 1
//   untrusted_cert    turns: to a server whose certificate the browser does not trust
// and report what the page saw (candidates, icecandidateerror events) as JSON lines.
//
//   node browser_refusals.mjs --browser chromium|firefox --udp-port P --tls-port T
//       --secret S [--host 127.0.0.1] [--tls-host localhost] [--settle 6]
//       [--executable PATH] [--only SCENARIO]
//
// --tls-host: Firefox does not try a turns: URL whose host is an IP address at all (no
// connection reaches the server), so the TLS scenario needs a name for 127.0.0.1.
//
// Chromium is driven by playwright-core, Firefox by puppeteer-core over WebDriver BiDi.
// Exit status 0 once every scenario ran; 1 with the reason on stderr otherwise.

import { createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    browser: { type: 'string', default: 'chromium' },
    host: { type: 'string', default: '127.0.0.1' },
    'udp-port': { type: 'string' },
    'tls-port': { type: 'string' },
    secret: { type: 'string' },
    settle: { type: 'string', default: '6' },
    executable: { type: 'string' },
    only: { type: 'string' },
    'tls-host': { type: 'string' },
  },
});

function die(msg) {
  console.error(`FAIL: ${msg}`);
  process.exit(1);
}

if (!opt['udp-port'] || !opt['tls-port'] || !opt.secret) die('--udp-port, --tls-port and --secret are required');
if (!['chromium', 'firefox'].includes(opt.browser)) die('--browser must be chromium or firefox');
const settleMs = Number(opt.settle) * 1000;

const udpUrl = `turn:${opt.host}:${opt['udp-port']}?transport=udp`;
const tlsUrl = `turns:${opt['tls-host'] || opt.host}:${opt['tls-port']}?transport=tcp`;

function restCredential(secret, id, expiry) {
  const username = `${expiry}:${opt.browser}-${id}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}
const soon = Math.floor(Date.now() / 1000) + 3600;
const past = Math.floor(Date.now() / 1000) - 60;

// One ICE server per connection: a scenario with two connects them to each other.
const scenarios = [
  { name: 'wrong_secret', servers: [{ urls: udpUrl, ...restCredential('not-the-secret', 'wrong', soon) }] },
  { name: 'expired_username', servers: [{ urls: udpUrl, ...restCredential(opt.secret, 'expired', past) }] },
  {
    name: 'peer_forbidden',
    servers: [{ urls: udpUrl, ...restCredential(opt.secret, 'peer-a', soon) },
      { urls: udpUrl, ...restCredential(opt.secret, 'peer-b', soon) }],
  },
  {
    name: 'quota',
    servers: [{ urls: udpUrl, ...restCredential(opt.secret, 'quota', soon) },
      { urls: udpUrl, ...restCredential(opt.secret, 'quota', soon) }],
  },
  { name: 'untrusted_cert', servers: [{ urls: tlsUrl, ...restCredential(opt.secret, 'tls', soon) }] },
];

// Runs in the page: gathers (and with two servers, connects two connections) for settleMs,
// then reports what happened. Nothing here is expected to succeed.
async function pageScenario({ servers, settleMs }) {
  const pair = servers.length === 2;
  const pcs = servers.map((server) => new RTCPeerConnection({ iceServers: [server], iceTransportPolicy: 'relay' }));
  const report = { relayCandidates: 0, errors: [], states: [] };
  pcs.forEach((pc, i) => {
    const other = pcs[1 - i];
    pc.onicecandidate = (e) => {
      if (!e.candidate || !e.candidate.candidate) return;
      if (/ typ relay/.test(e.candidate.candidate)) report.relayCandidates += 1;
      if (other) other.addIceCandidate(e.candidate).catch(() => {});
    };
    pc.onicecandidateerror = (e) => report.errors.push(`${e.errorCode} ${e.errorText}`);
    pc.oniceconnectionstatechange = () => report.states.push(`pc${i + 1}:${pc.iceConnectionState}`);
  });
  pcs[0].createDataChannel('refusals');
  const offer = await pcs[0].createOffer();
  await pcs[0].setLocalDescription(offer);
  if (pair) {
    await pcs[1].setRemoteDescription(offer);
    const answer = await pcs[1].createAnswer();
    await pcs[1].setLocalDescription(answer);
    await pcs[0].setRemoteDescription(answer);
  }
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  pcs.forEach((pc) => pc.close());
  return report;
}

async function launch() {
  if (opt.browser === 'chromium') {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: opt.executable || '/usr/bin/chromium',
      headless: true,
      timeout: 30000,
      // No --ignore-certificate-errors: the untrusted certificate must be refused.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--allow-loopback-in-peer-connection'],
    });
    const page = await browser.newPage();
    return { browser, run: (arg) => page.evaluate(pageScenario, arg), close: () => browser.close() };
  }
  const puppeteer = (await import('puppeteer-core')).default;
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: opt.executable || '/usr/bin/firefox-esr',
    headless: true,
    protocol: 'webDriverBiDi',
    timeout: 60000,
    extraPrefsFirefox: {
      // Firefox leaves loopback out of ICE unless told; the TURN server is on 127.0.0.1.
      'media.peerconnection.ice.loopback': true,
      'media.peerconnection.ice.obfuscate_host_addresses': false,
    },
  });
  const page = await browser.newPage();
  await page.goto('about:blank');
  return { browser, run: (arg) => page.evaluate(pageScenario, arg), close: () => browser.close() };
}

const guard = setTimeout(() => die(`no result after ${scenarios.length * settleMs + 90000} ms`),
  scenarios.length * settleMs + 90000);
const session = await launch();
try {
  for (const s of scenarios.filter((x) => !opt.only || x.name === opt.only)) {
    const report = await session.run({ servers: s.servers, settleMs });
    console.log(JSON.stringify({ scenario: s.name, users: s.servers.map((x) => x.username), ...report }));
  }
} catch (err) {
  die(String(err && err.stack ? err.stack : err));
} finally {
  clearTimeout(guard);
  await session.close();
}
