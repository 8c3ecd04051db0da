/**
 * Reads a chain file into hops whose every value is known and says where it came from: the chain
 * itself, the hop's configuration file, or a documented default. Any mistake is one line naming
 * the chain file, the field (and the hop), and what to do.
 *
 * Where a hop stands decides what it must know: every hop but the last keeps connections to the
 * next hop (idle_timeout_ms), every hop but the first keeps connections from the previous one
 * (keep_alive_timeout_ms).
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { parseConfigText, readConfigText } from '../config/load-file.ts';
import { FaultgateError, isFaultgateError } from '../errors.ts';
import { chainSchema, describeChainIssue, type HopInput, type ProductName } from './chain-schema.ts';
import { overlay, presetVersion, productDefaults, type CloseStyle, type HopValues, type RetryPolicy, type Sourced } from './products/index.ts';
import { readProductFile } from './products/read-file.ts';

export interface Hop {
  /** 0-based position, client side first */
  index: number;
  name: string;
  product?: ProductName | undefined;
  version?: string | undefined;
  /** the configuration file it was read from, as the user can find it */
  config?: string | undefined;
  /** how long it keeps an idle connection to the next hop (every hop but the last) */
  idleTimeoutMs?: Sourced<number> | undefined;
  /** how long it keeps an idle connection from the previous hop (every hop but the first) */
  keepAliveTimeoutMs?: Sourced<number> | undefined;
  honoursHint: Sourced<boolean>;
  advertisesHint: Sourced<boolean>;
  /** the N of the Keep-Alive: timeout=N it sends (known when keepAliveTimeoutMs is) */
  hintSeconds?: Sourced<number> | undefined;
  /** a hint of N s retires a connection at N s less this (Node's agent: 1000 ms) */
  hintMarginMs: number;
  /** what it sends again when a request fails on a connection it reused */
  retries: Sourced<RetryPolicy>;
  /** said plainly in a fix when its idle limit has no setting */
  noKnob?: string | undefined;
  closes?: CloseStyle | undefined;
}

const retryPolicies: Record<'none' | 'idempotent' | 'all', RetryPolicy> = {
  none: { get: false, post: false, why: 'sends nothing again' },
  idempotent: { get: true, post: false, why: 'sends a failed GET again, never a POST' },
  all: { get: true, post: true, why: 'sends any failed request again' },
};

export interface Chain {
  file: string;
  hops: Hop[];
}

export function loadChain(file: string): Chain {
  return parseChain(file, readConfigText(file));
}

export function parseChain(file: string, text: string): Chain {
  const data = parseConfigText(file, text, 'yaml').data;
  const result = chainSchema.safeParse(data, { reportInput: true });
  if (!result.success) throw new FaultgateError('E_CONFIG', `${file}: ${describeChainIssue(result.error, data)}`);
  const hops = result.data.hops;
  return { file, hops: hops.map((hop, index) => resolveHop(file, hop, index, hops.length)) };
}

function resolveHop(file: string, input: HopInput, index: number, count: number): Hop {
  const field = (name: string) => `hops.${index}.${name} (hop "${input.name}")`;
  const fail = (name: string, message: string): never => {
    throw new FaultgateError('E_CONFIG', `${file}: ${field(name)}: ${message}`);
  };

  let base: HopValues = {};
  let config: string | undefined;
  if (!input.product && input.version !== undefined) fail('version', 'a version needs product: to say whose');
  try {
    if (input.product) base = productDefaults(input.product, input.version);
    if (input.config !== undefined) {
      config = displayPath(resolve(dirname(file), input.config));
      const read = readProductFile(config, input.product);
      if (!input.product && read.product) base = productDefaults(read.product, presetVersion(read.product, undefined));
      base = overlay(base, read);
    }
  } catch (error) {
    if (isFaultgateError(error)) fail(input.config !== undefined && !error.message.startsWith('version') ? 'config' : 'version', error.message.replace(/^version: /, ''));
    throw error;
  }

  const fromChain = <T>(name: keyof HopInput, value: T | undefined): Sourced<T> | undefined =>
    value === undefined ? undefined : { value, source: 'chain', from: `${file}: hops.${index}.${name}`, setting: `${name} of hop "${input.name}" in ${file}` };
  const assumedNot = (name: keyof HopInput): Sourced<boolean> => ({
    value: false,
    source: 'default',
    from: 'not given: assumed not, which can only make the verdict stricter',
    setting: `${name} of hop "${input.name}" in ${file}`,
  });

  const idleTimeoutMs = fromChain('idle_timeout_ms', input.idle_timeout_ms) ?? base.idleTimeoutMs;
  const keepAliveTimeoutMs = fromChain('keep_alive_timeout_ms', input.keep_alive_timeout_ms) ?? base.keepAliveTimeoutMs;
  const knownBy = config ? `${config} does not set it and its product documents no default` : 'no config: or product: gives a default';
  if (index < count - 1 && !idleTimeoutMs) {
    fail('idle_timeout_ms', `missing: how long this hop keeps an idle connection to the next hop (${knownBy}); add it in milliseconds`);
  }
  if (index > 0 && !keepAliveTimeoutMs) {
    fail('keep_alive_timeout_ms', `missing: how long this hop keeps an idle connection from the previous hop (${knownBy}); add it in milliseconds`);
  }

  let hintSeconds = fromChain('keep_alive_hint_seconds', input.keep_alive_hint_seconds) ?? (input.keep_alive_timeout_ms === undefined ? base.hintSeconds : undefined);
  if (!hintSeconds && keepAliveTimeoutMs) {
    hintSeconds = {
      value: Math.floor(keepAliveTimeoutMs.value / 1000),
      source: 'default',
      from: 'keep_alive_timeout_ms in whole seconds, rounded down, as Node and Tomcat write it',
      setting: `keep_alive_hint_seconds of hop "${input.name}" in ${file}`,
    };
  }

  return {
    index,
    name: input.name,
    product: base.product,
    config,
    idleTimeoutMs,
    keepAliveTimeoutMs,
    honoursHint: fromChain('honours_keep_alive_hint', input.honours_keep_alive_hint) ?? base.honoursHint ?? assumedNot('honours_keep_alive_hint'),
    advertisesHint: fromChain('advertises_keep_alive_hint', input.advertises_keep_alive_hint) ?? base.advertisesHint ?? assumedNot('advertises_keep_alive_hint'),
    hintSeconds,
    hintMarginMs: base.hintMarginMs ?? 1000,
    retries:
      input.retries !== undefined
        ? { value: retryPolicies[input.retries], source: 'chain', from: `${file}: hops.${index}.retries`, setting: `retries of hop "${input.name}" in ${file}` }
        : (base.retries ?? { value: retryPolicies.none, source: 'default', from: 'not given: assumed to send nothing again', setting: `retries of hop "${input.name}" in ${file}` }),
    noKnob: input.idle_timeout_ms === undefined ? base.noKnob : undefined,
    closes: base.closes,
    version: base.version,
  };
}

/** Paths under the working folder are shown relative to it, others in full. */
function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown && !shown.startsWith('..') && !isAbsolute(shown) ? shown : path;
}
