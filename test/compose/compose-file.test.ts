/**
 * docker-compose.yml checked against the harness, without a Docker engine: every backend and
 * personality has a service, every command is one the CLI accepts with the service's environment,
 * names and URLs point at services that exist, ports do not collide, logs land on a named volume,
 * and the image holds what the command loads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { backendNamed, backends } from '../../faulty-backends/index.ts';
import { parseEdgeSettings } from '../../harness/config/edge.ts';
import { parseMicrogatewaySettings } from '../../harness/config/microgateway.ts';
import { personalities } from '../../harness/gateway/personalities.ts';
import type { GatewayOptions } from '../../harness/gateway/gateway.ts';
import { personalityNames } from '../../harness/gateway/personality.ts';
import { backendsWithoutService, dockerfilePath, serviceToAdd, faultgateArguments, imageEntrypoint, isUnder, kindOf, loadCompose, mountsOf, projectRoot, publishedPorts, serviceNamed } from './compose-file.ts';
import { importGraph } from './import-graph.ts';
import { runHealthchecks } from './local-run.ts';
import { reservedPort } from '../helpers.ts';
import { parseInvocation, type Invocation } from './invocation.ts';

const compose = loadCompose();
const services = Object.entries(compose.services);

/** The environment variables each command reads besides its settings. */
const commandVariables = {
  backend: new Set(['FAULTGATE_PORT', 'FAULTGATE_HOST']),
  gateway: new Set(['FAULTGATE_PERSONALITY', 'FAULTGATE_TARGET', 'FAULTGATE_PORT', 'FAULTGATE_HOST', 'FAULTGATE_CONFIG', 'FAULTGATE_LOG_LEVEL']),
};

let parsed: Promise<Map<string, Invocation>> | undefined;
function invocations(): Promise<Map<string, Invocation>> {
  parsed ??= (async () => {
    const result = new Map<string, Invocation>();
    for (const [name, service] of services) result.set(name, await parseInvocation(faultgateArguments(name, service), service.environment));
    return result;
  })();
  return parsed;
}

function backendsOf(all: Map<string, Invocation>): Map<string, Extract<Invocation, { kind: 'backend' }>> {
  return new Map([...all].flatMap(([name, invocation]) => (invocation.kind === 'backend' ? [[name, invocation] as const] : [])));
}

function gatewaysOf(all: Map<string, Invocation>): Map<string, GatewayOptions> {
  return new Map([...all].flatMap(([name, invocation]) => (invocation.kind === 'gateway' ? [[name, invocation.options] as const] : [])));
}

function productLogDir(options: GatewayOptions): string {
  return options.personality === 'edge' ? parseEdgeSettings(options.settings)['logging.dir'] : parseMicrogatewaySettings(options.settings).edgemicro.logging.dir;
}

describe('docker-compose.yml', () => {
  test('every service runs the faultgate command from the one image built here', () => {
    const images = new Set(services.map(([, service]) => `${service.build ?? '(no build)'} → ${service.image ?? '(no image)'}`));
    expect([...images]).toEqual(['. → faultgate:local']);
    for (const [name, service] of services) expect(['backend', 'gateway']).toContain(kindOf(name, service));
  });

  test('every backend and every personality has a service', async () => {
    const all = await invocations();
    // Derived from the registry, so a new backend file is missed here, by name, until it has a service.
    const missing = backendsWithoutService(compose, Object.keys(backends));
    const toAdd = missing.map((name) => serviceToAdd(name, backendNamed(name).protocol(backendNamed(name).parseSettings({}))));
    expect(missing, `docker-compose.yml: add under services:\n${toAdd.join('\n\n')}`).toEqual([]);
    const backendNames = new Set([...backendsOf(all).values()].map((invocation) => invocation.name));
    expect([...backendNames].sort()).toEqual(Object.keys(backends).sort());
    const served = new Set([...gatewaysOf(all).values()].map((options) => options.personality));
    expect([...served].sort()).toEqual([...personalityNames].sort());
  });

  test('every command is one the CLI accepts, with its settings taken from the environment only', async () => {
    for (const [name, service] of services) {
      const args = faultgateArguments(name, service);
      // Options would bypass the environment, which is all the local run (and an override file) can change.
      expect(args.filter((arg) => arg.startsWith('-')), `service ${name}`).toEqual([]);
      const invocation = await parseInvocation(args, service.environment).catch((error: unknown) => {
        throw new Error(`service ${name}: faultgate ${args.join(' ')} is refused: ${(error as Error).message}`);
      });
      // A misspelt variable would be ignored silently, so every one must be a name the command reads.
      const known =
        invocation.kind === 'backend'
          ? new Set([...commandVariables.backend, ...invocation.definition.settingNames])
          : new Set([...commandVariables.gateway, ...personalities[invocation.options.personality].settingNames]);
      expect(Object.keys(service.environment).filter((key) => !known.has(key)), `service ${name}: unknown variables`).toEqual([]);
    }
  });

  test('every service listens on all interfaces on a fixed port', async () => {
    for (const [name, invocation] of await invocations()) {
      const listen = invocation.kind === 'backend' ? invocation.listen : invocation.options;
      expect({ name, host: listen.host }).toEqual({ name, host: '0.0.0.0' });
      expect(listen.port, `service ${name}`).toBeGreaterThan(0);
    }
  });

  test('every depends_on and every target names an existing service, of the right port and protocol', async () => {
    const all = await invocations();
    const serviceBackends = backendsOf(all);
    for (const [name, service] of services) {
      for (const dependency of Object.keys(service.depends_on)) expect(compose.services, `service ${name} depends on ${dependency}`).toHaveProperty([dependency]);
    }
    for (const [name, options] of gatewaysOf(all)) {
      const target = new URL(options.target);
      const backend = serviceBackends.get(target.hostname);
      if (!backend) throw new Error(`service ${name}: target ${options.target} names no backend service`);
      expect(Number(target.port), `service ${name}: target port`).toBe(backend.listen.port);
      expect(target.protocol, `service ${name}: target protocol`).toBe(`${backend.definition.protocol(backend.settings)}:`);
      // Compose starts the gateway only once its backend accepts connections.
      expect(serviceNamed(compose, name).depends_on[target.hostname], `service ${name}`).toEqual({ condition: 'service_healthy' });
    }
  });

  test('only gateways publish ports, on loopback by default, each its own listening port, and no two the same host port', async () => {
    const all = await invocations();
    const hostPorts: number[] = [];
    for (const [name, service] of services) {
      const invocation = all.get(name);
      const published = publishedPorts(name, service);
      if (invocation?.kind !== 'gateway') {
        expect(published, `service ${name}`).toEqual([]);
        continue;
      }
      expect(published.map((port) => port.container), `service ${name}`).toEqual([invocation.options.port]);
      // Loopback unless the user says otherwise.
      expect(published.map((port) => port.hostIp), `service ${name}`).toEqual(['${FAULTGATE_PUBLISH_ADDRESS:-127.0.0.1}']);
      hostPorts.push(...published.map((port) => port.host));
    }
    expect(hostPorts.length).toBeGreaterThan(0);
    expect(new Set(hostPorts).size, `host ports ${hostPorts.join(', ')}`).toBe(hostPorts.length);
  });

  test('every service has a healthcheck the image can run', () => {
    for (const [name, service] of services) {
      // The exec form with bash, which every Debian-based Node image has (an Essential package).
      expect(service.healthcheck.test.slice(0, 3), `service ${name}`).toEqual(['CMD', 'bash', '-c']);
    }
    const bases = [...readFileSync(join(projectRoot, 'Dockerfile'), 'utf8').matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base, 'a Debian-based Node image (bash for the healthchecks)').toMatch(/^node:\d+(\.\d+)*-(slim|bookworm|bookworm-slim|trixie|trixie-slim)$/);
  });

  test('each healthcheck tells a port that accepts from one that refuses (closed-port: the other way round)', async () => {
    // A port below the ephemeral range: no other test's listen(0) is handed it once it is free.
    const port = await reservedPort();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const verdicts = async () => (await runHealthchecks(services.map(([name, service]) => ({ service, local: { name, port } })))).map((code, index) => `${services[index]?.[0]} ${code}`);
    const listening = await verdicts();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refusing = await verdicts();
    const refusalIsHealth = (name: string) => faultgateArguments(name, serviceNamed(compose, name)).join(' ') === 'backend closed-port';
    expect(listening).toEqual(services.map(([name]) => `${name} ${refusalIsHealth(name) ? 1 : 0}`));
    expect(refusing).toEqual(services.map(([name]) => `${name} ${refusalIsHealth(name) ? 0 : 1}`));
  });

  test('every gateway writes its product log onto a named volume', async () => {
    for (const [name, options] of gatewaysOf(await invocations())) {
      const folder = productLogDir(options);
      const mount = mountsOf(compose, serviceNamed(compose, name)).find((candidate) => isUnder(folder, candidate.target));
      expect(mount?.named, `service ${name}: ${folder} is not on a named volume`).toBe(true);
    }
  });

  test("the keep-alive gateway keeps idle connections longer than its backend, as in the Microgateway document", async () => {
    const all = await invocations();
    const pairs = [...gatewaysOf(all)].flatMap(([name, options]) => {
      const backend = backendsOf(all).get(new URL(options.target).hostname);
      return options.personality === 'microgateway' && backend?.name === 'idle-closer' ? [{ name, options, backend }] : [];
    });
    expect(pairs.length).toBeGreaterThan(0);
    for (const { options, backend } of pairs) {
      const gateway = parseMicrogatewaySettings(options.settings);
      const backendIdleMs = backends['idle-closer'].parseSettings(backend.settings).idleTimeoutMs;
      expect(gateway.honour_keep_alive_hint).toBe(false);
      expect(gateway.target_idle_timeout ?? Infinity).toBeGreaterThanOrEqual(backendIdleMs);
    }
  });

  test('the image starts from the official Node image, at a version the project supports', () => {
    const froms = readFileSync(dockerfilePath, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('FROM '));
    const engines = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(froms.length).toBeGreaterThan(0);
    for (const from of froms) {
      const [image = '', tag = ''] = (from.slice('FROM '.length).trim().split(' ')[0] ?? '').split(':');
      expect(image).toBe('node');
      expect(Number.parseInt(tag, 10)).toBeGreaterThanOrEqual(Number.parseInt(engines.replace('>=', ''), 10));
    }
  });

  test('the image is the faultgate command: its ENTRYPOINT runs bin/faultgate.js on the dist/ it built', () => {
    const dockerfile = readFileSync(dockerfilePath, 'utf8');
    const workdir = dockerfile.split('\n').filter((line) => line.startsWith('WORKDIR ')).at(-1)?.slice('WORKDIR '.length).trim();
    expect(imageEntrypoint(dockerfile)).toEqual(['node', `${workdir}/bin/faultgate.js`]);
    // `docker run IMAGE up`, `docker run IMAGE run all`: a command of arguments only.
    for (const [name, service] of services) expect(faultgateArguments(name, service)[0], `service ${name}`).toMatch(/^(backend|gateway)$/);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \S+\/dist \.\/dist$/m);
  });

  test('the image holds everything the command loads: no file left out by .dockerignore, no package left to devDependencies', async () => {
    // The CLI loads scenarios by listing their folder, so each one is a root of its own. The image
    // compiles these sources (with the build's own files) and runs the result.
    const scenarios = readdirSync(join(projectRoot, 'scenarios')).filter((file) => file.endsWith('.ts')).map((file) => `scenarios/${file}`);
    const graph = await importGraph(projectRoot, ['harness/cli/main.ts', ...scenarios]);
    const buildFiles = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'bin/faultgate.js', 'examples'];
    // Plain names in .dockerignore leave out a top-level file or folder of that name.
    const ignored = new Set(readFileSync(join(projectRoot, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#') && !/[*?[/]/.test(line)));
    expect([...graph.files, ...buildFiles].filter((file) => ignored.has(file.split('/')[0] ?? ''))).toEqual([]);
    const { dependencies } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // A development package the command loads only with import() when asked for it, and does
    // without in an image or an install without devDependencies (as it does the engine's releases).
    const optional = new Set(['undici']);
    expect(graph.packages.filter((name) => !Object.hasOwn(dependencies, name) && !(optional.has(name) && graph.lazyPackages.includes(name)))).toEqual([]);
    expect(graph.files).toContain('harness/cli/commands/gateway.ts');
  });
});
