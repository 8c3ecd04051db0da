/**
 * Apache httpd. Client side (core): KeepAlive On, KeepAliveTimeout 5 seconds, and a
 * Keep-Alive: timeout=5, max=100 header on kept connections. Upstream side (mod_proxy): backend
 * connections are pooled and reused with no idle limit unless ProxyPass has ttl=N; httpd documents
 * the race itself (proxy-initial-not-pooled) and does not send a failed request again.
 */
import { seconds, type Preset } from './types.ts';

export const apache: Preset = {
  name: 'apache',
  title: 'Apache httpd',
  sources: [
    { title: 'Apache core: KeepAliveTimeout', url: 'https://httpd.apache.org/docs/2.4/mod/core.html#keepalivetimeout' },
    { title: 'mod_proxy: ProxyPass worker parameters (ttl, disablereuse)', url: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass' },
    { title: 'mod_proxy_http: proxy-initial-not-pooled', url: 'https://httpd.apache.org/docs/2.4/mod/mod_proxy_http.html#env' },
  ],
  settings: ['KeepAliveTimeout', 'KeepAlive', 'ttl', 'disablereuse', 'proxy-initial-not-pooled'],
  client: () => ({
    idleMs: Number.POSITIVE_INFINITY,
    idleFrom: "mod_proxy reuses a backend connection with no idle limit of its own unless ProxyPass sets ttl",
    knob: seconds('ttl', 'the ProxyPass line (a worker parameter)', (value) => `ProxyPass <path> <url> ttl=${value}`),
    honoursHint: false,
    hintFrom: 'httpd documents no use of a Keep-Alive hint from the backend',
    retries: {
      get: false,
      post: false,
      why: 'mod_proxy_http answers 502 when a reused backend connection fails; its docs offer proxy-initial-not-pooled against that race, not a retry',
      setting: 'proxy-initial-not-pooled',
    },
  }),
  server: () => ({
    keepAliveMs: 5000,
    keepAliveFrom: 'httpd KeepAliveTimeout, 5 seconds by default',
    knob: seconds('KeepAliveTimeout', 'httpd.conf', (value) => `KeepAliveTimeout ${value}`),
    advertisesHint: true,
    hintFrom: 'httpd sends Keep-Alive: timeout=N, max=M on kept connections',
    closes: 'silently',
  }),
};
