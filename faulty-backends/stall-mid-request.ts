/**
 * stall-mid-request — reads the request head and a given number of body bytes, then stops reading
 * and never answers: the sender's writes fill the socket buffers and stall. Edge's endpoint
 * properties reference says what that is for the Message Processor: "if the socket is not ready to
 * write data" for io.timeout.millis while it writes the request, 408 Request Timeout. The
 * connection stays open until the peer gives up; the unread bytes are dropped with it.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { whenRequestRead } from './read-request.ts';

export const stallMidRequest = defineBackend({
  name: 'stall-mid-request',
  summary: 'reads part of the request body, then stops reading and never answers (a write-side timeout)',
  settings: z
    .object({
      afterBodyBytes: z.number().int().nonnegative().default(64 * 1024).describe('stop reading once this much of the body has arrived'),
    })
    .strict(),
  protocol: () => 'http',
  // curl's GET has no body to stall: it meets the response limit. The write-side limit needs a POST
  // larger than the socket buffers hold (about 4 MiB on loopback), e.g. curl --data-binary @8MiB.bin.
  demo: {
    failure: 'awaiting-response × silence',
    reproduces: (answer) => `${answer ?? 'the response limit'} for a GET; a POST of 8 MiB meets the write-side limit (Edge: 408 Request Timeout)`,
  },
  explain: (settings) => `reads the request head and ${settings.afterBodyBytes} body bytes, then stops reading and never answers`,
  async serve(settings, backend, listenOptions) {
    const server = net.createServer((socket) => {
      const conn = backend.track(socket);
      // Nothing more is read: the kernel's buffers fill and the sender's writes stall.
      whenRequestRead(socket, backend, conn, settings.afterBodyBytes, () => socket.pause());
    });
    return backend.serve(server, listenOptions);
  },
});
