/**
 * `faultgate keepalive` as a user runs it, in child processes: exit 0/1/2, tables without colour
 * when not on a terminal, JSON, and bad input as one line on stderr with nothing on stdout.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseProbeOptions, refuseLongProbe } from '../../harness/cli/commands/keepalive.ts';
import { isFaultgateError } from '../../harness/errors.ts';
import { loadChain } from '../../harness/keepalive/chain.ts';
import { defaultProbeSettings, planProbe } from '../../harness/keepalive/probe.ts';
import { runCli, tempDir } from '../helpers.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The shared runner, with NO_COLOR left empty: colour is off here because stdout is not a terminal
 * (and neither CI nor FORCE_COLOR asks for it, which picocolors would honour).
 */
async function faultgate(...args: string[]): Promise<Run> {
  return withEnvironment({}, ...args);
}

async function withEnvironment(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  const result = await runCli(args, onTestFinished, { NO_COLOR: '', CI: '', FORCE_COLOR: '', ...env });
  return { code: result.code ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const usageError = (raw: Record<string, unknown>) => {
  try {
    parseProbeOptions({ holdFinMs: '150', latencyMs: '30', repeat: '3', maxSeconds: '300', backendHost: '127.0.0.1', ...raw });
  } catch (error) {
    if (isFaultgateError(error)) return error.message;
    throw error;
  }
  return undefined;
};

describe('faultgate keepalive', () => {
  it('check exits 1 on a race and prints its table without colour (with it where FORCE_COLOR asks, as for every command); bad input is one line on stderr and exit 2', async () => {
    const bad = join(tempDir(), 'chain.yaml');
    writeFileSync(bad, 'hops:\n  - name: lb\n    idle_timeout_ms: 60000\n  - name: target\n');
    const [race, invalid, forced] = await Promise.all([
      faultgate('keepalive', 'check', 'examples/chains/three-hops-fault-second.yaml'),
      faultgate('keepalive', 'check', 'examples/chains/aligned.yaml', bad),
      withEnvironment({ FORCE_COLOR: '1' }, 'keepalive', 'check', 'examples/chains/three-hops-fault-second.yaml'),
    ]);
    // One colour policy, picocolors': the verdict is red on a pipe when FORCE_COLOR asks for colour.
    expect(forced.stdout).toContain('\x1b[31mrace\x1b[39m');

    expect(race.code).toBe(1);
    expect(race.stdout).toContain('  2  microgateway → target         no limit                     5000 ms  none                 race     unbounded  none');
    expect(race.stdout).toContain("fix 2 (lower): microgateway has no setting to lower: microgateway-core's target agent");
    expect(race.stdout).not.toContain('\x1b[');

    expect(invalid).toMatchObject({ code: 2, stdout: '' });
    expect(invalid.stderr).toBe(`faultgate: ${bad}: hops.1.keep_alive_timeout_ms (hop "target"): missing: how long this hop keeps an idle connection from the previous hop (no config: or product: gives a default); add it in milliseconds\n`);

  });

  it('refuses a probe that would take longer than allowed, saying how to shorten it', () => {
    const plans = [planProbe(loadChain('examples/chains/aligned.yaml'), defaultProbeSettings)];
    expect(() => refuseLongProbe(plans, defaultProbeSettings, 5)).toThrow(
      /^the probe would take about 6\d s \(the longest upstream keep-alive is 65000 ms\); add --scale-to 1000, or allow it with --max-seconds \d+$/,
    );
    const scaled = { ...defaultProbeSettings, scaleToMs: 1000 };
    expect(refuseLongProbe([planProbe(loadChain('examples/chains/aligned.yaml'), scaled)], scaled, 5)).toBeLessThan(5000);
  });

  it('checks its own options, naming the flag', () => {
    expect(usageError({ timeScale: '0' })).toBe('--time-scale: must be more than 0');
    expect(usageError({ timeScale: 'fast' })).toBe('--time-scale: expected a factor such as 0.02');
    expect(usageError({ timeScale: '0.1', scaleTo: '500' })).toBe('--time-scale and --scale-to: give one or the other');
    expect(usageError({ repeat: '0' })).toBe('--repeat: at least 1');
    expect(usageError({ holdFinMs: '-1' })).toBe('--hold-fin-ms: must not be negative');
    expect(usageError({ gatewayUrl: 'http://127.0.0.1:8000' })).toMatch(/^--gateway-url needs --backend-port/);
    expect(usageError({ gatewayUrl: 'ftp://x', backendPort: '9000' })).toMatch(/^target "ftp:\/\/x": expected an http/);
    expect(usageError({ gatewayUrl: 'http://127.0.0.1:8000', backendPort: '70000' })).toBe('--backend-port: a port is 0 to 65535');
    expect(usageError({ scaleTo: '1000' })).toBeUndefined();
  });
});
