// Reads `kubectl kustomize deploy/kubernetes/base` on stdin. Every object must validate
// against the Kubernetes schema of its kind (the npm package kubernetes-models), and the
// Deployment must fit hallpass: host network, one per node, probes and the drain hook on
// the admin listener the ConfigMap's hallpass.yaml opens (the probes without its token,
// the hook with it), the files it reads inside volumes mounted as whole directories (only
// those see a changed ConfigMap or Secret) and readable to its group, a grace period longer
// than drain_timeout, a PodDisruptionBudget over its pods. Prints what the live check
// needs, as JSON.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The npm packages are tests/interop's (scripts/install-deps.sh installs them).
const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, '../interop/node_modules');
const require = createRequire(path.join(here, '../interop/package.json'));
const YAML = require('yaml');
const problems = [];
const check = (ok, what) => { if (!ok) problems.push(what); };

const text = await new Promise((resolve) => {
  let data = '';
  process.stdin.on('data', (c) => (data += c)).on('end', () => resolve(data));
});
const objects = YAML.parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);

// kubernetes-models: one module per group/version/kind.
for (const o of objects) {
  const file = path.join(modules, 'kubernetes-models', o.apiVersion, `${o.kind}.js`);
  let Model;
  try {
    Model = (await import(pathToFileURL(file).href))[o.kind];
  } catch (e) {
    problems.push(`${o.kind} ${o.metadata?.name}: no schema for ${o.apiVersion} (${e.message})`);
    continue;
  }
  try {
    new Model(o).validate();
  } catch (e) {
    problems.push(`${o.kind} ${o.metadata?.name}: ${e.message}`);
  }
}

const byKind = (kind) => objects.filter((o) => o.kind === kind);
const [deployment] = byKind('Deployment');
const [configMap] = byKind('ConfigMap');
const [budget] = byKind('PodDisruptionBudget');
check(deployment, 'no Deployment (kubectl drain passes DaemonSet pods by: no preStop drain, no budget)');
check(configMap && configMap.data?.['hallpass.yaml'], 'no ConfigMap with hallpass.yaml');
check(budget, 'no PodDisruptionBudget');
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }

const config = YAML.parse(configMap.data['hallpass.yaml']);
const pod = deployment.spec.template.spec;
const labels = deployment.spec.template.metadata.labels;
const container = pod.containers.find((c) => c.name === 'hallpass');
const [adminHost, adminPort] = config.admin.listen.split(':');
const wildcard = adminHost === '0.0.0.0';
check(pod.hostNetwork === true, 'hostNetwork is not true: the relay ports must be the node\'s');
check(Object.entries(budget.spec.selector.matchLabels).every(([k, v]) => labels[k] === v),
  'the PodDisruptionBudget does not select the pods');
const anti = pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
check(anti.some((t) => t.topologyKey === 'kubernetes.io/hostname'), 'two pods could land on one node (its ports)');
check(deployment.spec.strategy?.rollingUpdate?.maxSurge === 0, 'a surge pod would meet the old one\'s ports');
check(config.watch_files === true, 'watch_files is off: an edited ConfigMap would not apply');
check(pod.terminationGracePeriodSeconds > config.drain_timeout,
  `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} <= drain_timeout ${config.drain_timeout}`);
const token = Boolean(config.admin.token || config.admin.token_file);
check(!token || config.admin.open_metrics === true, 'the probes carry no token, but admin.open_metrics is off');
for (const [name, want] of [['readinessProbe', '/readyz'], ['livenessProbe', '/healthz'], ['startupProbe', '/healthz']]) {
  const get = container[name]?.httpGet;
  // No host: the pod's address, which is the node's on the host network.
  const reaches = get && (get.host === undefined ? wildcard : get.host === adminHost || (wildcard && get.host === '127.0.0.1'));
  check(get && get.path === want && String(get.port) === adminPort && reaches,
    `${name} is ${JSON.stringify(get)}, not GET ${want} on the admin listener ${config.admin.listen}`);
}
const annotations = deployment.spec.template.metadata.annotations ?? {};
check(wildcard && annotations['prometheus.io/scrape'] === 'true' && annotations['prometheus.io/port'] === adminPort &&
  annotations['prometheus.io/path'] === '/metrics',
  `Prometheus annotations ${JSON.stringify(annotations)} with admin.listen ${config.admin.listen}: the scrape goes to the pod's address`);
const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
const adminUrl = `http://${wildcard ? '127.0.0.1' : adminHost}:${adminPort}`;
check(preStop.includes('drain') && preStop.includes('--wait') && preStop[preStop.indexOf('--admin') + 1] === adminUrl,
  `preStop ${JSON.stringify(preStop)} does not wait for a drain through ${adminUrl}`);
check(!config.admin.token_file || preStop[preStop.indexOf('--token-file') + 1] === config.admin.token_file,
  `preStop does not carry the admin token from ${config.admin.token_file}`);
const caps = container.securityContext?.capabilities ?? {};
check(JSON.stringify(caps.drop) === '["ALL"]' && JSON.stringify(caps.add) === '["NET_BIND_SERVICE"]',
  `capabilities ${JSON.stringify(caps)}: want every one dropped but NET_BIND_SERVICE`);
check(container.securityContext?.allowPrivilegeEscalation !== false,
  'allowPrivilegeEscalation: false voids the file capability that binds 443');
check(pod.securityContext?.fsGroup === pod.securityContext?.runAsGroup,
  'without fsGroup the mounted Secrets are unreadable to the hallpass account');

// Each file hallpass.yaml names lies in a volume mounted as a whole directory.
const mounts = container.volumeMounts ?? [];
check(mounts.every((m) => !m.subPath), 'a subPath mount never sees a changed ConfigMap or Secret');
const volumeOf = (file) => mounts.find((m) => file.startsWith(m.mountPath + '/'));
const files = { config: '/etc/hallpass/hallpass.yaml', secrets: config.auth.secrets_file,
  certificate: config.tls.certificate, private_key: config.tls.private_key };
if (config.admin.token_file) files.admin_token = config.admin.token_file;
for (const [what, file] of Object.entries(files)) {
  const mount = volumeOf(file);
  check(mount, `${what} ${file} is in no mounted volume`);
  if (!mount) continue;
  const volume = pod.volumes.find((v) => v.name === mount.name);
  check(what === 'config' ? volume.configMap : volume.secret,
    `${what}: volume ${mount.name} should be a ${what === 'config' ? 'ConfigMap' : 'Secret'}`);
}
check(JSON.stringify(container.args) === JSON.stringify(['serve', '--config', files.config]),
  `args ${JSON.stringify(container.args)}`);
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }

console.log(JSON.stringify({
  objects: objects.map((o) => `${o.kind}/${o.metadata.name}`),
  config: configMap.data['hallpass.yaml'],
  probes: ['readinessProbe', 'livenessProbe', 'startupProbe'].map((n) => container[n].httpGet.path),
  pre_stop: preStop,
}));
