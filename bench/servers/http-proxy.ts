/**
 * The baseline: the least a reverse proxy on http-proxy can do. One keep-alive agent, the same
 * `changeOrigin` as the gateway, a bare 502 on any upstream error, nothing else. Options: { target }.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import httpProxy from 'http-proxy';
import { childOptions, runAsChild, type ServerReady } from '../lib/as-child.ts';

runAsChild<ServerReady>(async () => {
  const { target } = childOptions<{ target: string }>();
  const agent = new http.Agent({ keepAlive: true });
  const proxy = httpProxy.createProxyServer({ target, agent, changeOrigin: true });
  proxy.on('error', (_error, _req, res) => {
    if (res instanceof http.ServerResponse && !res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  const server = http.createServer((req, res) => proxy.web(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      agent.destroy();
      proxy.close();
    });
  return { ready: { url: `http://127.0.0.1:${port}`, pid: process.pid }, role: { close } };
});
