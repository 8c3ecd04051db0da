/**
 * nginx. Client side (ngx_http_core_module): keepalive_timeout 75s, and a Keep-Alive: timeout=N
 * header only when its second parameter is given. Upstream side (ngx_http_upstream_module): no
 * connection is reused unless the upstream block has `keepalive N` (with proxy_http_version 1.1 and
 * an empty Connection header); a reused connection idles keepalive_timeout 60s (1.15.3+).
 * proxy_next_upstream's default "error timeout" sends a failed request again, but not POST, LOCK or
 * PATCH once it has been sent (1.9.13+) unless non_idempotent is listed.
 */
import { seconds, type Preset } from './types.ts';

const core = 'https://nginx.org/en/docs/http/ngx_http_core_module.html#keepalive_timeout';
const upstream = 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_timeout';
const proxy = 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream';

export const nginxRetries = (nonIdempotent: boolean, off: boolean) => ({
  get: !off,
  post: !off && nonIdempotent,
  why: off
    ? 'proxy_next_upstream off: a failed request is not sent again'
    : nonIdempotent
      ? 'proxy_next_upstream lists non_idempotent: every failed request is sent again, POST too'
      : 'proxy_next_upstream error timeout (the default) sends a failed GET again; POST, LOCK and PATCH are not sent again once sent (nginx 1.9.13+)',
  setting: 'proxy_next_upstream',
});

export const nginx: Preset = {
  name: 'nginx',
  title: 'nginx',
  sources: [
    { title: 'ngx_http_core_module: keepalive_timeout', url: core },
    { title: 'ngx_http_upstream_module: keepalive, keepalive_timeout', url: upstream },
    { title: 'ngx_http_proxy_module: proxy_next_upstream', url: proxy },
  ],
  settings: ['keepalive_timeout', 'keepalive', 'proxy_http_version', 'proxy_next_upstream'],
  client: () => ({
    idleMs: 60_000,
    idleFrom: 'nginx upstream keepalive_timeout, 60s by default (nginx 1.15.3+), once the upstream block has keepalive N',
    knob: seconds('keepalive_timeout', 'the upstream block', (value) => `keepalive_timeout ${value}s;`),
    honoursHint: false,
    hintFrom: 'nginx documents no use of a Keep-Alive hint from the upstream',
    retries: nginxRetries(false, false),
  }),
  server: () => ({
    keepAliveMs: 75_000,
    keepAliveFrom: 'nginx keepalive_timeout, 75s by default (ngx_http_core_module)',
    knob: seconds('keepalive_timeout', 'the http or server block', (value) => `keepalive_timeout ${value}s;`),
    advertisesHint: false,
    hintFrom: "nginx sends Keep-Alive: timeout=N only when keepalive_timeout's second parameter is given",
    closes: 'silently',
  }),
};
