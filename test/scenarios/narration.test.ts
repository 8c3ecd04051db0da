/**
 * Narration for a room: every story tells the run's own values (in the short timings and in real
 * time), the documents are named by their own titles, the Edge answer names its message id and the
 * log line carries the same one, follow-up commands paste as printed, and a narrated run prints
 * its header and each timeline line as it happens, not at the end.
 */
import { spawn } from 'node:child_process';
import pc from 'picocolors';
import { describe, expect, it, onTestFinished } from 'vitest';
import { checkScenario, loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { narrate } from '../../harness/runner/narrate.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import { storyHoles } from '../../harness/runner/story.ts';
import { cleanEnvironment, FAULTGATE, tempDir } from '../helpers.ts';

const plain = pc.createColors(false);
const numberWords = /\b(one|two|three|four|five|six|seven|eight|nine|ten|sixty|fifty-five)\b[- ](milli)?(second|minute)s?\b|\bsixty\b/i;

describe('stories', () => {
  it('name their durations only through holes, each a setting of the run', async () => {
    for (const scenario of await loadScenarios()) {
      expect(scenario.story, scenario.name).not.toMatch(numberWords);
      expect(scenario.story.replace(/\{[^}]+\}/g, ''), scenario.name).not.toMatch(/\d+ ?(ms|s)\b/);
      for (const hole of storyHoles(scenario.story)) expect(hole).toMatch(/^(gateway|backend|relay|router)\./);
    }
  });

  it('every printed follow-up names a scenario that exists', async () => {
    const scenarios = await loadScenarios();
    const names = new Set(scenarios.map((scenario) => scenario.name));
    for (const scenario of scenarios) if (scenario.twin) expect(names, scenario.name).toContain(scenario.twin);
  });

  it('a story hole that names no setting fails at load, naming the file and the hole', async () => {
    const [scenario] = await loadScenarios();
    expect(() => checkScenario({ ...scenario, resolutionFrom: undefined, story: 'after {backend.noSuchMs} idle' }, '/tmp/my-scenario.ts')).toThrow(
      /\/tmp\/my-scenario\.ts: story: \{backend\.noSuchMs\} names no setting of the backend/,
    );
  });
});

describe('a narrated run', () => {
  it('tells the keep-alive story with the target\'s actual idle limit, and the fix as a command that pastes', async () => {
    const scenario = (await loadScenarios()).find((each) => each.name === 'edge-keepalive-timeout-mismatch');
    if (!scenario) throw new Error('no scenario');
    const evidence = await runScenario(scenario);
    const text = narrate(scenario, evidence, plain);
    // The JSON evidence carries the id the gateway gave the request, as Trace shows it; the client's answer does not.
    expect(evidence.messageId).toMatch(/^[0-9a-f]+-\d+$/);
    expect(evidence.response?.headers['x-apigee.message-id']).toBeUndefined();
    expect(text).toContain('document  Apigee Edge: "502 Bad Gateway Unexpected EOF"');
    expect(text).toMatch(/story {5}.*closes it after 300 ms idle while Edge would keep it 60 s/);
    expect(text).toMatch(/the target's FIN goes on to the gateway: the gateway's \d+ bytes crossed it in flight/);
    expect(text).toMatch(/^message id [0-9a-f]+-\d+ \(X-Apigee\.Message-ID in Trace, not sent to the client\)$/m);
    expect(text).toMatch(/^resolution .* \(in the harness's words: the document gives none to quote\)$/m);
    expect(text).toContain('the fix    npx faultgate run edge-keepalive-timeout-aligned');
  });

  it('streams: the header and the Client Hello print at once, the 502 a limit later; the message id is the log line\'s', async () => {
    // TMPDIR: the narrated run keeps its product log in a folder there, which goes with the test's.
    const child = spawn(process.execPath, [FAULTGATE, 'run', 'tls-handshake-timeout'], { env: { ...cleanEnvironment(), TMPDIR: tempDir() }, stdio: ['ignore', 'pipe', 'pipe'] });
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const seen: { at: number; text: string }[] = [];
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      seen.push({ at: performance.now(), text: stdout });
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    // The verdict is the timing tests' concern; here, only when each line came out.
    expect([0, 1]).toContain(code);
    const firstWith = (pattern: RegExp) => seen.find((each) => pattern.test(each.text))?.at ?? Number.NaN;
    const hello = firstWith(/TLS Client Hello written/);
    const answered = firstWith(/client {10}receives 502/);
    expect(firstWith(/^story .*io\.timeout\.millis \(1 s\)/m)).toBeLessThanOrEqual(hello);
    // The limit is 1000 ms: the line of the Client Hello was out long before the answer came.
    expect(answered - hello).toBeGreaterThan(700);
    const id = /^message id (\S+) \(X-Apigee\.Message-ID in Trace, not sent to the client\): the messageid of the log line below$/m.exec(stdout)?.[1];
    expect(id).toBeDefined();
    expect(stdout).toContain(`messageid:${id} `);
  });
});
