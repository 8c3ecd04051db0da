/**
 * The standalone commands as a user runs them, for the Edge document: `faultgate backend
 * swallow-client-hello` and `faultgate gateway --personality edge --set io.timeout.millis=1000
 * --set logging.dir=<dir>` in front of it. The 502 with the document's fault JSON comes after
 * about 1 s, system.log holds the handshakeTimeout line with an age near 1000 ms, and both
 * commands close everything and exit 0 on SIGINT. (The timer's own run is judged in-process, by
 * test/gateway/edge-handshake-timeout.test.ts.)
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_SLACK_MS } from '../../harness/runner/timing-verdict.ts';
import { listenersOf, request, startCli, tempDir } from '../helpers.ts';

const BAD_GATEWAY = '{"fault":{"faultstring":"Bad Gateway","detail":{"errorcode":"messaging.adaptors.http.flow.BadGateway"}}}';

describe('faultgate gateway --personality edge in front of faultgate backend swallow-client-hello', () => {
  it('answers 502 Bad Gateway after io.timeout.millis=1000 and writes the handshakeTimeout line to <logging.dir>/system.log', async () => {
    const dir = tempDir();
    const backend = await startCli(['backend', 'swallow-client-hello']);
    const backendPort = Number(new URL(backend.firstLine).port);
    expect(backend.firstLine).toBe(`https://127.0.0.1:${backendPort}`);
    const gateway = await startCli([
      'gateway',
      '--personality',
      'edge',
      '--target',
      backend.firstLine,
      '--set',
      'io.timeout.millis=1000',
      '--set',
      `logging.dir=${dir}`,
      '--set',
      'debug.message.id.header=true',
    ]);
    const gatewayPort = Number(new URL(gateway.firstLine).port);

    // This process's HTTP client warmed up on a server of its own, so that the time measured is
    // the gateway's; the gateway process itself answers its very first request here.
    const local = http.createServer((_req, res) => res.end());
    local.listen(0, '127.0.0.1');
    await once(local, 'listening');
    await request(`http://127.0.0.1:${(local.address() as AddressInfo).port}/`);
    local.close();

    const reply = await request(`${gateway.firstLine}/orders`);
    expect(reply.status).toBe(502);
    expect(reply.body).toBe(BAD_GATEWAY);
    expect(reply.headers['content-type']).toBe('application/json');
    // "After about 1 s": the limit, plus what a freshly started process on a busy machine adds
    // around it (the gateway's own timer is judged in-process, where its evidence can be read).
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(reply.elapsedMs).toBeLessThanOrEqual(1000 + CLIENT_SLACK_MS);

    expect(await gateway.stop('SIGINT')).toMatchObject({ code: 0, signal: null });
    expect(await backend.stop('SIGINT')).toMatchObject({ code: 0, signal: null });
    expect(await listenersOf(gatewayPort)).not.toContain(gateway.child.pid);
    expect(await listenersOf(backendPort)).not.toContain(backend.child.pid);

    const lines = readFileSync(join(dir, 'system.log'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const match =
      /^org:myorg env:test api:faultgate rev:1 messageid:(\S+) NIOThread@\d+ ERROR HTTP\.CLIENT - HTTPClient\$Context\.handshakeTimeout\(\) : SSLClientChannel\[Connected: Remote:127\.0\.0\.1:(\d+) Local:127\.0\.0\.1:\d+\]@\d+ useCount=1 bytesRead=0 bytesWritten=0 age=(\d+)ms lastIO=(\d+)ms isOpen=true handshake timeout$/.exec(
        lines[0] ?? '',
      );
    expect(match, lines[0]).not.toBeNull();
    const [, messageId, remotePort, age, lastIO] = match ?? [];
    expect(messageId).toBe(reply.headers['x-apigee.message-id']);
    expect(Number(remotePort)).toBe(backendPort);
    // age: measured by the gateway from its TCP connect, so at least the limit and at most what
    // the client measured around it; lastIO: from the Client Hello, a moment after the connect, so
    // the handshake timer's own run, which Node's millisecond timer clock may end a fraction of a
    // millisecond before the limit: 999 once rounded (as test/gateway/edge-handshake-timeout.test.ts allows).
    expect(Number(age)).toBeGreaterThanOrEqual(1000);
    expect(Number(age)).toBeLessThanOrEqual(Math.ceil(reply.elapsedMs));
    expect(Number(lastIO)).toBeGreaterThanOrEqual(1000 - 1);
    expect(Number(lastIO)).toBeLessThanOrEqual(Number(age));
  });
});
