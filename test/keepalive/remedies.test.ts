/**
 * The remedy check offers where Microgateway's target side has no setting, tried on the real
 * engine: a target that never closes an idle connection itself (Node: server.keepAliveTimeout = 0)
 * keeps the engine's pooled connection usable after a gap longer than Node's default 5 s would
 * allow at this scale, and the engine reuses it rather than open another.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it, onTestFinished } from 'vitest';
import { startMicrogatewayCore } from '../../harness/reference/microgateway-core.ts';
import { request } from '../helpers.ts';

it('a Node target with server.keepAliveTimeout = 0 never closes the connection microgateway-core keeps', async () => {
  const connections: unknown[] = [];
  const target = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{"ok":true}'));
  });
  target.keepAliveTimeout = 0;
  target.on('connection', (socket) => connections.push(socket));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    // It keeps every connection for ever: they are ended here, or close() would wait on them.
    target.closeAllConnections();
    return new Promise<void>((resolve) => target.close(() => resolve()));
  });
  const engine = await startMicrogatewayCore({ version: '3.1.6', target: `http://127.0.0.1:${(target.address() as AddressInfo).port}` });
  onTestFinished(() => engine.close());

  const url = `${engine.url}/orders`;
  expect((await request(url)).status).toBe(200);
  // Past the idle time after which Node's default (5 s, scaled here to the 300 ms the harness uses) would have closed it.
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect((await request(url)).status).toBe(200);
  expect(connections).toHaveLength(1);
});
