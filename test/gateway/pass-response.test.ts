/**
 * The gateway passes the target's response on itself (pass-response.ts) instead of letting
 * http-proxy copy it. The oracle is http-proxy: the same target behind a plain http-proxy server
 * (its outgoing passes and pipe) and behind one that hands the response to passResponse(), every
 * byte the client receives compared (the Date field masked), for HTTP/1.0 and 1.1 clients, HEAD,
 * keep-alive and close, chunked and sized bodies, repeated fields, a bare status line and a body
 * large enough to fill the client's socket.
 */
import http from 'node:http';
import net from 'node:net';
import httpProxy from 'http-proxy';
import { describe, expect, it, onTestFinished } from 'vitest';
import { listen } from '../../harness/listen.ts';
import { clientHead, passResponse } from '../../harness/gateway/pass-response.ts';

const LARGE = 'b'.repeat(2 * 1024 * 1024);

/** What the target answers, by request path: written raw, so that names keep their case and fields repeat. */
const responses: Record<string, string> = {
  sized: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nhello',
  chunked: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  repeated: 'HTTP/1.1 201 Created Here\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Dup: 1\r\nX-Dup: 2\r\nContent-Length: 0\r\n\r\n',
  'no-content': 'HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n',
  'no-reason': 'HTTP/1.1 299 \r\nContent-Length: 1\r\n\r\nz',
  close: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye',
  'empty-connection': 'HTTP/1.1 200 OK\r\nConnection:\r\nContent-Length: 2\r\n\r\nok',
  large: `HTTP/1.1 200 OK\r\nContent-Length: ${LARGE.length}\r\n\r\n${LARGE}`,
};

const clients: Record<string, (path: string) => string> = {
  'HTTP/1.1, close': (path) => `GET /${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  'HTTP/1.1, keep-alive': (path) => `GET /${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
  'HTTP/1.0': (path) => `GET /${path} HTTP/1.0\r\nHost: x\r\n\r\n`,
  'HTTP/1.0, keep-alive': (path) => `GET /${path} HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`,
  HEAD: (path) => `HEAD /${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
};

async function serve(server: net.Server | http.Server, label: string): Promise<number> {
  const port = await listen(server, label);
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (server instanceof http.Server) server.closeAllConnections();
      }),
  );
  return port;
}

async function rawTarget(): Promise<string> {
  const server = net.createServer((socket) => {
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (!received.includes('\r\n\r\n')) return;
      const path = received.slice(received.indexOf('/') + 1, received.indexOf(' HTTP/'));
      const response = responses[path] ?? '';
      // A HEAD is answered with the head alone, as a server must.
      socket.end(received.startsWith('HEAD') ? response.slice(0, response.indexOf('\r\n\r\n') + 4) : response);
    });
  });
  return `http://127.0.0.1:${await serve(server, 'raw target')}`;
}

/** http-proxy in front of the target; `passed`: the response handed to passResponse() instead of its own passes. */
async function proxyTo(target: string, passed: boolean): Promise<number> {
  // A connection per request: the target answers one request on each.
  const proxy = httpProxy.createProxyServer({ target, agent: false, selfHandleResponse: passed });
  if (passed) proxy.on('proxyRes', (proxyRes, req, res) => passResponse(proxyRes, res, clientHead(proxyRes, req, undefined, undefined), { passing: false }));
  proxy.on('error', (error, _req, res) => {
    res.destroy();
    throw error;
  });
  onTestFinished(() => proxy.close());
  return serve(
    http.createServer((req, res) => proxy.web(req, res)),
    passed ? 'passed on' : 'http-proxy',
  );
}

/** Whether the bytes hold a whole answer, as its head frames it (HEAD and 204: the head alone). */
function whole(text: string, head: boolean): boolean {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd === -1) return false;
  const fields = text.slice(0, headEnd).toLowerCase();
  if (head || fields.startsWith('http/1.1 204')) return true;
  const length = /\r\ncontent-length: (\d+)/.exec(fields);
  if (length) return text.length >= headEnd + 4 + Number(length[1]);
  return fields.includes('\r\ntransfer-encoding: chunked') && text.endsWith('\r\n0\r\n\r\n');
}

/** Every byte of the answer, until it is whole or the server closes; the Date masked. */
function received(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    const done = () => {
      socket.destroy();
      resolve(text.replace(/\r\nDate: [^\r]*/, '\r\nDate: (masked)'));
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (whole(text, request.startsWith('HEAD'))) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
  });
}

describe('a response passed on by the gateway', () => {
  it('reaches the client byte for byte as http-proxy\'s own passes send it', async () => {
    const target = await rawTarget();
    const [oracle, passed] = await Promise.all([proxyTo(target, false), proxyTo(target, true)]);
    const cases = Object.keys(responses).flatMap((path) => Object.entries(clients).map(([client, request]) => ({ name: `${path}, ${client}`, request: request(path) })));
    const differing: string[] = [];
    await Promise.all(
      cases.map(async ({ name, request }) => {
        const [expected, actual] = await Promise.all([received(oracle, request), received(passed, request)]);
        expect(expected.length, name).toBeGreaterThan(0);
        if (actual !== expected) differing.push(`${name}:\n${expected.slice(0, 300)}\n---\n${actual.slice(0, 300)}`);
      }),
    );
    expect(differing).toEqual([]);
  });
});
