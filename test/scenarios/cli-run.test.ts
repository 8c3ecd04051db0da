/**
 * The command line, as a user types it: `faultgate run … --json` carries the documented status,
 * bodies and log lines. The handshake scenario's timing is judged where it is decided (the
 * gateway's own timer, timing-verdict.ts), so it runs beside other files. (`faultgate run all`,
 * what `npm start` runs, is the README's command: test/docs/doc-commands.test.ts runs it and
 * checks its narration.)
 */
import { describe, expect, it } from 'vitest';
import { parseEventLogLine } from '../../harness/gateway/microgateway.ts';
import { runCli } from '../helpers.ts';

describe('faultgate run', () => {
  it('--json: one object per scenario with the documented status, body and log lines', async () => {
    const result = await runCli(['run', 'tls-handshake-timeout', 'keepalive-timeout-mismatch', 'target-premature-close', 'keepalive-timeout-aligned', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const runs = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { scenario: string; ok: boolean; response: { status: number; headers: Record<string, string>; body: string }; logs: string[]; elapsedMs: number; timeline: { kind: string }[] });
    expect(runs.map((run) => run.scenario)).toEqual(['tls-handshake-timeout', 'keepalive-timeout-mismatch', 'target-premature-close', 'keepalive-timeout-aligned']);
    for (const run of runs) {
      expect(run.ok).toBe(true);
      // Every run's timeline holds the client's request and the gateway's answer to it.
      expect(run.timeline.map((entry) => entry.kind)).toEqual(expect.arrayContaining(['request-sent', 'request-received', 'answered', 'response-received']));
    }
    const [handshake, mismatch, premature, aligned] = runs;
    // The handshake's answer comes no sooner than its 1000 ms limit.
    expect(handshake?.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(handshake?.response.status).toBe(502);
    expect(handshake?.response.body).toBe('{"fault":{"faultstring":"Bad Gateway","detail":{"errorcode":"messaging.adaptors.http.flow.BadGateway"}}}');
    expect(handshake?.logs[0]).toMatch(/HTTPClient\$Context\.handshakeTimeout\(\) : SSLClientChannel\[Connected: .* bytesRead=0 bytesWritten=0 age=\d+ms lastIO=\d+ms isOpen=true handshake timeout$/);
    for (const run of [mismatch, premature]) {
      expect(run?.response.status).toBe(502);
      expect(run?.response.body).toBe('{"message":"socket hang up","code":"ECONNRESET"}');
      expect(run?.logs.map((line) => parseEventLogLine(line)).map((fields) => [fields?.level, fields?.component, fields?.message, fields?.status, fields?.errorMessage, fields?.errorCode])).toEqual([
        ['warn', 'plugins-middleware', 'targetRequest error', '', 'socket hang up', 'ECONNRESET'],
        ['error', 'microgateway-core', '', '502', 'socket hang up', 'ECONNRESET'],
      ]);
    }
    expect(aligned?.response.status).toBe(200);
    expect(aligned?.logs).toEqual([]);
  });

  it('an unknown scenario is one line naming it and the known ones, exit 2', async () => {
    const result = await runCli(['run', 'no-such-thing', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^faultgate: unknown scenario "no-such-thing"; known: tls-handshake-timeout, .*\n$/);
  });
});
