/**
 * undici, and so fetch() in Node 18+. A Client keeps an idle socket keepAliveTimeout (4 s); a
 * Keep-Alive: timeout=N hint from the server replaces it, less keepAliveTimeoutThreshold (2 s since
 * undici 6.14.1, 1 s before), capped at keepAliveMaxTimeout (10 min); none left means no reuse.
 */
import { millis, type Preset } from './types.ts';

export const undici: Preset = {
  name: 'undici',
  title: 'undici / fetch()',
  versions: ['6', '5', '7'],
  sources: [
    { title: 'undici Client options: keepAliveTimeout, keepAliveMaxTimeout, keepAliveTimeoutThreshold', url: 'https://undici.nodejs.org/#/docs/api/Client' },
  ],
  settings: ['keepAliveTimeout', 'keepAliveMaxTimeout', 'keepAliveTimeoutThreshold'],
  client: (version) => ({
    idleMs: 4000,
    idleFrom: 'undici Client keepAliveTimeout, 4000 ms by default',
    knob: millis('keepAliveTimeout', 'the undici Agent or Client options', (value) => `new Agent({ keepAliveTimeout: ${value} })`),
    honoursHint: true,
    hintMarginMs: version === '5' ? 1000 : 2000,
    hintFrom: `undici retires a socket at N s less keepAliveTimeoutThreshold (${version === '5' ? 1000 : 2000} ms) on Keep-Alive: timeout=N`,
    retries: {
      get: false,
      post: false,
      why: 'undici fails the request in flight when the server closes the socket under it (UND_ERR_SOCKET "other side closed"), a GET too: measured on undici 7 by the probe',
    },
  }),
};
