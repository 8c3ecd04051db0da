/**
 * What an Envoy bootstrap YAML says about keep-alive: the client side from the first HTTP
 * connection manager's common_http_protocol_options.idle_timeout, the upstream side from the first
 * cluster's (in typed_extension_protocol_options, or the older field on the cluster), and retries
 * from the first route's retry_policy. An idle_timeout of 0s disables the timeout.
 */
import { FaultgateError } from '../../errors.ts';
import { defaultIn, fromFile, retryFrom } from './from-file.ts';
import { envoy, ENVOY_UPSTREAM_OPTIONS } from './envoy.ts';
import type { HopValues } from './index.ts';
import { yamlLines, type YamlLines } from './yaml-lines.ts';

const client = envoy.client!(undefined);
const server = envoy.server!(undefined);

type Path = (string | number)[];

function seconds(yaml: YamlLines, path: Path): number {
  const text = yaml.get(path);
  const match = typeof text === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(text) : undefined;
  if (!match) throw new FaultgateError('E_CONFIG', `${yaml.where(path)}: ${path.join('.')}: expected a duration such as 3600s, got ${JSON.stringify(text)}`);
  const ms = Math.round(Number(match[1]) * 1000);
  return ms === 0 ? Number.POSITIVE_INFINITY : ms;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function connectionManager(yaml: YamlLines): Path | undefined {
  for (const [l, listener] of list(yaml.get(['static_resources', 'listeners'])).entries()) {
    for (const [c, chain] of list((listener as { filter_chains?: unknown }).filter_chains).entries()) {
      for (const [f, filter] of list((chain as { filters?: unknown }).filters).entries()) {
        const type = String((filter as { typed_config?: Record<string, unknown> }).typed_config?.['@type'] ?? '');
        if (type.endsWith('HttpConnectionManager')) return ['static_resources', 'listeners', l, 'filter_chains', c, 'filters', f, 'typed_config'];
      }
    }
  }
  return undefined;
}

export function readEnvoy(file: string, text: string): HopValues {
  const yaml = yamlLines(file, text);
  if (yaml.get(['static_resources']) === undefined) throw new FaultgateError('E_CONFIG', `${file}: no static_resources: is this an Envoy bootstrap?`);
  const values: HopValues = { product: 'envoy' };
  const hcm = connectionManager(yaml);
  if (hcm) {
    const path = [...hcm, 'common_http_protocol_options', 'idle_timeout'];
    values.keepAliveTimeoutMs =
      yaml.get(path) !== undefined
        ? fromFile(seconds(yaml, path), yaml.where(path), `HTTP connection manager idle_timeout ${String(yaml.get(path))}`, server.knob, file)
        : defaultIn(server.keepAliveMs, server.keepAliveFrom, `the HTTP connection manager at ${yaml.where(hcm)}`, server.knob, file);
    const routes = [...hcm, 'route_config', 'virtual_hosts', 0];
    const retry = [[...routes, 'routes', 0, 'route', 'retry_policy', 'retry_on'], [...routes, 'retry_policy', 'retry_on']].find((each) => yaml.get(each) !== undefined);
    if (retry) {
      const on = String(yaml.get(retry));
      const resets = /\b(reset|connect-failure|5xx|gateway-error)\b/.test(on);
      values.retries = retryFrom({ get: resets, post: resets, why: `retry_on: ${on}: Envoy's router retries whatever the method`, setting: 'retry_policy.retry_on' }, yaml.where(retry));
    }
  }
  if (list(yaml.get(['static_resources', 'clusters'])).length) {
    const cluster: Path = ['static_resources', 'clusters', 0];
    const paths = [
      [...cluster, 'typed_extension_protocol_options', ENVOY_UPSTREAM_OPTIONS, 'common_http_protocol_options', 'idle_timeout'],
      [...cluster, 'common_http_protocol_options', 'idle_timeout'],
    ];
    const path = paths.find((each) => yaml.get(each) !== undefined);
    values.idleTimeoutMs = path
      ? fromFile(seconds(yaml, path), yaml.where(path), `cluster idle_timeout ${String(yaml.get(path))}`, client.knob, file)
      : defaultIn(client.idleMs, client.idleFrom, `the cluster at ${yaml.where(cluster)}`, client.knob, file);
  }
  return values;
}
