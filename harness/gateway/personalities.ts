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
