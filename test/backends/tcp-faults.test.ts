/**
 * The plain-TCP faulty backends, seen from a raw socket: each does on the wire exactly what its
 * file says (a FIN without a response, an RST, silence, a greeting that is not HTTP, a 204 with a
 * body, a refused connect), and nothing more.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startBackend as startNamedBackend } from '../../faulty-backends/index.ts';
import { connectOutcome, quietFor, rawConnect, startBackend, traced } from '../helpers.ts';

const GET = 'GET /orders HTTP/1.1\r\nHost: backend\r\n\r\n';
const postHead = (length: number) => `POST /orders HTTP/1.1\r\nHost: backend\r\nContent-Length: ${length}\r\n\r\n`;

/** Total bytes a backend has received so far. */
const receivedBytes = (events: readonly { kind: string; bytes?: number }[]) => events.filter((event) => event.kind === 'received').reduce((sum, event) => sum + (event.bytes ?? 0), 0);

describe('fin-mid-request', () => {
  it('after the request head: FIN, no response, and it keeps reading what still comes', async () => {
    const backend = await startBackend('fin-mid-request');
    const client = await rawConnect(backend.port);
    client.socket.write(GET);
    await client.ended;
    expect(client.received().length).toBe(0);
    expect(backend.events.map((event) => event.kind)).toEqual(['accepted', 'received', 'request-read', 'fin-sent']);
    expect(backend.events[2]?.detail).toBe('GET /orders');

    // A half-close, not a reset: bytes written after the FIN are read, not answered with RST.
    client.socket.write('still sending');
    await traced(backend, (event) => event.kind === 'received' && event.bytes === 'still sending'.length);
    client.socket.end();
    await client.closed;
    expect(await Promise.race([client.failed, quietFor(0, 'no error')])).toBe('no error');
  });

  it('after afterBodyBytes of the body: no FIN one byte short, FIN at the last byte', async () => {
    const backend = await startBackend('fin-mid-request', { afterBodyBytes: 1000 });
    const client = await rawConnect(backend.port);
    const head = postHead(5000);
    client.socket.write(head + 'a'.repeat(999));
    await traced(backend, () => receivedBytes(backend.events) === head.length + 999);
    expect(backend.events.some((event) => event.kind === 'fin-sent')).toBe(false);
    client.socket.write('a');
    await client.ended;
    expect(client.received().length).toBe(0);
    expect(backend.events.filter((event) => event.kind === 'fin-sent')).toHaveLength(1);
  });
});

describe('reset-mid-request', () => {
  it('after the request head: the client sees ECONNRESET and no response', async () => {
    const backend = await startBackend('reset-mid-request');
    const client = await rawConnect(backend.port);
    client.socket.write(GET);
    const error = await client.failed;
    expect(error.code).toBe('ECONNRESET');
    expect(client.received().length).toBe(0);
    expect(backend.events.map((event) => event.kind)).toContain('rst-sent');
  });

  it('after afterBodyBytes of the body: RST, not before', async () => {
    const backend = await startBackend('reset-mid-request', { afterBodyBytes: 100 });
    const client = await rawConnect(backend.port);
    const head = postHead(1000);
    client.socket.write(head + 'a'.repeat(99));
    await traced(backend, () => receivedBytes(backend.events) === head.length + 99);
    expect(backend.events.some((event) => event.kind === 'rst-sent')).toBe(false);
    client.socket.write('a');
    expect((await client.failed).code).toBe('ECONNRESET');
  });
});

describe('never-respond', () => {
  it('reads the whole request and then sends nothing, keeping the connection open', async () => {
    const backend = await startBackend('never-respond');
    const client = await rawConnect(backend.port);
    client.socket.write(GET);
    await traced(backend, (event) => event.kind === 'request-read');
    const outcome = await Promise.race([client.ended.then(() => 'FIN'), client.receivedAtLeast(1).then(() => 'bytes'), quietFor(200, 'silent')]);
    expect(outcome).toBe('silent');
    expect(client.socket.destroyed).toBe(false);
  });
});

describe('not-http', () => {
  it('greets every connection with an SSH banner and keeps it open', async () => {
    const backend = await startBackend('not-http');
    const client = await rawConnect(backend.port);
    const greeting = 'SSH-2.0-OpenSSH_9.2p1\r\n';
    expect((await client.receivedAtLeast(greeting.length)).toString()).toBe(greeting);
    client.socket.write(GET);
    await traced(backend, (event) => event.kind === 'received');
    expect(await Promise.race([client.ended.then(() => 'FIN'), quietFor(100, 'open')])).toBe('open');
  });

  it('sends the greeting it is given', async () => {
    const backend = await startBackend('not-http', { greeting: '220 smtp.example ESMTP\r\n' });
    const client = await rawConnect(backend.port);
    expect((await client.receivedAtLeast(24)).toString()).toBe('220 smtp.example ESMTP\r\n');
  });
});

describe('no-content-with-body', () => {
  it('answers 204 with a Content-Length and a body, then closes', async () => {
    const backend = await startBackend('no-content-with-body');
    const client = await rawConnect(backend.port);
    client.socket.write(GET);
    await client.ended;
    const body = '{"note":"a body that a 204 must not have"}';
    expect(client.received().toString()).toBe(
      `HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  it('answers 205 Reset Content with a body when asked', async () => {
    const backend = await startBackend('no-content-with-body', { status: 205, body: 'x' });
    const client = await rawConnect(backend.port);
    client.socket.write(GET);
    await client.ended;
    expect(client.received().toString()).toBe('HTTP/1.1 205 Reset Content\r\nContent-Type: application/json\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx');
  });

  it('with an empty body: the 204 HTTP asks for, no body and no Content-Length (the fix)', async () => {
    const backend = await startBackend('no-content-with-body', { body: '' });
    const client = await rawConnect(backend.port);
    client.socket.write(GET);
    await client.ended;
    expect(client.received().toString()).toBe('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
  });
});

describe('method-not-allowed', () => {
  const HEAD = 'HTTP/1.1 405 Method Not Allowed\r\n';
  const REST = 'Content-Type: application/json\r\nContent-Length: 30\r\n\r\n{"error":"method not allowed"}';

  it('answers 405 with no Allow header, and keeps the connection open', async () => {
    const backend = await startBackend('method-not-allowed');
    const client = await rawConnect(backend.port);
    client.socket.write(GET);
    expect((await client.receivedAtLeast(HEAD.length + REST.length)).toString()).toBe(HEAD + REST);
  });

  it('with sendAllow: the same 405, listing the methods it allows (the fix)', async () => {
    const backend = await startBackend('method-not-allowed', { sendAllow: true });
    const client = await rawConnect(backend.port);
    client.socket.write(GET);
    const allow = 'Allow: GET, POST, HEAD\r\n';
    expect((await client.receivedAtLeast(HEAD.length + allow.length + REST.length)).toString()).toBe(HEAD + allow + REST);
  });
});

describe('closed-port', () => {
  it('names a port on which nothing listens: the connect is refused', async () => {
    const backend = await startBackend('closed-port');
    expect(backend.url).toBe(`http://127.0.0.1:${backend.port}`);
    expect(await connectOutcome(backend.port)).toBe('ECONNREFUSED');
  });

  it('asked for any port (0, as a compose service with FAULTGATE_PORT=0 is), takes one no listen(0) can be handed', async () => {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const backends = await Promise.all(Array.from({ length: 5 }, () => startNamedBackend('closed-port', {}, { port: 0 })));
    try {
      for (const backend of backends) expect(backend.port).toBeLessThan(first);
    } finally {
      await Promise.all(backends.map((backend) => backend.close()));
    }
  });
});
