/**
 * Headers that belong to one connection (RFC 9110 §7.6.1). Edge, as a proxy must, removes them
 * both ways, with the fields Connection names, and honours a client's Connection: close;
 * Microgateway forwards them to the target as microgateway-core does (docs/differential.md).
 * Neither personality lets a header end the process: `Trailer` on a body that is not chunked, which
 * Node's client refuses to send, is dropped.
 */
import http from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { listen } from '../../harness/listen.ts';
import type { PersonalityName } from '../../harness/gateway/personality.ts';
import { rawConnect, request, startBackend, startGateway, tempDir } from '../helpers.ts';

/** A target that answers with the request headers it received, and hop-by-hop headers of its own. */
async function echoTarget(): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify(req.headers);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        connection: 'keep-alive, x-target-hop',
        'keep-alive': 'timeout=5',
        'x-target-hop': 'private',
        'proxy-authenticate': 'Basic',
        upgrade: 'h2c',
      });
      res.end(body);
    });
  });
  const port = await listen(server, 'echo target');
  onTestFinished(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  return `http://127.0.0.1:${port}`;
}

const settingsOf = (personality: PersonalityName) =>
  personality === 'edge' ? { 'logging.dir': tempDir() } : { edgemicro: { port: 0, logging: { dir: tempDir() } } };

async function gatewayTo(personality: PersonalityName, target: string) {
  return startGateway({ personality, target, settings: settingsOf(personality) });
}

/** The status of the answer to a request written as raw bytes. */
async function statusOf(port: number, raw: string): Promise<number> {
  const client = await rawConnect(port);
  client.socket.write(raw);
  const head = (await client.receivedAtLeast(12)).toString('latin1');
  client.socket.destroy();
  return Number(head.slice(9, 12));
}

const hopHeaders = {
  connection: 'keep-alive, x-client-hop',
  'x-client-hop': 'private',
  'keep-alive': 'timeout=5',
  'proxy-connection': 'keep-alive',
  te: 'trailers',
  'proxy-authorization': 'Basic dXNlcjpwYXNz',
  'x-end-to-end': 'kept',
};

describe('hop-by-hop headers', () => {
  it('edge removes them and the fields Connection names, both ways', async () => {
    const gateway = await gatewayTo('edge', await echoTarget());
    const reply = await request(`${gateway.url}/`, { headers: hopHeaders });
    const seen = JSON.parse(reply.body) as Record<string, string>;
    for (const name of ['x-client-hop', 'keep-alive', 'proxy-connection', 'te', 'proxy-authorization']) expect(seen[name], name).toBeUndefined();
    expect(seen['x-end-to-end']).toBe('kept');
    for (const name of ['x-target-hop', 'keep-alive', 'proxy-authenticate', 'upgrade']) expect(reply.headers[name], name).toBeUndefined();
    expect(reply.headers.connection).toBe('keep-alive');
  });

  it('microgateway forwards them, as microgateway-core does', async () => {
    const gateway = await gatewayTo('microgateway', await echoTarget());
    const reply = await request(`${gateway.url}/`, { headers: hopHeaders });
    const seen = JSON.parse(reply.body) as Record<string, string>;
    for (const name of ['x-client-hop', 'te', 'proxy-authorization']) expect(seen[name], name).toBe(hopHeaders[name as keyof typeof hopHeaders]);
    expect(reply.headers['x-target-hop']).toBe('private');
  });

  it('microgateway forwards Proxy-Connection: close, which a Node target takes for Connection: the next request still gets 200 (a fuzzer finding)', async () => {
    const backend = await startBackend('idle-closer');
    const gateway = await gatewayTo('microgateway', backend.url);
    expect((await request(`${gateway.url}/`, { headers: { 'proxy-connection': 'close' } })).status).toBe(200);
    expect((await request(`${gateway.url}/`)).status).toBe(200);
  });

  it('microgateway forwards Proxy-Connection: close, which a Node target takes for Connection: the next request still gets 200 (a fuzzer finding)', async () => {
    const backend = await startBackend('idle-closer');
    const gateway = await gatewayTo('microgateway', backend.url);
    expect((await request(`${gateway.url}/`, { headers: { 'proxy-connection': 'close' } })).status).toBe(200);
    expect((await request(`${gateway.url}/`)).status).toBe(200);
  });

  it("edge honours a client's Connection: close: it says so and closes", async () => {
    const gateway = await gatewayTo('edge', await echoTarget());
    const client = await rawConnect(gateway.port);
    client.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await client.ended;
    const head = client.received().toString('latin1').split('\r\n\r\n')[0] ?? '';
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head.toLowerCase()).toContain('\r\nconnection: close');
  });
});

describe('Trailer on a body that is not chunked', () => {
  for (const personality of ['edge', 'microgateway'] as const) {
    for (const backendName of ['healthy', 'closed-port'] as const) {
      it(`${personality} in front of ${backendName}: answered, and the gateway keeps serving`, async () => {
        const backend = await startBackend(backendName);
        const gateway = await gatewayTo(personality, backend.url);
        const status = backendName === 'healthy' ? 200 : personality === 'edge' ? 503 : 502;
        // Node's own client refuses to send these, so they go raw, as curl sends them.
        expect(await statusOf(gateway.port, 'GET / HTTP/1.1\r\nHost: x\r\nTrailer: X-T\r\n\r\n')).toBe(status);
        expect(await statusOf(gateway.port, 'POST / HTTP/1.1\r\nHost: x\r\nTrailer: X-T\r\nContent-Length: 3\r\n\r\nabc')).toBe(status);
        expect((await request(`${gateway.url}/`)).status).toBe(status);
      });
    }
  }

  it('a chunked body loses its Trailer field too: its trailer fields are not forwarded (a fuzzer finding: a chunked DELETE)', async () => {
    const gateway = await gatewayTo('edge', await echoTarget());
    const reply = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${gateway.url}/`, { method: 'POST', headers: { trailer: 'x-t', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.write('abc');
      req.addTrailers({ 'x-t': '1' });
      req.end();
    });
    expect((JSON.parse(reply) as Record<string, string>).trailer).toBeUndefined();
    // A chunked DELETE, whose Transfer-Encoding http-proxy replaces with Content-Length: 0: answered,
    // and the gateway keeps serving.
    const chunkedDelete = 'DELETE / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n2\r\nab\r\n0\r\nX-T: 1\r\n\r\n';
    expect(await statusOf(gateway.port, chunkedDelete)).toBeGreaterThanOrEqual(200);
    expect((await request(`${gateway.url}/`)).status).toBe(200);
  });
});

