/**
 * Loopback unless told otherwise: an empty host (which Node takes for every interface) is refused
 * wherever a host is given, and a server on any other address says so when it starts.
 */
import { Writable } from 'node:stream';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { resolveBackendOptions } from '../../harness/cli/commands/backend.ts';
import { resolveGatewayOptions } from '../../harness/cli/commands/gateway.ts';
import { announceExposure } from '../../harness/cli/options.ts';
import { isLoopback, listen } from '../../harness/listen.ts';

const message = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

describe('the host to listen on', () => {
  const gateway = (host: string | undefined, env: NodeJS.ProcessEnv) =>
    message(() => resolveGatewayOptions({ personality: 'edge', target: 'http://127.0.0.1:9', set: [], ...(host === undefined ? {} : { host }) }, env));

  it('an empty --host or FAULTGATE_HOST is refused, gateway and backend', () => {
    const refusal = (name: string) => `${name} "": an empty host would listen on every interface; give an address, e.g. 127.0.0.1 (this machine) or 0.0.0.0 (every interface)`;
    expect(gateway('', {})).toBe(refusal('--host'));
    expect(gateway(undefined, { FAULTGATE_HOST: '' })).toBe(refusal('FAULTGATE_HOST'));
    expect(gateway(' ', { FAULTGATE_HOST: '0.0.0.0' })).toBe(refusal('--host'));
    expect(message(() => resolveBackendOptions('healthy', { host: '', set: [] }, {}))).toBe(refusal('--host'));
    expect(resolveGatewayOptions({ personality: 'edge', target: 'http://127.0.0.1:9', set: [] }, {}).host).toBe('127.0.0.1');
  });

  it('listen() refuses an empty host too, for library callers', async () => {
    const server = http.createServer();
    await expect(listen(server, 'gateway (edge)', { host: '' })).rejects.toThrow(/^gateway \(edge\): an empty host listens on every interface/);
    expect(server.listening).toBe(false);
  });

  it('any address but loopback is announced on stderr', () => {
    const written: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { written.push(chunk.toString()); done(); } });
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost', '0.0.0.0', '::', '192.0.2.2']) announceExposure(host, 'the gateway', sink);
    expect(written).toEqual([
      'faultgate: the gateway listens on 0.0.0.0, not loopback: other machines on the network can reach it\n',
      'faultgate: the gateway listens on ::, not loopback: other machines on the network can reach it\n',
      'faultgate: the gateway listens on 192.0.2.2, not loopback: other machines on the network can reach it\n',
    ]);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
  });
});
