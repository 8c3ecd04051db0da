/**
 * What the backends that stop a TLS handshake share: telling a TLS Client Hello from other bytes,
 * and recording what arrived before they act (swallow it, close, reset).
 */
import type net from 'node:net';
import type { StartedBackend } from './backend.ts';

/** A TLS record whose content type is 22 (handshake) and whose first message is 1 (Client Hello). */
export function looksLikeClientHello(chunk: Buffer): boolean {
  return chunk[0] === 0x16 && chunk[5] === 0x01;
}

/** Records every chunk the gateway sends (naming a Client Hello as one); `first` runs after the first. */
export function recordHandshakeBytes(socket: net.Socket, backend: StartedBackend, conn: string, first?: () => void): void {
  let seen = false;
  socket.on('data', (chunk: Buffer) => {
    backend.record('received', conn, { bytes: chunk.length, ...(looksLikeClientHello(chunk) ? { detail: 'TLS Client Hello' } : {}) });
    if (seen) return;
    seen = true;
    first?.();
  });
}
