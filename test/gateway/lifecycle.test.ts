/**
 * createGateway() as a server: where it listens (an ephemeral port, a given one, edgemicro.port),
 * what it refuses before listening (a busy port, a bad target, a bad setting), and close(), which
 * leaves nothing listening and no connection open on either side.
 */
import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createGateway } from '../../harness/gateway/gateway.ts';
import { listenersOf, request, reservedPort, startBackend, startGateway, tempDir, traced } from '../helpers.ts';

describe('createGateway', () => {
  it('listens on an ephemeral loopback port when given port 0', async () => {
    const backend = await startBackend('healthy');
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'logging.dir': tempDir() } });
    expect(gateway.port).toBeGreaterThan(0);
    expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}`);
    expect((await request(`${gateway.url}/`)).status).toBe(200);
  });

  it('listens on the port it is given', async () => {
    const backend = await startBackend('healthy');
    const port = await reservedPort();
    const gateway = await startGateway({ personality: 'edge', target: backend.url, port, settings: { 'logging.dir': tempDir() } });
    expect(gateway.port).toBe(port);
    expect((await request(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it('microgateway listens on edgemicro.port when no port is given', async () => {
    const backend = await startBackend('healthy');
    const port = await reservedPort();
    const gateway = await startGateway({
      personality: 'microgateway',
      target: backend.url,
      port: undefined,
      settings: { edgemicro: { port, logging: { dir: tempDir() } } },
    });
    expect(gateway.port).toBe(port);
  });

  it('a busy port is an E_PORT_IN_USE error naming the port, and nothing is left open', async () => {
    const holder = net.createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as net.AddressInfo;
    try {
      const backend = await startBackend('healthy');
      await expect(createGateway({ personality: 'edge', target: backend.url, port, settings: { 'logging.dir': tempDir() } })).rejects.toMatchObject({
        code: 'E_PORT_IN_USE',
        message: `gateway (edge): port ${port} is already in use; choose another, or leave the port out for a free one`,
      });
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    expect(await listenersOf(port)).not.toContain(process.pid);
  });

  it('a target that is not an http(s) URL is refused, naming it', async () => {
    await expect(createGateway({ personality: 'edge', target: 'ftp://127.0.0.1:21', port: 0 })).rejects.toThrow('target "ftp://127.0.0.1:21": expected an http:// or https:// URL');
  });

  it('a bad setting is refused, naming the setting and the value given', async () => {
    await expect(createGateway({ personality: 'edge', target: 'http://127.0.0.1:1', port: 0, settings: { 'io.timeout.millis': -5 } })).rejects.toThrow(
      'edge settings: io.timeout.millis: must not be negative (milliseconds), got -5',
    );
    await expect(createGateway({ personality: 'edge', target: 'http://127.0.0.1:1', port: 0, settings: { 'io.timeout.milis': 5 } })).rejects.toThrow(
      'edge settings: unknown setting "io.timeout.milis"',
    );
  });

  it('close() stops listening and closes pooled and in-flight target connections', async () => {
    const healthy = await startBackend('healthy');
    const silent = await startBackend('never-respond');
    const dir = tempDir();
    const pooled = await createGateway({ personality: 'microgateway', target: healthy.url, port: 0, settings: { edgemicro: { logging: { dir } } } });
    onTestFinished(() => pooled.close());
    const waiting = await createGateway({ personality: 'edge', target: silent.url, port: 0, settings: { 'logging.dir': dir } });
    onTestFinished(() => waiting.close());

    // A keep-alive connection left in the pool, and a request the target never answers.
    expect((await request(`${pooled.url}/`)).status).toBe(200);
    const inFlight = request(`${waiting.url}/`).then(
      (reply) => `answered ${reply.status}`,
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    await traced(silent, (event) => event.kind === 'request-read');

    const closedAtBackends = Promise.all([healthy, silent].map((backend) => traced(backend, (event) => event.kind === 'socket-closed')));
    await Promise.all([pooled.close(), waiting.close()]);
    await closedAtBackends;

    expect(await inFlight).toBe('ECONNRESET');
    expect(await listenersOf(pooled.port)).not.toContain(process.pid);
    expect(await listenersOf(waiting.port)).not.toContain(process.pid);
    // close() may be called again, and resolves at once.
    await pooled.close();
  });
});
