// hallpass connection check: tries each way this server offers to reach a lesson, from this
// browser, and shows what works, what does not, and what the school's IT department must
// open. Everything it loads and every request it makes goes to this server only.
//
// Steps: probe credentials (POST /check/credentials); for each offered transport a
// relay-only peer connection (does a relay candidate come, and how fast); a loopback media
// test (two peer connections in this page, relay-only, a paced data channel at a classroom
// rate toward the "student" and small packets back) through the best working transport and
// through TLS; a direct UDP test (one side relay-only, the other with no TURN server, so
// they connect only if UDP reaches the relay addresses); then POST /check/report turns the
// measurements into verdicts and the IT report.

const GATHER_MS = 8000;      // a relay candidate that takes longer counts as blocked
const CONNECT_MS = 10000;    // for a pair of peer connections to connect
const MEDIA_MS = 4000;       // of paced traffic
const PACKET_BYTES = 1200;   // a video packet
const TARGET_BPS = 1500000;  // a classroom stream toward the student
const ECHO_EVERY = 3;        // one small packet back for every third: audio-sized, upstream
const ECHO_BYTES = 160;

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function say(text) {
  $('status').textContent = text;
}

// TLS is reached by the page's own host name, which its certificate carries; UDP and TCP by
// the address the server gave for them, so no name lookup can fail on the way (the name
// when it gave none: a listener of the other address family).
function hostFor(t) {
  if (t.protocol === 'tls' || !t.address) return location.hostname;  // keeps an IPv6 literal's brackets
  return t.address.includes(':') ? `[${t.address}]` : t.address;
}

function iceServer(creds, t) {
  const scheme = t.protocol === 'tls' ? 'turns' : 'turn';
  const transport = t.protocol === 'udp' ? 'udp' : 'tcp';
  return {
    urls: `${scheme}:${hostFor(t)}:${t.port}?transport=${transport}`,
    username: creds.username,
    credential: creds.credential,
  };
}

function withTimeout(promise, ms, fallback) {
  return Promise.race([promise, sleep(ms).then(() => fallback)]);
}

// The address this network's UDP leaves from, as the server's STUN sees it; null when UDP
// does not get through.
async function reflexiveAddress(creds) {
  if (!creds.stun.length) return null;
  const urls = creds.stun.map((s) => `stun:${hostFor({ protocol: 'udp', address: s.address })}:${s.port}`);
  const pc = new RTCPeerConnection({ iceServers: [{ urls }] });
  const found = new Promise((resolve) => {
    pc.addEventListener('icecandidate', (e) => {
      if (e.candidate && e.candidate.type === 'srflx') resolve(e.candidate.address);
      if (!e.candidate) resolve(null);
    });
  });
  pc.createDataChannel('check');
  await pc.setLocalDescription(await pc.createOffer());
  const address = await withTimeout(found, 3000, null);
  pc.close();
  return address;
}

// One relay-only peer connection with this transport alone: the time to a relay candidate,
// or the error the browser reported.
async function tryTransport(creds, t) {
  const pc = new RTCPeerConnection({ iceServers: [iceServer(creds, t)], iceTransportPolicy: 'relay' });
  const errors = [];
  let answered = false;
  pc.addEventListener('icecandidateerror', (e) => {
    errors.push(`${e.errorCode || ''} ${e.errorText || ''}`.trim());
    // 300-699 are the server's own STUN answers (401, 403, 486...): the network let it
    // through. 701 is the browser's "no answer".
    if (e.errorCode >= 300 && e.errorCode < 700) answered = true;
  });
  const started = performance.now();
  const relay = new Promise((resolve) => {
    pc.addEventListener('icecandidate', (e) => {
      if (e.candidate && e.candidate.type === 'relay') resolve(Math.round(performance.now() - started));
      if (!e.candidate) resolve(null);
    });
  });
  pc.createDataChannel('check');
  await pc.setLocalDescription(await pc.createOffer());
  const ms = await withTimeout(relay, GATHER_MS, null);
  pc.close();
  if (ms !== null) return { name: t.name, ok: true, ms, error: '', answered: false };
  return { name: t.name, ok: false, ms: null, error: errors[0] || 'no answer within 8 s', answered };
}

// Offer/answer between two peer connections of this page, candidates handed across.
async function pair(a, b) {
  a.addEventListener('icecandidate', (e) => e.candidate && b.addIceCandidate(e.candidate).catch(() => {}));
  b.addEventListener('icecandidate', (e) => e.candidate && a.addIceCandidate(e.candidate).catch(() => {}));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
}

function opened(channel) {
  if (channel.readyState === 'open') return Promise.resolve(true);
  return new Promise((resolve) => channel.addEventListener('open', () => resolve(true), { once: true }));
}

function remoteChannel(pc) {
  return new Promise((resolve) => pc.addEventListener('datachannel', (e) => resolve(e.channel), { once: true }));
}

function connected(pc) {
  return new Promise((resolve) => {
    const check = () => {
      if (pc.connectionState === 'connected') resolve(true);
      if (pc.connectionState === 'failed') resolve(false);
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

async function bytesReceived(pc) {
  let bytes = 0;
  (await pc.getStats()).forEach((s) => {
    if (s.type === 'transport' && s.bytesReceived) bytes += s.bytesReceived;
  });
  return bytes;
}

// Two relay-only peer connections through one transport: `a` plays the lesson server and
// sends a paced stream, `b` the student, who answers with small packets.
async function loopbackMedia(creds, t) {
  const config = { iceServers: [iceServer(creds, t)], iceTransportPolicy: 'relay' };
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  const result = { transport: t.name, connected: false, sent: 0, received: 0, rtt_ms: null, kbps: 0 };
  try {
    const down = a.createDataChannel('media', { ordered: false, maxRetransmits: 0 });
    const remote = remoteChannel(b);
    await pair(a, b);
    result.connected = (await withTimeout(connected(a), CONNECT_MS, false)) === true;
    if (!result.connected) return result;
    const up = await withTimeout(remote, CONNECT_MS, null);
    if (!up || !(await withTimeout(opened(down), CONNECT_MS, false))) return result;
    await withTimeout(opened(up), CONNECT_MS, false);
    const rtts = [];
    up.binaryType = 'arraybuffer';
    down.binaryType = 'arraybuffer';
    up.addEventListener('message', (e) => {
      result.received += 1;
      const view = new DataView(e.data);
      if (view.getUint32(0) % ECHO_EVERY === 0 && up.readyState === 'open') {
        const echo = new ArrayBuffer(ECHO_BYTES);
        new Uint8Array(echo).set(new Uint8Array(e.data, 0, 12));
        up.send(echo);
      }
    });
    down.addEventListener('message', (e) => {
      rtts.push(performance.now() - new DataView(e.data).getFloat64(4));
    });
    const packet = new ArrayBuffer(PACKET_BYTES);
    const view = new DataView(packet);
    const perSecond = TARGET_BPS / 8 / PACKET_BYTES;
    const started = performance.now();
    while (performance.now() - started < MEDIA_MS) {
      const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
      while (result.sent < due && down.bufferedAmount < 256 * 1024) {
        view.setUint32(0, result.sent);
        view.setFloat64(4, performance.now());
        down.send(packet);
        result.sent += 1;
      }
      await sleep(10);
    }
    await sleep(500);  // the last packets in flight
    const seconds = (performance.now() - started - 500) / 1000;
    result.kbps = Math.round((result.received * PACKET_BYTES * 8) / seconds / 1000);
    rtts.sort((x, y) => x - y);
    if (rtts.length) result.rtt_ms = Math.round(rtts[Math.floor(rtts.length / 2)]);
    result.bytes_received = await bytesReceived(b);
    return result;
  } finally {
    a.close();
    b.close();
  }
}

// One side relay-only over a working transport, the other with STUN only: they connect only
// if this network lets UDP out to the relay addresses.
async function directUdp(creds, t) {
  const a = new RTCPeerConnection({ iceServers: [iceServer(creds, t)], iceTransportPolicy: 'relay' });
  const stun = creds.stun.map((s) => ({ urls: `stun:${hostFor({ protocol: 'udp', address: s.address })}:${s.port}` }));
  const b = new RTCPeerConnection({ iceServers: stun });
  try {
    const channel = a.createDataChannel('direct');
    const remote = remoteChannel(b);
    await pair(a, b);
    const ok = (await withTimeout(connected(b), CONNECT_MS, false)) === true;
    if (!ok) return { tried: true, ok: false };
    const other = await withTimeout(remote, CONNECT_MS, null);
    const open = other && (await withTimeout(opened(channel), CONNECT_MS, false));
    return { tried: true, ok: Boolean(open) };
  } finally {
    a.close();
    b.close();
  }
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body || {}),
    cache: 'no-store',
  });
  if (response.status === 429) throw new Error('This network has run many checks just now. Wait a minute, then check again.');
  if (!response.ok) throw new Error(`The server answered ${response.status}.`);
  return response.json();
}

function render(report) {
  const body = $('paths').tBodies[0];
  body.replaceChildren();
  for (const p of report.paths) {
    const row = body.insertRow();
    row.dataset.kind = p.kind;
    row.dataset.verdict = p.verdict;
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = p.name;
    row.appendChild(name);
    const verdict = row.insertCell();
    verdict.className = p.verdict;
    const words = { works: 'Works', slow: 'Slow', blocked: 'Blocked', refused: 'Refused by the server', 'no-media': 'Connects, no media' };
    verdict.textContent = `${words[p.verdict] || p.verdict} (${p.detail})`;
    row.insertCell().textContent = p.meaning;
  }
  $('verdict').textContent = report.summary;
  $('advice').textContent = report.advice;
  $('report').textContent = report.it.text;
  const blob = new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' });
  $('download').href = URL.createObjectURL(blob);
  $('result').hidden = false;
}

async function runCheck() {
  $('start').disabled = true;
  document.body.dataset.state = 'running';
  try {
    say('Getting test credentials…');
    const creds = await post('/check/credentials');
    const measured = { host: location.hostname, transports: [], media: [], direct_udp: { tried: false } };
    say('Looking for the address UDP leaves from…');
    const reflexive = await reflexiveAddress(creds);
    if (reflexive) measured.reflexive = reflexive;
    for (const t of creds.transports) {
      say(`Trying ${t.name}…`);
      measured.transports.push(await tryTransport(creds, t));
    }
    const working = creds.transports.filter((t, i) => measured.transports[i].ok);
    const order = ['udp', 'tcp', 'tls'];
    working.sort((x, y) => order.indexOf(x.protocol) - order.indexOf(y.protocol));
    const mediaPaths = working.slice(0, 1);
    const tls = working.find((t) => t.protocol === 'tls');
    if (tls && !mediaPaths.includes(tls)) mediaPaths.push(tls);
    for (const t of mediaPaths) {
      say(`Sending test video over ${t.name}…`);
      measured.media.push(await loopbackMedia(creds, t));
    }
    if (working.length && creds.stun.length) {
      say('Trying UDP straight to the relay addresses…');
      measured.direct_udp = await directUdp(creds, working[0]);
    }
    say('Working out the result…');
    const report = await post('/check/report', measured);
    report.measured = measured;
    window.hallpassCheck = report;
    render(report);
    say('Done.');
    document.body.dataset.state = 'done';
  } catch (error) {
    say(error.message || String(error));
    document.body.dataset.state = 'failed';
  } finally {
    $('start').disabled = false;
  }
}

$('start').addEventListener('click', runCheck);
$('copy').addEventListener('click', () => {
  navigator.clipboard?.writeText($('report').textContent).then(
    () => say('The report is copied.'),
    () => say('Select the report and copy it by hand.'),
  );
});
runCheck();
