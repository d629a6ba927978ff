/**
 * The deployment files agree with each other and with the server: Kubernetes manifests (selectors, ports, the
 * Secret's key and its mount, probe paths served by a real server, resources, the trainer's dns: name), the compose
 * file (service name and port of the trainer's dns: entry, build targets) and the Dockerfile (pinned base, stages,
 * non-root user, what HEALTHCHECK and ENTRYPOINT run exists). Nothing here needs Docker or a cluster: the image
 * cannot be built on this kind of machine (docs/deploy.md says what was run where).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createServer, type VinegymServer } from '@vinegym/env-server';
import { ROOT } from '../adversarial/harness/server-under-test.js';

type Node = Record<string, any>;
const DEPLOY = join(ROOT, 'deploy');
const K8S = join(DEPLOY, 'kubernetes');

function loadYaml(path: string): Node[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
    expect(doc.errors, `${path}: ${doc.errors.join('; ')}`).toEqual([]);
    return doc.toJS() as Node;
  });
}

const manifests = readdirSync(K8S)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) => loadYaml(join(K8S, file)).map((doc) => ({ file, doc })));
const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
const one = (kind: string) => {
  const docs = ofKind(kind);
  expect(docs, kind).toHaveLength(1);
  return docs[0];
};
const subsetOf = (labels: Node, of: Node) => Object.entries(labels).every(([key, value]) => of[key] === value);

/** Every container of the pod templates (Deployment, Job) with its pod spec. */
const containers = [...ofKind('Deployment'), ...ofKind('Job')].flatMap((workload) =>
  (workload.spec.template.spec.containers as Node[]).map((container) => ({
    workload,
    pod: workload.spec.template.spec as Node,
    container,
  })),
);

let server: VinegymServer;
beforeAll(async () => {
  server = await createServer({ port: 0, logger: false });
});
afterAll(async () => {
  await server.close();
});

describe('Kubernetes manifests', () => {
  it('every document is a known kind with a name', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(5);
    for (const { file, doc } of manifests) {
      expect(['Secret', 'Deployment', 'Service', 'PodDisruptionBudget', 'Job'], file).toContain(doc.kind);
      expect(doc.apiVersion, file).toMatch(/^(v1|apps\/v1|policy\/v1|batch\/v1)$/);
      expect(doc.metadata?.name, file).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('the Deployment, the headless Service and the PodDisruptionBudget select the same pods', () => {
    const deployment = one('Deployment');
    const service = one('Service');
    const budget = one('PodDisruptionBudget');
    const podLabels = deployment.spec.template.metadata.labels;
    expect(subsetOf(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(service.spec.clusterIP).toBe('None');
    expect(subsetOf(service.spec.selector, podLabels)).toBe(true);
    expect(budget.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(budget.spec.maxUnavailable ?? budget.spec.minAvailable).toBeDefined();
    expect(deployment.spec.replicas).toBeGreaterThan(1); // a budget of one pod would block every drain
  });

  it("the Service's target port is a named port of the server container, on the port the server listens on", () => {
    const service = one('Service');
    const [container] = one('Deployment').spec.template.spec.containers as Node[];
    for (const port of service.spec.ports as Node[]) {
      const target = (container.ports as Node[]).find(
        (p) => p.name === port.targetPort || p.containerPort === port.targetPort,
      );
      expect(target, `targetPort ${port.targetPort}`).toBeDefined();
      const listen = (container.env as Node[]).find((e) => e.name === 'PORT')?.value;
      expect(Number(listen)).toBe(target!.containerPort);
    }
  });

  it('probes get paths the server answers with 200, on a named container port', async () => {
    const [container] = one('Deployment').spec.template.spec.containers as Node[];
    const probes = [container.readinessProbe, container.livenessProbe];
    expect(probes.every(Boolean)).toBe(true);
    for (const probe of probes) {
      expect((container.ports as Node[]).map((p) => p.name)).toContain(probe.httpGet.port);
      const response = await fetch(`http://127.0.0.1:${server.port}${probe.httpGet.path}`);
      expect(response.status, probe.httpGet.path).toBe(200);
      expect(((await response.json()) as Node).status).toBe('ok');
    }
  });

  it('the token comes from a key the Secret has, mounted where VINEGYM_TOKEN_FILE points', () => {
    const secret = one('Secret');
    const keys = Object.keys({ ...secret.data, ...secret.stringData });
    for (const { pod, container } of containers) {
      const volume = (pod.volumes as Node[]).find((v) => v.secret);
      expect(volume?.secret.secretName).toBe(secret.metadata.name);
      for (const item of volume!.secret.items as Node[]) expect(keys).toContain(item.key);
      const mount = (container.volumeMounts as Node[]).find((m) => m.name === volume!.name);
      const file = (container.env as Node[]).find((e) => e.name === 'VINEGYM_TOKEN_FILE')?.value;
      expect(file).toBe(`${mount!.mountPath}/${volume!.secret.items[0].path}`);
      // Every volume a container mounts is declared.
      for (const m of container.volumeMounts as Node[])
        expect((pod.volumes as Node[]).map((v) => v.name)).toContain(m.name);
    }
  });

  it('every container has resource requests and limits, runs as the image user and cannot escalate', () => {
    const imageUser = /^USER (\d+):(\d+)$/m.exec(readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8'))!;
    for (const { pod, container } of containers) {
      for (const resource of ['cpu', 'memory']) {
        expect(container.resources.requests[resource], `${container.name} requests.${resource}`).toBeDefined();
        expect(container.resources.limits[resource], `${container.name} limits.${resource}`).toBeDefined();
      }
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(String(pod.securityContext.runAsUser)).toBe(imageUser[1]);
      expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    }
  });

  it("the trainer's dns: server names the headless Service and its port", () => {
    const service = one('Service');
    const [trainer] = one('Job').spec.template.spec.containers as Node[];
    const dns = (trainer.args as string[])[(trainer.args as string[]).indexOf('--server') + 1];
    expect(dns).toBe(`dns:${service.metadata.name}:${service.spec.ports[0].port}`);
  });
});

describe('compose file', () => {
  const [compose] = loadYaml(join(DEPLOY, 'compose.yaml'));
  const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');

  it('builds both images from Dockerfile stages that exist', () => {
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
    for (const name of ['env-server', 'trainer']) {
      const build = compose.services[name].build;
      expect(build.dockerfile).toBe('deploy/Dockerfile');
      expect(stages).toContain(build.target);
    }
  });

  it("the trainer's dns: entry is the server service's name and port, and it waits for healthy servers", () => {
    const { command, depends_on } = compose.services.trainer;
    const dns = (command as string[])[(command as string[]).indexOf('--server') + 1];
    expect(dns).toBe(`dns:env-server:${compose.services['env-server'].environment.PORT}`);
    expect(depends_on['env-server'].condition).toBe('service_healthy');
    expect(compose.services['env-server'].environment.VINEGYM_TOKEN).toMatch(/^\$\{VINEGYM_TOKEN:\?/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');

  it('pins the official Node image to an exact version, and every stage uses it', () => {
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(base).toMatch(/^node:\d+\.\d+\.\d+-bookworm-slim$/);
    expect(base).toContain(`node:${process.versions.node}`); // the Node the tests ran on
    for (const from of dockerfile.matchAll(/^FROM (\S+)/gm)) expect(from[1]).toBe('${NODE_IMAGE}');
  });

  it('final stages run as a numeric non-root user; the server has a HEALTHCHECK; copied files exist', () => {
    const stages = dockerfile.split(/^(?=FROM )/m).slice(1);
    const final = stages.filter((stage) => !/ AS build$/m.test(stage));
    expect(final).toHaveLength(2);
    for (const stage of final) {
      const user = /^USER (\d+):(\d+)$/m.exec(stage);
      expect(user && Number(user[1])).toBeGreaterThan(0);
      expect(stage).toMatch(/^ENTRYPOINT \["\/app\/docker-entrypoint\.sh"\]$/m);
    }
    const server = final.find((stage) => / AS server$/m.test(stage))!;
    expect(server).toMatch(/^HEALTHCHECK .*CMD \["node", "\/app\/healthcheck\.mjs"\]$/m);
    for (const [, source] of dockerfile.matchAll(/^COPY (?:--chmod=\S+ )?(deploy\/\S+)/gm)) {
      expect(() => readFileSync(join(ROOT, source)), source).not.toThrow();
    }
    expect(dockerfile).toMatch(/sh deploy\/assemble-app\.sh \/app$/m);
  });

  it('the entry point and the assembly script are executable in git', () => {
    const modes = execFileSync('git', ['ls-files', '-s', 'deploy/docker-entrypoint.sh', 'deploy/assemble-app.sh'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(
      modes
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[0]),
    ).toEqual(['100755', '100755']);
  });
});
