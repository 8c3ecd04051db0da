/**
 * The Microgateway personality's settings, in the shape of edgemicro's own YAML
 * (`~/.edgemicro/<org>-<env>-config.yaml`): the keys the harness models are checked, every other
 * key of a real file (edge_config, headers, oauth, analytics, …) is carried along untouched.
 *
 * Two keys are not edgemicro's, and say so: `target_idle_timeout` stands for what the document
 * calls the keep-alive timeout "on the operating system" (how long an idle pooled connection to the
 * target is kept; microgateway-core itself sets none), and `version` picks which release's log
 * format the mimic writes.
 */
import { z } from 'zod';
import { FaultgateError } from '../errors.ts';
import { describeIssue } from './describe-issue.ts';
import { millis, name, positiveMillis, positiveSeconds, tcpPort } from './fields.ts';

export const microgatewayLogLevels = ['none', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type MicrogatewayLogLevel = (typeof microgatewayLogLevels)[number];

/** 3.1.6 writes the document's lines exactly; 3.3.7 is the current release (see the README's table). */
export const microgatewayVersions = ['3.1.6', '3.3.7'] as const;
export type MicrogatewayVersion = (typeof microgatewayVersions)[number];

const loggingSchema = z.looseObject({
  level: z
    .enum(microgatewayLogLevels, { error: `expected one of ${microgatewayLogLevels.join(', ')}` })
    .default('warn')
    .describe("the lowest level written (edgemicro's template ships error, which hides the document's [warn] line)"),
  dir: name('a folder').default('/var/tmp').describe('the folder of edgemicro-<hostname>-<uid>-<n>-api.log'),
});

const edgemicroSchema = z.looseObject({
  port: tcpPort().default(8000).describe('the port it listens on (--port wins)'),
  keep_alive_timeout: positiveMillis().optional().describe("client-facing keep-alive; Node's 5000 when absent"),
  headers_timeout: positiveMillis().optional().describe('client-facing headers timeout; keep_alive_timeout + 5000 when absent'),
  request_timeout: positiveSeconds().optional().describe('target request timeout: 504 when exceeded; absent: none'),
  logging: loggingSchema.prefault({}),
});

const targetSchema = z.looseObject({
  host: z.string().optional(),
  ssl: z
    .looseObject({
      client: z.looseObject({ rejectUnauthorized: z.boolean({ error: 'expected true or false' }).optional() }).optional(),
    })
    .optional(),
});

export const microgatewaySettingsSchema = z.looseObject({
  org: name('an organization name').default('myorg').describe('`edgemicro start -o`: printed in every event-log line'),
  env: name('an environment name').default('test').describe('`edgemicro start -e`: printed in every event-log line'),
  version: z
    .enum(microgatewayVersions, { error: `expected one of ${microgatewayVersions.join(', ')}` })
    .default('3.1.6')
    .describe("the release whose log format is written (3.1.6 is the document's)"),
  edgemicro: edgemicroSchema.prefault({}),
  targets: z.array(targetSchema, { error: 'expected a list of targets' }).optional(),
  target_idle_timeout: millis()
    .optional()
    .describe("not edgemicro's: how long an idle pooled target connection is kept (the document's operating-system keep-alive); absent: until the target closes it"),
  honour_keep_alive_hint: z
    .boolean({ error: 'expected true or false' })
    .default(false)
    .describe("not edgemicro's: retire a pooled connection at N s - 1 s when the target sends Keep-Alive: timeout=N (microgateway-core does not)"),
});

export type MicrogatewaySettings = z.output<typeof microgatewaySettingsSchema>;
export type MicrogatewaySettingsInput = z.input<typeof microgatewaySettingsSchema>;

/** The keys `--set` accepts, so that a misspelt one is an error rather than a silent no-op. */
export const microgatewaySettingNames: ReadonlySet<string> = new Set([
  'org',
  'env',
  'version',
  'target_idle_timeout',
  'honour_keep_alive_hint',
  'edgemicro.port',
  'edgemicro.keep_alive_timeout',
  'edgemicro.headers_timeout',
  'edgemicro.request_timeout',
  'edgemicro.logging.level',
  'edgemicro.logging.dir',
]);

export function parseMicrogatewaySettings(input: unknown, source = 'microgateway settings'): MicrogatewaySettings {
  const result = microgatewaySettingsSchema.safeParse(input ?? {}, { reportInput: true });
  if (!result.success) throw new FaultgateError('E_CONFIG', `${source}: ${describeIssue(result.error)}`);
  return result.data;
}

/** Whether the gateway checks the target's certificate: edgemicro's targets[].ssl.client.rejectUnauthorized, Node's default true. */
export function rejectsUnauthorized(settings: MicrogatewaySettings, targetHost: string): boolean {
  const target = settings.targets?.filter((entry) => !entry.host || entry.host === targetHost).at(-1);
  return target?.ssl?.client?.rejectUnauthorized ?? true;
}
