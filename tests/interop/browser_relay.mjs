// Interop: Chromium's WebRTC stack reaches a peer only through the TURN server.
//
// Two RTCPeerConnections in one headless page, both with iceTransportPolicy
// 'relay' and credentials from the shared-secret scheme (the "TURN REST API":
// username "<expiry>:<user-id>", credential base64(HMAC-SHA1(secret, username))),
// exchange a data-channel message and its reply. The selected candidate pair's
// local candidate must then be a relay candidate whose address lies in the
// configured relay range, reached over the expected client transport.
//
//   node browser_relay.mjs --port 3478 --secret S [--host 127.0.0.1]
//       [--transport udp|tcp|tls] [--relay-range 127.0.0.1/32] [--user interop]
//       [--timeout 60] [--chromium /usr/bin/chromium]
//
// Exit status 0 on success; otherwise 1 with the reason on stderr.

import { createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { chromium } from 'playwright-core';

const { values: opt } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    transport: { type: 'string', default: 'udp' },
    secret: { type: 'string' },
    user: { type: 'string', default: 'interop' },
    'relay-range': { type: 'string', default: '127.0.0.1/32' },
    timeout: { type: 'string', default: '60' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
  },
});

function die(msg) {
  console.error(`FAIL: ${msg}`);
  process.exit(1);
}

if (!opt.port || !opt.secret) die('--port and --secret are required');
const timeoutMs = Number(opt.timeout) * 1000;

// The URL for each client transport, and the relayProtocol Chromium reports for it
// (the protocol between the browser and the TURN server).
const transports = {
  udp: { url: `turn:${opt.host}:${opt.port}?transport=udp`, relayProtocol: 'udp' },
  tcp: { url: `turn:${opt.host}:${opt.port}?transport=tcp`, relayProtocol: 'tcp' },
  tls: { url: `turns:${opt.host}:${opt.port}?transport=tcp`, relayProtocol: 'tls' },
};
const transport = transports[opt.transport];
if (!transport) die(`--transport must be one of ${Object.keys(transports).join(', ')}`);

// TURN REST API credentials, as a web app's back end would hand them out.
const expiry = Math.floor(Date.now() / 1000) + 3600;
const username = `${expiry}:${opt.user}`;
const credential = createHmac('sha1', opt.secret).update(username).digest('base64');
const iceServers = [{ urls: transport.url, username, credential }];

// CIDR membership for IPv4 and IPv6 addresses.
function toBigInt(addr) {
  const v = isIP(addr);
  if (v === 4) {
    return { bits: 32, n: addr.split('.').reduce((acc, o) => (acc << 8n) | BigInt(o), 0n) };
  }
  if (v === 6) {
    let [head, tail] = addr.split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return { bits: 128, n: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
  }
  return null;
}
function inCidr(addr, cidr) {
  const [base, lenStr] = cidr.split('/');
  const a = toBigInt(addr);
  const b = toBigInt(base);
  if (!a || !b || a.bits !== b.bits) return false;
  const len = BigInt(lenStr ?? a.bits);
  const shift = BigInt(a.bits) - len;
  return a.n >> shift === b.n >> shift;
}

// Runs in the page. Returns a report, or throws with what went wrong.
async function pageTest({ iceServers, timeoutMs }) {
  const config = { iceServers, iceTransportPolicy: 'relay' };
  const pcs = [new RTCPeerConnection(config), new RTCPeerConnection(config)];
  const log = [];
  pcs.forEach((pc, i) => {
    const other = pcs[1 - i];
    pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate) {
        log.push(`pc${i + 1} candidate: ${e.candidate.candidate}`);
        other.addIceCandidate(e.candidate).catch((err) => log.push(`pc${i + 2 - 2 * i} addIceCandidate: ${err}`));
      } else {
        log.push(`pc${i + 1} gathering complete`);
      }
    };
    pc.onicecandidateerror = (e) =>
      log.push(`pc${i + 1} icecandidateerror: ${e.url} ${e.errorCode} ${e.errorText}`);
    pc.oniceconnectionstatechange = () => log.push(`pc${i + 1} ice: ${pc.iceConnectionState}`);
  });

  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });

  const exchange = (async () => {
    const [pc1, pc2] = pcs;
    const echoed = new Promise((resolve) => {
      pc2.ondatachannel = (e) => {
        e.channel.onmessage = (m) => {
          log.push(`pc2 received: ${m.data}`);
          e.channel.send(`reply to ${m.data}`);
        };
      };
    });
    const dc = pc1.createDataChannel('hallpass-interop');
    const reply = new Promise((resolve) => {
      dc.onmessage = (m) => resolve(m.data);
    });
    const opened = new Promise((resolve) => {
      dc.onopen = resolve;
    });

    await pc1.setLocalDescription(await pc1.createOffer());
    await pc2.setRemoteDescription(pc1.localDescription);
    await pc2.setLocalDescription(await pc2.createAnswer());
    await pc1.setRemoteDescription(pc2.localDescription);

    await opened;
    log.push('pc1 data channel open');
    dc.send('hello through the relay');
    const got = await reply;
    log.push(`pc1 received: ${got}`);
    if (got !== 'reply to hello through the relay') throw new Error(`unexpected reply '${got}'`);
    void echoed;

    // The selected pair of each side, and its local candidate.
    const selected = [];
    for (const [i, pc] of pcs.entries()) {
      const stats = await pc.getStats();
      let pair = null;
      stats.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
      });
      if (!pair) {
        stats.forEach((s) => {
          if (!pair && s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) pair = s;
        });
      }
      if (!pair) throw new Error(`pc${i + 1}: no selected candidate pair in getStats()`);
      const local = stats.get(pair.localCandidateId);
      const remote = stats.get(pair.remoteCandidateId);
      selected.push({
        pc: `pc${i + 1}`,
        local: local && {
          candidateType: local.candidateType,
          address: local.address,
          port: local.port,
          protocol: local.protocol,
          relayProtocol: local.relayProtocol,
          url: local.url,
        },
        remote: remote && { candidateType: remote.candidateType, address: remote.address, port: remote.port },
      });
    }
    return selected;
  })();

  try {
    const selected = await Promise.race([exchange, timeout]);
    return { ok: true, selected, log };
  } catch (err) {
    return { ok: false, error: String(err && err.message ? err.message : err), log };
  } finally {
    clearTimeout(timer);
    pcs.forEach((pc) => pc.close());
  }
}

const browser = await chromium.launch({
  executablePath: opt.chromium,
  headless: true,
  timeout: 30000,
  // launch() gives the browser a fresh, temporary user-data-dir.
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // Chromium leaves loopback interfaces out of ICE by default; the TURN server
    // here is on 127.0.0.1 and the machine may have no other interface.
    '--allow-loopback-in-peer-connection',
    // turns: the server under test has a self-signed certificate, and Chromium
    // checks the TURN server's certificate like any other.
    ...(opt.transport === 'tls' ? ['--ignore-certificate-errors'] : []),
  ],
});

let result;
const guard = setTimeout(() => {
  console.error(`FAIL: no result after ${timeoutMs + 15000} ms`);
  process.exit(1);
}, timeoutMs + 15000);
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.error(`[page] ${m.text()}`));
  await page.goto('about:blank');
  result = await page.evaluate(pageTest, { iceServers, timeoutMs });
} finally {
  clearTimeout(guard);
  await browser.close();
}

console.log(`chromium ${browser.version()}; ICE server ${transport.url}; username ${username}`);
for (const line of result.log) console.log(`  ${line}`);
if (!result.ok) die(`the data channel did not work through the relay: ${result.error}`);

const problems = [];
for (const s of result.selected) {
  const l = s.local;
  console.log(
    `${s.pc} selected local candidate: ${l?.candidateType} ${l?.address}:${l?.port} ` +
      `relayProtocol=${l?.relayProtocol} (remote ${s.remote?.candidateType} ${s.remote?.address}:${s.remote?.port})`,
  );
  if (!l) {
    problems.push(`${s.pc}: selected pair has no local candidate in getStats()`);
    continue;
  }
  if (l.candidateType !== 'relay') problems.push(`${s.pc}: local candidate is '${l.candidateType}', not 'relay'`);
  if (!inCidr(l.address ?? '', opt['relay-range']))
    problems.push(`${s.pc}: relay address ${l.address} is outside the relay range ${opt['relay-range']}`);
  if (l.relayProtocol !== transport.relayProtocol)
    problems.push(`${s.pc}: relayProtocol is '${l.relayProtocol}', expected '${transport.relayProtocol}'`);
}
if (problems.length) die(problems.join('; '));
console.log(`PASS: Chromium data channel through ${transport.url} (relay range ${opt['relay-range']})`);
