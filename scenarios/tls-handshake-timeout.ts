/**
 * The Edge document's cause: the target's firewall lets the TCP connection through but not the
 * TLS Client Hello, so the handshake can only time out, after io.timeout.millis (55 s by default).
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'tls-handshake-timeout',
  title: 'The TLS handshake with the target times out',
  document: 'edge-502-tls-handshake-timeout',
  cause: 'TLS/SSL handshake timeout',
  story:
    'The Message Processor connects to the target and sends its TLS Client Hello; nothing ever comes back, ' +
    'and when io.timeout.millis ({gateway.io.timeout.millis}) runs out it closes the connection and answers 502 Bad Gateway.',
  role: 'failure',
  twin: 'tls-handshake-completes',
  resolution:
    'Typically the SSL handshake timeouts occur because of firewall restrictions on the backend server that blocks the traffic from Apigee Edge. ' +
    'If you followed the diagnostic steps and determined that the cause of the handshake error is a timeout, you need to engage your network team to identify the cause and fix the firewall restrictions.',
  gateway: { personality: 'edge', settings: { 'io.timeout.millis': { test: 1000, real: 55000 } } },
  backend: { name: 'swallow-client-hello' },
  client: [{ request: { method: 'GET', path: '/v1/orders' } }],
  // On the wire, the document's own cause: a real TLS server that would answer, behind a firewall
  // that passes the TCP handshake and drops the Client Hello. The limit leaves room for the
  // kernel's first three retransmissions (after about 0.2, 0.6 and 1.4 s).
  wire: {
    story: 'firewall-drops-handshake',
    backend: { name: 'healthy', settings: { tls: true } },
    firewall: 'drop-payload',
    gateway: { 'io.timeout.millis': { test: 1500, real: 55000 } },
  },
  expect: {
    status: 502,
    body: '{"fault":{"faultstring":"Bad Gateway","detail":{"errorcode":"messaging.adaptors.http.flow.BadGateway"}}}',
    headers: { 'content-type': 'application/json' },
    failure: 'handshake-timeout',
    answeredAt: { setting: 'io.timeout.millis', toleranceMs: 250 },
    logs: [
      'org:myorg env:test api:faultgate rev:1 messageid:{message-id} NIOThread@{n} ERROR HTTP.CLIENT - HTTPClient$Context.handshakeTimeout() : ' +
        'SSLClientChannel[Connected: Remote:{target} Local:{ip:port}]@{n} useCount=1 bytesRead=0 bytesWritten=0 age={elapsed}ms lastIO={elapsed}ms isOpen=true handshake timeout',
    ],
  },
});
