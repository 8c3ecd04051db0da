/**
 * The backends that speak (or refuse to speak) TLS: swallow-client-hello reads the Client Hello and
 * never answers; healthy and idle-closer serve TLS with a self-signed certificate made at run time
 * by selfsigned, for 127.0.0.1 and localhost.
 */
import net from 'node:net';
import tls from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { quietFor, startBackend, traced } from '../helpers.ts';

describe('swallow-client-hello', () => {
  it('records the Client Hello, every byte of it, and never answers: no Server Hello, no alert, no FIN', async () => {
    const backend = await startBackend('swallow-client-hello');
    expect(backend.url).toBe(`https://127.0.0.1:${backend.port}`);
    const raw = net.connect({ port: backend.port, host: '127.0.0.1' });
    const client = tls.connect({ socket: raw, servername: 'localhost', rejectUnauthorized: false });
    onTestFinished(() => {
      client.destroy();
    });
    const outcome = Promise.race([
      new Promise((resolve) => client.once('secureConnect', () => resolve('handshake completed'))),
      new Promise((resolve) => client.once('error', (error: Error) => resolve(`error: ${error.message}`))),
      new Promise((resolve) => raw.once('end', () => resolve('FIN'))),
      new Promise((resolve) => raw.once('data', () => resolve('bytes'))),
    ]);

    const hello = await traced(backend, (event) => event.kind === 'received');
    expect(hello.detail).toBe('TLS Client Hello');
    expect(await Promise.race([outcome, quietFor(300, 'no answer')])).toBe('no answer');
    // Everything the client put on the wire (the Client Hello alone) arrived, and nothing came back.
    const received = backend.events.filter((event) => event.kind === 'received').reduce((sum, event) => sum + (event.bytes ?? 0), 0);
    expect(received).toBe(raw.bytesWritten);
    expect(raw.bytesRead).toBe(0);
    expect(raw.destroyed).toBe(false);
  });
});

describe('TLS material', () => {
  it('healthy over TLS presents a self-signed certificate for 127.0.0.1 and localhost, valid now', async () => {
    const backend = await startBackend('healthy', { tls: true });
    expect(backend.url).toBe(`https://127.0.0.1:${backend.port}`);
    const client = tls.connect({ port: backend.port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false });
    onTestFinished(() => {
      client.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      client.once('secureConnect', () => resolve());
      client.once('error', reject);
    });
    const certificate = client.getPeerCertificate();
    expect(certificate.subject.CN).toBe('faultgate-backend');
    expect(certificate.issuer.CN).toBe(certificate.subject.CN);
    expect(certificate.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(Date.parse(certificate.valid_from)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(certificate.valid_to)).toBeGreaterThan(Date.now());
    // Self-signed, so a client that checks certificates refuses it.
    expect(client.authorizationError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('every TLS backend of a process shares the one certificate', async () => {
    const [first, second] = await Promise.all([startBackend('healthy', { tls: true }), startBackend('idle-closer', { tls: true })]);
    const fingerprints = await Promise.all(
      [first, second].map(
        (backend) =>
          new Promise<string>((resolve, reject) => {
            const client = tls.connect({ port: backend.port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
              resolve(client.getPeerCertificate().fingerprint256);
              client.destroy();
            });
            client.once('error', reject);
          }),
      ),
    );
    expect(fingerprints[0]).toBe(fingerprints[1]);
  });
});
