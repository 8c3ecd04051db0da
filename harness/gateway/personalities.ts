/**
 * Every personality, by name: how its settings are read and how it is built. To add one, write a
 * module beside edge.ts and microgateway.ts and name it here.
 */
import type { z } from 'zod';
import { edgeSettingNames, edgeSettingPaths, edgeSettingsSchema, parseEdgeSettings, type EdgeSettings } from '../config/edge.ts';
import { microgatewaySettingNames, microgatewaySettingsSchema, parseMicrogatewaySettings, type MicrogatewaySettings } from '../config/microgateway.ts';
import { FaultgateError } from '../errors.ts';
import type { PersonalityDemo } from '../stage/demo.ts';
import { createEdgePersonality, edgeFaults } from './edge.ts';
import { createMicrogatewayPersonality, GATEWAY_TIMEOUT_MESSAGE } from './microgateway.ts';
import { personalityNames, type Personality, type PersonalityName } from './personality.ts';

export interface PersonalityDefinition<Settings> {
  name: PersonalityName;
  /** one line for listings */
  summary: string;
  /** the schema parseSettings checks against; help lists its defaults, units and descriptions */
  settingsSchema: z.ZodType;
  /** the names `--set` accepts */
  settingNames: ReadonlySet<string>;
  /** names that are one key with dots in it (Edge's properties), not a path into nested YAML */
  flatSettingNames: ReadonlySet<string>;
  /** the setting that names the folder of the product log */
  logDirSetting: string;
  /** the settings with the product log's folder set */
  withLogDir(settings: Record<string, unknown>, dir: string): Record<string, unknown>;
  /** the idle limit of pooled target connections and the Keep-Alive hint policy, in the product's own setting names */
  poolSettings(pool: { idleTimeoutMs: number; honourKeepAliveHint: boolean }): Record<string, unknown>;
  /** the limit that ends a silent target, in the product's own setting (Edge: io.timeout.millis in ms; Microgateway: request_timeout in s, 0: none) */
  timeoutSettings(limits: { ioTimeoutMs: number; requestTimeoutS: number }): Record<string, unknown>;
  /** what `faultgate up` shows of it: its answer to each failure, its log lines, its request path */
  demo: PersonalityDemo;
  parseSettings(input: unknown, source?: string): Settings;
  create(settings: Settings, target: URL): Personality;
}

/** "502 Unexpected EOF at target": a Message Processor fault as the stage's table shows it. */
const said = (fault: { status: number; faultstring: string }) => `${fault.status} ${fault.faultstring}`;

const edgeDemo: PersonalityDemo = {
  path: '/v1/orders',
  settings: {},
  answers: {
    'handshaking × silence': (t) => ({ answer: `${said(edgeFaults.badGateway)} after io.timeout.millis (${t.handshakeLimitMs} ms)`, why: 'the TLS handshake timeout' }),
    'connecting × refused': () => ({ answer: said(edgeFaults.serviceUnavailable), why: 'connection refused' }),
    'awaiting-response × fin': () => ({ answer: said(edgeFaults.unexpectedEof), why: 'the target closes before answering' }),
    'awaiting-response × rst': () => ({ answer: said(edgeFaults.unexpectedEof), why: 'the target resets the connection' }),
    'awaiting-response × silence': (t) => ({ answer: `${said(edgeFaults.gatewayTimeout)} after io.timeout.millis (${t.handshakeLimitMs} ms)` }),
    'receiving-head × not-http': () => ({ answer: said(edgeFaults.badGateway), why: 'the answer is not HTTP' }),
    'receiving-body × body-on-204': () => ({ answer: `${edgeFaults.noContentWithBody.status} "${edgeFaults.noContentWithBody.faultstring}"` }),
    'receiving-head × headers-over-limit': () => ({ answer: `${said(edgeFaults.tooBigHeaders)} (${edgeFaults.tooBigHeaders.errorcode})` }),
    'receiving-body × body-over-limit': () => ({ answer: `${said(edgeFaults.tooBigBody)} (${edgeFaults.tooBigBody.errorcode})`, why: 'past HTTPResponse.body.buffer.limit, 10 MB' }),
    'receiving-body × false-encoding': () => ({ answer: `${said(edgeFaults.decompressionFailure)}`, why: 'Content-Encoding: gzip over a body that is not gzip' }),
    'handshaking × fin': () => ({ answer: said(edgeFaults.serviceUnavailable), why: 'the target closes the TLS handshake' }),
    'handshaking × rst': () => ({ answer: said(edgeFaults.serviceUnavailable), why: 'the target resets the TLS handshake' }),
    'receiving-head × rst': () => ({ answer: said(edgeFaults.unexpectedEof), why: 'the target resets the connection part-way through the response head' }),
  },
  // system.log gets the Edge document's line, the handshake timeout's; the harness writes no other.
  logs: (failure) => failure?.phase === 'handshaking' && failure.fault === 'silence',
};

/** The level the Microgateway document's lines are written at. */
const microgatewayLogging = { logging: { level: 'warn' } };

const microgatewayDemo: PersonalityDemo = {
  path: '/emg_badtarget/flakey/hangup',
  settings: { edgemicro: microgatewayLogging },
  answers: {
    'handshaking × silence': (t) =>
      t.requestTimeoutS > 0 ? { answer: `504 "${GATEWAY_TIMEOUT_MESSAGE}" (request_timeout ${t.requestTimeoutS} s)` } : { answer: 'no answer: Microgateway has no request_timeout by default' },
    'connecting × refused': () => ({ answer: '502 {"message":"connect ECONNREFUSED …"}', why: 'connection refused' }),
    'awaiting-response × fin': () => ({ answer: '502 {"message":"socket hang up","code":"ECONNRESET"}', why: 'the target closes before answering' }),
    'awaiting-response × rst': () => ({ answer: '502 {"message":"read ECONNRESET",…}', why: 'the target resets the connection' }),
    'awaiting-response × silence': (t) => ({ answer: t.requestTimeoutS > 0 ? `504 after request_timeout (${t.requestTimeoutS} s)` : 'no answer: no request_timeout' }),
    'receiving-head × not-http': () => ({ answer: '502 {"message":"Parse Error: Expected HTTP/…"}', why: 'the answer is not HTTP' }),
    'receiving-body × body-on-204': () => ({ answer: '502 {"message":"Parse Error: Data after `Connection: close`",…}', why: 'Node reads the body as a second response' }),
    'receiving-head × headers-over-limit': () => ({ answer: '502 {"message":"Parse Error: Header overflow",…}', why: "Node's parser stops at 16 KiB" }),
    'receiving-body × body-over-limit': () => ({ answer: '200 and the whole body', why: 'it has no payload limit' }),
    'receiving-body × false-encoding': () => ({ answer: '200, the body passed on undecoded' }),
    'handshaking × fin': () => ({ answer: '502 {"message":"Client network socket disconnected before secure TLS connection was established",…}', why: 'the target closes the TLS handshake' }),
    'handshaking × rst': () => ({ answer: '502 {"message":"read ECONNRESET",…}', why: 'the target resets the TLS handshake' }),
    'receiving-head × rst': () => ({ answer: '502 {"message":"read ECONNRESET",…} or "socket hang up" (a race)', why: 'the target resets the connection part-way through the response head' }),
  },
  // It logs every failure it answers: not a response only Edge's policy refuses (it passes that
  // on), nor a silent target when no request_timeout ever answers the request.
  logs: (failure, t) => !failure?.policyRefusal && (failure?.fault !== 'silence' || t.requestTimeoutS > 0),
};

export const personalities: { edge: PersonalityDefinition<EdgeSettings>; microgateway: PersonalityDefinition<MicrogatewaySettings> } = {
  edge: {
    name: 'edge',
    summary: "Apigee Edge's Message Processor: fault JSON, HTTPTargetConnection limits, system.log",
    settingsSchema: edgeSettingsSchema,
    settingNames: edgeSettingPaths,
    flatSettingNames: edgeSettingNames,
    logDirSetting: 'logging.dir',
    withLogDir: (settings, dir) => ({ ...settings, 'logging.dir': dir }),
    poolSettings: (pool) => ({ 'keepalive.timeout.millis': pool.idleTimeoutMs, 'keepalive.honour.hint': pool.honourKeepAliveHint }),
    timeoutSettings: (limits) => ({ 'io.timeout.millis': limits.ioTimeoutMs }),
    demo: edgeDemo,
    parseSettings: parseEdgeSettings,
    create: createEdgePersonality,
  },
  microgateway: {
    name: 'microgateway',
    summary: 'Edge Microgateway (microgateway-core): the Node error as JSON, edgemicro event-log lines',
    settingsSchema: microgatewaySettingsSchema,
    settingNames: microgatewaySettingNames,
    flatSettingNames: new Set(),
    logDirSetting: 'edgemicro.logging.dir',
    withLogDir: (settings, dir) => {
      const edgemicro = (settings.edgemicro ?? {}) as Record<string, unknown>;
      const logging = (edgemicro.logging ?? {}) as Record<string, unknown>;
      return { ...settings, edgemicro: { ...edgemicro, logging: { ...logging, dir } } };
    },
    poolSettings: (pool) => ({ target_idle_timeout: pool.idleTimeoutMs, honour_keep_alive_hint: pool.honourKeepAliveHint }),
    timeoutSettings: (limits) => ({ edgemicro: { ...microgatewayLogging, ...(limits.requestTimeoutS > 0 ? { request_timeout: limits.requestTimeoutS } : {}) } }),
    demo: microgatewayDemo,
    parseSettings: parseMicrogatewaySettings,
    create: createMicrogatewayPersonality,
  },
};

export function isPersonalityName(value: string): value is PersonalityName {
  return (personalityNames as readonly string[]).includes(value);
}

export function personalityNamed(value: string): PersonalityDefinition<EdgeSettings> | PersonalityDefinition<MicrogatewaySettings> {
  if (!isPersonalityName(value)) {
    throw new FaultgateError('E_UNKNOWN_NAME', `unknown personality "${value}"; known: ${personalityNames.join(', ')}`);
  }
  return personalities[value];
}
