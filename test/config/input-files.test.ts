/**
 * Every input file has bounds: a regular file only, at most 1 MiB, YAML aliases limited, no XML
 * DOCTYPE or entities; and an unknown log level is refused. Each is one line naming the file (or
 * the variable) and what to do, through every reader that takes a file from a user: --config, a
 * chain, a file a chain points to, a scenario file.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveGatewayOptions } from '../../harness/cli/commands/gateway.ts';
import { loadConfigFile, MAX_CONFIG_BYTES } from '../../harness/config/load-file.ts';
import { loadChain } from '../../harness/keepalive/chain.ts';
import { loadScenarioFile } from '../../harness/runner/load-scenarios.ts';
import { runCli, tempDir } from '../helpers.ts';

async function refusal(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'accepted';
}

const BOMB = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((name, index) => `${name}: &${name} [${Array(10).fill(`*${'abcdefgh'[index]}`).join(', ')}]`)].join('\n');

describe('input files', () => {
  it('only a regular file: not a device, a pipe or a folder', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(await refusal(() => loadConfigFile('/dev/zero'))).toBe('FaultgateError: /dev/zero: is not a regular file (a device, pipe or socket); give a file');
    expect(await refusal(() => loadConfigFile(fifo))).toBe(`FaultgateError: ${fifo}: is not a regular file (a device, pipe or socket); give a file`);
    mkdirSync(join(dir, 'folder.yaml'));
    expect(await refusal(() => loadConfigFile(join(dir, 'folder.yaml')))).toMatch(/: is a folder, expected a file$/);
  });

  it('at most 1 MiB', async () => {
    const file = join(tempDir(), 'big.yaml');
    writeFileSync(file, `# ${'x'.repeat(MAX_CONFIG_BYTES - 3)}\n`);
    expect(await refusal(() => loadConfigFile(file))).toBe('accepted');
    writeFileSync(file, `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    expect(await refusal(() => loadConfigFile(file))).toBe(`FaultgateError: ${file}: is larger than 1048576 bytes (1 MiB), the most faultgate reads`);
  });

  it('a YAML alias bomb, in --config, a chain, a file a chain points to and a scenario file', async () => {
    const dir = tempDir();
    const bomb = join(dir, 'org-env-config.yaml');
    writeFileSync(bomb, `edgemicro:\n  port: 8000\n${BOMB}\n`);
    const message = (file: string) => `FaultgateError: ${file}: uses YAML aliases more than 100 times (an alias bomb?); write the values out`;
    expect(await refusal(() => resolveGatewayOptions({ personality: 'microgateway', target: 'http://127.0.0.1:9', config: bomb, set: [] }, {}))).toBe(message(bomb));
    const chain = join(dir, 'chain.yaml');
    writeFileSync(chain, `hops:\n  - { name: a, idle_timeout_ms: 1000 }\n  - { name: b, keep_alive_timeout_ms: 5000 }\n${BOMB}\n`);
    expect(await refusal(() => loadChain(chain))).toBe(message(chain));
    const pointing = join(dir, 'pointing.yaml');
    writeFileSync(pointing, 'hops:\n  - { name: a, idle_timeout_ms: 1000 }\n  - { name: b, config: org-env-config.yaml }\n');
    expect(await refusal(() => loadChain(pointing))).toBe(message(bomb).replace(': ', `: ${pointing}: hops.1.config (hop "b"): `));
    const scenario = join(dir, 'scenario.yaml');
    writeFileSync(scenario, `name: bomb\n${BOMB}\n`);
    expect(await refusal(() => loadScenarioFile(scenario))).toMatch(/uses YAML aliases more than 100 times/);
  });

  it('an XML DOCTYPE, with or without an external entity', async () => {
    const file = join(tempDir(), 'target.xml');
    writeFileSync(file, '<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<TargetEndpoint><HTTPTargetConnection><URL>&x;</URL></HTTPTargetConnection></TargetEndpoint>\n');
    expect(await refusal(() => loadConfigFile(file))).toBe(`FaultgateError: ${file}: has a <!DOCTYPE> or <!ENTITY>; a TargetEndpoint needs neither, remove it`);
  });

  it('an unknown log level', async () => {
    expect(await refusal(() => resolveGatewayOptions({ personality: 'edge', target: 'http://127.0.0.1:9', set: [] }, { FAULTGATE_LOG_LEVEL: 'bogus' }))).toBe(
      'FaultgateError: FAULTGATE_LOG_LEVEL "bogus": expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('on the command line: one line and exit 2, for a device and for a log level', async () => {
    const [device, level] = await Promise.all([
      runCli(['gateway', '--personality', 'edge', '--target', 'http://127.0.0.1:9', '--config', '/dev/zero']),
      runCli(['gateway', '--personality', 'edge', '--target', 'http://127.0.0.1:9', '--port', '0'], undefined, { FAULTGATE_LOG_LEVEL: 'bogus' }),
    ]);
    expect([device.code, device.stdout, device.stderr]).toEqual([2, '', 'faultgate: /dev/zero: is not a regular file (a device, pipe or socket); give a file\n']);
    expect([level.code, level.stdout, level.stderr]).toEqual([2, '', 'faultgate: FAULTGATE_LOG_LEVEL "bogus": expected one of fatal, error, warn, info, debug, trace, silent\n']);
  });
});
