/**
 * docker-compose.yml as the tests read it: parsed with the YAML library (merge keys on, as Compose
 * reads them) and checked against the subset of the Compose format the file uses. The file keeps to
 * forms a program can read without a shell: commands in exec form, environments as mappings of
 * strings, ports and volumes in short syntax.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { z } from 'zod';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const composePath = join(projectRoot, 'docker-compose.yml');

export const dockerfilePath = join(projectRoot, 'Dockerfile');

const duration = z.string().regex(/^\d+(ms|s|m|h)$/, { error: 'expected a Compose duration such as 10s' });

const serviceSchema = z.looseObject({
  build: z.string().optional(),
  image: z.string().optional(),
  hostname: z.string().optional(),
  command: z.array(z.string(), { error: 'expected the exec form: a list of strings' }).min(1),
  environment: z.record(z.string(), z.string({ error: 'expected a quoted string (Compose passes strings)' })).default({}),
  ports: z.array(z.string()).default([]),
  volumes: z.array(z.string()).default([]),
  depends_on: z
    .record(z.string(), z.object({ condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']) }))
    .default({}),
  healthcheck: z.object({
    test: z.array(z.string()).min(2),
    interval: duration,
    timeout: duration,
    retries: z.number().int().positive(),
    start_period: duration.optional(),
    start_interval: duration.optional(),
  }),
});

const composeSchema = z.looseObject({
  name: z.string().optional(),
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.union([z.null(), z.looseObject({})])).default({}),
});

export type ComposeService = z.output<typeof serviceSchema>;
export type ComposeFile = z.output<typeof composeSchema>;

export function loadCompose(path: string = composePath): ComposeFile {
  const document = YAML.parse(readFileSync(path, 'utf8'), { merge: true }) as unknown;
  const result = composeSchema.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'does not match'}`);
  }
  return result.data;
}

/** The Dockerfile's last ENTRYPOINT, in exec form: the command every container runs. */
export function imageEntrypoint(dockerfile: string = readFileSync(dockerfilePath, 'utf8')): string[] {
  const line = dockerfile.split('\n').filter((candidate) => candidate.startsWith('ENTRYPOINT ')).at(-1);
  if (line === undefined) throw new Error('Dockerfile: no ENTRYPOINT');
  return z.array(z.string()).min(1).parse(JSON.parse(line.slice('ENTRYPOINT '.length)));
}

/** The service of that name; a name the file lacks is the test's mistake, said as such. */
export function serviceNamed(compose: ComposeFile, name: string): ComposeService {
  const service = compose.services[name];
  if (!service) throw new Error(`no service ${name}`);
  return service;
}

/**
 * The arguments the service passes to the faultgate command: its whole command, which the image's
 * ENTRYPOINT (the faultgate command) receives.
 */
export function faultgateArguments(name: string, service: ComposeService): string[] {
  if (service.command[0] === 'node' || service.command[0]?.endsWith('faultgate.js')) {
    throw new Error(`service ${name}: command is the arguments of the image's ENTRYPOINT (faultgate), not "${service.command.join(' ')}"`);
  }
  return service.command;
}

export type ServiceKind = 'backend' | 'gateway';

export function kindOf(name: string, service: ComposeService): ServiceKind {
  const subcommand = faultgateArguments(name, service)[0];
  if (subcommand === 'backend' || subcommand === 'gateway') return subcommand;
  throw new Error(`service ${name}: expected "faultgate backend <name>" or "faultgate gateway", got "${subcommand ?? ''}"`);
}

export interface PublishedPort {
  hostIp?: string;
  host: number;
  container: number;
}

/** Short syntax: [HOST_IP:]HOST:CONTAINER, both ports given. */
export function publishedPorts(name: string, service: ComposeService): PublishedPort[] {
  return service.ports.map((entry) => {
    const parts = entry.split(':');
    const [container, host, ...rest] = parts.reverse();
    const hostIp = rest.reverse().join(':');
    const port = (text: string | undefined) => {
      const value = Number(text);
      if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`service ${name}: ports entry "${entry}": expected HOST:CONTAINER with both ports`);
      return value;
    };
    return { host: port(host), container: port(container), ...(hostIp ? { hostIp } : {}) };
  });
}

export interface Mount {
  source: string;
  target: string;
  /** a volume declared under the top-level `volumes:`, not a folder of the host */
  named: boolean;
}

/** Short syntax: SOURCE:TARGET[:MODE]. */
export function mountsOf(compose: ComposeFile, service: ComposeService): Mount[] {
  return service.volumes.map((entry) => {
    const [source = '', target = ''] = entry.split(':');
    return { source, target, named: Object.hasOwn(compose.volumes, source) };
  });
}

/** Whether `path` is the mount's target or lies under it. */
export function isUnder(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}

/** The backends the file runs: the <name> of each `faultgate backend <name>` service. */
export function backendServiceNames(compose: ComposeFile): Set<string> {
  return new Set(Object.entries(compose.services).flatMap(([name, service]) => {
    const [subcommand, backend] = faultgateArguments(name, service);
    return subcommand === 'backend' && backend !== undefined ? [backend] : [];
  }));
}

/** The registry's backends that the file gives no service: what the compose test names. */
export function backendsWithoutService(compose: ComposeFile, registry: readonly string[]): string[] {
  const served = backendServiceNames(compose);
  return registry.filter((name) => !served.has(name));
}

/**
 * The service a backend without one needs, as YAML to paste under `services:`: what the compose
 * test prints when it names a missing one. TLS backends listen on 8443, the others on 8080.
 */
export function serviceToAdd(name: string, protocol: 'http' | 'https'): string {
  return [
    `  ${name}:`,
    '    <<: *faultgate',
    `    command: [backend, ${name}]`,
    '    environment:',
    '      FAULTGATE_HOST: "0.0.0.0"',
    `      FAULTGATE_PORT: "${protocol === 'https' ? 8443 : 8080}"`,
    '    healthcheck: *listening',
  ].join('\n');
}
