/**
 * A connect that is never answered (connecting × silence), which loopback cannot show: the kernel
 * answers every SYN there. On a wire path a firewall in the target's namespace drops every SYN
 * towards the target's port. Edge gives up at connect.timeout.millis with 503 ServiceUnavailable
 * (the 503 playbook's "connection timeouts"); Microgateway has no connect limit of its own, so
 * request_timeout answers, in the mimic as in microgateway-core 3.1.6 and 3.3.7, compared field
 * for field as the differential suite compares.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { RunningBackend } from '../../faulty-backends/backend.ts';
import { startBackend } from '../../faulty-backends/index.ts';
import type { Failure } from '../../harness/gateway/failures.ts';
import { engineVersions } from '../../harness/reference/microgateway-core.ts';
import { openWirePath, type WirePath } from '../../harness/wire/path.ts';
import type { DifferentialCase } from '../differential/cases.ts';
import { differences } from '../differential/compare.ts';
import { runSide } from '../differential/sides.ts';
import { exchange, startGateway, tempDir } from '../helpers.ts';
import { leftoversOf, mustRun, unavailable } from './helpers.ts';

const CONNECT_LIMIT_MS = 300;

/** The request_timeout that answers where no connect limit does, and the 504 it gives. */
const neverConnected: DifferentialCase = {
  name: 'a SYN never answered, request_timeout 1 s',
  backend: 'healthy',
  settings: { edgemicro: { request_timeout: 1 } },
  status: 504,
  lines: () => 2,
  elapsedMs: [990, 3000],
};

if (unavailable && mustRun) {
  it('wire mode runs in CI', () => {
    throw new Error(unavailable);
  });
}

describe.skipIf(unavailable !== undefined)(unavailable ? `a connect never answered (skipped: ${unavailable})` : 'a connect never answered', () => {
  let path: WirePath;
  let backend: RunningBackend;

  beforeAll(async () => {
    path = await openWirePath();
    backend = await startBackend('healthy', {}, await path.listenOptions());
    await path.dropSynTo(backend.port);
  });
  afterAll(async () => {
    await backend?.close();
    await path?.close();
    expect(leftoversOf(process.pid)).toEqual([]);
  });

  it('the path refuses nothing and answers nothing: a plain TCP connect is left waiting', async () => {
    const connect = await path.tcpConnect(backend.port, 500);
    expect(connect).toMatchObject({ ok: false, error: 'no answer within 500 ms' });
  });

  it(`Edge: 503 ServiceUnavailable when connect.timeout.millis (${CONNECT_LIMIT_MS} ms) runs out`, async () => {
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'connect.timeout.millis': CONNECT_LIMIT_MS, 'logging.dir': tempDir() } });
    const failures: Failure[] = [];
    gateway.on('failure', (failure) => failures.push(failure));
    const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 503, end: 'completed' });
    expect(JSON.parse(view.body)).toEqual({ fault: { faultstring: 'The Service is temporarily unavailable', detail: { errorcode: 'messaging.adaptors.http.flow.ServiceUnavailable' } } });
    expect(failures.map((failure) => [failure.kind, failure.phase, failure.limit?.name, failure.limit?.ms])).toEqual([['connect-timeout', 'connecting', 'connect', CONNECT_LIMIT_MS]]);
    expect(failures[0]?.limit?.firedAfterMs).toBeGreaterThanOrEqual(CONNECT_LIMIT_MS - 1);
    expect(view.elapsedMs).toBeGreaterThanOrEqual(CONNECT_LIMIT_MS);
  });

  for (const version of engineVersions) {
    it(`Microgateway: the mimic as microgateway-core ${version}: 504 at request_timeout, no connect limit`, async () => {
      const cleanup = (close: () => unknown) => onTestFinished(async () => void (await close()));
      const [mimic, engine] = await Promise.all([runSide('mimic', version, neverConnected, backend, cleanup), runSide('engine', version, neverConnected, backend, cleanup)]);
      expect(differences(version, mimic, engine)).toEqual([]);
      for (const side of [mimic, engine]) {
        expect(side.status, side.side).toBe(504);
        expect(side.lines, side.side).toHaveLength(2);
        expect(side.elapsedMs, side.side).toBeGreaterThanOrEqual(990);
      }
    });
  }
});
