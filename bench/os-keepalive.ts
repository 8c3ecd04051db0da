/**
 * Measures the Microgateway document's resolution — "the keep-alive timeout on the operating
 * system lower than the target's" — on the real engine. The keep-alive probe runs
 * examples/chains/os-keepalive.yaml in real time with the real microgateway-core, inside a fresh
 * network namespace (its loopback only) per condition: the kernel's default net.ipv4.tcp_keepalive_*
 * (7200 s, 75 s, 9 probes) and the same lowered below the target's 3 s (1 s, 1 s, 1 probe). While
 * the trials run, `ss` samples the keep-alive timers of the established connections in the
 * namespace, so the report shows what the kernel was doing. Needs root (ip netns); leaves no
 * namespace behind.
 *
 *   node --import tsx bench/os-keepalive.ts [--repeat 3] [--engine 3.1.6] [--json out.json]
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CHAIN = fileURLToPath(new URL('../examples/chains/os-keepalive.yaml', import.meta.url));
const CLI = fileURLToPath(new URL('../harness/cli/main.ts', import.meta.url));

const conditions = [
  { name: 'kernel defaults', sysctl: { tcp_keepalive_time: 7200, tcp_keepalive_intvl: 75, tcp_keepalive_probes: 9 } },
  { name: 'lowered below the target', sysctl: { tcp_keepalive_time: 1, tcp_keepalive_intvl: 1, tcp_keepalive_probes: 1 } },
] as const;

interface Measured {
  condition: string;
  sysctl: Record<string, number>;
  /** failed/sent per gap, GET then POST */
  gaps: Record<string, string>;
  verdict: string;
  /** keep-alive timers `ss` saw on established connections (first few distinct) */
  timers: string[];
}

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim() || result.error?.message}`);
}

async function measure(index: number, condition: (typeof conditions)[number], repeat: string, engine: string): Promise<Measured> {
  const ns = `faultgate-ka-${process.pid}-${index}`;
  ip('netns', 'add', ns);
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    const settings = Object.entries(condition.sysctl).map(([key, value]) => `net.ipv4.${key}=${value}`);
    const sysctl = spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...settings], { encoding: 'utf8' });
    if (sysctl.status !== 0) throw new Error(`sysctl in ${ns}: ${sysctl.stderr.trim()}`);

    const timers = new Set<string>();
    const sample = setInterval(() => {
      const ss = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-tnoH', 'state', 'established'], { encoding: 'utf8' });
      for (const match of ss.stdout.matchAll(/timer:\((keepalive),([^,]+),(\d+)\)/g)) if (timers.size < 6) timers.add(`${match[1]} ${match[2]} (probes sent ${match[3]})`);
    }, 400);
    const run = `import { main } from ${JSON.stringify(CLI)}; process.exitCode = await main(process.argv.slice(1));`;
    const args = ['keepalive', 'probe', CHAIN, '--engine', engine, '--repeat', repeat, '--json'];
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', '--input-type=module', '--eval', run, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    clearInterval(sample);
    const result = JSON.parse(out) as { verdict: string; connections: { gaps: { name: string; failures: number; requests: number }[]; posts: { name: string; failures: number; requests: number }[] }[] };
    const connection = result.connections[0];
    const gaps: Record<string, string> = {};
    for (const gap of connection?.gaps ?? []) gaps[`GET ${gap.name}`] = `${gap.failures}/${gap.requests}`;
    for (const gap of connection?.posts ?? []) gaps[`POST ${gap.name}`] = `${gap.failures}/${gap.requests}`;
    return { condition: condition.name, sysctl: condition.sysctl, gaps, verdict: result.verdict, timers: [...timers] };
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '3' }, engine: { type: 'string', default: '3.1.6' }, json: { type: 'string' } } });
// One condition after the other: each runs real-time trials that a second one would disturb.
const results: Measured[] = [];
for (const [index, condition] of conditions.entries()) results.push(await measure(index, condition, values.repeat, values.engine));
for (const result of results) {
  console.log(`${result.condition} (${Object.entries(result.sysctl).map(([key, value]) => `${key}=${value}`).join(' ')}): probe says ${result.verdict}`);
  console.log(`  ${Object.entries(result.gaps).map(([gap, cell]) => `${gap} ${cell}`).join(', ')}`);
  console.log(`  keep-alive timers seen by ss: ${result.timers.join('; ') || 'none'}`);
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
