/**
 * The wire path's promises about the machine: two runs at once never collide, a crashed run's
 * namespace, link and address claim are removed by the next run, an interrupted run leaves nothing,
 * and without root or the tools --wire is one line and exit 2.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import { dropPayloadRuleset } from '../../harness/wire/firewall.ts';
import { creatorOf, nextNames } from '../../harness/wire/names.ts';
import { openWirePath } from '../../harness/wire/path.ts';
import { claimsFolder } from '../../harness/wire/subnet.ts';
import { leftoversOf, mustRun, unavailable } from './helpers.ts';
import { tempDir } from '../helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const faultgate = join(root, 'bin/faultgate.js');

describe('names and rules', () => {
  it('names carry the creating process, within the 15-character limit for interfaces', () => {
    const names = nextNames(4_194_303);
    expect(names.gatewayLink.length).toBeLessThanOrEqual(15);
    expect([names.namespace, names.gatewayLink, names.targetLink].map((name) => creatorOf(name))).toEqual([4_194_303, 4_194_303, 4_194_303]);
    expect(creatorOf('eth0')).toBeUndefined();
    expect(creatorOf('faultgate')).toBeUndefined();
  });

  it('the firewall drops TCP payload towards the port, for every TCP header length, and nothing else', () => {
    const rules = dropPayloadRuleset(8443);
    expect(rules).toContain('tcp dport 8443 ip hdrlength 5 tcp doff 5 ip length > 40 drop');
    expect(rules).toContain('tcp dport 8443 ip hdrlength 5 tcp doff 8 ip length > 52 drop');
    expect(rules.match(/ drop$/gm)).toHaveLength(11);
    expect(rules).toContain('policy accept');
  });
});

if (unavailable && mustRun) {
  it('wire mode runs in CI', () => {
    throw new Error(unavailable);
  });
}

describe.skipIf(unavailable !== undefined)(unavailable ? `wire paths (skipped: ${unavailable})` : 'wire paths', () => {
  it('two runs at once get their own namespace, veth pair and /30, and each tells its story', async () => {
    const scenario = (await loadScenarios()).find((each) => each.name === 'target-premature-close');
    if (!scenario) throw new Error('no scenario');
    const [a, b] = await Promise.all([openWirePath(), openWirePath()]);
    try {
      expect(a.names.namespace).not.toBe(b.names.namespace);
      expect(a.names.gatewayLink).not.toBe(b.names.gatewayLink);
      expect(a.targetAddress).not.toBe(b.targetAddress);
      const runs = await Promise.all([runScenario(scenario, { wire: true }), runScenario(scenario, { wire: true })]);
      expect(runs.map((evidence) => [...evidence.problems, ...(evidence.wire?.settled === false ? ['unsettled'] : [])])).toEqual([[], []]);
      expect(runs[0]?.wire?.path.namespace).not.toBe(runs[1]?.wire?.path.namespace);
      expect(runs.map((evidence) => evidence.packets?.find((packet) => packet.flags === 'FIN, ACK' && packet.direction === 'target → gateway')?.no)).toEqual([6, 6]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(leftoversOf(process.pid)).toEqual([]);
  });

  it("a crashed run's namespace, link and address claim are removed by the next run", async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/wire/fixtures/open-path.ts')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const names = JSON.parse(line) as { namespace: string; gatewayLink: string; target: string };
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(leftoversOf(child.pid as number)).toEqual([names.namespace, names.gatewayLink]);
    const next = await openWirePath();
    await next.close();
    expect(leftoversOf(child.pid as number)).toEqual([]);
    expect(existsSync(join(claimsFolder(), names.target.replace(/\d+$/, (last) => String(Number(last) - 2))))).toBe(false);
  });

  it('Ctrl-C during a wire run closes everything it made, and exits 130', async () => {
    // TMPDIR: the narrated run keeps its log and capture in a folder there, which goes with the test's.
    const child = spawn(process.execPath, [faultgate, 'run', 'tls-handshake-timeout', '--wire'], { env: { ...process.env, TMPDIR: tempDir() }, stdio: ['ignore', 'pipe', 'pipe'] });
    // The narration streams: once the Client Hello is on the timeline, the path, rule and capture exist.
    const lines = createInterface({ input: child.stdout });
    await new Promise<void>((resolve) => lines.on('line', (text) => text.includes('Client Hello') && resolve()));
    expect(leftoversOf(child.pid as number)).toHaveLength(2);
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(130);
    expect(leftoversOf(child.pid as number)).toEqual([]);
  });
});

describe('without the tools', () => {
  it('--wire is one line naming what is missing and how to get it, exit 2', async () => {
    const child = spawn(process.execPath, [faultgate, 'run', 'tls-handshake-timeout', '--wire'], { env: { ...process.env, PATH: '/nonexistent' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/--wire needs .*tcpdump, tshark \(apt-get install -y tcpdump tshark\)/);
  });
});
