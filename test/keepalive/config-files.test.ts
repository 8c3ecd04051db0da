/**
 * The readers of real configuration files: each value with the file and line it came from (through
 * nginx's include), what a file leaves to the product's defaults, the settings that turn pooling off
 * and the retry policies, and a broken file as one line naming the file and the line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChain } from '../../harness/keepalive/chain.ts';
import { readProductFile } from '../../harness/keepalive/products/read-file.ts';
import { connectionsOf, exposure } from '../../harness/keepalive/rule.ts';
import { tempDir } from '../helpers.ts';

const nginxSite = (location: string, upstream = '    keepalive 8;\n') =>
  `events {}\nhttp {\n  upstream app {\n    server 127.0.0.1:3000;\n${upstream}  }\n  server {\n    listen 80;\n    location / {\n      proxy_pass http://app;\n${location}    }\n  }\n}\n`;

function nginxFile(text: string): string {
  const file = join(tempDir(), 'nginx.conf');
  writeFileSync(file, text);
  return file;
}

describe('nginx.conf', () => {
  it('reads both sides through an include, with file and line, and names the default it used', () => {
    const values = readProductFile('examples/configs/nginx/nginx.conf', undefined);
    expect(values.product).toBe('nginx');
    expect(values.keepAliveTimeoutMs).toMatchObject({ value: 65000, source: 'config', from: 'examples/configs/nginx/nginx.conf:22: keepalive_timeout 65' });
    expect(values.advertisesHint).toMatchObject({ value: false });
    expect(values.idleTimeoutMs).toMatchObject({ value: 60000, source: 'default', knob: { setting: 'keepalive_timeout', where: 'the upstream orders block at examples/configs/nginx/conf.d/orders.conf:2' } });
  });

  it('reuses no connection without keepalive, HTTP/1.1 and an empty Connection header', () => {
    const full = '      proxy_http_version 1.1;\n      proxy_set_header Connection "";\n';
    expect(readProductFile(nginxFile(nginxSite(full, '    keepalive 8;\n    keepalive_timeout 4s;\n')), 'nginx').idleTimeoutMs).toMatchObject({ value: 4000, source: 'config' });
    expect(readProductFile(nginxFile(nginxSite(full, '')), 'nginx').idleTimeoutMs?.from).toMatch(/nginx\.conf:3: upstream app has no keepalive directive/);
    expect(readProductFile(nginxFile(nginxSite('')), 'nginx').idleTimeoutMs?.from).toMatch(/proxy_http_version is 1\.0/);
    expect(readProductFile(nginxFile(nginxSite('      proxy_http_version 1.1;\n')), 'nginx').idleTimeoutMs?.from).toMatch(/Connection: close/);
  });

  it("reads keepalive_timeout's header parameter and proxy_next_upstream", () => {
    const values = readProductFile(nginxFile(nginxSite('      proxy_next_upstream error timeout non_idempotent;\n').replace('events {}', 'events {}\n# a comment { ;\n').replace('http {', 'http {\n  keepalive_timeout 75s 70s;')), 'nginx');
    expect(values.advertisesHint?.value).toBe(true);
    expect(values.hintSeconds?.value).toBe(70);
    expect(values.retries?.value).toMatchObject({ get: true, post: true });
  });

  it('a broken file is one line naming it', () => {
    expect(() => readProductFile(nginxFile('http {\n  keepalive_timeout 5s;\n'), 'nginx')).toThrow(/nginx\.conf: unexpected end of file/);
    expect(() => readProductFile(nginxFile('http {\n  keepalive_timeout soon;\n}\n'), 'nginx')).toThrow(/nginx\.conf:2: keepalive_timeout: expected a duration/);
  });
});

describe('httpd.conf, haproxy.cfg, Envoy YAML', () => {
  it('reads KeepAliveTimeout and the ProxyPass worker', () => {
    const values = readProductFile('examples/configs/apache/httpd.conf', undefined);
    expect(values).toMatchObject({ product: 'apache', keepAliveTimeoutMs: { value: 5000, from: 'examples/configs/apache/httpd.conf:10: KeepAliveTimeout 5' } });
    expect(values.idleTimeoutMs?.value).toBe(Number.POSITIVE_INFINITY);
    const file = join(tempDir(), 'httpd.conf');
    writeFileSync(file, 'KeepAliveTimeout 300ms\nProxyPass / http://app:8080/ ttl=4\n');
    expect(readProductFile(file, 'apache')).toMatchObject({ keepAliveTimeoutMs: { value: 300 }, idleTimeoutMs: { value: 4000, source: 'config' } });
  });

  it("takes the frontend's timeout http-keep-alive over the defaults' timeout client", () => {
    const values = readProductFile('examples/configs/haproxy/haproxy.cfg', undefined);
    expect(values).toMatchObject({ product: 'haproxy', keepAliveTimeoutMs: { value: 30000, from: 'examples/configs/haproxy/haproxy.cfg:20: timeout http-keep-alive 30s' } });
    expect(values.idleTimeoutMs).toMatchObject({ value: 5000, source: 'default' });
  });

  it('reads both idle timeouts and the retry policy of an Envoy bootstrap', () => {
    const values = readProductFile('examples/configs/envoy/envoy.yaml', undefined);
    expect(values).toMatchObject({
      product: 'envoy',
      keepAliveTimeoutMs: { value: 300000, from: 'examples/configs/envoy/envoy.yaml:15: HTTP connection manager idle_timeout 300s' },
      idleTimeoutMs: { value: 30000, from: 'examples/configs/envoy/envoy.yaml:39: cluster idle_timeout 30s' },
      retries: { value: { get: true, post: true } },
    });
  });
});

describe('the example chains built from real files', () => {
  it.each([
    ['nginx-to-node', [['race', 'race, hidden by retries for GET, exposed for POST']]],
    ['alb-microgateway-node', [['safe', undefined], ['race', 'race, exposed for GET and POST (no retries)']]],
    ['edge-to-apache', [['race', 'race, exposed for GET and POST (no retries)'], ['race', 'race, exposed for GET and POST (no retries)']]],
    ['haproxy-to-tomcat', [['safe', undefined], ['safe', undefined]]],
    ['envoy-to-node', [['race', 'race, hidden by retries for GET and POST']]],
  ] as const)('%s', (name, expected) => {
    const connections = connectionsOf(loadChain(`examples/chains/${name}.yaml`));
    expect(connections.map((connection) => [connection.verdict, exposure(connection)])).toEqual(expected);
  });
});
