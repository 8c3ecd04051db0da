/**
 * Every personality, by name: how its settings are read and how it is built. To add one, write a
 * module beside edge.ts and microgateway.ts and name it here.
 */
import type { z } from 'zod';
import { edgeSettingNames, edgeSettingsSchema, parseEdgeSettings, type EdgeSettings } from '../config/edge.ts';
import { microgatewaySettingNames, microgatewaySettingsSchema, parseMicrogatewaySettings, type MicrogatewaySettings } from '../config/microgateway.ts';
import { FaultgateError } from '../errors.ts';
import { createEdgePersonality } from './edge.ts';
import { createMicrogatewayPersonality } from './microgateway.ts';
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
  /** the request path its demonstrations send (the document's own, where it has one) */
  demoPath: string;
  parseSettings(input: unknown, source?: string): Settings;
  create(settings: Settings, target: URL): Personality;
}

export const personalities: { edge: PersonalityDefinition<EdgeSettings>; microgateway: PersonalityDefinition<MicrogatewaySettings> } = {
  edge: {
    name: 'edge',
    summary: "Apigee Edge's Message Processor: fault JSON, HTTPTargetConnection limits, system.log",
    settingsSchema: edgeSettingsSchema,
    settingNames: edgeSettingNames,
    flatSettingNames: edgeSettingNames,
    logDirSetting: 'logging.dir',
    withLogDir: (settings, dir) => ({ ...settings, 'logging.dir': dir }),
    poolSettings: (pool) => ({ 'keepalive.timeout.millis': pool.idleTimeoutMs, 'keepalive.honour.hint': pool.honourKeepAliveHint }),
    timeoutSettings: (limits) => ({ 'io.timeout.millis': limits.ioTimeoutMs }),
    demoPath: '/v1/orders',
    parseSettings: parseEdgeSettings,
    create: (settings) => createEdgePersonality(settings),
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
    timeoutSettings: (limits) => ({ edgemicro: { logging: { level: 'warn' }, ...(limits.requestTimeoutS > 0 ? { request_timeout: limits.requestTimeoutS } : {}) } }),
    demoPath: '/emg_badtarget/flakey/hangup',
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
