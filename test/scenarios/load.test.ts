/**
 * A scenario file that does not fit fails when it is loaded, naming the file and the field, and
 * the CLI turns that into one line and exit code 2.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultgateError } from '../../harness/errors.ts';
import { loadScenarioFile, loadScenarios, selectScenarios } from '../../harness/runner/load-scenarios.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import { tempDir } from '../helpers.ts';

const valid = {
  name: 'my-scenario',
  title: 'A target that closes early',
  document: 'microgateway-502-socket-hang-up',
  cause: 'Target server prematurely closes connection',
  story: 'The target sends FIN instead of a response.',
  role: 'failure',
  gateway: { personality: 'microgateway' },
  backend: { name: 'fin-mid-request' },
  client: [{ request: { path: '/x' } }],
  expect: { status: 502 },
};

async function loadError(data: unknown, extension = 'json'): Promise<FaultgateError> {
  const file = join(tempDir(), `my-scenario.${extension}`);
  writeFileSync(file, JSON.stringify(data));
  const error = await loadScenarioFile(file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FaultgateError);
  const failure = error as FaultgateError;
  expect(failure.code).toBe('E_SCENARIO');
  expect(failure.message).toContain('my-scenario.json');
  expect(failure.message.split('\n')).toHaveLength(1);
  return failure;
}

describe('loading scenario files', () => {
  it('accepts a user file in JSON', async () => {
    const file = join(tempDir(), 'mine.json');
    writeFileSync(file, JSON.stringify(valid));
    expect((await loadScenarioFile(file)).name).toBe('my-scenario');
  });

  it('a scenario that leaves out expect.logs has its lines recorded, not judged', async () => {
    const file = join(tempDir(), 'mine.json');
    writeFileSync(file, JSON.stringify(valid));
    const evidence = await runScenario(await loadScenarioFile(file));
    expect(evidence.logs).toHaveLength(2);
    expect(evidence.problems).toEqual([]);
    expect(evidence.ok).toBe(true);
  });

  it('names a missing field', async () => {
    const { cause: _cause, ...missing } = valid;
    expect((await loadError(missing)).message).toMatch(/cause: expected the cause/);
  });

  it('names a field of the wrong type, with its path', async () => {
    expect((await loadError({ ...valid, expect: { status: 'bad' } })).message).toMatch(/expect\.status: expected an HTTP status/);
  });

  it('names an unknown backend and lists the known ones', async () => {
    expect((await loadError({ ...valid, backend: { name: 'nope' } })).message).toMatch(/backend\.name: expected one of swallow-client-hello,/);
  });

  it('names a gateway setting the personality would refuse', async () => {
    const message = (await loadError({ ...valid, gateway: { personality: 'edge', settings: { 'io.timeout.millis': -1 } } })).message;
    expect(message).toMatch(/io\.timeout\.millis: must not be negative/);
  });

  it('names a setting that is wrong only in real time', async () => {
    const message = (await loadError({ ...valid, backend: { name: 'idle-closer', settings: { idleTimeoutMs: { test: 300, real: 0 } } } })).message;
    expect(message).toMatch(/\(real time\).*idleTimeoutMs/);
  });

  it('accepts a TypeScript file of the user’s, outside the project', async () => {
    const file = join(tempDir(), 'mine.ts');
    writeFileSync(file, `export default ${JSON.stringify(valid)};\n`);
    expect((await loadScenarioFile(file)).name).toBe('my-scenario');
  });

  it('a TypeScript file that does not load, or does not exist, is one line naming it', async () => {
    const file = join(tempDir(), 'broken.ts');
    writeFileSync(file, 'export default {\n  name: "x",\n  oops(\n');
    const broken = (await loadScenarioFile(file).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as FaultgateError;
    expect(broken.code).toBe('E_SCENARIO');
    expect(broken.message).toMatch(/broken\.ts: does not load: .*Expected identifier but found end of file$/);
    const missing = (await loadScenarioFile(join(tempDir(), 'missing.ts')).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as FaultgateError;
    expect(missing.message).toMatch(/missing\.ts: no such file$/);
  });

  it('an unknown scenario name lists the known ones', async () => {
    const error = (await selectScenarios(['no-such-scenario']).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as FaultgateError;
    expect(error.code).toBe('E_UNKNOWN_NAME');
    expect(error.message).toMatch(/^unknown scenario "no-such-scenario"; known: tls-handshake-timeout, /);
  });

  it('every file in scenarios/ loads, each failure followed by its fix', async () => {
    const scenarios = await loadScenarios();
    for (const [index, scenario] of scenarios.entries()) {
      if (scenario.role === 'failure' && scenario.twin) expect(scenarios[index + 1]?.name).toBe(scenario.twin);
    }
    expect(scenarios.map((scenario) => scenario.name)).toEqual(
      expect.arrayContaining(['tls-handshake-timeout', 'keepalive-timeout-mismatch', 'target-premature-close', 'keepalive-timeout-aligned']),
    );
  });
});
