/**
 * Envoy. The HTTP protocol idle_timeout, one hour by default, closes a connection with no active
 * stream; the HTTP connection manager's common_http_protocol_options sets it for downstream
 * connections, the cluster's HttpProtocolOptions for upstream ones. Without a retry_policy the
 * router sends nothing again.
 */
import { seconds, type Preset } from './types.ts';

const timeouts = 'https://www.envoyproxy.io/docs/envoy/latest/faq/configuration/timeouts';

export const ENVOY_UPSTREAM_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

export const envoy: Preset = {
  name: 'envoy',
  title: 'Envoy',
  sources: [
    { title: 'Envoy FAQ: How do I configure timeouts? (idle_timeout, 1 hour by default)', url: timeouts },
    { title: 'Envoy router: retry_policy (no retries unless configured)', url: 'https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#envoy-v3-api-msg-config-route-v3-retrypolicy' },
  ],
  settings: ['common_http_protocol_options.idle_timeout', 'retry_policy.retry_on'],
  client: () => ({
    idleMs: 3_600_000,
    idleFrom: "Envoy's HTTP protocol idle_timeout for upstream connections, 1 hour by default",
    knob: seconds('common_http_protocol_options.idle_timeout', `the cluster's typed_extension_protocol_options.${ENVOY_UPSTREAM_OPTIONS}`, (value) => `idle_timeout: ${value}s`),
    honoursHint: false,
    hintFrom: 'Envoy documents no use of a Keep-Alive hint from upstreams',
    retries: { get: false, post: false, why: 'no retry_policy: the router sends nothing again', setting: 'retry_policy.retry_on' },
  }),
  server: () => ({
    keepAliveMs: 3_600_000,
    keepAliveFrom: "Envoy's HTTP protocol idle_timeout for downstream connections, 1 hour by default",
    knob: seconds('common_http_protocol_options.idle_timeout', "the HTTP connection manager's typed_config", (value) => `idle_timeout: ${value}s`),
    advertisesHint: false,
    hintFrom: 'Envoy sends no Keep-Alive header of its own',
    closes: 'silently',
  }),
};
