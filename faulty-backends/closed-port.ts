/**
 * closed-port — a port on which nothing listens, so the kernel answers the gateway's SYN with RST
 * and connect() fails with ECONNREFUSED. It takes its port by listening on it for an instant and
 * closing at once: the one given, which must be free (a port something else listens on would not
 * refuse anything), or (none given, or 0: any) a free one below the kernel's ephemeral range, which
 * no server asking for any port can be handed afterwards (a free ephemeral one could be, and then
 * it answers).
 */
import net from 'node:net';
import { z } from 'zod';
import { authority, listen, portBelowEphemeralRange } from '../harness/listen.ts';
import { defineBackend } from './backend.ts';

export const closedPort = defineBackend({
  name: 'closed-port',
  summary: 'nothing listens on its port (connection refused)',
  settings: z.object({}).strict(),
  protocol: () => 'http',
  explain: () => 'is a port on which nothing listens: every connect() is refused',
  async serve(_settings, backend, listenOptions) {
    const host = listenOptions.host ?? '127.0.0.1';
    const probe = net.createServer();
    // A socket handed over from another network namespace (wire mode) is taken and closed there.
    // Port 0 asks for any port, as absent does: here that must be one below the ephemeral range.
    const given = listenOptions.port || (listenOptions.handle ? 0 : await portBelowEphemeralRange(host));
    const port = await listen(probe, 'backend closed-port', { host, port: given, ...(listenOptions.handle ? { handle: listenOptions.handle } : {}) });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    backend.port = port;
    backend.url = `http://${authority(host, port)}`;
    return backend;
  },
});
