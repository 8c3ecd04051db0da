/**
 * The products a chain's hop can name (`product: nginx`, optionally with `version:`), one preset
 * per file, and what a hop's values are before the chain overrides any: the preset's documented
 * defaults, or what the hop's real configuration file says (each value with its file and line).
 */
import type { LoadedFile } from '../../config/load-file.ts';
import { FaultgateError } from '../../errors.ts';
import { alb } from './alb.ts';
import { apache } from './apache.ts';
import { edge } from './edge.ts';
import { envoy } from './envoy.ts';
import { haproxy } from './haproxy.ts';
import { microgateway } from './microgateway.ts';
import { nginx } from './nginx.ts';
import { node } from './node.ts';
import { tomcat } from './tomcat.ts';
import type { CloseStyle, Preset, RetryPolicy, Sourced } from './types.ts';
import { undici } from './undici.ts';

export type { CloseStyle, Knob, Preset, RetryPolicy, Sourced, ValueSource } from './types.ts';

export const presets = { alb, nginx, apache, haproxy, envoy, node, undici, edge, microgateway, tomcat } as const satisfies Record<string, Preset>;
export type ProductName = keyof typeof presets;
export const productNames = Object.keys(presets) as ProductName[];

export const isProductName = (name: string): name is ProductName => Object.hasOwn(presets, name);

/** What a hop knows before the chain's own values: from a preset, a file, or both. */
export interface HopValues {
  product?: ProductName | undefined;
  version?: string | undefined;
  idleTimeoutMs?: Sourced<number> | undefined;
  keepAliveTimeoutMs?: Sourced<number> | undefined;
  honoursHint?: Sourced<boolean> | undefined;
  advertisesHint?: Sourced<boolean> | undefined;
  hintSeconds?: Sourced<number> | undefined;
  /** Node's agent: 1000 ms; undici: its keepAliveTimeoutThreshold */
  hintMarginMs?: number | undefined;
  retries?: Sourced<RetryPolicy> | undefined;
  /** said plainly in a fix when the idle limit has no setting */
  noKnob?: string | undefined;
  closes?: CloseStyle | undefined;
}

/** The version a hop's `version:` names, checked against the preset's list. */
export function presetVersion(product: ProductName, version: string | undefined): string | undefined {
  const preset: Preset = presets[product];
  if (version === undefined) return preset.versions?.[0];
  if (!preset.versions) throw new FaultgateError('E_CONFIG', `version: ${product} has one set of defaults; remove version:`);
  const known = preset.versions.find((each) => version === each || version.startsWith(`${each}.`));
  if (!known) throw new FaultgateError('E_CONFIG', `version: ${product} knows ${preset.versions.join(', ')}, got "${version}"`);
  return known;
}

const defaulted = <T>(value: T, from: string, setting: string, extra: Partial<Sourced<T>> = {}): Sourced<T> => ({ value, source: 'default', from, setting, ...extra });

/** A product's documented defaults, for a hop that names its product but no file. */
export function productDefaults(product: ProductName, version?: string): HopValues {
  const preset: Preset = presets[product];
  const known = presetVersion(product, version);
  const label = `${preset.title}${known ? ` ${known}` : ''}`;
  const values: HopValues = { product, version: known };
  const client = preset.client?.(known);
  if (client) {
    const where = client.knob ? `${client.knob.setting} (${client.knob.where})` : `${label}'s idle limit towards the next hop`;
    values.idleTimeoutMs = defaulted(client.idleMs, client.idleFrom, where, { knob: client.knob });
    values.honoursHint = defaulted(client.honoursHint, client.hintFrom, where);
    values.hintMarginMs = client.hintMarginMs;
    values.retries = defaulted(client.retries, client.retries.why, client.retries.setting ?? `${label}'s retry policy`);
    values.noKnob = client.noKnob;
  }
  const server = preset.server?.(known);
  if (server) {
    const where = `${server.knob.setting} (${server.knob.where})`;
    values.keepAliveTimeoutMs = defaulted(server.keepAliveMs, server.keepAliveFrom, where, { knob: server.knob });
    values.advertisesHint = defaulted(server.advertisesHint, server.hintFrom, where);
    values.closes = server.closes;
  }
  return values;
}

/** The preset's values with a file's values laid over them. */
export function overlay(base: HopValues, file: HopValues): HopValues {
  const out: HopValues = { ...base };
  for (const [key, value] of Object.entries(file) as [keyof HopValues, HopValues[keyof HopValues]][]) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

export type { LoadedFile };
