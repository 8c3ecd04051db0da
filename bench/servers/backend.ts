/**
 * A faulty backend, alone in its process, so that the system under test does not share its event
 * loop (or its memory figure) with what it fronts. Options: { name, settings }. Asked
 * "peak-connections", it answers how many connections it has held at once (and resets the count):
 * the number of target connections the gateway really had open together.
 */
import type { BackendDefinition } from '../../faulty-backends/backend.ts';
import { backends, type BackendName } from '../../faulty-backends/index.ts';
import { childOptions, runAsChild, type ServerReady } from '../lib/as-child.ts';

interface Options {
  name: BackendName;
  settings?: Record<string, unknown>;
}

runAsChild<ServerReady>(async () => {
  const { name, settings } = childOptions<Options>();
  const definition: BackendDefinition = backends[name];
  const backend = await definition.start(settings);
  let open = 0;
  let peak = 0;
  backend.on('trace', (event) => {
    if (event.kind === 'accepted') peak = Math.max(peak, ++open);
    else if (event.kind === 'socket-closed') open--;
  });
  const handle = async (request: unknown) => {
    if (request !== 'peak-connections') throw new Error(`unknown request ${JSON.stringify(request)}`);
    const answer = peak;
    peak = open;
    return answer;
  };
  return { ready: { url: backend.url, pid: process.pid }, role: { close: () => backend.close(), handle } };
});
