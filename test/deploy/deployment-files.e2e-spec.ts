import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/**
 * The deployment files an operator copies (deploy/k8s, docker-compose.yml) are valid for the tools that read
 * them, and say what the README says: probes, roles, replicas, secrets by reference, scrape annotations.
 */
const root = join(__dirname, '..', '..');
const k8sDir = join(root, 'deploy', 'k8s');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A manifest checked against the Kubernetes OpenAPI schema of its kind (kubernetes-models, @kubernetes-models/validate). */
function validateManifest(manifest: Manifest): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- one module per API version and kind.
  const models = require(`kubernetes-models/${manifest.apiVersion}/${manifest.kind}`) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[manifest.kind];
  if (!Model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest).validate();
}

const manifests: Manifest[] = readdirSync(k8sDir)
  .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
  .flatMap((file) => parseAllDocuments(readFileSync(join(k8sDir, file), 'utf8')).map((doc) => doc.toJS() as Manifest));
const named = (kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found;
};
type Container = {
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  livenessProbe?: { httpGet: { path: string } };
  readinessProbe?: { httpGet: { path: string } };
};
const podOf = (deployment: Manifest) =>
  (deployment.spec as { template: { metadata: { annotations: Record<string, string>; labels: Record<string, string> }; spec: { containers: Container[] } } })
    .template;
const envOf = (deployment: Manifest) => Object.fromEntries((podOf(deployment).spec.containers[0].env ?? []).map((e) => [e.name, e]));

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('pass schema validation, every one of them, and kustomization lists every file', () => {
    expect(manifests.map((m) => `${m.kind} ${m.metadata.name}`).sort()).toEqual([
      'ConfigMap vigil-config',
      'Deployment vigil-api',
      'Deployment vigil-notifier',
      'Deployment vigil-projector',
      'HorizontalPodAutoscaler vigil-api',
      'PodDisruptionBudget vigil-api',
      'PodDisruptionBudget vigil-notifier',
      'PodDisruptionBudget vigil-projector',
      'Service vigil-api',
    ]);
    for (const manifest of manifests) expect(() => validateManifest(manifest)).not.toThrow();
    const kustomization = parse(readFileSync(join(k8sDir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(
      readdirSync(k8sDir)
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
        .sort(),
    );
  });

  it('would catch a broken manifest (the validation is not a formality)', () => {
    const broken = structuredClone(named('Deployment', 'vigil-api'));
    (broken.spec as { replicas: unknown }).replicas = 'two';
    expect(() => validateManifest(broken)).toThrow(/replicas/);
  });

  it('probe the API on /health/live and /health/ready, and scale it with an autoscaler and a disruption budget', () => {
    const api = named('Deployment', 'vigil-api');
    const [container] = podOf(api).spec.containers;
    expect(container.livenessProbe?.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe?.httpGet.path).toBe('/health/ready');
    expect(named('HorizontalPodAutoscaler', 'vigil-api').spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'vigil-api' }, minReplicas: 2 });
    // The budget covers the API's pods: its selector's labels are theirs.
    const { matchLabels } = (named('PodDisruptionBudget', 'vigil-api').spec as { selector: { matchLabels: Record<string, string> } }).selector;
    expect(podOf(api).metadata.labels).toMatchObject(matchLabels);
  });

  it('run each role in its own Deployment, the workers with two replicas (one leads, one stands by)', () => {
    for (const role of ['api', 'projector', 'notifier']) expect(envOf(named('Deployment', `vigil-${role}`)).VIGIL_ROLES.value).toBe(role);
    for (const worker of ['vigil-projector', 'vigil-notifier']) {
      expect(named('Deployment', worker).spec?.replicas).toBe(2);
      expect(named('PodDisruptionBudget', worker).spec).toMatchObject({ maxUnavailable: 1 });
    }
  });

  it('take secrets by reference only, and let Prometheus scrape every pod', () => {
    for (const deployment of manifests.filter((m) => m.kind === 'Deployment')) {
      const env = envOf(deployment);
      for (const name of ['VIGIL_POSTGRES_URL', 'VIGIL_ALERT_WEBHOOK_SECRET', 'VIGIL_JWT_SECRET', 'VIGIL_KAFKA_SASL_PASSWORD']) {
        if (env[name]) expect({ name, secretKeyRef: env[name].valueFrom?.secretKeyRef?.name }).toEqual({ name, secretKeyRef: 'vigil-secrets' });
      }
      expect(Object.values(env).filter((e) => e.value !== undefined && /SECRET|PASSWORD/.test(e.name))).toEqual([]);
      expect(podOf(deployment).metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics' });
    }
    const config = named('ConfigMap', 'vigil-config') as unknown as { data: Record<string, string> };
    expect(Object.keys(config.data).filter((name) => /SECRET|PASSWORD|POSTGRES_URL/.test(name))).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>; profiles?: string[]; healthcheck?: unknown; depends_on?: Record<string, unknown> }>;
  };
  const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  const withDockerCompose = dockerCompose.status === 0 ? it : it.skip;
  if (dockerCompose.status !== 0) console.warn('⚠️  SKIPPED docker-compose config: the docker-compose command is missing (Debian package docker-compose)');

  withDockerCompose('is valid for docker-compose config (the Compose file format, profiles included)', () => {
    // As the operator runs it (the file's header): the nodes' token secret comes from the environment.
    const env = { ...process.env, VIGIL_JWT_SECRET: 'a-jwt-secret-of-at-least-thirty-two-characters' };
    const checked = spawnSync('docker-compose', ['-f', join(root, 'docker-compose.yml'), '--profile', 'embedded', 'config', '-q'], { encoding: 'utf8', env });
    expect({ status: checked.status, stderr: checked.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('starts the production topology by default: PostgreSQL, Kafka, two API replicas behind a load balancer, two projectors, a notifier', () => {
    const byDefault = Object.entries(compose.services).filter(([, service]) => !service.profiles);
    const roles = Object.fromEntries(byDefault.map(([name, service]) => [name, service.environment?.VIGIL_ROLES]));
    expect(roles).toEqual({
      postgres: undefined,
      kafka: undefined,
      'api-1': 'api',
      'api-2': 'api',
      lb: undefined,
      'projector-1': 'projector',
      'projector-2': 'projector',
      notifier: 'notifier',
    });
    for (const [name, service] of byDefault) expect({ name, healthcheck: Boolean(service.healthcheck) }).toEqual({ name, healthcheck: true });
    for (const name of ['api-1', 'projector-1', 'notifier']) {
      expect(compose.services[name].environment).toMatchObject({
        VIGIL_EVENT_STORE: 'postgres',
        VIGIL_READ_MODELS: 'postgres',
        VIGIL_KAFKA_BROKERS: 'kafka:9092',
      });
      expect(compose.services[name].depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, kafka: { condition: 'service_healthy' } });
    }
    expect(compose.services.vigil.profiles).toEqual(['embedded']);
  });

  it("takes the production nodes' token secret from the operator, with no fallback anyone could read here", () => {
    for (const name of ['api-1', 'api-2', 'projector-1', 'projector-2', 'notifier']) {
      expect({ name, secret: compose.services[name].environment?.VIGIL_JWT_SECRET }).toEqual({ name, secret: '${VIGIL_JWT_SECRET}' });
    }
  });
});
