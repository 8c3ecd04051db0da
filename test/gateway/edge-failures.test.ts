/**
 * The edge personality against every failing backend: the Message Processor's own status and
 * fault JSON for each failure kind (Apigee Edge's troubleshooting pages, as the README's table
 * "What each personality answers" lists them), Content-Type application/json; a message id of its
 * own for every request, kept by the gateway (Trace's X-Apigee.Message-ID), on the response only
 * when the debug setting asks.
 */
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../faulty-backends/index.ts';
import type { Failure } from '../../harness/gateway/failures.ts';
import { request, startBackend, startGateway, tempDir, type Reply, type RequestOptions } from '../helpers.ts';

const fault = (faultstring: string, errorcode: string) => JSON.stringify({ fault: { faultstring, detail: { errorcode } } });

const UNEXPECTED_EOF = fault('Unexpected EOF at target', 'messaging.adaptors.http.UnexpectedEOFAtTarget');
const SERVICE_UNAVAILABLE = fault('The Service is temporarily unavailable', 'messaging.adaptors.http.flow.ServiceUnavailable');
const GATEWAY_TIMEOUT = fault('Gateway Timeout', 'messaging.adaptors.http.flow.GatewayTimeout');
/** The status and its words are the Endpoint properties reference's; faultstring and errorcode are no document's. */
const REQUEST_TIMEOUT = fault('Request Timeout', 'messaging.adaptors.http.flow.RequestTimeout');
const BAD_GATEWAY = '{"fault":{"faultstring":"Bad Gateway","detail":{"errorcode":"messaging.adaptors.http.flow.BadGateway"}}}';

interface Run {
  reply: Reply;
  failures: Failure[];
}

/** One request through an edge gateway in front of the named backend. */
async function throughEdge(
  name: BackendName,
  options: { backend?: Record<string, unknown>; settings?: Record<string, unknown>; request?: RequestOptions; https?: boolean } = {},
): Promise<Run> {
  const backend = await startBackend(name, options.backend);
  const gateway = await startGateway({
    personality: 'edge',
    target: options.https ? backend.url.replace(/^http:/, 'https:') : backend.url,
    settings: { 'logging.dir': tempDir(), ...options.settings },
  });
  const failures: Failure[] = [];
  gateway.on('failure', (failure) => failures.push(failure));
  const reply = await request(`${gateway.url}/orders`, options.request);
  return { reply, failures };
}

/** The Message Processor's answer: status, fault JSON, its Content-Type and length, and no message id (a Trace value). */
function expectFault(reply: Reply, status: number, body: string): void {
  expect(reply.status).toBe(status);
  expect(reply.body).toBe(body);
  expect(reply.headers['content-type']).toBe('application/json');
  expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  expect(reply.headers['x-apigee.message-id']).toBeUndefined();
}

describe('edge × failing backends', () => {
  it('fin-mid-request after the request headers: 502 Unexpected EOF at target', async () => {
    const { reply, failures } = await throughEdge('fin-mid-request');
    expectFault(reply, 502, UNEXPECTED_EOF);
    expect(failures.map((failure) => [failure.kind, failure.phase])).toEqual([['premature-close', 'awaiting-response']]);
  });

  it('fin-mid-request after 64 KiB of an 8 MiB POST, while Edge is still sending: 503 ServiceUnavailable', async () => {
    const { reply, failures } = await throughEdge('fin-mid-request', {
      backend: { afterBodyBytes: 64 * 1024 },
      request: { method: 'POST', body: Buffer.alloc(8 * 1024 * 1024, 'a'), headers: { 'content-type': 'application/octet-stream' } },
    });
    expectFault(reply, 503, SERVICE_UNAVAILABLE);
    expect(failures.map((failure) => [failure.kind, failure.phase])).toEqual([['premature-close', 'sending']]);
  });

  it('reset-mid-request after the request headers: 502 Unexpected EOF at target', async () => {
    const { reply, failures } = await throughEdge('reset-mid-request');
    expectFault(reply, 502, UNEXPECTED_EOF);
    expect(failures.map((failure) => failure.kind)).toEqual(['reset']);
  });

  it('never-respond: 504 GatewayTimeout once io.timeout.millis has passed in silence', async () => {
    const { reply, failures } = await throughEdge('never-respond', { settings: { 'io.timeout.millis': 300 } });
    expectFault(reply, 504, GATEWAY_TIMEOUT);
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(300);
    expect(reply.elapsedMs).toBeLessThanOrEqual(500);
    expect(failures.map((failure) => [failure.kind, failure.limit])).toEqual([['io-timeout', { name: 'io', ms: 300 }]]);
  });

  it('never-respond, a POST with Expect: 100-continue (curl sends it for bodies over 1 KB): the same 504 at the limit', async () => {
    const { reply, failures } = await throughEdge('never-respond', {
      settings: { 'io.timeout.millis': 300 },
      request: { method: 'POST', headers: { expect: '100-continue', 'content-type': 'application/json' }, body: 'x'.repeat(2048) },
    });
    expectFault(reply, 504, GATEWAY_TIMEOUT);
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(300);
    expect(reply.elapsedMs).toBeLessThanOrEqual(500);
    expect(failures.map((failure) => failure.kind)).toEqual(['io-timeout']);
  });

  it('stall-mid-request: a target that stops reading an 8 MiB POST gives 408 Request Timeout once io.timeout.millis has passed', async () => {
    const { reply, failures } = await throughEdge('stall-mid-request', {
      settings: { 'io.timeout.millis': 300 },
      request: { method: 'POST', body: Buffer.alloc(8 * 1024 * 1024, 'a'), headers: { 'content-type': 'application/octet-stream' } },
    });
    expectFault(reply, 408, REQUEST_TIMEOUT);
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(300);
    expect(failures.map((failure) => [failure.kind, failure.phase, failure.limit])).toEqual([['io-timeout', 'sending', { name: 'io', ms: 300 }]]);
  });

  it('not-http: an answer that is not HTTP gives 502 Bad Gateway', async () => {
    const { reply, failures } = await throughEdge('not-http');
    expectFault(reply, 502, BAD_GATEWAY);
    expect(failures.map((failure) => failure.kind)).toEqual(['bad-response']);
  });

  it('a plain-HTTP target behind an https URL: 502 Unexpected EOF at target', async () => {
    const { reply, failures } = await throughEdge('healthy', { https: true });
    expectFault(reply, 502, UNEXPECTED_EOF);
    expect(failures.map((failure) => [failure.kind, failure.phase])).toEqual([['not-tls', 'handshaking']]);
  });

  it('no-content-with-body: a 204 with a body gives 502 Received 204 Response with message body', async () => {
    const { reply } = await throughEdge('no-content-with-body');
    expectFault(reply, 502, fault('Received 204 Response with message body', 'protocol.http.ResponseWithBody'));
  });

  it('no-content-with-body: a 205 with a body gives 502 Received 205 Response with message body', async () => {
    const { reply } = await throughEdge('no-content-with-body', { backend: { status: 205 } });
    expectFault(reply, 502, fault('Received 205 Response with message body', 'protocol.http.ResponseWithBody'));
  });

  it('no-content-with-body: a Content-Encoding Edge supports, with no body, is refused on a 204 and passed on a 205 (the playbook\'s table)', async () => {
    const noBody = { body: '', contentEncoding: 'gzip' };
    const refused = await throughEdge('no-content-with-body', { backend: noBody });
    expectFault(refused.reply, 502, fault('Received 204 Response with message body', 'protocol.http.ResponseWithBody'));
    expect(refused.failures.map((failure) => failure.description)).toEqual(['the target answered 204 with a Content-Encoding header, which declares a body HTTP forbids there']);
    const passed = await throughEdge('no-content-with-body', { backend: { ...noBody, status: 205 } });
    expect([passed.reply.status, passed.reply.headers['content-encoding'], passed.failures]).toEqual([205, 'gzip', []]);
  });

  it('closed-port: a refused connect gives 503 ServiceUnavailable', async () => {
    const { reply, failures } = await throughEdge('closed-port');
    expectFault(reply, 503, SERVICE_UNAVAILABLE);
    expect(failures.map((failure) => [failure.kind, failure.phase])).toEqual([['connect-refused', 'connecting']]);
  });

  it('healthy: 200 with the target body and headers, nothing of Edge\'s own added', async () => {
    const { reply, failures } = await throughEdge('healthy');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('{"ok":true}');
    expect(reply.headers['x-apigee.message-id']).toBeUndefined();
    expect(failures).toEqual([]);
  });

  it('healthy over TLS: 200, the self-signed certificate trusted as Edge does without a TrustStore', async () => {
    const { reply } = await throughEdge('healthy', { backend: { tls: true } });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('{"ok":true}');
  });

  it('every request has a message id of its own, in the gateway\'s trace; on the response only with debug.message.id.header', async () => {
    const backend = await startBackend('healthy');
    const ids = async (settings: Record<string, unknown>) => {
      const traced: string[] = [];
      const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'logging.dir': tempDir(), ...settings }, trace: (event) => {
          if (event.messageId) traced.push(event.messageId);
        },
      });
      const replies = await Promise.all(Array.from({ length: 20 }, () => request(`${gateway.url}/orders`)));
      return { traced, sent: replies.map((reply) => reply.headers['x-apigee.message-id']) };
    };
    const plain = await ids({});
    expect(new Set(plain.traced).size).toBe(20);
    expect(plain.sent).toEqual(Array(20).fill(undefined));
    const debug = await ids({ 'debug.message.id.header': true });
    expect(new Set(debug.traced).size).toBe(20);
    expect(new Set(debug.sent)).toEqual(new Set(debug.traced));
  });
});
