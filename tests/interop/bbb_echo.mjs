// Interop: a student's browser in a BigBlueButton-style lesson. Headless Chromium with a
// fake camera and microphone opens the lesson page, makes its ICE servers from
// turn-stun-servers.xml exactly as bbb-web does (every TurnServer bean; username
// "<expiry>:<user>", password base64(HMAC-SHA1(secret, username))), and runs Janus's echo
// test over Janus's HTTP API: its media goes to Janus and comes back. The call must select
// a relay candidate on hallpass's relay address over the expected transport, and the
// inbound-rtp packet counts must grow, before and after the pause the caller asks for.
// The page must have come over HTTP/2 (ALPN h2 through HAProxy to the web server).
//
//   node bbb_echo.mjs --page https://bbb.test/ --turn-xml FILE --transport tls|udp
//       --relay 10.78.0.2 [--ca-spki BASE64] [--executable /usr/bin/chromium]
//       [--call-up FILE --call-checked FILE]   create FILE when media flows, then wait
//                                              (30 s at most) for the caller's FILE
//
// Prints a JSON summary; exit status 0 when every check passed, 1 with the reason otherwise.

import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: opt } = parseArgs({
  options: {
    page: { type: 'string' },
    'turn-xml': { type: 'string' },
    transport: { type: 'string' },
    relay: { type: 'string' },
    'ca-spki': { type: 'string' },
    executable: { type: 'string', default: '/usr/bin/chromium' },
    'call-up': { type: 'string' },
    'call-checked': { type: 'string' },
  },
});

function die(msg) {
  console.error(`FAIL: ${msg}`);
  process.exit(1);
}
for (const k of ['page', 'turn-xml', 'transport', 'relay']) if (!opt[k]) die(`--${k} is required`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const unescapeXml = (s) => s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]);

// bbb-web's TurnServer beans -> RTCIceServer entries.
function iceServersFromXml(xml, userId) {
  const bean = /<bean id="[^"]*" class="org\.bigbluebutton\.web\.services\.turn\.TurnServer">\s*<constructor-arg index="0" value="([^"]*)"\/>\s*<constructor-arg index="1" value="([^"]*)"\/>\s*<constructor-arg index="2" value="([^"]*)"\/>/g;
  const servers = [];
  for (const [, secret, url, ttl] of xml.matchAll(bean)) {
    const username = `${Math.floor(Date.now() / 1000) + Number(ttl)}:${userId}`;
    const credential = createHmac('sha1', unescapeXml(secret)).update(username).digest('base64');
    servers.push({ urls: unescapeXml(url), username, credential });
  }
  return servers;
}

// For TLS, every server bbb-web would hand out (the school's firewall leaves only turns:).
// For UDP, only the turn: UDP ones: with 443 open for the page, Chromium may keep the pair
// over TLS that succeeded first, which says nothing about UDP.
const fromXml = iceServersFromXml(readFileSync(opt['turn-xml'], 'utf8'), 'w_student1');
const iceServers = opt.transport === 'udp' ? fromXml.filter((s) => /^turn:.*transport=udp$/.test(s.urls)) : fromXml;
if (iceServers.length === 0) die(`no TurnServer bean for ${opt.transport} in the XML`);

// The call's state as getStats() tells it: the selected pair's local candidate, and the
// RTP packets received per kind.
async function callStats(page) {
  return page.evaluate(async () => {
    const pc = window.lesson?.pc;
    if (!pc) return null;
    const report = await pc.getStats();
    const byId = new Map();
    report.forEach((s) => byId.set(s.id, s));
    let pair;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = byId.get(s.selectedCandidatePairId);
    });
    const local = pair ? byId.get(pair.localCandidateId) : undefined;
    const inbound = {};
    report.forEach((s) => {
      if (s.type === 'inbound-rtp') inbound[s.kind] = s.packetsReceived;
    });
    return {
      connection: pc.connectionState,
      candidateType: local?.candidateType,
      address: local?.address,
      relayProtocol: local?.relayProtocol,
      inbound,
    };
  });
}

async function waitForMedia(page, minVideo, what) {
  let last;
  for (let i = 0; i < 60; i += 1) {
    last = await callStats(page);
    if (last?.connection === 'failed') die(`${what}: the connection failed: ${JSON.stringify(last)}`);
    if (last?.candidateType && (last.inbound.video ?? 0) > minVideo && (last.inbound.audio ?? 0) > 0) return last;
    await sleep(500);
  }
  die(`${what}: no media came back within 30 s: ${JSON.stringify(last)}`);
}

const args = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-default-browser-check', '--no-first-run',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
if (opt['ca-spki']) args.push(`--ignore-certificate-errors-spki-list=${opt['ca-spki']}`);

const browser = await chromium.launch({ executablePath: opt.executable, args, headless: true });
try {
  const context = await browser.newContext();
  await context.grantPermissions(['camera', 'microphone'], { origin: new URL(opt.page).origin });
  const page = await context.newPage();
  page.on('console', (m) => console.error(`page: ${m.text()}`));
  await page.goto(opt.page, { waitUntil: 'load', timeout: 30000 });
  const httpVersion = await page.evaluate(() => performance.getEntriesByType('navigation')[0].nextHopProtocol);

  // Janus's echo test over its HTTP API, through the web server behind HAProxy.
  const setup = await page.evaluate(async (servers) => {
    const tx = () => Math.random().toString(36).slice(2);
    const api = async (path, body) => {
      const r = await fetch(`/janus${path}`, { method: 'POST', body: JSON.stringify({ ...body, transaction: tx() }) });
      return r.json();
    };
    const session = (await api('', { janus: 'create' })).data.id;
    const handle = (await api(`/${session}`, { janus: 'attach', plugin: 'janus.plugin.echotest' })).data.id;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const pc = new RTCPeerConnection({ iceServers: servers });
    pc.addEventListener('icecandidateerror', (e) => console.log(`icecandidateerror ${e.url} ${e.errorCode} ${e.errorText}`));
    pc.addEventListener('icecandidate', (e) => console.log(`candidate ${e.candidate?.candidate ?? 'end'}`));
    stream.getTracks().forEach((t) => pc.addTrack(t, stream));
    // Candidates wait until Janus has the offer, then trickle.
    const early = [];
    let offerSent = false;
    const trickle = (c) => api(`/${session}/${handle}`, { janus: 'trickle', candidate: c ? c.toJSON() : { completed: true } });
    pc.onicecandidate = (e) => (offerSent ? trickle(e.candidate) : early.push(e.candidate));
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    await api(`/${session}/${handle}`, { janus: 'message', body: { audio: true, video: true }, jsep: { type: 'offer', sdp: offer.sdp } });
    offerSent = true;
    for (const c of early) await trickle(c);
    let answer;
    for (let i = 0; i < 10 && !answer; i += 1) {
      const events = await (await fetch(`/janus/${session}?maxev=10&rid=${Date.now()}`)).json();
      for (const ev of [].concat(events)) if (ev.jsep?.type === 'answer') answer = ev.jsep;
    }
    if (!answer) return { error: 'Janus sent no answer' };
    await pc.setRemoteDescription(answer);
    window.lesson = { pc, session };
    // Janus ends idle sessions after 60 s: keep this one alive while the test looks.
    setInterval(() => api(`/${session}`, { janus: 'keepalive' }), 15000);
    return { session, handle };
  }, iceServers);
  if (setup.error) die(setup.error);

  const first = await waitForMedia(page, 0, 'first look');
  if (opt['call-up']) {
    writeFileSync(opt['call-up'], JSON.stringify(first));
    for (let i = 0; i < 300 && !existsSync(opt['call-checked']); i += 1) await sleep(100);
  }
  const second = await waitForMedia(page, first.inbound.video, 'second look');

  const problems = [];
  if (second.candidateType !== 'relay') problems.push(`the selected local candidate is ${second.candidateType}, not relay`);
  if (second.address !== opt.relay) problems.push(`the relay address is ${second.address}, not hallpass's ${opt.relay}`);
  if (second.relayProtocol !== opt.transport) problems.push(`the relay is reached over ${second.relayProtocol}, not ${opt.transport}`);
  if (!(second.inbound.audio > first.inbound.audio)) problems.push('audio packets stopped coming back');
  if (httpVersion !== 'h2') problems.push(`the page came over ${httpVersion}, not HTTP/2 through HAProxy`);
  console.log(JSON.stringify({ httpVersion, iceServers: iceServers.map((s) => s.urls), first, second }));
  if (problems.length) die(problems.join('; '));
} finally {
  await browser.close();
}
