/**
 * What a hop's real configuration file, or its product's documented defaults, say about its
 * keep-alive behaviour: each value with where it came from, so the report can say which ones were
 * defaulted and on whose authority.
 *
 *  - Edge Microgateway (an org-env-config.yaml, known by its `edgemicro:` section): the
 *    client-facing side is `edgemicro.keep_alive_timeout`, Node's 5000 ms when unset; the target
 *    side is what the Microgateway document calls the operating system's keep-alive (two hours on
 *    Linux), which the harness's config calls `target_idle_timeout`.
 *  - Apigee Edge (a TargetEndpoint XML): the target side is `keepalive.timeout.millis` among the
 *    HTTPTargetConnection properties, 60000 ms when absent.
 *  - Node.js's http.Server (no file): keepAliveTimeout 5000 ms, advertised as Keep-Alive: timeout=5.
 */
import { readTargetEndpoint } from '../config/edge.ts';
import type { LoadedFile } from '../config/load-file.ts';
import { parseMicrogatewaySettings } from '../config/microgateway.ts';
import { FaultgateError } from '../errors.ts';
import type { ProductName } from './chain-schema.ts';

export type ValueSource = 'chain' | 'config' | 'default';

export interface Sourced<T> {
  value: T;
  source: ValueSource;
  /** the file and field it was read from, or the authority for the default */
  from: string;
  /** the setting a fix should change to move this value */
  setting: string;
}

export interface HopValues {
  product?: ProductName | undefined;
  idleTimeoutMs?: Sourced<number> | undefined;
  keepAliveTimeoutMs?: Sourced<number> | undefined;
  honoursHint?: Sourced<boolean> | undefined;
  advertisesHint?: Sourced<boolean> | undefined;
}

/** Node's http.Server default keepAliveTimeout (and so the N of the hint it sends, 5). */
export const NODE_KEEP_ALIVE_TIMEOUT_MS = 5000;
/** The operating system's TCP keep-alive the Microgateway document names: two hours on Linux. */
export const OS_KEEP_ALIVE_MS = 2 * 60 * 60 * 1000;
/** Apigee Edge's default keepalive.timeout.millis. */
export const EDGE_KEEPALIVE_TIMEOUT_MS = 60000;

const OS_MEANING = "(the operating system's keep-alive the Microgateway document means)";

const defaulted = <T>(value: T, from: string, setting: string): Sourced<T> => ({ value, source: 'default', from, setting });

/** A product's documented defaults, for a hop that names its product but no file. */
export function productDefaults(product: ProductName): HopValues {
  switch (product) {
    case 'microgateway':
      return microgatewayValues(undefined, {});
    case 'edge':
      return edgeValues(undefined, {});
    case 'node':
      return {
        product,
        keepAliveTimeoutMs: defaulted(NODE_KEEP_ALIVE_TIMEOUT_MS, "Node's http.Server default keepAliveTimeout", 'server.keepAliveTimeout'),
        advertisesHint: defaulted(true, "Node's http.Server sends Keep-Alive: timeout=N with N its keepAliveTimeout in whole seconds", 'server.keepAliveTimeout'),
      };
  }
}

/** Reads a hop's configuration file; which product it is follows from the file's shape. */
export function valuesFromConfig(loaded: LoadedFile): HopValues {
  if (loaded.format === 'xml') {
    const endpoint = readTargetEndpoint(loaded);
    return edgeValues(loaded.file, endpoint.settings);
  }
  const data = loaded.data;
  if (data && typeof data === 'object' && !Array.isArray(data) && 'edgemicro' in data) {
    return microgatewayValues(loaded.file, data as Record<string, unknown>);
  }
  throw new FaultgateError(
    'E_CONFIG',
    `${loaded.file}: neither an Edge Microgateway org-env-config.yaml (it has no edgemicro: section) nor an Apigee Edge TargetEndpoint XML`,
  );
}

function microgatewayValues(file: string | undefined, data: Record<string, unknown>): HopValues {
  const settings = parseMicrogatewaySettings(data, file ?? 'microgateway defaults');
  const inFile = (field: string) => (file ? `${field} in ${file}` : field);
  const kat = settings.edgemicro.keep_alive_timeout;
  const keepAliveSetting = inFile('edgemicro.keep_alive_timeout');
  const idleSetting = file ? `target_idle_timeout in ${file} ${OS_MEANING}` : `target_idle_timeout ${OS_MEANING}`;
  return {
    product: 'microgateway',
    keepAliveTimeoutMs:
      kat !== undefined && file
        ? { value: kat, source: 'config', from: `${file}: edgemicro.keep_alive_timeout`, setting: keepAliveSetting }
        : defaulted(NODE_KEEP_ALIVE_TIMEOUT_MS, "Node's http.Server default keepAliveTimeout, which microgateway-core keeps when edgemicro.keep_alive_timeout is unset", keepAliveSetting),
    // microgateway-core copies every target header but Connection, so Node's server adds its own hint.
    advertisesHint: defaulted(true, "Node's http.Server sends Keep-Alive: timeout=N and microgateway-core sends no Connection header of its own", keepAliveSetting),
    idleTimeoutMs:
      settings.target_idle_timeout !== undefined && file
        ? { value: settings.target_idle_timeout, source: 'config', from: `${file}: target_idle_timeout`, setting: idleSetting }
        : defaulted(OS_KEEP_ALIVE_MS, "the operating system's TCP keep-alive, two hours by default on Linux (the Microgateway document)", idleSetting),
    honoursHint:
      file && 'honour_keep_alive_hint' in data
        ? { value: settings.honour_keep_alive_hint, source: 'config', from: `${file}: honour_keep_alive_hint`, setting: inFile('honour_keep_alive_hint') }
        : defaulted(false, "microgateway-core's http.Agent({ keepAlive: true }) has no timeout of its own, so Node ignores the hint", inFile('honour_keep_alive_hint')),
  };
}

function edgeValues(file: string | undefined, properties: Record<string, unknown>): HopValues {
  const setting = file ? `keepalive.timeout.millis in ${file}` : 'keepalive.timeout.millis';
  const millis = properties['keepalive.timeout.millis'];
  if (millis === 0) {
    throw new FaultgateError('E_CONFIG', `${file}: Property keepalive.timeout.millis: 0 gives no idle limit to compare; set a number of milliseconds above 0`);
  }
  return {
    product: 'edge',
    idleTimeoutMs:
      typeof millis === 'number' && file
        ? { value: millis, source: 'config', from: `${file}: HTTPTargetConnection property keepalive.timeout.millis`, setting }
        : defaulted(EDGE_KEEPALIVE_TIMEOUT_MS, "Apigee Edge's default keepalive.timeout.millis", setting),
    honoursHint: defaulted(false, 'assumed: Apigee documents no use of the Keep-Alive hint by the Message Processor', setting),
  };
}
