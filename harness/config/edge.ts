/**
 * The Edge personality's settings, under the Message Processor's own names: the
 * HTTPTargetConnection properties of a TargetEndpoint (with Edge's defaults) and the place of
 * system.log. A TargetEndpoint XML file can be read directly; properties the harness does not model
 * are listed, not rejected, because real files carry many.
 */
import { z } from 'zod';
import { FaultgateError } from '../errors.ts';
import { describeIssue } from './describe-issue.ts';
import { bytes, millis, name, positiveMillis, tcpPort } from './fields.ts';
import type { LoadedFile } from './load-file.ts';

/**
 * An environment's TargetServer, as Edge defines one: a host, a port, and whether it is in
 * service. Host and Port left out are the gateway's target's (one backend behind a LoadBalancer).
 */
const targetServerSchema = z
  .object({
    Host: name('a host name or address').optional(),
    Port: tcpPort()
      .refine((port) => port > 0, { error: 'a TargetServer port is 1 to 65535' })
      .optional(),
    IsEnabled: z.boolean({ error: 'expected true or false' }).default(true),
  })
  .strict();

/**
 * A TargetEndpoint's <LoadBalancer>: the TargetServers it sends to in turn, and after how many
 * consecutive failures (I/O errors, timeouts) a server is taken out of rotation (0: never).
 */
const loadBalancerSchema = z
  .object({
    Algorithm: z.literal('RoundRobin', { error: 'only RoundRobin is reproduced' }).default('RoundRobin').describe('how the LoadBalancer picks the next server'),
    Server: z
      .array(name('a TargetServer name'), { error: 'expected a list of TargetServer names' })
      .min(1, { error: 'expected at least one TargetServer name' })
      .describe('the TargetServers requests go to in turn, e.g. [target1,target2]'),
    MaxFailures: z
      .number({ error: 'expected a whole number' })
      .int({ error: 'expected a whole number' })
      .nonnegative({ error: 'must not be negative' })
      .default(0)
      .describe('failures in a row (I/O errors, timeouts) that take a server out of rotation; 0: never'),
  })
  .strict();

/** HTTPRequest/HTTPResponse.body.buffer.limit: "10m" ("Set message size limit on the Router or Message Processor"), read as 10 × 1024 × 1024 bytes. */
export const DEFAULT_BUFFER_LIMIT = 10 * 1024 * 1024;

/** HTTPResponse.headers.limit: "25k" ("Setting HTTP request/response header limits"); the TooBigHeaders faultstring says 25,600. */
export const RESPONSE_HEADERS_LIMIT = 25_600;

export const edgeSettingsSchema = z
  .object({
    'connect.timeout.millis': positiveMillis().default(3000).describe('TCP connect limit; exceeding it gives 503 ServiceUnavailable'),
    'io.timeout.millis': positiveMillis()
      .default(55000)
      .describe('no data read or written for this long: 504 while waiting for a response; bounds the TLS handshake too (502)'),
    'keepalive.timeout.millis': millis().default(60000).describe('idle pooled target connections are closed after this'),
    'logging.dir': name('a folder').default('/opt/apigee/var/log/edge-message-processor').describe("the folder that receives system.log (Edge for Private Cloud's path by default)"),
    org: name('an organization name').default('myorg').describe('the organization system.log prints'),
    env: name('an environment name').default('test').describe('the environment system.log prints'),
    api: name('an API proxy name').default('faultgate').describe('the API proxy system.log prints'),
    rev: z.number({ error: 'expected a revision number' }).int().positive().default(1).describe('the proxy revision system.log prints'),
    'HTTPRequest.body.buffer.limit': bytes()
      .default(DEFAULT_BUFFER_LIMIT)
      .describe('conf_http_HTTPRequest.body.buffer.limit (10m): a request payload past this is answered 413 TooBigBody'),
    'HTTPResponse.headers.limit': bytes()
      .default(RESPONSE_HEADERS_LIMIT)
      .describe('conf/http.properties+HTTPResponse.headers.limit (25k): target header lines past this are answered 502 TooBigHeaders'),
    'HTTPResponse.body.buffer.limit': bytes()
      .default(DEFAULT_BUFFER_LIMIT)
      .describe('conf_http_HTTPResponse.body.buffer.limit (10m): a target payload past this is answered 502 TooBigBody'),
    'keepalive.honour.hint': z
      .boolean({ error: 'expected true or false' })
      .default(false)
      .describe('not an Edge property: retire pooled connections early on Keep-Alive: timeout=N'),
    'debug.message.id.header': z
      .boolean({ error: 'expected true or false' })
      .default(false)
      .describe('not an Edge property: a debug aid that sends X-Apigee.Message-ID (a Trace value, never sent by Edge) on every response'),
    TargetServers: z
      .record(name('a TargetServer name'), targetServerSchema, { error: 'expected TargetServers by name: { name: { Host, Port, IsEnabled } }' })
      .optional()
      .describe("the environment's TargetServers by name: { Host, Port, IsEnabled } (Host, Port left out: the target's)"),
    LoadBalancer: loadBalancerSchema.optional().describe("the TargetEndpoint's LoadBalancer: Server (TargetServer names), MaxFailures; the target URL then gives only the scheme"),
  })
  .strict()
  .superRefine((settings, context) => {
    const servers = settings.TargetServers ?? {};
    settings.LoadBalancer?.Server.forEach((server, index) => {
      if (Object.hasOwn(servers, server)) return;
      const known = Object.keys(servers);
      context.addIssue({
        code: 'custom',
        path: ['LoadBalancer', 'Server', index],
        message: `no TargetServer named "${server}"; ${known.length > 0 ? `TargetServers: ${known.join(', ')}` : 'TargetServers defines none'}`,
      });
    });
  });

export type EdgeSettings = z.output<typeof edgeSettingsSchema>;
export type EdgeSettingsInput = z.input<typeof edgeSettingsSchema>;

export const edgeSettingNames: ReadonlySet<string> = new Set(Object.keys(edgeSettingsSchema.shape));

/** What --set reaches: the properties by their flat names, and the LoadBalancer's fields by path. */
export const edgeSettingPaths: ReadonlySet<string> = new Set([...edgeSettingNames].flatMap((key) => (key === 'LoadBalancer' ? Object.keys(loadBalancerSchema.shape).map((field) => `${key}.${field}`) : [key])));

export function parseEdgeSettings(input: unknown, source = 'edge settings'): EdgeSettings {
  const result = edgeSettingsSchema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    throw new FaultgateError('E_CONFIG', `${source}: unknown setting ${issue.keys.map((key) => `"${key}"`).join(', ')}; known: ${[...edgeSettingNames].join(', ')}`);
  }
  throw new FaultgateError('E_CONFIG', `${source}: ${describeIssue(result.error)}`);
}

export interface TargetEndpoint {
  /** the HTTPTargetConnection properties the harness models, as numbers */
  settings: Partial<EdgeSettingsInput>;
  /** the TargetEndpoint's <URL>, when it has one */
  url?: string;
  /** properties present in the file that the harness does not model */
  ignored: string[];
}

const numericProperties = ['connect.timeout.millis', 'io.timeout.millis', 'keepalive.timeout.millis'] as const;

/** Reads an Edge TargetEndpoint (XML already parsed) into settings. */
export function readTargetEndpoint(loaded: LoadedFile): TargetEndpoint {
  const root = (loaded.data as { TargetEndpoint?: unknown }).TargetEndpoint;
  if (!root || typeof root !== 'object') throw new FaultgateError('E_CONFIG', `${loaded.file}: expected a <TargetEndpoint> element`);
  const connection = (root as { HTTPTargetConnection?: unknown }).HTTPTargetConnection;
  if (!connection || typeof connection !== 'object') {
    throw new FaultgateError('E_CONFIG', `${loaded.file}: TargetEndpoint has no <HTTPTargetConnection>`);
  }
  const { Properties: properties, URL: url } = connection as { Properties?: { Property?: unknown[] } | string; URL?: unknown };
  const settings: Record<string, number> = {};
  const ignored: string[] = [];
  const list = typeof properties === 'object' && properties ? (properties.Property ?? []) : [];
  for (const property of list) {
    const { '@name': key, '#text': text } = property as { '@name'?: string; '#text'?: string };
    if (!key) continue;
    if ((numericProperties as readonly string[]).includes(key)) {
      const value = Number(text);
      if (!Number.isInteger(value) || value < 0) {
        throw new FaultgateError('E_CONFIG', `${loaded.file}: Property ${key}: expected a whole number of milliseconds, got "${text ?? ''}"`);
      }
      settings[key] = value;
    } else {
      ignored.push(key);
    }
  }
  const loadBalancer = readLoadBalancer(loaded.file, (connection as { LoadBalancer?: unknown }).LoadBalancer);
  return { settings: { ...settings, ...(loadBalancer ? { LoadBalancer: loadBalancer } : {}) }, ignored, ...(typeof url === 'string' && url ? { url } : {}) };
}

type XmlNode = Record<string, unknown>;
const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const textOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof (value as XmlNode | undefined)?.['#text'] === 'string' ? ((value as XmlNode)['#text'] as string) : undefined);

/**
 * An HTTPTargetConnection's <LoadBalancer>: its <Server name="…"/> elements, <MaxFailures> and
 * <Algorithm>, as the LoadBalancer setting (the TargetServers they name are the environment's,
 * given in the settings). Elements the harness does not model are left for the schema to name.
 */
function readLoadBalancer(file: string, element: unknown): Partial<EdgeSettingsInput>['LoadBalancer'] {
  if (element === undefined) return undefined;
  if (!element || typeof element !== 'object') throw new FaultgateError('E_CONFIG', `${file}: <LoadBalancer>: expected <Server name="…"/> elements`);
  const { Server: servers, MaxFailures: maxFailures, Algorithm: algorithm, ...rest } = element as XmlNode;
  const unknown = Object.keys(rest).filter((key) => !key.startsWith('@') && key !== '#text');
  if (unknown.length > 0) throw new FaultgateError('E_CONFIG', `${file}: <LoadBalancer>: <${unknown[0]}> is not reproduced; known: Algorithm, Server, MaxFailures`);
  const names = asList(servers).map((server, index) => {
    const name = (server as XmlNode | undefined)?.['@name'];
    if (typeof name !== 'string' || !name) throw new FaultgateError('E_CONFIG', `${file}: <LoadBalancer> <Server> ${index + 1}: expected a name attribute`);
    return name;
  });
  const failures = textOf(maxFailures);
  const count = failures === undefined ? undefined : Number(failures);
  if (count !== undefined && (!Number.isInteger(count) || count < 0)) {
    throw new FaultgateError('E_CONFIG', `${file}: <LoadBalancer> <MaxFailures>: expected a whole number, got "${failures ?? ''}"`);
  }
  const algorithmName = textOf(algorithm);
  return { Server: names, ...(count === undefined ? {} : { MaxFailures: count }), ...(algorithmName === undefined ? {} : { Algorithm: algorithmName as 'RoundRobin' }) };
}
